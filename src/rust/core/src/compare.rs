//! Monte Carlo comparison of estimators on fully labeled data: repeatedly
//! hide labels, refit every method, score against the full-data truth.
//!
//! The evaluation of Byun et al. (and of the PPI literature): every unit of a
//! data set carries a human label, the estimate with all labels is taken as
//! the truth, and each trial keeps the labels of a random subset of size
//! `round(fraction * n)` only. Each (fraction, trial) pair draws its subset
//! from its own random stream, `replicate_rng(seed, fraction_index * trials +
//! trial)`, so the subsets, and therefore every result, are the same whatever
//! the number of threads.
//!
//! Besides the estimators, a comparison can score PPI++Synth with an
//! *oracle* mixing weight ([`oracle_ppi_synth`]): for each trial and
//! coefficient, the grid weight whose estimate lands closest to the truth.
//! It needs the truth, so it is no method, only the upper bound of the
//! PPI++Synth family that Byun et al. plot.

use crate::dist::t_two_sided;
use crate::error::{invalid, Result};
use crate::glm::Family;
use crate::gmm::sim::J_LEVEL;
use crate::estimate::{fit, with_mix_data, Method, SynthData};
use crate::monitor::Monitor;
use crate::parallel::{map_fold, replicate_rng, with_threads};
use crate::ppi::synth::{alpha_grid, ppi_synth_fixed};
use rand::Rng;

/// Point estimates and interval endpoints of one fit, one entry per coefficient.
#[derive(Debug, Clone, PartialEq)]
pub struct Interval {
    pub estimate: Vec<f64>,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
    /// p-value of Hansen's J test (GMM fits only).
    pub j_pvalue: Option<f64>,
}

/// The layout of a comparison: `trials` label subsets for each fraction.
#[derive(Debug, Clone)]
pub struct Plan {
    pub n: usize,
    pub fractions: Vec<f64>,
    pub trials: usize,
    pub seed: u64,
}

impl Plan {
    /// Check the plan; every fraction must leave at least two labeled units
    /// and at least one unlabeled unit.
    pub fn new(n: usize, fractions: Vec<f64>, trials: usize, seed: u64) -> Result<Plan> {
        if trials == 0 {
            return invalid("`trials` must be at least 1.");
        }
        if fractions.is_empty() {
            return invalid("`fractions` must not be empty.");
        }
        let plan = Plan { n, fractions, trials, seed };
        for (i, &f) in plan.fractions.iter().enumerate() {
            if !(f > 0.0 && f < 1.0) {
                return invalid(format!("`fractions` must lie in (0, 1); element {} is {f}.", i + 1));
            }
            let k = plan.n_labeled(i);
            if k < 2 || k >= n {
                return invalid(format!(
                    "`fractions` element {} ({f}) labels {k} of {n} units; \
                     a trial needs at least 2 labeled and 1 unlabeled unit.",
                    i + 1
                ));
            }
        }
        Ok(plan)
    }

    /// Number of labeled units at fraction `f_idx`.
    pub fn n_labeled(&self, f_idx: usize) -> usize {
        (self.fractions[f_idx] * self.n as f64).round() as usize
    }

    /// The labeled mask of trial `trial` at fraction `f_idx`: a uniformly
    /// random subset of size `n_labeled(f_idx)`, by a partial Fisher-Yates
    /// shuffle on the (fraction, trial) stream.
    pub fn mask(&self, f_idx: usize, trial: usize) -> Vec<bool> {
        let mut rng = replicate_rng(self.seed, (f_idx * self.trials + trial) as u64);
        let k = self.n_labeled(f_idx);
        let mut idx: Vec<usize> = (0..self.n).collect();
        let mut mask = vec![false; self.n];
        for i in 0..k {
            let j = rng.random_range(i..self.n);
            idx.swap(i, j);
            mask[idx[i]] = true;
        }
        mask
    }

