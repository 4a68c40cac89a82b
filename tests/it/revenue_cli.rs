//! SPEC §15 end to end: `list_amount` through import and export, `discount`
//! and its bands in `report metrics`, `--by segment` in every format, the
//! score in hygiene JSON, `--sort score` and the deal card, and
//! `report score-calibration`. Expected values worked out by hand below.

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

const REPS: &str = "id,name,role,start_date
ada,Ada AE,AE,2025-01-06
";
const ACCOUNTS: &str = "id,name,segment,icp_tier,industry,employees
acme,Acme Corp,Mid-Market,A,Manufacturing,250
globex,Globex,Enterprise,B,Energy,5000
";
/// o2 won 80,000 of 100,000 (20 %), o4 won 9,000 of 9,000 (0 %), o5 won
/// 30,000 without a list price, o3 lost; o1 and o6 open.
const OPPS: &str = "id,name,account_id,owner_id,created_at,stage,amount,list_amount,close_date,status,closed_at,next_step,next_step_date,channel
o1,Acme one,acme,ada,2026-01-05T09:00:00Z,Proposal,12500.50,14000,2026-03-31,,,Send MSA,2026-02-10,outbound
o2,Globex two,globex,ada,2026-01-10T09:00:00Z,Closed Won,80000,100000,2026-02-14,won,2026-02-14T16:00:00Z,,,inbound
o3,Acme three,acme,ada,2026-01-20T09:00:00Z,Closed Lost,5000,,2026-02-20,lost,2026-02-20T10:00:00Z,,,
o4,Acme four,acme,ada,2026-01-15T09:00:00Z,Closed Won,9000,9000,2026-03-01,won,2026-03-01T10:00:00Z,,,partner
o5,Globex five,globex,ada,2026-01-20T09:00:00Z,Closed Won,30000,,2026-03-10,won,2026-03-10T10:00:00Z,,,
o6,Globex six,globex,ada,2026-03-01T09:00:00Z,Discovery,50000,,2026-04-30,,,,,
";

fn pipedeck(db: &Path) -> Command {
    let mut c = Command::cargo_bin("pipedeck").expect("binary");
    c.env_remove("PIPEDECK_DB")
        .arg("--db")
        .arg(db)
        .args(["--today", "2026-03-15"]);
    c
}

fn out(c: &mut Command) -> String {
    String::from_utf8(c.assert().success().get_output().stdout.clone()).expect("utf-8")
}

fn json(c: &mut Command) -> Value {
    serde_json::from_str(&out(c)).expect("JSON")
}

fn setup(dir: &Path) -> std::path::PathBuf {
    let src = dir.join("in");
    std::fs::create_dir_all(&src).expect("dir");
    for (name, text) in [
        ("reps.csv", REPS),
        ("accounts.csv", ACCOUNTS),
        ("opportunities.csv", OPPS),
    ] {
        std::fs::write(src.join(name), text).expect("write");
    }
    let db = dir.join("p.db");
    pipedeck(&db).arg("import").arg(&src).assert().success();
    db
}

#[test]
fn list_amount_goes_through_import_and_export() {
    let tmp = tempfile::tempdir().expect("tmp");
    let db = setup(tmp.path());
    let exp = tmp.path().join("exp");
    pipedeck(&db).arg("export").arg(&exp).assert().success();
    let text = std::fs::read_to_string(exp.join("opportunities.csv")).expect("export");
    let mut lines = text.lines();
    assert!(
        lines
            .next()
            .is_some_and(|h| h.contains(",amount,list_amount,close_date,")),
        "{text}"
    );
    let o2 = text.lines().find(|l| l.starts_with("o2,")).expect("o2");
    assert!(o2.contains(",80000,100000,2026-02-14,"), "{o2}");
    let o5 = text.lines().find(|l| l.starts_with("o5,")).expect("o5");
    assert!(o5.contains(",30000,,2026-03-10,"), "{o5}");
}

