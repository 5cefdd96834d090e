//! Brute-force reference for PPI++ logistic regression: ppi-python's
//! sequence (fit at lambda = 1, tune, refit, tune, final fit) written with
//! plain row loops, the standard library's exp/ln and a hand-rolled linear
//! solve, and a check of the package's fit against it. Shared by the test
//! binaries that run the fast (AVX2 + FMA) and the portable kernels.

#![allow(clippy::needless_range_loop, dead_code)]

use faer::MatRef;
use synthinfer_core::glm::Family;
use synthinfer_core::ppi::{ppi, PpiData};

/// Solve `a z = b` (a: d x d row-major) by Gauss-Jordan with partial pivoting.
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Vec<f64> {
    let d = b.len();
    for c in 0..d {
        let piv = (c..d).max_by(|&i, &j| a[i][c].abs().total_cmp(&a[j][c].abs())).unwrap();
        a.swap(c, piv);
        b.swap(c, piv);
        for r in 0..d {
            if r != c {
                let f = a[r][c] / a[c][c];
                for k in 0..d {
                    a[r][k] -= f * a[c][k];
                }
                b[r] -= f * b[c];
            }
        }
    }
    (0..d).map(|i| b[i] / a[i][i]).collect()
}

fn inverse(a: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let d = a.len();
    let cols: Vec<Vec<f64>> = (0..d).map(|j| solve(a.to_vec(), (0..d).map(|i| (i == j) as u8 as f64).collect())).collect();
    (0..d).map(|i| (0..d).map(|j| cols[j][i]).collect()).collect()
}

fn expit(e: f64) -> f64 {
    1.0 / (1.0 + (-e).exp())
}

struct Data {
    x: Vec<Vec<f64>>,
    y: Vec<f64>,
    yh: Vec<f64>,
    lab: Vec<bool>,
}

impl Data {
    fn eta(&self, i: usize, b: &[f64]) -> f64 {
        self.x[i].iter().zip(b).map(|(x, b)| x * b).sum()
    }

    /// Gradient and Hessian of `sum_b c_b sum_i loss` over (rows, response, weight) blocks.
    fn derivs(&self, b: &[f64], blocks: &[(bool, bool, f64)]) -> (Vec<f64>, Vec<Vec<f64>>) {
        let p = b.len();
        let (mut g, mut h) = (vec![0.0; p], vec![vec![0.0; p]; p]);
        for &(labeled, truth, c) in blocks {
            for i in (0..self.y.len()).filter(|&i| self.lab[i] == labeled) {
                let mu = expit(self.eta(i, b));
                let y = if truth { self.y[i] } else { self.yh[i] };
                for j in 0..p {
                    g[j] += c * self.x[i][j] * (mu - y);
                    for k in 0..p {
                        h[j][k] += c * mu * (1.0 - mu) * self.x[i][j] * self.x[i][k];
                    }
                }
            }
        }
        (g, h)
    }

    fn newton(&self, start: &[f64], blocks: &[(bool, bool, f64)]) -> Vec<f64> {
        let mut b = start.to_vec();
        for _ in 0..60 {
            let (g, h) = self.derivs(&b, blocks);
            let step = solve(h, g.iter().map(|v| -v).collect());
            b.iter_mut().zip(&step).for_each(|(b, s)| *b += s);
        }
        b
    }

