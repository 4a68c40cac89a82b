//! Snapshots read by their rules (issue 10): the forecast, the waterfall,
//! the call's movement and the cockpit's review part read the rows of the
//! snapshots their own rules pick (`app::load::Snaps`), not every stored
//! snapshot; each report built from those equals the same report built
//! from every snapshot, for ends with a stored snapshot, ends rebuilt from
//! history, ends before the first snapshot, and as of past days.
//!
//! The database: the demo team (seed 7, today 2026-11-24; weekly snapshots
//! on Mondays from 2025-09-01), plus daily snapshots from 17 to 21 November
//! whose amounts differ from the live deals (a wrong pick shows), without
//! those of 12 and 19 October (a day in the gap has no snapshot in its
//! week: it is rebuilt), and 150 deals stripped of their history (rebuilt
//! ends take the latest earlier snapshot for them), all of them open on
//! 5 October.

use chrono::{NaiveDate, TimeZone, Utc};
use pipedeck::app::load::{Context, Need, Snaps, load, rule};
use pipedeck::demo;
use pipedeck::domain::metrics::goals;
use pipedeck::domain::{Dataset, Money, Period, Settings, Snapshot};
use pipedeck::report::Input;
use pipedeck::report::forecast::ForecastReport;
use pipedeck::report::movement::{MovementReport, reads};
use pipedeck::report::waterfall::{WaterfallReport, read_by_build, rebuilt_days};
use pipedeck::storage::Store;
use pipedeck::tui::loader::{Env, Reload, Request, build_review, review_reads};

fn d(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

const TODAY: &str = "2026-11-24";
/// A day before any of the demo's history: a read from it holds all of it.
const LONG_AGO: &str = "2000-01-01";

/// The demo file with the daily snapshots and the deals without history.
fn database() -> (tempfile::TempDir, std::path::PathBuf, Settings) {
    let settings = Settings::default();
    let cal = settings.calendar().expect("calendar");
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("demo.db");
    let team = demo::generate(7, d(TODAY), &settings, &cal);
    let mut store = Store::open(&path).expect("store");
    demo::write(&team, &mut store).expect("write");
    let base = store
        .load_snapshots()
        .expect("snapshots")
        .into_iter()
        .rfind(|s| s.taken_on == d("2026-11-16"))
        .expect("the demo's snapshot of 16 November");
    let mut tx = store.begin().expect("tx");
    for (n, day) in [
        "2026-11-17",
        "2026-11-18",
        "2026-11-19",
        "2026-11-20",
        "2026-11-21",
    ]
    .into_iter()
    .enumerate()
    {
        let mut s = Snapshot {
            taken_on: d(day),
            taken_at: Utc.from_utc_datetime(&d(day).and_hms_opt(18, 0, 0).expect("time")),
            rows: base.rows.clone(),
        };
        for r in &mut s.rows {
            r.amount = r.amount.map(|a| a + Money(100_000 * (n as i64 + 1)));
        }
        assert!(tx.insert_snapshot(&s).expect("insert"), "{day} is new");
    }
    tx.commit().expect("commit");
    drop(store);
    let conn = rusqlite::Connection::open(&path).expect("sqlite");
    conn.execute_batch(
        "DROP TRIGGER history_no_delete;
         DELETE FROM opportunity_history WHERE opportunity_id IN
             (SELECT opportunity_id FROM snapshot_rows WHERE snapshot_id =
                 (SELECT id FROM forecast_snapshots WHERE taken_on = '2026-10-05')
              ORDER BY opportunity_id LIMIT 150);
         DELETE FROM snapshot_rows WHERE snapshot_id IN (SELECT id FROM forecast_snapshots
             WHERE taken_on IN ('2026-10-12', '2026-10-19'));
         DELETE FROM forecast_snapshots WHERE taken_on IN ('2026-10-12', '2026-10-19');",
    )
    .expect("strip history");
    (dir, path, settings)
}

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string_pretty(v).expect("json")
}

/// The loads of one day (as of `as_of` when given).
struct Loads<'a> {
    store: &'a Store,
    settings: &'a Settings,
    cal: &'a pipedeck::domain::period::Calendar,
    cx: Context<'a>,
    as_of: Option<NaiveDate>,
}

impl Loads<'_> {
    fn get(&self, need: Need, snaps: Snaps<'_>) -> (Dataset, Vec<Snapshot>) {
        load(
            self.store,
            self.settings,
            self.cal,
            need,
            &self.cx,
            self.as_of,
            snaps,
        )
        .expect("load")
    }

    fn input<'b>(&'b self, data: &'b (Dataset, Vec<Snapshot>), p: Option<Period>) -> Input<'b> {
        Input {
            data: &data.0,
            snapshots: &data.1,
            settings: self.settings,
            cal: self.cal,
            today: self.cx.today,
            period: p,
        }
    }
}

