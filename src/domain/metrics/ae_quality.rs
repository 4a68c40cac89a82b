//! AE quality metrics (SPEC §4.2): ratios and averages, each with its
//! numerator and denominator.

use super::index::{
    Index, Window, created_in, is_first_meeting, is_follow_up_meeting, is_linked_held_meeting,
    open_at,
};
use super::{MetricId, MetricSet, MetricValue};
use crate::domain::model::{Activity, HistoryEntry, Opportunity, RepId, StageKind, Status};
use chrono::NaiveDate;
use foldhash::HashSet;

const SECONDS_PER_DAY: f64 = 86_400.0;

/// Adds the AE quality metrics of `rep` over `w` to `out` (after the quantity ones).
pub(super) fn compute(ix: &Index<'_>, rep: &RepId, w: &Window, out: &mut MetricSet) {
    let owned = ix.owned(rep);
    let acts = ix.rep_activities(rep, w);
    // Point-in-time metrics are read at the period's last day, or today when
    // the period has not ended yet.
    let last_day = w.period.last_day().min(ix.today);
    let get = |out: &MetricSet, id: MetricId| out.get(&id).and_then(|v| v.value).unwrap_or(0.0);
    let (won, lost) = (get(out, MetricId::Won), get(out, MetricId::Lost));
    let mut put = |id: MetricId, v: MetricValue| {
        out.insert(id, v);
    };
    // win_rate: won ÷ (won + lost) over deals closed in period.
    put(MetricId::WinRate, MetricValue::ratio(won, won + lost));
    // cohort_win_rate: of deals created in period, the share won so far.
    let cohort: Vec<_> = owned.iter().filter(|o| created_in(o, w)).collect();
    let cohort_won = cohort.iter().filter(|o| o.status == Status::Won).count();
    let mut cwr = MetricValue::ratio(cohort_won as f64, cohort.len() as f64);
    cwr.still_open = Some(cohort.iter().filter(|o| o.status == Status::Open).count() as u64);
    put(MetricId::CohortWinRate, cwr);
    // avg_deal_size: mean amount of deals won in period (known amounts only).
    let won_in = super::revenue::won_in(owned, w);
    put(MetricId::AvgDealSize, avg_deal_size(&won_in));
    // sales_cycle_days: mean calendar days from created to closed, won in period.
    put(MetricId::SalesCycleDays, sales_cycle_days(ix, &won_in));
    // open_opp_age_days / stage_age_days / untouched_opps: deals open at period end.
    let open: Vec<_> = owned.iter().filter(|o| open_at(o, w.end)).collect();
    let ages: Vec<i64> = open
        .iter()
        .filter_map(|o| open_age_days(ix, o, last_day))
        .collect();
    put(MetricId::OpenOppAgeDays, mean_days(&ages));
    let stage_ages: Vec<i64> = open
        .iter()
        .filter_map(|o| stage_age_days(ix, o, w, last_day))
        .collect();
    put(MetricId::StageAgeDays, mean_days(&stage_ages));
    // The two metrics below read activities beside the rep's own: skipped
    // over a deals window (`compute_deals` keeps no activity metric).
    if w.activities {
        touch_metrics(ix, owned, &open, w, last_day, &mut put);
    }
    // meetings_per_opp: held meetings linked to a deal ÷ distinct deals they touch.
    let linked: Vec<_> = acts.iter().filter(|a| is_linked_held_meeting(a)).collect();
    let deals: HashSet<_> = linked
        .iter()
        .filter_map(|a| a.opportunity_id.as_ref())
        .collect();
    put(
        MetricId::MeetingsPerOpp,
        MetricValue::ratio(linked.len() as f64, deals.len() as f64),
    );
    // contacts_per_account: distinct contacts touched ÷ distinct accounts touched.
    put(MetricId::ContactsPerAccount, contacts_per_account(ix, acts));
    // first_to_follow_up: first meetings ÷ follow-up meetings (held).
    let firsts = acts.iter().filter(|a| is_first_meeting(a)).count();
    let follow = acts.iter().filter(|a| is_follow_up_meeting(a)).count();
    put(
        MetricId::FirstToFollowUp,
        MetricValue::ratio(firsts as f64, follow as f64),
    );
    stage_conversion(ix, rep, w, &mut put);
}

