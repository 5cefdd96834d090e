//! Vector targets (Algorithm 3): the nested-family score method.
//!
//! The family is `C_s = c + s K`, where `K` is either the box
//! `prod_d [-sigma_d, sigma_d]` or the scaled ball `{v : sum_d (v_d/sigma_d)^2 <= 1}`.
//! Each historical task's gap region is the box of its per-coordinate gap
//! intervals at `a2 / D` (a Bonferroni box, jointly valid at `a2`); its score is
//! the smallest `s` with the box inside `C_s`. The calibrated radius `s*` is the
//! `ceil((1 - a3)(T + 1))`-th smallest score, and the region for a target is
//! the Minkowski sum of its synthetic box (per-coordinate intervals at
//! `a1 / D`) and `C_{s*}`.
//!
//! Matrices are column-major `T x D` (historical) or length-`D` vectors.

use super::exact_sum::ExactSum;
use super::order::kth_smallest;
use super::split::{choose_split, Alphas, SplitChoice, SplitRequest};
use super::table::result_table;
use crate::dist::z_two_sided;
use crate::error::{invalid, Result};

const RANK_EPS: f64 = 1e-9;

/// Shape of the nested family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Box,
    Ball,
}

impl Shape {
    pub fn parse(name: &str) -> Result<Shape> {
        match name {
            "box" => Ok(Shape::Box),
            "ball" => Ok(Shape::Ball),
            _ => invalid(format!("unknown region shape '{name}'")),
        }
    }
}

/// Rank of the calibrated score: `ceil((1 - a3)(T + 1))`.
pub fn score_rank(t: usize, a3: f64) -> usize {
    (((t as f64 + 1.0) * (1.0 - a3)) - RANK_EPS).ceil().max(0.0) as usize
}

/// Historical tasks reduced to a calibrated radius.
#[derive(Debug, Clone, PartialEq)]
pub struct RegionCalibration {
    pub shape: Shape,
    pub alphas: Alphas,
    pub dim: usize,
    pub center: Vec<f64>,
    pub scale: Vec<f64>,
    pub scores: Vec<f64>,
    pub rank: usize,
    pub radius: f64,
    pub mean_gap: Vec<f64>,
}

/// Score of one box `[lo_d, hi_d]` in the family centred at `c` with scales `sigma`.
pub fn box_score(lo: &[f64], hi: &[f64], center: &[f64], scale: &[f64], shape: Shape) -> f64 {
    let reach = lo
        .iter()
        .zip(hi)
        .zip(center.iter().zip(scale))
        .map(|((l, h), (c, s))| (l - c).abs().max((h - c).abs()) / s);
    match shape {
        Shape::Box => reach.fold(0.0, f64::max),
        Shape::Ball => reach.map(|r| r * r).sum::<f64>().sqrt(),
    }
}

/// Calibrate the radius from `T x D` gap estimates and standard errors.
#[allow(clippy::too_many_arguments)]
pub fn calibrate_region(
    gap_est: &[f64],
    gap_se: &[f64],
    t: usize,
    dim: usize,
    alphas: Alphas,
    shape: Shape,
    center: &[f64],
    scale: &[f64],
) -> Result<RegionCalibration> {
    if t == 0 || dim == 0 {
        return invalid("at least one historical task and one coordinate are needed");
    }
    if gap_est.len() != t * dim || gap_se.len() != t * dim {
        return invalid("gap matrices must be T x D");
    }
    if center.len() != dim || scale.len() != dim {
        return invalid(format!("center and scale need {dim} entries"));
    }
    if gap_est
        .iter()
        .chain(gap_se)
        .chain(center)
        .any(|v| !v.is_finite())
    {
        return invalid("gap estimates, standard errors and the center must be finite");
    }
    if gap_se.iter().any(|s| *s < 0.0) {
        return invalid("gap standard errors must be >= 0");
    }
    if scale.iter().any(|s| !(s.is_finite() && *s > 0.0)) {
        return invalid("scales must be positive and finite");
    }
    if !(alphas.a1 > 0.0 && alphas.a2 > 0.0 && alphas.a3 > 0.0) {
        return invalid("a1, a2 and a3 must be positive");
    }
    let z = z_two_sided(alphas.a2 / dim as f64);
    let scores: Vec<f64> = (0..t)
        .map(|j| {
            let lo: Vec<f64> = (0..dim)
                .map(|d| gap_est[j + d * t] - z * gap_se[j + d * t])
                .collect();
            let hi: Vec<f64> = (0..dim)
                .map(|d| gap_est[j + d * t] + z * gap_se[j + d * t])
                .collect();
            box_score(&lo, &hi, center, scale, shape)
        })
        .collect();
    let rank = score_rank(t, alphas.a3);
    let radius = kth_smallest(&scores, rank)?;
    if !radius.is_finite() {
        return invalid(format!(
            "the calibrated radius is infinite: a3 = {} is below 1 / (T + 1) for the {t} historical tasks",
            alphas.a3
        ));
    }
    let mean_gap = (0..dim)
        .map(|d| gap_est[d * t..(d + 1) * t].iter().sum::<f64>() / t as f64)
        .collect();
    Ok(RegionCalibration {
        shape,
        alphas,
        dim,
        center: center.to_vec(),
        scale: scale.to_vec(),
        scores,
        rank,
        radius,
        mean_gap,
    })
}

