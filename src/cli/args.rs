//! Command-line values of the lower layers' enums: their names live here, in
//! `cli/`, so `report` and `domain` know nothing of clap (a value parser per
//! enum, listing its names in `--help`).

use crate::report::Format;
use crate::report::cuts::By;
use crate::report::score::SortKey;
use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};

/// `--format table|csv|json|md`.
pub fn format() -> impl TypedValueParser<Value = Format> {
    PossibleValuesParser::new(["table", "csv", "json", "md"]).map(|s| match s.as_str() {
        "csv" => Format::Csv,
        "json" => Format::Json,
        "md" => Format::Md,
        _ => Format::Table,
    })
}

/// `--by segment|icp_tier|industry|channel|stage_at_creation`.
pub fn by() -> impl TypedValueParser<Value = By> {
    PossibleValuesParser::new([
        PossibleValue::new("segment"),
        PossibleValue::new("icp_tier").alias("icp-tier"),
        PossibleValue::new("industry"),
        PossibleValue::new("channel"),
        PossibleValue::new("stage_at_creation").alias("stage-at-creation"),
    ])
    .map(|s| match s.as_str() {
        "segment" => By::Segment,
        "icp_tier" | "icp-tier" => By::IcpTier,
        "industry" => By::Industry,
        "channel" => By::Channel,
        _ => By::StageAtCreation,
    })
}

/// `--sort amount|score`.
pub fn sort() -> impl TypedValueParser<Value = SortKey> {
    PossibleValuesParser::new(["amount", "score"]).map(|s| match s.as_str() {
        "score" => SortKey::Score,
        _ => SortKey::Amount,
    })
}
