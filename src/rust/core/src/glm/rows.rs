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
use std::ops::Range;
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

impl<'a> Rows<'a> {
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
            Rows::Where(mask, keep) => count_equal(&mask[..n], *keep),
        }
    }

    /// The inclusion rule restricted to the rows of `range`, indexed from 0.
    pub fn in_chunk(&self, range: &Range<usize>) -> super::vecmath::ChunkRows<'a> {
        match *self {
            Rows::All => super::vecmath::ChunkRows::All,
            Rows::Where(mask, keep) => super::vecmath::ChunkRows::Where(&mask[range.clone()], keep),
        }
    }

    /// Number of included rows in `lo..hi`.
    pub fn count_in(&self, range: &Range<usize>) -> usize {
        match self {
            Rows::All => range.len(),
            Rows::Where(mask, keep) => count_equal(&mask[range.clone()], *keep),
        }
    }
}

/// Number of entries equal to `keep`, as a vectorisable sum.
fn count_equal(mask: &[bool], keep: bool) -> usize {
    mask.iter().map(|&m| (m == keep) as usize).sum()
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Vec<f64>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Run `f` on a scratch buffer of `len` doubles, this thread's own, reused
/// from call to call: the per-chunk vectors of the column-wise kernels then
/// cost neither an allocation nor zeroing. The contents are whatever an
/// earlier call left, so `f` must write before it reads.
pub fn with_scratch<R>(len: usize, f: impl FnOnce(&mut [f64]) -> R) -> R {
    SCRATCH.with(|cell| {
        // Taken out of the cell, so that a nested call gets its own buffer.
        let mut buf = cell.take();
        if buf.len() < len {
            buf.resize(len, 0.0);
        }
        let out = f(&mut buf[..len]);
        cell.replace(buf);
        out
    })
}

/// A design matrix and response restricted to some rows, with a weight that
/// multiplies the block's contribution to a loss.
#[derive(Debug, Clone, Copy)]
pub struct Block<'a> {
    /// n x p covariates (column-major, borrowed); finite on every row, also
    /// outside `rows` (column-wise kernels multiply excluded rows by a zero
    /// weight, and NaN * 0 is NaN).
    pub x: MatRef<'a, f64>,
    /// A column of `x` known to be all ones (the intercept): the column-wise
    /// kernels read it from a constant buffer in cache instead of memory.
    pub ones: Option<usize>,
    /// Response of length n; entries outside `rows` are never read (may be NaN).
    pub y: &'a [f64],
    /// Which rows count.
    pub rows: Rows<'a>,
    /// Multiplier of the block's sum.
    pub weight: f64,
    /// Per-row (sampling) weights of length n multiplying each row's loss,
    /// score and Hessian term (`None`: 1 on every row).
    pub row_weights: Option<&'a [f64]>,
}

impl<'a> Block<'a> {
    /// A block with weight 1.
    pub fn new(x: MatRef<'a, f64>, y: &'a [f64], rows: Rows<'a>) -> Self {
        Block { x, ones: None, y, rows, weight: 1.0, row_weights: None }
    }

    /// The same block, told that column `ones` (if any) is all ones.
    pub fn with_ones(self, ones: Option<usize>) -> Self {
        Block { ones, ..self }
    }

    /// The same rows with another weight.
    pub fn weighted(self, weight: f64) -> Self {
        Block { weight, ..self }
    }

    /// The same block with per-row weights (`None`: unweighted).
    pub fn with_row_weights(self, row_weights: Option<&'a [f64]>) -> Self {
        Block { row_weights, ..self }
    }

    /// The weight of row `i` (1 when unweighted).
    #[inline]
    pub fn row_weight(&self, i: usize) -> f64 {
        self.row_weights.map_or(1.0, |w| w[i])
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
    /// Column known to be all ones, see [`Block::ones`].
    ones: Option<usize>,
}

/// A chunk's worth of ones, the stand-in for an intercept column.
static ONES: [f64; CHUNK] = [1.0; CHUNK];

/// The first column of `x` if it is 1 on every row (an intercept), found by
/// one scan that stops at the first other value.
pub fn ones_column(x: MatRef<'_, f64>) -> Option<usize> {
    (x.ncols() > 0 && (0..x.nrows()).all(|i| x[(i, 0)] == 1.0)).then_some(0)
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
        Columns { cols, ones: None }
    }

    /// The same columns, told that column `ones` (if any) is all ones.
    pub fn with_ones(self, ones: Option<usize>) -> Self {
        Columns { ones, ..self }
    }

    /// Number of columns.
    pub fn ncols(&self) -> usize {
        self.cols.len()
    }

