//! Two-step GMM combining labelled data, proxies and synthetic samples.
