//! `pipedeck bench`: times reports and the cockpit on generated data.

use super::Ctx;
use clap::Args;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct BenchArgs {}

pub fn bench(_ctx: &Ctx, _args: BenchArgs) -> anyhow::Result<ExitCode> {
    Err(anyhow::anyhow!(
        "`bench` is not available in this build yet"
    ))
}
