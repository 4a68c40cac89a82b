//! The "CRM Sales Opportunities" format on a small hand-written set (the
//! public set itself is tested in import_shared.rs).

use pipedeck::domain::Settings;
use pipedeck::domain::model::*;
use pipedeck::domain::money::Money;
use pipedeck::import::{self, Format, ImportError, Options};
use pipedeck::storage::Store;

const TEAMS: &str = "sales_agent,manager,regional_office\r\n\
Ann Lee,Max Boss,Central\r\n\
Bob Roy,Max Boss,Central\r\n\
Cy Dee,Zed Head,East\r\n";
const ACCOUNTS: &str = "account,sector,year_established,revenue,employees,office_location,subsidiary_of\r\n\
Acme Corporation,technolgy,1996,1100.04,2822,United States,\r\n\
Betatech,medical,1986,647.18,1185,Kenya,\r\n";
const PIPELINE: &str = "opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value\r\n\
W1,Ann Lee,GTXPro,Acme Corporation,Won,2017-01-10,2017-03-01,4514\r\n\
L1,Bob Roy,MG Special,Betatech,Lost,2017-02-01,2017-02-20,0\r\n\
E1,Cy Dee,GTX Basic,,Engaging,2017-03-05,,\r\n\
P1,Ann Lee,GTX Basic,,Prospecting,,,\r\n";
const PRODUCTS: &str = "product,series,sales_price\r\nGTX Pro,GTX,4821\r\n";

