//! Bindings for the core's `summaries` routines: per-task Hajek means,
//! quantiles with bootstrap standard errors, and bootstrap indices for the
//! R-side bootstrap of user-supplied estimators.

use crate::convert;
use extendr_api::prelude::*;
use synthinfer_core::summaries::{self, Bootstrap, Design, Estimand};

/// 0-based task codes from R's 0-based integer codes (validated in R).
fn codes(x: &[i32]) -> Vec<usize> {
    x.iter().map(|&v| v.max(0) as usize).collect()
}

fn estimand(kind: &str, p: f64) -> extendr_api::Result<Estimand> {
    match kind {
        "mean" => Ok(Estimand::Mean),
        "quantile" => Ok(Estimand::Quantile(p)),
        other => Err(Error::Other(format!("unknown estimand kind '{other}'"))),
    }
}

fn boot(reps: i32, seed: f64, threads: i32) -> Bootstrap {
    Bootstrap { reps: reps.max(0) as usize, seed: seed as u64, threads: threads.max(1) as usize }
}


/// Task table of a paired design (one weight per unit). `progress`: NULL or
/// an R callback (see watch.rs); the bootstrap stops on an interrupt.
/// @noRd
#[extendr]
#[allow(clippy::too_many_arguments)]
fn rs_task_summaries_paired(task: &[i32], real: &[f64], synth: &[f64], weights: &[f64],
                            n_tasks: i32, kind: &str, p: f64, reps: i32, seed: f64,
                            threads: i32, progress: Robj) -> extendr_api::Result<List> {
    let task = codes(task);
    let design = Design::Paired { task: &task, real, synth, weights };
    let (est, b) = (estimand(kind, p)?, boot(reps, seed, threads));
    let rows = crate::watch::run(b.threads, &progress, |m| {
        summaries::summarise_tasks_watched(design, n_tasks.max(0) as usize, est, b, m)
    })?;
    Ok(convert::task_table(&rows))
}

/// Task table of an unpaired design (separate real and synthetic units).
/// @noRd
#[extendr]
#[allow(clippy::too_many_arguments)]
fn rs_task_summaries_unpaired(real_task: &[i32], real: &[f64], real_weights: &[f64],
                              synth_task: &[i32], synth: &[f64], synth_weights: &[f64],
                              n_tasks: i32, kind: &str, p: f64, reps: i32, seed: f64,
                              threads: i32, progress: Robj) -> extendr_api::Result<List> {
    let (rt, st) = (codes(real_task), codes(synth_task));
    let design = Design::Unpaired {
        real_task: &rt, real, real_weights, synth_task: &st, synth, synth_weights,
    };
    let (est, b) = (estimand(kind, p)?, boot(reps, seed, threads));
    let rows = crate::watch::run(b.threads, &progress, |m| {
        summaries::summarise_tasks_watched(design, n_tasks.max(0) as usize, est, b, m)
    })?;
    Ok(convert::task_table(&rows))
}

/// Bootstrap positions (1-based) of one task: list(real, synth), each an
/// integer matrix with one column per replicate.
/// @noRd
#[extendr]
fn rs_bootstrap_indices(seed: f64, task: i32, reps: i32, n_real: i32, n_synth: i32,
                        paired: bool) -> extendr_api::Result<List> {
    let (nr, ns, r) = (n_real.max(0) as usize, n_synth.max(0) as usize, reps.max(0) as usize);
    let draws = convert::core(summaries::bootstrap_indices(
        seed as u64, task.max(0) as usize, r, nr, ns, paired))?;
    let real = RMatrix::new_matrix(nr, r, |i, j| draws[j].real[i] as i32 + 1);
    let synth = RMatrix::new_matrix(ns, r, |i, j| draws[j].synth[i] as i32 + 1);
    Ok(list!(real = real, synth = synth))
}

extendr_module! {
    mod summaries;
    fn rs_task_summaries_paired;
    fn rs_task_summaries_unpaired;
    fn rs_bootstrap_indices;
}
