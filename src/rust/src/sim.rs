//! Bindings for `synthinfer_core::gmm::sim`: the simulated populations of
//! `simulate_synthetic()` and the coverage study on them.

use crate::convert;
use extendr_api::prelude::*;
use synthinfer_core::glm::Family;
use synthinfer_core::gmm::sim::{self, PopulationDesign, Regime};
use synthinfer_core::gmm::Method;

/// The core design from the named list R's check_population_design()
/// returns: n (integer), fraction, family, regime, coefficients, strength.
fn population_design(design: List) -> extendr_api::Result<PopulationDesign> {
    let field = |name: &str| -> extendr_api::Result<Robj> {
        design
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v)
            .ok_or_else(|| Error::Other(format!("the population design has no field `{name}`")))
    };
    let n: i32 = field("n")?.try_into()?;
    let family: String = field("family")?.try_into()?;
    let regime: String = field("regime")?.try_into()?;
    convert::core(PopulationDesign::new(
        n.max(0) as usize,
        field("fraction")?.try_into()?,
        convert::core(Family::from_name(&family))?,
        convert::core(Regime::from_name(&regime))?,
        field("coefficients")?.try_into()?,
        field("strength")?.try_into()?,
    ))
}

/// One population drawn by the core (stream 0 of `seed`); `design` as for
/// population_design(). Returns
/// list(x, x_syn (n x p covariate matrices, no intercept), y_full, y_llm,
/// y_syn, labeled).
/// @noRd
#[extendr]
fn rs_simulate_synthetic(design: List, seed: f64) -> extendr_api::Result<List> {
    let design = population_design(design)?;
    let s = convert::core(sim::simulate(&design, seed as u64))?;
    let (n, p) = (design.n, design.coefficients.len() - 1);
    let (x, x_syn) = (s.covariates(), s.synthetic_covariates());
    Ok(list!(
        x = RMatrix::new_matrix(n, p, |i, j| x[j * n + i]),
        x_syn = RMatrix::new_matrix(n, p, |i, j| x_syn[j * n + i]),
        y_full = s.y_full,
        y_llm = s.y_llm,
        y_syn = s.y_syn,
        labeled = s.labeled
    ))
}

/// Monte Carlo coverage study on simulate_synthetic() populations (`design`
/// as for population_design()),
/// replications in parallel (replicate_rng(seed, r) each). Returns
/// list(method, term, covered, width, error, error_sq, reps, failed,
/// j_rejected): sums over replications, one entry per method x coefficient
/// (coefficient fastest; `term` 1-based, intercept first).
/// @noRd
#[extendr]
fn rs_gmm_coverage_study(
    design: List,
    methods: Vec<String>,
    reps: i32,
    alpha: f64,
    seed: f64,
    threads: i32,
) -> extendr_api::Result<List> {
    let design = population_design(design)?;
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

extendr_module! {
    mod sim;
    fn rs_simulate_synthetic;
    fn rs_gmm_coverage_study;
}
