//! HubSpot and Pipedrive deal exports on hand-made fixtures
//! (tests/fixtures/hubspot, tests/fixtures/pipedrive; see their READMEs):
//! deals, owners, statuses, amounts, stage history, stages, last touches,
//! idempotent re-import, row errors and currencies. Every expected value
//! was worked out by hand from the fixture files.

use chrono::{DateTime, NaiveDate, Utc};
use pipedeck::domain::Settings;
use pipedeck::domain::hygiene::hygiene;
use pipedeck::domain::model::*;
use pipedeck::domain::money::Money;
use pipedeck::import::{self, Format, ImportError, Options};
use pipedeck::storage::Store;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

pub(crate) type Counts = Vec<(&'static str, u64, u64, u64)>;

pub(crate) fn run(
    store: &mut Store,
    paths: &[PathBuf],
    format: Format,
    settings: &Settings,
) -> Result<Counts, ImportError> {
    let cal = settings.calendar().unwrap();
    let opts = Options {
        format,
        dry_run: false,
        settings,
        cal: &cal,
    };
    let c = import::run(store, paths, &opts, &mut |_, _| {})?;
    Ok(import::summary(&c)
        .into_iter()
        .map(|(e, c)| (e, c.new, c.changed, c.unchanged))
        .collect())
}

fn imported(name: &str, format: Format) -> (Store, Counts) {
    let mut store = Store::open_in_memory().unwrap();
    let counts = run(&mut store, &[fixture(name)], format, &Settings::default()).unwrap();
    (store, counts)
}

fn deal<'a>(data: &'a Dataset, id: &str) -> &'a Opportunity {
    data.opportunity(&OppId(id.into())).unwrap()
}

#[test]
fn hubspot_deals_owners_statuses_and_amounts() {
    let (store, counts) = imported("hubspot", Format::Auto);
    // stages: Appointment Scheduled, Qualified To Buy, Renewed (from the
    // file) + Discovery, Closed Won, Closed Lost (config); reps: Ann Lee, Bo
    // Chen, Cy Diaz + Unassigned (deal 105 has no owner); history: 2 + 4 +
    // 3 + 3 + 1 rows from the Date entered columns.
    assert_eq!(
        counts,
        vec![
            ("stages", 6, 0, 0),
            ("reps", 4, 0, 0),
            ("accounts", 5, 0, 0),
            ("opportunities", 5, 0, 0),
            ("opportunity_history", 13, 0, 0),
        ]
    );
    let data = store.load_dataset().unwrap();
    // (id, owner, stage, status, amount in cents, closed_at, category, loss reason)
    type Line<'a> = (
        &'a str,
        &'a str,
        &'a str,
        Status,
        Option<i64>,
        Option<&'a str>,
        Option<ForecastCategory>,
        Option<&'a str>,
    );
    let want: Vec<Line> = vec![
        (
            "101",
            "ann-lee",
            "Qualified To Buy",
            Status::Open,
            Some(1_250_050),
            None,
            None,
            None,
        ),
        (
            "102",
            "bo-chen",
            "Closed Won",
            Status::Won,
            Some(800_000),
            Some("2026-10-01T16:45:00Z"),
            Some(ForecastCategory::Closed),
            None,
        ),
        (
            "103",
            "ann-lee",
            "Closed Lost",
            Status::Lost,
            None,
            Some("2026-10-30T09:00:00Z"),
            Some(ForecastCategory::Closed),
            Some("Budget"),
        ),
        // Renewed is the Renewals pipeline's own won stage (Is Closed Won).
        (
            "104",
            "cy-diaz",
            "Renewed",
            Status::Won,
            Some(3_000_075),
            Some("2026-11-01T10:00:00Z"),
            Some(ForecastCategory::Closed),
            None,
        ),
        (
            "105",
            "unassigned",
            "Discovery",
            Status::Open,
            Some(125_050),
            None,
            None,
            None,
        ),
    ];
    for (id, owner, stage, status, amount, closed, cat, reason) in want {
        let o = deal(&data, id);
        assert_eq!(o.owner_id.as_str(), owner, "{id}");
        assert_eq!(o.stage, stage, "{id}");
        assert_eq!(o.status, status, "{id}");
        assert_eq!(o.amount, amount.map(Money), "{id}");
        assert_eq!(o.closed_at, closed.map(at), "{id}");
        assert_eq!(o.forecast_category, cat, "{id}");
        assert_eq!(o.loss_reason.as_deref(), reason, "{id}");
    }
    // A date alone is the start of that (UTC) day; Close Date is a date.
    assert_eq!(
        deal(&data, "103").created_at,
        Some(at("2026-09-15T00:00:00Z"))
    );
    assert_eq!(
        deal(&data, "101").close_date,
        NaiveDate::from_ymd_opt(2026, 12, 15)
    );
    assert_eq!(
        deal(&data, "101").account_id,
        Some(AccountId("acme".into()))
    );
    let ann = data.rep(&RepId("ann-lee".into())).unwrap();
    assert_eq!((ann.name.as_str(), ann.role), ("Ann Lee", Role::Ae));
}

