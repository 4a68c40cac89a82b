//! What the hygiene rules read from the dataset, gathered once per run:
//! last real touches, stage entries, close-date pushes, snoozes in force.
//! Everything dated after today is ignored.

use super::SnoozeNote;
use crate::domain::model::{AccountId, Dataset, DealTag, HistoryField, OppId, Snooze};
use crate::domain::period::Calendar;
use crate::domain::settings::Settings;
use chrono::{Days, NaiveDate};
use foldhash::{HashMap, HashMapExt};

/// Local date of the latest activity per deal and per account, up to today.
pub(super) struct Touches {
    pub(super) by_deal: HashMap<OppId, NaiveDate>,
    pub(super) by_account: HashMap<AccountId, NaiveDate>,
}

pub(super) fn last_touches(data: &Dataset, cal: &Calendar, today: NaiveDate) -> Touches {
    let mut t = Touches {
        by_deal: HashMap::new(),
        by_account: HashMap::new(),
    };
    let day = |at| Some(cal.local_date(at)).filter(|d| *d <= today);
    // A CRM's last activity date counts as a touch of the deal (SPEC §13),
    // as does the latest activity before a window read without its rows.
    for (o, at) in data.deal_touches_beside() {
        keep_latest(&mut t.by_deal, o, day(at));
    }
    for (acc, at) in data.account_touches_beside() {
        keep_latest(&mut t.by_account, acc, day(at));
    }
    for a in &data.activities {
        let Some(d) = day(a.occurred_at) else {
            continue;
        };
        if let Some(o) = &a.opportunity_id {
            keep_latest(&mut t.by_deal, o, Some(d));
        }
        if let Some(acc) = &a.account_id {
            keep_latest(&mut t.by_account, acc, Some(d));
        }
    }
    t
}

/// Keeps the later of `day` (when there is one) and the day `key` holds.
fn keep_latest<K: Clone + Eq + std::hash::Hash>(
    map: &mut HashMap<K, NaiveDate>,
    key: &K,
    day: Option<NaiveDate>,
) {
    if let Some(day) = day {
        let e = map.entry(key.clone()).or_insert(day);
        *e = (*e).max(day);
    }
}

/// Local date of each deal's latest `stage` history entry, up to today.
pub(super) fn stage_entries(
    data: &Dataset,
    cal: &Calendar,
    today: NaiveDate,
) -> HashMap<OppId, NaiveDate> {
    let mut out: HashMap<OppId, NaiveDate> = HashMap::new();
    for h in data
        .history
        .iter()
        .filter(|h| h.field == HistoryField::Stage)
    {
        let day = Some(cal.local_date(h.changed_at)).filter(|d| *d <= today);
        keep_latest(&mut out, &h.opportunity_id, day);
    }
    out
}

/// Per deal, the pushes of its close date ([`pushes_and_pulls`]) among its
/// `close_date` history entries whose local date is in `[today − window,
/// today]`.
pub(super) fn close_date_pushes(
    data: &Dataset,
    settings: &Settings,
    cal: &Calendar,
    today: NaiveDate,
) -> HashMap<OppId, u32> {
    let window = settings.anomalies.slipping_window_days.max(0) as u64;
    let from = today.checked_sub_days(Days::new(window)).unwrap_or(today);
    let mut moves: HashMap<&OppId, Vec<_>> = HashMap::new();
    for h in data
        .history
        .iter()
        .filter(|h| h.field == HistoryField::CloseDate)
    {
        let day = cal.local_date(h.changed_at);
        if day < from || day > today {
            continue;
        }
        if let (Some(old), Some(new)) = h.dates() {
            moves
                .entry(&h.opportunity_id)
                .or_default()
                .push((h.changed_at, old, new));
        }
    }
    moves
        .into_iter()
        .map(|(id, m)| (id.clone(), pushes_and_pulls(m).0))
        .filter(|(_, n)| *n > 0)
        .collect()
}

/// Pushes (new date later) and pulls (earlier) among one deal's close-date
/// changes `(when, old, new)`, taken in time order (ties in the order
/// given: history order). A change that takes the date back to where the
/// latest change still standing started reverses it (an undo, or a slip of
/// the finger set right): the two count as neither. Undos nest, as the
/// cockpit's do: two pushes undone one after the other are no push.
pub(crate) fn pushes_and_pulls(
    mut changes: Vec<(chrono::DateTime<chrono::Utc>, NaiveDate, NaiveDate)>,
) -> (u32, u32) {
    changes.sort_by_key(|c| c.0);
    // The changes still standing, latest last.
    let mut standing: Vec<(NaiveDate, NaiveDate)> = Vec::new();
    for (_, old, new) in changes {
        if old == new {
            continue;
        }
        if standing.last() == Some(&(new, old)) {
            standing.pop();
        } else {
            standing.push((old, new));
        }
    }
    let pushes = standing.iter().filter(|(o, n)| n > o).count() as u32;
    (pushes, standing.len() as u32 - pushes)
}

/// Per deal among `snoozes`, the latest snooze made up to today (latest
/// `created_at`, then id), when today is before its `until` date.
pub(super) fn snoozes_in_force<'a>(
    snoozes: impl IntoIterator<Item = &'a Snooze>,
    cal: &Calendar,
    today: NaiveDate,
) -> HashMap<OppId, SnoozeNote> {
    let mut latest: HashMap<&OppId, &Snooze> = HashMap::new();
    for s in snoozes
        .into_iter()
        .filter(|s| cal.local_date(s.created_at) <= today)
    {
        let e = latest.entry(&s.opportunity_id).or_insert(s);
        if (s.created_at, s.id) >= (e.created_at, e.id) {
            *e = s;
        }
    }
    latest
        .into_iter()
        .filter(|(_, s)| today < s.until)
        .map(|(id, s)| {
            (
                id.clone(),
                SnoozeNote {
                    until: s.until,
                    reason: s.reason.clone(),
                    by: s.created_by.clone(),
                },
            )
        })
        .collect()
}