/// The default center of the family: the mean historical gap in each
/// coordinate of `T x D` gap estimates (the sum correctly rounded, then
/// divided by T).
pub fn default_center(gap_est: &[f64], t: usize, dim: usize) -> Result<Vec<f64>> {
    check_matrix(gap_est, t, dim)?;
    (0..dim).map(|d| mean(&gap_est[d * t..(d + 1) * t])).collect()
}

/// The default scale of the family: the sample standard deviation (divisor
/// T - 1) of the historical gaps in each coordinate. A scale must be
/// positive, so a single task or a coordinate whose gaps do not vary is an
/// error asking for the scale (messages name R's argument `scale`).
pub fn default_scale(gap_est: &[f64], t: usize, dim: usize) -> Result<Vec<f64>> {
    check_matrix(gap_est, t, dim)?;
    check_spread_estimable(t)?;
    let scale = (0..dim)
        .map(|d| standard_deviation(&gap_est[d * t..(d + 1) * t]))
        .collect::<Result<Vec<f64>>>()?;
    let flat: Vec<String> = (0..dim).filter(|&d| !(scale[d] > 0.0)).map(|d| (d + 1).to_string()).collect();
    if !flat.is_empty() {
        return invalid(format!(
            "`scale` must be given: the historical gaps do not vary in coordinate(s) {}.",
            flat.join(", ")
        ));
    }
    Ok(scale)
}

/// A spread needs two tasks: checked before anything else is computed, so
/// that a missing `scale` is the error a single task reports.
pub fn check_spread_estimable(t: usize) -> Result<()> {
    if t < 2 {
        return invalid("`scale` must be given with a single historical task (no spread to estimate).");
    }
    Ok(())
}

fn check_matrix(gap_est: &[f64], t: usize, dim: usize) -> Result<()> {
    if t == 0 || dim == 0 || gap_est.len() != t * dim {
        return invalid("the default center and scale need T x D gap estimates with T, D >= 1");
    }
    Ok(())
}

/// The sum and quotient rounded once, as R's `colMeans()` with its
/// extended-precision sum.
fn mean(x: &[f64]) -> Result<f64> {
    Ok(ExactSum::new(x)?.divided_by(x.len() as f64))
}

/// Two passes, as R's `sd()`: the squared deviations from the (rounded)
/// mean, which R forms and sums in extended precision, here kept exact
/// (each as the terms of its expansion), divided by n - 1 with one rounding,
/// then the square root.
fn standard_deviation(x: &[f64]) -> Result<f64> {
    let m = mean(x)?;
    let mut terms = Vec::with_capacity(6 * x.len());
    for &v in x {
        // v - m = hi + lo exactly (two-sum).
        let hi = v - m;
        let back = hi - v;
        let lo = (v - (hi - back)) + (-m - back);
        // (hi + lo)^2 = hi^2 + 2 hi lo + lo^2, each product exact with its error.
        for (a, b) in [(hi, hi), (2.0 * hi, lo), (lo, lo)] {
            let p = a * b;
            terms.push(p);
            terms.push(a.mul_add(b, -p));
        }
    }
    Ok(ExactSum::new(&terms)?.divided_by((x.len() - 1) as f64).sqrt())
}

