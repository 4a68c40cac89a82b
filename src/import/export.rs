//! Export: the whole database as pipedeck's CSV set (SPEC §10.1) — six files
//! plus our extensions: `stages.csv` (the registered pipeline the deals use)
//! and what the database holds beyond the CRM's records (SPEC §12: goals,
//! review sessions, forecast snapshots, snoozes, deal tags, action items,
//! and the round trip's state: CRM records, last touches, local edits) —
//! with the columns in the SPEC order, rows sorted by id (history by
//! opportunity, instant, then insertion order), money as decimals, instants
//! `YYYY-MM-DDTHH:MM:SSZ`, empty for unknown. Importing an export into an
//! empty database and exporting again gives the same bytes.

use super::detect::NativeKind;
use crate::domain::model::*;
use crate::domain::money::Money;
use crate::storage::{StorageError, Store};
use chrono::{DateTime, NaiveDate, Utc};
use std::path::Path;

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("{path}: {detail}")]
    Write { path: String, detail: String },
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Rows written per file, in file order.
pub type ExportCounts = Vec<(&'static str, usize)>;

fn instant(t: Option<DateTime<Utc>>) -> String {
    t.map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

fn date(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

fn money(m: Option<Money>) -> String {
    m.map(Money::to_decimal).unwrap_or_default()
}

fn text<S: AsRef<str>>(s: &Option<S>) -> String {
    s.as_ref()
        .map(|v| v.as_ref().to_string())
        .unwrap_or_default()
}

fn id<T: std::fmt::Display>(s: &Option<T>) -> String {
    s.as_ref().map(|v| v.to_string()).unwrap_or_default()
}

/// A history value as a file shows it: amounts (stored in cents) as decimals.
fn history_value<S: AsRef<str>>(field: HistoryField, v: &Option<S>) -> String {
    match (field, v.as_ref().map(AsRef::as_ref)) {
        (HistoryField::Amount, Some(cents)) => cents
            .parse::<i64>()
            .map(|c| Money(c).to_decimal())
            .unwrap_or_else(|_| cents.to_string()),
        _ => text(v),
    }
}

/// The file of `kind` in the set: `reps.csv`.
fn file_name(kind: NativeKind) -> String {
    format!("{}.csv", kind.name())
}

/// Where the file of `kind` is written before it is renamed into place.
fn partial(dir: &Path, kind: NativeKind) -> std::path::PathBuf {
    dir.join(format!(".{}.partial", file_name(kind)))
}

/// The files of the set `dir` already holds (an earlier export, say),
/// which [`export`] would replace.
pub fn existing(dir: &Path) -> Vec<String> {
    NativeKind::ALL
        .into_iter()
        .map(file_name)
        .filter(|f| dir.join(f).exists())
        .collect()
}

/// Every file name [`export`] writes.
pub fn own_files() -> Vec<String> {
    NativeKind::ALL.into_iter().map(file_name).collect()
}

/// The CSV files of `dir` an import of it would read (`*.csv`, any case)
/// that are none of `own`, sorted: a file written beside them would be
/// read with them (a backup beside a CRM's update file no longer imports,
/// and an update file beside a backup made it fail). None when `dir` is
/// not a directory.
pub fn other_csv_files(dir: &Path, own: &[String]) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<String> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.is_file()
                && p.extension()
                    .is_some_and(|x| x.to_string_lossy().eq_ignore_ascii_case("csv"))
        })
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().to_string()))
        .filter(|n| !own.contains(n))
        .collect();
    out.sort();
    out
}

