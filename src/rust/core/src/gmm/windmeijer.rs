//! Windmeijer's (2005) finite-sample correction of the two-step GMM variance.
//!
//! The two-step estimator phi2 minimises gbar(phi)' W(phi1) gbar(phi) with
//! W(phi1) = S(phi1)^{-1} built at the step-1 estimate. The usual variance
//! V2 = (G' W G)^{-1} / n treats W as fixed; with few labeled rows the
//! noise that phi1 carries into W is of the same order as what V2 measures,
//! and V2 is too small. Differentiating the first-order condition
//! G' W(phi1) gbar(phi2) = 0 in phi1 gives
//!
//! ```text
//! d phi2 / d phi1_j = A^{-1} G' W (dS/dphi_j) W gbar(phi2),  A = G' W G,
//! ```
//!
//! collected in the K x K matrix D, and the corrected variance
//!
//! ```text
//! Vc = V2 + D V2 + V2 D' + D V1 D',
//! ```
//!
//! with V1 the robust variance of the step-1 (identity-weight) estimator
//! (Windmeijer 2005, J. Econometrics 126, eq. 3.4; the same expansion holds
//! for non-linear moments with the Jacobian at phi2).
//!
//! dS/dphi_j applied to v = W gbar(phi2) is accumulated row by row:
//! (dS/dphi_j) v = (1/n) sum_i [ dg_i/dphi_j (g_i' v) + g_i (dg_i/dphi_j' v) ],
//! where dg_i/dphi_j is non-zero only in the moment rows of the parameter
//! block (theta or eta_m) that phi_j belongs to: -w_i x_i x_ik there.

use super::twostep::Problem;
use crate::glm::linalg::SpdFactor;
use crate::glm::rows::{add_into, add_outer_lower, chunked_reduce, symmetrize_lower, Columns};
use faer::Mat;

/// `(dS/dphi_j) v` for every parameter j, as a q x K column-major matrix,
/// with S and its derivative at `phi`.
pub(super) fn ds_times(pr: &Problem<'_>, phi: &[f64], v: &[f64]) -> Mat<f64> {
    let p = pr.x.ncols();
    let m_src = pr.sources.len();
    let q = p * (1 + 2 * m_src);
    let k = p * (1 + m_src);
    let n = pr.x.nrows();
    let xcols = Columns::new(pr.x);
    let scols: Vec<Columns<'_>> = pr.sources.iter().map(|s| Columns::new(s.x)).collect();
    // Per-row scratch: g_i (q), one design row per parameter block (p each),
    // the block weights and the scalars dg_i/dphi_j' v (K).
    let acc = chunked_reduce(
        n,
        || (vec![0.0; q * k], vec![0.0; q + (1 + m_src) * (p + 1)]),
        |(c, scratch), i| {
            let (g, rest) = scratch.split_at_mut(q);
            let (rows, w) = rest.split_at_mut((1 + m_src) * p);
            g.iter_mut().for_each(|v| *v = 0.0);
            let lab = pr.labeled[i];
            // Sampling weight: row i's moments are rw g_i, their derivatives
            // rw dg_i (see `Problem::weights`).
            let rw = pr.row_weight(i);
            // Moments of row i and the design rows of each parameter block.
            xcols.row_into(i, &mut rows[..p]);
            let e = xcols.eta(i, &phi[..p]);
            w[0] = if lab { rw * pr.family.weight(e) } else { 0.0 };
            if lab {
                let r = rw * (pr.y[i] - pr.family.mean(e));
                for j in 0..p {
                    g[j] = rows[j] * r;
                }
            }
            for (m, (src, cols)) in pr.sources.iter().zip(&scols).enumerate() {
                let xb = &mut rows[p * (1 + m)..p * (2 + m)];
                cols.row_into(i, xb);
                let e = cols.eta(i, &phi[p * (1 + m)..p * (2 + m)]);
                w[1 + m] = rw * pr.family.weight(e);
                let r = rw * (src.y[i] - pr.family.mean(e));
                let off = p * (1 + 2 * m);
                for j in 0..p {
                    if lab {
                        g[off + j] = xb[j] * r;
                    }
                    g[off + p + j] = xb[j] * r;
                }
            }
            let a: f64 = g.iter().zip(v).map(|(x, y)| x * y).sum();
            // Block b's moment rows dotted with v, per design column: s_b.
            for b in 0..=m_src {
                let xb = &rows[p * b..p * (b + 1)];
                let wb = w[b];
                if wb == 0.0 {
                    continue;
                }
                let s_b: f64 = if b == 0 {
                    (0..p).map(|r| xb[r] * v[r]).sum()
                } else {
                    let off = p * (1 + 2 * (b - 1));
                    (0..p)
                        .map(|r| xb[r] * (if lab { v[off + r] } else { 0.0 } + v[off + p + r]))
                        .sum()
                };
                for kk in 0..p {
                    let j = p * b + kk;
                    let col = &mut c[j * q..(j + 1) * q];
                    // g_i (dg_i/dphi_j' v)
                    let d_dot_v = -wb * xb[kk] * s_b;
                    if d_dot_v != 0.0 {
                        for (cc, gg) in col.iter_mut().zip(g.iter()) {
                            *cc += gg * d_dot_v;
                        }
                    }
                    // dg_i/dphi_j (g_i' v), in the block's moment rows only.
                    let f = -wb * xb[kk] * a;
                    if b == 0 {
                        for r in 0..p {
                            col[r] += xb[r] * f;
                        }
                    } else {
                        let off = p * (1 + 2 * (b - 1));
                        for r in 0..p {
                            if lab {
                                col[off + r] += xb[r] * f;
                            }
                            col[off + p + r] += xb[r] * f;
                        }
                    }
                }
            }
        },
        |a, b| add_into(&mut a.0, &b.0),
    )
    .0;
    let nf = n as f64;
    Mat::from_fn(q, k, |i, j| acc[i + j * q] / nf)
}

