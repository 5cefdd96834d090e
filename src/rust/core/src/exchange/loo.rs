//! Leave-one-task-out intervals (Algorithm 1 with each historical task held
//! out in turn) in one pass.
//!
//! Holding out task j leaves T - 1 historical tasks, so the ranks `k_L`,
//! `k_U` and the critical value of the gap intervals are the same for every
//! j. The endpoints are therefore sorted once, and the k-th smallest value
//! among all tasks but j is read off the sorted vector: it is the k-th
//! smallest overall if j sorts after position k, else the (k + 1)-th. Ties do
//! not matter, since tied values are equal. The mean gap without task j is
//! the exact total minus task j's gap, rounded once (see [`super::exact_sum`]):
//! bit-for-bit the mean a fit on the reduced history computes. Total cost
//! O(T log T).

use super::interval::{check_band_finite, check_finite, check_se, gap_z, target_interval, Calibration, Interval, Method};
use super::exact_sum::ExactSum;
use super::order::{k_lower, k_upper, GapBand};
use super::split::Alphas;
use crate::error::{invalid, Result};
use rayon::prelude::*;

/// Values sorted once, with each original position's rank.
struct Ranked {
    sorted: Vec<f64>,
    rank: Vec<usize>,
}

impl Ranked {
    fn new(x: &[f64]) -> Ranked {
        let mut idx: Vec<usize> = (0..x.len()).collect();
        idx.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
        let mut rank = vec![0; x.len()];
        for (r, &i) in idx.iter().enumerate() {
            rank[i] = r;
        }
        Ranked { sorted: idx.iter().map(|&i| x[i]).collect(), rank }
    }

    /// The k-th smallest (1-based) value among all but position `j`;
    /// `-Inf` for k = 0 and `+Inf` beyond the T - 1 remaining values.
    fn kth_without(&self, j: usize, k: usize) -> f64 {
        if k == 0 {
            f64::NEG_INFINITY
        } else if k >= self.sorted.len() {
            f64::INFINITY
        } else if self.rank[j] < k {
            self.sorted[k]
        } else {
            self.sorted[k - 1]
        }
    }
}

/// Interval for target `i` calibrated on every historical task but
/// `held[i]` (0-based), with `alphas` chosen for T - 1 tasks. Targets are
/// processed in parallel in the caller's rayon pool; the result does not
/// depend on the thread count. `monitor` counts finished targets and stops
/// the loop when cancelled.
#[allow(clippy::too_many_arguments)]
pub fn leave_one_out(
    gap_est: &[f64],
    gap_se: &[f64],
    held: &[usize],
    synth_est: &[f64],
    synth_se: &[f64],
    alphas: Alphas,
    method: Method,
    bounds: Option<(f64, f64)>,
    monitor: &crate::monitor::Monitor,
) -> Result<Vec<Interval>> {
    let t = gap_est.len();
    if t < 2 {
        return invalid("leave-one-task-out needs at least 2 historical tasks");
    }
    if gap_se.len() != t {
        return invalid("gap estimates and standard errors differ in length");
    }
    if synth_est.len() != held.len() || synth_se.len() != held.len() {
        return invalid("one synthetic estimate, standard error and held-out task per target");
    }
    if let Some(&j) = held.iter().find(|&&j| j >= t) {
        return invalid(format!("held-out task {} is not among the {t} historical tasks", j + 1));
    }
    check_finite(gap_est, "gap estimate")?;
    check_se(gap_se, "gap standard error")?;
    if method != Method::FiniteSample && !(alphas.a1 > 0.0 && alphas.a2 > 0.0) {
        return invalid("a1 and a2 must be positive for the population target");
    }
    let t1 = t - 1;
    let z = gap_z(method, alphas, t1);
    let lower: Vec<f64> = gap_est.iter().zip(gap_se).map(|(g, s)| g - z * s).collect();
    let upper: Vec<f64> = gap_est.iter().zip(gap_se).map(|(g, s)| g + z * s).collect();
    let (lo, hi, pt) = (Ranked::new(&lower), Ranked::new(&upper), Ranked::new(gap_est));
    let (kl, ku) = (k_lower(t1, alphas.a3), k_upper(t1, alphas.a3));
    let total = ExactSum::new(gap_est)?;
    monitor.set_total(held.len());
    held.par_iter()
        .enumerate()
        .map(|(i, &j)| {
            monitor.check()?;
            monitor.advance(1);
            let band = GapBand { lower: lo.kth_without(j, kl), upper: hi.kth_without(j, ku), k_lower: kl, k_upper: ku };
            check_band_finite(&band, alphas.a3, t1)?;
            let spread = GapBand { lower: pt.kth_without(j, kl), upper: pt.kth_without(j, ku), k_lower: kl, k_upper: ku };
            let mean_gap = total.without(gap_est[j]) / t1 as f64;
            let cal = Calibration { method, alphas, band, spread, mean_gap, n_tasks: t1 };
            target_interval(&cal, synth_est[i], synth_se[i], bounds)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exchange::calibrate;

    #[test]
    fn matches_calibration_on_the_reduced_history() {
        // Ties in the estimates and standard errors on purpose.
        let est: Vec<f64> = (0..41).map(|i| ((i * 17) % 13) as f64 / 10.0 - 0.5).collect();
        let se: Vec<f64> = (0..41).map(|i| 0.05 + ((i * 7) % 5) as f64 / 50.0).collect();
        let held: Vec<usize> = (0..41).rev().collect();
        let synth: Vec<f64> = (0..41).map(|i| i as f64 / 41.0).collect();
        let sse = vec![0.02; 41];
        let alphas = Alphas { a1: 0.01, a2: 0.01, a3: 0.08 };
        for method in [Method::Population, Method::TaskOnly, Method::FiniteSample] {
            let fast = crate::parallel::with_threads(2, || {
                leave_one_out(&est, &se, &held, &synth, &sse, alphas, method, Some((-1.0, 1.5)), &Default::default())
            })
            .unwrap()
            .unwrap();
            for (i, &j) in held.iter().enumerate() {
                let keep = |v: &[f64]| v.iter().enumerate().filter(|&(k, _)| k != j).map(|(_, x)| *x).collect::<Vec<_>>();
                let cal = calibrate(&keep(&est), &keep(&se), alphas, method, None).unwrap();
                let slow = target_interval(&cal, synth[i], sse[i], Some((-1.0, 1.5))).unwrap();
                assert_eq!(fast[i], slow, "{method:?} task {j}");
            }
        }
    }

    #[test]
    fn too_few_tasks_is_an_error() {
        let a = Alphas { a1: 0.01, a2: 0.01, a3: 0.08 };
        let r = leave_one_out(&[0.1; 5], &[0.1; 5], &[0], &[0.0], &[0.1], a, Method::Population, None, &Default::default());
        assert!(r.unwrap_err().to_string().contains("infinite"));
    }
}
