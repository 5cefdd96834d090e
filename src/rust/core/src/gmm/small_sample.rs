//! The few-labels study: coverage and width of the GMM interval under each
//! variance choice, next to the classical (labeled-only) interval, with
//! 50-200 labels in four stress scenarios. Its numbers choose the default
//! variance of `synth_glm()` (see `bench/gmm_small_sample.R`).
//!
//! Design (its own, independent of `sim`): n_lab labeled units and
//! 5 n_lab unlabeled ones; one covariate x ~ N(0, 1); eta = b0 + b1 x with
//! (b0, b1) = (0.5, 1) for the Gaussian models, (-0.3, 0.8) logistic,
//! (0.5, 0.5) Poisson. The estimand is the slope (the mean of y in the
//! intercept-only model). A proxy on every unit and one synthetic unit per
//! real unit, whose outcome follows 0.9 eta and whose noise is tied to the
//! real unit's by `rho`:
//!
//! | scenario | proxy | synthetic |
//! |---|---|---|
//! | good | accurate (sd 0.5 / 10% flipped) | rho = 0.8 |
//! | noisy proxy | poor (sd 2 / 35% flipped) | rho = 0.8 |
//! | anticorrelated | accurate | rho = -0.8 |
//! | worse LLM | mediocre (sd 1.5 / 30% flipped) | rho = 0.2 |
//! | skewed x | as good, with x = Exp(1) - 1 (high-leverage rows) | rho = 0.8 |
//!
//! Gaussian noise is N(0, 1); binary and count outcomes are drawn by
//! inversion from a uniform U, the synthetic unit reusing U (its mirror
//! 1 - U when rho < 0) with probability |rho|, a fresh uniform otherwise.

use super::{two_step_with, Problem};
use crate::estimate::{fit, Method, Surrogate, SynthData};
use crate::dist::t_two_sided;
use crate::error::{invalid, Result};
use crate::glm::{expit, Family};
use crate::parallel::{replicate_rng, with_threads};
use faer::MatRef;
use rand::Rng;
use rand_distr::StandardNormal;
use rayon::prelude::*;

/// Stress scenarios of the study.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    Good,
    NoisyProxy,
    Anticorrelated,
    WorseLlm,
    /// As `Good`, with a skewed covariate (x = Exp(1) - 1): high-leverage rows.
    SkewedX,
}

impl Scenario {
    pub fn from_name(name: &str) -> Result<Scenario> {
        Ok(match name {
            "good" => Scenario::Good,
            "noisy_proxy" => Scenario::NoisyProxy,
            "anticorrelated" => Scenario::Anticorrelated,
            "worse_llm" => Scenario::WorseLlm,
            "skewed_x" => Scenario::SkewedX,
            other => return invalid(format!("unknown scenario `{other}`")),
        })
    }
    fn rho(self) -> f64 {
        match self {
            Scenario::Good | Scenario::NoisyProxy | Scenario::SkewedX => 0.8,
            Scenario::Anticorrelated => -0.8,
            Scenario::WorseLlm => 0.2,
        }
    }
    /// Proxy noise: Gaussian sd, or flip probability for discrete outcomes.
    fn proxy_noise(self, discrete: bool) -> f64 {
        match (self, discrete) {
            (Scenario::Good | Scenario::Anticorrelated | Scenario::SkewedX, false) => 0.5,
            (Scenario::Good | Scenario::Anticorrelated | Scenario::SkewedX, true) => 0.1,
            (Scenario::NoisyProxy, false) => 2.0,
            (Scenario::NoisyProxy, true) => 0.35,
            (Scenario::WorseLlm, false) => 1.5,
            (Scenario::WorseLlm, true) => 0.3,
        }
    }
}

/// The estimands of the study.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Estimand {
    Mean,
    Ols,
    Logistic,
    Poisson,
}

