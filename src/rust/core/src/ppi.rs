//! Prediction-powered inference (PPI) and its power-tuned variant (PPI++).
//!
//! Follows the conventions of the reference implementation ppi-python 0.2.3
//! (Angelopoulos, Duchi and Zrnic, "PPI++: Efficient prediction-powered
//! inference", 2023), so that results agree with it to rounding:
//!
//! * n labeled rows carry the true `(X, Y)` and the proxy `(X~, Y~)`; the N
//!   unlabeled rows carry only the proxy. (ppi-python has one `X` for both;
//!   here the proxy covariates `X~` may differ from `X`, and reduce to it
//!   when no covariate is predicted.)
//! * Mean (Gaussian, intercept only): `lam mean_U(Y~) + mean_L(Y - lam Y~)`,
//!   variance `lam^2 var(Y~_U) / N + var(Y - lam Y~) / n` with divisor N, n.
//! * OLS: `beta_L(X, Y) + lam (beta_U(X, Y~) - beta_L(X, Y~))` (imputed
//!   plus rectifier, each a least-squares fit).
//! * Logistic and Poisson: minimiser of the rectified loss
//!   `L_L(X, Y) + lam (L_U(X~, Y~) - L_L(X~, Y~))` (mean losses).
//! * When covariates are predicted (X~ differs from X on labeled rows),
//!   which ppi-python does not cover, every family uses the rectified loss,
//!   and the Hessian is the labeled rows' true-covariate Hessian: the
//!   rectified loss's Hessian tends to it, while pooling the unlabeled rows'
//!   X~ would not (their law differs from X's).
//! * Variance `H^{-1} (n/N lam^2 Cov(g~_U) + Cov(g_L - lam g~_L)) H^{-1} / n`
//!   with sample covariances (divisor count - 1) of the per-row gradients g
//!   and the Hessian H averaged over all n + N rows (labeled rows only
//!   when lam = 0).
//! * Power tuning (`lam` = None): `lam = tr(H^-1 C H^-1) / (2 (1 + n/N)
//!   tr(H^-1 V H^-1))`, clipped to [0, 1], with C the symmetrised
//!   covariance of g_L and g~_L (divisor n) and V the covariance of the
//!   pooled g~. For the mean it is computed once at the lam = 1 estimate;
//!   for regressions twice (at the lam = 1 estimate, then at the estimate
//!   with the first lam), exactly as ppi-python's `*_ci` functions do.

use crate::error::{invalid, Result};
use crate::glm::linalg::{square, trace, SpdFactor};
use crate::glm::newton::{check_separation, newton, newton_from, Quadratic};
use crate::glm::rows::{add_into, chunked_reduce, chunked_reduce_ranges, ones_column};
use crate::glm::{Block, Family, Rows};
use faer::{Mat, MatRef};
use stats::Stats;
use std::cell::OnceCell;

pub mod reppi;
mod stats;
pub mod synth;

/// Data for PPI: true and proxy versions of the design and response.
#[derive(Debug, Clone, Copy)]
pub struct PpiData<'a> {
    /// True covariates (n_total x p); read on labeled rows only.
    pub x: MatRef<'a, f64>,
    /// True response; read on labeled rows only.
    pub y: &'a [f64],
    /// Proxy covariates (n_total x p), every row.
    pub x_proxy: MatRef<'a, f64>,
    /// Proxy response, every row.
    pub y_proxy: &'a [f64],
    /// `labeled[i]`: whether row i has a human label.
    pub labeled: &'a [bool],
    /// Sampling weights, one per row (`None`: unweighted). The labeled and
    /// unlabeled means become Hajek means and the variance the design-based
    /// one; see [`Ctx::covariance`] and [`crate::weights`].
    pub weights: Option<&'a [f64]>,
}

/// A PPI fit.
#[derive(Debug, Clone)]
pub struct PpiFit {
    /// Point estimate.
    pub coefficients: Vec<f64>,
    /// Covariance of the estimate (p x p).
    pub covariance: Mat<f64>,
    /// The lambda used (1 for PPI).
    pub lambda: f64,
}

