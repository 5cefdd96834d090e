//! Binding of `synthinfer_core::estimate::synth_glm` (every `synth_glm()`
//! method): converts R's design to core types and the result back.

use crate::convert;
use extendr_api::prelude::*;
use synthinfer_core::estimate::{self, Method, Variance};
use synthinfer_core::glm::Family;
use synthinfer_core::parallel;

/// Fit one synth_glm method on a synth_design(): `x` the n x p model matrix
/// (finite: the kernels multiply unlabeled rows by zero weights), `y` the
/// response (any value, NA included, where unlabeled), `labeled_rows` the
/// 1-based positions of the labeled rows, `proxy` NULL or list(X, y),
/// `synthetic` a list of list(X, y) (the sources the method uses), `se`
/// "small_sample" or "asymptotic". Returns list(coefficients, vcov, df,
/// j_statistic, j_df, j_p_value, lambda, mix_alpha, surrogate_coefficients,
/// n_effective, nobs_labeled, nobs_unlabeled), named as the R result; NA
/// where a method has no such value.
/// @noRd
#[extendr]
#[allow(clippy::too_many_arguments)]
fn rs_synth_glm(
    method: &str,
    family: &str,
    x: Robj,
    y: &[f64],
    labeled_rows: &[i32],
    proxy: Robj,
    synthetic: List,
    se: &str,
    weights: &[f64],
    threads: i32,
) -> extendr_api::Result<List> {
    let method = convert::core(Method::from_name(method))?;
    let family = convert::core(Family::from_name(family))?;
    let variance = convert::core(Variance::from_name(se))?;
    let mask = convert::row_mask(labeled_rows, y.len())?;
    let sources = convert::sources(&proxy, &synthetic)?;
    let mut data = convert::synth_data(&x, y, &sources, !proxy.is_null())?;
    // Sampling weights, normalised to mean 1 in R; empty: unweighted.
    data.weights = (!weights.is_empty()).then_some(weights);
    let threads = threads.max(1) as usize;
    // Entries the fit reads: the model matrix and every surrogate one.
    let work = x.len() * (1 + sources.len());
    let fit = parallel::with_row_threads(threads, work, || estimate::synth_glm(method, family, &data, &mask, variance));
    let fit = convert::core(fit.and_then(|r| r))?;
    let p = fit.coefficients.len();
    let vcov = &fit.vcov;
    let real = |v: Option<f64>| v.map_or(Rfloat::na(), Rfloat::from);
    Ok(list!(
        coefficients = fit.coefficients,
        vcov = RMatrix::new_matrix(p, p, |i, j| vcov[(i, j)]),
        df = fit.df,
        j_statistic = real(fit.j_statistic),
        j_df = fit.j_df.map_or(Rint::na(), |d| Rint::from(d as i32)),
        j_p_value = real(fit.j_p_value),
        lambda = real(fit.lambda),
        mix_alpha = fit.mix_alpha,
        surrogate_coefficients = fit.surrogate_coefficients,
        n_effective = fit.n_effective,
        nobs_labeled = fit.nobs_labeled as i32,
        nobs_unlabeled = fit.nobs_unlabeled as i32
    ))
}

extendr_module! {
    mod estimate;
    fn rs_synth_glm;
}
