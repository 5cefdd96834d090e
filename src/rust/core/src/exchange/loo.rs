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

use super::interval::{calibrate, check_band_finite, check_history, clip, gap_intervals, target_interval, Calibration, Interval, Method};
use super::table::{gap_band_split, result_table};
use crate::dist::z_two_sided;
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

/// Algorithm 1 calibrations of T historical tasks with any one task held
/// out, prepared in O(T log T) so that each costs O(1) (plus the copy of the
/// exact sum): the endpoints are sorted once and the mean is the exact total
/// less the held-out gap. `alphas` are chosen for the T - 1 remaining tasks.
pub struct LeaveOneOut<'a> {
    gap_est: &'a [f64],
    lower: Ranked,
    upper: Ranked,
    points: Ranked,
    total: ExactSum,
    alphas: Alphas,
    method: Method,
    k_lower: usize,
    k_upper: usize,
}

impl<'a> LeaveOneOut<'a> {
    pub fn new(gap_est: &'a [f64], gap_se: &[f64], alphas: Alphas, method: Method) -> Result<LeaveOneOut<'a>> {
        let t = gap_est.len();
        if t < 2 {
            return invalid("leave-one-task-out needs at least 2 historical tasks");
        }
        check_history(gap_est, gap_se, alphas, method)?;
        let t1 = t - 1;
        let (lower, upper) = gap_intervals(gap_est, gap_se, alphas, method, t1);
        Ok(LeaveOneOut {
            gap_est,
            lower: Ranked::new(&lower),
            upper: Ranked::new(&upper),
            points: Ranked::new(gap_est),
            total: ExactSum::new(gap_est)?,
            alphas,
            method,
            k_lower: k_lower(t1, alphas.a3),
            k_upper: k_upper(t1, alphas.a3),
        })
    }

    /// Number of historical tasks, the held-out one included.
    pub fn n_tasks(&self) -> usize {
        self.gap_est.len()
    }

    /// The calibration on every task but `j` (0-based, below
    /// [`LeaveOneOut::n_tasks`]); an error when its band is infinite.
    pub fn without(&self, j: usize) -> Result<Calibration> {
        let t1 = self.n_tasks() - 1;
        let (kl, ku) = (self.k_lower, self.k_upper);
        let band = GapBand { lower: self.lower.kth_without(j, kl), upper: self.upper.kth_without(j, ku), k_lower: kl, k_upper: ku };
        check_band_finite(&band, self.alphas.a3, t1)?;
        let spread = GapBand { lower: self.points.kth_without(j, kl), upper: self.points.kth_without(j, ku), k_lower: kl, k_upper: ku };
        let mean_gap = self.total.without(self.gap_est[j]) / t1 as f64;
        Ok(Calibration { method: self.method, alphas: self.alphas, band, spread, mean_gap, n_tasks: t1 })
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
    if synth_est.len() != held.len() || synth_se.len() != held.len() {
        return invalid("one synthetic estimate, standard error and held-out task per target");
    }
    if let Some(&j) = held.iter().find(|&&j| j >= t) {
        return invalid(format!("held-out task {} is not among the {t} historical tasks", j + 1));
    }
    let calibrations = LeaveOneOut::new(gap_est, gap_se, alphas, method)?;
    monitor.set_total(held.len());
    held.par_iter()
        .enumerate()
        .map(|(i, &j)| {
            monitor.check()?;
            monitor.advance(1);
            target_interval(&calibrations.without(j)?, synth_est[i], synth_se[i], bounds)
        })
        .collect()
}

result_table! {
    /// The per-task table of `exchangeable_loo()`: each held-out task's
    /// interval beside its truth (the real estimate) and the naive
    /// synthetic-only Wald interval at the same level.
    pub struct HeldOutTable {
        estimate: Real,
        conf_low: Real,
        conf_high: Real,
        truth: Real,
        covered: Flag,
        width: Real,
        synth_est: Real,
        naive_low: Real,
        naive_high: Real,
        naive_covered: Flag,
        naive_width: Real,
    }
}

/// `low <= x <= high`, unknown when an endpoint is.
fn contains(low: f64, high: f64, x: f64) -> Option<bool> {
    if low.is_nan() || high.is_nan() {
        None
    } else {
        Some(low <= x && x <= high)
    }
}

/// Compare intervals with the held-out truths. `synth_se` may be `NaN`
/// (finite-sample tables without standard errors): the naive interval is
/// then unknown. The naive interval is at level `1 - alpha`, clipped.
#[allow(clippy::too_many_arguments)]
pub fn held_out_table(
    estimate: &[f64],
    low: &[f64],
    high: &[f64],
    synth_est: &[f64],
    synth_se: &[f64],
    truth: &[f64],
    alpha: f64,
    bounds: Option<(f64, f64)>,
) -> Result<HeldOutTable> {
    let n = estimate.len();
    if [low.len(), high.len(), synth_est.len(), synth_se.len(), truth.len()].iter().any(|&k| k != n) {
        return invalid("one synthetic estimate, standard error and truth per held-out task");
    }
    let z = z_two_sided(alpha);
    let mut out = HeldOutTable::default();
    for i in 0..n {
        let (naive_low, naive_high) = if synth_se[i].is_nan() {
            (f64::NAN, f64::NAN)
        } else {
            (clip(synth_est[i] - z * synth_se[i], bounds), clip(synth_est[i] + z * synth_se[i], bounds))
        };
        out.estimate.push(estimate[i]);
        out.conf_low.push(low[i]);
        out.conf_high.push(high[i]);
        out.truth.push(truth[i]);
        out.covered.push(contains(low[i], high[i], truth[i]));
        out.width.push(high[i] - low[i]);
        out.synth_est.push(synth_est[i]);
        out.naive_low.push(naive_low);
        out.naive_high.push(naive_high);
        out.naive_covered.push(contains(naive_low, naive_high, truth[i]));
        out.naive_width.push(naive_high - naive_low);
    }
    Ok(out)
}

/// Everything scalar `exchangeable_loo()` computes: target `i` is
/// calibrated on every calibration task but `held[i]` when it is one of them
/// (split chosen for T - 1 tasks), else on all T (split for T).
#[derive(Debug, Clone, Copy)]
pub struct LooRequest<'a> {
    pub gap_est: &'a [f64],
    pub gap_se: &'a [f64],
    pub held: &'a [Option<usize>],
    pub synth_est: &'a [f64],
    /// `NaN` where unknown (finite-sample tables only).
    pub synth_se: &'a [f64],
    pub truth: &'a [f64],
    pub alpha: f64,
    pub levels: Option<Alphas>,
    pub raise_a3: bool,
    pub method: Method,
    pub bounds: Option<(f64, f64)>,
}

/// The held-out table and a note when a split was raised.
#[derive(Debug, Clone, PartialEq)]
pub struct LooResult {
    pub table: HeldOutTable,
    pub note: Option<String>,
}

/// Leave-one-task-out (and split-sample) evaluation in one pass.
pub fn loo_table(req: &LooRequest, monitor: &crate::monitor::Monitor) -> Result<LooResult> {
    let m = req.held.len();
    if req.synth_est.len() != m || req.synth_se.len() != m || req.truth.len() != m {
        return invalid("one synthetic estimate, standard error and truth per target");
    }
    let t = req.gap_est.len();
    let split = |n: usize| gap_band_split(req.alpha, req.levels, req.raise_a3, None, n, req.method);
    // The interval's own standard errors: none for the finite-sample target.
    let se_of = |i: usize| if req.method == Method::FiniteSample { 0.0 } else { req.synth_se[i] };
    let mut intervals: Vec<Option<Interval>> = vec![None; m];
    let mut note = None;
    let shared: Vec<usize> = (0..m).filter(|&i| req.held[i].is_none()).collect();
    if !shared.is_empty() {
        let s = split(t)?;
        let cal = calibrate(req.gap_est, req.gap_se, s.alphas, req.method, None)?;
        for &i in &shared {
            intervals[i] = Some(target_interval(&cal, req.synth_est[i], se_of(i), req.bounds)?);
        }
        note = note.or(s.note);
    }
    let inside: Vec<usize> = (0..m).filter(|&i| req.held[i].is_some()).collect();
    if !inside.is_empty() {
        if t < 2 {
            return invalid("leave-one-task-out needs at least 2 historical tasks");
        }
        let s = split(t - 1)?;
        let held: Vec<usize> = inside.iter().map(|&i| req.held[i].unwrap()).collect();
        let est: Vec<f64> = inside.iter().map(|&i| req.synth_est[i]).collect();
        let se: Vec<f64> = inside.iter().map(|&i| se_of(i)).collect();
        let fits = leave_one_out(req.gap_est, req.gap_se, &held, &est, &se, s.alphas, req.method, req.bounds, monitor)?;
        for (&i, fit) in inside.iter().zip(fits) {
            intervals[i] = Some(fit);
        }
        note = note.or(s.note);
    }
    let intervals: Vec<Interval> = intervals.into_iter().map(|iv| iv.expect("every target is fitted")).collect();
    let col = |f: fn(&Interval) -> f64| intervals.iter().map(f).collect::<Vec<f64>>();
    let table = held_out_table(&col(|iv| iv.estimate), &col(|iv| iv.low), &col(|iv| iv.high), req.synth_est, req.synth_se, req.truth, req.alpha, req.bounds)?;
    Ok(LooResult { table, note })
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn loo_table_by_hand() {
        // T = 39 point gaps -0.19..0.19 (se 0.01); target 0 is task 0 held out,
        // target 1 is outside the calibration set.
        let g: Vec<f64> = (0..39).map(|i| (i as f64 - 19.0) / 100.0).collect();
        let s = vec![0.01; 39];
        let req = LooRequest {
            gap_est: &g,
            gap_se: &s,
            held: &[Some(0), None],
            synth_est: &[0.5, 0.4],
            synth_se: &[0.02, 0.01],
            truth: &[0.5, 0.9],
            alpha: 0.2,
            levels: None,
            raise_a3: false,
            method: Method::Population,
            bounds: Some((0.0, 1.0)),
        };
        let res = loo_table(&req, &Default::default()).unwrap();
        let t = &res.table;
        // Held-out: split for T = 38, the gap -0.19 gone.
        let keep: Vec<f64> = g[1..].to_vec();
        let a38 = crate::exchange::default_split(0.2, 2.0 / 39.0).unwrap();
        let cal = calibrate(&keep, &s[1..], a38, Method::Population, None).unwrap();
        let iv = target_interval(&cal, 0.5, 0.02, Some((0.0, 1.0))).unwrap();
        assert_eq!((t.conf_low[0], t.conf_high[0]), (iv.low, iv.high));
        let a39 = crate::exchange::default_split(0.2, 2.0 / 40.0).unwrap();
        let cal = calibrate(&g, &s, a39, Method::Population, None).unwrap();
        let iv = target_interval(&cal, 0.4, 0.01, Some((0.0, 1.0))).unwrap();
        assert_eq!((t.conf_low[1], t.conf_high[1]), (iv.low, iv.high));
        // Naive: 0.4 +- z_{0.9} 0.01 misses 0.9; the exchangeability interval
        // [0.4 - 0.01 z - 0.18 - ..., ...] misses it too.
        let z = crate::dist::qnorm(0.9);
        assert!((t.naive_low[1] - (0.4 - z * 0.01)).abs() < 1e-15);
        assert_eq!(t.naive_covered, vec![Some(true), Some(false)]);
        assert_eq!(t.covered[0], Some(true));
        assert_eq!(t.covered[1], Some(t.conf_high[1] >= 0.9));
        assert_eq!(t.width[0], t.conf_high[0] - t.conf_low[0]);
        // Unknown synthetic se (finite-sample tables): naive interval unknown.
        let fs = LooRequest { method: Method::FiniteSample, synth_se: &[f64::NAN, f64::NAN], ..req };
        let t = loo_table(&fs, &Default::default()).unwrap().table;
        assert!(t.naive_low[0].is_nan() && t.naive_covered[0].is_none() && t.covered[0].is_some());
    }
}
