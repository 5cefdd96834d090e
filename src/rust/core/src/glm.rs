//! Generalised linear model pieces: scores, Hessians, Newton fits.
