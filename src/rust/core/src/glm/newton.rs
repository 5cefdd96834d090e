//! Newton-Raphson with step halving for weighted sums of GLM losses, and the
//! sandwich (HC0) variance of a GLM fit.
//!
//! The objective is `sum_b c_b sum_{i in b} loss(x_i' beta; y_i)` over row
//! blocks `b` with weights `c_b`. One block with weight 1 is an ordinary GLM
//! fit; PPI++'s rectified loss is three blocks, one with a negative weight.

use super::linalg::{square, SpdFactor};
use super::rows::{
    add_into, add_outer_lower, chunked_reduce, chunked_reduce_ranges, dot, linear_predictor, slice_columns,
    symmetrize_lower, weighted_gram_lower, with_scratch, Block, Columns,
};
use super::vecmath::{fused_available, row_terms, sum4, with_fma, Arith, Fused, Separate};
use super::Family;
use crate::error::{CoreError, Result};
use faer::linalg::solvers::Solve;
use faer::{Mat, MatRef};
use std::ops::Range;

/// Loss, gradient and Hessian of the blocked objective at one `beta`.
pub struct Quadratic {
    /// Objective value.
    pub loss: f64,
    /// Gradient (length p).
    pub grad: Vec<f64>,
    /// Hessian, column-major p x p.
    pub hess: Vec<f64>,
}

