//! Two-step GMM with synthetic data for user-defined moments
//! (`synth_gmm()`): the numerics around a moment function that R evaluates.
//!
//! The user writes one block of moments, psi(par; data) with k columns and p
//! parameters, row by row. The problem stacks, as the GLM version
//! ([`super::twostep`]) does,
//!
//! ```text
//! g_i = [ S_i psi(theta; data_i);
//!         for m = 1..M: S_i psi(eta_m; data^m_i); psi(eta_m; data^m_i) ]
//! ```
//!
//! (q = k (1 + 2M) moments, K = p (1 + M) parameters) where data^m is the
//! copy of the data whose labeled variables are replaced by surrogate
//! source m's columns. The moment function is an R closure, so the
//! iteration loop runs in R, which evaluates the moments (and their
//! Jacobians) at each trial point and calls in here once per Gauss-Newton
//! step ([`step`]), once per line-search trial ([`objective`]) and once for
//! the result ([`result`]). Everything else is here: stacking the blocks,
//! the moment covariance S (uncentred, divided by n), the Cholesky solves of
//! the weight, the Gauss-Newton direction and its convergence test, Hansen's
//! J, the textbook covariance (G' S^-1 G)^-1 / n and the finite-sample one
//! (Windmeijer's correction with HC3-type leverage multipliers, scaled by
//! n_lab / (n_lab - K)), exactly as for the GLM estimator.
//!
//! Leverages of the labeled rows generalise the GLM hat values: with D_t
//! the k x p Jacobian of row t's target moments and D = sum_t D_t,
//! h_t = tr((D'D)^{-1} D' D_t) (for a GLM, w_t x_t' (sum w x x')^{-1} x_t;
//! the h_t sum to p).

use super::twostep::{gauss_newton_direction, quad_form, Direction, DEFAULT_LEVERAGE_POWER};
use super::windmeijer::{corrected_covariance, Pieces};
use crate::error::{invalid, Result};
use crate::glm::linalg::{symmetrized, SpdFactor};
use faer::{Mat, MatRef};
use statrs::distribution::{ChiSquared, ContinuousCDF};

/// The moment blocks at one parameter value (theta, eta_1, ..., eta_M).
#[derive(Debug, Clone)]
pub struct UserMoments<'a> {
    /// Number of rows of the data, n.
    pub n: usize,
    /// 0-based positions of the labeled rows, increasing.
    pub labeled: &'a [usize],
    /// The target block on the labeled rows: row t belongs to row
    /// `labeled[t]` (n_lab x k).
    pub target: MatRef<'a, f64>,
    /// One n x k block per surrogate source, on every row.
    pub sources: Vec<MatRef<'a, f64>>,
}

/// Jacobians of the blocks' column means in their own parameters (k x p
/// each): the target block's mean over the labeled rows in theta, and per
/// source the means over its labeled rows and over all rows in eta_m.
#[derive(Debug, Clone)]
pub struct UserJacobian<'a> {
    pub target: MatRef<'a, f64>,
    pub sources: Vec<(MatRef<'a, f64>, MatRef<'a, f64>)>,
}

/// Row-level derivatives of the blocks in their own parameters: column-major
/// arrays n_lab x k x p (target) and n x k x p (per source).
#[derive(Debug, Clone)]
pub struct UserRowDerivatives<'a> {
    pub target: &'a [f64],
    pub sources: Vec<&'a [f64]>,
}

/// One Gauss-Newton step of `synth_gmm()`'s minimisation.
#[derive(Debug, Clone)]
pub struct UserStep {
    /// The objective gbar' W gbar at the current point.
    pub objective: f64,
    /// The Gauss-Newton step.
    pub step: Vec<f64>,
    /// The objective's directional derivative along the step.
    pub slope: f64,
    /// Whether the step is below the tolerance: the current point is the
    /// minimum.
    pub converged: bool,
    /// The moment covariance S at the current point (q x q), when asked.
    pub s: Option<Mat<f64>>,
}

