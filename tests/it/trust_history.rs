//! History is an audit trail (SPEC §12): every edit appends a row, even one
//! identical to an earlier row in the same second; concurrent editors each
//! read the value they replace; amounts in change lists are in major units.

use assert_cmd::Command;
use chrono::{DateTime, Utc};
use pipedeck::domain::edit::{Edit, Stamp};
use pipedeck::domain::money::Money;
use pipedeck::domain::*;
use pipedeck::storage::Store;
use std::path::Path;

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// One AE and one open deal `o1` of 100 in a database file.
fn seed(path: &Path) {
    let mut store = Store::open(path).unwrap();
    let mut tx = store.begin().unwrap();
    for s in Settings::default().stage_list() {
        tx.upsert_stage(&s).unwrap();
    }
    tx.upsert_rep(&Rep {
        id: RepId("ae-01".into()),
        name: "Ann".into(),
        email: None,
        role: Role::Ae,
        team: None,
        manager_id: None,
        start_date: None,
        end_date: None,
        quota_amount: None,
        quota_meetings: None,
    })
    .unwrap();
    tx.upsert_opportunity(&Opportunity {
        id: OppId("o1".into()),
        name: "Deal".into(),
        account_id: None,
        owner_id: RepId("ae-01".into()),
        source_rep_id: None,
        created_at: Some(at("2026-09-01T12:00:00Z")),
        stage: "Demo".into(),
        amount: Some(Money::from_major(100)),
        list_amount: None,
        close_date: None,
        forecast_category: None,
        status: Status::Open,
        closed_at: None,
        loss_reason: None,
        next_step: None,
        next_step_date: None,
        channel: None,
    })
    .unwrap();
    tx.commit().unwrap();
}

fn amount_history(store: &Store) -> Vec<(Option<String>, Option<String>)> {
    store
        .load_history()
        .unwrap()
        .into_iter()
        .filter(|h| h.field == HistoryField::Amount)
        .map(|h| {
            (
                h.old_value.map(|v| v.to_string()),
                h.new_value.map(|v| v.to_string()),
            )
        })
        .collect()
}

#[test]
fn five_edits_in_one_second_are_five_history_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("h.db");
    seed(&path);
    let mut store = Store::open(&path).unwrap();
    let stages = store.load_stages().unwrap();
    let stamp = Stamp {
        now: at("2026-11-24T10:00:00Z"),
        by: None,
        session: None,
        day_end: None,
    };
    let id = OppId("o1".into());
    for major in [200, 100, 200, 100, 200] {
        store
            .edit_deal(
                &id,
                &Edit::Amount(Money::from_major(major)),
                &stages,
                &stamp,
            )
            .unwrap();
    }
    let s = |x: &str| Some(x.to_string());
    assert_eq!(
        amount_history(&store),
        vec![
            (s("10000"), s("20000")),
            (s("20000"), s("10000")),
            (s("10000"), s("20000")),
            (s("20000"), s("10000")),
            (s("10000"), s("20000")),
        ]
    );
}

#[test]
fn concurrent_editors_each_read_the_value_they_replace() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    seed(&path);
    let workers: Vec<_> = (0..2)
        .map(|w| {
            let path = path.clone();
            std::thread::spawn(move || {
                let mut store = Store::open(&path).unwrap();
                let stages = store.load_stages().unwrap();
                let id = OppId("o1".into());
                for i in 0..40 {
                    let stamp = Stamp {
                        now: Utc::now(),
                        by: Some(format!("w{w}")),
                        session: None,
                        day_end: None,
                    };
                    let major = 1_000 + w * 100 + i;
                    store
                        .edit_deal(
                            &id,
                            &Edit::Amount(Money::from_major(major)),
                            &stages,
                            &stamp,
                        )
                        .unwrap();
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    let store = Store::open(&path).unwrap();
    let h = amount_history(&store);
    assert_eq!(h.len(), 80);
    // A chain: each row's old value is the previous row's new value.
    assert_eq!(h[0].0.as_deref(), Some("10000"));
    for pair in h.windows(2) {
        assert_eq!(pair[1].0, pair[0].1, "{h:?}");
    }
    let last = store.opportunity(&OppId("o1".into())).unwrap().amount;
    assert_eq!(last.map(|m| m.cents().to_string()), h[79].1);
}

#[test]
fn the_cli_prints_amount_changes_in_major_units() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.db");
    seed(&path);
    let out = Command::cargo_bin("pipedeck")
        .unwrap()
        .env_remove("PIPEDECK_DB")
        .env("HOME", dir.path())
        .env("XDG_CONFIG_HOME", dir.path().join("config"))
        .args(["--today", "2026-11-24", "--db"])
        .arg(&path)
        .args(["deal", "o1", "amount", "110000"])
        .assert()
        .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert_eq!(text, "o1: amount 100 → 110,000\n");
}

#[test]
fn agenda_json_gives_amount_changes_as_major_unit_numbers() {
    let c = review::ChangeLine {
        opportunity_id: OppId("o1".into()),
        name: "Deal".into(),
        field: HistoryField::Amount,
        old_value: Some("10700000".into()),
        new_value: Some("11000050".into()),
        changed_at: at("2026-11-24T10:00:00Z"),
    };
    let json = serde_json::to_value(&c).unwrap();
    assert_eq!(json["old_value"], serde_json::json!(107000.0));
    assert_eq!(json["new_value"], serde_json::json!(110000.5));
    let stage = review::ChangeLine {
        field: HistoryField::Stage,
        old_value: None,
        new_value: Some("Proposal".into()),
        ..c
    };
    let json = serde_json::to_value(&stage).unwrap();
    assert_eq!(json["old_value"], serde_json::Value::Null);
    assert_eq!(json["new_value"], serde_json::json!("Proposal"));
}
