//! Per-rep and per-opportunity indexes over a dataset, built once per
//! computation so no metric ever scans all activities for each rep.

use crate::domain::model::{
    AccountId, Activity, ActivityKind, ContactId, Dataset, HistoryEntry, HistoryField, MeetingType,
    OppId, Opportunity, Outcome, RepId, Stage, StageKind, Status,
};
use crate::domain::money::Money;
use crate::domain::par;
use crate::domain::period::{Calendar, Period};
use chrono::{DateTime, NaiveDate, Utc};
use foldhash::{HashMap, HashMapExt};

/// A period read as instants: `[start, end)`.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub period: Period,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// Whether the metrics over it read activities: false for a period of
    /// which only the deal metrics are wanted ([`Index::deals_window`]),
    /// whose activities the load may not have read whole.
    pub activities: bool,
}

impl Window {
    pub fn contains(&self, t: DateTime<Utc>) -> bool {
        self.start <= t && t < self.end
    }
}

/// The dataset indexed by rep, opportunity, account and contact.
pub struct Index<'a> {
    pub data: &'a Dataset,
    pub cal: Calendar,
    pub stale_days: i64,
    /// "Today": point-in-time metrics of a period that ends later are read on
    /// this day, not on a day that has not happened. Unbounded unless set.
    pub today: chrono::NaiveDate,
    /// Position and kind of each configured stage.
    stages: HashMap<&'a str, (i64, StageKind)>,
    opp_by_id: HashMap<&'a OppId, &'a Opportunity>,
    contact_account: HashMap<&'a ContactId, &'a AccountId>,
    /// A rep's own activities, by time.
    acts_by_rep: ByRep<'a, Activity>,
    /// Every activity on an opportunity (any rep), by time.
    acts_by_opp: ByDeal<'a, Activity>,
    /// Times of every activity that touched an account (directly, or through its deal or contact).
    touches_by_account: Touches<'a>,
    opps_by_owner: ByRep<'a, Opportunity>,
    opps_by_source: ByRep<'a, Opportunity>,
    /// Stage history of an opportunity, by time.
    stage_history: StageChanges<'a>,
    /// Amount changes of each deal, by time.
    amount_history: ByDeal<'a, HistoryEntry>,
    /// When a rep first touched a contact, ever.
    first_touch: FirstTouches<'a>,
    /// A CRM's last activity instant of a deal (exports without activities).
    crm_touch: HashMap<&'a OppId, DateTime<Utc>>,
}

