//! Sampling (survey) weights: their checks and the design-based
//! (linearisation) variance pieces every weighted estimator shares.
//!
//! Conventions (`synth_glm(weights = )`):
//!
//! * The weights `c_i` are finite, non-negative, not all zero, one per row,
//!   normalised to mean 1 over all rows (the binding's caller does that; the
//!   estimators below are ratio forms and do not depend on the scale except
//!   GMM, which divides by the number of rows).
//! * Moments are weighted: a mean over a set A of rows is the Hajek mean
//!   `sum_A c_i z_i / sum_A c_i`; a GLM score sum is `sum c_i psi_i`.
//! * Variances are the with-replacement linearisation (sandwich) variances:
//!   a Hajek mean over A has variance `k sum_A c_i^2 (z_i - zbar)(z_i -
//!   zbar)' / (sum_A c_i)^2`, with `k = n_A / (n_A - 1)` where the unweighted
//!   method uses sample covariances (PPI regressions, as ppi-python) and `k =
//!   1` where it uses divisor-n ones (the PPI mean, the HC0 sandwich of the
//!   classical and naive fits, GMM's uncentred moment covariance). With unit
//!   weights every formula reduces to the unweighted one.

use crate::error::{invalid, Result};

/// Check weights for `n` rows: length, finite, non-negative, not all zero.
/// (R checks first and names the positions; this is the core's guard.)
pub fn check(w: &[f64], n: usize) -> Result<()> {
    if w.len() != n {
        return invalid(format!("weights has length {}, but the data have {n} rows", w.len()));
    }
    if let Some(i) = w.iter().position(|v| !v.is_finite() || *v < 0.0) {
        return invalid(format!("weight {} at row {} is not a finite non-negative number", w[i], i + 1));
    }
    if w.iter().all(|&v| v == 0.0) {
        return invalid("every weight is zero");
    }
    Ok(())
}

/// Number of rows with `labeled[i]` and a positive weight (`None` when
/// unweighted).
pub fn positive_count(w: Option<&[f64]>, labeled: &[bool]) -> Option<usize> {
    w.map(|w| w.iter().zip(labeled).filter(|(&c, &l)| l && c > 0.0).count())
}

/// Sums of the weights and of their squares over the rows where
/// `labeled[i] == keep` (counts when unweighted).
pub fn sums(w: Option<&[f64]>, labeled: &[bool], keep: bool) -> (f64, f64) {
    match w {
        None => {
            let k = labeled.iter().filter(|&&l| l == keep).count() as f64;
            (k, k)
        }
        Some(w) => w
            .iter()
            .zip(labeled)
            .filter(|(_, &l)| l == keep)
            .fold((0.0, 0.0), |(a, b), (&c, _)| (a + c, b + c * c)),
    }
}

/// Kish's effective sample size `(sum c)^2 / sum c^2` of the rows where
/// `labeled[i] == keep` (their count when unweighted).
pub fn kish(w: Option<&[f64]>, labeled: &[bool], keep: bool) -> f64 {
    let (s, s2) = sums(w, labeled, keep);
    if s2 > 0.0 {
        s * s / s2
    } else {
        0.0
    }
}

/// Centred weighted cross-product `sum c^2 (a - abar)(b - bbar)'` (p x p,
/// column-major) from the raw sums: `sab = sum c^2 a b'`, `sa2 = sum c^2 a`,
/// `sb2 = sum c^2 b`, the Hajek means `abar`, `bbar` and `s2 = sum c^2`.
pub fn centred(sab: &[f64], sa2: &[f64], sb2: &[f64], abar: &[f64], bbar: &[f64], s2: f64) -> Vec<f64> {
    let p = abar.len();
    (0..p * p)
        .map(|k| {
            let (i, j) = (k % p, k / p);
            sab[k] - abar[i] * sb2[j] - sa2[i] * bbar[j] + s2 * abar[i] * bbar[j]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_and_sums() {
        assert!(check(&[1.0, 2.0], 3).is_err());
        assert!(check(&[1.0, -2.0], 2).unwrap_err().to_string().contains("row 2"));
        assert!(check(&[0.0, 0.0], 2).is_err());
        assert!(check(&[0.0, f64::NAN], 2).is_err());
        assert!(check(&[0.0, 1.0], 2).is_ok());
        let lab = [true, true, false, true];
        let w = [1.0, 3.0, 2.0, 0.0];
        assert_eq!(sums(Some(&w), &lab, true), (4.0, 10.0));
        assert_eq!(sums(None, &lab, true), (3.0, 3.0));
        assert_eq!(positive_count(Some(&w), &lab), Some(2));
        assert!((kish(Some(&w), &lab, true) - 1.6).abs() < 1e-15);
    }

    #[test]
    fn centred_matches_brute_force() {
        // Scalars a, b on four rows with weights c.
        let (a, b, c) = ([1.0, -2.0, 0.5, 3.0], [0.2, 1.0, -1.0, 2.0], [1.0, 0.5, 2.0, 1.5]);
        let sw: f64 = c.iter().sum();
        let abar = a.iter().zip(&c).map(|(x, w)| x * w).sum::<f64>() / sw;
        let bbar = b.iter().zip(&c).map(|(x, w)| x * w).sum::<f64>() / sw;
        let brute: f64 = (0..4).map(|i| c[i] * c[i] * (a[i] - abar) * (b[i] - bbar)).sum();
        let s = |f: &dyn Fn(usize) -> f64| (0..4).map(f).sum::<f64>();
        let got = centred(
            &[s(&|i| c[i] * c[i] * a[i] * b[i])],
            &[s(&|i| c[i] * c[i] * a[i])],
            &[s(&|i| c[i] * c[i] * b[i])],
            &[abar],
            &[bbar],
            s(&|i| c[i] * c[i]),
        );
        assert!((got[0] - brute).abs() < 1e-12);
    }
}
