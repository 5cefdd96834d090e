//! Order statistics behind the exchangeability intervals.
//!
//! With `T` historical tasks and error budget `a3` for the cross-task spread,
//! the lower gap bound is the `k_L`-th smallest lower gap endpoint and the upper
//! gap bound the `k_U`-th smallest upper gap endpoint, where
//! `k_L = floor((T + 1) a3 / 2)` and `k_U = ceil((T + 1)(1 - a3 / 2))`.
//! `k_L = 0` gives `-Inf` and `k_U > T` gives `+Inf`: the caller decides whether
//! an infinite bound is acceptable.

use crate::error::{invalid, Result};

/// Slack for floor/ceil of products such as `40 * 0.95`, which in binary
/// floating point land a hair below or above the integer they denote.
const RANK_EPS: f64 = 1e-9;

/// `k_L = floor((T + 1) a3 / 2)`.
pub fn k_lower(t: usize, a3: f64) -> usize {
    (((t as f64 + 1.0) * a3 / 2.0) + RANK_EPS).floor().max(0.0) as usize
}

/// `k_U = ceil((T + 1)(1 - a3 / 2))`.
pub fn k_upper(t: usize, a3: f64) -> usize {
    (((t as f64 + 1.0) * (1.0 - a3 / 2.0)) - RANK_EPS)
        .ceil()
        .max(0.0) as usize
}

/// The `k`-th smallest value (1-based) of `x`; `-Inf` for `k = 0` and `+Inf`
/// for `k > x.len()`. NaN values are rejected.
pub fn kth_smallest(x: &[f64], k: usize) -> Result<f64> {
    if x.iter().any(|v| v.is_nan()) {
        return invalid("order statistic of a vector containing NaN");
    }
    if k == 0 {
        return Ok(f64::NEG_INFINITY);
    }
    if k > x.len() {
        return Ok(f64::INFINITY);
    }
    let mut v = x.to_vec();
    let (_, kth, _) = v.select_nth_unstable_by(k - 1, |a, b| a.total_cmp(b));
    Ok(*kth)
}

/// The gap band `[Delta^L, Delta^U]` with the ranks that produced it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GapBand {
    pub lower: f64,
    pub upper: f64,
    pub k_lower: usize,
    pub k_upper: usize,
}

/// Checks shared by the unweighted and weighted gap bands.
pub(crate) fn check_band_inputs(lower: &[f64], upper: &[f64], a3: f64) -> Result<()> {
    if lower.len() != upper.len() {
        return invalid("lower and upper gap endpoints differ in length");
    }
    if lower.is_empty() {
        return invalid("at least one historical task is needed");
    }
    if !(a3 > 0.0 && a3 < 1.0) {
        return invalid(format!("a3 must lie in (0, 1), got {a3}"));
    }
    Ok(())
}

/// Gap band from historical lower and upper gap endpoints (Algorithm 1).
pub fn gap_band(lower: &[f64], upper: &[f64], a3: f64) -> Result<GapBand> {
    check_band_inputs(lower, upper, a3)?;
    let t = lower.len();
    let (kl, ku) = (k_lower(t, a3), k_upper(t, a3));
    Ok(GapBand {
        lower: kth_smallest(lower, kl)?,
        upper: kth_smallest(upper, ku)?,
        k_lower: kl,
        k_upper: ku,
    })
}

/// [`gap_band`], or an error naming how many historical tasks a finite band
/// needs at this `a3` (`a3 >= 2 / (T + 1)`).
pub fn finite_gap_band(lower: &[f64], upper: &[f64], a3: f64) -> Result<GapBand> {
    let t = lower.len();
    if a3 < 2.0 / (t as f64 + 1.0) - 1e-12 {
        return invalid(format!(
            "With {t} historical task{} the gap band is infinite at `alpha` = {}: a finite band needs \
             alpha >= 2 / (T + 1), i.e. at least {} historical tasks at this alpha.",
            if t == 1 { "" } else { "s" },
            super::split::fmt_num(a3),
            super::split::fmt_num(super::split::tasks_needed(a3, 2.0))
        ));
    }
    gap_band(lower, upper, a3)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finite_gap_band_by_hand() {
        // T = 19 at a3 = 0.1: ranks 1 and 19, the extremes.
        let lower: Vec<f64> = (1..=19).map(|i| -(i as f64)).collect();
        let upper: Vec<f64> = (1..=19).map(|i| i as f64).collect();
        let b = finite_gap_band(&lower, &upper, 0.1).unwrap();
        assert_eq!((b.lower, b.upper, b.k_lower, b.k_upper), (-19.0, 19.0, 1, 19));
        // T = 5 at 0.1 needs 19 tasks.
        let e = finite_gap_band(&lower[..5], &upper[..5], 0.1).unwrap_err().to_string();
        assert!(e.contains("With 5 historical tasks") && e.contains("at least 19 historical tasks"), "{e}");
    }

    #[test]
    fn ranks_follow_the_closed_form() {
        // T = 39, a3 = 0.1: (T+1) a3 / 2 = 2, (T+1)(1 - a3/2) = 38.
        assert_eq!(k_lower(39, 0.1), 2);
        assert_eq!(k_upper(39, 0.1), 38);
        // T = 9, a3 = 0.1: 0.5 -> 0 and 9.5 -> 10 > T.
        assert_eq!(k_lower(9, 0.1), 0);
        assert_eq!(k_upper(9, 0.1), 10);
    }

    #[test]
    fn kth_smallest_handles_ties_and_edges() {
        let x = [3.0, 1.0, 2.0, 2.0];
        assert_eq!(kth_smallest(&x, 1).unwrap(), 1.0);
        assert_eq!(kth_smallest(&x, 2).unwrap(), 2.0);
        assert_eq!(kth_smallest(&x, 3).unwrap(), 2.0);
        assert_eq!(kth_smallest(&x, 4).unwrap(), 3.0);
        assert_eq!(kth_smallest(&x, 0).unwrap(), f64::NEG_INFINITY);
        assert_eq!(kth_smallest(&x, 5).unwrap(), f64::INFINITY);
        assert!(kth_smallest(&[f64::NAN], 1).is_err());
    }

    #[test]
    fn gap_band_picks_the_right_order_statistics() {
        let lower: Vec<f64> = (1..=19).map(|i| -(i as f64)).collect();
        let upper: Vec<f64> = (1..=19).map(|i| i as f64).collect();
        // T = 19, a3 = 0.2: k_L = floor(20 * 0.1) = 2, k_U = ceil(20 * 0.9) = 18.
        let b = gap_band(&lower, &upper, 0.2).unwrap();
        assert_eq!((b.k_lower, b.k_upper), (2, 18));
        assert_eq!(b.lower, -18.0);
        assert_eq!(b.upper, 18.0);
    }
}
