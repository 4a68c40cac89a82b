//! The native CSV set: import, errors, dry run, re-import and export round trip,
//! on the hand-written fixture in tests/fixtures/native.

use pipedeck::domain::Settings;
use pipedeck::domain::model::*;
use pipedeck::domain::money::Money;
use pipedeck::import::{self, Format, ImportError, Options};
use pipedeck::storage::{Counts, Store};
use std::path::{Path, PathBuf};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/native")
}

fn run(store: &mut Store, paths: &[PathBuf], dry_run: bool) -> Result<Counts, ImportError> {
    let settings = Settings::default();
    let cal = settings.calendar().unwrap();
    let opts = Options {
        format: Format::Auto,
        dry_run,
        settings: &settings,
        cal: &cal,
    };
    import::run(store, paths, &opts, &mut |_, _| {})
}

/// (entity, new, changed, unchanged) in load order.
fn counts(c: &Counts) -> Vec<(&'static str, u64, u64, u64)> {
    import::summary(c)
        .into_iter()
        .map(|(e, c)| (e, c.new, c.changed, c.unchanged))
        .collect()
}

/// Exports `store` and returns every file's text, in file order.
fn export_text(store: &Store) -> Vec<(String, String)> {
    let dir = tempfile::tempdir().unwrap();
    let written = import::export::export(store, dir.path()).unwrap();
    written
        .iter()
        .map(|(name, _)| {
            let text = std::fs::read_to_string(dir.path().join(format!("{name}.csv"))).unwrap();
            (name.to_string(), text)
        })
        .collect()
}

/// Copies the fixture into a temp dir, replacing `file` with `text`.
fn fixture_with(file: &str, text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(fixture()).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, dir.path().join(p.file_name().unwrap())).unwrap();
    }
    std::fs::write(dir.path().join(file), text).unwrap();
    dir
}

// The fixture: 3 reps, 2 accounts, 2 contacts, 4 deals (o4 without a created
// date), 4 activities, no history. Stages used: Proposal, Closed Won, Closed
// Lost, Discovery, and Prospecting (the creation stage of the synthesized rows of
// closed deals) — registered from the default config. Synthesized history:
// o1 open → 1 row; o2 won, o3 lost → 3 rows each (creation, stage, status);
// o4 has no created date → none: 1 + 3 + 3 = 7.
const EXPECTED_NEW: &[(&str, u64, u64, u64)] = &[
    ("stages", 5, 0, 0),
    ("reps", 3, 0, 0),
    ("accounts", 2, 0, 0),
    ("contacts", 2, 0, 0),
    ("opportunities", 4, 0, 0),
    ("opportunity_history", 7, 0, 0),
    ("activities", 4, 0, 0),
];

#[test]
fn imports_the_fixture_with_every_value_parsed() {
    let mut store = Store::open_in_memory().unwrap();
    let c = run(&mut store, &[fixture()], false).unwrap();
    assert_eq!(counts(&c), EXPECTED_NEW);
    let data = store.load_dataset().unwrap();
    let o1 = data.opportunity(&"o1".into()).unwrap();
    assert_eq!(o1.amount, Some(Money(1_250_050)));
    assert_eq!(o1.status, Status::Open);
    assert_eq!(o1.forecast_category, Some(ForecastCategory::Commit));
    assert_eq!(o1.source_rep_id, Some("sam".into()));
    let o2 = data.opportunity(&"o2".into()).unwrap();
    // Status empty: derived from the stage kind (Closed Won is the won stage).
    assert_eq!(o2.status, Status::Won);
    assert_eq!(
        o2.created_at.unwrap().to_rfc3339(),
        "2026-01-10T14:00:00+00:00"
    );
    let o3 = data.opportunity(&"o3".into()).unwrap();
    // 10:00 at +01:00 is 09:00 UTC.
    assert_eq!(
        o3.closed_at.unwrap().to_rfc3339(),
        "2026-02-20T09:00:00+00:00"
    );
    assert_eq!(o3.loss_reason.as_deref(), Some("No budget"));
    let o4 = data.opportunity(&"o4".into()).unwrap();
    assert_eq!((o4.created_at, o4.amount), (None, None));
    let sam = data.rep(&"sam".into()).unwrap();
    assert_eq!((sam.quota_meetings, sam.quota_amount), (Some(45), None));
    let ada = data.rep(&"ada".into()).unwrap();
    assert_eq!(ada.quota_amount, Some(Money(12_000_000)));
    assert_eq!(ada.manager_id, Some("maya".into()));
    let a3 = data
        .activities
        .iter()
        .find(|a| a.id.as_str() == "a3")
        .unwrap();
    assert_eq!(a3.occurred_at.to_rfc3339(), "2026-01-12T09:15:00+00:00");
    assert_eq!(a3.outcome, Some(Outcome::Replied));
}