/// The rows of one file of the set.
fn rows_of(store: &Store, kind: NativeKind) -> Result<Vec<Vec<String>>, StorageError> {
    Ok(match kind {
        NativeKind::Stages => store.load_stages()?.iter().map(stage).collect(),
        NativeKind::Reps => store.load_reps()?.iter().map(rep).collect(),
        NativeKind::Accounts => store.load_accounts()?.iter().map(account).collect(),
        NativeKind::Contacts => store.load_contacts()?.iter().map(contact).collect(),
        NativeKind::Opportunities => sorted(store.load_opportunities()?, |o| o.id.0.to_string())
            .iter()
            .map(opportunity)
            .collect(),
        NativeKind::History => {
            let mut history = store.load_history()?;
            // Stable: equal (deal, instant) keep insertion order.
            history.sort_by(|a, b| {
                (&a.opportunity_id, a.changed_at).cmp(&(&b.opportunity_id, b.changed_at))
            });
            history.iter().map(history_row).collect()
        }
        NativeKind::Activities => sorted(store.load_activities()?, |a| a.id.0.to_string())
            .iter()
            .map(activity)
            .collect(),
        NativeKind::Goals => store.load_goals()?.iter().map(goal).collect(),
        NativeKind::ReviewSessions => store
            .load_review_sessions()?
            .iter()
            .map(review_session)
            .collect(),
        NativeKind::Snapshots => store
            .load_snapshots()?
            .iter()
            .flat_map(snapshot_rows)
            .collect(),
        NativeKind::Snoozes => store.load_snoozes()?.iter().map(snooze).collect(),
        NativeKind::Tags => store.load_tags()?.iter().map(tag).collect(),
        NativeKind::ActionItems => store.load_action_items()?.iter().map(action_item).collect(),
        NativeKind::CrmRecords => store.crm_records()?.iter().map(crm_record).collect(),
        NativeKind::CrmLastTouch => store
            .crm_last_touches()?
            .iter()
            .map(|(o, t)| vec![o.to_string(), instant(Some(*t))])
            .collect(),
        NativeKind::LocalEdits => store.local_edits()?.iter().map(local_edit).collect(),
    })
}

/// Writes the set into `dir` (created if missing). Each file is written
/// beside its name (`.NAME.csv.partial`) and every one is renamed into
/// place once all are written (and synced to disk), so a failed export
/// leaves the files that were there (an earlier backup) as they were.
pub fn export(store: &Store, dir: &Path) -> Result<ExportCounts, ExportError> {
    std::fs::create_dir_all(dir).map_err(|e| fail(dir, &e))?;
    let mut counts = Vec::new();
    for kind in NativeKind::ALL {
        match write_file(store, &partial(dir, kind), kind) {
            Ok(n) => counts.push((kind.name(), n)),
            Err(e) => {
                for k in NativeKind::ALL {
                    let _ = std::fs::remove_file(partial(dir, k));
                }
                return Err(e);
            }
        }
    }
    for kind in NativeKind::ALL {
        let path = dir.join(file_name(kind));
        std::fs::rename(partial(dir, kind), &path).map_err(|e| fail(&path, &e))?;
    }
    // The renames on disk too (a directory opens for reading on Unix; where
    // it does not, the files are written and only the renames' durability
    // is left to the system).
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(counts)
}

fn fail(path: &Path, e: &dyn std::fmt::Display) -> ExportError {
    ExportError::Write {
        path: path.display().to_string(),
        detail: e.to_string(),
    }
}

/// Writes the file of `kind` at `path`; returns its rows.
fn write_file(store: &Store, path: &Path, kind: NativeKind) -> Result<usize, ExportError> {
    let rows = rows_of(store, kind)?;
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_path(path)
        .map_err(|e| fail(path, &e))?;
    w.write_record(kind.columns()).map_err(|e| fail(path, &e))?;
    for r in &rows {
        w.write_record(r).map_err(|e| fail(path, &e))?;
    }
    // On disk before it is renamed into place: a crash after the export
    // said it was written leaves whole files, not empty ones.
    let file = w.into_inner().map_err(|e| fail(path, e.error()))?;
    file.sync_all().map_err(|e| fail(path, &e))?;
    Ok(rows.len())
}

fn sorted<T>(mut v: Vec<T>, key: impl Fn(&T) -> String) -> Vec<T> {
    v.sort_by_key(key);
    v
}

fn stage(s: &Stage) -> Vec<String> {
    vec![
        s.name.clone(),
        s.position.to_string(),
        s.probability.to_string(),
        id(&s.max_days),
        s.kind.as_str().to_string(),
    ]
}

fn rep(r: &Rep) -> Vec<String> {
    let quota = match (r.quota_amount, r.quota_meetings) {
        (Some(m), _) => m.to_decimal(),
        (None, Some(n)) => n.to_string(),
        (None, None) => String::new(),
    };
    vec![
        r.id.to_string(),
        r.name.clone(),
        text(&r.email),
        r.role.as_str().to_string(),
        text(&r.team),
        id(&r.manager_id),
        date(r.start_date),
        date(r.end_date),
        quota,
    ]
}

fn account(a: &Account) -> Vec<String> {
    vec![
        a.id.to_string(),
        a.name.clone(),
        text(&a.segment),
        text(&a.icp_tier),
        text(&a.industry),
        id(&a.employees),
    ]
}

fn contact(c: &Contact) -> Vec<String> {
    vec![
        c.id.to_string(),
        id(&c.account_id),
        c.name.clone(),
        text(&c.title),
    ]
}

