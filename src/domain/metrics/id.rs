//! Typed metric ids (SPEC §4): one variant per metric of the registry, plus
//! the per-stage conversion `stage_conversion.<stage name>`.
//!
//! The string form (`as_str`, `Display`, `FromStr`, serde) is the stable id
//! used in goals, config, JSON, CSV and tests; ids order like their strings,
//! so a `MetricSet` iterates exactly as the string-keyed map it replaced.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Borrow;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

/// Prefix of the per-stage conversion ids.
pub const STAGE_CONVERSION: &str = "stage_conversion";

macro_rules! metric_ids {
    ($($variant:ident => $name:literal,)*) => {
        /// A metric id. Registry metrics are unit variants; the per-stage
        /// conversion carries its stage.
        #[derive(Debug, Clone)]
        pub enum MetricId {
            $($variant,)*
            /// `stage_conversion.<stage name>` (AE, one per open stage).
            StageConversion(StageConversionId),
        }

        impl MetricId {
            /// Every registry id (the stage conversion aside), in no particular order.
            pub const FIXED: &'static [MetricId] = &[$(MetricId::$variant,)*];

            /// The stable string id.
            pub fn as_str(&self) -> &str {
                match self {
                    $(MetricId::$variant => $name,)*
                    MetricId::StageConversion(s) => &s.full,
                }
            }

            /// The string id of a registry id (`None` for a stage conversion).
            pub const fn static_str(&self) -> Option<&'static str> {
                match self {
                    $(MetricId::$variant => Some($name),)*
                    MetricId::StageConversion(_) => None,
                }
            }

            /// The id named `s`, if there is one (a stage conversion needs a
            /// non-empty stage name after `stage_conversion.`).
            pub fn parse(s: &str) -> Option<MetricId> {
                match s {
                    $($name => Some(MetricId::$variant),)*
                    _ => MetricId::stage_conversion_of(s),
                }
            }
        }
    };
}

metric_ids! {
    Meetings => "meetings",
    FirstMeetings => "first_meetings",
    FollowUpMeetings => "follow_up_meetings",
    Calls => "calls",
    Emails => "emails",
    OppsCreated => "opps_created",
    Progressions => "progressions",
    AccountsEngaged => "accounts_engaged",
    ContactsEngagedNew => "contacts_engaged_new",
    OpenOpps => "open_opps",
    PipelineValue => "pipeline_value",
    Won => "won",
    Lost => "lost",
    Closed => "closed",
    Bookings => "bookings",
    WinRate => "win_rate",
    CohortWinRate => "cohort_win_rate",
    AvgDealSize => "avg_deal_size",
    SalesCycleDays => "sales_cycle_days",
    OpenOppAgeDays => "open_opp_age_days",
    StageAgeDays => "stage_age_days",
    DaysBetweenTouches => "days_between_touches",
    MeetingsPerOpp => "meetings_per_opp",
    ContactsPerAccount => "contacts_per_account",
    FirstToFollowUp => "first_to_follow_up",
    UntouchedOpps => "untouched_opps",
    Discount => "discount",
    PipelineOver90d => "pipeline_over_90d",
    Velocity => "velocity",
    MeetingsSet => "meetings_set",
    PipelineCreated => "pipeline_created",
    ConnectedCalls => "connected_calls",
    TalkMinutes => "talk_minutes",
    ConnectRate => "connect_rate",
    ReplyRate => "reply_rate",
    ActivitiesPerAccount => "activities_per_account",
    AccountToMeeting => "account_to_meeting",
    SourcedWinRate => "sourced_win_rate",
    SourcedAvgDealSize => "sourced_avg_deal_size",
}

/// The stage of a per-stage conversion id; holds the whole string id so
/// that [`MetricId::as_str`] borrows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageConversionId {
    full: Box<str>,
}

impl StageConversionId {
    /// The stage's name.
    pub fn stage(&self) -> &str {
        &self.full[STAGE_CONVERSION.len() + 1..]
    }
}

impl MetricId {
    /// The conversion of the stage named `stage`.
    pub fn stage_conversion(stage: &str) -> MetricId {
        MetricId::StageConversion(StageConversionId {
            full: format!("{STAGE_CONVERSION}.{stage}").into_boxed_str(),
        })
    }

    /// `stage_conversion.<stage>` parsed, when `s` has that form.
    fn stage_conversion_of(s: &str) -> Option<MetricId> {
        let stage = s.strip_prefix(STAGE_CONVERSION)?.strip_prefix('.')?;
        (!stage.is_empty()).then(|| MetricId::StageConversion(StageConversionId { full: s.into() }))
    }

    /// The stage of a per-stage conversion id.
    pub fn stage(&self) -> Option<&str> {
        match self {
            MetricId::StageConversion(s) => Some(s.stage()),
            _ => None,
        }
    }
}

impl PartialEq for MetricId {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for MetricId {}

/// Ordered as the string ids are, so maps keyed by ids keep the order of
/// the string keys they replaced (JSON and CSV output unchanged).
impl Ord for MetricId {
    fn cmp(&self, other: &Self) -> Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl PartialOrd for MetricId {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Hash for MetricId {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

/// Lookups by string id in an id-keyed map (eq, ord and hash agree with `str`).
impl Borrow<str> for MetricId {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq<str> for MetricId {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for MetricId {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl fmt::Display for MetricId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An unknown metric id; its message lists the known ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownMetric(pub String);

impl fmt::Display for UnknownMetric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown metric {:?}; known: {}", self.0, known_ids())
    }
}

impl std::error::Error for UnknownMetric {}

/// The known ids, registry order (AE then SDR, each once), for messages.
pub fn known_ids() -> String {
    let mut seen: Vec<&str> = Vec::new();
    for d in super::AE_METRICS.iter().chain(super::SDR_METRICS) {
        let s = d.id.as_str();
        if !seen.contains(&s) {
            seen.push(s);
        }
    }
    seen.push("stage_conversion.<stage>");
    seen.join(", ")
}

impl FromStr for MetricId {
    type Err = UnknownMetric;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        MetricId::parse(s).ok_or_else(|| UnknownMetric(s.to_string()))
    }
}

impl Serialize for MetricId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for MetricId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_ids_round_trip() {
        for id in MetricId::FIXED {
            assert_eq!(id.as_str().parse::<MetricId>().as_ref(), Ok(id));
        }
        let sc: MetricId = "stage_conversion.Demo".parse().unwrap();
        assert_eq!(sc.stage(), Some("Demo"));
        assert_eq!(sc.to_string(), "stage_conversion.Demo");
        assert_eq!(sc, MetricId::stage_conversion("Demo"));
    }

    #[test]
    fn unknown_ids_are_errors_listing_the_known() {
        for bad in ["winrate", "", "stage_conversion", "stage_conversion."] {
            let e = bad.parse::<MetricId>().unwrap_err();
            assert!(
                e.to_string().contains("known: meetings, first_meetings"),
                "{e}"
            );
        }
    }

    #[test]
    fn serde_uses_the_string_id() {
        let j = serde_json::to_string(&MetricId::WinRate).unwrap();
        assert_eq!(j, "\"win_rate\"");
        let back: MetricId = serde_json::from_str("\"stage_conversion.Won\"").unwrap();
        assert_eq!(back.stage(), Some("Won"));
    }
}