impl<'a> Index<'a> {
    /// Indexes `data`. Stages come from the dataset, or from `fallback_stages`
    /// (the configured ones) when the database holds none.
    pub fn new(
        data: &'a Dataset,
        cal: Calendar,
        stale_days: i64,
        fallback_stages: &'a [Stage],
    ) -> Index<'a> {
        let stage_list = if data.stages.is_empty() {
            fallback_stages
        } else {
            &data.stages
        };
        let stages = stage_list
            .iter()
            .map(|s| (s.name.as_str(), (s.position, s.kind)))
            .collect();
        let opp_by_id: HashMap<_, _> = data.opportunities.iter().map(|o| (&o.id, o)).collect();
        let contact_account: HashMap<_, _> = data
            .contacts
            .iter()
            .filter_map(|c| c.account_id.as_ref().map(|a| (&c.id, a)))
            .collect();
        // Four groups of maps, each built from the data alone: side by
        // side on a large window (a quarter's activities on a large org),
        // each map in the data's order whichever thread builds it. The
        // accounts' touches and the first touches are the two longest
        // (a lookup or two per activity each): they are built apart.
        let by_activity = || by_activity(data);
        let by_account = || by_account(data, &opp_by_id, &contact_account);
        let first_touches = || first_touches(data);
        let by_deal = || by_deal(data);
        let (((acts_by_rep, acts_by_opp), first_touch), (touches_by_account, by_deal)) =
            if data.activities.len() >= PARALLEL_ACTIVITIES {
                par::join(
                    || par::join(by_activity, first_touches),
                    || par::join(by_account, by_deal),
                )
            } else {
                ((by_activity(), first_touches()), (by_account(), by_deal()))
            };
        let (opps_by_owner, opps_by_source, stage_history, amount_history) = by_deal;
        Index {
            data,
            cal,
            today: chrono::NaiveDate::MAX,
            stale_days,
            stages,
            opp_by_id,
            contact_account,
            acts_by_rep,
            acts_by_opp,
            touches_by_account,
            opps_by_owner,
            opps_by_source,
            stage_history,
            amount_history,
            first_touch,
            // The metrics' scopes read the activity rows before their
            // windows, never last touches alone (`Lookback::deal_touches`
            // is empty here): a CRM's instant is the one touch beside them.
            crm_touch: data.crm_last_touch.iter().map(|(o, t)| (o, *t)).collect(),
        }
    }

    /// Sets "today" (see [`Index::today`]).
    pub fn with_today(mut self, today: chrono::NaiveDate) -> Self {
        self.today = today;
        self
    }

    /// The period as instants in the calendar's zone.
    pub fn window(&self, period: Period) -> Window {
        Window {
            period,
            start: self.cal.start_of(period.from),
            end: self.cal.start_of(period.to),
            activities: true,
        }
    }

    /// The period as instants, for its deal metrics alone: no activity is
    /// read over it (see [`super::compute_deals`]).
    pub fn deals_window(&self, period: Period) -> Window {
        Window {
            activities: false,
            ..self.window(period)
        }
    }

    /// The rep's own activities in the window, by time (none in a deals
    /// window).
    pub fn rep_activities(&self, rep: &RepId, w: &Window) -> &[&'a Activity] {
        match self.acts_by_rep.get(rep).filter(|_| w.activities) {
            Some(v) => {
                let lo = v.partition_point(|a| a.occurred_at < w.start);
                let hi = v.partition_point(|a| a.occurred_at < w.end);
                &v[lo..hi]
            }
            None => &[],
        }
    }

    /// Every activity ever logged on an opportunity, by time.
    pub fn opp_activities(&self, opp: &OppId) -> &[&'a Activity] {
        self.acts_by_opp.get(opp).map_or(&[], |v| v.as_slice())
    }

    /// The latest real touch (an activity on the deal or its account, or the
    /// CRM's last activity date of the deal) before `end`.
    pub fn last_touch_before(&self, o: &Opportunity, end: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let on_opp = self
            .opp_activities(&o.id)
            .iter()
            .map(|a| a.occurred_at)
            .take_while(|t| *t < end)
            .last();
        let on_account = o.account_id.as_ref().and_then(|acc| {
            let v = self.touches_by_account.get(acc)?;
            let i = v.partition_point(|t| *t < end);
            i.checked_sub(1).map(|i| v[i])
        });
        let from_crm = self.crm_touch.get(&o.id).copied().filter(|t| *t < end);
        on_opp.max(on_account).max(from_crm)
    }

    pub fn owned(&self, rep: &RepId) -> &[&'a Opportunity] {
        self.opps_by_owner.get(rep).map_or(&[], |v| v.as_slice())
    }

    pub fn sourced(&self, rep: &RepId) -> &[&'a Opportunity] {
        self.opps_by_source.get(rep).map_or(&[], |v| v.as_slice())
    }

    pub fn opportunity(&self, id: &OppId) -> Option<&'a Opportunity> {
        self.opp_by_id.get(id).copied()
    }

    /// Stage changes of an opportunity, by time.
    pub fn stage_changes(&self, opp: &OppId) -> &[&'a HistoryEntry] {
        self.stage_history.of(opp)
    }

    /// The stage changes (by time) of each deal the rep owns that changed
    /// stage in the window, with the range of those in it: found once per
    /// deal when the index is built, not looked up per deal in every
    /// period a report computes, and a deal whose first and last change
    /// lie on one side of the window is passed over unread.
    pub fn owned_stage_changes_in<'s>(
        &'s self,
        rep: &RepId,
        w: &'s Window,
    ) -> impl Iterator<Item = (&'s [&'a HistoryEntry], std::ops::Range<usize>)> + 's {
        let spans = self.stage_history.owned.get(rep).map_or(&[][..], |v| v);
        spans
            .iter()
            .filter(|s| s.first < w.end && s.last >= w.start)
            .map(|s| {
                let changes = self.stage_history.at((s.from, s.to));
                (changes, in_window(changes, w))
            })
    }

    /// Stage changes of an opportunity, by time, and the range of those in
    /// the window (two binary searches: asked once per deal and period).
    pub fn stage_changes_in(
        &self,
        opp: &OppId,
        w: &Window,
    ) -> (&[&'a HistoryEntry], std::ops::Range<usize>) {
        let changes = self.stage_changes(opp);
        (changes, in_window(changes, w))
    }

    /// A deal's amount at instant `end`: its amount less the changes its
    /// history records at or after `end` (the rule of `domain::asof`).
    pub fn amount_at(&self, o: &Opportunity, end: DateTime<Utc>) -> Option<Money> {
        let changes = self.amount_history.get(&o.id).map_or(&[][..], |v| v);
        let mut amount = o.amount;
        for h in changes.iter().rev().take_while(|h| h.changed_at >= end) {
            let old = h
                .old_value
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty());
            crate::domain::asof::undo_amount(&mut amount, old);
        }
        amount
    }

    /// Position and kind of a stage, if configured.
    pub fn stage(&self, name: &str) -> Option<(i64, StageKind)> {
        self.stages.get(name).copied()
    }

    /// The stages in pipeline order.
    pub fn stage_names(&self) -> Vec<&'a str> {
        let mut v: Vec<_> = self.stages.iter().map(|(n, p)| (p.0, *n)).collect();
        v.sort();
        v.into_iter().map(|(_, n)| n).collect()
    }

    /// The account an activity touched: its own, else its deal's, else its contact's.
    pub fn account_of(&self, a: &'a Activity) -> Option<&'a AccountId> {
        account_of(&self.opp_by_id, &self.contact_account, a)
    }

    /// When `rep` first touched `contact`, ever.
    pub fn first_touch(&self, rep: &'a RepId, contact: &'a ContactId) -> Option<DateTime<Utc>> {
        self.first_touch.get(&(rep, contact)).copied()
    }

    /// The local date of an instant.
    pub fn day(&self, t: DateTime<Utc>) -> NaiveDate {
        self.cal.local_date(t)
    }
}

