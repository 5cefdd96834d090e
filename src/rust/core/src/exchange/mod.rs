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
//! - [`region_loo`]: held-out evaluation of vector targets in one pass.
//! - [`table`]: one request, one result table (`exchangeable_ci()`, saved bands).
//! - [`sim`]: the section 5.4 simulation design and coverage study.

pub mod exact_sum;
pub mod interval;
pub mod loo;
pub mod order;
pub mod region;
pub mod region_loo;
pub mod sim;
pub mod split;
pub mod table;
pub mod weighted;

pub use loo::{held_out_table, leave_one_out, loo_table, HeldOutTable, LeaveOneOut, LooRequest, LooResult};
pub use interval::{calibrate, calibration_from_band, intersect_real, target_interval, Calibration, Interval, Method};
pub use order::{finite_gap_band, gap_band, k_lower, k_upper, kth_smallest, GapBand};
pub use region::{
    calibrate_family, calibrate_region, default_center, default_scale, region_contains, region_table, target_region, Region,
    RegionCalibration, RegionRequest, RegionResult, RegionTable, Shape,
};
pub use region_loo::{region_loo_table, RegionHeldOutTable, RegionLooRequest, RegionLooResult, RegionRule};
pub use split::{choose_split, default_split, Alphas, SplitChoice, SplitRequest};
pub use table::{band_ci, band_table, exchange_ci, BandRequest, BandResult, BandTable, CiRequest, CiResult, CiTable, Column, RealEstimate, SavedBand, Table};
pub use weighted::weighted_gap_band;