/// `untouched_opps` over the deals open at the window's end, and
/// `days_between_touches` over the rep's deals.
fn touch_metrics(
    ix: &Index<'_>,
    owned: &[&Opportunity],
    open: &[&&Opportunity],
    w: &Window,
    last_day: NaiveDate,
    put: &mut impl FnMut(MetricId, MetricValue),
) {
    let untouched = open
        .iter()
        .filter(|o| is_untouched(ix, o, w, last_day))
        .count();
    put(
        MetricId::UntouchedOpps,
        MetricValue::count(untouched as u32),
    );
    // days_between_touches: mean gap between consecutive activities (any rep)
    // on the rep's deals, over gaps whose second activity is in period.
    let (mut gap_sum, mut gaps) = (0.0, 0u32);
    for o in owned {
        for (days, _) in touch_gaps(ix, o, w) {
            gap_sum += days;
            gaps += 1;
        }
    }
    put(
        MetricId::DaysBetweenTouches,
        MetricValue::ratio(gap_sum, gaps as f64),
    );
}

/// Days from an open deal's creation to `last_day` (`open_opp_age_days`);
/// `None` when its creation is unknown.
pub(super) fn open_age_days(ix: &Index<'_>, o: &Opportunity, last_day: NaiveDate) -> Option<i64> {
    Some((last_day - ix.day(o.created_at?)).num_days())
}

/// Days an open deal has been in its stage at the window's end, read on
/// `last_day` (`stage_age_days`); `None` when unknown.
pub(super) fn stage_age_days(
    ix: &Index<'_>,
    o: &Opportunity,
    w: &Window,
    last_day: NaiveDate,
) -> Option<i64> {
    let entered = ix
        .stage_changes(&o.id)
        .iter()
        .take_while(|h| h.changed_at < w.end)
        .last()
        .map(|h| h.changed_at)
        .or(o.created_at)?;
    Some((last_day - ix.day(entered)).num_days())
}

/// Whether a deal open at the window's end had no touch for `stale_days`
/// on `last_day` (`untouched_opps`).
pub(super) fn is_untouched(
    ix: &Index<'_>,
    o: &Opportunity,
    w: &Window,
    last_day: NaiveDate,
) -> bool {
    let since = ix.last_touch_before(o, w.end).max(o.created_at);
    match since {
        Some(t) => (last_day - ix.day(t)).num_days() >= ix.stale_days,
        None => true,
    }
}

