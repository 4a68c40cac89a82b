//! CRM exports as the products write them, in shapes the readers were not
//! first written for: a HubSpot stage carrying its pipeline without a
//! Pipeline column, deals in several currencies (HubSpot `Currency`,
//! Salesforce `CurrencyIsoCode`, Pipedrive in one foreign currency),
//! spreadsheet-grouped Salesforce amounts, and an amount whose dot may group
//! thousands. Every expected value is worked out by hand in the comments.

use crate::import_crm::{errors, run, write};
use pipedeck::domain::Settings;
use pipedeck::domain::model::*;
use pipedeck::domain::money::Money;
use pipedeck::import::{self, Format, Options, RoundTrip};
use pipedeck::storage::Store;

fn amounts(store: &Store) -> Vec<(String, Option<Money>)> {
    let data = store.load_dataset().unwrap();
    let mut out: Vec<(String, Option<Money>)> = data
        .opportunities
        .iter()
        .map(|o| (o.id.to_string(), o.amount))
        .collect();
    out.sort();
    out
}

/// The warnings an import that lands prints, without the directory.
fn warnings(store: &mut Store, path: std::path::PathBuf, settings: &Settings) -> Vec<String> {
    let dir = format!("{}/", path.parent().unwrap().display());
    let done = run_at(store, &path, settings, RoundTrip::default().now);
    done.warnings
        .iter()
        .map(|w| w.to_string().replace(&dir, ""))
        .collect()
}

/// An import of `path` on the clock `now`.
fn run_at(
    store: &mut Store,
    path: &std::path::Path,
    settings: &Settings,
    now: chrono::DateTime<chrono::Utc>,
) -> import::Imported {
    let cal = settings.calendar().unwrap();
    let opts = Options {
        format: Format::Auto,
        dry_run: false,
        settings,
        cal: &cal,
    };
    let rt = RoundTrip {
        now,
        ..RoundTrip::default()
    };
    import::run_with(store, &[path.to_path_buf()], &opts, &rt, &mut |_, _| {}).unwrap()
}

/// HubSpot writes ` (<pipeline>)` after a stage when the portal has several
/// pipelines; without a Pipeline column the name still says won or lost.
#[test]
fn a_hubspot_closed_stage_with_its_pipeline_and_no_pipeline_column_is_closed() {
    let tmp = tempfile::tempdir().unwrap();
    let p = write(
        tmp.path(),
        "deals.csv",
        "\"Record ID\",\"Deal Name\",\"Deal Stage\",\"Amount\",\"Close Date\",\"Create Date\"\n\
         \"1\",\"A\",\"Closed Won (Sales Pipeline)\",\"5000\",\"2026-11-01\",\"2026-09-01 10:00\"\n\
         \"2\",\"B\",\"Closed Lost (Renewals)\",\"7000\",\"2026-11-02\",\"2026-09-01 10:00\"\n\
         \"3\",\"C\",\"Demo (Technical)\",\"9000\",\"2026-12-01\",\"2026-09-01 10:00\"\n",
    );
    let mut store = Store::open_in_memory().unwrap();
    run(&mut store, &[p], Format::Auto, &Settings::default()).unwrap();
    let data = store.load_dataset().unwrap();
    let status: Vec<(&str, &str, Status)> = data
        .opportunities
        .iter()
        .map(|o| (o.id.as_str(), o.stage.as_str(), o.status))
        .collect();
    assert_eq!(
        status,
        vec![
            ("1", "Closed Won (Sales Pipeline)", Status::Won),
            ("2", "Closed Lost (Renewals)", Status::Lost),
            ("3", "Demo (Technical)", Status::Open),
        ]
    );
}

const HUBSPOT_PRICED: &str = "\"Record ID\",\"Deal Name\",\"Deal Stage\",\"Amount\",\"Currency\",\"Amount in company currency\"\n\
     \"401\",\"US deal\",\"Contract Sent\",\"10000\",\"USD\",\"10000\"\n\
     \"402\",\"Japan deal\",\"Contract Sent\",\"1500000\",\"JPY\",\"10050\"\n\
     \"403\",\"EU deal\",\"Contract Sent\",\"10000\",\"eur\",\"10800\"\n";

