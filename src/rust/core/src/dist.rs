//! Distribution helpers (thin wrappers over statrs).

use statrs::distribution::{ContinuousCDF, Normal};

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_quantiles_match_tables() {
        // Reference values from R: qnorm(0.975), qnorm(0.95), pnorm(1).
        assert!((qnorm(0.975) - 1.959963984540054).abs() < 1e-9);
        assert!((z_two_sided(0.1) - 1.644853626951472).abs() < 1e-9);
        assert!((pnorm(1.0) - 0.8413447460685429).abs() < 1e-10);
    }

    #[test]
    fn quantiles_outside_the_unit_interval_are_nan_not_panics() {
        assert!(qnorm(1.5).is_nan() && qnorm(-0.1).is_nan() && qnorm(f64::NAN).is_nan());
        assert!(z_two_sided(-1.0).is_nan());
    }
}
