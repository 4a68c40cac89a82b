//! `pipedeck snapshot`.

use super::Ctx;
use std::process::ExitCode;

pub fn snapshot(_ctx: &Ctx) -> anyhow::Result<ExitCode> {
    Err(anyhow::anyhow!(
        "`snapshot` is not available in this build yet"
    ))
}
