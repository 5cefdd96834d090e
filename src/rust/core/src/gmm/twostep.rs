//! Two-step GMM with labeled data and surrogate sources (Byun et al.).
//!
//! Rows i = 1..n, S_i = 1 when labeled, psi(x, y; b) = x (y - mu(x'b)).
//! Parameters phi = (theta, eta_1, ..., eta_M), p each. Moments, stacked:
//!
//! ```text
//! g_i = [ S_i psi(X_i, Y_i; theta);
//!         for m = 1..M: S_i psi(X^m_i, Y^m_i; eta_m); psi(X^m_i, Y^m_i; eta_m) ]
//! ```
//!
//! q = p (1 + 2M) moments, K = p (1 + M) parameters, so q - K = pM
//! over-identifying restrictions.
//!
//! * Step 1 (identity weight): minimise |gbar|^2. The theta block is exactly
//!   identified (theta is the labeled-only GLM fit) and each eta_m solves its
//!   own two blocks; started from the per-block GLM fits, Gauss-Newton finds
//!   the joint identity-weight minimiser, as `gmm::gmm(type = "twoStep")` does.
//! * Step 2: W = S1^{-1}, S1 = (1/n) sum g_i g_i' (uncentred) at the step-1
//!   estimate, applied by Cholesky solves; minimise gbar' W gbar by
//!   Gauss-Newton with a backtracking line search from the step-1 estimate.
//! * Variance: (G' S^{-1} G)^{-1} / n with G = d gbar / d phi and S the moment
//!   covariance, both at the final estimate (gmm::gmm's convention with
//!   `vcov = "iid"`, `centeredVcov = FALSE`); theta's block is reported.
//! * Hansen's J = n gbar' W gbar at the final estimate, chi-squared with pM
//!   degrees of freedom under correct specification.

use crate::error::{CoreError, Result};
use crate::glm::linalg::SpdFactor;
use crate::glm::newton::{check_separation, newton};
use crate::glm::rows::{add_into, add_outer_lower, chunked_reduce, symmetrize_lower, Columns};
use crate::glm::{Block, Family, Rows};
use super::Surrogate;
use faer::{Mat, MatRef};
use statrs::distribution::{ChiSquared, ContinuousCDF};

/// The GMM problem: primary data, label mask, surrogate sources.
pub struct Problem<'a> {
    pub family: Family,
    pub x: MatRef<'a, f64>,
    pub y: &'a [f64],
    pub labeled: &'a [bool],
    pub sources: Vec<Surrogate<'a>>,
    /// Whether `sources[0]` is the proxy (the rest being synthetic sources);
    /// used to name sources in messages.
    pub has_proxy: bool,
    /// Sampling weights, one per row, normalised to mean 1 (`None`: 1). Row
    /// i's moment vector is `w_i g_i`, so gbar = (1/n) sum w_i g_i, S =
    /// (1/n) sum w_i^2 g_i g_i' (the with-replacement linearisation
    /// variance) and the Jacobian (1/n) sum w_i dg_i / dphi.
    pub weights: Option<&'a [f64]>,
}

/// Result of the two-step estimator.
#[derive(Debug, Clone)]
pub struct GmmFit {
    /// All parameters (theta, eta_1, ..., eta_M).
    pub params: Vec<f64>,
    /// Their covariance (K x K).
    pub covariance: Mat<f64>,
    /// Step-1 (identity-weight) estimate.
    pub step1: Vec<f64>,
    /// Hansen's J statistic, its degrees of freedom and p-value.
    pub j_stat: f64,
    pub j_df: usize,
    pub j_pvalue: f64,
    /// Gauss-Newton iterations in step 2.
    pub iterations: usize,
    /// Windmeijer's (2005) finite-sample corrected covariance (K x K), one
    /// per leverage power asked of [`two_step_with`] (0: none, 1: HC2-type,
    /// 2: HC3-type multipliers of the labeled rows' moment products).
    pub covariance_windmeijer: Vec<Mat<f64>>,
}

