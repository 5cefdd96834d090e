//! Bindings for `synthinfer_core::gmm::user` (`synth_gmm()`): R evaluates the
//! user's moment function; these calls take its values and return the
//! Gauss-Newton step, the objective, or the fit's covariances and J test.
//!
//! Common arguments: `blocks` is list(target, source_1, ..., source_M) of
//! moment matrices (target: n_lab x k on the labeled rows, in order; each
//! source: n x k); `labeled_rows` the 1-based positions of the labeled rows
//! (increasing); `n` the number of rows; `jacobians` the block Jacobians of
//! the column means, list(target, source_1 on labeled rows, source_1 on all
//! rows, ...), k x p each; `weight` NULL (identity) or the q x q moment
//! covariance whose inverse is the weight; `has_proxy` whether source 1 is
//! the proxy (for messages).

use crate::convert;
use extendr_api::prelude::*;
use synthinfer_core::gmm::user::{self, SmallSampleInput, UserJacobian, UserMoments, UserPoint, UserRowDerivatives};
use synthinfer_core::estimate::MatView;

fn positions(labeled_rows: &[i32], n: usize) -> extendr_api::Result<Vec<usize>> {
    let mask = convert::row_mask(labeled_rows, n)?;
    Ok((0..n).filter(|&i| mask[i]).collect())
}

/// A double matrix's view with its own dimensions.
fn matrix<'a>(obj: &'a Robj, what: &str) -> extendr_api::Result<MatView<'a>> {
    let dim = obj.dim().ok_or_else(|| Error::Other(format!("{what} must be a matrix")))?;
    let d: Vec<usize> = dim.iter().map(|v| Option::<i32>::from(v).unwrap_or(0).max(0) as usize).collect();
    if d.len() != 2 {
        return Err(Error::Other(format!("{what} must be a matrix")));
    }
    convert::matrix_view(obj, d[0], d[1], what)
}

fn moments<'a>(blocks: &'a [Robj], rows: &'a [usize], n: usize) -> extendr_api::Result<UserMoments<'a>> {
    let (target, sources) = blocks.split_first().ok_or_else(|| Error::Other("no moment blocks".into()))?;
    Ok(UserMoments {
        n,
        labeled: rows,
        target: matrix(target, "the target moments")?,
        sources: sources.iter().map(|s| matrix(s, "a surrogate block's moments")).collect::<extendr_api::Result<_>>()?,
    })
}

fn jacobian(jacs: &[Robj]) -> extendr_api::Result<UserJacobian<'_>> {
    let (target, rest) = jacs.split_first().ok_or_else(|| Error::Other("no Jacobians".into()))?;
    if rest.len() % 2 != 0 {
        return Err(Error::Other("the surrogate Jacobians must come in pairs".into()));
    }
    Ok(UserJacobian {
        target: matrix(target, "the target Jacobian")?,
        sources: rest
            .chunks(2)
            .map(|c| Ok((matrix(&c[0], "a surrogate Jacobian")?, matrix(&c[1], "a surrogate Jacobian")?)))
            .collect::<extendr_api::Result<_>>()?,
    })
}

fn weight_view(weight: &Robj) -> extendr_api::Result<Option<MatView<'_>>> {
    if weight.is_null() {
        Ok(None)
    } else {
        matrix(weight, "the weight's moment covariance").map(Some)
    }
}

fn values(list: &List) -> Vec<Robj> {
    list.values().collect()
}

fn reals<'a>(obj: &'a Robj, what: &str) -> extendr_api::Result<&'a [f64]> {
    obj.as_real_slice().ok_or_else(|| Error::Other(format!("{what} must be double")))
}

