//! The same check as `ppi_sequence.rs` with the portable kernels (separate
//! multiply and add, the library's exp and log1p), forced by the
//! SYNTHINFER_PORTABLE environment variable. A test binary of its own, with
//! one test, so that the variable is set before any kernel runs.

mod common;

#[test]
fn portable_kernels_follow_the_reference_sequence() {
    std::env::set_var("SYNTHINFER_PORTABLE", "1");
    assert!(!synthinfer_core::glm::vecmath::fused_available());
    common::check_against_reference();
}
