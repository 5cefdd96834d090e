//! Every estimator `synth_glm()` offers, behind one dispatch: two-step GMM
//! ([`crate::gmm`]), PPI and PPI++ ([`crate::ppi`]), PPI++Synth
//! ([`crate::ppi::synth`]), and the classical and naive GLM fits.
//!
//! # Interface for callers (the R binding, `compare`, the simulations)
//!
//! ```ignore
//! let data = SynthData { x, y, proxy: Some(Surrogate { x: xp, y: yp }), synthetic: vec![..], weights: None };
//! let f: Fit = estimate::fit(Method::Gmm, Family::Binomial, &data, &labeled_mask)?;
//! let r: SynthGlmFit = estimate::synth_glm(Method::Gmm, Family::Binomial, &data, &labeled_mask, Variance::SmallSample)?;
//! ```
//!
//! [`fit`] is the estimator alone, for Monte Carlo loops; [`synth_glm`] is
//! what `synth_glm()` reports: the fit with the variance asked for and the
//! effective sample sizes, its fields named as the R result's.
//!
//! All inputs are borrowed: column-major `MatRef`s (zero-copy views of R
//! matrices) and slices, so a rayon loop over Monte Carlo trials can build the
//! data once on fully labeled rows and call [`fit`] with a fresh `labeled`
//! mask per trial. `y` is read only where `labeled` is true (it may hold NaN
//! elsewhere). Neither function spawns threads; their row reductions use the
//! rayon pool they are called in, with fixed chunking, so results do not
//! depend on the pool size.

use crate::error::{invalid, CoreError, Result};
use crate::glm::newton::{check_separation, newton};
use crate::glm::{sandwich_vcov, Block, Family, Rows};
use crate::gmm::{labels_needed, small_sample_variance, two_step, Problem};
pub use crate::gmm::Surrogate;
use crate::ppi::synth::{mean_source, ppi_synth, MixData, PpiSynthFit};
use crate::ppi::{ppi, PpiData};
use faer::{Mat, MatRef};

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
    /// GMM with the labeled block, the proxy and every synthetic source.
    Gmm,
    /// GMM with the labeled block and the proxy only.
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
    /// Labeled rows only; sandwich variance.
    Classical,
    /// Surrogate rows pooled with the labeled rows as if they were real
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

    /// The name `synth_glm(method = )` uses.
    pub fn name(self) -> &'static str {
        match self {
            Method::Gmm => "gmm",
            Method::GmmProxy => "gmm_proxy",
            Method::PpiPlusPlus => "ppi++",
            Method::Ppi => "ppi",
            Method::PpiSynth => "ppi++synth",
            Method::Reppi => "reppi",
            Method::Classical => "classical",
            Method::Naive => "naive",
        }
    }

    /// Whether the method is one of the GMM estimators.
    pub fn is_gmm(self) -> bool {
        matches!(self, Method::Gmm | Method::GmmProxy)
    }
}

/// The data of one `synth_glm()` problem.
#[derive(Debug, Clone)]
pub struct SynthData<'a> {
    /// n x p model matrix of the observed covariates.
    pub x: MatRef<'a, f64>,
    /// Human labels, length n (read only on labeled rows).
    pub y: &'a [f64],
    /// LLM predictions of the labeled variables on every row.
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
    /// Labeled and unlabeled row counts.
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

/// Validate shapes and supports; returns the number of labeled rows.
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
        // The vectorised check first; the position only for the message.
        if crate::columns::all_in_support(s.y, family) {
            continue;
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
    // One branch-free (vectorised) pass: the label count, and whether every
    // label lies in the support; the first one outside only for the message.
    let (n_lab, labels_ok) = crate::columns::labels_in_support(data.y, labeled, family);
    let bad = if labels_ok { None } else { labeled.iter().zip(data.y).position(|(&lab, &y)| lab && !family.in_support(y)) };
    if n_lab == 0 {
        return invalid("there are no labeled rows");
    }
    if n_lab <= p {
        return invalid(format!(
            "{n_lab} labeled row(s) cannot identify {p} coefficient(s); at least {} are needed",
            p + 1
        ));
    }
    if let Some(i) = bad {
        return invalid(format!(
            "response at row {} is {}; the {} family needs {}",
            i + 1,
            data.y[i],
            family.name(),
            family.support()
        ));
    }
    Ok(n_lab)
}

