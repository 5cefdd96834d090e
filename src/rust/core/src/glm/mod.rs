//! Generalised linear model pieces: scores, Hessians, Newton fits.
//!
//! Only canonical links are used (identity for the Gaussian family, logit for
//! the binomial, log for the Poisson), so the score of one row is
//! `psi(x, y; beta) = x (y - mu(x' beta))` and its derivative is
//! `-w(x' beta) x x'` with `w = dmu/deta`, the variance function.
//!
//! Submodules:
//! - [`rows`]: row blocks (a matrix, a response and which rows count) and the
//!   deterministic chunked reduction every accumulation goes through;
//! - [`linalg`]: symmetric positive-definite factorisations with a
//!   collinearity check, sandwich products by solves;
//! - [`vecmath`]: vectorisable exp and log1p, and the per-row terms of a
//!   chunk of rows computed with them;
//! - [`newton`]: Newton-Raphson with step halving on weighted sums of GLM
//!   losses over blocks, and the sandwich variance of a plain GLM fit.

pub mod linalg;
pub mod newton;
pub mod rows;
pub mod vecmath;

pub use newton::{newton, sandwich_vcov, NewtonFit};
pub use rows::{Block, Rows};

use crate::error::{invalid, Result};

/// Exponential family with its canonical link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Normal errors, identity link: ordinary least squares.
    Gaussian,
    /// Bernoulli (or fractional) responses, logit link: logistic regression.
    Binomial,
    /// Counts, log link: Poisson regression.
    Poisson,
}

impl Family {
    /// Parse the name R's `family()$family` gives.
    pub fn from_name(name: &str) -> Result<Family> {
        match name {
            "gaussian" => Ok(Family::Gaussian),
            "binomial" => Ok(Family::Binomial),
            "poisson" => Ok(Family::Poisson),
            other => invalid(format!(
                "family `{other}` is not supported; use gaussian, binomial or poisson"
            )),
        }
    }

    /// The family's name as R spells it.
    pub fn name(self) -> &'static str {
        match self {
            Family::Gaussian => "gaussian",
            Family::Binomial => "binomial",
            Family::Poisson => "poisson",
        }
    }

    /// Inverse link `mu(eta)`.
    #[inline]
    pub fn mean(self, eta: f64) -> f64 {
        match self {
            Family::Gaussian => eta,
            Family::Binomial => expit(eta),
            Family::Poisson => eta.exp(),
        }
    }

    /// `dmu/deta`, which for a canonical link is the variance function.
    #[inline]
    pub fn weight(self, eta: f64) -> f64 {
        match self {
            Family::Gaussian => 1.0,
            Family::Binomial => {
                let p = expit(eta);
                p * (1.0 - p)
            }
            Family::Poisson => eta.exp(),
        }
    }

    /// Negative log-likelihood of one row up to terms free of `eta`:
    /// `b(eta) - y eta` (written as a square for the Gaussian family, which
    /// differs by `y^2 / 2` only and loses no precision). Its derivative in
    /// `eta` is `mu - y`, so its gradient in `beta` is minus the score.
    #[inline]
    pub fn loss(self, eta: f64, y: f64) -> f64 {
        match self {
            Family::Gaussian => 0.5 * (y - eta) * (y - eta),
            Family::Binomial => log1pexp(eta) - y * eta,
            Family::Poisson => eta.exp() - y * eta,
        }
    }

    /// `(loss(eta, y), mu(eta), w(eta))` with one exponential: the row
    /// quantities Newton steps need, at a third of the cost of three calls.
    #[inline]
    pub fn loss_mean_weight(self, eta: f64, y: f64) -> (f64, f64, f64) {
        match self {
            Family::Gaussian => (0.5 * (y - eta) * (y - eta), eta, 1.0),
            Family::Binomial => {
                // z = exp(-|eta|) never overflows.
                let z = (-eta.abs()).exp();
                let (p, log1pexp) = if eta >= 0.0 {
                    (1.0 / (1.0 + z), eta + (1.0 + z).ln())
                } else {
                    (z / (1.0 + z), (1.0 + z).ln())
                };
                (log1pexp - y * eta, p, p * (1.0 - p))
            }
            Family::Poisson => {
                let m = eta.exp();
                (m - y * eta, m, m)
            }
        }
    }

    /// Whether `y` lies in the support the family's likelihood accepts.
    /// Binomial responses may be fractional (an LLM's probability as proxy).
    #[inline]
    pub fn in_support(self, y: f64) -> bool {
        match self {
            Family::Gaussian => y.is_finite(),
            Family::Binomial => (0.0..=1.0).contains(&y),
            Family::Poisson => y.is_finite() && y >= 0.0,
        }
    }

    /// Human-readable support, for error messages.
    pub fn support(self) -> &'static str {
        match self {
            Family::Gaussian => "finite numbers",
            Family::Binomial => "values in [0, 1]",
            Family::Poisson => "non-negative values",
        }
    }
}

/// Logistic function, stable for large |eta|.
#[inline]
pub fn expit(eta: f64) -> f64 {
    if eta >= 0.0 {
        1.0 / (1.0 + (-eta).exp())
    } else {
        let e = eta.exp();
        e / (1.0 + e)
    }
}

/// `log(1 + exp(eta))` without overflow.
#[inline]
pub fn log1pexp(eta: f64) -> f64 {
    if eta > 0.0 {
        eta + (-eta).exp().ln_1p()
    } else {
        eta.exp().ln_1p()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_links_are_consistent() {
        // d loss / d eta = mu - y, checked by central differences.
        for fam in [Family::Gaussian, Family::Binomial, Family::Poisson] {
            for &(eta, y) in &[(-1.3, 0.0), (0.4, 1.0), (2.0, 0.3)] {
                let (l, m, w) = fam.loss_mean_weight(eta, y);
                assert!((l - fam.loss(eta, y)).abs() < 1e-14 * (1.0 + l.abs()));
                assert!((m - fam.mean(eta)).abs() < 1e-15 && (w - fam.weight(eta)).abs() < 1e-15);
                let h = 1e-6;
                let d = (fam.loss(eta + h, y) - fam.loss(eta - h, y)) / (2.0 * h);
                assert!((d - (fam.mean(eta) - y)).abs() < 1e-7, "{fam:?}");
                let dm = (fam.mean(eta + h) - fam.mean(eta - h)) / (2.0 * h);
                assert!((dm - fam.weight(eta)).abs() < 1e-7, "{fam:?}");
            }
        }
        assert!((log1pexp(800.0) - 800.0).abs() < 1e-12);
        assert!(expit(-800.0) >= 0.0 && expit(800.0) <= 1.0);
    }

    #[test]
    fn supports() {
        assert!(!Family::Binomial.in_support(2.0));
        assert!(Family::Binomial.in_support(0.25));
        assert!(!Family::Poisson.in_support(-1.0));
        assert!(Family::from_name("probit").is_err());
    }
}
