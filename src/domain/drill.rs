//! The drill-down (SPEC §5 "why"): an outcome metric decomposed into its
//! drivers, each shown for the rep this period, the previous period and the
//! team (leave-one-out baseline), with the driver that explains most of the
//! change marked at each level.
//!
//! Trees: `bookings = won × avg_deal_size`; `won = closed × win_rate`;
//! `closed ← open_opps, opps_created`; `open_opps`, `opps_created ←
//! first_meetings, meetings, days_between_touches, calls, emails`. SDRs:
//! `meetings_set = accounts_engaged × account_to_meeting`; `accounts_engaged ←
//! calls, connect_rate, emails, reply_rate`.
//!
//! A product's drivers are weighed by their log change (their shares of
//! ln(this ÷ previous) add up to the parent's); a "fed by" node's drivers by
//! their relative change, sign-flipped for lower-is-better drivers. The
//! marked driver is the one with the largest effect in the direction the
//! parent moved (the largest effect either way when the parent held).

use super::baseline::TeamPeriod;
use super::metrics::{self, Better, Index, MetricId, MetricSet};
use super::model::{Rep, RepId, Role};
use super::period::Period;
use serde::Serialize;
use thiserror::Error;

/// Why a drill-down cannot be built.
#[derive(Debug, Error, PartialEq)]
pub enum DrillError {
    #[error("rep {0:?} is not an active AE or SDR in the period")]
    NoRep(String),
    #[error(
        "{metric:?} is not a metric of the {role} role; drill into one of the ids `report metrics` shows, e.g. {choices}"
    )]
    NotAnOutcome {
        metric: String,
        role: Role,
        choices: String,
    },
    #[error("{metric:?}: there is no open stage of that name; drill into one of {choices}")]
    NoStage { metric: String, choices: String },
}

/// (this period, previous period, team) of one metric.
type Triple = (Option<f64>, Option<f64>, Option<f64>);

/// How a node's drivers combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Combine {
    /// The node is the product of its drivers.
    Product,
    /// The node is fed by its drivers (no exact identity).
    FedBy,
    /// A leaf.
    None,
}

/// One metric in the tree.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Node {
    pub metric: String,
    pub this_period: Option<f64>,
    pub previous_period: Option<f64>,
    pub team: Option<f64>,
    /// this − previous.
    pub change: Option<f64>,
    /// The driver's effect on its parent (log change for products, signed
    /// relative change for "fed by"); `None` at the root or when undefined.
    pub effect: Option<f64>,
    /// The driver that explains most of its parent's change.
    pub marked: bool,
    pub combine: Combine,
    pub drivers: Vec<Node>,
}

/// A drill-down for a rep and an outcome metric.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Drill {
    pub rep_id: String,
    pub name: String,
    pub root: Node,
    /// The deepest driver on the marked path: what explains most of the change.
    pub explains: Option<String>,
}

fn drivers(role: Role, metric: &str) -> Option<(Combine, &'static [MetricId])> {
    use MetricId as M;
    const ACTIVITY: &[MetricId] = &[
        M::FirstMeetings,
        M::Meetings,
        M::DaysBetweenTouches,
        M::Calls,
        M::Emails,
    ];
    let id = MetricId::parse(metric)?;
    Some(match (role, id) {
        (Role::Ae, M::Bookings) => (Combine::Product, &[M::Won, M::AvgDealSize]),
        (Role::Ae, M::Won) => (Combine::Product, &[M::Closed, M::WinRate]),
        (Role::Ae, M::Closed) => (Combine::FedBy, &[M::OpenOpps, M::OppsCreated]),
        (Role::Ae, M::OpenOpps | M::OppsCreated) => (Combine::FedBy, ACTIVITY),
        (Role::Sdr, M::MeetingsSet) => {
            (Combine::Product, &[M::AccountsEngaged, M::AccountToMeeting])
        }
        (Role::Sdr, M::AccountsEngaged) => (
            Combine::FedBy,
            &[M::Calls, M::ConnectRate, M::Emails, M::ReplyRate],
        ),
        _ => return None,
    })
}

/// The outcome metrics a role can drill into.
pub fn outcomes(role: Role) -> &'static [MetricId] {
    use MetricId as M;
    match role {
        Role::Ae => &[M::Bookings, M::Won, M::Closed, M::OpenOpps, M::OppsCreated],
        Role::Sdr => &[M::MeetingsSet, M::AccountsEngaged],
        Role::Csm | Role::Manager => &[],
    }
}

