//! Small dense linear algebra on top of faer: symmetric positive-definite
//! factorisations with an honest collinearity check, and products such as
//! `A^{-1} M A^{-1}` formed by solves rather than explicit inverses.

use crate::error::{CoreError, Result};
use faer::linalg::solvers::Solve;
use faer::{Mat, MatRef, Side};

/// A matrix is declared singular when some column, in correlation scale, has
/// `1 - R^2 < COLLINEAR` on the columns before it (R^2 of that regression).
pub const COLLINEAR: f64 = 1e-12;

/// Cholesky factor of a symmetric positive-definite matrix `A`, computed on
/// the correlation-scaled matrix `D^{-1/2} A D^{-1/2}` (D = diag A) so that the
/// singularity test does not depend on the units of the variables.
pub struct SpdFactor {
    llt: faer::linalg::solvers::Llt<f64>,
    /// `1 / sqrt(diag A)`.
    inv_sd: Vec<f64>,
}

impl SpdFactor {
    /// Factor `a`; `what` names the matrix in the error message.
    pub fn new(a: MatRef<'_, f64>, what: &str) -> Result<SpdFactor> {
        Self::with_labels(a, what, |j| format!("component {}", j + 1))
    }

    /// As [`SpdFactor::new`], with `label(j)` naming row/column j in errors.
    pub fn with_labels(a: MatRef<'_, f64>, what: &str, label: impl Fn(usize) -> String) -> Result<SpdFactor> {
        let d = a.nrows();
        let mut inv_sd = vec![0.0; d];
        for (j, s) in inv_sd.iter_mut().enumerate() {
            let v = a[(j, j)];
            if !(v.is_finite() && v > 0.0) {
                return Err(CoreError::Singular(format!(
                    "{what} is singular: {} is identically zero",
                    label(j)
                )));
            }
            *s = 1.0 / v.sqrt();
        }
        let r = Mat::from_fn(d, d, |i, j| a[(i, j)] * inv_sd[i] * inv_sd[j]);
        let llt = r.llt(Side::Lower).map_err(|_| {
            CoreError::Singular(format!("{what} is singular or not positive definite"))
        })?;
        {
            let l = llt.L();
            for j in 0..d {
                let piv = l[(j, j)] * l[(j, j)];
                if !(piv.is_finite() && piv > COLLINEAR) {
                    return Err(CoreError::Singular(format!(
                        "{what} is singular: {} is (numerically) a linear \
                         combination of the ones before it",
                        label(j)
                    )));
                }
            }
        }
        Ok(SpdFactor { llt, inv_sd })
    }

    /// Dimension.
    pub fn dim(&self) -> usize {
        self.inv_sd.len()
    }

    /// `A^{-1} B`.
    pub fn solve(&self, b: MatRef<'_, f64>) -> Mat<f64> {
        let scaled = Mat::from_fn(b.nrows(), b.ncols(), |i, j| b[(i, j)] * self.inv_sd[i]);
        let z = self.llt.solve(scaled.as_ref());
        Mat::from_fn(b.nrows(), b.ncols(), |i, j| z[(i, j)] * self.inv_sd[i])
    }

    /// `A^{-1} b` for a vector.
    pub fn solve_vec(&self, b: &[f64]) -> Vec<f64> {
        let z = self.solve(MatRef::from_column_major_slice(b, b.len(), 1));
        (0..b.len()).map(|i| z[(i, 0)]).collect()
    }

    /// `C = L^{-1} D^{-1/2} B`, so that `C'C = B' A^{-1} B`: the "whitened"
    /// version of B used by Gauss-Newton steps and quadratic forms.
    pub fn whiten(&self, b: MatRef<'_, f64>) -> Mat<f64> {
        let mut z = Mat::from_fn(b.nrows(), b.ncols(), |i, j| b[(i, j)] * self.inv_sd[i]);
        faer::linalg::triangular_solve::solve_lower_triangular_in_place(
            self.llt.L(),
            z.as_mut(),
            faer::Par::Seq,
        );
        z
    }

    /// `A^{-1}` itself; only for results the caller must report as a matrix
    /// (a covariance), never for solving systems.
    pub fn inverse(&self) -> Mat<f64> {
        self.solve(Mat::<f64>::identity(self.dim(), self.dim()).as_ref())
    }

    /// `A^{-1} M A^{-1}` by two solves (A and M symmetric).
    pub fn sandwich(&self, m: MatRef<'_, f64>) -> Mat<f64> {
        let left = self.solve(m); // A^{-1} M
        let both = self.solve(left.transpose()); // A^{-1} M' A^{-1} = A^{-1} M A^{-1}
        symmetrized(both.as_ref())
    }
}

/// `(M + M') / 2`, removing rounding asymmetry from a covariance.
pub fn symmetrized(m: MatRef<'_, f64>) -> Mat<f64> {
    Mat::from_fn(m.nrows(), m.ncols(), |i, j| 0.5 * (m[(i, j)] + m[(j, i)]))
}

/// Column-major d x d slice as a faer matrix.
pub fn square(v: &[f64], d: usize) -> MatRef<'_, f64> {
    MatRef::from_column_major_slice(v, d, d)
}

/// Trace of a square matrix.
pub fn trace(m: MatRef<'_, f64>) -> f64 {
    (0..m.nrows()).map(|i| m[(i, i)]).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_and_sandwiches() {
        // A = [[4, 1], [1, 3]]: A^{-1} = [[3, -1], [-1, 4]] / 11.
        let a = Mat::from_fn(2, 2, |i, j| [[4.0, 1.0], [1.0, 3.0]][i][j]);
        let f = SpdFactor::new(a.as_ref(), "A").unwrap();
        let inv = f.inverse();
        assert!((inv[(0, 0)] - 3.0 / 11.0).abs() < 1e-14);
        assert!((inv[(0, 1)] + 1.0 / 11.0).abs() < 1e-14);
        // A^{-1} M A^{-1} with M = identity is A^{-2}.
        let s = f.sandwich(Mat::<f64>::identity(2, 2).as_ref());
        let a2 = &inv * &inv;
        for i in 0..2 {
            for j in 0..2 {
                assert!((s[(i, j)] - a2[(i, j)]).abs() < 1e-14);
            }
        }
        // b' A^{-1} b = ||whiten(b)||^2.
        let b = Mat::from_fn(2, 1, |i, _| [1.0, 2.0][i]);
        let w = f.whiten(b.as_ref());
        let q = w[(0, 0)].powi(2) + w[(1, 0)].powi(2);
        assert!((q - (3.0 - 4.0 + 16.0) / 11.0).abs() < 1e-14);
    }

    #[test]
    fn detects_collinearity() {
        let a = Mat::from_fn(2, 2, |i, j| [[1.0, 2.0], [2.0, 4.0]][i][j]);
        assert!(SpdFactor::new(a.as_ref(), "A").is_err());
        let z = Mat::from_fn(2, 2, |i, j| if i == j && i == 0 { 1.0 } else { 0.0 });
        assert!(SpdFactor::new(z.as_ref(), "A").is_err());
    }
}
