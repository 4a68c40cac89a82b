//! A window at its edges (issue 10): the metrics of a period built from
//! what `app::load` reads for it equal the metrics built from the whole
//! database, for the cases a window could miss. The period is 2026-Q1,
//! judged on 2026-01-10 (not ended: its metrics are taken as of today) and
//! on 2026-05-10 (ended: its window starts on its first day).
//!
//! - r1's open deal D1 (account A) was last touched on 2025-12-20, by a
//!   call logged against contact c1 of account A only (no deal, no
//!   account): on 10 January, 21 days before, it is not untouched (30
//!   days); at the end of March it is.
//! - r2's deal O2 was closed won at 2025-12-25 (the close the CRM gave)
//!   but moved Discovery → Proposal on 5 January and Proposal → Closed Won
//!   on 8 January: two forward moves in the period.
//! - r3's deal O3 was created on 3 January and closed lost at 2025-12-30
//!   (an import accepts it, with a warning), its only history row on that
//!   day (so no row is made up at its creation): one deal created in the
//!   period.
//! - r4's deal O4 (account D) was won on 2025-11-15, before both windows,
//!   and never moved in them; r4 called on it on 2025-11-01 and, after the
//!   close, on 2026-01-05, with neither account nor contact on the call.
//!   Only that call names O4 in the window, yet it engages account D
//!   through the deal (1 account engaged), and its gap since the call
//!   before the window is 65 days (30 + 31 + 4): the mean days between
//!   touches of r4's deals.
//!
//! The drill-down of 2026-Q2, judged on 2026-07-10, compares each rep with
//! 2026-Q1, which it reads for that rep alone (`Need::Drill`): the same
//! cases, read through the rep's own work, their deals and those deals'
//! accounts.

use crate::import_stream::{run, set_dir, write_files};
use crate::scale_window::input;
use chrono::NaiveDate;
use pipedeck::app::load::{Context, Need, Snaps, load};
use pipedeck::domain::metrics::goals;
use pipedeck::domain::{Dataset, Settings};
use pipedeck::report::drill::DrillReport;
use pipedeck::report::metrics::{MetricsFilter, MetricsReport};
use pipedeck::storage::Store;
use std::path::Path;

fn write_set(dir: &Path) {
    let files = [
        (
            "reps.csv",
            "id,name,role,start_date\n\
             r1,Rae One,AE,2024-01-01\nr2,Rae Two,AE,2024-01-01\nr3,Rae Three,AE,2024-01-01\n\
             r4,Rae Four,AE,2024-01-01\n",
        ),
        ("accounts.csv", "id,name\nA,Acme\nB,Bolt\nC,Cog\nD,Dyne\n"),
        ("contacts.csv", "id,account_id,name\nc1,A,Cy\n"),
        (
            "opportunities.csv",
            "id,name,account_id,owner_id,created_at,stage,amount,status,closed_at\n\
             D1,Anvils,A,r1,2025-06-01T09:00:00Z,Prospecting,1000,open,\n\
             O2,Bolts,B,r2,2025-10-01T09:00:00Z,Closed Won,2000,won,2025-12-25T09:00:00Z\n\
             O3,Cogs,C,r3,2026-01-03T09:00:00Z,Closed Lost,3000,lost,2025-12-30T09:00:00Z\n\
             O4,Dynamos,D,r4,2025-09-01T09:00:00Z,Closed Won,4000,won,2025-11-15T09:00:00Z\n",
        ),
        (
            "opportunity_history.csv",
            "opportunity_id,changed_at,field,old_value,new_value\n\
             O2,2026-01-05T09:00:00Z,stage,Discovery,Proposal\n\
             O2,2026-01-08T09:00:00Z,stage,Proposal,Closed Won\n\
             O3,2025-12-30T09:00:00Z,stage,Prospecting,Closed Lost\n",
        ),
        (
            "activities.csv",
            "id,rep_id,kind,contact_id,opportunity_id,occurred_at\n\
             x1,r1,call,c1,,2025-12-20T09:00:00Z\n\
             x2,r4,call,,O4,2025-11-01T09:00:00Z\n\
             x3,r4,call,,O4,2026-01-05T09:00:00Z\n",
        ),
    ];
    write_files(dir, &files);
}

fn json<T: serde::Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).expect("json")
}