/// The split of `alpha` for a region calibrated on `t` tasks: the score is
/// one-sided, so `a3 >= 1 / (T + 1)` suffices.
pub fn region_split(alpha: f64, levels: Option<Alphas>, raise_a3: bool, t: usize) -> Result<SplitChoice> {
    choose_split(&SplitRequest {
        alpha,
        levels,
        raise_a3,
        n_eff: t as f64,
        weighted: false,
        sides: 1,
        finite_sample: false,
    })
}

/// [`calibrate_region`] with the user's `center` and `scale`, or the
/// defaults computed from these `T x D` gaps where `None`.
#[allow(clippy::too_many_arguments)]
pub fn calibrate_family(
    gap_est: &[f64],
    gap_se: &[f64],
    t: usize,
    dim: usize,
    alphas: Alphas,
    shape: Shape,
    center: Option<&[f64]>,
    scale: Option<&[f64]>,
) -> Result<RegionCalibration> {
    let scale = match scale {
        Some(s) => s.to_vec(),
        None => default_scale(gap_est, t, dim)?,
    };
    let center = match center {
        Some(c) => c.to_vec(),
        None => default_center(gap_est, t, dim)?,
    };
    calibrate_region(gap_est, gap_se, t, dim, alphas, shape, &center, &scale)
}

/// The region for one target, as per-coordinate intervals. For the box these
/// are the region; for the ball they are its bounding box (the region is the
/// set of points whose scaled distance to the shifted synthetic box is at most
/// the radius, see [`region_contains`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Region {
    pub estimate: Vec<f64>,
    pub low: Vec<f64>,
    pub high: Vec<f64>,
    pub synth_low: Vec<f64>,
    pub synth_high: Vec<f64>,
}

/// Minkowski sum of the target's synthetic box and `C_{s*}`.
pub fn target_region(
    cal: &RegionCalibration,
    synth_est: &[f64],
    synth_se: &[f64],
    bounds: Option<(f64, f64)>,
) -> Result<Region> {
    let d = cal.dim;
    if synth_est.len() != d || synth_se.len() != d {
        return invalid(format!(
            "the target needs {d} synthetic estimates and standard errors"
        ));
    }
    if synth_est.iter().chain(synth_se).any(|v| !v.is_finite()) || synth_se.iter().any(|s| *s < 0.0)
    {
        return invalid("synthetic estimates and standard errors must be finite, se >= 0");
    }
    if !(cal.alphas.a1 > 0.0 && cal.alphas.a1 < 1.0) {
        return invalid(format!("a1 must lie in (0, 1), got {}", cal.alphas.a1));
    }
    let z = z_two_sided(cal.alphas.a1 / d as f64);
    let clip = |x: f64| super::interval::clip(x, bounds);
    let synth_low: Vec<f64> = (0..d).map(|k| synth_est[k] - z * synth_se[k]).collect();
    let synth_high: Vec<f64> = (0..d).map(|k| synth_est[k] + z * synth_se[k]).collect();
    let reach: Vec<f64> = cal.scale.iter().map(|s| cal.radius * s).collect();
    Ok(Region {
        estimate: (0..d)
            .map(|k| clip(synth_est[k] + cal.mean_gap[k]))
            .collect(),
        low: (0..d)
            .map(|k| clip(synth_low[k] + cal.center[k] - reach[k]))
            .collect(),
        high: (0..d)
            .map(|k| clip(synth_high[k] + cal.center[k] + reach[k]))
            .collect(),
        synth_low,
        synth_high,
    })
}

/// Whether `theta` lies in the region (before clipping; clipping to bounds
/// only removes points outside the bounds).
pub fn region_contains(cal: &RegionCalibration, region: &Region, theta: &[f64]) -> bool {
    // Distance of theta - c to the synthetic box, per coordinate, scaled.
    let gaps: Vec<f64> = (0..cal.dim)
        .map(|k| {
            let v = theta[k] - cal.center[k];
            let out = (region.synth_low[k] - v)
                .max(v - region.synth_high[k])
                .max(0.0);
            out / cal.scale[k]
        })
        .collect();
    let s = match cal.shape {
        Shape::Box => gaps.iter().cloned().fold(0.0, f64::max),
        Shape::Ball => gaps.iter().map(|g| g * g).sum::<f64>().sqrt(),
    };
    s <= cal.radius * (1.0 + 1e-12) + 1e-15
}

