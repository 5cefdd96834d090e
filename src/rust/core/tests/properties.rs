//! Property and fuzz tests of the core's public entry points (issue 13).
//!
//! Seeded loops, no extra dependency: random and adversarial inputs (NaN,
//! infinities, zero, negative and subnormal values, empty or mismatched
//! slices, out-of-range levels) must never panic, and an `Ok` result must
//! hold no NaN. On valid inputs the exchangeability interval must keep its
//! invariants: invariant to the order of the historical tasks, nested as
//! alpha falls, containing the point estimate where that is guaranteed, and
//! equal weights giving Algorithm 1 exactly. Iterations per property:
//! SYNTHINFER_FUZZ_ITER (default 200; the test binary is a debug build),
//! seed SYNTHINFER_FUZZ_SEED (default 13).

use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::panic::{catch_unwind, AssertUnwindSafe};
use synthinfer_core::exchange::{
    self, calibrate, calibrate_region, default_split, gap_band, target_interval, target_region,
    weighted_gap_band, Alphas, Method, Shape,
};
use synthinfer_core::glm::Family;
use synthinfer_core::gmm::{self, SynthData, Surrogate};
use synthinfer_core::monitor::Monitor;
use synthinfer_core::parallel::replicate_rng;

fn iterations() -> usize {
    std::env::var("SYNTHINFER_FUZZ_ITER").ok().and_then(|s| s.parse().ok()).unwrap_or(200)
}

/// The random stream of property `test` under SYNTHINFER_FUZZ_SEED (default 13).
fn rng(test: u64) -> ChaCha8Rng {
    let seed = std::env::var("SYNTHINFER_FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(13);
    replicate_rng(seed, test)
}

/// A number a fuzzer would try: mostly ordinary, sometimes hostile.
fn nasty(r: &mut ChaCha8Rng) -> f64 {
    const HOSTILE: [f64; 10] = [
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        0.0,
        -0.0,
        -1.0,
        1e308,
        -1e308,
        5e-324,
        f64::MAX,
    ];
    if r.random_bool(0.25) {
        HOSTILE[r.random_range(0..HOSTILE.len())]
    } else {
        r.random_range(-3.0..3.0)
    }
}

fn nasty_vec(r: &mut ChaCha8Rng, n: usize) -> Vec<f64> {
    (0..n).map(|_| nasty(r)).collect()
}

/// A level: usually in (0, 1), sometimes 0, 1, negative, NaN or tiny.
fn nasty_level(r: &mut ChaCha8Rng) -> f64 {
    match r.random_range(0..8) {
        0 => [0.0, 1.0, -0.1, 1.5, f64::NAN, 1e-300, f64::INFINITY][r.random_range(0..7)],
        _ => r.random_range(0.001..0.999),
    }
}

fn nasty_alphas(r: &mut ChaCha8Rng) -> Alphas {
    Alphas { a1: nasty_level(r), a2: nasty_level(r), a3: nasty_level(r) }
}

fn method(r: &mut ChaCha8Rng) -> Method {
    [Method::Population, Method::TaskOnly, Method::FiniteSample][r.random_range(0..3)]
}

/// Run `f`, failing the test with the case description if it panics.
fn no_panic<T>(what: &str, case: impl Fn() -> String, f: impl FnOnce() -> T) -> T {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(v) => v,
        Err(_) => panic!("{what} panicked on {}", case()),
    }
}

