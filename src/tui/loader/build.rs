//! The cockpit's reports, built group by group from their windows: the
//! parts the worker sends as each is ready.

use super::{Env, PaneTables, Request, Views};
use crate::domain::metrics::Index;
use crate::domain::{Dataset, Goal, Period, ReviewSession, Snapshot, SnapshotHead, Stage};
use crate::report::Input;
use crate::report::accuracy::AccuracyReport;
use crate::report::agenda::AgendaReport;
use crate::report::anomalies::AnomaliesReport;
use crate::report::forecast::ForecastReport;
use crate::report::hygiene::HygieneReport;
use crate::report::metrics::{MetricsFilter, MetricsReport};
use crate::report::waterfall::WaterfallReport;
use std::sync::Arc;

/// The reports of today's review window and of every deal: the review,
/// hygiene, the deal pane, the pipeline and the forecast (accuracy apart).
#[derive(Debug, Clone)]
pub struct ReviewViews {
    pub pipeline: PaneTables,
    pub agenda: AgendaReport,
    pub hygiene: HygieneReport,
    /// Every rep's hygiene rows, whatever the rep filter: the deal card
    /// flags any deal opened.
    pub flagged: Arc<HygieneReport>,
    pub scores: Arc<crate::report::score::Scores>,
    pub forecast: ForecastReport,
    pub waterfall: Result<WaterfallReport, String>,
    pub movement: Option<crate::report::movement::CallMovement>,
    /// The review session open in the database when the part was built
    /// (started, not ended): a cockpit whose review was ended elsewhere
    /// (another cockpit, `pipedeck review end`) learns it from here.
    pub open_session: Option<i64>,
}

/// One group of panes' reports, sent to the screen as soon as it is built
/// (the review first: it is the cheapest and the first screen).
#[derive(Debug, Clone)]
pub enum Part {
    /// With the review window it was built from (the deal pane and edits read it).
    Review {
        data: Arc<Dataset>,
        views: Box<ReviewViews>,
    },
    Accuracy(AccuracyReport),
    Metrics {
        metrics: MetricsReport,
        cuts: Vec<crate::report::cuts::CutReport>,
    },
    Anomalies {
        anomalies: AnomaliesReport,
        rep_anomalies: AnomaliesReport,
    },
}

impl Views {
    /// The views as the parts the worker sends, in its order.
    pub fn into_parts(self, data: Arc<Dataset>) -> Vec<Part> {
        vec![
            Part::Review {
                data,
                views: Box::new(ReviewViews {
                    pipeline: self.pipeline,
                    agenda: self.agenda,
                    hygiene: self.hygiene,
                    flagged: self.flagged,
                    scores: self.scores,
                    forecast: self.forecast,
                    waterfall: self.waterfall,
                    movement: self.movement,
                    open_session: self.open_session,
                }),
            },
            Part::Accuracy(self.accuracy),
            Part::Metrics {
                metrics: self.metrics,
                cuts: self.cuts,
            },
            Part::Anomalies {
                anomalies: self.anomalies,
                rep_anomalies: self.rep_anomalies,
            },
        ]
    }
}

/// A report's input on `data` over `period`.
fn input<'a>(
    env: &'a Env,
    data: &'a Dataset,
    snapshots: &'a [Snapshot],
    period: Option<Period>,
) -> Input<'a> {
    Input {
        data,
        snapshots,
        settings: &env.settings,
        cal: &env.cal,
        today: env.today,
        period,
    }
}

/// The review part: agenda, hygiene and scores from today's review window;
/// pipeline, forecast, waterfall and the call's movement from every deal.
/// The forecast covers the picked month or quarter (the quarter containing
/// today when a week is picked).
pub fn build_review(
    env: &Env,
    review: &Dataset,
    deals: &Dataset,
    snapshots: &[Snapshot],
    sessions: &[ReviewSession],
    req: &Request,
) -> ReviewViews {
    let undated = input(env, review, snapshots, None);
    let deals_input = input(env, deals, snapshots, Some(req.period));
    let forecast_input = Input {
        period: forecast_period(req),
        ..deals_input
    };
    let pipeline = crate::report::pipeline::PipelineReport {
        as_of: env.today,
        currency: env.settings.currency.clone(),
        pipeline: crate::domain::pipeline::open_pipeline(deals),
    };
    let forecast = ForecastReport::build(&forecast_input);
    let owner = req.rep.as_ref().filter(|_| req.own_view);
    let movement = Some(crate::report::movement::CallMovement::build(
        &deals_input,
        forecast.forecast.period,
        REVIEW_WEEK,
        owner,
    ));
    // The day's hygiene list and every open deal's score once (the
    // agenda's and the list's deals are open deals), then the agenda and
    // the list side by side.
    let basis = crate::report::hygiene::ReviewBasis::of(&undated);
    let (agenda, flagged) = crate::domain::par::join(
        || AgendaReport::build_scored(&undated, sessions, &basis),
        || HygieneReport::build_scored(&undated, &basis),
    );
    let hygiene = flagged.of_rep(req.rep.as_ref());
    ReviewViews {
        pipeline: PaneTables::of(&pipeline),
        agenda,
        hygiene,
        flagged: Arc::new(flagged),
        scores: Arc::new(basis.scores),
        forecast,
        waterfall: Ok(WaterfallReport::between_for(
            &deals_input,
            week_ago(env),
            env.today,
            owner,
        )),
        movement,
        open_session: sessions
            .iter()
            .filter(|s| s.ended_at.is_none())
            .map(|s| s.id)
            .max(),
    }
}

