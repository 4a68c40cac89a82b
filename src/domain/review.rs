//! The weekly pipeline review (SPEC §7): the agenda for the review day and
//! the window since the previous review, per AE in the configured order, in
//! the time-boxed order of a 30-minute review. The closing report of a
//! session is in [`closing`]. Pure: the CLI and the cockpit render the same
//! values.

pub mod closing;

use super::hygiene::{HygieneItem, hygiene};
use super::model::{
    ActionItem, Dataset, ForecastCategory, HistoryEntry, HistoryField, OppId, Opportunity, RepId,
    ReviewSession, Role, Stage, Status,
};
use super::money::Money;
use super::period::{Calendar, Period};
use super::settings::{ReviewOrder, Settings};
use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use foldhash::{HashMap, HashMapExt};
use serde::Serialize;

/// The sections of the review, in order, with their time box in minutes.
pub const TIME_BOXES: [(Section, u32); 5] = [
    (Section::Wins, 3),
    (Section::ClosingThisWeek, 10),
    (Section::Stuck, 10),
    (Section::NewAndChanged, 5),
    (Section::ActionItems, 2),
];

/// A section of the review agenda.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    /// Won and lost since the last review.
    Wins,
    /// Open deals whose close date is in the review week, commit first.
    ClosingThisWeek,
    /// The hygiene to-do list (stuck, stale, past-due deals) and what each needs.
    Stuck,
    /// New opportunities and amount, close-date and category changes since the last review.
    NewAndChanged,
    /// Open action items with owners.
    ActionItems,
}

impl Section {
    /// One word for a narrow list of the boxes.
    pub fn short(self) -> &'static str {
        match self {
            Section::Wins => "Wins",
            Section::ClosingThisWeek => "Closing",
            Section::Stuck => "Stuck",
            Section::NewAndChanged => "New",
            Section::ActionItems => "Items",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Section::Wins => "Closed since last review",
            Section::ClosingThisWeek => "Expected to close this week",
            Section::Stuck => "Hygiene: stuck and stale deals",
            Section::NewAndChanged => "New and changed",
            Section::ActionItems => "Action items",
        }
    }
}

/// One deal on the agenda.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DealLine {
    pub opportunity_id: OppId,
    pub name: String,
    pub stage: String,
    #[serde(serialize_with = "crate::domain::money::major::opt::serialize")]
    pub amount: Option<Money>,
    pub close_date: Option<NaiveDate>,
    pub forecast_category: Option<ForecastCategory>,
    pub status: Status,
    pub loss_reason: Option<String>,
}

impl DealLine {
    pub fn of(o: &Opportunity) -> DealLine {
        DealLine {
            opportunity_id: o.id.clone(),
            name: o.name.clone(),
            stage: o.stage.clone(),
            amount: o.amount,
            close_date: o.close_date,
            forecast_category: o.forecast_category,
            status: o.status,
            loss_reason: o.loss_reason.clone(),
        }
    }
}

/// One change from history since the last review. In JSON an amount's old
/// and new values are numbers in major units, like every amount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeLine {
    pub opportunity_id: OppId,
    pub name: String,
    pub field: HistoryField,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub changed_at: DateTime<Utc>,
}

impl Serialize for ChangeLine {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("ChangeLine", 6)?;
        st.serialize_field("opportunity_id", &self.opportunity_id)?;
        st.serialize_field("name", &self.name)?;
        st.serialize_field("field", &self.field)?;
        st.serialize_field(
            "old_value",
            &self.field.json_value(self.old_value.as_deref()),
        )?;
        st.serialize_field(
            "new_value",
            &self.field.json_value(self.new_value.as_deref()),
        )?;
        st.serialize_field("changed_at", &self.changed_at)?;
        st.end()
    }
}

/// One AE's part of the agenda.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RepAgenda {
    pub rep_id: RepId,
    pub name: String,
    /// Open pipeline (known amounts) and open deal count, for the order.
    #[serde(serialize_with = "crate::domain::money::major::serialize")]
    pub open_pipeline: Money,
    pub open_deals: usize,
    /// Open deals whose amount is unknown (not in `open_pipeline`).
    pub open_without_amount: usize,
    /// Closed in the window: won first, then lost; larger first.
    pub closed: Vec<DealLine>,
    /// Open, close date in the review week: commit first, then best case, …; larger first.
    pub closing_this_week: Vec<DealLine>,
    /// The rep's hygiene to-do list (snoozed deals left out, counted in `snoozed`).
    pub hygiene: Vec<HygieneItem>,
    pub snoozed: usize,
    /// Created in the window.
    pub new_opportunities: Vec<DealLine>,
    /// Amount, close-date and category changes in the window on deals still
    /// open (closed ones are under `closed`; first values of deals created in
    /// the window are their creation).
    pub changes: Vec<ChangeLine>,
}

