//! Per-task summaries of unit-level real and synthetic data.
//!
//! The task-exchangeability methods consume one row per task: the real and
//! synthetic estimates, their standard errors and the real-minus-synthetic gap
//! with its standard error. This module computes those rows from unit-level
//! data:
//! - [`weighted`]: the Hajek mean with its linearisation standard error and a
//!   weighted quantile (inverse of the weighted empirical distribution, with
//!   averaging at flat spots so that unit weights reproduce R's `median()`).
//! - [`bootstrap`]: resampling indices drawn per task and replicate from
//!   [`crate::parallel::replicate_rng`], shared by the Rust bootstrap and by
//!   the R-side bootstrap of user-supplied estimators.
//! - [`tasks`]: grouping units into tasks and assembling the task rows.

pub mod bootstrap;
pub mod tasks;
pub mod weighted;

pub use bootstrap::{bootstrap_indices, Resample};
pub use tasks::{summarise_tasks, summarise_tasks_watched, Bootstrap, Design, Estimand, TaskSummary};
pub use weighted::{hajek_mean, quantile_sorted, weighted_quantile, HajekMean};
