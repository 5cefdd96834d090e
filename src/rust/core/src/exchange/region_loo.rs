//! Held-out evaluation of vector targets (`exchangeable_loo()` on a long
//! task table) in one pass: every predicted task's joint region, calibrated
//! on the calibration tasks without the task itself, compared with its truth
//! beside the naive synthetic-only Bonferroni rectangle at `alpha / D`.
//!
//! The calibrations every target shares are made once: the one on all T
//! calibration tasks (for targets outside them) and, for the Bonferroni
//! rectangle, each coordinate's [`LeaveOneOut`] (Algorithm 1 without any one
//! task in O(1)). A box or ball is calibrated afresh on the T - 1 remaining
//! tasks, since its scores depend on a center and scale that, by default,
//! are computed from those very tasks.
//!
//! Matrices are column-major: gaps `T x D` (calibration tasks), targets
//! `m x D`. Result rows go target by target, coordinates in order.

use super::interval::{calibrate, target_interval, Calibration, Method};
use super::loo::{held_out_table, HeldOutTable, LeaveOneOut};
use super::region::{calibrate_family, check_spread_estimable, region_contains, region_split, target_region, RegionCalibration, Shape};
use super::split::{Alphas, SplitChoice};
use super::table::{gap_band_split, Column, Table};
use crate::error::{invalid, Result};
use crate::monitor::Monitor;
use rayon::prelude::*;

/// How each held-out task's joint region is made.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RegionRule<'a> {
    /// Algorithm 1 (or 4, 5) per coordinate at `alpha / D`: the rectangle
    /// of the per-coordinate intervals.
    Bonferroni(Method),
    /// Algorithm 3 with the box or ball family; `None` for the default
    /// center or scale of each target's own calibration tasks.
    Family { shape: Shape, center: Option<&'a [f64]>, scale: Option<&'a [f64]> },
}

impl<'a> RegionRule<'a> {
    /// `shape` "bonferroni" (with `method` per coordinate), "box" or "ball".
    pub fn parse(shape: &str, method: &str, center: Option<&'a [f64]>, scale: Option<&'a [f64]>) -> Result<RegionRule<'a>> {
        match shape {
            "bonferroni" => Ok(RegionRule::Bonferroni(Method::parse(method)?)),
            _ => Ok(RegionRule::Family { shape: Shape::parse(shape)?, center, scale }),
        }
    }
}

/// Everything vector `exchangeable_loo()` computes: target `i` is calibrated
/// on every calibration task but `held[i]` when it is one of them (split
/// chosen for T - 1 tasks), else on all T (split for T).
#[derive(Debug, Clone, Copy)]
pub struct RegionLooRequest<'a> {
    pub gap_est: &'a [f64],
    pub gap_se: &'a [f64],
    pub held: &'a [Option<usize>],
    pub synth_est: &'a [f64],
    /// `NaN` where unknown (finite-sample Bonferroni only): the naive
    /// interval is then unknown.
    pub synth_se: &'a [f64],
    pub truth: &'a [f64],
    pub dim: usize,
    /// The joint level; the Bonferroni coordinates and the naive rectangle
    /// use `alpha / D`.
    pub alpha: f64,
    /// The user's levels `(a1, a2, a3)`: summing to `alpha` for a family,
    /// to `alpha / D` for the Bonferroni rectangle; `None` for the default.
    pub levels: Option<Alphas>,
    pub raise_a3: bool,
    pub rule: RegionRule<'a>,
    pub bounds: Option<(f64, f64)>,
}

/// The per-(target, coordinate) table of vector `exchangeable_loo()`: the
/// held-out columns and each target's joint coverage, repeated on its rows.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RegionHeldOutTable {
    pub rows: HeldOutTable,
    pub joint_covered: Vec<Option<bool>>,
    pub naive_joint_covered: Vec<Option<bool>>,
}

impl Table for RegionHeldOutTable {
    fn columns(&self) -> Vec<(&'static str, Column<'_>)> {
        let mut cols = self.rows.columns();
        cols.push(("joint_covered", Column::Flag(&self.joint_covered)));
        cols.push(("naive_joint_covered", Column::Flag(&self.naive_joint_covered)));
        cols
    }
}

/// The table and a note when a split was raised.
#[derive(Debug, Clone, PartialEq)]
pub struct RegionLooResult {
    pub table: RegionHeldOutTable,
    pub note: Option<String>,
}

/// One target's region as per-coordinate intervals; `joint` is its own
/// joint coverage where the region is not its rectangle (the ball).
struct HeldOutRegion {
    estimate: Vec<f64>,
    low: Vec<f64>,
    high: Vec<f64>,
    joint: Option<bool>,
}