    /// Column `j`.
    #[inline]
    pub fn col(&self, j: usize) -> &[f64] {
        &self.cols[j]
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
    chunked_reduce_ranges(n, init, |acc, rows| rows.for_each(|i| fold(acc, i)), merge)
}

/// As [`chunked_reduce`], but `fold(acc, lo..hi)` receives a whole chunk of
/// rows at once, so that it can work column by column (vectorised kernels
/// such as [`weighted_gram_lower`]) instead of row by row.
pub fn chunked_reduce_ranges<A, I, F, M>(n: usize, init: I, fold: F, merge: M) -> A
where
    A: Send,
    I: Fn() -> A + Sync,
    F: Fn(&mut A, Range<usize>) + Sync,
    M: Fn(&mut A, A),
{
    let n_chunks = n.div_ceil(CHUNK).max(1);
    let run = |c: usize| {
        let mut acc = init();
        fold(&mut acc, (c * CHUNK)..((c + 1) * CHUNK).min(n));
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

pub use super::vecmath::dot;
use super::vecmath::Arith;

/// `acc += sum_k w[k] u_k u_k'` on the lower triangle (column-major d x d),
/// where `u_k` is row k of the d columns `cols` (each at least `w.len()` long).
/// Column-wise dot products: one pass per pair of columns over cached data.
#[inline(always)]
pub fn weighted_gram_lower<M: Arith>(acc: &mut [f64], cols: &[&[f64]], w: &[f64], scratch: &mut [f64]) {
    let d = cols.len();
    let m = w.len();
    let wx = &mut scratch[..m];
    for j in 0..d {
        for ((o, x), wk) in wx.iter_mut().zip(&cols[j][..m]).zip(w) {
            *o = x * wk;
        }
        for i in j..d {
            acc[j * d + i] += dot::<M>(wx, &cols[i][..m]);
        }
    }
}

/// The column slices `lo..hi` of `cols` (a column of ones from the constant
/// buffer when the range fits in it).
pub fn slice_columns<'c>(cols: &'c Columns<'_>, range: &Range<usize>) -> Vec<&'c [f64]> {
    (0..cols.ncols())
        .map(|j| match cols.ones {
            Some(o) if o == j && range.len() <= CHUNK => &ONES[..range.len()],
            _ => &cols.col(j)[range.clone()],
        })
        .collect()
}

/// `eta[k] = sum_j cols[j][k] beta[j]`, column by column (vectorised axpys).
#[inline(always)]
pub fn linear_predictor<M: Arith>(eta: &mut [f64], cols: &[&[f64]], beta: &[f64]) {
    // Overwrites `eta` (no zeroing first): x_0 b_0 + x_1 b_1 + ..., the same
    // sum in the same order as a running sum from 0.
    match cols.first() {
        Some(c) => eta.iter_mut().zip(c.iter()).for_each(|(e, x)| *e = x * beta[0]),
        None => eta.iter_mut().for_each(|e| *e = 0.0),
    }
    for (c, b) in cols.iter().zip(beta).skip(1) {
        for (e, x) in eta.iter_mut().zip(c.iter()) {
            *e = M::madd(*x, *b, *e);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::glm::vecmath::Separate;

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
    fn kernels_match_row_loops() {
        let m = 11;
        let c0: Vec<f64> = (0..m).map(|k| k as f64 * 0.5 - 1.0).collect();
        let c1: Vec<f64> = (0..m).map(|k| ((k * 3) % 5) as f64).collect();
        let w: Vec<f64> = (0..m).map(|k| 1.0 + k as f64 / 7.0).collect();
        let cols = [&c0[..], &c1[..]];
        let mut acc = vec![0.0; 4];
        let mut scratch = vec![0.0; m];
        weighted_gram_lower::<Separate>(&mut acc, &cols, &w, &mut scratch);
        let mut brute = vec![0.0; 4];
        for k in 0..m {
            add_outer_lower(&mut brute, 2, &[c0[k], c1[k]], w[k]);
        }
        for (a, b) in acc.iter().zip(&brute) {
            assert!((a - b).abs() < 1e-12);
        }
        let mut eta = vec![0.0; m];
        linear_predictor::<Separate>(&mut eta, &cols, &[2.0, -1.0]);
        assert!((eta[4] - (2.0 * c0[4] - c1[4])).abs() < 1e-15);
        assert!((dot::<Separate>(&c0, &w) - c0.iter().zip(&w).map(|(a, b)| a * b).sum::<f64>()).abs() < 1e-12);
    }

    #[test]
    fn row_masks_count() {
        let mask = [true, false, true, true];
        assert_eq!(Rows::Where(&mask, true).count(4), 3);
        assert_eq!(Rows::Where(&mask, false).count(4), 1);
        assert_eq!(Rows::All.count(4), 4);
    }
}
