//! `pipedeck` with no command: the cockpit.

use super::{Ctx, View};
use std::process::ExitCode;

pub fn open_cockpit(
    _ctx: &Ctx,
    _rep: Option<String>,
    _view: Option<View>,
) -> anyhow::Result<ExitCode> {
    Err(anyhow::anyhow!(
        "`open_cockpit` is not available in this build yet"
    ))
}
