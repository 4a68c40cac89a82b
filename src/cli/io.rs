//! `pipedeck import` and `pipedeck export`.

use super::Ctx;
use clap::{Args, ValueEnum};
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
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Directory to write the CSV set into (created if missing).
    pub dir: PathBuf,
}

pub fn import(_ctx: &Ctx, _args: ImportArgs) -> anyhow::Result<ExitCode> {
    Err(anyhow::anyhow!(
        "`import` is not available in this build yet"
    ))
}

pub fn export(_ctx: &Ctx, _args: ExportArgs) -> anyhow::Result<ExitCode> {
    Err(anyhow::anyhow!(
        "`export` is not available in this build yet"
    ))
}
