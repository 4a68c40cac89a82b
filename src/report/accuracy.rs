//! `pipedeck report accuracy`: how good past forecast calls were, per quarter,
//! for the team and per rep, with every weekly call of the team.

use super::{Column, Input, Report, Table, UNDEFINED};
use crate::domain::accuracy::{
    Accuracy, CallFacts, QuarterAccuracy, SnapshotCall, accuracy_of, calls_of,
};
use chrono::NaiveDate;
use serde::Serialize;

/// The accuracy report. JSON: `{as_of, currency, team: [quarter], reps: [quarter]}`;
/// each quarter has `key, label, quarter, quarter_label, actual, headline
/// {taken_on, call, error, flagged} | null, flagged, red_flag, band, calls`.
#[derive(Debug, Clone, Serialize)]
pub struct AccuracyReport {
    pub as_of: NaiveDate,
    pub currency: String,
    #[serde(flatten)]
    pub accuracy: Accuracy,
    /// First days of the quarters whose first-day call was rebuilt from
    /// history (no snapshot in their first 7 days).
    pub rebuilt_from_history: Vec<NaiveDate>,
}

impl AccuracyReport {
    /// Every closed quarter (ended on or before `input.today`) since the
    /// first deal was created, from the snapshots of `input`.
    pub fn build(input: &Input) -> AccuracyReport {
        AccuracyReport::build_with(input, calls_of(input.data, input.snapshots, input.cal))
    }

    /// Every closed quarter from the facts of the stored snapshots (`stored`,
    /// oldest first). A quarter with no snapshot in its first 7 days gets its
    /// first-day call rebuilt from history: the open pipeline as it stood
    /// at the end of its first day (`dataset_as_of_with_snapshots`), from
    /// every deal of `input` and its snapshots.
    pub fn build_with(input: &Input, mut stored: Vec<CallFacts>) -> AccuracyReport {
        let days: Vec<NaiveDate> = stored.iter().map(|s| s.taken_on).collect();
        let (extra, rebuilt) = rebuilt_quarter_starts(input, &days);
        stored.extend(calls_of(input.data, &extra, input.cal));
        AccuracyReport {
            as_of: input.today,
            currency: input.settings.currency.clone(),
            accuracy: accuracy_of(input.data, stored, input.cal, input.today),
            rebuilt_from_history: rebuilt,
        }
    }
}

/// A snapshot rebuilt on the first day of every closed quarter that has
/// none stored in its first 7 days (`days`: the stored snapshots' days), and
/// those days.
fn rebuilt_quarter_starts(
    input: &Input,
    days: &[NaiveDate],
) -> (Vec<crate::domain::Snapshot>, Vec<NaiveDate>) {
    let first = input
        .data
        .opportunities
        .iter()
        .filter_map(|o| o.created_at)
        .min()
        .map(|t| input.cal.local_date(t));
    let rebuilt = first.map_or_else(Vec::new, |first| {
        crate::domain::accuracy::quarters_to_rebuild(input.cal, first, days, input.today)
    });
    if rebuilt.is_empty() {
        return (Vec::new(), rebuilt);
    }
    let rewind = crate::domain::asof::Rewind::new(input.data, input.snapshots);
    // Each quarter start is rewound on its own: on every core.
    let snaps = crate::domain::par::map(&rebuilt, |&day| {
        let end = input.cal.end_of(day);
        let mut s = crate::domain::snapshot::snapshot_of(
            &rewind.open_at(end),
            input.cal,
            end - chrono::Duration::seconds(1),
        );
        s.taken_on = day;
        s
    });
    (snaps, rebuilt)
}

/// `+12.5%`, or `—` when undefined.
pub fn fmt_error(e: Option<f64>) -> String {
    e.map_or_else(|| UNDEFINED.to_string(), |e| format!("{:+.1}%", e * 100.0))
}

fn columns() -> Vec<Column> {
    vec![
        Column::left("quarter"),
        Column::left("who"),
        Column::left("snapshot"),
        Column::right("call"),
        Column::right("actual"),
        Column::right("error"),
        Column::left("flag"),
        Column::left("band"),
    ]
}

fn flag_word(flagged: bool, red: bool) -> &'static str {
    match (flagged, red) {
        (_, true) => "RED FLAG (2 quarters off >25%)",
        (true, false) => "off >25%",
        _ => "",
    }
}

fn headline_row(q: &QuarterAccuracy) -> Vec<String> {
    let h: Option<&SnapshotCall> = q.headline.as_ref();
    vec![
        q.quarter_label.clone(),
        q.label.clone(),
        h.map_or_else(|| "none in week 1".to_string(), |h| h.taken_on.to_string()),
        h.map_or_else(|| UNDEFINED.to_string(), |h| h.call.to_string()),
        q.actual.to_string(),
        fmt_error(h.and_then(|h| h.error)),
        flag_word(q.flagged, q.red_flag).to_string(),
        q.band.map_or(UNDEFINED, |b| b.as_str()).to_string(),
    ]
}

impl Report for AccuracyReport {
    fn tables(&self) -> Vec<Table> {
        let a = &self.accuracy;
        let mut team = Table::new(
            Some("Forecast accuracy: first-day-of-quarter call vs result (team)".to_string()),
            columns(),
        );
        team.rows.extend(a.team.iter().map(headline_row));
        team.notes.push(
            "error = (call − actual) ÷ actual; call = won to date + commit closing in the quarter."
                .to_string(),
        );
        if a.team.is_empty() {
            team.notes
                .push("No closed quarter has a forecast snapshot yet.".to_string());
        }
        let unknown: u64 = a.team.iter().map(|q| q.actual_without_amount).sum();
        if unknown > 0 {
            team.notes.push(format!(
                "{unknown} won deals have no amount and are not in the actuals."
            ));
        }
        if !self.rebuilt_from_history.is_empty() {
            let days: Vec<String> = self
                .rebuilt_from_history
                .iter()
                .map(|d| d.to_string())
                .collect();
            team.notes.push(format!(
                "No snapshot in the first week of the quarters starting {}: their first-day call is rebuilt from history.",
                days.join(", ")
            ));
        }
        let mut reps = Table::new(Some("Forecast accuracy by rep".to_string()), columns());
        reps.rows.extend(a.reps.iter().map(headline_row));
        let mut weekly = Table::new(Some("Every snapshot's call (team)".to_string()), columns());
        for q in &a.team {
            for c in &q.calls {
                weekly.rows.push(vec![
                    q.quarter_label.clone(),
                    q.label.clone(),
                    c.taken_on.to_string(),
                    c.call.to_string(),
                    q.actual.to_string(),
                    fmt_error(c.error),
                    flag_word(c.flagged, false).to_string(),
                    c.error
                        .map_or(UNDEFINED, |e| crate::domain::accuracy::Band::of(e).as_str())
                        .to_string(),
                ]);
            }
        }
        vec![team, reps, weekly]
    }
}
