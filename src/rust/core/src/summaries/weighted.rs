//! Weighted point estimators on one task's units.
//!
//! Both estimators take the values and weights of the units selected by an
//! index slice, so the bootstrap can evaluate them on resampled indices
//! without copying the data.

use crate::error::{invalid, Result};

/// A Hajek-weighted mean with its design-based standard error.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HajekMean {
    pub estimate: f64,
    pub se: f64,
}

/// Hajek mean `sum(w y) / sum(w)` of `y[idx]` with weights `w[idx]`.
///
/// The standard error linearises the ratio: with `z_i = w_i (y_i - m) / W`,
/// `se^2 = n / (n - 1) * sum(z_i^2)`. The `n / (n - 1)` factor makes unit
/// weights reproduce the textbook `sd(y) / sqrt(n)` with the `n - 1`
/// divisor of R's `sd()`. Needs at least two units and a positive total weight.
///
/// The direct formulas square `z_i` and multiply `w_i y_i`: for values or
/// weights far from 1 (below about 1e-150 or above 1e150) these products
/// underflow to subnormals or zero, or overflow, and the standard error comes
/// out silently wrong (zero for data that vary) or infinite. Such inputs are
/// detected and recomputed on rescaled values (`rescaled_hajek_mean`); inputs
/// of ordinary magnitude keep the direct formulas bit for bit.
pub fn hajek_mean(y: &[f64], w: &[f64], idx: &[usize]) -> Result<HajekMean> {
    let n = idx.len();
    if n < 2 {
        return invalid(format!("a standard error needs at least 2 units, got {n}"));
    }
    let total: f64 = idx.iter().map(|&i| w[i]).sum();
    if !(total > 0.0 && total.is_finite()) {
        return invalid("weights must have a positive, finite total");
    }
    let mut lost = false;
    let estimate = idx
        .iter()
        .map(|&i| {
            let p = w[i] * y[i];
            // A product that is subnormal (or flushed to zero) has lost bits.
            lost |= y[i] != 0.0 && w[i] != 0.0 && p.abs() < f64::MIN_POSITIVE;
            p
        })
        .sum::<f64>()
        / total;
    let mut varies = false;
    let ss: f64 = idx
        .iter()
        .map(|&i| {
            let z = w[i] * (y[i] - estimate) / total;
            varies |= z != 0.0;
            z * z
        })
        .sum();
    // ss == 0 with all z_i == 0 is exact (all values equal); an ss below
    // TINY from varying values, or a non-finite one, came through underflow
    // or overflow.
    if lost || !estimate.is_finite() || !ss.is_finite() || (varies && ss < TINY) {
        return Ok(rescaled_hajek_mean(y, w, idx));
    }
    let nf = n as f64;
    Ok(HajekMean { estimate, se: (nf / (nf - 1.0) * ss).sqrt() })
}

/// Below this a product or a sum of squares may have lost precision to
/// underflow (the smallest normal double is about 2.2e-308; the margin covers
/// the sum of many such terms).
const TINY: f64 = 1e-280;

/// `hajek_mean` on values divided by their largest magnitude and weights
/// divided by their largest, so no product or square leaves the normal
/// range; the scale is multiplied back at the end.
fn rescaled_hajek_mean(y: &[f64], w: &[f64], idx: &[usize]) -> HajekMean {
    let ymax = idx.iter().fold(0.0f64, |a, &i| a.max(y[i].abs()));
    let wmax = idx.iter().fold(0.0f64, |a, &i| a.max(w[i]));
    if ymax == 0.0 {
        return HajekMean { estimate: 0.0, se: 0.0 };
    }
    let v: Vec<f64> = idx.iter().map(|&i| w[i] / wmax).collect();
    let u: Vec<f64> = idx.iter().map(|&i| y[i] / ymax).collect();
    let vt: f64 = v.iter().sum();
    let m = v.iter().zip(&u).map(|(a, b)| a * b).sum::<f64>() / vt;
    let z: Vec<f64> = v.iter().zip(&u).map(|(a, b)| a * (b - m) / vt).collect();
    let zmax = z.iter().fold(0.0f64, |a, b| a.max(b.abs()));
    let ss = if zmax > 0.0 { z.iter().map(|x| (x / zmax) * (x / zmax)).sum::<f64>() } else { 0.0 };
    let nf = idx.len() as f64;
    HajekMean { estimate: m * ymax, se: (nf / (nf - 1.0) * ss).sqrt() * zmax * ymax }
}

