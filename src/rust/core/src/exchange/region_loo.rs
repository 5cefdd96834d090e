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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::qnorm;
    use crate::exchange::region::{region_table, RegionRequest};
    use crate::exchange::table::{exchange_ci, CiRequest};

    /// T = 9 calibration tasks in D = 2 with zero se: gaps (j, -j), j = 1..9.
    fn gaps() -> (Vec<f64>, Vec<f64>) {
        let g: Vec<f64> = (1..=9).map(|i| i as f64).chain((1..=9).map(|i| -(i as f64))).collect();
        (g, vec![0.0; 18])
    }

    fn request<'a>(g: &'a [f64], s: &'a [f64], held: &'a [Option<usize>], rule: RegionRule<'a>) -> RegionLooRequest<'a> {
        // Two targets x two coordinates, column-major.
        RegionLooRequest {
            gap_est: g,
            gap_se: s,
            held,
            synth_est: &[0.0, 1.0, 0.0, 2.0],
            synth_se: &[0.0, 0.0, 0.0, 0.0],
            truth: &[7.5, 10.0, 0.0, 0.0],
            dim: 2,
            alpha: 0.5,
            levels: Some(Alphas { a1: 0.15, a2: 0.15, a3: 0.2 }),
            raise_a3: false,
            rule,
            bounds: Some((-10.0, 12.0)),
        }
    }

    #[test]
    fn box_by_hand() {
        let (g, s) = gaps();
        let fixed = RegionRule::Family { shape: Shape::Box, center: Some(&[0.0, 0.0]), scale: Some(&[1.0, 2.0]) };
        // Target 1 holds out task 9 (gaps 9, -9); target 2 is outside.
        let res = region_loo_table(&request(&g, &s, &[Some(8), None], fixed), &Default::default()).unwrap();
        let t = &res.table;
        // Target 1 (synthetic (0, 0)): T = 8, scores 1..8, rank
        // ceil(0.8 * 9) = 8: radius 8, box [-8, 8] x [-16, 16] clipped to
        // [-10, 12]; estimate = synth + mean gap of tasks 1..8, (4.5, -4.5).
        assert_eq!(t.rows.conf_low[..2], [-8.0, -10.0]);
        assert_eq!(t.rows.conf_high[..2], [8.0, 12.0]);
        assert_eq!(t.rows.estimate[..2], [4.5, -4.5]);
        // Target 2 (synthetic (1, 2)): T = 9, rank ceil(0.8 * 10) = 8, radius
        // 8; mean gaps (5, -5).
        assert_eq!(t.rows.conf_low[2..], [-7.0, -10.0]);
        assert_eq!(t.rows.conf_high[2..], [9.0, 12.0]);
        assert_eq!(t.rows.estimate[2..], [6.0, -3.0]);
        // Truth (7.5, 0) is inside target 1's box; (10, 0) misses target 2's.
        assert_eq!(t.rows.covered, vec![Some(true), Some(true), Some(false), Some(true)]);
        assert_eq!(t.joint_covered, vec![Some(true), Some(true), Some(false), Some(false)]);
        // Naive: zero se, the points themselves: only target 1's 0 is hit.
        assert_eq!(t.rows.naive_covered, vec![Some(false), Some(true), Some(false), Some(false)]);
        assert_eq!(t.naive_joint_covered, vec![Some(false); 4]);
        assert_eq!(t.rows.truth, vec![7.5, 0.0, 10.0, 0.0]);
        assert_eq!(t.rows.width, vec![16.0, 22.0, 16.0, 22.0]);
        assert!(res.note.is_none());
        let names: Vec<&str> = t.columns().iter().map(|c| c.0).collect();
        assert_eq!(names[11..], ["joint_covered", "naive_joint_covered"]);
    }

    #[test]
    fn each_target_equals_a_region_on_its_own_calibration_tasks() {
        // Gaps with spread and se; defaults computed on each reduced set.
        let t = 12;
        let g: Vec<f64> = (0..2 * t).map(|i| ((i * 7919) % 23) as f64 / 40.0 - 0.2).collect();
        let s: Vec<f64> = (0..2 * t).map(|i| 0.01 + (i % 5) as f64 / 100.0).collect();
        let held = [Some(3), None, Some(11)];
        let synth = [0.4, 0.5, 0.6, 0.3, 0.2, 0.1];
        let sse = [0.02, 0.03, 0.01, 0.02, 0.04, 0.05];
        let truth = [0.5, 0.9, 0.4, 0.2, 0.3, 0.0];
        for rule in [
            RegionRule::Family { shape: Shape::Box, center: None, scale: None },
            RegionRule::Family { shape: Shape::Ball, center: None, scale: None },
            RegionRule::Bonferroni(Method::Population),
        ] {
            let req = RegionLooRequest {
                gap_est: &g,
                gap_se: &s,
                held: &held,
                synth_est: &synth,
                synth_se: &sse,
                truth: &truth,
                dim: 2,
                alpha: 0.6,
                levels: None,
                raise_a3: false,
                rule,
                bounds: Some((0.0, 1.0)),
            };
            let got = crate::parallel::with_threads(2, || region_loo_table(&req, &Default::default())).unwrap().unwrap().table;
            for (i, h) in held.iter().enumerate() {
                let (est, se) = match h {
                    Some(j) => (without_row(&g, t, *j), without_row(&s, t, *j)),
                    None => (g.clone(), s.clone()),
                };
                let (ts, tse, tt) = ([synth[i], synth[i + 3]], [sse[i], sse[i + 3]], [truth[i], truth[i + 3]]);
                let (low, high, joint) = match rule {
                    RegionRule::Family { shape, .. } => {
                        let r = region_table(&RegionRequest {
                            gap_est: &est, gap_se: &se, synth_est: &ts, synth_se: &tse, dim: 2, alpha: 0.6, levels: None,
                            raise_a3: false, shape, center: None, scale: None, bounds: Some((0.0, 1.0)),
                        })
                        .unwrap();
                        let low = r.table.conf_low.clone();
                        let high = r.table.conf_high.clone();
                        let inside = (0..2).all(|k| low[k] <= tt[k] && tt[k] <= high[k]);
                        // The ball's membership rule (see region_contains), by hand.
                        let ball = || {
                            let s2: f64 = (0..2)
                                .map(|k| {
                                    let v = tt[k] - r.table.center[k];
                                    ((r.table.synth_low[k] - v).max(v - r.table.synth_high[k]).max(0.0) / r.table.scale[k]).powi(2)
                                })
                                .sum();
                            s2.sqrt() <= r.table.radius[0]
                        };
                        (low, high, if shape == Shape::Ball { ball() } else { inside })
                    }
                    RegionRule::Bonferroni(method) => {
                        let r = exchange_ci(&CiRequest {
                            gap_est: &est, gap_se: &se, weights: None, synth_est: &ts, synth_se: &tse, dim: 2, alpha: 0.3,
                            levels: None, raise_a3: false, method, bounds: Some((0.0, 1.0)), real: None,
                        })
                        .unwrap();
                        let (low, high) = (r.table.conf_low.clone(), r.table.conf_high.clone());
                        let inside = (0..2).all(|k| low[k] <= tt[k] && tt[k] <= high[k]);
                        (low, high, inside)
                    }
                };
                assert_eq!(got.rows.conf_low[2 * i..2 * i + 2], low[..], "{rule:?} target {i}");
                assert_eq!(got.rows.conf_high[2 * i..2 * i + 2], high[..], "{rule:?} target {i}");
                assert_eq!(got.joint_covered[2 * i], Some(joint), "{rule:?} target {i}");
                // The naive rectangle at alpha / D = 0.3.
                let z = qnorm(1.0 - 0.15);
                assert!((got.rows.naive_high[2 * i] - (synth[i] + z * sse[i]).min(1.0)).abs() < 1e-15);
            }
        }
    }

    #[test]
    fn defaults_need_a_spread() {
        let (g, s) = gaps();
        let flat = vec![0.5; 18];
        let default = RegionRule::Family { shape: Shape::Ball, center: None, scale: None };
        let err = region_loo_table(&request(&flat, &s, &[Some(0), None], default), &Default::default()).unwrap_err();
        assert!(err.to_string().contains("do not vary in coordinate(s) 1, 2."), "{err}");
        // Two calibration tasks: each held-out set has one.
        let two = [g[0], g[1], g[9], g[10]];
        let err = region_loo_table(&request(&two, &s[..4], &[Some(0), Some(1)], default), &Default::default()).unwrap_err();
        assert!(err.to_string().contains("must be given with a single historical task"), "{err}");
        let bad = region_loo_table(&request(&g, &s, &[Some(9), None], default), &Default::default());
        assert!(bad.unwrap_err().to_string().contains("not among the 9"));
    }
}
