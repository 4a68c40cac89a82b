//! Import (SPEC §10): foreign CSV files become domain records with
//! row-numbered errors, and land in the database in one transaction.
//!
//! The flow of one import: [`read_paths`] reads every file into a [`Table`];
//! [`plan`] detects each file's kind, parses every row of every file
//! (collecting every bad row), registers stages, synthesizes history and checks
//! every reference — all before anything is written; [`apply`] writes the
//! resulting [`Batch`] inside one [`Tx`]. [`run`] does all three and commits
//! (or rolls back for a dry run). See `docs/import.md`.

mod apply;
mod crm_values;
pub mod csv_stream;
mod currency;
pub mod detect;
pub mod error;
pub mod export;
mod files;
mod history;
mod hubspot;
mod mapped;
pub mod mapping;
mod maven;
mod native;
mod native_ext;
mod native_stages;
mod owners;
mod pipedrive;
mod plausible;
mod refs;
pub mod round_trip;
mod salesforce;
mod sf_activities;
mod sf_history;
mod sf_values;
mod stream;
mod stream_read;
pub mod table;
pub mod writeback;

pub use apply::apply;
use apply::{finish, refused_under_strict};
pub use plausible::{Checks, PLAUSIBLE_FROM, PLAUSIBLE_YEARS_AHEAD, implausible};

pub use detect::{FileKind, Format};
pub use error::{ImportError, Loc, RowError};
pub use files::read_paths;
use files::{io_error, list_files, read_one};
pub use table::Table;

use crate::domain::Settings;
use crate::domain::model::*;
use crate::domain::period::Calendar;
use crate::storage::import_support::ExistingIds;
use crate::storage::{Counts, StorageError, Store, Tx};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What an import refers to, to be checked against the batch and the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Rep,
    Account,
    Contact,
    Opportunity,
    /// A review session's number (`review_session_id`).
    ReviewSession,
}

impl Target {
    /// What an unknown reference is named in its error.
    pub fn what(self) -> &'static str {
        match self {
            Target::Rep => "rep",
            Target::Account => "account",
            Target::Contact => "contact",
            Target::Opportunity => "opportunity",
            Target::ReviewSession => "review session",
        }
    }
}

/// A reference to an id, with where it was read.
#[derive(Debug, Clone)]
pub struct Ref {
    pub at: Loc,
    pub target: Target,
    pub id: String,
}

/// Everything one import will write, parsed and validated.
#[derive(Debug, Clone, Default)]
pub struct Batch {
    pub stages: Vec<Stage>,
    pub reps: Vec<Rep>,
    pub accounts: Vec<Account>,
    pub contacts: Vec<Contact>,
    pub opportunities: Vec<Opportunity>,
    /// In insertion order (which is the tie-break of equal instants).
    pub history: Vec<HistoryEntry>,
    /// Where the rows pipedeck makes (`history::synthesize`) start in
    /// `history`: the rows before are the files' own.
    pub synthesized_from: usize,
    /// Where the rows of [`history::record_changes`] start in `history`
    /// (it sets it: the rows before are the files' own and `synthesize`'s).
    pub changes_from: usize,
    /// Beside each of those rows, the instant of the database's last row
    /// for its deal and field.
    pub change_floors: Vec<Option<chrono::DateTime<chrono::Utc>>>,
    /// Deals of a native file without some optional columns (their range
    /// in `opportunities`, and those columns): a deal the database holds
    /// keeps its values there (`native::keep_absent_columns`).
    pub partial_deals: Vec<(std::ops::Range<usize>, Vec<&'static str>)>,
    /// Per file of deals no CRM record names (native, mapped, Maven): their
    /// range in `opportunities`, the file, each deal's line (where a kept
    /// local edit is listed).
    pub deal_lines: Vec<(std::ops::Range<usize>, String, Vec<u64>)>,
    pub activities: Vec<Activity>,
    /// References still to check.
    pub refs: Vec<Ref>,
    /// The stage a synthesized creation row gives a closed deal, when the
    /// format knows it (CRM Sales Opportunities: `Engaging`).
    pub closed_creation_stage: Option<String>,
    /// What the database holds beyond the CRM's records (native files only).
    pub goals: Vec<Goal>,
    pub review_sessions: Vec<ReviewSession>,
    pub snapshots: Vec<Snapshot>,
    pub snoozes: Vec<Snooze>,
    pub tags: Vec<DealTag>,
    pub action_items: Vec<ActionItem>,
    pub restored: native_ext::Restored,
    /// Every date read, with where, for [`implausible`].
    pub seen_dates: Vec<table::SeenDate>,
    /// Implausible rows found while parsing (closed before created …).
    pub warnings: Vec<RowError>,
    /// The CRM record each deal read from a CRM export is (round trip).
    pub origins: Vec<round_trip::Origin>,
    /// A CRM's last activity instant per deal, for exports without activities.
    pub last_touch: Vec<(OppId, chrono::DateTime<chrono::Utc>)>,
    /// Ids known to exist (a streamed file's rows): a reference to one is
    /// not kept to be checked.
    pub known: Option<std::sync::Arc<stream::Known>>,
}

impl Batch {
    /// [`Batch::refer`] to the value of `column` of `row`, unless the id is known.
    fn refer_from(&mut self, row: &table::Row<'_>, column: &str, target: Target, id: &str) {
        if self.known.as_ref().is_some_and(|k| k.has(target, id)) {
            return;
        }
        self.refer(row.loc(column), target, id);
    }

