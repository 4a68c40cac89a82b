//! `report drill` ends in the records behind the metric, in every format,
//! on the small database of `metrics_cli` (worked out by hand there): in the
//! week of 2026-11-16 ann won o1 (1,000.00) and o2 (234.50) and lost o3; in
//! the week of 2026-11-09 she held one meeting, m1.

use crate::metrics_cli::{database, json, run};

fn ids(v: &serde_json::Value, key: &str) -> Vec<(String, String)> {
    v["records"][key]
        .as_array()
        .expect("a list")
        .iter()
        .map(|r| {
            (
                r["id"].as_str().expect("id").to_string(),
                r["side"].as_str().expect("side").to_string(),
            )
        })
        .collect()
}

fn pairs(rows: &[(&str, &str)]) -> Vec<(String, String)> {
    rows.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn the_win_rate_drill_lists_the_won_and_lost_deals() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = database(&dir);
    let args = [
        "report",
        "drill",
        "--rep",
        "ann",
        "--metric",
        "win_rate",
        "--period",
        "last-week",
    ];
    let v = json(&db, &[&args[..], &["--format", "json"]].concat());
    assert_eq!(v["asked"], "win_rate");
    assert_eq!(
        ids(&v, "deals"),
        pairs(&[("o1", "won"), ("o2", "won"), ("o3", "lost")])
    );
    // 2 won of 3 closed: the won deals are the numerator, all three the denominator.
    assert_eq!(
        (v["records"]["num"].as_f64(), v["records"]["den"].as_f64()),
        (Some(2.0), Some(3.0))
    );
    let deals = v["records"]["deals"].as_array().expect("deals");
    let counts: Vec<&str> = deals.iter().filter_map(|d| d["counts"].as_str()).collect();
    assert_eq!(counts, vec!["both", "both", "denominator"]);
    // Money in major units; the unknown amount is null.
    assert_eq!(deals[1]["amount"], 234.5);
    assert_eq!(deals[2]["amount"], serde_json::Value::Null);
    assert_eq!(deals[0]["close_date"], "2026-11-17");
    let text = |format: &str| {
        let out = run(&db, &[&args[..], &["--format", format]].concat())
            .success()
            .get_output()
            .stdout
            .clone();
        String::from_utf8(out).expect("utf-8")
    };
    let table = text("table");
    assert!(table.contains("Deals behind win_rate: 3"), "{table}");
    assert!(table.contains("win_rate = 66.7% (2 of 3)"), "{table}");
    let csv = text("csv");
    assert!(
        csv.lines()
            .any(|l| l.contains(",o2,o2,234.50,Closed Won,2026-11-22,won,num+den")),
        "{csv}"
    );
    let md = text("md");
    assert!(
        md.contains("| o3 | o3 | — | Closed Lost | 2026-11-18 | lost | den |"),
        "{md}"
    );
}

#[test]
fn the_meetings_drill_lists_the_meetings_held() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = database(&dir);
    let v = json(
        &db,
        &[
            "report", "drill", "--rep", "ann", "--metric", "meetings", "--period", "2026-W46",
            "--format", "json",
        ],
    );
    assert_eq!(v["period"]["from"], "2026-11-09");
    assert_eq!(ids(&v, "activities"), pairs(&[("m1", "held")]));
    // One record, and the metric is 1.
    assert_eq!(v["records"]["value"], 1.0);
    let m1 = &v["records"]["activities"][0];
    assert_eq!(
        (&m1["date"], &m1["kind"], &m1["outcome"]),
        (&"2026-11-10".into(), &"meeting".into(), &"held".into())
    );
    // A metric no tree holds is a tree of one node, still down to its records.
    let d = json(
        &db,
        &[
            "report",
            "drill",
            "--rep",
            "ann",
            "--metric",
            "lost",
            "--period",
            "last-week",
            "--format",
            "json",
        ],
    );
    assert_eq!(ids(&d, "deals"), pairs(&[("o3", "lost")]));
}

#[test]
fn a_metric_with_nothing_behind_it_says_which_records_it_counts() {
    let dir = tempfile::tempdir().expect("tmp");
    let db = database(&dir);
    let text = |metric: &str| {
        let out = run(
            &db,
            &[
                "report", "drill", "--rep", "ann", "--metric", metric, "--period", "2026-W40",
            ],
        )
        .success()
        .get_output()
        .stdout
        .clone();
        String::from_utf8(out).expect("UTF-8")
    };
    // ann won nothing and held no meeting in 2026-W40 (the data starts in November).
    let won = text("won");
    assert!(won.contains("Deals behind won: 0"), "{won}");
    assert!(!won.contains("Activities behind"), "{won}");
    let meetings = text("meetings");
    assert!(
        meetings.contains("Activities behind meetings: 0"),
        "{meetings}"
    );
    assert!(!meetings.contains("Deals behind"), "{meetings}");
}