/// New rows per entity, or the import's error.
type NewCounts = Result<Vec<(&'static str, u64)>, ImportError>;

fn import_set(pipeline: &str) -> (Store, NewCounts) {
    import_with_teams(TEAMS, pipeline)
}

fn import_with_teams(teams: &str, pipeline: &str) -> (Store, NewCounts) {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [
        ("sales_teams.csv", teams),
        ("accounts.csv", ACCOUNTS),
        ("sales_pipeline.csv", pipeline),
        ("products.csv", PRODUCTS),
    ] {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    // New York: local midnights are 05:00 UTC in winter (EST, before 12 March 2017).
    let settings = Settings {
        time_zone: "America/New_York".into(),
        ..Settings::default()
    };
    let cal = settings.calendar().unwrap();
    let opts = Options {
        format: Format::Maven,
        dry_run: false,
        settings: &settings,
        cal: &cal,
    };
    let mut store = Store::open_in_memory().unwrap();
    let r = import::run(
        &mut store,
        &[dir.path().to_path_buf()],
        &opts,
        &mut |_, _| {},
    );
    let r = r.map(|c| {
        import::summary(&c)
            .into_iter()
            .map(|(e, c)| (e, c.new))
            .collect()
    });
    (store, r)
}

#[test]
fn maps_teams_accounts_and_deals() {
    let (store, counts) = import_set(PIPELINE);
    // 3 agents + 2 managers; 2 accounts; 4 deals; 4 stages; history: W1 and
    // L1 3 rows each (creation, stage, status), E1 1, P1 (no date) none.
    assert_eq!(
        counts.unwrap(),
        vec![
            ("stages", 4),
            ("reps", 5),
            ("accounts", 2),
            ("opportunities", 4),
            ("opportunity_history", 7),
        ]
    );
    let data = store.load_dataset().unwrap();
    let ann = data.rep(&"ann-lee".into()).unwrap();
    assert_eq!(
        (ann.role, ann.manager_id.clone(), ann.team.as_deref()),
        (Role::Ae, Some("max-boss".into()), Some("Central"))
    );
    let zed = data.rep(&"zed-head".into()).unwrap();
    assert_eq!(
        (zed.role, zed.team.as_deref(), zed.manager_id.clone()),
        (Role::Manager, Some("East"), None)
    );
    let acme = data
        .accounts
        .iter()
        .find(|a| a.id.as_str() == "acme-corporation")
        .unwrap();
    assert_eq!(
        (acme.industry.as_deref(), acme.employees),
        (Some("technology"), Some(2822))
    );

    let w1 = data.opportunity(&"W1".into()).unwrap();
    assert_eq!(w1.name, "Acme Corporation — GTX Pro");
    assert_eq!(w1.amount, Some(Money(451_400)));
    assert_eq!(
        w1.created_at.unwrap().to_rfc3339(),
        "2017-01-10T05:00:00+00:00"
    );
    assert_eq!(
        w1.closed_at.unwrap().to_rfc3339(),
        "2017-03-01T05:00:00+00:00"
    );
    assert_eq!(w1.close_date.unwrap().to_string(), "2017-03-01");
    assert_eq!(
        (w1.status, w1.forecast_category),
        (Status::Won, Some(ForecastCategory::Closed))
    );
    let l1 = data.opportunity(&"L1".into()).unwrap();
    assert_eq!((l1.status, l1.amount), (Status::Lost, None));
    let e1 = data.opportunity(&"E1".into()).unwrap();
    assert_eq!(
        (e1.name.as_str(), e1.status, e1.amount, e1.forecast_category),
        ("GTX Basic (no account)", Status::Open, None, None)
    );
    let p1 = data.opportunity(&"P1".into()).unwrap();
    assert_eq!((p1.created_at, p1.stage.as_str()), (None, "Prospecting"));

    let history: Vec<String> = data
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
    assert_eq!(
        history,
        vec![
            "W1 01-10T05:00 stage ∅ -> Engaging",
            "L1 02-01T05:00 stage ∅ -> Engaging",
            "L1 02-20T05:00 stage Engaging -> Lost",
            "L1 02-20T05:00 status open -> lost",
            "W1 03-01T05:00 stage Engaging -> Won",
            "W1 03-01T05:00 status open -> won",
            "E1 03-05T05:00 stage ∅ -> Engaging",
        ]
    );
    let won = data.stage("Won").unwrap();
    assert_eq!((won.kind, won.probability), (StageKind::Won, 1.0));
}

#[test]
fn unknown_agents_accounts_and_stages_are_row_errors() {
    let bad = "opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value\r\n\
               X1,Nobody Here,GTX Basic,Acme Corporation,Won,2017-01-10,2017-03-01,10\r\n\
               X2,Ann Lee,GTX Basic,Gamma Ltd,Engaging,2017-01-10,,\r\n\
               X3,Ann Lee,GTX Basic,,Closing,2017-01-10,,\r\n";
    let (store, r) = import_set(bad);
    let Err(ImportError::Rows(errs)) = r else {
        panic!("expected row errors");
    };
    let tails: Vec<String> = errs
        .iter()
        .map(|e| e.to_string().rsplit('/').next().unwrap().to_string())
        .collect();
    assert_eq!(
        tails,
        vec![
            "sales_pipeline.csv:2:2 (sales_agent): unknown rep \"nobody-here\"",
            "sales_pipeline.csv:3:4 (account): unknown account \"gamma-ltd\"",
            "sales_pipeline.csv:4:5 (deal_stage): \"Closing\" is not a stage of this set (Prospecting, Engaging, Won, Lost)",
        ]
    );
    assert!(store.load_dataset().unwrap().reps.is_empty());
}

#[test]
fn an_opportunity_id_twice_is_a_row_error() {
    // W1 on lines 2 and 3 (different amounts): without the check the last row
    // would silently win. The error names line 3, column 1 (opportunity_id).
    let dup = "opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value\r\n\
               W1,Ann Lee,GTXPro,Acme Corporation,Won,2017-01-10,2017-03-01,4514\r\n\
               W1,Ann Lee,GTXPro,Acme Corporation,Won,2017-01-10,2017-03-01,9999\r\n";
    let (store, r) = import_set(dup);
    let Err(ImportError::Rows(errs)) = r else {
        panic!("expected row errors");
    };
    let tails: Vec<String> = errs
        .iter()
        .map(|e| e.to_string().rsplit('/').next().unwrap().to_string())
        .collect();
    assert_eq!(
        tails,
        vec!["sales_pipeline.csv:3:1 (opportunity_id): id \"W1\" appears twice (first on line 2)"]
    );
    assert!(store.load_dataset().unwrap().reps.is_empty());
}

#[test]
fn an_agent_twice_in_the_teams_file_is_a_row_error() {
    // "Ann Lee" on lines 2 and 4 (different offices): the second would
    // silently replace the first. "ann  lee" on line 5 gives the same id
    // ann-lee too. Errors at column 1 (sales_agent) of lines 4 and 5.
    let teams = "sales_agent,manager,regional_office\r\n\
                 Ann Lee,Max Boss,Central\r\n\
                 Bob Roy,Max Boss,Central\r\n\
                 Ann Lee,Zed Head,East\r\n\
                 ann  lee,Zed Head,East\r\n\
                 Cy Dee,Zed Head,East\r\n";
    let (store, r) = import_with_teams(teams, PIPELINE);
    let Err(ImportError::Rows(errs)) = r else {
        panic!("expected row errors");
    };
    let tails: Vec<String> = errs
        .iter()
        .map(|e| e.to_string().rsplit('/').next().unwrap().to_string())
        .collect();
    assert_eq!(
        tails,
        vec![
            "sales_teams.csv:4:1 (sales_agent): \"Ann Lee\" and \"Ann Lee\" give the same id \"ann-lee\" (first on line 2)",
            "sales_teams.csv:5:1 (sales_agent): \"ann  lee\" and \"Ann Lee\" give the same id \"ann-lee\" (first on line 2)",
        ]
    );
    assert!(store.load_dataset().unwrap().reps.is_empty());
}
