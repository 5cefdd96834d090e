//! Row blocks and the deterministic chunked reduction over rows.
//!
//! Every sum over rows in the GLM, PPI and GMM code goes through
//! [`chunked_reduce`]: rows are cut into chunks of a fixed size, chunks are
//! folded in parallel (rayon, in whatever pool the caller installed), and the
//! per-chunk results are merged in chunk order. The chunking does not depend
//! on the number of threads, so neither does any floating-point result.
//! Nothing is copied: a [`Block`] borrows the caller's column-major matrix.

use faer::MatRef;
use std::borrow::Cow;
use rayon::prelude::*;

/// Rows per chunk. Large enough that the per-chunk overhead is negligible,
/// small enough that 2 threads share the work of 10^4-row data sets.
pub const CHUNK: usize = 2048;

/// Which rows of a block enter a sum.
#[derive(Debug, Clone, Copy)]
pub enum Rows<'a> {
    /// Every row.
    All,
    /// The rows where `mask[i] == keep`.
    Where(&'a [bool], bool),
}

impl Rows<'_> {
    /// Whether row `i` is included.
    #[inline]
    pub fn includes(&self, i: usize) -> bool {
        match self {
            Rows::All => true,
            Rows::Where(mask, keep) => mask[i] == *keep,
        }
    }

    /// Number of included rows among the first `n`.
    pub fn count(&self, n: usize) -> usize {
        match self {
            Rows::All => n,
            Rows::Where(mask, keep) => mask[..n].iter().filter(|&&m| m == *keep).count(),
        }
    }
}

/// A design matrix and response restricted to some rows, with a weight that
/// multiplies the block's contribution to a loss.
#[derive(Debug, Clone, Copy)]
pub struct Block<'a> {
    /// n x p covariates (column-major, borrowed).
    pub x: MatRef<'a, f64>,
    /// Response of length n; entries outside `rows` are never read (may be NaN).
    pub y: &'a [f64],
    /// Which rows count.
    pub rows: Rows<'a>,
    /// Multiplier of the block's sum.
    pub weight: f64,
}

impl<'a> Block<'a> {
    /// A block with weight 1.
    pub fn new(x: MatRef<'a, f64>, y: &'a [f64], rows: Rows<'a>) -> Self {
        Block { x, y, rows, weight: 1.0 }
    }

    /// The same rows with another weight.
    pub fn weighted(self, weight: f64) -> Self {
        Block { weight, ..self }
    }

    /// Number of included rows.
    pub fn n_rows(&self) -> usize {
        self.rows.count(self.x.nrows())
    }
}

/// Column slices of a matrix, for fast row-wise access in the reductions
/// (borrowed when the columns are contiguous, as R's matrices are).
pub struct Columns<'a> {
    cols: Vec<Cow<'a, [f64]>>,
}

impl<'a> Columns<'a> {
    /// Columns of `x`.
    pub fn new(x: MatRef<'a, f64>) -> Self {
        let cols = (0..x.ncols())
            .map(|j| match x.col(j).try_as_col_major() {
                Some(c) => Cow::Borrowed(c.as_slice()),
                None => Cow::Owned((0..x.nrows()).map(|i| x[(i, j)]).collect()),
            })
            .collect();
        Columns { cols }
    }

    /// Linear predictor `x_i' beta` of row `i`.
    #[inline]
    pub fn eta(&self, i: usize, beta: &[f64]) -> f64 {
        let mut s = 0.0;
        for (c, b) in self.cols.iter().zip(beta) {
            s += c[i] * b;
        }
        s
    }

    /// Copy row `i` into `out`.
    #[inline]
    pub fn row_into(&self, i: usize, out: &mut [f64]) {
        for (o, c) in out.iter_mut().zip(&self.cols) {
            *o = c[i];
        }
    }
}

/// `acc += c * u u'` on the lower triangle of a column-major d x d matrix.
#[inline]
pub fn add_outer_lower(acc: &mut [f64], d: usize, u: &[f64], c: f64) {
    for j in 0..d {
        let cu = c * u[j];
        if cu == 0.0 {
            continue;
        }
        let col = &mut acc[j * d..(j + 1) * d];
        for i in j..d {
            col[i] += u[i] * cu;
        }
    }
}

/// `acc += c * u v'` (full, column-major, d_u x d_v).
#[inline]
pub fn add_outer(acc: &mut [f64], u: &[f64], v: &[f64], c: f64) {
    let du = u.len();
    for (j, vj) in v.iter().enumerate() {
        let cv = c * vj;
        let col = &mut acc[j * du..(j + 1) * du];
        for (a, ui) in col.iter_mut().zip(u) {
            *a += ui * cv;
        }
    }
}

/// Copy the lower triangle of a column-major d x d matrix to its upper one.
pub fn symmetrize_lower(acc: &mut [f64], d: usize) {
    for j in 0..d {
        for i in (j + 1)..d {
            acc[i * d + j] = acc[j * d + i];
        }
    }
}

/// Element-wise `a += b`; the merge step of most reductions.
#[inline]
pub fn add_into(a: &mut [f64], b: &[f64]) {
    for (x, y) in a.iter_mut().zip(b) {
        *x += y;
    }
}

/// Fold rows `0..n` into an accumulator, chunk by chunk in parallel, and
/// merge the chunk results in order (deterministic whatever the thread count).
///
/// `init` makes an empty accumulator, `fold(acc, i)` adds row `i`,
/// `merge(a, b)` adds accumulator `b` into `a`.
pub fn chunked_reduce<A, I, F, M>(n: usize, init: I, fold: F, merge: M) -> A
where
    A: Send,
    I: Fn() -> A + Sync,
    F: Fn(&mut A, usize) + Sync,
    M: Fn(&mut A, A),
{
    let n_chunks = n.div_ceil(CHUNK).max(1);
    let run = |c: usize| {
        let mut acc = init();
        for i in (c * CHUNK)..((c + 1) * CHUNK).min(n) {
            fold(&mut acc, i);
        }
        acc
    };
    let parts: Vec<A> = if n_chunks > 1 {
        (0..n_chunks).into_par_iter().map(run).collect()
    } else {
        vec![run(0)]
    };
    let mut it = parts.into_iter();
    let mut acc = it.next().unwrap_or_else(&init);
    for part in it {
        merge(&mut acc, part);
    }
    acc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reduction_is_ordered_and_thread_free() {
        let n = 5 * CHUNK + 17;
        let v: Vec<f64> = (0..n).map(|i| ((i * 7919) % 1013) as f64 * 1e-3 + 1e10).collect();
        let sum = |t| {
            crate::parallel::with_threads(t, || {
                chunked_reduce(n, || 0.0f64, |a, i| *a += v[i], |a, b| *a += b)
            })
            .unwrap()
        };
        let s1 = sum(1);
        assert_eq!(s1.to_bits(), sum(2).to_bits());
        assert!((s1 - v.iter().sum::<f64>()).abs() / s1 < 1e-12);
    }

    #[test]
    fn row_masks_count() {
        let mask = [true, false, true, true];
        assert_eq!(Rows::Where(&mask, true).count(4), 3);
        assert_eq!(Rows::Where(&mask, false).count(4), 1);
        assert_eq!(Rows::All.count(4), 4);
    }
}