#[test]
fn each_report_from_the_snapshots_it_picks_equals_the_report_from_all() {
    let (_dir, path, settings) = database();
    let store = Store::open_read_only(&path).expect("open");
    let cal = settings.calendar().expect("calendar");
    let reps = store.load_reps().expect("reps");
    let goals = goals::merge(&settings.goals, &store.load_goals().expect("goals"));
    let stored = store.snapshot_heads().expect("heads").len();
    assert_eq!(
        stored,
        65 + 5 - 2,
        "the demo's weekly snapshots and the daily ones"
    );
    let mut compared = 0;
    for as_of in [
        None,
        Some(d("2026-11-20")),
        Some(d("2026-10-15")),
        Some(d("2025-06-30")),
    ] {
        let today = as_of.unwrap_or(d(TODAY));
        let loads = Loads {
            store: &store,
            settings: &settings,
            cal: &cal,
            cx: Context {
                settings: &settings,
                cal: &cal,
                today,
                reps: &reps,
                goals: &goals,
                sessions: &[],
            },
            as_of,
        };
        let quarter = cal.quarter_containing(today);

        // The forecast reads no snapshot of its own: at most `--as-of`'s.
        let picked = loads.get(Need::Standing(quarter), Snaps::AS_OF);
        let all = loads.get(Need::Standing(quarter), Snaps::All);
        assert!(
            picked.1.len() <= 1,
            "{} read as of {as_of:?}",
            picked.1.len()
        );
        assert_eq!(
            json(&ForecastReport::build(&loads.input(&picked, None))),
            json(&ForecastReport::build(&loads.input(&all, None))),
            "forecast as of {as_of:?}"
        );
        compared += 1;

        // The waterfall, by default and between given days, each from the
        // history it reads (from its first day on) against every deal
        // since long before with all of its history.
        let all = loads.get(Need::Waterfall(d(LONG_AGO)), Snaps::All);
        for (from, to) in [
            (None, None),
            (Some("2026-11-01"), None),
            (None, Some("2026-11-19")),
            (Some("2026-10-01"), Some("2026-11-18")),
            (Some("2026-11-20"), Some("2026-11-21")),
            (Some("2025-06-01"), Some("2025-08-01")),
            (Some("2025-06-01"), Some("2026-11-19")),
            (Some("2025-06-01"), Some("2026-10-20")),
            (Some("2026-10-20"), Some("2026-10-24")),
            (Some("2026-11-21"), Some("2026-11-20")),
        ] {
            let (from, to) = (from.map(d), to.map(d));
            let pick = rule(|heads| read_by_build(&cal, today, heads, from, to));
            let need = Need::Waterfall(rebuilt_days(today, from, to).0);
            let picked = loads.get(need, Snaps::Picked(&pick));
            assert!(picked.1.len() <= 3, "{} read", picked.1.len());
            let build =
                |x| WaterfallReport::build(&loads.input(x, None), from, to).map(|r| json(&r));
            assert_eq!(
                build(&picked),
                build(&all),
                "waterfall {from:?}..{to:?} as of {as_of:?}"
            );
            compared += 1;
        }

        // The call's movement from several days to `today`, from the history
        // it reads (from the end of that day on) against all of it.
        let all = loads.get(Need::Forecast(quarter, d(LONG_AGO)), Snaps::All);
        for from in ["2026-11-17", "2026-11-20", "2026-10-10", "2025-07-01"] {
            let from = d(from);
            if from > today {
                continue;
            }
            let days = (today - from).num_days() as u64;
            let pick = rule(|heads| reads(&cal, today, days, heads).into_iter().collect());
            let picked = loads.get(Need::Forecast(quarter, from), Snaps::Picked(&pick));
            assert!(picked.1.len() <= 2, "{} read", picked.1.len());
            let build = |x| {
                MovementReport::build(&loads.input(x, Some(quarter)), quarter, from, None)
                    .map(|r| json(&r))
            };
            assert_eq!(
                build(&picked),
                build(&all),
                "movement from {from} as of {as_of:?}"
            );
            compared += 1;
        }
    }
    assert_eq!(compared, 4 + 4 * 10 + 10);
}

#[test]
fn the_cockpit_review_part_from_the_snapshots_it_picks_equals_it_from_all() {
    let (_dir, path, settings) = database();
    let store = Store::open_read_only(&path).expect("open");
    let cal = settings.calendar().expect("calendar");
    let reps = store.load_reps().expect("reps");
    let goals = goals::merge(&settings.goals, &store.load_goals().expect("goals"));
    let sessions = store.load_review_sessions().expect("sessions");
    let today = d(TODAY);
    let env = Env {
        settings: settings.clone(),
        cal,
        today,
    };
    let cx = Context {
        settings: &settings,
        cal: &cal,
        today,
        reps: &reps,
        goals: &goals,
        sessions: &sessions,
    };
    let get = |need: Need, snaps: Snaps<'_>| {
        load(&store, &settings, &cal, need, &cx, None, snaps).expect("load")
    };
    let review = get(Need::Review, Snaps::None).0;
    let quarter = cal.quarter_containing(today);
    let pick = rule(|heads| review_reads(&env, heads));
    // As the cockpit reads them: the history from a week ago on.
    let (deals, picked) = get(
        Need::Forecast(quarter, pipedeck::tui::loader::week_ago(&env)),
        Snaps::Picked(&pick),
    );
    let (full, all) = get(Need::Forecast(quarter, d(LONG_AGO)), Snaps::All);
    assert!(picked.len() <= 3, "{} read", picked.len());
    for rep in [None, Some("ae-01")] {
        let req = Request {
            generation: 1,
            period: quarter,
            rep: rep.map(Into::into),
            anomalies_period: None,
            own_view: rep.is_some(),
            parts: Reload::ALL,
            deal: None,
        };
        let a = build_review(&env, &review, &deals, &picked, &sessions, &req);
        let b = build_review(&env, &review, &full, &all, &sessions, &req);
        assert_eq!(json(&a.forecast), json(&b.forecast));
        assert_eq!(
            a.waterfall.as_ref().map(json),
            b.waterfall.as_ref().map(json),
            "waterfall, rep {rep:?}"
        );
        assert_eq!(
            a.movement.as_ref().map(json),
            b.movement.as_ref().map(json),
            "movement, rep {rep:?}"
        );
        assert!(a.waterfall.is_ok() && a.movement.is_some());
    }
}
