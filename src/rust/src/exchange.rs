//! Bindings for task-exchangeability routines.

use crate::convert;
use extendr_api::prelude::*;
use synthinfer_core::exchange;

/// Gap band of Algorithm 1 from historical gap-interval endpoints.
/// Returns list(lower, upper, k_lower, k_upper).
/// @noRd
#[extendr]
fn rs_gap_band(lower: &[f64], upper: &[f64], a3: f64) -> extendr_api::Result<List> {
    let b = convert::core(exchange::gap_band(lower, upper, a3))?;
    Ok(list!(
        lower = b.lower,
        upper = b.upper,
        k_lower = b.k_lower as i32,
        k_upper = b.k_upper as i32
    ))
}

extendr_module! {
    mod exchange;
    fn rs_gap_band;
}
