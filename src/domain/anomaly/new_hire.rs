//! New hire off the band: a ramping rep whose quantity metrics over their
//! first `w` complete tenure weeks (7-day weeks from the start date, the
//! latest ending by the report period's end) are below the 25th percentile
//! of the other reps of the role over their own first `w` weeks — every rep
//! who has been through those weeks, even one still ramping later on. Needs
//! at least 3 such reps whose first weeks lie inside the data (starting on or
//! after the first recorded activity).

use super::{Anomaly, Ctx, Kind, Severity, Verdict, say};
use crate::domain::baseline::{MIN_PEERS, percentile};
use crate::domain::metrics;
use crate::domain::period::Period;
use chrono::Days;

/// The first `weeks` tenure weeks of a rep who started on `start`.
fn first_weeks(start: chrono::NaiveDate, weeks: i64) -> Period {
    Period {
        from: start,
        to: start + Days::new(7 * weeks as u64),
    }
}

/// The windows the rule reads for `p`, each of one rep's own work: for each
/// rep ramping at `p`, their first complete tenure weeks, and the same number
/// of first weeks of every other rep of the role (a superset of the peers
/// the rule keeps). The rule compares quantity metrics only, which count a
/// rep's own activities (and, for an SDR's meetings set, those on the deals
/// they sourced) and deals.
pub(super) fn windows(
    reps: &[crate::domain::model::Rep],
    ramp_days: i64,
    today: chrono::NaiveDate,
    p: Period,
) -> Vec<(crate::domain::model::RepId, Period)> {
    let end = super::judged_end(today, p);
    let day = metrics::ramp_day(p, today);
    let mut out = Vec::new();
    for rep in reps
        .iter()
        .filter(|r| metrics::active_in(r, p) && metrics::ramping_on(r, day, ramp_days))
    {
        let Some(start) = rep.start_date else {
            continue;
        };
        let w = (end - start).num_days() / 7;
        if w < 1 {
            continue;
        }
        out.push((rep.id.clone(), first_weeks(start, w)));
        for peer in reps.iter().filter(|r| r.role == rep.role && r.id != rep.id) {
            if let Some(s) = peer.start_date {
                let q = first_weeks(s, w);
                if q.to <= end {
                    out.push((peer.id.clone(), q));
                }
            }
        }
    }
    out.sort_by(|a, b| (&a.0, a.1.from, a.1.to).cmp(&(&b.0, b.1.from, b.1.to)));
    out.dedup();
    out
}

pub(super) fn detect(cx: &Ctx<'_, '_>, p: Period) -> Vec<Anomaly> {
    let team = cx.team(p);
    let end = cx.judged_end(p);
    let Some(data_start) = cx.ix.data.first_activity_at() else {
        return Vec::new();
    };
    let data_start = cx.ix.day(data_start);
    // Each ramping rep with their weeks and their peers' windows.
    let mut judged = Vec::new();
    for row in team.rows.iter().filter(|r| r.ramping) {
        let Some(start) = row.rep.start_date else {
            continue;
        };
        let w = (end - start).num_days() / 7;
        if w < 1 {
            continue;
        }
        let windows: Vec<_> = cx
            .ix
            .data
            .reps
            .iter()
            .filter(|r| r.role == row.rep.role && r.id != row.rep.id)
            .filter(|r| metrics::active_in(r, p))
            .filter_map(|r| {
                let q = first_weeks(r.start_date?, w);
                (q.from >= data_start && q.to <= end).then_some((r, q))
            })
            .collect();
        // Fewer peers than the band needs: nothing to compute.
        if windows.len() >= MIN_PEERS {
            judged.push((row, first_weeks(start, w), w, windows));
        }
    }
    // Reps hired together share their weeks, and so their peers' windows:
    // each rep's window is computed once.
    let mut todo: Vec<(&crate::domain::model::Rep, Period)> = judged
        .iter()
        .flat_map(|(row, own, _, windows)| {
            std::iter::once((row.rep, *own)).chain(windows.iter().copied())
        })
        .collect();
    todo.sort_by(|a, b| (&a.0.id, a.1.from, a.1.to).cmp(&(&b.0.id, b.1.from, b.1.to)));
    todo.dedup_by(|a, b| a.0.id == b.0.id && a.1 == b.1);
    let computed = crate::domain::par::map(&todo, |(r, q)| {
        metrics::compute_quantity(cx.ix, &r.id, r.role, *q)
    });
    let of = |r: &crate::domain::model::Rep, q: Period| {
        let i = todo
            .binary_search_by(|(t, tq)| (&t.id, tq.from, tq.to).cmp(&(&r.id, q.from, q.to)))
            .expect("every window judged is computed");
        &computed[i]
    };
    let mut out = Vec::new();
    for (row, own, w, windows) in judged {
        let mine = of(row.rep, own);
        let peers: Vec<_> = windows.iter().map(|(r, q)| of(r, *q)).collect();
        for def in metrics::metrics_for(row.rep.role)
            .iter()
            .filter(|d| d.quantity)
        {
            let Some(v) = mine.get(&def.id).and_then(|m| m.value) else {
                continue;
            };
            let vals: Vec<f64> = peers
                .iter()
                .filter_map(|m| m.get(&def.id).and_then(|m| m.value))
                .collect();
            let Some(band) = percentile(&vals, cx.settings.new_hire_percentile) else {
                continue;
            };
            if v >= band {
                continue;
            }
            out.push(Anomaly {
                rep_id: row.rep.id.0.to_string(),
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
                    "{} had {} {} in their first {w} weeks; the {:.0}th percentile of the {} other \
                     {}s over their own first {w} weeks is {}.",
                    row.rep.name,
                    say(def.unit, v),
                    def.label,
                    cx.settings.new_hire_percentile * 100.0,
                    vals.len(),
                    row.rep.role,
                    say(def.unit, band)
                ),
            });
        }
    }
    out
}
