//! `pipedeck report agenda` / `review agenda`: the weekly review agenda of
//! SPEC §7, section by section in the time-boxed order, AEs in the
//! configured order within each section. Markdown is ready for an invite.

use super::hygiene::{ReviewBasis, md};
use super::score::{SortKey, by_score};
use super::{Column, Input, Report, Table, UNDEFINED};
use crate::domain::model::{OppId, ReviewSession, Status};
use crate::domain::par;
use crate::domain::review::{Agenda, RepAgenda, Section, agenda, agenda_with};
use crate::domain::score::ScoreIndex;
use serde::Serialize;
use std::collections::BTreeMap;

/// The agenda report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgendaReport {
    pub currency: String,
    #[serde(flatten)]
    pub agenda: Agenda,
    /// The configured zone, for the times in Markdown.
    #[serde(skip)]
    pub tz: chrono_tz::Tz,
    /// The deal score (SPEC §15) of each deal in the closing and stuck boxes.
    pub scores: BTreeMap<OppId, u32>,
    /// Whether the closing and stuck tables show the score (sorted by score).
    #[serde(skip)]
    pub show_score: bool,
}

impl AgendaReport {
    /// The agenda of the review on or after `input.today`; `sessions` give
    /// the window (since the last ended review).
    pub fn build(input: &Input, sessions: &[ReviewSession]) -> AgendaReport {
        let stages = input.settings.effective_stages(&input.data.stages);
        // The agenda and the score's index, then the listed deals' scores:
        // each pure, side by side on a large org's open pipeline.
        let (agenda, sx) = par::join(
            || {
                agenda(
                    input.data,
                    &stages,
                    sessions,
                    input.settings,
                    input.cal,
                    input.today,
                )
            },
            || ScoreIndex::new(input.data, &stages, input.settings, *input.cal),
        );
        let deals = input.data.opportunities_by_id();
        let mut listed: Vec<_> = listed(&agenda)
            .filter_map(|id| deals.get(id).copied())
            .collect();
        // A deal closing this week may be on the hygiene list too.
        listed.sort_unstable_by_key(|o| &o.id);
        listed.dedup_by_key(|o| &o.id);
        let scores = par::map(&listed, |o| (o.id.clone(), sx.score(o, input.today).value))
            .into_iter()
            .collect();
        Self::of(input, agenda, scores)
    }

    /// The same agenda from `basis` (made once for several reports: the
    /// cockpit's review).
    pub fn build_scored(
        input: &Input,
        sessions: &[ReviewSession],
        basis: &ReviewBasis,
    ) -> AgendaReport {
        let agenda = agenda_with(
            input.data,
            sessions,
            input.settings,
            input.cal,
            input.today,
            &basis.items,
        );
        let scores = listed(&agenda)
            .filter_map(|id| Some((id.clone(), basis.scores.get(id)?.value)))
            .collect();
        Self::of(input, agenda, scores)
    }

    fn of(input: &Input, agenda: Agenda, scores: BTreeMap<OppId, u32>) -> AgendaReport {
        AgendaReport {
            currency: input.settings.currency.clone(),
            agenda,
            tz: input.cal.tz,
            scores,
            show_score: false,
        }
    }

    /// Reorders each rep's closing and stuck boxes by `key` (score: lowest
    /// first) and shows the score in their tables.
    pub fn sorted(mut self, key: SortKey) -> AgendaReport {
        if key == SortKey::Score {
            let scores = &self.scores;
            for r in &mut self.agenda.reps {
                by_score(&mut r.closing_this_week, |d| {
                    scores.get(&d.opportunity_id).copied()
                });
                by_score(&mut r.hygiene, |i| scores.get(&i.opportunity_id).copied());
            }
            self.show_score = true;
        }
        self
    }

    fn score_of(&self, id: &OppId) -> String {
        opt(self.scores.get(id))
    }

