//! Off the team: |value − median| > m × 1.4826 × MAD of the peers (or > 0
//! when the MAD is 0) and ≥ 25 % of |median|. Ratios and means need a
//! denominator of at least `min_sample`; shares are flagged only when the
//! baseline lies outside the Wilson interval (90 %) of the rep's num/den.
//! The good-direction side is reported as a positive outlier.

use super::{Anomaly, Ctx, Kind, Severity, Verdict, say, verdict};
use crate::domain::baseline::{mad, median, wilson, z_for};
use crate::domain::metrics::{self, MetricDef, MetricValue, Unit};
use crate::domain::period::Period;

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

/// Whether the sample of a value is large enough and, for shares, whether
/// `reference` lies outside the Wilson interval of num/den.
pub fn sample_allows(
    def: &MetricDef,
    v: &MetricValue,
    reference: f64,
    min_sample: u64,
    z: f64,
) -> bool {
    if !def.unit.has_den() {
        return true;
    }
    let (Some(num), Some(den)) = (v.num, v.den) else {
        return false;
    };
    if den < min_sample as f64 {
        return false;
    }
    if def.unit == Unit::Share {
        return wilson(num, den, z).is_some_and(|(lo, hi)| reference < lo || reference > hi);
    }
    true
}

pub(super) fn detect(cx: &Ctx<'_, '_>, p: Period) -> Vec<Anomaly> {
    let team = cx.team(p);
    let s = cx.settings;
    let z = z_for(s.wilson_confidence);
    let mut out = Vec::new();
    for row in team.rows.iter().filter(|r| !r.ramping) {
        for (id, mv) in &row.metrics {
            let (Some(def), Some(v)) = (metrics::find(row.rep.role, id), mv.value) else {
                continue;
            };
            let peers = team.peer_values(row, id);
            if peers.len() < crate::domain::baseline::MIN_PEERS {
                continue;
            }
            let Some(m) = median(&peers) else { continue };
            if !off_by_mad(v, &peers, s.mad_multiplier, s.min_relative_gap)
                || !sample_allows(&def, mv, m, s.min_sample, z)
            {
                continue;
            }
            let direction = verdict(&def, v, m);
            let sample = match (def.unit, mv.num, mv.den) {
                (Unit::Share | Unit::Ratio, Some(n), Some(d)) => format!(" ({n}/{d})"),
                _ => String::new(),
            };
            out.push(Anomaly {
                rep_id: row.rep.id.0.clone(),
                rep_name: row.rep.name.clone(),
                metric: id.clone(),
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
                    "{}'s {} was {}{sample} from {} to {}; the other {} {}s' median is {}.",
                    row.rep.name,
                    def.label,
                    say(def.unit, v),
                    p.from,
                    p.last_day(),
                    peers.len(),
                    row.rep.role,
                    say(def.unit, m)
                ),
            });
        }
    }
    out
}