#[test]
fn hubspot_stage_history_and_order_come_from_date_entered_columns() {
    let (store, _) = imported("hubspot", Format::Hubspot);
    let data = store.load_dataset().unwrap();
    let rows: Vec<(String, &str, Option<&str>, Option<&str>)> = data
        .history
        .iter()
        .filter(|h| h.opportunity_id.as_str() == "102")
        .map(|h| {
            (
                h.changed_at.format("%Y-%m-%d %H:%M").to_string(),
                h.field.as_str(),
                h.old_value.as_deref(),
                h.new_value.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            (
                "2026-08-03 08:00".into(),
                "stage",
                None,
                Some("Appointment Scheduled")
            ),
            (
                "2026-08-20 12:30".into(),
                "stage",
                Some("Appointment Scheduled"),
                Some("Qualified To Buy")
            ),
            (
                "2026-10-01 16:45".into(),
                "stage",
                Some("Qualified To Buy"),
                Some("Closed Won")
            ),
            (
                "2026-10-01 16:45".into(),
                "status",
                Some("open"),
                Some("won")
            ),
        ]
    );
    // New stages go after the config's (positions 0–7): open ones in column
    // order with evenly spaced probabilities (1/3, 2/3), then the won one.
    let stages: Vec<(&str, i64, StageKind)> = data
        .stages
        .iter()
        .filter(|s| s.position >= 8)
        .map(|s| (s.name.as_str(), s.position, s.kind))
        .collect();
    assert_eq!(
        stages,
        vec![
            ("Appointment Scheduled", 8, StageKind::Open),
            ("Qualified To Buy", 9, StageKind::Open),
            ("Renewed", 10, StageKind::Won),
        ]
    );
    let qtb = data.stage("Qualified To Buy").unwrap();
    assert!((qtb.probability - 2.0 / 3.0).abs() < 1e-9);
}

#[test]
fn hubspot_last_activity_date_is_a_last_touch_for_the_untouched_rule() {
    let (store, _) = imported("hubspot", Format::Auto);
    let data = store.load_dataset().unwrap();
    assert_eq!(
        data.crm_last_touch,
        vec![
            (OppId("101".into()), at("2026-10-20T14:00:00Z")),
            (OppId("104".into()), at("2026-11-01T10:00:00Z")),
        ]
    );
    assert!(data.activities.is_empty());
    let settings = Settings::default();
    let cal = settings.calendar().unwrap();
    let untouched = |today: NaiveDate, id: &str| {
        hygiene(&data, &data.stages, &settings, &cal, today)
            .iter()
            .find(|i| i.opportunity_id.as_str() == id)
            .and_then(|i| i.days_untouched)
    };
    // 101 was created 2026-09-01 but last touched 2026-10-20: on 2026-11-10
    // it is 21 days untouched (not 70); 105 has no touch: 36 days since created.
    let day = NaiveDate::from_ymd_opt(2026, 11, 10).unwrap();
    assert_eq!(untouched(day, "101"), Some(21));
    assert_eq!(untouched(day, "105"), Some(36));
}

#[test]
fn pipedrive_deals_statuses_and_won_lost_times() {
    let (store, counts) = imported("pipedrive", Format::Auto);
    // stages: Proposal Made, Negotiations Started, Qualified (file) + Closed
    // Won, Closed Lost (config's won and lost stages); history: 8 and 9 bring
    // a creation row, the move to the closed stage and a status row (6); 7
    // and 10 are open and get a synthesized creation row (2).
    assert_eq!(
        counts,
        vec![
            ("stages", 5, 0, 0),
            ("reps", 2, 0, 0),
            ("accounts", 3, 0, 0),
            ("opportunities", 4, 0, 0),
            ("opportunity_history", 8, 0, 0),
        ]
    );
    let data = store.load_dataset().unwrap();
    let won = deal(&data, "8");
    assert_eq!(
        (won.stage.as_str(), won.status, won.amount),
        ("Closed Won", Status::Won, Some(Money(150_025)))
    );
    assert_eq!(won.closed_at, Some(at("2026-10-14T16:00:00Z")));
    let lost = deal(&data, "9");
    assert_eq!(
        (lost.stage.as_str(), lost.status, lost.amount),
        ("Closed Lost", Status::Lost, None)
    );
    assert_eq!(lost.closed_at, Some(at("2026-10-28T09:15:00Z")));
    assert_eq!(lost.loss_reason.as_deref(), Some("No budget"));
    assert_eq!(lost.account_id, None);
    let open = deal(&data, "7");
    assert_eq!(
        (open.stage.as_str(), open.status, open.owner_id.as_str()),
        ("Proposal Made", Status::Open, "dana-fox")
    );
    assert_eq!(open.next_step_date, NaiveDate::from_ymd_opt(2026, 12, 3));
    assert_eq!(open.created_at, Some(at("2026-09-01T08:00:00Z")));
    assert_eq!(open.account_id, Some(AccountId("acme-gmbh".into())));
    let moved: Vec<(&str, Option<&str>, Option<&str>)> = data
        .history
        .iter()
        .filter(|h| h.opportunity_id.as_str() == "8")
        .map(|h| {
            (
                h.field.as_str(),
                h.old_value.as_deref(),
                h.new_value.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        moved,
        vec![
            ("stage", None, Some("Negotiations Started")),
            ("stage", Some("Negotiations Started"), Some("Closed Won")),
            ("status", Some("open"), Some("won")),
        ]
    );
}

#[test]
fn a_reimport_changes_nothing() {
    // HubSpot's stage entry dates are its own history, read again unchanged;
    // Pipedrive's closing rows are only made for deals new to the database.
    for (name, history) in [("hubspot", 13), ("pipedrive", 0)] {
        let mut store = Store::open_in_memory().unwrap();
        let settings = Settings::default();
        run(&mut store, &[fixture(name)], Format::Auto, &settings).unwrap();
        let again = run(&mut store, &[fixture(name)], Format::Auto, &settings).unwrap();
        assert!(
            again
                .iter()
                .all(|(_, new, changed, _)| *new == 0 && *changed == 0),
            "{name}: {again:?}"
        );
        let h = again.iter().find(|c| c.0 == "opportunity_history");
        assert_eq!(h.map_or(0, |h| h.3), history, "{name}");
    }
}

pub(crate) fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

pub(crate) fn errors(store: &mut Store, path: PathBuf, settings: &Settings) -> Vec<String> {
    let dir = format!("{}/", path.parent().unwrap().display());
    match run(store, &[path], Format::Auto, settings) {
        Err(ImportError::Rows(rows)) => rows
            .iter()
            .map(|r| r.to_string().replace(&dir, ""))
            .collect(),
        other => panic!("expected row errors, got {other:?}"),
    }
}

#[test]
fn bad_cells_name_file_line_and_column_and_nothing_lands() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = write(
        tmp.path(),
        "deals.csv",
        "\"Record ID\",\"Deal Name\",\"Deal Stage\",\"Amount\",\"Close Date\",\"Custom\"\n\
         \"1\",\"A\",\"Closed Won\",\"12,50\",\"2026-02-30\",\"x\"\n\
         \"1\",\"B\",\"Closed Won\",\"10\",\"\",\"\"\n\
         \"3\",\"\",\"Closed Won\",\"-5\",\"\",\"\"\n",
    );
    let mut store = Store::open_in_memory().unwrap();
    assert_eq!(
        errors(&mut store, hub, &Settings::default()),
        vec![
            "deals.csv:2:4 (Amount): \"12,50\" is not an amount (a decimal like 12500.50)",
            "deals.csv:2:5 (Close Date): \"2026-02-30\" is not a date (YYYY-MM-DD, YYYY-MM-DD HH:MM[:SS], ISO 8601, or MM/DD/YYYY [HH:MM])",
            "deals.csv:3:1 (Record ID): record id \"1\" appears twice (first on line 2)",
            "deals.csv:4:2 (Deal Name): a value is required",
            "deals.csv:4:4 (Amount): \"-5\" is negative; an amount is never below 0",
        ]
    );
    assert!(store.load_dataset().unwrap().opportunities.is_empty());
}

#[test]
fn pipedrive_refuses_a_file_of_two_currencies_unless_rates_are_given() {
    let tmp = tempfile::tempdir().unwrap();
    let text = "Deal - ID,Deal - Title,Deal - Stage,Deal - Value,Deal - Currency\n\
                1,A,Qualified,100,USD\n\
                2,B,Qualified,200,EUR\n\
                3,C,Qualified,300.50,USD\n";
    let p = write(tmp.path(), "pd.csv", text);
    let mut store = Store::open_in_memory().unwrap();
    assert_eq!(
        errors(&mut store, p.clone(), &Settings::default()),
        vec![
            "pd.csv:3:5 (Deal - Currency): currency EUR has no rate, in a file of several currencies (EUR 1, USD 2); pipedeck keeps one currency (USD): give EUR a rate under [import.rates] to convert"
        ]
    );
    let mut settings = Settings::default();
    settings.import.rates.insert("EUR".into(), 1.1);
    run(&mut store, &[p], Format::Pipedrive, &settings).unwrap();
    let data = store.load_dataset().unwrap();
    let amounts: Vec<(&str, Option<Money>)> = data
        .opportunities
        .iter()
        .map(|o| (o.id.as_str(), o.amount))
        .collect();
    // 200 EUR × 1.1 = 220 USD.
    assert_eq!(
        amounts,
        vec![
            ("1", Some(Money(10_000))),
            ("2", Some(Money(22_000))),
            ("3", Some(Money(30_050))),
        ]
    );
}

#[test]
fn forced_formats_refuse_other_files() {
    let mut store = Store::open_in_memory().unwrap();
    let err = run(
        &mut store,
        &[fixture("pipedrive")],
        Format::Hubspot,
        &Settings::default(),
    )
    .unwrap_err();
    let text = err.to_string();
    assert!(text.contains("as a HubSpot deals export"), "{text}");
}

#[test]
fn hubspot_last_activity_date_counts_in_the_untouched_opps_metric() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("h.db");
    let cmd = || {
        let mut c = assert_cmd::Command::cargo_bin("pipedeck").unwrap();
        c.arg("--db")
            .arg(&db)
            .env_remove("PIPEDECK_DB")
            .env_remove("PIPEDECK_CONFIG");
        c
    };
    cmd()
        .arg("import")
        .arg(fixture("hubspot"))
        .assert()
        .success();
    let out = cmd()
        .args(["--today", "2026-11-10", "report", "metrics"])
        .args(["--period", "2026-11-02..2026-11-10", "--format", "json"])
        .assert()
        .success();
    let json: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let untouched = |rep: &str| {
        json["reps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["rep_id"] == rep)
            .map(|r| r["metrics"]["untouched_opps"]["value"].clone())
            .unwrap()
    };
    // Ann's open deal 101 was last touched 2026-10-20 (20 days before the
    // period's last day, 2026-11-09: not untouched, though created 69 days
    // before); deal 105 (unassigned) was never touched, created 2026-10-05: 35 days.
    assert_eq!(untouched("ann-lee"), serde_json::json!(0.0));
    assert_eq!(untouched("unassigned"), serde_json::json!(1.0));
}

#[test]
fn a_pipedrive_file_without_status_keeps_every_close() {
    let mut store = Store::open_in_memory().unwrap();
    let settings = Settings::default();
    run(&mut store, &[fixture("pipedrive")], Format::Auto, &settings).unwrap();
    let before = store.opportunity(&OppId("8".into())).unwrap();
    assert_eq!(before.status, Status::Won);
    let history = store.load_history().unwrap().len();
    // Deal 8 (won 2026-10-14 16:00) in a file of no status column: read
    // alone, every deal would be open.
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "deals.csv",
        "Deal - ID,Deal - Title,Deal - Owner,Deal - Value,Deal - Stage\n\
         8,Beta upgrade,Eli Park,1500.25,Negotiations Started\n",
    );
    run(&mut store, &[file], Format::Auto, &settings).unwrap();
    let after = store.opportunity(&OppId("8".into())).unwrap();
    assert_eq!(
        (after.status, after.stage.as_str(), after.closed_at),
        (Status::Won, "Closed Won", Some(at("2026-10-14T16:00:00Z")))
    );
    assert_eq!(after, before);
    assert_eq!(store.load_history().unwrap().len(), history);
}
