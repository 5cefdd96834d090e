//! Conversions shared by the binding modules.

use extendr_api::prelude::*;

/// Turn a core result into an extendr result. The error text is the core's
/// message behind a tag naming the R condition class it becomes
/// (`[synthinfer_error_input] ...`); `rust_call()` in R/errors.R strips the
/// tag and raises the classed condition. This is the one error channel of
/// the binding: every core error passes here.
pub fn core<T>(r: synthinfer_core::Result<T>) -> extendr_api::Result<T> {
    use synthinfer_core::CoreError;
    r.map_err(|e| {
        let class = match &e {
            CoreError::InvalidArgument(_) => "synthinfer_error_input",
            CoreError::Singular(_) | CoreError::NoConvergence(_) => "synthinfer_error_numeric",
            CoreError::Cancelled => return Error::Other(crate::watch::INTERRUPTED.into()),
        };
        Error::Other(format!("[{class}] {e}"))
    })
}

/// A core result table as a named R list of columns. The names are the
/// core's field names with R's broom spelling (`conf_low` -> `conf.low`,
/// `std_error` -> `std.error`, `p_value` -> `p.value`); unknown values
/// (`NaN`, `None`) become `NA`.
pub fn table(t: &impl synthinfer_core::exchange::Table) -> extendr_api::Result<List> {
    use synthinfer_core::exchange::Column;
    let (names, values): (Vec<String>, Vec<Robj>) = t
        .columns()
        .into_iter()
        .map(|(name, col)| {
            let value: Robj = match col {
                Column::Real(x) => x.iter().map(|v| if v.is_nan() { None } else { Some(*v) }).collect::<Vec<Option<f64>>>().into(),
                Column::Count(x) => x.iter().map(|k| k.map(|k| k as i32)).collect::<Vec<Option<i32>>>().into(),
                Column::Flag(x) => x.to_vec().into(),
            };
            (r_name(name), value)
        })
        .collect();
    List::from_names_and_values(names, values)
}

/// The R column name of a core field name.
pub fn r_name(field: &str) -> String {
    for (core, r) in [("conf_", "conf."), ("std_error", "std.error"), ("p_value", "p.value")] {
        if let Some(rest) = field.strip_prefix(core) {
            return format!("{r}{rest}");
        }
    }
    field.to_string()
}

/// `c(lower, upper)` or `numeric()` (no bounds).
pub fn bounds(b: &[f64]) -> Option<(f64, f64)> {
    match b {
        [lo, hi] => Some((*lo, *hi)),
        _ => None,
    }
}

/// `c(a1, a2, a3)` or `numeric()` (the default split).
pub fn levels(x: &[f64]) -> extendr_api::Result<Option<synthinfer_core::exchange::Alphas>> {
    match x {
        [] => Ok(None),
        [a1, a2, a3] => Ok(Some(synthinfer_core::exchange::Alphas { a1: *a1, a2: *a2, a3: *a3 })),
        _ => Err(Error::Other("split levels must be c(a1, a2, a3)".into())),
    }
}

/// 1-based held-out positions, NA (NaN) for none, as 0-based options.
pub fn held_out(held: &[f64]) -> Vec<Option<usize>> {
    held.iter().map(|&j| if j.is_nan() { None } else { Some((j.max(1.0) - 1.0) as usize) }).collect()
}

/// `numeric()` as `None`.
pub fn optional(x: &[f64]) -> Option<&[f64]> {
    if x.is_empty() {
        None
    } else {
        Some(x)
    }
}

/// The task-table columns shared by every routine that returns per-task
/// summaries (see `task_summaries()` in R).
pub fn task_table(rows: &[synthinfer_core::summaries::TaskSummary]) -> List {
    let col = |f: fn(&synthinfer_core::summaries::TaskSummary) -> f64| {
        rows.iter().map(f).collect::<Vec<f64>>()
    };
    list!(
        n_real = rows.iter().map(|r| r.n_real as i32).collect::<Vec<i32>>(),
        n_synth = rows.iter().map(|r| r.n_synth as i32).collect::<Vec<i32>>(),
        real_est = col(|r| r.real_est),
        real_se = col(|r| r.real_se),
        synth_est = col(|r| r.synth_est),
        synth_se = col(|r| r.synth_se),
        gap_est = col(|r| r.gap_est),
        gap_se = col(|r| r.gap_se)
    )
}