/// How far back the review's waterfall and the call's movement look.
const REVIEW_WEEK: u64 = 7;

/// The day the review's waterfall and the call's movement look back to:
/// the deals' history from its end on is all they read.
pub fn week_ago(env: &Env) -> chrono::NaiveDate {
    env.today - chrono::Days::new(REVIEW_WEEK)
}

/// The stored snapshots [`build_review`] reads (from all of them, oldest
/// first): those its waterfall and the call's movement stand on.
pub fn review_reads<'s>(env: &Env, heads: &'s [SnapshotHead]) -> Vec<&'s SnapshotHead> {
    let mut used = crate::report::waterfall::read_between(
        &env.cal,
        env.today,
        heads,
        week_ago(env),
        env.today,
    );
    used.extend(crate::report::movement::reads(
        &env.cal,
        env.today,
        REVIEW_WEEK,
        heads,
    ));
    used
}

/// The accuracy of past calls, from every deal.
pub fn build_accuracy(env: &Env, deals: &Dataset, snapshots: &[Snapshot]) -> AccuracyReport {
    AccuracyReport::build(&input(env, deals, snapshots, None))
}

/// The accuracy of past calls, from what `app::accuracy` read.
pub fn accuracy_from(env: &Env, read: crate::app::accuracy::AccuracyInput) -> AccuracyReport {
    AccuracyReport::build_with(&input(env, &read.data, &read.snapshots, None), read.calls)
}

/// The index the reps grid's reports share (the metrics, their cuts, the
/// anomalies and the grid's flags): one of `data`, which holds all their
/// windows.
pub fn grid_index<'a>(env: &'a Env, data: &'a Dataset, stages: &'a [Stage]) -> Index<'a> {
    input(env, data, &[], None).metrics_index(stages)
}

/// The metrics of the period on screen, and their cuts, on `ix` (a
/// [`grid_index`]).
pub fn build_metrics(
    env: &Env,
    ix: &Index<'_>,
    req: &Request,
    goals: &[Goal],
) -> (MetricsReport, Vec<crate::report::cuts::CutReport>) {
    let input = input(env, ix.data, &[], Some(req.period));
    (
        MetricsReport::build_on(ix, &input, &in_force(goals)),
        crate::report::cuts::CutReport::build_all_on(ix, &input),
    )
}

/// The reports' filter of every rep, with `goals` in force: the config's
/// merged with the database's (`app::load::Facts::goals`), as the command
/// line's reports have them.
fn in_force(goals: &[Goal]) -> MetricsFilter {
    MetricsFilter {
        goals: Some(goals.to_vec()),
        ..MetricsFilter::default()
    }
}

/// The anomalies of their own period (following the rep filter), and those
/// of the period on screen (the reps grid's flags: the same report when the
/// periods are one), on `ix` (a [`grid_index`]).
pub fn build_anomalies(
    env: &Env,
    ix: &Index<'_>,
    req: &Request,
    goals: &[Goal],
) -> (AnomaliesReport, AnomaliesReport) {
    let data = ix.data;
    // The goals are the shared context's (`build_in`).
    let filter = MetricsFilter {
        rep: req.rep.as_ref().map(|r| r.0.to_string()),
        ..MetricsFilter::default()
    };
    let own_input = input(env, data, &[], req.anomalies_period);
    let own_period = req
        .anomalies_period
        .unwrap_or_else(|| crate::report::anomalies::default_period(&own_input));
    // One context for both: their rules read many of the same periods (the
    // weeks and months before, the goals' periods), each team computed
    // once, on every core.
    let cx = crate::report::anomalies::context(ix, &own_input, goals);
    let own = AnomaliesReport::build_in(&cx, &own_input, &filter);
    if own_period == req.period {
        return (own.clone(), own);
    }
    let on_screen = AnomaliesReport::build_in(
        &cx,
        &input(env, data, &[], Some(req.period)),
        &MetricsFilter::default(),
    );
    (own, on_screen)
}

/// The forecast's period: the picked one when it is a month or longer;
/// `None` for a week (the forecast then takes the quarter of today).
pub(super) fn forecast_period(req: &Request) -> Option<Period> {
    (req.period.days() >= 28).then_some(req.period)
}
