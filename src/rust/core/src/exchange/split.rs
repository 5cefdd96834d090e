//! How the error budget `alpha` is split between the three steps of
//! Algorithm 1: `a1` for the target's synthetic interval, `a2` for the
//! historical gap intervals and `a3` for the spread of gaps across tasks.

use crate::error::{invalid, Result};

/// The three error levels of Algorithm 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Alphas {
    pub a1: f64,
    pub a2: f64,
    pub a3: f64,
}

impl Alphas {
    /// Total error budget `a1 + a2 + a3`.
    pub fn total(&self) -> f64 {
        self.a1 + self.a2 + self.a3
    }
}

/// Default split `(0.1, 0.2, 0.7) * alpha` (Tan and Zrnic, section 5.4).
///
/// `min_a3` is the smallest `a3` that keeps the calibration finite
/// (`2 / (T + 1)` for a two-sided gap band, `1 / (T + 1)` for the one-sided
/// score of the nested-family regions). When `0.7 alpha` falls below it, `a3`
/// is raised to `min_a3` and the rest of the budget is shared by `a1` and `a2`
/// in the same 1:2 ratio. An `alpha` that leaves nothing for `a1` and `a2` is
/// an error.
pub fn default_split(alpha: f64, min_a3: f64) -> Result<Alphas> {
    if !(alpha > 0.0 && alpha < 1.0) {
        return invalid(format!("alpha must lie in (0, 1), got {alpha}"));
    }
    if !(min_a3 > 0.0 && min_a3.is_finite()) {
        return invalid(format!("min_a3 must be positive, got {min_a3}"));
    }
    let a3 = 0.7 * alpha;
    if a3 >= min_a3 {
        return Ok(Alphas {
            a1: 0.1 * alpha,
            a2: 0.2 * alpha,
            a3,
        });
    }
    let rest = alpha - min_a3;
    if rest <= 0.0 {
        return invalid(format!(
            "alpha = {alpha} leaves no error budget for the synthetic and gap intervals: \
             the calibration step alone needs {min_a3}"
        ));
    }
    Ok(Alphas {
        a1: rest / 3.0,
        a2: 2.0 * rest / 3.0,
        a3: min_a3,
    })
}

