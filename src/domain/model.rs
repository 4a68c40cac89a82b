//! The entities of a pipeline (SPEC §2). Plain values: no storage, no clock.

use super::money::Money;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Declares a string id newtype with `Display`, `From<&str>` and `as_str`.
macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub compact_str::CompactString);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                $name(s.into())
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                $name(s.into())
            }
        }
    };
}

id_type!(
    /// A rep's id (the source system's id, or a slug of the name where it has none).
    RepId
);
id_type!(
    /// An account's id.
    AccountId
);
id_type!(
    /// A contact's id.
    ContactId
);
id_type!(
    /// An opportunity's id: the source system's id.
    OppId
);
id_type!(
    /// An activity's id.
    ActivityId
);

/// Declares a closed set of snake_case names with `FromStr`, `as_str` and `ALL`.
macro_rules! name_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum $name {
            $(#[serde(rename = $text)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            /// The name as people read it on screen: words, not the stored
            /// snake_case (`best case`, `no answer`, `next step date`).
            pub fn label(self) -> String {
                self.as_str().replace('_', " ")
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                let t = s.trim();
                $(if t.eq_ignore_ascii_case($text) { return Ok($name::$variant); })+
                let all: Vec<&str> = vec![$($text),+];
                Err(format!("{t:?} is not one of {}", all.join(", ")))
            }
        }
    };
}

name_enum!(
    /// What a rep does, which decides the metrics that apply.
    Role { Ae => "AE", Sdr => "SDR", Csm => "CSM", Manager => "Manager" }
);
name_enum!(
    /// Where an opportunity stands.
    Status { Open => "open", Won => "won", Lost => "lost" }
);
name_enum!(
    /// The rep's forecast call on a deal.
    ForecastCategory {
        Pipeline => "pipeline",
        BestCase => "best_case",
        Commit => "commit",
        Omitted => "omitted",
        Closed => "closed",
    }
);
name_enum!(
    /// The kind of an activity.
    ActivityKind { Call => "call", Email => "email", Meeting => "meeting" }
);
name_enum!(
    /// First meeting or follow-up (demo and proposal are follow-ups with a label).
    MeetingType { First => "first", FollowUp => "follow_up" }
);
name_enum!(
    /// What came of an activity.
    Outcome {
        Connected => "connected",
        NoAnswer => "no_answer",
        Replied => "replied",
        Held => "held",
        NoShow => "no_show",
    }
);
name_enum!(
    /// Whether an activity was outbound (rep-initiated) or inbound.
    Direction { Outbound => "outbound", Inbound => "inbound" }
);
name_enum!(
    /// The fields whose changes opportunity history records.
    HistoryField {
        Stage => "stage",
        Amount => "amount",
        CloseDate => "close_date",
        ForecastCategory => "forecast_category",
        OwnerId => "owner_id",
        Status => "status",
        NextStep => "next_step",
        NextStepDate => "next_step_date",
    }
);
name_enum!(
    /// A stage's place in the pipeline.
    StageKind { Open => "open", Won => "won", Lost => "lost" }
);
name_enum!(
    /// The stuck-deal tag of the review: red (blocker identified), yellow
    /// (waiting on the customer), green (needs internal help).
    StuckTag { Red => "red", Yellow => "yellow", Green => "green" }
);
name_enum!(
    /// Which way is better for a metric or a goal.
    GoalDirection { AtLeast => "at_least", AtMost => "at_most" }
);
name_enum!(
    /// The length of a goal's period.
    PeriodKind { Week => "week", Month => "month", Quarter => "quarter" }
);

impl Status {
    pub fn is_closed(self) -> bool {
        self != Status::Open
    }
}

/// A member of the sales team.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rep {
    pub id: RepId,
    pub name: String,
    pub email: Option<String>,
    pub role: Role,
    pub team: Option<String>,
    pub manager_id: Option<RepId>,
    /// Start date, for ramp; `None` when unknown (treated as ramped).
    pub start_date: Option<NaiveDate>,
    /// Last day worked: inactive after this date (SPEC §2), active on it.
    pub end_date: Option<NaiveDate>,
    /// Quarterly bookings quota (AEs).
    pub quota_amount: Option<Money>,
    /// Quarterly meetings-set quota (SDRs).
    pub quota_meetings: Option<i64>,
}

