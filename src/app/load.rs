//! What each report reads, and loading it.
//!
//! A report for one period reads that period and the look-back windows its
//! rules need, never all of history: [`need`] names those windows per report
//! (the anomaly rules name their own periods, see
//! `domain::anomaly::periods_needed`), and [`load`] reads them through
//! `Store::load_scope`, then applies `--as-of` and the stages in force. The
//! same path serves the command line and the cockpit.

use crate::domain::anomaly::periods_needed;
use crate::domain::asof::overlay_source;
use crate::domain::period::{Calendar, Period};
use crate::domain::{Dataset, Goal, Rep, RepId, ReviewSession, Settings, Snapshot, SnapshotHead};
use crate::storage::{Scope, Store};
use chrono::{Days, NaiveDate};

/// The reports, by what they read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Need {
    /// The deals open today, with their history from an instant on (a
    /// snapshot rewinds them to it).
    Pipeline(chrono::DateTime<chrono::Utc>),
    /// Every rep's metrics over a period.
    Metrics(Period),
    /// One rep's drill-down: every rep's metrics over a period (the
    /// team's baseline) and this rep's over the one before it, whose read
    /// is the rep's own work, their deals' and those deals' accounts'
    /// (`Scope::with_deep_rep_ranges`), not every rep's.
    Drill(Period, RepId),
    /// The anomaly rules over a period.
    Anomalies(Period),
    /// Hygiene and the review agenda: today's open deals and recent activity.
    Review,
    /// One deal's card: the review's data and the deal whole.
    Deal(crate::domain::OppId),
    /// The forecast of a period and how it moved since a day (deals only,
    /// with their history from the end of that day on: the call and the
    /// pipeline then are rebuilt from it): `report movement`, and the
    /// cockpit's forecast pane with its waterfall.
    Forecast(Period, NaiveDate),
    /// The deals of [`Need::Forecast`] as they stand, without their
    /// history, which only `--as-of` rewinds with ([`load`]): the forecast
    /// of a period, and the open pipeline (today to tomorrow).
    Standing(Period),
    /// The waterfall from a day (deals only): the deals alive since that
    /// day, or since its start snapshot when older ([`load`]).
    Waterfall(NaiveDate),
    /// Accuracy of every closed period (deals only, all of history): which
    /// deals, and whether their history (`app::accuracy` decides).
    Accuracy(AccuracyDeals),
    /// The score calibration: deals closed in a period (all of history when
    /// none), replayed this many days before they closed.
    Calibration(Option<Period>, i64),
}

/// What the accuracy reads of the deals alive in all of history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccuracyDeals {
    /// The won deals, without history: the actuals (the calls come from
    /// the stored snapshots).
    Won,
    /// The won deals and every deal that may have been open at one of
    /// these instants (the ends of the first days of the quarters whose
    /// call is rebuilt, and of the `--as-of` day), with their history; and
    /// the first deal created, from which the report reckons its quarters.
    /// The rest are deals closed before every such instant, which no
    /// rebuilt call holds and no rewind changes.
    Rebuilt(Vec<chrono::DateTime<chrono::Utc>>),
    /// Every deal and its history: `--as-of`, or a call rebuilt from
    /// history, in a file of an older schema (no snapshot sums).
    WithHistory,
}

/// What the rules of a report look at besides their periods: the reps (for
/// the new-hire rule's tenure weeks), the goals, the review sessions.
pub struct Context<'a> {
    pub settings: &'a Settings,
    pub cal: &'a Calendar,
    pub today: NaiveDate,
    pub reps: &'a [Rep],
    pub goals: &'a [Goal],
    pub sessions: &'a [ReviewSession],
}

/// What a report reads: the periods of every rep's data (and whether their
/// activities), the periods of which it reads the deals only, and the
/// periods of single reps' own work it reads besides (the anomaly rules'
/// goal periods and new-hire windows).
struct Reads {
    periods: Vec<Period>,
    activities: bool,
    deal_periods: Vec<Period>,
    per_rep: Vec<(RepId, Period)>,
    /// Whether `per_rep` is read as all a rep's metrics read (the drill's
    /// previous period), not as their own work alone (the new-hire rule).
    deep: bool,
}

/// The anomaly rules' periods (see `domain::anomaly::periods_needed`).
fn anomaly_scope(p: Period, cx: &Context) -> Reads {
    let s = cx.settings;
    let needs = periods_needed(
        cx.cal,
        &s.anomalies,
        cx.goals,
        cx.reps,
        s.ramp_days,
        cx.today,
        p,
    );
    let widen = widen_by(s, cx.today);
    Reads {
        periods: needs.periods.into_iter().map(&widen).collect(),
        activities: true,
        deal_periods: needs.deal_periods.into_iter().map(&widen).collect(),
        per_rep: needs
            .per_rep
            .into_iter()
            .map(|(r, p)| (r, widen(p)))
            .collect(),
        deep: false,
    }
}