impl Estimand {
    pub fn from_name(name: &str) -> Result<Estimand> {
        Ok(match name {
            "mean" => Estimand::Mean,
            "ols" => Estimand::Ols,
            "logistic" => Estimand::Logistic,
            "poisson" => Estimand::Poisson,
            other => return invalid(format!("unknown estimand `{other}`")),
        })
    }
    fn family(self) -> Family {
        match self {
            Estimand::Mean | Estimand::Ols => Family::Gaussian,
            Estimand::Logistic => Family::Binomial,
            Estimand::Poisson => Family::Poisson,
        }
    }
    fn beta(self) -> [f64; 2] {
        match self {
            Estimand::Mean | Estimand::Ols => [0.5, 1.0],
            Estimand::Logistic => [-0.3, 0.8],
            Estimand::Poisson => [0.5, 0.5],
        }
    }
    /// The true value of the reported coefficient.
    fn truth(self) -> f64 {
        match self {
            Estimand::Mean => 0.5,
            _ => self.beta()[1],
        }
    }
}

/// Poisson quantile function by summing the probability mass.
fn qpois(u: f64, mu: f64) -> f64 {
    let mut k = 0.0;
    let mut pmf = (-mu).exp();
    let mut cdf = pmf;
    while u > cdf && k < 1e4 {
        k += 1.0;
        pmf *= mu / k;
        cdf += pmf;
    }
    k
}

struct Draw {
    x: Vec<f64>,
    y: Vec<f64>,
    y_proxy: Vec<f64>,
    y_syn: Vec<f64>,
    labeled: Vec<bool>,
}

fn draw<R: Rng>(est: Estimand, sc: Scenario, n_lab: usize, rng: &mut R) -> Draw {
    let n = 6 * n_lab;
    let [b0, b1] = est.beta();
    let rho = sc.rho();
    let discrete = !matches!(est, Estimand::Mean | Estimand::Ols);
    let noise = sc.proxy_noise(discrete);
    let (mut xs, mut y, mut yp, mut ys) = (vec![0.0; n], vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    for i in 0..n {
        let x: f64 = if sc == Scenario::SkewedX {
            -(1.0 - rng.random::<f64>()).ln() - 1.0
        } else {
            rng.sample(StandardNormal)
        };
        xs[i] = x;
        let eta = b0 + b1 * x;
        let eta_s = 0.9 * eta;
        if discrete {
            let u: f64 = rng.random();
            let tied = rng.random::<f64>() < rho.abs();
            let fresh: f64 = rng.random();
            let us = if tied { if rho < 0.0 { 1.0 - u } else { u } } else { fresh };
            let flip = rng.random::<f64>() < noise;
            let other: f64 = rng.random();
            if est == Estimand::Logistic {
                y[i] = (u < expit(eta)) as u8 as f64;
                ys[i] = (us < expit(eta_s)) as u8 as f64;
                yp[i] = if flip { 1.0 - y[i] } else { y[i] };
            } else {
                y[i] = qpois(u, eta.exp());
                ys[i] = qpois(us, eta_s.exp());
                yp[i] = if flip { qpois(other, eta.exp()) } else { y[i] };
            }
        } else {
            let e: f64 = rng.sample(StandardNormal);
            let z: f64 = rng.sample(StandardNormal);
            let w: f64 = rng.sample(StandardNormal);
            y[i] = eta + e;
            yp[i] = y[i] + noise * w;
            ys[i] = eta_s + rho * e + (1.0 - rho * rho).sqrt() * z;
        }
    }
    let mut labeled = vec![false; n];
    for i in rand::seq::index::sample(rng, n, n_lab) {
        labeled[i] = true;
    }
    let x = if est == Estimand::Mean {
        vec![1.0; n]
    } else {
        let mut x = vec![1.0; 2 * n];
        x[n..].copy_from_slice(&xs);
        x
    };
    Draw { x, y, y_proxy: yp, y_syn: ys, labeled }
}

/// The interval rules compared.
/// `asymptotic`: (G' S^-1 G)^-1 / n; `windmeijer`: Windmeijer's correction,
/// `_hc2` / `_hc3` with leverage multipliers 1 / (1 - h) or 1 / (1 - h)^2 on
/// the labeled rows' moment products; `_z`: normal quantiles; `_t`:
/// variance times n_lab / (n_lab - K) and t quantiles on n_lab - K degrees of
/// freedom (K parameters: p for theta, p per source); `classical_z`:
/// labeled rows only, HC0; `classical_t`: HC1 and t quantiles on n_lab - p.
pub const RULES: [&str; 8] = [
    "asymptotic_z",
    "asymptotic_t",
    "windmeijer_z",
    "windmeijer_t",
    "windmeijer_hc2_t",
    "windmeijer_hc3_t",
    "classical_z",
    "classical_t",
];

/// Sums over replications for one interval rule.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RuleCell {
    pub covered90: usize,
    pub covered95: usize,
    pub width90: f64,
    pub error_sq: f64,
    pub reps: usize,
    pub failed: usize,
}

