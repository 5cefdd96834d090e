//! The simulation design of Tan and Zrnic, section 5.4, and its Monte Carlo
//! coverage study.
//!
//! Task `j` has a true proportion `p_j ~ Beta(2, 2)` and a synthetic
//! proportion `p~_j = clip(p_j + eps_j, 0, 1)` with `eps_j ~ N(bias, tau^2)`.
//! A real sample of `n_real` Bernoulli(`p_j`) draws and an independent
//! synthetic sample of `n_synth` Bernoulli(`p~_j`) draws give Wald estimates;
//! the gap standard error is the unpaired one. Sums of Bernoulli draws are
//! drawn directly as binomial counts (the same distribution).

use super::interval::{calibrate, clip, target_interval, Method};
use super::split::{default_split, Alphas};
use crate::dist::z_two_sided;
use crate::error::{invalid, Result};
use crate::memory::{ensure_fits, format_bytes, product, try_vec};
use crate::monitor::Monitor;
use crate::parallel::{map_fold, max_threads, replicate_rng, with_threads};
use crate::summaries::TaskSummary;
use rand::Rng;
use rand_distr::{Beta, Binomial, Distribution, Normal};

/// Parameters of the task-generating process.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TaskDesign {
    pub tau: f64,
    pub bias: f64,
    pub n_real: u64,
    pub n_synth: u64,
}

impl TaskDesign {
    fn check(&self) -> Result<()> {
        if !(self.tau >= 0.0 && self.tau.is_finite() && self.bias.is_finite()) {
            return invalid("tau must be >= 0 and bias finite");
        }
        if self.n_real < 2 || self.n_synth < 2 {
            return invalid("n_real and n_synth must be at least 2");
        }
        Ok(())
    }
}

/// One simulated task: the true real and synthetic proportions and the
/// Wald summaries of its two samples (an unpaired design).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SimTask {
    pub p: f64,
    pub p_synth: f64,
    pub summary: TaskSummary,
}

fn wald(count: u64, n: u64) -> (f64, f64) {
    let est = count as f64 / n as f64;
    (est, (est * (1.0 - est) / n as f64).sqrt())
}

fn draw_task<R: Rng>(rng: &mut R, d: &TaskDesign) -> SimTask {
    // Parameters were checked in TaskDesign::check, so construction cannot fail.
    let p = Beta::new(2.0, 2.0).expect("beta").sample(rng);
    let eps = Normal::new(d.bias, d.tau).expect("normal").sample(rng);
    let p_synth = (p + eps).clamp(0.0, 1.0);
    let real = Binomial::new(d.n_real, p).expect("binomial").sample(rng);
    let synth = Binomial::new(d.n_synth, p_synth)
        .expect("binomial")
        .sample(rng);
    let (real_est, real_se) = wald(real, d.n_real);
    let (synth_est, synth_se) = wald(synth, d.n_synth);
    SimTask {
        p,
        p_synth,
        summary: TaskSummary {
            n_real: d.n_real as usize,
            n_synth: d.n_synth as usize,
            real_est,
            real_se,
            synth_est,
            synth_se,
            gap_est: real_est - synth_est,
            gap_se: real_se.hypot(synth_se),
        },
    }
}

/// Tasks drawn between two checks of the monitor inside one replicate, so
/// that even a replicate of millions of tasks stops promptly when cancelled.
const TASKS_PER_CHECK: usize = 1 << 16;

fn draw_tasks(n: usize, d: &TaskDesign, seed: u64, rep: u64, monitor: &Monitor) -> Result<Vec<SimTask>> {
    let mut rng = replicate_rng(seed, rep);
    let mut tasks = try_vec(n, "simulating the tasks")?;
    for i in 0..n {
        if i % TASKS_PER_CHECK == 0 {
            monitor.check()?;
        }
        tasks.push(draw_task(&mut rng, d));
    }
    Ok(tasks)
}

/// `n` tasks from the design (stream 0 of `seed`).
pub fn simulate_tasks(n: usize, d: &TaskDesign, seed: u64) -> Result<Vec<SimTask>> {
    d.check()?;
    if n == 0 {
        return invalid("n_tasks must be at least 1");
    }
    draw_tasks(n, d, seed, 0, &Monitor::default())
}

/// Bytes one replicate of [`coverage_study`] holds at its peak, per task:
/// the simulated task, its gap estimate and standard error, and the sorted
/// copies of the gap-interval endpoints made by the calibration.
const STUDY_BYTES_PER_TASK: usize = std::mem::size_of::<SimTask>() + 6 * std::mem::size_of::<f64>();

/// Refuse a study whose replicates, run `threads` at a time, cannot fit in
/// memory, with the amount it needs.
fn check_study_memory(n_tasks: usize, reps: usize, threads: usize) -> Result<()> {
    let at_once = reps.min(threads.clamp(1, max_threads()));
    let per_rep = product(n_tasks.saturating_add(1), STUDY_BYTES_PER_TASK, "n_tasks")?;
    let bytes = product(per_rep, at_once, "n_tasks")?;
    ensure_fits(
        bytes,
        &format!(
            "a coverage study with {n_tasks} tasks per replicate ({} each, {at_once} at a time)",
            format_bytes(per_rep)
        ),
    )
}

/// Coverage and mean width of the exchangeability interval and of the
/// synthetic-only Wald interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Coverage {
    pub alphas: Alphas,
    pub reps: usize,
    pub coverage: f64,
    pub width: f64,
    pub synth_coverage: f64,
    pub synth_width: f64,
}

