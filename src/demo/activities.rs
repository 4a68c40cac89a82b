//! Calls, emails and meetings at realistic daily rates: AEs work their open
//! deals, SDRs work a set of accounts of their territory each week and book
//! first meetings on the deals they source.

use super::deals::Deal;
use super::rng::Rng;
use super::{BUSY_SDR, UNDER_GOAL_AE, World};
use crate::domain::{
    Activity, ActivityId, ActivityKind, Direction, MeetingType, Outcome, PeriodKind,
};
use chrono::{DateTime, Days, NaiveDate, Utc};
use std::collections::BTreeMap;

/// Accounts an SDR works in a week; the busy SDR works twice as many.
const CADENCE: usize = 14;

/// Per SDR, per week of the history: the accounts of their territory worked that week.
pub fn cadence(w: &World, rng: &mut Rng) -> Vec<Vec<Vec<usize>>> {
    let mut out = Vec::new();
    for (s, &rep) in w.team.sdrs.iter().enumerate() {
        let size = if w.team.reps[rep].id.as_str() == BUSY_SDR {
            2 * CADENCE
        } else {
            CADENCE
        };
        let mut weeks = Vec::with_capacity(w.weeks.len());
        for &wk in &w.weeks {
            let week_end = wk + Days::new(7);
            let mut pool: Vec<usize> = (0..w.team.accounts.len())
                .filter(|&a| w.team.territory[a] == s)
                .filter(|a| w.dormant.get(a).is_none_or(|c| *c >= week_end))
                .collect();
            rng.shuffle(&mut pool);
            pool.truncate(size);
            pool.sort_unstable();
            weeks.push(pool);
        }
        out.push(weeks);
    }
    out
}

/// An activity before it has an id.
struct Draft {
    at: DateTime<Utc>,
    rep: usize,
    kind: ActivityKind,
    meeting_type: Option<MeetingType>,
    label: Option<String>,
    deal: Option<usize>,
    account: usize,
    outcome: Option<Outcome>,
    duration: Option<i64>,
    direction: Option<Direction>,
}

/// The last `n` complete weeks before the week of `today`, as week starts.
pub fn last_complete_weeks(w: &World, n: i32) -> Vec<NaiveDate> {
    let this = w.cal.week_containing(w.today);
    (1..=n)
        .map(|k| w.cal.shift(PeriodKind::Week, this, -k).from)
        .collect()
}

/// Every activity of the history, ordered by instant then id.
pub fn build(w: &World, deals: &[Deal], rng: &mut Rng) -> Vec<Activity> {
    let mut drafts = Vec::new();
    first_meetings(deals, rng, &mut drafts);
    for &ae in &w.team.aes {
        ae_weeks(w, deals, rng, ae, &mut drafts);
    }
    for (s, &sdr) in w.team.sdrs.iter().enumerate() {
        sdr_days(w, deals, rng, s, sdr, &mut drafts);
    }
    let mut order: Vec<usize> = (0..drafts.len()).collect();
    order.sort_by_key(|&i| (drafts[i].at, drafts[i].rep, i));
    order
        .into_iter()
        .enumerate()
        .map(|(n, i)| {
            let d = &drafts[i];
            let contacts = &w.team.account_contacts[d.account];
            let contact = contacts[(d.at.timestamp() as usize / 60 + n) % contacts.len()];
            Activity {
                id: ActivityId(format!("act-{:06}", n + 1).into()),
                rep_id: w.team.reps[d.rep].id.clone(),
                kind: d.kind,
                meeting_type: d.meeting_type,
                label: d.label.clone(),
                opportunity_id: d.deal.map(|k| deals[k].row.id.clone()),
                account_id: Some(w.team.accounts[d.account].id.clone()),
                contact_id: Some(w.team.contacts[contact].id.clone()),
                occurred_at: d.at,
                outcome: d.outcome,
                duration_min: d.duration,
                direction: d.direction,
                review_session_id: None,
            }
        })
        .collect()
}

/// The first meeting of every deal, when it is created: held by the SDR who
/// booked it (sourced deals) or by the AE.
fn first_meetings(deals: &[Deal], rng: &mut Rng, out: &mut Vec<Draft>) {
    for (k, d) in deals.iter().enumerate() {
        out.push(Draft {
            at: d.created,
            rep: d.source.unwrap_or(d.owner),
            kind: ActivityKind::Meeting,
            meeting_type: Some(MeetingType::First),
            label: None,
            deal: Some(k),
            account: d.account,
            outcome: Some(Outcome::Held),
            duration: Some([30, 45][rng.range(0, 1) as usize]),
            direction: None,
        });
    }
}

/// Open deals an AE can work on `day`.
fn workable(w: &World, deals: &[Deal], mine: &[usize], day: NaiveDate) -> Vec<usize> {
    mine.iter()
        .copied()
        .filter(|&k| deals[k].workable_on(day) && !w.is_dormant(deals[k].account, day))
        .collect()
}

/// A random account nobody has planted as quiet on `day`.
fn live_account(w: &World, rng: &mut Rng, day: NaiveDate) -> usize {
    for _ in 0..50 {
        let a = rng.range(0, w.team.accounts.len() as i64 - 1) as usize;
        if !w.is_dormant(a, day) {
            return a;
        }
    }
    (0..w.team.accounts.len())
        .find(|&a| !w.is_dormant(a, day))
        .unwrap_or(0)
}

