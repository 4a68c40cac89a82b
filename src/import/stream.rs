//! The import at bulk speed: the big files of pipedeck's own set (activities,
//! opportunity history and forecast snapshots) are read one record at a time
//! and each good row is written at once, inside the import's one
//! transaction; only the ids the reference checks need stay in memory. Every other file is read whole and
//! planned as before, and written first, so every id a streamed row refers to
//! is known when it is read. Any bad row anywhere rolls the whole transaction
//! back and every bad row is reported, as when everything is planned first.

use super::csv_stream::CsvStream;
use super::detect::NativeKind;
use super::*;
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use std::collections::BTreeSet;

/// A file read one record at a time.
pub(super) struct Streamed {
    pub path: PathBuf,
    pub name: String,
    pub kind: NativeKind,
    /// Its header (column mappings applied), to read its rows by.
    pub table: Table,
    /// Its place among the files of the import (structural errors keep
    /// file order).
    pub order: usize,
}

/// Whether `f` is a native activities or history file, by its header alone
/// (`Ok(None)`: read it whole). A header with errors is read whole too,
/// which reports them as before.
pub(super) fn streamable(
    f: &Path,
    order: usize,
    format: Format,
    settings: &Settings,
    today: Option<NaiveDate>,
) -> Result<Option<Streamed>, ImportError> {
    let name = f.display().to_string();
    let mut errors = Vec::new();
    let Some(s) = CsvStream::open(f, &name, &mut errors).map_err(|e| io_error(f, e))? else {
        return Ok(None);
    };
    if !errors.is_empty() {
        return Ok(None);
    }
    let mut table = Table::header_only(&name, &s.headers);
    table.implausible_only = Some(today);
    let mapped = apply_mappings(&mut table, settings);
    let kind = match (mapped, format) {
        (Some(k), Format::Auto | Format::Native) => Some(k),
        _ => match detect::detect(&table, format) {
            Ok(FileKind::Native(k)) => Some(k),
            _ => None,
        },
    };
    Ok(match kind {
        Some(k @ (NativeKind::Activities | NativeKind::History | NativeKind::Snapshots)) => {
            Some(Streamed {
                path: f.to_path_buf(),
                name,
                kind: k,
                table,
                order,
            })
        }
        _ => None,
    })
}

/// The ids a streamed row may refer to: the import's own and the database's.
#[derive(Debug, Default)]
pub struct Known {
    reps: HashSet<String>,
    accounts: HashSet<String>,
    contacts: HashSet<String>,
    opps: HashSet<String>,
}

impl Known {
    fn new(batch: &Batch, existing: &ExistingIds) -> Known {
        fn ids<'a>(a: impl Iterator<Item = &'a str>, b: &BTreeSet<String>) -> HashSet<String> {
            a.map(str::to_string).chain(b.iter().cloned()).collect()
        }
        Known {
            reps: ids(batch.reps.iter().map(|r| r.id.as_str()), &existing.reps),
            accounts: ids(
                batch.accounts.iter().map(|r| r.id.as_str()),
                &existing.accounts,
            ),
            contacts: ids(
                batch.contacts.iter().map(|r| r.id.as_str()),
                &existing.contacts,
            ),
            opps: ids(
                batch.opportunities.iter().map(|r| r.id.as_str()),
                &existing.opportunities,
            ),
        }
    }

    pub fn has(&self, target: Target, id: &str) -> bool {
        match target {
            Target::Rep => self.reps.contains(id),
            Target::Account => self.accounts.contains(id),
            Target::Contact => self.contacts.contains(id),
            Target::Opportunity => self.opps.contains(id),
        }
    }

    /// A reference not known: an error.
    fn check(&self, r: Ref, errors: &mut Vec<RowError>) {
        if self.has(r.target, &r.id) {
            return;
        }
        let what = match r.target {
            Target::Rep => "rep",
            Target::Account => "account",
            Target::Contact => "contact",
            Target::Opportunity => "opportunity",
        };
        errors.push(RowError {
            at: r.at,
            reason: format!("unknown {what} {:?}", r.id),
        });
    }
}

use chrono::NaiveDate;