/// The gaps of `days_between_touches` on one deal: each activity (any rep)
/// in the window with the days since the activity before it on the deal.
pub(super) fn touch_gaps<'a, 'b>(
    ix: &'b Index<'a>,
    o: &'b Opportunity,
    w: &'b Window,
) -> impl Iterator<Item = (f64, &'a Activity)> + 'b {
    // By time: the pairs whose second activity is in the window end in [lo, hi).
    let acts = ix.opp_activities(&o.id);
    let lo = acts
        .partition_point(|a| a.occurred_at < w.start)
        .max(1)
        .min(acts.len());
    let hi = acts.partition_point(|a| a.occurred_at < w.end).max(lo);
    acts[lo.saturating_sub(1)..hi].windows(2).map(|pair| {
        let days =
            (pair[1].occurred_at - pair[0].occurred_at).num_seconds() as f64 / SECONDS_PER_DAY;
        (days, pair[1])
    })
}

/// `stage_conversion.<name>` of one deal: `None` when it did not enter the
/// open stage `name` (at `pos`) in the window; else whether it later
/// entered a later stage other than a lost one.
pub(super) fn converted(
    ix: &Index<'_>,
    o: &Opportunity,
    name: &str,
    pos: i64,
    w: &Window,
) -> Option<bool> {
    let (changes, in_window) = ix.stage_changes_in(&o.id, w);
    converted_among(ix, changes, in_window, name, pos)
}

/// [`converted`] of the deal whose stage changes are `changes`, those in
/// the window at `in_window`.
fn converted_among(
    ix: &Index<'_>,
    changes: &[&HistoryEntry],
    in_window: std::ops::Range<usize>,
    name: &str,
    pos: i64,
) -> Option<bool> {
    let lo = in_window.start;
    let i = lo
        + changes[in_window]
            .iter()
            .position(|h| h.new_value.as_deref() == Some(name))?;
    Some(changes[i + 1..].iter().any(|h| {
        h.new_value
            .as_deref()
            .and_then(|s| ix.stage(s))
            .is_some_and(|(p, k)| p > pos && k != StageKind::Lost)
    }))
}

/// Mean of whole-day counts, with sum and sample size.
/// `avg_deal_size` of deals won: the mean of the known amounts (major
/// units), `without_amount` the won deals without one.
pub(super) fn avg_deal_size(won: &[&Opportunity]) -> MetricValue {
    let amounts: Vec<i64> = won
        .iter()
        .filter_map(|o| o.amount.map(|m| m.cents()))
        .collect();
    let mut ads = MetricValue::ratio(
        amounts.iter().sum::<i64>() as f64 / 100.0,
        amounts.len() as f64,
    );
    ads.without_amount = Some((won.len() - amounts.len()) as u64);
    ads
}

/// `sales_cycle_days` of deals won: the mean calendar days from created to
/// closed (deals with both instants).
pub(super) fn sales_cycle_days(ix: &Index<'_>, won: &[&Opportunity]) -> MetricValue {
    let cycles: Vec<i64> = won
        .iter()
        .filter_map(|o| Some((ix.day(o.closed_at?) - ix.day(o.created_at?)).num_days()))
        .collect();
    mean_days(&cycles)
}

fn mean_days(days: &[i64]) -> MetricValue {
    MetricValue::ratio(days.iter().sum::<i64>() as f64, days.len() as f64)
}

/// Distinct contacts touched ÷ distinct accounts touched.
pub(super) fn contacts_per_account<'a>(
    ix: &Index<'a>,
    acts: &[&'a crate::domain::Activity],
) -> MetricValue {
    let contacts: HashSet<_> = acts.iter().filter_map(|a| a.contact_id.as_ref()).collect();
    let accounts: HashSet<_> = acts.iter().filter_map(|a| ix.account_of(a)).collect();
    MetricValue::ratio(contacts.len() as f64, accounts.len() as f64)
}

/// stage_conversion.<stage>: of the rep's deals that entered an open stage in
/// period, the share that later (at any time the data knows) entered a later
/// stage other than a lost one.
fn stage_conversion(
    ix: &Index<'_>,
    rep: &RepId,
    w: &Window,
    put: &mut impl FnMut(MetricId, MetricValue),
) {
    let open: Vec<(&str, i64)> = ix
        .stage_names()
        .into_iter()
        .filter_map(|name| match ix.stage(name) {
            Some((pos, StageKind::Open)) => Some((name, pos)),
            _ => None,
        })
        .collect();
    // (entered, moved on) per open stage; each deal's changes in the
    // window are found once for every stage.
    let mut counts = vec![(0u32, 0u32); open.len()];
    for (changes, in_window) in ix.owned_stage_changes_in(rep, w) {
        if in_window.is_empty() {
            continue;
        }
        for (&(name, pos), (entered, moved_on)) in open.iter().zip(counts.iter_mut()) {
            let Some(later) = converted_among(ix, changes, in_window.clone(), name, pos) else {
                continue;
            };
            *entered += 1;
            if later {
                *moved_on += 1;
            }
        }
    }
    for ((name, _), (entered, moved_on)) in open.into_iter().zip(counts) {
        put(
            MetricId::stage_conversion(name),
            MetricValue::ratio(moved_on as f64, entered as f64),
        );
    }
}