impl Rep {
    /// An AE known only by id and name (an importer's owner without a user
    /// row): no email, team, manager, dates or quotas.
    pub fn ae(id: RepId, name: String) -> Rep {
        Rep {
            id,
            name,
            email: None,
            role: Role::Ae,
            team: None,
            manager_id: None,
            start_date: None,
            end_date: None,
            quota_amount: None,
            quota_meetings: None,
        }
    }

    /// Active on `day`: started (or start unknown) and not yet ended.
    pub fn is_active_on(&self, day: NaiveDate) -> bool {
        self.start_date.is_none_or(|s| s <= day) && self.end_date.is_none_or(|e| day <= e)
    }

    /// Ramping on `day`: within the first `ramp_days` after the start date.
    pub fn is_ramping_on(&self, day: NaiveDate, ramp_days: i64) -> bool {
        self.start_date
            .is_some_and(|s| s <= day && (day - s).num_days() < ramp_days)
    }
}

/// A customer account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Account {
    pub id: AccountId,
    pub name: String,
    pub segment: Option<String>,
    pub icp_tier: Option<String>,
    pub industry: Option<String>,
    pub employees: Option<i64>,
}

/// A person at an account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    pub id: ContactId,
    pub account_id: Option<AccountId>,
    pub name: String,
    pub title: Option<String>,
}

/// A deal, as it stands now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Opportunity {
    pub id: OppId,
    pub name: String,
    pub account_id: Option<AccountId>,
    pub owner_id: RepId,
    pub source_rep_id: Option<RepId>,
    /// `None` when unknown: such a deal counts in no period's `opps_created`.
    pub created_at: Option<DateTime<Utc>>,
    pub stage: String,
    /// `None` when unknown (never silently 0).
    pub amount: Option<Money>,
    /// The list price before any discount (SPEC §15); `None` when unknown.
    pub list_amount: Option<Money>,
    pub close_date: Option<NaiveDate>,
    pub forecast_category: Option<ForecastCategory>,
    pub status: Status,
    pub closed_at: Option<DateTime<Utc>>,
    pub loss_reason: Option<String>,
    pub next_step: Option<String>,
    pub next_step_date: Option<NaiveDate>,
    pub channel: Option<String>,
}

/// One change of one field of an opportunity. Append-only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub opportunity_id: OppId,
    pub changed_at: DateTime<Utc>,
    pub field: HistoryField,
    /// Canonical text: stage name, amount in cents, `YYYY-MM-DD`, category or status name, rep id.
    pub old_value: Option<compact_str::CompactString>,
    pub new_value: Option<compact_str::CompactString>,
    pub changed_by: Option<compact_str::CompactString>,
    pub review_session_id: Option<i64>,
}

impl HistoryEntry {
    /// The old and new values read as dates (`YYYY-MM-DD`: a close date's
    /// change); `None` for a value that is empty or not a date.
    pub fn dates(&self) -> (Option<NaiveDate>, Option<NaiveDate>) {
        let date = |v: &Option<compact_str::CompactString>| {
            v.as_deref()
                .and_then(|s| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok())
        };
        (date(&self.old_value), date(&self.new_value))
    }
}

impl HistoryField {
    /// A stored history value as people read it: an amount (stored in cents)
    /// in major units (`107,000`), anything else as stored; `—` when empty.
    pub fn display_value(self, v: Option<&str>) -> String {
        match (self, v) {
            (_, None) => "—".to_string(),
            (HistoryField::Amount, Some(c)) => c
                .parse::<i64>()
                .map_or_else(|_| c.to_string(), |c| Money(c).to_string()),
            (_, Some(v)) => v.to_string(),
        }
    }

    /// A stored history value for JSON: an amount as a number in major units
    /// (`107000.5`), anything else as its text; `null` when empty.
    pub fn json_value(self, v: Option<&str>) -> serde_json::Value {
        match (self, v) {
            (_, None) => serde_json::Value::Null,
            (HistoryField::Amount, Some(c)) => c.parse::<i64>().map_or_else(
                |_| serde_json::Value::String(c.to_string()),
                |c| serde_json::json!(Money(c).as_major_f64()),
            ),
            (_, Some(v)) => serde_json::Value::String(v.to_string()),
        }
    }
}