fn opportunity(o: &Opportunity) -> Vec<String> {
    vec![
        o.id.to_string(),
        o.name.clone(),
        id(&o.account_id),
        o.owner_id.to_string(),
        id(&o.source_rep_id),
        instant(o.created_at),
        o.stage.clone(),
        money(o.amount),
        money(o.list_amount),
        date(o.close_date),
        id(&o.forecast_category),
        o.status.as_str().to_string(),
        instant(o.closed_at),
        text(&o.loss_reason),
        text(&o.next_step),
        date(o.next_step_date),
        text(&o.channel),
    ]
}

fn history_row(h: &HistoryEntry) -> Vec<String> {
    vec![
        h.opportunity_id.to_string(),
        instant(Some(h.changed_at)),
        h.field.as_str().to_string(),
        history_value(h.field, &h.old_value),
        history_value(h.field, &h.new_value),
        text(&h.changed_by),
        id(&h.review_session_id),
    ]
}

fn goal(g: &Goal) -> Vec<String> {
    vec![
        g.role.as_str().to_string(),
        g.metric.clone(),
        g.period.as_str().to_string(),
        g.target.to_string(),
        g.direction.as_str().to_string(),
    ]
}

fn review_session(s: &ReviewSession) -> Vec<String> {
    vec![
        s.id.to_string(),
        instant(Some(s.started_at)),
        instant(s.ended_at),
        text(&s.facilitator),
        text(&s.report_markdown),
    ]
}

/// One row per frozen deal; a snapshot of no open deal is one row with an
/// empty `opportunity_id`, so it comes back too.
fn snapshot_rows(s: &Snapshot) -> Vec<Vec<String>> {
    let head = || vec![date(Some(s.taken_on)), instant(Some(s.taken_at))];
    if s.rows.is_empty() {
        let mut r = head();
        r.extend(std::iter::repeat_n(String::new(), 6));
        return vec![r];
    }
    s.rows
        .iter()
        .map(|x| {
            let mut r = head();
            r.extend([
                x.opportunity_id.to_string(),
                x.owner_id.to_string(),
                x.stage.clone(),
                money(x.amount),
                date(x.close_date),
                id(&x.forecast_category),
            ]);
            r
        })
        .collect()
}

fn snooze(z: &Snooze) -> Vec<String> {
    vec![
        z.id.to_string(),
        z.opportunity_id.to_string(),
        z.reason.clone(),
        date(Some(z.until)),
        instant(Some(z.created_at)),
        text(&z.created_by),
        id(&z.review_session_id),
    ]
}

fn tag(t: &DealTag) -> Vec<String> {
    vec![
        t.opportunity_id.to_string(),
        t.tag.as_str().to_string(),
        text(&t.note),
        instant(Some(t.set_at)),
        id(&t.review_session_id),
    ]
}

fn action_item(a: &ActionItem) -> Vec<String> {
    vec![
        a.id.to_string(),
        id(&a.opportunity_id),
        a.owner_id.to_string(),
        a.text.clone(),
        date(a.due_date),
        instant(Some(a.created_at)),
        instant(a.done_at),
        id(&a.review_session_id),
    ]
}

fn crm_record(r: &crate::domain::crm::CrmRecord) -> Vec<String> {
    vec![
        r.opportunity_id.to_string(),
        r.crm.as_str().to_string(),
        r.crm_id.clone(),
        instant(Some(r.imported_at)),
    ]
}

/// A local edit, its amounts (canonical cents) as decimals.
fn local_edit(e: &crate::domain::crm::LocalEdit) -> Vec<String> {
    let value = |v: &Option<String>| match e.field {
        crate::domain::crm::SyncField::Amount => history_value(HistoryField::Amount, v),
        _ => text(v),
    };
    vec![
        e.deal.clone(),
        e.field.as_str().to_string(),
        value(&e.local),
        value(&e.base),
        instant(Some(e.edited_at)),
        e.state.as_str().to_string(),
        instant(e.resolved_at),
    ]
}

fn activity(a: &Activity) -> Vec<String> {
    vec![
        a.id.to_string(),
        a.rep_id.to_string(),
        a.kind.as_str().to_string(),
        id(&a.meeting_type),
        text(&a.label),
        id(&a.opportunity_id),
        id(&a.account_id),
        id(&a.contact_id),
        instant(Some(a.occurred_at)),
        id(&a.outcome),
        id(&a.duration_min),
        id(&a.direction),
        id(&a.review_session_id),
    ]
}