result_table! {
    /// The per-(target, coordinate) table of `exchangeable_region()` for the
    /// box and ball shapes: rows target by target, coordinates in order.
    pub struct RegionTable {
        estimate: Real,
        conf_low: Real,
        conf_high: Real,
        synth_est: Real,
        synth_low: Real,
        synth_high: Real,
        center: Real,
        scale: Real,
        radius: Real,
        rank: Count,
        a1: Real,
        a2: Real,
        a3: Real,
        n_tasks: Count,
        width: Real,
    }
}

/// Everything `exchangeable_region(shape = "box" | "ball")` computes:
/// `gap_*` are `T x D`, `synth_*` `m x D`, column-major.
#[derive(Debug, Clone, Copy)]
pub struct RegionRequest<'a> {
    pub gap_est: &'a [f64],
    pub gap_se: &'a [f64],
    pub synth_est: &'a [f64],
    pub synth_se: &'a [f64],
    pub dim: usize,
    pub alpha: f64,
    /// The user's levels `(a1, a2, a3)` summing to `alpha`, or `None`.
    pub levels: Option<Alphas>,
    pub raise_a3: bool,
    pub shape: Shape,
    /// The user's center and scale, or `None` for the defaults
    /// ([`default_center`], [`default_scale`]).
    pub center: Option<&'a [f64]>,
    pub scale: Option<&'a [f64]>,
    pub bounds: Option<(f64, f64)>,
}

/// The table and a note when the split was raised.
#[derive(Debug, Clone, PartialEq)]
pub struct RegionResult {
    pub table: RegionTable,
    pub note: Option<String>,
}

