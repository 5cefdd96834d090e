//! Conversions shared by the binding modules.

use extendr_api::prelude::*;

/// Turn a core result into an extendr result whose error text is the core's
/// message, so R shows the user exactly what went wrong.
pub fn core<T>(r: synthinfer_core::Result<T>) -> extendr_api::Result<T> {
    r.map_err(|e| Error::Other(e.to_string()))
}
