//! extendr bindings of synthinfer: argument conversion only.
//!
//! Every function here takes plain R vectors (already validated and coerced
//! to double in R), calls the core crate, and returns plain vectors or lists.
//! Core errors become R errors through `extendr_api::Error::Other`.

use extendr_api::prelude::*;

mod compare;
mod convert;
mod exchange;
mod gmm;
mod summaries;

/// Deliberately panic: used by the test suite to prove that a Rust panic
/// becomes an R error and leaves the session alive.
/// @noRd
#[extendr]
fn rs_panic_probe(message: &str) -> i32 {
    panic!("{}", message.to_string())
}

/// Deliberately return a core error, for the same test.
/// @noRd
#[extendr]
fn rs_error_probe(message: &str) -> extendr_api::Result<i32> {
    convert::core(Err(synthinfer_core::CoreError::InvalidArgument(message.to_string())))
}

extendr_module! {
    mod synthinfer;
    use compare;
    use exchange;
    use gmm;
    use summaries;
    fn rs_panic_probe;
    fn rs_error_probe;
}