/// Run the study for one cell; returns one [`RuleCell`] per entry of [`RULES`].
pub fn study(est: Estimand, sc: Scenario, n_lab: usize, reps: usize, seed: u64, threads: usize) -> Result<Vec<RuleCell>> {
    if n_lab < 10 {
        return invalid("the study needs at least 10 labels");
    }
    let family = est.family();
    let truth = est.truth();
    let j = if est == Estimand::Mean { 0 } else { 1 };
    let one = |r: usize| -> Vec<RuleCell> {
        let d = draw(est, sc, n_lab, &mut replicate_rng(seed, r as u64));
        let n = d.y.len();
        let p = d.x.len() / n;
        let x = MatRef::from_column_major_slice(&d.x, n, p);
        let data = SynthData {
            x,
            y: &d.y,
            proxy: Some(Surrogate { x, y: &d.y_proxy }),
            synthetic: vec![Surrogate { x, y: &d.y_syn }],
            weights: None,
        };
        let fail = || vec![RuleCell { failed: 1, ..RuleCell::default() }; RULES.len()];
        let pr = Problem {
            family,
            x,
            y: &d.y,
            labeled: &d.labeled,
            sources: vec![Surrogate { x, y: &d.y_proxy }, Surrogate { x, y: &d.y_syn }],
            has_proxy: true,
            weights: None,
        };
        let (Ok(g), Ok(c)) = (two_step_with(&pr, &[0, 1, 2]), fit(Method::Classical, family, &data, &d.labeled)) else {
            return fail();
        };
        let nl = n_lab as f64;
        let dof_g = nl - (3 * p) as f64;
        let scale = nl / dof_g;
        let dof_c = nl - p as f64;
        let est = g.params[j];
        let asym = g.covariance[(j, j)];
        let [w0, w1, w2] = [0, 1, 2].map(|k| g.covariance_windmeijer[k][(j, j)]);
        let rules: [(f64, f64, f64); 8] = [
            (est, asym, f64::INFINITY),
            (est, asym * scale, dof_g),
            (est, w0, f64::INFINITY),
            (est, w0 * scale, dof_g),
            (est, w1 * scale, dof_g),
            (est, w2 * scale, dof_g),
            (c.coefficients[j], c.covariance[(j, j)], f64::INFINITY),
            (c.coefficients[j], c.covariance[(j, j)] * nl / dof_c, dof_c),
        ];
        rules
            .iter()
            .map(|&(est, var, df)| {
                let se = var.max(0.0).sqrt();
                let err = est - truth;
                let h90 = t_two_sided(0.1, df) * se;
                let h95 = t_two_sided(0.05, df) * se;
                RuleCell {
                    covered90: (err.abs() <= h90) as usize,
                    covered95: (err.abs() <= h95) as usize,
                    width90: 2.0 * h90,
                    error_sq: err * err,
                    reps: 1,
                    failed: 0,
                }
            })
            .collect()
    };
    let per: Vec<Vec<RuleCell>> = with_threads(threads, || (0..reps).into_par_iter().map(one).collect())?;
    Ok(sum_cells(per, RULES.len()))
}