    fn refer(&mut self, at: Loc, target: Target, id: &str) {
        self.refs.push(Ref {
            at,
            target,
            id: id.to_string(),
        });
    }

    /// Rows to write, for a progress bar.
    pub fn len(&self) -> u64 {
        (self.stages.len()
            + self.reps.len()
            + self.accounts.len()
            + self.contacts.len()
            + self.opportunities.len()
            + self.history.len()
            + self.activities.len()
            + self.goals.len()
            + self.review_sessions.len()
            + self.snapshots.len()
            + self.snoozes.len()
            + self.tags.len()
            + self.action_items.len()
            + self.restored.len()) as u64
    }

    /// Each deal of `partial_deals` (by id) with the columns its file
    /// leaves out.
    pub fn absent_columns(&self) -> std::collections::HashMap<String, Vec<&'static str>> {
        let mut absent = std::collections::HashMap::new();
        for (range, columns) in &self.partial_deals {
            for o in &self.opportunities[range.clone()] {
                absent.insert(o.id.to_string(), columns.clone());
            }
        }
        absent
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What parsing needs to know: the calendar (date-only values are local days),
/// the settings (stages, mappings) and the ids already in the database.
pub struct Context<'a> {
    pub cal: &'a Calendar,
    pub settings: &'a Settings,
    pub existing: &'a ExistingIds,
    /// The import's clock (`--today` moves it): no CRM deal closes after it.
    pub now: chrono::DateTime<chrono::Utc>,
}

impl Context<'_> {
    /// A stage's kind: the database's registration first, then the config's.
    pub fn stage_kind(&self, name: &str) -> Option<StageKind> {
        self.existing.stages.get(name).map(|s| s.1).or_else(|| {
            self.settings
                .stages
                .iter()
                .find(|s| s.name == name)
                .map(|s| s.kind)
        })
    }
}

/// Detects, parses and validates every table; nothing is written. Returns
/// every bad row when there is any.
pub fn plan(tables: Vec<Table>, format: Format, ctx: &Context<'_>) -> Result<Batch, Vec<RowError>> {
    plan_with(tables, format, None, ctx)
}

/// [`plan`], with every file read through `mapping` when one is given.
pub fn plan_with(
    tables: Vec<Table>,
    format: Format,
    mapping: Option<&mapping::Mapping>,
    ctx: &Context<'_>,
) -> Result<Batch, Vec<RowError>> {
    let (mut batch, mut errors) = plan_parts(tables, format, mapping, ctx);
    history::synthesize(&mut batch, ctx);
    register_configured_stages(&mut batch, ctx, &[]);
    // A file rejected whole (bad header, unknown kind) would make every
    // reference to its ids look broken: check references only without those.
    if !errors.iter().any(|e| e.at.line <= 1) {
        refs::check(&batch, ctx.existing, &mut errors);
    }
    if errors.is_empty() {
        Ok(batch)
    } else {
        sort_errors(&mut errors);
        Err(errors)
    }
}

