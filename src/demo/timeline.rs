//! One deal's life, replayed from creation to today: the instants it enters
//! each stage, the amount, category and close-date changes that go with
//! them, the close, and every change written as opportunity history.

use super::deals::{Deal, DealPlant, Skeleton};
use super::rng::Rng;
use super::{World, workday_on_or_after};
use crate::domain::{
    ForecastCategory, HistoryEntry, HistoryField, Money, OppId, Opportunity, RepId, Status,
};
use chrono::{DateTime, Days, NaiveDate, Utc};

const NEXT_STEPS: &[&str] = &[
    "Book discovery call",
    "Confirm budget owner",
    "Map decision process",
    "Schedule product demo",
    "Send proposal",
    "Agree terms with legal",
];
const LOSS_REASONS: &[&str] = &[
    "No budget",
    "Chose competitor",
    "No decision",
    "Timing",
    "Missing feature",
];
const PRODUCTS: &[&str] = &[
    "Platform",
    "Analytics add-on",
    "Expansion",
    "Team plan",
    "Pilot",
    "Multi-site rollout",
];

/// The position among the open stages where a lost deal dies: Prospecting
/// 30 %, Qualification 25 %, Discovery 18 %, Demo 14 %, Proposal 8 %,
/// Negotiation 5 % (for another number of stages, earlier is likelier).
fn loss_stage(rng: &mut Rng, n_open: usize) -> usize {
    let weights: Vec<f64> = if n_open == 6 {
        vec![0.30, 0.25, 0.18, 0.14, 0.08, 0.05]
    } else {
        (0..n_open).map(|i| (n_open - i) as f64).collect()
    };
    rng.weighted(&weights)
}

/// The position among the open stages where a stuck deal sits: "Proposal"
/// if configured, else the last open stage but one.
pub fn stuck_stage(w: &World) -> usize {
    w.open
        .iter()
        .position(|&i| w.stages[i].name == "Proposal")
        .unwrap_or(w.open.len().saturating_sub(2))
}

/// The close date a rep moves a passed date to: the real close for a deal
/// that closes before today; for one still open (whose close the rep cannot
/// know), a guess at most 45 days out.
fn expected_close(end_day: NaiveDate, today: NaiveDate) -> NaiveDate {
    if end_day >= today {
        end_day.min(today + Days::new(45))
    } else {
        end_day
    }
}

/// Dollars rounded to the hundred, in cents, at least $2,000.
fn dollars(x: f64) -> i64 {
    ((x / 100.0).round() as i64).max(20) * 100 * 100
}

/// One deal's changes and current values while it is replayed.
struct Run<'a> {
    w: &'a World<'a>,
    id: OppId,
    by: String,
    events: Vec<HistoryEntry>,
    amount: i64,
    close: NaiveDate,
    category: ForecastCategory,
}

impl Run<'_> {
    fn push(&mut self, at: DateTime<Utc>, field: HistoryField, old: Option<String>, new: String) {
        self.events.push(HistoryEntry {
            opportunity_id: self.id.clone(),
            changed_at: at,
            field,
            old_value: old.map(Into::into),
            new_value: Some(new.into()),
            changed_by: Some(self.by.clone().into()),
            review_session_id: None,
        });
    }

    fn stage_name(&self, i: usize) -> String {
        self.w.stages[i].name.clone()
    }

    fn set_amount(&mut self, at: DateTime<Utc>, new: i64) {
        if new != self.amount {
            let old = self.amount.to_string();
            self.push(at, HistoryField::Amount, Some(old), new.to_string());
            self.amount = new;
        }
    }

    fn set_close(&mut self, at: DateTime<Utc>, new: NaiveDate) {
        if new != self.close {
            let old = self.close.to_string();
            self.push(at, HistoryField::CloseDate, Some(old), new.to_string());
            self.close = new;
        }
    }

    fn set_category(&mut self, at: DateTime<Utc>, new: ForecastCategory) {
        if new != self.category {
            let old = self.category.as_str().to_string();
            self.push(
                at,
                HistoryField::ForecastCategory,
                Some(old),
                new.as_str().to_string(),
            );
            self.category = new;
        }
    }
}