#[test]
fn discount_and_its_bands_in_the_metrics_report() {
    let tmp = tempfile::tempdir().expect("tmp");
    let db = setup(tmp.path());
    let v = json(pipedeck(&db).args([
        "report", "metrics", "--period", "2026-Q1", "--format", "json",
    ]));
    let ada = &v["reps"][0]["metrics"];
    // Won with both known: o2 80,000 of 100,000 and o4 9,000 of 9,000:
    // num 20,000, den 109,000 (o5 has no list price).
    assert_eq!(ada["discount"]["num"], 20_000.0);
    assert_eq!(ada["discount"]["den"], 109_000.0);
    assert_eq!(ada["discount"]["deals"], 2);
    assert_eq!(ada["discount"]["without_amount"], 1);
    let bands: Vec<(String, u64, f64)> = v["discount_bands"][0]["bands"]
        .as_array()
        .expect("bands")
        .iter()
        .map(|b| {
            (
                b["band"].as_str().expect("band").to_string(),
                b["deals"].as_u64().expect("deals"),
                b["amount"].as_f64().expect("amount"),
            )
        })
        .collect();
    assert_eq!(
        bands,
        [
            ("rep_call".to_string(), 1, 9_000.0),
            ("manager_approval".to_string(), 1, 80_000.0),
            ("exception".to_string(), 0, 0.0),
            ("unknown".to_string(), 1, 30_000.0),
        ]
    );
    assert_eq!(v["team"]["discount"]["num"], 20_000.0);
    let table = out(pipedeck(&db).args(["report", "metrics", "--period", "2026-Q1"]));
    assert!(table.contains("discount.manager_approval"), "{table}");
    assert!(table.contains("18.3%"), "{table}");
}

#[test]
fn a_cut_by_segment_in_every_format() {
    let tmp = tempfile::tempdir().expect("tmp");
    let db = setup(tmp.path());
    let args = [
        "report", "metrics", "--period", "2026-Q1", "--by", "segment",
    ];
    let v = json(pipedeck(&db).args(args).args(["--format", "json"]));
    assert_eq!(v["by"], "segment");
    let rows = v["rows"].as_array().expect("rows");
    // Enterprise: o2, o5 won (110,000), discount of o2 alone 20 %; o6 open.
    // Mid-Market: o4 won, o3 lost: 50 %; discount 0 of 9,000; o1 open 12,500.50.
    let e = &rows[0];
    assert_eq!(e["value"], "Enterprise");
    assert_eq!(e["metrics"]["won"]["value"], 2.0);
    assert_eq!(e["metrics"]["bookings"]["value"], 110_000.0);
    assert_eq!(e["metrics"]["discount"]["value"], 0.2);
    assert_eq!(e["metrics"]["open_opps"]["value"], 1.0);
    let m = &rows[1];
    assert_eq!(m["value"], "Mid-Market");
    assert_eq!(m["metrics"]["win_rate"]["value"], 0.5);
    assert_eq!(m["metrics"]["discount"]["value"], 0.0);
    assert_eq!(m["metrics"]["pipeline_value"]["value"], 12_500.5);
    assert_eq!(rows.len(), 2);
    let table = out(pipedeck(&db).args(args));
    assert!(
        table.contains("By segment — 2026-01-01..2026-04-01"),
        "{table}"
    );
    assert!(table.contains("50.0% (1/2)"), "{table}");
    // A row per value and metric, plain numbers (as a rep's metrics).
    let csv = out(pipedeck(&db).args(args).args(["--format", "csv"]));
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "segment,metric,value,sample,note");
    for row in [
        "Enterprise,won,2,,",
        "Enterprise,bookings,110000,,",
        "Enterprise,discount,20.0%,n=1,1 without amount",
        "Mid-Market,win_rate,50.0%,1/2,",
        "Mid-Market,pipeline_value,12500.50,,",
    ] {
        assert!(lines.contains(&row), "{row}\nin\n{csv}");
    }
    let md = out(pipedeck(&db).args(args).args(["--format", "md"]));
    assert!(md.contains("| Enterprise |"), "{md}");
    // A dimension that is not one is a usage error.
    pipedeck(&db)
        .args(["report", "metrics", "--by", "colour"])
        .assert()
        .code(2);
}