/// The review agenda.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Agenda {
    /// The review day: today if it is the review weekday, else the next one.
    pub review_day: NaiveDate,
    /// The window "since last review": `[since, until)`.
    pub since: DateTime<Utc>,
    pub until: DateTime<Utc>,
    /// "the review of 2026-11-17" or "2026-11-17 (a week ago)".
    pub since_label: String,
    /// The local date of the previous review, when there is one.
    pub previous_review: Option<NaiveDate>,
    /// The week containing the review day.
    pub week: Period,
    pub time_boxes: Vec<(Section, u32)>,
    pub reps: Vec<RepAgenda>,
    /// Open action items, earliest due first (undated last).
    pub action_items: Vec<ActionItem>,
}

/// The review day on or after `today`.
pub fn review_day(settings: &Settings, today: NaiveDate) -> NaiveDate {
    let ahead = (7 + settings.review_weekday.num_days_from_monday()
        - today.weekday().num_days_from_monday())
        % 7;
    today + Days::new(ahead as u64)
}

/// The start of the window since the last review: the latest ended session's
/// start (sessions started after today ignored), else 7 days before today.
pub fn window_start(
    sessions: &[ReviewSession],
    cal: &Calendar,
    today: NaiveDate,
) -> (DateTime<Utc>, String) {
    let end = cal.end_of(today);
    sessions
        .iter()
        .filter(|s| s.ended_at.is_some() && s.started_at < end)
        .max_by_key(|s| s.started_at)
        .map(|s| {
            (
                s.started_at,
                format!("the review of {}", cal.local_date(s.started_at)),
            )
        })
        .unwrap_or_else(|| {
            // From the start of the day a week ago through today: said with
            // its date, as it is eight calendar days counting today.
            let from = today - Days::new(7);
            (cal.start_of(from), format!("{from} (a week ago)"))
        })
}

fn category_rank(c: Option<ForecastCategory>) -> u8 {
    match c {
        Some(ForecastCategory::Commit) => 0,
        Some(ForecastCategory::BestCase) => 1,
        Some(ForecastCategory::Pipeline) => 2,
        Some(ForecastCategory::Omitted) => 3,
        Some(ForecastCategory::Closed) => 4,
        None => 5,
    }
}

fn by_amount_desc(a: &DealLine, b: &DealLine) -> std::cmp::Ordering {
    b.amount
        .unwrap_or(Money(-1))
        .cmp(&a.amount.unwrap_or(Money(-1)))
        .then_with(|| a.opportunity_id.cmp(&b.opportunity_id))
}

/// Builds the agenda for the review on or after `today`.
pub fn agenda(
    data: &Dataset,
    stages: &[Stage],
    sessions: &[ReviewSession],
    settings: &Settings,
    cal: &Calendar,
    today: NaiveDate,
) -> Agenda {
    let items = hygiene(data, stages, settings, cal, today);
    agenda_with(data, sessions, settings, cal, today, &items)
}