#[test]
fn synthesizes_one_creation_row_and_closing_rows() {
    let mut store = Store::open_in_memory().unwrap();
    run(&mut store, &[fixture()], false).unwrap();
    let files = export_text(&store);
    let history = &files
        .iter()
        .find(|f| f.0 == "opportunity_history")
        .unwrap()
        .1;
    // Worked out by hand from opportunities.csv: the first open stage of the
    // default config is Prospecting.
    assert_eq!(
        history,
        "opportunity_id,changed_at,field,old_value,new_value,changed_by,review_session_id\n\
         o1,2026-01-05T09:30:00Z,stage,,Proposal,import,\n\
         o2,2026-01-10T14:00:00Z,stage,,Prospecting,import,\n\
         o2,2026-02-14T16:00:00Z,stage,Prospecting,Closed Won,import,\n\
         o2,2026-02-14T16:00:00Z,status,open,won,import,\n\
         o3,2026-01-20T08:00:00Z,stage,,Prospecting,import,\n\
         o3,2026-02-20T09:00:00Z,stage,Prospecting,Closed Lost,import,\n\
         o3,2026-02-20T09:00:00Z,status,open,lost,import,\n"
    );
}

#[test]
fn a_second_import_changes_nothing() {
    let mut store = Store::open_in_memory().unwrap();
    run(&mut store, &[fixture()], false).unwrap();
    let before = export_text(&store);
    let c = run(&mut store, &[fixture()], false).unwrap();
    assert!(c.is_noop(), "{:?}", counts(&c));
    // Stages already registered are left alone; the creation rows are not
    // re-synthesized for deals that have history, nor the closing rows for
    // deals the database holds: no history row is offered.
    assert_eq!(
        counts(&c),
        vec![
            ("reps", 0, 0, 3),
            ("accounts", 0, 0, 2),
            ("contacts", 0, 0, 2),
            ("opportunities", 0, 0, 4),
            ("activities", 0, 0, 4),
        ]
    );
    assert_eq!(export_text(&store), before);
}

#[test]
fn a_dry_run_counts_and_writes_nothing() {
    let mut store = Store::open_in_memory().unwrap();
    let c = run(&mut store, &[fixture()], true).unwrap();
    assert_eq!(counts(&c), EXPECTED_NEW);
    let data = store.load_dataset().unwrap();
    assert!(data.opportunities.is_empty() && data.reps.is_empty() && data.history.is_empty());
}

#[test]
fn export_import_export_is_byte_identical() {
    let mut first = Store::open_in_memory().unwrap();
    run(&mut first, &[fixture()], false).unwrap();
    let dir = tempfile::tempdir().unwrap();
    import::export::export(&first, dir.path()).unwrap();
    let one = export_text(&first);
    let mut second = Store::open_in_memory().unwrap();
    let c = run(&mut second, &[dir.path().to_path_buf()], false).unwrap();
    // The export brings its history, so nothing is synthesized: 7 rows, as exported.
    assert_eq!(counts(&c)[5], ("opportunity_history", 7, 0, 0));
    assert_eq!(export_text(&second), one);
}

