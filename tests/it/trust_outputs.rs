//! What a hunt on the command line found: an edit moved into a later day
//! by a change dated after today (and such changes imported without a
//! word), sums by segment without their deals of no amount, a cut's CSV
//! of text cells, a metrics CSV whose header followed the number of reps,
//! and a calibration replayed on the close day itself.

use crate::trust_inputs::{pipedeck, refused, stdout};
use std::fs;
use std::path::Path;

/// Ada (AE); Acme (SMB) with two open deals, one without an amount;
/// Globex (Enterprise) with a deal won in January. `o1`'s close date was
/// moved on a day after `--today` (2026-02-01); an activity is dated in
/// March.
fn org(dir: &Path) -> std::path::PathBuf {
    let set = dir.join("set");
    fs::create_dir_all(&set).unwrap();
    let files = [
        (
            "reps.csv",
            "id,name,role,start_date\nada,Ada,AE,2025-01-06\n",
        ),
        (
            "accounts.csv",
            "id,name,segment\nacme,Acme,SMB\nglobex,Globex,Enterprise\n",
        ),
        (
            "opportunities.csv",
            "id,name,account_id,owner_id,created_at,stage,amount,close_date,status,closed_at\n\
             o1,Acme one,acme,ada,2026-01-05T09:00:00Z,Discovery,,2026-03-31,,\n\
             o2,Acme two,acme,ada,2026-01-06T09:00:00Z,Proposal,1000,2026-03-31,,\n\
             o3,Globex,globex,ada,2026-01-02T09:00:00Z,Closed Won,5000,2026-01-20,won,2026-01-20T16:00:00Z\n",
        ),
        (
            "opportunity_history.csv",
            "opportunity_id,changed_at,field,old_value,new_value,changed_by\n\
             o1,2027-01-15T10:00:00Z,close_date,2026-03-31,2026-04-15,\n",
        ),
        (
            "activities.csv",
            "id,rep_id,kind,opportunity_id,occurred_at\n\
             a1,ada,call,o2,2026-01-20T10:00:00Z\n\
             a2,ada,call,o2,2026-03-01T10:00:00Z\n",
        ),
    ];
    for (name, text) in files {
        fs::write(set.join(name), text).unwrap();
    }
    set
}

fn imported(dir: &Path) -> String {
    let out = pipedeck(dir).arg("import").arg(org(dir)).assert().success();
    String::from_utf8_lossy(&out.get_output().stderr).to_string()
}

#[test]
fn a_change_dated_after_today_is_a_warning_and_an_edit_is_not_moved_past_it() {
    let dir = tempfile::tempdir().unwrap();
    let warned = imported(dir.path());
    let set = dir.path().join("set");
    for line in [
        format!(
            "warning: {}:2:2 (changed_at): dated 2027-01-15, after today (implausible)",
            set.join("opportunity_history.csv").display()
        ),
        format!(
            "warning: {}:3:5 (occurred_at): dated 2026-03-01, after today (implausible)",
            set.join("activities.csv").display()
        ),
    ] {
        assert!(warned.contains(&line), "{line}\nin\n{warned}");
    }
    // Won "today" would have been stamped 2027-01-15 (after the change):
    // booked a year later. Refused, with the change named; nothing written.
    let err = refused(dir.path(), &["deal", "o1", "won"]);
    assert!(
        err.contains("deal o1: its history holds a change dated 2027-01-15 10:00 UTC, after this edit's day (2026-02-01 "),
        "{err}"
    );
    let shown = stdout(dir.path(), &["deal", "o1", "show"]);
    assert!(shown.contains("stage Discovery  status open"), "{shown}");
    // A deal without such a change takes its edit.
    let saved = stdout(dir.path(), &["deal", "o2", "amount", "1200"]);
    assert_eq!(saved.trim(), "o2: amount 1,000 → 1,200");
}

#[test]
fn a_cut_counts_its_deals_without_an_amount_and_writes_plain_csv() {
    let dir = tempfile::tempdir().unwrap();
    imported(dir.path());
    let by = |format: &str| {
        stdout(
            dir.path(),
            &[
                "report", "metrics", "--by", "segment", "--period", "2026-Q1", "--format", format,
            ],
        )
    };
    // Acme: o1 (no amount) and o2 (1,000) open; Globex: o3 won, 5,000.
    let table = by("table");
    let smb = table.lines().find(|l| l.starts_with("SMB")).unwrap();
    assert!(smb.contains("1,000 (1 without amount)"), "{table}");
    let csv = by("csv");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "segment,metric,value,sample,note");
    for row in [
        "SMB,open_opps,2,,",
        "SMB,pipeline_value,1000,,1 without amount",
        "Enterprise,won,1,,",
        "Enterprise,bookings,5000,,",
        "Enterprise,win_rate,100.0%,1/1,",
        "team,pipeline_value,1000,,1 without amount",
    ] {
        assert!(lines.contains(&row), "{row}\nin\n{csv}");
    }
}

#[test]
fn the_metrics_csv_names_its_tables_whatever_their_number() {
    let dir = tempfile::tempdir().unwrap();
    imported(dir.path());
    // No rep was active in 2019: the team's table alone, same header.
    for period in ["2019-Q4", "2026-Q1"] {
        let csv = stdout(
            dir.path(),
            &["report", "metrics", "--period", period, "--format", "csv"],
        );
        assert_eq!(
            csv.lines().next(),
            Some("table,metric,value,sample,team,goal,note"),
            "{period}: {csv}"
        );
    }
}

#[test]
fn a_calibration_is_not_replayed_on_the_close_day() {
    let dir = tempfile::tempdir().unwrap();
    imported(dir.path());
    let out = pipedeck(dir.path())
        .args(["report", "score-calibration", "--days", "0"])
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("--days"), "{err}");
}

#[test]
fn the_forecast_csv_counts_the_deals_its_figures_leave_out() {
    let dir = tempfile::tempdir().unwrap();
    imported(dir.path());
    // 2026-Q1: o1 (no amount) and o2 (1,000) open, closing 03-31; o3 won.
    // The table says it under the team's row; a spreadsheet reads columns.
    let csv = stdout(
        dir.path(),
        &[
            "report", "forecast", "--period", "2026-Q1", "--format", "csv",
        ],
    );
    let lines: Vec<&str> = csv.lines().collect();
    assert!(
        lines[0].ends_with(",won without amount,open without amount,open without probability"),
        "{csv}"
    );
    let team = lines.iter().find(|l| l.contains(",Team,2026-Q1,")).unwrap();
    assert!(team.ends_with(",0,1,0"), "{csv}");
}
