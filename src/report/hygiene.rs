//! `pipedeck report hygiene`: the hygiene list of SPEC §6. JSON is a list of
//! `{"opportunity_id", "owner_id", "amount", "reasons", "snoozed_until", …}`
//! (SPEC §11), each with its explained flags; the table shows the to-do list,
//! then the snoozed deals (still counted).

use super::score::{Scores, SortKey, by_score};
use super::{Column, Input, Report, Table, UNDEFINED};
use crate::domain::hygiene::{Flag, HygieneItem, Reason, hygiene};
use crate::domain::model::{OppId, RepId, StuckTag};
use crate::domain::money::Money;
use crate::domain::par;
use crate::domain::score::{DealScore, ScoreIndex};
use chrono::NaiveDate;
use serde::Serialize;

/// One deal of the hygiene list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HygieneRow {
    pub opportunity_id: OppId,
    pub owner_id: RepId,
    /// Major units; `null` when unknown.
    #[serde(serialize_with = "super::money_major::opt::serialize")]
    pub amount: Option<Money>,
    pub reasons: Vec<Reason>,
    /// Set while a snooze is in force: the deal is back on the to-do list on this date.
    pub snoozed_until: Option<NaiveDate>,
    pub snooze_reason: Option<String>,
    pub name: String,
    pub stage: String,
    pub close_date: Option<NaiveDate>,
    pub last_touch: Option<NaiveDate>,
    pub days_untouched: Option<i64>,
    pub days_in_stage: Option<i64>,
    pub age_days: Option<i64>,
    pub tag: Option<StuckTag>,
    /// Each reason explained: rule, threshold, what the deal shows, what clears it.
    pub flags: Vec<Flag>,
    /// The deal score (SPEC §15) with its four `factors`.
    pub score: Option<DealScore>,
}

impl HygieneRow {
    fn of(i: &HygieneItem) -> HygieneRow {
        HygieneRow {
            opportunity_id: i.opportunity_id.clone(),
            owner_id: i.owner_id.clone(),
            amount: i.amount,
            reasons: i.reasons(),
            snoozed_until: i.snooze.as_ref().map(|s| s.until),
            snooze_reason: i.snooze.as_ref().map(|s| s.reason.clone()),
            name: i.name.clone(),
            stage: i.stage.clone(),
            close_date: i.close_date,
            last_touch: i.last_touch,
            days_untouched: i.days_untouched,
            days_in_stage: i.days_in_stage,
            age_days: i.age_days,
            tag: i.tag,
            flags: i.flags.clone(),
            score: None,
        }
    }
}

/// The hygiene report: flagged open deals, largest amount at risk first.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(transparent)]
pub struct HygieneReport {
    pub rows: Vec<HygieneRow>,
    #[serde(skip)]
    pub today: NaiveDate,
    /// Whether the table shows the score column (sorted by score).
    #[serde(skip)]
    pub show_score: bool,
}

/// What the review's reports (the agenda, the hygiene list) are made
/// from, made once when both are: the day's hygiene list and every open
/// deal's score.
pub struct ReviewBasis {
    pub items: Vec<HygieneItem>,
    pub scores: Scores,
}

impl ReviewBasis {
    /// Both, side by side (each pure).
    pub fn of(input: &Input) -> ReviewBasis {
        let stages = input.settings.effective_stages(&input.data.stages);
        let (items, scores) = par::join(
            || hygiene(input.data, &stages, input.settings, input.cal, input.today),
            || super::score::open_scores(input),
        );
        ReviewBasis { items, scores }
    }
}

impl HygieneReport {
    /// The hygiene list on `input.today`, of one rep when `rep` is given.
    pub fn build(input: &Input, rep: Option<&RepId>) -> HygieneReport {
        let stages = input.settings.effective_stages(&input.data.stages);
        // The list and the score's index, then every listed deal's score:
        // each pure, side by side on a large org's open pipeline.
        let (items, sx) = par::join(
            || hygiene(input.data, &stages, input.settings, input.cal, input.today),
            || ScoreIndex::new(input.data, &stages, input.settings, *input.cal),
        );
        let deals = input.data.opportunities_by_id();
        Self::of_items(input, rep, &items, |id| {
            deals.get(id).map(|o| sx.score(o, input.today))
        })
    }

    /// The same list from `basis` (made once for several reports: the
    /// cockpit's review), every rep's rows ([`HygieneReport::of_rep`]
    /// narrows them).
    pub fn build_scored(input: &Input, basis: &ReviewBasis) -> HygieneReport {
        Self::of_items(input, None, &basis.items, |id| {
            basis.scores.get(id).cloned()
        })
    }

    /// The rows of `rep` when given (all of them when not).
    pub fn of_rep(&self, rep: Option<&RepId>) -> HygieneReport {
        HygieneReport {
            rows: self
                .rows
                .iter()
                .filter(|r| rep.is_none_or(|rep| &r.owner_id == rep))
                .cloned()
                .collect(),
            ..*self
        }
    }