#[test]
fn a_window_reads_what_its_period_needs_at_the_edges() {
    let (tmp, set) = set_dir();
    write_set(&set);
    let db = tmp.path().join("p.db");
    run(&mut Store::open(&db).unwrap(), &set).unwrap();

    let store = Store::open_read_only(&db).unwrap();
    let settings = Settings::default();
    let cal = settings.calendar().unwrap();
    for (today, untouched) in [("2026-01-10", 0.0), ("2026-05-10", 1.0)] {
        let today: NaiveDate = today.parse().unwrap();
        judge(&store, &settings, &cal, today, untouched);
    }
    drill_q1(&store, &settings, &cal);
}

/// Each rep's drill-down of 2026-Q2 on 2026-07-10: its 2026-Q1 values (read
/// for that rep alone) are the edge cases' above, and the report equals the
/// one built from everything.
fn drill_q1(store: &Store, settings: &Settings, cal: &pipedeck::domain::period::Calendar) {
    let today: NaiveDate = "2026-07-10".parse().unwrap();
    let p = cal.parse_period("2026-Q2", today).unwrap();
    for (rep, metric, q1) in [
        ("r1", "untouched_opps", 1.0),
        ("r2", "progressions", 2.0),
        ("r3", "opps_created", 1.0),
        ("r4", "accounts_engaged", 1.0),
        ("r4", "days_between_touches", 65.0),
    ] {
        let need = Need::Drill(p, rep.into());
        let (window, full) = window_and_all(store, settings, cal, today, need);
        let drill = |data: &Dataset| {
            let input = input(data, settings, cal, today, Some(p));
            json(&DrillReport::build(&input, rep, metric).expect("a drill"))
        };
        let (from_window, from_all) = (drill(&window), drill(&full));
        assert_eq!(
            node(&from_window["root"], metric)["previous_period"],
            q1,
            "{rep} {metric}"
        );
        assert_eq!(from_window, from_all, "{rep} {metric}");
    }
}

/// The metrics of 2026-Q1 on `today`, from the window and from everything.
fn judge(
    store: &Store,
    settings: &Settings,
    cal: &pipedeck::domain::period::Calendar,
    today: NaiveDate,
    untouched: f64,
) {
    let p = cal.parse_period("2026-Q1", today).unwrap();
    let (window, full) = window_and_all(store, settings, cal, today, Need::Metrics(p));
    let report = |data: &Dataset| {
        json(&MetricsReport::build(
            &input(data, settings, cal, today, Some(p)),
            &MetricsFilter::default(),
        ))
    };
    let (from_window, from_all) = (report(&window), report(&full));
    let value = |r: &serde_json::Value, rep: &str, metric: &str| {
        r["reps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["rep_id"] == rep)
            .map(|x| x["metrics"][metric]["value"].clone())
            .unwrap()
    };
    for r in [&from_window, &from_all] {
        assert_eq!(value(r, "r1", "untouched_opps"), untouched, "on {today}");
        assert_eq!(value(r, "r2", "progressions"), 2.0);
        assert_eq!(value(r, "r3", "opps_created"), 1.0);
        assert_eq!(value(r, "r4", "accounts_engaged"), 1.0, "on {today}");
        assert_eq!(value(r, "r4", "days_between_touches"), 65.0, "on {today}");
    }
    assert_eq!(from_window, from_all, "on {today}");
}

/// The node of `metric` in a drill-down tree (the first, depth first).
fn node<'a>(n: &'a serde_json::Value, metric: &str) -> &'a serde_json::Value {
    if n["metric"] == metric {
        return n;
    }
    n["drivers"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| node(d, metric))
        .find(|d| !d.is_null())
        .unwrap_or(&serde_json::Value::Null)
}

/// What `need` reads on `today` (`app::load`), and the whole database with
/// the stages in force.
fn window_and_all(
    store: &Store,
    settings: &Settings,
    cal: &pipedeck::domain::period::Calendar,
    today: NaiveDate,
    need: Need,
) -> (Dataset, Dataset) {
    let reps = store.load_reps().unwrap();
    let goals = goals::merge(&settings.goals, &store.load_goals().unwrap());
    let cx = Context {
        settings,
        cal,
        today,
        reps: &reps,
        goals: &goals,
        sessions: &[],
    };
    let (window, _) = load(store, settings, cal, need, &cx, None, Snaps::None).unwrap();
    let mut full = store.load_dataset().unwrap();
    full.stages = settings.effective_stages(&full.stages);
    (window, full)
}
