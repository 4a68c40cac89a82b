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
        day_end: None,
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
    // Whole: the closing report keeps its last line end.
    assert_eq!(
        copy.load_review_sessions().unwrap(),
        store.load_review_sessions().unwrap()
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

/// The round trip's state is in the backup too: each deal's CRM record, the
/// CRM's last activity dates (the untouched rule reads them) and the local
/// edits not yet seen in the CRM, which a later CRM import must still keep.
#[test]
fn a_backup_keeps_the_round_trip_with_the_crm() {
    let tmp = tempfile::tempdir().unwrap();
    let crm = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/hubspot/hubspot-crm-exports-all-deals-2026-11-02.csv");
    let run = |db: &str, today: &str, args: &[&std::ffi::OsStr]| -> String {
        let out = assert_cmd::Command::cargo_bin("pipedeck")
            .unwrap()
            .env_remove("PIPEDECK_DB")
            .env_remove("PIPEDECK_CONFIG")
            .env("PIPEDECK_KEPT", "off")
            .env("XDG_CONFIG_HOME", tmp.path().join("config"))
            .arg("--db")
            .arg(tmp.path().join(db))
            .args(["--today", today])
            .args(args)
            .assert()
            .success();
        String::from_utf8_lossy(&out.get_output().stdout).to_string()
    };
    let os = |s: &str| std::ffi::OsString::from(s);
    let backup = tmp.path().join("backup");
    run("a.db", "2026-11-02", &[&os("import"), crm.as_os_str()]);
    run(
        "a.db",
        "2026-11-10",
        &[&os("deal"), &os("101"), &os("amount"), &os("15000")],
    );
    run("a.db", "2026-11-29", &[&os("export"), backup.as_os_str()]);
    run("b.db", "2026-11-29", &[&os("import"), backup.as_os_str()]);
    let rows = |db: &str, sql: &str| -> Vec<String> {
        let conn = rusqlite::Connection::open(tmp.path().join(db)).unwrap();
        let mut stmt = conn.prepare(sql).unwrap();
        stmt.query_map([], |r| {
            (0..r.as_ref().column_count())
                .map(|i| r.get::<_, Option<String>>(i).map(Option::unwrap_or_default))
                .collect::<rusqlite::Result<Vec<_>>>()
                .map(|v| v.join("|"))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
    };
    for sql in [
        "SELECT * FROM crm_records ORDER BY 1, 2",
        "SELECT * FROM crm_last_touch ORDER BY 1",
        "SELECT * FROM local_edits ORDER BY 1, 2",
    ] {
        assert_eq!(rows("b.db", sql), rows("a.db", sql), "{sql}");
    }
    assert_eq!(
        rows(
            "b.db",
            "SELECT opportunity_id, touched_at FROM crm_last_touch ORDER BY 1"
        ),
        ["101|2026-10-20T14:00:00Z", "104|2026-11-01T10:00:00Z"]
    );
    assert_eq!(
        rows(
            "b.db",
            "SELECT opportunity_id, field, local_value, base_value, state FROM local_edits"
        ),
        ["101|amount|1500000|1250050|pending"]
    );
    let hygiene = [os("report"), os("hygiene"), os("--format"), os("json")];
    let hygiene: Vec<&std::ffi::OsStr> = hygiene.iter().map(|s| s.as_os_str()).collect();
    assert_eq!(
        run("b.db", "2026-11-29", &hygiene),
        run("a.db", "2026-11-29", &hygiene)
    );
    // The restored database still keeps the edit against the CRM's file.
    let summary = run("b.db", "2026-11-30", &[&os("import"), crm.as_os_str()]);
    assert!(
        summary.contains("101  amount  local \"15000\"  CRM \"12500.50\""),
        "{summary}"
    );
    assert_eq!(
        rows(
            "b.db",
            "SELECT CAST(amount AS TEXT) FROM opportunities WHERE id = '101'"
        ),
        ["1500000"]
    );
}

/// An export never replaces an earlier one without being told to, and a
/// failed export leaves the files that were there as they were.
/// `pipedeck --db db --today 2026-11-24 args…`, its config under `tmp`.
fn run_on(
    tmp: &std::path::Path,
    db: &std::path::Path,
    args: &[&std::ffi::OsStr],
) -> assert_cmd::assert::Assert {
    let mut cmd = assert_cmd::Command::cargo_bin("pipedeck").unwrap();
    cmd.env_remove("PIPEDECK_DB")
        .env_remove("PIPEDECK_CONFIG")
        .env("XDG_CONFIG_HOME", tmp.join("config"))
        .arg("--db")
        .arg(db)
        .args(["--today", "2026-11-24"])
        .args(args);
    cmd.assert()
}

#[test]
fn an_earlier_export_is_replaced_only_when_asked_and_never_half() {
    let tmp = tempfile::tempdir().unwrap();
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/native");
    let db = tmp.path().join("a.db");
    let run = |args: &[&std::ffi::OsStr]| run_on(tmp.path(), &db, args);
    let backup = tmp.path().join("backup");
    let os = std::ffi::OsStr::new;
    run(&[os("import"), fixture.as_os_str()]).success();
    run(&[os("export"), backup.as_os_str()]).success();
    // The earlier backup, as a later export must not silently replace it.
    let reps = backup.join("reps.csv");
    std::fs::write(&reps, "the earlier backup\n").unwrap();
    let out = run(&[os("export"), backup.as_os_str()]).code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        err.contains(&format!(
            "{}: already holds an export (stages.csv, reps.csv, accounts.csv, contacts.csv, opportunities.csv, opportunity_history.csv, activities.csv, goals.csv, review_sessions.csv, forecast_snapshots.csv, snoozes.csv, deal_tags.csv, action_items.csv, crm_records.csv, crm_last_touch.csv, local_edits.csv); pass --overwrite to replace it",
            backup.display()
        )),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(&reps).unwrap(),
        "the earlier backup\n"
    );
    // A file that cannot be written (here a directory in its way): the
    // export fails and every file of the earlier backup is left whole.
    std::fs::create_dir(backup.join(".goals.csv.partial")).unwrap();
    run(&[os("export"), os("--overwrite"), backup.as_os_str()]).code(1);
    assert_eq!(
        std::fs::read_to_string(&reps).unwrap(),
        "the earlier backup\n"
    );
    let left: Vec<String> = std::fs::read_dir(&backup)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".partial"))
        .collect();
    assert_eq!(left, [".goals.csv.partial"]);
    std::fs::remove_dir(backup.join(".goals.csv.partial")).unwrap();
    // Told to: replaced, nothing left beside it.
    run(&[os("export"), os("--overwrite"), backup.as_os_str()]).success();
    assert!(
        std::fs::read_to_string(&reps)
            .unwrap()
            .starts_with("id,name,")
    );
    assert!(std::fs::read_dir(&backup).unwrap().all(|e| {
        !e.unwrap()
            .file_name()
            .to_string_lossy()
            .ends_with(".partial")
    }));
}

