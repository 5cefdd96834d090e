//! Two-step GMM combining labelled data, proxies and synthetic samples, and
//! the one entry point [`fit`] that runs every estimator `synth_glm()` offers.
//!
//! # Interface for callers (the R binding and the `compare` module)
//!
//! ```ignore
//! let data = SynthData { x, y, proxy: Some(Surrogate { x: xp, y: yp }), synthetic: vec![..], weights: None };
//! let fit: Fit = gmm::fit(Method::Gmm, Family::Binomial, &data, &labeled_mask)?;
//! ```
//!
//! All inputs are borrowed: column-major `MatRef`s (zero-copy views of R
//! matrices) and slices, so a rayon loop over Monte Carlo trials can build the
//! data once on fully labelled rows and call [`fit`] with a fresh `labeled`
//! mask per trial. `y` is read only where `labeled` is true (it may hold NaN
//! elsewhere). `fit` does not spawn threads itself; its row reductions use the
//! rayon pool it is called in, with fixed chunking, so results do not depend
//! on the pool size.

pub mod sim;
pub mod small_sample;
pub mod twostep;
pub mod user;
mod windmeijer;

use crate::error::{invalid, Result};
use crate::glm::newton::{check_separation, newton};
use crate::glm::{sandwich_vcov, Block, Family, Rows};
use crate::ppi::synth::{mean_source, ppi_synth, MixData, PpiSynthFit};
use crate::ppi::{ppi, PpiData};
use faer::{Mat, MatRef};
pub use twostep::{two_step, two_step_with, GmmFit, Problem, DEFAULT_LEVERAGE_POWER};

/// A borrowed column-major n x p matrix, as the binding passes R's data.
pub type MatView<'a> = MatRef<'a, f64>;

/// Zero-copy view of column-major `data` as an n x p matrix
/// (`data.len()` must be `n * p`).
pub fn column_major(data: &[f64], n: usize, p: usize) -> MatView<'_> {
    MatRef::from_column_major_slice(data, n, p)
}

/// The estimators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// GMM with the labelled block, the proxy and every synthetic source.
    Gmm,
    /// GMM with the labelled block and the proxy only.
    GmmProxy,
    /// PPI++: power-tuned lambda, proxy.
    PpiPlusPlus,
    /// PPI: lambda = 1, proxy.
    Ppi,
    /// PPI++Synth: PPI++ with the proxy and synthetic prediction mixed,
    /// weight cross-fitted (see [`crate::ppi::synth`]).
    PpiSynth,
    /// RePPI: recalibrated PPI of Ji, Lei and Zrnic, proxy (see
    /// [`crate::ppi::reppi`]).
    Reppi,
    /// Labelled rows only; sandwich variance.
    Classical,
    /// Surrogate rows pooled with the labelled rows as if they were real
    /// (invalid; a baseline for comparison).
    Naive,
}

impl Method {
    /// Parse the names `synth_glm(method = )` accepts.
    pub fn from_name(name: &str) -> Result<Method> {
        Ok(match name {
            "gmm" => Method::Gmm,
            "gmm_proxy" => Method::GmmProxy,
            "ppi++" => Method::PpiPlusPlus,
            "ppi" => Method::Ppi,
            "ppi++synth" => Method::PpiSynth,
            "reppi" => Method::Reppi,
            "classical" => Method::Classical,
            "naive" => Method::Naive,
            other => return invalid(format!("unknown method `{other}`")),
        })
    }
}

/// One surrogate version of the data: predicted or generated covariates and
/// response on every row (unpredicted covariates are the observed ones).
#[derive(Debug, Clone, Copy)]
pub struct Surrogate<'a> {
    /// n x p model matrix built from the surrogate columns.
    pub x: MatRef<'a, f64>,
    /// Surrogate response, length n.
    pub y: &'a [f64],
}