/// One target's columns (coordinates in order) from `m x D` matrices.
struct TargetRow {
    synth_est: Vec<f64>,
    synth_se: Vec<f64>,
    truth: Vec<f64>,
}

/// The calibrations shared by the targets, made once: `all` on every
/// calibration task, `held` prepared for any one of them held out; each is
/// `None` when no target needs it.
enum Shared<'a> {
    Bonferroni { method: Method, all: Option<Vec<Calibration>>, held: Option<Vec<LeaveOneOut<'a>>> },
    Family { shape: Shape, center: Option<&'a [f64]>, scale: Option<&'a [f64]>, all: Option<RegionCalibration>, held: Option<Alphas> },
}

/// Column `k` of a column-major matrix with `n` rows.
fn column(x: &[f64], n: usize, k: usize) -> &[f64] {
    &x[k * n..(k + 1) * n]
}

/// A column-major `t x D` matrix without row `j`.
fn without_row(x: &[f64], t: usize, j: usize) -> Vec<f64> {
    x.iter().enumerate().filter(|(i, _)| i % t != j).map(|(_, v)| *v).collect()
}

/// R's `all()`: false if any is false, else unknown if any is unknown.
fn all_of(x: &[Option<bool>]) -> Option<bool> {
    if x.contains(&Some(false)) {
        Some(false)
    } else if x.contains(&None) {
        None
    } else {
        Some(true)
    }
}

