//! Bindings for the core's `compare` routines.

use crate::convert;
use extendr_api::prelude::*;
use synthinfer_core::compare::{compare_glm, score, Interval, Plan};
use synthinfer_core::glm::Family;
use synthinfer_core::estimate::Method;

/// Labeled subsets of a comparison: for each fraction (outer) and trial
/// (inner), the 1-based indices of the units whose label is kept.
/// @noRd
#[extendr]
fn rs_compare_masks(n: i32, fractions: &[f64], trials: i32, seed: f64) -> extendr_api::Result<List> {
    let plan = convert::core(Plan::new(n.max(0) as usize, fractions.to_vec(), trials.max(0) as usize, seed as u64))?;
    let mut out = Vec::with_capacity(fractions.len() * plan.trials);
    for f in 0..fractions.len() {
        for t in 0..plan.trials {
            let idx: Vec<i32> = plan
                .mask(f, t)
                .iter()
                .enumerate()
                .filter_map(|(i, &b)| b.then_some(i as i32 + 1))
                .collect();
            out.push(idx);
        }
    }
    Ok(List::from_values(out))
}

/// Scores of one method at one fraction. `estimate`, `lower`, `upper` are
/// trials x p matrices stored column-major; a row with a non-finite entry
/// (NA where the fit failed) is left out and counted.
/// Returns list(mse, coverage, width, n_ok), one entry per coefficient.
/// @noRd
#[extendr]
fn rs_compare_score(truth: &[f64], estimate: &[f64], lower: &[f64], upper: &[f64]) -> List {
    let p = truth.len();
    let trials = estimate.len() / p.max(1);
    let row = |m: &[f64], t: usize| (0..p).map(|j| m[t + j * trials]).collect::<Vec<f64>>();
    let fits: Vec<synthinfer_core::Result<Interval>> = (0..trials)
        .map(|t| Ok(Interval { estimate: row(estimate, t), lower: row(lower, t), upper: row(upper, t), j_pvalue: None }))
        .collect();
    let refs: Vec<_> = fits.iter().collect();
    let s = score(truth, &refs);
    list!(
        mse = s.iter().map(|x| x.mse).collect::<Vec<f64>>(),
        coverage = s.iter().map(|x| x.coverage).collect::<Vec<f64>>(),
        width = s.iter().map(|x| x.width).collect::<Vec<f64>>(),
        n_ok = s.iter().map(|x| x.n_ok as i32).collect::<Vec<i32>>()
    )
}

/// Monte Carlo comparison of `methods` on fully labeled data (see the core's
/// `compare_glm`). `proxy`, `synthetic` as for `rs_synth_glm`: NULL or
/// list(X, y), and a list of list(X, y);
/// `oracle`: also score the oracle-weight PPI++Synth, after the methods.
/// Returns list(truth, mse, coverage, width, n_ok, j_reject, first_error):
/// scores ordered fraction, method, coefficient (coefficient fastest);
/// `j_reject` NA for methods without a J test.
/// `progress`: NULL or an R callback (see watch.rs).
/// @noRd
#[extendr]
#[allow(clippy::too_many_arguments)]
fn rs_compare_glm(
    x: Robj,
    y: &[f64],
    proxy: Robj,
    synthetic: List,
    family: &str,
    methods: Vec<String>,
    oracle: bool,
    fractions: &[f64],
    trials: i32,
    seed: f64,
    alpha: f64,
    threads: i32,
    progress: Robj,
) -> extendr_api::Result<List> {
    let family = convert::core(Family::from_name(family))?;
    let methods = methods.iter().map(|m| convert::core(Method::from_name(m))).collect::<extendr_api::Result<Vec<_>>>()?;
    let sources = convert::sources(&proxy, &synthetic)?;
    let data = convert::synth_data(&x, y, &sources, !proxy.is_null())?;
    let plan = convert::core(Plan::new(y.len(), fractions.to_vec(), trials.max(0) as usize, seed as u64))?;
    let threads = threads.max(1) as usize;
    let c = crate::watch::run(threads, &progress, |m| compare_glm(&methods, oracle, family, &data, &plan, alpha, threads, m))?;
    Ok(list!(
        truth = c.truth,
        mse = c.scores.iter().map(|s| s.mse).collect::<Vec<f64>>(),
        coverage = c.scores.iter().map(|s| s.coverage).collect::<Vec<f64>>(),
        width = c.scores.iter().map(|s| s.width).collect::<Vec<f64>>(),
        n_ok = c.scores.iter().map(|s| s.n_ok as i32).collect::<Vec<i32>>(),
        j_reject = c.scores.iter().map(|s| s.j_reject.map_or(Rfloat::na(), Rfloat::from)).collect::<Doubles>(),
        first_error = c.first_error
    ))
}

extendr_module! {
    mod compare;
    fn rs_compare_masks;
    fn rs_compare_score;
    fn rs_compare_glm;
}