/// The result of a two-step fit with user moments.
#[derive(Debug, Clone)]
pub struct UserGmmFit {
    /// Textbook covariance (G' S^-1 G)^-1 / n of all K parameters.
    pub covariance: Mat<f64>,
    /// Finite-sample covariance (Windmeijer, HC3-type leverage, times
    /// n_lab / (n_lab - K)), when asked.
    pub covariance_small_sample: Option<Mat<f64>>,
    /// Degrees of freedom of its t quantiles, n_lab - K.
    pub df: f64,
    /// Hansen's J = n gbar(phi2)' S(phi1)^-1 gbar(phi2), its degrees of
    /// freedom q - K and p-value.
    pub j_stat: f64,
    pub j_df: usize,
    pub j_pvalue: f64,
}

/// A step is converged when no parameter moves by more than this times
/// (1 + the largest parameter magnitude).
pub const STEP_TOLERANCE: f64 = 1e-10;

impl UserMoments<'_> {
    fn k(&self) -> usize {
        self.target.ncols()
    }
    fn q(&self) -> usize {
        self.k() * (1 + 2 * self.sources.len())
    }

    fn validate(&self) -> Result<()> {
        let k = self.k();
        if k == 0 {
            return invalid("the moment function returned no columns");
        }
        if self.target.nrows() != self.labeled.len() {
            return invalid(format!(
                "the target block has {} rows for {} labeled rows",
                self.target.nrows(),
                self.labeled.len()
            ));
        }
        if self.labeled.windows(2).any(|w| w[0] >= w[1]) || self.labeled.last().is_some_and(|&i| i >= self.n) {
            return invalid("labeled row positions must be increasing and within the rows of the data");
        }
        if self.sources.iter().any(|s| s.nrows() != self.n || s.ncols() != k) {
            return invalid(format!("every surrogate block must be {} x {k}", self.n));
        }
        Ok(())
    }

    /// The stacked moments g_i, n x q.
    fn stacked(&self) -> Mat<f64> {
        let (n, k) = (self.n, self.k());
        let mut g = Mat::<f64>::zeros(n, self.q());
        for (t, &i) in self.labeled.iter().enumerate() {
            for c in 0..k {
                g[(i, c)] = self.target[(t, c)];
            }
        }
        for (m, s) in self.sources.iter().enumerate() {
            let off = k * (1 + 2 * m);
            for &i in self.labeled {
                for c in 0..k {
                    g[(i, off + c)] = s[(i, c)];
                }
            }
            for c in 0..k {
                for i in 0..n {
                    g[(i, off + k + c)] = s[(i, c)];
                }
            }
        }
        g
    }

    /// Jacobian of gbar in (theta, eta_1, ..., eta_M), q x K, from the
    /// blocks' mean Jacobians (the labeled-row means enter gbar with the
    /// factor n_lab / n).
    fn jacobian(&self, jac: &UserJacobian<'_>) -> Result<Mat<f64>> {
        let k = self.k();
        let p = jac.target.ncols();
        let m_src = self.sources.len();
        let shape_ok = |j: MatRef<'_, f64>| j.nrows() == k && j.ncols() == p;
        if p == 0 || jac.sources.len() != m_src || !shape_ok(jac.target) || !jac.sources.iter().all(|(a, b)| shape_ok(*a) && shape_ok(*b)) {
            return invalid(format!("every block Jacobian must be {k} x {p}, one pair per surrogate source"));
        }
        let share = self.labeled.len() as f64 / self.n as f64;
        let mut g = Mat::<f64>::zeros(self.q(), p * (1 + m_src));
        let mut put = |r0: usize, c0: usize, j: MatRef<'_, f64>, f: f64| {
            for r in 0..k {
                for c in 0..p {
                    g[(r0 + r, c0 + c)] = f * j[(r, c)];
                }
            }
        };
        put(0, 0, jac.target, share);
        for (m, (lab, all)) in jac.sources.iter().enumerate() {
            put(k * (1 + 2 * m), p * (1 + m), *lab, share);
            put(k * (2 + 2 * m), p * (1 + m), *all, 1.0);
        }
        Ok(g)
    }
}

