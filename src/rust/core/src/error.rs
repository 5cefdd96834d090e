//! The single error type of the core crate.
//!
//! Messages are written for the R user: the binding layer passes them on
//! verbatim as the text of an R error condition.

use std::fmt;

/// An error raised by a numerical routine.
#[derive(Debug, Clone, PartialEq)]
pub enum CoreError {
    /// An argument is outside the domain the routine accepts.
    InvalidArgument(String),
    /// A linear system could not be solved (singular or non-positive-definite matrix).
    Singular(String),
    /// An iterative method did not converge.
    NoConvergence(String),
    /// The computation was cancelled through its [`crate::monitor::Monitor`]
    /// (the user pressed the interrupt key).
    Cancelled,
}

impl fmt::Display for CoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CoreError::InvalidArgument(m) => write!(f, "{m}"),
            CoreError::Singular(m) => write!(f, "singular matrix: {m}"),
            CoreError::NoConvergence(m) => write!(f, "no convergence: {m}"),
            CoreError::Cancelled => write!(f, "interrupted by the user"),
        }
    }
}

impl std::error::Error for CoreError {}

/// Result alias used across the crate.
pub type Result<T> = std::result::Result<T, CoreError>;

/// Shorthand for an [`CoreError::InvalidArgument`] error.
pub fn invalid<T>(msg: impl Into<String>) -> Result<T> {
    Err(CoreError::InvalidArgument(msg.into()))
}
