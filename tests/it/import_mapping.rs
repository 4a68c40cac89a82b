//! Mapped flat exports (`import --mapping FILE.toml`) on the hand-made
//! fixture tests/fixtures/mapped: column names, day-first dates, value maps,
//! a creation date derived from the close date minus an age, closed deals
//! moved to the mapping's closed stages, errors, and a bad mapping file.

use assert_cmd::Command;
use chrono::{DateTime, NaiveDate, Utc};
use pipedeck::domain::model::*;
use pipedeck::domain::money::Money;
use pipedeck::storage::Store;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/mapped")
        .join(name)
}

fn pipedeck(db: &Path) -> Command {
    let mut cmd = Command::cargo_bin("pipedeck").unwrap();
    cmd.arg("--db")
        .arg(db)
        .env_remove("PIPEDECK_DB")
        .env_remove("PIPEDECK_CONFIG");
    cmd
}

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8(b.to_vec()).unwrap()
}

#[test]
fn a_flat_export_imports_through_its_mapping() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("m.db");
    let out = pipedeck(&db)
        .arg("import")
        .arg("--mapping")
        .arg(fixture("mapping.toml"))
        .arg(fixture("flat-deals.csv"))
        .assert()
        .success();
    let stdout = text(&out.get_output().stdout);
    // 5 mapped stages, 2 owners, 3 deals; history: D1 a creation row, D2 and
    // D3 a creation row in Qualify, the move to their closed stage, a status row.
    for line in [
        "stages                        5        0          0",
        "reps                          2        0          0",
        "opportunities                 3        0          0",
        "opportunity_history           7        0          0",
    ] {
        assert!(stdout.contains(line), "{stdout}");
    }
    let data = Store::open(&db).unwrap().load_dataset().unwrap();
    // (id, owner, stage, status, amount, created, close, category, closed_at)
    type Line<'a> = (
        &'a str,
        &'a str,
        &'a str,
        Status,
        Option<i64>,
        &'a str,
        (i32, u32, u32),
        Option<ForecastCategory>,
        Option<&'a str>,
    );
    let want: Vec<Line> = vec![
        (
            "D1",
            "ann-lee",
            "Propose",
            Status::Open,
            Some(100_000),
            "2026-11-15T00:00:00Z",
            (2026, 12, 15),
            Some(ForecastCategory::Commit),
            None,
        ),
        (
            "D2",
            "bo-chen",
            "Won deal",
            Status::Won,
            Some(250_050),
            "2026-08-17T00:00:00Z",
            (2026, 10, 1),
            Some(ForecastCategory::Closed),
            Some("2026-10-01T00:00:00Z"),
        ),
        (
            "D3",
            "ann-lee",
            "Lost deal",
            Status::Lost,
            None,
            "2026-10-10T00:00:00Z",
            (2026, 10, 20),
            Some(ForecastCategory::Closed),
            Some("2026-10-20T00:00:00Z"),
        ),
    ];
    for (id, owner, stage, status, amount, created, (y, m, d), cat, closed) in want {
        let o = data.opportunity(&OppId(id.into())).unwrap();
        assert_eq!(o.owner_id.as_str(), owner, "{id}");
        assert_eq!(o.stage, stage, "{id}");
        assert_eq!(o.status, status, "{id}");
        assert_eq!(o.amount, amount.map(Money), "{id}");
        assert_eq!(o.created_at, Some(at(created)), "{id}");
        assert_eq!(o.close_date, NaiveDate::from_ymd_opt(y, m, d), "{id}");
        assert_eq!(o.forecast_category, cat, "{id}");
        assert_eq!(o.closed_at, closed.map(at), "{id}");
    }
    let propose = data.stage("Propose").unwrap();
    assert_eq!((propose.position, propose.max_days), (1, Some(14)));
    assert_eq!(
        data.crm_last_touch,
        vec![(OppId("D1".into()), at("2026-11-20T00:00:00Z"))]
    );
    // Re-import: nothing new or changed.
    let out = pipedeck(&db)
        .arg("import")
        .arg("--mapping")
        .arg(fixture("mapping.toml"))
        .arg(fixture("flat-deals.csv"))
        .assert()
        .success();
    let stdout = text(&out.get_output().stdout);
    assert!(
        stdout.contains("opportunities                 0        0          3"),
        "{stdout}"
    );
}