/// Column means of the stacked moments.
fn column_means(g: &Mat<f64>) -> Vec<f64> {
    let n = g.nrows() as f64;
    (0..g.ncols()).map(|c| g.col(c).iter().sum::<f64>() / n).collect()
}

/// (1/n) sum_i c_i g_i g_i' with c_i = 1 + `extra[t]` on the labeled row
/// `labeled[t]` (the leverage multipliers) and 1 elsewhere.
fn moment_covariance(g: &Mat<f64>, extra: Option<(&[usize], &[f64])>) -> Mat<f64> {
    let n = g.nrows();
    let mut s = g.transpose() * g;
    if let Some((rows, e)) = extra {
        let gl = Mat::from_fn(rows.len(), g.ncols(), |t, c| g[(rows[t], c)]);
        let ge = Mat::from_fn(rows.len(), g.ncols(), |t, c| g[(rows[t], c)] * e[t]);
        s += gl.transpose() * &ge;
    }
    symmetrized((s * (1.0 / n as f64)).as_ref())
}

/// Name of surrogate source `m`.
fn source_label(has_proxy: bool, m: usize) -> String {
    match (has_proxy, m) {
        (true, 0) => "the proxy".to_string(),
        (true, m) => format!("synthetic source {m}"),
        (false, m) => format!("synthetic source {}", m + 1),
    }
}

/// Cholesky factor of a moment covariance, naming the offending moment when
/// it is singular.
fn weight_factor(s: MatRef<'_, f64>, k: usize, has_proxy: bool) -> Result<SpdFactor> {
    let label = |j: usize| {
        let (block, col) = (j / k, j % k + 1);
        match block {
            0 => format!("moment {col} on the labeled rows (real data)"),
            b => format!(
                "moment {col} of {} on {} rows",
                source_label(has_proxy, (b - 1) / 2),
                if b % 2 == 1 { "the labeled" } else { "all" }
            ),
        }
    };
    SpdFactor::with_labels(
        s,
        "the moment covariance (a moment column that is zero on every row or a linear combination of \
         the others, or a surrogate source identical to another one or to the labels, makes it singular)",
        label,
    )
}

fn optional_factor(weight: Option<MatRef<'_, f64>>, q: usize, k: usize, has_proxy: bool) -> Result<Option<SpdFactor>> {
    weight
        .map(|w| {
            if w.nrows() != q || w.ncols() != q {
                return invalid(format!("the weight's moment covariance must be {q} x {q}"));
            }
            weight_factor(w, k, has_proxy)
        })
        .transpose()
}

/// One Gauss-Newton step for gbar' W gbar at the point `phi` whose moments
/// and block Jacobians are given; W = `weight`^-1 (a moment covariance) or
/// the identity. `want_s` asks for the moment covariance at the point.
pub fn step(
    mo: &UserMoments<'_>,
    jac: &UserJacobian<'_>,
    weight: Option<MatRef<'_, f64>>,
    phi: &[f64],
    want_s: bool,
    has_proxy: bool,
) -> Result<UserStep> {
    mo.validate()?;
    let g = mo.stacked();
    let jm = mo.jacobian(jac)?;
    if phi.len() != jm.ncols() {
        return invalid(format!("{} parameters given for {}", phi.len(), jm.ncols()));
    }
    let w = optional_factor(weight, mo.q(), mo.k(), has_proxy)?;
    let gbar = column_means(&g);
    let Direction { value, step, slope } = gauss_newton_direction(&jm, &gbar, w.as_ref()).map_err(|_| {
        crate::error::CoreError::Singular(
            "the Jacobian of the moments has deficient rank at the current parameters: the moments do not \
             identify every parameter there (check the moment function, `jacobian` and `start`)"
                .to_string(),
        )
    })?;
    let scale = 1.0 + phi.iter().fold(0.0f64, |a, v| a.max(v.abs()));
    let converged = step.iter().all(|s| s.abs() <= STEP_TOLERANCE * scale);
    let s = want_s.then(|| moment_covariance(&g, None));
    Ok(UserStep { objective: value, step, slope, converged, s })
}

