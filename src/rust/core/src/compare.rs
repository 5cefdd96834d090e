//! Monte Carlo comparison of estimators on fully labelled data: repeatedly
//! hide labels, refit every method, score against the full-data truth.
