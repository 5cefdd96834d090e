//! Long core computations watched from R's main thread.
//!
//! The core routine runs on a worker thread (inside the reused rayon pool)
//! while the main thread, the only one allowed to touch R, wakes every
//! `POLL` to ask R whether the user pressed the interrupt key and to pass the
//! progress counter to an optional R callback (a `cli` progress bar built in
//! R/interruptible.R). On an interrupt the core's monitor is cancelled, the
//! workers stop at their next check, the worker thread is joined (nothing
//! keeps running or leaks), and the call fails with `INTERRUPTED`, which the
//! R wrapper turns into an ordinary R interrupt condition.

use std::os::raw::{c_int, c_void};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use extendr_api::prelude::*;
use synthinfer_core::monitor::Monitor;

/// The error message by which R recognises a cancelled computation; keep in
/// sync with `interrupted_message` in R/interruptible.R.
pub(crate) const INTERRUPTED: &str = "synthinfer: interrupted by the user";

/// How often the main thread checks for an interrupt: well under the 0.2 s
/// a user notices, and costing nothing measurable.
const POLL: Duration = Duration::from_millis(20);

extern "C" {
    // R's API (R_ext/Utils.h, Rinternals.h); not bound by extendr-ffi 0.9.
    fn R_CheckUserInterrupt();
    fn R_ToplevelExec(fun: Option<unsafe extern "C" fn(*mut c_void)>, data: *mut c_void) -> c_int;
}

unsafe extern "C" fn check_interrupt(_: *mut c_void) {
    R_CheckUserInterrupt();
}

/// Whether the user has pressed the interrupt key. R_CheckUserInterrupt()
/// would long-jump out of Rust on an interrupt; inside R_ToplevelExec the
/// jump ends at that boundary instead, which then returns FALSE.
fn interrupt_pending() -> bool {
    // SAFETY: called on R's main thread only (from `run`, itself called by R);
    // the callback touches no Rust state, so a long jump skips no destructor.
    unsafe { R_ToplevelExec(Some(check_interrupt), std::ptr::null_mut()) == 0 }
}

/// Pass (done, total) to the R callback `progress` (NULL for none). An
/// error in the callback, including an interrupt caught inside it, counts
/// as an interrupt: the computation stops rather than run on unwatched.
fn report(progress: &Robj, monitor: &Monitor) -> bool {
    let Some(f) = progress.as_function() else { return true };
    let (done, total) = monitor.progress();
    f.call(pairlist!(done as f64, total as f64)).is_ok()
}

/// Run `work` (a core routine given the monitor) on a worker thread with a
/// `threads`-worker pool, polling R for interrupts and reporting progress
/// from this, the main, thread. A panic in the worker becomes an R error.
pub fn run<T: Send>(
    threads: usize,
    progress: &Robj,
    work: impl FnOnce(&Monitor) -> synthinfer_core::Result<T> + Send,
) -> extendr_api::Result<T> {
    let monitor = Monitor::default();
    // Set by the worker just before it wakes this thread: the wake-up must
    // not be lost between the check and the next park (the thread itself
    // exits a moment later, so its `is_finished()` would lag behind).
    let done = AtomicBool::new(false);
    let main = std::thread::current();
    let (outcome, interrupted) = std::thread::scope(|s| {
        let worker = s.spawn(|| {
            let r = synthinfer_core::parallel::with_threads(threads, || work(&monitor));
            done.store(true, Ordering::Release);
            main.unpark();
            r
        });
        let mut interrupted = false;
        while !done.load(Ordering::Acquire) && !worker.is_finished() {
            std::thread::park_timeout(POLL);
            if !interrupted && !done.load(Ordering::Acquire) && (interrupt_pending() || !report(progress, &monitor)) {
                monitor.cancel();
                interrupted = true;
            }
        }
        (worker.join(), interrupted)
    });
    match outcome {
        _ if interrupted => Err(Error::Other(INTERRUPTED.into())),
        Ok(r) => crate::convert::core(r.and_then(|x| x)),
        Err(panic) => {
            let msg = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            Err(Error::Other(format!("internal error in synthinfer's Rust core: {msg}")))
        }
    }
}

/// The most threads this process can use (see `check_threads()` in R).
/// @noRd
#[extendr]
fn rs_max_threads() -> i32 {
    i32::try_from(synthinfer_core::parallel::max_threads()).unwrap_or(i32::MAX)
}

extendr_module! {
    mod watch;
    fn rs_max_threads;
}