/// Point-in-time rules (untouched) look `stale_days` back from a period's
/// last day judged (its last day, or today when it has not ended: the
/// metrics judge a period no later than today); a day more covers the
/// local-date rounding at either end. A period longer than that holds its
/// own look-back (a past quarter is read from its first day); what came
/// before a range (a deal's or an account's last touch, the gap before a
/// deal's first activity in it) the load reads apart (`storage::scope`).
fn widen_by(s: &Settings, today: NaiveDate) -> impl Fn(Period) -> Period {
    let margin = Days::new(s.stale_days.max(0) as u64 + 2);
    let tomorrow = today.checked_add_days(Days::new(1)).unwrap_or(today);
    move |p: Period| Period {
        from: p
            .to
            .min(tomorrow)
            .checked_sub_days(margin)
            .unwrap_or(NaiveDate::MIN)
            .min(p.from),
        to: p.to,
    }
}

/// What `need` reads (see [`Reads`]).
fn reads(need: &Need, cx: &Context) -> Reads {
    let s = cx.settings;
    let tomorrow = cx.today + Days::new(1);
    let margin = Days::new(s.stale_days.max(0) as u64 + 2);
    let widen = widen_by(s, cx.today);
    let (periods, activities) = match need {
        Need::Pipeline(_) => (
            vec![Period {
                from: cx.today,
                to: tomorrow,
            }],
            false,
        ),
        Need::Metrics(p) => (vec![widen(*p)], true),
        Need::Drill(p, rep) => {
            let (now, before) = crate::report::drill::like_for_like(cx.cal, *p, cx.today);
            return Reads {
                periods: vec![widen(now)],
                activities: true,
                deal_periods: Vec::new(),
                per_rep: vec![(rep.clone(), widen(before))],
                deep: true,
            };
        }
        Need::Anomalies(p) => return anomaly_scope(*p, cx),
        Need::Review | Need::Deal(_) => {
            // Since the previous review (or a week), the untouched window,
            // and the deal score's engagement window (its distinct contacts
            // are counted over every activity in it, not the last one).
            let since = cx
                .sessions
                .iter()
                .map(|r| cx.cal.local_date(r.started_at))
                .filter(|d| *d <= cx.today)
                .max()
                .unwrap_or(cx.today)
                .min(cx.today - Days::new(7));
            let engaged = Days::new(s.score.engagement_days.max(0) as u64 + 1);
            let back = since
                .min(cx.today - margin)
                .min(cx.today.checked_sub_days(engaged).unwrap_or(NaiveDate::MIN));
            (
                vec![Period {
                    from: back,
                    to: tomorrow,
                }],
                true,
            )
        }
        Need::Forecast(p, _) | Need::Standing(p) => (
            vec![Period {
                from: p.from.min(cx.today),
                to: p.to.max(tomorrow),
            }],
            false,
        ),
        Need::Waterfall(from) => (
            vec![Period {
                from: (*from).min(cx.today - Days::new(35)),
                to: tomorrow,
            }],
            false,
        ),
        Need::Calibration(Some(p), days) => {
            // The deals of the period (those closed in it are replayed),
            // and the activities from the earliest replay day back by the
            // score's engagement window (its touches) to the end of the
            // last replay day, `days` before the period's end, each a day
            // wider for the local-date rounding. The last touch before
            // them is read apart, as rows (`storage::scope`: the untouched
            // rule needs no more), and the deals' history whole (the
            // slipping window's close-date moves, the stage entered).
            let replay = (*days).max(0) as u64;
            let back = Days::new(replay + s.score.engagement_days.max(0) as u64 + 2);
            let from = p.from.checked_sub_days(back).unwrap_or(NaiveDate::MIN);
            let to =
                p.to.checked_sub_days(Days::new(replay))
                    .map_or(p.to, |d| d + Days::new(1))
                    .clamp(from, p.to);
            return Reads {
                periods: vec![Period { from, to }],
                activities: true,
                deal_periods: vec![*p],
                per_rep: Vec::new(),
                deep: false,
            };
        }
        Need::Calibration(None, _) => (
            vec![Period {
                from: NaiveDate::MIN,
                to: tomorrow,
            }],
            true,
        ),
        Need::Accuracy(_) => (
            vec![Period {
                from: NaiveDate::MIN,
                to: tomorrow,
            }],
            false,
        ),
    };
    Reads {
        periods,
        activities,
        deal_periods: Vec::new(),
        per_rep: Vec::new(),
        deep: false,
    }
}