/// Sum per-replication cells, in replication order (deterministic).
fn sum_cells(per: Vec<Vec<RuleCell>>, rules: usize) -> Vec<RuleCell> {
    let mut tot = vec![RuleCell::default(); rules];
    for rep in per {
        for (t, c) in tot.iter_mut().zip(rep) {
            t.covered90 += c.covered90;
            t.covered95 += c.covered95;
            t.width90 += c.width90;
            t.error_sq += c.error_sq;
            t.reps += c.reps;
            t.failed += c.failed;
        }
    }
    tot
}

/// The costlier candidates, on the same replications as [`study`] (same
/// seed, same data): iterated GMM (the weight re-estimated until the
/// estimate stops moving) with its textbook variance, and a bootstrap of the
/// whole two-step estimator (labeled and unlabeled rows resampled with
/// replacement within their group, `boot` resamples), as a percentile-t
/// interval on the default studentisation and as a bootstrap-variance
/// interval with the default's t quantiles. The default rule is repeated
/// for reference.
pub const COSTLY_RULES: [&str; 5] = ["windmeijer_hc3_t", "iterated_z", "iterated_t", "bootstrap_percentile_t", "bootstrap_se_t"];

/// Run the costlier candidates for one cell; one [`RuleCell`] per entry of
/// [`COSTLY_RULES`].
pub fn study_costly(
    est: Estimand,
    sc: Scenario,
    n_lab: usize,
    reps: usize,
    boot: usize,
    seed: u64,
    threads: usize,
) -> Result<Vec<RuleCell>> {
    if n_lab < 10 || boot < 20 {
        return invalid("the study needs at least 10 labels and 20 bootstrap resamples");
    }
    let family = est.family();
    let truth = est.truth();
    let j = if est == Estimand::Mean { 0 } else { 1 };
    let one = |r: usize| -> Vec<RuleCell> {
        let d = draw(est, sc, n_lab, &mut replicate_rng(seed, r as u64));
        let fail = || vec![RuleCell { failed: 1, ..RuleCell::default() }; COSTLY_RULES.len()];
        let n = d.y.len();
        let p = d.x.len() / n;
        let nl = n_lab as f64;
        let dof = nl - (3 * p) as f64;
        let scale = nl / dof;
        // Fit on data given by row indices into `d`.
        let fit_rows = |rows: Option<&[usize]>| -> Result<(Vec<f64>, f64, Vec<f64>, f64)> {
            let pick = |v: &[f64]| -> Vec<f64> { rows.map_or_else(|| v.to_vec(), |ix| ix.iter().map(|&i| v[i]).collect()) };
            let xs: Vec<f64> = (0..p).flat_map(|c| pick(&d.x[c * n..(c + 1) * n])).collect();
            let (y, yp, ys) = (pick(&d.y), pick(&d.y_proxy), pick(&d.y_syn));
            let lab: Vec<bool> = rows.map_or_else(|| d.labeled.clone(), |ix| ix.iter().map(|&i| d.labeled[i]).collect());
            let x = MatRef::from_column_major_slice(&xs, n, p);
            let pr = Problem {
                family,
                x,
                y: &y,
                labeled: &lab,
                sources: vec![Surrogate { x, y: &yp }, Surrogate { x, y: &ys }],
                has_proxy: true,
                weights: None,
            };
            let g = super::twostep::two_step(&pr)?;
            let se = (g.covariance_windmeijer[0][(j, j)] * scale).max(0.0).sqrt();
            if rows.is_some() {
                return Ok((g.params, se, Vec::new(), 0.0));
            }
            // Iterated GMM from the two-step estimate.
            let mut phi = g.params.clone();
            for _ in 0..50 {
                let s = pr.moments(&phi, true, false).s.expect("S requested");
                let w = super::twostep::moment_factor(&pr, &s)?;
                let (next, _) = pr.gauss_newton(&phi, Some(&w), "iterated GMM")?;
                let change = next.iter().zip(&phi).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
                let size = 1.0 + phi.iter().map(|v| v.abs()).fold(0.0, f64::max);
                phi = next;
                if change <= 1e-9 * size {
                    break;
                }
            }
            let fin = pr.moments(&phi, true, true);
            let sf = super::twostep::moment_factor(&pr, &fin.s.expect("S requested"))?;
            let jw = sf.whiten(fin.jac.expect("Jacobian requested").as_ref());
            let info = jw.transpose() * &jw;
            let inv = crate::glm::linalg::SpdFactor::new(info.as_ref(), "information")?.inverse();
            Ok((g.params, se, phi, inv[(j, j)] / n as f64))
        };
        let Ok((params, se, iter_phi, iter_var)) = fit_rows(None) else {
            return fail();
        };
        let theta = params[j];
        // Bootstrap: resample labeled and unlabeled rows within group.
        let lab_rows: Vec<usize> = (0..n).filter(|&i| d.labeled[i]).collect();
        let unl_rows: Vec<usize> = (0..n).filter(|&i| !d.labeled[i]).collect();
        let mut rng = replicate_rng(seed.wrapping_add(0x9e37_79b9), r as u64);
        let mut tstats = Vec::with_capacity(boot);
        let mut thetas = Vec::with_capacity(boot);
        for _ in 0..boot {
            let mut rows = Vec::with_capacity(n);
            for group in [&lab_rows, &unl_rows] {
                for _ in 0..group.len() {
                    rows.push(group[rng.random_range(0..group.len())]);
                }
            }
            if let Ok((pb, seb, _, _)) = fit_rows(Some(&rows)) {
                if seb > 0.0 && pb[j].is_finite() {
                    tstats.push((pb[j] - theta) / seb);
                    thetas.push(pb[j]);
                }
            }
        }
        if tstats.len() < boot / 2 {
            return fail();
        }
        tstats.sort_by(|a, b| a.total_cmp(b));
        let quantile = |v: &[f64], q: f64| v[((q * (v.len() - 1) as f64).round() as usize).min(v.len() - 1)];
        let mean_b = thetas.iter().sum::<f64>() / thetas.len() as f64;
        let sd_b = (thetas.iter().map(|t| (t - mean_b).powi(2)).sum::<f64>() / (thetas.len() - 1) as f64).sqrt();
        let err = theta - truth;
        let sym = |half90: f64, half95: f64, e: f64| RuleCell {
            covered90: (e.abs() <= half90) as usize,
            covered95: (e.abs() <= half95) as usize,
            width90: 2.0 * half90,
            error_sq: e * e,
            reps: 1,
            failed: 0,
        };
        let iter_err = iter_phi[j] - truth;
        let iter_se = iter_var.max(0.0).sqrt();
        // Percentile-t: [theta - q_hi se, theta - q_lo se].
        let pt = |lo: f64, hi: f64| (theta - quantile(&tstats, hi) * se, theta - quantile(&tstats, lo) * se);
        let (l90, u90) = pt(0.05, 0.95);
        let (l95, u95) = pt(0.025, 0.975);
        vec![
            sym(t_two_sided(0.1, dof) * se, t_two_sided(0.05, dof) * se, err),
            sym(t_two_sided(0.1, f64::INFINITY) * iter_se, t_two_sided(0.05, f64::INFINITY) * iter_se, iter_err),
            sym(t_two_sided(0.1, dof) * iter_se * scale.sqrt(), t_two_sided(0.05, dof) * iter_se * scale.sqrt(), iter_err),
            RuleCell {
                covered90: (l90 <= truth && truth <= u90) as usize,
                covered95: (l95 <= truth && truth <= u95) as usize,
                width90: u90 - l90,
                error_sq: err * err,
                reps: 1,
                failed: 0,
            },
            sym(t_two_sided(0.1, dof) * sd_b, t_two_sided(0.05, dof) * sd_b, err),
        ]
    };
    let per: Vec<Vec<RuleCell>> = with_threads(threads, || (0..reps).into_par_iter().map(one).collect())?;
    Ok(sum_cells(per, COSTLY_RULES.len()))
}