/// Column-major view of an R double matrix (or vector) with n rows, p columns.
pub fn matrix_view<'a>(
    obj: &'a Robj,
    n: usize,
    p: usize,
    what: &str,
) -> extendr_api::Result<synthinfer_core::estimate::MatView<'a>> {
    let data = obj
        .as_real_slice()
        .ok_or_else(|| Error::Other(format!("{what} must be a double matrix")))?;
    if data.len() != n * p {
        return Err(Error::Other(format!("{what} has {} entries, expected {}", data.len(), n * p)));
    }
    Ok(synthinfer_core::estimate::column_major(data, n, p))
}

/// The n-long mask of the rows at 1-based positions `rows`.
pub fn row_mask(rows: &[i32], n: usize) -> extendr_api::Result<Vec<bool>> {
    let mut mask = vec![false; n];
    for &r in rows {
        match usize::try_from(r).ok().filter(|&r| (1..=n).contains(&r)) {
            Some(r) => mask[r - 1] = true,
            None => return Err(Error::Other(format!("labeled row position {r} is not in 1..{n}"))),
        }
    }
    Ok(mask)
}

/// The surrogate sources of a `synth_design()` as (X, y) pairs, the proxy
/// first: `proxy` is NULL or `list(X, y)`, `synthetic` a list of
/// `list(X, y)`. Collected here so that [`synth_data`] can borrow them.
pub fn sources(proxy: &Robj, synthetic: &List) -> extendr_api::Result<Vec<(Robj, Robj)>> {
    let pair = |s: Robj| -> extendr_api::Result<(Robj, Robj)> {
        let l = List::try_from(s).map_err(|_| Error::Other("a surrogate source must be list(X, y)".into()))?;
        match (l.elt(0), l.elt(1)) {
            (Ok(x), Ok(y)) if l.len() == 2 => Ok((x, y)),
            _ => Err(Error::Other("a surrogate source must be list(X, y)".into())),
        }
    };
    let mut out = Vec::with_capacity(synthetic.len() + 1);
    if !proxy.is_null() {
        out.push(pair(proxy.clone())?);
    }
    for s in synthetic.values() {
        out.push(pair(s)?);
    }
    Ok(out)
}

/// Borrow the data of a `synth_design()` as the core's `SynthData`: `x` is
/// the n x p model matrix, `sources` the (X, y) pairs of [`sources`], the
/// first one being the proxy when `has_proxy`. Every GMM-family binding
/// assembles its input here.
pub fn synth_data<'a>(
    x: &'a Robj,
    y: &'a [f64],
    sources: &'a [(Robj, Robj)],
    has_proxy: bool,
) -> extendr_api::Result<synthinfer_core::estimate::SynthData<'a>> {
    use synthinfer_core::estimate::{Surrogate, SynthData};
    let n = y.len();
    let p = if n == 0 { 0 } else { x.len() / n };
    let mut surrogates = Vec::with_capacity(sources.len());
    for (k, (sx, sy)) in sources.iter().enumerate() {
        let sy = sy
            .as_real_slice()
            .ok_or_else(|| Error::Other(format!("surrogate response {} must be double", k + 1)))?;
        surrogates.push(Surrogate { x: matrix_view(sx, n, p, "surrogate matrix")?, y: sy });
    }
    let proxy = if has_proxy && !surrogates.is_empty() { Some(surrogates.remove(0)) } else { None };
    Ok(SynthData { x: matrix_view(x, n, p, "x")?, y, proxy, synthetic: surrogates, weights: None })
}