/// A report's rule for the stored snapshots it uses: given them all
/// (oldest first, taken up to `--as-of` when given), the ones it reads.
pub type Pick<'a> = &'a dyn for<'s> Fn(&'s [SnapshotHead]) -> Vec<&'s SnapshotHead>;

/// Which stored snapshots a report reads, rows and all. A snapshot is
/// ~2,000 rows on a large org and a daily habit stores hundreds, so a
/// report reads the rows of those its own rules pick, not every one.
#[derive(Clone, Copy)]
pub enum Snaps<'a> {
    /// None, not even under `--as-of` (the report rebuilds from history
    /// alone).
    None,
    /// Those the report's rule picks and, under `--as-of`, the one the
    /// deals without history take at the end of that day.
    Picked(Pick<'a>),
    /// Every one (the accuracy of every call ever made).
    All,
}

impl Snaps<'_> {
    /// Only the one `--as-of` reads (the report itself reads none).
    pub const AS_OF: Snaps<'static> = Snaps::Picked(&|_| Vec::new());
}

/// A closure as a [`Pick`] rule (gives it the rule's signature: the heads
/// it returns are borrowed from those it is given).
pub fn rule<F>(f: F) -> F
where
    F: for<'s> Fn(&'s [SnapshotHead]) -> Vec<&'s SnapshotHead>,
{
    f
}

/// Loads what `need` reads, as it stood at the end of `as_of` when given
/// (from history, falling back to the nearest earlier snapshot), with the
/// stages in force; and the snapshots taken up to then that `snapshots`
/// names, oldest first.
pub fn load(
    store: &Store,
    settings: &Settings,
    cal: &Calendar,
    need: Need,
    cx: &Context,
    as_of: Option<NaiveDate>,
    snapshots: Snaps<'_>,
) -> crate::storage::Result<(Dataset, Vec<Snapshot>)> {
    let snaps = read_snapshots(store, cal, (cx.today, as_of), snapshots)?;
    let since = rewinds_to(&need, cal);
    // The waterfall sorts the deals of its start snapshot by what became
    // of them: it reads every deal alive since the oldest snapshot it read
    // (its start, or one an end rebuilt from history stands on), however
    // old.
    let need = match need {
        Need::Waterfall(from) => {
            Need::Waterfall(snaps.iter().map(|s| s.taken_on).fold(from, std::cmp::min))
        }
        need => need,
    };
    let mut scope = scope_of(&need, cx, cal).with_history_since(since);
    if let Some(day) = as_of {
        // Rewound with the deals' history.
        scope = scope.rewound_to(cal.end_of(day));
    }
    let mut data = store.load_scope(&scope)?;
    super::in_force(&mut data, settings);
    if let Some(day) = as_of {
        data = crate::domain::asof::dataset_as_of_with_snapshots(data, &snaps, cal.end_of(day));
    }
    Ok((data, snaps))
}

/// The earliest instant a report that reads the deals' history only to
/// rewind them rewinds them to (the history from it on is all it reads,
/// `Scope::with_history_since`); `None` for the others. The waterfall
/// rebuilds from history only the ends it has no snapshot for, the days
/// `Need::Waterfall` names and later.
fn rewinds_to(need: &Need, cal: &Calendar) -> Option<chrono::DateTime<chrono::Utc>> {
    match need {
        Need::Forecast(_, day) | Need::Waterfall(day) => Some(cal.end_of(*day)),
        Need::Pipeline(at) => Some(*at),
        // Accuracy rewinds its deals to its rebuilt quarters' first days
        // and to `--as-of`'s end, and reads their history for nothing else.
        Need::Accuracy(AccuracyDeals::Rebuilt(ends)) => ends.iter().min().copied(),
        _ => None,
    }
}

/// The snapshots `which` names among those taken up to `as_of`, with their
/// rows, oldest first.
fn read_snapshots(
    store: &Store,
    cal: &Calendar,
    (today, as_of): (NaiveDate, Option<NaiveDate>),
    which: Snaps<'_>,
) -> crate::storage::Result<Vec<Snapshot>> {
    if matches!(which, Snaps::None) {
        return Ok(Vec::new());
    }
    let mut heads = store.snapshot_heads()?;
    // A snapshot stamped after today (one taken with a later `--today`) is
    // not yet taken: the waterfall's default end is never in the future.
    let last = as_of.map_or(today, |d| d.min(today));
    heads.retain(|s| s.taken_on <= last);
    if let Snaps::Picked(pick) = which {
        let mut used: foldhash::HashSet<i64> = pick(&heads).iter().map(|h| h.id).collect();
        if let Some(day) = as_of {
            used.extend(overlay_source(&heads, cal.end_of(day)).map(|h| h.id));
        }
        heads.retain(|h| used.contains(&h.id));
    }
    store.load_snapshots_of(&heads)
}

