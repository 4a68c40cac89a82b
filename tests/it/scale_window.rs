//! The windowed data path (issue 10): every report built from what
//! `app::load` reads for it equals the same report built from the whole
//! database, on the demo team (seed 7, today 2026-11-24), for several
//! periods, as of several days; and the per-rep quarter figures equal the
//! same numbers computed by plain SQL over the database file.

use chrono::NaiveDate;
use pipedeck::app::load::{Context, Need, Snaps, load};
use pipedeck::demo;
use pipedeck::domain::metrics::goals;
use pipedeck::domain::{Dataset, Settings};
use pipedeck::report::Input;
use pipedeck::report::agenda::AgendaReport;
use pipedeck::report::anomalies::AnomaliesReport;
use pipedeck::report::drill::DrillReport;
use pipedeck::report::hygiene::HygieneReport;
use pipedeck::report::metrics::{MetricsFilter, MetricsReport};
use pipedeck::storage::Store;

pub(crate) fn d(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

pub(crate) struct Fixture {
    _dir: tempfile::TempDir,
    pub(crate) path: std::path::PathBuf,
    pub(crate) settings: Settings,
}

pub(crate) fn demo_db() -> Fixture {
    let settings = Settings::default();
    let cal = settings.calendar().expect("calendar");
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("demo.db");
    let team = demo::generate(7, d("2026-11-24"), &settings, &cal);
    let mut store = Store::open(&path).expect("store");
    demo::write(&team, &mut store).expect("write");
    Fixture {
        _dir: dir,
        path,
        settings,
    }
}

pub(crate) fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string_pretty(v).expect("json")
}

/// The whole database with the stages in force: what every report read
/// through its window is held equal to.
pub(crate) fn everything(store: &Store, settings: &Settings) -> Dataset {
    let mut data = store.load_dataset().expect("all");
    data.stages = settings.effective_stages(&data.stages);
    data
}

/// The cockpit's environment on the demo's day (2026-11-24), with its
/// calendar and day.
pub(crate) fn cockpit_env(
    settings: &Settings,
) -> (
    pipedeck::app::Env,
    pipedeck::domain::period::Calendar,
    NaiveDate,
) {
    let cal = settings.calendar().expect("calendar");
    let today = d("2026-11-24");
    let env = pipedeck::app::Env {
        settings: settings.clone(),
        cal,
        today,
    };
    (env, cal, today)
}

/// A report's input on `data`, without snapshots.
pub(crate) fn input<'a>(
    data: &'a Dataset,
    settings: &'a Settings,
    cal: &'a pipedeck::domain::period::Calendar,
    today: NaiveDate,
    period: Option<pipedeck::domain::Period>,
) -> Input<'a> {
    Input {
        data,
        snapshots: &[],
        settings,
        cal,
        today,
        period,
    }
}

