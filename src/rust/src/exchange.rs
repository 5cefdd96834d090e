//! Bindings for task-exchangeability routines: conversions only.

use crate::convert;
use extendr_api::prelude::*;
use synthinfer_core::exchange::{self, sim, Alphas, Method, Shape};

fn bounds_of(b: &[f64]) -> Option<(f64, f64)> {
    if b.len() == 2 {
        Some((b[0], b[1]))
    } else {
        None
    }
}

/// Gap band of Algorithm 1 from historical gap-interval endpoints.
/// Returns list(lower, upper, k_lower, k_upper).
/// @noRd
#[extendr]
fn rs_gap_band(lower: &[f64], upper: &[f64], a3: f64) -> extendr_api::Result<List> {
    let b = convert::core(exchange::gap_band(lower, upper, a3))?;
    Ok(list!(
        lower = b.lower,
        upper = b.upper,
        k_lower = b.k_lower as i32,
        k_upper = b.k_upper as i32
    ))
}

/// Default split c(a1, a2, a3) of alpha given the smallest admissible a3.
/// @noRd
#[extendr]
fn rs_alpha_split(alpha: f64, min_a3: f64) -> extendr_api::Result<Vec<f64>> {
    let s = convert::core(exchange::default_split(alpha, min_a3))?;
    Ok(vec![s.a1, s.a2, s.a3])
}

/// Leave-one-task-out intervals: target i is calibrated on every historical
/// task but `held[i]` (1-based), at `alphas` = c(a1, a2, a3) chosen for T - 1
/// tasks. `progress`: NULL or an R callback (see watch.rs). Returns
/// list(estimate, low, high).
/// @noRd
#[extendr]
#[allow(clippy::too_many_arguments)]
fn rs_exchange_loo(
    gap_est: &[f64],
    gap_se: &[f64],
    held: &[i32],
    synth_est: &[f64],
    synth_se: &[f64],
    alphas: &[f64],
    method: &str,
    bounds: &[f64],
    threads: i32,
    progress: Robj,
) -> extendr_api::Result<List> {
    let method = convert::core(Method::parse(method))?;
    let a = Alphas { a1: alphas[0], a2: alphas[1], a3: alphas[2] };
    let held: Vec<usize> = held.iter().map(|&j| (j.max(1) - 1) as usize).collect();
    let fits = crate::watch::run(threads.max(1) as usize, &progress, |m| {
        exchange::leave_one_out(gap_est, gap_se, &held, synth_est, synth_se, a, method, bounds_of(bounds), m)
    })?;
    Ok(list!(
        estimate = fits.iter().map(|f| f.estimate).collect::<Vec<_>>(),
        low = fits.iter().map(|f| f.low).collect::<Vec<_>>(),
        high = fits.iter().map(|f| f.high).collect::<Vec<_>>()
    ))
}

/// Scalar exchangeability intervals for several targets sharing one history.
/// `weights` empty = unweighted; `bounds` empty or c(lo, hi); `real_est`,
/// `real_se` empty or one per target (section 4.4 at level real_alpha).
/// @noRd
#[extendr]
#[allow(clippy::too_many_arguments)]
fn rs_exchange_ci(
    gap_est: &[f64],
    gap_se: &[f64],
    weights: &[f64],
    synth_est: &[f64],
    synth_se: &[f64],
    alphas: &[f64],
    method: &str,
    bounds: &[f64],
    real_est: &[f64],
    real_se: &[f64],
    real_alpha: f64,
) -> extendr_api::Result<List> {
    let method = convert::core(Method::parse(method))?;
    let w = if weights.is_empty() { None } else { Some(weights) };
    let cal = convert::core(exchange::calibrate(gap_est, gap_se, alphas_of(alphas)?, method, w))?;
    interval_columns(&cal, synth_est, synth_se, bounds_of(bounds), real_est, real_se, real_alpha)
}

/// Alphas from R's c(a1, a2, a3).
fn alphas_of(alphas: &[f64]) -> extendr_api::Result<Alphas> {
    match alphas {
        [a1, a2, a3] => Ok(Alphas { a1: *a1, a2: *a2, a3: *a3 }),
        _ => Err("alphas must be c(a1, a2, a3)".into()),
    }
}

/// The gap band of historical tasks, to be saved and applied later:
/// list(lower, upper, k_lower, k_upper, mean_gap).
/// @noRd
#[extendr]
fn rs_exchange_calibrate(
    gap_est: &[f64],
    gap_se: &[f64],
    weights: &[f64],
    alphas: &[f64],
    method: &str,
) -> extendr_api::Result<List> {
    let method = convert::core(Method::parse(method))?;
    let w = if weights.is_empty() { None } else { Some(weights) };
    let cal = convert::core(exchange::calibrate(gap_est, gap_se, alphas_of(alphas)?, method, w))?;
    Ok(list!(
        lower = cal.band.lower,
        upper = cal.band.upper,
        k_lower = cal.band.k_lower as i32,
        k_upper = cal.band.k_upper as i32,
        mean_gap = cal.mean_gap
    ))
}

/// Intervals from a saved gap band [delta_lower, delta_upper] (mean_gap NaN
/// when unknown, n_tasks 0 when unknown); same list as rs_exchange_ci.
/// @noRd
#[extendr]
#[allow(clippy::too_many_arguments)]
fn rs_exchange_band(
    delta_lower: f64,
    delta_upper: f64,
    mean_gap: f64,
    n_tasks: i32,
    synth_est: &[f64],
    synth_se: &[f64],
    alphas: &[f64],
    method: &str,
    bounds: &[f64],
) -> extendr_api::Result<List> {
    let method = convert::core(Method::parse(method))?;
    let cal = convert::core(exchange::calibration_from_band(
        delta_lower,
        delta_upper,
        mean_gap,
        n_tasks.max(0) as usize,
        alphas_of(alphas)?,
        method,
    ))?;
    interval_columns(&cal, synth_est, synth_se, bounds_of(bounds), &[], &[], 0.5)
}