    fn minutes(&self, s: Section) -> u32 {
        self.agenda
            .time_boxes
            .iter()
            .find(|(x, _)| *x == s)
            .map_or(0, |(_, m)| *m)
    }

    fn heading(&self, s: Section) -> String {
        format!("{} ({} min)", s.title(), self.minutes(s))
    }
}

/// The deals an agenda lists with a score: those closing this week and
/// those on the hygiene list (both open).
fn listed(agenda: &Agenda) -> impl Iterator<Item = &OppId> {
    agenda.reps.iter().flat_map(|r| {
        r.closing_this_week
            .iter()
            .map(|d| &d.opportunity_id)
            .chain(r.hygiene.iter().map(|i| &i.opportunity_id))
    })
}

/// "Since the review of 2026-11-17" or "Since 2026-11-17 (a week ago)".
fn window_text(a: &Agenda) -> String {
    match a.previous_review {
        Some(d) => format!("Since the review of {d}"),
        None => format!("Since {}", a.since_label),
    }
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map_or_else(|| UNDEFINED.to_string(), |x| x.to_string())
}

fn change_text(c: &crate::domain::review::ChangeLine) -> (String, String, String) {
    (
        c.field.as_str().replace('_', " "),
        c.field.display_value(c.old_value.as_deref()),
        c.field.display_value(c.new_value.as_deref()),
    )
}

