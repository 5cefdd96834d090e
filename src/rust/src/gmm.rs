//! Bindings for `synthinfer_core::gmm::fit` (every `synth_glm()` method).

use crate::convert;
use extendr_api::prelude::*;
use synthinfer_core::glm::Family;
use synthinfer_core::gmm::{self, Method};
use synthinfer_core::parallel;

fn optional<T: Into<Robj>>(v: Option<T>) -> Robj {
    v.map(Into::into).unwrap_or_else(|| ().into())
}

/// Fit one synth_glm method on numeric inputs built by synth_design().
/// `x` n x p (finite: the kernels multiply unlabelled rows by zero weights);
/// `y` length n (any value, NA included, where unlabelled); `labeled_rows`
/// the 1-based positions of the labelled rows;
/// `sources_x` / `sources_y` lists of surrogate matrices / responses, the
/// first one being the proxy when `has_proxy`; `weights` the sampling weights
/// (length n, normalised to mean 1; empty: unweighted). Returns
/// list(coefficients, covariance (finite-sample corrected for GMM),
/// covariance_asymptotic (GMM), df (t degrees of freedom; Inf: normal),
/// j_stat, j_df, j_pvalue, lambda, mix_alpha, surrogate_coefficients,
/// n_labeled, n_unlabeled); absent entries are NULL (`mix_alpha`,
/// PPI++Synth's weight per fold, is empty).
/// On a numerical error (singular matrix, no convergence, bad data) returns
/// list(error = message) instead.
/// @noRd
#[extendr]
#[allow(clippy::too_many_arguments)]
fn rs_synth_fit(
    method: &str,
    family: &str,
    x: Robj,
    p: i32,
    y: &[f64],
    labeled_rows: &[i32],
    sources_x: List,
    sources_y: List,
    has_proxy: bool,
    threads: i32,
    weights: &[f64],
) -> extendr_api::Result<List> {
    let method = convert::core(Method::from_name(method))?;
    let family = convert::core(Family::from_name(family))?;
    let p = p.max(0) as usize;
    let mask = convert::row_mask(labeled_rows, y.len())?;
    let xs: Vec<Robj> = sources_x.values().collect();
    let ys: Vec<Robj> = sources_y.values().collect();
    let mut data = convert::synth_data(&x, y, p, &xs, &ys, has_proxy)?;
    data.weights = (!weights.is_empty()).then_some(weights);
    let threads = threads.max(1) as usize;
    // A core error is returned as list(error = message) for R to raise with
    // stop(): a plain condition, without a Rust panic report on stderr.
    let fit = match parallel::with_threads(threads, || gmm::fit(method, family, &data, &mask)).and_then(|r| r) {
        Ok(fit) => fit,
        Err(e) => return Ok(list!(error = e.to_string())),
    };
    let cov = &fit.covariance;
    let covariance = RMatrix::new_matrix(p, p, |i, j| cov[(i, j)]);
    let covariance_asymptotic = fit
        .covariance_asymptotic
        .as_ref()
        .map(|c| RMatrix::new_matrix(p, p, |i, j| c[(i, j)]));
    Ok(list!(
        coefficients = fit.coefficients,
        covariance = covariance,
        covariance_asymptotic = optional(covariance_asymptotic),
        df = fit.df,
        j_stat = optional(fit.j_stat),
        j_df = optional(fit.j_df.map(|d| d as i32)),
        j_pvalue = optional(fit.j_pvalue),
        lambda = optional(fit.lambda),
        mix_alpha = fit.mix_alpha,
        surrogate_coefficients = fit.surrogate_coefficients,
        n_labeled = fit.n_labeled as i32,
        n_unlabeled = fit.n_unlabeled as i32
    ))
}

/// The few-labels study of the GMM interval (core `gmm::small_sample`):
/// one cell, `reps` replications. Returns list(rule, covered90, covered95,
/// width90, error_sq, reps, failed): sums over replications, one entry per
/// interval rule.
/// @noRd
#[extendr]
fn rs_gmm_small_sample_study(estimand: &str, scenario: &str, n_labeled: i32, reps: i32, seed: f64, threads: i32) -> extendr_api::Result<List> {
    use synthinfer_core::gmm::small_sample::{study, Estimand, Scenario, RULES};
    let est = convert::core(Estimand::from_name(estimand))?;
    let sc = convert::core(Scenario::from_name(scenario))?;
    let cells = convert::core(study(est, sc, n_labeled.max(0) as usize, reps.max(0) as usize, seed as u64, threads.max(1) as usize))?;
    Ok(list!(
        rule = RULES.to_vec(),
        covered90 = cells.iter().map(|c| c.covered90 as i32).collect::<Vec<_>>(),
        covered95 = cells.iter().map(|c| c.covered95 as i32).collect::<Vec<_>>(),
        width90 = cells.iter().map(|c| c.width90).collect::<Vec<_>>(),
        error_sq = cells.iter().map(|c| c.error_sq).collect::<Vec<_>>(),
        reps = cells.iter().map(|c| c.reps as i32).collect::<Vec<_>>(),
        failed = cells.iter().map(|c| c.failed as i32).collect::<Vec<_>>()
    ))
}

extendr_module! {
    mod gmm;
    fn rs_synth_fit;
    fn rs_gmm_small_sample_study;
}
