//! Branch-free exponential and `log1p`, and the per-row GLM terms of a chunk
//! of rows computed with them, written so that the compiler vectorises the
//! loops.
//!
//! Why: a pass of Newton's method over 10^6 rows spends most of its time in
//! the scalar library calls `exp` and `ln` (one each per row). Polynomial
//! versions without branches or table lookups let LLVM process 4 rows per
//! instruction with AVX2 and FMA. Both functions are accurate to a few units
//! in the last place on the ranges used here; the unit tests compare them
//! with the standard library.
//!
//! Two arithmetic flavours, chosen once per chunk by the caller: [`Fused`]
//! (each `a * b + c` rounded once, the FMA instruction, and the polynomial
//! exp and log1p; run inside [`with_fma`], which compiles the kernels for
//! AVX2 and FMA when the CPU has them) and [`Separate`] (two roundings and
//! the library's exp and log1p: the portable build for CPUs without FMA,
//! where the polynomials would be slower than the library calls). Each
//! reduction has a fixed order written in the code, so a flavour gives the
//! same bits on every machine and thread count; the two flavours differ from
//! each other by rounding only.

use super::Family;

/// How the kernels evaluate `a * b + c`, `exp` and `log(1 + z)`.
pub trait Arith {
    /// Whether the product is not rounded before the sum.
    const FUSED: bool;
    /// `a * b + c`.
    fn madd(a: f64, b: f64, c: f64) -> f64;
    /// `exp(x)`.
    fn exp(x: f64) -> f64;
    /// `ln(1 + z)` for `z` in [0, 1].
    fn ln_1p_unit(z: f64) -> f64;
}

/// One rounding: `f64::mul_add` (an instruction on CPUs with FMA).
pub struct Fused;
/// Two roundings: a plain product and sum, fast on every CPU.
pub struct Separate;

impl Arith for Fused {
    const FUSED: bool = true;
    #[inline(always)]
    fn madd(a: f64, b: f64, c: f64) -> f64 {
        a.mul_add(b, c)
    }
    #[inline(always)]
    fn exp(x: f64) -> f64 {
        exp_poly::<Fused>(x)
    }
    #[inline(always)]
    fn ln_1p_unit(z: f64) -> f64 {
        ln_1p_poly::<Fused>(z)
    }
}

impl Arith for Separate {
    const FUSED: bool = false;
    #[inline(always)]
    fn madd(a: f64, b: f64, c: f64) -> f64 {
        a * b + c
    }
    #[inline(always)]
    fn exp(x: f64) -> f64 {
        x.exp()
    }
    #[inline(always)]
    fn ln_1p_unit(z: f64) -> f64 {
        z.ln_1p()
    }
}

const LOG2_E: f64 = std::f64::consts::LOG2_E;
/// ln 2 split so that `k * LN2_HI` is exact for |k| < 2^11 (fdlibm's split).
const LN2_HI: f64 = 0.693_147_180_369_123_8;
const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
/// 1.5 * 2^52: adding it rounds a double of magnitude < 2^51 to an integer
/// held in the low bits of the sum.
const ROUND: f64 = 6_755_399_441_055_744.0;
/// Above this the exponential is reported as infinite (the exact overflow
/// threshold is 709.78; the few values in between are never a fitted mean).
const EXP_MAX: f64 = 709.0;
/// Below this the exponential is flushed to its value at the bound, about
/// 3e-308 (what matters to a GLM is that it is 0 to working precision).
const EXP_MIN: f64 = -708.0;

/// The polynomial with coefficients `c0, c1, ...` (highest degree first) at
/// `x` by Horner's rule, with the multiply-add of flavour `M`. A macro, not
/// a function over an array: the chain must be unrolled inline into the
/// caller's AVX2 + FMA context (a call, or a loop the compiler keeps, would
/// turn each `mul_add` into a library call and stop vectorisation).
macro_rules! horner {
    ($m:ty, $x:expr, $c0:expr $(, $c:expr)* $(,)?) => {{
        let x: f64 = $x;
        let q: f64 = $c0;
        $(let q = <$m>::madd(q, x, $c);)*
        q
    }};
}