    /// Run `fit` on every (fraction, trial) mask in parallel on `threads`
    /// workers and hand each cell's fits, in the order fraction then trial,
    /// to `fold(f_idx, fits)`. `fit` returns one result per method; a failed
    /// fit stays an `Err` so the caller can count it instead of aborting the
    /// whole comparison. Cells are buffered a chunk at a time only, so memory
    /// does not grow with `trials`; `monitor` counts finished cells and
    /// stops the run when cancelled.
    pub fn run<F>(
        &self,
        threads: usize,
        monitor: &Monitor,
        fit: F,
        mut fold: impl FnMut(usize, Vec<Result<Interval>>) + Send,
    ) -> Result<()>
    where
        F: Fn(&[bool]) -> Vec<Result<Interval>> + Sync,
    {
        let cells = crate::memory::product(self.fractions.len(), self.trials, "the number of trials")?;
        with_threads(threads, || {
            map_fold(
                cells,
                monitor,
                |c| Ok(fit(&self.mask(c / self.trials, c % self.trials))),
                |c, fits| {
                    fold(c / self.trials, fits);
                    Ok(())
                },
            )
        })?
    }
}

/// Accuracy of one method at one fraction for one coefficient.
#[derive(Debug, Clone, PartialEq)]
pub struct Score {
    /// Mean squared error of the estimate around the truth.
    pub mse: f64,
    /// Share of intervals containing the truth.
    pub coverage: f64,
    /// Mean interval width.
    pub width: f64,
    /// Trials whose fit succeeded (the averages are over these).
    pub n_ok: usize,
    /// Share of those trials whose J test rejected at level
    /// [`J_LEVEL`]; None for methods without a J test.
    pub j_reject: Option<f64>,
}

/// Running sums of one method's fits at one fraction, fed trial by trial.
/// Failed fits (`Err`) or fits with a non-finite value are left out and
/// counted; the message of the first failure is kept.
#[derive(Debug, Clone)]
struct ScoreSums {
    sq_error: Vec<f64>,
    covered: Vec<f64>,
    width: Vec<f64>,
    n_ok: usize,
    /// GMM fits: J tests run and rejected at [`J_LEVEL`].
    j_tests: usize,
    j_rejected: usize,
    first_error: Option<String>,
}

impl ScoreSums {
    fn new(p: usize) -> ScoreSums {
        ScoreSums { sq_error: vec![0.0; p], covered: vec![0.0; p], width: vec![0.0; p], n_ok: 0, j_tests: 0, j_rejected: 0, first_error: None }
    }

    fn add(&mut self, truth: &[f64], fit: &Result<Interval>) {
        let f = match fit {
            Ok(f) => f,
            Err(e) => {
                self.first_error.get_or_insert_with(|| e.to_string());
                return;
            }
        };
        let p = truth.len();
        let usable = f.estimate.len() == p
            && f.lower.len() == p
            && f.upper.len() == p
            && f.estimate.iter().chain(&f.lower).chain(&f.upper).all(|v| v.is_finite());
        if !usable {
            return;
        }
        for (j, &t) in truth.iter().enumerate() {
            self.sq_error[j] += (f.estimate[j] - t).powi(2);
            self.covered[j] += f64::from(u8::from(f.lower[j] <= t && t <= f.upper[j]));
            self.width[j] += f.upper[j] - f.lower[j];
        }
        self.n_ok += 1;
        if let Some(pv) = f.j_pvalue {
            self.j_tests += 1;
            self.j_rejected += usize::from(pv < J_LEVEL);
        }
    }

    /// Means over the successful fits; NaN for a coefficient with none,
    /// which the R side reports as NA with a warning.
    fn scores(&self) -> Vec<Score> {
        let m = self.n_ok as f64;
        let j_reject = (self.j_tests > 0).then(|| self.j_rejected as f64 / self.j_tests as f64);
        (0..self.sq_error.len())
            .map(|j| Score {
                mse: self.sq_error[j] / m,
                coverage: self.covered[j] / m,
                width: self.width[j] / m,
                n_ok: self.n_ok,
                j_reject,
            })
            .collect()
    }
}

/// Average the fits of one method over trials, coefficient by coefficient.
/// Failed fits (`Err`) or fits with a non-finite value are left out and
/// counted; a coefficient with no successful trial gets NaN scores, which the
/// R side reports as NA with a warning.
pub fn score(truth: &[f64], fits: &[&Result<Interval>]) -> Vec<Score> {
    let mut sums = ScoreSums::new(truth.len());
    fits.iter().for_each(|f| sums.add(truth, f));
    sums.scores()
}