impl Report for AgendaReport {
    fn tables(&self) -> Vec<Table> {
        let a = &self.agenda;
        let mut order = Table::new(
            Some(format!("Review of {} — {}", a.review_day, window_text(a))),
            vec![
                Column::left("rep"),
                Column::right("open pipeline"),
                Column::right("open deals"),
                Column::right("no amount"),
                Column::right("closed"),
                Column::right("closing"),
                Column::right("to do"),
                Column::right("snoozed"),
                Column::right("new"),
                Column::right("changes"),
            ],
        );
        for r in &a.reps {
            order.rows.push(vec![
                r.name.clone(),
                r.open_pipeline.to_string(),
                r.open_deals.to_string(),
                r.open_without_amount.to_string(),
                r.closed.len().to_string(),
                r.closing_this_week.len().to_string(),
                r.hygiene.len().to_string(),
                r.snoozed.to_string(),
                r.new_opportunities.len().to_string(),
                r.changes.len().to_string(),
            ]);
        }
        let cols = |names: &[&str]| names.iter().map(|n| Column::left(n)).collect::<Vec<_>>();
        let mut closed = Table::new(
            Some(self.heading(Section::Wins)),
            cols(&["rep", "deal", "name", "result", "amount", "reason"]),
        );
        let mut closing = Table::new(
            Some(self.heading(Section::ClosingThisWeek)),
            cols(&[
                "rep",
                "deal",
                "name",
                "category",
                "stage",
                "amount",
                "close date",
            ]),
        );
        let mut stuck = Table::new(
            Some(self.heading(Section::Stuck)),
            cols(&[
                "rep",
                "deal",
                "name",
                "amount",
                "reasons",
                "untouched",
                "tag",
            ]),
        );
        let mut changed = Table::new(
            Some(self.heading(Section::NewAndChanged)),
            cols(&["rep", "deal", "name", "change", "from", "to"]),
        );
        for r in &a.reps {
            for d in &r.closed {
                closed.rows.push(vec![
                    r.name.clone(),
                    d.opportunity_id.to_string(),
                    d.name.clone(),
                    d.status.to_string(),
                    opt(d.amount),
                    opt(d.loss_reason.clone()),
                ]);
            }
            for d in &r.closing_this_week {
                closing.rows.push(vec![
                    r.name.clone(),
                    d.opportunity_id.to_string(),
                    d.name.clone(),
                    opt(d.forecast_category),
                    d.stage.clone(),
                    opt(d.amount),
                    opt(d.close_date),
                ]);
                if self.show_score {
                    let s = self.score_of(&d.opportunity_id);
                    closing.rows.last_mut().expect("just pushed").push(s);
                }
            }
            for i in &r.hygiene {
                stuck.rows.push(vec![
                    r.name.clone(),
                    i.opportunity_id.to_string(),
                    i.name.clone(),
                    opt(i.amount),
                    i.reasons()
                        .iter()
                        .map(|x| x.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    opt(i.days_untouched),
                    opt(i.tag),
                ]);
                if self.show_score {
                    let s = self.score_of(&i.opportunity_id);
                    stuck.rows.last_mut().expect("just pushed").push(s);
                }
            }
            for d in &r.new_opportunities {
                changed.rows.push(vec![
                    r.name.clone(),
                    d.opportunity_id.to_string(),
                    d.name.clone(),
                    "new".into(),
                    UNDEFINED.into(),
                    format!("{} {}", d.stage, opt(d.amount)),
                ]);
            }
            for c in &r.changes {
                let (what, from, to) = change_text(c);
                changed.rows.push(vec![
                    r.name.clone(),
                    c.opportunity_id.to_string(),
                    c.name.clone(),
                    what,
                    from,
                    to,
                ]);
            }
        }
        let mut actions = Table::new(
            Some(self.heading(Section::ActionItems)),
            cols(&["owner", "item", "deal", "due"]),
        );
        for i in &a.action_items {
            actions.rows.push(vec![
                i.owner_id.to_string(),
                i.text.clone(),
                opt(i.opportunity_id.clone()),
                opt(i.due_date),
            ]);
        }
        if self.show_score {
            closing.columns.push(Column::left("score"));
            stuck.columns.push(Column::left("score"));
        }
        vec![order, closed, closing, stuck, changed, actions]
    }

    fn markdown(&self) -> Option<String> {
        let a = &self.agenda;
        let total: u32 = a.time_boxes.iter().map(|(_, m)| m).sum();
        let mut out = format!(
            "# Pipeline review — {} {}\n\n",
            a.review_day.format("%A"),
            a.review_day
        );
        out.push_str(&format!(
            "{} ({} → {}). Closing week {} – {}. {} minutes.\n\n",
            window_text(a),
            a.since.with_timezone(&self.tz).format("%Y-%m-%d %H:%M %Z"),
            a.until.with_timezone(&self.tz).format("%Y-%m-%d %H:%M %Z"),
            a.week.from,
            a.week.last_day(),
            total
        ));
        out.push_str("Order: ");
        let order: Vec<String> = a
            .reps
            .iter()
            .map(|r| {
                let unknown = match r.open_without_amount {
                    0 => String::new(),
                    n => format!(", {n} without amount"),
                };
                format!(
                    "{} ({} {} open in {} deals{unknown})",
                    md(&r.name),
                    self.currency,
                    r.open_pipeline,
                    r.open_deals
                )
            })
            .collect();
        out.push_str(&order.join(", "));
        out.push('\n');
        for (n, (section, _)) in a.time_boxes.iter().enumerate() {
            out.push_str(&format!("\n## {}. {}\n", n + 1, self.heading(*section)));
            if *section == Section::ActionItems {
                out.push('\n');
                if a.action_items.is_empty() {
                    out.push_str("_No open action items._\n");
                }
                for i in &a.action_items {
                    out.push_str(&format!(
                        "- [ ] {} — {} — due {}{}\n",
                        md(&i.text),
                        md(i.owner_id.as_str()),
                        opt(i.due_date),
                        i.opportunity_id
                            .as_ref()
                            .map_or(String::new(), |o| format!(" — {}", md(o.as_str())))
                    ));
                }
                continue;
            }
            let mut any = false;
            for r in &a.reps {
                let lines = rep_lines(r, *section);
                if lines.is_empty() {
                    continue;
                }
                any = true;
                out.push_str(&format!("\n### {}\n\n", md(&r.name)));
                for l in lines {
                    out.push_str(&format!("- {l}\n"));
                }
            }
            if !any {
                out.push_str("\n_Nothing._\n");
            }
        }
        Some(out)
    }
}

/// An amount in a sentence: "12,500", or "no amount".
fn amt(m: Option<crate::domain::Money>) -> String {
    m.map_or_else(|| "no amount".to_string(), |m| m.to_string())
}

/// Hygiene items per rep in the Markdown agenda (largest at risk first; the
/// rest are counted, and every item is in the tables and JSON).
pub const MD_HYGIENE_PER_REP: usize = 5;

/// Changes per rep in the Markdown agenda (oldest first; the rest counted).
pub const MD_CHANGES_PER_REP: usize = 8;

/// The Markdown bullet lines of one rep in one section.
fn rep_lines(r: &RepAgenda, s: Section) -> Vec<String> {
    let deal = |name: &str, id: &str| format!("**{}** ({})", md(name), md(id));
    match s {
        Section::Wins => r
            .closed
            .iter()
            .map(|d| {
                let verb = if d.status == Status::Won {
                    "Won"
                } else {
                    "Lost"
                };
                let why = d
                    .loss_reason
                    .as_deref()
                    .map_or(String::new(), |x| format!(" — {}", md(x)));
                format!(
                    "{verb} {} — {}{why}",
                    deal(&d.name, d.opportunity_id.as_str()),
                    amt(d.amount)
                )
            })
            .collect(),
        Section::ClosingThisWeek => r
            .closing_this_week
            .iter()
            .map(|d| {
                format!(
                    "[{}] {} — {} — {} — closes {}",
                    opt(d.forecast_category),
                    deal(&d.name, d.opportunity_id.as_str()),
                    amt(d.amount),
                    md(&d.stage),
                    opt(d.close_date)
                )
            })
            .collect(),
        Section::Stuck => {
            let mut v: Vec<String> = r
                .hygiene
                .iter()
                .take(MD_HYGIENE_PER_REP)
                .map(|i| {
                    let why: Vec<String> = i
                        .flags
                        .iter()
                        .map(|f| format!("{} ({})", f.reason.as_str(), md(&f.observed)))
                        .collect();
                    let tag = i.tag.map_or(String::new(), |t| format!(" [{t}]"));
                    format!(
                        "{}{tag} — {} — {}",
                        deal(&i.name, i.opportunity_id.as_str()),
                        amt(i.amount),
                        why.join("; ")
                    )
                })
                .collect();
            let more = r.hygiene.len().saturating_sub(MD_HYGIENE_PER_REP);
            if more > 0 {
                v.push(format!(
                    "_…and {more} more: `pipedeck report hygiene --rep {}`._",
                    md(r.rep_id.as_str())
                ));
            }
            if r.snoozed > 0 {
                v.push(format!("_{} snoozed deal(s) not listed._", r.snoozed));
            }
            v
        }
        Section::NewAndChanged => r
            .new_opportunities
            .iter()
            .map(|d| {
                format!(
                    "New: {} — {} — {}",
                    deal(&d.name, d.opportunity_id.as_str()),
                    amt(d.amount),
                    md(&d.stage)
                )
            })
            .chain(r.changes.iter().take(MD_CHANGES_PER_REP).map(|c| {
                let (what, from, to) = change_text(c);
                format!(
                    "{}: {what} {} → {} ({})",
                    deal(&c.name, c.opportunity_id.as_str()),
                    md(&from),
                    md(&to),
                    c.changed_at.format("%Y-%m-%d")
                )
            }))
            .chain((r.changes.len() > MD_CHANGES_PER_REP).then(|| {
                format!(
                    "_…and {} more changes (JSON and table output list them all)._",
                    r.changes.len() - MD_CHANGES_PER_REP
                )
            }))
            .collect(),
        Section::ActionItems => Vec::new(),
    }
}
