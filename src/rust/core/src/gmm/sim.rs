//! The simulated populations of R's `simulate_synthetic()` and the Monte
//! Carlo coverage study of the synth_glm estimators on them, with the
//! replication loop in Rust. [`simulate`] is the one generator:
//! `simulate_synthetic()` returns its draw, and replication `r` of
//! [`coverage_study`] fits the estimators to the draw on stream `r`.
//!
//! Replication `r` draws its data from `replicate_rng(seed, r)` and the
//! replications run in parallel; their results are summed in replication
//! order, so every figure is the same whatever the number of threads.
//!
//! Design (n units, `max(1, round(fraction n))` of them labeled at random,
//! coefficients beta = (b0, b1..bp)): covariates iid N(0, 1); the synthetic
//! unit's covariates are its real unit's plus N(0, 0.5^2) noise (fresh
//! N(0, 1) draws in the "noise" regime), and its outcome follows
//! coefficients shrunk by 10% (`eta_syn = 0.9 x_syn'beta`). Gaussian:
//! `y = eta + e`, proxy `0.9 eta + 0.6 e + N(0, 0.8^2)`, synthetic
//! `eta_syn + rho e + sqrt(1 - rho^2) N(0, 1)` (`N(0, 1)` in "noise",
//! `eta_syn + 2 + N(0, 1)` in "biased"). Binomial: `y = 1{u < expit(eta)}`,
//! proxy flips y with probability 0.2, synthetic label `1{u_syn <
//! expit(eta_syn)}` where `u_syn` reuses `u` with probability |rho| (its
//! mirror image in "anticorrelated"), a fair coin in "noise", 90% ones in
//! "biased". rho = strength in "good", -strength in "anticorrelated".
//!
//! Two further regimes, used by the coverage study only, model synthetic
//! units read off texts that an LLM generated from the real unit's text plus
//! covariates given in the prompt: the outcome tracks the real unit
//! (Gaussian: `0.9 eta + rho e + sqrt(1 - rho^2) N(0, 1)` with the *real*
//! linear predictor; binomial: as "good" with the real linear predictor),
//! the covariates are the prompted ones. In "predicted_covariates" every row
//! is prompted with predicted covariates `x + N(0, 0.8^2)`: a valid
//! surrogate. In "label_dependent" labeled rows are prompted with their true
//! covariates instead (the recipe the GMM estimator must not be fed): the
//! surrogate's regression differs between labeled and unlabeled rows, and
//! the GMM moment blocks that share its parameter are incompatible
//! (rho = strength in both).

use super::{fit, Method, Surrogate, SynthData};
use crate::dist::t_two_sided;
use crate::error::{invalid, Result};
use crate::memory::{ensure_fits, product};
use crate::glm::{expit, Family};
use crate::parallel::{replicate_rng, with_threads};
use faer::MatRef;
use rand::Rng;
use rand_distr::StandardNormal;
use rayon::prelude::*;

/// How the synthetic units relate to the real ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Regime {
    Good,
    Noise,
    Biased,
    Anticorrelated,
    PredictedCovariates,
    LabelDependent,
}

impl Regime {
    /// Parse the names `simulate_synthetic(regime = )` accepts.
    pub fn from_name(name: &str) -> Result<Regime> {
        Ok(match name {
            "good" => Regime::Good,
            "noise" => Regime::Noise,
            "biased" => Regime::Biased,
            "anticorrelated" => Regime::Anticorrelated,
            "predicted_covariates" => Regime::PredictedCovariates,
            "label_dependent" => Regime::LabelDependent,
            other => return invalid(format!("unknown regime `{other}`")),
        })
    }
}

/// The simulated population: the design of `simulate_synthetic()`.
#[derive(Debug, Clone)]
pub struct PopulationDesign {
    pub n: usize,
    /// Number of labeled units.
    pub n_labeled: usize,
    pub family: Family,
    pub regime: Regime,
    /// Intercept first.
    pub coefficients: Vec<f64>,
    pub strength: f64,
}

impl PopulationDesign {
    /// The design of `n` units of which a share `fraction` (in (0, 1]) is
    /// labeled: `max(1, round(fraction n))` units, rounding half to even as
    /// R's `round()` does.
    pub fn new(
        n: usize,
        fraction: f64,
        family: Family,
        regime: Regime,
        coefficients: Vec<f64>,
        strength: f64,
    ) -> Result<PopulationDesign> {
        if n == 0 {
            return invalid("n must be at least 1");
        }
        if !(fraction > 0.0 && fraction <= 1.0) {
            return invalid(format!("fraction must lie in (0, 1], not {fraction}"));
        }
        if coefficients.is_empty() || coefficients.iter().any(|b| !b.is_finite()) {
            return invalid("coefficients must be finite numbers, the intercept first");
        }
        if !(0.0..=1.0).contains(&strength) {
            return invalid(format!("strength must lie in [0, 1], not {strength}"));
        }
        let n_labeled = ((fraction * n as f64).round_ties_even() as usize).clamp(1, n);
        Ok(PopulationDesign { n, n_labeled, family, regime, coefficients, strength })
    }
}