#[test]
fn exchangeability_routines_never_panic_and_ok_means_no_nan() {
    let mut r = rng(1);
    for _ in 0..iterations() {
        let t = r.random_range(0..30);
        let t2 = if r.random_bool(0.1) { r.random_range(0..30) } else { t };
        let ge = nasty_vec(&mut r, t);
        let gs: Vec<f64> = nasty_vec(&mut r, t2).iter().map(|v| v.abs()).collect();
        let w: Vec<f64> = (0..t).map(|_| if r.random_bool(0.1) { nasty(&mut r) } else { r.random::<f64>() }).collect();
        let a = nasty_alphas(&mut r);
        let m = method(&mut r);
        let (se, ss) = (nasty(&mut r), nasty(&mut r).abs());
        let bounds = if r.random_bool(0.5) { Some((nasty(&mut r), nasty(&mut r))) } else { None };
        let case = || format!("ge={ge:?} gs={gs:?} w={w:?} alphas={a:?} method={m:?} synth=({se}, {ss}) bounds={bounds:?}");
        no_panic("gap_band", case, || gap_band(&ge, &gs, a.a3).ok());
        no_panic("weighted_gap_band", case, || weighted_gap_band(&ge, &gs, &w, a.a3).ok());
        no_panic("default_split", case, || default_split(a.a1, a.a3).ok());
        for weights in [None, Some(&w[..])] {
            let cal = no_panic("calibrate", case, || calibrate(&ge, &gs, a, m, weights));
            if let Ok(cal) = cal {
                if let Ok(iv) = no_panic("target_interval", case, || target_interval(&cal, se, ss, bounds)) {
                    let parts = [iv.estimate, iv.low, iv.high, iv.gap_low, iv.gap_high];
                    assert!(parts.iter().all(|v| !v.is_nan()), "NaN in {iv:?} from {}", case());
                    let real = no_panic("intersect_real", case, || exchange::intersect_real(&iv, se, ss, a.a2, bounds));
                    if let Ok(Some((lo, hi))) = real {
                        assert!(lo <= hi && !lo.is_nan(), "{}", case());
                    }
                }
            }
        }
        if t >= 1 {
            let held: Vec<usize> = (0..t.min(5)).map(|_| r.random_range(0..t + 1)).collect();
            let se_t = vec![se; held.len()];
            let ss_t = vec![ss; held.len()];
            let out = no_panic("leave_one_out", case, || {
                exchange::leave_one_out(&ge, &gs, &held, &se_t, &ss_t, a, m, bounds, &Monitor::default())
            });
            if let Ok(fits) = out {
                assert!(fits.iter().all(|f| !f.low.is_nan() && !f.high.is_nan()), "{}", case());
            }
        }
    }
}

#[test]
fn region_routines_never_panic() {
    let mut r = rng(2);
    for _ in 0..iterations() {
        let (t, d) = (r.random_range(0..12), r.random_range(0..4));
        let n = if r.random_bool(0.1) { r.random_range(0..40) } else { t * d };
        let ge = nasty_vec(&mut r, n);
        let gs: Vec<f64> = nasty_vec(&mut r, n).iter().map(|v| v.abs()).collect();
        let center = if r.random_bool(0.5) { vec![] } else { nasty_vec(&mut r, d) };
        let scale = if r.random_bool(0.5) { vec![] } else { nasty_vec(&mut r, d) };
        let a = nasty_alphas(&mut r);
        let shape = [Shape::Box, Shape::Ball][r.random_range(0..2)];
        let case = || format!("t={t} d={d} ge={ge:?} gs={gs:?} alphas={a:?} {shape:?} center={center:?} scale={scale:?}");
        let cal = no_panic("calibrate_region", case, || calibrate_region(&ge, &gs, t, d, a, shape, &center, &scale));
        if let Ok(cal) = cal {
            let (se, ss) = (nasty_vec(&mut r, d), nasty_vec(&mut r, d));
            if let Ok(reg) = no_panic("target_region", case, || target_region(&cal, &se, &ss, None)) {
                assert!(reg.low.iter().chain(&reg.high).all(|v| !v.is_nan()), "{}", case());
            }
        }
    }
}

