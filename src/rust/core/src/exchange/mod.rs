//! Task-exchangeability inference (Tan & Zrnic, 2026).
//!
//! A target task has only synthetic data; historical tasks have both real and
//! synthetic data. The real-minus-synthetic gaps of the historical tasks,
//! ranked, calibrate the synthetic-only interval of the target.
//!
//! - [`order`]: order statistics and the unweighted gap band.
//! - [`weighted`]: the weighted gap band (Algorithm 2).
//! - [`split`]: the default split of the error budget.
//! - [`interval`]: scalar intervals (Algorithms 1, 4, 5; section 4.4).
//! - [`exact_sum`]: correctly rounded sums (means without one task in O(1)).
//! - [`loo`]: leave-one-task-out intervals with one sort.
//! - [`region`]: vector targets by the nested-family score (Algorithm 3).
//! - [`sim`]: the section 5.4 simulation design and coverage study.

pub mod exact_sum;
pub mod interval;
pub mod loo;
pub mod order;
pub mod region;
pub mod sim;
pub mod split;
pub mod weighted;

pub use loo::leave_one_out;
pub use interval::{calibrate, calibration_from_band, intersect_real, target_interval, Calibration, Interval, Method};
pub use order::{gap_band, k_lower, k_upper, kth_smallest, GapBand};
pub use region::{
    calibrate_region, region_contains, target_region, Region, RegionCalibration, Shape,
};
pub use split::{default_split, Alphas};
pub use weighted::weighted_gap_band;
