//! Rows an import took in silence: ids a terminal cannot show, activities
//! whose details do not fit their kind, snapshot rows of deals or reps the
//! database does not hold, and a goal given twice; and a waterfall asked
//! between a day and itself, which is a usage error.

use crate::trust_inputs::{count, imported, pipedeck, refused, stdout};
use std::fs;

/// Imports `text` as `name` into the test's database: its stderr and
/// whether it landed.
fn import(dir: &std::path::Path, name: &str, text: &str) -> (String, bool) {
    let file = dir.join(name);
    fs::write(&file, text).unwrap();
    let out = pipedeck(dir).arg("import").arg(&file).output().unwrap();
    (
        String::from_utf8_lossy(&out.stderr).to_string(),
        out.status.success(),
    )
}

#[test]
fn an_id_a_terminal_cannot_show_is_refused_by_line() {
    let dir = tempfile::tempdir().unwrap();
    imported(dir.path());
    let d = dir.path();
    let reps_before = count(d, "reps");
    // "ada" with a zero-width space: a second Ada no one could type.
    let (err, landed) = import(
        d,
        "reps.csv",
        "id,name,role,start_date\nzoe,Zoe AE,AE,2025-01-06\nada\u{200B},Ada Again,AE,2025-01-06\n",
    );
    assert!(!landed, "{err}");
    assert!(
        err.contains(
            "reps.csv:3:1 (id): id \"ada\\u{200b}\" holds U+200B, a character a terminal does \
             not show or one that reorders text"
        ),
        "{err}"
    );
    assert_eq!(count(d, "reps"), reps_before, "zoe landed without her file");
    // The activities are streamed: the same rule there, a right-to-left
    // override on line 3.
    let activities_before = count(d, "activities");
    let (err, landed) = import(
        d,
        "activities.csv",
        "id,rep_id,kind,account_id,occurred_at,direction\n\
         a90,ada,call,acme,2026-01-20T10:00:00Z,outbound\n\
         a\u{202E}19,ada,call,acme,2026-01-20T11:00:00Z,outbound\n",
    );
    assert!(!landed, "{err}");
    assert!(
        err.contains("activities.csv:3:1 (id): id \"a\\u{202e}19\" holds U+202E"),
        "{err}"
    );
    assert_eq!(count(d, "activities"), activities_before);
    // A CRM's record id too (Pipedrive's `Deal - ID`).
    let header = "Deal - ID,Deal - Title,Deal - Owner,Deal - Value,Deal - Currency of Value,\
                  Deal - Organization,Deal - Pipeline,Deal - Stage,Deal - Status,Deal - Deal created\n";
    let (err, landed) = import(
        d,
        "deals.csv",
        &format!(
            "{header}7\u{2060},Acme seats,Dana Fox,4200,USD,Acme GmbH,Default,Proposal Made,Open,\
             2026-01-05 08:00:00\n"
        ),
    );
    assert!(!landed, "{err}");
    assert!(
        err.contains("deals.csv:2:1 (Deal - ID): id \"7\\u{2060}\" holds U+2060"),
        "{err}"
    );
}

