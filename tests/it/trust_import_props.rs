//! Property: whatever bytes an import is given — random bytes, or a valid
//! CSV set with random edits — it never panics, and it either lands cleanly
//! or refuses with errors that each name a file and a line, leaving the
//! database exactly as it was.

use pipedeck::domain::Settings;
use pipedeck::import::{self, Format, ImportError, Options};
use pipedeck::storage::Store;
use proptest::prelude::*;
use std::path::Path;

const FILES: [&str; 5] = [
    "reps.csv",
    "accounts.csv",
    "contacts.csv",
    "opportunities.csv",
    "activities.csv",
];

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/native")
            .join(name),
    )
    .unwrap()
}

/// One edit of a file's bytes: (position as a share of the length, what).
#[derive(Debug, Clone)]
enum Edit {
    Insert(f64, Vec<u8>),
    Delete(f64, usize),
    Replace(f64, u8),
}

/// Bytes that matter to CSV and to the parsers, and any byte at all.
fn byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        Just(b','),
        Just(b'"'),
        Just(b'\n'),
        Just(b'\r'),
        Just(b'-'),
        Just(b'.'),
        Just(b'0'),
        Just(b'9'),
        Just(0u8),
        Just(0x1b),
        Just(b' '),
        any::<u8>(),
    ]
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (0.0..1.0f64, prop::collection::vec(byte(), 1..6)).prop_map(|(p, b)| Edit::Insert(p, b)),
        (0.0..1.0f64, 1..20usize).prop_map(|(p, n)| Edit::Delete(p, n)),
        (0.0..1.0f64, byte()).prop_map(|(p, b)| Edit::Replace(p, b)),
    ]
}

fn apply(mut bytes: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
    for e in edits {
        let at = |p: f64, len: usize| ((p * len as f64) as usize).min(len);
        match e {
            Edit::Insert(p, b) => {
                let i = at(*p, bytes.len());
                bytes.splice(i..i, b.iter().copied());
            }
            Edit::Delete(p, n) => {
                let i = at(*p, bytes.len());
                let j = (i + n).min(bytes.len());
                bytes.drain(i..j);
            }
            Edit::Replace(p, b) => {
                if !bytes.is_empty() {
                    let i = at(*p, bytes.len() - 1);
                    bytes[i] = *b;
                }
            }
        }
    }
    bytes
}

/// Everything a report could read, to tell "unchanged".
fn state(store: &Store) -> String {
    format!(
        "{:?}{:?}{:?}",
        store.load_dataset().unwrap(),
        store.load_snapshots().unwrap(),
        store.load_goals().unwrap()
    )
}

/// The input: which file is broken, and how (random bytes, or edits).
fn case() -> impl Strategy<Value = (usize, Result<Vec<u8>, Vec<Edit>>)> {
    (
        0..FILES.len(),
        prop_oneof![
            prop::collection::vec(any::<u8>(), 0..300).prop_map(Ok),
            prop::collection::vec(edit(), 1..5).prop_map(Err),
        ],
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn an_import_lands_whole_or_names_its_rows_and_changes_nothing((file, how) in case()) {
        let settings = Settings::default();
        let cal = settings.calendar().unwrap();
        let opts = Options { format: Format::Auto, dry_run: false, settings: &settings, cal: &cal };
        let good = tempfile::tempdir().unwrap();
        for f in FILES {
            std::fs::write(good.path().join(f), fixture(f)).unwrap();
        }
        let mut store = Store::open_in_memory().unwrap();
        import::run(&mut store, &[good.path().to_path_buf()], &opts, &mut |_, _| {}).unwrap();
        let before = state(&store);

        let bad = tempfile::tempdir().unwrap();
        for (i, f) in FILES.iter().enumerate() {
            let bytes = if i == file {
                match &how {
                    Ok(random) => random.clone(),
                    Err(edits) => apply(fixture(f), edits),
                }
            } else {
                fixture(f)
            };
            std::fs::write(bad.path().join(f), bytes).unwrap();
        }
        match import::run(&mut store, &[bad.path().to_path_buf()], &opts, &mut |_, _| {}) {
            Ok(_) => {}
            Err(e) => {
                if let ImportError::Rows(rows) = &e {
                    prop_assert!(!rows.is_empty());
                    for r in rows {
                        prop_assert!(r.at.file.ends_with(".csv"), "{r}");
                        prop_assert!(r.at.line >= 1, "{r}");
                    }
                }
                prop_assert_eq!(state(&store), before, "refused, yet changed: {}", e);
            }
        }
    }
}