/// Fit PPI (`lambda = Some(1.0)`), PPI++ (`lambda = None`, power-tuned) or
/// PPI with any fixed lambda in [0, 1].
pub fn ppi(family: Family, d: &PpiData<'_>, lambda: Option<f64>) -> Result<PpiFit> {
    let n_total = d.x.nrows();
    let n = d.labeled.iter().filter(|&&l| l).count();
    let big_n = n_total - n;
    let p = d.x.ncols();
    if n <= p {
        return invalid(format!("PPI needs more labeled rows ({n}) than coefficients ({p})"));
    }
    if big_n < 2 {
        return invalid(format!("PPI needs at least 2 unlabeled rows, not {big_n}"));
    }
    if let Some(l) = lambda {
        if !(0.0..=1.0).contains(&l) {
            return invalid(format!("lambda must lie in [0, 1], not {l}"));
        }
    }
    if family == Family::Gaussian && p == 1 && is_intercept(d.x, d.x_proxy, d.labeled) {
        return match d.weights {
            None => ppi_mean(d, lambda, n, big_n),
            Some(c) => ppi_mean_weighted(d, c, lambda, n, big_n),
        };
    }
    let ctx = Ctx::new(family, d, n, big_n);
    let classical = ctx.classical()?;
    match lambda {
        Some(l) => ctx.finish(&classical, l, None),
        None => {
            // ppi-python's sequence: fit at lam = 1, tune, refit, tune again,
            // final fit.
            // Where the rectified loss has no finite minimiser at a pilot
            // lambda (a proxy that disagrees with the labels very often),
            // ppi-python's pilot estimate is undefined; the tuning then
            // starts from the classical fit instead. Only the final fit must
            // exist, and `finish` raises when it does not.
            let rectified = !ctx.ols_form();
            let pilot = |r: Result<Vec<f64>>| match r {
                Err(crate::error::CoreError::NoConvergence(_)) if rectified => Ok(classical.clone()),
                other => other,
            };
            let t1 = pilot(ctx.estimate(&classical, 1.0, None))?;
            let s1 = ctx.stats(&t1, rectified);
            let l1 = ctx.tuned_lambda(&s1)?;
            let (start, first) = ctx.refit_start(l1, &classical, &t1, &s1);
            let t2 = pilot(ctx.estimate(start, l1, first))?;
            let s2 = ctx.stats(&t2, rectified);
            let l2 = ctx.tuned_lambda(&s2)?;
            let (start, first) = ctx.refit_start(l2, &classical, &t2, &s2);
            ctx.finish(start, l2, first)
        }
    }
}

/// Whether column 0 is identically 1: of `x` on the labeled rows and of
/// `x_proxy` on the unlabeled ones. One pass over contiguous columns (a
/// shared matrix, as R passes for a surrogate response only, is read once).
fn is_intercept(x: MatRef<'_, f64>, x_proxy: MatRef<'_, f64>, labeled: &[bool]) -> bool {
    match (x.col(0).try_as_col_major(), x_proxy.col(0).try_as_col_major()) {
        // Branch-free folds (no early exit) vectorise: the column is
        // usually all ones, read to the end either way.
        (Some(a), Some(b)) if std::ptr::eq(a.as_ptr(), b.as_ptr()) => a.as_slice().iter().fold(true, |ok, &v| ok & (v == 1.0)),
        (Some(a), Some(b)) => a
            .as_slice()
            .iter()
            .zip(b.as_slice())
            .zip(labeled)
            .fold(true, |ok, ((&u, &v), &l)| ok & ((if l { u } else { v }) == 1.0)),
        _ => (0..x.nrows()).all(|i| if labeled[i] { x[(i, 0)] == 1.0 } else { x_proxy[(i, 0)] == 1.0 }),
    }
}

/// Clip to [0, 1]; a degenerate ratio (constant predictions) means the
/// predictions carry no information, i.e. lambda = 0.
fn clip_lambda(num: f64, den: f64) -> f64 {
    if den > 0.0 && num.is_finite() {
        (num / den).clamp(0.0, 1.0)
    } else {
        0.0
    }
}

