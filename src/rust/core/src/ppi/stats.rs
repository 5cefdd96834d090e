//! One pass over the rows at an estimate `theta`: the per-row gradient
//! moments PPI++'s power tuning and variance need (ppi-python's
//! `_*_get_stats`), and the loss, gradient and Hessian of each of the three
//! blocks of the rectified loss, so that the next Newton fit, at another
//! lambda, starts from this pass instead of making its own.

use super::PpiData;
use crate::glm::newton::{scale_rows, Quadratic};
use crate::glm::rows::{
    add_into, add_outer, add_outer_lower, chunked_reduce_ranges, dot, linear_predictor, slice_columns,
    symmetrize_lower, weighted_gram_lower, with_scratch, Columns,
};
use crate::glm::vecmath::{fused_available, row_terms, sum4, with_fma, Arith, ChunkRows, Fused, Separate};
use crate::glm::Family;
use std::ops::Range;

/// Sums over rows at one estimate. "g" is the per-row loss gradient
/// `x (mu - y)` with the true data, "h" the same with the proxies; L the
/// labeled rows, U the unlabeled ones. Matrices are p x p column-major
/// and symmetric once [`Stats::compute`] returns.
pub(super) struct Stats {
    /// Sums over L of g, h, g g', g h', h h'.
    pub sum_g: Vec<f64>,
    pub sum_h: Vec<f64>,
    pub sum_gg: Vec<f64>,
    pub sum_gh: Vec<f64>,
    pub sum_hh: Vec<f64>,
    /// Sums over U of h and h h'.
    pub sum_u: Vec<f64>,
    pub sum_uu: Vec<f64>,
    /// Hessian sums `sum w x x'`: L with the true data, L with the proxies,
    /// U with the proxies.
    pub hess_l: Vec<f64>,
    pub hess_lp: Vec<f64>,
    pub hess_u: Vec<f64>,
    /// Loss sums of the same three blocks (0 unless asked for).
    pub loss_l: f64,
    pub loss_lp: f64,
    pub loss_u: f64,
    /// Under sampling weights c (`PpiData::weights`), g and h above are the
    /// weighted gradients `c x (mu - y)` (so `sum_gg` is `sum c^2 g g'` of the
    /// unweighted ones, and the Hessian and loss sums are weighted); these
    /// are the sums over L of `c g` and `c h` and over U of `c h`
    /// (`sum c^2 g` and so on of the unweighted gradients), which centre the
    /// design-based variances. Zero when unweighted.
    pub sum_g2: Vec<f64>,
    pub sum_h2: Vec<f64>,
    pub sum_u2: Vec<f64>,
}

impl Stats {
    fn zeros(p: usize) -> Stats {
        let (v, m) = (vec![0.0; p], vec![0.0; p * p]);
        Stats {
            sum_g: v.clone(),
            sum_h: v.clone(),
            sum_gg: m.clone(),
            sum_gh: m.clone(),
            sum_hh: m.clone(),
            sum_u: v,
            sum_uu: m.clone(),
            hess_l: m.clone(),
            hess_lp: m.clone(),
            hess_u: m,
            loss_l: 0.0,
            loss_lp: 0.0,
            loss_u: 0.0,
            sum_g2: vec![0.0; p],
            sum_h2: vec![0.0; p],
            sum_u2: vec![0.0; p],
        }
    }

    fn matrices(&mut self) -> [&mut Vec<f64>; 7] {
        [
            &mut self.sum_gg,
            &mut self.sum_gh,
            &mut self.sum_hh,
            &mut self.sum_uu,
            &mut self.hess_l,
            &mut self.hess_lp,
            &mut self.hess_u,
        ]
    }

    fn merge(&mut self, mut other: Stats) {
        for (a, b) in [
            (&mut self.sum_g, &other.sum_g),
            (&mut self.sum_h, &other.sum_h),
            (&mut self.sum_u, &other.sum_u),
            (&mut self.sum_g2, &other.sum_g2),
            (&mut self.sum_h2, &other.sum_h2),
            (&mut self.sum_u2, &other.sum_u2),
        ] {
            add_into(a, b);
        }
        for (a, b) in self.matrices().into_iter().zip(other.matrices()) {
            add_into(a, b);
        }
        self.loss_l += other.loss_l;
        self.loss_lp += other.loss_lp;
        self.loss_u += other.loss_u;
    }

    /// All sums at `theta`, in one pass. `with_loss`: also the three loss
    /// sums (one logarithm per row more), wanted when a Newton fit follows.
    /// `ones`: a column of the proxy covariates known to be all ones.
    pub fn compute(family: Family, d: &PpiData<'_>, theta: &[f64], with_loss: bool, ones: Option<usize>) -> Stats {
        let p = theta.len();
        let (xc, pc) = (Columns::new(d.x), Columns::new(d.x_proxy).with_ones(ones));
        let mut st = chunked_reduce_ranges(
            d.x.nrows(),
            || Stats::zeros(p),
            |acc, range| {
                with_scratch(4 * range.len(), |scratch| {
                    if fused_available() {
                        with_fma(
                            #[inline(always)]
                            || acc.add_chunk::<Fused>(family, d, theta, &xc, &pc, range, with_loss, scratch),
                        )
                    } else {
                        acc.add_chunk::<Separate>(family, d, theta, &xc, &pc, range, with_loss, scratch)
                    }
                })
            },
            |a, b| a.merge(b),
        );
        // gh is a full cross-product; the others were accumulated on the lower triangle.
        for m in st.matrices().into_iter().enumerate().filter(|(k, _)| *k != 1).map(|(_, m)| m) {
            symmetrize_lower(m, p);
        }
        st
    }