#[test]
fn hubspot_amounts_in_other_currencies_are_refused_or_converted() {
    let tmp = tempfile::tempdir().unwrap();
    let p = write(tmp.path(), "deals.csv", HUBSPOT_PRICED);
    let mut store = Store::open_in_memory().unwrap();
    let refusal = |c: &str| {
        format!(
            "currency {c} has no rate, in a file of several currencies (EUR 1, JPY 1, USD 1); pipedeck keeps one currency (USD): give {c} a rate under [import.rates] to convert"
        )
    };
    assert_eq!(
        errors(&mut store, p.clone(), &Settings::default()),
        vec![
            format!("deals.csv:3:5 (Currency): {}", refusal("JPY")),
            format!("deals.csv:4:5 (Currency): {}", refusal("EUR")),
        ]
    );
    let mut settings = Settings::default();
    settings.import.rates.insert("EUR".into(), 1.08);
    settings.import.rates.insert("JPY".into(), 0.0067);
    run(&mut store, &[p], Format::Auto, &settings).unwrap();
    // 1,500,000 JPY × 0.0067 = 10,050 USD; 10,000 EUR × 1.08 = 10,800 USD.
    assert_eq!(
        amounts(&store),
        vec![
            ("401".into(), Some(Money(1_000_000))),
            ("402".into(), Some(Money(1_005_000))),
            ("403".into(), Some(Money(1_080_000))),
        ]
    );
}

/// A file all in one foreign currency is converted when it has a rate (so a
/// later export mixing it with the database's currency moves no amount),
/// and taken as it is with a warning when it has none.
#[test]
fn a_pipedrive_file_in_one_foreign_currency_is_converted_at_its_rate() {
    let tmp = tempfile::tempdir().unwrap();
    let first = write(
        tmp.path(),
        "pd1.csv",
        "Deal - ID,Deal - Title,Deal - Stage,Deal - Value,Deal - Currency\n\
         101,A,Qualified,25000,EUR\n\
         102,B,Qualified,18000,EUR\n",
    );
    let mut store = Store::open_in_memory().unwrap();
    assert_eq!(
        warnings(&mut store, first.clone(), &Settings::default()),
        vec![
            "pd1.csv:2:5 (Deal - Currency): amounts in EUR taken as they are, while pipedeck keeps USD: set `currency = \"EUR\"` in the config, or give EUR a rate under [import.rates] to convert"
        ]
    );
    assert_eq!(
        amounts(&store),
        vec![
            ("101".into(), Some(Money(2_500_000))),
            ("102".into(), Some(Money(1_800_000))),
        ]
    );

    let mut settings = Settings::default();
    settings.import.rates.insert("EUR".into(), 1.08);
    let mut store = Store::open_in_memory().unwrap();
    assert!(warnings(&mut store, first, &settings).is_empty());
    // 25,000 × 1.08 = 27,000; 18,000 × 1.08 = 19,440.
    let converted = vec![
        ("101".to_string(), Some(Money(2_700_000))),
        ("102".to_string(), Some(Money(1_944_000))),
    ];
    assert_eq!(amounts(&store), converted);
    let later = write(
        tmp.path(),
        "pd2.csv",
        "Deal - ID,Deal - Title,Deal - Stage,Deal - Value,Deal - Currency\n\
         101,A,Qualified,25000,EUR\n\
         102,B,Qualified,18000,EUR\n\
         103,C,Qualified,500,USD\n",
    );
    let counts = run(&mut store, &[later], Format::Auto, &settings).unwrap();
    let opps = counts.iter().find(|c| c.0 == "opportunities").unwrap();
    assert_eq!(*opps, ("opportunities", 1, 0, 2));
}

