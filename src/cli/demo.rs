//! `pipedeck demo`: build the demo team and open the cockpit on it.

use super::Ctx;
use crate::demo;
use crate::storage::Store;
use anyhow::{Context, bail};
use clap::Args;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// The `meta` key and value that mark a database as made by `pipedeck demo`.
pub const MADE_BY: (&str, &str) = ("made_by", "pipedeck demo");

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Seed of the generator: the same seed and --today give the same team.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Only build the database; do not open the cockpit.
    #[arg(long)]
    pub no_tui: bool,
    /// Print the situations planted in the demo and exit.
    #[arg(long)]
    pub explain: bool,
    /// Size of the org: small (12 reps, five quarters; the default), medium
    /// (2 pods, 24 reps, three years), large (16 pods, 192 reps, three years).
    #[arg(long, default_value = "small", value_parser = parse_scale)]
    pub scale: demo::Scale,
}

fn parse_scale(s: &str) -> Result<demo::Scale, String> {
    s.parse()
}

pub fn demo(ctx: &Ctx, args: DemoArgs) -> anyhow::Result<ExitCode> {
    demo::check_stages(&ctx.settings).map_err(anyhow::Error::msg)?;
    if args.explain {
        let team = demo::generate(args.seed, ctx.today, &ctx.settings, &ctx.cal);
        print!("{}", demo::explain(&team.planted, &team.reps));
        return Ok(ExitCode::SUCCESS);
    }
    let path = demo_db_path(ctx)?;
    clear_previous_demo(&path)?;
    let started = Instant::now();
    let mut store = Store::open(&path)?;
    // Marked first: a demo interrupted half-way is still replaced next time.
    store.set_meta(MADE_BY.0, MADE_BY.1)?;
    let written = demo::write_scaled(
        args.scale,
        args.seed,
        ctx.today,
        &ctx.settings,
        &ctx.cal,
        &mut store,
    )
    .with_context(|| format!("writing the demo to {}", path.display()))?;
    drop(store);
    let t = written.totals;
    println!(
        "demo team (seed {}, today {}) written to {} in {:.1} s",
        args.seed,
        ctx.today,
        path.display(),
        started.elapsed().as_secs_f64()
    );
    println!(
        "  {} reps, {} accounts, {} contacts, {} opportunities ({} history rows), \
         {} activities, {} weekly snapshots",
        t.reps, t.accounts, t.contacts, t.opportunities, t.history, t.activities, t.snapshots
    );
    println!(
        "  {} planted situations: pipedeck --today {} demo --seed {} --explain",
        t.planted, ctx.today, args.seed
    );
    // A plain `pipedeck` opens the default database, not the demo's: say
    // how to come back to this one.
    let full = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
    let reopen = format!(
        "  reopen it: pipedeck --today {} --db {}",
        ctx.today,
        full.display()
    );
    if args.no_tui {
        println!("{reopen}");
        return Ok(ExitCode::SUCCESS);
    }
    let on_demo = Ctx {
        settings: ctx.settings.clone(),
        cal: ctx.cal,
        today: ctx.today,
        today_fixed: ctx.today_fixed,
        db_path: path,
        db_explicit: true,
        config_path: ctx.config_path.clone(),
        ui: ctx.ui.clone(),
    };
    let code = super::cockpit::open_cockpit(&on_demo, None, None)?;
    println!("{reopen}");
    Ok(code)
}

/// `--db`/`PIPEDECK_DB` when given, else `demo.db` beside the default
/// database, so the demo never lands in the user's real `pipedeck.db`.
fn demo_db_path(ctx: &Ctx) -> anyhow::Result<PathBuf> {
    if ctx.db_explicit {
        return Ok(ctx.db_path.clone());
    }
    Ok(ctx.db_path.with_file_name("demo.db"))
}

/// Removes a previous demo (or an empty database) at `path`; refuses to touch
/// anything else.
fn clear_previous_demo(path: &Path) -> anyhow::Result<()> {
    if !path.exists() {
        return Ok(());
    }
    // Looked at as it is: a file of an older pipedeck is not upgraded only
    // to be replaced, or refused.
    let replaceable = {
        let store = Store::open_as_it_is(path).with_context(|| {
            format!(
                "refusing to overwrite {}: it is not a pipedeck database",
                path.display()
            )
        })?;
        store.meta(MADE_BY.0)?.as_deref() == Some(MADE_BY.1) || store.is_empty()?
    };
    if !replaceable {
        bail!(
            "refusing to overwrite {}: it holds data not made by `pipedeck demo`; \
             pass --db with another path",
            path.display()
        );
    }
    for suffix in ["", "-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let file = PathBuf::from(name);
        if file.exists() {
            std::fs::remove_file(&file)
                .with_context(|| format!("removing the previous demo {}", file.display()))?;
        }
    }
    Ok(())
}
