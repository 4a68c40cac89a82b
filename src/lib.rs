//! pipedeck: a terminal cockpit for running a B2B sales team by its numbers.
//!
//! Layers (see ARCHITECTURE.md): `domain` ← `storage` · `import` · `report` ← `app` ← `cli` · `tui`.

pub mod app;
pub mod cli;
pub mod config;
pub mod demo;
pub mod domain;
pub mod import;
pub mod report;
pub mod storage;
pub mod text;
pub mod tui;
