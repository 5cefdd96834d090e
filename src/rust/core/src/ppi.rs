//! Prediction-powered inference (PPI) and its power-tuned variant (PPI++).