/// The data of one `synth_glm()` problem.
#[derive(Debug, Clone)]
pub struct SynthData<'a> {
    /// n x p model matrix of the observed covariates.
    pub x: MatRef<'a, f64>,
    /// Human labels, length n (read only on labelled rows).
    pub y: &'a [f64],
    /// LLM predictions of the labelled variables on every row.
    pub proxy: Option<Surrogate<'a>>,
    /// LLM-generated synthetic units, one per real unit, per source.
    pub synthetic: Vec<Surrogate<'a>>,
    /// Sampling (survey) weights, one per row, finite, non-negative and
    /// normalised to mean 1 (`None`: unweighted). Every method weights each
    /// row's moments by them and uses the with-replacement linearisation
    /// variance; see [`crate::weights`].
    pub weights: Option<&'a [f64]>,
}

/// A fitted estimator.
#[derive(Debug, Clone)]
pub struct Fit {
    /// Estimates of the p regression coefficients.
    pub coefficients: Vec<f64>,
    /// Their p x p covariance.
    pub covariance: Mat<f64>,
    /// Hansen J statistic, degrees of freedom and p-value (GMM only).
    pub j_stat: Option<f64>,
    pub j_df: Option<usize>,
    pub j_pvalue: Option<f64>,
    /// Lambda (PPI and PPI++ only).
    pub lambda: Option<f64>,
    /// PPI++Synth's mixing weight chosen for each cross-fitting fold.
    pub mix_alpha: Vec<f64>,
    /// Estimates of the surrogate parameters eta_m (GMM only), p per source.
    pub surrogate_coefficients: Vec<f64>,
    /// GMM only: the textbook large-sample covariance (G' S^-1 G)^-1 / n,
    /// which `covariance` replaces by its finite-sample version.
    pub covariance_asymptotic: Option<Mat<f64>>,
    /// Degrees of freedom of the t quantiles of the intervals (infinite:
    /// normal quantiles).
    pub df: f64,
    /// Labelled and unlabelled row counts.
    pub n_labeled: usize,
    pub n_unlabeled: usize,
}

impl Fit {
    fn plain(coefficients: Vec<f64>, covariance: Mat<f64>, n_labeled: usize, n_unlabeled: usize) -> Fit {
        Fit {
            coefficients,
            covariance,
            j_stat: None,
            j_df: None,
            j_pvalue: None,
            lambda: None,
            mix_alpha: Vec::new(),
            surrogate_coefficients: Vec::new(),
            covariance_asymptotic: None,
            df: f64::INFINITY,
            n_labeled,
            n_unlabeled,
        }
    }
}

/// Validate shapes and supports; returns the number of labelled rows.
fn validate(family: Family, data: &SynthData<'_>, labeled: &[bool]) -> Result<usize> {
    let n = data.x.nrows();
    let p = data.x.ncols();
    if data.y.len() != n || labeled.len() != n {
        return invalid(format!(
            "y ({}) and the label mask ({}) must have one entry per row of X ({n})",
            data.y.len(),
            labeled.len()
        ));
    }
    if p == 0 {
        return invalid("the model has no coefficients");
    }
    let surrogates = data.proxy.iter().chain(data.synthetic.iter());
    for s in surrogates {
        if s.x.nrows() != n || s.x.ncols() != p || s.y.len() != n {
            return invalid("every surrogate source must have the shape of the real data");
        }
        if let Some(i) = s.y.iter().position(|&v| !family.in_support(v)) {
            return invalid(format!(
                "surrogate response at row {} is {}; the {} family needs {}",
                i + 1,
                s.y[i],
                family.name(),
                family.support()
            ));
        }
    }
    if let Some(w) = data.weights {
        crate::weights::check(w, n)?;
    }
    let n_lab = labeled.iter().filter(|&&l| l).count();
    if n_lab == 0 {
        return invalid("there are no labelled rows");
    }
    if n_lab <= p {
        return invalid(format!(
            "{n_lab} labelled row(s) cannot identify {p} coefficient(s); at least {} are needed",
            p + 1
        ));
    }
    for (i, (&lab, &y)) in labeled.iter().zip(data.y).enumerate() {
        if lab && !family.in_support(y) {
            return invalid(format!(
                "response at row {} is {}; the {} family needs {}",
                i + 1,
                y,
                family.name(),
                family.support()
            ));
        }
    }
    Ok(n_lab)
}

