//! Scalar exchangeability intervals: Algorithms 1, 2, 4 and 5 of Tan and
//! Zrnic, plus the real-data intersection of their section 4.4.
//!
//! The work is split in two: [`calibrate`] turns the historical tasks into a
//! gap band once, [`target_interval`] adds it to any number of targets'
//! synthetic intervals. Per-task intervals are Wald intervals
//! `estimate +- z * se`; the standard errors come from the caller (paired or
//! unpaired gap standard errors are the caller's choice).

use super::exact_sum::ExactSum;
use super::order::{gap_band, k_lower, k_upper, GapBand};
use super::split::Alphas;
use super::weighted::weighted_gap_band;
use crate::dist::z_two_sided;
use crate::error::{invalid, Result};

/// Which target and which guarantee.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Algorithm 1: population target, exchangeable task-dataset pairs.
    Population,
    /// Algorithm 5: population target, only the tasks exchangeable; gap
    /// intervals at `a2 / T` (Bonferroni over the historical tasks).
    TaskOnly,
    /// Algorithm 4: finite-sample target; point gaps, the whole budget on the
    /// order statistics (`a3 = alpha`, `a1 = a2 = 0`).
    FiniteSample,
}

impl Method {
    /// Parse the R-side method name.
    pub fn parse(name: &str) -> Result<Method> {
        match name {
            "population" => Ok(Method::Population),
            "task_only" => Ok(Method::TaskOnly),
            "finite_sample" => Ok(Method::FiniteSample),
            _ => invalid(format!("unknown method '{name}'")),
        }
    }
}

/// The historical tasks reduced to what a target needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Calibration {
    pub method: Method,
    pub alphas: Alphas,
    /// Band from the gap intervals (or point gaps for Algorithm 4).
    pub band: GapBand,
    /// Band from the point gaps at the same ranks/weights: the cross-task spread.
    pub spread: GapBand,
    /// (Weighted) mean of the historical gap estimates.
    pub mean_gap: f64,
    pub n_tasks: usize,
}

pub(crate) fn check_finite(x: &[f64], what: &str) -> Result<()> {
    match x.iter().position(|v| !v.is_finite()) {
        Some(i) => invalid(format!("{what} is not finite at position {}", i + 1)),
        None => Ok(()),
    }
}

pub(crate) fn check_se(se: &[f64], what: &str) -> Result<()> {
    check_finite(se, what)?;
    match se.iter().position(|v| *v < 0.0) {
        Some(i) => invalid(format!("{what} is negative at position {}", i + 1)),
        None => Ok(()),
    }
}

fn band_of(lower: &[f64], upper: &[f64], weights: Option<&[f64]>, a3: f64) -> Result<GapBand> {
    match weights {
        Some(w) => weighted_gap_band(lower, upper, w, a3),
        None => gap_band(lower, upper, a3),
    }
}

/// An infinite gap band means too few historical tasks for `a3`.
pub(crate) fn check_band_finite(band: &GapBand, a3: f64, t: usize) -> Result<()> {
    if band.lower.is_finite() && band.upper.is_finite() {
        return Ok(());
    }
    invalid(format!(
        "the gap band is infinite: a3 = {a3} is below 2 / (T + 1) for the {t} historical tasks (or their total weight)"
    ))
}

/// Critical value of the per-task gap intervals with `t` historical tasks.
pub(crate) fn gap_z(method: Method, alphas: Alphas, t: usize) -> f64 {
    match method {
        Method::Population => z_two_sided(alphas.a2),
        Method::TaskOnly => z_two_sided(alphas.a2 / t as f64),
        Method::FiniteSample => 0.0,
    }
}

/// Reduce the historical tasks (gap estimates and standard errors) to a gap
/// band. `weights` selects Algorithm 2 (weights in `[0, 1]`, target weight 1).
pub fn calibrate(
    gap_est: &[f64],
    gap_se: &[f64],
    alphas: Alphas,
    method: Method,
    weights: Option<&[f64]>,
) -> Result<Calibration> {
    let t = gap_est.len();
    if t == 0 {
        return invalid("at least one historical task is needed");
    }
    check_history(gap_est, gap_se, alphas, method)?;
    let (lower, upper) = gap_intervals(gap_est, gap_se, alphas, method, t);
    let band = band_of(&lower, &upper, weights, alphas.a3)?;
    check_band_finite(&band, alphas.a3, t)?;
    let spread = band_of(gap_est, gap_est, weights, alphas.a3)?;
    let mean_gap = match weights {
        Some(w) => {
            let sw: f64 = w.iter().sum();
            gap_est.iter().zip(w).map(|(g, w)| g * w).sum::<f64>() / sw
        }
        // Correctly rounded, so that leave-one-task-out reproduces it exactly.
        None => ExactSum::new(gap_est)?.value() / t as f64,
    };
    Ok(Calibration {
        method,
        alphas,
        band,
        spread,
        mean_gap,
        n_tasks: t,
    })
}