#[test]
fn bad_rows_and_missing_columns_are_named() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("m.db");
    let csv = tmp.path().join("bad.csv");
    std::fs::write(
        &csv,
        "Deal,Title,Rep,Phase,Outcome,Value,Closing,AgeDays,Forecast,Touched\n\
         D1,Alpha,Ann,Stage 9,Open,10,2026-12-15,3,,\n\
         D2,Beta,Ann,Stage 1,Maybe,x,15/12/2026,many,,\n",
    )
    .unwrap();
    let out = pipedeck(&db)
        .arg("import")
        .arg("--mapping")
        .arg(fixture("mapping.toml"))
        .arg(&csv)
        .assert()
        .code(1);
    let stderr = text(&out.get_output().stderr).replace(&format!("{}/", tmp.path().display()), "");
    assert_eq!(
        stderr,
        "bad.csv:2:4 (Phase): unknown stage \"Stage 9\": list it under [[stages]] in the mapping, or map it in [values.stage]\n\
         bad.csv:2:7 (Closing): \"2026-12-15\" is not a date in %d/%m/%Y\n\
         bad.csv:3:5 (Outcome): \"Maybe\" is not one of open, won, lost\n\
         bad.csv:3:6 (Value): \"x\" is not an amount (a decimal like 12500.50)\n\
         bad.csv:3:8 (AgeDays): \"many\" is not a number of days\n\
         pipedeck: error: 2 rejected row(s); nothing was imported\n"
    );
    // A file without a mapped column is refused whole.
    let out = pipedeck(&db)
        .arg("import")
        .arg("--mapping")
        .arg(fixture("mapping.toml"))
        .arg(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/pipedrive/deals-2026-11-02.csv"),
        )
        .assert()
        .code(1);
    let stderr = text(&out.get_output().stderr);
    assert!(
        stderr.contains(":1: the mapping names column(s) this file does not have: Deal, Title, Phase, Rep, Value"),
        "{stderr}"
    );
}

#[test]
fn a_mapping_file_with_a_typo_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("m.db");
    let bad = tmp.path().join("bad.toml");
    std::fs::write(
        &bad,
        "[columns]\nid = \"Deal\"\nname = \"Title\"\nowner = \"Rep\"\nstage = \"Phase\"\nammount = \"Value\"\n",
    )
    .unwrap();
    let out = pipedeck(&db)
        .arg("import")
        .arg("--mapping")
        .arg(&bad)
        .arg(fixture("flat-deals.csv"))
        .assert()
        .code(1);
    let stderr = text(&out.get_output().stderr);
    assert!(stderr.contains("unknown field `ammount`"), "{stderr}");
    assert!(stderr.contains("bad.toml"), "{stderr}");
}

