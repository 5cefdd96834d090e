//! Bindings for the core's `gmm` routines.

use extendr_api::prelude::*;

extendr_module! {
    mod gmm;
}
