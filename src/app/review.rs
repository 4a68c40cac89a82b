//! Starting and ending a review session (SPEC §7), for the command line and
//! the cockpit alike: a session left open (by a crash, or by the other
//! front-end) is resumed, never refused; ending one builds its closing
//! report, stores it with the session and returns it as Markdown.

use super::Env;
use super::edit::now;
use crate::domain::ReviewSession;
use crate::domain::review::closing::closing_report;
use crate::report::review::ClosingReportView;
use crate::report::{Format, render};
use crate::storage::{EditError, EditResult, Store};
use chrono::{DateTime, Utc};

/// A session started, or the open one resumed.
#[derive(Debug, Clone, PartialEq)]
pub struct Started {
    pub session: ReviewSession,
    /// The session was already open: nothing was written.
    pub resumed: bool,
}

/// Starts a review session stamped at `real` (moved onto `today`, see
/// [`now`]), or resumes the one already open.
pub fn start(
    store: &mut Store,
    env: &Env,
    real: DateTime<Utc>,
    facilitator: Option<&str>,
) -> EditResult<Started> {
    if let Some(session) = store.open_review_session()? {
        return Ok(Started {
            session,
            resumed: true,
        });
    }
    let session = store.start_review(now(env, real), facilitator)?;
    Ok(Started {
        session,
        resumed: false,
    })
}

/// A session ended, with its closing report.
#[derive(Debug, Clone, PartialEq)]
pub struct Ended {
    pub session: i64,
    pub ended_at: DateTime<Utc>,
    /// The closing report, as stored with the session.
    pub markdown: String,
}

/// Ends the open review session (the one numbered `session` when given: a
/// front-end that knows its session does not end another, and learns when
/// it has ended elsewhere, `EditError::SessionEnded`): builds the closing
/// report over the review window, stores it, returns it. The report is
/// built and the session ended in one transaction (`Store::end_review_with`),
/// so an edit saved meanwhile is either in the report or refused.
pub fn end(
    store: &mut Store,
    env: &Env,
    real: DateTime<Utc>,
    session: Option<i64>,
) -> EditResult<Ended> {
    let (session, ended_at, markdown) = store.end_review_with(session, |store, open| {
        // A moment's clock skew ends it when it started; a day before is a
        // mistake (`--today` earlier than the session), not a 0-minute review.
        let clock = now(env, real);
        if env.cal.local_date(clock) < env.cal.local_date(open.started_at) {
            return Err(EditError::Invalid(format!(
                "review session {} started on {}, after today ({}); end it on or after that day",
                open.id,
                env.cal.local_date(open.started_at),
                env.cal.local_date(clock)
            )));
        }
        let ended_at = clock.max(open.started_at);
        let (data, _) = super::load::load_one(
            store,
            &env.settings,
            &env.cal,
            env.today,
            super::load::Need::Review,
            None,
            super::load::Snaps::None,
        )?;
        let view = ClosingReportView {
            currency: env.settings.currency.clone(),
            // The loaded dataset holds the stages in force.
            report: closing_report(
                &data,
                &data.stages,
                open,
                ended_at,
                &env.settings,
                &env.cal,
                env.today,
            ),
        };
        let markdown = render(&view, Format::Md).map_err(EditError::Invalid)?;
        Ok((ended_at, markdown))
    })?;
    Ok(Ended {
        session,
        ended_at,
        markdown,
    })
}