#[test]
fn the_score_in_hygiene_json_the_sort_and_the_deal_card() {
    let tmp = tempfile::tempdir().expect("tmp");
    let db = setup(tmp.path());
    let v = json(pipedeck(&db).args(["report", "hygiene", "--format", "json"]));
    let ids: Vec<&str> = v
        .as_array()
        .expect("list")
        .iter()
        .map(|r| r["opportunity_id"].as_str().expect("id"))
        .collect();
    // By amount: o6 (50,000) before o1 (12,500.50).
    assert_eq!(ids, ["o6", "o1"]);
    // o1 on 15 Mar: fit (100 + 80)/2 = 90; engagement 0; Proposal 69 of 14
    // days → 0, close date 50 → momentum 20; risk untouched 30 + stuck 20 +
    // no next step 20 = 70 → 18 + 0 + 10 − 35 < 0 → 0.
    // o6: fit (60 + 100)/2 = 80; Discovery 14 of 21 days → 33.3, → momentum
    // 40; risk no next step 20 → 16 + 0 + 20 − 10 = 26.
    let score = |i: usize| v[i]["score"]["value"].as_u64();
    assert_eq!((score(0), score(1)), (Some(26), Some(0)));
    assert_eq!(v[1]["score"]["factors"].as_array().map(Vec::len), Some(4));
    assert_eq!(v[1]["score"]["factors"][0]["factor"], "fit");
    assert_eq!(v[1]["score"]["factors"][0]["value"], 90);
    let v = json(pipedeck(&db).args(["report", "hygiene", "--sort", "score", "--format", "json"]));
    assert_eq!(v[0]["opportunity_id"], "o1");
    let table = out(pipedeck(&db).args(["report", "hygiene", "--sort", "score"]));
    assert!(
        table.lines().nth(1).is_some_and(|h| h.ends_with("score")),
        "{table}"
    );
    let card = out(pipedeck(&db).args(["deal", "o6", "show"]));
    assert!(card.contains("score: 26/100"), "{card}");
    assert!(
        card.contains("ICP tier B (60 points) and segment Enterprise (100 points)."),
        "{card}"
    );
}

#[test]
fn score_calibration_replays_every_closed_deal() {
    let tmp = tempfile::tempdir().expect("tmp");
    let db = setup(tmp.path());
    let v = json(pipedeck(&db).args([
        "report",
        "score-calibration",
        "--period",
        "2026-Q1",
        "--days",
        "10",
        "--format",
        "json",
    ]));
    assert_eq!(v["days"], 10);
    let bands = v["bands"].as_array().expect("bands");
    assert_eq!(bands.len(), 5);
    let sum = |k: &str| bands.iter().map(|b| b[k].as_u64().expect(k)).sum::<u64>();
    // o2, o4, o5 won, o3 lost; each created before its replay day.
    assert_eq!((sum("won"), sum("lost"), sum("n")), (3, 1, 4));
    assert_eq!(v["skipped"], 0);
    // Without --period: every day a deal closed, o2's 2026-02-14 to o5's
    // 2026-03-10, the same four deals.
    let all = json(pipedeck(&db).args([
        "report",
        "score-calibration",
        "--days",
        "10",
        "--format",
        "json",
    ]));
    assert_eq!(
        (&all["period"]["from"], &all["period"]["to"]),
        (&Value::from("2026-02-14"), &Value::from("2026-03-11"))
    );
    assert_eq!(all["bands"], v["bands"]);
    let table = out(pipedeck(&db).args(["report", "score-calibration", "--period", "2026-Q1"]));
    assert!(table.contains("80–100"), "{table}");
    for f in ["csv", "md"] {
        pipedeck(&db)
            .args(["report", "score-calibration", "--format", f])
            .assert()
            .success();
    }
}
