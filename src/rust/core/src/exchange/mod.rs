//! Task-exchangeability inference (Tan & Zrnic, 2026).
//!
//! A target task has only synthetic data; historical tasks have both real and
//! synthetic data. The real-minus-synthetic gaps of the historical tasks,
//! ranked, calibrate the synthetic-only interval of the target.

pub mod order;

pub use order::{gap_band, k_lower, k_upper, kth_smallest, GapBand};
