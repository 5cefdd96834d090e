//! Per-task summaries of unit-level real and synthetic data: Hajek-weighted
//! means, design-based standard errors, paired and unpaired gaps, bootstrap.
