//! Team baselines (SPEC §5): the leave-one-out median of a metric over the
//! other active, ramped reps of the same role in the same period; fewer than
//! three such peers give no baseline. Also the robust statistics the anomaly
//! rules use: median, MAD, percentile and the Wilson interval.

use super::metrics::{self, Index, MetricId, MetricSet};
use super::model::{Rep, Role};
use super::period::Period;
use chrono::NaiveDate;

/// Fewest peers a baseline is computed from.
pub const MIN_PEERS: usize = 3;

/// Median of `v` (mean of the two middle values for an even count); `None` if empty.
pub fn median(v: &[f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    median_of(&mut v.to_vec())
}

/// The median of `s`, reordering it: the middle order statistics are
/// selected, not the whole slice sorted (a baseline is asked for every rep,
/// metric and period).
fn median_of(s: &mut [f64]) -> Option<f64> {
    let n = s.len();
    if n == 0 {
        return None;
    }
    let (below, mid, _) = s.select_nth_unstable_by(n / 2, f64::total_cmp);
    let mid = *mid;
    Some(if n % 2 == 1 {
        mid
    } else {
        // The largest of the lower half is the order statistic just below.
        let lower = below.iter().copied().max_by(f64::total_cmp)?;
        (lower + mid) / 2.0
    })
}

/// Median absolute deviation from the median (unscaled).
pub fn mad(v: &[f64]) -> Option<f64> {
    let m = median(v)?;
    let mut dev: Vec<f64> = v.iter().map(|x| (x - m).abs()).collect();
    median_of(&mut dev)
}

/// The `q` quantile (0–1) by linear interpolation between order statistics
/// (R type 7: position `q × (n − 1)`).
pub fn percentile(v: &[f64], q: f64) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let pos = q.clamp(0.0, 1.0) * (s.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    Some(s[lo] + (s[hi] - s[lo]) * (pos - lo as f64))
}

/// The Wilson score interval of `num` successes out of `den` at normal quantile `z`.
pub fn wilson(num: f64, den: f64, z: f64) -> Option<(f64, f64)> {
    if den <= 0.0 {
        return None;
    }
    let p = num / den;
    let z2 = z * z;
    let centre = (p + z2 / (2.0 * den)) / (1.0 + z2 / den);
    let half = z / (1.0 + z2 / den) * (p * (1.0 - p) / den + z2 / (4.0 * den * den)).sqrt();
    Some((centre - half, centre + half))
}

/// The two-sided normal quantile for a confidence level (0.90 → 1.6449).
pub fn z_for(confidence: f64) -> f64 {
    // The common levels exactly; others by a rational approximation of the probit.
    match (confidence * 1000.0).round() as i64 {
        800 => 1.2816,
        900 => 1.6449,
        950 => 1.9600,
        990 => 2.5758,
        _ => probit(0.5 + confidence.clamp(0.0, 0.9999) / 2.0),
    }
}

/// Acklam's approximation of the standard normal quantile.
fn probit(p: f64) -> f64 {
    let a = [
        -39.696_830_286_653_76,
        220.946_098_424_520_5,
        -275.928_510_446_968_7,
        138.357_751_867_269,
        -30.664_798_066_147_16,
        2.506_628_277_459_239,
    ];
    let b = [
        -54.476_098_798_224_06,
        161.585_836_858_040_9,
        -155.698_979_859_886_6,
        66.801_311_887_719_72,
        -13.280_681_552_885_72,
    ];
    let q = p - 0.5;
    let r = q * q;
    (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
        / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0)
}

/// One rep's metrics in a period.
#[derive(Debug, Clone)]
pub struct RepRow<'a> {
    pub rep: &'a Rep,
    /// Within the first `ramp_days` of their start on the period's judged day.
    pub ramping: bool,
    pub metrics: MetricSet,
}

/// Every active rep with metrics (AEs and SDRs) in one period.
#[derive(Debug, Clone)]
pub struct TeamPeriod<'a> {
    pub period: Period,
    pub rows: Vec<RepRow<'a>>,
    /// For each role, each metric's defined values over the ramped reps, in
    /// row order with their row: what every baseline of the period reads,
    /// gathered once rather than once per rep and metric.
    peers: Vec<(Role, PeerValues)>,
    /// Each rep's row (the rules look a rep up in every period they judge).
    at: foldhash::HashMap<&'a super::model::RepId, usize>,
}

/// Each metric's defined values over a role's ramped reps, with their row.
type PeerValues = std::collections::BTreeMap<MetricId, Vec<(usize, f64)>>;

/// A baseline: the median of the peers it came from, and how many there were.
#[derive(Debug, Clone, PartialEq)]
pub struct Baseline {
    pub median: f64,
    pub peers: usize,
}

impl<'a> TeamPeriod<'a> {
    /// Computes every active AE and SDR's metrics over `p`, ordered by role then name.
    pub fn build(ix: &Index<'a>, p: Period, ramp_days: i64, today: NaiveDate) -> TeamPeriod<'a> {
        TeamPeriod::build_with(ix, p, ramp_days, today, metrics::compute)
    }

    /// [`TeamPeriod::build`] with the deal metrics alone
    /// (`metrics::compute_deals`): a period of which the rules read no
    /// activity metric.
    pub fn build_deals(
        ix: &Index<'a>,
        p: Period,
        ramp_days: i64,
        today: NaiveDate,
    ) -> TeamPeriod<'a> {
        TeamPeriod::build_with(ix, p, ramp_days, today, metrics::compute_deals)
    }