/// A CRM's stage names the stage a deal is registered in and moved to, and a
/// Salesforce or mapped owner id becomes a rep's id: a character no terminal
/// shows there is refused as in a record id (the backup refused it on restore).
#[test]
fn a_crm_stage_or_owner_id_a_terminal_cannot_show_is_refused_by_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let why = "a character a terminal does not show or one that reorders text";
    let cases: [(&str, String, String); 6] = [
        (
            "hubspot.csv",
            "Record ID,Deal Name,Deal Stage,Deal owner\n501,a,Qual\u{200B}ified,Ann\n".into(),
            format!(
                "hubspot.csv:2:3 (Deal Stage): stage \"Qual\\u{{200b}}ified\" holds U+200B, {why}: a stage is typed to be found, so it holds none"
            ),
        ),
        (
            "entered.csv",
            "Record ID,Deal Name,Deal Stage,\"Date entered \"\"Demo\u{2060} (Sales)\"\"\"\n\
             501,a,Demo,2026-01-05 10:00\n"
                .into(),
            format!(
                "entered.csv:1:4 (Date entered \"Demo\u{2060} (Sales)\"): stage \"Demo\\u{{2060}}\" holds U+2060, {why}"
            ),
        ),
        (
            "pipedrive.csv",
            "Deal - ID,Deal - Title,Deal - Stage,Deal - Owner\n7,a,Pro\u{202E}posal,Ann\n".into(),
            format!(
                "pipedrive.csv:2:3 (Deal - Stage): stage \"Pro\\u{{202e}}posal\" holds U+202E, {why}"
            ),
        ),
        (
            "Opportunity.csv",
            "Id,Name,StageName,IsClosed,IsWon,OwnerId\n\
             006000000000001AAA,a,Qual\u{200B}ified,false,false,005000000000001AAA\n\
             006000000000002AAA,b,Qualified,false,false,005000000000001AA\u{200B}\n"
                .into(),
            format!(
                "Opportunity.csv:2:3 (StageName): stage \"Qual\\u{{200b}}ified\" holds U+200B, {why}"
            ),
        ),
        (
            "Opportunity.csv",
            "Id,Name,StageName,IsClosed,IsWon,OwnerId\n\
             006000000000002AAA,b,Qualified,false,false,005000000000001AA\u{200B}\n"
                .into(),
            format!(
                "Opportunity.csv:2:6 (OwnerId): owner id \"005000000000001AA\\u{{200b}}\" holds U+200B, {why}: an id is typed to be found"
            ),
        ),
        (
            "OpportunityHistory.csv",
            "Id,OpportunityId,StageName,CreatedDate\n\
             008000000000001AAA,006000000000001AAA,Qual\u{FEFF}ified,2026-01-05T10:00:00.000Z\n"
                .into(),
            format!(
                "OpportunityHistory.csv:2:3 (StageName): stage \"Qual\\u{{feff}}ified\" holds U+FEFF, {why}"
            ),
        ),
    ];
    for (name, text, want) in cases {
        let (err, landed) = import(d, name, &text);
        assert!(!landed, "{name}: {err}");
        assert!(err.contains(&want), "{want}\n{err}");
    }
    // The same owner id through a mapping.
    fs::write(
        d.join("map.toml"),
        "[columns]\nid = \"Id\"\nname = \"Name\"\nstage = \"Stage\"\nowner_id = \"Owner\"\n\
         [[stages]]\nname = \"Qualify\"\nprobability = 0.2\n",
    )
    .unwrap();
    fs::write(
        d.join("flat.csv"),
        "Id,Name,Stage,Owner\n1,a,Qualify,ann\u{200D}\n",
    )
    .unwrap();
    let err = refused(
        d,
        &[
            "import",
            "--mapping",
            d.join("map.toml").to_str().unwrap(),
            d.join("flat.csv").to_str().unwrap(),
        ],
    );
    assert!(
        err.contains("flat.csv:2:4 (Owner): owner id \"ann\\u{200d}\" holds U+200D"),
        "{err}"
    );
}

#[test]
fn an_activity_that_does_not_fit_its_kind_lands_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    imported(dir.path());
    let d = dir.path();
    let before = count(d, "activities");
    let file = "id,rep_id,kind,meeting_type,opportunity_id,account_id,occurred_at,outcome,duration_min,direction\n\
                a90,ada,call,,o1,acme,2026-01-20T10:00:00Z,held,5,outbound\n\
                a91,ada,email,first,o1,acme,2026-01-20T11:00:00Z,,30,outbound\n\
                a92,ada,meeting,first,o1,acme,2026-01-20T12:00:00Z,held,45,\n";
    let (err, landed) = import(d, "activities.csv", file);
    assert!(landed, "{err}");
    for want in [
        "activities.csv:2:8 (outcome): outcome held does not fit a call (a call is \
         connected/no_answer, an email replied, a meeting held/no_show) (implausible; kept as read)",
        "activities.csv:3:4 (meeting_type): a meeting type is for meetings only, not an email \
         (implausible; kept as read)",
        "activities.csv:3:9 (duration_min): a duration is for calls and meetings only, not an \
         email (implausible; kept as read)",
        // Three warnings on two rows.
        "2 implausible row(s) imported anyway",
    ] {
        assert!(err.contains(want), "{want}: {err}");
    }
    assert!(!err.contains("activities.csv:4"), "a92 fits: {err}");
    assert_eq!(count(d, "activities"), before + 3);
    // `--strict` refuses them, and lands none.
    let strict = "id,rep_id,kind,account_id,occurred_at,outcome\n\
                  a93,ada,email,acme,2026-01-21T10:00:00Z,no_show\n";
    fs::write(d.join("strict.csv"), strict).unwrap();
    let err = refused(
        d,
        &["import", "--strict", d.join("strict.csv").to_str().unwrap()],
    );
    assert!(
        err.contains("strict.csv:2:6 (outcome): outcome no_show does not fit an email"),
        "{err}"
    );
    assert_eq!(count(d, "activities"), before + 3);
}