/// A call, email or meeting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    pub id: ActivityId,
    pub rep_id: RepId,
    pub kind: ActivityKind,
    pub meeting_type: Option<MeetingType>,
    pub label: Option<String>,
    pub opportunity_id: Option<OppId>,
    pub account_id: Option<AccountId>,
    pub contact_id: Option<ContactId>,
    pub occurred_at: DateTime<Utc>,
    pub outcome: Option<Outcome>,
    pub duration_min: Option<i64>,
    pub direction: Option<Direction>,
    pub review_session_id: Option<i64>,
}

/// A configured pipeline stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stage {
    pub name: String,
    /// Order in the pipeline, 0 first.
    pub position: i64,
    /// Win probability, 0.0–1.0, for the weighted forecast.
    pub probability: f64,
    /// Days a deal should sit in this stage at most; `None` for no limit.
    pub max_days: Option<i64>,
    pub kind: StageKind,
}

/// A target for a role's metric over a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Goal {
    pub role: Role,
    pub metric: String,
    pub period: PeriodKind,
    pub target: f64,
    pub direction: GoalDirection,
}

/// A rep's explanation why a flagged deal is fine, until a date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snooze {
    pub id: i64,
    pub opportunity_id: OppId,
    pub reason: String,
    /// Hidden from the to-do list up to and including the day before this date.
    pub until: NaiveDate,
    pub created_at: DateTime<Utc>,
    pub created_by: Option<String>,
    pub review_session_id: Option<i64>,
}

/// A stuck-deal tag set in a review. The latest tag of a deal is in force.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DealTag {
    pub opportunity_id: OppId,
    pub tag: StuckTag,
    pub note: Option<String>,
    pub set_at: DateTime<Utc>,
    pub review_session_id: Option<i64>,
}

/// A follow-up with an owner and a due date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionItem {
    pub id: i64,
    pub opportunity_id: Option<OppId>,
    pub owner_id: RepId,
    pub text: String,
    pub due_date: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub done_at: Option<DateTime<Utc>>,
    pub review_session_id: Option<i64>,
}

/// A pipeline review meeting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewSession {
    pub id: i64,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub facilitator: Option<String>,
    /// The closing report as Markdown, stored when the session ends.
    pub report_markdown: Option<String>,
}

/// A frozen copy of one open opportunity in a forecast snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnapshotRow {
    pub opportunity_id: OppId,
    pub owner_id: RepId,
    pub stage: String,
    pub amount: Option<Money>,
    pub close_date: Option<NaiveDate>,
    pub forecast_category: Option<ForecastCategory>,
}

/// Every open opportunity as it stood on a date. Never edited.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub taken_on: NaiveDate,
    pub taken_at: DateTime<Utc>,
    pub rows: Vec<SnapshotRow>,
}

/// A stored snapshot's date, without its rows: what the rules that pick a
/// snapshot among many read, so that a report reads the rows of the
/// snapshots it uses only (`app::load`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SnapshotHead {
    /// Its key in storage.
    pub id: i64,
    pub taken_on: NaiveDate,
    pub taken_at: DateTime<Utc>,
}

/// When a snapshot was taken: the one thing the picking rules read, the
/// same on a [`Snapshot`] and on its [`SnapshotHead`].
pub trait Taken {
    fn taken_on(&self) -> NaiveDate;
    fn taken_at(&self) -> DateTime<Utc>;
}

impl Taken for Snapshot {
    fn taken_on(&self) -> NaiveDate {
        self.taken_on
    }
    fn taken_at(&self) -> DateTime<Utc> {
        self.taken_at
    }
}

impl Taken for SnapshotHead {
    fn taken_on(&self) -> NaiveDate {
        self.taken_on
    }
    fn taken_at(&self) -> DateTime<Utc> {
        self.taken_at
    }
}