/// Split, calibration and the region of every target.
pub fn region_table(req: &RegionRequest) -> Result<RegionResult> {
    let d = req.dim;
    if d == 0 || req.gap_est.len() % d != 0 || req.synth_est.len() % d != 0 {
        return invalid("the gap and target columns must have one column per coordinate");
    }
    let (t, m) = (req.gap_est.len() / d, req.synth_est.len() / d);
    if req.synth_se.len() != m * d {
        return invalid("one synthetic standard error per target and coordinate");
    }
    if req.scale.is_none() {
        check_spread_estimable(t)?;
    }
    let split = region_split(req.alpha, req.levels, req.raise_a3, t)?;
    let cal = calibrate_family(req.gap_est, req.gap_se, t, d, split.alphas, req.shape, req.center, req.scale)?;
    let mut table = RegionTable::default();
    for i in 0..m {
        let pick = |x: &[f64]| (0..d).map(|k| x[i + k * m]).collect::<Vec<f64>>();
        let r = target_region(&cal, &pick(req.synth_est), &pick(req.synth_se), req.bounds)?;
        for k in 0..d {
            table.estimate.push(r.estimate[k]);
            table.conf_low.push(r.low[k]);
            table.conf_high.push(r.high[k]);
            table.synth_est.push(req.synth_est[i + k * m]);
            table.synth_low.push(r.synth_low[k]);
            table.synth_high.push(r.synth_high[k]);
            table.center.push(cal.center[k]);
            table.scale.push(cal.scale[k]);
            table.radius.push(cal.radius);
            table.rank.push(Some(cal.rank));
            table.a1.push(split.alphas.a1);
            table.a2.push(split.alphas.a2);
            table.a3.push(split.alphas.a3);
            table.n_tasks.push(Some(t));
            table.width.push(r.high[k] - r.low[k]);
        }
    }
    Ok(RegionResult { table, note: split.note })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn box_and_ball_scores_by_hand() {
        let s = box_score(
            &[-1.0, 0.0],
            &[0.5, 3.0],
            &[0.0, 1.0],
            &[1.0, 2.0],
            Shape::Box,
        );
        assert_eq!(s, 1.0); // max(1/1, 2/2)
        let s = box_score(
            &[-1.0, 0.0],
            &[0.5, 3.0],
            &[0.0, 1.0],
            &[1.0, 2.0],
            Shape::Ball,
        );
        assert!((s - 2f64.sqrt()).abs() < 1e-15);
    }

    #[test]
    fn radius_is_the_right_order_statistic() {
        // T = 9 tasks in D = 1 with zero se: scores |g_j|; a3 = 0.2 -> rank ceil(8) = 8.
        let g: Vec<f64> = (1..=9).map(|i| i as f64).collect();
        let a = Alphas {
            a1: 0.05,
            a2: 0.05,
            a3: 0.2,
        };
        let cal = calibrate_region(&g, &[0.0; 9], 9, 1, a, Shape::Box, &[0.0], &[1.0]).unwrap();
        assert_eq!((cal.rank, cal.radius), (8, 8.0));
        let r = target_region(&cal, &[0.0], &[0.0], None).unwrap();
        assert_eq!((r.low[0], r.high[0]), (-8.0, 8.0));
        assert!(region_contains(&cal, &r, &[8.0]) && !region_contains(&cal, &r, &[8.1]));
        let a = Alphas {
            a1: 0.05,
            a2: 0.05,
            a3: 0.05,
        };
        assert!(calibrate_region(&g, &[0.0; 9], 9, 1, a, Shape::Box, &[0.0], &[1.0]).is_err());
    }

    #[test]
    fn region_table_by_hand() {
        // T = 9 in D = 2, zero se: gaps (j, -j); box scores max(|j|, |-j| / 2) = j.
        let g: Vec<f64> = (1..=9).map(|i| i as f64).chain((1..=9).map(|i| -(i as f64))).collect();
        let zeros = [0.0; 18];
        let req = RegionRequest {
            gap_est: &g,
            gap_se: &zeros,
            synth_est: &[0.0, 1.0, 0.0, 2.0],
            synth_se: &[0.0; 4],
            dim: 2,
            alpha: 0.5,
            levels: Some(Alphas { a1: 0.15, a2: 0.15, a3: 0.2 }),
            raise_a3: false,
            shape: Shape::Box,
            center: Some(&[0.0, 0.0]),
            scale: Some(&[1.0, 2.0]),
            bounds: Some((-10.0, 12.0)),
        };
        let res = region_table(&req).unwrap();
        let t = &res.table;
        // rank ceil(0.8 * 10) = 8, radius 8: box [-8, 8] x [-16, 16] around the estimate.
        assert_eq!((t.rank[0], t.radius[0]), (Some(8), 8.0));
        // Rows (target 1, coord 1), (target 1, coord 2), (target 2, ...).
        assert_eq!(t.conf_low, vec![-8.0, -10.0, -7.0, -10.0]);
        assert_eq!(t.conf_high, vec![8.0, 12.0, 9.0, 12.0]);
        assert_eq!(t.width, vec![16.0, 22.0, 16.0, 22.0]);
        assert_eq!(t.estimate, vec![5.0, -5.0, 6.0, -3.0]);
        assert_eq!(t.scale, vec![1.0, 2.0, 1.0, 2.0]);
        assert!(res.note.is_none());
        // a3 = 0.05 < 1 / 10: an error, or raised with a note.
        let low = Alphas { a1: 0.2, a2: 0.25, a3: 0.05 };
        assert!(region_table(&RegionRequest { levels: Some(low), ..req }).is_err());
        let raised = region_table(&RegionRequest { levels: Some(low), raise_a3: true, ..req }).unwrap();
        assert_eq!(raised.table.a3[0], 0.1);
        assert!(raised.note.is_some());
    }

    #[test]
    fn default_center_and_scale_are_mean_and_sd() {
        // Column 1: 1, 2, 3, 6 (mean 3, sd sqrt(14 / 3)); column 2: 0.1, 0.2, 0.3, 0.4.
        let g = [1.0, 2.0, 3.0, 6.0, 0.1, 0.2, 0.3, 0.4];
        let c = default_center(&g, 4, 2).unwrap();
        assert_eq!(c, vec![3.0, 0.25]);
        let s = default_scale(&g, 4, 2).unwrap();
        assert_eq!(s[0], (14.0f64 / 3.0).sqrt());
        // sum((x - 0.25)^2) = 0.05, over 3.
        assert!((s[1] - (0.05f64 / 3.0).sqrt()).abs() < 1e-16);
        assert!(default_scale(&g[..2], 1, 2).unwrap_err().to_string().contains("single historical task"));
        let flat = [1.0, 2.0, 0.3, 0.3];
        assert!(default_scale(&flat, 2, 2).unwrap_err().to_string().contains("do not vary in coordinate(s) 2."));
        // The region uses them when no center or scale is given.
        let cal = calibrate_family(&g, &[0.0; 8], 4, 2, Alphas { a1: 0.1, a2: 0.1, a3: 0.2 }, Shape::Box, None, None).unwrap();
        assert_eq!((cal.center.clone(), cal.scale.clone()), (c, s));
    }
}