/// The instants the deal enters each open stage on its path (the first at
/// creation), up to `horizon`. Time in stage is the span split with ±40 %
/// jitter; stuck deals enter their last stage 20–28 days ago and stay.
fn stage_path(
    w: &World,
    rng: &mut Rng,
    s: &Skeleton,
    horizon: DateTime<Utc>,
) -> Vec<(DateTime<Utc>, usize)> {
    let stuck = s.plant == DealPlant::Stuck;
    let last = if stuck {
        stuck_stage(w)
    } else if s.won {
        w.open.len() - 1
    } else {
        loss_stage(rng, w.open.len())
    };
    let span_end = if stuck {
        let d = workday_on_or_after(w.today - Days::new(rng.range(20, 28) as u64));
        w.work_time(rng, d)
    } else if s.freeze.is_some() {
        // A quiet deal would move on only after today; its moves past the freeze are dropped.
        let d = s.end_day.max(w.today + Days::new(20));
        w.work_time(rng, d)
    } else {
        s.end
    };
    let weights: Vec<f64> = (0..=last).map(|_| rng.between(0.6, 1.4)).collect();
    let total: f64 = if stuck {
        weights[..last].iter().sum()
    } else {
        weights.iter().sum()
    };
    let span = (span_end - s.created).num_minutes().max(1) as f64;
    let mut entries = vec![(s.created, w.open[0])];
    let mut cum = 0.0;
    for j in 1..=last {
        cum += weights[j - 1];
        let at = if stuck && j == last {
            span_end
        } else {
            let raw = s.created + chrono::Duration::minutes((span * cum / total) as i64);
            w.work_time(rng, workday_on_or_after(w.cal.local_date(raw)))
        };
        let prev = entries[entries.len() - 1].0;
        let at = at.max(prev + chrono::Duration::minutes(1));
        if at >= horizon || (!stuck && at >= span_end) {
            break;
        }
        entries.push((at, w.open[j]));
    }
    entries
}

/// Stage moves, with the amount and category changes that go with them:
/// entering the proposal stage may change the amount (p 0.35, ×0.8–1.25),
/// entering the last open stage may discount it (p 0.3, ×0.85–0.97).
/// Categories (drawn from `cats`, their own stream): the middle stage (Demo)
/// makes it best case (p 0.75 for a deal that will win, 0.45 otherwise), the
/// stage before the last open one (Proposal) commit (0.8 / 0.5), the last open
/// stage commit a deal not yet committed (0.5 / 0.2). Deals skipping a draw
/// stay where they were: some pipeline deals close anyway.
fn stage_moves(
    run: &mut Run,
    rng: &mut Rng,
    cats: &mut Rng,
    entries: &[(DateTime<Utc>, usize)],
    won: bool,
) {
    let n_open = run.w.open.len();
    for k in 1..entries.len() {
        let (at, st) = entries[k];
        let old = run.stage_name(entries[k - 1].1);
        let new = run.stage_name(st);
        run.push(at, HistoryField::Stage, Some(old), new);
        if k + 2 == n_open && rng.chance(0.35) {
            let new = dollars(run.amount as f64 / 100.0 * rng.between(0.8, 1.25));
            run.set_amount(at, new);
        }
        if k + 1 == n_open && rng.chance(0.3) {
            let new = dollars(run.amount as f64 / 100.0 * rng.between(0.85, 0.97));
            run.set_amount(at, new);
        }
        let p = if k == n_open / 2 {
            Some((ForecastCategory::BestCase, if won { 0.75 } else { 0.45 }))
        } else if k + 2 == n_open {
            Some((ForecastCategory::Commit, if won { 0.8 } else { 0.5 }))
        } else if k + 1 == n_open {
            Some((ForecastCategory::Commit, if won { 0.5 } else { 0.2 }))
        } else {
            None
        };
        if let Some((category, p)) = p
            && cats.chance(p)
        {
            run.set_category(at, category);
        }
    }
}