/// The range of `changes` (by time) that lies in the window.
pub fn in_window(changes: &[&HistoryEntry], w: &Window) -> std::ops::Range<usize> {
    let lo = changes.partition_point(|h| h.changed_at < w.start);
    let hi = lo + changes[lo..].partition_point(|h| h.changed_at < w.end);
    lo..hi
}

/// Whether an opportunity was open at instant `end`: created before it (or
/// created at an unknown time) and not closed before it.
pub fn open_at(o: &Opportunity, end: DateTime<Utc>) -> bool {
    o.created_at.is_none_or(|c| c < end)
        && match o.status {
            Status::Open => true,
            Status::Won | Status::Lost => o.closed_at.is_some_and(|c| c >= end),
        }
}

/// Whether an opportunity closed with `status` inside the window (the
/// "closed in period" of won, lost, win rate, bookings and their kin).
pub fn closed_in(o: &Opportunity, status: Status, w: &Window) -> bool {
    o.status == status && o.closed_at.is_some_and(|c| w.contains(c))
}

/// A meeting that took place: outcome `held`, or no outcome recorded.
pub fn is_held_meeting(a: &Activity) -> bool {
    a.kind == ActivityKind::Meeting && matches!(a.outcome, None | Some(Outcome::Held))
}

/// A first meeting that took place.
pub fn is_first_meeting(a: &Activity) -> bool {
    is_held_meeting(a) && a.meeting_type == Some(MeetingType::First)
}

/// An email sent: outbound, or direction unknown.
pub fn is_sent_email(a: &Activity) -> bool {
    a.kind == ActivityKind::Email
        && matches!(a.direction, None | Some(crate::domain::Direction::Outbound))
}