    /// The rows of `items` (of `rep` when given), each with its score.
    fn of_items(
        input: &Input,
        rep: Option<&RepId>,
        items: &[HygieneItem],
        score: impl Fn(&OppId) -> Option<DealScore> + Sync,
    ) -> HygieneReport {
        let items: Vec<_> = items
            .iter()
            .filter(|i| rep.is_none_or(|r| &i.owner_id == r))
            .collect();
        let rows = par::map(&items, |i| {
            let mut row = HygieneRow::of(i);
            row.score = score(&i.opportunity_id);
            row
        });
        HygieneReport {
            rows,
            today: input.today,
            show_score: false,
        }
    }

    /// Reorders the list by `key` (score: lowest first) and shows the score.
    pub fn sorted(mut self, key: SortKey) -> HygieneReport {
        if key == SortKey::Score {
            by_score(&mut self.rows, |r| r.score.as_ref().map(|s| s.value));
            self.show_score = true;
        }
        self
    }

    /// Rows on the to-do list (not snoozed).
    pub fn todo(&self) -> impl Iterator<Item = &HygieneRow> {
        self.rows.iter().filter(|r| r.snoozed_until.is_none())
    }

    /// Rows snoozed today.
    pub fn snoozed(&self) -> impl Iterator<Item = &HygieneRow> {
        self.rows.iter().filter(|r| r.snoozed_until.is_some())
    }

    /// Per reason, how many deals carry it (snoozed included).
    pub fn counts(&self) -> Vec<(Reason, usize)> {
        Reason::ALL
            .iter()
            .map(|r| {
                (
                    *r,
                    self.rows.iter().filter(|x| x.reasons.contains(r)).count(),
                )
            })
            .collect()
    }

    fn counts_line(&self) -> String {
        let parts: Vec<String> = self
            .counts()
            .iter()
            .map(|(r, n)| format!("{} {n}", r.as_str()))
            .collect();
        format!(
            "{} flagged ({} to do, {} snoozed): {}.",
            self.rows.len(),
            self.todo().count(),
            self.snoozed().count(),
            parts.join(", ")
        )
    }
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map_or_else(|| UNDEFINED.to_string(), |x| x.to_string())
}

fn reasons_text(r: &[Reason]) -> String {
    r.iter().map(|x| x.as_str()).collect::<Vec<_>>().join(", ")
}

fn table<'a>(title: String, rows: impl Iterator<Item = &'a HygieneRow>, show_score: bool) -> Table {
    let mut t = Table::new(
        Some(title),
        vec![
            Column::left("deal"),
            Column::left("name"),
            Column::left("owner"),
            Column::right("amount"),
            Column::left("stage"),
            Column::left("reasons"),
            Column::right("untouched"),
            Column::right("in stage"),
            Column::left("close date"),
            Column::left("snoozed until"),
            Column::left("snooze reason"),
        ],
    );
    for r in rows {
        t.rows.push(vec![
            r.opportunity_id.to_string(),
            r.name.clone(),
            r.owner_id.to_string(),
            opt(r.amount),
            r.stage.clone(),
            reasons_text(&r.reasons),
            opt(r.days_untouched),
            opt(r.days_in_stage),
            opt(r.close_date),
            opt(r.snoozed_until),
            r.snooze_reason.clone().unwrap_or_default(),
        ]);
        if show_score {
            let row = t.rows.last_mut().expect("just pushed");
            row.push(opt(r.score.as_ref().map(|s| s.value)));
        }
    }
    if show_score {
        t.columns.push(Column::right("score"));
    }
    t
}

impl Report for HygieneReport {
    fn tables(&self) -> Vec<Table> {
        let mut todo = table(
            format!("Hygiene to-do on {}", self.today),
            self.todo(),
            self.show_score,
        );
        todo.notes.push(self.counts_line());
        let snoozed = table(
            "Snoozed (still counted)".to_string(),
            self.snoozed(),
            self.show_score,
        );
        vec![todo, snoozed]
    }

    /// Each deal with its flags explained, for an email or an invite.
    fn markdown(&self) -> Option<String> {
        let mut out = format!("# Hygiene on {}\n\n{}\n", self.today, self.counts_line());
        let sections = [
            ("To do", self.todo().collect::<Vec<_>>()),
            ("Snoozed", self.snoozed().collect::<Vec<_>>()),
        ];
        for (title, rows) in sections {
            out.push_str(&format!("\n## {title}\n\n"));
            if rows.is_empty() {
                out.push_str("_None._\n");
            }
            for r in rows {
                out.push_str(&format!(
                    "- **{}** ({}) — {} — {} — {}\n",
                    md(&r.name),
                    md(r.opportunity_id.as_str()),
                    md(r.owner_id.as_str()),
                    opt(r.amount),
                    md(&r.stage)
                ));
                if let (Some(until), Some(why)) = (r.snoozed_until, &r.snooze_reason) {
                    out.push_str(&format!("  - snoozed until {until}: {}\n", md(why)));
                }
                for f in &r.flags {
                    out.push_str(&format!(
                        "  - `{}`: {} (threshold {}); clear: {}\n",
                        f.reason.as_str(),
                        md(&f.observed),
                        md(&f.threshold),
                        md(&f.clear)
                    ));
                }
            }
        }
        Some(out)
    }
}

pub(crate) use super::render::md;
