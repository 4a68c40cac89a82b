//! Edits from the command line: `deal`, `log`, `snooze`, `review`.

use super::Ctx;
use clap::{Args, Subcommand};
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum ReviewCommand {
    /// Open a review session; edits made until `review end` carry its id.
    Start,
    /// End the open review session and print its closing report.
    End,
    /// Print the agenda of the review.
    Agenda,
}

#[derive(Debug, Args)]
pub struct DealArgs {
    /// Opportunity id.
    pub id: String,
}

#[derive(Debug, Args)]
pub struct LogArgs {}

#[derive(Debug, Args)]
pub struct SnoozeArgs {}

pub fn review(_ctx: &Ctx, _cmd: ReviewCommand) -> anyhow::Result<ExitCode> {
    Err(anyhow::anyhow!(
        "`review` is not available in this build yet"
    ))
}

pub fn deal(_ctx: &Ctx, _args: DealArgs) -> anyhow::Result<ExitCode> {
    Err(anyhow::anyhow!("`deal` is not available in this build yet"))
}

pub fn log(_ctx: &Ctx, _args: LogArgs) -> anyhow::Result<ExitCode> {
    Err(anyhow::anyhow!("`log` is not available in this build yet"))
}

pub fn snooze(_ctx: &Ctx, _args: SnoozeArgs) -> anyhow::Result<ExitCode> {
    Err(anyhow::anyhow!(
        "`snooze` is not available in this build yet"
    ))
}