/// The historical gaps a calibration needs: one finite standard error
/// (>= 0) per finite estimate, and positive a1 and a2 for the population
/// target.
pub(crate) fn check_history(gap_est: &[f64], gap_se: &[f64], alphas: Alphas, method: Method) -> Result<()> {
    if gap_se.len() != gap_est.len() {
        return invalid("gap estimates and standard errors differ in length");
    }
    check_finite(gap_est, "gap estimate")?;
    check_se(gap_se, "gap standard error")?;
    if method != Method::FiniteSample && !(alphas.a1 > 0.0 && alphas.a2 > 0.0) {
        return invalid("a1 and a2 must be positive for the population target");
    }
    Ok(())
}

/// The per-task gap intervals `(lower, upper)` of a calibration on `t`
/// tasks (their critical value depends on `t` for Algorithm 5).
pub(crate) fn gap_intervals(gap_est: &[f64], gap_se: &[f64], alphas: Alphas, method: Method, t: usize) -> (Vec<f64>, Vec<f64>) {
    let z = gap_z(method, alphas, t);
    let lower = gap_est.iter().zip(gap_se).map(|(g, s)| g - z * s).collect();
    let upper = gap_est.iter().zip(gap_se).map(|(g, s)| g + z * s).collect();
    (lower, upper)
}

/// A calibration made earlier, perhaps elsewhere: a saved or published gap
/// band `[lower, upper]` from `n_tasks` historical tasks at `alphas`. The
/// mean historical gap is `NaN` when the band does not carry it (the point
/// estimate is then `NaN`), and the spread of the point gaps is unknown
/// (`NaN`), so the width decomposition is too. `n_tasks = 0` when unknown
/// (the ranks are then reported as 0).
pub fn calibration_from_band(
    lower: f64,
    upper: f64,
    mean_gap: f64,
    n_tasks: usize,
    alphas: Alphas,
    method: Method,
) -> Result<Calibration> {
    if !(lower.is_finite() && upper.is_finite()) {
        return invalid("the gap band must be finite");
    }
    if lower > upper {
        return invalid(format!("the gap band is empty: lower {lower} exceeds upper {upper}"));
    }
    if method != Method::FiniteSample && !(alphas.a1 > 0.0 && alphas.a1 < 1.0) {
        return invalid("a1 must lie in (0, 1) for the population target");
    }
    let (kl, ku) = if n_tasks > 0 {
        (k_lower(n_tasks, alphas.a3), k_upper(n_tasks, alphas.a3))
    } else {
        (0, 0)
    };
    let unknown = GapBand { lower: f64::NAN, upper: f64::NAN, k_lower: kl, k_upper: ku };
    Ok(Calibration {
        method,
        alphas,
        band: GapBand { lower, upper, k_lower: kl, k_upper: ku },
        spread: unknown,
        mean_gap,
        n_tasks,
    })
}

/// An exchangeability interval for one target with its parts.
#[derive(Debug, Clone, PartialEq)]
pub struct Interval {
    /// Bias-corrected point estimate: synthetic estimate + mean historical gap.
    pub estimate: f64,
    pub low: f64,
    pub high: f64,
    pub synth_low: f64,
    pub synth_high: f64,
    pub gap_low: f64,
    pub gap_high: f64,
    /// Width parts before clipping: synthetic interval, widening of the gap
    /// band by the per-task gap intervals, spread of the point gaps. They sum
    /// to `(synth_high - synth_low) + (gap_high - gap_low)`.
    pub width_synth: f64,
    pub width_gap: f64,
    pub width_spread: f64,
}

/// Clip `[low, high]` into `[lo, hi]`; an interval wholly outside collapses
/// onto the nearer bound. (Not `f64::clamp`, which panics on bounds that
/// are reversed or NaN; `target_interval` rejects those with an error.)
/// An unknown value (`NaN`) stays unknown rather than becoming a bound.
pub fn clip(x: f64, bounds: Option<(f64, f64)>) -> f64 {
    match bounds {
        Some((lo, hi)) if !x.is_nan() => x.max(lo).min(hi),
        _ => x,
    }
}