/// Leverage multipliers of the moment covariance, minus one, for the
/// labeled rows `labeled` (in that order): the multiplier
/// `1 / (1 - h_i)^power`, with `h_i = w_i x_i' (sum_L w x x')^-1 x_i` the
/// leverage of labeled row i in the labeled-rows GLM fit at `theta`
/// (power 1: HC2-type, 2: HC3-type; MacKinnon and White 1985), undoes the
/// downward bias of outer-product variances on high-leverage rows.
/// Unlabeled rows keep multiplier 1: their leverage in the all-rows blocks
/// is of order p / n.
pub(super) fn leverage_excess(pr: &Problem<'_>, labeled: &[usize], theta: &[f64], power: i32) -> crate::error::Result<Vec<f64>> {
    let p = pr.x.ncols();
    let xcols = Columns::new(pr.x);
    let mut info = vec![0.0; p * p];
    let mut xi = vec![0.0; p];
    // With sampling weights c_i, the leverage of the weighted fit:
    // h_i = c_i w_i x_i' (sum_L c w x x')^-1 x_i.
    let weights: Vec<f64> = labeled.iter().map(|&i| pr.row_weight(i) * pr.family.weight(xcols.eta(i, theta))).collect();
    for (&i, &w) in labeled.iter().zip(&weights) {
        xcols.row_into(i, &mut xi);
        add_outer_lower(&mut info, p, &xi, w);
    }
    symmetrize_lower(&mut info, p);
    let f = SpdFactor::new(faer::MatRef::from_column_major_slice(&info, p, p), "the labeled rows' information matrix")?;
    Ok(labeled
        .iter()
        .zip(&weights)
        .map(|(&i, &w)| {
            xcols.row_into(i, &mut xi);
            let z = f.solve_vec(&xi);
            let h = w * xi.iter().zip(&z).map(|(a, b)| a * b).sum::<f64>();
            // A row that alone pins a coefficient (h = 1) would get an
            // infinite multiplier; cap it.
            (1.0 - h.min(0.99)).powi(-power) - 1.0
        })
        .collect())
}

/// The pieces of a two-step fit the corrected covariance needs: `w1` the
/// factor of S(phi1) (the weight's inverse), `jac2` the Jacobian at phi2,
/// `s2` the moment covariance at phi2, `jac1` and `s1` the Jacobian and
/// moment covariance at phi1, `ds_v` = [`ds_times`] at phi1 with
/// v = W gbar(phi2), `n` the number of rows.
pub(super) struct Pieces<'a> {
    pub w1: &'a SpdFactor,
    pub jac2: &'a Mat<f64>,
    pub s2: &'a Mat<f64>,
    pub jac1: &'a Mat<f64>,
    pub s1: &'a Mat<f64>,
    pub ds_v: &'a Mat<f64>,
    pub n: usize,
}

