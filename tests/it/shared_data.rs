//! The public data sets of `../shared/data`, named by `PIPEDECK_SHARED_DATA`.
//! Tests that read them are `#[ignore]`d so that a run without the data
//! never looks like a pass; `.ci/run` sets the variable and runs them with
//! `--include-ignored`, and run without it they fail saying so.

use std::path::PathBuf;

/// The folder of one data set; panics (failing the test) when the variable is unset.
pub fn dir(set: &str) -> PathBuf {
    let root = std::env::var_os("PIPEDECK_SHARED_DATA")
        .expect("PIPEDECK_SHARED_DATA must name ../shared/data to run this test");
    PathBuf::from(root).join(set)
}