#[test]
fn every_report_from_its_window_equals_the_report_from_everything() {
    let f = demo_db();
    let store = Store::open_read_only(&f.path).expect("open");
    let settings = &f.settings;
    let cal = settings.calendar().expect("calendar");
    let reps = store.load_reps().expect("reps");
    let goals = goals::merge(&settings.goals, &store.load_goals().expect("goals"));
    let sessions = store.load_review_sessions().expect("sessions");
    // The rules' context on a day.
    let on = |today| Context {
        settings,
        cal: &cal,
        today,
        reps: &reps,
        goals: &goals,
        sessions: &sessions,
    };
    let full = everything(&store, settings);
    let filter = MetricsFilter {
        goals: Some(goals.clone()),
        ..MetricsFilter::default()
    };
    let mut compared = 0;
    for (today, period) in [
        ("2026-11-24", "2026-Q3"),
        ("2026-11-24", "last-week"),
        ("2026-06-30", "2026-Q2"),
    ] {
        let today = d(today);
        let p = cal.parse_period(period, today).expect("period");
        let cx = on(today);
        let (m, _) = load(
            &store,
            settings,
            &cal,
            Need::Metrics(p),
            &cx,
            None,
            Snaps::None,
        )
        .unwrap();
        assert_eq!(
            json(&MetricsReport::build(
                &input(&m, settings, &cal, today, Some(p)),
                &filter
            )),
            json(&MetricsReport::build(
                &input(&full, settings, &cal, today, Some(p)),
                &filter
            )),
            "metrics {period}"
        );
        assert!(
            m.activities.len() < full.activities.len(),
            "a window, not all"
        );
        let first_touches = |d: &Dataset| d.lookback.as_ref().map_or(0, |l| l.first_touch.len());
        assert!(first_touches(&m) > 0, "the metrics read first touches");
        let (a, _) = load(
            &store,
            settings,
            &cal,
            Need::Anomalies(p),
            &cx,
            None,
            Snaps::None,
        )
        .unwrap();
        assert_eq!(
            json(&AnomaliesReport::build(
                &input(&a, settings, &cal, today, Some(p)),
                &filter
            )),
            json(&AnomaliesReport::build(
                &input(&full, settings, &cal, today, Some(p)),
                &filter
            )),
            "anomalies {period}"
        );
        let (r, _) = load(&store, settings, &cal, Need::Review, &cx, None, Snaps::None).unwrap();
        assert_eq!(first_touches(&r), 0, "hygiene and the agenda read none");
        let before = r.lookback.as_ref().expect("a window");
        assert!(
            !before.deal_touches.is_empty() && !before.account_touches.is_empty(),
            "the review reads the last touches before its window, not their rows"
        );
        assert_eq!(
            json(&HygieneReport::build(
                &input(&r, settings, &cal, today, None),
                None
            )),
            json(&HygieneReport::build(
                &input(&full, settings, &cal, today, None),
                None
            )),
            "hygiene on {today}"
        );
        assert_eq!(
            json(&AgendaReport::build(
                &input(&r, settings, &cal, today, None),
                &sessions
            )),
            json(&AgendaReport::build(
                &input(&full, settings, &cal, today, None),
                &sessions
            )),
            "agenda on {today}"
        );
        compared += 4;
    }
    // The drill-down reads its period for every rep and the one it is
    // compared with for its rep alone: two ranges with a gap between them
    // for a quarter to date.
    let today = d("2026-11-24");
    let cx = on(today);
    for period in ["qtd", "2026-Q3", "last-week"] {
        let p = cal.parse_period(period, today).expect("period");
        for (rep, metric) in [
            ("ae-01", "win_rate"),
            ("ae-02", "bookings"),
            ("ae-03", "meetings"),
            ("ae-04", "days_between_touches"),
            ("sdr-01", "meetings_set"),
            ("sdr-02", "accounts_engaged"),
        ] {
            let (w, _) = load(
                &store,
                settings,
                &cal,
                Need::Drill(p, rep.into()),
                &cx,
                None,
                Snaps::None,
            )
            .unwrap();
            let drill = |data| {
                DrillReport::build(&input(data, settings, &cal, today, Some(p)), rep, metric)
                    .map(|r| json(&r))
            };
            assert_eq!(drill(&w), drill(&full), "drill {rep} {metric} {period}");
            compared += 1;
        }
    }
    assert_eq!(compared, 12 + 18);
}