/// The interval for one target from its synthetic estimate and standard error.
pub fn target_interval(
    cal: &Calibration,
    synth_est: f64,
    synth_se: f64,
    bounds: Option<(f64, f64)>,
) -> Result<Interval> {
    if !synth_est.is_finite() {
        return invalid("synthetic estimate of the target is not finite");
    }
    if let Some((lo, hi)) = bounds {
        if !(lo <= hi) {
            return invalid(format!("bounds must satisfy lower <= upper, got ({lo}, {hi})"));
        }
    }
    let (synth_low, synth_high) = match cal.method {
        Method::FiniteSample => (synth_est, synth_est),
        _ => {
            if !(cal.alphas.a1 > 0.0 && cal.alphas.a1 < 1.0) {
                return invalid(format!("a1 must lie in (0, 1), got {}", cal.alphas.a1));
            }
            if !(synth_se.is_finite() && synth_se >= 0.0) {
                return invalid("synthetic standard error of the target must be finite and >= 0");
            }
            let z = z_two_sided(cal.alphas.a1);
            (synth_est - z * synth_se, synth_est + z * synth_se)
        }
    };
    if synth_low.is_nan() || synth_high.is_nan() {
        return invalid("the synthetic interval of the target is not a number (values out of range)");
    }
    let width_spread = cal.spread.upper - cal.spread.lower;
    Ok(Interval {
        estimate: clip(synth_est + cal.mean_gap, bounds),
        low: clip(synth_low + cal.band.lower, bounds),
        high: clip(synth_high + cal.band.upper, bounds),
        synth_low,
        synth_high,
        gap_low: cal.band.lower,
        gap_high: cal.band.upper,
        width_synth: synth_high - synth_low,
        width_gap: (cal.band.upper - cal.band.lower) - width_spread,
        width_spread,
    })
}

/// Section 4.4: the real-data Wald interval at level `alpha_real`, clipped
/// to `bounds`.
pub fn real_interval(est: f64, se: f64, alpha_real: f64, bounds: Option<(f64, f64)>) -> Result<(f64, f64)> {
    if !(est.is_finite() && se.is_finite() && se >= 0.0) {
        return invalid("real estimate and standard error must be finite, se >= 0");
    }
    if !(alpha_real > 0.0 && alpha_real < 1.0) {
        return invalid(format!("real-data alpha must lie in (0, 1), got {alpha_real}"));
    }
    let z = z_two_sided(alpha_real);
    Ok((clip(est - z * se, bounds), clip(est + z * se, bounds)))
}

/// The intersection of `[low, high]` with the real-data interval `real`;
/// `None` when they do not overlap (then at least one of them misses).
pub fn overlap(low: f64, high: f64, real: (f64, f64)) -> Option<(f64, f64)> {
    let (lo, hi) = (low.max(real.0), high.min(real.1));
    if lo <= hi {
        Some((lo, hi))
    } else {
        None
    }
}