/// The agenda of [`agenda`], from the hygiene list of the same day already
/// made (`items`, `hygiene`'s): a cockpit shows that list beside it.
pub fn agenda_with(
    data: &Dataset,
    sessions: &[ReviewSession],
    settings: &Settings,
    cal: &Calendar,
    today: NaiveDate,
    items: &[HygieneItem],
) -> Agenda {
    let day = review_day(settings, today);
    let (since, since_label) = window_start(sessions, cal, today);
    let has_previous = sessions
        .iter()
        .any(|s| s.ended_at.is_some() && s.started_at < cal.end_of(today));
    let until = cal.end_of(today);
    let in_window = |t: DateTime<Utc>| since <= t && t < until;
    let week = cal.week_containing(day);

    let mut owners: Vec<RepId> = data
        .reps
        .iter()
        .filter(|r| r.role == Role::Ae && r.is_active_on(today))
        .map(|r| r.id.clone())
        .collect();
    for o in &data.opportunities {
        let relevant = o.status == Status::Open || o.closed_at.is_some_and(&in_window);
        if relevant && !owners.contains(&o.owner_id) {
            owners.push(o.owner_id.clone());
        }
    }
    // One grouped pass over the deals, the window's changes and the hygiene
    // items, not one scan of each per owner.
    let mut deals_of: HashMap<&RepId, Vec<&Opportunity>> = HashMap::new();
    for o in &data.opportunities {
        deals_of.entry(&o.owner_id).or_default().push(o);
    }
    let by_id = data.opportunities_by_id();
    let mut changes_of: HashMap<&RepId, Vec<(&HistoryEntry, &Opportunity)>> = HashMap::new();
    for h in data.history.iter().filter(|h| {
        matches!(
            h.field,
            HistoryField::Amount | HistoryField::CloseDate | HistoryField::ForecastCategory
        ) && in_window(h.changed_at)
    }) {
        if let Some(o) = by_id.get(&h.opportunity_id)
            && o.status == Status::Open
        {
            changes_of.entry(&o.owner_id).or_default().push((h, o));
        }
    }
    let mut items_of: HashMap<&RepId, Vec<&HygieneItem>> = HashMap::new();
    for i in items {
        items_of.entry(&i.owner_id).or_default().push(i);
    }
    let mut reps: Vec<RepAgenda> = owners
        .into_iter()
        .map(|rep| {
            let mine: &[&Opportunity] = deals_of.get(&rep).map_or(&[], |v| v.as_slice());
            let open: Vec<&&Opportunity> =
                mine.iter().filter(|o| o.status == Status::Open).collect();
            let mut closed: Vec<DealLine> = mine
                .iter()
                .filter(|o| o.status.is_closed() && o.closed_at.is_some_and(&in_window))
                .map(|o| DealLine::of(o))
                .collect();
            closed.sort_by(|a, b| {
                (a.status != Status::Won)
                    .cmp(&(b.status != Status::Won))
                    .then_with(|| by_amount_desc(a, b))
            });
            let mut closing: Vec<DealLine> = open
                .iter()
                .filter(|o| o.close_date.is_some_and(|d| week.contains(d)))
                .map(|o| DealLine::of(o))
                .collect();
            closing.sort_by(|a, b| {
                category_rank(a.forecast_category)
                    .cmp(&category_rank(b.forecast_category))
                    .then_with(|| by_amount_desc(a, b))
            });
            let mut new_opportunities: Vec<DealLine> = mine
                .iter()
                .filter(|o| o.created_at.is_some_and(&in_window))
                .map(|o| DealLine::of(o))
                .collect();
            new_opportunities.sort_by(by_amount_desc);
            let changes = changes_of
                .get(&rep)
                .map_or(&[][..], |v| v.as_slice())
                .iter()
                .filter_map(|&(h, o)| {
                    // A first value on a deal created in the window is its creation, not a change.
                    if h.old_value.is_none() && o.created_at.is_some_and(&in_window) {
                        return None;
                    }
                    Some(ChangeLine {
                        opportunity_id: h.opportunity_id.clone(),
                        name: o.name.clone(),
                        field: h.field,
                        old_value: h.old_value.as_deref().map(str::to_string),
                        new_value: h.new_value.as_deref().map(str::to_string),
                        changed_at: h.changed_at,
                    })
                })
                .collect();
            let rep_items: &[&HygieneItem] = items_of.get(&rep).map_or(&[], |v| v.as_slice());
            RepAgenda {
                name: data
                    .rep(&rep)
                    .map_or_else(|| rep.0.to_string(), |r| r.name.clone()),
                open_pipeline: open.iter().filter_map(|o| o.amount).sum(),
                open_deals: open.len(),
                open_without_amount: open.iter().filter(|o| o.amount.is_none()).count(),
                closed,
                closing_this_week: closing,
                hygiene: rep_items
                    .iter()
                    .filter(|i| i.is_todo())
                    .map(|i| (*i).clone())
                    .collect(),
                snoozed: rep_items.iter().filter(|i| !i.is_todo()).count(),
                new_opportunities,
                changes,
                rep_id: rep,
            }
        })
        .collect();
    match settings.review_order {
        ReviewOrder::Pipeline => reps.sort_by(|a, b| {
            b.open_pipeline
                .cmp(&a.open_pipeline)
                .then_with(|| a.name.cmp(&b.name))
        }),
        ReviewOrder::Name => reps.sort_by(|a, b| a.name.cmp(&b.name)),
    }
    let mut action_items: Vec<ActionItem> = data
        .action_items
        .iter()
        .filter(|a| a.done_at.is_none())
        .cloned()
        .collect();
    action_items.sort_by_key(|a| (a.due_date.is_none(), a.due_date, a.id));
    Agenda {
        review_day: day,
        since,
        until,
        since_label,
        previous_review: has_previous.then(|| cal.local_date(since)),
        week,
        time_boxes: TIME_BOXES.to_vec(),
        reps,
        action_items,
    }
}