/// Moment means, and optionally the moment covariance and Jacobian, at phi.
pub(super) struct Moments {
    pub gbar: Vec<f64>,
    /// q x q, column-major, uncentred, divided by n.
    pub s: Option<Vec<f64>>,
    /// Jacobian d gbar / d phi, q x K column-major.
    pub jac: Option<Mat<f64>>,
}

impl Problem<'_> {
    fn p(&self) -> usize {
        self.x.ncols()
    }
    fn n_moments(&self) -> usize {
        self.p() * (1 + 2 * self.sources.len())
    }
    fn n_params(&self) -> usize {
        self.p() * (1 + self.sources.len())
    }
    /// The sampling weight of row `i` (1 when unweighted).
    #[inline]
    pub(super) fn row_weight(&self, i: usize) -> f64 {
        self.weights.map_or(1.0, |w| w[i])
    }

    /// One pass over the rows: gbar, and S and the Jacobian when asked.
    pub(super) fn moments(&self, phi: &[f64], want_s: bool, want_jac: bool) -> Moments {
        self.moments_on(phi, want_s, want_jac, None)
    }

    /// As [`Problem::moments`], summed over the rows `rows.0` only, with row
    /// `rows.0[t]`'s contribution to S weighted by `rows.1[t]` (still divided
    /// by the number of all rows). The leverage correction of the
    /// finite-sample variance uses it on the labeled rows alone.
    pub(super) fn moments_on(&self, phi: &[f64], want_s: bool, want_jac: bool, rows: Option<(&[usize], &[f64])>) -> Moments {
        let p = self.p();
        let q = self.n_moments();
        let m_src = self.sources.len();
        let n = self.x.nrows();
        // Jacobian blocks: -sum S w x x' for theta; per source the labeled
        // and all-row information matrices (lower triangles, p x p each).
        let n_info = 1 + 2 * m_src;
        let len_s = if want_s { q * q } else { 0 };
        let len_j = if want_jac { n_info * p * p } else { 0 };
        let xcols = Columns::new(self.x);
        let scols: Vec<Columns<'_>> = self.sources.iter().map(|s| Columns::new(s.x)).collect();
        let acc = chunked_reduce(
            rows.map_or(n, |r| r.0.len()),
            || (vec![0.0; q + len_s + len_j], vec![0.0; q + p]),
            |(a, scratch), t| {
                let (i, s_weight) = rows.map_or((t, 1.0), |r| (r.0[t], r.1[t]));
                let (g, xi) = scratch.split_at_mut(q);
                let (gsum, rest) = a.split_at_mut(q);
                let (s, info) = rest.split_at_mut(len_s);
                let lab = self.labeled[i];
                let rw = self.row_weight(i);
                g.iter_mut().for_each(|v| *v = 0.0);
                if lab {
                    xcols.row_into(i, xi);
                    let e = xcols.eta(i, &phi[..p]);
                    let r = rw * (self.y[i] - self.family.mean(e));
                    for j in 0..p {
                        g[j] = xi[j] * r;
                    }
                    if want_jac {
                        add_outer_lower(&mut info[..p * p], p, xi, rw * self.family.weight(e));
                    }
                }
                for (m, (src, cols)) in self.sources.iter().zip(&scols).enumerate() {
                    let par = &phi[p * (1 + m)..p * (2 + m)];
                    cols.row_into(i, xi);
                    let e = cols.eta(i, par);
                    let r = rw * (src.y[i] - self.family.mean(e));
                    let w = rw * self.family.weight(e);
                    let off = p * (1 + 2 * m);
                    for j in 0..p {
                        let v = xi[j] * r;
                        if lab {
                            g[off + j] = v;
                        }
                        g[off + p + j] = v;
                    }
                    if want_jac {
                        let base = p * p * (1 + 2 * m);
                        if lab {
                            add_outer_lower(&mut info[base..base + p * p], p, xi, w);
                        }
                        add_outer_lower(&mut info[base + p * p..base + 2 * p * p], p, xi, w);
                    }
                }
                add_into(gsum, g);
                if want_s {
                    add_outer_lower(s, q, g, s_weight);
                }
            },
            |a, b| add_into(&mut a.0, &b.0),
        )
        .0;
        let nf = n as f64;
        let gbar = acc[..q].iter().map(|v| v / nf).collect();
        let s = want_s.then(|| {
            let mut s: Vec<f64> = acc[q..q + q * q].iter().map(|v| v / nf).collect();
            symmetrize_lower(&mut s, q);
            s
        });
        let jac = want_jac.then(|| {
            let info = &acc[q + len_s..];
            let k = self.n_params();
            let mut jac = Mat::<f64>::zeros(q, k);
            // (row offset in g, column offset in phi, info block index)
            let mut blocks = vec![(0usize, 0usize, 0usize)];
            for m in 0..m_src {
                blocks.push((p * (1 + 2 * m), p * (1 + m), 1 + 2 * m));
                blocks.push((p * (2 + 2 * m), p * (1 + m), 2 + 2 * m));
            }
            for (r0, c0, b) in blocks {
                let blk = &info[b * p * p..(b + 1) * p * p];
                for j in 0..p {
                    for i in 0..p {
                        let v = if i >= j { blk[i + j * p] } else { blk[j + i * p] };
                        jac[(r0 + i, c0 + j)] = -v / nf;
                    }
                }
            }
            jac
        });
        Moments { gbar, s, jac }
    }

    /// Objective gbar' W gbar with W given by its factor (None: identity).
    fn objective(&self, phi: &[f64], w: Option<&SpdFactor>) -> f64 {
        let gbar = self.moments(phi, false, false).gbar;
        quad_form(&gbar, w)
    }

    /// Gauss-Newton minimisation of gbar' W gbar from `start`.
    pub(super) fn gauss_newton(&self, start: &[f64], w: Option<&SpdFactor>, what: &str) -> Result<(Vec<f64>, usize)> {
        let mut phi = start.to_vec();
        let mut mo = self.moments(&phi, false, true);
        for iter in 1..=MAX_ITER {
            let jac = mo.jac.take().expect("Jacobian requested");
            let Direction { value, step, slope } = gauss_newton_direction(&jac, &mo.gbar, w)?;
            if -slope <= 1e-28 + 1e-20 * value {
                return Ok((phi, iter - 1));
            }
            // Backtracking (Armijo); the full step is evaluated with the
            // Jacobian, which the next iteration reuses when it is accepted.
            let mut t = 1.0;
            let candidate = loop {
                let cand: Vec<f64> = phi.iter().zip(&step).map(|(a, s)| a + t * s).collect();
                let trial = self.moments(&cand, false, t == 1.0);
                let v = quad_form(&trial.gbar, w);
                if v.is_finite() && v <= value + 1e-4 * t * slope {
                    break Some((cand, trial));
                }
                t *= 0.5;
                if t < 1e-10 {
                    break None;
                }
            };
            let Some((candidate, trial)) = candidate else {
                // No decrease along the Gauss-Newton direction: at the minimum
                // up to rounding.
                return Ok((phi, iter));
            };
            let max_change = step.iter().map(|s| (t * s).abs()).fold(0.0, f64::max);
            let scale = 1.0 + phi.iter().map(|v| v.abs()).fold(0.0, f64::max);
            phi = candidate;
            if max_change <= 1e-12 * scale {
                return Ok((phi, iter));
            }
            mo = if trial.jac.is_some() { trial } else { self.moments(&phi, false, true) };
        }
        Err(CoreError::NoConvergence(format!("{what}: Gauss-Newton did not converge in {MAX_ITER} iterations")))
    }
}