/// Salesforce: `CurrencyIsoCode` converts the deal and its history's
/// amounts; a spreadsheet's `12,500.00` is read.
#[test]
fn salesforce_amounts_follow_currency_iso_code_and_may_be_grouped() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(
        dir,
        "Opportunity.csv",
        "Id,Name,StageName,Amount,CloseDate,IsClosed,IsWon,CurrencyIsoCode\n\
         0061,Acme,Negotiation,\"12,500.00\",2026-12-31,false,false,USD\n\
         0062,Globex,Negotiation,\"2,000.00\",2026-12-31,false,false,EUR\n",
    );
    write(
        dir,
        "OpportunityFieldHistory.csv",
        "Id,OpportunityId,CreatedById,CreatedDate,Field,OldValue,NewValue\n\
         0171,0062,,2026-10-20T09:00:00.000Z,Amount,1500,2000\n",
    );
    let mut settings = Settings::default();
    settings.import.rates.insert("EUR".into(), 1.5);
    let mut store = Store::open_in_memory().unwrap();
    run(&mut store, &[dir.to_path_buf()], Format::Auto, &settings).unwrap();
    // 2,000 EUR × 1.5 = 3,000 USD; its history 1,500 → 2,000 EUR is
    // 2,250 → 3,000 USD (cents in the history).
    assert_eq!(
        amounts(&store),
        vec![
            ("0061".into(), Some(Money(1_250_000))),
            ("0062".into(), Some(Money(300_000))),
        ]
    );
    let data = store.load_dataset().unwrap();
    let changes: Vec<(Option<&str>, Option<&str>)> = data
        .history
        .iter()
        .filter(|h| h.field == HistoryField::Amount && h.opportunity_id.as_str() == "0062")
        .map(|h| (h.old_value.as_deref(), h.new_value.as_deref()))
        .collect();
    assert!(
        changes.contains(&(Some("225000"), Some("300000"))),
        "{changes:?}"
    );
}

#[test]
fn an_amount_whose_dot_may_group_thousands_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let p = write(
        tmp.path(),
        "deals.csv",
        "\"Record ID\",\"Deal Name\",\"Deal Stage\",\"Amount\"\n\"1\",\"A\",\"Demo\",\"12.500\"\n",
    );
    let mut store = Store::open_in_memory().unwrap();
    assert_eq!(
        errors(&mut store, p, &Settings::default()),
        vec![
            "deals.csv:2:4 (Amount): \"12.500\" is ambiguous: a dot before three digits groups thousands in some exports; write 12500 or 12.50"
        ]
    );
}

/// A report's 15-character ids and the Data Export's 18-character ones name
/// the same deals: the second file updates them, it adds none.
#[test]
fn salesforce_fifteen_and_eighteen_character_ids_are_one_record() {
    let tmp = tempfile::tempdir().unwrap();
    let file = |dir: &str, ids: [&str; 2], amount: &str| {
        let d = tmp.path().join(dir);
        std::fs::create_dir(&d).unwrap();
        write(
            &d,
            "Opportunity.csv",
            &format!(
                "Id,Name,StageName,Amount,CloseDate,IsClosed,IsWon\n\
                 {},Acme,Negotiation,{amount},2026-12-31,false,false\n\
                 {},Globex,Negotiation,500,2026-12-31,false,false\n",
                ids[0], ids[1]
            ),
        );
        d
    };
    let export = file(
        "export",
        ["0065g00000AbCdEAAV", "006Hp000015Yh7kIAC"],
        "100",
    );
    let report = file("report", ["0065g00000AbCdE", "006Hp000015Yh7k"], "150");
    let mut store = Store::open_in_memory().unwrap();
    run(&mut store, &[export], Format::Auto, &Settings::default()).unwrap();
    let counts = run(&mut store, &[report], Format::Auto, &Settings::default()).unwrap();
    let opps = counts.iter().find(|c| c.0 == "opportunities").unwrap();
    assert_eq!(*opps, ("opportunities", 0, 1, 1));
    assert_eq!(
        amounts(&store),
        vec![
            ("0065g00000AbCdEAAV".into(), Some(Money(15_000))),
            ("006Hp000015Yh7kIAC".into(), Some(Money(50_000))),
        ]
    );
}

