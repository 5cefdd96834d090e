//! Sampling weights in `estimate::fit` (every synth_glm method): unit weights
//! reproduce the unweighted fit, the scale of the weights does not matter,
//! integer weights equal row duplication for the exactly identified
//! estimators, and the weighted classical variance and PPI mean equal
//! brute-force row loops.

#![allow(clippy::needless_range_loop)]

use faer::MatRef;
use rand::Rng;
use rand_distr::StandardNormal;
use synthinfer_core::glm::Family;
use synthinfer_core::estimate::{fit, Fit, Method, Surrogate, SynthData};
use synthinfer_core::parallel::replicate_rng;

struct Sim {
    n: usize,
    x: Vec<f64>,
    y: Vec<f64>,
    yp: Vec<f64>,
    ys: Vec<f64>,
    lab: Vec<bool>,
    w: Vec<f64>,
}

/// y = 1 + 0.5 x + e (Gaussian) or Poisson counts with that mean's log;
/// proxy and synthetic responses tracking e; about 30% labeled; integer
/// weights 1..4.
fn sim(n: usize, family: Family, seed: u64) -> Sim {
    let mut rng = replicate_rng(seed, 0);
    let mut x = vec![1.0; 2 * n];
    let (mut y, mut yp, mut ys, mut lab, mut w) = (vec![0.0; n], vec![0.0; n], vec![0.0; n], vec![false; n], vec![0.0; n]);
    for i in 0..n {
        let z: f64 = rng.sample(StandardNormal);
        let e: f64 = rng.sample(StandardNormal);
        let u: f64 = rng.sample(StandardNormal);
        let v: f64 = rng.sample(StandardNormal);
        x[n + i] = z;
        let (a, b, c) = (1.0 + 0.5 * z + e, 1.0 + 0.5 * z + e + 0.6 * u, 0.8 + 0.4 * z + 0.7 * e + 0.7 * v);
        if family == Family::Poisson {
            let r = |m: f64| (m.exp() * 0.4).round();
            (y[i], yp[i], ys[i]) = (r(0.5 * a), r(0.5 * b), r(0.5 * c));
        } else {
            (y[i], yp[i], ys[i]) = (a, b, c);
        }
        lab[i] = rng.random::<f64>() < 0.3;
        w[i] = (1 + rng.random_range(0..4)) as f64;
    }
    Sim { n, x, y, yp, ys, lab, w }
}

const METHODS: [Method; 7] =
    [Method::Gmm, Method::GmmProxy, Method::PpiPlusPlus, Method::Ppi, Method::PpiSynth, Method::Classical, Method::Naive];

fn run(s: &Sim, p: usize, family: Family, method: Method, w: Option<&[f64]>) -> Fit {
    let x = MatRef::from_column_major_slice(&s.x[..s.n * p], s.n, p);
    let data = SynthData {
        x,
        y: &s.y,
        proxy: Some(Surrogate { x, y: &s.yp }),
        synthetic: vec![Surrogate { x, y: &s.ys }],
        weights: w,
    };
    fit(method, family, &data, &s.lab).unwrap()
}

fn close(a: &Fit, b: &Fit, tol: f64, what: &str) {
    let p = a.coefficients.len();
    for j in 0..p {
        let (u, v) = (a.coefficients[j], b.coefficients[j]);
        assert!((u - v).abs() <= tol * (1.0 + v.abs()), "{what}: coefficient {j}: {u} vs {v}");
        for k in 0..p {
            let (u, v) = (a.covariance[(j, k)], b.covariance[(j, k)]);
            assert!((u - v).abs() <= tol * (1e-3 + v.abs()), "{what}: covariance ({j},{k}): {u} vs {v}");
        }
    }
}

#[test]
fn unit_weights_reproduce_and_scale_does_not_matter() {
    for (family, p) in [(Family::Gaussian, 1), (Family::Gaussian, 2), (Family::Poisson, 2)] {
        let s = sim(600, family, 7);
        let ones = vec![1.0; s.n];
        let w3: Vec<f64> = s.w.iter().map(|v| 3.0 * v).collect();
        for m in METHODS {
            let what = format!("{m:?} {family:?} p = {p}");
            close(&run(&s, p, family, m, Some(&ones)), &run(&s, p, family, m, None), 1e-10, &what);
            close(&run(&s, p, family, m, Some(&w3)), &run(&s, p, family, m, Some(&s.w)), 1e-8, &what);
        }
    }
}

