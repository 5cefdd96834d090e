//! How the error budget `alpha` is split between the three steps of
//! Algorithm 1: `a1` for the target's synthetic interval, `a2` for the
//! historical gap intervals and `a3` for the spread of gaps across tasks.

use crate::error::{invalid, Result};

/// The three error levels of Algorithm 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Alphas {
    pub a1: f64,
    pub a2: f64,
    pub a3: f64,
}

impl Alphas {
    /// Total error budget `a1 + a2 + a3`.
    pub fn total(&self) -> f64 {
        self.a1 + self.a2 + self.a3
    }
}

/// Default split `(0.1, 0.2, 0.7) * alpha` (Tan and Zrnic, section 5.4).
///
/// `min_a3` is the smallest `a3` that keeps the calibration finite
/// (`2 / (T + 1)` for a two-sided gap band, `1 / (T + 1)` for the one-sided
/// score of the nested-family regions). When `0.7 alpha` falls below it, `a3`
/// is raised to `min_a3` and the rest of the budget is shared by `a1` and `a2`
/// in the same 1:2 ratio. An `alpha` that leaves nothing for `a1` and `a2` is
/// an error.
pub fn default_split(alpha: f64, min_a3: f64) -> Result<Alphas> {
    if !(alpha > 0.0 && alpha < 1.0) {
        return invalid(format!("alpha must lie in (0, 1), got {alpha}"));
    }
    if !(min_a3 > 0.0 && min_a3.is_finite()) {
        return invalid(format!("min_a3 must be positive, got {min_a3}"));
    }
    let a3 = 0.7 * alpha;
    if a3 >= min_a3 {
        return Ok(Alphas {
            a1: 0.1 * alpha,
            a2: 0.2 * alpha,
            a3,
        });
    }
    let rest = alpha - min_a3;
    if rest <= 0.0 {
        return invalid(format!(
            "alpha = {alpha} leaves no error budget for the synthetic and gap intervals: \
             the calibration step alone needs {min_a3}"
        ));
    }
    Ok(Alphas {
        a1: rest / 3.0,
        a2: 2.0 * rest / 3.0,
        a3: min_a3,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_split_follows_the_paper() {
        let s = default_split(0.1, 2.0 / 41.0).unwrap();
        assert!((s.a1 - 0.01).abs() < 1e-15 && (s.a2 - 0.02).abs() < 1e-15);
        assert!((s.a3 - 0.07).abs() < 1e-15);
        // T = 40, alpha = 0.05: 0.035 < 2/41, so a3 = 2/41 and the rest 1:2.
        let s = default_split(0.05, 2.0 / 41.0).unwrap();
        assert!((s.a3 - 2.0 / 41.0).abs() < 1e-15);
        assert!((s.a2 - 2.0 * s.a1).abs() < 1e-15);
        assert!((s.total() - 0.05).abs() < 1e-15);
        assert!(default_split(0.04, 2.0 / 41.0).is_err());
        assert!(default_split(1.0, 0.1).is_err());
    }
}