/// Data Loader writes its headers in capitals: read as the API names.
#[test]
fn salesforce_data_loader_headers_in_capitals_are_read() {
    let tmp = tempfile::tempdir().unwrap();
    let p = write(
        tmp.path(),
        "extract.csv",
        "\"ID\",\"NAME\",\"STAGENAME\",\"AMOUNT\",\"CLOSEDATE\",\"ISCLOSED\",\"ISWON\"\n\
         \"0065g00000AbCdEAAV\",\"Acme\",\"Closed Won\",\"900\",\"2026-10-01\",\"true\",\"true\"\n",
    );
    let mut store = Store::open_in_memory().unwrap();
    run(&mut store, &[p], Format::Auto, &Settings::default()).unwrap();
    let data = store.load_dataset().unwrap();
    let o = &data.opportunities[0];
    assert_eq!(
        (o.id.as_str(), o.status, o.amount, o.close_date),
        (
            "0065g00000AbCdEAAV",
            Status::Won,
            Some(Money(90_000)),
            chrono::NaiveDate::from_ymd_opt(2026, 10, 1)
        )
    );
}

/// A Salesforce report exported with its details ends with a footer of
/// one-cell lines: they are no deals, and the rows above them land.
#[test]
fn a_salesforce_report_footer_is_not_read_as_rows() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("report");
    std::fs::create_dir(&dir).unwrap();
    write(
        &dir,
        "Opportunity.csv",
        "\"Id\",\"Name\",\"StageName\",\"Amount\",\"CloseDate\",\"IsClosed\",\"IsWon\"\n\
         \"0061\",\"Acme\",\"Negotiation\",\"100\",\"2026-12-31\",\"false\",\"false\"\n\
         \n\
         \"Opportunities by Stage\"\n\
         \"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved.\"\n\
         \"Confidential Information - Do Not Distribute\"\n\
         \"Generated By:  Ann Lee  11/30/2026 10:00 AM\"\n\
         \"Acme Corp\"\n",
    );
    let mut store = Store::open_in_memory().unwrap();
    run(
        &mut store,
        std::slice::from_ref(&dir),
        Format::Auto,
        &Settings::default(),
    )
    .unwrap();
    assert_eq!(amounts(&store), vec![("0061".into(), Some(Money(10_000)))]);
    // Without the copyright line, one-cell lines are still refused.
    write(
        &dir,
        "Opportunity.csv",
        "\"Id\",\"Name\",\"StageName\"\n\"0062\",\"B\",\"Negotiation\"\n\"stray\"\n",
    );
    assert_eq!(
        errors(
            &mut store,
            dir.join("Opportunity.csv"),
            &Settings::default()
        ),
        vec!["Opportunity.csv:3: 1 cells, the header has 3"]
    );
}

/// A spreadsheet's trailing empty columns (`,,,` after the last header)
/// name nothing: several are no clash.
#[test]
fn trailing_empty_columns_are_no_clash() {
    let tmp = tempfile::tempdir().unwrap();
    let p = write(
        tmp.path(),
        "deals.csv",
        "\"Record ID\",\"Deal Name\",\"Deal Stage\",\"Amount\",,,\n\"1\",\"A\",\"Demo\",\"700\",,,\n",
    );
    let mut store = Store::open_in_memory().unwrap();
    run(&mut store, &[p], Format::Auto, &Settings::default()).unwrap();
    assert_eq!(amounts(&store), vec![("1".into(), Some(Money(70_000)))]);
}

