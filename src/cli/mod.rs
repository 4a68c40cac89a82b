//! The command line (SPEC §11): clap derive, one place where flags, the
//! environment, the config file and the defaults are resolved, and a thin
//! dispatch to the layers below.

mod args;
mod bench;
mod bench_db;
mod cockpit;
mod demo;
mod edit;
mod forecast;
mod io;
mod kept;
mod report;
mod report_forecast;
mod report_metrics;
mod report_review;

pub use bench::*;
pub use bench_db::*;
pub use cockpit::*;
pub use demo::*;
pub use edit::*;
pub use forecast::*;
pub use io::*;

use crate::config;
use crate::domain::period::Calendar;
use crate::domain::{Dataset, Settings, Snapshot};
use crate::storage::{self, Store};
use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

/// pipedeck — a terminal cockpit for running a B2B sales team by its numbers.
#[derive(Debug, Parser)]
#[command(name = "pipedeck", version, about, long_about = None)]
pub struct Cli {
    /// Database file [default: pipedeck.db in the platform data directory].
    #[arg(long, env = "PIPEDECK_DB", global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Config file [default: config.toml in the platform config directory; env PIPEDECK_CONFIG].
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Fix "today" for every rule (YYYY-MM-DD) [default: the local date].
    #[arg(long, global = true, value_name = "DATE", value_parser = parse_date)]
    pub today: Option<NaiveDate>,
    /// Open the cockpit on a rep's morning view.
    #[arg(long, value_name = "ID")]
    pub rep: Option<String>,
    /// Open the cockpit on a view.
    #[arg(long, value_enum)]
    pub view: Option<View>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The cockpit's ways in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum View {
    /// The manager's home: review agenda, hygiene, reps at a glance.
    Manager,
    /// The founder's forecast view.
    Forecast,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build a realistic demo team in a fresh database and open the cockpit on it.
    Demo(DemoArgs),
    /// Import CSV files or directories (format detected from the header row).
    Import(ImportArgs),
    /// Write the database as pipedeck's CSV set into DIR.
    Export(ExportArgs),
    /// Take a forecast snapshot for today.
    Snapshot,
    /// Print a report.
    Report(report::ReportArgs),
    /// Run the weekly pipeline review from the command line.
    #[command(subcommand)]
    Review(ReviewCommand),
    /// Edit one deal: stage, close date, amount, category, next step, close, tag, action item.
    Deal(DealArgs),
    /// Log a call, email or meeting.
    Log(LogArgs),
    /// Snooze a flagged deal with a reason until a date.
    Snooze(SnoozeArgs),
    /// Configuration files.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Time the main reports and the cockpit on generated data.
    Bench(BenchArgs),
    /// Check the database file for damaged pages (nothing is written).
    Check,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the built-in default configuration (it documents every setting).
    PrintDefault,
    /// Print where the config file and the database are looked for.
    Path,
    /// Check a config file and print the settings in force.
    Check,
}

/// Everything a command needs, resolved once: settings, calendar, today, paths.
pub struct Ctx {
    pub settings: Settings,
    pub cal: Calendar,
    pub today: NaiveDate,
    /// Whether today was fixed by `--today` (else it is the clock's date,
    /// which a cockpit left open past midnight follows).
    pub today_fixed: bool,
    pub db_path: PathBuf,
    /// Whether the database was named by `--db`/`PIPEDECK_DB` (else the default).
    pub db_explicit: bool,
    pub config_path: Option<PathBuf>,
    /// The cockpit's keys and colours, from the same config file.
    pub ui: crate::tui::config::UiConfig,
}

/// The database a command works on: `--db` (or `PIPEDECK_DB`), else the
/// platform's default.
fn db_path_of(cli: &Cli) -> anyhow::Result<std::path::PathBuf> {
    match &cli.db {
        Some(p) => Ok(p.clone()),
        None => storage::default_db_path().map_err(anyhow::Error::msg),
    }
}

impl Ctx {
    /// Resolves flag > environment > config file > default, once.
    pub fn from_cli(cli: &Cli) -> anyhow::Result<Ctx> {
        let source = config::read(cli.config.as_deref())?;
        let settings = match &source {
            Some(src) => config::parse(&src.text, &src.path)?,
            None => Settings::default(),
        };
        let ui = crate::tui::config::UiConfig::of(source.as_ref())?;
        let cal = settings.calendar().map_err(anyhow::Error::msg)?;
        let today = cli
            .today
            .unwrap_or_else(|| cal.local_date(chrono::Utc::now()));
        let db_path = db_path_of(cli)?;
        Ok(Ctx {
            settings,
            cal,
            today,
            today_fixed: cli.today.is_some(),
            db_path,
            db_explicit: cli.db.is_some(),
            config_path: config::resolve_path(cli.config.as_deref()),
            ui,
        })
    }

    /// Opens the existing database for reading and writing (edits): a
    /// missing file is an error naming how to create one, never a new database.
    pub fn open_store(&self) -> anyhow::Result<Store> {
        self.open_with(Store::open_existing)
    }

    /// Opens the existing database read-only (reports, export): a read-only
    /// file or directory can be read, and nothing is ever written.
    pub fn open_store_read(&self) -> anyhow::Result<Store> {
        self.open_with(Store::open_read_only)
    }

    /// Opens the database, creating it if missing: `import` only (`demo`
    /// has its own rules).
    pub fn create_store(&self) -> anyhow::Result<Store> {
        self.open_with(Store::open)
    }

