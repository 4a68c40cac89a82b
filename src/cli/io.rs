//! `pipedeck import` and `pipedeck export`.

use super::Ctx;
use crate::domain::crm::Crm;
use crate::import::{self, ImportError};
use chrono::NaiveDate;
use clap::{Args, ValueEnum};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImportFormat {
    Auto,
    Native,
    Maven,
    Salesforce,
    Hubspot,
    Pipedrive,
}

impl From<ImportFormat> for import::Format {
    fn from(f: ImportFormat) -> import::Format {
        match f {
            ImportFormat::Auto => import::Format::Auto,
            ImportFormat::Native => import::Format::Native,
            ImportFormat::Maven => import::Format::Maven,
            ImportFormat::Salesforce => import::Format::Salesforce,
            ImportFormat::Hubspot => import::Format::Hubspot,
            ImportFormat::Pipedrive => import::Format::Pipedrive,
        }
    }
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// CSV files or directories of CSV files.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "auto")]
    pub format: ImportFormat,
    /// Show per entity how many rows would be new, changed and unchanged; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Refuse the import when any row is implausible (dates far in the past or
    /// future, closed before created), not only when one is impossible.
    #[arg(long)]
    pub strict: bool,
    /// Take the CRM's value over local edits it has not seen yet (default: keep and list them).
    #[arg(long)]
    pub overwrite_local: bool,
    /// Read every file as a flat deal export through this column mapping (docs/mappings/).
    #[arg(long, value_name = "FILE.toml", conflicts_with = "format")]
    pub mapping: Option<PathBuf>,
}

/// A CRM to write back to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CrmArg {
    Salesforce,
    Hubspot,
    Pipedrive,
}

impl From<CrmArg> for Crm {
    fn from(c: CrmArg) -> Crm {
        match c {
            CrmArg::Salesforce => Crm::Salesforce,
            CrmArg::Hubspot => Crm::Hubspot,
            CrmArg::Pipedrive => Crm::Pipedrive,
        }
    }
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Directory to write the CSV set (or, with --changes, the update file) into (created if missing).
    pub dir: PathBuf,
    /// Write the local edits the CRM has not seen as the CRM's update file.
    #[arg(long, requires = "for_crm")]
    pub changes: bool,
    /// With --changes: every edit made on or after this date (even if seen back).
    #[arg(long, value_parser = super::parse_date, value_name = "DATE", requires = "changes")]
    pub since: Option<NaiveDate>,
    /// With --changes: the CRM whose update file to write.
    #[arg(long = "for", value_enum, value_name = "CRM", requires = "changes")]
    pub for_crm: Option<CrmArg>,
    /// Replace the files of an earlier export in DIR (refused without it).
    #[arg(long, conflicts_with = "changes")]
    pub overwrite: bool,
}

pub fn import(ctx: &Ctx, args: ImportArgs) -> anyhow::Result<ExitCode> {
    let created = !ctx.db_path.exists();
    let mut store = ctx.create_store()?;
    let code = import_into(ctx, &mut store, &args);
    // A database this command created and then imported nothing into (a
    // refused import, a dry run) is removed again: no empty database is
    // left behind by a mistake.
    let landed = matches!(code, Ok(c) if c == ExitCode::SUCCESS) && !args.dry_run;
    // A demo something was imported into holds the team's data now: a later
    // `pipedeck demo` must not replace it.
    if landed && store.meta(super::demo::MADE_BY.0)?.as_deref() == Some(super::demo::MADE_BY.1) {
        store.delete_meta(super::demo::MADE_BY.0)?;
    }
    if created && !landed {
        drop(store);
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut p = ctx.db_path.clone().into_os_string();
            p.push(suffix);
            let _ = std::fs::remove_file(p);
        }
    }
    code
}