#[test]
fn simulation_and_study_never_panic_on_hostile_designs() {
    let mut r = rng(3);
    for _ in 0..iterations() / 4 {
        let d = exchange::sim::TaskDesign {
            tau: nasty(&mut r),
            bias: nasty(&mut r),
            n_real: r.random_range(0..50),
            n_synth: r.random_range(0..50),
        };
        let n = r.random_range(0..20);
        let alpha = nasty_level(&mut r);
        let m = method(&mut r);
        let case = || format!("{d:?} n={n} alpha={alpha} {m:?}");
        no_panic("simulate_tasks", case, || exchange::sim::simulate_tasks(n, &d, 1).ok());
        let c = no_panic("coverage_study", case, || {
            exchange::sim::coverage_study(n, alpha, &d, m, 3, 1, 1, &Monitor::default())
        });
        if let Ok(c) = c {
            assert!(!c.coverage.is_nan() && !c.width.is_nan(), "{}", case());
        }
    }
}

#[test]
fn glm_fits_never_panic_on_hostile_data() {
    let mut r = rng(4);
    let methods = [gmm::Method::Gmm, gmm::Method::GmmProxy, gmm::Method::PpiPlusPlus, gmm::Method::Ppi,
                   gmm::Method::Classical, gmm::Method::Naive];
    for _ in 0..iterations() / 2 {
        let (n, p) = (r.random_range(0..25), r.random_range(1..3));
        let hostile = r.random_bool(0.5);
        let mut draw = |k: usize| -> Vec<f64> {
            (0..k).map(|_| if hostile { nasty(&mut r) } else { r.random_range(-2.0..2.0) }).collect()
        };
        let (x, y, px, py) = (draw(n * p), draw(n), draw(n * p), draw(n));
        let labeled: Vec<bool> = (0..n).map(|i| i % 3 != 0).collect();
        let family = [Family::Gaussian, Family::Binomial, Family::Poisson][r.random_range(0..3)];
        let method = methods[r.random_range(0..methods.len())];
        let xm = gmm::column_major(&x, n, p);
        let pm = gmm::column_major(&px, n, p);
        let data = SynthData { x: xm, y: &y, proxy: Some(Surrogate { x: pm, y: &py }), synthetic: vec![Surrogate { x: pm, y: &py }], weights: None };
        let case = || format!("n={n} p={p} {family:?} {method:?} x={x:?} y={y:?} px={px:?} py={py:?}");
        if let Ok(f) = no_panic("gmm::fit", case, || gmm::fit(method, family, &data, &labeled)) {
            assert!(f.coefficients.iter().all(|v| !v.is_nan()), "NaN coefficients from {}", case());
        }
    }
}

/// Valid random history: gap estimates from a normal mixture (skewed
/// sometimes), standard errors in (0.001, 0.2).
fn history(r: &mut ChaCha8Rng, t: usize) -> (Vec<f64>, Vec<f64>) {
    let skew = r.random_bool(0.3);
    let ge = (0..t)
        .map(|_| {
            let g: f64 = r.random_range(-0.2..0.2);
            if skew && r.random_bool(0.1) { g * 10.0 } else { g }
        })
        .collect();
    let gs = (0..t).map(|_| r.random_range(0.001..0.2)).collect();
    (ge, gs)
}

#[test]
fn interval_does_not_depend_on_task_order() {
    let mut r = rng(5);
    for _ in 0..iterations() {
        let t = r.random_range(20..80);
        let (ge, gs) = history(&mut r, t);
        let m = method(&mut r);
        let a = default_split(0.2, 2.0 / (t as f64 + 1.0)).unwrap();
        let a = if m == Method::FiniteSample { Alphas { a1: 0.0, a2: 0.0, a3: 0.2 } } else { a };
        let mut order: Vec<usize> = (0..t).collect();
        order.shuffle(&mut r);
        let (ge2, gs2): (Vec<f64>, Vec<f64>) = order.iter().map(|&i| (ge[i], gs[i])).unzip();
        let one = calibrate(&ge, &gs, a, m, None).unwrap();
        let two = calibrate(&ge2, &gs2, a, m, None).unwrap();
        let (x, y) = (target_interval(&one, 0.4, 0.03, None).unwrap(), target_interval(&two, 0.4, 0.03, None).unwrap());
        // Order statistics are exactly equal; the mean gap may differ in its
        // last bits (a sum in another order).
        assert_eq!((x.low, x.high), (y.low, y.high), "t={t} {m:?}");
        assert!((x.estimate - y.estimate).abs() <= 1e-12, "t={t} {m:?}");
    }
}

