//! Bindings for task-exchangeability routines: conversions only.

use crate::convert;
use extendr_api::prelude::*;
use synthinfer_core::exchange::{self, sim, Alphas, Method, Shape};

/// Gap band of Algorithm 1 from historical gap-interval endpoints, finite
/// or an error naming the tasks needed. Returns list(lower, upper, k_lower,
/// k_upper).
/// @noRd
#[extendr]
fn rs_gap_band(lower: &[f64], upper: &[f64], a3: f64) -> extendr_api::Result<List> {
    let b = convert::core(exchange::finite_gap_band(lower, upper, a3))?;
    Ok(list!(
        lower = b.lower,
        upper = b.upper,
        k_lower = b.k_lower as i32,
        k_upper = b.k_upper as i32
    ))
}

/// The split c(a1, a2, a3) of `alpha` with `n_eff` historical tasks (or
/// their total weight when `weighted`): the default (`split` empty), the
/// user's levels, or those with a3 raised; an error when none is finite.
/// Returns list(alphas, note).
/// @noRd
#[extendr]
fn rs_exchange_split(alpha: f64, split: &[f64], raise_a3: bool, n_eff: f64, weighted: bool, sides: i32, finite_sample: bool) -> extendr_api::Result<List> {
    let c = convert::core(exchange::choose_split(&exchange::SplitRequest {
        alpha,
        levels: convert::levels(split)?,
        raise_a3,
        n_eff,
        weighted,
        sides: sides.clamp(1, 2) as u8,
        finite_sample,
    }))?;
    Ok(list!(alphas = vec![c.alphas.a1, c.alphas.a2, c.alphas.a3], note = c.note.unwrap_or_default()))
}

/// exchangeable_ci() from historical tasks: `dim` coordinates (1 for scalar
/// targets), gap columns T x dim and target columns m x dim, column-major;
/// `weights`, `split` (levels), `bounds`, `real_est`, `real_se` empty when
/// not given. Returns list(table, empty, note).
/// @noRd
#[extendr]
#[allow(clippy::too_many_arguments)]
fn rs_exchange_ci(
    gap_est: &[f64],
    gap_se: &[f64],
    weights: &[f64],
    synth_est: &[f64],
    synth_se: &[f64],
    dim: i32,
    alpha: f64,
    split: &[f64],
    raise_a3: bool,
    method: &str,
    bounds: &[f64],
    real_est: &[f64],
    real_se: &[f64],
    gamma: f64,
) -> extendr_api::Result<List> {
    let real = convert::optional(real_est).map(|est| exchange::RealEstimate { est, se: real_se, gamma });
    let res = convert::core(exchange::exchange_ci(&exchange::CiRequest {
        gap_est,
        gap_se,
        weights: convert::optional(weights),
        synth_est,
        synth_se,
        dim: dim.max(0) as usize,
        alpha,
        levels: convert::levels(split)?,
        raise_a3,
        method: convert::core(Method::parse(method))?,
        bounds: convert::bounds(bounds),
        real,
    }))?;
    Ok(list!(table = convert::table(&res.table)?, empty = res.empty, note = res.note.unwrap_or_default()))
}

/// Saved gap bands, one per coordinate (`D` = their number), as parallel
/// vectors (`mean_gap` NaN and `n_tasks` NA when unknown; `levels` D x 3
/// column-major); `synth_est`, `synth_se` m x D. Returns the table.
/// @noRd
#[extendr]
#[allow(clippy::too_many_arguments)]
fn rs_exchange_band(
    delta_lower: &[f64],
    delta_upper: &[f64],
    mean_gap: &[f64],
    n_tasks: &[f64],
    levels: &[f64],
    method: Vec<String>,
    synth_est: &[f64],
    synth_se: &[f64],
    bounds: &[f64],
) -> extendr_api::Result<List> {
    let d = delta_lower.len();
    let bands = (0..d)
        .map(|k| {
            Ok(exchange::SavedBand {
                lower: delta_lower[k],
                upper: delta_upper[k],
                mean_gap: mean_gap[k],
                n_tasks: if n_tasks[k].is_nan() { None } else { Some(n_tasks[k] as usize) },
                alphas: Alphas { a1: levels[k], a2: levels[k + d], a3: levels[k + 2 * d] },
                method: convert::core(Method::parse(&method[k]))?,
            })
        })
        .collect::<extendr_api::Result<Vec<_>>>()?;
    let t = convert::core(exchange::band_ci(&bands, synth_est, synth_se, convert::bounds(bounds)))?;
    convert::table(&t)
}