/// A directory an export or a write-back writes into holds that writer's
/// files alone: an import of a directory reads every CSV file in it, and a
/// backup beside a CRM's update file (or the update file beside a backup)
/// no longer imported ("cannot tell what this file is from its header").
#[test]
fn an_export_and_a_write_back_keep_out_of_each_others_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let hubspot = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/hubspot/hubspot-crm-exports-all-deals-2026-11-02.csv");
    let db = tmp.path().join("h.db");
    let run = |args: &[&std::ffi::OsStr]| run_on(tmp.path(), &db, args);
    let stderr = |a: assert_cmd::assert::Assert| {
        String::from_utf8_lossy(&a.get_output().stderr)
            .replace(&format!("{}/", tmp.path().display()), "")
    };
    let os = std::ffi::OsStr::new;
    run(&[os("import"), hubspot.as_os_str()]).success();
    run(&[os("deal"), os("101"), os("amount"), os("15000")]).success();
    let bk = tmp.path().join("bk");
    run(&[os("export"), bk.as_os_str()]).success();
    let changes = [os("export"), os("--changes"), os("--for"), os("hubspot")];
    let err = stderr(run(&[&changes[..], &[bk.as_os_str()]].concat()).code(1));
    assert_eq!(
        err,
        "pipedeck: error: bk: holds CSV files `export --changes` does not write (accounts.csv, \
         action_items.csv, activities.csv, contacts.csv, crm_last_touch.csv, crm_records.csv, \
         deal_tags.csv, forecast_snapshots.csv, goals.csv, local_edits.csv, \
         opportunities.csv, opportunity_history.csv, reps.csv, review_sessions.csv, \
         snoozes.csv, stages.csv); an update file beside them would keep the directory from \
         importing: name another directory\n"
    );
    assert!(!bk.join("hubspot-deal-updates.csv").exists());
    // The backup still imports, as it did.
    run(&[os("import"), bk.as_os_str()]).success();
    // Beside a CRM's export too.
    let crm = tmp.path().join("crm");
    std::fs::create_dir(&crm).unwrap();
    std::fs::copy(&hubspot, crm.join("deals.CSV")).unwrap();
    let err = stderr(run(&[&changes[..], &[crm.as_os_str()]].concat()).code(1));
    assert!(
        err.contains("crm: holds CSV files `export --changes` does not write (deals.CSV)"),
        "{err}"
    );
    // Its own files it replaces, for any CRM; other files are no CSV.
    let out = tmp.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("notes.txt"), "mine\n").unwrap();
    std::fs::write(out.join("salesforce-opportunity-updates.csv"), "Id\n").unwrap();
    run(&[&changes[..], &[out.as_os_str()]].concat()).success();
    run(&[&changes[..], &[out.as_os_str()]].concat()).success();
    assert_eq!(
        std::fs::read_to_string(out.join("hubspot-deal-updates.csv")).unwrap(),
        "Record ID,Amount\n101,15000\n"
    );
    // And an export is not written beside an update file, even with
    // --overwrite (which replaces an earlier export, nothing else).
    for args in [vec![os("export")], vec![os("export"), os("--overwrite")]] {
        let err = stderr(run(&[&args[..], &[out.as_os_str()]].concat()).code(1));
        assert_eq!(
            err,
            "pipedeck: error: out: holds CSV files an export does not write \
             (hubspot-deal-updates.csv, salesforce-opportunity-updates.csv); an import of the \
             directory would read them beside the backup: name another directory\n"
        );
    }
    assert!(!out.join("reps.csv").exists());
}