/// The error for GMM with no more labelled rows than parameters.
fn too_few_labels(n_lab: usize, p: usize, sources: usize) -> String {
    let k = p * (1 + sources);
    format!(
        "GMM with {sources} surrogate source(s) fits {k} parameters ({p} coefficient(s) for the labels \
         and {p} per source) whose moments are observed only on the labelled rows, so it needs more \
         than {k} labelled rows; there are {n_lab}. Label more rows, use fewer surrogate sources, or \
         use method = \"classical\" or \"ppi++\"."
    )
}

/// Fit one estimator. See the module documentation for the calling contract.
pub fn fit(method: Method, family: Family, data: &SynthData<'_>, labeled: &[bool]) -> Result<Fit> {
    let n_lab = validate(family, data, labeled)?;
    let n = data.x.nrows();
    let n_unl = n - n_lab;
    let p = data.x.ncols();
    let wts = data.weights;
    let lab_block = Block::new(data.x, data.y, Rows::Where(labeled, true)).with_row_weights(wts);
    let need_proxy = || {
        data.proxy
            .ok_or_else(|| crate::error::CoreError::InvalidArgument(format!("method {method:?} needs a proxy")))
    };
    match method {
        Method::Classical | Method::Naive => {
            let mut blocks = vec![lab_block];
            if method == Method::Naive {
                if data.synthetic.is_empty() {
                    let px = need_proxy()?;
                    blocks.push(Block::new(px.x, px.y, Rows::Where(labeled, false)).with_row_weights(wts));
                } else {
                    blocks.extend(data.synthetic.iter().map(|s| Block::new(s.x, s.y, Rows::All).with_row_weights(wts)));
                }
            }
            let what = if method == Method::Naive { "naive pooled GLM fit" } else { "GLM fit on the labelled rows" };
            let f = newton(family, &blocks, &vec![0.0; p], what)?;
            for b in &blocks {
                check_separation(family, b, &f.beta, what)?;
            }
            let v = sandwich_vcov(family, &blocks, &f.beta)?;
            Ok(Fit::plain(f.beta, v, n_lab, n_unl))
        }
        Method::Ppi | Method::PpiPlusPlus => {
            let px = need_proxy()?;
            let d = PpiData { x: data.x, y: data.y, x_proxy: px.x, y_proxy: px.y, labeled, weights: wts };
            let lam = if method == Method::Ppi { Some(1.0) } else { None };
            let f = ppi(family, &d, lam)?;
            let mut out = Fit::plain(f.coefficients, f.covariance, n_lab, n_unl);
            out.lambda = Some(f.lambda);
            Ok(out)
        }
        Method::Reppi => {
            let px = need_proxy()?;
            if wts.is_some() {
                return invalid("method \"reppi\" does not take sampling weights yet; use method = \"ppi++\" or \"gmm\", which do.");
            }
            let d = PpiData { x: data.x, y: data.y, x_proxy: px.x, y_proxy: px.y, labeled, weights: None };
            let f = crate::ppi::reppi::reppi(family, &d, crate::ppi::reppi::DEFAULT_FOLDS)?;
            // The finite-sample variance with t quantiles on n - K degrees
            // of freedom by default; the plain sandwich as the asymptotic.
            let mut out = Fit::plain(f.coefficients, f.covariance_small_sample, n_lab, n_unl);
            out.covariance_asymptotic = Some(f.covariance);
            out.df = f.df;
            Ok(out)
        }
        Method::PpiSynth => {
            let px = need_proxy()?;
            let f = ppi_synth_on(family, data, px, labeled)?;
            let mut out = Fit::plain(f.fit.coefficients, f.fit.covariance, n_lab, n_unl);
            out.lambda = Some(f.fit.lambda);
            out.mix_alpha = f.alphas;
            Ok(out)
        }
        Method::Gmm | Method::GmmProxy => {
            let mut sources: Vec<Surrogate<'_>> = data.proxy.into_iter().collect();
            if method == Method::Gmm {
                sources.extend(data.synthetic.iter().copied());
            } else {
                need_proxy()?;
            }
            if sources.is_empty() {
                return invalid("GMM needs a proxy or a synthetic source");
            }
            let k = p * (1 + sources.len());
            if n_lab <= k {
                return invalid(too_few_labels(n_lab, p, sources.len()));
            }
            let pr = Problem { family, x: data.x, y: data.y, labeled, sources, has_proxy: data.proxy.is_some(), weights: wts };
            let g = two_step(&pr)?;
            // Finite-sample variance (see `synth_glm()`'s documentation and
            // the few-labels study, `small_sample`): Windmeijer's correction
            // for the estimated weight with HC3-type leverage multipliers,
            // scaled by n_lab / (n_lab - K) for the K parameters fitted on
            // the labelled rows, with t quantiles on n_lab - K degrees of
            // freedom.
            // Under weights, the labelled rows that carry information are
            // those with a positive weight (leverages of the weighted fit
            // sum to p over them).
            let n_info = crate::weights::positive_count(wts, labeled).unwrap_or(n_lab);
            if n_info <= k {
                return invalid(too_few_labels(n_info, p, pr.sources.len()));
            }
            let df = (n_info - k) as f64;
            let scale = n_info as f64 / df;
            let cov = Mat::from_fn(p, p, |i, j| g.covariance_windmeijer[0][(i, j)] * scale);
            let mut out = Fit::plain(g.params[..p].to_vec(), cov, n_lab, n_unl);
            out.covariance_asymptotic = Some(Mat::from_fn(p, p, |i, j| g.covariance[(i, j)]));
            out.df = df;
            out.surrogate_coefficients = g.params[p..].to_vec();
            out.j_stat = Some(g.j_stat);
            out.j_df = Some(g.j_df);
            out.j_pvalue = Some(g.j_pvalue);
            Ok(out)
        }
    }
}