/// Gauss-Newton iteration limit.
const MAX_ITER: usize = 200;

/// One Gauss-Newton direction for minimising gbar' W gbar.
pub(super) struct Direction {
    /// The objective gbar' W gbar at the current point.
    pub value: f64,
    /// The step -(G' W G)^{-1} G' W gbar.
    pub step: Vec<f64>,
    /// Directional derivative of the objective along the step (negative).
    pub slope: f64,
}

/// The Gauss-Newton direction at a point with moment means `gbar` and
/// Jacobian `jac` (q x K), W given by its factor (None: identity).
pub(super) fn gauss_newton_direction(jac: &Mat<f64>, gbar: &[f64], w: Option<&SpdFactor>) -> Result<Direction> {
    let q = gbar.len();
    let k = jac.ncols();
    let gcol = MatRef::from_column_major_slice(gbar, q, 1);
    let (jw, rw) = match w {
        Some(f) => (f.whiten(jac.as_ref()), f.whiten(gcol)),
        None => (jac.clone(), gcol.to_owned()),
    };
    let value: f64 = (0..q).map(|i| rw[(i, 0)] * rw[(i, 0)]).sum();
    // Normal equations of the linearised least-squares problem.
    let jtj = jw.transpose() * &jw;
    let jtr = jw.transpose() * &rw;
    let f = SpdFactor::new(jtj.as_ref(), "the GMM Jacobian cross-product (collinear covariates, or a covariate on a scale far from the \
         intercept's or with a large offset against its spread, such as dates or years: \
         center or rescale it)")?;
    let neg: Vec<f64> = (0..k).map(|i| -jtr[(i, 0)]).collect();
    let step = f.solve_vec(&neg);
    // Directional derivative of the objective along the step: 2 r'J step.
    let slope: f64 = 2.0 * (0..k).map(|i| jtr[(i, 0)] * step[i]).sum::<f64>();
    Ok(Direction { value, step, slope })
}

