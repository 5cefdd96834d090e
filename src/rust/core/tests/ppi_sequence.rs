//! PPI++ logistic regression against the brute-force reference of
//! `common/mod.rs`, with the kernels this CPU runs fastest (AVX2 + FMA where
//! available): an independent check of the vectorised row kernel and of
//! Newton fits started from a tuning pass's sums.

mod common;

#[test]
fn ppi_plus_plus_logistic_follows_the_reference_sequence() {
    common::check_against_reference();
}