#[test]
fn history_amounts_are_decimals_in_files_and_cents_in_the_database() {
    let dir = fixture_with(
        "opportunity_history.csv",
        "opportunity_id,changed_at,field,old_value,new_value,changed_by\n\
         o1,2026-01-05T09:30:00Z,stage,,Proposal,ada\n\
         o1,2026-01-06T10:00:00Z,amount,10000,12500.50,ada\n",
    );
    let mut store = Store::open_in_memory().unwrap();
    run(&mut store, &[dir.path().to_path_buf()], false).unwrap();
    let data = store.load_dataset().unwrap();
    let amount = data
        .history
        .iter()
        .find(|h| h.field == HistoryField::Amount)
        .unwrap();
    assert_eq!(amount.old_value.as_deref(), Some("1000000"));
    assert_eq!(amount.new_value.as_deref(), Some("1250050"));
    let files = export_text(&store);
    let history = &files
        .iter()
        .find(|f| f.0 == "opportunity_history")
        .unwrap()
        .1;
    assert!(
        history.contains("o1,2026-01-06T10:00:00Z,amount,10000,12500.50,ada,\n"),
        "{history}"
    );
    // o1 brought history, so it gets no synthesized row; o2 and o3 still do.
    assert!(!history.contains("o1,2026-01-05T09:30:00Z,stage,,Proposal,import"));
    assert!(history.contains("o2,2026-01-10T14:00:00Z,stage,,Prospecting,import"));
}

fn errors(e: ImportError) -> Vec<String> {
    match e {
        ImportError::Rows(rows) => rows.iter().map(|r| r.to_string()).collect(),
        other => panic!("expected row errors, got {other}"),
    }
}

#[test]
fn a_bad_date_names_file_line_and_column_and_leaves_the_database_untouched() {
    let mut store = Store::open_in_memory().unwrap();
    run(&mut store, &[fixture()], false).unwrap();
    let before = export_text(&store);
    let text = std::fs::read_to_string(fixture().join("opportunities.csv"))
        .unwrap()
        .replace("2026-02-15", "2026-13-01");
    let dir = fixture_with("opportunities.csv", &text);
    let errs = errors(run(&mut store, &[dir.path().to_path_buf()], false).unwrap_err());
    assert_eq!(errs.len(), 1, "{errs:?}");
    let want = "opportunities.csv:3:9 (close_date): \"2026-13-01\" is not a date (YYYY-MM-DD)";
    assert!(errs[0].ends_with(want), "{}", errs[0]);
    assert_eq!(export_text(&store), before);
}

#[test]
fn every_bad_row_of_every_file_is_reported() {
    // accounts line 2: bad tier. opportunities line 3: unknown owner; line 4:
    // unknown stage and an amount with sub-cent digits; line 5: no name.
    let opps = "id,name,owner_id,stage,amount\n\
                x1,Fine,ada,Proposal,100\n\
                x2,Ghost,nobody,Proposal,100\n\
                x3,Bad,ada,Limbo,12.345\n\
                x4,,ada,Proposal,\n";
    let dir = fixture_with("opportunities.csv", opps);
    std::fs::remove_file(dir.path().join("activities.csv")).unwrap();
    let accounts = "id,name,icp_tier\nacme,Acme,D\nglobex,Globex,B\n";
    std::fs::write(dir.path().join("accounts.csv"), accounts).unwrap();
    let mut store = Store::open_in_memory().unwrap();
    let errs = errors(run(&mut store, &[dir.path().to_path_buf()], false).unwrap_err());
    let tails: Vec<&str> = errs.iter().map(|e| e.rsplit('/').next().unwrap()).collect();
    assert_eq!(
        tails,
        vec![
            "accounts.csv:2:3 (icp_tier): \"D\" is not an ICP tier (A, B or C)",
            "opportunities.csv:3:3 (owner_id): unknown rep \"nobody\"",
            "opportunities.csv:4:4 (stage): unknown stage \"Limbo\" (not in the configured stages nor the database)",
            "opportunities.csv:4:5 (amount): \"12.345\" is not an amount (a decimal like 12500.50)",
            "opportunities.csv:5:2 (name): a value is required",
        ]
    );
    assert!(store.load_dataset().unwrap().reps.is_empty());
}

#[test]
fn an_unknown_column_rejects_the_file() {
    let dir = fixture_with("accounts.csv", "id,name,colour\nacme,Acme,red\n");
    let mut store = Store::open_in_memory().unwrap();
    let errs = errors(run(&mut store, &[dir.path().to_path_buf()], false).unwrap_err());
    // Only the header error: references to the rejected file's ids are not checked.
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].ends_with(
            "accounts.csv:1:3 (colour): unknown column \"colour\" for accounts.csv (known: id, name, segment, icp_tier, industry, employees)"
        ),
        "{}",
        errs[0]
    );
}

