//! Timing of the per-row GLM kernel (profiling aid, not a test):
//! `cargo run --release -p synthinfer-core --example kernel_timing`.
//! Compares the scalar library-call terms with the vectorisable kernel,
//! portable (separate multiply and add) and fused under AVX2+FMA, on 10^6 rows.

use std::time::Instant;
use synthinfer_core::glm::vecmath::{row_terms, sum4, with_fma, ChunkRows, Fused, Separate};
use synthinfer_core::glm::Family;

fn best<F: FnMut() -> f64>(mut f: F) -> (f64, f64) {
    let mut t_best = f64::INFINITY;
    let mut v = 0.0;
    for _ in 0..15 {
        let t = Instant::now();
        v = f();
        t_best = t_best.min(t.elapsed().as_secs_f64());
    }
    (t_best * 1e3, v)
}

fn main() {
    let n = 1_000_000;
    let eta: Vec<f64> = (0..n).map(|i| ((i as f64) * 0.001).sin() * 3.0).collect();
    let y: Vec<f64> = (0..n).map(|i| (i % 3 == 0) as u8 as f64).collect();
    let mask: Vec<bool> = (0..n).map(|i| i % 1000 != 0).collect();
    let (mut r, mut w, mut l) = (vec![0.0; n], vec![0.0; n], vec![0.0; 2048]);
    for family in [Family::Binomial, Family::Poisson] {
        let (t, v) = best(|| {
            let mut s = 0.0;
            for k in 0..n {
                if mask[k] {
                    let (lk, mu, wk) = family.loss_mean_weight(eta[k], y[k]);
                    s += lk;
                    r[k] = mu - y[k];
                    w[k] = wk;
                }
            }
            s
        });
        println!("{family:?} scalar library calls: {t:.2} ms (loss {v:.6})");
        let (t, v) = best(|| {
            let mut s = 0.0;
            for c in (0..n).step_by(2048) {
                let e = (c + 2048).min(n);
                row_terms::<Separate, true>(family, &eta[c..e], &y[c..e], ChunkRows::Where(&mask[c..e], true), &mut r[..e - c], &mut w[..e - c], &mut l);
                s += sum4(&l[..e - c]);
            }
            s
        });
        println!("{family:?} kernel, portable:     {t:.2} ms (loss {v:.6})");
        let (t, v) = best(|| {
            let mut s = 0.0;
            for c in (0..n).step_by(2048) {
                let e = (c + 2048).min(n);
                s += with_fma(|| {
                    row_terms::<Fused, true>(family, &eta[c..e], &y[c..e], ChunkRows::Where(&mask[c..e], true), &mut r[..e - c], &mut w[..e - c], &mut l);
                    sum4(&l[..e - c])
                });
            }
            s
        });
        println!("{family:?} kernel, AVX2+FMA:    {t:.2} ms (loss {v:.6})");
    }
}