/// Per deal among `tags` (in stored order), the latest tag set up to
/// today; of two set at one instant, the later stored.
pub(super) fn tags_in_force<'a>(
    tags: impl IntoIterator<Item = &'a DealTag>,
    cal: &Calendar,
    today: NaiveDate,
) -> HashMap<&'a OppId, &'a DealTag> {
    let mut latest: HashMap<&OppId, &DealTag> = HashMap::new();
    for t in tags
        .into_iter()
        .filter(|t| cal.local_date(t.set_at) <= today)
    {
        let e = latest.entry(&t.opportunity_id).or_insert(t);
        if t.set_at >= e.set_at {
            *e = t;
        }
    }
    latest
}

#[cfg(test)]
mod tests {
    use super::{pushes_and_pulls, tags_in_force};
    use crate::domain::model::{DealTag, OppId, StuckTag};
    use crate::domain::period::Calendar;
    use chrono::{DateTime, NaiveDate, Utc};

    #[test]
    fn the_tag_in_force_is_the_latest_set_by_today_the_later_stored_on_a_tie() {
        let tag = |id: &str, tag, at: &str| DealTag {
            opportunity_id: OppId(id.into()),
            tag,
            note: None,
            set_at: format!("2026-11-{at}:00Z").parse().unwrap(),
            review_session_id: None,
        };
        // Stored out of time order; X's red and yellow set at one instant;
        // Y's green set on 25 Nov (a later `--today`), after today.
        let tags = [
            tag("X", StuckTag::Green, "20T10:00"),
            tag("X", StuckTag::Red, "17T09:00"),
            tag("X", StuckTag::Red, "22T08:00"),
            tag("X", StuckTag::Yellow, "22T08:00"),
            tag("Y", StuckTag::Red, "18T12:00"),
            tag("Y", StuckTag::Green, "25T01:00"),
        ];
        let cal = Calendar::default();
        let today = "2026-11-24".parse().unwrap();
        let got = tags_in_force(&tags, &cal, today);
        let of = |id: &str| got.get(&OppId(id.into())).map(|t| t.tag);
        assert_eq!(of("X"), Some(StuckTag::Yellow));
        assert_eq!(of("Y"), Some(StuckTag::Red));
        assert_eq!(got.len(), 2);
        // On 25 Nov Y's green is set.
        let later = tags_in_force(&tags, &cal, "2026-11-25".parse().unwrap());
        assert_eq!(later[&OppId("Y".into())].tag, StuckTag::Green);
        // Before any: none.
        assert!(tags_in_force(&tags, &cal, "2026-11-16".parse().unwrap()).is_empty());
    }

    /// `(hour of 2026-11-01, old, new)`, dates as `MM-DD` of 2026.
    fn moves(v: &[(u32, &str, &str)]) -> Vec<(DateTime<Utc>, NaiveDate, NaiveDate)> {
        let d = |s: &str| format!("2026-{s}").parse().unwrap();
        v.iter()
            .map(|(h, o, n)| {
                let at = format!("2026-11-01T{h:02}:00:00Z").parse().unwrap();
                (at, d(o), d(n))
            })
            .collect()
    }

    #[test]
    fn a_change_the_next_one_reverses_counts_as_neither() {
        // Two pushes.
        assert_eq!(
            pushes_and_pulls(moves(&[(1, "12-01", "12-10"), (2, "12-10", "12-20")])),
            (2, 0)
        );
        // A push and its undo.
        assert_eq!(
            pushes_and_pulls(moves(&[(1, "12-01", "12-10"), (2, "12-10", "12-01")])),
            (0, 0)
        );
        // A pull and its undo.
        assert_eq!(
            pushes_and_pulls(moves(&[(1, "12-10", "12-01"), (2, "12-01", "12-10")])),
            (0, 0)
        );
        // A push, a second one undone: one push.
        assert_eq!(
            pushes_and_pulls(moves(&[
                (1, "12-01", "12-10"),
                (2, "12-10", "12-20"),
                (3, "12-20", "12-10")
            ])),
            (1, 0)
        );
        // Undone, then pushed again: one push.
        assert_eq!(
            pushes_and_pulls(moves(&[
                (1, "12-01", "12-10"),
                (2, "12-10", "12-01"),
                (3, "12-01", "12-10")
            ])),
            (1, 0)
        );
        // Two pushes undone one after the other (undo twice): neither.
        assert_eq!(
            pushes_and_pulls(moves(&[
                (1, "12-01", "12-10"),
                (2, "12-10", "12-20"),
                (3, "12-20", "12-10"),
                (4, "12-10", "12-01")
            ])),
            (0, 0)
        );
        // A pull back past the date pushed from is no undo: a push, a pull.
        assert_eq!(
            pushes_and_pulls(moves(&[(1, "12-01", "12-10"), (2, "12-10", "11-20")])),
            (1, 1)
        );
        // The same date set again is neither, and undoes nothing.
        assert_eq!(
            pushes_and_pulls(moves(&[
                (1, "12-01", "12-01"),
                (2, "12-01", "12-01"),
                (3, "12-01", "12-10")
            ])),
            (1, 0)
        );
        // Taken in time order, whatever order they come in.
        assert_eq!(
            pushes_and_pulls(moves(&[(2, "12-10", "12-01"), (1, "12-01", "12-10")])),
            (0, 0)
        );
    }
}
