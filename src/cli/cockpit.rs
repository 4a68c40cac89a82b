//! `pipedeck` with no command: the cockpit.

use super::{Ctx, View};
use crate::tui::{self, app::Start};
use std::process::ExitCode;

/// Opens the cockpit: the manager's home, a rep's morning view (`--rep`),
/// or the founder's forecast view (`--view forecast`).
pub fn open_cockpit(
    ctx: &Ctx,
    rep: Option<String>,
    view: Option<View>,
) -> anyhow::Result<ExitCode> {
    let start = match (rep, view) {
        (Some(id), _) => Start::Rep(crate::domain::RepId(id.into())),
        (None, Some(View::Forecast)) => Start::Forecast,
        (None, Some(View::Manager) | None) => Start::Manager,
    };
    // Open (and migrate) the database once, here, so a bad path fails
    // before the screen changes; the cockpit's worker takes it over. A
    // database we may not write opens read-only, edits disabled (the
    // cockpit says so); it gets no snapshot.
    let mut store = ctx.open_with(crate::storage::Store::open_writable_or_read_only)?;
    if let Start::Rep(id) = &start
        && !store.load_reps()?.iter().any(|r| &r.id == id)
    {
        anyhow::bail!("--rep {id}: no such rep in {}", ctx.db_path.display());
    }
    // A goal that applies to no one is said on the status line at start.
    let goals = crate::app::goals(&store, &ctx.settings)?;
    let stages = crate::app::stages(&store, &ctx.settings)?;
    let unmatched = crate::domain::metrics::goals::on_no_open_stage(&goals, &stages);
    let notice = unmatched.first().map(|first| match unmatched.len() {
        1 => first.clone(),
        n => format!("{first} (and {} more such goals)", n - 1),
    });
    // Today's forecast snapshot (at most one a day): the deals open today
    // are read only when there is none yet.
    let now = super::snapshot_instant(&ctx.cal, ctx.today, chrono::Utc::now());
    let day = ctx.cal.local_date(now);
    if !store.is_read_only() && store.latest_snapshot_date()?.is_none_or(|d| d < day) {
        let open = super::open_for_snapshot(ctx, &store, now)?;
        super::ensure_daily_snapshot(&mut store, &open, &ctx.cal, now)?;
    }
    tui::run(tui::Options {
        store,
        db_path: ctx.db_path.clone(),
        env: ctx.env(),
        follows_clock: !ctx.today_fixed,
        ui: ctx.ui.clone(),
        start,
        no_color: tui::theme::no_color_requested(),
        notice,
    })?;
    Ok(ExitCode::SUCCESS)
}