/// Per-target interval columns from a calibration (and the real-data
/// intersection of section 4.4 when `real_est` is not empty).
fn interval_columns(
    cal: &exchange::Calibration,
    synth_est: &[f64],
    synth_se: &[f64],
    bounds: Option<(f64, f64)>,
    real_est: &[f64],
    real_se: &[f64],
    real_alpha: f64,
) -> extendr_api::Result<List> {
    let m = synth_est.len();
    let mut cols: [Vec<f64>; 12] = Default::default();
    let mut empty = vec![false; m];
    for i in 0..m {
        let iv = convert::core(exchange::target_interval(
            cal,
            synth_est[i],
            synth_se[i],
            bounds,
        ))?;
        let (mut lo, mut hi) = (iv.low, iv.high);
        let (mut rlo, mut rhi) = (f64::NAN, f64::NAN);
        if !real_est.is_empty() {
            let z = synthinfer_core::dist::z_two_sided(real_alpha);
            rlo = exchange::interval::clip(real_est[i] - z * real_se[i], bounds);
            rhi = exchange::interval::clip(real_est[i] + z * real_se[i], bounds);
            match convert::core(exchange::intersect_real(
                &iv,
                real_est[i],
                real_se[i],
                real_alpha,
                bounds,
            ))? {
                Some((l, h)) => (lo, hi) = (l, h),
                None => empty[i] = true,
            }
        }
        let row = [
            iv.estimate,
            lo,
            hi,
            iv.synth_low,
            iv.synth_high,
            iv.gap_low,
            iv.gap_high,
            iv.width_synth,
            iv.width_gap,
            iv.width_spread,
            rlo,
            rhi,
        ];
        for (c, v) in cols.iter_mut().zip(row) {
            c.push(v);
        }
    }
    let names = [
        "estimate",
        "low",
        "high",
        "synth_low",
        "synth_high",
        "gap_low",
        "gap_high",
        "width_synth",
        "width_gap",
        "width_spread",
        "real_low",
        "real_high",
    ];
    let mut fields: Vec<(&str, Robj)> = names.into_iter().zip(cols.map(Robj::from)).collect();
    fields.push(("empty", empty.into()));
    fields.push(("k_lower", (cal.band.k_lower as i32).into()));
    fields.push(("k_upper", (cal.band.k_upper as i32).into()));
    fields.push(("mean_gap", cal.mean_gap.into()));
    named_list(fields)
}

/// An R list from (name, value) pairs.
fn named_list(fields: Vec<(&str, Robj)>) -> extendr_api::Result<List> {
    let (names, values): (Vec<&str>, Vec<Robj>) = fields.into_iter().unzip();
    List::from_names_and_values(names, values)
}

/// Nested-family regions (Algorithm 3) for m targets in d coordinates.
/// gap_est, gap_se: t x d column-major; synth_est, synth_se: m x d column-major;
/// truth: m x d or empty. Returns m x d column-major vectors and per-target flags.
/// @noRd
#[extendr]
#[allow(clippy::too_many_arguments)]
fn rs_exchange_region(
    gap_est: &[f64],
    gap_se: &[f64],
    t: i32,
    d: i32,
    synth_est: &[f64],
    synth_se: &[f64],
    alphas: &[f64],
    shape: &str,
    center: &[f64],
    scale: &[f64],
    bounds: &[f64],
    truth: &[f64],
) -> extendr_api::Result<List> {
    let (t, d) = (t as usize, d as usize);
    let shape = convert::core(Shape::parse(shape))?;
    let a = Alphas {
        a1: alphas[0],
        a2: alphas[1],
        a3: alphas[2],
    };
    let cal = convert::core(exchange::calibrate_region(
        gap_est, gap_se, t, d, a, shape, center, scale,
    ))?;
    let m = synth_est.len() / d.max(1);
    let mut out: [Vec<f64>; 5] = std::array::from_fn(|_| vec![0.0; m * d]);
    let mut covered = Vec::with_capacity(if truth.is_empty() { 0 } else { m });
    for i in 0..m {
        let pick = |x: &[f64]| (0..d).map(|k| x[i + k * m]).collect::<Vec<f64>>();
        let r = convert::core(exchange::target_region(
            &cal,
            &pick(synth_est),
            &pick(synth_se),
            bounds_of(bounds),
        ))?;
        for k in 0..d {
            let vals = [
                r.estimate[k],
                r.low[k],
                r.high[k],
                r.synth_low[k],
                r.synth_high[k],
            ];
            for (o, v) in out.iter_mut().zip(vals) {
                o[i + k * m] = v;
            }
        }
        if !truth.is_empty() {
            covered.push(exchange::region_contains(&cal, &r, &pick(truth)));
        }
    }
    let names = ["estimate", "low", "high", "synth_low", "synth_high"];
    let mut fields: Vec<(&str, Robj)> = names.into_iter().zip(out.map(Robj::from)).collect();
    fields.push(("covered", covered.into()));
    fields.push(("radius", cal.radius.into()));
    fields.push(("rank", (cal.rank as i32).into()));
    fields.push(("scores", cal.scores.into()));
    fields.push(("mean_gap", cal.mean_gap.into()));
    named_list(fields)
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
    fn rs_alpha_split;
    fn rs_exchange_ci;
    fn rs_exchange_calibrate;
    fn rs_exchange_band;
    fn rs_exchange_loo;
    fn rs_exchange_region;
    fn rs_simulate_tasks;
    fn rs_exchange_coverage;
}