/// The mean: closed forms, one pass over the rows for all needed moments.
fn ppi_mean(d: &PpiData<'_>, lambda: Option<f64>, n: usize, big_n: usize) -> Result<PpiFit> {
    // Shift by one labeled value to avoid cancellation in raw second moments;
    // every variance and covariance below is shift invariant.
    let first = d.labeled.iter().position(|&l| l).unwrap_or(0);
    let c = d.y[first];
    // [sum y, sum yh, sum y^2, sum yh^2, sum y yh] over L; [sum yh, sum yh^2] over U.
    let s = chunked_reduce_ranges(
        d.x.nrows(),
        || [0.0f64; 7],
        |a, rows| {
            // Slices of the chunk: no bounds check per row.
            let (lab, y, yp) = (&d.labeled[rows.clone()], &d.y[rows.clone()], &d.y_proxy[rows]);
            for ((&l, &yi), &ypi) in lab.iter().zip(y).zip(yp) {
                let yh = ypi - c;
                if l {
                    let y = yi - c;
                    a[0] += y;
                    a[1] += yh;
                    a[2] += y * y;
                    a[3] += yh * yh;
                    a[4] += y * yh;
                } else {
                    a[5] += yh;
                    a[6] += yh * yh;
                }
            }
        },
        |a, b| add_into(a, &b),
    );
    let (nf, nu) = (n as f64, big_n as f64);
    let (my, mh, mu) = (s[0] / nf, s[1] / nf, s[5] / nu);
    let var_y = s[2] / nf - my * my;
    let var_h = s[3] / nf - mh * mh;
    let cov_yh = s[4] / nf - my * mh;
    let var_u = s[6] / nu - mu * mu;
    let lam = match lambda {
        Some(l) => l,
        None => {
            let pooled_mean = (s[1] + s[5]) / (nf + nu);
            let pooled_var = (s[3] + s[6] - (nf + nu) * pooled_mean * pooled_mean) / (nf + nu - 1.0);
            clip_lambda(2.0 * cov_yh, 2.0 * (1.0 + nf / nu) * pooled_var)
        }
    };
    // Estimate: lam mean_U(yh) + mean_L(y - lam yh), in shifted units plus c.
    let est = c + lam * mu + my - lam * mh;
    let var_rect = var_y - 2.0 * lam * cov_yh + lam * lam * var_h;
    let var = lam * lam * var_u / nu + var_rect.max(0.0) / nf;
    Ok(PpiFit {
        coefficients: vec![est],
        covariance: Mat::from_fn(1, 1, |_, _| var),
        lambda: lam,
    })
}