/// The cockpit reads the reps grid's windows together (the metrics of the
/// period on screen, the anomalies of their own period and of that
/// period), on a connection of its own, and builds its four reports on one
/// index of them (`tui::loader`): each equals the same report built from
/// the whole database, for a week, a month and a quarter on screen, for
/// the anomalies' period picked, and for a rep filter.
#[test]
fn the_cockpits_grid_read_together_equals_each_report_from_everything() {
    use pipedeck::report::cuts::CutReport;
    use pipedeck::tui::loader::{self, Reload, Request};
    let f = demo_db();
    let store = Store::open(&f.path).expect("open");
    let settings = &f.settings;
    let (env, cal, today) = cockpit_env(settings);
    let full = everything(&store, settings);
    let of = |period| input(&full, settings, &cal, today, Some(period));
    let filter = MetricsFilter::default();
    let week = cal.parse_period("last-week", today).expect("week");
    let month = cal.month_containing(today);
    // The period on screen, the anomalies' own (none picked: the last
    // complete week; a prefetch names the period on screen) and the rep
    // filter (the anomalies follow it, the metrics and the grid's flags
    // do not).
    for (period, picked, rep) in [
        (cal.week_containing(today), None, None),
        (month, None, None),
        (cal.quarter_containing(today), None, None),
        (month, Some(month), None),
        (month, None, Some("ae-03")),
    ] {
        let req = Request {
            generation: 1,
            period,
            rep: rep.map(|r| pipedeck::domain::RepId(r.into())),
            anomalies_period: picked,
            own_view: false,
            parts: Reload::ALL,
            deal: None,
        };
        let views = loader::load(&store, &env, &req).expect("load").views;
        let case = format!("{period}, anomalies of {picked:?}, rep {rep:?}");
        assert_eq!(
            json(&views.metrics),
            json(&MetricsReport::build(&of(period), &filter)),
            "metrics: {case}"
        );
        assert_eq!(
            json(&views.cuts),
            json(&CutReport::build_all(&of(period))),
            "cuts: {case}"
        );
        let own = picked.unwrap_or(week);
        let rep_filter = MetricsFilter {
            rep: rep.map(String::from),
            ..MetricsFilter::default()
        };
        assert_eq!(
            json(&views.anomalies),
            json(&AnomaliesReport::build(&of(own), &rep_filter)),
            "anomalies: {case}"
        );
        // The grid's flags: the anomalies themselves when the periods are one.
        let flags = match own == period {
            true => AnomaliesReport::build(&of(period), &rep_filter),
            false => AnomaliesReport::build(&of(period), &filter),
        };
        assert_eq!(
            json(&views.rep_anomalies),
            json(&flags),
            "the grid's flags: {case}"
        );
        assert!(!views.metrics.reps.is_empty() && !views.anomalies.anomalies.is_empty());
        if let Some(rep) = rep {
            assert!(views.anomalies.anomalies.iter().all(|a| a.rep_id == rep));
        }
    }
}

/// The reference query of issue 10 (bench/reference.sql's aggregates) over
/// the demo file, against `report metrics` for the same quarter.
#[test]
fn per_rep_quarter_metrics_equal_plain_sql() {
    let f = demo_db();
    let conn = rusqlite::Connection::open(&f.path).expect("sqlite");
    let sql = include_str!("../../bench/reference.sql");
    let mut stmt = conn.prepare(sql).expect("prepare");
    let rows: Vec<(String, i64, i64, i64, i64, i64, f64)> = stmt
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        })
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    let out = assert_cmd::Command::cargo_bin("pipedeck")
        .expect("bin")
        .args(["--today", "2026-11-24", "--db"])
        .arg(&f.path)
        .args([
            "report", "metrics", "--period", "2026-Q3", "--format", "json",
        ])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let mut checked = 0;
    for rep in report["reps"].as_array().expect("reps") {
        if rep["role"] != "AE" {
            continue;
        }
        let id = rep["rep_id"].as_str().expect("id");
        let row = rows.iter().find(|r| r.0 == id).expect("rep in SQL");
        let m = &rep["metrics"];
        let v = |k: &str| m[k]["value"].as_f64().expect(k);
        assert_eq!(v("meetings"), row.1 as f64, "{id} meetings");
        assert_eq!(v("calls"), row.2 as f64, "{id} calls");
        assert_eq!(v("won"), row.4 as f64, "{id} won");
        assert_eq!(v("lost"), row.5 as f64, "{id} lost");
        assert!((v("bookings") - row.6).abs() < 0.005, "{id} bookings");
        checked += 1;
    }
    // The eight AEs of the demo (two of them ramping) were active in 2026-Q3.
    assert!(checked >= 6, "{checked} AEs checked");
}