/// A deal the CRM has won, whose close date is still ahead, closed by the
/// import: it is booked at the import's clock (2026-11-24 12:00), with a
/// warning, not on 2027-01-15 in a quarter to come; one closed before keeps
/// the start of its close date.
#[test]
fn a_crm_deal_won_with_a_close_date_ahead_closes_now() {
    let tmp = tempfile::tempdir().unwrap();
    let p = write(
        tmp.path(),
        "deals.csv",
        "\"Record ID\",\"Deal Name\",\"Deal Stage\",\"Amount\",\"Close Date\",\"Create Date\"\n\
         \"1\",\"A\",\"Closed Won\",\"5000\",\"2027-01-15\",\"2026-09-01 10:00\"\n\
         \"2\",\"B\",\"Closed Won\",\"6000\",\"2026-10-15\",\"2026-09-01 10:00\"\n",
    );
    let settings = Settings::default();
    let mut store = Store::open_in_memory().unwrap();
    let done = run_at(
        &mut store,
        &p,
        &settings,
        "2026-11-24T12:00:00Z".parse().unwrap(),
    );
    let warned: Vec<String> = done.warnings.iter().map(|w| w.reason.clone()).collect();
    assert_eq!(
        warned,
        vec!["1 is won with its close on 2027-01-15, after today: closed now"]
    );
    let data = store.load_dataset().unwrap();
    let closed: Vec<(&str, String)> = data
        .opportunities
        .iter()
        .map(|o| (o.id.as_str(), o.closed_at.unwrap().to_rfc3339()))
        .collect();
    assert_eq!(
        closed,
        vec![
            ("1", "2026-11-24T12:00:00+00:00".to_string()),
            ("2", "2026-10-15T00:00:00+00:00".to_string()),
        ]
    );
    // Imported again the next day: the deal keeps its close, said once.
    let again = run_at(
        &mut store,
        &p,
        &settings,
        "2026-11-25T12:00:00Z".parse().unwrap(),
    );
    assert!(again.warnings.is_empty(), "{:?}", again.warnings);
    let data = store.load_dataset().unwrap();
    let one = data
        .opportunities
        .iter()
        .find(|o| o.id.as_str() == "1")
        .unwrap();
    assert_eq!(
        one.closed_at.unwrap().to_rfc3339(),
        "2026-11-24T12:00:00+00:00"
    );
}

/// SPEC §12: a close before the deal's creation, and flags that close a deal
/// in a stage the pipeline keeps open, are warned of (the import lands).
#[test]
fn implausible_crm_closes_are_warned_of() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = write(
        tmp.path(),
        "deals.csv",
        "\"Record ID\",\"Deal Name\",\"Deal Stage\",\"Close Date\",\"Create Date\"\n\
         \"1\",\"A\",\"Closed Won\",\"2026-01-01\",\"2026-10-01 10:00\"\n",
    );
    let mut store = Store::open_in_memory().unwrap();
    assert_eq!(
        warnings(&mut store, hub, &Settings::default()),
        vec![
            "deals.csv:2:1 (Record ID): 1 closes on 2026-01-01, before it was created on 2026-10-01 (implausible): closed when created"
        ]
    );
    let dir = tmp.path().join("sf");
    std::fs::create_dir(&dir).unwrap();
    let sf = write(
        &dir,
        "Opportunity.csv",
        "Id,Name,StageName,CloseDate,IsClosed,IsWon\n0061,Acme,Negotiation,2026-10-20,true,false\n",
    );
    assert_eq!(
        warnings(&mut store, sf, &Settings::default()),
        vec![
            "Opportunity.csv:2:5 (IsClosed): stage \"Negotiation\" is an open stage, but IsClosed/IsWon close the deal: read as lost"
        ]
    );
    // A closed instant before the creation (Pipedrive's Won time): closed
    // when created, the close date being after it.
    let pd = write(
        tmp.path(),
        "pipedrive-deals.csv",
        "\"Deal - ID\",\"Deal - Title\",\"Deal - Stage\",\"Deal - Status\",\"Deal - Deal created\",\"Deal - Expected close date\",\"Deal - Won time\"\n\
         \"8\",\"Beta\",\"Negotiations Started\",\"Won\",\"2026-08-15 10:30:00\",\"2026-10-15\",\"2000-01-01 00:00:00\"\n",
    );
    assert_eq!(
        warnings(&mut store, pd, &Settings::default()),
        vec![
            "pipedrive-deals.csv:2:1 (Deal - ID): 8 closed at 2000-01-01 00:00, before it was created at 2026-08-15 10:30 (implausible): closed when created"
        ]
    );
    let data = store.load_dataset().unwrap();
    let eight = data
        .opportunities
        .iter()
        .find(|o| o.id.as_str() == "8")
        .unwrap();
    assert_eq!(
        eight.closed_at.unwrap().to_rfc3339(),
        "2026-08-15T10:30:00+00:00"
    );
}