/// `exp(x)`: Cody-Waite reduction `x = k ln 2 + r`, |r| <= ln(2)/2, and a
/// degree-13 Taylor polynomial for `exp(r)` (truncation error < 4e-18
/// relative); `2^k` is assembled from its bits. NaN propagates.
#[inline(always)]
pub fn exp_poly<M: Arith>(x: f64) -> f64 {
    let xc = x.clamp(EXP_MIN, EXP_MAX);
    let t = xc * LOG2_E + ROUND;
    let k = t - ROUND;
    let r = (xc - k * LN2_HI) - k * LN2_LO;
    // 1/j! for j = 13 down to 2.
    let q = horner!(
        M,
        r,
        1.0 / 6_227_020_800.0,
        1.0 / 479_001_600.0,
        1.0 / 39_916_800.0,
        1.0 / 3_628_800.0,
        1.0 / 362_880.0,
        1.0 / 40_320.0,
        1.0 / 5_040.0,
        1.0 / 720.0,
        1.0 / 120.0,
        1.0 / 24.0,
        1.0 / 6.0,
        0.5
    );
    let poly = 1.0 + M::madd(r * r, q, r);
    let ki = (t.to_bits() as i64).wrapping_sub(ROUND.to_bits() as i64);
    let scale = f64::from_bits(((ki + 1023) as u64) << 52);
    let value = poly * scale;
    if x > EXP_MAX {
        f64::INFINITY
    } else {
        value
    }
}

/// `ln(1 + z)` for `z` in [0, 1] (the range `log(1 + exp(-|eta|))` needs):
/// `2 atanh(s)` with `s = z / (2 + z)`, or `ln 2 + 2 atanh(s)` with
/// `s = (z - 1) / (z + 3)` above `sqrt(2) - 1`, so that |s| < 0.172 and a
/// series to `s^23` is exact to rounding. Accurate also for tiny `z`.
#[inline(always)]
pub fn ln_1p_poly<M: Arith>(z: f64) -> f64 {
    let big = z > std::f64::consts::SQRT_2 - 1.0;
    let s = if big { (z - 1.0) / (z + 3.0) } else { z / (z + 2.0) };
    let s2 = s * s;
    // 1/(2j + 1) for j = 11 down to 1.
    let q = horner!(
        M,
        s2,
        1.0 / 23.0,
        1.0 / 21.0,
        1.0 / 19.0,
        1.0 / 17.0,
        1.0 / 15.0,
        1.0 / 13.0,
        1.0 / 11.0,
        1.0 / 9.0,
        1.0 / 7.0,
        1.0 / 5.0,
        1.0 / 3.0
    );
    let atanh2 = M::madd(2.0 * s * s2, q, 2.0 * s);
    if big {
        std::f64::consts::LN_2 + atanh2
    } else {
        atanh2
    }
}

/// Which rows of a chunk count: all, or those whose mask entry equals `keep`.
#[derive(Debug, Clone, Copy)]
pub enum ChunkRows<'a> {
    /// Every row.
    All,
    /// Rows `k` with `mask[k] == keep`.
    Where(&'a [bool], bool),
}

/// Per-row GLM terms of a chunk at linear predictors `eta`: residual
/// `r = mu - y`, weight `w = dmu/deta` and, if `LOSS`, each row's loss
/// `b(eta) - y eta` (else `loss` is left alone: scores and Hessians need no
/// logarithm); all 0 on rows that do not count (whose `y` may be NaN).
/// Slices have the chunk's length.
///
/// Written as one loop per family over plain slices, then a masking loop:
/// LLVM vectorises loops of this shape, not a loop with a per-row branch.
#[inline(always)]
pub fn row_terms<M: Arith, const LOSS: bool>(family: Family, eta: &[f64], y: &[f64], rows: ChunkRows<'_>, r: &mut [f64], w: &mut [f64], loss: &mut [f64]) {
    match family {
        Family::Gaussian => fill_terms::<LOSS>(eta, y, r, w, loss, gaussian_terms),
        Family::Binomial => fill_terms::<LOSS>(eta, y, r, w, loss, binomial_terms::<M, LOSS>),
        Family::Poisson => fill_terms::<LOSS>(eta, y, r, w, loss, poisson_terms::<M>),
    }
    if let ChunkRows::Where(mask, keep) = rows {
        let m = eta.len();
        let (mask, r, w) = (&mask[..m], &mut r[..m], &mut w[..m]);
        for k in 0..m {
            let drop = mask[k] != keep;
            r[k] = if drop { 0.0 } else { r[k] };
            w[k] = if drop { 0.0 } else { w[k] };
        }
        if LOSS {
            let loss = &mut loss[..m];
            for k in 0..m {
                loss[k] = if mask[k] != keep { 0.0 } else { loss[k] };
            }
        }
    }
}

