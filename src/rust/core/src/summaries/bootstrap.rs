//! Bootstrap resampling indices, reproducible per task and replicate.
//!
//! Replicate `b` of task `t` draws from `replicate_rng(seed, (t << 32) | b)`,
//! so every replicate has its own stream whatever the number of threads, and
//! the R-side bootstrap of a user-supplied estimator (which asks for these
//! indices through [`bootstrap_indices`]) sees exactly the resamples the Rust
//! bootstrap of quantiles uses.

use crate::error::{invalid, Result};
use crate::parallel::replicate_rng;
use rand::Rng;

/// The stream id of replicate `rep` of task `task`.
pub fn stream_id(task: usize, rep: usize) -> u64 {
    ((task as u64) << 32) | (rep as u64 & 0xFFFF_FFFF)
}

/// One bootstrap resample of a task: positions (0-based, within the task's
/// real and synthetic units) drawn with replacement. In a paired design the
/// real and synthetic units are the same units, drawn jointly, and
/// `synth` repeats `real`.
#[derive(Debug, Clone, PartialEq)]
pub struct Resample {
    pub real: Vec<usize>,
    pub synth: Vec<usize>,
}

/// Draw replicate `rep` of task `task`: `n_real` real positions, then (unpaired)
/// `n_synth` synthetic positions from the same stream.
pub fn draw_resample(seed: u64, task: usize, rep: usize, n_real: usize, n_synth: usize,
                     paired: bool) -> Resample {
    let mut rng = replicate_rng(seed, stream_id(task, rep));
    let real: Vec<usize> = (0..n_real).map(|_| rng.random_range(0..n_real)).collect();
    let synth = if paired {
        real.clone()
    } else {
        (0..n_synth).map(|_| rng.random_range(0..n_synth)).collect()
    };
    Resample { real, synth }
}

/// All `reps` resamples of one task, for the R-side bootstrap.
pub fn bootstrap_indices(seed: u64, task: usize, reps: usize, n_real: usize, n_synth: usize,
                         paired: bool) -> Result<Vec<Resample>> {
    if n_real == 0 || n_synth == 0 {
        return invalid("cannot resample a task without real or synthetic units");
    }
    if paired && n_real != n_synth {
        return invalid("a paired design needs as many real as synthetic units");
    }
    if rep_limit_exceeded(reps) {
        return invalid(format!("at most {} bootstrap replicates are supported", u32::MAX));
    }
    Ok((0..reps).map(|b| draw_resample(seed, task, b, n_real, n_synth, paired)).collect())
}

/// Replicate numbers share a 64-bit stream id with the task number.
pub fn rep_limit_exceeded(reps: usize) -> bool {
    reps as u64 > u32::MAX as u64
}

/// Sample standard deviation (divisor `n - 1`) of bootstrap replicates.
pub fn replicate_sd(x: &[f64]) -> f64 {
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    (x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (n - 1.0)).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resamples_are_reproducible_and_in_range() {
        let a = draw_resample(3, 1, 7, 10, 4, false);
        let b = draw_resample(3, 1, 7, 10, 4, false);
        assert_eq!(a, b);
        assert!(a.real.iter().all(|&i| i < 10) && a.synth.iter().all(|&i| i < 4));
        assert_eq!(a.real.len(), 10);
        assert_eq!(a.synth.len(), 4);
        assert_ne!(a, draw_resample(3, 1, 8, 10, 4, false));
        assert_ne!(a, draw_resample(3, 2, 7, 10, 4, false));
    }

    #[test]
    fn paired_resample_moves_units_jointly() {
        let r = draw_resample(1, 0, 0, 6, 6, true);
        assert_eq!(r.real, r.synth);
        assert!(bootstrap_indices(1, 0, 5, 6, 5, true).is_err());
    }

    #[test]
    fn replicate_sd_matches_hand_value() {
        // R: sd(c(1, 2, 4)) = sqrt(7/3)
        assert!((replicate_sd(&[1.0, 2.0, 4.0]) - (7.0f64 / 3.0).sqrt()).abs() < 1e-14);
    }
}