/// A number as R's `format()` prints it: at most 7 significant digits, no
/// trailing zeros (`0.4`, `0.1333333`, `14`), and in scientific notation
/// (`1e-06`, `2e+18`) when very small or very large, where fixed notation
/// would spell out hundreds of digits (an `alpha` of 1e-300 asks for about
/// 2e+300 historical tasks). Used in messages that quote a level or a task
/// count back to the user.
pub fn fmt_num(x: f64) -> String {
    if !x.is_finite() || x == 0.0 {
        return format!("{x}");
    }
    let e = x.abs().log10().floor() as i32;
    if !(-4..15).contains(&e) {
        // Seven significant digits, trailing zeros dropped, R's exponent
        // style (sign and at least two digits).
        let sci = format!("{x:.6e}");
        let (mant, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
        let mant = if mant.contains('.') { mant.trim_end_matches('0').trim_end_matches('.') } else { mant };
        let exp: i32 = exp.parse().unwrap_or(0);
        return format!("{mant}e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs());
    }
    let round_to = |p: i32| {
        let shift = p - 1 - e;
        if shift >= 0 {
            (x * 10f64.powi(shift)).round() / 10f64.powi(shift)
        } else {
            (x / 10f64.powi(-shift)).round() * 10f64.powi(-shift)
        }
    };
    let full = round_to(7);
    let p = (1..=7).find(|&p| round_to(p) == full).unwrap_or(7);
    format!("{}", round_to(p))
}

/// The number of historical tasks as the messages name it: "14 historical
/// tasks", or for weighted tasks their total weight, which plays the role of T.
fn tasks_phrase(n_eff: f64, weighted: bool) -> String {
    if weighted {
        return format!("historical tasks of total weight {} (T = the total weight)", fmt_num(n_eff));
    }
    format!("{} historical task{}", fmt_num(n_eff), if n_eff == 1.0 { "" } else { "s" })
}

/// What a finite calibration needs, as the messages say it: "at least 20
/// historical tasks", or for weighted tasks "a total weight of at least 20" (the
/// weighted user may already have that many tasks, with too little weight).
fn needed_phrase(needed: f64, weighted: bool) -> String {
    if weighted {
        format!("a total weight of at least {}", fmt_num(needed))
    } else {
        format!("at least {} historical tasks", fmt_num(needed))
    }
}

/// Smallest number of (effective) historical tasks with which `a3` gives a
/// finite calibration: `a3 >= sides / (T + 1)`.
pub fn tasks_needed(a3: f64, sides: f64) -> f64 {
    (sides / a3 - 1.0 - 1e-9).ceil()
}

/// What a request says about the error budget.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SplitRequest {
    /// Error level spent on the exchangeability interval.
    pub alpha: f64,
    /// The user's levels `(a1, a2, a3)` summing to `alpha`, or `None` for the
    /// default split.
    pub levels: Option<Alphas>,
    /// Raise a too small user `a3` to its finite minimum (the paper's rule)
    /// instead of failing.
    pub raise_a3: bool,
    /// Number of historical tasks, or their total weight.
    pub n_eff: f64,
    pub weighted: bool,
    /// 2 for the two-sided gap band, 1 for the one-sided region scores.
    pub sides: u8,
    /// Algorithm 4: the whole `alpha` goes to the order statistics.
    pub finite_sample: bool,
}

/// The split used, and a note for the user when `a3` was raised.
#[derive(Debug, Clone, PartialEq)]
pub struct SplitChoice {
    pub alphas: Alphas,
    pub note: Option<String>,
}

/// Resolve the split of a request: the default split, the user's levels, or
/// the user's levels with `a3` raised; an error (naming how many historical
/// tasks would be needed) when no finite calibration exists.
pub fn choose_split(req: &SplitRequest) -> Result<SplitChoice> {
    let sides = req.sides as f64;
    let alpha = req.alpha;
    let phrase = || tasks_phrase(req.n_eff, req.weighted);
    let plain = |alphas| Ok(SplitChoice { alphas, note: None });
    if req.finite_sample {
        if alpha < 2.0 / (req.n_eff + 1.0) - 1e-12 {
            return invalid(format!(
                "With {} the finite-sample interval at level {} is infinite: it needs alpha >= 2 / (T + 1), \
                 i.e. {}.",
                phrase(), fmt_num(alpha), needed_phrase(tasks_needed(alpha, 2.0), req.weighted)
            ));
        }
        return plain(Alphas { a1: 0.0, a2: 0.0, a3: alpha });
    }
    let min_a3 = sides / (req.n_eff + 1.0);
    let Some(user) = req.levels else {
        if alpha <= min_a3 + 1e-12 {
            return invalid(format!(
                "With {} the calibration at `alpha` = {} is infinite: it needs alpha > {} / (T + 1), \
                 i.e. {} at this alpha.",
                phrase(), fmt_num(alpha), req.sides,
                needed_phrase((sides / alpha - 1.0 + 1e-9).floor() + 1.0, req.weighted)
            ));
        }
        return plain(default_split(alpha, min_a3)?);
    };
    if user.a3 >= min_a3 - 1e-12 {
        return plain(user);
    }
    if !req.raise_a3 {
        return invalid(format!(
            "`split` gives a3 = {}, below {} / (T + 1) = {} for {}: the gap band would be infinite. \
             This a3 needs {}; or use split = exchange_split(..., raise_a3 = TRUE) \
             to raise a3 to the smallest feasible level.",
            fmt_num(user.a3), req.sides, fmt_num(min_a3), phrase(),
            needed_phrase(tasks_needed(user.a3, sides), req.weighted)
        ));
    }
    if alpha <= min_a3 + 1e-12 {
        return invalid(format!(
            "With {} no split of `alpha` = {} is finite: a3 alone needs {} / (T + 1) = {}. \
             Raise alpha or add historical tasks.",
            phrase(), fmt_num(alpha), req.sides, fmt_num(min_a3)
        ));
    }
    let rest = alpha - min_a3;
    let alphas = Alphas {
        a1: rest * user.a1 / (user.a1 + user.a2),
        a2: rest * user.a2 / (user.a1 + user.a2),
        a3: min_a3,
    };
    let note = format!(
        "Raised a3 from {} to {} / (T + 1) = {}, the smallest finite level with {}; a1 = {} and a2 = {} \
         share the rest in the ratio of `split`.",
        fmt_num(user.a3), req.sides, fmt_num(min_a3), phrase(), fmt_num(alphas.a1), fmt_num(alphas.a2)
    );
    Ok(SplitChoice { alphas, note: Some(note) })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(alpha: f64, levels: Option<Alphas>, raise_a3: bool, n_eff: f64) -> SplitRequest {
        SplitRequest { alpha, levels, raise_a3, n_eff, weighted: false, sides: 2, finite_sample: false }
    }

    #[test]
    fn numbers_print_as_r_formats_them() {
        assert_eq!(fmt_num(0.1), "0.1");
        assert_eq!(fmt_num(2.0 / 15.0), "0.1333333");
        assert_eq!(fmt_num(0.01 * 40.0 + 1e-16), "0.4");
        assert_eq!(fmt_num(14.0), "14");
        assert_eq!(fmt_num(3.9), "3.9");
        assert_eq!(fmt_num(1234567.8), "1234568");
        // As R's format(1e-300), format(2e18), format(1.5e-6), format(1e-5);
        // 1e-4 stays fixed (R would write 1e-04).
        assert_eq!(fmt_num(1e-300), "1e-300");
        assert_eq!(fmt_num(9.999999999999994e-301), "1e-300");
        assert_eq!(fmt_num(2e18), "2e+18");
        assert_eq!(fmt_num(1.5e-6), "1.5e-06");
        assert_eq!(fmt_num(1e-5), "1e-05");
        assert_eq!(fmt_num(0.0001), "0.0001");
    }

    #[test]
    fn choose_split_by_hand() {
        // Default split with T = 40 at alpha = 0.1: (0.01, 0.02, 0.07), no note.
        let c = choose_split(&request(0.1, None, false, 40.0)).unwrap();
        assert_eq!(c.alphas, default_split(0.1, 2.0 / 41.0).unwrap());
        assert!(c.note.is_none());
        // T = 5 at alpha = 0.1: 2 / 6 > 0.1; 2 / 0.1 - 1 = 19, so 20 tasks are needed.
        let e = choose_split(&request(0.1, None, false, 5.0)).unwrap_err().to_string();
        assert!(e.contains("With 5 historical tasks") && e.contains("at least 20 historical tasks"), "{e}");
        // User levels with a3 = 0.1 < 2 / 15 (T = 14): an error, or raised with a note.
        let user = Alphas { a1: 0.05, a2: 0.05, a3: 0.1 };
        let e = choose_split(&request(0.2, Some(user), false, 14.0)).unwrap_err().to_string();
        assert!(e.contains("needs at least 19 historical tasks"), "{e}");
        let c = choose_split(&request(0.2, Some(user), true, 14.0)).unwrap();
        let rest = 0.2 - 2.0 / 15.0;
        assert_eq!(c.alphas, Alphas { a1: rest * 0.5, a2: rest * 0.5, a3: 2.0 / 15.0 });
        assert!(c.note.unwrap().starts_with("Raised a3 from 0.1 to 2 / (T + 1) = 0.1333333"));
        // No split is finite when alpha itself is below 2 / (T + 1).
        let e = choose_split(&request(0.1, Some(Alphas { a1: 0.01, a2: 0.02, a3: 0.07 }), true, 14.0));
        assert!(e.unwrap_err().to_string().contains("no split of `alpha` = 0.1 is finite"));
        // Finite-sample: alpha >= 2 / (T + 1); T = 1 at 0.5 needs 3 tasks.
        let fs = SplitRequest { finite_sample: true, ..request(0.5, None, false, 1.0) };
        assert!(choose_split(&fs).unwrap_err().to_string().contains("at least 3 historical tasks"));
        let fs = SplitRequest { n_eff: 3.0, ..fs };
        assert_eq!(choose_split(&fs).unwrap().alphas, Alphas { a1: 0.0, a2: 0.0, a3: 0.5 });
        // Weighted: the total weight plays T.
        let w = SplitRequest { weighted: true, n_eff: 0.4, ..request(0.1, None, false, 0.4) };
        let msg = choose_split(&w).unwrap_err().to_string();
        assert!(msg.contains("historical tasks of total weight 0.4 (T = the total weight)"));
        // What is needed is weight too: 2 / (T + 1) < 0.1 needs T >= 20 (it
        // said "20 historical tasks", which a user with 40 tasks of weight
        // 0.5 already has).
        assert!(msg.contains("i.e. a total weight of at least 20 at this alpha"), "{msg}");
    }

    #[test]
    fn default_split_follows_the_paper() {
        let s = default_split(0.1, 2.0 / 41.0).unwrap();
        assert!((s.a1 - 0.01).abs() < 1e-15 && (s.a2 - 0.02).abs() < 1e-15);
        assert!((s.a3 - 0.07).abs() < 1e-15);
        // T = 40, alpha = 0.05: 0.035 < 2/41, so a3 = 2/41 and the rest 1:2.
        let s = default_split(0.05, 2.0 / 41.0).unwrap();
        assert!((s.a3 - 2.0 / 41.0).abs() < 1e-15);
        assert!((s.a2 - 2.0 * s.a1).abs() < 1e-15);
        assert!((s.total() - 0.05).abs() < 1e-15);
        assert!(default_split(0.04, 2.0 / 41.0).is_err());
        assert!(default_split(1.0, 0.1).is_err());
    }
}
