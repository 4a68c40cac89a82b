//! Off their own history: over the last `history_periods` periods (default
//! 3, ending with the report period) the rep's metric moved strictly
//! monotonically in the bad direction, by a total of at least 30 % of the
//! first value, while the team baseline stayed within ±10 % of its first
//! value. The good-direction mirror is a positive outlier; metrics with no
//! better direction are not judged.

use super::{Anomaly, Ctx, Kind, Severity, Verdict, previous, say};
use crate::domain::metrics::{self, Better};
use crate::domain::period::Period;

pub(super) fn detect(cx: &Ctx<'_, '_>, p: Period) -> Vec<Anomaly> {
    let s = cx.settings;
    let n = s.history_periods.max(2);
    let periods: Vec<Period> = (0..n).rev().map(|i| previous(&cx.cal, p, i)).collect();
    let teams: Vec<_> = periods.iter().map(|q| cx.team(*q)).collect();
    let Some(now) = teams.last() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for row in now.rows.iter().filter(|r| !r.ramping) {
        for id in row.metrics.keys() {
            let Some(def) = metrics::find(row.rep.role, id) else {
                continue;
            };
            if def.better == Better::Neither {
                continue;
            }
            let mut values = Vec::new();
            let mut baselines = Vec::new();
            for t in &teams {
                let Some(r) = t.row(&row.rep.id).filter(|r| !r.ramping) else {
                    break;
                };
                let (Some(v), Some(b)) = (
                    r.metrics.get(id).and_then(|v| v.value),
                    t.baseline(r, id).map(|b| b.median),
                ) else {
                    break;
                };
                values.push(v);
                baselines.push(b);
            }
            if values.len() != n as usize {
                continue;
            }
            let (first, last) = (values[0], values[values.len() - 1]);
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
            let team_now = baselines[baselines.len() - 1];
            out.push(Anomaly {
                rep_id: row.rep.id.0.clone(),
                rep_name: row.rep.name.clone(),
                metric: id.clone(),
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
                    "{}'s {} went {} over the last {n} periods while the team held at {}.",
                    row.rep.name,
                    def.label,
                    path.join(" → "),
                    say(def.unit, team_now)
                ),
            });
        }
    }
    out
}
