//! Bindings for the core's `compare` routines.

use extendr_api::prelude::*;

extendr_module! {
    mod compare;
}