/// One Gauss-Newton step of synth_gmm() at the parameters `phi`. Returns
/// list(objective, step, slope, converged, s) (`s`, the moment covariance at
/// `phi`, NULL unless `want_s`).
/// @noRd
#[extendr]
#[allow(clippy::too_many_arguments)]
fn rs_gmm_user_step(
    blocks: List,
    labeled_rows: &[i32],
    n: i32,
    jacobians: List,
    weight: Robj,
    phi: &[f64],
    want_s: bool,
    has_proxy: bool,
) -> extendr_api::Result<List> {
    let n = n.max(0) as usize;
    let rows = positions(labeled_rows, n)?;
    let b = values(&blocks);
    let j = values(&jacobians);
    let st = convert::core(user::step(&moments(&b, &rows, n)?, &jacobian(&j)?, weight_view(&weight)?, phi, want_s, has_proxy))?;
    let s = st.s.map(|s| RMatrix::new_matrix(s.nrows(), s.ncols(), |i, j| s[(i, j)]));
    Ok(list!(
        objective = st.objective,
        step = st.step,
        slope = st.slope,
        converged = st.converged,
        s = s.map(Robj::from).unwrap_or_else(|| ().into())
    ))
}

/// The objective gbar' W gbar of synth_gmm() at one trial point.
/// @noRd
#[extendr]
fn rs_gmm_user_objective(blocks: List, labeled_rows: &[i32], n: i32, weight: Robj, has_proxy: bool) -> extendr_api::Result<f64> {
    let n = n.max(0) as usize;
    let rows = positions(labeled_rows, n)?;
    let b = values(&blocks);
    convert::core(user::objective(&moments(&b, &rows, n)?, weight_view(&weight)?, has_proxy))
}

/// The result of a synth_gmm() fit from the moments and Jacobians at the
/// step-1 estimate (`blocks1`, `jacobians1`) and at the final one
/// (`blocks2`, `jacobians2`). With `derivatives1` (list of the blocks' row
/// derivatives at step 1, n_b x k x p arrays) and `target_derivatives2`
/// (the target block's at the final estimate) also the finite-sample
/// covariance; both NULL otherwise. Returns list(covariance,
/// covariance_small_sample (NULL without derivatives), df, j_stat, j_df,
/// j_pvalue), covariances over all parameters (theta, eta_1, ...).
/// @noRd
#[extendr]
#[allow(clippy::too_many_arguments)]
fn rs_gmm_user_result(
    blocks1: List,
    jacobians1: List,
    blocks2: List,
    jacobians2: List,
    derivatives1: Robj,
    target_derivatives2: Robj,
    labeled_rows: &[i32],
    n: i32,
    has_proxy: bool,
) -> extendr_api::Result<List> {
    let n = n.max(0) as usize;
    let rows = positions(labeled_rows, n)?;
    let (b1, j1, b2, j2) = (values(&blocks1), values(&jacobians1), values(&blocks2), values(&jacobians2));
    let at1 = UserPoint { moments: moments(&b1, &rows, n)?, jacobian: jacobian(&j1)? };
    let at2 = UserPoint { moments: moments(&b2, &rows, n)?, jacobian: jacobian(&j2)? };
    let d1: Vec<Robj> = if derivatives1.is_null() {
        Vec::new()
    } else {
        derivatives1.as_list().ok_or_else(|| Error::Other("derivatives1 must be a list".into()))?.values().collect()
    };
    let small = if derivatives1.is_null() {
        None
    } else {
        let (t, s) = d1.split_first().ok_or_else(|| Error::Other("no row derivatives".into()))?;
        Some(SmallSampleInput {
            at1: UserRowDerivatives {
                target: reals(t, "row derivatives")?,
                sources: s.iter().map(|d| reals(d, "row derivatives")).collect::<extendr_api::Result<_>>()?,
            },
            target2: reals(&target_derivatives2, "row derivatives")?,
        })
    };
    let fit = convert::core(user::result(&at1, &at2, small.as_ref(), has_proxy))?;
    // A core matrix as an R matrix (a macro: faer's type is not named here).
    macro_rules! to_r {
        ($c:expr) => {{
            let c = $c;
            RMatrix::new_matrix(c.nrows(), c.ncols(), |i, j| c[(i, j)])
        }};
    }
    Ok(list!(
        covariance = to_r!(&fit.covariance),
        covariance_small_sample = fit.covariance_small_sample.as_ref().map(|c| Robj::from(to_r!(c))).unwrap_or_else(|| ().into()),
        df = fit.df,
        j_stat = fit.j_stat,
        j_df = fit.j_df as i32,
        j_pvalue = fit.j_pvalue
    ))
}

extendr_module! {
    mod gmm_user;
    fn rs_gmm_user_step;
    fn rs_gmm_user_objective;
    fn rs_gmm_user_result;
}