/// Run `f` on PPI++Synth's data: the proxy and the synthetic prediction
/// (the row-wise mean of the synthetic sources when there are several).
pub fn with_mix_data<T>(
    data: &SynthData<'_>,
    proxy: Surrogate<'_>,
    labeled: &[bool],
    f: impl FnOnce(&MixData<'_>) -> Result<T>,
) -> Result<T> {
    let averaged = match data.synthetic.as_slice() {
        [] => return invalid("PPI++Synth needs a synthetic source"),
        [_] => None,
        many => Some(mean_source(&many.iter().map(|s| (s.x, s.y)).collect::<Vec<_>>())),
    };
    let (n, p) = (data.x.nrows(), data.x.ncols());
    let (xs, ys) = match &averaged {
        Some((mx, my)) => (MatRef::from_column_major_slice(mx, n, p), my.as_slice()),
        None => (data.synthetic[0].x, data.synthetic[0].y),
    };
    f(&MixData { x: data.x, y: data.y, x_proxy: proxy.x, y_proxy: proxy.y, x_synth: xs, y_synth: ys, labeled, weights: data.weights })
}

fn ppi_synth_on(family: Family, data: &SynthData<'_>, proxy: Surrogate<'_>, labeled: &[bool]) -> Result<PpiSynthFit> {
    with_mix_data(data, proxy, labeled, |d| ppi_synth(family, d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_inputs_are_errors() {
        let xd = vec![1.0; 4];
        let x = MatRef::from_column_major_slice(&xd, 4, 1);
        let y = [0.0, 1.0, 2.0, 1.0];
        let data = SynthData { x, y: &y, proxy: None, synthetic: vec![], weights: None };
        let none = [false; 4];
        assert!(fit(Method::Classical, Family::Gaussian, &data, &none).unwrap_err().to_string().contains("no labelled"));
        let all = [true; 4];
        let e = fit(Method::Classical, Family::Binomial, &data, &all).unwrap_err();
        assert!(e.to_string().contains("binomial"), "{e}");
        assert!(fit(Method::Ppi, Family::Gaussian, &data, &all).is_err());
        let one = [true, false, false, false];
        assert!(fit(Method::Classical, Family::Gaussian, &data, &one).unwrap_err().to_string().contains("at least 2"));
    }
}