    /// ppi-python's power-tuning lambda (coord = None), clipped to [0, 1].
    fn lambda(&self, b: &[f64], n: f64, big_n: f64) -> f64 {
        let p = b.len();
        let (_, h_l) = self.derivs(b, &[(true, true, 1.0), (false, false, 1.0)]);
        let hinv = inverse(&h_l.iter().map(|r| r.iter().map(|v| v / (n + big_n)).collect()).collect::<Vec<_>>());
        let grad = |i: usize, truth: bool| -> Vec<f64> {
            let y = if truth { self.y[i] } else { self.yh[i] };
            let mu = expit(self.eta(i, b));
            self.x[i].iter().map(|x| x * (mu - y)).collect()
        };
        let labeled: Vec<usize> = (0..self.y.len()).filter(|&i| self.lab[i]).collect();
        let g: Vec<Vec<f64>> = labeled.iter().map(|&i| grad(i, true)).collect();
        let hl: Vec<Vec<f64>> = labeled.iter().map(|&i| grad(i, false)).collect();
        let all_h: Vec<Vec<f64>> = (0..self.y.len()).map(|i| grad(i, false)).collect();
        let mean = |v: &[Vec<f64>]| -> Vec<f64> { (0..p).map(|j| v.iter().map(|r| r[j]).sum::<f64>() / v.len() as f64).collect() };
        let (mg, mh, ma) = (mean(&g), mean(&hl), mean(&all_h));
        let mut c = vec![vec![0.0; p]; p];
        let mut v = vec![vec![0.0; p]; p];
        for j in 0..p {
            for k in 0..p {
                for r in 0..g.len() {
                    c[j][k] += ((g[r][j] - mg[j]) * (hl[r][k] - mh[k]) + (hl[r][j] - mh[j]) * (g[r][k] - mg[k])) / n;
                }
                for r in &all_h {
                    v[j][k] += (r[j] - ma[j]) * (r[k] - ma[k]) / (all_h.len() as f64 - 1.0);
                }
            }
        }
        let sandwich_trace = |m: &Vec<Vec<f64>>| -> f64 {
            (0..p).map(|i| (0..p).map(|j| (0..p).map(|k| hinv[i][j] * m[j][k] * hinv[k][i]).sum::<f64>()).sum::<f64>()).sum()
        };
        (sandwich_trace(&c) / (2.0 * (1.0 + n / big_n) * sandwich_trace(&v))).clamp(0.0, 1.0)
    }
}

/// Fit PPI++ on simulated data with the package and by brute force, and
/// assert agreement to 1e-10 and bit-identical results on two threads.
pub fn check_against_reference() {
    let (n_total, p) = (6000, 3);
    let mut state = 12345u64;
    let mut unif = || {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((state >> 11) as f64) / (1u64 << 53) as f64
    };
    let mut data = Data { x: vec![], y: vec![], yh: vec![], lab: vec![] };
    for i in 0..n_total {
        let row = vec![1.0, unif() * 2.0 - 1.0, unif() * 3.0];
        let pr = expit(-0.4 + 0.8 * row[1] - 0.3 * row[2]);
        let y = (unif() < pr) as u8 as f64;
        // A proxy that is right 80% of the time, as an LLM label might be.
        let yh = if unif() < 0.8 { y } else { 1.0 - y };
        data.x.push(row);
        data.y.push(y);
        data.yh.push(yh);
        data.lab.push(i % 10 == 0);
    }
    let n = data.lab.iter().filter(|&&l| l).count() as f64;
    let big_n = n_total as f64 - n;
    let rectified = |lam: f64| [(true, true, 1.0 / n), (false, false, lam / big_n), (true, false, -lam / n)];
    let classical = data.newton(&[0.0; 3], &[(true, true, 1.0)]);
    let t1 = data.newton(&classical, &rectified(1.0));
    let l1 = data.lambda(&t1, n, big_n);
    let t2 = data.newton(&t1, &rectified(l1));
    let l2 = data.lambda(&t2, n, big_n);
    let t3 = data.newton(&t2, &rectified(l2));

    let xcol: Vec<f64> = (0..p).flat_map(|j| data.x.iter().map(move |r| r[j])).collect();
    let x = MatRef::from_column_major_slice(&xcol, n_total, p);
    let d = PpiData { x, y: &data.y, x_proxy: x, y_proxy: &data.yh, labeled: &data.lab, weights: None };
    let fit = ppi(Family::Binomial, &d, None).unwrap();
    assert!(l2 > 0.05 && l2 < 0.95, "lambda {l2} should be interior for this test to bite");
    assert!((fit.lambda - l2).abs() < 1e-10, "lambda {} vs {l2}", fit.lambda);
    for j in 0..p {
        assert!((fit.coefficients[j] - t3[j]).abs() < 1e-10, "coefficient {j}: {} vs {}", fit.coefficients[j], t3[j]);
    }
    // The same with two threads, bit for bit.
    let fit2 = synthinfer_core::parallel::with_threads(2, || ppi(Family::Binomial, &d, None).unwrap()).unwrap();
    assert_eq!(fit.coefficients, fit2.coefficients);
}