/// Accuracy reads no history when every closed quarter has a snapshot in
/// its first week (the demo's weekly snapshots start 2025-09-01, before its
/// first quarter with data, 2025-Q4), and, once one quarter's call must
/// be rebuilt from it, the history of the deals that may have been open
/// then; both equal the report built from the whole database.
#[test]
fn accuracy_reads_history_only_when_a_quarter_start_is_rebuilt() {
    use pipedeck::report::accuracy::AccuracyReport;
    let f = demo_db();
    let today = d("2026-11-24");
    let cal = f.settings.calendar().expect("calendar");
    let windowed_and_full = || {
        let store = Store::open_read_only(&f.path).expect("open");
        let read = pipedeck::app::accuracy::load(&store, &f.settings, &cal, today, None).unwrap();
        let full = everything(&store, &f.settings);
        let snaps = store.load_snapshots().expect("snapshots");
        let input = |data, snapshots| Input {
            data,
            snapshots,
            settings: &f.settings,
            cal: &cal,
            today,
            period: None,
        };
        (
            read.data.history.len(),
            full.history.len(),
            json(&AccuracyReport::build_with(
                &input(&read.data, &read.snapshots),
                read.calls,
            )),
            json(&AccuracyReport::build(&input(&full, &snaps))),
        )
    };
    let (read, all, windowed, full) = windowed_and_full();
    assert_eq!(read, 0, "no quarter is rebuilt: no history read");
    assert!(all > 0);
    assert_eq!(windowed, full);
    assert!(
        windowed.contains("\"rebuilt_from_history\": []"),
        "{windowed}"
    );
    // Without the snapshots of 2026-Q2's first week, its call is rebuilt.
    let conn = rusqlite::Connection::open(&f.path).expect("open");
    conn.execute_batch(
        "DELETE FROM snapshot_rows WHERE snapshot_id IN
           (SELECT id FROM forecast_snapshots WHERE taken_on >= '2026-04-01' AND taken_on < '2026-04-08');
         DELETE FROM forecast_snapshots WHERE taken_on >= '2026-04-01' AND taken_on < '2026-04-08';",
    )
    .expect("delete");
    drop(conn);
    let (read, all, windowed, full) = windowed_and_full();
    // A quarter rebuilt: the history of the deals that may have been open
    // on its first day (and of the won ones), not of those closed before.
    assert!(read > 0 && read < all, "{read} of {all} history rows read");
    assert_eq!(windowed, full);
    assert!(
        windowed.contains("\"rebuilt_from_history\": [\n    \"2026-04-01\"\n  ]"),
        "{windowed}"
    );
}

/// What the review (hygiene, the agenda, a session's close) reads of
/// `store` on `today`: its window, as `app::load` reads it.
pub(crate) fn review_window(store: &Store, settings: &Settings, today: NaiveDate) -> Dataset {
    let cal = settings.calendar().expect("calendar");
    let reps = store.load_reps().expect("reps");
    let sessions = store.load_review_sessions().expect("sessions");
    let cx = Context {
        settings,
        cal: &cal,
        today,
        reps: &reps,
        goals: &[],
        sessions: &sessions,
    };
    load(store, settings, &cal, Need::Review, &cx, None, Snaps::None)
        .expect("the review's window")
        .0
}

