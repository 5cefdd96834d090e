//! Timing of the core fits on simulated data (profiling aid, not a test):
//! `cargo run --release -p synthinfer-core --example fit_timing -- [n] [method] [family] [reps] [threads]`
//! (`threads` one count; default: 1 and 2).

use rand::Rng;
use std::time::Instant;
use synthinfer_core::glm::Family;
use synthinfer_core::gmm::{self, column_major, Method, Surrogate, SynthData};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(1_000_000);
    let method = Method::from_name(args.get(2).map(String::as_str).unwrap_or("ppi++")).unwrap();
    let family = Family::from_name(args.get(3).map(String::as_str).unwrap_or("binomial")).unwrap();
    let reps: usize = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(8);
    let thread_counts: Vec<usize> = args.get(5).and_then(|s| s.parse().ok()).map_or(vec![1, 2], |t| vec![t]);
    let p = 5;
    let mut rng = synthinfer_core::parallel::replicate_rng(1, 0);
    let mut x = vec![1.0; n * p];
    for v in x[n..].iter_mut() {
        *v = rng.random::<f64>() * 2.0 - 1.0;
    }
    let (mut y, mut yh) = (vec![0.0; n], vec![0.0; n]);
    for i in 0..n {
        let eta: f64 = 0.3 + (1..p).map(|j| x[j * n + i] * 0.5).sum::<f64>();
        let u: f64 = rng.random();
        let pr = 1.0 / (1.0 + (-eta).exp());
        y[i] = if family == Family::Binomial { (u < pr) as u8 as f64 } else { eta + u - 0.5 };
        yh[i] = if family == Family::Binomial {
            if rng.random::<f64>() < 0.8 { y[i] } else { 1.0 - y[i] }
        } else {
            y[i] + rng.random::<f64>() - 0.5
        };
    }
    let labeled: Vec<bool> = (0..n).map(|i| i < 1000).collect();
    let xv = column_major(&x, n, p);
    let data = SynthData { x: xv, y: &y, proxy: Some(Surrogate { x: xv, y: &yh }), synthetic: vec![Surrogate { x: xv, y: &yh }], weights: None };
    // Best of `reps`: the least disturbed run on a shared machine.
    for threads in thread_counts {
        let mut best = f64::INFINITY;
        let mut coef = 0.0;
        for _ in 0..reps {
            let t = Instant::now();
            let f = synthinfer_core::parallel::with_threads(threads, || gmm::fit(method, family, &data, &labeled)).unwrap().unwrap();
            best = best.min(t.elapsed().as_secs_f64());
            coef = f.coefficients[0];
        }
        println!("threads {threads}: best {best:.4} s  coef0 {coef:.12}");
    }
}