/// exchangeable_band(): gap bands of T historical tasks in `dim`
/// coordinates (gap columns T x dim) at each level `alpha` (the whole level;
/// coordinates are calibrated at alpha / dim), with the user's `levels`
/// (length(alpha) x 3 column-major) or empty. Returns list(table, note).
/// @noRd
#[extendr]
#[allow(clippy::too_many_arguments)]
fn rs_exchange_calibrate(
    gap_est: &[f64],
    gap_se: &[f64],
    weights: &[f64],
    dim: i32,
    alpha: &[f64],
    levels: &[f64],
    raise_a3: bool,
    method: &str,
) -> extendr_api::Result<List> {
    let n = alpha.len();
    let levels: Vec<Option<Alphas>> = (0..n)
        .map(|i| if levels.is_empty() { None } else { Some(Alphas { a1: levels[i], a2: levels[i + n], a3: levels[i + 2 * n] }) })
        .collect();
    let res = convert::core(exchange::band_table(&exchange::BandRequest {
        gap_est,
        gap_se,
        weights: convert::optional(weights),
        dim: dim.max(0) as usize,
        alpha,
        levels: &levels,
        raise_a3,
        method: convert::core(Method::parse(method))?,
    }))?;
    Ok(list!(table = convert::table(&res.table)?, note = res.note.unwrap_or_default()))
}

/// exchangeable_loo() for scalar tasks: target i is held out of the
/// calibration tasks at `held[i]` (1-based; NA when it is not one of them).
/// `synth_se` NaN where unknown. `progress`: NULL or an R callback (see
/// watch.rs). Returns list(table, note).
/// @noRd
#[extendr]
#[allow(clippy::too_many_arguments)]
fn rs_exchange_loo(
    gap_est: &[f64],
    gap_se: &[f64],
    held: &[f64],
    synth_est: &[f64],
    synth_se: &[f64],
    truth: &[f64],
    alpha: f64,
    split: &[f64],
    raise_a3: bool,
    method: &str,
    bounds: &[f64],
    threads: i32,
    progress: Robj,
) -> extendr_api::Result<List> {
    let held = convert::held_out(held);
    let req = exchange::LooRequest {
        gap_est,
        gap_se,
        held: &held,
        synth_est,
        synth_se,
        truth,
        alpha,
        levels: convert::levels(split)?,
        raise_a3,
        method: convert::core(Method::parse(method))?,
        bounds: convert::bounds(bounds),
    };
    let res = crate::watch::run(threads.max(1) as usize, &progress, |m| exchange::loo_table(&req, m))?;
    Ok(list!(table = convert::table(&res.table)?, note = res.note.unwrap_or_default()))
}

/// Held-out intervals [low, high] (point `estimate`) against the truths,
/// beside the naive synthetic-only interval at level 1 - alpha (`synth_se`
/// NaN where unknown). Returns the table.
/// @noRd
#[extendr]
#[allow(clippy::too_many_arguments)]
fn rs_held_out(
    estimate: &[f64],
    low: &[f64],
    high: &[f64],
    synth_est: &[f64],
    synth_se: &[f64],
    truth: &[f64],
    alpha: f64,
    bounds: &[f64],
) -> extendr_api::Result<List> {
    let t = convert::core(exchange::held_out_table(estimate, low, high, synth_est, synth_se, truth, alpha, convert::bounds(bounds)))?;
    convert::table(&t)
}

/// exchangeable_region(shape = "box" | "ball") for m targets in d
/// coordinates: gap columns T x d, target columns m x d, column-major;
/// `center`, `scale` empty for the defaults. Returns list(table, note).
/// @noRd
#[extendr]
#[allow(clippy::too_many_arguments)]
fn rs_exchange_region(
    gap_est: &[f64],
    gap_se: &[f64],
    synth_est: &[f64],
    synth_se: &[f64],
    dim: i32,
    alpha: f64,
    split: &[f64],
    raise_a3: bool,
    shape: &str,
    center: &[f64],
    scale: &[f64],
    bounds: &[f64],
) -> extendr_api::Result<List> {
    let res = convert::core(exchange::region_table(&exchange::RegionRequest {
        gap_est,
        gap_se,
        synth_est,
        synth_se,
        dim: dim.max(0) as usize,
        alpha,
        levels: convert::levels(split)?,
        raise_a3,
        shape: convert::core(Shape::parse(shape))?,
        center: convert::optional(center),
        scale: convert::optional(scale),
        bounds: convert::bounds(bounds),
    }))?;
    Ok(list!(table = convert::table(&res.table)?, note = res.note.unwrap_or_default()))
}