#[inline(always)]
fn fill_terms<const LOSS: bool>(eta: &[f64], y: &[f64], r: &mut [f64], w: &mut [f64], loss: &mut [f64], f: impl Fn(f64, f64) -> (f64, f64, f64)) {
    let m = eta.len();
    let (y, r, w) = (&y[..m], &mut r[..m], &mut w[..m]);
    if LOSS {
        let loss = &mut loss[..m];
        for k in 0..m {
            let (lk, rk, wk) = f(eta[k], y[k]);
            loss[k] = lk;
            r[k] = rk;
            w[k] = wk;
        }
    } else {
        for k in 0..m {
            let (_, rk, wk) = f(eta[k], y[k]);
            r[k] = rk;
            w[k] = wk;
        }
    }
}

#[inline(always)]
fn gaussian_terms(eta: f64, y: f64) -> (f64, f64, f64) {
    let r = eta - y;
    (0.5 * r * r, r, 1.0)
}

/// With `z = exp(-|eta|)` in (0, 1], which never overflows:
/// `p = 1 / (1 + z)` or `z / (1 + z)`, `p (1 - p) = z / (1 + z)^2`,
/// `log(1 + exp(eta)) = max(eta, 0) + log(1 + z)`.
#[inline(always)]
fn binomial_terms<M: Arith, const LOSS: bool>(eta: f64, y: f64) -> (f64, f64, f64) {
    let z = M::exp(-eta.abs());
    let q = 1.0 / (1.0 + z);
    let p = if eta >= 0.0 { q } else { z * q };
    let positive_part = if eta > 0.0 { eta } else { 0.0 };
    let loss = if LOSS { positive_part + M::ln_1p_unit(z) - y * eta } else { 0.0 };
    (loss, p - y, z * q * q)
}

#[inline(always)]
fn poisson_terms<M: Arith>(eta: f64, y: f64) -> (f64, f64, f64) {
    let m = M::exp(eta);
    (m - y * eta, m - y, m)
}

/// Sum with four interleaved partial sums (vectorisable, fixed order).
#[inline(always)]
pub fn sum4(v: &[f64]) -> f64 {
    let mut s = [0.0f64; 4];
    let chunks = v.chunks_exact(4);
    let tail = chunks.remainder();
    for c in chunks {
        for l in 0..4 {
            s[l] += c[l];
        }
    }
    let mut t = (s[0] + s[1]) + (s[2] + s[3]);
    for x in tail {
        t += x;
    }
    t
}

/// `sum_k a[k] b[k]` over the common length, in a fixed order: sixteen
/// partial sums (row k goes to sum k mod 16), combined pairwise, then the
/// tail. With AVX2 the sixteen sums are four 4-lane registers (the compiler
/// does not vectorise this loop well by itself); without it, scalars in the
/// same order, so both give the same bits for a flavour `M`.
#[inline(always)]
pub fn dot<M: Arith>(a: &[f64], b: &[f64]) -> f64 {
    let m = a.len().min(b.len());
    let (a, b) = (&a[..m], &b[..m]);
    #[cfg(target_arch = "x86_64")]
    {
        if M::FUSED && fused_available() {
            // SAFETY: the CPU supports AVX2 and FMA, checked just above.
            return unsafe { dot_avx2_fma(a, b) };
        }
        if !M::FUSED && std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2, checked just above.
            return unsafe { dot_avx2(a, b) };
        }
    }
    let body = m - m % 16;
    let mut s = [0.0f64; 16];
    for (ca, cb) in a[..body].chunks_exact(16).zip(b[..body].chunks_exact(16)) {
        for l in 0..16 {
            s[l] = M::madd(ca[l], cb[l], s[l]);
        }
    }
    finish_dot::<M>(&s, &a[body..], &b[body..])
}

/// Combine the sixteen partial sums of [`dot`] and add the tail.
#[inline(always)]
fn finish_dot<M: Arith>(s: &[f64; 16], a: &[f64], b: &[f64]) -> f64 {
    let lane = |l: usize| (s[l] + s[l + 4]) + (s[l + 8] + s[l + 12]);
    let mut t = (lane(0) + lane(1)) + (lane(2) + lane(3));
    for (x, y) in a.iter().zip(b) {
        t = M::madd(*x, *y, t);
    }
    t
}