/// Everything a report needs, loaded once from storage in a few set-based queries.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Dataset {
    pub reps: Vec<Rep>,
    pub accounts: Vec<Account>,
    pub contacts: Vec<Contact>,
    pub opportunities: Vec<Opportunity>,
    /// Ordered by `changed_at`, then by insertion order.
    pub history: Vec<HistoryEntry>,
    /// Ordered by `occurred_at`, then id.
    pub activities: Vec<Activity>,
    /// Ordered by position.
    pub stages: Vec<Stage>,
    pub snoozes: Vec<Snooze>,
    pub tags: Vec<DealTag>,
    pub action_items: Vec<ActionItem>,
    /// Set when the dataset is a window of the database (storage's scoped
    /// load): what the rules read from all of history. `None`: the dataset
    /// holds everything, and these facts are read from it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lookback: Option<Lookback>,
    /// A CRM's "last activity" instant per deal, for exports that bring no
    /// activities (HubSpot, Pipedrive, mapped files): a last real touch for
    /// the untouched rule, never an activity (SPEC §6, §13).
    #[serde(default)]
    pub crm_last_touch: Vec<(OppId, DateTime<Utc>)>,
}

/// What a windowed dataset knows of the history outside its window.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Lookback {
    /// The first activity of the whole database.
    pub first_activity_at: Option<DateTime<Utc>>,
    /// For each rep and contact the rep touched in the window: the rep's
    /// first touch of that contact, ever.
    pub first_touch: Vec<(RepId, ContactId, DateTime<Utc>)>,
    /// Whether `first_touch` holds every rep and contact of the dataset's
    /// activities, each no later than any of their activities in it (read
    /// with them by the load): the first touches need not be looked for
    /// among the activities again.
    #[serde(default)]
    pub first_touch_whole: bool,
    /// In a window read for a last touch only (the review's): the instant
    /// of the latest activity before the window on each deal it holds that
    /// has one; the activity itself is not in the dataset.
    #[serde(default)]
    pub deal_touches: Vec<(OppId, DateTime<Utc>)>,
    /// The same on each account of those deals.
    #[serde(default)]
    pub account_touches: Vec<(AccountId, DateTime<Utc>)>,
    /// Set when the deals' history was read from an instant on (a report
    /// that rewinds them no further back, see [`HistorySince`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history_since: Option<HistorySince>,
}

/// A dataset that holds the deals' history from `at` on, and every entry
/// of a deal whose status changed from `at` on: all a rewind to an instant
/// at or after `at` reads (`domain::asof`), but for whether a deal has any
/// history at all, which `earlier` tells.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HistorySince {
    pub at: DateTime<Utc>,
    /// The deals with entries before `at`, held or not, by id.
    pub earlier: Vec<OppId>,
}

impl Dataset {
    /// The instant of the first activity recorded, in the whole database.
    pub fn first_activity_at(&self) -> Option<DateTime<Utc>> {
        match &self.lookback {
            Some(l) => l.first_activity_at,
            None => self.activities.iter().map(|a| a.occurred_at).min(),
        }
    }

    /// Touches of deals known without an activity row: a CRM's last
    /// activity instant (SPEC §13), and the latest activity before a window
    /// read for last touches only (`Lookback::deal_touches`).
    pub fn deal_touches_beside(&self) -> impl Iterator<Item = (&OppId, DateTime<Utc>)> {
        let before = self.lookback.iter().flat_map(|l| &l.deal_touches);
        self.crm_last_touch
            .iter()
            .chain(before)
            .map(|(o, t)| (o, *t))
    }

    /// Touches of accounts known without an activity row: the latest
    /// activity before a window read for last touches only.
    pub fn account_touches_beside(&self) -> impl Iterator<Item = (&AccountId, DateTime<Utc>)> {
        self.lookback
            .iter()
            .flat_map(|l| &l.account_touches)
            .map(|(a, t)| (a, *t))
    }

    /// Whether the database records any activity at all.
    pub fn has_activities(&self) -> bool {
        self.first_activity_at().is_some()
    }

    pub fn rep(&self, id: &RepId) -> Option<&Rep> {
        self.reps.iter().find(|r| &r.id == id)
    }

    /// One deal by id: a scan, for a single look-up. Code that looks up
    /// many takes [`Dataset::opportunities_by_id`] once.
    pub fn opportunity(&self, id: &OppId) -> Option<&Opportunity> {
        self.opportunities.iter().find(|o| &o.id == id)
    }

    /// Every deal by id, for many look-ups (a scan each was quadratic on a
    /// large org's hygiene list).
    pub fn opportunities_by_id(&self) -> std::collections::HashMap<&OppId, &Opportunity> {
        self.opportunities.iter().map(|o| (&o.id, o)).collect()
    }

    pub fn stage(&self, name: &str) -> Option<&Stage> {
        self.stages.iter().find(|s| s.name == name)
    }
}
