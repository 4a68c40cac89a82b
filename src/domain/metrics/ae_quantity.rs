//! AE quantity metrics (SPEC §4.1).

use super::index::{
    Index, Window, closed_in, created_in, in_window, is_call, is_first_meeting,
    is_follow_up_meeting, is_held_meeting, is_sent_email, open_at,
};
use super::{MetricId, MetricSet, MetricValue};
use crate::domain::model::{
    AccountId, ContactId, HistoryEntry, Opportunity, RepId, StageKind, Status,
};
use foldhash::HashSet;

/// Adds the AE quantity metrics of `rep` over `w` to `out`.
pub(super) fn compute(ix: &Index<'_>, rep: &RepId, w: &Window, out: &mut MetricSet) {
    let acts = ix.rep_activities(rep, w);
    let mut put = |id: MetricId, v: MetricValue| {
        out.insert(id, v);
    };
    // meetings: meetings held in period (outcome held, or none recorded).
    put(
        MetricId::Meetings,
        MetricValue::count(acts.iter().filter(|a| is_held_meeting(a)).count() as u32),
    );
    // first_meetings / follow_up_meetings: held meetings of that type.
    put(
        MetricId::FirstMeetings,
        MetricValue::count(acts.iter().filter(|a| is_first_meeting(a)).count() as u32),
    );
    put(
        MetricId::FollowUpMeetings,
        MetricValue::count(acts.iter().filter(|a| is_follow_up_meeting(a)).count() as u32),
    );
    // calls: every call made; emails: outbound (or undirected) emails.
    put(
        MetricId::Calls,
        MetricValue::count(acts.iter().filter(|a| is_call(a)).count() as u32),
    );
    put(
        MetricId::Emails,
        MetricValue::count(acts.iter().filter(|a| is_sent_email(a)).count() as u32),
    );
    engagement(ix, rep, acts, w, &mut put);

    let owned = ix.owned(rep);
    // opps_created: owned opportunities created in period (unknown created: never).
    put(
        MetricId::OppsCreated,
        MetricValue::count(owned.iter().filter(|o| created_in(o, w)).count() as u32),
    );
    // progressions: forward stage moves (by position; into a Lost stage is
    // never forward) of the rep's opportunities in period.
    let progressions: usize = ix
        .owned_stage_changes_in(rep, w)
        .map(|(changes, in_window)| forward_among(ix, &changes[in_window]).count())
        .sum();
    put(
        MetricId::Progressions,
        MetricValue::count(progressions as u32),
    );
    // open_opps / pipeline_value: owned deals open at the period's end.
    let open: Vec<_> = owned.iter().filter(|o| open_at(o, w.end)).collect();
    put(MetricId::OpenOpps, MetricValue::count(open.len() as u32));
    put(
        MetricId::PipelineValue,
        money_sum(open.iter().map(|o| ix.amount_at(o, w.end))),
    );
    // won / lost / closed / bookings: owned deals closed in period.
    let owned_closed = |s: Status| owned.iter().filter(move |o| closed_in(o, s, w));
    let won = owned_closed(Status::Won).count() as u32;
    let lost = owned_closed(Status::Lost).count() as u32;
    put(MetricId::Won, MetricValue::count(won));
    put(MetricId::Lost, MetricValue::count(lost));
    put(MetricId::Closed, MetricValue::count(won + lost));
    put(
        MetricId::Bookings,
        money_sum(owned_closed(Status::Won).map(|o| o.amount)),
    );
}

/// The forward stage moves of `o` inside the window (by position; into a
/// Lost stage is never forward): what `progressions` counts.
pub(super) fn forward_moves<'a, 'b>(
    ix: &'b Index<'a>,
    o: &'b Opportunity,
    w: &'b Window,
) -> impl Iterator<Item = &'a HistoryEntry> + 'b {
    let changes = ix.stage_changes(&o.id);
    forward_among(ix, &changes[in_window(changes, w)])
}

/// The forward moves among a deal's stage changes `in_window`.
fn forward_among<'a, 'b>(
    ix: &'b Index<'a>,
    in_window: &'b [&'a HistoryEntry],
) -> impl Iterator<Item = &'a HistoryEntry> + 'b {
    in_window.iter().copied().filter(move |h| {
        let from = h.old_value.as_deref().and_then(|s| ix.stage(s));
        let to = h.new_value.as_deref().and_then(|s| ix.stage(s));
        matches!((from, to), (Some((a, _)), Some((b, kind))) if b > a && kind != StageKind::Lost)
    })
}

/// Whether `contact`, touched by `rep` in the window, was first touched by
/// `rep` (ever) inside it: what `contacts_engaged_new` counts.
pub(super) fn is_new_contact<'a>(
    ix: &Index<'a>,
    rep: &'a RepId,
    contact: &'a ContactId,
    w: &Window,
) -> bool {
    ix.first_touch(rep, contact).is_some_and(|t| w.contains(t))
}

/// Sum of the known amounts (major units), with the count of unknown ones.
pub(super) fn money_sum(
    amounts: impl Iterator<Item = Option<crate::domain::Money>>,
) -> MetricValue {
    let mut cents = 0i64;
    let mut missing = 0u64;
    for a in amounts {
        match a {
            Some(m) => cents += m.cents(),
            None => missing += 1,
        }
    }
    MetricValue {
        value: Some(crate::domain::Money(cents).as_major_f64()),
        without_amount: Some(missing),
        ..MetricValue::default()
    }
}

/// accounts_engaged (distinct accounts touched by any activity in period)
/// and contacts_engaged_new (contacts touched in period whose first touch
/// by the rep, ever, is in period). Shared with the SDR metrics.
pub(super) fn engagement<'a>(
    ix: &Index<'a>,
    rep: &RepId,
    acts: &[&'a crate::domain::Activity],
    w: &Window,
    put: &mut impl FnMut(MetricId, MetricValue),
) {
    let accounts: HashSet<&AccountId> = acts.iter().filter_map(|a| ix.account_of(a)).collect();
    let contacts: HashSet<&ContactId> = acts.iter().filter_map(|a| a.contact_id.as_ref()).collect();
    let rep_key = acts.first().map(|a| &a.rep_id);
    let new = match rep_key {
        Some(r) => contacts
            .iter()
            .filter(|c| is_new_contact(ix, r, c, w))
            .count(),
        None => 0,
    };
    debug_assert!(rep_key.is_none_or(|r| r == rep));
    put(
        MetricId::AccountsEngaged,
        MetricValue::count(accounts.len() as u32),
    );
    put(MetricId::ContactsEngagedNew, MetricValue::count(new as u32));
}