/// The objective gbar' W gbar (W = `weight`^-1, or the identity).
pub fn objective(mo: &UserMoments<'_>, weight: Option<MatRef<'_, f64>>, has_proxy: bool) -> Result<f64> {
    mo.validate()?;
    let w = optional_factor(weight, mo.q(), mo.k(), has_proxy)?;
    Ok(quad_form(&column_means(&mo.stacked()), w.as_ref()))
}

/// One evaluation point of the result: moments and block Jacobians.
#[derive(Debug, Clone)]
pub struct UserPoint<'a> {
    pub moments: UserMoments<'a>,
    pub jacobian: UserJacobian<'a>,
}

/// What the finite-sample covariance needs beyond the two points: the
/// row-level derivatives of every block at the step-1 estimate and of the
/// target block at the final estimate.
#[derive(Debug, Clone)]
pub struct SmallSampleInput<'a> {
    pub at1: UserRowDerivatives<'a>,
    pub target2: &'a [f64],
}

/// J statistic, covariances and degrees of freedom of a two-step fit whose
/// step-1 (identity-weight) estimate is `at1` and final (weight S(phi1)^-1)
/// estimate `at2`.
pub fn result(
    at1: &UserPoint<'_>,
    at2: &UserPoint<'_>,
    small_sample: Option<&SmallSampleInput<'_>>,
    has_proxy: bool,
) -> Result<UserGmmFit> {
    at1.moments.validate()?;
    at2.moments.validate()?;
    let mo2 = &at2.moments;
    let (n, k, q) = (mo2.n, mo2.k(), mo2.q());
    let g1 = at1.moments.stacked();
    let g2 = mo2.stacked();
    let jac1 = at1.moments.jacobian(&at1.jacobian)?;
    let jac2 = mo2.jacobian(&at2.jacobian)?;
    let kk = jac2.ncols();
    if q < kk {
        return invalid(format!("{q} moments cannot identify {kk} parameters"));
    }
    let s1 = moment_covariance(&g1, None);
    let s2 = moment_covariance(&g2, None);
    let w1 = weight_factor(s1.as_ref(), k, has_proxy)?;
    let gbar2 = column_means(&g2);
    let j_stat = n as f64 * quad_form(&gbar2, Some(&w1));
    let j_df = q - kk;
    let j_pvalue = if j_df > 0 {
        ChiSquared::new(j_df as f64).map(|d| d.sf(j_stat)).unwrap_or(f64::NAN)
    } else {
        1.0
    };
    let sf = weight_factor(s2.as_ref(), k, has_proxy)?;
    let jw = sf.whiten(jac2.as_ref());
    let info = jw.transpose() * &jw;
    let inv = SpdFactor::new(info.as_ref(), "the GMM information matrix G' S^-1 G")?.inverse();
    let covariance = Mat::from_fn(kk, kk, |i, j| 0.5 * (inv[(i, j)] + inv[(j, i)]) / n as f64);
    let n_lab = mo2.labeled.len();
    let df = n_lab as f64 - kk as f64;
    let covariance_small_sample = match small_sample {
        None => None,
        Some(ss) => {
            if n_lab <= kk {
                return invalid(format!("{n_lab} labeled rows cannot support the finite-sample variance of {kk} parameters"));
            }
            let p = at2.jacobian.target.ncols();
            check_derivatives(&at1.moments, &ss.at1, p)?;
            if ss.target2.len() != n_lab * k * p {
                return invalid("the final target block's row derivatives have the wrong length");
            }
            // Windmeijer: v = W gbar(phi2) with W = S(phi1)^-1.
            let v = w1.solve_vec(&gbar2);
            let ds_v = ds_times(&g1, &at1.moments, &ss.at1, &v, p);
            let lev1 = leverage_excess(ss.at1.target, n_lab, k, p)?;
            let lev2 = leverage_excess(ss.target2, n_lab, k, p)?;
            let s1v = moment_covariance(&g1, Some((at1.moments.labeled, &lev1)));
            let s2v = moment_covariance(&g2, Some((mo2.labeled, &lev2)));
            let vc = corrected_covariance(&Pieces { w1: &w1, jac2: &jac2, s2: &s2v, jac1: &jac1, s1: &s1v, ds_v: &ds_v, n })?;
            let scale = n_lab as f64 / df;
            Some(Mat::from_fn(kk, kk, |i, j| vc[(i, j)] * scale))
        }
    };
    Ok(UserGmmFit { covariance, covariance_small_sample, df, j_stat, j_df, j_pvalue })
}