/// Close-date pushes: when a weekly look finds the date passed, the rep
/// (p 0.8) moves it to when the deal will really close. Slipping deals get
/// two more pushes later, 40–58 and 8–25 days before today.
fn close_date_pushes(run: &mut Run, rng: &mut Rng, s: &Skeleton, horizon: DateTime<Utc>) {
    let w = run.w;
    let slipping = s.plant == DealPlant::Slipping;
    let mut until = if slipping {
        w.today - Days::new(61)
    } else {
        w.cal.local_date(horizon)
    };
    if s.closed {
        until = until.min(s.end_day);
    }
    let mut look = s.day + Days::new(7);
    while look < until {
        if run.close < look && rng.chance(0.8) {
            let new = (look + Days::new(rng.range(7, 21) as u64))
                .max(expected_close(s.end_day, w.today) + Days::new(rng.range(0, 7) as u64));
            let at = w.work_time(rng, look);
            run.set_close(at, new);
        }
        look = look + Days::new(7);
    }
    if slipping {
        for ago in [rng.range(40, 58), rng.range(8, 25)] {
            let day = workday_on_or_after(w.today - Days::new(ago as u64));
            let new = run.close.max(day) + Days::new(rng.range(14, 35) as u64);
            let at = w.work_time(rng, day);
            run.set_close(at, new);
        }
    }
}

/// Next step and its date for an open deal: mostly set and ahead, some
/// empty, some past; a quiet deal's is from before it went quiet.
fn next_step(
    w: &World,
    rng: &mut Rng,
    s: &Skeleton,
    stage: usize,
) -> (Option<String>, Option<NaiveDate>) {
    if s.closed {
        return (None, None);
    }
    if let Some(f) = s.freeze {
        let date = f - Days::new(rng.range(0, 6) as u64);
        return (Some(NEXT_STEPS[0].to_string()), Some(date));
    }
    let pos = w.open.iter().position(|&i| i == stage).unwrap_or(0);
    let text = NEXT_STEPS[pos.min(NEXT_STEPS.len() - 1)].to_string();
    match rng.weighted(&[0.8, 0.1, 0.1]) {
        0 => (
            Some(text),
            Some(w.today + Days::new(rng.range(1, 14) as u64)),
        ),
        1 => (None, None),
        _ => (
            Some(text),
            Some(w.today - Days::new(rng.range(3, 20) as u64)),
        ),
    }
}

