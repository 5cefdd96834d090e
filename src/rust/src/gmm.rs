//! Binding of the GMM few-labels study (`synthinfer_core::gmm::small_sample`);
//! `synth_glm()` itself is bound in `estimate.rs`.

use crate::convert;
use extendr_api::prelude::*;

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
    fn rs_gmm_small_sample_study;
}