fn import_into(
    ctx: &Ctx,
    store: &mut crate::storage::Store,
    args: &ImportArgs,
) -> anyhow::Result<ExitCode> {
    let opts = import::Options {
        format: args.format.into(),
        dry_run: args.dry_run,
        settings: &ctx.settings,
        cal: &ctx.cal,
    };
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_message("importing");
        bar
    });
    let mapping = match &args.mapping {
        Some(p) => Some(import::mapping::load(p)?),
        None => None,
    };
    let rt = import::RoundTrip {
        overwrite_local: args.overwrite_local,
        mapping,
        // Stamped as an edit is: on `--today`, at the clock's time of day.
        now: crate::app::edit::now(&ctx.env(), chrono::Utc::now()),
        checks: import::Checks {
            today: Some(ctx.today),
            strict: args.strict,
        },
    };
    let result = import::run_with(store, &args.paths, &opts, &rt, &mut |done, total| {
        if let Some(bar) = &bar {
            bar.set_length(total);
            bar.set_position(done);
        }
    });
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let outcome = match result {
        Ok(c) => {
            let warnings = &c.warnings;
            for w in warnings {
                eprintln!("warning: {}", crate::text::sanitize(&w.to_string()));
            }
            if !warnings.is_empty() {
                eprintln!(
                    "pipedeck: {} implausible row(s) imported anyway; `import --strict` refuses them",
                    import::error::distinct_rows(warnings)
                );
            }
            c
        }
        Err(ImportError::Rows(rows)) => {
            // File names and values may hold escape sequences.
            for r in &rows {
                eprintln!("{}", crate::text::sanitize(&r.to_string()));
            }
            eprintln!(
                "pipedeck: error: {} rejected row(s); nothing was imported",
                import::error::distinct_rows(&rows)
            );
            return Ok(ExitCode::from(1));
        }
        Err(e) => return Err(e.into()),
    };
    let counts = &outcome.counts;
    if args.dry_run {
        println!("dry run: nothing was written");
    }
    println!(
        "{:<22} {:>8} {:>8} {:>10}",
        "entity", "new", "changed", "unchanged"
    );
    for (entity, c) in import::summary(counts) {
        println!(
            "{:<22} {:>8} {:>8} {:>10}",
            entity, c.new, c.changed, c.unchanged
        );
    }
    print_edits(
        &outcome.kept,
        "local edit(s) the CRM has not seen were kept (--overwrite-local takes the CRM's):",
    );
    print_edits(
        &outcome.overwritten,
        "local edit(s) were replaced by the CRM's value (--overwrite-local, or a loss reason of a deal the CRM reopened):",
    );
    Ok(ExitCode::SUCCESS)
}

/// Lists kept or replaced local edits: `file:line  deal  field  local "…"  CRM "…"`
/// (`file "…"` for a file no CRM record names, a backup say).
fn print_edits(list: &[import::round_trip::Kept], title: &str) {
    if list.is_empty() {
        return;
    }
    println!("{} {title}", list.len());
    for k in list {
        let v = |x: &Option<String>| crate::text::sanitize(&k.field.shown(x.as_deref()));
        println!(
            "  {}  {}  {}  local {:?}  {} {:?}",
            crate::text::sanitize(&k.at),
            crate::text::sanitize(&k.deal),
            k.field,
            v(&k.local),
            k.source.label(),
            v(&k.crm)
        );
    }
}

pub fn export(ctx: &Ctx, args: ExportArgs) -> anyhow::Result<ExitCode> {
    let store = ctx.open_store_read()?;
    let dir_name = || crate::text::sanitize(&args.dir.display().to_string());
    if let (true, Some(crm)) = (args.changes, args.for_crm) {
        // Its files only: beside a backup or a CRM's export, the update
        // file kept the directory from importing. Its own are replaced.
        let others = import::export::other_csv_files(&args.dir, &import::writeback::own_files());
        if !others.is_empty() {
            anyhow::bail!(
                "{}: holds CSV files `export --changes` does not write ({}); an update file \
                 beside them would keep the directory from importing: name another directory",
                dir_name(),
                crate::text::sanitize(&others.join(", "))
            );
        }
        let since = args.since.map(|d| ctx.cal.start_of(d));
        let changes = import::writeback::changes(&store, crm.into(), since)?;
        for (path, n) in import::writeback::write(&changes, &args.dir)? {
            let path = path.display().to_string();
            println!("{}: {n} rows", crate::text::sanitize(&path));
        }
        for a in &changes.apart {
            println!(
                "  not written: {} ({}) {} = {:?}: {}",
                crate::text::sanitize(&a.deal),
                crate::text::sanitize(&a.name),
                a.field,
                crate::text::sanitize(&a.field.shown(Some(&a.value))),
                a.why
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    if args.dir.exists() && !args.dir.is_dir() {
        anyhow::bail!(
            "{}: not a directory; export writes the CSV set into a directory",
            args.dir.display()
        );
    }
    // A backup's directory holds the backup alone: an import of it reads
    // every CSV file there (`--overwrite` replaces an export, nothing else).
    let others = import::export::other_csv_files(&args.dir, &import::export::own_files());
    if !others.is_empty() {
        anyhow::bail!(
            "{}: holds CSV files an export does not write ({}); an import of the directory \
             would read them beside the backup: name another directory",
            dir_name(),
            crate::text::sanitize(&others.join(", "))
        );
    }
    let there = import::export::existing(&args.dir);
    if !there.is_empty() && !args.overwrite {
        anyhow::bail!(
            "{}: already holds an export ({}); pass --overwrite to replace it, or name another directory",
            dir_name(),
            there.join(", ")
        );
    }
    let counts = import::export::export(&store, &args.dir)?;
    let dir = crate::text::sanitize(&args.dir.display().to_string());
    for (file, n) in counts {
        println!("{dir}/{file}.csv: {n} rows");
    }
    Ok(ExitCode::SUCCESS)
}
