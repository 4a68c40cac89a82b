//! The reading half of the streamed import (see `stream`): on a thread of
//! its own, every streamed row is read, parsed and checked, and the rows to
//! write go in chunks, in file order, to the thread that holds the
//! transaction. Reading and writing overlap; the order of the writes, and
//! so every id and every tie-break of equal instants, is the files' order.

use super::csv_stream::CsvStream;
use super::detect::NativeKind;
use super::stream::{Known, Streamed};
use super::table::SeenDate;
use super::*;
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use std::sync::Arc;

/// One row to write.
pub(super) enum Write {
    Activity(Activity),
    /// A history row with its key and its rank among the rows alike.
    History(HistoryEntry, String, u32),
    /// One row of a day's snapshot (no row: a day without open deals).
    Snapshot(Snapshot),
}

/// Rows to write, and the lines read since the last chunk (progress).
pub(super) struct Chunk {
    pub writes: Vec<Write>,
    pub lines: u64,
}

/// What the reading needs.
pub(super) struct Input {
    pub streams: Vec<Streamed>,
    /// The planned history (but the synthesized rows, from `synth_from`, of
    /// deals a streamed file brings history for): written, and freed,
    /// before the first file of another kind than history.
    pub history: Vec<HistoryEntry>,
    pub synth_from: usize,
    /// Where the rows recording a re-import's changes start in `history`:
    /// each is dropped only when the streamed history's last row for its
    /// deal and field leaves the same value, no earlier than `change_floors`
    /// beside it (the database's last row for it): it records the change.
    pub changes_from: usize,
    pub change_floors: Vec<Option<chrono::DateTime<chrono::Utc>>>,
    pub known: Arc<Known>,
    /// No planned file had an error and every file is CSV.
    pub writing: bool,
    pub whole_ok: bool,
    pub structural: Vec<(usize, RowError)>,
    /// Every line of the activities files (to size the id map once).
    pub activity_lines: u64,
    /// Every line of the history files, and the planned history rows (to
    /// size the count of alike rows once).
    pub history_rows: u64,
}

/// What the reading found.
pub(super) struct Found {
    pub errors: Vec<RowError>,
    /// Reference errors: dropped if a file is rejected whole.
    pub ref_errors: Vec<RowError>,
    /// Every implausible date of the streamed rows.
    pub kept_dates: Vec<SeenDate>,
    pub warnings: Vec<RowError>,
    pub structural: Vec<(usize, RowError)>,
    /// The stages the history written names (streamed and planned).
    pub stages_used: HashSet<String>,
}

/// Chunks of this many rows to write.
const CHUNK: usize = 2048;