/// One simulated data set. The covariate matrices are column-major n x k
/// model matrices whose first column is the intercept (all ones);
/// [`Population::covariates`] gives the covariates alone.
#[derive(Debug, Clone, PartialEq)]
pub struct Population {
    /// Covariates of the real units.
    pub x: Vec<f64>,
    /// Covariates of the synthetic units.
    pub x_syn: Vec<f64>,
    /// Human label of every real unit (the estimators see only the
    /// `labeled` ones).
    pub y_full: Vec<f64>,
    /// Proxy label of every real unit.
    pub y_llm: Vec<f64>,
    /// Label of the synthetic unit drawn for each real unit.
    pub y_syn: Vec<f64>,
    /// Which units carry a human label.
    pub labeled: Vec<bool>,
}

impl Population {
    /// The real units' covariates without the intercept column:
    /// column-major n x (k - 1).
    pub fn covariates(&self) -> &[f64] {
        &self.x[self.labeled.len()..]
    }

    /// The synthetic units' covariates without the intercept column.
    pub fn synthetic_covariates(&self) -> &[f64] {
        &self.x_syn[self.labeled.len()..]
    }
}

/// Bytes [`simulate`] allocates per unit and coefficient (the two model
/// matrices) and per unit (three labels and the mask).
const BYTES_PER_UNIT_COEFFICIENT: usize = 2 * std::mem::size_of::<f64>();
const BYTES_PER_UNIT: usize = 3 * std::mem::size_of::<f64>() + 1;

/// One data set from `design`: stream 0 of `seed`, the data of replication
/// 0 of [`coverage_study`] with the same seed.
pub fn simulate(design: &PopulationDesign, seed: u64) -> Result<Population> {
    let k = design.coefficients.len();
    let per_unit = product(k, BYTES_PER_UNIT_COEFFICIENT, "the number of coefficients")?
        .saturating_add(BYTES_PER_UNIT);
    let bytes = product(design.n, per_unit, "n")?;
    ensure_fits(bytes, &format!("a simulated population of {} units", design.n))?;
    Ok(draw(design, &mut replicate_rng(seed, 0)))
}

fn normal<R: Rng>(rng: &mut R) -> f64 {
    rng.sample(StandardNormal)
}

fn draw<R: Rng>(d: &PopulationDesign, rng: &mut R) -> Population {
    let (n, k) = (d.n, d.coefficients.len());
    let beta = &d.coefficients;
    let mut x = vec![1.0; n * k];
    let mut x_syn = vec![1.0; n * k];
    for j in 1..k {
        for i in 0..n {
            x[j * n + i] = normal(rng);
        }
    }
    for j in 1..k {
        for i in 0..n {
            let z = normal(rng);
            x_syn[j * n + i] = match d.regime {
                Regime::Noise => z,
                Regime::PredictedCovariates | Regime::LabelDependent => x[j * n + i] + 0.8 * z,
                _ => x[j * n + i] + 0.5 * z,
            };
        }
    }
    let eta = |m: &[f64], i: usize| (0..k).map(|j| m[j * n + i] * beta[j]).sum::<f64>();
    let tracks_real = matches!(d.regime, Regime::PredictedCovariates | Regime::LabelDependent);
    let rho = match d.regime {
        Regime::Good | Regime::PredictedCovariates | Regime::LabelDependent => d.strength,
        Regime::Anticorrelated => -d.strength,
        _ => 0.0,
    };
    let (mut y, mut y_llm, mut y_syn) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    for i in 0..n {
        let e_real = eta(&x, i);
        let e_syn = 0.9 * if tracks_real { e_real } else { eta(&x_syn, i) };
        match d.family {
            Family::Binomial => {
                let u: f64 = rng.random();
                y[i] = (u < expit(e_real)) as u8 as f64;
                y_llm[i] = if rng.random::<f64>() < 0.2 { 1.0 - y[i] } else { y[i] };
                let fresh: f64 = rng.random();
                let u_syn = if rng.random::<f64>() < rho.abs() { u } else { fresh };
                let tracked = (u_syn < expit(e_syn)) as u8 as f64;
                let coin: f64 = rng.random();
                y_syn[i] = match d.regime {
                    Regime::Noise => (coin < 0.5) as u8 as f64,
                    Regime::Biased => (coin < 0.9) as u8 as f64,
                    Regime::Anticorrelated => 1.0 - tracked,
                    _ => tracked,
                };
            }
            _ => {
                let e = normal(rng);
                y[i] = e_real + e;
                y_llm[i] = 0.9 * e_real + 0.6 * e + 0.8 * normal(rng);
                let z = normal(rng);
                y_syn[i] = match d.regime {
                    Regime::Noise => z,
                    Regime::Biased => e_syn + 2.0 + z,
                    _ => e_syn + rho * e + (1.0 - rho * rho).sqrt() * z,
                };
            }
        }
    }
    let mut labeled = vec![false; n];
    for i in rand::seq::index::sample(rng, n, d.n_labeled.clamp(1, n)) {
        labeled[i] = true;
        if d.regime == Regime::LabelDependent {
            // Prompted with the true covariates, which come back unchanged.
            for j in 1..k {
                x_syn[j * n + i] = x[j * n + i];
            }
        }
    }
    Population { x, x_syn, y_full: y, y_llm, y_syn, labeled }
}