pub(super) fn corrected_covariance(pc: &Pieces<'_>) -> crate::error::Result<Mat<f64>> {
    let nf = pc.n as f64;
    let jw = pc.w1.whiten(pc.jac2.as_ref());
    let a = jw.transpose() * &jw;
    let af = SpdFactor::new(a.as_ref(), "the GMM information matrix G' W G")?;
    // The two-step estimator's own sandwich with the weight it used.
    let gws = jw.transpose() * pc.w1.whiten(pc.s2.as_ref());
    let gwsg = &gws * pc.w1.solve(pc.jac2.as_ref());
    let v2 = af.sandwich(crate::glm::linalg::symmetrized(gwsg.as_ref()).as_ref()) * (1.0 / nf);
    let cw = pc.w1.whiten(pc.ds_v.as_ref());
    let d = af.solve((jw.transpose() * &cw).as_ref());
    // Step-1 robust variance: (G1'G1)^{-1} G1' S1 G1 (G1'G1)^{-1} / n.
    let g1 = pc.jac1;
    let gg = g1.transpose() * g1;
    let ggf = SpdFactor::new(gg.as_ref(), "the step-1 GMM Jacobian cross-product (collinear covariates, or a covariate on a scale far from the \
         intercept's or with a large offset against its spread, such as dates or years: \
         center or rescale it)")?;
    let mid = g1.transpose() * pc.s1 * g1;
    let v1 = ggf.sandwich(mid.as_ref()) * (1.0 / nf);
    let dv2 = &d * &v2;
    let vc = &v2 + &dv2 + dv2.transpose() + &d * &v1 * d.transpose();
    Ok(crate::glm::linalg::symmetrized(vc.as_ref()))
}

#[cfg(test)]
mod tests {
    use super::super::twostep::{moment_factor, two_step, Problem};
    use super::super::Surrogate;
    use super::*;
    use crate::glm::Family;
    use faer::MatRef;
    use rand::Rng;
    use rand_distr::StandardNormal;

    struct Data {
        x: Vec<f64>,
        y: Vec<f64>,
        ys: Vec<f64>,
        yp: Vec<f64>,
        lab: Vec<bool>,
    }

    fn data(n: usize, family: Family, seed: u64) -> Data {
        let mut rng = crate::parallel::replicate_rng(seed, 0);
        let mut x = vec![1.0; 2 * n];
        let (mut y, mut ys, mut yp, mut lab) = (vec![0.0; n], vec![0.0; n], vec![0.0; n], vec![false; n]);
        for i in 0..n {
            let z: f64 = rng.sample(StandardNormal);
            let e: f64 = rng.sample(StandardNormal);
            let u: f64 = rng.sample(StandardNormal);
            x[n + i] = z;
            let eta = 0.3 + 0.5 * z;
            match family {
                Family::Binomial => {
                    let uu: f64 = rng.random();
                    y[i] = (uu < crate::glm::expit(eta)) as u8 as f64;
                    ys[i] = if rng.random::<f64>() < 0.7 { y[i] } else { (rng.random::<f64>() < 0.5) as u8 as f64 };
                    yp[i] = if rng.random::<f64>() < 0.8 { y[i] } else { 1.0 - y[i] };
                }
                _ => {
                    y[i] = eta + e;
                    ys[i] = 0.8 * eta + 0.7 * e + 0.6 * u;
                    yp[i] = y[i] + rng.sample::<f64, _>(StandardNormal);
                }
            }
            lab[i] = i % 4 == 0;
        }
        Data { x, y, ys, yp, lab }
    }