/// The review's window covers the deal score's engagement window too: with
/// `stale_days` shorter than `score.engagement_days` (9 against 30), the
/// hygiene list's scores and the agenda read from the window equal those
/// read from the whole database.
#[test]
fn the_review_window_covers_the_scores_engagement_days() {
    let f = demo_db();
    let settings = Settings {
        stale_days: 9,
        ..Settings::default()
    };
    assert!(settings.score.engagement_days > settings.stale_days + 2);
    let store = Store::open_read_only(&f.path).expect("open");
    let cal = settings.calendar().expect("calendar");
    let sessions = store.load_review_sessions().expect("sessions");
    let today = d("2026-11-24");
    let r = review_window(&store, &settings, today);
    let full = everything(&store, &settings);
    let input = |data| Input {
        data,
        snapshots: &[],
        settings: &settings,
        cal: &cal,
        today,
        period: None,
    };
    let (windowed, whole) = (
        HygieneReport::build(&input(&r), None),
        HygieneReport::build(&input(&full), None),
    );
    assert!(
        windowed.rows.len() > 10,
        "{} deals listed",
        windowed.rows.len()
    );
    let scores = |r: &HygieneReport| {
        r.rows
            .iter()
            .map(|row| (row.opportunity_id.0.to_string(), row.score.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(scores(&windowed), scores(&whole), "the scores");
    assert_eq!(json(&windowed), json(&whole), "hygiene and its scores");
    assert_eq!(
        json(&AgendaReport::build(&input(&r), &sessions)),
        json(&AgendaReport::build(&input(&full), &sessions)),
        "agenda"
    );
}

/// The cockpit scores every open deal once and gives the scores to its
/// agenda and hygiene list: the same reports, to the byte, as the command
/// line's, which score the deals they list.
#[test]
fn the_review_from_shared_scores_equals_the_review_scored_deal_by_deal() {
    let f = demo_db();
    let store = Store::open_read_only(&f.path).expect("open");
    let settings = &f.settings;
    let cal = settings.calendar().expect("calendar");
    let sessions = store.load_review_sessions().expect("sessions");
    let today = d("2026-11-24");
    let r = review_window(&store, settings, today);
    let input = Input {
        data: &r,
        snapshots: &[],
        settings,
        cal: &cal,
        today,
        period: None,
    };
    let basis = pipedeck::report::hygiene::ReviewBasis::of(&input);
    let ae = pipedeck::domain::RepId("ae-02".into());
    for rep in [None, Some(&ae)] {
        let listed = HygieneReport::build(&input, rep);
        assert!(listed.rows.iter().all(|row| row.score.is_some()));
        assert!(!listed.rows.is_empty());
        assert_eq!(
            json(&listed),
            json(&HygieneReport::build_scored(&input, &basis).of_rep(rep)),
            "hygiene of {rep:?}"
        );
    }
    let agenda = AgendaReport::build(&input, &sessions);
    assert!(!agenda.scores.is_empty());
    assert_eq!(
        json(&agenda),
        json(&AgendaReport::build_scored(&input, &sessions, &basis))
    );
}

/// The metrics, the anomaly rules and the drill-down read the stage and
/// amount changes of their deals and no other change; `--as-of`, which
/// rewinds the deals with their history, and the review read every field.
#[test]
fn the_metrics_read_the_stage_and_amount_history_and_a_rewind_every_field() {
    let f = demo_db();
    let store = Store::open_read_only(&f.path).expect("open");
    let cal = f.settings.calendar().expect("calendar");
    let today = d("2026-11-24");
    let p = cal.parse_period("2026-Q3", today).expect("period");
    let fields = |need, as_of| {
        let (data, _) = pipedeck::app::load::load_one(
            &store,
            &f.settings,
            &cal,
            today,
            need,
            as_of,
            Snaps::None,
        )
        .unwrap();
        let mut fields: Vec<&str> = data.history.iter().map(|h| h.field.as_str()).collect();
        fields.sort_unstable();
        fields.dedup();
        fields
    };
    let rep = store.load_reps().expect("reps")[0].id.clone();
    for need in [
        Need::Metrics(p),
        Need::Anomalies(p),
        Need::Drill(p, rep.clone()),
    ] {
        assert_eq!(fields(need.clone(), None), ["amount", "stage"], "{need:?}");
    }
    let every = [
        "amount",
        "close_date",
        "forecast_category",
        "stage",
        "status",
    ];
    assert_eq!(fields(Need::Metrics(p), Some(d("2026-10-15"))), every);
    assert_eq!(fields(Need::Drill(p, rep), Some(d("2026-10-15"))), every);
    assert_eq!(fields(Need::Review, None), every);
}