/// A date derived from a number of days is held to the years a date read
/// may have, and warned of when implausible, naming the cell it came from;
/// days that are no number (`NaN`, `inf`) are refused; so is an anchor
/// outside the years.
#[test]
fn a_derived_date_is_held_to_the_years_of_a_date_read() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("m.db");
    let csv = |name: &str, rows: &str| {
        let path = tmp.path().join(name);
        std::fs::write(
            &path,
            format!("Deal,Title,Rep,Phase,Outcome,Value,Closing,AgeDays,Forecast,Touched\n{rows}"),
        )
        .unwrap();
        path
    };
    let import = |mapping: &Path, file: &Path, code: i32| {
        let out = pipedeck(&db)
            .args(["--today", "2026-11-24", "import", "--mapping"])
            .arg(mapping)
            .arg(file)
            .assert()
            .code(code);
        text(&out.get_output().stderr).replace(&format!("{}/", tmp.path().display()), "")
    };
    let bad = csv(
        "bad.csv",
        "D1,Alpha,Ann,Stage 1,Open,10,15/12/2026,-400000,,\n\
         D2,Beta,Ann,Stage 1,Open,10,15/12/2026,NaN,,\n\
         D3,Gamma,Ann,Stage 1,Open,10,15/12/2026,inf,,\n\
         D4,Delta,Ann,Stage 1,Open,10,15/12/2026,400000,,\n",
    );
    assert_eq!(
        import(&fixture("mapping.toml"), &bad, 1),
        "bad.csv:2:8 (AgeDays): -400000 days from 2026-12-15 is out of range: a derived created_at must fall in the years 1900 to 2199\n\
         bad.csv:3:8 (AgeDays): \"NaN\" is not a number of days\n\
         bad.csv:4:8 (AgeDays): \"inf\" is not a number of days\n\
         bad.csv:5:8 (AgeDays): 400000 days from 2026-12-15 is out of range: a derived created_at must fall in the years 1900 to 2199\n\
         pipedeck: error: 4 rejected row(s); nothing was imported\n"
    );
    // 46,000 days before 15 December 2026: 5 January 1901, kept and warned of.
    let old = csv(
        "old.csv",
        "D5,Epsilon,Ann,Stage 1,Open,10,15/12/2026,46000,,\n",
    );
    let stderr = import(&fixture("mapping.toml"), &old, 0);
    assert!(
        stderr.starts_with(
            "warning: old.csv:2:8 (AgeDays): 1901-01-05 is before 1990-01-01 (implausible)\n"
        ),
        "{stderr}"
    );
    let store = Store::open_read_only(&db).unwrap();
    let d5 = store.load_opportunities().unwrap();
    assert_eq!(d5[0].created_at, Some(at("1901-01-05T00:00:00Z")));
    drop(store);
    // An anchor outside the years: the mapping is refused.
    let mapping = std::fs::read_to_string(fixture("mapping.toml"))
        .unwrap()
        .replace("from = \"close_date\"", "anchor = \"9999-12-31\"");
    let anchored = tmp.path().join("anchored.toml");
    std::fs::write(&anchored, mapping).unwrap();
    let stderr = import(&anchored, &old, 1);
    assert!(
        stderr.ends_with(
            "anchored.toml: derived.created_at: anchor 9999-12-31 is outside the years 1900 to 2199\n"
        ),
        "{stderr}"
    );
}

/// A mapping's `[[stages]]` and `[values.stage]` follow the config's rules
/// for `[[stages]]` (the export of such a stage did not restore): the
/// mapping is refused when loaded, and nothing is imported.
#[test]
fn a_mapping_stage_the_config_would_refuse_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("m.db");
    let head = "[columns]\nid = \"Deal\"\nname = \"Title\"\nowner = \"Rep\"\nstage = \"Phase\"\n";
    let stage = |name: &str, max_days: &str| {
        format!("[[stages]]\nname = \"{name}\"\nprobability = 0.2\n{max_days}")
    };
    let cases = [
        (
            stage("\\u001b[31mQualify", ""),
            "stages: stage \"\\u{1b}[31mQualify\": a name must be text without control \
             characters, invisible or reordering characters, or spaces around it",
        ),
        (
            stage("", ""),
            "stages: stage \"\": a name must be text without control characters",
        ),
        (
            stage(" Qualify", ""),
            "stages: stage \" Qualify\": a name must be text without control characters",
        ),
        (
            stage("Qual\\u200bify", ""),
            "stages: stage \"Qual\\u{200b}ify\": a name must be text",
        ),
        (
            format!("{}{}", stage("Qualify", ""), stage("qualify", "")),
            "stages: stage \"qualify\" is listed twice",
        ),
        (
            stage("Qualify", "max_days = -5\n"),
            "stages: stage \"Qualify\": max_days must be between 1 and 36500",
        ),
        (
            stage("Qualify", "max_days = 9223372036854775807\n"),
            "stages: stage \"Qualify\": max_days must be between 1 and 36500",
        ),
        (
            format!(
                "{}[values.stage]\n\"Stage 1\" = \"Qualify \"\n",
                stage("Qualify", "")
            ),
            "values.stage: \"Stage 1\" → stage \"Qualify \": a name must be text",
        ),
    ];
    for (i, (stages, want)) in cases.iter().enumerate() {
        let mapping = tmp.path().join(format!("bad{i}.toml"));
        // `[[stages]]` after `[columns]`: a table array closes the table.
        std::fs::write(&mapping, format!("{head}{stages}")).unwrap();
        let out = pipedeck(&db)
            .arg("import")
            .arg("--mapping")
            .arg(&mapping)
            .arg(fixture("flat-deals.csv"))
            .assert()
            .code(1);
        let stderr = text(&out.get_output().stderr);
        assert!(
            stderr.contains(&format!("bad{i}.toml: {want}")),
            "{want}\n{stderr}"
        );
    }
    assert!(!db.exists(), "a refused mapping made a database");
}