/// A stage a HubSpot export named only in a `Date entered` header is
/// registered open, its kind unknown; a later export whose deal in it is
/// flagged won makes it won (it held no deal), and the deal is won.
#[test]
fn a_stage_registered_without_deals_takes_the_kind_its_deals_flags_give() {
    let tmp = tempfile::tempdir().unwrap();
    let header = "\"Record ID\",\"Deal Name\",\"Deal Stage\",\"Pipeline\",\"Create Date\",\"Close Date\",\"Is Closed Won\",\"Date entered \"\"Renewed (Renewals)\"\"\"\n";
    let first = write(tmp.path(), "first.csv", header);
    let second = write(
        tmp.path(),
        "second.csv",
        &format!(
            "{header}\"104\",\"Renewal\",\"Renewed\",\"Renewals\",\"2026-09-01 10:00\",\"2026-11-01\",\"true\",\"2026-11-01 10:00\"\n"
        ),
    );
    let mut store = Store::open_in_memory().unwrap();
    let settings = Settings::default();
    run_at(&mut store, &first, &settings, RoundTrip::default().now);
    let kind = |store: &Store| {
        let stages = store.load_stages().unwrap();
        stages.iter().find(|s| s.name == "Renewed").map(|s| s.kind)
    };
    assert_eq!(kind(&store), Some(StageKind::Open));
    run_at(&mut store, &second, &settings, RoundTrip::default().now);
    assert_eq!(kind(&store), Some(StageKind::Won));
    let data = store.load_dataset().unwrap();
    let deal = data
        .opportunities
        .iter()
        .find(|o| o.id.as_str() == "104")
        .unwrap();
    assert_eq!((deal.stage.as_str(), deal.status), ("Renewed", Status::Won));
    assert_eq!(
        deal.closed_at.unwrap().to_rfc3339(),
        "2026-11-01T10:00:00+00:00"
    );
}

/// Salesforce's employees are held to what every format holds them to:
/// a whole number, not negative (Salesforce may write `250.0`).
#[test]
fn salesforce_employees_are_a_whole_number_not_negative() {
    let tmp = tempfile::tempdir().unwrap();
    let accounts = write(
        tmp.path(),
        "Account.csv",
        "Id,Name,NumberOfEmployees\n0011,Acme,-5\n0012,Beta,NaN\n0013,Gamma,250.0\n",
    );
    let mut store = Store::open_in_memory().unwrap();
    let cal = Settings::default().calendar().unwrap();
    let err = import::run(
        &mut store,
        &[accounts],
        &Options {
            format: Format::Auto,
            dry_run: false,
            settings: &Settings::default(),
            cal: &cal,
        },
        &mut |_, _| {},
    )
    .unwrap_err()
    .to_string()
    .replace(&format!("{}/", tmp.path().display()), "");
    assert_eq!(
        err,
        "2 rejected row(s); nothing was imported:\n\
         Account.csv:2:3 (NumberOfEmployees): \"-5\" is negative\n\
         Account.csv:3:3 (NumberOfEmployees): \"NaN\" is not a number of employees"
    );
}

