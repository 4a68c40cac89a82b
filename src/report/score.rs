//! The deal score as text (the deal card) and `pipedeck report
//! score-calibration`: per score band, the deals closed in the period that
//! were replayed N days before they closed, won, lost and the win rate.

use super::metrics::PeriodJson;
use super::{Column, Input, Report, Table, UNDEFINED, fmt_pct};
use crate::domain::Period;
use crate::domain::score::calibration::{Band, Calibration, calibrate, tally};
use crate::domain::score::{DealScore, ScoreIndex};
use serde::Serialize;

/// Sort keys of the hygiene list and the agenda's closing and stuck boxes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    /// The list's own order: largest amount first (the default).
    #[default]
    Amount,
    /// Lowest deal score first: the deals that need the most attention.
    Score,
}

/// Orders ids by score, lowest first; unscored last; ties keep their order.
pub fn by_score<T>(items: &mut [T], score: impl Fn(&T) -> Option<u32>) {
    items.sort_by_key(|i| score(i).unwrap_or(u32::MAX));
}

/// "score 51/100" and one line per factor with its sentence.
pub fn score_text(s: &DealScore) -> String {
    let mut out = format!("score: {}/100\n", s.value);
    for f in &s.factors {
        let sign = if f.factor == crate::domain::score::FactorKind::Risk {
            "−"
        } else {
            ""
        };
        out.push_str(&format!(
            "  {:<10} {sign}{:>3}  × {:.2}  {}\n",
            f.factor.as_str(),
            f.value,
            f.weight,
            f.explanation
        ));
    }
    out
}

/// The score of every open deal, by id.
pub type Scores = foldhash::HashMap<crate::domain::OppId, DealScore>;

/// The score of every open deal on `input.today`.
pub fn open_scores(input: &Input) -> Scores {
    let stages = input.settings.effective_stages(&input.data.stages);
    ScoreIndex::new(input.data, &stages, input.settings, *input.cal).open_scores(input.today)
}

/// The calibration report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CalibrationReport {
    pub period: PeriodJson,
    /// Each deal was scored as it stood this many days before it closed.
    pub days: i64,
    pub bands: Vec<Band>,
    /// Closed in the period but created after their replay day.
    pub skipped: u32,
}

impl CalibrationReport {
    /// Replays the deals closed in the input's period (default: every deal
    /// closed) `days` days before each closed.
    pub fn build(input: &Input, days: i64) -> CalibrationReport {
        let stages = input.settings.effective_stages(&input.data.stages);
        let ix = ScoreIndex::new(input.data, &stages, input.settings, *input.cal);
        CalibrationReport::of(match input.period {
            Some(period) => calibrate(&ix, period, days),
            None => {
                // Every day by today: a close dated later has not happened.
                let every_day = Period {
                    from: chrono::NaiveDate::MIN,
                    to: input.today + chrono::Days::new(1),
                };
                tally(&ix, every_day, days).over_every_close(input.today, days)
            }
        })
    }

    /// The report of a calibration made apart (`app::calibration`).
    pub fn of(c: Calibration) -> CalibrationReport {
        CalibrationReport {
            period: c.period.into(),
            days: c.days,
            bands: c.bands,
            skipped: c.skipped,
        }
    }
}

impl Report for CalibrationReport {
    fn tables(&self) -> Vec<Table> {
        let mut t = Table::new(
            Some(format!(
                "Deal score {} days before close, deals closed {}..{}",
                self.days, self.period.from, self.period.to
            )),
            vec![
                Column::left("score"),
                Column::right("won"),
                Column::right("lost"),
                Column::right("win rate"),
                Column::right("n"),
            ],
        );
        for b in &self.bands {
            t.rows.push(vec![
                format!("{}–{}", b.from, b.to),
                b.won.to_string(),
                b.lost.to_string(),
                if b.n == 0 {
                    UNDEFINED.to_string()
                } else {
                    fmt_pct(b.win_rate)
                },
                b.n.to_string(),
            ]);
        }
        let n: u32 = self.bands.iter().map(|b| b.n).sum();
        t.notes.push(format!(
            "{n} deals replayed; {} created after their replay day left out.",
            self.skipped
        ));
        vec![t]
    }
}
