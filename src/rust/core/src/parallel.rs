//! Thread pools, chunked parallel loops and reproducible per-replicate
//! random streams.
//!
//! Monte Carlo loops and bootstraps run on a rayon pool whose size the caller
//! chooses (R passes its `threads` argument, default 2 as CRAN asks). Pools
//! are built once per size and reused, and a request beyond the cores this
//! process may use is clamped to them: more threads than cores cannot finish
//! sooner, and thousands of threads can bring a machine to its knees. Each
//! replicate draws from its own ChaCha stream keyed by `(seed, replicate)`, so
//! the results do not depend on how replicates are spread over threads.

use crate::error::{CoreError, Result};
use crate::monitor::Monitor;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// The number of threads this process can run at once (its CPU affinity and
/// cgroup quota included), at least 1.
pub fn max_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The pool of `threads` workers (clamped to `1..=max_threads()`), built on
/// first use and kept for the life of the process.
fn pool(threads: usize) -> Result<Arc<rayon::ThreadPool>> {
    static POOLS: OnceLock<Mutex<HashMap<usize, Arc<rayon::ThreadPool>>>> = OnceLock::new();
    let threads = threads.clamp(1, max_threads());
    // A poisoned lock only means another thread panicked while holding it;
    // the map itself is always in a valid state.
    let mut pools = POOLS.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    if let Some(p) = pools.get(&threads) {
        return Ok(Arc::clone(p));
    }
    let p = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("synthinfer-{i}"))
        .build()
        .map_err(|e| CoreError::InvalidArgument(format!("cannot start thread pool: {e}")))?;
    let p = Arc::new(p);
    pools.insert(threads, Arc::clone(&p));
    Ok(p)
}

/// Run `f` inside the rayon pool with `threads` workers.
pub fn with_threads<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> Result<T> {
    Ok(pool(threads)?.install(f))
}

thread_local! {
    /// Set while [`with_row_threads`] runs a computation on the calling thread.
    static SEQUENTIAL: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether the current computation runs its row reductions one chunk after
/// the other on the calling thread (see [`with_row_threads`]).
pub fn sequential() -> bool {
    SEQUENTIAL.with(|s| s.get())
}

/// Below this many matrix entries (rows x columns over every block), a fit
/// runs on the calling thread: handing it to a pool worker and waiting for
/// the answer costs more than the parallel row reductions save.
pub const INLINE_WORK: usize = 1 << 17;

/// Run `f`, a computation whose only parallel loops are the row reductions
/// of [`crate::glm::rows::chunked_reduce`] (one fit), on `threads` workers;
/// with one thread or less than [`INLINE_WORK`] entries of `work`, on the
/// calling thread, the reductions folding their chunks in order. The chunks
/// and their merge order are the same either way, so results are too.
pub fn with_row_threads<T: Send>(threads: usize, work: usize, f: impl FnOnce() -> T + Send) -> Result<T> {
    if threads > 1 && work >= INLINE_WORK {
        return with_threads(threads, f);
    }
    struct Reset(bool);
    impl Drop for Reset {
        fn drop(&mut self) {
            SEQUENTIAL.with(|s| s.set(self.0));
        }
    }
    let _reset = Reset(SEQUENTIAL.with(|s| s.replace(true)));
    Ok(f())
}

/// Items per chunk of [`map_fold`]: large enough that scheduling costs
/// nothing next to the work, small enough that the buffered results of one
/// chunk stay small whatever the number of items.
const CHUNK: usize = 4096;

/// Compute `item(i)` for `i in 0..n` in parallel (in the current rayon pool)
/// and feed the results to `fold` in index order, one chunk at a time, so
/// memory does not grow with `n` and the result does not depend on the
/// number of threads. `monitor` is checked before every item (a cancel
/// stops all workers within one item) and advanced after it; its total is
/// set to `n`.
pub fn map_fold<T: Send>(
    n: usize,
    monitor: &Monitor,
    item: impl Fn(usize) -> Result<T> + Sync,
    mut fold: impl FnMut(usize, T) -> Result<()>,
) -> Result<()> {
    monitor.set_total(n);
    let mut start = 0;
    while start < n {
        let end = n.min(start.saturating_add(CHUNK));
        let out: Vec<T> = (start..end)
            .into_par_iter()
            .map(|i| {
                monitor.check()?;
                let r = item(i);
                monitor.advance(1);
                r
            })
            .collect::<Result<_>>()?;
        for (k, v) in out.into_iter().enumerate() {
            fold(start + k, v)?;
        }
        start = end;
    }
    Ok(())
}

/// The random stream of replicate `rep` under master seed `seed`.
pub fn replicate_rng(seed: u64, rep: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    // ChaCha streams are independent for distinct stream ids.
    rng.set_stream(rep);
    rng
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn replicate_streams_do_not_depend_on_thread_count() {
        let draw = |threads| {
            with_threads(threads, || {
                (0..64u64)
                    .into_par_iter()
                    .map(|r| replicate_rng(7, r).random::<f64>())
                    .collect::<Vec<_>>()
            })
            .unwrap()
        };
        assert_eq!(draw(1), draw(2));
        let v = draw(2);
        assert_ne!(v[0], v[1]);
    }

    #[test]
    fn pools_are_reused_and_clamped() {
        let a = pool(1).unwrap();
        assert!(Arc::ptr_eq(&a, &pool(1).unwrap()));
        let huge = pool(1_000_000).unwrap();
        assert_eq!(huge.current_num_threads(), max_threads());
        assert_eq!(with_threads(0, rayon::current_num_threads).unwrap(), 1);
    }

    #[test]
    fn map_fold_folds_in_order_and_counts() {
        let n = 3 * CHUNK + 5;
        let m = Monitor::default();
        let mut seen = Vec::new();
        with_threads(2, || map_fold(n, &m, |i| Ok(i * 2), |i, v| {
            seen.push((i, v));
            Ok(())
        }))
        .unwrap()
        .unwrap();
        assert!(seen.iter().enumerate().all(|(k, &(i, v))| i == k && v == 2 * k));
        assert_eq!(m.progress(), (n, n));
    }

    #[test]
    fn map_fold_stops_when_cancelled_and_passes_errors_on() {
        let m = Monitor::default();
        let r = map_fold(10 * CHUNK, &m, |i| {
            if i == 100 {
                m.cancel();
            }
            Ok(i)
        }, |_, _| Ok(()));
        assert_eq!(r, Err(CoreError::Cancelled));
        assert!(m.progress().0 < 2 * CHUNK);
        let r = map_fold(10, &Monitor::default(), |i| if i == 3 { crate::error::invalid("bad") } else { Ok(i) }, |_, _| Ok(()));
        assert!(r.is_err());
    }
}
