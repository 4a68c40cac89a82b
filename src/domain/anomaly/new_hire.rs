//! New hire off the band: a ramping rep whose quantity metrics in their
//! latest complete tenure week (weeks counted from the start date) are below
//! the 25th percentile of ramped reps of the same role at the same tenure
//! week. Needs at least 3 such ramped reps whose same tenure week lies
//! inside the data (on or after the first recorded activity).

use super::{Anomaly, Ctx, Kind, Severity, Verdict, say};
use crate::domain::baseline::{MIN_PEERS, percentile};
use crate::domain::metrics::{self, ramp_day};
use crate::domain::period::Period;
use chrono::Days;

/// Tenure week `w` (0-based) of a rep who started on `start`.
fn tenure_week(start: chrono::NaiveDate, w: i64) -> Period {
    let from = start + Days::new(7 * w as u64);
    Period {
        from,
        to: from + Days::new(7),
    }
}

pub(super) fn detect(cx: &Ctx<'_, '_>, p: Period) -> Vec<Anomaly> {
    let team = cx.team(p);
    let end = cx.judged_end(p);
    let judged = ramp_day(p, cx.today);
    let Some(data_start) = cx.ix.data.activities.iter().map(|a| a.occurred_at).min() else {
        return Vec::new();
    };
    let data_start = cx.ix.day(data_start);
    let mut out = Vec::new();
    for row in team.rows.iter().filter(|r| r.ramping) {
        let Some(start) = row.rep.start_date else {
            continue;
        };
        let complete = (end - start).num_days() / 7;
        if complete < 1 {
            continue;
        }
        let w = complete - 1;
        let mine = metrics::compute(cx.ix, &row.rep.id, row.rep.role, tenure_week(start, w));
        let peers: Vec<_> = cx
            .ix
            .data
            .reps
            .iter()
            .filter(|r| r.role == row.rep.role && r.id != row.rep.id)
            .filter(|r| !r.is_ramping_on(judged, cx.ramp_days) && metrics::active_in(r, p))
            .filter_map(|r| {
                let q = tenure_week(r.start_date?, w);
                (q.from >= data_start && q.to <= end)
                    .then(|| metrics::compute(cx.ix, &r.id, r.role, q))
            })
            .collect();
        if peers.len() < MIN_PEERS {
            continue;
        }
        for def in metrics::metrics_for(row.rep.role)
            .iter()
            .filter(|d| d.quantity)
        {
            let Some(v) = mine.get(def.id).and_then(|m| m.value) else {
                continue;
            };
            let vals: Vec<f64> = peers
                .iter()
                .filter_map(|m| m.get(def.id).and_then(|m| m.value))
                .collect();
            let Some(band) = percentile(&vals, cx.settings.new_hire_percentile) else {
                continue;
            };
            if v >= band {
                continue;
            }
            out.push(Anomaly {
                rep_id: row.rep.id.0.clone(),
                rep_name: row.rep.name.clone(),
                metric: def.id.to_string(),
                kind: Kind::NewHireOffBand,
                rule: Kind::NewHireOffBand,
                direction: Verdict::Bad,
                value: v,
                reference: band,
                gap: v - band,
                severity: Severity::of(v, band),
                sentence: format!(
                    "{} had {} {} in week {} since starting; three in four of the {} ramped {}s \
                     had at least {} in their week {}.",
                    row.rep.name,
                    say(def.unit, v),
                    def.label,
                    w + 1,
                    vals.len(),
                    row.rep.role,
                    say(def.unit, band),
                    w + 1
                ),
            });
        }
    }
    out
}