/// In file order: by file, line, then column.
fn sort_errors(errors: &mut [RowError]) {
    errors.sort_by(|a, b| {
        let key = |e: &RowError| {
            (
                e.at.file.clone(),
                e.at.line,
                e.at.column.as_ref().map(|c| c.0),
            )
        };
        key(a).cmp(&key(b))
    });
}

/// Detects and parses every table into a batch, with the errors found;
/// history is not synthesized, stages not registered, references not checked.
fn plan_parts(
    mut tables: Vec<Table>,
    format: Format,
    mapping: Option<&mapping::Mapping>,
    ctx: &Context<'_>,
) -> (Batch, Vec<RowError>) {
    let mut errors = Vec::new();
    let mut native_files = Vec::new();
    let mut maven_files = Vec::new();
    let mut sf_files = Vec::new();
    let mut hubspot_files = Vec::new();
    let mut pipedrive_files = Vec::new();
    let mut mapped_files = Vec::new();
    for t in tables.iter_mut() {
        if mapping.is_some() {
            mapped_files.push(&*t);
            continue;
        }
        let mapped = apply_mappings(t, ctx.settings);
        if mapped.is_none() && matches!(format, Format::Auto | Format::Salesforce) {
            detect::salesforce_case(t);
        }
        let kind = match (mapped, format) {
            (Some(k), Format::Auto | Format::Native) => Ok(FileKind::Native(k)),
            _ => detect::detect(t, format),
        };
        match kind {
            Ok(FileKind::Native(k)) => native_files.push((k, &*t)),
            Ok(FileKind::Maven(k)) => maven_files.push((k, &*t)),
            Ok(FileKind::Salesforce(k)) => sf_files.push((k, &*t)),
            Ok(FileKind::Hubspot) => hubspot_files.push(&*t),
            Ok(FileKind::Pipedrive) => pipedrive_files.push(&*t),
            Err(reason) => errors.push(t.file_error(reason)),
        }
    }
    let mut batch = Batch::default();
    let mut formats = refs::Formats::default();
    let files = |ts: Vec<&Table>| ts.into_iter().map(|t| t.file.clone()).collect();
    let natives = files(native_files.iter().map(|f| f.1).collect());
    native::build(&mut native_files, ctx, &mut batch, &mut errors);
    formats.read("pipedeck's", natives, &batch);
    maven::build(&maven_files, ctx, &mut batch, &mut errors);
    formats.read(
        "CRM Sales Opportunities",
        files(maven_files.iter().map(|f| f.1).collect()),
        &batch,
    );
    salesforce::build(&sf_files, ctx, &mut batch, &mut errors);
    formats.read(
        "Salesforce",
        files(sf_files.iter().map(|f| f.1).collect()),
        &batch,
    );
    hubspot::build(&hubspot_files, ctx, &mut batch, &mut errors);
    formats.read("HubSpot", files(hubspot_files.clone()), &batch);
    pipedrive::build(&pipedrive_files, ctx, &mut batch, &mut errors);
    formats.read("Pipedrive", files(pipedrive_files.clone()), &batch);
    if let Some(m) = mapping {
        mapped::build(&mapped_files, m, ctx, &mut batch, &mut errors);
        formats.read("mapped", files(mapped_files.clone()), &batch);
    }
    formats.check(&batch, &mut errors);
    for t in &tables {
        batch.seen_dates.append(&mut t.seen.borrow_mut());
        batch.warnings.append(&mut t.warnings.borrow_mut());
    }
    plausible::no_future_closes(&mut batch, ctx);
    (batch, errors)
}

