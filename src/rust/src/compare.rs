//! Bindings for the core's `compare` routines.

use crate::convert;
use extendr_api::prelude::*;
use synthinfer_core::compare::{column_major, compare_glm, score, Interval, Plan};
use synthinfer_core::glm::Family;
use synthinfer_core::gmm::{Method, Surrogate, SynthData};

/// Labeled subsets of a comparison: for each fraction (outer) and trial
/// (inner), the 1-based indices of the units whose label is kept.
/// @noRd
#[extendr]
fn rs_compare_masks(n: i32, fractions: &[f64], trials: i32, seed: f64) -> extendr_api::Result<List> {
    let plan = convert::core(Plan::new(n as usize, fractions.to_vec(), trials as usize, seed as u64))?;
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
        .map(|t| Ok(Interval { estimate: row(estimate, t), lower: row(lower, t), upper: row(upper, t) }))
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

fn view(m: &RMatrix<f64>) -> synthinfer_core::compare::MatView<'_> {
    column_major(m.data(), m.nrows(), m.ncols())
}

fn as_matrix(x: Robj, what: &str) -> extendr_api::Result<RMatrix<f64>> {
    RMatrix::<f64>::try_from(x).map_err(|_| Error::Other(format!("{what} must be a double matrix")))
}

/// Monte Carlo comparison of `methods` on fully labelled data (see the core's
/// `compare_glm`). `proxy` is NULL or list(x, y); `synthetic` a list of
/// list(x, y). Returns list(truth, mse, coverage, width, n_ok, first_error):
/// scores ordered fraction, method, coefficient (coefficient fastest).
/// @noRd
#[extendr]
#[allow(clippy::too_many_arguments)]
fn rs_compare_glm(
    x: RMatrix<f64>,
    y: &[f64],
    proxy: Robj,
    synthetic: List,
    family: &str,
    methods: Vec<String>,
    fractions: &[f64],
    trials: i32,
    seed: f64,
    alpha: f64,
    threads: i32,
) -> extendr_api::Result<List> {
    let family = convert::core(Family::from_name(family))?;
    let methods = methods.iter().map(|m| convert::core(Method::from_name(m))).collect::<extendr_api::Result<Vec<_>>>()?;
    // Own the R matrices first; the data below borrows them.
    let mut sources: Vec<(RMatrix<f64>, Vec<f64>)> = Vec::new();
    let has_proxy = !proxy.is_null();
    let blocks = if has_proxy { vec![proxy] } else { vec![] };
    for (i, b) in blocks.into_iter().chain(synthetic.values()).enumerate() {
        let l = List::try_from(b).map_err(|_| Error::Other(format!("surrogate source {} must be a list", i + 1)))?;
        let m = as_matrix(l.dollar("x")?, "a surrogate `x`")?;
        let v = l.dollar("y")?.as_real_vector().ok_or_else(|| Error::Other("a surrogate `y` must be double".into()))?;
        sources.push((m, v));
    }
    let mut surrogates = sources.iter().map(|(m, v)| Surrogate { x: view(m), y: v.as_slice() });
    let proxy = if has_proxy { surrogates.next() } else { None };
    let data = SynthData { x: view(&x), y, proxy, synthetic: surrogates.collect() };
    let plan = convert::core(Plan::new(x.nrows(), fractions.to_vec(), trials as usize, seed as u64))?;
    let c = convert::core(compare_glm(&methods, family, &data, &plan, alpha, threads as usize))?;
    Ok(list!(
        truth = c.truth,
        mse = c.scores.iter().map(|s| s.mse).collect::<Vec<f64>>(),
        coverage = c.scores.iter().map(|s| s.coverage).collect::<Vec<f64>>(),
        width = c.scores.iter().map(|s| s.width).collect::<Vec<f64>>(),
        n_ok = c.scores.iter().map(|s| s.n_ok as i32).collect::<Vec<i32>>(),
        first_error = c.first_error
    ))
}

extendr_module! {
    mod compare;
    fn rs_compare_masks;
    fn rs_compare_score;
    fn rs_compare_glm;
}
