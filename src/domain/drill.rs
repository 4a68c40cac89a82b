//! Drill-down.
