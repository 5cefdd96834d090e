//! Group unit-level data into tasks and summarise each task.

use super::bootstrap::{draw_resample, rep_limit_exceeded, replicate_sd};
use super::weighted::{hajek_mean, quantile_sorted};
use crate::error::{invalid, Result};
use crate::memory::{product, try_vec};
use crate::monitor::Monitor;
use crate::parallel::{map_fold, with_threads};

/// What each task's summary estimates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Estimand {
    /// Hajek-weighted mean, linearisation standard errors.
    Mean,
    /// Weighted `p`-quantile (0.5 = median), bootstrap standard errors.
    Quantile(f64),
}

/// Unit-level input. Task codes are 0-based and below the number of tasks.
#[derive(Debug, Clone, Copy)]
pub enum Design<'a> {
    /// Each unit carries a real and a synthetic value and one weight.
    Paired { task: &'a [usize], real: &'a [f64], synth: &'a [f64], weights: &'a [f64] },
    /// Real and synthetic units are separate samples.
    Unpaired {
        real_task: &'a [usize],
        real: &'a [f64],
        real_weights: &'a [f64],
        synth_task: &'a [usize],
        synth: &'a [f64],
        synth_weights: &'a [f64],
    },
}

/// One task's row of the task table (gap = real - synthetic).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TaskSummary {
    pub n_real: usize,
    pub n_synth: usize,
    pub real_est: f64,
    pub real_se: f64,
    pub synth_est: f64,
    pub synth_se: f64,
    pub gap_est: f64,
    pub gap_se: f64,
}

/// Bootstrap settings for estimands without a closed-form standard error.
#[derive(Debug, Clone, Copy)]
pub struct Bootstrap {
    pub reps: usize,
    pub seed: u64,
    pub threads: usize,
}

/// Positions of each task's units.
fn group(task: &[usize], n_tasks: usize, side: &str) -> Result<Vec<Vec<usize>>> {
    let mut groups = vec![Vec::new(); n_tasks];
    for (i, &t) in task.iter().enumerate() {
        if t >= n_tasks {
            return invalid(format!("{side} unit {} has task code {t}, beyond {n_tasks} tasks",
                                   i + 1));
        }
        groups[t].push(i);
    }
    for (t, g) in groups.iter().enumerate() {
        if g.len() < 2 {
            return invalid(format!(
                "task {} has {} {side} unit(s); a standard error needs at least 2",
                t + 1, g.len()));
        }
    }
    Ok(groups)
}

fn check_lengths(lens: &[usize]) -> Result<()> {
    if lens.windows(2).any(|p| p[0] != p[1]) {
        return invalid("task codes, values and weights must have equal lengths");
    }
    Ok(())
}

/// Summarise every task. Quantile estimands are bootstrapped in parallel,
/// each replicate on its own random stream, so results do not depend on
/// `boot.threads`.
pub fn summarise_tasks(design: Design<'_>, n_tasks: usize, estimand: Estimand,
                       boot: Bootstrap) -> Result<Vec<TaskSummary>> {
    summarise_tasks_watched(design, n_tasks, estimand, boot, &Monitor::default())
}

/// [`summarise_tasks`] with a monitor that counts bootstrap replicates
/// (task x replicate) and stops the bootstrap when cancelled.
pub fn summarise_tasks_watched(design: Design<'_>, n_tasks: usize, estimand: Estimand,
                               boot: Bootstrap, monitor: &Monitor) -> Result<Vec<TaskSummary>> {
    if n_tasks == 0 {
        return invalid("no tasks to summarise");
    }
    if let Estimand::Quantile(p) = estimand {
        if !(p > 0.0 && p < 1.0) {
            return invalid(format!("quantile level must lie in (0, 1), got {p}"));
        }
        if boot.reps < 2 || rep_limit_exceeded(boot.reps) {
            return invalid("the bootstrap needs at least 2 replicates");
        }
    }
    match design {
        Design::Paired { task, real, synth, weights } => {
            check_lengths(&[task.len(), real.len(), synth.len(), weights.len()])?;
            let groups = group(task, n_tasks, "paired")?;
            let sides = Sides { real, real_w: weights, synth, synth_w: weights };
            match estimand {
                Estimand::Mean => groups.iter().map(|g| paired_mean(&sides, g)).collect(),
                Estimand::Quantile(p) => {
                    bootstrap_quantiles(&sides, &groups, &groups, true, p, boot, monitor)
                }
            }
        }
        Design::Unpaired { real_task, real, real_weights, synth_task, synth, synth_weights } => {
            check_lengths(&[real_task.len(), real.len(), real_weights.len()])?;
            check_lengths(&[synth_task.len(), synth.len(), synth_weights.len()])?;
            let rg = group(real_task, n_tasks, "real")?;
            let sg = group(synth_task, n_tasks, "synthetic")?;
            let sides = Sides { real, real_w: real_weights, synth, synth_w: synth_weights };
            match estimand {
                Estimand::Mean => rg.iter().zip(&sg).map(|(r, s)| unpaired_mean(&sides, r, s))
                    .collect(),
                Estimand::Quantile(p) => bootstrap_quantiles(&sides, &rg, &sg, false, p, boot, monitor),
            }
        }
    }
}

