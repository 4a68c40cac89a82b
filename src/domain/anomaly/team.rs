//! Off the team: |value − median| > m × 1.4826 × MAD of the peers (or > 0
//! when the MAD is 0) and ≥ 25 % of |median|. Ratios and means need a
//! denominator of at least `min_sample`; shares are flagged only when the
//! baseline lies outside the Wilson interval (90 %) of the rep's num/den.
//! The good-direction side is reported as a positive outlier.

use super::{Anomaly, Ctx, Kind, Severity, Verdict, say, verdict};
use crate::domain::baseline::{mad, median, wilson, z_for};
use crate::domain::metrics::{self, Better, MetricDef, MetricId, MetricValue, Unit};
use crate::domain::period::Period;
use chrono::NaiveDate;

/// Scale that makes the MAD a consistent estimator of a normal σ.
pub const MAD_SCALE: f64 = 1.4826;

/// Whether `v` is off the peers' values by the MAD rule and the relative floor.
pub fn off_by_mad(v: f64, peers: &[f64], multiplier: f64, min_relative_gap: f64) -> bool {
    let (Some(m), Some(d)) = (median(peers), mad(peers)) else {
        return false;
    };
    let gap = (v - m).abs();
    let robust = if d == 0.0 {
        gap > 0.0
    } else {
        gap > multiplier * MAD_SCALE * d
    };
    robust && gap >= min_relative_gap * m.abs()
}

/// Whether the sample behind a value is large enough to judge it against
/// `reference`:
/// - counts and minutes: the larger of value and reference is at least
///   `min_sample` (3 against 1 is noise, 7 against 16 is not); money: the
///   count of deals behind it (`behind`) is, when known;
/// - ratios and means: den ≥ `min_sample`; for ratios of different things
///   also the larger of num and reference × den (the expected num);
/// - shares: den ≥ `min_sample` and `reference` outside the Wilson interval
///   of num/den.
pub fn sample_allows(
    def: &MetricDef,
    v: &MetricValue,
    reference: f64,
    behind: Option<f64>,
    min_sample: u64,
    z: f64,
) -> bool {
    let min = min_sample as f64;
    match def.unit {
        Unit::Count | Unit::Minutes => v.value.is_some_and(|x| x.max(reference) >= min),
        Unit::Money | Unit::MoneyPerDay => behind.is_none_or(|n| n >= min),
        // Money shares: the deals behind the sums.
        Unit::MoneyShare => v.deals.is_some_and(|n| n as f64 >= min),
        Unit::Share | Unit::Ratio | Unit::Days | Unit::MeanMoney => {
            let (Some(num), Some(den)) = (v.num, v.den) else {
                return false;
            };
            if den < min {
                return false;
            }
            match def.unit {
                Unit::Share => {
                    wilson(num, den, z).is_some_and(|(lo, hi)| reference < lo || reference > hi)
                }
                Unit::Ratio => num.max(reference * den) >= min,
                _ => true,
            }
        }
    }
}

/// The count of deals behind a money metric, for its sample size.
pub fn count_behind(metrics: &crate::domain::metrics::MetricSet, id: &MetricId) -> Option<f64> {
    let behind = match id {
        MetricId::Bookings => MetricId::Won,
        MetricId::PipelineValue => MetricId::OpenOpps,
        // Velocity rests on the deals won (win rate, deal size, cycle).
        MetricId::Velocity => MetricId::Won,
        _ => return None,
    };
    metrics.get(&behind).and_then(|v| v.value)
}

/// With too few peers for a baseline (two), a count at least twice the
/// peers' median — and at least `min_sample` — is still a positive outlier
/// (SPEC §5's "twice the accounts engaged of their peers").
fn twice_the_peers(
    row: &crate::domain::baseline::RepRow<'_>,
    id: &str,
    def: &MetricDef,
    v: f64,
    peers: &[f64],
    (from, last): (NaiveDate, NaiveDate),
    min_sample: u64,
) -> Option<Anomaly> {
    let m = median(peers)?;
    let counts = matches!(def.unit, Unit::Count | Unit::Minutes);
    if peers.len() < 2 || !counts || def.better != Better::Higher || m <= 0.0 {
        return None;
    }
    if v < 2.0 * m || v < min_sample as f64 {
        return None;
    }
    let each: Vec<String> = peers.iter().map(|x| say(def.unit, *x)).collect();
    Some(Anomaly {
        rep_id: row.rep.id.0.to_string(),
        rep_name: row.rep.name.clone(),
        metric: id.to_string(),
        kind: Kind::PositiveOutlier,
        rule: Kind::PositiveOutlier,
        direction: Verdict::Good,
        value: v,
        reference: m,
        gap: v - m,
        severity: Severity::of(v, m),
        sentence: format!(
            "{} had {} {} from {} to {}, at least twice the other {}s ({}).",
            row.rep.name,
            say(def.unit, v),
            def.label,
            from,
            last,
            row.rep.role,
            each.join(", ")
        ),
    })
}