#[test]
fn a_snapshot_row_of_a_deal_or_rep_not_held_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    imported(dir.path());
    let d = dir.path();
    let header =
        "taken_on,taken_at,opportunity_id,owner_id,stage,amount,close_date,forecast_category\n";
    let (err, landed) = import(
        d,
        "forecast_snapshots.csv",
        &format!(
            "{header}2026-01-26,2026-01-26T18:00:00Z,o1,ada,Proposal,12500.50,2026-03-31,commit\n\
             2026-01-26,2026-01-26T18:00:00Z,o99,ada,Proposal,1000,2026-03-31,pipeline\n\
             2026-01-26,2026-01-26T18:00:00Z,o3,nobody,Discovery,2000,2026-03-31,pipeline\n"
        ),
    );
    assert!(!landed, "{err}");
    for want in [
        "forecast_snapshots.csv:3:3 (opportunity_id): unknown opportunity \"o99\"",
        "forecast_snapshots.csv:4:4 (owner_id): unknown rep \"nobody\"",
    ] {
        assert!(err.contains(want), "{want}: {err}");
    }
    assert_eq!(count(d, "forecast_snapshots"), 0);
    // The deals and reps of the database are known, and a stage is what it
    // was then: a stage no longer configured is kept.
    let (err, landed) = import(
        d,
        "forecast_snapshots.csv",
        &format!(
            "{header}2026-01-26,2026-01-26T18:00:00Z,o3,ada,Scoping,2000,2026-03-31,pipeline\n"
        ),
    );
    assert!(landed, "{err}");
    assert_eq!(count(d, "forecast_snapshots"), 1);
}

#[test]
fn a_goal_given_twice_in_one_import_is_refused_with_both_lines() {
    let dir = tempfile::tempdir().unwrap();
    imported(dir.path());
    let d = dir.path();
    let (err, landed) = import(
        d,
        "goals.csv",
        "role,metric,period,target,direction\n\
         AE,calls,week,40,at_least\n\
         SDR,calls,week,60,at_least\n\
         AE,calls,week,60,at_least\n",
    );
    assert!(!landed, "{err}");
    assert!(
        err.contains(
            "goals.csv:4:2 (metric): the goal of AE on calls per week appears twice (first on line 2)"
        ),
        "{err}"
    );
    assert_eq!(count(d, "goals"), 0);
    // Another period is another goal.
    let (err, landed) = import(
        d,
        "goals.csv",
        "role,metric,period,target,direction\nAE,calls,week,40,at_least\nAE,calls,month,160,at_least\n",
    );
    assert!(landed, "{err}");
    assert_eq!(count(d, "goals"), 2);
}

#[test]
fn a_waterfall_from_a_day_to_itself_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    imported(dir.path());
    let out = pipedeck(dir.path())
        .args([
            "report",
            "waterfall",
            "--from",
            "2026-01-20",
            "--to",
            "2026-01-20",
        ])
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        err.contains("--from 2026-01-20 is --to 2026-01-20: a waterfall runs between two days"),
        "{err}"
    );
    // The day before is a waterfall.
    let table = stdout(
        dir.path(),
        &[
            "report",
            "waterfall",
            "--from",
            "2026-01-19",
            "--to",
            "2026-01-20",
        ],
    );
    assert!(table.contains("from 2026-01-19 to 2026-01-20"), "{table}");
}

#[test]
fn config_check_warns_of_a_probability_that_falls_as_a_deal_advances() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("c.toml");
    fs::write(
        &config,
        "[[stages]]\nname = \"Discovery\"\nprobability = 0.2\n\
         [[stages]]\nname = \"Proposal\"\nprobability = 0.6\n\
         [[stages]]\nname = \"Negotiation\"\nprobability = 0.4\n\
         [[stages]]\nname = \"Won\"\nprobability = 1.0\nkind = \"won\"\n\
         [[stages]]\nname = \"Lost\"\nprobability = 0.0\nkind = \"lost\"\n",
    )
    .unwrap();
    let out = pipedeck(dir.path())
        .arg("--config")
        .arg(&config)
        .args(["config", "check"])
        .assert()
        .success();
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert_eq!(
        err,
        "warning: stage \"Negotiation\": probability 0.4 is below 0.6, the probability of \
         \"Proposal\" earlier in the pipeline; a deal would count for less in the weighted \
         forecast as it advances\n"
    );
}
