//! The hygiene and agenda reports.

use super::Ctx;
use super::report::{ReportArgs, ReportName, input};
use crate::app::load::{Need, Snaps};
use crate::domain::model::RepId;
use crate::report::agenda::AgendaReport;
use crate::report::hygiene::HygieneReport;
use crate::report::render;
use crate::storage::Store;

/// Builds and renders the report named in `args`; returns the text to print.
/// With `--as-of DATE` the rules run on that date, over the data as it stood then.
pub fn run(ctx: &Ctx, store: &Store, args: &ReportArgs) -> anyhow::Result<String> {
    let (data, _) = ctx.load(store, Need::Review, args.as_of, Snaps::None)?;
    let input = input(ctx, &data, args.as_of.unwrap_or(ctx.today), None);
    let rep = args.rep.as_deref().map(RepId::from);
    let out = match args.name {
        ReportName::Agenda => {
            let sessions = store.load_review_sessions()?;
            let sort = args.sort.unwrap_or_default();
            render(
                &AgendaReport::build(&input, &sessions).sorted(sort),
                args.format,
            )
        }
        _ => {
            let report = HygieneReport::build(&input, rep.as_ref());
            render(&report.sorted(args.sort.unwrap_or_default()), args.format)
        }
    };
    out.map_err(anyhow::Error::msg)
}