/// Fit one estimator. See the module documentation for the calling contract.
pub fn fit(method: Method, family: Family, data: &SynthData<'_>, labeled: &[bool]) -> Result<Fit> {
    let n_lab = validate(family, data, labeled)?;
    let n = data.x.nrows();
    let n_unl = n - n_lab;
    let p = data.x.ncols();
    let wts = data.weights;
    let need_proxy = || {
        data.proxy.ok_or_else(|| CoreError::InvalidArgument(format!("method {} needs a proxy", method.name())))
    };
    match method {
        Method::Classical | Method::Naive => {
            let mut blocks = vec![Block::new(data.x, data.y, Rows::Where(labeled, true)).with_row_weights(wts)];
            if method == Method::Naive {
                if data.synthetic.is_empty() {
                    let px = need_proxy()?;
                    blocks.push(Block::new(px.x, px.y, Rows::Where(labeled, false)).with_row_weights(wts));
                } else {
                    blocks.extend(data.synthetic.iter().map(|s| Block::new(s.x, s.y, Rows::All).with_row_weights(wts)));
                }
            }
            let what = if method == Method::Naive { "naive pooled GLM fit" } else { "GLM fit on the labeled rows" };
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
            // Under weights, the labeled rows that carry information are
            // those with a positive weight (leverages of the weighted fit
            // sum to p over them).
            let n_info = crate::weights::positive_count(wts, labeled).unwrap_or(n_lab);
            let k = labels_needed(n_info, p, sources.len())?;
            let pr = Problem { family, x: data.x, y: data.y, labeled, sources, has_proxy: data.proxy.is_some(), weights: wts };
            let g = two_step(&pr)?;
            let (cov, df) = small_sample_variance(&g, p, n_info, k);
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

/// Which variance of the GMM methods `synth_glm()` reports (`se = `);
/// other methods have one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variance {
    /// Windmeijer-corrected, leverage-adjusted, degrees-of-freedom scaled,
    /// with t quantiles ([`crate::gmm::small_sample_variance`]).
    SmallSample,
    /// The textbook two-step variance, normal quantiles.
    Asymptotic,
}

impl Variance {
    /// Parse the names `synth_glm(se = )` accepts.
    pub fn from_name(name: &str) -> Result<Variance> {
        match name {
            "small_sample" => Ok(Variance::SmallSample),
            "asymptotic" => Ok(Variance::Asymptotic),
            other => invalid(format!("unknown variance `{other}`")),
        }
    }
}

/// What `synth_glm()` reports of one fit; fields are named as in the R
/// result (`vcov`, `j_statistic`, `nobs_labeled`, ...).
#[derive(Debug, Clone)]
pub struct SynthGlmFit {
    /// Estimates of the p regression coefficients.
    pub coefficients: Vec<f64>,
    /// Their p x p covariance, the variance asked for.
    pub vcov: Mat<f64>,
    /// Degrees of freedom of the intervals' t quantiles (infinite: normal).
    pub df: f64,
    /// Hansen's J test (GMM only).
    pub j_statistic: Option<f64>,
    pub j_df: Option<usize>,
    pub j_p_value: Option<f64>,
    /// Lambda (PPI methods only).
    pub lambda: Option<f64>,
    /// PPI++Synth's mixing weight per cross-fitting fold (else empty).
    pub mix_alpha: Vec<f64>,
    /// The surrogate parameters eta_m (GMM only), p per source.
    pub surrogate_coefficients: Vec<f64>,
    /// Per coefficient: the number of labeled rows the classical
    /// (labeled-only) estimator would need to match this fit's variance,
    /// `nobs_labeled * var_classical / var`; NaN when the classical fit does
    /// not exist (separated labeled rows).
    pub n_effective: Vec<f64>,
    /// Labeled and unlabeled row counts.
    pub nobs_labeled: usize,
    pub nobs_unlabeled: usize,
}

/// One `synth_glm()` fit: [`fit`], the variance asked for, and the
/// effective sample sizes. A fit with a non-finite estimate or covariance
/// is an error.
pub fn synth_glm(method: Method, family: Family, data: &SynthData<'_>, labeled: &[bool], variance: Variance) -> Result<SynthGlmFit> {
    let f = fit(method, family, data, labeled)?;
    let (vcov, df) = match (variance, f.covariance_asymptotic) {
        (Variance::Asymptotic, Some(a)) => (a, f64::INFINITY),
        (_, _) => (f.covariance, f.df),
    };
    let p = f.coefficients.len();
    if !f.coefficients.iter().all(|v| v.is_finite()) || !(0..p).all(|j| (0..p).all(|i| vcov[(i, j)].is_finite())) {
        return Err(CoreError::Singular("the fit produced non-finite estimates; the data may be degenerate".into()));
    }
    // A negative variance (a small-sample correction pushed past positive
    // definiteness, e.g. by a row of leverage near 1 under one huge weight)
    // would become a NaN standard error and interval in R: refuse it.
    if let Some(j) = (0..p).find(|&j| vcov[(j, j)] < 0.0) {
        return Err(CoreError::Singular(format!(
            "the estimated variance of coefficient {} is negative ({:.3e}), so no standard error \
             exists; a labeled row with leverage near 1 (one weight far above the others, or an \
             extreme covariate) or covariates on scales far from the intercept's (rescale them, \
             e.g. thousands instead of units) usually cause this. Trim extreme weights, rescale \
             the covariates, or use se = \"asymptotic\" or method = \"classical\"",
            j + 1,
            vcov[(j, j)]
        )));
    }
    let classical = if method == Method::Classical {
        Some((0..p).map(|j| vcov[(j, j)]).collect())
    } else {
        classical_variances(family, data, labeled)
    };
    // Under weights, rows count when their weight is positive, and the
    // classical reference precision is that of Kish's effective number of
    // labeled rows, (sum w)^2 / sum w^2 over the labeled rows.
    let wts = data.weights;
    let (nobs_labeled, nobs_unlabeled) = match wts {
        None => (f.n_labeled, f.n_unlabeled),
        Some(w) => {
            let unlabeled: Vec<bool> = labeled.iter().map(|&l| !l).collect();
            (
                crate::weights::positive_count(Some(w), labeled).unwrap_or(0),
                crate::weights::positive_count(Some(w), &unlabeled).unwrap_or(0),
            )
        }
    };
    let n_lab = if wts.is_some() { crate::weights::kish(wts, labeled, true) } else { f.n_labeled as f64 };
    let n_effective = match classical {
        Some(cv) => (0..p).map(|j| n_lab * cv[j] / vcov[(j, j)]).collect(),
        None => vec![f64::NAN; p],
    };
    Ok(SynthGlmFit {
        coefficients: f.coefficients,
        vcov,
        df,
        j_statistic: f.j_stat,
        j_df: f.j_df,
        j_p_value: f.j_pvalue,
        lambda: f.lambda,
        mix_alpha: f.mix_alpha,
        surrogate_coefficients: f.surrogate_coefficients,
        n_effective,
        nobs_labeled,
        nobs_unlabeled,
    })
}

/// Variances of the classical (labeled-only) fit, the reference of
/// `n_effective`: fitted on a copy of the labeled rows alone, so no pass
/// over the unlabeled rows for a reported statistic. `None` when that fit
/// fails or is not finite (a statistic only: never an error).
fn classical_variances(family: Family, data: &SynthData<'_>, labeled: &[bool]) -> Option<Vec<f64>> {
    if family == Family::Gaussian && data.weights.is_none() && data.x.ncols() == 1 {
        if let Some(v) = labeled_mean_variance(data.x, data.y, labeled) {
            return v.is_finite().then(|| vec![v]);
        }
    }
    let rows: Vec<usize> = (0..labeled.len()).filter(|&i| labeled[i]).collect();
    let p = data.x.ncols();
    let x: Vec<f64> = (0..p).flat_map(|j| rows.iter().map(move |&i| data.x[(i, j)])).collect();
    let y: Vec<f64> = rows.iter().map(|&i| data.y[i]).collect();
    let w: Option<Vec<f64>> = data.weights.map(|w| rows.iter().map(|&i| w[i]).collect());
    let all = vec![true; rows.len()];
    let lab = SynthData { x: column_major(&x, rows.len(), p), y: &y, proxy: None, synthetic: Vec::new(), weights: w.as_deref() };
    let f = fit(Method::Classical, family, &lab, &all).ok()?;
    let finite = f.coefficients.iter().all(|v| v.is_finite()) && (0..p).all(|j| (0..p).all(|i| f.covariance[(i, j)].is_finite()));
    finite.then(|| (0..p).map(|j| f.covariance[(j, j)]).collect())
}

/// The classical variance of the intercept-only Gaussian model, unweighted:
/// the HC0 sandwich variance of the labeled mean, `sum_L (y - ybar)^2 / n^2`,
/// which is what the general fit gives (bread n, meat the residual sum of
/// squares), without copying the labeled rows or running Newton's method.
/// `None` when the column is not the intercept on every labeled row (or
/// fewer than two rows are labeled): the general path decides then.
fn labeled_mean_variance(x: MatView<'_>, y: &[f64], labeled: &[bool]) -> Option<f64> {
    let col = x.col(0).try_as_col_major()?.as_slice();
    // One branch-free pass: sums about the first label (shift invariant,
    // no cancellation in the raw second moment, as in the PPI mean), with
    // unlabeled rows (whose y may be NA) selected out, not multiplied by 0.
    let c = y[labeled.iter().position(|&l| l)?];
    let (n, s1, s2, intercept) = labeled.iter().zip(col).zip(y).fold(
        (0usize, 0.0f64, 0.0f64, true),
        |(n, s1, s2, ok), ((&l, &xi), &yi)| {
            let d = if l { yi - c } else { 0.0 };
            (n + l as usize, s1 + d, s2 + d * d, ok & (!l | (xi == 1.0)))
        },
    );
    if !intercept || n < 2 {
        return None;
    }
    let nf = n as f64;
    let m = s1 / nf;
    Some((s2 / nf - m * m).max(0.0) / nf)
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
        assert!(fit(Method::Classical, Family::Gaussian, &data, &none).unwrap_err().to_string().contains("no labeled"));
        let all = [true; 4];
        let e = fit(Method::Classical, Family::Binomial, &data, &all).unwrap_err();
        assert!(e.to_string().contains("binomial"), "{e}");
        assert!(fit(Method::Ppi, Family::Gaussian, &data, &all).is_err());
        let one = [true, false, false, false];
        assert!(fit(Method::Classical, Family::Gaussian, &data, &one).unwrap_err().to_string().contains("at least 2"));
    }

    #[test]
    fn closed_form_classical_variance_matches_the_general_fit() {
        // Labeled-mean HC0 variance against the general (copied rows,
        // Newton, sandwich) path, on pseudo-random data with a large offset.
        let n = 3001;
        let mut state = 12345u64;
        let mut unif = || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let ones = vec![1.0; n];
        let y: Vec<f64> = (0..n).map(|_| 1e3 + 5.0 * unif() - 2.0).collect();
        let lab: Vec<bool> = (0..n).map(|_| unif() < 0.3).collect();
        let x = column_major(&ones, n, 1);
        let fast = labeled_mean_variance(x, &y, &lab).unwrap();
        let rows: Vec<usize> = (0..n).filter(|&i| lab[i]).collect();
        let yl: Vec<f64> = rows.iter().map(|&i| y[i]).collect();
        let ol = vec![1.0; rows.len()];
        let all = vec![true; rows.len()];
        let d = SynthData { x: column_major(&ol, rows.len(), 1), y: &yl, proxy: None, synthetic: vec![], weights: None };
        let general = fit(Method::Classical, Family::Gaussian, &d, &all).unwrap().covariance[(0, 0)];
        assert!(((fast - general) / general).abs() < 1e-12, "{fast} vs {general}");
        // Not the intercept on a labeled row: the general path decides.
        let mut xs = ones.clone();
        xs[rows[0]] = 2.0;
        assert!(labeled_mean_variance(column_major(&xs, n, 1), &y, &lab).is_none());
    }

    #[test]
    fn method_names_round_trip() {
        for m in [Method::Gmm, Method::GmmProxy, Method::PpiPlusPlus, Method::Ppi, Method::PpiSynth, Method::Reppi, Method::Classical, Method::Naive] {
            assert_eq!(Method::from_name(m.name()).unwrap(), m);
        }
    }

    #[test]
    fn effective_n_of_the_mean() {
        // Mean of y on 4 labeled rows with a proxy on 8 rows: classical
        // n_effective is the label count; PPI's is 4 var_classical / var_ppi,
        // computed here from the two fits by hand.
        let ones = vec![1.0; 8];
        let x = column_major(&ones, 8, 1);
        let y = [1.0, 2.0, 4.0, 3.0, f64::NAN, f64::NAN, f64::NAN, f64::NAN];
        let yp = [1.2, 1.7, 3.5, 3.4, 2.0, 2.5, 0.5, 3.0];
        let lab = [true, true, true, true, false, false, false, false];
        let data = SynthData { x, y: &y, proxy: Some(Surrogate { x, y: &yp }), synthetic: vec![], weights: None };
        let c = synth_glm(Method::Classical, Family::Gaussian, &data, &lab, Variance::SmallSample).unwrap();
        assert!((c.n_effective[0] - 4.0).abs() < 1e-12);
        // HC0 variance of the mean: sum (y - ybar)^2 / n^2 = 5 / 16.
        assert!((c.vcov[(0, 0)] - 5.0 / 16.0).abs() < 1e-12);
        let f = synth_glm(Method::Ppi, Family::Gaussian, &data, &lab, Variance::SmallSample).unwrap();
        assert!((f.n_effective[0] - 4.0 * (5.0 / 16.0) / f.vcov[(0, 0)]).abs() < 1e-12);
        // Two labels cannot carry GMM's two parameters (theta and the proxy's eta).
        let two = [true, true, false, false, false, false, false, false];
        assert!(synth_glm(Method::GmmProxy, Family::Gaussian, &data, &two, Variance::SmallSample).is_err());
    }
}