/// Monte Carlo study: each replicate draws `n_tasks + 1` tasks, the last one
/// the target, and checks whether the interval (clipped to `[0, 1]`) covers the
/// target's true `p` (population methods) or its real-sample proportion
/// (`FiniteSample`). Replicate `r` uses the stream `(seed, r)`. `monitor`
/// counts finished replicates and stops the study when cancelled.
#[allow(clippy::too_many_arguments)]
pub fn coverage_study(
    n_tasks: usize,
    alpha: f64,
    d: &TaskDesign,
    method: Method,
    reps: usize,
    seed: u64,
    threads: usize,
    monitor: &Monitor,
) -> Result<Coverage> {
    d.check()?;
    if n_tasks == 0 || reps == 0 {
        return invalid("n_tasks and reps must be at least 1");
    }
    check_study_memory(n_tasks, reps, threads)?;
    let min_a3 = 2.0 / (n_tasks as f64 + 1.0);
    let alphas = match method {
        Method::FiniteSample => {
            if alpha < min_a3 - 1e-12 {
                return invalid(format!(
                    "alpha = {alpha} needs at least {} tasks",
                    (2.0 / alpha - 1.0).ceil()
                ));
            }
            Alphas {
                a1: 0.0,
                a2: 0.0,
                a3: alpha,
            }
        }
        _ => default_split(alpha, min_a3)?,
    };
    let z_naive = z_two_sided(alpha);
    let bounds = Some((0.0, 1.0));
    let one = |rep: usize| -> Result<[f64; 4]> {
        let tasks = draw_tasks(n_tasks + 1, d, seed, rep as u64, monitor)?;
        let (hist, target) = tasks.split_at(n_tasks);
        let ge: Vec<f64> = hist.iter().map(|t| t.summary.gap_est).collect();
        let gs: Vec<f64> = hist.iter().map(|t| t.summary.gap_se).collect();
        let cal = calibrate(&ge, &gs, alphas, method, None)?;
        let t = target[0];
        let iv = target_interval(&cal, t.summary.synth_est, t.summary.synth_se, bounds)?;
        let truth = if method == Method::FiniteSample {
            t.summary.real_est
        } else {
            t.p
        };
        let nl = clip(t.summary.synth_est - z_naive * t.summary.synth_se, bounds);
        let nh = clip(t.summary.synth_est + z_naive * t.summary.synth_se, bounds);
        let cov = |lo: f64, hi: f64| if lo <= truth && truth <= hi { 1.0 } else { 0.0 };
        Ok([cov(iv.low, iv.high), iv.high - iv.low, cov(nl, nh), nh - nl])
    };
    // Sums in replicate order, whatever the thread count.
    let mut sums = [0.0; 4];
    with_threads(threads, || {
        map_fold(reps, monitor, one, |_, row| {
            sums.iter_mut().zip(row).for_each(|(s, v)| *s += v);
            Ok(())
        })
    })??;
    let mean = |k: usize| sums[k] / reps as f64;
    Ok(Coverage {
        alphas,
        reps,
        coverage: mean(0),
        width: mean(1),
        synth_coverage: mean(2),
        synth_width: mean(3),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn design() -> TaskDesign {
        TaskDesign {
            tau: 0.1,
            bias: 0.05,
            n_real: 1000,
            n_synth: 2000,
        }
    }

    #[test]
    fn study_does_not_depend_on_threads() {
        let a = coverage_study(40, 0.1, &design(), Method::Population, 50, 3, 1, &Monitor::default()).unwrap();
        let b = coverage_study(40, 0.1, &design(), Method::Population, 50, 3, 2, &Monitor::default()).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn simulated_tasks_have_consistent_summaries() {
        let t = simulate_tasks(200, &design(), 1).unwrap();
        for x in &t {
            let s = x.summary;
            assert!((s.gap_est - (s.real_est - s.synth_est)).abs() < 1e-15);
            assert!((0.0..=1.0).contains(&x.p_synth));
        }
        // Mean synthetic shift is about bias = 0.05 (sd of the mean ~ 0.1 / sqrt(200)).
        let shift = t.iter().map(|x| x.p_synth - x.p).sum::<f64>() / 200.0;
        assert!((shift - 0.05).abs() < 0.03);
    }

    #[test]
    fn coverage_is_nominal() {
        // 400 reps: Monte Carlo sd of a coverage near 0.99 is ~0.005.
        let c = coverage_study(40, 0.1, &design(), Method::Population, 400, 11, 2, &Monitor::default()).unwrap();
        assert!(c.coverage >= 0.9, "coverage {}", c.coverage);
        assert!(c.synth_coverage < 0.3);
    }

    #[test]
    fn impossible_study_sizes_are_errors_not_aborts() {
        // 10^13 tasks per replicate: petabytes, refused before allocating.
        let e = coverage_study(10_000_000_000_000, 0.1, &design(), Method::Population, 1, 1, 1, &Monitor::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("needs") && e.contains("PB of memory"), "{e}");
        let e = simulate_tasks(usize::MAX / 2, &design(), 1).unwrap_err().to_string();
        assert!(e.contains("simulating the tasks needs"), "{e}");
    }

    #[test]
    fn a_cancelled_study_stops() {
        let m = Monitor::default();
        m.cancel();
        let r = coverage_study(40, 0.1, &design(), Method::Population, 100_000, 1, 2, &m);
        assert_eq!(r, Err(crate::CoreError::Cancelled));
        assert_eq!(m.progress().0, 0);
    }
}
