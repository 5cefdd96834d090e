//! Correctly rounded sums of the historical gap estimates.
//!
//! The bias-corrected point estimate adds the mean historical gap to the
//! target's synthetic estimate. Leave-one-task-out needs that mean over every
//! task but one, for every task: summing afresh costs O(T) per task, O(T^2)
//! in all. Subtracting the held-out value from a rounded total is O(1) but
//! does not give the bits a fit on the reduced history gives. A correctly
//! rounded sum does both: the exact total is kept as a short expansion of
//! non-overlapping doubles (Shewchuk's algorithm, as in Python's
//! `math.fsum`), the held-out value is removed exactly, and the result is
//! rounded once. Since the correctly rounded value of an exact sum does not
//! depend on the order of the terms, it equals, to the last bit, the sum a
//! fresh calibration on the reduced history computes.

use crate::error::{invalid, Result};

/// The exact sum of a set of doubles, as non-overlapping partials of
/// increasing magnitude (at most a few dozen for any finite input).
#[derive(Debug, Clone)]
pub struct ExactSum {
    partials: Vec<f64>,
}

/// Add `x` to the expansion `p` exactly (two-sum on each partial).
fn grow(p: &mut Vec<f64>, mut x: f64) {
    let mut kept = 0;
    for j in 0..p.len() {
        let mut y = p[j];
        if x.abs() < y.abs() {
            std::mem::swap(&mut x, &mut y);
        }
        let hi = x + y;
        let lo = y - (hi - x);
        if lo != 0.0 {
            p[kept] = lo;
            kept += 1;
        }
        x = hi;
    }
    p.truncate(kept);
    p.push(x);
}

/// Round an expansion to the nearest double (ties to even), following the
/// final step of CPython's `math.fsum`.
fn round(p: &[f64]) -> f64 {
    let mut n = p.len();
    if n == 0 {
        return 0.0;
    }
    n -= 1;
    let mut hi = p[n];
    let mut lo = 0.0;
    while n > 0 {
        let x = hi;
        n -= 1;
        let y = p[n];
        hi = x + y;
        let yr = hi - x;
        lo = y - yr;
        if lo != 0.0 {
            break;
        }
    }
    // Half-way case: the partials below decide the direction of rounding.
    if n > 0 && ((lo < 0.0 && p[n - 1] < 0.0) || (lo > 0.0 && p[n - 1] > 0.0)) {
        let y = lo * 2.0;
        let x = hi + y;
        if y == x - hi {
            hi = x;
        }
    }
    hi
}

impl ExactSum {
    /// The exact sum of `x`; an error if an intermediate sum overflows.
    pub fn new(x: &[f64]) -> Result<ExactSum> {
        let mut partials = Vec::new();
        for &v in x {
            grow(&mut partials, v);
            if !partials.last().is_some_and(|h| h.is_finite()) {
                return invalid("the sum of the historical gap estimates overflows: rescale the estimates");
            }
        }
        Ok(ExactSum { partials })
    }

    /// The sum rounded once to the nearest double.
    pub fn value(&self) -> f64 {
        round(&self.partials)
    }

    /// The sum divided by `n`, rounded once: the quotient of the rounded
    /// sum corrected by the exact remainder. This is the mean R computes
    /// with its extended-precision sums (`colMeans()`, `var()`), so defaults
    /// computed here equal those R computed before, bit for bit in practice.
    pub fn divided_by(&self, n: f64) -> f64 {
        let q = self.value() / n;
        if !q.is_finite() {
            return q;
        }
        // q * n = p + e exactly; the remainder S - p - e, rounded once.
        let p = q * n;
        let e = q.mul_add(n, -p);
        let mut rest = self.partials.clone();
        grow(&mut rest, -p);
        grow(&mut rest, -e);
        q + round(&rest) / n
    }

    /// The sum without one of its terms, rounded once.
    pub fn without(&self, x: f64) -> f64 {
        let mut p = self.partials.clone();
        grow(&mut p, -x);
        round(&p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_where_a_naive_sum_loses_digits() {
        let x = [1e16, 1.0, -1e16, 1.0];
        assert_eq!(ExactSum::new(&x).unwrap().value(), 2.0);
        let x = [0.1; 10];
        assert_eq!(ExactSum::new(&x).unwrap().value(), 1.0);
        assert_eq!(ExactSum::new(&[]).unwrap().value(), 0.0);
    }

    #[test]
    fn rounds_half_way_cases_to_even() {
        // 1 + 2^-53 is half-way between 1 and its successor: ties to even (1);
        // a further tiny term breaks the tie upwards.
        let h = 2f64.powi(-53);
        assert_eq!(ExactSum::new(&[1.0, h]).unwrap().value(), 1.0);
        assert_eq!(ExactSum::new(&[1.0, h, h * 1e-10]).unwrap().value(), 1.0 + 2.0 * h);
    }

    #[test]
    fn without_equals_the_sum_of_the_rest() {
        let x: Vec<f64> = (0..200).map(|i| ((i * 7919) % 1013) as f64 / 97.0 - 5.0 + 1e-9 * i as f64).collect();
        let s = ExactSum::new(&x).unwrap();
        for j in 0..x.len() {
            let mut rest = x.clone();
            let v = rest.remove(j);
            rest.reverse();
            assert_eq!(s.without(v), ExactSum::new(&rest).unwrap().value(), "j = {j}");
        }
    }

    #[test]
    fn quotients_are_rounded_once() {
        // 0.1 + 0.2 + 0.3 rounds to 0.6000000000000001 as a double; the exact
        // sum of the three doubles over 3 rounds to 0.2.
        let s = ExactSum::new(&[0.1, 0.2, 0.3]).unwrap();
        assert_eq!(s.divided_by(3.0), 0.2);
        assert_eq!(ExactSum::new(&[1.0, 2.0]).unwrap().divided_by(3.0), 1.0);
        assert_eq!(ExactSum::new(&[1e16, 1.0, -1e16]).unwrap().divided_by(4.0), 0.25);
    }

    #[test]
    fn overflow_is_an_error() {
        assert!(ExactSum::new(&[f64::MAX, f64::MAX]).is_err());
    }
}
