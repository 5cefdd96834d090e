//! One-pass checks of a data column, for `synth_design()`.
//!
//! The R side builds a design from data frame columns; what it needs to know
//! of a response column (which rows are labeled, whether any value is a
//! computed NaN rather than a missing label, whether the labels lie in the
//! family's support) costs several full-length passes and temporary vectors
//! in R. Here it is one pass with no temporary besides the results. Missing
//! values are told apart from other NaNs by a predicate of the caller (R's
//! `NA` is a NaN with a particular payload, which the core does not know).

use crate::glm::Family;

/// What one pass over a response column finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResponseScan {
    /// Rows whose value is not missing: the labeled rows.
    pub n_present: usize,
    /// Whether some value is a NaN that is not a missing value.
    pub any_nan: bool,
    /// Whether every present, non-NaN value lies in the family's support.
    pub in_support: bool,
}

/// Scan a response column. `is_missing(v)` says whether `v` marks a
/// missing value (it must be false for every non-NaN `v`); a NaN that is
/// not missing counts as present and is reported as `any_nan`, not as
/// outside the support. One branch-free pass, so it vectorises.
pub fn scan_response(y: &[f64], family: Family, is_missing: impl Fn(f64) -> bool) -> ResponseScan {
    // The family is matched once, outside the loop: a match per element
    // would keep the loop from vectorising.
    match family {
        Family::Gaussian => scan_with(y, |v| Family::Gaussian.in_support(v), is_missing),
        Family::Binomial => scan_with(y, |v| Family::Binomial.in_support(v), is_missing),
        Family::Poisson => scan_with(y, |v| Family::Poisson.in_support(v), is_missing),
    }
}

fn scan_with(y: &[f64], in_support: impl Fn(f64) -> bool, is_missing: impl Fn(f64) -> bool) -> ResponseScan {
    let (n_present, any_nan, in_support) = y.iter().fold((0usize, false, true), |(n, nan, ok), &v| {
        let missing = is_missing(v);
        let is_nan = v.is_nan();
        (n + (!missing) as usize, nan | (is_nan & !missing), ok & (is_nan | in_support(v)))
    });
    ResponseScan { n_present, any_nan, in_support }
}

/// Write whether each row of `y` is present (not missing) into `out`, as
/// `yes` or `no` (the caller's logical type). Branch-free, so it vectorises.
pub fn present_mask<T: Copy>(y: &[f64], is_missing: impl Fn(f64) -> bool, out: &mut [T], yes: T, no: T) {
    for (o, &v) in out.iter_mut().zip(y) {
        *o = if is_missing(v) { no } else { yes };
    }
}

/// The 0-based positions of the present rows of `y`, in order, given their
/// number `n_present` (from [`scan_response`]). The compaction writes every
/// position and advances only past present ones, which avoids a branch per
/// row (one slot of slack for a missing last row).
pub fn present_rows(y: &[f64], is_missing: impl Fn(f64) -> bool, n_present: usize) -> Vec<usize> {
    let mut rows = vec![0usize; n_present + 1];
    let mut k = 0;
    for (i, &v) in y.iter().enumerate() {
        rows[k.min(n_present)] = i;
        k += !is_missing(v) as usize;
    }
    rows.truncate(k.min(n_present));
    rows
}

/// Whether every value of a column lies in the family's support (missing
/// values and NaN never do): the surrogate columns must be complete.
pub fn all_in_support(y: &[f64], family: Family) -> bool {
    // Branch-free folds, one per family (constant support test), vectorise.
    match family {
        Family::Gaussian => y.iter().fold(true, |ok, &v| ok & Family::Gaussian.in_support(v)),
        Family::Binomial => y.iter().fold(true, |ok, &v| ok & Family::Binomial.in_support(v)),
        Family::Poisson => y.iter().fold(true, |ok, &v| ok & Family::Poisson.in_support(v)),
    }
}

