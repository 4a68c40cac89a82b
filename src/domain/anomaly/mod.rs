//! Anomaly rules.