/// The outcome of [`compare_glm`].
#[derive(Debug, Clone)]
pub struct Comparison {
    /// Full-data classical estimates, the truth of the comparison.
    pub truth: Vec<f64>,
    /// Scores indexed `[(f_idx * methods + m) * p + j]`, the oracle (when
    /// asked for) counting as a last method.
    pub scores: Vec<Score>,
    /// For each (fraction, method), in the same order, the message of the
    /// first failed fit (empty when none failed).
    pub first_error: Vec<String>,
}

/// Wald interval at level `1 - alpha`, `z` its normal or t quantile.
fn wald(coefficients: Vec<f64>, covariance: &faer::Mat<f64>, z: f64, j_pvalue: Option<f64>) -> Interval {
    let p = coefficients.len();
    let se: Vec<f64> = (0..p).map(|j| covariance[(j, j)].max(0.0).sqrt()).collect();
    Interval {
        lower: (0..p).map(|j| coefficients[j] - z * se[j]).collect(),
        upper: (0..p).map(|j| coefficients[j] + z * se[j]).collect(),
        estimate: coefficients,
        j_pvalue,
    }
}

/// PPI++Synth with the oracle weight: for each coefficient, the interval of
/// the grid weight whose estimate is closest to `truth` (weights whose fit
/// fails are skipped). Not a valid method: it looks at the truth.
pub fn oracle_ppi_synth(family: Family, data: &SynthData<'_>, labeled: &[bool], truth: &[f64], z: f64) -> Result<Interval> {
    let proxy = data
        .proxy
        .ok_or_else(|| crate::error::CoreError::InvalidArgument("the oracle PPI++Synth needs a proxy".into()))?;
    let fits: Vec<Interval> = with_mix_data(data, proxy, labeled, |d| {
        Ok(alpha_grid()
            .into_iter()
            .filter_map(|a| ppi_synth_fixed(family, d, a).ok())
            .map(|f| wald(f.coefficients, &f.covariance, z, None))
            .collect())
    })?;
    if fits.is_empty() {
        return invalid("the PPI++Synth fit failed at every grid weight");
    }
    let p = truth.len();
    let mut out = Interval { estimate: vec![0.0; p], lower: vec![0.0; p], upper: vec![0.0; p], j_pvalue: None };
    for j in 0..p {
        let best = fits
            .iter()
            .min_by(|a, b| (a.estimate[j] - truth[j]).abs().total_cmp(&(b.estimate[j] - truth[j]).abs()))
            .expect("not empty");
        out.estimate[j] = best.estimate[j];
        out.lower[j] = best.lower[j];
        out.upper[j] = best.upper[j];
    }
    Ok(out)
}