#[test]
fn integer_weights_are_duplication_for_exactly_identified_estimators() {
    for (family, p) in [(Family::Gaussian, 1), (Family::Gaussian, 2), (Family::Poisson, 2)] {
        let s = sim(400, family, 3);
        // Row i repeated w_i times.
        let idx: Vec<usize> = (0..s.n).flat_map(|i| std::iter::repeat_n(i, s.w[i] as usize)).collect();
        let nd = idx.len();
        let mut x = vec![0.0; nd * 2];
        for j in 0..2 {
            for (r, &i) in idx.iter().enumerate() {
                x[j * nd + r] = s.x[j * s.n + i];
            }
        }
        let pick = |v: &[f64]| idx.iter().map(|&i| v[i]).collect::<Vec<f64>>();
        let x = if p == 1 { x[..nd].to_vec() } else { x };
        let dup = Sim { n: nd, x, y: pick(&s.y), yp: pick(&s.yp), ys: pick(&s.ys), lab: idx.iter().map(|&i| s.lab[i]).collect(), w: vec![] };
        for m in [Method::Classical, Method::Naive, Method::Ppi] {
            let a = run(&s, p, family, m, Some(&s.w));
            let b = run(&dup, p, family, m, None);
            for j in 0..p {
                assert!((a.coefficients[j] - b.coefficients[j]).abs() < 1e-9, "{m:?} {family:?}: {:?} vs {:?}", a.coefficients, b.coefficients);
            }
        }
    }
}

#[test]
fn weighted_classical_is_the_weighted_hc0_sandwich() {
    let s = sim(500, Family::Gaussian, 11);
    let f = run(&s, 2, Family::Gaussian, Method::Classical, Some(&s.w));
    // Weighted least squares and its HC0 sandwich by row loops.
    let (mut h, mut b) = ([[0.0; 2]; 2], [0.0; 2]);
    for i in (0..s.n).filter(|&i| s.lab[i]) {
        let xi = [1.0, s.x[s.n + i]];
        for j in 0..2 {
            b[j] += s.w[i] * xi[j] * s.y[i];
            for k in 0..2 {
                h[j][k] += s.w[i] * xi[j] * xi[k];
            }
        }
    }
    let det = h[0][0] * h[1][1] - h[0][1] * h[1][0];
    let hi = [[h[1][1] / det, -h[0][1] / det], [-h[1][0] / det, h[0][0] / det]];
    let beta = [hi[0][0] * b[0] + hi[0][1] * b[1], hi[1][0] * b[0] + hi[1][1] * b[1]];
    let mut meat = [[0.0; 2]; 2];
    for i in (0..s.n).filter(|&i| s.lab[i]) {
        let xi = [1.0, s.x[s.n + i]];
        let r = s.w[i] * (s.y[i] - beta[0] - beta[1] * xi[1]);
        for j in 0..2 {
            for k in 0..2 {
                meat[j][k] += r * r * xi[j] * xi[k];
            }
        }
    }
    for j in 0..2 {
        assert!((f.coefficients[j] - beta[j]).abs() < 1e-10);
        for k in 0..2 {
            let v: f64 = (0..2).flat_map(|a| (0..2).map(move |c| (a, c))).map(|(a, c)| hi[j][a] * meat[a][c] * hi[c][k]).sum();
            assert!((f.covariance[(j, k)] - v).abs() < 1e-12 * (1.0 + v.abs()), "{j},{k}");
        }
    }
}

#[test]
fn weighted_ppi_mean_matches_closed_form() {
    let s = sim(700, Family::Gaussian, 5);
    let f = run(&s, 1, Family::Gaussian, Method::Ppi, Some(&s.w));
    let hajek = |keep: bool, z: &dyn Fn(usize) -> f64| {
        let rows: Vec<usize> = (0..s.n).filter(|&i| s.lab[i] == keep).collect();
        let sw: f64 = rows.iter().map(|&i| s.w[i]).sum();
        let m = rows.iter().map(|&i| s.w[i] * z(i)).sum::<f64>() / sw;
        let v = rows.iter().map(|&i| (s.w[i] * (z(i) - m)).powi(2)).sum::<f64>() / (sw * sw);
        (m, v)
    };
    let (mu, vu) = hajek(false, &|i| s.yp[i]);
    let (ml, vl) = hajek(true, &|i| s.y[i] - s.yp[i]);
    assert!((f.coefficients[0] - (mu + ml)).abs() < 1e-12);
    assert!((f.covariance[(0, 0)] - (vu + vl)).abs() < 1e-14);
    // Every method gives a weighted fit different from the unweighted one.
    for m in METHODS {
        let a = run(&s, 1, Family::Gaussian, m, Some(&s.w));
        let b = run(&s, 1, Family::Gaussian, m, None);
        assert!((a.coefficients[0] - b.coefficients[0]).abs() > 1e-6, "{m:?}");
    }
}

#[test]
fn bad_weights_are_errors() {
    let s = sim(100, Family::Gaussian, 1);
    let x = MatRef::from_column_major_slice(&s.x, s.n, 2);
    let mut w = s.w.clone();
    w[7] = -1.0;
    let data = SynthData { x, y: &s.y, proxy: Some(Surrogate { x, y: &s.yp }), synthetic: vec![], weights: Some(&w) };
    let e = fit(Method::Classical, Family::Gaussian, &data, &s.lab).unwrap_err();
    assert!(e.to_string().contains("row 8"), "{e}");
    let short = vec![1.0; 5];
    let data = SynthData { weights: Some(&short), ..data };
    assert!(fit(Method::Classical, Family::Gaussian, &data, &s.lab).is_err());
}