/// Evaluate the objective (and, if `derivs`, its gradient and Hessian).
/// One pass over the rows of each block.
pub fn evaluate(family: Family, blocks: &[Block<'_>], beta: &[f64], derivs: bool) -> Quadratic {
    let p = beta.len();
    let mut total = Quadratic { loss: 0.0, grad: vec![0.0; p], hess: vec![0.0; p * p] };
    for b in blocks {
        let part = block_sums(family, b, beta, derivs);
        total.loss += b.weight * part.loss;
        if derivs {
            for (t, v) in total.grad.iter_mut().zip(&part.grad) {
                *t += b.weight * v;
            }
            for (t, v) in total.hess.iter_mut().zip(&part.hess) {
                *t += b.weight * v;
            }
        }
    }
    if derivs {
        symmetrize_lower(&mut total.hess, p);
    }
    total
}

/// Unweighted loss, gradient and lower-triangle Hessian sums of one block.
///
/// Chunks where most rows count go through column-wise kernels (linear
/// predictor by axpys, Hessian by dot products); chunks where few rows count
/// (the labeled rows among millions) are visited row by row, and chunks
/// without any are skipped.
fn block_sums(family: Family, b: &Block<'_>, beta: &[f64], derivs: bool) -> Quadratic {
    let p = beta.len();
    let cols = Columns::new(b.x).with_ones(b.ones);
    let init = || Quadratic {
        loss: 0.0,
        grad: vec![0.0; if derivs { p } else { 0 }],
        hess: vec![0.0; if derivs { p * p } else { 0 }],
    };
    chunked_reduce_ranges(
        b.x.nrows(),
        init,
        |acc, range| {
            let count = b.rows.count_in(&range);
            if count == 0 {
                return;
            }
            if 4 * count < range.len() {
                let mut xi = vec![0.0; p];
                for i in range.filter(|&i| b.rows.includes(i)) {
                    let e = cols.eta(i, beta);
                    let rw = b.row_weight(i);
                    if !derivs {
                        acc.loss += rw * family.loss(e, b.y[i]);
                        continue;
                    }
                    let (l, mu, w) = family.loss_mean_weight(e, b.y[i]);
                    let w = rw * w;
                    acc.loss += rw * l;
                    cols.row_into(i, &mut xi);
                    let r = rw * (mu - b.y[i]);
                    for (g, x) in acc.grad.iter_mut().zip(&xi) {
                        *g += r * x;
                    }
                    add_outer_lower(&mut acc.hess, p, &xi, w);
                }
                return;
            }
            with_scratch(4 * range.len(), |scratch| {
                if fused_available() {
                    with_fma(#[inline(always)] || dense_chunk::<Fused>(family, &cols, b, &range, beta, derivs, acc, scratch))
                } else {
                    dense_chunk::<Separate>(family, &cols, b, &range, beta, derivs, acc, scratch)
                }
            });
        },
        |a, z| {
            a.loss += z.loss;
            add_into(&mut a.grad, &z.grad);
            add_into(&mut a.hess, &z.hess);
        },
    )
}

/// Add a chunk's loss (and gradient and lower-triangle Hessian, if
/// `derivs`) to `acc`, column-wise: linear predictor by axpys, row terms by
/// the vectorised kernel, gradient and Hessian by dot products. `scratch`
/// holds four vectors of the chunk's length.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn dense_chunk<M: Arith>(family: Family, cols: &Columns<'_>, b: &Block<'_>, range: &Range<usize>, beta: &[f64], derivs: bool, acc: &mut Quadratic, scratch: &mut [f64]) {
    let m = range.len();
    let xs = slice_columns(cols, range);
    let (eta, rest) = scratch.split_at_mut(m);
    let (r, rest) = rest.split_at_mut(m);
    let (w, loss) = rest.split_at_mut(m);
    linear_predictor::<M>(eta, &xs, beta);
    // Residuals and weights are zero on excluded rows (whose y may be NaN).
    row_terms::<M, true>(family, eta, &b.y[range.clone()], b.rows.in_chunk(range), r, w, loss);
    if let Some(rw) = b.row_weights {
        scale_rows(&rw[range.clone()], &mut [&mut *r, &mut *w, &mut *loss]);
    }
    acc.loss += sum4(loss);
    if !derivs {
        return;
    }
    for (g, x) in acc.grad.iter_mut().zip(&xs) {
        *g += dot::<M>(x, r);
    }
    weighted_gram_lower::<M>(&mut acc.hess, &xs, w, eta);
}

/// Multiply each of the chunk vectors `v` entry by entry by the row weights
/// `rw` (same length): the per-row terms of a weighted block.
#[inline(always)]
pub fn scale_rows(rw: &[f64], v: &mut [&mut [f64]]) {
    for col in v.iter_mut() {
        for (a, w) in col.iter_mut().zip(rw) {
            *a *= w;
        }
    }
}

/// Result of [`newton`].
#[derive(Debug, Clone)]
pub struct NewtonFit {
    /// Minimiser.
    pub beta: Vec<f64>,
    /// Objective at the minimiser.
    pub loss: f64,
    /// Newton iterations used.
    pub iterations: usize,
    /// Whether the last Hessian factored was positive definite: false means
    /// the point returned is not a (strict) local minimum, which for a
    /// non-convex objective such as PPI's rectified loss signals that no
    /// finite minimiser was found.
    pub positive_definite: bool,
}

/// Maximum Newton iterations; GLM fits need far fewer unless the data are
/// separated, which is reported as an error.
pub const MAX_ITER: usize = 100;

/// Relative size of a final Newton step that is taken without checking the
/// objective (see [`newton`]): Newton's error after such a step is of the
/// order of its square, about 1e-12 relative, far below the statistical
/// precision and the 1e-10 agreement with reference implementations.
const TAKE_LAST_STEP: f64 = 1e-6;

/// Relative error below which a larger final step is also taken blind when
/// the last two full steps show quadratic convergence (see
/// [`final_step_is_safe`]): still far below statistical precision and the
/// optimiser tolerance of reference implementations (ppi-python's fits agree
/// with the exact minimiser to about 1e-8), and it often spares a pass over
/// millions of rows.
const PREDICTED_ERROR: f64 = 1e-10;

/// Whether a Newton step of relative size `size` from a positive-definite
/// Hessian can be taken without another pass over the data. Either it is
/// tiny (error after it about `size^2`), or the previous full step `prev`
/// gives the contraction constant `C = size / prev^2` of quadratic
/// convergence and the predicted error `C size^2` after the step is below
/// [`PREDICTED_ERROR`] (with `size` at most 1e-4, well inside the quadratic
/// regime; linear convergence never passes this test, since then
/// `size / prev` is not small).
fn final_step_is_safe(size: f64, prev: Option<f64>) -> bool {
    size <= TAKE_LAST_STEP
        || prev.is_some_and(|p| p > 0.0 && size <= 1e-4 && size * (size / p) * (size / p) <= PREDICTED_ERROR)
}

/// Minimise the blocked objective by Newton-Raphson from `start`, halving the
/// step until the objective does not increase. `what` names the fit in errors.
///
/// The Hessian is factored by Cholesky (with a collinearity check, so a
/// rank-deficient design is an error, not a garbage answer). If it is not
/// positive definite, which can happen for PPI++'s rectified loss, a
/// partial-pivoting LU solve is used, and a plain gradient step if even that
/// direction does not descend.
pub fn newton(family: Family, blocks: &[Block<'_>], start: &[f64], what: &str) -> Result<NewtonFit> {
    newton_from(family, blocks, start, None, what)
}

/// [`newton`] given, if known, the objective with its derivatives at
/// `start` (computed by the caller in a pass over the rows it made anyway).
pub fn newton_from(family: Family, blocks: &[Block<'_>], start: &[f64], initial: Option<Quadratic>, what: &str) -> Result<NewtonFit> {
    let p = start.len();
    let mut beta = start.to_vec();
    let mut q = initial.unwrap_or_else(|| evaluate(family, blocks, &beta, true));
    let mut prev_full_step: Option<f64> = None;
    if !q.loss.is_finite() {
        return Err(CoreError::NoConvergence(format!("{what}: the objective is not finite at the start")));
    }
    for iter in 1..=MAX_ITER {
        let neg_grad: Vec<f64> = q.grad.iter().map(|g| -g).collect();
        let mut spd = false;
        let mut step = match SpdFactor::new(square(&q.hess, p), "Hessian") {
            Ok(f) => {
                spd = true;
                f.solve_vec(&neg_grad)
            }
            Err(e) if blocks.iter().all(|b| b.weight >= 0.0) => {
                // A convex objective with a singular Hessian: collinear columns,
                // or weights dmu/deta that vanished because the fit diverges.
                if gram_is_regular(blocks, p) {
                    return Err(CoreError::NoConvergence(format!(
                        "{what}: the fit diverges (fitted {} numerically {}, so the \
                         information matrix vanishes); the data are (quasi-)perfectly \
                         separated and the maximum likelihood estimate does not exist",
                        if family == Family::Binomial { "probabilities" } else { "means" },
                        if family == Family::Binomial { "0 or 1" } else { "0" }
                    )));
                }
                return Err(CoreError::Singular(format!(
                    "{what}: the model matrix is rank deficient on these rows ({e})"
                )));
            }
            Err(_) => {
                let lu = square(&q.hess, p).partial_piv_lu();
                let z = lu.solve(MatRef::from_column_major_slice(&neg_grad, p, 1));
                (0..p).map(|i| z[(i, 0)]).collect()
            }
        };
        let mut slope: f64 = step.iter().zip(&q.grad).map(|(s, g)| s * g).sum();
        // Not a descent direction (or NaN): fall back to steepest descent.
        if slope.is_nan() || slope >= 0.0 || step.iter().any(|s| !s.is_finite()) {
            step = neg_grad.clone();
            slope = -neg_grad.iter().map(|g| g * g).sum::<f64>();
        }
        // Converged: the predicted decrease is at rounding level, relative
        // to the objective itself. An absolute floor (such as `1 +`) would
        // stop at the start for a response on a tiny scale (y ~ 1e-150, loss
        // ~ 1e-300) and return beta = 0 as the estimate.
        if -slope <= 1e-24 * q.loss.abs().max(f64::MIN_POSITIVE) {
            return Ok(NewtonFit { beta, loss: q.loss, iterations: iter - 1, positive_definite: spd });
        }
        // A Newton step this small from a positive-definite Hessian lands
        // within rounding of the minimiser (quadratic convergence: the error
        // after it is of order its square), so take it without another pass
        // over the data, whose loss would differ from this one by rounding.
        let scale = 1.0 + beta.iter().map(|b| b.abs()).fold(0.0, f64::max);
        let size = step.iter().map(|s| s.abs()).fold(0.0, f64::max) / scale;
        if spd && final_step_is_safe(size, prev_full_step) {
            beta.iter_mut().zip(&step).for_each(|(b, s)| *b += s);
            return Ok(NewtonFit { beta, loss: q.loss, iterations: iter, positive_definite: spd });
        }
        // Backtracking (Armijo). The full step is evaluated with derivatives,
        // since it is nearly always accepted and they are then reused.
        let mut t = 1.0;
        let (candidate, next) = loop {
            let cand = beta.iter().zip(&step).map(|(b, s)| b + t * s).collect::<Vec<_>>();
            let trial = evaluate(family, blocks, &cand, t == 1.0);
            let value = trial.loss;
            if value.is_finite() && value <= q.loss + 1e-4 * t * slope.min(0.0) + 1e-15 * q.loss.abs() {
                break (cand, (t == 1.0).then_some(trial));
            }
            t *= 0.5;
            if t < 1e-12 {
                // No decrease possible along the step: at the minimum up to rounding.
                return Ok(NewtonFit { beta, loss: q.loss, iterations: iter, positive_definite: spd });
            }
        };
        let max_change = step.iter().map(|s| (t * s).abs()).fold(0.0, f64::max);
        // Only full steps from a positive-definite Hessian measure Newton's contraction.
        prev_full_step = (spd && t == 1.0).then_some(size);
        let scale = 1.0 + candidate.iter().map(|b| b.abs()).fold(0.0, f64::max);
        beta = candidate;
        q = match next {
            Some(trial) => trial,
            None => evaluate(family, blocks, &beta, true),
        };
        if max_change <= 1e-11 * scale {
            return Ok(NewtonFit { beta, loss: q.loss, iterations: iter, positive_definite: spd });
        }
    }
    Err(CoreError::NoConvergence(format!(
        "{what}: Newton-Raphson did not converge in {MAX_ITER} iterations{}",
        match family {
            Family::Binomial => " (perfect separation in the labeled data?)",
            Family::Poisson => {
                " (fitted means diverging to 0: are the responses all zero on these rows, \
                 or on every row of a factor level?)"
            }
            _ => "",
        }
    )))
}

/// Whether the unweighted Gram matrix `sum x x'` over the rows of the
/// positively weighted blocks is non-singular (columns not collinear).
fn gram_is_regular(blocks: &[Block<'_>], p: usize) -> bool {
    let mut gram = vec![0.0; p * p];
    for b in blocks.iter().filter(|b| b.weight > 0.0) {
        let cols = Columns::new(b.x);
        let part = chunked_reduce(
            b.x.nrows(),
            || (vec![0.0; p * p], vec![0.0; p]),
            |(g, xi), i| {
                if b.rows.includes(i) {
                    cols.row_into(i, xi);
                    add_outer_lower(g, p, xi, 1.0);
                }
            },
            |a, z| add_into(&mut a.0, &z.0),
        );
        add_into(&mut gram, &part.0);
    }
    symmetrize_lower(&mut gram, p);
    SpdFactor::new(square(&gram, p), "Gram matrix").is_ok()
}

/// For a binomial fit, refuse estimates whose fitted probabilities are
/// numerically 0 or 1 on included rows: the signature of (quasi-)complete
/// separation, where the maximum likelihood estimate does not exist and
/// Wald intervals are meaningless. For a Poisson fit, likewise refuse
/// fitted means numerically 0 (`eta < -25`, a mean below 1.4e-11): the
/// signature of responses that are all zero on the rows (or on a factor
/// level's rows), where the estimate diverges to minus infinity and the
/// fit stops wherever the objective stops changing.
pub fn check_separation(family: Family, block: &Block<'_>, beta: &[f64], what: &str) -> Result<()> {
    let extreme_eta: fn(f64) -> bool = match family {
        Family::Binomial => |eta| eta.abs() > 25.0,
        Family::Poisson => |eta| eta < -25.0,
        _ => return Ok(()),
    };
    let cols = Columns::new(block.x);
    let extreme = chunked_reduce(
        block.x.nrows(),
        || 0usize,
        |a, i| {
            if block.rows.includes(i) && extreme_eta(cols.eta(i, beta)) {
                *a += 1;
            }
        },
        |a, b| *a += b,
    );
    if extreme > 0 && family == Family::Poisson {
        return Err(CoreError::NoConvergence(format!(
            "{what}: fitted means numerically 0 on {extreme} row(s); the responses are zero \
             on all of these rows (or on every row of a factor level), so the Poisson maximum \
             likelihood estimate diverges to minus infinity and does not exist"
        )));
    }
    if extreme > 0 {
        return Err(CoreError::NoConvergence(format!(
            "{what}: fitted probabilities numerically 0 or 1 on {extreme} row(s); these \
             data are (quasi-)perfectly separated, so the logistic maximum likelihood \
             estimate does not exist"
        )));
    }
    Ok(())
}

/// Bread and meat of the sandwich at `beta`, summed over blocks (block
/// multipliers ignored, row weights `c_i` applied):
/// `H = sum c w(eta) x x'` and `B = sum c^2 x x' (y - mu)^2`.
pub fn bread_meat(family: Family, blocks: &[Block<'_>], beta: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let p = beta.len();
    let mut h = vec![0.0; p * p];
    let mut m = vec![0.0; p * p];
    for b in blocks {
        let cols = Columns::new(b.x);
        let (hb, mb, _) = chunked_reduce(
            b.x.nrows(),
            || (vec![0.0; p * p], vec![0.0; p * p], vec![0.0; p]),
            |(h, m, xi), i| {
                if !b.rows.includes(i) {
                    return;
                }
                cols.row_into(i, xi);
                let (_, mu, w) = family.loss_mean_weight(cols.eta(i, beta), b.y[i]);
                // Weighted rows: H sums c w x x', B sums (c r)^2 x x' (the
                // with-replacement linearisation meat; HC0 for a weighted glm).
                let rw = b.row_weight(i);
                let r = rw * (b.y[i] - mu);
                add_outer_lower(h, p, xi, rw * w);
                add_outer_lower(m, p, xi, r * r);
            },
            |a, z| {
                add_into(&mut a.0, &z.0);
                add_into(&mut a.1, &z.1);
            },
        );
        add_into(&mut h, &hb);
        add_into(&mut m, &mb);
    }
    symmetrize_lower(&mut h, p);
    symmetrize_lower(&mut m, p);
    (h, m)
}

/// Heteroskedasticity-robust (HC0) covariance `H^{-1} B H^{-1}` of a GLM fit
/// on `blocks`, as `sandwich::sandwich()` gives for a `glm` object.
pub fn sandwich_vcov(family: Family, blocks: &[Block<'_>], beta: &[f64]) -> Result<Mat<f64>> {
    let p = beta.len();
    let (h, m) = bread_meat(family, blocks, beta);
    let f = SpdFactor::new(square(&h, p), "the Fisher information")?;
    Ok(f.sandwich(square(&m, p)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::glm::Rows;

    #[test]
    fn final_step_rule() {
        assert!(final_step_is_safe(1e-6, None));
        assert!(!final_step_is_safe(6e-6, None));
        // Quadratic convergence 5.6e-3 -> 1.2e-5: error after the step ~5e-11 relative.
        assert!(final_step_is_safe(1.2e-5, Some(5.6e-3)));
        // Slower contraction 2e-3 -> 2e-5: predicted error 2e-9.
        assert!(!final_step_is_safe(2e-5, Some(2e-3)));
        // Linear convergence (ratio 1/2) never qualifies.
        assert!(!final_step_is_safe(5e-6, Some(1e-5)));
    }

    #[test]
    fn least_squares_in_one_step() {
        // y = 1 + 2 x exactly plus a symmetric perturbation.
        let xs = [0.0, 1.0, 2.0, 3.0];
        let mut data = vec![1.0; 4];
        data.extend_from_slice(&xs);
        let x = MatRef::from_column_major_slice(&data, 4, 2);
        let y = [1.1, 2.9, 5.1, 6.9];
        let fit = newton(Family::Gaussian, &[Block::new(x, &y, Rows::All)], &[0.0, 0.0], "ols").unwrap();
        // Closed form: slope = Sxy / Sxx = 9.8 / 5 = 1.96, intercept = 4 - 1.96 * 1.5.
        assert!((fit.beta[1] - 1.96).abs() < 1e-12);
        assert!((fit.beta[0] - (4.0 - 1.96 * 1.5)).abs() < 1e-12);
    }

    #[test]
    fn logistic_mean_only_is_logit_of_mean() {
        let data = vec![1.0; 5];
        let x = MatRef::from_column_major_slice(&data, 5, 1);
        let y = [1.0, 0.0, 1.0, 1.0, 0.0];
        let fit = newton(Family::Binomial, &[Block::new(x, &y, Rows::All)], &[0.0], "logit").unwrap();
        assert!((fit.beta[0] - (0.6f64 / 0.4).ln()).abs() < 1e-10);
        // HC0 variance of the intercept: sum (y - p)^2 / (n p (1 - p))^2 = 1 / (n p (1-p)).
        let v = sandwich_vcov(Family::Binomial, &[Block::new(x, &y, Rows::All)], &fit.beta).unwrap();
        assert!((v[(0, 0)] - 1.0 / (5.0 * 0.24)).abs() < 1e-9);
    }

    #[test]
    fn separation_is_an_error() {
        let mut data = vec![1.0; 6];
        data.extend_from_slice(&[-3.0, -2.0, -1.0, 1.0, 2.0, 3.0]);
        let x = MatRef::from_column_major_slice(&data, 6, 2);
        let y = [0.0, 0.0, 0.0, 1.0, 1.0, 1.0];
        let b = Block::new(x, &y, Rows::All);
        let r = newton(Family::Binomial, &[b], &[0.0, 0.0], "logit")
            .and_then(|f| check_separation(Family::Binomial, &b, &f.beta, "logit"));
        assert!(r.is_err());
    }

    #[test]
    fn least_squares_on_a_tiny_scale_is_not_stopped_at_the_start() {
        // The data of least_squares_in_one_step() times 1e-150: the loss at
        // the start is about 1e-299, below any absolute convergence floor.
        let xs = [0.0, 1.0, 2.0, 3.0];
        let mut data = vec![1.0; 4];
        data.extend_from_slice(&xs);
        let x = MatRef::from_column_major_slice(&data, 4, 2);
        let y = [1.1e-150, 2.9e-150, 5.1e-150, 6.9e-150];
        let fit = newton(Family::Gaussian, &[Block::new(x, &y, Rows::All)], &[0.0, 0.0], "ols").unwrap();
        assert!((fit.beta[1] / 1e-150 - 1.96).abs() < 1e-10);
        assert!((fit.beta[0] / 1e-150 - (4.0 - 1.96 * 1.5)).abs() < 1e-10);
    }

    #[test]
    fn poisson_zeros_in_a_group_are_an_error() {
        // Intercept and a group dummy; the group's counts are all zero, so
        // its coefficient diverges to minus infinity (no MLE).
        let mut data = vec![1.0; 6];
        data.extend_from_slice(&[0.0, 0.0, 0.0, 1.0, 1.0, 1.0]);
        let x = MatRef::from_column_major_slice(&data, 6, 2);
        let y = [2.0, 1.0, 3.0, 0.0, 0.0, 0.0];
        let b = Block::new(x, &y, Rows::All);
        let r = newton(Family::Poisson, &[b], &[0.0, 0.0], "pois")
            .and_then(|f| check_separation(Family::Poisson, &b, &f.beta, "pois"));
        assert!(r.is_err());
        // All-zero counts: no finite intercept either.
        let ones = vec![1.0; 6];
        let x1 = MatRef::from_column_major_slice(&ones, 6, 1);
        let zeros = [0.0; 6];
        let b0 = Block::new(x1, &zeros, Rows::All);
        let r0 = newton(Family::Poisson, &[b0], &[0.0], "pois")
            .and_then(|f| check_separation(Family::Poisson, &b0, &f.beta, "pois"));
        assert!(r0.is_err());
        // Ordinary counts pass: the intercept is log(mean) = log 1.
        let counts = [2.0, 0.0, 1.0, 1.0, 0.0, 2.0];
        let bc = Block::new(x1, &counts, Rows::All);
        let f = newton(Family::Poisson, &[bc], &[0.0], "pois").unwrap();
        assert!(check_separation(Family::Poisson, &bc, &f.beta, "pois").is_ok());
        assert!(f.beta[0].abs() < 1e-10);
    }

    #[test]
    fn collinear_design_is_an_error() {
        let mut data = vec![1.0; 4];
        data.extend_from_slice(&[2.0; 4]);
        let x = MatRef::from_column_major_slice(&data, 4, 2);
        let y = [1.0, 2.0, 3.0, 4.0];
        assert!(newton(Family::Gaussian, &[Block::new(x, &y, Rows::All)], &[0.0, 0.0], "ols").is_err());
    }
}