fn check_derivatives(mo: &UserMoments<'_>, d: &UserRowDerivatives<'_>, p: usize) -> Result<()> {
    let k = mo.k();
    if d.target.len() != mo.labeled.len() * k * p
        || d.sources.len() != mo.sources.len()
        || d.sources.iter().any(|s| s.len() != mo.n * k * p)
    {
        return invalid("the row derivatives have the wrong shape");
    }
    Ok(())
}

/// `(dS/dphi_j) v` for every parameter j at the point whose stacked moments
/// are `g` (q x K): (1/n) sum_i [d_ij (g_i' v) + g_i (d_ij' v)] with d_ij =
/// dg_i/dphi_j, non-zero only in the moment rows of phi_j's block.
fn ds_times(g: &Mat<f64>, mo: &UserMoments<'_>, d: &UserRowDerivatives<'_>, v: &[f64], p: usize) -> Mat<f64> {
    let (n, k, q) = (mo.n, mo.k(), mo.q());
    let m_src = mo.sources.len();
    let n_lab = mo.labeled.len();
    let a: Vec<f64> = (0..n).map(|i| (0..q).map(|c| g[(i, c)] * v[c]).sum()).collect();
    let mut lab = vec![false; n];
    for &i in mo.labeled {
        lab[i] = true;
    }
    let mut out = Mat::<f64>::zeros(q, p * (1 + m_src));
    let add_row_part = |out: &mut Mat<f64>, j: usize, i: usize, dv: f64| {
        if dv != 0.0 {
            for s in 0..q {
                out[(s, j)] += g[(i, s)] * dv;
            }
        }
    };
    for c in 0..p {
        for (t, &i) in mo.labeled.iter().enumerate() {
            let dt = |r: usize| d.target[t + n_lab * (r + k * c)];
            let dv: f64 = (0..k).map(|r| dt(r) * v[r]).sum();
            for r in 0..k {
                out[(r, c)] += dt(r) * a[i];
            }
            add_row_part(&mut out, c, i, dv);
        }
    }
    for (m, dm) in d.sources.iter().enumerate() {
        let (off_l, off_a) = (k * (1 + 2 * m), k * (2 + 2 * m));
        for c in 0..p {
            let j = p * (1 + m) + c;
            for i in 0..n {
                let di = |r: usize| dm[i + n * (r + k * c)];
                let dv: f64 = (0..k)
                    .map(|r| di(r) * (if lab[i] { v[off_l + r] } else { 0.0 } + v[off_a + r]))
                    .sum();
                for r in 0..k {
                    let x = di(r) * a[i];
                    if lab[i] {
                        out[(off_l + r, j)] += x;
                    }
                    out[(off_a + r, j)] += x;
                }
                add_row_part(&mut out, j, i, dv);
            }
        }
    }
    let nf = n as f64;
    Mat::from_fn(q, p * (1 + m_src), |i, j| out[(i, j)] / nf)
}

