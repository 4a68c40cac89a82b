//! `pipedeck demo`: build the demo team and open the cockpit on it.

use super::Ctx;
use clap::Args;
use std::process::ExitCode;

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
}

pub fn demo(_ctx: &Ctx, _args: DemoArgs) -> anyhow::Result<ExitCode> {
    Err(anyhow::anyhow!("`demo` is not available in this build yet"))
}