/// Replays one deal from creation to today, writing every change as history.
/// `cats` draws the forecast categories (a stream of their own, so changing
/// how reps categorize never moves anything else).
pub fn simulate(w: &World, rng: &mut Rng, cats: &mut Rng, index: usize, s: Skeleton) -> Deal {
    let owner_id: RepId = w.team.reps[s.owner].id.clone();
    let today_start = w.cal.start_of(w.today);
    // Nothing happens on or after this instant.
    let horizon = match s.freeze {
        Some(f) => w.cal.start_of(f).min(today_start),
        None => today_start,
    };
    let mut entries = stage_path(w, rng, &s, horizon);
    let seg = w.team.segments[s.account];
    let cycle = (s.end_day - s.day).num_days().max(1);
    let mut run = Run {
        w,
        id: OppId(format!("opp-{:05}", index + 1).into()),
        by: owner_id.as_str().to_string(),
        events: Vec::new(),
        amount: dollars(rng.lognormal(seg.median_amount(), 0.45)),
        // Reps start optimistic: 55–95 % of the real cycle.
        close: s.day + Days::new((cycle as f64 * rng.between(0.55, 0.95)) as u64),
        category: ForecastCategory::Pipeline,
    };
    let created = [
        (HistoryField::Stage, run.stage_name(w.open[0])),
        (HistoryField::Amount, run.amount.to_string()),
        (HistoryField::CloseDate, run.close.to_string()),
        (HistoryField::ForecastCategory, run.category.as_str().into()),
        (HistoryField::Status, Status::Open.as_str().into()),
    ];
    for (field, value) in created {
        run.push(s.created, field, None, value);
    }
    stage_moves(&mut run, rng, cats, &entries, s.won);
    close_date_pushes(&mut run, rng, &s, horizon);
    let mut status = Status::Open;
    let mut loss_reason = None;
    if s.closed {
        let final_stage = if s.won { w.won } else { w.lost };
        let from = run.stage_name(entries[entries.len() - 1].1);
        let to = run.stage_name(final_stage);
        run.push(s.end, HistoryField::Stage, Some(from), to);
        entries.push((s.end, final_stage));
        status = if s.won { Status::Won } else { Status::Lost };
        let open = Status::Open.as_str().to_string();
        run.push(
            s.end,
            HistoryField::Status,
            Some(open),
            status.as_str().into(),
        );
        run.set_category(s.end, ForecastCategory::Closed);
        run.set_close(s.end, s.end_day);
        if !s.won {
            loss_reason = rng.pick(LOSS_REASONS).map(|r| r.to_string());
        }
    }
    let stage_now = entries[entries.len() - 1].1;
    let (next_step, next_step_date) = next_step(w, rng, &s, stage_now);
    let channel = match s.source {
        Some(_) => "outbound",
        None => ["inbound", "partner", "outbound"][rng.weighted(&[0.6, 0.25, 0.15])],
    };
    let account = &w.team.accounts[s.account];
    let product = rng.pick(PRODUCTS).copied().unwrap_or("Platform");
    let list_amount = Some(list_price(&rng.fork(LIST_PRICE_SALT), run.amount));
    let row = Opportunity {
        id: run.id.clone(),
        name: format!("{} - {product}", account.name),
        account_id: Some(account.id.clone()),
        owner_id,
        source_rep_id: s.source.map(|i| w.team.reps[i].id.clone()),
        created_at: Some(s.created),
        stage: w.stages[stage_now].name.clone(),
        amount: Some(Money(run.amount)),
        close_date: Some(run.close),
        forecast_category: Some(run.category),
        status,
        closed_at: s.closed.then_some(s.end),
        loss_reason,
        next_step,
        next_step_date,
        list_amount,
        channel: Some(channel.to_string()),
    };
    let mut events = run.events;
    events.sort_by_key(|e| e.changed_at);
    Deal {
        owner: s.owner,
        source: s.source,
        account: s.account,
        created: s.created,
        created_day: s.day,
        closed_day: s.closed.then_some(s.end_day),
        won: s.won,
        freeze: s.freeze,
        plant: s.plant,
        stages: entries,
        events,
        row,
    }
}

/// Names the stream of list prices (a fork: drawing them moves no other draw).
const LIST_PRICE_SALT: u64 = 0x1157_9E1C;

/// The list price behind an amount: a discount drawn from a fixed mix (seven
/// deals in ten within 10 %, a quarter 10–20 %, one in twenty 20–30 %, the
/// same for every rep), the price rounded to whole units.
fn list_price(rng: &Rng, amount_cents: i64) -> Money {
    let mut r = rng.clone();
    let band = r.weighted(&[0.70, 0.25, 0.05]);
    let discount = 0.10 * band as f64 + 0.10 * r.uniform();
    let list = amount_cents as f64 / (1.0 - discount);
    Money(((list / 100.0).round() as i64) * 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn dollars_round_to_the_hundred_with_a_floor_of_two_thousand() {
        // (dollars in, cents out): 12 345.67 → $12,300; 12 350 → $12,400 (half up);
        // 150 → the $2,000 floor.
        for (x, cents) in [
            (12_345.67, 1_230_000),
            (12_350.0, 1_240_000),
            (150.0, 200_000),
        ] {
            assert_eq!(dollars(x), cents, "{x}");
        }
    }

    #[test]
    fn expected_close_is_the_real_close_or_a_guess_within_45_days() {
        let today = d("2026-11-24");
        // (real end, expected): closed before today → itself; open → at most today + 45
        // (2026-11-24 + 45 days = 2027-01-08).
        for (end, want) in [
            ("2026-10-01", "2026-10-01"),
            ("2026-12-01", "2026-12-01"),
            ("2027-03-01", "2027-01-08"),
        ] {
            assert_eq!(expected_close(d(end), today), d(want), "{end}");
        }
    }
}