/// The number of labeled rows and whether every label (`y` where
/// `labeled`) lies in the family's support; values of unlabeled rows are
/// not read. One branch-free pass per family.
pub fn labels_in_support(y: &[f64], labeled: &[bool], family: Family) -> (usize, bool) {
    fn count(y: &[f64], labeled: &[bool], in_support: impl Fn(f64) -> bool) -> (usize, bool) {
        labeled.iter().zip(y).fold((0usize, true), |(n, ok), (&l, &v)| (n + l as usize, ok & (!l | in_support(v))))
    }
    match family {
        Family::Gaussian => count(y, labeled, |v| Family::Gaussian.in_support(v)),
        Family::Binomial => count(y, labeled, |v| Family::Binomial.in_support(v)),
        Family::Poisson => count(y, labeled, |v| Family::Poisson.in_support(v)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // A stand-in for R's NA: a NaN with payload 1954 in the low word.
    fn na() -> f64 {
        f64::from_bits(0x7FF0_0000_0000_07A2)
    }
    fn is_na(v: f64) -> bool {
        v.is_nan() & (v.to_bits() as u32 == 1954)
    }

    #[test]
    fn response_scan_marks_labels_and_nan() {
        let y = [1.0, na(), 0.5, f64::NAN, na(), 2.0];
        let s = scan_response(&y, Family::Binomial, is_na);
        assert_eq!(s.n_present, 4);
        assert!(s.any_nan);
        // 2.0 is outside [0, 1]; the NaN does not count against the support.
        assert!(!s.in_support);
        let mut mask = vec![0u8; y.len()];
        present_mask(&y, is_na, &mut mask, 1, 2);
        assert_eq!(mask, [1, 2, 1, 1, 2, 1]);
        assert_eq!(present_rows(&y, is_na, s.n_present), vec![0, 2, 3, 5]);
        // A present or missing last row, none present, all present.
        assert_eq!(present_rows(&y[..5], is_na, 3), vec![0, 2, 3]);
        assert_eq!(present_rows(&[na(), na()], is_na, 0), Vec::<usize>::new());
        assert_eq!(present_rows(&[1.0, 2.0], is_na, 2), vec![0, 1]);
        assert_eq!(present_rows(&[], is_na, 0), Vec::<usize>::new());
        let s = scan_response(&[na(), 0.0, 1.0, 0.25], Family::Binomial, is_na);
        assert_eq!(s.n_present, 3);
        assert!(!s.any_nan && s.in_support);
    }

    #[test]
    fn response_scan_support_by_family() {
        assert!(!scan_response(&[1.0, f64::INFINITY], Family::Gaussian, is_na).in_support);
        assert!(scan_response(&[1.0, -3.0, na()], Family::Gaussian, is_na).in_support);
        assert!(!scan_response(&[1.0, -3.0], Family::Poisson, is_na).in_support);
        assert!(scan_response(&[0.0, 3.0, na()], Family::Poisson, is_na).in_support);
        let empty = scan_response(&[], Family::Gaussian, is_na);
        assert!(empty.n_present == 0 && empty.in_support && !empty.any_nan);
    }

    #[test]
    fn labels_counted_and_checked() {
        let y = [0.0, na(), 1.0, 7.0];
        assert_eq!(labels_in_support(&y, &[true, false, true, false], Family::Binomial), (2, true));
        assert_eq!(labels_in_support(&y, &[true, false, true, true], Family::Binomial), (3, false));
        assert_eq!(labels_in_support(&y, &[true, true, false, false], Family::Gaussian), (2, false));
        assert_eq!(labels_in_support(&y, &[true, false, true, true], Family::Poisson), (3, true));
    }

    #[test]
    fn support_of_complete_columns() {
        assert!(all_in_support(&[0.0, 1.0, 0.3], Family::Binomial));
        assert!(!all_in_support(&[0.0, 1.1], Family::Binomial));
        assert!(!all_in_support(&[0.0, na()], Family::Binomial));
        assert!(!all_in_support(&[0.0, f64::NAN], Family::Gaussian));
        assert!(!all_in_support(&[0.0, f64::NEG_INFINITY], Family::Gaussian));
        assert!(all_in_support(&[-1e300, 2.0], Family::Gaussian));
        assert!(!all_in_support(&[1.0, f64::INFINITY], Family::Poisson));
        assert!(!all_in_support(&[1.0, -0.5], Family::Poisson));
        assert!(all_in_support(&[], Family::Poisson));
    }
}
