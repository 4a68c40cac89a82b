//! The plausibility checks of an import (SPEC §12): impossible values are
//! refused while parsing; implausible ones (dates far in the past or future,
//! closed before created) are listed here as warnings, or refused under
//! `--strict`.

use super::Batch;
use super::error::RowError;

/// The earliest plausible date: anything before is listed as a warning.
pub const PLAUSIBLE_FROM: (i32, u32, u32) = (1990, 1, 1);

/// How many years after today a date stays plausible.
pub const PLAUSIBLE_YEARS_AHEAD: i32 = 10;

/// The plausibility checks of one import (SPEC §12): impossible values are
/// always refused; implausible ones are warnings, or errors when `strict`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Checks {
    /// "Today", for dates far in the future (none: that check is skipped).
    pub today: Option<chrono::NaiveDate>,
    /// `import --strict`: warnings refuse the import like errors.
    pub strict: bool,
}

/// Whether a date is one [`implausible`] lists: before [`PLAUSIBLE_FROM`]
/// or more than [`PLAUSIBLE_YEARS_AHEAD`] years after `today`.
pub fn is_implausible(day: chrono::NaiveDate, today: Option<chrono::NaiveDate>) -> bool {
    use chrono::Datelike;
    let (y, m, d) = PLAUSIBLE_FROM;
    let from = chrono::NaiveDate::from_ymd_opt(y, m, d).expect("a valid date");
    let until = today.and_then(|t| t.with_year(t.year() + PLAUSIBLE_YEARS_AHEAD));
    day < from || until.is_some_and(|u| day > u)
}

/// A change or an activity dated after tomorrow (a day of slack: the file's
/// instants are UTC, today is the calendar's) is kept as read, with a
/// warning: the reports count it from that day on, and an edit of its deal
/// cannot be recorded before it. Past the years [`is_implausible`] lists,
/// that warning says it.
pub(super) fn ahead_of_today(
    row: &super::table::Row<'_>,
    column: &str,
    at: chrono::DateTime<chrono::Utc>,
) {
    let day = at.date_naive();
    if let Some(today) = row.today()
        && day > today + chrono::Days::new(1)
        && !is_implausible(day, Some(today))
    {
        row.warn(column, format!("dated {day}, after today (implausible)"));
    }
}

/// A deal a CRM file says is closed closed by now: an instant after the
/// import's clock (a won deal whose close date is still ahead, the close
/// taken from it) would book it in a period to come. It closes now, with a
/// warning on its row. One whose close date is before its creation (the
/// readers close it when created) is warned of too (SPEC §12), and one
/// whose closed instant is (it closes when created).
pub fn no_future_closes(batch: &mut Batch, ctx: &super::Context<'_>) {
    let (now, cal) = (ctx.now, ctx.cal);
    let rows: std::collections::HashMap<&str, &super::Loc> = batch
        .origins
        .iter()
        .map(|o| (o.opp.as_str(), &o.at))
        .collect();
    for o in batch.opportunities.iter_mut() {
        let Some(at) = rows.get(o.id.as_str()) else {
            continue;
        };
        let mut said = false;
        if let (true, Some(close), Some(created)) =
            (o.status.is_closed(), o.close_date, o.created_at)
            && close < cal.local_date(created)
        {
            said = true;
            batch.warnings.push(RowError {
                at: (*at).clone(),
                reason: format!(
                    "{} closes on {close}, before it was created on {} (implausible): closed when created",
                    o.id,
                    cal.local_date(created)
                ),
            });
        }
        // A closed instant before the creation (a Pipedrive "Won time" of
        // 2000 on a deal created in 2026): closed when created, as a close
        // date before it is.
        if let (Some(closed), Some(created)) = (o.closed_at, o.created_at)
            && o.status.is_closed()
            && closed < created
        {
            o.closed_at = Some(created);
            if !said && !ctx.existing.opportunities.contains(o.id.as_str()) {
                batch.warnings.push(RowError {
                    at: (*at).clone(),
                    reason: format!(
                        "{} closed at {}, before it was created at {} (implausible): closed when created",
                        o.id,
                        closed.format("%Y-%m-%d %H:%M"),
                        created.format("%Y-%m-%d %H:%M")
                    ),
                });
            }
        }
        if let Some(closed) = o.closed_at.filter(|c| *c > now && o.status.is_closed()) {
            o.closed_at = Some(now);
            // Said once: a deal the database holds keeps its close (the
            // round trip), so a re-import has nothing to say.
            if ctx.existing.opportunities.contains(o.id.as_str()) {
                continue;
            }
            batch.warnings.push(RowError {
                at: (*at).clone(),
                reason: format!(
                    "{} is {} with its close on {}, after today: closed now",
                    o.id,
                    o.status,
                    closed.format("%Y-%m-%d")
                ),
            });
        }
    }
}

/// The implausible rows of a planned batch, in file order: what parsing
/// found, and every date before [`PLAUSIBLE_FROM`] or more than
/// [`PLAUSIBLE_YEARS_AHEAD`] years after `today`.
pub fn implausible(batch: &Batch, today: Option<chrono::NaiveDate>) -> Vec<RowError> {
    use chrono::Datelike;
    let (y, m, d) = PLAUSIBLE_FROM;
    let from = chrono::NaiveDate::from_ymd_opt(y, m, d).expect("a valid date");
    let until = today.and_then(|t| t.with_year(t.year() + PLAUSIBLE_YEARS_AHEAD));
    let mut out = batch.warnings.clone();
    for s in &batch.seen_dates {
        if s.day < from {
            out.push(RowError {
                at: s.at.clone(),
                reason: format!("{} is before {from} (implausible)", s.day),
            });
        } else if let Some(until) = until
            && s.day > until
        {
            out.push(RowError {
                at: s.at.clone(),
                reason: format!(
                    "{} is more than {PLAUSIBLE_YEARS_AHEAD} years after today (implausible)",
                    s.day
                ),
            });
        }
    }
    out.sort_by(|a, b| {
        let key = |e: &RowError| {
            (
                e.at.file.clone(),
                e.at.line,
                e.at.column.as_ref().map(|c| c.0),
            )
        };
        key(a).cmp(&key(b))
    });
    out
}
