//! extendr bindings of synthinfer: argument conversion only.
//!
//! Every function here takes plain R vectors (already validated and coerced
//! to double in R), calls the core crate, and returns plain vectors or lists.
//! Core errors become R errors through `extendr_api::Error::Other`.

use extendr_api::prelude::*;

mod columns;
mod compare;
mod convert;
mod estimate;
mod exchange;
mod gmm;
mod gmm_user;
mod sim;
mod summaries;
mod watch;

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

/// Stop the noise of extendr's error path. extendr 0.9 turns an `Err`
/// returned to R into an R error by panicking inside its result conversion
/// (robj/into_robj.rs) and catching the panic; Rust's default hook would
/// print "thread panicked at ..." above every ordinary error message,
/// including the interrupt of a cancelled computation. Panics anywhere else,
/// real bugs, still go to the default hook. Called once from `.onLoad()`.
/// @noRd
#[extendr]
fn rs_quiet_error_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let from_conversion = info
                .location()
                .is_some_and(|l| l.file().contains("extendr-api") && l.file().ends_with("into_robj.rs"));
            if !from_conversion {
                default(info);
            }
        }));
    });
}

extendr_module! {
    mod synthinfer;
    use columns;
    use compare;
    use estimate;
    use exchange;
    use gmm;
    use gmm_user;
    use sim;
    use summaries;
    use watch;
    fn rs_panic_probe;
    fn rs_error_probe;
    fn rs_quiet_error_panics;
}
