//! Every report in every format, on the demo, on an empty database and on a
//! database with deals but no activities: no panic, CSV one rectangle that a
//! spreadsheet reads as data (no formulas, no `—`), no control character
//! from data in any format. `render_all` is also the before/after of the
//! export round trip (`trust_export.rs`).

use chrono::NaiveDate;
use pipedeck::domain::Settings;
use pipedeck::domain::metrics::goals;
use pipedeck::report::accuracy::AccuracyReport;
use pipedeck::report::agenda::AgendaReport;
use pipedeck::report::anomalies::AnomaliesReport;
use pipedeck::report::drill::DrillReport;
use pipedeck::report::forecast::ForecastReport;
use pipedeck::report::hygiene::HygieneReport;
use pipedeck::report::metrics::{MetricsFilter, MetricsReport};
use pipedeck::report::pipeline::PipelineReport;
use pipedeck::report::waterfall::WaterfallReport;
use pipedeck::report::{Format, Input, Report, render};
use pipedeck::storage::Store;
use std::collections::BTreeMap;
use std::path::Path;

pub const FORMATS: [(Format, &str); 4] = [
    (Format::Table, "table"),
    (Format::Csv, "csv"),
    (Format::Json, "json"),
    (Format::Md, "md"),
];

fn all_formats<R: Report>(name: &str, r: &R, out: &mut BTreeMap<String, String>) {
    for (f, fname) in FORMATS {
        let text = render(r, f).unwrap_or_else(|e| panic!("{name} {fname}: {e}"));
        out.insert(format!("{name}.{fname}"), text);
    }
}

/// Every report of `pipedeck report` (and `review agenda`) in every format,
/// keyed `name.format`, as the CLI builds them on `today`.
pub fn render_all(store: &Store, today: NaiveDate) -> BTreeMap<String, String> {
    let settings = Settings::default();
    let cal = settings.calendar().unwrap();
    let mut data = store.load_dataset().unwrap();
    data.stages = settings.effective_stages(&data.stages);
    let snapshots = store.load_snapshots().unwrap();
    let sessions = store.load_review_sessions().unwrap();
    let input = Input {
        data: &data,
        snapshots: &snapshots,
        settings: &settings,
        cal: &cal,
        today,
        period: None,
    };
    let filter = MetricsFilter {
        rep: None,
        role: None,
        goals: Some(goals::merge(&settings.goals, &store.load_goals().unwrap())),
    };
    let mut out = BTreeMap::new();
    let pipeline = PipelineReport {
        as_of: today,
        currency: settings.currency.clone(),
        pipeline: pipedeck::domain::pipeline::open_pipeline(&data),
    };
    all_formats("pipeline", &pipeline, &mut out);
    all_formats("metrics", &MetricsReport::build(&input, &filter), &mut out);
    all_formats(
        "anomalies",
        &AnomaliesReport::build(&input, &filter),
        &mut out,
    );
    if let Some(ae) = data
        .reps
        .iter()
        .find(|r| r.role == pipedeck::domain::Role::Ae)
    {
        let drill = DrillReport::build(&input, ae.id.as_str(), "bookings").unwrap();
        all_formats("drill", &drill, &mut out);
    }
    all_formats("hygiene", &HygieneReport::build(&input, None), &mut out);
    all_formats("agenda", &AgendaReport::build(&input, &sessions), &mut out);
    all_formats("forecast", &ForecastReport::build(&input), &mut out);
    // Without snapshots both ends are rebuilt from history (issue 13).
    if let Ok(w) = WaterfallReport::build(&input, None, None) {
        all_formats("waterfall", &w, &mut out);
    }
    all_formats("accuracy", &AccuracyReport::build(&input), &mut out);
    let quarter = input.cal.quarter_containing(input.today);
    let week_ago = input.today - chrono::Days::new(7);
    let movement =
        pipedeck::report::movement::MovementReport::build(&input, quarter, week_ago, None).unwrap();
    all_formats("movement", &movement, &mut out);
    out
}

/// What every rendering must hold, whatever the data.
fn check_all(what: &str, outputs: &BTreeMap<String, String>) {
    for (key, text) in outputs {
        assert!(
            !text.chars().any(|c| c.is_control() && c != '\n'),
            "{what} {key}: a control character reached the output"
        );
        if key.ends_with(".csv") {
            let mut r = csv::ReaderBuilder::new()
                .has_headers(true)
                .from_reader(text.as_bytes());
            let width = r.headers().unwrap().len();
            for rec in r.records() {
                let rec = rec.unwrap_or_else(|e| panic!("{what} {key}: {e}"));
                assert_eq!(rec.len(), width, "{what} {key}");
                for cell in rec.iter() {
                    assert_ne!(cell, "—", "{what} {key}: undefined is an empty cell");
                    assert!(
                        !cell.starts_with(['=', '+', '@']),
                        "{what} {key}: formula {cell:?}"
                    );
                    if cell.starts_with('-') {
                        let n = cell.trim_end_matches('%');
                        assert!(n.parse::<f64>().is_ok(), "{what} {key}: {cell:?}");
                    }
                }
            }
        }
        if key.ends_with(".json") {
            serde_json::from_str::<serde_json::Value>(text)
                .unwrap_or_else(|e| panic!("{what} {key}: {e}"));
        }
    }
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
}

#[test]
fn every_report_in_every_format_on_the_demo() {
    let s = Settings::default();
    let d = pipedeck::demo::generate(7, today(), &s, &s.calendar().unwrap());
    let mut store = Store::open_in_memory().unwrap();
    pipedeck::demo::write(&d, &mut store).unwrap();
    let out = render_all(&store, today());
    // Ten reports (the demo has snapshots for the waterfall), four formats.
    assert_eq!(out.len(), 40, "{:?}", out.keys().collect::<Vec<_>>());
    check_all("demo", &out);
}

#[test]
fn every_report_in_every_format_on_an_empty_database() {
    let store = Store::open_in_memory().unwrap();
    let out = render_all(&store, today());
    // No AE for the drill; the waterfall is rebuilt from (empty) history.
    assert_eq!(out.len(), 36);
    check_all("empty", &out);
}

/// The native fixture without its activities, imported in memory.
pub fn import_dir(store: &mut Store, dir: &Path) {
    let s = Settings::default();
    let cal = s.calendar().unwrap();
    let opts = pipedeck::import::Options {
        format: pipedeck::import::Format::Auto,
        dry_run: false,
        settings: &s,
        cal: &cal,
    };
    pipedeck::import::run(store, &[dir.to_path_buf()], &opts, &mut |_, _| {})
        .unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn every_report_in_every_format_with_deals_but_no_activities() {
    let dir = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/native");
    for f in ["reps", "accounts", "contacts", "opportunities"] {
        std::fs::copy(
            src.join(format!("{f}.csv")),
            dir.path().join(format!("{f}.csv")),
        )
        .unwrap();
    }
    let mut store = Store::open_in_memory().unwrap();
    import_dir(&mut store, dir.path());
    let out = render_all(&store, today());
    // Ten reports (the waterfall rebuilt from history), four formats.
    assert_eq!(out.len(), 40);
    check_all("no activities", &out);
}