/// A call made (any outcome).
pub fn is_call(a: &Activity) -> bool {
    a.kind == ActivityKind::Call
}

/// A call that connected.
pub fn is_connected_call(a: &Activity) -> bool {
    is_call(a) && a.outcome == Some(Outcome::Connected)
}

/// A sent email that got a reply.
pub fn is_replied_email(a: &Activity) -> bool {
    is_sent_email(a) && a.outcome == Some(Outcome::Replied)
}

/// A follow-up meeting that took place.
pub fn is_follow_up_meeting(a: &Activity) -> bool {
    is_held_meeting(a) && a.meeting_type == Some(MeetingType::FollowUp)
}

/// A held meeting linked to a deal (`meetings_per_opp`).
pub fn is_linked_held_meeting(a: &Activity) -> bool {
    is_held_meeting(a) && a.opportunity_id.is_some()
}

/// A first meeting booked, whatever its outcome (an SDR's `meetings_set`).
pub fn is_booked_first_meeting(a: &Activity) -> bool {
    a.kind == ActivityKind::Meeting && a.meeting_type == Some(MeetingType::First)
}

/// Whether an opportunity was created inside the window (unknown: never).
pub fn created_in(o: &Opportunity, w: &Window) -> bool {
    o.created_at.is_some_and(|c| w.contains(c))
}

/// From this many activities on, [`Index::new`] builds its maps on threads.
const PARALLEL_ACTIVITIES: usize = 50_000;

/// Records of each rep, by the rep.
type ByRep<'a, T> = HashMap<&'a RepId, Vec<&'a T>>;
/// Records of each deal, by the deal.
type ByDeal<'a, T> = HashMap<&'a OppId, Vec<&'a T>>;
/// The instants each account was touched.
type Touches<'a> = HashMap<&'a AccountId, Vec<DateTime<Utc>>>;
/// When each rep first touched each contact.
type FirstTouches<'a> = HashMap<(&'a RepId, &'a ContactId), DateTime<Utc>>;
/// Deals by id.
type OppsById<'a> = HashMap<&'a OppId, &'a Opportunity>;
/// Contacts' accounts.
type ContactAccounts<'a> = HashMap<&'a ContactId, &'a AccountId>;

/// The account an activity touched: its own, its deal's, or its contact's.
fn account_of<'a>(
    opps: &OppsById<'a>,
    contacts: &ContactAccounts<'a>,
    a: &'a Activity,
) -> Option<&'a AccountId> {
    a.account_id
        .as_ref()
        .or_else(|| {
            a.opportunity_id
                .as_ref()
                .and_then(|o| opps.get(o))
                .and_then(|o| o.account_id.as_ref())
        })
        .or_else(|| a.contact_id.as_ref().and_then(|c| contacts.get(c).copied()))
}

/// Each rep's activities and each deal's, by time.
fn by_activity(data: &Dataset) -> (ByRep<'_, Activity>, ByDeal<'_, Activity>) {
    let mut by_rep = ByRep::new();
    let mut by_opp = ByDeal::new();
    for a in &data.activities {
        by_rep.entry(&a.rep_id).or_default().push(a);
        if let Some(o) = &a.opportunity_id {
            by_opp.entry(o).or_default().push(a);
        }
    }
    for v in by_rep.values_mut().chain(by_opp.values_mut()) {
        v.sort_by_key(|a| a.occurred_at);
    }
    (by_rep, by_opp)
}

/// The instants each account was touched, in order.
fn by_account<'a>(
    data: &'a Dataset,
    opps: &OppsById<'a>,
    contacts: &ContactAccounts<'a>,
) -> Touches<'a> {
    let mut touches = Touches::new();
    for a in &data.activities {
        if let Some(acc) = account_of(opps, contacts, a) {
            touches.entry(acc).or_default().push(a.occurred_at);
        }
    }
    for v in touches.values_mut() {
        v.sort();
    }
    touches
}