    fn build_with(
        ix: &Index<'a>,
        p: Period,
        ramp_days: i64,
        today: NaiveDate,
        compute: impl Fn(&Index<'a>, &super::model::RepId, Role, Period) -> MetricSet + Sync,
    ) -> TeamPeriod<'a> {
        let day = metrics::ramp_day(p, today);
        let reps: Vec<&'a super::model::Rep> = ix
            .data
            .reps
            .iter()
            .filter(|r| metrics::in_team(r, p))
            .collect();
        let mut rows: Vec<RepRow<'a>> = super::par::map(&reps, |rep| RepRow {
            rep,
            ramping: metrics::ramping_on(rep, day, ramp_days),
            metrics: compute(ix, &rep.id, rep.role, p),
        });
        rows.sort_by(|a, b| {
            (a.rep.role, &a.rep.name, &a.rep.id).cmp(&(b.rep.role, &b.rep.name, &b.rep.id))
        });
        let mut peers: Vec<(Role, PeerValues)> = Vec::new();
        for (i, row) in rows.iter().enumerate().filter(|(_, r)| !r.ramping) {
            let at = match peers.iter().position(|(role, _)| *role == row.rep.role) {
                Some(at) => at,
                None => {
                    peers.push((row.rep.role, PeerValues::new()));
                    peers.len() - 1
                }
            };
            for (id, v) in &row.metrics {
                if let Some(x) = v.value {
                    peers[at].1.entry(id.clone()).or_default().push((i, x));
                }
            }
        }
        let at = rows
            .iter()
            .enumerate()
            .map(|(i, r)| (&r.rep.id, i))
            .collect();
        TeamPeriod {
            period: p,
            rows,
            peers,
            at,
        }
    }

    /// The row of a rep, if active in the period.
    pub fn row(&self, rep: &super::model::RepId) -> Option<&RepRow<'a>> {
        self.at.get(rep).map(|i| &self.rows[*i])
    }

    /// Defined values of a metric over the ramped peers of `row` (same role, not `row`).
    pub fn peer_values(&self, row: &RepRow<'_>, metric: &str) -> Vec<f64> {
        let Some((_, of_role)) = self.peers.iter().find(|(role, _)| *role == row.rep.role) else {
            return Vec::new();
        };
        of_role.get(metric).map_or_else(Vec::new, |values| {
            values
                .iter()
                .filter(|(i, _)| self.rows[*i].rep.id != row.rep.id)
                .map(|(_, x)| *x)
                .collect()
        })
    }

    /// The pooled rate Σnum ÷ Σden of a share over the ramped peers of `row`
    /// (same role, not `row`); `None` with fewer than 3 peers with a sample
    /// or a zero pooled denominator.
    pub fn pooled(&self, row: &RepRow<'_>, metric: &str) -> Option<f64> {
        let samples: Vec<(f64, f64)> = self
            .rows
            .iter()
            .filter(|r| r.rep.role == row.rep.role && r.rep.id != row.rep.id && !r.ramping)
            .filter_map(|r| {
                let v = r.metrics.get(metric)?;
                Some((v.num?, v.den?)).filter(|(_, d)| *d > 0.0)
            })
            .collect();
        let den: f64 = samples.iter().map(|s| s.1).sum();
        (samples.len() >= MIN_PEERS && den > 0.0)
            .then(|| samples.iter().map(|s| s.0).sum::<f64>() / den)
    }

    /// The leave-one-out baseline of a metric for `row`; `None` with fewer than 3 peers.
    pub fn baseline(&self, row: &RepRow<'_>, metric: &str) -> Option<Baseline> {
        let v = self.peer_values(row, metric);
        if v.len() < MIN_PEERS {
            return None;
        }
        Some(Baseline {
            median: median(&v)?,
            peers: v.len(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_mads_and_percentiles() {
        // (values, median, MAD, p25) — by hand:
        // [1,2,3,4,100]: median 3; deviations 2,1,0,1,97 → MAD 1; p25 at pos 1 → 2.
        // [4,1,3,2]: sorted 1,2,3,4: median 2.5; deviations 1.5,.5,.5,1.5 → MAD 1;
        //   p25 at pos 0.75 → 1 + 0.75 = 1.75.
        // [5]: median 5, MAD 0, p25 5.
        let rows: &[(&[f64], f64, f64, f64)] = &[
            (&[1.0, 2.0, 3.0, 4.0, 100.0], 3.0, 1.0, 2.0),
            (&[4.0, 1.0, 3.0, 2.0], 2.5, 1.0, 1.75),
            (&[5.0], 5.0, 0.0, 5.0),
        ];
        for (v, m, d, p) in rows {
            assert_eq!(median(v), Some(*m), "{v:?}");
            assert_eq!(mad(v), Some(*d), "{v:?}");
            assert_eq!(percentile(v, 0.25), Some(*p), "{v:?}");
        }
        assert_eq!(median(&[]), None);
        assert_eq!(percentile(&[], 0.5), None);
    }

    #[test]
    fn wilson_interval_at_90_percent() {
        // 2/10, z = 1.6449: z² = 2.70570; centre = (0.2 + 0.135285)/(1.270570) = 0.263887;
        // half = 1.6449/1.270570 × sqrt(0.016 + 0.0067643) = 1.294616 × 0.150878 = 0.195329
        // → (0.068558, 0.459216).
        let (lo, hi) = wilson(2.0, 10.0, 1.6449).expect("den > 0");
        assert!((lo - 0.068558).abs() < 1e-5, "{lo}");
        assert!((hi - 0.459216).abs() < 1e-5, "{hi}");
        assert_eq!(wilson(0.0, 0.0, 1.6449), None);
        assert_eq!(z_for(0.90), 1.6449);
        // 0.85 two-sided → probit(0.925) = 1.4395.
        assert!((z_for(0.85) - 1.4395).abs() < 1e-3);
    }
}