#[test]
fn references_to_missing_ids_are_row_errors_and_database_ids_count() {
    let mut store = Store::open_in_memory().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let opps = dir.path().join("opportunities.csv");
    std::fs::write(
        &opps,
        "id,name,owner_id,stage,account_id\nz1,Z,ada,Proposal,acme\n",
    )
    .unwrap();
    let errs = errors(run(&mut store, std::slice::from_ref(&opps), false).unwrap_err());
    let tails: Vec<&str> = errs.iter().map(|e| e.rsplit('/').next().unwrap()).collect();
    assert_eq!(
        tails,
        vec![
            "opportunities.csv:2:3 (owner_id): unknown rep \"ada\"",
            "opportunities.csv:2:5 (account_id): unknown account \"acme\"",
        ]
    );
    // Once the reps and accounts are in the database, the same file imports alone.
    run(&mut store, &[fixture()], false).unwrap();
    let c = run(&mut store, &[opps], false).unwrap();
    assert_eq!(counts(&c)[0], ("opportunities", 1, 0, 0));
}

#[test]
fn a_config_mapping_renames_source_columns_onto_a_native_kind() {
    let mut settings = Settings::default();
    settings.import.mappings.insert(
        "opportunities".into(),
        [
            ("id", "Deal ID"),
            ("name", "Deal Name"),
            ("owner_id", "Owner"),
            ("stage", "Stage"),
            ("amount", "Deal Value"),
        ]
        .into_iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect(),
    );
    let cal = settings.calendar().unwrap();
    let opts = Options {
        format: Format::Auto,
        dry_run: false,
        settings: &settings,
        cal: &cal,
    };
    let dir = tempfile::tempdir().unwrap();
    let deals = dir.path().join("deals.csv");
    std::fs::write(
        &deals,
        "Deal ID,Deal Name,Owner,Stage,Deal Value\nd1,Mapped,ada,Demo,99.90\n",
    )
    .unwrap();
    let mut store = Store::open_in_memory().unwrap();
    run(&mut store, &[fixture()], false).unwrap();
    import::run(&mut store, &[deals], &opts, &mut |_, _| {}).unwrap();
    let data = store.load_dataset().unwrap();
    let d1 = data.opportunity(&"d1".into()).unwrap();
    assert_eq!(
        (d1.name.as_str(), d1.stage.as_str(), d1.amount),
        ("Mapped", "Demo", Some(Money(9990)))
    );
}

#[test]
fn a_stages_file_registers_the_pipeline_the_deals_use() {
    let text = std::fs::read_to_string(fixture().join("opportunities.csv"))
        .unwrap()
        .replace(",Discovery,", ",Pilot,");
    let dir = fixture_with("opportunities.csv", &text);
    std::fs::write(
        dir.path().join("stages.csv"),
        "name,position,probability,max_days,kind\nPilot,2,0.3,20,open\n",
    )
    .unwrap();
    let mut store = Store::open_in_memory().unwrap();
    let c = run(&mut store, &[dir.path().to_path_buf()], false).unwrap();
    // Pilot from the file + Prospecting, Proposal, Closed Won, Closed Lost from the config.
    assert_eq!(counts(&c)[0], ("stages", 5, 0, 0));
    let data = store.load_dataset().unwrap();
    let pilot = data.stage("Pilot").unwrap();
    assert_eq!(
        (
            pilot.position,
            pilot.probability,
            pilot.max_days,
            pilot.kind
        ),
        (2, 0.3, Some(20), StageKind::Open)
    );
    assert_eq!(data.opportunity(&"o4".into()).unwrap().stage, "Pilot");
}

