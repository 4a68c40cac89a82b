//! Report values that every output shares, and their renderers: one model,
//! many renderers. A report is a serde struct (its JSON is the stable
//! interface of SPEC §11) that can also lay itself out as tables; the table,
//! CSV and Markdown renderers work on those tables.

pub mod accuracy;
pub mod agenda;
pub mod anomalies;
pub mod cuts;
pub mod drill;
pub mod forecast;
pub mod hygiene;
pub mod metrics;
pub mod movement;
pub mod pipeline;
mod render;
pub mod review;
pub mod score;
pub mod waterfall;

pub use render::{render, render_tables};

use serde::Serialize;

/// What every report is built from: loaded once per change of data or
/// period, shared by the CLI and the cockpit.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    pub data: &'a crate::domain::Dataset,
    /// Forecast snapshots, oldest first (empty when a report needs none).
    pub snapshots: &'a [crate::domain::Snapshot],
    pub settings: &'a crate::domain::Settings,
    pub cal: &'a crate::domain::period::Calendar,
    /// "Today" for every rule.
    pub today: chrono::NaiveDate,
    /// The period asked for (reports that have one); defaults per report otherwise.
    pub period: Option<crate::domain::Period>,
}

impl<'a> Input<'a> {
    /// The metrics' index over the input's data on its day, one for every
    /// report built from it. `stages` are the configured ones
    /// (`Settings::stage_list`), for data that holds none.
    pub fn metrics_index(
        &self,
        stages: &'a [crate::domain::Stage],
    ) -> crate::domain::metrics::Index<'a> {
        crate::domain::metrics::Index::new(self.data, *self.cal, self.settings.stale_days, stages)
            .with_today(self.today)
    }
}

/// Output formats of `pipedeck report`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Csv,
    Json,
    Md,
}

/// How a column lines up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Align {
    Left,
    Right,
}

/// A column of a table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Column {
    pub name: String,
    pub align: Align,
}

impl Column {
    pub fn left(name: &str) -> Column {
        Column {
            name: name.to_string(),
            align: Align::Left,
        }
    }

    pub fn right(name: &str) -> Column {
        Column {
            name: name.to_string(),
            align: Align::Right,
        }
    }
}

/// One table of a report: cells are already formatted text (undefined values are `—`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    pub title: Option<String>,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<String>>,
    /// Lines printed under the table (table and Markdown only).
    pub notes: Vec<String>,
}

impl Table {
    pub fn new(title: impl Into<Option<String>>, columns: Vec<Column>) -> Table {
        Table {
            title: title.into(),
            columns,
            rows: Vec::new(),
            notes: Vec::new(),
        }
    }
}

/// A report: serializable (JSON) and laid out as tables (table, CSV, Markdown).
pub trait Report: Serialize {
    /// The report as tables. CSV output uses the first table only, unless
    /// the report says otherwise by returning one.
    fn tables(&self) -> Vec<Table>;

    /// Markdown, when a report wants more than its tables (an agenda, say).
    fn markdown(&self) -> Option<String> {
        None
    }

    /// The tables its CSV writes, when not [`Report::tables`] (a table laid
    /// out for reading, whose cells hold more than one number).
    fn csv_tables(&self) -> Vec<Table> {
        self.tables()
    }

    /// Whether its CSV names each row's table (the `table` column) even
    /// when it has one: a report whose number of tables follows the data
    /// (a table per rep) keeps one header on every database.
    fn csv_names_tables(&self) -> bool {
        false
    }
}

/// Text for an undefined value.
pub const UNDEFINED: &str = "—";

/// Formats an optional number with `decimals` places, `—` when undefined.
pub fn fmt_opt(v: Option<f64>, decimals: usize) -> String {
    v.map_or_else(|| UNDEFINED.to_string(), |x| format!("{x:.decimals$}"))
}

/// Formats a share as a percentage with one decimal, `—` when undefined.
pub fn fmt_pct(v: Option<f64>) -> String {
    v.map_or_else(|| UNDEFINED.to_string(), |x| format!("{:.1}%", x * 100.0))
}

/// Money as major units in JSON (kept beside `Money`, in the domain).
pub use crate::domain::money::major as money_major;