/// The mean under sampling weights c: Hajek means over L and U,
/// `lam mean_U(Y~) + mean_L(Y - lam Y~)`, with the with-replacement
/// linearisation variance `lam^2 sum_U c^2 (Y~ - m_U)^2 / C_U^2 + sum_L c^2
/// (Z - m_L)^2 / C_L^2` (Z = Y - lam Y~, C the weight sums; divisor-n form,
/// as [`ppi_mean`]). Lambda as ppi-python's with each covariance replaced by
/// its design-based analogue scaled to one row (n times the variance of the
/// Hajek mean: [`Ctx::tuning_moments`]); unit weights give [`ppi_mean`].
fn ppi_mean_weighted(d: &PpiData<'_>, c: &[f64], lambda: Option<f64>, n: usize, big_n: usize) -> Result<PpiFit> {
    let first = d.labeled.iter().position(|&l| l).unwrap_or(0);
    let shift = d.y[first];
    // L: [C, c y, c h, c^2, c^2 y, c^2 h, c^2 y^2, c^2 h^2, c^2 y h]; U: [C, c h, c^2, c^2 h, c^2 h^2].
    let s = chunked_reduce(
        d.x.nrows(),
        || [0.0f64; 14],
        |a, i| {
            let (w, h) = (c[i], d.y_proxy[i] - shift);
            let w2 = w * w;
            if d.labeled[i] {
                let y = d.y[i] - shift;
                for (k, v) in [w, w * y, w * h, w2, w2 * y, w2 * h, w2 * y * y, w2 * h * h, w2 * y * h].into_iter().enumerate() {
                    a[k] += v;
                }
            } else {
                for (k, v) in [w, w * h, w2, w2 * h, w2 * h * h].into_iter().enumerate() {
                    a[9 + k] += v;
                }
            }
        },
        |a, b| add_into(a, &b),
    );
    if s[0] <= 0.0 || s[9] <= 0.0 {
        return invalid("the labeled and the unlabeled rows must each have a positive total weight");
    }
    let (my, mh, mu) = (s[1] / s[0], s[2] / s[0], s[10] / s[9]);
    let cw = |sab: f64, sa: f64, sb: f64, a: f64, b: f64, s2: f64| crate::weights::centred(&[sab], &[sa], &[sb], &[a], &[b], s2)[0];
    // Design variances of the Hajek means (times C^2): y, h, y-h cross on L; h on U.
    let (vyy, vhh, vyh) = (cw(s[6], s[4], s[4], my, my, s[3]), cw(s[7], s[5], s[5], mh, mh, s[3]), cw(s[8], s[4], s[5], my, mh, s[3]));
    let vuu = cw(s[13], s[12], s[12], mu, mu, s[11]);
    let (nf, nu) = (n as f64, big_n as f64);
    let lam = match lambda {
        Some(l) => l,
        None => {
            let tot = nf + nu;
            let pooled_mean = (s[2] + s[10]) / (s[0] + s[9]);
            let pooled = cw(s[7] + s[13], s[5] + s[12], s[5] + s[12], pooled_mean, pooled_mean, s[3] + s[11]);
            let pooled_var = tot / (tot - 1.0) * tot * pooled / ((s[0] + s[9]) * (s[0] + s[9]));
            clip_lambda(2.0 * nf * vyh / (s[0] * s[0]), 2.0 * (1.0 + nf / nu) * pooled_var)
        }
    };
    let est = shift + lam * mu + my - lam * mh;
    let var_rect = (vyy - 2.0 * lam * vyh + lam * lam * vhh) / (s[0] * s[0]);
    let var = lam * lam * vuu / (s[9] * s[9]) + var_rect.max(0.0);
    Ok(PpiFit { coefficients: vec![est], covariance: Mat::from_fn(1, 1, |_, _| var), lambda: lam })
}

/// Regression PPI: the pieces shared by the tuning and the final interval.
struct Ctx<'a, 'b> {
    family: Family,
    d: &'b PpiData<'a>,
    n: usize,
    big_n: usize,
    p: usize,
    /// Whether the proxy covariates equal the true ones on the labeled rows
    /// (no covariate is predicted): ppi-python's setting, whose conventions
    /// are then followed exactly. Otherwise see [`Ctx::pooled_hessian`].
    same_x: bool,
    /// The intercept column of the proxy covariates, if there is one (read
    /// from a constant buffer in the passes over the unlabeled rows).
    ones: Option<usize>,
    /// OLS form: the least-squares fits on the unlabeled and on the
    /// labeled proxies, computed once.
    proxy_ols: OnceCell<(Vec<f64>, Vec<f64>)>,
    /// Sums of the sampling weights and of their squares over L and over U
    /// (the row counts n, n, N, N when unweighted).
    wl: f64,
    w2l: f64,
    wu: f64,
    w2u: f64,
}

impl<'a, 'b> Ctx<'a, 'b> {
    /// The context of `d` with `n` labeled and `big_n` unlabeled rows.
    fn new(family: Family, d: &'b PpiData<'a>, n: usize, big_n: usize) -> Self {
        let p = d.x.ncols();
        let same_x = (0..d.x.nrows())
            .filter(|&i| d.labeled[i])
            .all(|i| (0..p).all(|j| d.x[(i, j)] == d.x_proxy[(i, j)]));
        let ones = ones_column(d.x_proxy);
        let (wl, w2l) = crate::weights::sums(d.weights, d.labeled, true);
        let (wu, w2u) = crate::weights::sums(d.weights, d.labeled, false);
        Ctx { family, d, n, big_n, p, same_x, ones, proxy_ols: OnceCell::new(), wl, w2l, wu, w2u }
    }

