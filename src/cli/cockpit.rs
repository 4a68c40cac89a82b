//! `pipedeck` with no command: the cockpit.

use super::{Ctx, View};
use crate::tui::{self, app::Start, loader::Env};
use std::process::ExitCode;

/// Opens the cockpit: the manager's home, a rep's morning view (`--rep`),
/// or the founder's forecast view (`--view forecast`).
pub fn open_cockpit(
    ctx: &Ctx,
    rep: Option<String>,
    view: Option<View>,
) -> anyhow::Result<ExitCode> {
    let start = match (rep, view) {
        (Some(id), _) => Start::Rep(crate::domain::RepId(id)),
        (None, Some(View::Forecast)) => Start::Forecast,
        (None, Some(View::Manager) | None) => Start::Manager,
    };
    if let Some(Start::Rep(id)) = Some(&start) {
        let store = ctx.open_store_read()?;
        let reps = store.load_reps()?;
        if !reps.iter().any(|r| &r.id == id) {
            anyhow::bail!("--rep {id}: no such rep in {}", ctx.db_path.display());
        }
    }
    // Open (and migrate) the database here, so a bad path fails before the
    // screen changes, and take today's forecast snapshot (at most one a day).
    // A database we may not write opens read-only, edits disabled (the
    // cockpit says so); it gets no snapshot.
    {
        let mut store = crate::storage::Store::open_writable_or_read_only(&ctx.db_path)?;
        if store.is_read_only() {
            return tui_run(ctx, start);
        }
        // The deals open today and their history: what a snapshot holds.
        let (live, _) = ctx.load(&store, crate::app::load::Need::Pipeline, None, false)?;
        let now = super::snapshot_instant(&ctx.cal, ctx.today, chrono::Utc::now());
        let data = crate::domain::asof::dataset_as_of(&live, now + chrono::Duration::seconds(1));
        super::ensure_daily_snapshot(&mut store, &data, &ctx.cal, now)?;
    }
    tui_run(ctx, start)
}

fn tui_run(ctx: &Ctx, start: Start) -> anyhow::Result<ExitCode> {
    tui::run(tui::Options {
        db_path: ctx.db_path.clone(),
        env: Env {
            settings: ctx.settings.clone(),
            cal: ctx.cal,
            today: ctx.today,
        },
        start,
        no_color: tui::theme::no_color_requested(),
    })?;
    Ok(ExitCode::SUCCESS)
}