pub(super) fn detect(cx: &Ctx<'_, '_>, p: Period) -> Vec<Anomaly> {
    let team = cx.team(p);
    let s = cx.settings;
    let z = z_for(s.wilson_confidence);
    let mut out = Vec::new();
    // The days judged: a period not over yet is judged up to today, and
    // its sentences name no day to come.
    let days = (p.from, p.last_day().min(cx.today));
    for row in team.rows.iter().filter(|r| !r.ramping) {
        for (id, mv) in row.metrics.iter().filter(|(id, _)| cx.judges(id)) {
            let (Some(def), Some(v)) = (metrics::lookup(row.rep.role, id), mv.value) else {
                continue;
            };
            let peers = team.peer_values(row, id.as_str());
            if peers.len() < crate::domain::baseline::MIN_PEERS {
                out.extend(twice_the_peers(
                    row,
                    id.as_str(),
                    &def,
                    v,
                    &peers,
                    days,
                    s.min_sample,
                ));
                continue;
            }
            let Some(m) = median(&peers) else { continue };
            if !off_by_mad(v, &peers, s.mad_multiplier, s.min_relative_gap)
                || !sample_allows(&def, mv, m, count_behind(&row.metrics, id), s.min_sample, z)
            {
                continue;
            }
            let direction = verdict(&def, v, m);
            let sample = match (def.unit, mv.num, mv.den) {
                (Unit::Share | Unit::Ratio, Some(n), Some(d)) => format!(" ({n}/{d})"),
                _ => String::new(),
            };
            out.push(Anomaly {
                rep_id: row.rep.id.0.to_string(),
                rep_name: row.rep.name.clone(),
                metric: id.to_string(),
                kind: if direction == Verdict::Good {
                    Kind::PositiveOutlier
                } else {
                    Kind::OffTeam
                },
                rule: Kind::OffTeam,
                direction,
                value: v,
                reference: m,
                gap: v - m,
                severity: Severity::of(v, m),
                sentence: format!(
                    "{} from {} to {}; the other {} {}s' median is {}.",
                    if matches!(def.unit, Unit::Count | Unit::Money | Unit::Minutes) {
                        format!("{} had {} {}", row.rep.name, say(def.unit, v), def.label)
                    } else {
                        format!(
                            "{}'s {} was {}{sample}",
                            row.rep.name,
                            def.label,
                            say(def.unit, v)
                        )
                    },
                    days.0,
                    days.1,
                    peers.len(),
                    row.rep.role,
                    say(def.unit, m)
                ),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::Kind;
    use super::super::tests::{many, run};
    use crate::domain::metrics::tests::{d, rep};
    use crate::domain::model::{Dataset, Role};
    use crate::domain::period::Period;
    use crate::domain::settings::Settings;

    #[test]
    fn a_week_not_over_is_named_up_to_today() {
        // This week, 11-23..11-30, judged on Tuesday 11-24: the counts of
        // `off_the_team_by_the_mad_rule`, logged on Monday (eve's 4 against
        // the others' median of 11.5). The sentence ends on today, not on
        // a Sunday still to come.
        let team = [
            ("ann", 10),
            ("bea", 11),
            ("cal", 12),
            ("dov", 13),
            ("eve", 4),
        ];
        let mut activities = Vec::new();
        for (r, n) in team {
            many(&mut activities, r, "meeting/first/held", "2026-11-23", n);
        }
        activities.sort_by_key(|a| a.occurred_at);
        let data = Dataset {
            reps: team
                .iter()
                .map(|(r, _)| rep(r, Role::Ae, Some("2024-01-01"), None))
                .collect(),
            activities,
            stages: Settings::default().stage_list(),
            ..Dataset::default()
        };
        let this_week = Period {
            from: d("2026-11-23"),
            to: d("2026-11-30"),
        };
        let found = run(&data, &[], this_week);
        let eve: Vec<&str> = found
            .iter()
            .filter(|a| a.kind == Kind::OffTeam && a.metric == "meetings")
            .map(|a| a.sentence.as_str())
            .collect();
        assert_eq!(
            eve,
            [
                "EVE had 4 meetings held from 2026-11-23 to 2026-11-24; the other 4 AEs' median is 11.5."
            ]
        );
    }
}
