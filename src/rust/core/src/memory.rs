//! Sizes that come from users, checked before anything is allocated.
//!
//! An allocation that fails inside Rust aborts the process, and with it the
//! user's R session. Every buffer whose length a user controls (numbers of
//! tasks, replications, trials) is therefore sized with checked arithmetic
//! and reserved with `try_reserve`, so that a request that cannot fit becomes
//! an error saying how much memory it needs. Where the operating system
//! overcommits memory (a reservation beyond RAM succeeds, and the process is
//! killed later when it touches the pages), a request larger than the
//! machine's RAM plus swap, when these are known (Linux), is refused first.

use crate::error::{invalid, Result};

/// `a * b` bytes (or elements), or an error naming `what` on overflow.
pub fn product(a: usize, b: usize, what: &str) -> Result<usize> {
    a.checked_mul(b).map_or_else(|| invalid(format!("{what} is too large to represent")), Ok)
}

/// Human-readable size: "512 bytes", "3.2 MB", "80.0 GB".
pub fn format_bytes(bytes: usize) -> String {
    const UNITS: [&str; 5] = ["KB", "MB", "GB", "TB", "PB"];
    if bytes < 1000 {
        return format!("{bytes} bytes");
    }
    let mut v = bytes as f64 / 1000.0;
    let mut unit = 0;
    while v >= 1000.0 && unit + 1 < UNITS.len() {
        v /= 1000.0;
        unit += 1;
    }
    format!("{v:.1} {}", UNITS[unit])
}

fn too_big<T>(bytes: Option<usize>, what: &str) -> Result<T> {
    let need = bytes.map_or_else(|| "more than the address space".to_string(), format_bytes);
    invalid(format!("{what} needs {need} of memory, more than this machine can allocate; ask for less."))
}

/// RAM plus swap in bytes, from /proc/meminfo (Linux); None elsewhere.
fn machine_memory() -> Option<usize> {
    static MEMORY: std::sync::OnceLock<Option<usize>> = std::sync::OnceLock::new();
    *MEMORY.get_or_init(|| {
        let info = std::fs::read_to_string("/proc/meminfo").ok()?;
        let kb = |key: &str| -> Option<usize> {
            let line = info.lines().find(|l| l.starts_with(key))?;
            line.split_whitespace().nth(1)?.parse().ok()
        };
        let total = kb("MemTotal:")?.checked_add(kb("SwapTotal:").unwrap_or(0))?;
        total.checked_mul(1024)
    })
}

/// An empty vector with room for `n` elements, or an error that says how
/// much memory `what` needs.
pub fn try_vec<T>(n: usize, what: &str) -> Result<Vec<T>> {
    let bytes = n.checked_mul(std::mem::size_of::<T>().max(1));
    match bytes {
        Some(b) if machine_memory().is_none_or(|m| b <= m) => {}
        b => return too_big(b, what),
    }
    let mut v = Vec::new();
    match v.try_reserve_exact(n) {
        Ok(()) => Ok(v),
        Err(_) => too_big(bytes, what),
    }
}

/// Check that `bytes` can be allocated at all, before a computation spreads
/// them over many small buffers (for example one per worker thread): the
/// probe reserves the block and frees it at once, touching no page.
pub fn ensure_fits(bytes: usize, what: &str) -> Result<()> {
    try_vec::<u8>(bytes, what).map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn impossible_sizes_are_errors_that_name_the_size() {
        let e = try_vec::<f64>(1usize << 60, "the study").unwrap_err().to_string();
        assert!(e.starts_with("the study needs 9223.4 PB of memory"), "{e}");
        let e = ensure_fits(usize::MAX / 2, "x").unwrap_err().to_string();
        assert!(e.contains("x needs"), "{e}");
        assert!(product(usize::MAX, 2, "n").is_err());
        // Beyond RAM + swap is refused even where a reservation would succeed.
        if let Some(m) = machine_memory() {
            assert!(ensure_fits(m + 1, "y").is_err());
            assert!(ensure_fits(1 << 20, "y").is_ok());
        }
    }

    #[test]
    fn feasible_sizes_work_and_bytes_format() {
        assert_eq!(try_vec::<f64>(10, "x").unwrap().capacity(), 10);
        assert_eq!(format_bytes(512), "512 bytes");
        assert_eq!(format_bytes(80_000_000_080), "80.0 GB");
        assert_eq!(format_bytes(1_500), "1.5 KB");
    }
}