    /// One chunk. The unlabeled rows (nearly all of them) go through the
    /// vectorised row kernel and column-wise sums; the labeled ones, few per
    /// chunk, row by row.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn add_chunk<M: Arith>(&mut self, family: Family, d: &PpiData<'_>, theta: &[f64], xc: &Columns<'_>, pc: &Columns<'_>, range: Range<usize>, with_loss: bool, scratch: &mut [f64]) {
        let p = theta.len();
        let m = range.len();
        let xs = slice_columns(pc, &range);
        let (eta, rest) = scratch.split_at_mut(m);
        let (r, rest) = rest.split_at_mut(m);
        let (w, loss) = rest.split_at_mut(m);
        linear_predictor::<M>(eta, &xs, theta);
        // Unlabeled residuals, weights and losses (0 on labeled rows).
        let (y, rows) = (&d.y_proxy[range.clone()], ChunkRows::Where(&d.labeled[range.clone()], false));
        let cw = d.weights.map(|c| &c[range.clone()]);
        if with_loss {
            row_terms::<M, true>(family, eta, y, rows, r, w, loss);
            if let Some(c) = cw {
                scale_rows(c, &mut [&mut *r, &mut *w, &mut *loss]);
            }
            self.loss_u += sum4(loss);
        } else {
            row_terms::<M, false>(family, eta, y, rows, r, w, loss);
            if let Some(c) = cw {
                scale_rows(c, &mut [&mut *r, &mut *w]);
            }
        }
        for (s, x) in self.sum_u.iter_mut().zip(&xs) {
            *s += dot::<M>(x, r);
        }
        weighted_gram_lower::<M>(&mut self.hess_u, &xs, w, eta);
        if let Some(c) = cw {
            // c^2 (mu - y): `loss` is free once summed.
            for ((t, rr), cc) in loss.iter_mut().zip(r.iter()).zip(c) {
                *t = rr * cc;
            }
            for (s, x) in self.sum_u2.iter_mut().zip(&xs) {
                *s += dot::<M>(x, loss);
            }
        }
        r.iter_mut().for_each(|v| *v *= *v);
        weighted_gram_lower::<M>(&mut self.sum_uu, &xs, r, eta);
        let (mut xi, mut xp, mut g, mut h) = (vec![0.0; p], vec![0.0; p], vec![0.0; p], vec![0.0; p]);
        for i in range.filter(|&i| d.labeled[i]) {
            xc.row_into(i, &mut xi);
            pc.row_into(i, &mut xp);
            let c = d.weights.map_or(1.0, |c| c[i]);
            let (eta_l, eta_p) = (xc.eta(i, theta), pc.eta(i, theta));
            let (l_l, mu_l, w_l) = family.loss_mean_weight(eta_l, d.y[i]);
            let (l_p, mu_p, w_p) = family.loss_mean_weight(eta_p, d.y_proxy[i]);
            if with_loss {
                self.loss_l += c * l_l;
                self.loss_lp += c * l_p;
            }
            let (rl, rh) = (c * (mu_l - d.y[i]), c * (mu_p - d.y_proxy[i]));
            for j in 0..p {
                g[j] = xi[j] * rl;
                h[j] = xp[j] * rh;
            }
            add_outer_lower(&mut self.hess_l, p, &xi, c * w_l);
            add_outer_lower(&mut self.hess_lp, p, &xp, c * w_p);
            add_into(&mut self.sum_g, &g);
            add_into(&mut self.sum_h, &h);
            if d.weights.is_some() {
                self.sum_g2.iter_mut().zip(&g).for_each(|(s, v)| *s += c * v);
                self.sum_h2.iter_mut().zip(&h).for_each(|(s, v)| *s += c * v);
            }
            add_outer_lower(&mut self.sum_gg, p, &g, 1.0);
            add_outer(&mut self.sum_gh, &g, &h, 1.0);
            add_outer_lower(&mut self.sum_hh, p, &h, 1.0);
        }
    }

    /// The rectified objective `L_L / n + lam (L~_U / N - L~_L / n)` at this
    /// estimate, as Newton's method evaluates it (needs `with_loss`); `n`
    /// and `big_n` are the labeled and unlabeled weight sums (row counts
    /// when unweighted).
    pub fn rectified_quadratic(&self, lam: f64, n: f64, big_n: f64) -> Quadratic {
        let (a, b, c) = (1.0 / n, lam / big_n, -lam / n);
        let mix = |l: &[f64], u: &[f64], lp: &[f64]| -> Vec<f64> {
            (0..l.len()).map(|k| a * l[k] + b * u[k] + c * lp[k]).collect()
        };
        Quadratic {
            loss: a * self.loss_l + b * self.loss_u + c * self.loss_lp,
            grad: mix(&self.sum_g, &self.sum_u, &self.sum_h),
            hess: mix(&self.hess_l, &self.hess_u, &self.hess_lp),
        }
    }

    /// The Hessian of the variance and tuning formulas: pooled over L (true
    /// data) and U (proxies) as ppi-python does, or L alone; `n` and `big_n`
    /// as in [`Stats::rectified_quadratic`].
    pub fn mean_hessian(&self, pooled: bool, n: f64, big_n: f64) -> Vec<f64> {
        if pooled {
            let denom = n + big_n;
            self.hess_l.iter().zip(&self.hess_u).map(|(l, u)| (l + u) / denom).collect()
        } else {
            self.hess_l.iter().map(|l| l / n).collect()
        }
    }
}
