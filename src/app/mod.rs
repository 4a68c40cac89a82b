//! The application layer: the use cases both front-ends call, so the command
//! line and the cockpit cannot drift apart. `load` decides what a report
//! reads from the database (a window, not all history) and loads it; `edit`
//! is every edit (stamped the same way from either front-end); `review`
//! starts (or resumes) and ends a review session.

pub mod accuracy;
pub mod calibration;
pub mod edit;
pub mod load;
pub mod review;

use crate::domain::period::Calendar;
use crate::domain::{Dataset, Goal, Settings, Stage};
use crate::storage::Store;
use chrono::NaiveDate;

/// What every use case needs besides the database: the settings in force,
/// the calendar and "today" (the real date or `--today`).
#[derive(Debug, Clone)]
pub struct Env {
    pub settings: Settings,
    pub cal: Calendar,
    pub today: NaiveDate,
}

/// The stages in force: the database's, completed by the config's
/// (`Settings::effective_stages`). The one place a front-end gets them from
/// the database; a loaded `Dataset` already holds them ([`in_force`]).
pub fn stages(store: &Store, settings: &Settings) -> crate::storage::Result<Vec<Stage>> {
    Ok(settings.effective_stages(&store.load_stages()?))
}

/// The goals in force: the config's, each replaced by the database's goal
/// of the same role, metric and period kind (`goals::merge`). The one place
/// a front-end gets them from the database.
pub fn goals(store: &Store, settings: &Settings) -> crate::storage::Result<Vec<Goal>> {
    Ok(crate::domain::metrics::goals::merge(
        &settings.goals,
        &store.load_goals()?,
    ))
}

/// Puts the stages in force into a dataset read from the database: every
/// load does it (`load::load`), so the reports, the edits and the cockpit
/// all count with the same stages.
pub fn in_force(data: &mut Dataset, settings: &Settings) {
    data.stages = settings.effective_stages(&data.stages);
}

/// Parses a date a user typed (`YYYY-MM-DD`), on the command line or in a
/// cockpit prompt alike: every digit written (`26-11-24` is not year 26), a
/// year from 1900 to 2199.
pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    use chrono::Datelike;
    let d = crate::import::table::parse_date(s)?;
    let years = crate::import::table::MIN_YEAR..=crate::import::table::MAX_YEAR;
    if !years.contains(&d.year()) {
        return Err(format!("{s:?}: year {} is out of range", d.year()));
    }
    Ok(d)
}