/// Relative tolerance for deciding that a cumulative weight hits `p W`
/// exactly (then the quantile averages the two neighbouring values).
const FLAT_EPS: f64 = 1e-12;

/// Weighted `p`-quantile of `y[idx]` with weights `w[idx]`.
///
/// Sort the selected values; with cumulative weights `C_k` and total `W`, take
/// the smallest `k` with `C_k >= p W`. If `C_k` equals `p W` (up to rounding)
/// the weighted distribution function is flat there, and the quantile is the
/// midpoint of the `k`-th and the next value. With unit weights this is
/// R's `quantile(y, p, type = 2)`, and for `p = 0.5` exactly `median(y)`.
pub fn weighted_quantile(y: &[f64], w: &[f64], idx: &[usize], p: f64) -> Result<f64> {
    let mut order: Vec<usize> = idx.to_vec();
    order.sort_by(|&a, &b| y[a].total_cmp(&y[b]));
    let ys: Vec<f64> = order.iter().map(|&i| y[i]).collect();
    let ws: Vec<f64> = order.iter().map(|&i| w[i]).collect();
    quantile_sorted(&ys, &ws, p)
}

/// The quantile of [`weighted_quantile`] for values already sorted in
/// ascending order. Weights may be zero (entries without mass are skipped),
/// which lets the bootstrap pass resampling counts times weights over a
/// task's values sorted once.
pub fn quantile_sorted(ys: &[f64], ws: &[f64], p: f64) -> Result<f64> {
    if !(p > 0.0 && p < 1.0) {
        return invalid(format!("quantile level must lie in (0, 1), got {p}"));
    }
    let total: f64 = ws.iter().sum();
    if ys.is_empty() || !(total > 0.0 && total.is_finite()) {
        return invalid("quantile of a sample without positive total weight");
    }
    let target = p * total;
    let tol = FLAT_EPS * total;
    let mut cum = 0.0;
    let mut last = None;
    for k in 0..ys.len() {
        if ws[k] <= 0.0 {
            continue;
        }
        cum += ws[k];
        last = Some(k);
        if cum >= target - tol {
            if (cum - target).abs() <= tol {
                if let Some(next) = (k + 1..ys.len()).find(|&j| ws[j] > 0.0) {
                    return Ok(0.5 * (ys[k] + ys[next]));
                }
            }
            return Ok(ys[k]);
        }
    }
    // Only reachable when rounding leaves cum a hair below the target.
    Ok(ys[last.expect("positive total weight")])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(n: usize) -> Vec<usize> {
        (0..n).collect()
    }

    #[test]
    fn unit_weight_mean_is_sample_mean_with_sd_over_root_n() {
        let y = [2.0, 4.0, 9.0, 1.0];
        let m = hajek_mean(&y, &[1.0; 4], &all(4)).unwrap();
        // R: mean(c(2,4,9,1)) = 4; sd(...)/2 = sqrt(38/3)/2
        assert!((m.estimate - 4.0).abs() < 1e-14);
        assert!((m.se - (38.0f64 / 3.0).sqrt() / 2.0).abs() < 1e-14);
    }

    #[test]
    fn weights_scale_free_and_integer_weights_replicate_units() {
        let y = [1.0, 3.0, 10.0];
        let a = hajek_mean(&y, &[1.0, 2.0, 1.0], &all(3)).unwrap();
        let b = hajek_mean(&y, &[5.0, 10.0, 5.0], &all(3)).unwrap();
        assert!((a.estimate - b.estimate).abs() < 1e-14 && (a.se - b.se).abs() < 1e-14);
        assert!((a.estimate - 17.0 / 4.0).abs() < 1e-14);
    }

    /// R: y <- c(2, 4, 9, 1); w <- c(1, 2, 1, 3); m <- sum(w * y) / sum(w);
    /// sqrt(4 / 3 * sum((w * (y - m) / sum(w))^2))
    const SMALL_M: f64 = 22.0 / 7.0;
    const SMALL_SE: f64 = 1.474_292_645_059_457_8;

    #[test]
    fn tiny_and_huge_scales_keep_the_standard_error() {
        let y = [2.0, 4.0, 9.0, 1.0];
        let w = [1.0, 2.0, 1.0, 3.0];
        let base = hajek_mean(&y, &w, &all(4)).unwrap();
        assert!((base.estimate - SMALL_M).abs() < 1e-14 && (base.se - SMALL_SE).abs() < 1e-14);
        // Squares of 1e-160 underflow, of 1e160 overflow: the direct
        // formulas gave a zero or subnormal (wrong) and an infinite se.
        for scale in [1e-160, 1e-200, 1e-300, 1e160, 1e200, 1e300 / 9.0] {
            let ys: Vec<f64> = y.iter().map(|v| v * scale).collect();
            let m = hajek_mean(&ys, &w, &all(4)).unwrap();
            assert!((m.estimate / scale - SMALL_M).abs() < 1e-13, "estimate at {scale}");
            assert!((m.se / scale - SMALL_SE).abs() < 1e-13, "se at {scale}: {}", m.se);
        }
        // Weights at extreme scales (products w * y underflow or overflow).
        for scale in [1e-300, 1e-200, 1e200, 1e300] {
            let ws: Vec<f64> = w.iter().map(|v| v * scale).collect();
            let m = hajek_mean(&y, &ws, &all(4)).unwrap();
            assert!((m.estimate - SMALL_M).abs() < 1e-13 && (m.se - SMALL_SE).abs() < 1e-13,
                    "weights at {scale}: {m:?}");
        }
        // Identical values stay a zero se, on both paths.
        assert_eq!(hajek_mean(&[1e-200; 3], &[1.0; 3], &all(3)).unwrap().se, 0.0);
        assert_eq!(hajek_mean(&[0.0; 3], &[1.0; 3], &all(3)).unwrap().se, 0.0);
    }

    #[test]
    fn mean_rejects_single_unit() {
        assert!(hajek_mean(&[1.0], &[1.0], &[0]).is_err());
    }

    #[test]
    fn unit_weight_quantile_matches_type_2() {
        let y = [5.0, 1.0, 4.0, 2.0];
        let w = [1.0; 4];
        // even n: median averages the middle pair, as median() does
        assert_eq!(weighted_quantile(&y, &w, &all(4), 0.5).unwrap(), 3.0);
        // quantile(c(5,1,4,2), 0.25, type = 2) = 1.5 (flat spot at 1/4)
        assert_eq!(weighted_quantile(&y, &w, &all(4), 0.25).unwrap(), 1.5);
        // quantile(..., 0.3, type = 2) = 2
        assert_eq!(weighted_quantile(&y, &w, &all(4), 0.3).unwrap(), 2.0);
        assert_eq!(weighted_quantile(&y, &w, &all(3), 0.5).unwrap(), 4.0);
    }

    #[test]
    fn weighted_quantile_follows_the_weight_mass() {
        let y = [1.0, 2.0, 3.0];
        let w = [1.0, 1.0, 8.0];
        assert_eq!(weighted_quantile(&y, &w, &all(3), 0.5).unwrap(), 3.0);
        assert_eq!(weighted_quantile(&y, &w, &all(3), 0.1).unwrap(), 1.5);
        // subset through idx
        assert_eq!(weighted_quantile(&y, &w, &[0, 1], 0.9).unwrap(), 2.0);
    }

    #[test]
    fn sorted_quantile_skips_massless_entries() {
        // counts (0, 2, 0, 2) on sorted values = the sample {2, 2, 4, 4}
        let ys = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile_sorted(&ys, &[0.0, 2.0, 0.0, 2.0], 0.5).unwrap(), 3.0);
        assert_eq!(quantile_sorted(&ys, &[0.0, 2.0, 0.0, 2.0], 0.6).unwrap(), 4.0);
        assert!(quantile_sorted(&ys, &[0.0; 4], 0.5).is_err());
    }
}
