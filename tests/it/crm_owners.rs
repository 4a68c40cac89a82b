//! A CRM deal's owner, named by name, by email or by both, matched to the
//! rep it is: the team's own reps (imported from reps.csv) first, then the
//! reps an earlier cell of the same import made.

use crate::import_crm::{run, write};
use pipedeck::domain::Settings;
use pipedeck::import::Format;
use pipedeck::storage::Store;

fn owners(store: &Store) -> Vec<(String, String)> {
    let data = store.load_dataset().unwrap();
    let mut out: Vec<_> = data
        .opportunities
        .iter()
        .map(|o| (o.name.clone(), o.owner_id.as_str().to_string()))
        .collect();
    out.sort();
    out
}

fn reps(store: &Store) -> Vec<(String, String, Option<String>)> {
    let mut out: Vec<_> = store
        .load_reps()
        .unwrap()
        .into_iter()
        .map(|r| (r.id.as_str().to_string(), r.name, r.email))
        .collect();
    out.sort();
    out
}

#[test]
fn an_owner_named_by_name_email_or_both_is_one_rep() {
    let tmp = tempfile::tempdir().unwrap();
    let team = write(
        tmp.path(),
        "reps.csv",
        "id,name,role,start_date,email\nae-01,Ann Lee,AE,2024-01-01,ann@acme.com\nae-02,Bo Chen,AE,2024-01-01,\n",
    );
    let deals = write(
        tmp.path(),
        "deals.csv",
        "\"Record ID\",\"Deal Name\",\"Deal Stage\",\"Deal owner\",\"Amount\"\n\
         \"1\",\"By name\",\"Qualified To Buy\",\"Ann Lee\",\"100\"\n\
         \"2\",\"By email\",\"Qualified To Buy\",\"ANN@acme.com\",\"100\"\n\
         \"3\",\"By both\",\"Qualified To Buy\",\"Ann Lee (ann@acme.com)\",\"100\"\n\
         \"4\",\"Other case\",\"Qualified To Buy\",\"bo  chen\",\"100\"\n\
         \"5\",\"New by name\",\"Qualified To Buy\",\"Dee Roy\",\"100\"\n\
         \"6\",\"New by both\",\"Qualified To Buy\",\"Dee Roy <dee@acme.com>\",\"100\"\n\
         \"7\",\"New by email\",\"Qualified To Buy\",\"dee@acme.com\",\"100\"\n\
         \"8\",\"Nobody\",\"Qualified To Buy\",\"\",\"100\"\n",
    );
    let mut store = Store::open_in_memory().unwrap();
    let settings = Settings::default();
    run(&mut store, &[team], Format::Auto, &settings).unwrap();
    run(&mut store, &[deals], Format::Auto, &settings).unwrap();
    let want = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    };
    assert_eq!(
        owners(&store),
        want(&[
            ("By both", "ae-01"),
            ("By email", "ae-01"),
            ("By name", "ae-01"),
            ("New by both", "dee-roy"),
            ("New by email", "dee-roy"),
            ("New by name", "dee-roy"),
            ("Nobody", "unassigned"),
            ("Other case", "ae-02"),
        ])
    );
    let some = |s: &str| Some(s.to_string());
    assert_eq!(
        reps(&store),
        vec![
            ("ae-01".into(), "Ann Lee".into(), some("ann@acme.com")),
            ("ae-02".into(), "Bo Chen".into(), None),
            ("dee-roy".into(), "Dee Roy".into(), some("dee@acme.com")),
            ("unassigned".into(), "Unassigned".into(), None),
        ]
    );
    // A later export naming Dee by email alone finds the rep the first made.
    let later = write(
        tmp.path(),
        "later.csv",
        "\"Record ID\",\"Deal Name\",\"Deal Stage\",\"Deal owner\",\"Amount\"\n\
         \"9\",\"Later\",\"Qualified To Buy\",\"dee@acme.com\",\"100\"\n",
    );
    run(&mut store, &[later], Format::Auto, &settings).unwrap();
    assert!(owners(&store).contains(&("Later".into(), "dee-roy".into())));
    assert_eq!(reps(&store).len(), 4);
    // The first file again moves no deal and makes no rep.
    let before = owners(&store);
    let again = tmp.path().join("deals.csv");
    run(&mut store, &[again], Format::Auto, &settings).unwrap();
    assert_eq!(owners(&store), before);
    assert_eq!(reps(&store).len(), 4);
}