/// The sixteen partial sums of [`dot`] as four AVX registers, `step`
/// adding one 4-lane product into an accumulator.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
unsafe fn dot_lanes(a: &[f64], b: &[f64], step: impl Fn(std::arch::x86_64::__m256d, std::arch::x86_64::__m256d, std::arch::x86_64::__m256d) -> std::arch::x86_64::__m256d) -> [f64; 16] {
    use std::arch::x86_64::*;
    let body = a.len() - a.len() % 16;
    let (pa, pb) = (a.as_ptr(), b.as_ptr());
    let mut acc = [_mm256_setzero_pd(); 4];
    let mut k = 0;
    while k < body {
        for (j, s) in acc.iter_mut().enumerate() {
            // SAFETY: k + 4 j + 3 < body <= the length of both slices.
            let (x, y) = unsafe { (_mm256_loadu_pd(pa.add(k + 4 * j)), _mm256_loadu_pd(pb.add(k + 4 * j))) };
            *s = step(x, y, *s);
        }
        k += 16;
    }
    let mut s = [0.0f64; 16];
    for (j, v) in acc.iter().enumerate() {
        // SAFETY: s has room for 4 doubles from 4 j.
        unsafe { _mm256_storeu_pd(s.as_mut_ptr().add(4 * j), *v) };
    }
    s
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
unsafe fn dot_avx2(a: &[f64], b: &[f64]) -> f64 {
    use std::arch::x86_64::*;
    let body = a.len() - a.len() % 16;
    // SAFETY: AVX2 is enabled for this function.
    let s = unsafe { dot_lanes(a, b, |x, y, s| _mm256_add_pd(s, _mm256_mul_pd(x, y))) };
    finish_dot::<Separate>(&s, &a[body..], &b[body..])
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
#[inline]
unsafe fn dot_avx2_fma(a: &[f64], b: &[f64]) -> f64 {
    use std::arch::x86_64::*;
    let body = a.len() - a.len() % 16;
    // SAFETY: AVX2 and FMA are enabled for this function.
    let s = unsafe { dot_lanes(a, b, |x, y, s| _mm256_fmadd_pd(x, y, s)) };
    finish_dot::<Fused>(&s, &a[body..], &b[body..])
}

/// Whether the [`Fused`] kernels run at full speed here: x86-64 with AVX2
/// and FMA (checked once, then cached by the standard library), or aarch64,
/// where FMA is part of the base instruction set. Setting the environment
/// variable `SYNTHINFER_PORTABLE` to a non-empty value before the first fit
/// selects the portable kernels anyway (for tests and benchmarks).
#[inline(always)]
pub fn fused_available() -> bool {
    static PORTABLE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    if *PORTABLE.get_or_init(|| std::env::var_os("SYNTHINFER_PORTABLE").is_some_and(|v| !v.is_empty())) {
        return false;
    }
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
    }
    #[cfg(target_arch = "aarch64")]
    {
        true
    }
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    {
        false
    }
}

/// Run `f` (a chunk of [`Fused`] kernels) compiled for AVX2 and FMA when the
/// CPU has them, so that its loops are vectorised four doubles wide with
/// fused multiply-adds; `f` and the small `#[inline]` kernels it calls are
/// inlined into that function. Elsewhere `f` runs as compiled (on a CPU
/// without FMA, `mul_add` is exact but slow: callers use [`Separate`]
/// kernels there, see [`fused_available`]).
#[inline(always)]
pub fn with_fma<R>(f: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    {
        #[target_feature(enable = "avx2,fma")]
        unsafe fn avx2_fma<R>(f: impl FnOnce() -> R) -> R {
            f()
        }
        if fused_available() {
            // SAFETY: the CPU supports AVX2 and FMA, checked just above.
            return unsafe { avx2_fma(f) };
        }
    }
    f()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ulps(a: f64, b: f64) -> f64 {
        ((a - b) / b).abs() / f64::EPSILON
    }

    fn exp_error<M: Arith>() -> f64 {
        let mut worst: f64 = 0.0;
        for i in 0..=200_000 {
            let x = -708.0 + 1417.0 * i as f64 / 200_000.0;
            worst = worst.max(ulps(exp_poly::<M>(x), x.exp()));
        }
        for &x in &[0.0, 1e-300, -1e-17, 0.5, -0.3465, 0.3466, 1.0, -1.0, 20.0, -20.0] {
            worst = worst.max(ulps(exp_poly::<M>(x), x.exp()));
        }
        worst
    }

    fn ln_1p_error<M: Arith>() -> f64 {
        let mut worst: f64 = 0.0;
        for i in 1..=100_000 {
            let z = i as f64 / 100_000.0;
            worst = worst.max(ulps(ln_1p_poly::<M>(z), z.ln_1p()));
        }
        for &z in &[1e-300, 1e-17, 1e-9, 0.414_213_562, 0.414_213_563, 1.0] {
            worst = worst.max(ulps(ln_1p_poly::<M>(z), z.ln_1p()));
        }
        worst
    }

    #[test]
    fn exp_and_ln_1p_match_std_in_both_flavours() {
        for (e, l) in [(exp_error::<Separate>(), ln_1p_error::<Separate>()), (exp_error::<Fused>(), ln_1p_error::<Fused>())] {
            assert!(e < 4.0, "exp error {e} ulp");
            assert!(l < 4.0, "ln_1p error {l} ulp");
        }
        assert_eq!(exp_poly::<Separate>(710.0), f64::INFINITY);
        assert_eq!(exp_poly::<Fused>(f64::INFINITY), f64::INFINITY);
        assert!(exp_poly::<Separate>(-1e4) >= 0.0 && exp_poly::<Separate>(-1e4) < 1e-307);
        assert!(exp_poly::<Fused>(f64::NAN).is_nan());
        assert_eq!(ln_1p_poly::<Fused>(0.0), 0.0);
    }

    #[test]
    fn row_terms_match_family_formulas() {
        let eta = [-40.0, -3.0, -0.2, 0.0, 0.7, 5.0, 38.0];
        let y = [0.0, 1.0, 0.3, 1.0, 0.0, f64::NAN, 1.0];
        let mask = [true, true, true, true, true, false, true];
        for family in [Family::Gaussian, Family::Binomial, Family::Poisson] {
            let (mut r, mut w, mut l) = ([0.0; 7], [0.0; 7], [0.0; 7]);
            row_terms::<Separate, true>(family, &eta, &y, ChunkRows::Where(&mask, true), &mut r, &mut w, &mut l);
            let (mut rf, mut wf, mut lf) = ([0.0; 7], [0.0; 7], [0.0; 7]);
            row_terms::<Fused, true>(family, &eta, &y, ChunkRows::Where(&mask, true), &mut rf, &mut wf, &mut lf);
            for k in 0..7 {
                if !mask[k] {
                    assert_eq!((r[k], w[k], l[k]), (0.0, 0.0, 0.0));
                    continue;
                }
                let (lk, mu, wk) = family.loss_mean_weight(eta[k], y[k]);
                let close = |a: f64, b: f64| (a - b).abs() <= 1e-14 * (1.0 + b.abs());
                for (l, r, w) in [(l[k], r[k], w[k]), (lf[k], rf[k], wf[k])] {
                    assert!(close(l, lk), "{family:?} loss at {}", eta[k]);
                    assert!(close(r, mu - y[k]), "{family:?} residual at {}", eta[k]);
                    assert!(close(w, wk), "{family:?} weight at {}", eta[k]);
                }
            }
        }
    }

    /// Each flavour of `dot` equals its own order written out as a loop, bit
    /// for bit, with or without AVX2 and FMA.
    #[test]
    fn dot_follows_its_fixed_order() {
        fn by_loop<M: Arith>(a: &[f64], b: &[f64]) -> f64 {
            let m = a.len();
            let body = m - m % 16;
            let mut s = [0.0f64; 16];
            for k in 0..body {
                s[k % 16] = M::madd(a[k], b[k], s[k % 16]);
            }
            let lane = |l: usize| (s[l] + s[l + 4]) + (s[l + 8] + s[l + 12]);
            let mut t = (lane(0) + lane(1)) + (lane(2) + lane(3));
            for k in body..m {
                t = M::madd(a[k], b[k], t);
            }
            t
        }
        for m in [0, 3, 16, 17, 250, 2048] {
            let a: Vec<f64> = (0..m).map(|i| (i as f64 * 0.71).cos() * 1e3).collect();
            let b: Vec<f64> = (0..m).map(|i| (i as f64 * 0.13).sin() + 1.0).collect();
            let naive: f64 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
            let (ds, df) = (dot::<Separate>(&a, &b), dot::<Fused>(&a, &b));
            assert!((ds - naive).abs() <= 1e-12 * (1.0 + naive.abs()), "m = {m}");
            assert_eq!(ds.to_bits(), by_loop::<Separate>(&a, &b).to_bits(), "m = {m}");
            assert_eq!(df.to_bits(), by_loop::<Fused>(&a, &b).to_bits(), "m = {m}");
            assert_eq!(df.to_bits(), with_fma(|| dot::<Fused>(&a, &b)).to_bits(), "m = {m}");
        }
    }

    #[test]
    fn fma_dispatch_gives_identical_bits() {
        let v: Vec<f64> = (0..1001).map(|i| (i as f64 * 0.37).sin() * 30.0).collect();
        let plain: Vec<u64> = v.iter().map(|&x| exp_poly::<Fused>(x).to_bits()).collect();
        let fast: Vec<u64> = with_fma(|| v.iter().map(|&x| exp_poly::<Fused>(x).to_bits()).collect());
        assert_eq!(plain, fast);
        assert_eq!(sum4(&v).to_bits(), with_fma(|| sum4(&v)).to_bits());
    }
}