/// The outcome whose drill-down best explains `metric`: the metric itself
/// when it is an outcome, else the smallest outcome tree that has it as a
/// driver (an AE's meetings → `opps_created`, win rate → `won`); `None` when
/// no tree holds it.
pub fn outcome_for(role: Role, metric: &str) -> Option<&'static str> {
    fn holds(role: Role, root: &str, metric: &str) -> bool {
        root == metric
            || drivers(role, root)
                .is_some_and(|(_, ids)| ids.iter().any(|k| holds(role, k.as_str(), metric)))
    }
    // Smallest trees first: the deepest outcomes come last in `outcomes`.
    outcomes(role)
        .iter()
        .rev()
        .find(|root| holds(role, root.as_str(), metric))
        .and_then(MetricId::static_str)
}

/// What [`drill`] would refuse, told from the reps alone before any period
/// is read: `rep` is no AE or SDR active in `period` (this period, as the
/// report cuts it), or `asked` is none of its role's metrics.
pub fn check(reps: &[Rep], rep: &str, period: Period, asked: &str) -> Result<(), DrillError> {
    let r = reps
        .iter()
        .find(|r| r.id.as_str() == rep && metrics::in_team(r, period))
        .ok_or_else(|| DrillError::NoRep(rep.to_string()))?;
    check_metric(r.role, outcome_for(r.role, asked).unwrap_or(asked))
}

