//! Weighted gap band of Algorithm 2.
//!
//! Historical task `j` carries weight `w_j` in `[0, 1]`, the target weight 1;
//! with `W = sum w_j`, the normalised weights are `p_j = w_j / (W + 1)` and
//! `p_{T+1} = 1 / (W + 1)`. The upper gap bound is the smallest
//! `(1 - a3/2)`-quantile of `sum_j p_j delta(u_j) + p_{T+1} delta(+Inf)`, the
//! lower bound the largest `a3/2`-quantile of
//! `sum_j p_j delta(l_j) + p_{T+1} delta(-Inf)`.
//!
//! Cumulative weights are compared on the unnormalised scale (multiples of
//! `1 / (W + 1)`), with the same slack as `k_lower`/`k_upper`, so that unit
//! weights reproduce the order statistics of Algorithm 1 exactly.

use super::order::{check_band_inputs, GapBand};
use crate::error::{invalid, Result};

const RANK_EPS: f64 = 1e-9;

fn sorted_order(x: &[f64]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..x.len()).collect();
    idx.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    idx
}

/// Check weights: same length as the endpoints, each in `[0, 1]`.
pub fn check_weights(weights: &[f64], n: usize) -> Result<()> {
    if weights.len() != n {
        return invalid(format!(
            "{} weights for {n} historical tasks",
            weights.len()
        ));
    }
    if let Some(w) = weights.iter().find(|w| !(**w >= 0.0 && **w <= 1.0)) {
        return invalid(format!("weights must lie in [0, 1], got {w}"));
    }
    Ok(())
}

/// Largest `a3/2`-quantile of the lower endpoints with an atom at `-Inf`.
/// Returns the value and its 1-based rank among the sorted endpoints (0 for `-Inf`).
fn weighted_lower(lower: &[f64], weights: &[f64], total: f64, a3: f64) -> (f64, usize) {
    let x = total * a3 / 2.0 + RANK_EPS;
    // The atom at -Inf carries (unnormalised) weight 1.
    let mut cum = 1.0;
    if cum > x {
        return (f64::NEG_INFINITY, 0);
    }
    for (rank, &i) in sorted_order(lower).iter().enumerate() {
        cum += weights[i];
        if cum > x {
            return (lower[i], rank + 1);
        }
    }
    // Unreachable when a3 < 1 since cum ends at total > x; kept for safety.
    (f64::INFINITY, lower.len() + 1)
}

/// Smallest `(1 - a3/2)`-quantile of the upper endpoints with an atom at `+Inf`.
/// Returns the value and its 1-based rank (`T + 1` for `+Inf`).
fn weighted_upper(upper: &[f64], weights: &[f64], total: f64, a3: f64) -> (f64, usize) {
    let y = total * (1.0 - a3 / 2.0) - RANK_EPS;
    let mut cum = 0.0;
    for (rank, &i) in sorted_order(upper).iter().enumerate() {
        cum += weights[i];
        if cum >= y {
            return (upper[i], rank + 1);
        }
    }
    (f64::INFINITY, upper.len() + 1)
}

/// Weighted gap band (Algorithm 2). Unit weights give [`super::gap_band`].
pub fn weighted_gap_band(
    lower: &[f64],
    upper: &[f64],
    weights: &[f64],
    a3: f64,
) -> Result<GapBand> {
    check_band_inputs(lower, upper, a3)?;
    if lower.iter().chain(upper).any(|v| v.is_nan()) {
        return invalid("gap endpoints contain NaN");
    }
    check_weights(weights, lower.len())?;
    // Summing the weights in task order keeps unit weights an exact integer.
    let total = weights.iter().sum::<f64>() + 1.0;
    let (lo, kl) = weighted_lower(lower, weights, total, a3);
    let (up, ku) = weighted_upper(upper, weights, total, a3);
    Ok(GapBand {
        lower: lo,
        upper: up,
        k_lower: kl,
        k_upper: ku,
    })
}

#[cfg(test)]
mod tests {
    use super::super::order::gap_band;
    use super::*;

    #[test]
    fn unit_weights_reproduce_order_statistics() {
        for t in [1usize, 2, 5, 19, 39, 40, 100] {
            let lower: Vec<f64> = (0..t).map(|i| ((i * 7919) % 101) as f64 / 10.0).collect();
            let upper: Vec<f64> = lower.iter().map(|v| v + 1.0 + (*v * 3.0) % 2.0).collect();
            let w = vec![1.0; t];
            for a3 in [0.05, 0.07, 0.1, 0.2, 0.5, 0.9, 2.0 / (t as f64 + 1.0)] {
                if a3 >= 1.0 {
                    continue;
                }
                let a = gap_band(&lower, &upper, a3).unwrap();
                let b = weighted_gap_band(&lower, &upper, &w, a3).unwrap();
                assert_eq!(a, b, "t = {t}, a3 = {a3}");
            }
        }
    }

    #[test]
    fn zero_weight_tasks_are_ignored() {
        let lower = [-5.0, -1.0, -2.0, -3.0];
        let upper = [5.0, 1.0, 2.0, 3.0];
        let w = [0.0, 1.0, 1.0, 1.0];
        let a = weighted_gap_band(&lower, &upper, &w, 0.5).unwrap();
        let b = gap_band(&lower[1..], &upper[1..], 0.5).unwrap();
        assert_eq!((a.lower, a.upper), (b.lower, b.upper));
    }

    #[test]
    fn rejects_bad_weights() {
        assert!(weighted_gap_band(&[0.0], &[1.0], &[1.5], 0.9).is_err());
        assert!(weighted_gap_band(&[0.0], &[1.0], &[1.0, 1.0], 0.9).is_err());
    }
}
