//! Off their own history: over the last `history_periods` periods (default
//! 3) the rep's metric moved strictly monotonically in the bad direction, by
//! a total of at least 30 % of the first value, while the team baseline
//! stayed within ±10 % of its first value (for shares such as win rates, the
//! team is the peers' pooled rate Σnum ÷ Σden rather than the median of
//! their small-sample rates). The good-direction mirror is a
//! positive outlier; metrics with no better direction are not judged.
//!
//! The series are the report period and the periods before it (same kind);
//! when the report period is a week, the last complete months ending by it
//! are judged too, since weekly win rates are mostly noise. Samples: a count
//! needs its larger end value ≥ `min_sample`, money the most deals behind it
//! (won for bookings, open for pipeline); a ratio or mean needs
//! den ≥ `min_sample` in every period.

use super::{Anomaly, Ctx, Kind, Severity, Verdict, judged_end, kind_of, kind_word, previous, say};
use crate::domain::metrics::{self, Better, Unit};
use crate::domain::model::PeriodKind;
use crate::domain::period::Period;
use chrono::Days;

pub(super) fn detect(cx: &Ctx<'_, '_>, p: Period) -> Vec<Anomaly> {
    let series = series(&cx.cal, cx.settings, cx.today, p);
    let mut out: Vec<Anomaly> = Vec::new();
    for (periods, word) in series {
        for a in judge(cx, &periods, word) {
            if !out
                .iter()
                .any(|b| b.rep_id == a.rep_id && b.metric == a.metric)
            {
                out.push(a);
            }
        }
    }
    out
}

/// The runs of periods the rule reads for `p`, each with its word: the
/// last `n` periods of `p`'s kind, and for a week also the last `n` complete months.
pub(super) fn series(
    cal: &crate::domain::period::Calendar,
    settings: &crate::domain::settings::AnomalySettings,
    today: chrono::NaiveDate,
    p: Period,
) -> Vec<(Vec<Period>, &'static str)> {
    let n = settings.history_periods.max(2);
    let mut series: Vec<(Vec<Period>, &'static str)> = Vec::new();
    let kind = kind_of(cal, p);
    series.push((
        (0..n).rev().map(|i| previous(cal, p, i)).collect(),
        kind.map_or("periods", plural),
    ));
    if kind == Some(PeriodKind::Week) {
        let end = judged_end(today, p);
        let mut last = cal.month_containing(end - Days::new(1));
        if last.to > end {
            last = cal.shift(PeriodKind::Month, last, -1);
        }
        series.push((
            (0..n)
                .rev()
                .map(|i| cal.shift(PeriodKind::Month, last, -(i as i32)))
                .collect(),
            "months",
        ));
    }
    series
}

fn plural(k: PeriodKind) -> &'static str {
    match kind_word(k) {
        "week" => "weeks",
        "month" => "months",
        _ => "quarters",
    }
}

fn judge(cx: &Ctx<'_, '_>, periods: &[Period], word: &str) -> Vec<Anomaly> {
    let s = cx.settings;
    let min = s.min_sample as f64;
    let teams: Vec<_> = periods.iter().map(|q| cx.team(*q)).collect();
    let Some(now) = teams.last() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for row in now.rows.iter().filter(|r| !r.ramping) {
        for id in row.metrics.keys().filter(|id| cx.judges(id)) {
            let Some(def) = metrics::lookup(row.rep.role, id) else {
                continue;
            };
            if def.better == Better::Neither {
                continue;
            }
            let mut values = Vec::new();
            let mut baselines = Vec::new();
            let mut behind = Vec::new();
            for t in &teams {
                let Some(r) = t.row(&row.rep.id).filter(|r| !r.ramping) else {
                    break;
                };
                let Some(mv) = r.metrics.get(id) else { break };
                if def.unit.has_den() && mv.sample(def.unit).is_none_or(|d| d < min) {
                    break;
                }
                // Shares: the peers' pooled rate (medians of small-sample rates jitter).
                let team = if def.unit == Unit::Share {
                    t.pooled(r, id.as_str())
                } else {
                    t.baseline(r, id.as_str()).map(|b| b.median)
                };
                let (Some(v), Some(b)) = (mv.value, team) else {
                    break;
                };
                values.push(v);
                baselines.push(b);
                behind.extend(super::team::count_behind(&r.metrics, id));
            }
            if values.len() != periods.len() {
                continue;
            }
            let (first, last) = (values[0], values[values.len() - 1]);
            if matches!(def.unit, Unit::Count | Unit::Minutes) && first.max(last) < min {
                continue;
            }
            // Money: the most deals behind it in any period, as for counts.
            if matches!(def.unit, Unit::Money | Unit::MoneyPerDay)
                && behind.iter().copied().fold(0.0, f64::max) < min
            {
                continue;
            }
            let falling = values.windows(2).all(|w| w[1] < w[0]);
            let rising = values.windows(2).all(|w| w[1] > w[0]);
            if !(falling || rising) || first == 0.0 {
                continue;
            }
            if (last - first).abs() < s.history_min_move * first.abs() {
                continue;
            }
            let b0 = baselines[0];
            if baselines
                .iter()
                .any(|b| (b - b0).abs() > s.history_team_band * b0.abs())
            {
                continue;
            }
            let good = (rising && def.better == Better::Higher)
                || (falling && def.better == Better::Lower);
            let path: Vec<String> = values.iter().map(|v| say(def.unit, *v)).collect();
            let team: Vec<String> = baselines.iter().map(|v| say(def.unit, *v)).collect();
            out.push(Anomaly {
                rep_id: row.rep.id.0.to_string(),
                rep_name: row.rep.name.clone(),
                metric: id.to_string(),
                kind: if good {
                    Kind::PositiveOutlier
                } else {
                    Kind::OffHistory
                },
                rule: Kind::OffHistory,
                direction: if good { Verdict::Good } else { Verdict::Bad },
                value: last,
                reference: first,
                gap: last - first,
                severity: Severity::of(last, first),
                sentence: format!(
                    "{}'s {} went {} over the last {} {word} while the team held at {}.",
                    row.rep.name,
                    def.label,
                    path.join(" → "),
                    periods.len(),
                    team.join(", ")
                ),
            });
        }
    }
    out
}