impl<'a> Shared<'a> {
    /// Split and calibrate once; `note` collects a raised split's note.
    fn new(req: &RegionLooRequest<'a>, t: usize, need_all: bool, need_held: bool, note: &mut Option<String>) -> Result<Shared<'a>> {
        let d = req.dim;
        if need_held && t < 2 {
            return invalid("leave-one-task-out needs at least 2 historical tasks");
        }
        let mut keep_note = |s: SplitChoice| {
            *note = note.take().or(s.note);
            s.alphas
        };
        match req.rule {
            RegionRule::Bonferroni(method) => {
                let split = |n: usize| gap_band_split(req.alpha / d as f64, req.levels, req.raise_a3, None, n, method);
                let all = if need_all {
                    let alphas = keep_note(split(t)?);
                    Some((0..d).map(|k| calibrate(column(req.gap_est, t, k), column(req.gap_se, t, k), alphas, method, None)).collect::<Result<Vec<_>>>()?)
                } else {
                    None
                };
                let held = if need_held {
                    let alphas = keep_note(split(t - 1)?);
                    Some((0..d).map(|k| LeaveOneOut::new(column(req.gap_est, t, k), column(req.gap_se, t, k), alphas, method)).collect::<Result<Vec<_>>>()?)
                } else {
                    None
                };
                Ok(Shared::Bonferroni { method, all, held })
            }
            RegionRule::Family { shape, center, scale } => {
                // As a fit on the reduced history would: a missing scale is
                // reported before a split too small for T - 1 tasks.
                let all = if need_all {
                    if scale.is_none() {
                        check_spread_estimable(t)?;
                    }
                    let alphas = keep_note(region_split(req.alpha, req.levels, req.raise_a3, t)?);
                    Some(calibrate_family(req.gap_est, req.gap_se, t, d, alphas, shape, center, scale)?)
                } else {
                    None
                };
                let held = if need_held {
                    if scale.is_none() {
                        check_spread_estimable(t - 1)?;
                    }
                    Some(keep_note(region_split(req.alpha, req.levels, req.raise_a3, t - 1)?))
                } else {
                    None
                };
                Ok(Shared::Family { shape, center, scale, all, held })
            }
        }
    }

    /// The region of one target, held out at `held` (or outside the
    /// calibration tasks), calibrated on `t` tasks.
    fn fit(&self, req: &RegionLooRequest, t: usize, held: Option<usize>, row: &TargetRow) -> Result<HeldOutRegion> {
        match self {
            Shared::Bonferroni { method, all, held: loo } => {
                let d = req.dim;
                let mut out = HeldOutRegion { estimate: Vec::with_capacity(d), low: Vec::with_capacity(d), high: Vec::with_capacity(d), joint: None };
                for k in 0..d {
                    let fresh;
                    let cal = match held {
                        None => &all.as_ref().expect("prepared for targets outside")[k],
                        Some(j) => {
                            fresh = loo.as_ref().expect("prepared for held-out targets")[k].without(j)?;
                            &fresh
                        }
                    };
                    // The finite-sample target uses point estimates only.
                    let se = if *method == Method::FiniteSample { 0.0 } else { row.synth_se[k] };
                    let iv = target_interval(cal, row.synth_est[k], se, req.bounds)?;
                    out.estimate.push(iv.estimate);
                    out.low.push(iv.low);
                    out.high.push(iv.high);
                }
                Ok(out)
            }
            Shared::Family { shape, center, scale, all, held: alphas } => {
                let fresh;
                let cal = match held {
                    None => all.as_ref().expect("prepared for targets outside"),
                    Some(j) => {
                        let alphas = alphas.expect("prepared for held-out targets");
                        let (est, se) = (without_row(req.gap_est, t, j), without_row(req.gap_se, t, j));
                        fresh = calibrate_family(&est, &se, t - 1, req.dim, alphas, *shape, *center, *scale)?;
                        &fresh
                    }
                };
                let r = target_region(cal, &row.synth_est, &row.synth_se, req.bounds)?;
                // The ball is not its bounding rectangle: its own coverage.
                let joint = (*shape == Shape::Ball).then(|| region_contains(cal, &r, &row.truth));
                Ok(HeldOutRegion { estimate: r.estimate, low: r.low, high: r.high, joint })
            }
        }
    }
}

/// Vector leave-one-task-out (and split-sample) evaluation in one call.
pub fn region_loo_table(req: &RegionLooRequest, monitor: &Monitor) -> Result<RegionLooResult> {
    let d = req.dim;
    let m = req.held.len();
    if d == 0 || req.gap_est.len() % d != 0 || req.gap_se.len() != req.gap_est.len() {
        return invalid("the gap columns must have one column per coordinate");
    }
    if [req.synth_est.len(), req.synth_se.len(), req.truth.len()].iter().any(|&n| n != m * d) {
        return invalid("one synthetic estimate, standard error and truth per target and coordinate");
    }
    let t = req.gap_est.len() / d;
    if let Some(j) = req.held.iter().flatten().find(|&&j| j >= t) {
        return invalid(format!("held-out task {} is not among the {t} historical tasks", j + 1));
    }
    let mut note = None;
    let need_all = req.held.iter().any(|h| h.is_none());
    let need_held = req.held.iter().any(|h| h.is_some());
    let shared = Shared::new(req, t, need_all, need_held, &mut note)?;
    let row_of = |i: usize| {
        let pick = |x: &[f64]| (0..d).map(|k| x[i + k * m]).collect::<Vec<f64>>();
        TargetRow { synth_est: pick(req.synth_est), synth_se: pick(req.synth_se), truth: pick(req.truth) }
    };
    monitor.set_total(m);
    let fits = (0..m)
        .into_par_iter()
        .map(|i| {
            monitor.check()?;
            let fit = shared.fit(req, t, req.held[i], &row_of(i));
            monitor.advance(1);
            fit
        })
        .collect::<Result<Vec<HeldOutRegion>>>()?;
    Ok(RegionLooResult { table: compare_with_truth(req, &fits)?, note })
}

/// The held-out columns of every (target, coordinate) row, the naive
/// rectangle at `alpha / D`, and the joint coverages.
fn compare_with_truth(req: &RegionLooRequest, fits: &[HeldOutRegion]) -> Result<RegionHeldOutTable> {
    let (d, m) = (req.dim, fits.len());
    let flat = |f: fn(&HeldOutRegion) -> &Vec<f64>| fits.iter().flat_map(|r| f(r).iter().copied()).collect::<Vec<f64>>();
    let by_row = |x: &[f64]| (0..m * d).map(|r| x[r / d + (r % d) * m]).collect::<Vec<f64>>();
    let rows = held_out_table(
        &flat(|r| &r.estimate),
        &flat(|r| &r.low),
        &flat(|r| &r.high),
        &by_row(req.synth_est),
        &by_row(req.synth_se),
        &by_row(req.truth),
        req.alpha / d as f64,
        req.bounds,
    )?;
    let mut table = RegionHeldOutTable { joint_covered: Vec::with_capacity(m * d), naive_joint_covered: Vec::with_capacity(m * d), rows };
    for (i, fit) in fits.iter().enumerate() {
        let at = i * d..(i + 1) * d;
        let joint = match fit.joint {
            Some(inside) => Some(inside),
            None => all_of(&table.rows.covered[at.clone()]),
        };
        let naive = all_of(&table.rows.naive_covered[at]);
        table.joint_covered.extend(std::iter::repeat(joint).take(d));
        table.naive_joint_covered.extend(std::iter::repeat(naive).take(d));
    }
    Ok(table)
}