/// When each rep first touched each contact (the window's, and the
/// look-back's).
fn first_touches(data: &Dataset) -> FirstTouches<'_> {
    // Sized for the look-back's pairs, the most it holds from a load.
    let pairs = data.lookback.as_ref().map_or(0, |l| l.first_touch.len());
    let mut first = FirstTouches::with_capacity(pairs);
    let mut keep = |key, at: DateTime<Utc>| {
        let e = first.entry(key).or_insert(at);
        if at < *e {
            *e = at;
        }
    };
    // A load's look-back holds every pair of its activities, each at its
    // first touch ever: no activity of the dataset is earlier.
    if !data.lookback.as_ref().is_some_and(|l| l.first_touch_whole) {
        for a in &data.activities {
            if let Some(c) = &a.contact_id {
                keep((&a.rep_id, c), a.occurred_at);
            }
        }
    }
    if let Some(l) = &data.lookback {
        for (rep, contact, at) in &l.first_touch {
            keep((rep, contact), *at);
        }
    }
    first
}

/// Deals by owner and by source, and each deal's stage and amount
/// changes, by time.
fn by_deal(
    data: &Dataset,
) -> (
    ByRep<'_, Opportunity>,
    ByRep<'_, Opportunity>,
    StageChanges<'_>,
    ByDeal<'_, HistoryEntry>,
) {
    let mut by_owner = ByRep::new();
    let mut by_source = ByRep::new();
    for o in &data.opportunities {
        by_owner.entry(&o.owner_id).or_default().push(o);
        if let Some(s) = &o.source_rep_id {
            by_source.entry(s).or_default().push(o);
        }
    }
    let mut stages = ByDeal::new();
    let mut amounts = ByDeal::new();
    for h in &data.history {
        let of = match h.field {
            HistoryField::Stage => &mut stages,
            HistoryField::Amount => &mut amounts,
            _ => continue,
        };
        of.entry(&h.opportunity_id).or_default().push(h);
    }
    for v in stages.values_mut().chain(amounts.values_mut()) {
        v.sort_by_key(|h| h.changed_at);
    }
    let stages = StageChanges::new(stages, &by_owner);
    (by_owner, by_source, stages, amounts)
}

/// Every deal's stage changes, by time, in one list: each deal's a span of
/// it, found by deal, and by owner for the deals that changed stage.
struct StageChanges<'a> {
    all: Vec<&'a HistoryEntry>,
    by_deal: HashMap<&'a OppId, (u32, u32)>,
    /// The spans of the deals each rep owns that changed stage.
    owned: HashMap<&'a RepId, Vec<OwnedSpan>>,
}

/// A deal's span of [`StageChanges::all`], with its first and last change.
struct OwnedSpan {
    from: u32,
    to: u32,
    first: DateTime<Utc>,
    last: DateTime<Utc>,
}

impl<'a> StageChanges<'a> {
    fn new(by_deal: ByDeal<'a, HistoryEntry>, by_owner: &ByRep<'a, Opportunity>) -> Self {
        let mut all = Vec::with_capacity(by_deal.values().map(Vec::len).sum());
        let by_deal: HashMap<_, _> = by_deal
            .into_iter()
            .map(|(id, changes)| {
                let from = all.len() as u32;
                all.extend(changes);
                (id, (from, all.len() as u32))
            })
            .collect();
        let owned = by_owner
            .iter()
            .map(|(rep, deals)| {
                let spans = deals
                    .iter()
                    .filter_map(|o| by_deal.get(&o.id))
                    .map(|&(from, to)| OwnedSpan {
                        from,
                        to,
                        first: all[from as usize].changed_at,
                        last: all[to as usize - 1].changed_at,
                    })
                    .collect();
                (*rep, spans)
            })
            .collect();
        StageChanges {
            all,
            by_deal,
            owned,
        }
    }

    fn at(&self, (from, to): (u32, u32)) -> &[&'a HistoryEntry] {
        &self.all[from as usize..to as usize]
    }

    fn of(&self, opp: &OppId) -> &[&'a HistoryEntry] {
        self.by_deal.get(opp).map_or(&[], |span| self.at(*span))
    }
}