    /// ppi-python's least-squares form "imputed + rectifier" (OLS with
    /// unpredicted covariates); otherwise the rectified-loss minimiser.
    fn ols_form(&self) -> bool {
        self.family == Family::Gaussian && self.same_x
    }

    /// Whether the Hessian pools labeled and unlabeled rows, as ppi-python
    /// does. That presumes the unlabeled rows' covariates have the law of
    /// the true ones; when covariates are predicted they do not (the
    /// rectified loss's Hessian converges to the true-covariate Hessian), so
    /// the Hessian is then taken over the labeled rows with true covariates.
    fn pooled_hessian(&self, use_unlabeled: bool) -> bool {
        use_unlabeled && self.same_x
    }

    fn labeled(&self) -> Rows<'_> {
        Rows::Where(self.d.labeled, true)
    }
    fn unlabeled(&self) -> Rows<'_> {
        Rows::Where(self.d.labeled, false)
    }

    /// The labeled-only fit on the true data (start values, and lam = 0).
    fn classical(&self) -> Result<Vec<f64>> {
        let b = Block::new(self.d.x, self.d.y, self.labeled()).with_row_weights(self.d.weights);
        let fit = newton(self.family, &[b], &vec![0.0; self.p], "classical fit on the labeled rows")?;
        check_separation(self.family, &b, &fit.beta, "classical fit on the labeled rows")?;
        Ok(fit.beta)
    }

    /// Point estimate for a given lambda. `start` is the classical fit (the
    /// answer for lambda = 0 and for OLS's first term), or for logistic and
    /// Poisson a nearby starting value of Newton's method; `initial`, if
    /// given, is the rectified objective at `start` for this lambda (from a
    /// stats pass there), which spares Newton its first pass over the rows.
    fn estimate(&self, start: &[f64], lam: f64, initial: Option<Quadratic>) -> Result<Vec<f64>> {
        let start = start.to_vec();
        if lam == 0.0 {
            return Ok(start);
        }
        // Weight sums: the row counts n and N when unweighted.
        let (nf, nu) = (self.wl, self.wu);
        let cw = self.d.weights;
        let proxy_l = Block::new(self.d.x_proxy, self.d.y_proxy, self.labeled()).with_row_weights(cw);
        let proxy_u = Block::new(self.d.x_proxy, self.d.y_proxy, self.unlabeled()).with_ones(self.ones).with_row_weights(cw);
        if self.ols_form() {
            // Imputed plus rectifier: classical + lam (beta_U(X, Y~) - beta_L(X, Y~)).
            // The two proxy fits do not depend on lam; PPI++ needs them thrice.
            if self.proxy_ols.get().is_none() {
                let zero = vec![0.0; self.p];
                let bu = newton(self.family, &[proxy_u], &zero, "least squares on the unlabeled proxies")?.beta;
                let bl = newton(self.family, &[proxy_l], &zero, "least squares on the labeled proxies")?.beta;
                let _ = self.proxy_ols.set((bu, bl));
            }
            let (bu, bl) = self.proxy_ols.get().expect("set just above");
            return Ok((0..self.p).map(|j| start[j] + lam * (bu[j] - bl[j])).collect());
        }
        let blocks = [
            Block::new(self.d.x, self.d.y, self.labeled()).with_row_weights(cw).weighted(1.0 / nf),
            proxy_u.weighted(lam / nu),
            proxy_l.weighted(-lam / nf),
        ];
        let fit = newton_from(self.family, &blocks, &start, initial, "PPI rectified loss")?;
        // The rectified loss subtracts the labeled proxies' loss, so it need
        // not be convex nor bounded below: Newton then stops at a saddle or
        // drifts off. ppi-python raises in that case; so do we, instead of
        // reporting the point where the search stopped.
        if !fit.positive_definite || fit.beta.iter().any(|b| !b.is_finite() || b.abs() > 1e3) {
            return Err(crate::error::CoreError::NoConvergence(format!(
                "the PPI rectified loss at lambda = {lam:.3} has no finite minimiser (its curvature \
                 is not positive where the search stopped): the proxy disagrees with the labels \
                 too often for the {} labeled rows to correct it. Use method = \"classical\", \
                 \"ppi++\" (which tunes lambda towards 0) or \"gmm_proxy\", or a better proxy",
                self.n
            )));
        }
        Ok(fit.beta)
    }

    /// Where the refit at `lam` after a tuning pass `st` at `at` starts. For
    /// the rectified-loss families at `at`, with the pass's sums as Newton's
    /// first quadratic (no pass of its own); for OLS and at lam = 0 from the
    /// classical fit, the first term of the OLS form and the answer at 0.
    fn refit_start<'s>(&self, lam: f64, classical: &'s [f64], at: &'s [f64], st: &Stats) -> (&'s [f64], Option<Quadratic>) {
        if self.ols_form() || lam == 0.0 {
            (classical, None)
        } else {
            (at, Some(st.rectified_quadratic(lam, self.wl, self.wu)))
        }
    }

    /// The per-row moments at `theta` (one pass over the rows); with the
    /// block losses when a Newton fit is to start from them.
    fn stats(&self, theta: &[f64], with_loss: bool) -> Stats {
        Stats::compute(self.family, self.d, theta, with_loss, self.ones)
    }

    /// ppi-python's `_calc_lam_glm` with `coord = None`, clipped.
    fn tuned_lambda(&self, st: &Stats) -> Result<f64> {
        let (nf, nu) = (self.n as f64, self.big_n as f64);
        let hess = st.mean_hessian(self.pooled_hessian(true), self.wl, self.wu);
        let h = SpdFactor::new(square(&hess, self.p), "the PPI Hessian")?;
        let (c, v) = self.tuning_moments(st);
        let num = trace(h.sandwich(c.as_ref()).as_ref());
        let den = 2.0 * (1.0 + nf / nu) * trace(h.sandwich(v.as_ref()).as_ref());
        Ok(clip_lambda(num, den))
    }

    /// The two covariances of the tuning formula: C, the symmetrised
    /// covariance of g and g~ on L times 2, and V, the covariance of the
    /// pooled g~. Under sampling weights each is the design-based variance
    /// of the corresponding Hajek mean scaled to one row (C: n times
    /// `sum_L c^2 (g - gbar)(g~ - g~bar)' / C_L^2`, symmetrised; V: (n + N)
    /// times that of the pooled mean, times (n + N) / (n + N - 1)), which
    /// reduces to ppi-python's divisors at unit weights.
    fn tuning_moments(&self, st: &Stats) -> (Mat<f64>, Mat<f64>) {
        let p = self.p;
        let (nf, nu) = (self.n as f64, self.big_n as f64);
        if self.d.weights.is_some() {
            let gbar: Vec<f64> = st.sum_g.iter().map(|v| v / self.wl).collect();
            let hbar: Vec<f64> = st.sum_h.iter().map(|v| v / self.wl).collect();
            let cl = crate::weights::centred(&st.sum_gh, &st.sum_g2, &st.sum_h2, &gbar, &hbar, self.w2l);
            let c = Mat::from_fn(p, p, |i, j| nf * (cl[i + j * p] + cl[j + i * p]) / (self.wl * self.wl));
            let (wt, tot) = (self.wl + self.wu, nf + nu);
            let pbar: Vec<f64> = (0..p).map(|j| (st.sum_h[j] + st.sum_u[j]) / wt).collect();
            let add = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x + y).collect::<Vec<f64>>();
            let sh2 = add(&st.sum_h2, &st.sum_u2);
            let cv = crate::weights::centred(&add(&st.sum_hh, &st.sum_uu), &sh2, &sh2, &pbar, &pbar, self.w2l + self.w2u);
            let v = Mat::from_fn(p, p, |i, j| tot / (tot - 1.0) * tot * cv[i + j * p] / (wt * wt));
            return (c, v);
        }
        // C = (1/n) (Gc' Hc + Hc' Gc), centred cross-products.
        let c = Mat::from_fn(p, p, |i, j| {
            let cross_ij = st.sum_gh[i + j * p] - st.sum_g[i] * st.sum_h[j] / nf;
            let cross_ji = st.sum_gh[j + i * p] - st.sum_g[j] * st.sum_h[i] / nf;
            (cross_ij + cross_ji) / nf
        });
        // V = sample covariance (divisor n + N - 1) of the pooled g~.
        let tot = nf + nu;
        let v = Mat::from_fn(p, p, |i, j| {
            let si = st.sum_h[i] + st.sum_u[i];
            let sj = st.sum_h[j] + st.sum_u[j];
            (st.sum_hh[i + j * p] + st.sum_uu[i + j * p] - si * sj / tot) / (tot - 1.0)
        });
        (c, v)
    }

    /// Estimate and covariance at a fixed lambda (`initial` as in
    /// [`Ctx::estimate`]).
    fn finish(&self, start: &[f64], lam: f64, initial: Option<Quadratic>) -> Result<PpiFit> {
        let theta = self.estimate(start, lam, initial)?;
        let st = self.stats(&theta, false);
        Ok(PpiFit { coefficients: theta, covariance: self.covariance(&st, lam)?, lambda: lam })
    }

    /// The covariance of the estimate at a fixed lambda, from the moments
    /// `st` of a pass at the estimate (or, for PPI++Synth's choice of alpha,
    /// at a pilot estimate).
    ///
    /// Under sampling weights the meat is the with-replacement linearisation
    /// variance of the two Hajek means of the estimating equation,
    /// `lam^2 N/(N-1) sum_U c^2 (g~ - g~bar)(..)' / C_U^2 + n/(n-1) sum_L c^2
    /// (z - zbar)(..)' / C_L^2` with z = g - lam g~ (unit weights: the
    /// unweighted meat over n).
    fn covariance(&self, st: &Stats, lam: f64) -> Result<Mat<f64>> {
        let p = self.p;
        let (nf, nu) = (self.n as f64, self.big_n as f64);
        let hess = st.mean_hessian(self.pooled_hessian(lam != 0.0), self.wl, self.wu);
        let h = SpdFactor::new(square(&hess, p), "the PPI Hessian")?;
        if self.d.weights.is_some() {
            let ubar: Vec<f64> = st.sum_u.iter().map(|v| v / self.wu).collect();
            let cu = crate::weights::centred(&st.sum_uu, &st.sum_u2, &st.sum_u2, &ubar, &ubar, self.w2u);
            let szz: Vec<f64> = (0..p * p)
                .map(|k| {
                    let (i, j) = (k % p, k / p);
                    st.sum_gg[k] - lam * (st.sum_gh[k] + st.sum_gh[j + i * p]) + lam * lam * st.sum_hh[k]
                })
                .collect();
            let sz2: Vec<f64> = st.sum_g2.iter().zip(&st.sum_h2).map(|(g, h)| g - lam * h).collect();
            let zbar: Vec<f64> = st.sum_g.iter().zip(&st.sum_h).map(|(g, h)| (g - lam * h) / self.wl).collect();
            let cl = crate::weights::centred(&szz, &sz2, &sz2, &zbar, &zbar, self.w2l);
            let meat = Mat::from_fn(p, p, |i, j| {
                let k = i + j * p;
                lam * lam * nu / (nu - 1.0) * cu[k] / (self.wu * self.wu) + nf / (nf - 1.0) * cl[k] / (self.wl * self.wl)
            });
            return Ok(h.sandwich(meat.as_ref()));
        }
        let meat = Mat::from_fn(p, p, |i, j| {
            let k = i + j * p;
            // Cov(g~_U), divisor N - 1, times lam^2 n / N.
            let cov_u = (st.sum_uu[k] - st.sum_u[i] * st.sum_u[j] / nu) / (nu - 1.0);
            // Cov(g - lam g~) over labeled rows, divisor n - 1.
            let raw = st.sum_gg[k] - lam * (st.sum_gh[k] + st.sum_gh[j + i * p]) + lam * lam * st.sum_hh[k];
            let mi = st.sum_g[i] - lam * st.sum_h[i];
            let mj = st.sum_g[j] - lam * st.sum_h[j];
            let cov_l = (raw - mi * mj / nf) / (nf - 1.0);
            nf / nu * lam * lam * cov_u + cov_l
        });
        let sigma = h.sandwich(meat.as_ref());
        Ok(Mat::from_fn(p, p, |i, j| sigma[(i, j)] / nf))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intercept_test_reads_the_right_rows() {
        let lab = [true, true, false, false];
        let ones = [1.0; 4];
        let mut xl = ones; // not 1 on an unlabeled row: only `x_proxy` is read there
        xl[3] = 5.0;
        let mut xu = ones; // not 1 on a labeled row: only `x` is read there
        xu[0] = 5.0;
        fn v(d: &[f64]) -> MatRef<'_, f64> {
            MatRef::from_column_major_slice(d, 4, 1)
        }
        assert!(is_intercept(v(&ones), v(&ones), &lab));
        assert!(is_intercept(v(&xl), v(&xu), &lab));
        assert!(!is_intercept(v(&xu), v(&ones), &lab));
        assert!(!is_intercept(v(&ones), v(&xl), &lab));
        // One shared matrix: every row must be 1.
        assert!(!is_intercept(v(&xl), v(&xl), &lab));
    }

    fn toy(n_total: usize) -> (Vec<f64>, Vec<f64>, Vec<f64>, Vec<bool>) {
        let ones = vec![1.0; n_total];
        let y: Vec<f64> = (0..n_total).map(|i| ((i * 37) % 11) as f64 / 3.0).collect();
        let yh: Vec<f64> = y.iter().enumerate().map(|(i, v)| v + ((i * 13) % 5) as f64 / 4.0 - 0.5).collect();
        let labeled: Vec<bool> = (0..n_total).map(|i| i % 4 == 0).collect();
        (ones, y, yh, labeled)
    }

    #[test]
    fn mean_matches_closed_form_and_regression_path() {
        let (ones, y, yh, labeled) = toy(200);
        let x = MatRef::from_column_major_slice(&ones, 200, 1);
        let d = PpiData { x, y: &y, x_proxy: x, y_proxy: &yh, labeled: &labeled, weights: None };
        let f = ppi(Family::Gaussian, &d, Some(1.0)).unwrap();
        // Brute force: mean over U of yh + mean over L of (y - yh).
        let (mut su, mut nu, mut sl, mut nl) = (0.0, 0.0, 0.0, 0.0);
        for i in 0..200 {
            if labeled[i] {
                sl += y[i] - yh[i];
                nl += 1.0;
            } else {
                su += yh[i];
                nu += 1.0;
            }
        }
        assert!((f.coefficients[0] - (su / nu + sl / nl)).abs() < 1e-12);
        // The tuned lambda lies in [0, 1] and does not widen the interval.
        let t = ppi(Family::Gaussian, &d, None).unwrap();
        assert!((0.0..=1.0).contains(&t.lambda));
        assert!(t.covariance[(0, 0)] <= f.covariance[(0, 0)] * (1.0 + 1e-12) || t.lambda == 1.0);
    }

    #[test]
    fn lambda_zero_is_classical() {
        let (ones, y, yh, labeled) = toy(300);
        let mut xd = ones.clone();
        xd.extend((0..300).map(|i| (i % 7) as f64));
        let x = MatRef::from_column_major_slice(&xd, 300, 2);
        let d = PpiData { x, y: &y, x_proxy: x, y_proxy: &yh, labeled: &labeled, weights: None };
        let f = ppi(Family::Poisson, &d, Some(0.0)).unwrap();
        let b = Block::new(x, &y, Rows::Where(&labeled, true));
        let cl = newton(Family::Poisson, &[b], &[0.0, 0.0], "t").unwrap();
        for j in 0..2 {
            assert!((f.coefficients[j] - cl.beta[j]).abs() < 1e-9);
        }
    }
}