/// Renames the columns of `[import.mappings.<kind>]` (pipedeck column →
/// source column) when the file has any of the source columns, and says
/// which native kind the mapping makes the file.
fn apply_mappings(t: &mut Table, settings: &Settings) -> Option<detect::NativeKind> {
    for (kind_name, map) in &settings.import.mappings {
        let Some(kind) = detect::NativeKind::ALL
            .into_iter()
            .find(|k| k.name() == kind_name)
        else {
            continue;
        };
        if map.values().any(|source| t.has(source)) {
            for (ours, source) in map {
                t.rename(source, ours);
            }
            return Some(kind);
        }
    }
    None
}

/// Registers, from the config, every stage an imported deal or history row
/// uses that the database does not have yet (so the database describes its
/// own pipeline).
fn register_configured_stages(batch: &mut Batch, ctx: &Context<'_>, also_used: &[String]) {
    let mut used: Vec<&str> = batch
        .opportunities
        .iter()
        .map(|o| o.stage.as_str())
        .collect();
    used.extend(also_used.iter().map(String::as_str));
    used.extend(
        batch
            .history
            .iter()
            .filter(|h| h.field == HistoryField::Stage)
            .flat_map(|h| [h.old_value.as_deref(), h.new_value.as_deref()])
            .flatten(),
    );
    let mut add = Vec::new();
    for s in ctx.settings.stage_list() {
        let wanted = used.contains(&s.name.as_str());
        let known = ctx.existing.stages.contains_key(&s.name)
            || batch.stages.iter().any(|b| b.name == s.name);
        if wanted && !known {
            add.push(s);
        }
    }
    batch.stages.extend(add);
}

/// Options of one import command.
pub struct Options<'a> {
    pub format: Format,
    pub dry_run: bool,
    pub settings: &'a Settings,
    pub cal: &'a Calendar,
}

/// Reads, plans and writes `paths` in one transaction; a dry run rolls it
/// back. `progress(done, total)` is called while writing. Implausible rows
/// are not checked against a date, and local edits the CRM has not seen are
/// kept; see [`run_with`].
pub fn run(
    store: &mut Store,
    paths: &[PathBuf],
    opts: &Options<'_>,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Counts, ImportError> {
    Ok(run_with(store, paths, opts, &RoundTrip::default(), progress)?.counts)
}

