//! Bindings for the core's `summaries` routines.

use extendr_api::prelude::*;

extendr_module! {
    mod summaries;
}
