//! The metrics, anomalies and drill reports.

use super::Ctx;
use super::report::ReportArgs;
use crate::storage::Store;

/// Builds and renders the report named in `args`; returns the text to print.
pub fn run(_ctx: &Ctx, _store: &Store, args: &ReportArgs) -> anyhow::Result<String> {
    Err(anyhow::anyhow!(
        "report {:?} is not available in this build yet",
        args.name
    ))
}