/// [`run`] with the plausibility checks: returns the counts and the
/// warnings (implausible rows); under `checks.strict` the warnings refuse
/// the import, and nothing is written.
pub fn run_checked(
    store: &mut Store,
    paths: &[PathBuf],
    opts: &Options<'_>,
    checks: Checks,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<(Counts, Vec<RowError>), ImportError> {
    let rt = RoundTrip {
        checks,
        ..RoundTrip::default()
    };
    let done = run_with(store, paths, opts, &rt, progress)?;
    Ok((done.counts, done.warnings))
}

/// The options of an import beyond its files: the plausibility checks
/// (SPEC §12) and the round trip with the CRM (SPEC §13).
pub struct RoundTrip {
    /// Take the CRM's value over a pending local edit.
    pub overwrite_local: bool,
    /// Read every file through this column mapping (`--mapping FILE.toml`).
    pub mapping: Option<mapping::Mapping>,
    /// When the import runs (stamps the CRM records and settled edits).
    pub now: chrono::DateTime<chrono::Utc>,
    /// Implausible rows: warnings, or errors under `--strict`.
    pub checks: Checks,
}

impl Default for RoundTrip {
    fn default() -> RoundTrip {
        RoundTrip {
            overwrite_local: false,
            mapping: None,
            now: chrono::Utc::now(),
            checks: Checks::default(),
        }
    }
}

/// What an import did: the per-entity counts, the local edits it kept (or,
/// with `--overwrite-local`, replaced), and the implausible rows it let in.
#[derive(Debug, Clone)]
pub struct Imported {
    pub counts: Counts,
    pub kept: Vec<round_trip::Kept>,
    pub overwritten: Vec<round_trip::Kept>,
    pub warnings: Vec<RowError>,
}

/// [`run`] with the checks and round-trip options.
pub fn run_with(
    store: &mut Store,
    paths: &[PathBuf],
    opts: &Options<'_>,
    rt: &RoundTrip,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Imported, ImportError> {
    // A damaged file is not written to (SQLite would notice only on the
    // pages the import touches; docs/storage.md): checked while the files
    // are read and planned, before the first write.
    store.check_pages_beside()?;
    // Bulk settings (see `Store::begin_bulk`) for this import only.
    let bulk = match store.begin_bulk() {
        Ok(b) => b,
        Err(e) => {
            // The check's answer goes with this import, not a later write.
            let _ = store.wait_check();
            return Err(e.into());
        }
    };
    let done = run_files(store, paths, opts, rt, progress);
    // An import refused before it wrote still says a damaged file first.
    let checked = store.wait_check();
    store.end_bulk(bulk)?;
    checked?;
    done
}

/// [`run_with`] once the connection is set for a bulk load.
fn run_files(
    store: &mut Store,
    paths: &[PathBuf],
    opts: &Options<'_>,
    rt: &RoundTrip,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Imported, ImportError> {
    // pipedeck's own activities and history files are read one record at a
    // time and written as they are read (see `stream`); the rest whole.
    let can_stream = rt.mapping.is_none() && matches!(opts.format, Format::Auto | Format::Native);
    let mut tables = Vec::new();
    let mut streams = Vec::new();
    let mut structural = Vec::new();
    for (order, f) in list_files(paths)?.into_iter().enumerate() {
        if can_stream
            && let Some(s) =
                stream::streamable(&f, order, opts.format, opts.settings, rt.checks.today)?
        {
            streams.push(s);
            continue;
        }
        let mut errs = Vec::new();
        read_one(&f, &mut tables, &mut errs)?;
        structural.extend(errs.into_iter().map(|e| (order, e)));
    }
    // The plausibility check lists the dates `is_implausible` says, with
    // this today: keep only those (every date of a 200k-deal file was 86 MB).
    for t in &mut tables {
        t.implausible_only = Some(rt.checks.today);
    }
    if !streams.is_empty() {
        return stream::run(store, tables, streams, structural, opts, rt, progress);
    }
    if !structural.is_empty() {
        return Err(ImportError::Rows(
            structural.into_iter().map(|(_, e)| e).collect(),
        ));
    }
    let existing = store.existing_ids()?;
    let ctx = Context {
        cal: opts.cal,
        settings: opts.settings,
        existing: &existing,
        now: rt.now,
    };
    let mut batch =
        plan_with(tables, opts.format, rt.mapping.as_ref(), &ctx).map_err(ImportError::Rows)?;
    let warnings = implausible(&batch, rt.checks.today);
    if let Some(e) = refused_under_strict(rt, &warnings) {
        return Err(e);
    }
    native::keep_absent_columns(store, &mut batch, ctx.cal, rt.now)?;
    let reconciled = round_trip::reconcile_with(store, &mut batch, rt.overwrite_local)?;
    history::record_changes(store, &mut batch, &ctx, rt.now)?;
    let total = batch.len();
    let mut done = 0;
    let mut tx = store.begin()?;
    // Into a fresh database, the secondary indexes are built once at the end.
    let deferred = tx.defer_indexes_if_empty()?;
    apply(&mut tx, &batch, &mut || {
        done += 1;
        if done % 256 == 0 || done == total {
            progress(done, total);
        }
    })?;
    finish(tx, &batch, reconciled, rt, deferred, opts.dry_run, warnings)
}

/// The per-entity counts in load order, for the summary table.
pub fn summary(counts: &Counts) -> Vec<(&'static str, crate::storage::EntityCounts)> {
    let order = [
        "stages",
        "reps",
        "accounts",
        "contacts",
        "opportunities",
        "opportunity_history",
        "activities",
        "goals",
        "review_sessions",
        "forecast_snapshots",
        "snoozes",
        "deal_tags",
        "action_items",
        "crm_records",
        "crm_last_touch",
        "local_edits",
    ];
    let map: &BTreeMap<&'static str, _> = &counts.0;
    order
        .iter()
        .filter_map(|k| map.get(k).map(|c| (*k, *c)))
        .collect()
}
