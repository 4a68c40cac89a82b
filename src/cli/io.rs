//! `pipedeck import` and `pipedeck export`.

use super::Ctx;
use crate::import::{self, ImportError};
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
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Directory to write the CSV set into (created if missing).
    pub dir: PathBuf,
}

pub fn import(ctx: &Ctx, args: ImportArgs) -> anyhow::Result<ExitCode> {
    let created = !ctx.db_path.exists();
    let mut store = ctx.create_store()?;
    let code = import_into(ctx, &mut store, &args);
    // A database this command created and then imported nothing into (a
    // refused import, a dry run) is removed again: no empty database is
    // left behind by a mistake.
    let landed = matches!(code, Ok(c) if c == ExitCode::SUCCESS) && !args.dry_run;
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
    let checks = import::Checks {
        today: Some(ctx.today),
        strict: args.strict,
    };
    let result = import::run_checked(store, &args.paths, &opts, checks, &mut |done, total| {
        if let Some(bar) = &bar {
            bar.set_length(total);
            bar.set_position(done);
        }
    });
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let counts = match result {
        Ok((c, warnings)) => {
            for w in &warnings {
                eprintln!("warning: {w}");
            }
            if !warnings.is_empty() {
                eprintln!(
                    "pipedeck: {} implausible row(s) imported anyway; `import --strict` refuses them",
                    warnings.len()
                );
            }
            c
        }
        Err(ImportError::Rows(rows)) => {
            for r in &rows {
                eprintln!("{r}");
            }
            eprintln!(
                "pipedeck: error: {} rejected row(s); nothing was imported",
                rows.len()
            );
            return Ok(ExitCode::from(1));
        }
        Err(e) => return Err(e.into()),
    };
    if args.dry_run {
        println!("dry run: nothing was written");
    }
    println!(
        "{:<22} {:>8} {:>8} {:>10}",
        "entity", "new", "changed", "unchanged"
    );
    for (entity, c) in import::summary(&counts) {
        println!(
            "{:<22} {:>8} {:>8} {:>10}",
            entity, c.new, c.changed, c.unchanged
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn export(ctx: &Ctx, args: ExportArgs) -> anyhow::Result<ExitCode> {
    let store = ctx.open_store_read()?;
    let counts = import::export::export(&store, &args.dir)?;
    for (file, n) in counts {
        println!("{}/{file}.csv: {n} rows", args.dir.display());
    }
    Ok(ExitCode::SUCCESS)
}