/// Reads every streamed file; `send` takes each chunk and says `false`
/// when the writer has stopped (reading stops too). `spent` gives back the
/// chunks written, rows and all: they are dropped here, on the thread that
/// made them (not on the busier writing thread, and each allocation freed
/// where it was made), and their room reused.
pub(super) fn read(
    input: Input,
    send: &mut dyn FnMut(Chunk) -> bool,
    spent: &mut dyn FnMut() -> Option<Vec<Write>>,
) -> Result<Found, ImportError> {
    let Input {
        streams,
        mut history,
        synth_from,
        changes_from,
        change_floors,
        known,
        mut writing,
        whole_ok,
        mut structural,
        activity_lines,
        history_rows,
    } = input;
    let mut found = Found {
        errors: Vec::new(),
        ref_errors: Vec::new(),
        kept_dates: Vec::new(),
        warnings: Vec::new(),
        structural: Vec::new(),
        stages_used: HashSet::new(),
    };
    let mut out = Chunk {
        writes: Vec::with_capacity(CHUNK),
        lines: 0,
    };
    // Hands the chunk on when full (or `now`); `false`: stop reading.
    let mut flush = |out: &mut Chunk, now: bool| -> bool {
        if !now && out.writes.len() < CHUNK && out.lines < 4 * CHUNK as u64 {
            return true;
        }
        // A chunk given back is reused, unless it is the planned history's
        // (all in one): that room goes.
        let writes = match spent() {
            Some(mut v) if v.capacity() <= 2 * CHUNK => {
                v.clear();
                v
            }
            _ => Vec::with_capacity(CHUNK),
        };
        let full = std::mem::replace(out, Chunk { writes, lines: 0 });
        send(full)
    };
    // The n-th identical history row of one import is its own row: how many
    // of each key were read, by a 128-bit hash of the key (a string each
    // would hold the whole file's keys). Sized once for every history row
    // (growing, it held its old table and the new one at once: 207 MB on
    // the independent org's 2.46M rows, 105 MB sized; not sized when
    // nothing will be written), and freed once the history is written,
    // before the activities.
    let mut alike = Alike::with_capacity(if writing { history_rows } else { 0 });
    // Where each activity id was first read: (hash of id) → file and line
    // (packed), sized for every line of the activities files when they
    // begin (after the history, whose count of alike rows is freed then).
    let mut seen_ids: HashMap<u64, u64> = HashMap::new();
    // Ids whose hash another id had first, kept whole.
    let mut collided: HashMap<String, (u32, u64)> = HashMap::new();
    let hasher = foldhash::fast::FixedState::with_seed(0x5eed);
    let mut scratch = Batch {
        known: Some(known.clone()),
        ..Batch::default()
    };
    let mut history_done = false;
    // Deals whose history a streamed file brings.
    let mut brought: HashSet<String> = HashSet::new();
    // For each change recorded apart (deal and field), the last value the
    // streamed history leaves it at, and when.
    let mut recorded: Recorded = HashMap::new();
    for h in history.get(changes_from..).unwrap_or_default() {
        recorded
            .entry(h.opportunity_id.to_string())
            .or_default()
            .insert(h.field, None);
    }
    let mut snapshot_deals = native::SnapshotDeals::new();

    for (file_no, s) in streams.iter().enumerate() {
        if s.kind != NativeKind::History && !history_done {
            history_done = true;
            if writing {
                batch_history(
                    std::mem::take(&mut history),
                    (synth_from, changes_from),
                    &mut alike,
                    (&brought, &recorded, &change_floors),
                    &mut found.stages_used,
                    &mut out.writes,
                );
            }
            // Files come history first (`stream::run`): no history row follows.
            alike = Alike::default();
            seen_ids.reserve(activity_lines as usize);
        }
        if s.kind > NativeKind::Activities && seen_ids.capacity() > 0 {
            // No activity row follows: the ids' map (143 MB for 5M) goes
            // before the snapshots' own map fills.
            seen_ids = HashMap::new();
            collided = HashMap::new();
        }
        let mut file_structural = Vec::new();
        let Some(mut reader) = CsvStream::open(&s.path, &s.name, &mut file_structural)
            .map_err(|e| io_error(&s.path, e))?
        else {
            structural.extend(file_structural.into_iter().map(|e| (s.order, e)));
            continue;
        };
        let header_ok =
            file_structural.is_empty() && native::check_header(s.kind, &s.table, &mut found.errors);
        if !header_ok {
            writing = false;
        }
        while let Some(line) = reader
            .next_record(&mut file_structural)
            .map_err(|e| io_error(&s.path, e))?
        {
            out.lines += 1;
            if !flush(&mut out, false) {
                return Ok(found);
            }
            if !file_structural.is_empty() || !structural.is_empty() || !whole_ok || !header_ok {
                // The file (or another) is not CSV: only its shape is checked.
                writing = false;
                continue;
            }
            let mut row = s.table.row(line, reader.record());
            if s.kind == NativeKind::Activities
                && let Some(id) = row.text("id")
            {
                row.visible_id("id", id);
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
                NativeKind::Snapshots => {
                    let read = native::snapshot_row(&mut row, &mut scratch);
                    let line = row.line;
                    snapshot_deals.check(&mut row, read, &s.name, line);
                }
                _ => native::activity(&mut row, &mut scratch),
            }
            let row_ok = match row.finish() {
                Ok(()) => true,
                Err(mut e) => {
                    found.errors.append(&mut e);
                    writing = false;
                    false
                }
            };
            for r in scratch.refs.drain(..) {
                known.check(r, &mut found.ref_errors);
            }
            if !found.ref_errors.is_empty() {
                writing = false;
            }
            let write = writing && row_ok;
            if let Some(h) = scratch.history.pop() {
                if !brought.contains(h.opportunity_id.as_str()) {
                    brought.insert(h.opportunity_id.0.to_string());
                }
                if let Some(last) = recorded
                    .get_mut(h.opportunity_id.as_str())
                    .and_then(|fields| fields.get_mut(&h.field))
                    && last.as_ref().is_none_or(|(at, _)| *at <= h.changed_at)
                {
                    *last = Some((h.changed_at, h.new_value.as_deref().map(str::to_string)));
                }
                note_stages(&h, &mut found.stages_used);
                if write {
                    let key = Tx::history_key(&h);
                    let n = alike.next(&key);
                    out.writes.push(Write::History(h, key, n));
                }
            }
            if let Some(a) = scratch.activities.pop()
                && write
            {
                out.writes.push(Write::Activity(a));
            }
            if let Some(snap) = scratch.snapshots.pop()
                && write
            {
                out.writes.push(Write::Snapshot(snap));
            }
        }
        found.warnings.append(&mut s.table.warnings.borrow_mut());
        // Only the implausible dates were kept (see `Table::implausible_only`).
        found.kept_dates.append(&mut s.table.seen.borrow_mut());
        structural.extend(file_structural.into_iter().map(|e| (s.order, e)));
    }
    if structural.is_empty() && !history_done && writing {
        batch_history(
            history,
            (synth_from, changes_from),
            &mut alike,
            (&brought, &recorded, &change_floors),
            &mut found.stages_used,
            &mut out.writes,
        );
    }
    flush(&mut out, true);
    found.structural = structural;
    Ok(found)
}