/// [`run_with`] when some files are streamed: see the module's comment.
pub(super) fn run(
    store: &mut Store,
    tables: Vec<Table>,
    mut streams: Vec<Streamed>,
    mut structural: Vec<(usize, RowError)>,
    opts: &Options<'_>,
    rt: &RoundTrip,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Imported, ImportError> {
    // History before activities, each kind's files by name (as planned).
    streams.sort_by(|a, b| (a.kind, &a.name).cmp(&(b.kind, &b.name)));
    let existing = store.existing_ids()?;
    let ctx = Context {
        cal: opts.cal,
        settings: opts.settings,
        existing: &existing,
    };
    // A file that is not CSV stops the import before any row is read, as
    // when every file is read whole first: only the files' errors count.
    let whole_ok = structural.is_empty();
    let (mut batch, mut errors) = if whole_ok {
        plan_parts(tables, opts.format, None, &ctx)
    } else {
        (Batch::default(), Vec::new())
    };
    // Synthesized before the round trip changes any deal, as when planned
    // whole; the rows of deals whose history a streamed file brings are
    // dropped below.
    let synth_from = batch.history.len();
    history::synthesize(&mut batch, &ctx);
    let edits = store.local_edits()?;
    let mut current = std::collections::HashMap::new();
    for e in edits
        .iter()
        .filter(|e| e.state == crate::domain::crm::PendingState::Pending)
    {
        if !current.contains_key(&e.deal) {
            current.insert(e.deal.clone(), store.opportunity(&OppId(e.deal.clone()))?);
        }
    }
    let reconciled = round_trip::reconcile(&mut batch, &edits, &current, rt.overwrite_local);

    // Progress: the planned rows and the streamed files' lines (an estimate:
    // a quoted line break makes one row of two lines).
    let mut total = batch.len();
    let mut activity_lines = 0;
    for s in &streams {
        let lines = count_lines(&s.path).map_err(|e| io_error(&s.path, e))?;
        total += lines;
        if s.kind == NativeKind::Activities {
            activity_lines += lines;
        }
    }
    let mut done = 0u64;
    let mut tick = |n: u64| {
        done += n;
        if done.is_multiple_of(4096) || done >= total {
            progress(done.min(total), total);
        }
    };

    let small_refs = std::mem::take(&mut batch.refs);
    let known = std::sync::Arc::new(Known::new(&batch, &existing));
    let mut tx = store.begin()?;
    // Into a fresh database, the secondary indexes are built once at the end.
    let deferred = tx.defer_indexes_if_empty()?;
    let mut writing = whole_ok && errors.is_empty();
    if writing {
        for s in &batch.stages {
            tx.upsert_stage(s)?;
        }
        for r in &batch.reps {
            tx.upsert_rep(r)?;
        }
        for a in &batch.accounts {
            tx.upsert_account(a)?;
        }
        for c in &batch.contacts {
            tx.upsert_contact(c)?;
        }
        for o in &batch.opportunities {
            tx.upsert_opportunity(o)?;
        }
        for s in &batch.review_sessions {
            tx.upsert_review_session(s)?;
        }
        tick(
            (batch.stages.len()
                + batch.reps.len()
                + batch.accounts.len()
                + batch.contacts.len()
                + batch.opportunities.len()
                + batch.review_sessions.len()) as u64,
        );
    }

    // Reference errors of streamed rows: dropped if a file is rejected whole.
    let mut ref_errors = Vec::new();
    // Every implausible date of the streamed rows.
    let mut kept_dates = Vec::new();
    // The n-th identical history row of one import is its own row: how many
    // of each key were read, by a 128-bit hash of the key (a string each
    // would hold the whole file's keys).
    let mut alike = Alike::default();
    // Deals whose history a streamed file brings, and the stages it names.
    let mut brought: HashSet<String> = HashSet::new();
    let mut stages_used: HashSet<String> = HashSet::new();
    // Where each activity id was first read: (hash of id) → file and line
    // (`at`), sized once for every line of the activities files.
    let mut seen_ids: HashMap<u64, u64> = HashMap::with_capacity(activity_lines as usize);
    // Ids whose hash another id had first, kept whole.
    let mut collided: HashMap<String, (u32, u64)> = HashMap::new();
    let hasher = foldhash::fast::FixedState::with_seed(0x5eed);
    let mut scratch = Batch {
        known: Some(known.clone()),
        ..Batch::default()
    };
    let mut history_done = false;
    // The snapshot each day read so far is written to (`None`: the
    // database has that day's already).
    let mut snapshot_ids: HashMap<NaiveDate, Option<i64>> = HashMap::new();

    let mut warnings_streamed = Vec::new();
    for (file_no, s) in streams.iter().enumerate() {
        if s.kind != NativeKind::History && !history_done {
            history_done = true;
            if writing {
                write_batch_history(&mut tx, &batch, synth_from, &mut alike, &brought)?;
            }
        }
        let mut file_structural = Vec::new();
        let Some(mut reader) = CsvStream::open(&s.path, &s.name, &mut file_structural)
            .map_err(|e| io_error(&s.path, e))?
        else {
            structural.extend(file_structural.into_iter().map(|e| (s.order, e)));
            continue;
        };
        let header_ok =
            file_structural.is_empty() && native::check_header(s.kind, &s.table, &mut errors);
        if !header_ok {
            writing = false;
        }
        while let Some(line) = reader
            .next_record(&mut file_structural)
            .map_err(|e| io_error(&s.path, e))?
        {
            tick(1);
            if !file_structural.is_empty() || !structural.is_empty() || !whole_ok || !header_ok {
                // The file (or another) is not CSV: only its shape is checked.
                writing = false;
                continue;
            }
            let mut row = s.table.row(line, reader.record());
            if s.kind == NativeKind::Activities
                && let Some(id) = row.text("id")
            {
                let h = std::hash::BuildHasher::hash_one(&hasher, id);
                let here = (file_no as u32, line);
                // A hash met before is a repeat only if the id read there is
                // this one (re-read from the file: rare, repeats are errors);
                // else two ids share a hash and this one is kept exactly.
                let first = match (collided.get(id), seen_ids.get(&h)) {
                    (Some(&at), _) => Some(at),
                    (None, Some(&packed)) => {
                        let (f, l) = unpack(packed);
                        let s = &streams[f as usize];
                        if id_at(s, l).map_err(|e| io_error(&s.path, e))?.as_deref() == Some(id) {
                            Some((f, l))
                        } else {
                            collided.insert(id.to_string(), here);
                            None
                        }
                    }
                    (None, None) => {
                        seen_ids.insert(h, pack(here));
                        None
                    }
                };
                if let Some((f, first_line)) = first {
                    let first = table::first_met(&streams[f as usize].name, first_line, &s.name);
                    row.fail("id", format!("id {id:?} appears twice (first {first})"));
                }
            }
            match s.kind {
                NativeKind::History => native::history(&mut row, &mut scratch),
                NativeKind::Snapshots => native::snapshot_row(&mut row, &mut scratch),
                _ => native::activity(&mut row, &mut scratch),
            }
            let row_ok = match row.finish() {
                Ok(()) => true,
                Err(mut e) => {
                    errors.append(&mut e);
                    writing = false;
                    false
                }
            };
            for r in scratch.refs.drain(..) {
                known.check(r, &mut ref_errors);
            }
            if !ref_errors.is_empty() {
                writing = false;
            }
            if let Some(h) = scratch.history.pop() {
                if !brought.contains(h.opportunity_id.as_str()) {
                    brought.insert(h.opportunity_id.0.clone());
                }
                if h.field == HistoryField::Stage {
                    for v in [&h.old_value, &h.new_value].into_iter().flatten() {
                        if !stages_used.contains(v) {
                            stages_used.insert(v.clone());
                        }
                    }
                }
                if writing && row_ok {
                    let key = Tx::history_key(&h);
                    let n = alike.next(&key);
                    tx.append_history_keyed(&h, key, n)?;
                }
            }
            if let Some(a) = scratch.activities.pop()
                && writing
                && row_ok
            {
                tx.upsert_activity(&a)?;
            }
            // A snapshot's rows may come in any order: each day's snapshot
            // starts at its first row read (whose `taken_at` it keeps).
            if let Some(snap) = scratch.snapshots.pop()
                && writing
                && row_ok
            {
                let id = match snapshot_ids.get(&snap.taken_on) {
                    Some(&id) => id,
                    None => {
                        let id = tx.begin_snapshot(snap.taken_on, snap.taken_at)?;
                        snapshot_ids.insert(snap.taken_on, id);
                        id
                    }
                };
                if let Some(id) = id {
                    for r in &snap.rows {
                        tx.append_snapshot_row(id, r)?;
                    }
                }
            }
        }
        warnings_streamed.append(&mut s.table.warnings.borrow_mut());
        // Only the implausible dates were kept (see `Table::implausible_only`).
        kept_dates.append(&mut s.table.seen.borrow_mut());
        structural.extend(file_structural.into_iter().map(|e| (s.order, e)));
    }
    if !structural.is_empty() {
        tx.rollback()?;
        structural.sort_by_key(|(order, _)| *order);
        return Err(ImportError::Rows(
            structural.into_iter().map(|(_, e)| e).collect(),
        ));
    }
    if !history_done && writing {
        write_batch_history(&mut tx, &batch, synth_from, &mut alike, &brought)?;
    }
    drop(alike);
    drop(seen_ids);
    batch.seen_dates.append(&mut kept_dates);
    batch.warnings.append(&mut warnings_streamed);
    // The synthesized rows of deals a streamed file brings history for are
    // not the import's (as when planned whole).
    let mut i = 0;
    batch.history.retain(|h| {
        i += 1;
        i <= synth_from || !brought.contains(h.opportunity_id.as_str())
    });
    let stages_before = batch.stages.len();
    let used: Vec<String> = stages_used.into_iter().collect();
    register_configured_stages(&mut batch, &ctx, &used);
    // A file rejected whole (bad header, unknown kind) would make every
    // reference to its ids look broken: check references only without those.
    if !errors.iter().any(|e| e.at.line <= 1) {
        batch.refs = small_refs;
        refs::check(&batch, &existing, &mut errors);
        errors.append(&mut ref_errors);
    }
    if !errors.is_empty() {
        tx.rollback()?;
        sort_errors(&mut errors);
        return Err(ImportError::Rows(errors));
    }
    let warnings = implausible(&batch, rt.checks.today);
    if let Some(e) = refused_under_strict(rt, &warnings) {
        tx.rollback()?;
        return Err(e);
    }
    for s in &batch.stages[stages_before..] {
        tx.upsert_stage(s)?;
    }
    tick((batch.history.len() + batch.stages.len() - stages_before) as u64);
    for a in &batch.activities {
        tx.upsert_activity(a)?;
    }
    for g in &batch.goals {
        tx.upsert_goal(g)?;
    }
    for s in &batch.snapshots {
        tx.insert_snapshot(s)?;
    }
    for s in &batch.snoozes {
        tx.upsert_snooze(s)?;
    }
    for t in &batch.tags {
        tx.insert_tag(t)?;
    }
    for a in &batch.action_items {
        tx.upsert_action_item(a)?;
    }
    progress(total, total);
    finish(tx, &batch, reconciled, rt, deferred, opts.dry_run, warnings)
}

/// The planned history (other formats' rows, then the synthesized ones but
/// those of deals a streamed file brings history for).
fn write_batch_history(
    tx: &mut Tx<'_>,
    batch: &Batch,
    synth_from: usize,
    alike: &mut Alike,
    brought: &HashSet<String>,
) -> Result<(), StorageError> {
    for (i, h) in batch.history.iter().enumerate() {
        if i >= synth_from && brought.contains(h.opportunity_id.as_str()) {
            continue;
        }
        let key = Tx::history_key(h);
        let n = alike.next(&key);
        tx.append_history_keyed(h, key, n)?;
    }
    Ok(())
}

/// How many history rows of each key one import has read.
#[derive(Default)]
struct Alike(HashMap<u128, u32>);

impl Alike {
    /// Counts one more row of `key`: its rank among the rows alike (from 1).
    fn next(&mut self, key: &str) -> u32 {
        use std::hash::BuildHasher;
        let h = |seed| foldhash::quality::FixedState::with_seed(seed).hash_one(key);
        let n = self
            .0
            .entry(u128::from(h(1)) << 64 | u128::from(h(2)))
            .or_insert(0);
        *n += 1;
        *n
    }
}

/// A file number and line in one `u64` (lines below 2^48).
fn pack((file, line): (u32, u64)) -> u64 {
    u64::from(file) << 48 | line
}

fn unpack(at: u64) -> (u32, u64) {
    ((at >> 48) as u32, at & ((1 << 48) - 1))
}

/// Line feeds in a file, less its header: about its rows, for progress.
fn count_lines(path: &Path) -> std::io::Result<u64> {
    use std::io::Read;
    let mut f = std::fs::File::open(path)?;
    let mut buf = vec![0u8; 1 << 16];
    let mut n = 0u64;
    loop {
        let k = f.read(&mut buf)?;
        if k == 0 {
            break;
        }
        n += buf[..k].iter().filter(|&&b| b == b'\n').count() as u64;
    }
    Ok(n.saturating_sub(1))
}

/// The `id` cell of the record on physical line `line` of a streamed file.
fn id_at(s: &Streamed, line: u64) -> std::io::Result<Option<String>> {
    let mut ignored = Vec::new();
    let Some(mut reader) = CsvStream::open(&s.path, &s.name, &mut ignored)? else {
        return Ok(None);
    };
    while let Some(l) = reader.next_record(&mut ignored)? {
        if l == line {
            return Ok(s
                .table
                .row(l, reader.record())
                .text("id")
                .map(str::to_string));
        }
    }
    Ok(None)
}