#[test]
fn an_id_twice_in_one_import_names_the_key_column_and_the_first_place() {
    // stages.csv keys on `name` (column 1 here): line 3 repeats "Pilot" of line 2,
    // so the error is at stages.csv:3:1 (name). reps.csv: the fixture's reps plus
    // a second file zz/reps.csv repeating "ada" on its line 2, column 2 (id):
    // which of the two would win depends on file order, so it is an error too.
    let dir = fixture_with(
        "stages.csv",
        "name,position,probability,max_days,kind\nPilot,2,0.3,20,open\nPilot,3,0.4,,open\n",
    );
    // In a subdirectory so that it sorts after the fixture's reps.csv.
    let other = dir.path().join("zz");
    std::fs::create_dir(&other).unwrap();
    let reps = "name,id,role,start_date\nAda Again,ada,AE,2025-01-06\n";
    std::fs::write(other.join("reps.csv"), reps).unwrap();
    let mut store = Store::open_in_memory().unwrap();
    let errs = errors(
        run(
            &mut store,
            &[dir.path().to_path_buf(), other.join("reps.csv")],
            false,
        )
        .unwrap_err(),
    );
    let strip = |e: &String| e.replace(&format!("{}/", dir.path().display()), "");
    let errs: Vec<String> = errs.iter().map(strip).collect();
    assert_eq!(
        errs,
        vec![
            "stages.csv:3:1 (name): id \"Pilot\" appears twice (first on line 2)",
            "zz/reps.csv:2:2 (id): id \"ada\" appears twice (first at reps.csv:3)",
        ]
    );
    assert!(store.load_dataset().unwrap().reps.is_empty());
}

#[test]
fn a_deal_twice_in_one_days_snapshot_names_both_lines() {
    // o1 is in the snapshot of 2 February on lines 2 and 4: the second is
    // refused with both lines (a snapshot is never edited); o1 in the
    // snapshot of 9 February, and o2 on the 2nd, are fine. Nothing lands,
    // on an empty database or on one holding the set already.
    let snapshots = "taken_on,taken_at,opportunity_id,owner_id,stage,amount,close_date,forecast_category\n\
         2026-02-02,2026-02-02T18:00:00Z,o1,ada,Proposal,12500.50,2026-03-31,commit\n\
         2026-02-02,2026-02-02T18:00:00Z,o2,ada,Proposal,80000,2026-02-15,commit\n\
         2026-02-02,2026-02-02T18:00:00Z,o1,ada,Demo,9000,2026-03-31,pipeline\n\
         2026-02-09,2026-02-09T18:00:00Z,o1,ada,Proposal,12500.50,2026-03-31,commit\n";
    let dir = fixture_with("forecast_snapshots.csv", snapshots);
    let want = vec![
        "forecast_snapshots.csv:4:3 (opportunity_id): deal \"o1\" appears twice in the snapshot of 2026-02-02 (first on line 2)"
            .to_string(),
    ];
    let strip = |e: &String| e.replace(&format!("{}/", dir.path().display()), "");
    let mut store = Store::open_in_memory().unwrap();
    let errs = errors(run(&mut store, &[dir.path().to_path_buf()], false).unwrap_err());
    assert_eq!(errs.iter().map(strip).collect::<Vec<_>>(), want);
    assert!(store.load_snapshots().unwrap().is_empty());
    run(&mut store, &[fixture()], false).unwrap();
    let errs = errors(run(&mut store, &[dir.path().to_path_buf()], false).unwrap_err());
    assert_eq!(errs.iter().map(strip).collect::<Vec<_>>(), want);
    assert!(store.load_snapshots().unwrap().is_empty());
}

#[test]
fn a_status_that_contradicts_the_stage_is_a_row_error() {
    let mut store = Store::open_in_memory().unwrap();
    // Line 2 (o1) sits in Proposal, an open stage, but says won.
    let text = std::fs::read_to_string(fixture().join("opportunities.csv"))
        .unwrap()
        .replace(
            "12500.50,2026-03-31,commit,,",
            "12500.50,2026-03-31,commit,won,",
        );
    let dir = fixture_with("opportunities.csv", &text);
    let errs = errors(run(&mut store, &[dir.path().to_path_buf()], false).unwrap_err());
    assert_eq!(errs.len(), 1, "{errs:?}");
    let want =
        "opportunities.csv:2:11 (status): status won contradicts stage \"Proposal\", which is open";
    assert!(errs[0].ends_with(want), "{}", errs[0]);
}