/// HubSpot's own closed flags decide before the stage's words; without
/// them `Closed Won (<pipeline>)` is won, also with parentheses inside.
#[test]
fn hubspot_flags_decide_before_the_stage_name() {
    let tmp = tempfile::tempdir().unwrap();
    let flagged = write(
        tmp.path(),
        "flagged.csv",
        "\"Record ID\",\"Deal Name\",\"Deal Stage\",\"Is Closed Won\",\"Is closed\"\n\
         \"1\",\"A\",\"Won (pending PO)\",\"false\",\"false\"\n",
    );
    let bare = write(
        tmp.path(),
        "bare.csv",
        "\"Record ID\",\"Deal Name\",\"Deal Stage\"\n\"2\",\"B\",\"Closed Won (Sales (EMEA))\"\n",
    );
    let mut store = Store::open_in_memory().unwrap();
    run(
        &mut store,
        &[flagged, bare],
        Format::Auto,
        &Settings::default(),
    )
    .unwrap();
    let data = store.load_dataset().unwrap();
    let status: Vec<(&str, Status)> = data
        .opportunities
        .iter()
        .map(|o| (o.id.as_str(), o.status))
        .collect();
    assert_eq!(status, vec![("1", Status::Open), ("2", Status::Won)]);
}

/// Only a file with a column no other format has is read in Salesforce's
/// case: an all-caps file of pipedeck's own is not taken for an account.
#[test]
fn an_all_caps_file_without_salesforce_columns_is_not_salesforce() {
    let tmp = tempfile::tempdir().unwrap();
    let p = write(
        tmp.path(),
        "team.csv",
        "ID,NAME,ROLE,START_DATE\nann,Ann,AE,2026-01-05\n",
    );
    let mut store = Store::open_in_memory().unwrap();
    let errs = errors(&mut store, p, &Settings::default());
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].starts_with("team.csv:1: cannot tell what this file is"),
        "{errs:?}"
    );
}

/// Salesforce field history names owners by name and stages since renamed;
/// pipedeck's export of it imports back (a backup must restore).
#[test]
fn salesforce_field_history_survives_export_and_import() {
    let tmp = tempfile::tempdir().unwrap();
    let sf = tmp.path().join("sf");
    std::fs::create_dir(&sf).unwrap();
    write(
        &sf,
        "Opportunity.csv",
        "Id,Name,StageName,Amount,CloseDate,IsClosed,IsWon\n0061,Acme,Negotiation,100,2026-12-31,false,false\n",
    );
    write(
        &sf,
        "OpportunityFieldHistory.csv",
        "Id,OpportunityId,CreatedById,CreatedDate,Field,OldValue,NewValue\n\
         0171,0061,,2026-10-20T09:00:00.000Z,StageName,Discovery (old),Negotiation\n\
         0172,0061,,2026-10-21T09:00:00.000Z,Owner,Bob Stone,Ann Lee\n",
    );
    let mut store = Store::open_in_memory().unwrap();
    run(&mut store, &[sf], Format::Auto, &Settings::default()).unwrap();
    let out = tmp.path().join("backup");
    import::export::export(&store, &out).unwrap();
    let mut copy = Store::open_in_memory().unwrap();
    run(&mut copy, &[out], Format::Auto, &Settings::default()).unwrap();
    assert_eq!(copy.load_history().unwrap(), store.load_history().unwrap());
}

/// A spreadsheet's short year (`12/15/26`) is named as such.
#[test]
fn a_two_digit_year_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let p = write(
        tmp.path(),
        "deals.csv",
        "\"Record ID\",\"Deal Name\",\"Deal Stage\",\"Close Date\"\n\"1\",\"A\",\"Demo\",\"12/15/26\"\n",
    );
    let mut store = Store::open_in_memory().unwrap();
    assert_eq!(
        errors(&mut store, p, &Settings::default()),
        vec![
            "deals.csv:2:4 (Close Date): \"12/15/26\": a two-digit year; write the year in full (2026 or 1926)"
        ]
    );
}