/// Leverage multipliers minus one, `1 / (1 - h_t)^power - 1` (power
/// [`DEFAULT_LEVERAGE_POWER`]), of the labeled rows from the target block's
/// row derivatives `d` (n_lab x k x p): h_t = tr((D'D)^{-1} D' D_t), clamped
/// to [0, 0.99] as for the GLM.
fn leverage_excess(d: &[f64], n_lab: usize, k: usize, p: usize) -> Result<Vec<f64>> {
    let at = |t: usize, r: usize, c: usize| d[t + n_lab * (r + k * c)];
    let dsum = Mat::from_fn(k, p, |r, c| (0..n_lab).map(|t| at(t, r, c)).sum::<f64>());
    let dtd = dsum.transpose() * &dsum;
    let f = SpdFactor::new(dtd.as_ref(), "the Jacobian of the labeled rows' moments")?;
    let hmat = f.solve(dsum.transpose()); // p x k
    Ok((0..n_lab)
        .map(|t| {
            let mut h = 0.0;
            for a in 0..p {
                for b in 0..k {
                    h += hmat[(a, b)] * at(t, b, a);
                }
            }
            (1.0 - h.clamp(0.0, 0.99)).powi(-DEFAULT_LEVERAGE_POWER) - 1.0
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::super::twostep::{two_step, Problem};
    use super::super::Surrogate;
    use super::*;
    use crate::glm::Family;
    use rand::Rng;
    use rand_distr::StandardNormal;

    /// A logistic regression with a proxy and a synthetic source, written as
    /// user moments: the blocks, mean Jacobians and row derivatives at phi.
    struct Glm {
        n: usize,
        x: Vec<f64>,
        y: Vec<f64>,
        ys: [Vec<f64>; 2],
        lab: Vec<bool>,
        rows: Vec<usize>,
    }

    fn glm_data(n: usize) -> Glm {
        let mut rng = crate::parallel::replicate_rng(17, 0);
        let mut x = vec![1.0; 2 * n];
        let (mut y, mut yp, mut ys, mut lab) = (vec![0.0; n], vec![0.0; n], vec![0.0; n], vec![false; n]);
        for i in 0..n {
            let z: f64 = rng.sample(StandardNormal);
            x[n + i] = z;
            let pr = crate::glm::expit(0.2 + 0.7 * z);
            y[i] = (rng.random::<f64>() < pr) as u8 as f64;
            yp[i] = if rng.random::<f64>() < 0.8 { y[i] } else { 1.0 - y[i] };
            ys[i] = if rng.random::<f64>() < 0.6 { y[i] } else { (rng.random::<f64>() < pr) as u8 as f64 };
            lab[i] = rng.random::<f64>() < 0.3;
        }
        let rows = (0..n).filter(|&i| lab[i]).collect();
        Glm { n, x, y, ys: [yp, ys], lab, rows }
    }

    /// Moments (row-major per block, as column-major matrices), mean
    /// Jacobians and row derivatives of psi = x (y - expit(x'b)).
    fn block(g: &Glm, y: &[f64], rows: &[usize], b: &[f64]) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        let nb = rows.len();
        let (mut m, mut d) = (vec![0.0; nb * 2], vec![0.0; nb * 4]);
        let mut jac = vec![0.0; 4];
        for (t, &i) in rows.iter().enumerate() {
            let xi = [1.0, g.x[g.n + i]];
            let mu = crate::glm::expit(xi[0] * b[0] + xi[1] * b[1]);
            let w = mu * (1.0 - mu);
            for r in 0..2 {
                m[t + nb * r] = xi[r] * (y[i] - mu);
                for c in 0..2 {
                    d[t + nb * (r + 2 * c)] = -w * xi[r] * xi[c];
                    jac[r + 2 * c] += -w * xi[r] * xi[c] / nb as f64;
                }
            }
        }
        (m, jac, d)
    }

    type Blk = (Vec<f64>, Vec<f64>, Vec<f64>);

    /// Views of one point's blocks: target `t`, sources `s` (all-row block
    /// and labeled-row mean Jacobian).
    fn point<'a>(g: &'a Glm, t: &'a Blk, s: &'a [(Blk, Vec<f64>)]) -> (UserMoments<'a>, UserJacobian<'a>) {
        let view = |v: &'a [f64], r: usize| MatRef::from_column_major_slice(v, r, 2);
        (
            UserMoments {
                n: g.n,
                labeled: &g.rows,
                target: view(&t.0, g.rows.len()),
                sources: s.iter().map(|b| view(&b.0 .0, g.n)).collect(),
            },
            UserJacobian { target: view(&t.1, 2), sources: s.iter().map(|b| (view(&b.1, 2), view(&b.0 .1, 2))).collect() },
        )
    }

    #[test]
    fn glm_moments_reproduce_the_glm_estimator() {
        let g = glm_data(600);
        let xm = MatRef::from_column_major_slice(&g.x, g.n, 2);
        let pr = Problem {
            family: Family::Binomial,
            x: xm,
            y: &g.y,
            labeled: &g.lab,
            sources: vec![Surrogate { x: xm, y: &g.ys[0] }, Surrogate { x: xm, y: &g.ys[1] }],
            has_proxy: true,
            weights: None,
        };
        let fit = two_step(&pr).unwrap();
        let all: Vec<usize> = (0..g.n).collect();
        let nl = g.rows.len();
        // Blocks at a parameter vector, kept alive for the views.
        let eval = |phi: &[f64]| {
            let t = block(&g, &g.y, &g.rows, &phi[0..2]);
            let s: Vec<_> = (0..2)
                .map(|m| {
                    let par = &phi[2 * (1 + m)..2 * (2 + m)];
                    (block(&g, &g.ys[m], &all, par), block(&g, &g.ys[m], &g.rows, par).1)
                })
                .collect();
            (t, s)
        };
        let (t1, s1) = eval(&fit.step1);
        let (t2, s2) = eval(&fit.params);
        let (m1, j1) = point(&g, &t1, &s1);
        let (m2, j2) = point(&g, &t2, &s2);
        // At the GLM estimate the step is converged, with the GLM's weight.
        let w = step(&m1, &j1, None, &fit.step1, true, true).unwrap();
        assert!(w.converged, "step 1 not converged: {:?}", w.step);
        let st = step(&m2, &j2, w.s.as_ref().map(|s| s.as_ref()), &fit.params, false, true).unwrap();
        assert!(st.converged, "step 2 not converged: {:?}", st.step);
        let ss = SmallSampleInput {
            at1: UserRowDerivatives { target: &t1.2, sources: s1.iter().map(|b| b.0 .2.as_slice()).collect() },
            target2: &t2.2,
        };
        let res = result(&UserPoint { moments: m1, jacobian: j1 }, &UserPoint { moments: m2, jacobian: j2 }, Some(&ss), true).unwrap();
        assert!((res.j_stat - fit.j_stat).abs() < 1e-8 * (1.0 + fit.j_stat), "{} vs {}", res.j_stat, fit.j_stat);
        assert_eq!(res.j_df, fit.j_df);
        let scale = nl as f64 / (nl as f64 - 6.0);
        let cs = res.covariance_small_sample.unwrap();
        for i in 0..6 {
            for j in 0..6 {
                let (a, b) = (res.covariance[(i, j)], fit.covariance[(i, j)]);
                assert!((a - b).abs() < 1e-9 * b.abs().max(1e-3), "asymptotic [{i},{j}] {a} vs {b}");
                let (a, b) = (cs[(i, j)], fit.covariance_windmeijer[0][(i, j)] * scale);
                assert!((a - b).abs() < 1e-9 * b.abs().max(1e-3), "small sample [{i},{j}] {a} vs {b}");
            }
        }
        assert_eq!(res.df, nl as f64 - 6.0);
    }

    #[test]
    fn bad_shapes_are_errors() {
        let t = vec![1.0; 4];
        let s = vec![1.0; 3];
        let rows = [0usize, 2];
        let mo = UserMoments {
            n: 3,
            labeled: &rows,
            target: MatRef::from_column_major_slice(&t, 2, 2),
            sources: vec![MatRef::from_column_major_slice(&s, 3, 1)],
        };
        assert!(objective(&mo, None, true).unwrap_err().to_string().contains("3 x 2"));
    }
}