#[test]
fn a_closed_deal_without_closed_at_closes_at_the_start_of_its_close_date() {
    let mut store = Store::open_in_memory().unwrap();
    // o2 is Closed Won with close_date 2026-02-15; drop its closed_at.
    let text = std::fs::read_to_string(fixture().join("opportunities.csv"))
        .unwrap()
        .replace(",2026-02-14T16:00:00Z,", ",,");
    let dir = fixture_with("opportunities.csv", &text);
    run(&mut store, &[dir.path().to_path_buf()], false).unwrap();
    let o2 = store.opportunity(&OppId("o2".into())).unwrap();
    assert_eq!(
        o2.closed_at.unwrap().to_rfc3339(),
        "2026-02-15T00:00:00+00:00"
    );

    // With no close date either, the deal would count in no period: an error.
    let text = text.replace("80000,2026-02-15,closed", "80000,,closed");
    let dir = fixture_with("opportunities.csv", &text);
    let mut fresh = Store::open_in_memory().unwrap();
    let errs = errors(run(&mut fresh, &[dir.path().to_path_buf()], false).unwrap_err());
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].ends_with("opportunities.csv:3:12 (closed_at): a won deal needs closed_at (or at least close_date)"),
        "{}",
        errs[0]
    );
}

#[test]
fn a_goal_on_an_unknown_metric_names_the_cell_and_the_known_ids() {
    let mut store = Store::open_in_memory().unwrap();
    let dir = fixture_with(
        "goals.csv",
        "role,metric,period,target,direction\n\
         AE,win_rate,quarter,0.25,at_least\n\
         AE,winrate,week,3,at_least\n",
    );
    let errs = errors(run(&mut store, &[dir.path().to_path_buf()], false).unwrap_err());
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].contains("goals.csv:3:2 (metric): unknown metric \"winrate\"; known: meetings, "),
        "{}",
        errs[0]
    );
    assert!(store.load_dataset().unwrap().reps.is_empty());
}

/// A goal on a share (a win rate, a discount) runs from 0 to 1: a target
/// of 25 (2,500 %) is refused on its cell; a ratio (meetings per deal) may
/// pass 1.
#[test]
fn a_goal_on_a_share_above_one_is_refused() {
    let mut store = Store::open_in_memory().unwrap();
    let dir = fixture_with(
        "goals.csv",
        "role,metric,period,target,direction\n\
         AE,win_rate,quarter,25,at_least\n\
         AE,discount,quarter,1e9,at_most\n\
         AE,win_rate,month,1,at_least\n\
         AE,meetings_per_opp,month,3.5,at_least\n",
    );
    let errs = errors(run(&mut store, &[dir.path().to_path_buf()], false).unwrap_err());
    let errs: Vec<&str> = errs.iter().map(|e| e.rsplit('/').next().unwrap()).collect();
    assert_eq!(
        errs,
        [
            "goals.csv:2:4 (target): target 25 is more than 1, and win_rate is a share from 0 to 1 (write 25 % as 0.25)",
            "goals.csv:3:4 (target): target 1000000000 is more than 1, and discount is a share from 0 to 1 (write 25 % as 0.25)",
        ]
    );
}

/// An activity longer than a year (366 days, 527,040 minutes) is impossible,
/// and sums of such would overflow: refused on its cell. A year is kept.
#[test]
fn an_activity_longer_than_a_year_is_refused() {
    let text = "id,rep_id,kind,account_id,occurred_at,duration_min\n\
                a1,sam,call,acme,2026-01-02T15:00:00Z,527040\n\
                a2,sam,call,acme,2026-01-03T15:00:00Z,527041\n\
                a3,sam,call,acme,2026-01-04T15:00:00Z,9223372036854775807\n";
    let dir = fixture_with("activities.csv", text);
    let mut store = Store::open_in_memory().unwrap();
    let errs = errors(run(&mut store, &[dir.path().to_path_buf()], false).unwrap_err());
    let tails: Vec<&str> = errs.iter().map(|e| e.rsplit('/').next().unwrap()).collect();
    assert_eq!(
        tails,
        vec![
            "activities.csv:3:6 (duration_min): 527041 is longer than a year (527040 minutes)",
            "activities.csv:4:6 (duration_min): 9223372036854775807 is longer than a year (527040 minutes)",
        ]
    );
}