    /// The two-column model matrix of `d`.
    fn design(d: &Data) -> MatRef<'_, f64> {
        MatRef::from_column_major_slice(&d.x, d.y.len(), 2)
    }

    #[test]
    fn ds_times_matches_finite_differences_of_s() {
        for family in [Family::Gaussian, Family::Binomial] {
            let d = data(300, family, 4);
            let x = design(&d);
            let pr = Problem {
                family,
                x,
                y: &d.y,
                labeled: &d.lab,
                sources: vec![Surrogate { x, y: &d.yp }, Surrogate { x, y: &d.ys }],
                has_proxy: true,
                weights: None,
            };
            let phi = vec![0.2, 0.4, 0.25, 0.45, 0.1, 0.35];
            let q = 10;
            let v: Vec<f64> = (0..q).map(|i| (i as f64 * 0.37).sin()).collect();
            let c = ds_times(&pr, &phi, &v);
            let h = 1e-6;
            for j in 0..6 {
                let (mut a, mut b) = (phi.clone(), phi.clone());
                a[j] += h;
                b[j] -= h;
                let sa = pr.moments(&a, true, false).s.unwrap();
                let sb = pr.moments(&b, true, false).s.unwrap();
                for r in 0..q {
                    let fd: f64 = (0..q).map(|t| (sa[r + t * q] - sb[r + t * q]) / (2.0 * h) * v[t]).sum();
                    assert!((fd - c[(r, j)]).abs() < 1e-6 * (1.0 + fd.abs()), "{family:?} j={j} r={r}: {fd} vs {}", c[(r, j)]);
                }
            }
        }
    }

    /// D, the derivative of the step-2 estimate in the step-1 estimate, checked
    /// by re-solving step 2 with the weight built at perturbed step-1 values.
    #[test]
    fn derivative_of_step2_in_step1_matches_resolving() {
        let d = data(400, Family::Gaussian, 9);
        let x = design(&d);
        let pr = Problem { family: Family::Gaussian, x, y: &d.y, labeled: &d.lab, sources: vec![Surrogate { x, y: &d.ys }], has_proxy: false, weights: None };
        let fit = two_step(&pr).unwrap();
        let k = 4;
        let solve2 = |phi1: &[f64]| {
            let s = pr.moments(phi1, true, false).s.unwrap();
            let w = moment_factor(&pr, &s).unwrap();
            pr.gauss_newton(&fit.params, Some(&w), "t").unwrap().0
        };
        let at1 = pr.moments(&fit.step1, true, false);
        let w1 = moment_factor(&pr, at1.s.as_ref().unwrap()).unwrap();
        let fin = pr.moments(&fit.params, false, true);
        let v = w1.solve_vec(&fin.gbar);
        let c = ds_times(&pr, &fit.step1, &v);
        let jw = w1.whiten(fin.jac.as_ref().unwrap().as_ref());
        let a = jw.transpose() * &jw;
        let af = SpdFactor::new(a.as_ref(), "A").unwrap();
        let dmat = af.solve((jw.transpose() * w1.whiten(c.as_ref())).as_ref());
        let h = 1e-5;
        for j in 0..k {
            let (mut up, mut dn) = (fit.step1.clone(), fit.step1.clone());
            up[j] += h;
            dn[j] -= h;
            let (pu, pd) = (solve2(&up), solve2(&dn));
            for i in 0..k {
                let fd = (pu[i] - pd[i]) / (2.0 * h);
                assert!((fd - dmat[(i, j)]).abs() < 1e-4 * (1.0 + fd.abs()) + 1e-7, "D[{i},{j}]: {fd} vs {}", dmat[(i, j)]);
            }
        }
        // The correction adds variance: the corrected theta variances exceed
        // the uncorrected ones here.
        for i in 0..2 {
            assert!(fit.covariance_windmeijer[0][(i, i)] > 0.0);
        }
    }
}

#[cfg(test)]
mod leverage_tests {
    use super::super::twostep::Problem;
    use super::*;
    use crate::glm::Family;
    use faer::MatRef;

    /// HC2 multipliers are 1 / (1 - h) with h the hat values of least squares
    /// on the labeled rows, here computed by hand for a 2-column design
    /// (`leverage_excess` returns the multiplier minus one).
    #[test]
    fn leverage_multipliers_are_hat_values_for_ols() {
        let xs = [-1.0, 0.5, 2.0, 0.0, 3.0, -2.0, 1.0];
        let n = xs.len();
        let mut x = vec![1.0; 2 * n];
        x[n..].copy_from_slice(&xs);
        let xm = MatRef::from_column_major_slice(&x, n, 2);
        let y = vec![0.0; n];
        let lab = [true, true, true, false, true, true, false];
        let pr = Problem { family: Family::Gaussian, x: xm, y: &y, labeled: &lab, sources: vec![], has_proxy: false, weights: None };
        let rows: Vec<usize> = (0..n).filter(|&i| lab[i]).collect();
        let c = leverage_excess(&pr, &rows, &[0.0, 0.0], 1).unwrap();
        let lx: Vec<f64> = rows.iter().map(|&i| xs[i]).collect();
        let m = lx.len() as f64;
        let mean = lx.iter().sum::<f64>() / m;
        let sxx: f64 = lx.iter().map(|v| (v - mean) * (v - mean)).sum();
        for (t, &i) in rows.iter().enumerate() {
            let h = 1.0 / m + (xs[i] - mean).powi(2) / sxx;
            assert!((c[t] + 1.0 - 1.0 / (1.0 - h)).abs() < 1e-12, "row {i}");
        }
        let c3 = leverage_excess(&pr, &rows, &[0.0, 0.0], 2).unwrap();
        assert!((c3[0] + 1.0 - (c[0] + 1.0).powi(2)).abs() < 1e-12);
    }
}