/// The values and weights of both sides (the same weights when paired).
struct Sides<'a> {
    real: &'a [f64],
    real_w: &'a [f64],
    synth: &'a [f64],
    synth_w: &'a [f64],
}

fn paired_mean(s: &Sides<'_>, g: &[usize]) -> Result<TaskSummary> {
    let r = hajek_mean(s.real, s.real_w, g)?;
    let y = hajek_mean(s.synth, s.synth_w, g)?;
    // The gap is the Hajek mean of the unit differences; its linearised SE
    // carries the real/synthetic covariance.
    let diff: Vec<f64> = g.iter().map(|&i| s.real[i] - s.synth[i]).collect();
    let wd: Vec<f64> = g.iter().map(|&i| s.real_w[i]).collect();
    let local: Vec<usize> = (0..g.len()).collect();
    let d = hajek_mean(&diff, &wd, &local)?;
    Ok(TaskSummary {
        n_real: g.len(),
        n_synth: g.len(),
        real_est: r.estimate,
        real_se: r.se,
        synth_est: y.estimate,
        synth_se: y.se,
        gap_est: d.estimate,
        gap_se: d.se,
    })
}

fn unpaired_mean(s: &Sides<'_>, rg: &[usize], sg: &[usize]) -> Result<TaskSummary> {
    let r = hajek_mean(s.real, s.real_w, rg)?;
    let y = hajek_mean(s.synth, s.synth_w, sg)?;
    Ok(TaskSummary {
        n_real: rg.len(),
        n_synth: sg.len(),
        real_est: r.estimate,
        real_se: r.se,
        synth_est: y.estimate,
        synth_se: y.se,
        gap_est: r.estimate - y.estimate,
        gap_se: r.se.hypot(y.se),
    })
}

/// One side of one task with its values sorted once, so that a bootstrap
/// replicate costs a pass over resampling counts instead of a sort.
struct SortedSide {
    /// Task-local positions in ascending order of value.
    order: Vec<usize>,
    values: Vec<f64>,
    weights: Vec<f64>,
}

impl SortedSide {
    fn new(y: &[f64], w: &[f64], group: &[usize]) -> Self {
        let mut order: Vec<usize> = (0..group.len()).collect();
        order.sort_by(|&a, &b| y[group[a]].total_cmp(&y[group[b]]));
        let values = order.iter().map(|&k| y[group[k]]).collect();
        let weights = order.iter().map(|&k| w[group[k]]).collect();
        SortedSide { order, values, weights }
    }

    fn estimate(&self, p: f64) -> Result<f64> {
        quantile_sorted(&self.values, &self.weights, p)
    }

    /// Quantile of the resample drawing the task-local positions `draws`.
    fn resampled(&self, draws: &[usize], p: f64) -> Result<f64> {
        let mut counts = vec![0.0; self.order.len()];
        for &j in draws {
            counts[j] += 1.0;
        }
        let mass: Vec<f64> = self.order.iter().zip(&self.weights)
            .map(|(&k, &w)| counts[k] * w).collect();
        quantile_sorted(&self.values, &mass, p)
    }
}