/// Compare estimators on fully labeled data (every `data.y` observed): the
/// classical fit on all rows is the truth; each trial of `plan` keeps the
/// labels of its subset only and fits every method there (and, if `oracle`,
/// the oracle PPI++Synth after them). Trials run in parallel on `threads`
/// workers; the results do not depend on `threads`. `monitor` counts
/// finished (fraction, trial) cells and stops the run when cancelled.
#[allow(clippy::too_many_arguments)]
pub fn compare_glm(
    methods: &[Method],
    oracle: bool,
    family: Family,
    data: &SynthData<'_>,
    plan: &Plan,
    alpha: f64,
    threads: usize,
    monitor: &Monitor,
) -> Result<Comparison> {
    if data.x.nrows() != plan.n {
        return invalid(format!("the plan has {} units but the data {}", plan.n, data.x.nrows()));
    }
    if !(alpha > 0.0 && alpha < 1.0) {
        return invalid("`alpha` must lie in (0, 1).");
    }
    let all = vec![true; plan.n];
    let truth = with_threads(threads, || fit(Method::Classical, family, data, &all))??.coefficients;
    let n_methods = methods.len() + usize::from(oracle);
    let mut sums = vec![ScoreSums::new(truth.len()); plan.fractions.len() * n_methods];
    plan.run(
        threads,
        monitor,
        |mask| {
            let mut out: Vec<Result<Interval>> = methods
                .iter()
                .map(|&m| {
                    fit(m, family, data, mask).map(|f| {
                        let z = t_two_sided(alpha, f.df);
                        wald(f.coefficients, &f.covariance, z, f.j_pvalue)
                    })
                })
                .collect();
            if oracle {
                out.push(oracle_ppi_synth(family, data, mask, &truth, t_two_sided(alpha, f64::INFINITY)));
            }
            out
        },
        |f_idx, fits| {
            for (m, r) in fits.iter().enumerate() {
                sums[f_idx * n_methods + m].add(&truth, r);
            }
        },
    )?;
    let scores = sums.iter().flat_map(ScoreSums::scores).collect();
    let first_error = sums.iter().map(|s| s.first_error.clone().unwrap_or_default()).collect();
    Ok(Comparison { truth, scores, first_error })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_have_the_right_size_and_differ_between_trials() {
        let plan = Plan::new(100, vec![0.1, 0.25], 5, 3).unwrap();
        for f in 0..2 {
            for t in 0..5 {
                let m = plan.mask(f, t);
                assert_eq!(m.iter().filter(|&&b| b).count(), plan.n_labeled(f));
            }
        }
        assert_ne!(plan.mask(0, 0), plan.mask(0, 1));
        assert_eq!(plan.mask(1, 4), plan.mask(1, 4));
    }

    #[test]
    fn masks_are_uniform_over_units() {
        // Each unit is labeled with probability k / n = 0.2; over 2000 trials
        // the count per unit has sd sqrt(2000 * 0.2 * 0.8) ~ 17.9 around 400,
        // so 6 sd (~107) bounds every one of the 50 units comfortably.
        let plan = Plan::new(50, vec![0.2], 2000, 11).unwrap();
        let mut counts = vec![0usize; 50];
        for t in 0..2000 {
            for (i, b) in plan.mask(0, t).into_iter().enumerate() {
                counts[i] += usize::from(b);
            }
        }
        assert!(counts.iter().all(|&c| (c as f64 - 400.0).abs() < 107.0), "{counts:?}");
    }

    #[test]
    fn run_does_not_depend_on_threads() {
        let plan = Plan::new(200, vec![0.1, 0.3], 40, 9).unwrap();
        // A toy "fit": the first labeled index and the labeled count.
        let fit = |m: &[bool]| {
            let first = m.iter().position(|&b| b).unwrap() as f64;
            let k = m.iter().filter(|&&b| b).count() as f64;
            vec![Ok(Interval { estimate: vec![first], lower: vec![first - k], upper: vec![first + k], j_pvalue: None })]
        };
        let collect = |threads| {
            let mut out = Vec::new();
            plan.run(threads, &Monitor::default(), fit, |f, fits| out.push((f, fits))).unwrap();
            out
        };
        let a = collect(1);
        assert_eq!(a, collect(2));
        assert_eq!(a.len(), 80);
        assert_eq!(a[39].0, 0);
        assert_eq!(a[40].0, 1);
    }

    #[test]
    fn score_matches_hand_computation() {
        let fits = [
            Ok(Interval { estimate: vec![1.0], lower: vec![0.0], upper: vec![2.0], j_pvalue: Some(0.005) }),
            Ok(Interval { estimate: vec![3.0], lower: vec![2.5], upper: vec![3.5], j_pvalue: Some(0.5) }),
            Err(crate::CoreError::NoConvergence("x".into())),
            Ok(Interval { estimate: vec![f64::NAN], lower: vec![0.0], upper: vec![1.0], j_pvalue: Some(0.001) }),
        ];
        let refs: Vec<_> = fits.iter().collect();
        let s = score(&[1.5], &refs);
        assert_eq!(s[0].n_ok, 2);
        assert!((s[0].mse - (0.25 + 2.25) / 2.0).abs() < 1e-15);
        assert_eq!(s[0].coverage, 0.5);
        assert!((s[0].width - 1.5).abs() < 1e-15);
        // J rejections among the two kept fits: one (p = 0.005 < 0.01).
        assert_eq!(s[0].j_reject, Some(0.5));
    }

    #[test]
    fn plan_rejects_degenerate_fractions() {
        assert!(Plan::new(10, vec![0.05], 3, 1).is_err()); // round(0.5) labels fewer than 2
        assert!(Plan::new(10, vec![1.0], 3, 1).is_err());
        assert!(Plan::new(10, vec![0.5], 0, 1).is_err());
        assert!(Plan::new(10, vec![0.5], 3, 1).is_ok());
    }

    #[test]
    fn compare_glm_is_thread_independent_and_classical_covers() {
        // y = 1 + 2 x + e, a proxy y + noise; 90% intervals over 100 trials
        // must cover the full-data estimate more than 80% of the time
        // (binomial sd of the coverage sqrt(.9 * .1 / 100) = 0.03, so 0.80 is
        // 3.3 sd below nominal; the full-data truth shares units with each
        // subset, which only raises coverage). Kept small: debug builds.
        let n = 300;
        let mut rng = replicate_rng(5, 0);
        let xs: Vec<f64> = (0..n).map(|_| rng.random::<f64>() * 2.0 - 1.0).collect();
        let y: Vec<f64> = xs.iter().map(|x| 1.0 + 2.0 * x + (rng.random::<f64>() - 0.5) * 3.0).collect();
        let yp: Vec<f64> = y.iter().map(|v| v + (rng.random::<f64>() - 0.5)).collect();
        let mut xd = vec![1.0; n];
        xd.extend_from_slice(&xs);
        let x = faer::MatRef::from_column_major_slice(&xd, n, 2);
        let data = SynthData { x, y: &y, proxy: Some(crate::estimate::Surrogate { x, y: &yp }), synthetic: vec![], weights: None };
        let plan = Plan::new(n, vec![0.1, 0.25], 100, 1).unwrap();
        let methods = [Method::Classical, Method::PpiPlusPlus, Method::GmmProxy];
        let a = compare_glm(&methods, false, Family::Gaussian, &data, &plan, 0.1, 1, &Monitor::default()).unwrap();
        let b = compare_glm(&methods, false, Family::Gaussian, &data, &plan, 0.1, 2, &Monitor::default()).unwrap();
        assert_eq!(a.scores, b.scores);
        assert_eq!(a.scores.len(), 2 * 3 * 2);
        for s in &a.scores {
            assert_eq!(s.n_ok, 100);
            assert!(s.coverage > 0.8, "{s:?}");
        }
    }

    #[test]
    fn oracle_is_never_worse_than_ppi_plus_plus() {
        // The grid holds alpha = 1, which is PPI++ exactly, so in every trial
        // and for every coefficient the oracle's error is at most PPI++'s:
        // its MSE cannot exceed PPI++'s. J rates exist for GMM only.
        let n = 200;
        let mut rng = replicate_rng(8, 0);
        let xs: Vec<f64> = (0..n).map(|_| rng.random::<f64>() * 2.0 - 1.0).collect();
        let e: Vec<f64> = (0..n).map(|_| rng.random::<f64>() - 0.5).collect();
        let y: Vec<f64> = (0..n).map(|i| 1.0 + 2.0 * xs[i] + 3.0 * e[i]).collect();
        let yp: Vec<f64> = y.iter().map(|v| v + (rng.random::<f64>() - 0.5)).collect();
        let ys: Vec<f64> = (0..n).map(|i| 1.0 + 2.0 * xs[i] + 2.0 * e[i] + rng.random::<f64>() - 0.5).collect();
        let mut xd = vec![1.0; n];
        xd.extend_from_slice(&xs);
        let x = faer::MatRef::from_column_major_slice(&xd, n, 2);
        let s = |y| crate::estimate::Surrogate { x, y };
        let data = SynthData { x, y: &y, proxy: Some(s(&yp)), synthetic: vec![s(&ys)], weights: None };
        let plan = Plan::new(n, vec![0.2], 30, 2).unwrap();
        let methods = [Method::PpiPlusPlus, Method::Gmm];
        let c = compare_glm(&methods, true, Family::Gaussian, &data, &plan, 0.1, 1, &Monitor::default()).unwrap();
        assert_eq!(c.scores.len(), 3 * 2);
        for j in 0..2 {
            let (ppi, gmm, oracle) = (&c.scores[j], &c.scores[2 + j], &c.scores[4 + j]);
            assert!(oracle.mse <= ppi.mse, "{oracle:?} {ppi:?}");
            assert_eq!(oracle.n_ok, 30);
            assert!(ppi.j_reject.is_none() && oracle.j_reject.is_none());
            assert!(gmm.j_reject.is_some());
        }
    }
}