/// exchangeable_loo() for vector tasks: gap columns T x dim (calibration
/// tasks), target columns m x dim, column-major; target i is held out of the
/// calibration tasks at `held[i]` (1-based; NA when it is not one of them).
/// `shape` "bonferroni" (per coordinate by `method`), "box" or "ball";
/// `center`, `scale` empty for the defaults. `progress`: NULL or an R
/// callback (see watch.rs). Returns list(table, note).
/// @noRd
#[extendr]
#[allow(clippy::too_many_arguments)]
fn rs_exchange_region_loo(
    gap_est: &[f64],
    gap_se: &[f64],
    held: &[f64],
    synth_est: &[f64],
    synth_se: &[f64],
    truth: &[f64],
    dim: i32,
    alpha: f64,
    split: &[f64],
    raise_a3: bool,
    shape: &str,
    method: &str,
    center: &[f64],
    scale: &[f64],
    bounds: &[f64],
    threads: i32,
    progress: Robj,
) -> extendr_api::Result<List> {
    let held = convert::held_out(held);
    let req = exchange::RegionLooRequest {
        gap_est,
        gap_se,
        held: &held,
        synth_est,
        synth_se,
        truth,
        dim: dim.max(0) as usize,
        alpha,
        levels: convert::levels(split)?,
        raise_a3,
        rule: convert::core(exchange::RegionRule::parse(shape, method, convert::optional(center), convert::optional(scale)))?,
        bounds: convert::bounds(bounds),
    };
    let res = crate::watch::run(threads.max(1) as usize, &progress, |m| exchange::region_loo_table(&req, m))?;
    Ok(list!(table = convert::table(&res.table)?, note = res.note.unwrap_or_default()))
}

fn design(tau: f64, bias: f64, n_real: f64, n_synth: f64) -> sim::TaskDesign {
    sim::TaskDesign {
        tau,
        bias,
        n_real: n_real as u64,
        n_synth: n_synth as u64,
    }
}

/// Tasks from the section 5.4 design. Returns a list of columns.
/// @noRd
#[extendr]
fn rs_simulate_tasks(
    n_tasks: i32,
    tau: f64,
    bias: f64,
    n_real: f64,
    n_synth: f64,
    seed: f64,
) -> extendr_api::Result<List> {
    let tasks = convert::core(sim::simulate_tasks(
        n_tasks.max(0) as usize,
        &design(tau, bias, n_real, n_synth),
        seed as u64,
    ))?;
    let summaries: Vec<_> = tasks.iter().map(|t| t.summary).collect();
    Ok(list!(
        p = tasks.iter().map(|t| t.p).collect::<Vec<f64>>(),
        p_synth = tasks.iter().map(|t| t.p_synth).collect::<Vec<f64>>(),
        table = convert::task_table(&summaries)
    ))
}

/// Monte Carlo coverage study of the section 5.4 design. `progress`: NULL or
/// an R callback (see watch.rs).
/// @noRd
#[extendr]
#[allow(clippy::too_many_arguments)]
fn rs_exchange_coverage(
    n_tasks: i32,
    alpha: f64,
    tau: f64,
    bias: f64,
    n_real: f64,
    n_synth: f64,
    method: &str,
    reps: i32,
    seed: f64,
    threads: i32,
    progress: Robj,
) -> extendr_api::Result<List> {
    let method = convert::core(Method::parse(method))?;
    let d = design(tau, bias, n_real, n_synth);
    let (n_tasks, reps) = (n_tasks.max(0) as usize, reps.max(0) as usize);
    let c = crate::watch::run(threads.max(1) as usize, &progress, |m| {
        sim::coverage_study(n_tasks, alpha, &d, method, reps, seed as u64, threads.max(1) as usize, m)
    })?;
    Ok(list!(
        a1 = c.alphas.a1,
        a2 = c.alphas.a2,
        a3 = c.alphas.a3,
        coverage = c.coverage,
        width = c.width,
        synth_coverage = c.synth_coverage,
        synth_width = c.synth_width
    ))
}

extendr_module! {
    mod exchange;
    fn rs_gap_band;
    fn rs_exchange_split;
    fn rs_exchange_ci;
    fn rs_exchange_calibrate;
    fn rs_exchange_band;
    fn rs_exchange_loo;
    fn rs_held_out;
    fn rs_exchange_region;
    fn rs_exchange_region_loo;
    fn rs_simulate_tasks;
    fn rs_exchange_coverage;
}
