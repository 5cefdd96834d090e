//! Conversions shared by the binding modules.

use extendr_api::prelude::*;

/// Turn a core result into an extendr result whose error text is the core's
/// message, so R shows the user exactly what went wrong.
pub fn core<T>(r: synthinfer_core::Result<T>) -> extendr_api::Result<T> {
    r.map_err(|e| Error::Other(e.to_string()))
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
