//! Export is the backup (SPEC §12): everything the database holds comes back
//! from `export` → `import` into an empty database, and every report in
//! every format reads the same before and after.

use crate::trust_reports::render_all;
use chrono::NaiveDate;
use pipedeck::domain::Settings;
use pipedeck::domain::edit::{Edit, Stamp};
use pipedeck::domain::model::*;
use pipedeck::domain::money::Money;
use pipedeck::storage::Store;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
}

/// Rows per file of an export of `store`.
fn export_counts(store: &Store, dir: &std::path::Path) -> Vec<(&'static str, usize)> {
    pipedeck::import::export::export(store, dir).unwrap()
}

#[test]
fn export_then_import_gives_the_same_answer_to_every_report() {
    let s = Settings::default();
    let d = pipedeck::demo::generate(7, today(), &s, &s.calendar().unwrap());
    let mut store = Store::open_in_memory().unwrap();
    pipedeck::demo::write(&d, &mut store).unwrap();
    // Make sure every kind of record is there: a review with a snooze, a
    // tag, an action item and two identical edits in one second.
    let data = store.load_dataset().unwrap();
    let open = data
        .opportunities
        .iter()
        .find(|o| o.status == Status::Open && o.amount.is_some())
        .unwrap()
        .clone();
    let now: chrono::DateTime<chrono::Utc> = "2026-11-24T09:30:00Z".parse().unwrap();
    let session = store.start_review(now, Some("mgr")).unwrap();
    let stamp = Stamp {
        now,
        by: Some("mgr".into()),
        session: Some(session.id),
    };
    let stages = s.effective_stages(&store.load_stages().unwrap());
    let was = open.amount.unwrap();
    for m in [Money(was.0 + 100), was, Money(was.0 + 100), was] {
        store
            .edit_deal(&open.id, &Edit::Amount(m), &stages, &stamp)
            .unwrap();
    }
    store
        .snooze(
            &open.id,
            "waiting on legal",
            NaiveDate::from_ymd_opt(2026, 12, 10).unwrap(),
            today(),
            &stamp,
        )
        .unwrap();
    store
        .tag_deal(&open.id, StuckTag::Yellow, Some("legal"), &stamp)
        .unwrap();
    store
        .add_action_item(
            Some(&open.id),
            &open.owner_id,
            "send the MSA",
            Some(NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()),
            &stamp,
        )
        .unwrap();
    store
        .end_review(
            session.id,
            now + chrono::Duration::minutes(30),
            "# closing\n",
        )
        .unwrap();

    let before = render_all(&store, today());
    let dir = tempfile::tempdir().unwrap();
    let counts = export_counts(&store, dir.path());
    for file in [
        "goals",
        "review_sessions",
        "forecast_snapshots",
        "snoozes",
        "deal_tags",
        "action_items",
    ] {
        let n = counts.iter().find(|(f, _)| *f == file).map(|(_, n)| *n);
        assert!(n.is_some_and(|n| n > 0), "{file}: {counts:?}");
    }

    let mut copy = Store::open_in_memory().unwrap();
    crate::trust_reports::import_dir(&mut copy, dir.path());
    // Every record, not only what the reports read.
    assert_eq!(copy.load_history().unwrap(), store.load_history().unwrap());
    assert_eq!(
        copy.load_snapshots().unwrap(),
        store.load_snapshots().unwrap()
    );
    assert_eq!(copy.load_snoozes().unwrap(), store.load_snoozes().unwrap());
    assert_eq!(copy.load_tags().unwrap(), store.load_tags().unwrap());
    assert_eq!(
        copy.load_action_items().unwrap(),
        store.load_action_items().unwrap()
    );
    assert_eq!(
        copy.load_review_sessions().unwrap().len(),
        store.load_review_sessions().unwrap().len()
    );
    assert_eq!(copy.load_goals().unwrap(), store.load_goals().unwrap());
    let after = render_all(&copy, today());
    assert_eq!(before.len(), after.len());
    for (key, text) in &before {
        assert_eq!(
            Some(text),
            after.get(key),
            "{key} differs after the round trip"
        );
    }
    // A second import of the same export changes nothing.
    crate::trust_reports::import_dir(&mut copy, dir.path());
    assert_eq!(copy.load_history().unwrap(), store.load_history().unwrap());
}
