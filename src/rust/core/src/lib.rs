//! Numerical core of the synthinfer R package.
//!
//! Everything here is plain Rust with no dependency on R, so `cargo test`
//! exercises the numerics directly. The R binding crate (one directory up)
//! only converts arguments and results.
//!
//! Modules, one concern each:
//! - [`error`]: the error type every fallible routine returns.
//! - [`parallel`]: thread pools with a caller-chosen size and per-replicate seeding.
//! - [`dist`]: normal quantiles and related distribution helpers.
//! - [`exchange`]: order statistics and the task-exchangeability algorithms.

pub mod dist;
pub mod error;
pub mod exchange;
pub mod parallel;

pub use error::{CoreError, Result};