/// Sums over replications for one (method, coefficient) cell.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cell {
    pub covered: usize,
    pub width: f64,
    pub error: f64,
    pub error_sq: f64,
    /// Replications whose fit succeeded.
    pub reps: usize,
    pub failed: usize,
    /// Replications whose Hansen J test rejected at level 0.01 (GMM only).
    pub j_rejected: usize,
}

/// Level of the J test counted in [`Cell::j_rejected`] (the level at which
/// `synth_glm()` warns).
pub const J_LEVEL: f64 = 0.01;

/// Coverage study: `reps` replications, each fitting every method; returns
/// the cells indexed `[method][coefficient]`.
pub fn coverage_study(
    design: &PopulationDesign,
    methods: &[Method],
    reps: usize,
    alpha: f64,
    seed: u64,
    threads: usize,
) -> Result<Vec<Vec<Cell>>> {
    let k = design.coefficients.len();
    if design.n_labeled <= k || design.n_labeled >= design.n {
        return invalid(format!("{} labeled of {} units cannot identify {k} coefficients", design.n_labeled, design.n));
    }
    if !(alpha > 0.0 && alpha < 1.0) {
        return invalid(format!("alpha must lie in (0, 1), not {alpha}"));
    }
    let one = |r: usize| -> Vec<Vec<Cell>> {
        let s = draw(design, &mut replicate_rng(seed, r as u64));
        let n = design.n;
        let xv = MatRef::from_column_major_slice(&s.x, n, k);
        let xs = MatRef::from_column_major_slice(&s.x_syn, n, k);
        let data = SynthData {
            x: xv,
            y: &s.y_full,
            proxy: Some(Surrogate { x: xv, y: &s.y_llm }),
            synthetic: vec![Surrogate { x: xs, y: &s.y_syn }],
            weights: None,
        };
        methods
            .iter()
            .map(|&m| match fit(m, design.family, &data, &s.labeled) {
                Ok(f) => (0..k)
                    .map(|j| {
                        let half = t_two_sided(alpha, f.df) * f.covariance[(j, j)].max(0.0).sqrt();
                        let err = f.coefficients[j] - design.coefficients[j];
                        Cell {
                            covered: (err.abs() <= half) as usize,
                            width: 2.0 * half,
                            error: err,
                            error_sq: err * err,
                            reps: 1,
                            failed: 0,
                            j_rejected: f.j_pvalue.is_some_and(|p| p < J_LEVEL) as usize,
                        }
                    })
                    .collect(),
                Err(_) => vec![Cell { failed: 1, ..Cell::default() }; k],
            })
            .collect()
    };
    // The fits' own row reductions share the pool with the replication loop
    // (rayon nests them); their chunking is fixed, so nothing depends on it.
    let per_rep: Vec<Vec<Vec<Cell>>> = with_threads(threads, || (0..reps).into_par_iter().map(one).collect())?;
    let mut total = vec![vec![Cell::default(); k]; methods.len()];
    for rep in per_rep {
        for (tm, rm) in total.iter_mut().zip(rep) {
            for (t, c) in tm.iter_mut().zip(rm) {
                t.covered += c.covered;
                t.width += c.width;
                t.error += c.error;
                t.error_sq += c.error_sq;
                t.reps += c.reps;
                t.failed += c.failed;
                t.j_rejected += c.j_rejected;
            }
        }
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn design(family: Family, regime: Regime) -> PopulationDesign {
        PopulationDesign::new(600, 0.2, family, regime, vec![0.5, 1.0, -0.5], 0.8).unwrap()
    }

    #[test]
    fn labeled_count_rounds_as_r_does() {
        let count = |n, f| PopulationDesign::new(n, f, Family::Gaussian, Regime::Good, vec![0.5, 1.0], 0.8).unwrap().n_labeled;
        assert_eq!(count(600, 0.2), 120);
        assert_eq!(count(200, 0.15), 30);
        // round(2.5) and round(3.5) in R: half to even.
        assert_eq!(count(10, 0.25), 2);
        assert_eq!(count(10, 0.35), 4);
        assert_eq!(count(50, 0.001), 1);
        assert_eq!(count(50, 1.0), 50);
        let bad = |n, f, b: Vec<f64>, s| PopulationDesign::new(n, f, Family::Gaussian, Regime::Good, b, s).is_err();
        assert!(bad(0, 0.5, vec![1.0], 0.5));
        assert!(bad(10, 0.0, vec![1.0], 0.5));
        assert!(bad(10, 1.5, vec![1.0], 0.5));
        assert!(bad(10, 0.5, vec![], 0.5));
        assert!(bad(10, 0.5, vec![f64::NAN], 0.5));
        assert!(bad(10, 0.5, vec![1.0], 1.5));
    }

    #[test]
    fn simulate_draws_the_study_data() {
        // Replication 0 of the study fits the data `simulate` returns: the
        // classical fit on them reproduces the study's error to the last bit.
        let d = design(Family::Gaussian, Regime::Good);
        let s = simulate(&d, 17).unwrap();
        assert_eq!(s, simulate(&d, 17).unwrap());
        assert_ne!(s, simulate(&d, 18).unwrap());
        assert_eq!(s.labeled.iter().filter(|&&l| l).count(), 120);
        assert!(s.x[..600].iter().all(|&v| v == 1.0));
        assert_eq!(s.covariates(), &s.x[600..]);
        assert_eq!(s.synthetic_covariates().len(), 1200);
        let x = MatRef::from_column_major_slice(&s.x, 600, 3);
        let data = SynthData { x, y: &s.y_full, proxy: None, synthetic: vec![], weights: None };
        let f = fit(Method::Classical, Family::Gaussian, &data, &s.labeled).unwrap();
        let study = coverage_study(&d, &[Method::Classical], 1, 0.1, 17, 1).unwrap();
        for j in 0..3 {
            assert_eq!(study[0][j].error, f.coefficients[j] - d.coefficients[j]);
        }
    }

    #[test]
    fn impossible_populations_are_errors() {
        let mut d = design(Family::Gaussian, Regime::Good);
        d.n = usize::MAX / 8;
        let e = simulate(&d, 1).unwrap_err().to_string();
        assert!(e.contains("simulated population") || e.contains("too large"), "{e}");
    }

    #[test]
    fn results_do_not_depend_on_threads() {
        let d = design(Family::Binomial, Regime::Good);
        let m = [Method::Gmm, Method::Classical];
        let a = coverage_study(&d, &m, 12, 0.1, 5, 1).unwrap();
        let b = coverage_study(&d, &m, 12, 0.1, 5, 2).unwrap();
        assert_eq!(a, b);
        assert_eq!(a[0][0].reps + a[0][0].failed, 12);
    }

    #[test]
    fn j_test_flags_label_dependent_synthetic_data() {
        // With 120 labels of 600 the J test's power against the
        // label-dependent surrogate is about 0.6 (bench/label_dependent_synthetic.R):
        // 10 or more rejections in 30 fails with probability < 1% at power
        // 0.55. The same generator applied to every row keeps J near its 1%
        // level (30 reps: 3 or more rejections has probability < 0.4%).
        let mut d = design(Family::Gaussian, Regime::LabelDependent);
        let bad = coverage_study(&d, &[Method::Gmm], 30, 0.1, 2, 2).unwrap();
        assert!(bad[0][0].j_rejected >= 10, "{:?}", bad[0][0]);
        d.regime = Regime::PredictedCovariates;
        let good = coverage_study(&d, &[Method::Gmm], 30, 0.1, 2, 2).unwrap();
        assert!(good[0][0].j_rejected <= 2, "{:?}", good[0][0]);
    }

    #[test]
    fn classical_covers_roughly() {
        // 200 replications x 3 coefficients of a nominal 90% interval: the
        // pooled coverage has sd at most sqrt(.09 / 200) = 0.021 (perfectly
        // dependent coefficients); [0.82, 0.97] is more than 3.5 sd wide.
        let d = design(Family::Gaussian, Regime::Noise);
        let res = coverage_study(&d, &[Method::Classical], 200, 0.1, 9, 2).unwrap();
        let cov = res[0].iter().map(|c| c.covered as f64 / c.reps as f64).sum::<f64>() / 3.0;
        assert!((0.82..=0.97).contains(&cov), "{cov}");
    }
}