/// An AE's meetings week by week (about 15 held a week when ramped), and
/// their calls and emails day by day.
fn ae_weeks(w: &World, deals: &[Deal], rng: &mut Rng, ae: usize, out: &mut Vec<Draft>) {
    let mine: Vec<usize> = (0..deals.len()).filter(|&k| deals[k].owner == ae).collect();
    let planted_weeks = if w.team.reps[ae].id.as_str() == UNDER_GOAL_AE {
        last_complete_weeks(w, 2)
    } else {
        Vec::new()
    };
    for &wk in &w.weeks {
        let days: Vec<NaiveDate> = (0..5)
            .map(|i| wk + Days::new(i))
            .filter(|d| *d >= w.start && *d < w.today && w.ramp(ae, *d) > 0.0)
            .collect();
        let Some(&first_day) = days.first() else {
            continue;
        };
        let level = w.ramp(ae, first_day);
        let share = days.len() as f64 / 5.0;
        let held = if planted_weeks.contains(&wk) {
            rng.range(7, 9)
        } else {
            (rng.range(14, 18) as f64 * level * share).round() as i64
        };
        let firsts = deals
            .iter()
            .filter(|d| d.owner == ae && d.source.is_none())
            .filter(|d| d.created_day >= wk && d.created_day < wk + Days::new(7))
            .count() as i64;
        let no_shows = (rng.range(0, 2) as f64 * level).round() as i64;
        for n in 0..(held - firsts).max(0) + no_shows {
            let Some(&day) = rng.pick(&days) else {
                break;
            };
            let at = w.work_time(rng, day);
            let open = workable(w, deals, &mine, day);
            let outcome = if n < (held - firsts).max(0) {
                Outcome::Held
            } else {
                Outcome::NoShow
            };
            let draft = match rng.pick(&open) {
                Some(&k) => {
                    let label = deals[k]
                        .stage_at(at)
                        .map(|s| w.stages[s].name.to_lowercase())
                        .filter(|s| s == "demo" || s == "proposal");
                    Draft {
                        at,
                        rep: ae,
                        kind: ActivityKind::Meeting,
                        meeting_type: Some(MeetingType::FollowUp),
                        label,
                        deal: Some(k),
                        account: deals[k].account,
                        outcome: Some(outcome),
                        duration: (outcome == Outcome::Held).then(|| rng.range(2, 4) * 15),
                        direction: None,
                    }
                }
                None => Draft {
                    at,
                    rep: ae,
                    kind: ActivityKind::Meeting,
                    meeting_type: Some(MeetingType::First),
                    label: None,
                    deal: None,
                    account: live_account(w, rng, day),
                    outcome: Some(outcome),
                    duration: (outcome == Outcome::Held).then_some(30),
                    direction: None,
                },
            };
            out.push(draft);
        }
        for &day in &days {
            let level = w.ramp(ae, day);
            let open = workable(w, deals, &mine, day);
            let calls = (rng.range(2, 5) as f64 * level).round() as i64;
            let emails = (rng.range(3, 6) as f64 * level).round() as i64;
            for i in 0..calls + emails {
                let (deal, account) = match rng.pick(&open) {
                    Some(&k) if rng.chance(0.8) => (Some(k), deals[k].account),
                    _ => (None, live_account(w, rng, day)),
                };
                out.push(touch(w, rng, ae, day, deal, account, i < calls, 0.35, 0.2));
            }
        }
    }
}

/// One call or email.
#[allow(clippy::too_many_arguments)]
fn touch(
    w: &World,
    rng: &mut Rng,
    rep: usize,
    day: NaiveDate,
    deal: Option<usize>,
    account: usize,
    call: bool,
    connect: f64,
    reply: f64,
) -> Draft {
    let at = w.work_time(rng, day);
    if call {
        let connected = rng.chance(connect);
        Draft {
            at,
            rep,
            kind: ActivityKind::Call,
            meeting_type: None,
            label: None,
            deal,
            account,
            outcome: Some(if connected {
                Outcome::Connected
            } else {
                Outcome::NoAnswer
            }),
            duration: connected.then(|| rng.range(2, 18)),
            direction: Some(Direction::Outbound),
        }
    } else {
        let outbound = rng.chance(0.9);
        Draft {
            at,
            rep,
            kind: ActivityKind::Email,
            meeting_type: None,
            label: None,
            deal,
            account,
            outcome: (outbound && rng.chance(reply)).then_some(Outcome::Replied),
            duration: None,
            direction: Some(if outbound {
                Direction::Outbound
            } else {
                Direction::Inbound
            }),
        }
    }
}

/// An SDR's calls and emails, day by day, on the week's accounts.
fn sdr_days(w: &World, deals: &[Deal], rng: &mut Rng, s: usize, sdr: usize, out: &mut Vec<Draft>) {
    let mut sourced: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (k, d) in deals.iter().enumerate() {
        if d.source == Some(sdr) {
            sourced.entry(d.account).or_default().push(k);
        }
    }
    for day in w.days() {
        let level = w.ramp(sdr, day);
        if level <= 0.0 {
            continue;
        }
        let set = &w.cadence[s][w.week_index(day)];
        if set.is_empty() {
            continue;
        }
        let calls = (rng.range(40, 48) as f64 * level).round() as i64;
        let emails = (rng.range(10, 16) as f64 * level).round() as i64;
        for i in 0..calls + emails {
            let Some(&account) = rng.pick(set) else {
                break;
            };
            let deal = sourced
                .get(&account)
                .and_then(|ks| ks.iter().copied().find(|&k| deals[k].workable_on(day)))
                .filter(|_| rng.chance(0.9));
            out.push(touch(w, rng, sdr, day, deal, account, i < calls, 0.28, 0.1));
        }
    }
}
