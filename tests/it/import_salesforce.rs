//! Salesforce API-name exports on a hand-written fixture
//! (tests/fixtures/salesforce): users and roles, accounts, contacts,
//! opportunities, field history, tasks and events.

use pipedeck::domain::Settings;
use pipedeck::domain::model::*;
use pipedeck::domain::money::Money;
use pipedeck::import::{self, Format, Options};
use pipedeck::storage::Store;
use std::path::{Path, PathBuf};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/salesforce")
}

fn imported() -> (Dataset, Vec<(&'static str, u64, u64, u64)>) {
    let settings = Settings::default();
    let cal = settings.calendar().unwrap();
    let opts = Options {
        format: Format::Salesforce,
        dry_run: false,
        settings: &settings,
        cal: &cal,
    };
    let mut store = Store::open_in_memory().unwrap();
    let c = import::run(&mut store, &[fixture()], &opts, &mut |_, _| {}).unwrap();
    let counts = import::summary(&c)
        .into_iter()
        .map(|(e, c)| (e, c.new, c.changed, c.unchanged))
        .collect();
    (store.load_dataset().unwrap(), counts)
}

#[test]
fn counts_every_entity() {
    let (_, counts) = imported();
    // stages: Shortlisted (unknown, from the file) + Prospecting, Qualification,
    // Closed Won, Closed Lost (config); reps: 3 users + `unassigned`;
    // accounts: the deleted one is skipped; history: 3 field changes of 0061
    // (the `created` row is skipped) + 3 synthesized rows each for 0062, 0063;
    // activities: the to-do task 00T3 is skipped.
    assert_eq!(
        counts,
        vec![
            ("stages", 5, 0, 0),
            ("reps", 4, 0, 0),
            ("accounts", 1, 0, 0),
            ("contacts", 1, 0, 0),
            ("opportunities", 3, 0, 0),
            ("opportunity_history", 9, 0, 0),
            ("activities", 3, 0, 0),
        ]
    );
}

/// (id, name, role, team, manager).
type RepLine<'a> = (&'a str, &'a str, Role, Option<&'a str>, Option<&'a str>);

#[test]
fn users_become_reps_with_roles_teams_and_managers() {
    let (data, _) = imported();
    let got: Vec<RepLine<'_>> = data
        .reps
        .iter()
        .map(|r| {
            (
                r.id.as_str(),
                r.name.as_str(),
                r.role,
                r.team.as_deref(),
                r.manager_id.as_ref().map(|m| m.as_str()),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("0051", "Vera Boss", Role::Manager, Some("VP Sales"), None),
            (
                "0052",
                "Al Closer",
                Role::Ae,
                Some("Western Sales Team"),
                Some("0051")
            ),
            (
                "0053",
                "Sid Dialer",
                Role::Sdr,
                Some("Sales Development"),
                Some("0051")
            ),
            ("unassigned", "Unassigned", Role::Ae, None, None),
        ]
    );
    assert_eq!(data.contacts[0].name, "Wile Coyote");
    assert_eq!(data.accounts[0].employees, Some(250));
}

#[test]
fn opportunities_map_fields_and_register_unknown_stages() {
    let (data, _) = imported();
    let big = data.opportunity(&"0061".into()).unwrap();
    assert_eq!(big.amount, Some(Money(5_000_000)));
    assert_eq!(big.forecast_category, Some(ForecastCategory::BestCase));
    assert_eq!(
        big.created_at.unwrap().to_rfc3339(),
        "2026-01-05T10:00:00+00:00"
    );
    assert_eq!(
        (big.next_step.as_deref(), big.channel.as_deref()),
        (Some("Demo"), Some("Web"))
    );
    // Shortlisted: probability 40 % from the file, placed after the 8 configured stages.
    let s = data.stage("Shortlisted").unwrap();
    assert_eq!(
        (s.position, s.probability, s.kind),
        (8, 0.4, StageKind::Open)
    );
    let small = data.opportunity(&"0062".into()).unwrap();
    assert_eq!(small.status, Status::Won);
    // No history: closed at the start of CloseDate (later than CreatedDate).
    assert_eq!(
        small.closed_at.unwrap().to_rfc3339(),
        "2026-02-10T00:00:00+00:00"
    );
    let lost = data.opportunity(&"0063".into()).unwrap();
    assert_eq!(lost.status, Status::Lost);
    assert_eq!(
        (lost.owner_id.as_str(), lost.account_id.clone(), lost.amount),
        ("unassigned", None, None)
    );
    assert_eq!(
        lost.created_at.unwrap().to_rfc3339(),
        "2026-01-07T09:00:00+00:00"
    );
}

#[test]
fn field_history_is_kept_and_closed_deals_without_history_are_synthesized() {
    let (data, _) = imported();
    let rows: Vec<String> = data
        .history
        .iter()
        .map(|h| {
            format!(
                "{} {} {} {} -> {}",
                h.opportunity_id,
                h.changed_at.format("%m-%dT%H:%M"),
                h.field,
                h.old_value.as_deref().unwrap_or("∅"),
                h.new_value.as_deref().unwrap_or("∅")
            )
        })
        .collect();
    // Ordered by instant (load_history): worked out from the two CSV files.
    assert_eq!(
        rows,
        vec![
            "0062 01-06T10:00 stage ∅ -> Prospecting",
            "0063 01-07T09:00 stage ∅ -> Prospecting",
            "0061 01-20T09:00 stage Qualification -> Shortlisted",
            "0061 01-20T09:00 amount 4000000 -> 5000000",
            "0061 01-25T09:00 forecast_category pipeline -> best_case",
            "0062 02-10T00:00 stage Prospecting -> Closed Won",
            "0062 02-10T00:00 status open -> won",
            "0063 02-20T00:00 stage Prospecting -> Closed Lost",
            "0063 02-20T00:00 status open -> lost",
        ]
    );
}

#[test]
fn tasks_and_events_become_calls_emails_and_meetings() {
    let (data, _) = imported();
    let got: Vec<String> = data
        .activities
        .iter()
        .map(|a| {
            format!(
                "{} {} {} {} opp={:?} acct={:?} who={:?} min={:?} dir={:?}",
                a.id,
                a.rep_id,
                a.kind,
                a.occurred_at.format("%m-%dT%H:%M"),
                a.opportunity_id.as_ref().map(|o| o.as_str()),
                a.account_id.as_ref().map(|o| o.as_str()),
                a.contact_id.as_ref().map(|o| o.as_str()),
                a.duration_min,
                a.direction.map(|d| d.as_str()),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            // 150 s rounds to 3 min (nearest minute).
            "00T1 0053 call 01-08T15:00 opp=Some(\"0061\") acct=Some(\"0011\") who=Some(\"0031\") min=Some(3) dir=Some(\"outbound\")",
            // No CompletedDateTime: the start of ActivityDate.
            "00T2 0052 email 01-09T00:00 opp=Some(\"0061\") acct=None who=Some(\"0031\") min=None dir=Some(\"outbound\")",
            "00U1 0052 meeting 01-15T16:00 opp=Some(\"0061\") acct=None who=Some(\"0031\") min=Some(60) dir=None",
        ]
    );
}

#[test]
fn a_stage_only_history_names_is_registered_from_its_row() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Opportunity.csv"),
        "Id,Name,StageName,Amount,CloseDate,IsClosed,IsWon,OwnerId,CreatedDate\n\
         0069,Deal,Closed Won,100,2026-02-01,1,1,,2026-01-02 08:00:00\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("OpportunityHistory.csv"),
        "Id,OpportunityId,CreatedDate,StageName,Amount,CloseDate,Probability,ForecastCategory\n\
         0081,0069,2026-01-02 08:00:00,Scoping,100,2026-02-01,25,Pipeline\n\
         0082,0069,2026-01-30 12:00:00,Closed Won,100,2026-02-01,100,Closed\n",
    )
    .unwrap();
    let settings = Settings::default();
    let cal = settings.calendar().unwrap();
    let opts = Options {
        format: Format::Auto,
        dry_run: false,
        settings: &settings,
        cal: &cal,
    };
    let mut store = Store::open_in_memory().unwrap();
    import::run(
        &mut store,
        &[dir.path().to_path_buf()],
        &opts,
        &mut |_, _| {},
    )
    .unwrap();
    let data = store.load_dataset().unwrap();
    // After the 8 configured stages (positions 0–7), with the row's 25 %.
    let scoping = data.stage("Scoping").unwrap();
    assert_eq!(
        (scoping.position, scoping.probability, scoping.kind),
        (8, 0.25, StageKind::Open)
    );
    let deal = data.opportunity(&"0069".into()).unwrap();
    // Closed when the history row moved it to Closed Won.
    assert_eq!(
        deal.closed_at.unwrap().to_rfc3339(),
        "2026-01-30T12:00:00+00:00"
    );
    assert_eq!(deal.owner_id.as_str(), "unassigned");
    let statuses: Vec<_> = data
        .history
        .iter()
        .filter(|h| h.field == HistoryField::Status)
        .map(|h| (h.old_value.as_deref(), h.new_value.as_deref()))
        .collect();
    assert_eq!(statuses, vec![(Some("open"), Some("won"))]);
}

#[test]
fn an_opportunity_id_twice_is_a_row_error() {
    // 0069 on lines 2 and 3 with different amounts: without the check the
    // last row would win silently. The error names line 3, column 1 (Id).
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Opportunity.csv"),
        "Id,Name,StageName,Amount,CloseDate,IsClosed,IsWon,OwnerId,CreatedDate\n\
         0069,Deal,Prospecting,100,2026-02-01,0,0,,2026-01-02 08:00:00\n\
         0069,Deal,Prospecting,900,2026-02-01,0,0,,2026-01-02 08:00:00\n",
    )
    .unwrap();
    let settings = Settings::default();
    let cal = settings.calendar().unwrap();
    let opts = Options {
        format: Format::Auto,
        dry_run: false,
        settings: &settings,
        cal: &cal,
    };
    let mut store = Store::open_in_memory().unwrap();
    let err = import::run(
        &mut store,
        &[dir.path().to_path_buf()],
        &opts,
        &mut |_, _| {},
    )
    .unwrap_err();
    let import::ImportError::Rows(rows) = err else {
        panic!("expected row errors, got {err}");
    };
    let tails: Vec<String> = rows
        .iter()
        .map(|e| e.to_string().rsplit('/').next().unwrap().to_string())
        .collect();
    assert_eq!(
        tails,
        vec!["Opportunity.csv:3:1 (Id): id \"0069\" appears twice (first on line 2)"]
    );
    assert!(store.load_dataset().unwrap().opportunities.is_empty());
}
