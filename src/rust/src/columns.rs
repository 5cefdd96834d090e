//! Binding of `synthinfer_core::columns`: the one-pass column checks of
//! `synth_design()`.

use crate::convert;
use extendr_api::prelude::*;
use synthinfer_core::columns;
use synthinfer_core::glm::Family;

/// One pass over a response column `y` (double) for the family named
/// `family`. Returns list(labeled, rows, any_nan, in_support): the logical
/// mask of rows whose value is not NA, their 1-based positions, whether a
/// value is NaN (not NA), and whether every label lies in the support.
/// @noRd
#[extendr]
fn rs_scan_response(y: &[f64], family: &str) -> extendr_api::Result<List> {
    let family = convert::core(Family::from_name(family))?;
    let scan = columns::scan_response(y, family, is_r_na);
    let mut labeled = Logicals::new(y.len());
    columns::present_mask(y, is_r_na, &mut labeled, Rbool::true_value(), Rbool::false_value());
    let rows = columns::present_rows(y, is_r_na, scan.n_present);
    let rows = Integers::from_values(rows.iter().map(|&i| (i + 1) as i32));
    Ok(list!(labeled = labeled, rows = rows, any_nan = scan.any_nan, in_support = scan.in_support))
}

/// R's NA: a NaN whose low word is 1954 (R_IsNA), tested without a call
/// into R so that the scans vectorise.
fn is_r_na(v: f64) -> bool {
    v.is_nan() & ((v.to_bits() as u32) == 1954)
}

/// Whether every value of `y` (double) lies in the support of the family
/// named `family`; NA, NaN and infinite values never do (for a Poisson or
/// binomial family, neither do negative values or values above 1).
/// @noRd
#[extendr]
fn rs_all_in_support(y: &[f64], family: &str) -> extendr_api::Result<bool> {
    let family = convert::core(Family::from_name(family))?;
    Ok(columns::all_in_support(y, family))
}

extendr_module! {
    mod columns;
    fn rs_scan_response;
    fn rs_all_in_support;
}
