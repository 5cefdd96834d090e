//! Distribution helpers (thin wrappers over statrs).

use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

fn std_normal() -> Normal {
    // Parameters are constants, so construction cannot fail.
    Normal::new(0.0, 1.0).expect("standard normal")
}

/// Quantile of the standard normal distribution; NaN for `p` outside
/// `[0, 1]` (statrs would panic), which callers' finiteness checks reject.
pub fn qnorm(p: f64) -> f64 {
    if (0.0..=1.0).contains(&p) {
        std_normal().inverse_cdf(p)
    } else {
        f64::NAN
    }
}

/// Distribution function of the standard normal distribution.
pub fn pnorm(x: f64) -> f64 {
    std_normal().cdf(x)
}

/// Two-sided critical value `z_{1 - alpha/2}`.
pub fn z_two_sided(alpha: f64) -> f64 {
    qnorm(1.0 - alpha / 2.0)
}

/// Two-sided critical value `t_{1 - alpha/2}` on `df` degrees of freedom;
/// the normal one for infinite `df`.
pub fn t_two_sided(alpha: f64, df: f64) -> f64 {
    if !df.is_finite() {
        return z_two_sided(alpha);
    }
    StudentsT::new(0.0, 1.0, df).map(|d| d.inverse_cdf(1.0 - alpha / 2.0)).unwrap_or(f64::NAN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_quantiles_match_tables() {
        // Reference values from R: qnorm(0.975), qnorm(0.95), pnorm(1).
        assert!((qnorm(0.975) - 1.959963984540054).abs() < 1e-9);
        assert!((z_two_sided(0.1) - 1.644853626951472).abs() < 1e-9);
        assert!((pnorm(1.0) - 0.8413447460685429).abs() < 1e-10);
        // R: qt(0.95, 20), qt(0.975, 44).
        assert!((t_two_sided(0.1, 20.0) - 1.724718242920787).abs() < 1e-9);
        assert!((t_two_sided(0.05, 44.0) - 2.015367574443763).abs() < 1e-9);
        assert_eq!(t_two_sided(0.1, f64::INFINITY), z_two_sided(0.1));
    }

    #[test]
    fn quantiles_outside_the_unit_interval_are_nan_not_panics() {
        assert!(qnorm(1.5).is_nan() && qnorm(-0.1).is_nan() && qnorm(f64::NAN).is_nan());
        assert!(z_two_sided(-1.0).is_nan());
    }
}