fn bootstrap_quantiles(s: &Sides<'_>, rg: &[Vec<usize>], sg: &[Vec<usize>], paired: bool,
                       p: f64, boot: Bootstrap, monitor: &Monitor) -> Result<Vec<TaskSummary>> {
    let reps = boot.reps;
    let n_tasks = rg.len();
    let real: Vec<SortedSide> = rg.iter().map(|g| SortedSide::new(s.real, s.real_w, g)).collect();
    let synth: Vec<SortedSide> =
        sg.iter().map(|g| SortedSide::new(s.synth, s.synth_w, g)).collect();
    // One flat parallel loop over (task, replicate); each replicate's stream is
    // fixed by (seed, task, replicate), never by the worker that runs it.
    let cells = product(n_tasks, reps, "the number of bootstrap replicates")?;
    let mut draws: Vec<[f64; 2]> = try_vec(cells, "the bootstrap (tasks x replicates)")?;
    with_threads(boot.threads, || {
        map_fold(
            cells,
            monitor,
            |k| {
                let (t, b) = (k / reps, k % reps);
                let rs = draw_resample(boot.seed, t, b, rg[t].len(), sg[t].len(), paired);
                Ok([real[t].resampled(&rs.real, p)?, synth[t].resampled(&rs.synth, p)?])
            },
            |_, d| {
                draws.push(d);
                Ok(())
            },
        )
    })??;
    (0..n_tasks)
        .map(|t| {
            let (r, y) = (real[t].estimate(p)?, synth[t].estimate(p)?);
            let block = &draws[t * reps..(t + 1) * reps];
            let column = |f: fn(&[f64; 2]) -> f64| block.iter().map(f).collect::<Vec<f64>>();
            let real_se = replicate_sd(&column(|d| d[0]));
            let synth_se = replicate_sd(&column(|d| d[1]));
            // Paired: the gap of each joint resample; unpaired: independent sides.
            let gap_se = if paired {
                replicate_sd(&column(|d| d[0] - d[1]))
            } else {
                real_se.hypot(synth_se)
            };
            Ok(TaskSummary {
                n_real: rg[t].len(),
                n_synth: sg[t].len(),
                real_est: r,
                real_se,
                synth_est: y,
                synth_se,
                gap_est: r - y,
                gap_se,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn boot(threads: usize) -> Bootstrap {
        Bootstrap { reps: 200, seed: 11, threads }
    }

    #[test]
    fn paired_mean_gap_equals_difference_of_means() {
        let task = [0, 0, 0, 1, 1, 1];
        let real = [1.0, 2.0, 6.0, 0.0, 1.0, 1.0];
        let synth = [1.5, 2.0, 4.0, 0.5, 0.5, 0.0];
        let w = [1.0, 2.0, 1.0, 1.0, 1.0, 3.0];
        let d = Design::Paired { task: &task, real: &real, synth: &synth, weights: &w };
        let out = summarise_tasks(d, 2, Estimand::Mean, boot(1)).unwrap();
        for row in &out {
            assert!((row.gap_est - (row.real_est - row.synth_est)).abs() < 1e-14);
        }
        // task 1: real mean (1 + 4 + 6) / 4
        assert!((out[0].real_est - 11.0 / 4.0).abs() < 1e-14);
        // differences of task 1 with unit weights... here weights (1,2,1):
        // d = (-0.5, 0, 2), mean = 1.5/4
        assert!((out[0].gap_est - 0.375).abs() < 1e-14);
    }

    #[test]
    fn unpaired_gap_se_adds_variances() {
        let rt = [0, 0, 0];
        let st = [0, 0];
        let d = Design::Unpaired {
            real_task: &rt, real: &[1.0, 2.0, 3.0], real_weights: &[1.0; 3],
            synth_task: &st, synth: &[0.0, 2.0], synth_weights: &[1.0; 2],
        };
        let out = summarise_tasks(d, 1, Estimand::Mean, boot(1)).unwrap();
        // se real = 1/sqrt(3), se synth = sqrt(2)/sqrt(2) = 1
        assert!((out[0].gap_se - (1.0f64 / 3.0 + 1.0).sqrt()).abs() < 1e-14);
        assert_eq!((out[0].n_real, out[0].n_synth), (3, 2));
    }

    #[test]
    fn quantile_bootstrap_does_not_depend_on_threads() {
        let n = 40;
        let task: Vec<usize> = (0..n).map(|i| i % 2).collect();
        let real: Vec<f64> = (0..n).map(|i| ((i * 37) % 17) as f64).collect();
        let synth: Vec<f64> = (0..n).map(|i| ((i * 11) % 13) as f64).collect();
        let w = vec![1.0; n];
        let d = Design::Paired { task: &task, real: &real, synth: &synth, weights: &w };
        let a = summarise_tasks(d, 2, Estimand::Quantile(0.5), boot(1)).unwrap();
        let b = summarise_tasks(d, 2, Estimand::Quantile(0.5), boot(2)).unwrap();
        assert_eq!(a, b);
        assert!(a[0].real_se > 0.0 && a[0].gap_se > 0.0);
    }

    #[test]
    fn counting_resample_equals_quantile_of_resampled_units() {
        use crate::summaries::weighted::weighted_quantile;
        let y: Vec<f64> = (0..25).map(|i| ((i * 7) % 11) as f64 + 0.5 * (i % 3) as f64).collect();
        let w: Vec<f64> = (0..25).map(|i| 0.5 + (i % 4) as f64).collect();
        let group: Vec<usize> = (0..25).rev().collect();
        let side = SortedSide::new(&y, &w, &group);
        for b in 0..50 {
            let rs = draw_resample(5, 0, b, 25, 25, true);
            let units: Vec<usize> = rs.real.iter().map(|&j| group[j]).collect();
            for p in [0.25, 0.5, 0.9] {
                assert_eq!(side.resampled(&rs.real, p).unwrap(),
                           weighted_quantile(&y, &w, &units, p).unwrap());
            }
        }
    }

    #[test]
    fn too_few_units_is_an_error() {
        let d = Design::Paired { task: &[0, 1, 1], real: &[1.0, 2.0, 3.0],
                                 synth: &[1.0, 2.0, 3.0], weights: &[1.0; 3] };
        let e = summarise_tasks(d, 2, Estimand::Mean, boot(1)).unwrap_err();
        assert!(e.to_string().contains("task 1"));
    }
}
