//! Bindings of the GMM studies (`synthinfer_core::gmm::sim` and
//! `gmm::small_sample`); `synth_glm()` itself is bound in `estimate.rs`.

use crate::convert;
use extendr_api::prelude::*;
use synthinfer_core::glm::Family;
use synthinfer_core::estimate::Method;
use synthinfer_core::gmm::sim;

/// Monte Carlo coverage study on simulate_synthetic()-style populations,
/// replications in parallel (replicate_rng(seed, r) each). Returns
/// list(method, term, covered, width, error, error_sq, reps, failed,
/// j_rejected): sums
/// over replications, one entry per method x coefficient (coefficient
/// fastest; `term` 1-based, intercept first).
/// @noRd
#[extendr]
#[allow(clippy::too_many_arguments)]
fn rs_gmm_coverage_study(
    n: i32,
    n_labeled: i32,
    family: &str,
    regime: &str,
    coefficients: &[f64],
    strength: f64,
    methods: Vec<String>,
    reps: i32,
    alpha: f64,
    seed: f64,
    threads: i32,
) -> extendr_api::Result<List> {
    let design = sim::Design {
        n: n.max(0) as usize,
        n_labeled: n_labeled.max(0) as usize,
        family: convert::core(Family::from_name(family))?,
        regime: convert::core(sim::Regime::from_name(regime))?,
        coefficients: coefficients.to_vec(),
        strength,
    };
    let ms = methods.iter().map(|m| Method::from_name(m)).collect::<Result<Vec<_>, _>>();
    let ms = convert::core(ms)?;
    let cells = convert::core(sim::coverage_study(
        &design,
        &ms,
        reps.max(0) as usize,
        alpha,
        seed as u64,
        threads.max(1) as usize,
    ))?;
    let flat: Vec<(usize, usize, &sim::Cell)> = cells
        .iter()
        .enumerate()
        .flat_map(|(m, row)| row.iter().enumerate().map(move |(j, c)| (m, j, c)))
        .collect();
    Ok(list!(
        method = flat.iter().map(|f| methods[f.0].clone()).collect::<Vec<_>>(),
        term = flat.iter().map(|f| f.1 as i32 + 1).collect::<Vec<_>>(),
        covered = flat.iter().map(|f| f.2.covered as f64).collect::<Vec<_>>(),
        width = flat.iter().map(|f| f.2.width).collect::<Vec<_>>(),
        error = flat.iter().map(|f| f.2.error).collect::<Vec<_>>(),
        error_sq = flat.iter().map(|f| f.2.error_sq).collect::<Vec<_>>(),
        reps = flat.iter().map(|f| f.2.reps as f64).collect::<Vec<_>>(),
        failed = flat.iter().map(|f| f.2.failed as f64).collect::<Vec<_>>(),
        j_rejected = flat.iter().map(|f| f.2.j_rejected as f64).collect::<Vec<_>>()
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
    fn rs_gmm_coverage_study;
    fn rs_gmm_small_sample_study;
}