    /// Opens the database by `open` (one of [`Store`]'s ways), first
    /// saying on stderr when the file is about to be upgraded: a file of
    /// an older pipedeck is migrated once, and a migration may build
    /// indexes over every row, which takes a while on a large file.
    pub fn open_with(
        &self,
        open: impl FnOnce(&std::path::Path) -> crate::storage::Result<Store>,
    ) -> anyhow::Result<Store> {
        if let Some(found) = crate::storage::older_schema(&self.db_path) {
            eprintln!(
                "pipedeck: {} was written by an older pipedeck (schema {found}); upgrading it \
                 to schema {} once, which takes a while on a large file…",
                self.db_path.display(),
                crate::storage::SCHEMA_VERSION
            );
        }
        Ok(open(&self.db_path)?)
    }

    /// The settings, calendar and today the use cases of `app` take.
    pub fn env(&self) -> crate::app::Env {
        crate::app::Env {
            settings: self.settings.clone(),
            cal: self.cal,
            today: self.today,
        }
    }

    /// What `need` reads (a window of the database, see `app::load`), as of
    /// the end of `as_of` when given; and the snapshots `snapshots` names.
    pub fn load(
        &self,
        store: &Store,
        need: crate::app::load::Need,
        as_of: Option<NaiveDate>,
        snapshots: crate::app::load::Snaps<'_>,
    ) -> anyhow::Result<(Dataset, Vec<Snapshot>)> {
        Ok(crate::app::load::load_one(
            store,
            &self.settings,
            &self.cal,
            self.today,
            need,
            as_of,
            snapshots,
        )?)
    }
}

/// Writes a command's output to stdout. A reader that went away (`| head`)
/// is not an error: the output simply stops, as with any Unix tool.
pub fn emit(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

/// Parses `YYYY-MM-DD` for clap (`app::parse_date`, as the cockpit's prompts).
pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    crate::app::parse_date(s)
}

/// A usage error found after parsing (options that do not go together):
/// exit 2, as clap's own.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Usage(pub String);

/// Runs the command line; exit 0 on success, 2 on usage errors, 1 otherwise.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    ExitCode::SUCCESS
                }
                _ => ExitCode::from(2),
            };
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            // Line by line: file names and values from data may hold escape
            // sequences.
            let text = error_text(&e);
            let lines: Vec<String> = text.lines().map(crate::text::sanitize).collect();
            eprintln!("pipedeck: error: {}", lines.join("\n"));
            if e.downcast_ref::<Usage>().is_some() {
                ExitCode::from(2)
            } else {
                ExitCode::from(1)
            }
        }
    }
}

/// An error and its causes, joined by `: `, each cause said once: many
/// errors already say their cause in their own message.
fn error_text(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if out.contains(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    if let Some(Command::Config(ConfigCommand::PrintDefault)) = &cli.command {
        print!("{}", config::DEFAULT_CONFIG);
        return Ok(ExitCode::SUCCESS);
    }
    // Where the files are is asked most when the config is broken: said
    // without reading it.
    if let Some(Command::Config(ConfigCommand::Path)) = &cli.command {
        match config::resolve_path(cli.config.as_deref()) {
            Some(p) => println!("config:   {}", p.display()),
            None => println!("config:   (no config directory; built-in defaults)"),
        }
        println!("database: {}", db_path_of(&cli)?.display());
        return Ok(ExitCode::SUCCESS);
    }
    let ctx = Ctx::from_cli(&cli)?;
    match cli.command {
        None => open_cockpit(&ctx, cli.rep, cli.view),
        Some(Command::Demo(args)) => demo(&ctx, args),
        Some(Command::Import(args)) => import(&ctx, args),
        Some(Command::Export(args)) => export(&ctx, args),
        Some(Command::Snapshot) => snapshot(&ctx),
        Some(Command::Report(args)) => report::run(&ctx, args),
        Some(Command::Review(cmd)) => review(&ctx, cmd),
        Some(Command::Deal(args)) => deal(&ctx, args),
        Some(Command::Log(args)) => log(&ctx, args),
        Some(Command::Snooze(args)) => snooze(&ctx, args),
        Some(Command::Bench(args)) => bench(&ctx, args),
        Some(Command::Check) => {
            storage::Store::check_file(&ctx.db_path)?;
            println!("{}: no damaged page", ctx.db_path.display());
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Config(ConfigCommand::PrintDefault)) => unreachable!("handled above"),
        Some(Command::Config(ConfigCommand::Path)) => unreachable!("handled above"),
        Some(Command::Config(ConfigCommand::Check)) => {
            // The cockpit's keys and colours too: what it would refuse fails here.
            ctx.ui.check().map_err(|e| {
                let at = ctx
                    .config_path
                    .as_ref()
                    .map_or(String::new(), |p| format!("{}: ", p.display()));
                anyhow::anyhow!("{at}{e}")
            })?;
            for w in crate::config::implausible(&ctx.settings) {
                eprintln!("warning: {}", crate::text::sanitize(&w));
            }
            print!(
                "{}",
                toml::to_string_pretty(&ctx.settings).map_err(anyhow::Error::msg)?
            );
            print!(
                "\n{}",
                toml::to_string_pretty(&ctx.ui).map_err(anyhow::Error::msg)?
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn verify_cli() {
        Cli::command().debug_assert();
    }
}