/// The stages a history row names, into `used`.
fn note_stages(h: &HistoryEntry, used: &mut HashSet<String>) {
    if h.field == HistoryField::Stage {
        for v in [&h.old_value, &h.new_value].into_iter().flatten() {
            if !used.contains(v.as_str()) {
                used.insert(v.to_string());
            }
        }
    }
}

/// Per deal and field a re-import changed, the last value the streamed
/// history leaves it at (and when), if it has a row for it.
type Recorded = HashMap<String, HashMap<HistoryField, Option<(Instant, Option<String>)>>>;
type Instant = chrono::DateTime<chrono::Utc>;

/// The planned history (other formats' rows; the synthesized ones but those
/// of deals a streamed file brings history for; the changes recorded apart
/// but those the streamed history records), with the count of rows alike
/// and the stages used.
fn batch_history(
    history: Vec<HistoryEntry>,
    (synth_from, changes_from): (usize, usize),
    alike: &mut Alike,
    (brought, recorded, floors): (&HashSet<String>, &Recorded, &[Option<Instant>]),
    stages_used: &mut HashSet<String>,
    out: &mut Vec<Write>,
) {
    for (i, h) in history.into_iter().enumerate() {
        let dropped = if i >= changes_from {
            let floor = floors.get(i - changes_from).copied().flatten();
            recorded
                .get(h.opportunity_id.as_str())
                .and_then(|fields| fields.get(&h.field))
                .and_then(|last| last.as_ref())
                .is_some_and(|(at, v)| {
                    v.as_deref() == h.new_value.as_deref() && floor.is_none_or(|f| *at >= f)
                })
        } else {
            i >= synth_from && brought.contains(h.opportunity_id.as_str())
        };
        if dropped {
            continue;
        }
        note_stages(&h, stages_used);
        let key = Tx::history_key(&h);
        let n = alike.next(&key);
        out.push(Write::History(h, key, n));
    }
}

/// How many history rows of each key one import has read, by the key's two
/// 64-bit hashes (as `[u64; 2]`, not `u128`, whose 16-byte alignment made
/// each entry 32 bytes instead of 24).
#[derive(Default)]
struct Alike(HashMap<[u64; 2], u32>);

impl Alike {
    fn with_capacity(rows: u64) -> Alike {
        Alike(HashMap::with_capacity(rows as usize))
    }

    /// Counts one more row of `key`: its rank among the rows alike (from 1).
    fn next(&mut self, key: &str) -> u32 {
        use std::hash::BuildHasher;
        let h = |seed| foldhash::quality::FixedState::with_seed(seed).hash_one(key);
        let n = self.0.entry([h(1), h(2)]).or_insert(0);
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
