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
use foldhash::{HashMap, HashMapExt, HashSet};
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
    sessions: HashSet<String>,
}

impl Known {
    pub(super) fn new(batch: &Batch, ctx: &Context<'_>) -> Known {
        let existing = ctx.existing;
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
            sessions: batch
                .review_sessions
                .iter()
                .map(|s| s.id.to_string())
                .chain(existing.review_sessions.iter().cloned())
                .collect(),
        }
    }

    pub fn has(&self, target: Target, id: &str) -> bool {
        match target {
            Target::Rep => self.reps.contains(id),
            Target::Account => self.accounts.contains(id),
            Target::Contact => self.contacts.contains(id),
            Target::Opportunity => self.opps.contains(id),
            Target::ReviewSession => self.sessions.contains(id),
        }
    }

    /// A reference not known: an error.
    pub(super) fn check(&self, r: Ref, errors: &mut Vec<RowError>) {
        if self.has(r.target, &r.id) {
            return;
        }
        errors.push(RowError {
            at: r.at,
            reason: format!("unknown {} {:?}", r.target.what(), r.id),
        });
    }
}

use chrono::NaiveDate;

/// [`run_with`] when some files are streamed: see the module's comment.
pub(super) fn run(
    store: &mut Store,
    tables: Vec<Table>,
    mut streams: Vec<Streamed>,
    structural: Vec<(usize, RowError)>,
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
        now: rt.now,
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
    native::keep_absent_columns(store, &mut batch, ctx.cal, rt.now)?;
    let reconciled = round_trip::reconcile_with(store, &mut batch, rt.overwrite_local)?;
    history::record_changes(store, &mut batch, &ctx, rt.now)?;

    // Progress: the planned rows and the streamed files' lines (an estimate:
    // a quoted line break makes one row of two lines).
    let mut total = batch.len();
    let mut activity_lines = 0;
    let mut history_rows = batch.history.len() as u64;
    for s in &streams {
        let lines = count_lines(&s.path).map_err(|e| io_error(&s.path, e))?;
        total += lines;
        match s.kind {
            NativeKind::Activities => activity_lines += lines,
            NativeKind::History => history_rows += lines,
            _ => {}
        }
    }
    let mut done = 0u64;
    let mut tick = |n: u64| {
        done += n;
        if done.is_multiple_of(4096) || done >= total {
            progress(done.min(total), total);
        }
    };

    let known = std::sync::Arc::new(Known::new(&batch, &ctx));
    // Only the references to ids neither the import nor the database has
    // are kept to the end (the planned files' 600k on the independent org
    // held 100 MB through the streaming): the ids are the same then.
    let mut small_refs = std::mem::take(&mut batch.refs);
    small_refs.retain(|r| !known.has(r.target, &r.id));
    small_refs.shrink_to_fit();
    let mut tx = store.begin()?;
    // Into a fresh database, the secondary indexes are built once at the end.
    let deferred = tx.defer_indexes_if_empty()?;
    let writing = whole_ok && errors.is_empty();
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

    // The streamed files are read, parsed and checked on a thread of their
    // own (`stream_read`), and their rows written here as they come.
    // The planned history goes to the reading thread, which writes it (and
    // frees it) before the first activity.
    let planned_history = batch.history.len() as u64;
    let input = stream_read::Input {
        streams,
        history: std::mem::take(&mut batch.history),
        synth_from,
        changes_from: batch.changes_from,
        change_floors: std::mem::take(&mut batch.change_floors),
        known,
        writing,
        whole_ok,
        structural,
        activity_lines,
        history_rows,
    };
    // Every streamed row's checked values come from the domain's enums.
    tx.skip_check_constraints(true)?;
    let (wrote, found) = std::thread::scope(|scope| {
        let (to_writer, chunks) = std::sync::mpsc::sync_channel::<stream_read::Chunk>(16);
        let (give_back, spent) = std::sync::mpsc::channel::<Vec<stream_read::Write>>();
        let reader = scope.spawn(move || {
            stream_read::read(input, &mut |c| to_writer.send(c).is_ok(), &mut || {
                spent.try_recv().ok()
            })
        });
        // The snapshot each day read so far is written to (`None`: the
        // database has that day's already).
        let mut snapshot_ids: HashMap<NaiveDate, Option<i64>> = HashMap::new();
        let mut wrote = Ok(());
        for chunk in chunks.iter() {
            tick(chunk.lines);
            wrote = write_chunk(&mut tx, &chunk.writes, &mut snapshot_ids);
            if wrote.is_err() {
                break;
            }
            // Dropped (and reused) by the reading thread; gone with it at the end.
            let _ = give_back.send(chunk.writes);
        }
        // A write that failed stops the reading (its next send fails).
        drop(chunks);
        let found = reader.join().expect("the reading thread panicked");
        (wrote, found)
    });
    tx.skip_check_constraints(false)?;
    wrote?;
    let stream_read::Found {
        errors: mut streamed_errors,
        mut ref_errors,
        mut kept_dates,
        warnings: mut warnings_streamed,
        mut structural,
        stages_used,
    } = found?;
    errors.append(&mut streamed_errors);
    if !structural.is_empty() {
        tx.rollback()?;
        structural.sort_by_key(|(order, _)| *order);
        return Err(ImportError::Rows(
            structural.into_iter().map(|(_, e)| e).collect(),
        ));
    }
    batch.seen_dates.append(&mut kept_dates);
    batch.warnings.append(&mut warnings_streamed);
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
    tick(planned_history + (batch.stages.len() - stages_before) as u64);
    for a in &batch.activities {
        tx.upsert_activity(a)?;
    }
    super::apply::apply_extensions(&mut tx, &batch, &mut || {})?;
    progress(total, total);
    finish(tx, &batch, reconciled, rt, deferred, opts.dry_run, warnings)
}

/// Writes one chunk of streamed rows. A snapshot's rows may come in any
/// order: each day's snapshot starts at its first row read (whose
/// `taken_at` it keeps).
fn write_chunk(
    tx: &mut Tx<'_>,
    writes: &[stream_read::Write],
    snapshot_ids: &mut HashMap<NaiveDate, Option<i64>>,
) -> Result<(), StorageError> {
    use stream_read::Write;
    for w in writes {
        match w {
            Write::Activity(a) => {
                tx.upsert_activity(a)?;
            }
            Write::History(h, key, n) => {
                tx.append_history_keyed(h, key, *n)?;
            }
            Write::Snapshot(snap) => {
                let id = match snapshot_ids.get(&snap.taken_on) {
                    Some(&id) => id,
                    None => {
                        let id = tx.begin_snapshot(snap.taken_on, snap.taken_at)?;
                        snapshot_ids.insert(snap.taken_on, id);
                        id
                    }
                };
                if let Some(id) = id {
                    tx.append_snapshot_rows(id, &snap.rows)?;
                }
            }
        }
    }
    Ok(())
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