pub(super) fn quad_form(gbar: &[f64], w: Option<&SpdFactor>) -> f64 {
    match w {
        None => gbar.iter().map(|v| v * v).sum(),
        Some(f) => {
            let z = f.whiten(MatRef::from_column_major_slice(gbar, gbar.len(), 1));
            (0..gbar.len()).map(|i| z[(i, 0)] * z[(i, 0)]).sum()
        }
    }
}

/// Leverage power of the finite-sample covariance `synth_glm()` reports
/// (chosen by the few-labels study, see `gmm::small_sample`).
pub const DEFAULT_LEVERAGE_POWER: i32 = 2;

/// Fit the two-step GMM estimator, with the default finite-sample covariance.
pub fn two_step(pr: &Problem<'_>) -> Result<GmmFit> {
    two_step_with(pr, &[DEFAULT_LEVERAGE_POWER])
}

/// [`two_step`] with Windmeijer-corrected covariances for each leverage
/// power in `powers`.
pub fn two_step_with(pr: &Problem<'_>, powers: &[i32]) -> Result<GmmFit> {
    let p = pr.p();
    let q = pr.n_moments();
    let k = pr.n_params();
    let zero = vec![0.0; p];
    // Per-block start values: theta on the labeled rows, eta_m on all rows.
    let lab = Block::new(pr.x, pr.y, Rows::Where(pr.labeled, true)).with_row_weights(pr.weights);
    let theta0 = newton(pr.family, &[lab], &zero, "GLM fit on the labeled rows")?;
    check_separation(pr.family, &lab, &theta0.beta, "GLM fit on the labeled rows")?;
    let mut start = theta0.beta;
    for (m, src) in pr.sources.iter().enumerate() {
        let b = Block::new(src.x, src.y, Rows::All).with_row_weights(pr.weights);
        let what = format!("GLM fit of {} on all rows", pr.source_name(m));
        let fit = newton(pr.family, &[b], &zero, &what)?;
        check_separation(pr.family, &b, &fit.beta, &what)?;
        start.extend(fit.beta);
    }
    let (step1, _) = pr.gauss_newton(&start, None, "GMM step 1")?;
    let at1 = pr.moments(&step1, true, true);
    let s1 = at1.s.expect("S requested");
    let jac1 = at1.jac.expect("Jacobian requested");
    let w1 = moment_factor(pr, &s1)?;
    let (phi, iterations) = pr.gauss_newton(&step1, Some(&w1), "GMM step 2")?;
    let j_stat = pr.n_rows() as f64 * pr.objective(&phi, Some(&w1));
    let fin = pr.moments(&phi, true, true);
    let s = fin.s.expect("S requested");
    let sf = moment_factor(pr, &s)?;
    let jac2 = fin.jac.expect("Jacobian requested");
    let jw = sf.whiten(jac2.as_ref());
    let info = jw.transpose() * &jw;
    let inf = SpdFactor::new(info.as_ref(), "the GMM information matrix G' S^-1 G")?;
    let inv = inf.inverse();
    let nf = pr.n_rows() as f64;
    let covariance = Mat::from_fn(k, k, |i, j| 0.5 * (inv[(i, j)] + inv[(j, i)]) / nf);
    let j_df = q - k;
    let j_pvalue = if j_df > 0 {
        ChiSquared::new(j_df as f64).map(|d| d.sf(j_stat)).unwrap_or(f64::NAN)
    } else {
        1.0
    };
    // Windmeijer: v = W gbar(phi2) with W = S(phi1)^{-1}.
    let v = w1.solve_vec(&fin.gbar);
    let ds_v = super::windmeijer::ds_times(pr, &step1, &v);
    let as_mat = |v: &[f64]| Mat::from_fn(q, q, |i, j| v[i + j * q]);
    let labeled: Vec<usize> = (0..pr.n_rows()).filter(|&i| pr.labeled[i]).collect();
    // S with the labeled rows' products multiplied by 1 / (1 - h)^power:
    // S plus those rows' products times (multiplier - 1), one pass over the
    // labeled rows only.
    let leveraged = |s: &[f64], at: &[f64], power: i32| -> Result<Mat<f64>> {
        let extra = super::windmeijer::leverage_excess(pr, &labeled, &at[..p], power)?;
        let ds = pr.moments_on(at, true, false, Some((&labeled, &extra))).s.expect("S requested");
        Ok(Mat::from_fn(q, q, |i, j| s[i + j * q] + ds[i + j * q]))
    };
    let covariance_windmeijer = powers
        .iter()
        .map(|&power| {
            let (s1v, s2v) = if power == 0 {
                (as_mat(&s1), as_mat(&s))
            } else {
                (leveraged(&s1, &step1, power)?, leveraged(&s, &phi, power)?)
            };
            super::windmeijer::corrected_covariance(&super::windmeijer::Pieces {
                w1: &w1,
                jac2: &jac2,
                s2: &s2v,
                jac1: &jac1,
                s1: &s1v,
                ds_v: &ds_v,
                n: pr.n_rows(),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(GmmFit {
        params: phi,
        covariance,
        step1,
        j_stat,
        j_df,
        j_pvalue,
        iterations,
        covariance_windmeijer,
    })
}

/// Factor the moment covariance, naming the offending moment if singular.
pub(super) fn moment_factor(pr: &Problem<'_>, s: &[f64]) -> Result<SpdFactor> {
    let p = pr.p();
    let q = pr.n_moments();
    let label = |j: usize| {
        let (block, coef) = (j / p, j % p + 1);
        let place = if block == 0 {
            "real data on labeled rows".to_string()
        } else {
            let rows = if block % 2 == 1 { "labeled rows" } else { "all rows" };
            format!("{} on {rows}", pr.source_name((block - 1) / 2))
        };
        format!("moment {} ({place}, coefficient {coef})", j + 1)
    };
    SpdFactor::with_labels(
        MatRef::from_column_major_slice(s, q, q),
        "the GMM moment covariance (a surrogate source that duplicates another or the \
         labels, a surrogate response the model fits exactly, such as a constant one in \
         a mean, or too few labeled rows for the moments make it singular)",
        label,
    )
}

impl Problem<'_> {
    fn n_rows(&self) -> usize {
        self.x.nrows()
    }

    /// "the proxy" or "synthetic source k" for `sources[m]`.
    pub fn source_name(&self, m: usize) -> String {
        match (self.has_proxy, m) {
            (true, 0) => "the proxy".to_string(),
            (true, m) => format!("synthetic source {m}"),
            (false, m) => format!("synthetic source {}", m + 1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;
    use rand_distr::{Distribution, StandardNormal};

    fn sim(n: usize, seed: u64) -> (Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>, Vec<bool>) {
        let mut rng = crate::parallel::replicate_rng(seed, 0);
        let mut x = vec![1.0; n];
        let mut y = vec![0.0; n];
        let mut ys = vec![0.0; n];
        let mut lab = vec![false; n];
        let mut xc = vec![0.0; n];
        for i in 0..n {
            let z: f64 = StandardNormal.sample(&mut rng);
            let e: f64 = StandardNormal.sample(&mut rng);
            let u: f64 = StandardNormal.sample(&mut rng);
            xc[i] = z;
            y[i] = 1.0 + 0.5 * z + e;
            ys[i] = 0.8 + 0.4 * z + 0.8 * e + 0.6 * u;
            lab[i] = rng.random::<f64>() < 0.2;
        }
        x.extend(xc);
        (x, y, ys, vec![], lab)
    }

    #[test]
    fn exactly_identified_part_and_variance_gain() {
        let n = 3000;
        let (xd, y, ys, _, lab) = sim(n, 11);
        let x = MatRef::from_column_major_slice(&xd, n, 2);
        let pr = Problem { family: Family::Gaussian, x, y: &y, labeled: &lab, sources: vec![Surrogate { x, y: &ys }], has_proxy: false, weights: None };
        let fit = two_step(&pr).unwrap();
        assert_eq!(fit.j_df, 2);
        // Step 1's theta is the labeled-only OLS fit.
        let b = Block::new(x, &y, Rows::Where(&lab, true));
        let ols = newton(Family::Gaussian, &[b], &[0.0, 0.0], "t").unwrap();
        assert!((fit.step1[0] - ols.beta[0]).abs() < 1e-9);
        // Correlated synthetic residuals shrink the variance below classical.
        let classical = crate::glm::sandwich_vcov(Family::Gaussian, &[b], &ols.beta).unwrap();
        assert!(fit.covariance[(1, 1)] < classical[(1, 1)]);
        // The final estimate is a stationary point: G' W gbar = 0.
        let s1 = pr.moments(&fit.step1, true, false).s.unwrap();
        let w1 = SpdFactor::new(MatRef::from_column_major_slice(&s1, 6, 6), "S").unwrap();
        let h = 1e-6;
        for j in 0..4 {
            let mut a = fit.params.clone();
            let mut c = fit.params.clone();
            a[j] += h;
            c[j] -= h;
            let d = (pr.objective(&a, Some(&w1)) - pr.objective(&c, Some(&w1))) / (2.0 * h);
            assert!(d.abs() < 1e-8, "gradient {d}");
        }
    }

    #[test]
    fn duplicated_sources_are_singular() {
        let n = 500;
        let (xd, y, ys, _, lab) = sim(n, 3);
        let x = MatRef::from_column_major_slice(&xd, n, 2);
        let pr = Problem {
            family: Family::Gaussian,
            x,
            y: &y,
            labeled: &lab,
            sources: vec![Surrogate { x, y: &ys }, Surrogate { x, y: &ys }],
            has_proxy: false,
            weights: None,
        };
        let err = two_step(&pr).unwrap_err();
        assert!(err.to_string().contains("singular"), "{err}");
    }
}
