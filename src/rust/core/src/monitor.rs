//! Cancellation and progress for long loops, without any dependency on R.
//!
//! A long routine takes a `&Monitor`. Its workers call [`Monitor::check`]
//! before each unit of work (one atomic load) and [`Monitor::advance`] after
//! it (one relaxed atomic add). Whoever started the routine, typically the R
//! binding polling the user's interrupt key from the main thread, may call
//! [`Monitor::cancel`] at any time from another thread: every worker then
//! stops at its next check and the routine returns [`CoreError::Cancelled`].
//! A routine that is not watched simply gets a fresh `Monitor::default()`.

use crate::error::{CoreError, Result};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Shared cancel flag and progress counter of one long computation.
#[derive(Debug, Default)]
pub struct Monitor {
    cancelled: AtomicBool,
    done: AtomicUsize,
    total: AtomicUsize,
}

impl Monitor {
    /// Ask every worker to stop at its next check.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }

    /// Whether [`Monitor::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }

    /// `Err(Cancelled)` once cancelled: workers call this between units of work.
    pub fn check(&self) -> Result<()> {
        if self.is_cancelled() {
            Err(CoreError::Cancelled)
        } else {
            Ok(())
        }
    }

    /// Announce how many units of work the computation has in all.
    pub fn set_total(&self, total: usize) {
        self.total.store(total, Ordering::Relaxed);
    }

    /// Record `n` more finished units.
    pub fn advance(&self, n: usize) {
        self.done.fetch_add(n, Ordering::Relaxed);
    }

    /// Units finished so far and in all (0 when not announced).
    pub fn progress(&self) -> (usize, usize) {
        (self.done.load(Ordering::Relaxed), self.total.load(Ordering::Relaxed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cancel_is_seen_by_check_and_progress_adds_up() {
        let m = Monitor::default();
        m.set_total(10);
        assert!(m.check().is_ok());
        m.advance(3);
        m.advance(4);
        assert_eq!(m.progress(), (7, 10));
        m.cancel();
        assert_eq!(m.check(), Err(CoreError::Cancelled));
    }
}