/// Section 4.4: intersect with a real-data Wald interval at level `alpha_real`.
/// Returns `None` when the two intervals do not overlap (then at least one of
/// them misses the target; the caller reports it).
pub fn intersect_real(
    iv: &Interval,
    real_est: f64,
    real_se: f64,
    alpha_real: f64,
    bounds: Option<(f64, f64)>,
) -> Result<Option<(f64, f64)>> {
    Ok(overlap(iv.low, iv.high, real_interval(real_est, real_se, alpha_real, bounds)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::qnorm;

    fn alphas() -> Alphas {
        Alphas {
            a1: 0.01,
            a2: 0.02,
            a3: 0.07,
        }
    }

    #[test]
    fn population_interval_adds_band_to_synthetic_interval() {
        let g: Vec<f64> = (0..40).map(|i| (i as f64 - 20.0) / 100.0).collect();
        let s = vec![0.01; 40];
        let cal = calibrate(&g, &s, alphas(), Method::Population, None).unwrap();
        // T = 40, a3 = 0.07: k_L = floor(1.435) = 1, k_U = ceil(39.565) = 40.
        assert_eq!((cal.band.k_lower, cal.band.k_upper), (1, 40));
        let z2 = qnorm(0.99);
        assert!((cal.band.lower - (-0.20 - z2 * 0.01)).abs() < 1e-12);
        assert!((cal.band.upper - (0.19 + z2 * 0.01)).abs() < 1e-12);
        let iv = target_interval(&cal, 0.5, 0.02, None).unwrap();
        let z1 = qnorm(0.995);
        assert!((iv.low - (0.5 - z1 * 0.02 + cal.band.lower)).abs() < 1e-12);
        assert!((iv.high - (0.5 + z1 * 0.02 + cal.band.upper)).abs() < 1e-12);
        assert!((iv.estimate - (0.5 - 0.005)).abs() < 1e-12);
        let parts = iv.width_synth + iv.width_gap + iv.width_spread;
        assert!((parts - (iv.high - iv.low)).abs() < 1e-12);
        assert!((iv.width_spread - 0.39).abs() < 1e-12);
    }

    #[test]
    fn finite_sample_uses_point_gaps() {
        let g = [0.3, -0.1, 0.2, 0.0, 0.1];
        let a = Alphas {
            a1: 0.0,
            a2: 0.0,
            a3: 0.5,
        };
        let cal = calibrate(&g, &[1.0; 5], a, Method::FiniteSample, None).unwrap();
        // T = 5, alpha = 0.5: k_L = floor(1.5) = 1, k_U = ceil(4.5) = 5.
        assert_eq!((cal.band.lower, cal.band.upper), (-0.1, 0.3));
        let iv = target_interval(&cal, 1.0, f64::NAN, Some((0.0, 1.2))).unwrap();
        assert_eq!((iv.low, iv.high), (0.9, 1.2));
        assert_eq!(iv.width_gap, 0.0);
    }

    #[test]
    fn task_only_bonferronis_the_gap_intervals() {
        let g = [0.0; 39];
        let cal = calibrate(&g, &[1.0; 39], alphas(), Method::TaskOnly, None).unwrap();
        assert!((cal.band.upper - qnorm(1.0 - 0.01 / 39.0)).abs() < 1e-12);
    }

    #[test]
    fn infinite_band_is_an_error() {
        let g = [0.0; 5];
        assert!(calibrate(&g, &[1.0; 5], alphas(), Method::Population, None).is_err());
    }

    #[test]
    fn intersection_with_real_data() {
        // Point gaps -0.19, ..., 0.19; T = 39, a3 = 0.07 picks ranks 1 and 39.
        let g: Vec<f64> = (0..39).map(|i| (i as f64 - 19.0) / 100.0).collect();
        let cal = calibrate(&g, &[0.0; 39], alphas(), Method::Population, None).unwrap();
        let iv = target_interval(&cal, 0.5, 0.0, None).unwrap();
        let r = intersect_real(&iv, 0.6, 0.05, 0.05, None).unwrap().unwrap();
        assert!((r.0 - (0.6 - 1.959963984540054 * 0.05)).abs() < 1e-9);
        assert!((r.1 - 0.69).abs() < 1e-12);
        assert!(intersect_real(&iv, 0.9, 0.01, 0.05, None)
            .unwrap()
            .is_none());
    }

    #[test]
    fn a_saved_band_gives_the_interval_of_its_calibration() {
        let est = [-0.2, 0.1, 0.05, 0.3, -0.1, 0.0, 0.2, 0.15, -0.05, 0.25, 0.1, -0.15, 0.05, 0.12, -0.02, 0.08, 0.01, 0.3, -0.3];
        let se = [0.02; 19];
        let a = Alphas { a1: 0.01, a2: 0.02, a3: 0.2 };
        let full = calibrate(&est, &se, a, Method::Population, None).unwrap();
        let saved = calibration_from_band(full.band.lower, full.band.upper, full.mean_gap, 19, a, Method::Population).unwrap();
        let x = target_interval(&full, 0.4, 0.01, Some((0.0, 1.0))).unwrap();
        let y = target_interval(&saved, 0.4, 0.01, Some((0.0, 1.0))).unwrap();
        assert_eq!((x.low, x.high, x.estimate), (y.low, y.high, y.estimate));
        assert_eq!(saved.band.k_lower, full.band.k_lower);
        assert!(y.width_spread.is_nan());
        assert!(calibration_from_band(1.0, 0.0, 0.0, 19, a, Method::Population).is_err());
        assert!(calibration_from_band(f64::INFINITY, 1.0, 0.0, 19, a, Method::Population).is_err());
    }
}
