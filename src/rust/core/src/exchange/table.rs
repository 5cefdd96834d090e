//! One request, one result: the tables behind `exchangeable_ci()` (from
//! historical tasks or from saved gap bands) and the shared column type.
//!
//! Every result table names its columns as the R result does, with `_` for
//! R's `.` in the broom names (`conf_low` is the column `conf.low`). Unknown
//! values are `NaN` (numbers) or `None` (counts, flags); both become `NA`.

use super::interval::{calibrate, calibration_from_band, overlap, real_interval, target_interval, Calibration, Method};
use super::split::{choose_split, Alphas, SplitChoice, SplitRequest};
use crate::error::{invalid, Result};

/// One column of a result table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Column<'a> {
    /// Doubles; `NaN` means unknown.
    Real(&'a [f64]),
    /// Whole numbers; `None` means unknown.
    Count(&'a [Option<usize>]),
    /// Logicals; `None` means unknown.
    Flag(&'a [Option<bool>]),
}

/// A result table: its columns in order, named as in R (`_` for `.`).
pub trait Table {
    fn columns(&self) -> Vec<(&'static str, Column<'_>)>;
}

/// The storage of a column kind: `Real` doubles, `Count` whole numbers,
/// `Flag` logicals, `Optional` doubles present only in some results.
macro_rules! column_type {
    (Real) => { Vec<f64> };
    (Count) => { Vec<Option<usize>> };
    (Flag) => { Vec<Option<bool>> };
    (Optional) => { Option<Vec<f64>> };
}

macro_rules! push_column {
    ($cols:ident, $x:expr, $name:ident, Optional) => {
        if let Some(v) = &$x.$name {
            $cols.push((stringify!($name), Column::Real(v)));
        }
    };
    ($cols:ident, $x:expr, $name:ident, $kind:ident) => {
        $cols.push((stringify!($name), Column::$kind(&$x.$name)));
    };
}

/// A result table: a struct of one `Vec` per column, in the order of the R
/// result, and its [`Table`] impl, from one list of `field: Kind`.
macro_rules! result_table {
    ($(#[$meta:meta])* pub struct $name:ident { $($(#[$fmeta:meta])* $field:ident: $kind:ident,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Default)]
        pub struct $name {
            $($(#[$fmeta])* pub $field: $crate::exchange::table::column_type!($kind),)*
        }

        impl $crate::exchange::table::Table for $name {
            fn columns(&self) -> Vec<(&'static str, $crate::exchange::table::Column<'_>)> {
                use $crate::exchange::table::Column;
                let mut cols = Vec::new();
                $($crate::exchange::table::push_column!(cols, self, $field, $kind);)*
                cols
            }
        }
    };
}
pub(crate) use {column_type, push_column, result_table};

result_table! {
    /// The per-target table of `exchangeable_ci()`.
    pub struct CiTable {
        estimate: Real,
        conf_low: Real,
        conf_high: Real,
        synth_est: Real,
        synth_low: Real,
        synth_high: Real,
        gap_low: Real,
        gap_high: Real,
        k_lower: Count,
        k_upper: Count,
        a1: Real,
        a2: Real,
        a3: Real,
        n_tasks: Count,
        width: Real,
        width_synth: Real,
        width_gap: Real,
        width_spread: Real,
        /// The real-data Wald interval (section 4.4), when one was given.
        real_low: Optional,
        real_high: Optional,
    }
}

impl CiTable {
    /// Append the interval of one target from a calibration; `real` is the
    /// real-data interval `[low, high]` (already clipped) to intersect with.
    /// Returns whether the intersection is empty (bounds then `NaN`).
    fn push(
        &mut self,
        cal: &Calibration,
        known_n: bool,
        synth_est: f64,
        synth_se: f64,
        bounds: Option<(f64, f64)>,
        real: Option<(f64, f64)>,
    ) -> Result<bool> {
        let iv = target_interval(cal, synth_est, synth_se, bounds)?;
        let (mut lo, mut hi) = (iv.low, iv.high);
        let mut empty = false;
        if let Some((rlo, rhi)) = real {
            (lo, hi, empty) = match overlap(lo, hi, (rlo, rhi)) {
                Some((l, h)) => (l, h, false),
                None => (f64::NAN, f64::NAN, true),
            };
            self.real_low.get_or_insert_with(Vec::new).push(rlo);
            self.real_high.get_or_insert_with(Vec::new).push(rhi);
        }
        let known = |k: usize| if known_n { Some(k) } else { None };
        // The intersection can exclude the bias-corrected estimate (a precise
        // real estimate away from it): like the clipping to `bounds`, the
        // estimate moves to the nearest point of the interval, so it never
        // lies outside its own interval. Without real data, or with an empty
        // intersection (NaN bounds), it is left as it is.
        let estimate = if real.is_some() && !empty && !iv.estimate.is_nan() {
            iv.estimate.clamp(lo, hi)
        } else {
            iv.estimate
        };
        self.estimate.push(estimate);
        self.conf_low.push(lo);
        self.conf_high.push(hi);
        self.synth_est.push(synth_est);
        self.synth_low.push(iv.synth_low);
        self.synth_high.push(iv.synth_high);
        self.gap_low.push(iv.gap_low);
        self.gap_high.push(iv.gap_high);
        self.k_lower.push(known(cal.band.k_lower));
        self.k_upper.push(known(cal.band.k_upper));
        self.a1.push(cal.alphas.a1);
        self.a2.push(cal.alphas.a2);
        self.a3.push(cal.alphas.a3);
        self.n_tasks.push(known(cal.n_tasks));
        self.width.push(hi - lo);
        self.width_synth.push(iv.width_synth);
        self.width_gap.push(iv.width_gap);
        self.width_spread.push(iv.width_spread);
        Ok(empty)
    }
}

/// The target's real-data estimate and standard error (section 4.4), one
/// per target, and the share `gamma` of `alpha` spent on their interval.
#[derive(Debug, Clone, Copy)]
pub struct RealEstimate<'a> {
    pub est: &'a [f64],
    pub se: &'a [f64],
    pub gamma: f64,
}

/// Everything `exchangeable_ci()` computes from historical tasks. With
/// `dim` = D > 1 coordinates (the Bonferroni rectangle of
/// `exchangeable_region()`), the gap columns are `T x D` and the target
/// columns `m x D`, column-major, and each coordinate is calibrated on its
/// own at the given `alpha` (already divided by D).
#[derive(Debug, Clone, Copy)]
pub struct CiRequest<'a> {
    pub gap_est: &'a [f64],
    pub gap_se: &'a [f64],
    /// Algorithm 2: one weight in `[0, 1]` per historical task.
    pub weights: Option<&'a [f64]>,
    pub synth_est: &'a [f64],
    pub synth_se: &'a [f64],
    pub dim: usize,
    pub alpha: f64,
    /// The user's levels `(a1, a2, a3)` (summing to the exchangeability
    /// budget), or `None` for the default split.
    pub levels: Option<Alphas>,
    pub raise_a3: bool,
    pub method: Method,
    pub bounds: Option<(f64, f64)>,
    pub real: Option<RealEstimate<'a>>,
}

/// The result of a request: the table (rows target by target, coordinates
/// in order), which rows had an empty intersection with their real-data
/// interval, and a note when the split was raised.
#[derive(Debug, Clone, PartialEq)]
pub struct CiResult {
    pub table: CiTable,
    pub empty: Vec<bool>,
    pub note: Option<String>,
}

fn check_bounds(bounds: Option<(f64, f64)>) -> Result<()> {
    match bounds {
        Some((lo, hi)) if !(lo <= hi) => invalid(format!("bounds must satisfy lower <= upper, got ({lo}, {hi})")),
        _ => Ok(()),
    }
}

/// The split of `alpha` for a two-sided gap band over `t` historical tasks
/// (their total weight with `weights`).
pub(crate) fn gap_band_split(
    alpha: f64,
    levels: Option<Alphas>,
    raise_a3: bool,
    weights: Option<&[f64]>,
    t: usize,
    method: Method,
) -> Result<SplitChoice> {
    choose_split(&SplitRequest {
        alpha,
        levels,
        raise_a3,
        n_eff: match weights {
            Some(w) => w.iter().sum(),
            None => t as f64,
        },
        weighted: weights.is_some(),
        sides: 2,
        finite_sample: method == Method::FiniteSample,
    })
}

/// Column `k` of a column-major matrix with `d` columns.
fn column(x: &[f64], d: usize, k: usize) -> &[f64] {
    let n = x.len() / d;
    &x[k * n..(k + 1) * n]
}

/// Algorithm 1, 2, 4 or 5 for every target sharing one history: the split of
/// `alpha` (less the real-data share), the calibration, each target's
/// interval clipped to `bounds` and intersected with its real-data interval.
pub fn exchange_ci(req: &CiRequest) -> Result<CiResult> {
    let d = req.dim;
    if d == 0 || req.gap_est.len() % d != 0 || req.synth_est.len() % d != 0 {
        return invalid("the gap and target columns must have one column per coordinate");
    }
    let (t, m) = (req.gap_est.len() / d, req.synth_est.len() / d);
    if req.synth_se.len() != m * d || req.gap_se.len() != t * d {
        return invalid("one standard error per estimate");
    }
    check_bounds(req.bounds)?;
    let alpha_ex = match req.real {
        Some(r) => {
            if r.est.len() != m * d || r.se.len() != m * d {
                return invalid("one real estimate and standard error per target");
            }
            if !(r.gamma > 0.0 && r.gamma < 1.0) {
                return invalid(format!("gamma must lie in (0, 1), got {}", r.gamma));
            }
            (1.0 - r.gamma) * req.alpha
        }
        None => req.alpha,
    };
    let split = gap_band_split(alpha_ex, req.levels, req.raise_a3, req.weights, t, req.method)?;
    let cals = (0..d)
        .map(|k| calibrate(column(req.gap_est, d, k), column(req.gap_se, d, k), split.alphas, req.method, req.weights))
        .collect::<Result<Vec<_>>>()?;
    let mut table = CiTable::default();
    let mut empty = Vec::with_capacity(m * d);
    for i in 0..m {
        for (k, cal) in cals.iter().enumerate() {
            let at = i + k * m;
            let real = match req.real {
                Some(r) => Some(real_interval(r.est[at], r.se[at], r.gamma * req.alpha, req.bounds)?),
                None => None,
            };
            empty.push(table.push(cal, true, req.synth_est[at], req.synth_se[at], req.bounds, real)?);
        }
    }
    Ok(CiResult { table, empty, note: split.note })
}

/// A gap band made earlier, perhaps elsewhere (see [`calibration_from_band`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SavedBand {
    pub lower: f64,
    pub upper: f64,
    /// Mean historical gap, `NaN` when the band does not carry it.
    pub mean_gap: f64,
    /// Number of historical tasks, `None` when unknown.
    pub n_tasks: Option<usize>,
    pub alphas: Alphas,
    pub method: Method,
}

/// Intervals from saved bands: `bands[k]` applies to coordinate `k` of
/// every target. `synth_est` and `synth_se` are `m x D` column-major (`D` the
/// number of bands); rows come out target by target, coordinates in order.
pub fn band_ci(bands: &[SavedBand], synth_est: &[f64], synth_se: &[f64], bounds: Option<(f64, f64)>) -> Result<CiTable> {
    let d = bands.len();
    if d == 0 || synth_est.len() % d != 0 || synth_se.len() != synth_est.len() {
        return invalid("one synthetic estimate and standard error per target and band");
    }
    check_bounds(bounds)?;
    let cals = bands
        .iter()
        .map(|b| calibration_from_band(b.lower, b.upper, b.mean_gap, b.n_tasks.unwrap_or(0), b.alphas, b.method))
        .collect::<Result<Vec<_>>>()?;
    let m = synth_est.len() / d;
    let mut table = CiTable::default();
    for i in 0..m {
        for (k, (cal, band)) in cals.iter().zip(bands).enumerate() {
            let at = i + k * m;
            table.push(cal, band.n_tasks.is_some(), synth_est[at], synth_se[at], bounds, None)?;
        }
    }
    Ok(table)
}

result_table! {
    /// The rows of `exchangeable_band()`: one per level and coordinate.
    pub struct BandTable {
        alpha: Real,
        alpha1: Real,
        alpha2: Real,
        alpha3: Real,
        n_tasks: Count,
        delta_lower: Real,
        delta_upper: Real,
        mean_gap: Real,
        k_lower: Count,
        k_upper: Count,
    }
}

/// Calibrate once: the gap bands of T historical tasks (gap columns
/// `T x dim`, column-major) at each whole level `alpha[i]`, every coordinate
/// at `alpha[i] / dim` with the user's `levels[i]` (or the default split).
#[derive(Debug, Clone, Copy)]
pub struct BandRequest<'a> {
    pub gap_est: &'a [f64],
    pub gap_se: &'a [f64],
    pub weights: Option<&'a [f64]>,
    pub dim: usize,
    pub alpha: &'a [f64],
    pub levels: &'a [Option<Alphas>],
    pub raise_a3: bool,
    pub method: Method,
}

/// The band rows (level by level, coordinates in order) and a note when a
/// split was raised.
#[derive(Debug, Clone, PartialEq)]
pub struct BandResult {
    pub table: BandTable,
    pub note: Option<String>,
}

pub fn band_table(req: &BandRequest) -> Result<BandResult> {
    let d = req.dim;
    if d == 0 || req.gap_est.len() % d != 0 || req.gap_se.len() != req.gap_est.len() {
        return invalid("the gap columns must have one column per coordinate");
    }
    if req.levels.len() != req.alpha.len() {
        return invalid("one split per level");
    }
    let t = req.gap_est.len() / d;
    let mut table = BandTable::default();
    let mut note = None;
    for (&alpha, &levels) in req.alpha.iter().zip(req.levels) {
        let split = gap_band_split(alpha / d as f64, levels, req.raise_a3, req.weights, t, req.method)?;
        note = note.or(split.note);
        for k in 0..d {
            let cal = calibrate(column(req.gap_est, d, k), column(req.gap_se, d, k), split.alphas, req.method, req.weights)?;
            table.alpha.push(alpha);
            table.alpha1.push(cal.alphas.a1);
            table.alpha2.push(cal.alphas.a2);
            table.alpha3.push(cal.alphas.a3);
            table.n_tasks.push(Some(t));
            table.delta_lower.push(cal.band.lower);
            table.delta_upper.push(cal.band.upper);
            table.mean_gap.push(cal.mean_gap);
            table.k_lower.push(Some(cal.band.k_lower));
            table.k_upper.push(Some(cal.band.k_upper));
        }
    }
    Ok(BandResult { table, note })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::qnorm;

    fn hist() -> (Vec<f64>, Vec<f64>) {
        // Point gaps -0.19, ..., 0.19 (T = 39) with se 0.01.
        ((0..39).map(|i| (i as f64 - 19.0) / 100.0).collect(), vec![0.01; 39])
    }

    fn request<'a>(g: &'a [f64], s: &'a [f64], est: &'a [f64], se: &'a [f64]) -> CiRequest<'a> {
        CiRequest {
            gap_est: g,
            gap_se: s,
            weights: None,
            synth_est: est,
            synth_se: se,
            dim: 1,
            alpha: 0.1,
            levels: None,
            raise_a3: false,
            method: Method::Population,
            bounds: None,
            real: None,
        }
    }

    #[test]
    fn intervals_by_hand() {
        let (g, s) = hist();
        let res = exchange_ci(&request(&g, &s, &[0.5, 0.2], &[0.02, 0.0])).unwrap();
        let t = &res.table;
        // alpha = 0.1, T = 39: split (0.01, 0.02, 0.07); k_L = floor(40 * 0.035) = 1,
        // k_U = ceil(40 * 0.965) = 39: the extreme gap intervals.
        let (z1, z2) = (qnorm(0.995), qnorm(0.99));
        assert_eq!((t.k_lower[0], t.k_upper[0], t.n_tasks[0]), (Some(1), Some(39), Some(39)));
        assert!((t.conf_low[0] - (0.5 - z1 * 0.02 - 0.19 - z2 * 0.01)).abs() < 1e-12);
        assert!((t.conf_high[0] - (0.5 + z1 * 0.02 + 0.19 + z2 * 0.01)).abs() < 1e-12);
        assert!((t.conf_low[1] - (0.2 - 0.19 - z2 * 0.01)).abs() < 1e-12);
        assert!((t.estimate[1] - 0.2).abs() < 1e-12); // the mean gap is 0
        for i in 0..2 {
            assert_eq!(t.width[i], t.conf_high[i] - t.conf_low[i]);
            let parts = t.width_synth[i] + t.width_gap[i] + t.width_spread[i];
            assert!((parts - t.width[i]).abs() < 1e-12);
        }
        assert_eq!(t.a3, vec![0.1 * 0.7; 2]);
        assert!(t.real_low.is_none() && res.note.is_none() && res.empty == vec![false, false]);
        assert_eq!(t.columns().len(), 18);
        assert_eq!(t.columns()[1].0, "conf_low");
    }

    #[test]
    fn clipping_to_bounds_by_hand() {
        let (g, s) = hist();
        let req = CiRequest { bounds: Some((0.0, 0.6)), ..request(&g, &s, &[0.5, 0.9], &[0.02, 0.02]) };
        let t = exchange_ci(&req).unwrap().table;
        let (z1, z2) = (qnorm(0.995), qnorm(0.99));
        assert!((t.conf_low[0] - (0.5 - z1 * 0.02 - 0.19 - z2 * 0.01)).abs() < 1e-12);
        assert_eq!(t.conf_high[0], 0.6);
        // Wholly above the bounds: collapses onto the upper bound; the estimate too.
        assert_eq!((t.conf_low[1], t.conf_high[1], t.estimate[1]), (0.6, 0.6, 0.6));
        assert_eq!(t.width[1], 0.0);
        // The width parts stay those before clipping.
        assert!((t.width_synth[1] - 2.0 * z1 * 0.02).abs() < 1e-12);
        assert!(exchange_ci(&CiRequest { bounds: Some((1.0, 0.0)), ..req }).is_err());
    }

    #[test]
    fn intersection_with_real_data_by_hand() {
        let (g, s) = hist();
        let est = [0.6, 0.9];
        let se = [0.05, 0.01];
        let req = CiRequest {
            alpha: 0.2,
            real: Some(RealEstimate { est: &est, se: &se, gamma: 0.25 }),
            ..request(&g, &s, &[0.5, 0.5], &[0.0, 0.0])
        };
        let res = exchange_ci(&req).unwrap();
        let t = &res.table;
        // Exchangeability at 0.75 * 0.2 = 0.15: split (0.015, 0.03, 0.105);
        // k_L = floor(40 * 0.0525) = 2, k_U = ceil(40 * 0.9475) = 38.
        assert!((t.a3[0] - 0.105).abs() < 1e-15);
        assert_eq!((t.k_lower[0], t.k_upper[0]), (Some(2), Some(38)));
        let z2 = qnorm(1.0 - 0.03 / 2.0);
        let (ex_lo, ex_hi) = (0.5 - 0.18 - z2 * 0.01, 0.5 + 0.18 + z2 * 0.01);
        // The real interval at 0.25 * 0.2 = 0.05.
        let zr = qnorm(0.975);
        let (r_lo, r_hi) = (0.6 - zr * 0.05, 0.6 + zr * 0.05);
        assert!((t.real_low.as_ref().unwrap()[0] - r_lo).abs() < 1e-12);
        assert!((t.real_high.as_ref().unwrap()[0] - r_hi).abs() < 1e-12);
        assert!((t.conf_low[0] - ex_lo.max(r_lo)).abs() < 1e-12);
        assert!((t.conf_high[0] - ex_hi.min(r_hi)).abs() < 1e-12);
        // The estimate (0.5 plus the mean gap 0) lies in the intersection.
        assert!(t.conf_low[0] <= t.estimate[0] && t.estimate[0] <= t.conf_high[0]);
        // Target 2: real [0.88, 0.92] lies above [0.12, 0.88 - ...]: empty, NaN bounds.
        assert!(0.9 - zr * 0.01 > ex_hi);
        assert_eq!(res.empty, vec![false, true]);
        assert!(t.conf_low[1].is_nan() && t.conf_high[1].is_nan() && t.width[1].is_nan());
        assert_eq!(t.columns().len(), 20);
    }

    #[test]
    fn estimate_moves_into_a_real_data_intersection_that_excludes_it() {
        let (g, s) = hist();
        // A precise real estimate at 0.3: its interval [0.3 -+ 1.96 * 0.001]
        // lies inside the exchangeability interval around 0.5 but excludes
        // the bias-corrected estimate 0.5 (mean gap 0).
        let (est, se) = ([0.3], [0.001]);
        let req = CiRequest {
            alpha: 0.2,
            real: Some(RealEstimate { est: &est, se: &se, gamma: 0.25 }),
            ..request(&g, &s, &[0.5], &[0.01])
        };
        let t = exchange_ci(&req).unwrap().table;
        let zr = qnorm(0.975);
        assert!((t.conf_low[0] - (0.3 - zr * 0.001)).abs() < 1e-12);
        assert!((t.conf_high[0] - (0.3 + zr * 0.001)).abs() < 1e-12);
        // Before the fix the estimate stayed at 0.5, outside [0.298, 0.302].
        assert_eq!(t.estimate[0], t.conf_high[0]);
    }

    #[test]
    fn two_coordinates_calibrate_separately() {
        let (g, s) = hist();
        let g2: Vec<f64> = g.iter().map(|x| 2.0 * x).collect();
        let both: Vec<f64> = g.iter().chain(&g2).copied().collect();
        let se2: Vec<f64> = s.iter().chain(&s).copied().collect();
        // Two targets x two coordinates, column-major.
        let est = [0.1, 0.2, 0.3, 0.4];
        let sse = [0.01, 0.02, 0.03, 0.04];
        let joint = exchange_ci(&CiRequest { dim: 2, ..request(&both, &se2, &est, &sse) }).unwrap().table;
        let one = exchange_ci(&request(&g, &s, &est[..2], &sse[..2])).unwrap().table;
        let two = exchange_ci(&request(&g2, &s, &est[2..], &sse[2..])).unwrap().table;
        // Rows: (target 1, coord 1), (target 1, coord 2), (target 2, coord 1), (target 2, coord 2).
        assert_eq!(joint.conf_low, vec![one.conf_low[0], two.conf_low[0], one.conf_low[1], two.conf_low[1]]);
        assert_eq!(joint.estimate, vec![one.estimate[0], two.estimate[0], one.estimate[1], two.estimate[1]]);
        assert!((joint.width_spread[1] - 0.76).abs() < 1e-12); // 0.38 - (-0.38)
    }

    #[test]
    fn a_band_applied_later_gives_the_same_interval() {
        let (g, s) = hist();
        let levels = [None, Some(Alphas { a1: 0.02, a2: 0.02, a3: 0.16 })];
        let req = BandRequest { gap_est: &g, gap_se: &s, weights: None, dim: 1, alpha: &[0.1, 0.2], levels: &levels, raise_a3: false, method: Method::Population };
        let bands = band_table(&req).unwrap().table;
        assert_eq!(bands.alpha, vec![0.1, 0.2]);
        assert_eq!((bands.alpha3[1], bands.k_lower[1], bands.k_upper[1]), (0.16, Some(3), Some(37)));
        for i in 0..2 {
            let saved = SavedBand {
                lower: bands.delta_lower[i],
                upper: bands.delta_upper[i],
                mean_gap: bands.mean_gap[i],
                n_tasks: bands.n_tasks[i],
                alphas: Alphas { a1: bands.alpha1[i], a2: bands.alpha2[i], a3: bands.alpha3[i] },
                method: Method::Population,
            };
            let later = band_ci(&[saved], &[0.5], &[0.02], None).unwrap();
            let now = exchange_ci(&CiRequest { alpha: bands.alpha[i], levels: levels[i], ..request(&g, &s, &[0.5], &[0.02]) }).unwrap().table;
            assert_eq!((later.conf_low[0], later.conf_high[0], later.estimate[0]), (now.conf_low[0], now.conf_high[0], now.estimate[0]));
        }
    }

    #[test]
    fn saved_bands_for_two_coordinates() {
        let a = Alphas { a1: 0.01, a2: 0.02, a3: 0.07 };
        let known = SavedBand { lower: -0.1, upper: 0.2, mean_gap: 0.05, n_tasks: Some(39), alphas: a, method: Method::Population };
        let unknown = SavedBand { mean_gap: f64::NAN, n_tasks: None, ..known };
        // Two targets x two coordinates, column-major.
        let est = [0.3, 0.4, 0.5, 0.6];
        let se = [0.01, 0.0, 0.0, 0.0];
        let t = band_ci(&[known, unknown], &est, &se, Some((0.0, 1.0))).unwrap();
        // Row order: (target 1, coord 1), (target 1, coord 2), (target 2, coord 1), ...
        assert_eq!(t.synth_est, vec![0.3, 0.5, 0.4, 0.6]);
        let z1 = qnorm(0.995);
        assert!((t.conf_low[0] - (0.3 - z1 * 0.01 - 0.1)).abs() < 1e-12);
        assert!((t.conf_high[0] - (0.3 + z1 * 0.01 + 0.2)).abs() < 1e-12);
        assert_eq!((t.conf_low[1], t.conf_high[1]), (0.5 - 0.1, 0.5 + 0.2));
        assert!((t.estimate[0] - 0.35).abs() < 1e-12 && t.estimate[1].is_nan());
        assert_eq!((t.k_lower[0], t.k_lower[1], t.n_tasks[1]), (Some(1), None, None));
        assert!(t.width_spread[0].is_nan());
    }
}
