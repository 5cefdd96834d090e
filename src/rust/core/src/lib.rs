//! Numerical core of the synthinfer R package.
//!
//! Everything here is plain Rust with no dependency on R, so `cargo test`
//! exercises the numerics directly. The R binding crate (one directory up)
//! only converts arguments and results.
//!
//! Modules, one concern each:
//! - [`error`]: the error type every fallible routine returns.
//! - [`parallel`]: reused thread pools, chunked parallel loops, per-replicate seeding.
//! - [`monitor`]: cancel flag and progress counter of a long computation.
//! - [`memory`]: user-controlled sizes checked before allocating.
//! - [`columns`]: one-pass checks of a data column (labels, NaN, support).
//! - [`dist`]: normal quantiles and related distribution helpers.
//! - [`exchange`]: order statistics and the task-exchangeability algorithms.
//! - [`summaries`]: per-task real/synthetic summaries (Hajek means, bootstrap).
//! - [`glm`]: GLM scores, Hessians and Newton fits.
//! - [`ppi`]: prediction-powered inference, PPI and PPI++.
//! - [`gmm`]: two-step GMM with proxies and synthetic samples.
//! - [`estimate`]: every estimator of `synth_glm()` behind one dispatch, and
//!   what `synth_glm()` reports of a fit (variance choice, effective sample sizes).
//! - [`compare`]: Monte Carlo comparison of the estimators on labeled data.
//! - [`weights`]: sampling weights: checks and design-based variance pieces.

pub mod columns;
pub mod compare;
pub mod dist;
pub mod error;
pub mod estimate;
pub mod exchange;
pub mod glm;
pub mod gmm;
pub mod memory;
pub mod monitor;
pub mod parallel;
pub mod ppi;
pub mod summaries;
pub mod weights;

pub use error::{CoreError, Result};
