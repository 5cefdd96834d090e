//! Two-step GMM combining labeled data, proxies and synthetic samples
//! (Byun et al.), with the finite-sample variance `synth_glm()` reports.
//!
//! The estimator itself is [`two_step`] on a [`Problem`]; [`labels_needed`]
//! and [`small_sample_variance`] are the two pieces of bookkeeping around it
//! that every caller shares. The dispatch over all of `synth_glm()`'s methods
//! (GMM, PPI, classical, ...) is [`crate::estimate`].

pub mod sim;
pub mod small_sample;
pub mod twostep;
pub mod user;
mod windmeijer;

use crate::error::{invalid, Result};
use faer::{Mat, MatRef};
pub use twostep::{two_step, two_step_with, GmmFit, Problem, DEFAULT_LEVERAGE_POWER};

/// One surrogate version of the data: predicted or generated covariates and
/// response on every row (unpredicted covariates are the observed ones).
#[derive(Debug, Clone, Copy)]
pub struct Surrogate<'a> {
    /// n x p model matrix built from the surrogate columns.
    pub x: MatRef<'a, f64>,
    /// Surrogate response, length n.
    pub y: &'a [f64],
}

/// The number `K = p (1 + sources)` of parameters whose moments live on the
/// labeled rows; an error when there are not more than `K` labeled rows.
pub fn labels_needed(n_lab: usize, p: usize, sources: usize) -> Result<usize> {
    let k = p * (1 + sources);
    if n_lab <= k {
        return invalid(format!(
            "GMM with {sources} surrogate source(s) fits {k} parameters ({p} coefficient(s) for the labels \
             and {p} per source) whose moments are observed only on the labeled rows, so it needs more \
             than {k} labeled rows; there are {n_lab}. Label more rows, use fewer surrogate sources, or \
             use method = \"classical\" or \"ppi++\"."
        ));
    }
    Ok(k)
}

/// Finite-sample variance of theta (see `synth_glm()`'s documentation and
/// the few-labels study, [`small_sample`]): Windmeijer's correction for the
/// estimated weight with HC3-type leverage multipliers, scaled by
/// `n_lab / (n_lab - K)` for the `K` parameters fitted on the labeled rows,
/// with t quantiles on `n_lab - K` degrees of freedom. Returns the p x p
/// covariance and the degrees of freedom.
pub fn small_sample_variance(g: &GmmFit, p: usize, n_lab: usize, k: usize) -> (Mat<f64>, f64) {
    let df = (n_lab - k) as f64;
    let scale = n_lab as f64 / df;
    (Mat::from_fn(p, p, |i, j| g.covariance_windmeijer[0][(i, j)] * scale), df)
}