/// Loads, as it stands, what several reports read, in one pass: each of
/// them gives the same from the union as from its own window (the cockpit
/// reads its anomalies pane's week and its grid's period together).
pub fn load_union(
    store: &Store,
    settings: &Settings,
    cal: &Calendar,
    needs: &[Need],
    cx: &Context,
) -> crate::storage::Result<Dataset> {
    let scope = needs
        .iter()
        .map(|n| scope_of(n, cx, cal))
        .reduce(Scope::union)
        .unwrap_or_default();
    let mut data = store.load_scope(&scope)?;
    super::in_force(&mut data, settings);
    Ok(data)
}

/// The storage scope of what `need` reads.
fn scope_of(need: &Need, cx: &Context, cal: &Calendar) -> Scope {
    let r = reads(need, cx);
    let instants = |ps: &[Period]| -> Vec<_> {
        ps.iter()
            .map(|p| (start(cal, p.from), start(cal, p.to)))
            .collect()
    };
    let ranges = instants(&r.periods);
    let rep_ranges = r
        .per_rep
        .into_iter()
        .map(|(r, p)| (r, start(cal, p.from), start(cal, p.to)))
        .collect();
    let metrics = matches!(
        need,
        Need::Metrics(_) | Need::Drill(..) | Need::Anomalies(_)
    );
    let open_now = !metrics;
    let deals = match need {
        Need::Deal(id) => vec![id.clone()],
        _ => Vec::new(),
    };
    Scope::new(ranges)
        .with_history(!matches!(
            need,
            Need::Accuracy(AccuracyDeals::Won) | Need::Standing(_)
        ))
        .with_won_only(matches!(
            need,
            Need::Accuracy(AccuracyDeals::Won | AccuracyDeals::Rebuilt(_))
        ))
        .with_open_at(match need {
            Need::Accuracy(AccuracyDeals::Rebuilt(ends)) => ends.clone(),
            _ => Vec::new(),
        })
        .with_deal_ranges(instants(&r.deal_periods))
        .with_activities(r.activities)
        .with_open_now(open_now)
        .with_deals(deals)
        .with_contacts(metrics)
        .with_metric_history(metrics)
        .with_named_deals(metrics)
        .with_rep_ranges(rep_ranges)
        .with_deep_rep_ranges(r.deep)
        // The review's rules look back for a last touch and nothing else.
        .with_touches_before(matches!(need, Need::Review | Need::Deal(_)))
}

/// The first instant of a day, with the far ends of the calendar clamped.
fn start(cal: &Calendar, d: NaiveDate) -> chrono::DateTime<chrono::Utc> {
    let lo = NaiveDate::from_ymd_opt(1, 1, 2).expect("a date");
    let hi = NaiveDate::from_ymd_opt(9999, 12, 30).expect("a date");
    cal.start_of(d.clamp(lo, hi))
}

/// What the rules of the reports look at besides their periods, read from
/// the database once: the reps, the goals in force (config and database),
/// and the review sessions.
pub struct Facts {
    pub reps: Vec<Rep>,
    pub goals: Vec<Goal>,
    pub sessions: Vec<ReviewSession>,
}

impl Facts {
    /// Reads the facts; the review sessions only when `sessions`.
    pub fn read(
        store: &Store,
        settings: &Settings,
        sessions: bool,
    ) -> crate::storage::Result<Facts> {
        Ok(Facts {
            reps: store.load_reps()?,
            goals: super::goals(store, settings)?,
            sessions: if sessions {
                store.load_review_sessions()?
            } else {
                Vec::new()
            },
        })
    }

    /// The [`Context`] of a load on `today`.
    pub fn context<'a>(
        &'a self,
        settings: &'a Settings,
        cal: &'a Calendar,
        today: NaiveDate,
    ) -> Context<'a> {
        Context {
            settings,
            cal,
            today,
            reps: &self.reps,
            goals: &self.goals,
            sessions: &self.sessions,
        }
    }
}

/// [`load`] with the context read from the database ([`Facts`]). One call
/// for a front-end that loads one report.
pub fn load_one(
    store: &Store,
    settings: &Settings,
    cal: &Calendar,
    today: NaiveDate,
    need: Need,
    as_of: Option<NaiveDate>,
    snapshots: Snaps<'_>,
) -> crate::storage::Result<(Dataset, Vec<Snapshot>)> {
    let sessions = matches!(need, Need::Review | Need::Deal(_));
    let facts = Facts::read(store, settings, sessions)?;
    let cx = facts.context(settings, cal, as_of.unwrap_or(today));
    load(store, settings, cal, need, &cx, as_of, snapshots)
}