/// `metric` is one a drill-down of `role` starts from.
fn check_metric(role: Role, metric: &str) -> Result<(), DrillError> {
    if drivers(role, metric).is_none() && metrics::find(role, metric).is_none() {
        return Err(DrillError::NotAnOutcome {
            metric: metric.to_string(),
            role,
            choices: outcomes(role)
                .iter()
                .map(MetricId::as_str)
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    Ok(())
}

/// The rep's metrics over the previous period `p`, when an active AE or
/// SDR in it: the drill sets only the rep against that period, so the rest
/// of the team is not computed there (the team's baseline is this period's).
pub fn previous_metrics(ix: &Index<'_>, rep: &RepId, p: Period) -> Option<MetricSet> {
    let r = ix.data.reps.iter().find(|r| r.id == *rep)?;
    metrics::in_team(r, p).then(|| metrics::compute(ix, rep, r.role, p))
}

/// The drill-down of `metric` for `rep`, from this period's team and the
/// rep's metrics over the previous period ([`previous_metrics`]). A metric
/// with no drivers (a discount, a stage conversion) is a tree of one node:
/// its records are what explains it.
pub fn drill(
    now: &TeamPeriod<'_>,
    prev: Option<&MetricSet>,
    rep: &RepId,
    metric: &str,
) -> Result<Drill, DrillError> {
    let row = now
        .row(rep)
        .ok_or_else(|| DrillError::NoRep(rep.0.to_string()))?;
    let role = row.rep.role;
    check_metric(role, metric)?;
    // A stage conversion names a stage: one of the open stages in force,
    // each of which has its conversion among the rep's metrics.
    if let Some(id) = MetricId::parse(metric).filter(|m| m.stage().is_some())
        && !row.metrics.contains_key(&id)
    {
        let choices: Vec<&str> = row
            .metrics
            .keys()
            .filter(|m| m.stage().is_some())
            .map(MetricId::as_str)
            .collect();
        return Err(DrillError::NoStage {
            metric: metric.to_string(),
            choices: choices.join(", "),
        });
    }
    let value = |m: Option<&MetricSet>, id: &str| m.and_then(|m| m.get(id)).and_then(|v| v.value);
    let build = |id: &str| -> Node {
        fn go(id: &str, role: Role, f: &dyn Fn(&str) -> Triple) -> Node {
            let (this, prev, team) = f(id);
            let (combine, ids) = drivers(role, id).unwrap_or((Combine::None, &[]));
            let mut kids: Vec<Node> = ids.iter().map(|k| go(k.as_str(), role, f)).collect();
            for k in &mut kids {
                k.effect = effect(combine, role, k);
            }
            let change = this.zip(prev).map(|(a, b)| a - b);
            mark(&mut kids, change.unwrap_or(0.0));
            Node {
                metric: id.to_string(),
                this_period: this,
                previous_period: prev,
                team,
                change,
                effect: None,
                marked: false,
                combine,
                drivers: kids,
            }
        }
        let f = |id: &str| {
            (
                value(Some(&row.metrics), id),
                value(prev, id),
                now.baseline(row, id).map(|b| b.median),
            )
        };
        go(id, role, &f)
    };
    let root = build(metric);
    let mut explains = None;
    let mut at = &root;
    while let Some(k) = at.drivers.iter().find(|k| k.marked) {
        explains = Some(k.metric.clone());
        at = k;
    }
    Ok(Drill {
        rep_id: rep.0.to_string(),
        name: row.rep.name.clone(),
        root,
        explains,
    })
}

/// A driver's effect on its parent.
fn effect(combine: Combine, role: Role, n: &Node) -> Option<f64> {
    let (a, b) = (n.this_period?, n.previous_period?);
    match combine {
        Combine::Product if a > 0.0 && b > 0.0 => Some((a / b).ln()),
        Combine::Product | Combine::FedBy => {
            if b == 0.0 {
                return None;
            }
            let rel = (a - b) / b.abs();
            let sign = match metrics::find(role, &n.metric).map(|d| d.better) {
                Some(Better::Lower) => -1.0,
                _ => 1.0,
            };
            Some(sign * rel)
        }
        Combine::None => None,
    }
}

/// Marks the driver with the largest effect in the direction of `change`.
fn mark(kids: &mut [Node], change: f64) {
    let score = |e: f64| {
        if change > 0.0 {
            e
        } else if change < 0.0 {
            -e
        } else {
            e.abs()
        }
    };
    let best = kids
        .iter()
        .enumerate()
        .filter_map(|(i, k)| k.effect.map(|e| (i, score(e))))
        .filter(|(_, s)| *s > 0.0)
        .max_by(|a, b| a.1.total_cmp(&b.1));
    if let Some((i, _)) = best {
        kids[i].marked = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::metrics::tests::{d, opp, rep};
    use crate::domain::model::{Dataset, Status};
    use crate::domain::period::{Calendar, Period};

    /// ann closes 2 won + 2 lost (1,000 each) the week of 11-09 and
    /// 1 won + 3 lost the week of 11-16.
    fn data() -> Dataset {
        let mut opps = Vec::new();
        let weeks = [("2026-11-11T10:00:00", 2), ("2026-11-18T10:00:00", 1)];
        for (w, (closed_at, won)) in weeks.iter().enumerate() {
            for i in 0..4 {
                let status = if i < *won { Status::Won } else { Status::Lost };
                opps.push(opp(
                    &format!("w{w}-{i}"),
                    "ann",
                    None,
                    None,
                    Some("2026-10-01"),
                    status,
                    Some(closed_at),
                    Some(100_000),
                ));
            }
        }
        Dataset {
            reps: ["ann", "p1", "p2", "p3"]
                .iter()
                .map(|r| rep(r, Role::Ae, Some("2024-01-01"), None))
                .collect(),
            opportunities: opps,
            ..Dataset::default()
        }
    }

    fn week(from: &str) -> Period {
        let from = d(from);
        Period {
            from,
            to: from + chrono::Days::new(7),
        }
    }

    #[test]
    fn bookings_fell_because_the_win_rate_fell() {
        let data = data();
        let stages = crate::domain::Settings::default().stage_list();
        let ix = Index::new(&data, Calendar::default(), 30, &stages);
        let now = TeamPeriod::build(&ix, week("2026-11-16"), 90, d("2026-11-24"));
        let ann = RepId("ann".into());
        let prev = previous_metrics(&ix, &ann, week("2026-11-09"));
        let dr = drill(&now, prev.as_ref(), &ann, "bookings").expect("drill");
        // bookings 2000 → 1000; won 2 → 1 (ln ½), avg 1000 → 1000 (ln 1 = 0): won marked.
        assert_eq!(dr.root.this_period, Some(1000.0));
        assert_eq!(dr.root.previous_period, Some(2000.0));
        // Peers closed nothing: bookings 0, 0, 0 → team median 0.
        assert_eq!(dr.root.team, Some(0.0));
        let marked: Vec<(&str, bool)> = dr
            .root
            .drivers
            .iter()
            .map(|k| (k.metric.as_str(), k.marked))
            .collect();
        assert_eq!(marked, vec![("won", true), ("avg_deal_size", false)]);
        let won = &dr.root.drivers[0];
        assert!((won.effect.expect("effect") - 0.5f64.ln()).abs() < 1e-12);
        // won: closed 4 → 4 (ln 1), win_rate ½ → ¼ (ln ½): win_rate marked.
        let under: Vec<(&str, bool)> = won
            .drivers
            .iter()
            .map(|k| (k.metric.as_str(), k.marked))
            .collect();
        assert_eq!(under, vec![("closed", false), ("win_rate", true)]);
        assert_eq!(dr.explains.as_deref(), Some("win_rate"));
    }

    #[test]
    fn only_outcomes_and_active_reps_can_be_drilled() {
        let mut data = data();
        data.stages = crate::domain::Settings::default().stage_list();
        let ix = Index::new(&data, Calendar::default(), 30, &[]);
        let now = TeamPeriod::build(&ix, week("2026-11-16"), 90, d("2026-11-24"));
        let leaf = drill(&now, None, &RepId("ann".into()), "win_rate").expect("a leaf");
        assert_eq!(
            (leaf.root.combine, leaf.root.drivers.len()),
            (Combine::None, 0)
        );
        let err = drill(&now, None, &RepId("ann".into()), "nonsense").expect_err("no metric");
        assert!(matches!(err, DrillError::NotAnOutcome { .. }));
        let err =
            drill(&now, None, &RepId("ann".into()), "stage_conversion.Nope").expect_err("no stage");
        assert_eq!(
            err.to_string(),
            "\"stage_conversion.Nope\": there is no open stage of that name; drill into one of \
             stage_conversion.Demo, stage_conversion.Discovery, stage_conversion.Negotiation, \
             stage_conversion.Proposal, stage_conversion.Prospecting, stage_conversion.Qualification"
        );
        let demo = drill(&now, None, &RepId("ann".into()), "stage_conversion.Demo");
        assert!(demo.is_ok(), "{demo:?}");
        let err = drill(&now, None, &RepId("nobody".into()), "bookings").expect_err("no rep");
        assert_eq!(err, DrillError::NoRep("nobody".into()));
    }

    #[test]
    fn the_previous_period_holds_only_reps_active_in_it() {
        let mut data = data();
        data.reps
            .push(rep("newbie", Role::Ae, Some("2026-11-16"), None));
        data.reps
            .push(rep("boss", Role::Manager, Some("2024-01-01"), None));
        let ix = Index::new(&data, Calendar::default(), 30, &[]);
        let before = week("2026-11-09");
        let ann = previous_metrics(&ix, &RepId("ann".into()), before).expect("ann was active");
        // 2 won of 4 closed that week.
        assert_eq!(ann.get("win_rate").and_then(|v| v.value), Some(0.5));
        for who in ["newbie", "boss", "nobody"] {
            assert!(
                previous_metrics(&ix, &RepId(who.into()), before).is_none(),
                "{who}"
            );
        }
        // The newbie's tree has this week's values and no previous ones.
        let now = TeamPeriod::build(&ix, week("2026-11-16"), 90, d("2026-11-24"));
        let dr = drill(&now, None, &RepId("newbie".into()), "bookings").expect("drill");
        assert_eq!(
            (dr.root.this_period, dr.root.previous_period, dr.root.change),
            (Some(0.0), None, None)
        );
    }

    #[test]
    fn a_driver_is_explained_by_the_smallest_outcome_tree_that_holds_it() {
        let rows = [
            (Role::Ae, "bookings", Some("bookings")),
            (Role::Ae, "meetings", Some("opps_created")),
            (Role::Ae, "win_rate", Some("won")),
            (Role::Ae, "avg_deal_size", Some("bookings")),
            (Role::Ae, "contacts_engaged_new", None),
            (Role::Sdr, "calls", Some("accounts_engaged")),
            (Role::Sdr, "account_to_meeting", Some("meetings_set")),
            (Role::Manager, "meetings", None),
        ];
        for (role, metric, want) in rows {
            assert_eq!(outcome_for(role, metric), want, "{role} {metric}");
        }
    }
}