#[test]
fn interval_widens_as_alpha_falls() {
    let mut r = rng(6);
    for _ in 0..iterations() {
        let t = r.random_range(5..80);
        let (ge, gs) = history(&mut r, t);
        let m = method(&mut r);
        let min_a3 = 2.0 / (t as f64 + 1.0);
        let mut levels: Vec<f64> = (0..4).map(|_| r.random_range(0.01..0.6)).collect();
        levels.sort_by(f64::total_cmp);
        let mut prev: Option<(f64, f64)> = None;
        for &alpha in levels.iter().rev() {
            // From the largest alpha to the smallest: each interval contains the last.
            let a = match m {
                Method::FiniteSample if alpha < min_a3 => continue,
                Method::FiniteSample => Alphas { a1: 0.0, a2: 0.0, a3: alpha },
                _ => match default_split(alpha, min_a3) {
                    Ok(a) => a,
                    Err(_) => continue,
                },
            };
            let Ok(cal) = calibrate(&ge, &gs, a, m, None) else { continue };
            let iv = target_interval(&cal, 0.5, 0.02, Some((0.0, 1.0))).unwrap();
            if let Some((lo, hi)) = prev {
                assert!(iv.low <= lo && iv.high >= hi, "alpha={alpha} t={t} {m:?}: [{}, {}] inside [{lo}, {hi}]?", iv.low, iv.high);
            }
            prev = Some((iv.low, iv.high));
        }
    }
}

#[test]
fn interval_contains_its_estimate_when_the_band_spans_every_gap() {
    // With k_L <= 1 and k_U >= T the band runs from the smallest lower gap
    // endpoint to the largest upper one, so it contains the mean gap, and the
    // interval contains the point estimate (synthetic estimate + mean gap).
    let mut r = rng(7);
    for _ in 0..iterations() {
        let t = r.random_range(2..40);
        let (ge, gs) = history(&mut r, t);
        let a3 = 2.0 / (t as f64 + 1.0); // k_L = 1, k_U = T
        let m = method(&mut r);
        let a = if m == Method::FiniteSample { Alphas { a1: 0.0, a2: 0.0, a3 } } else { Alphas { a1: 0.01, a2: 0.02, a3 } };
        let cal = calibrate(&ge, &gs, a, m, None).unwrap();
        assert!(cal.band.k_lower <= 1 && cal.band.k_upper >= t);
        let iv = target_interval(&cal, r.random_range(0.0..1.0), 0.05, None).unwrap();
        assert!(iv.low <= iv.estimate && iv.estimate <= iv.high, "{iv:?}");
    }
}

#[test]
fn equal_weights_give_algorithm_1_exactly() {
    let mut r = rng(8);
    for _ in 0..iterations() {
        let t = r.random_range(5..60);
        let (ge, gs) = history(&mut r, t);
        let a3 = r.random_range(2.0 / (t as f64 + 1.0)..0.9);
        let plain = gap_band(&ge, &gs, a3);
        let weighted = weighted_gap_band(&ge, &gs, &vec![1.0; t], a3);
        match (plain, weighted) {
            (Ok(p), Ok(w)) => assert_eq!((p.lower, p.upper), (w.lower, w.upper), "t={t} a3={a3}"),
            (p, w) => assert_eq!(p.is_ok(), w.is_ok(), "t={t} a3={a3}"),
        }
    }
}
