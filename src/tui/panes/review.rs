//! The Tuesday review: the agenda per AE in its time-boxed order (SPEC §7),
//! a timer against each box, the current deal highlighted, edits in place;
//! after the session, its closing report.

use super::{Cx, TablesPane};
use crate::domain::RepId;
use crate::domain::review::Section;
use crate::report::agenda::AgendaReport;
use crate::report::{Column, Table, UNDEFINED};
use crate::tui::theme::Role;
use crate::tui::widgets;
use chrono::{DateTime, Utc};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

/// The time boxes of a 30-minute review, in order: the agenda's sections
/// and their minutes (the domain's, titles included).
use crate::domain::review::TIME_BOXES as BOXES;

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map_or_else(|| UNDEFINED.to_string(), |x| x.to_string())
}

/// A review session in progress.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewRun {
    /// The session id, once the database has opened it.
    pub session: Option<i64>,
    /// When the current box started.
    pub box_started_at: DateTime<Utc>,
    /// Seconds spent in each box before the current stint.
    pub spent: [i64; 5],
}

#[derive(Debug, Clone, Default)]
pub struct ReviewPane {
    pub report: Option<AgendaReport>,
    /// The current rep's rows of the current box.
    pub agenda: TablesPane,
    /// AEs in agenda order: (id, name).
    pub reps: Vec<(RepId, String)>,
    pub rep_idx: usize,
    pub box_idx: usize,
    pub run: Option<ReviewRun>,
    /// The closing report of the session just ended (Markdown).
    pub closing: Option<String>,
    pub scroll: u16,
}

/// `m:ss` of a number of seconds.
fn mmss(secs: i64) -> String {
    format!("{}:{:02}", secs / 60, secs % 60)
}

impl ReviewPane {
    /// The agenda has not arrived yet (the first load is under way).
    pub fn agenda_loading(&self) -> bool {
        self.report.is_none() && self.reps.is_empty() && self.agenda.data.tables.is_empty()
    }

    pub fn title(&self) -> String {
        if self.reps.is_empty() && self.agenda.data.tables.is_empty() {
            // Before the agenda arrives: not an agenda of no one.
            return "Review · loading…".into();
        }
        // The closing report is the meeting's, not the rep's in view.
        if self.run.is_none() && self.closing.is_some() {
            return "Review · closing report".into();
        }
        let rep = self.reps.get(self.rep_idx).map_or("—", |r| r.1.as_str());
        let state = match &self.run {
            Some(r) => match r.session {
                Some(id) => format!("session #{id}"),
                None => "starting…".to_string(),
            },
            None => "agenda".to_string(),
        };
        format!("Review · {} · {state}", crate::text::sanitize(rep))
    }

    /// Takes a new agenda (AEs in its order), keeping the rep in view.
    pub fn set(&mut self, report: AgendaReport) {
        let current = self.current_rep().cloned();
        self.reps = report
            .agenda
            .reps
            .iter()
            .map(|r| (r.rep_id.clone(), r.name.clone()))
            .collect();
        self.rep_idx = current
            .and_then(|id| self.reps.iter().position(|r| r.0 == id))
            .unwrap_or(0);
        self.report = Some(report);
        self.rebuild();
    }

    /// The table of the current rep and box (deals selectable).
    pub fn rebuild(&mut self) {
        let cols = |names: &[&str]| names.iter().map(|n| Column::left(n)).collect::<Vec<_>>();
        let section = BOXES[self.box_idx].0;
        let heading = self.report.as_ref().map(|r| {
            format!(
                "{} — review of {}, since {}",
                section.title(),
                r.agenda.review_day,
                r.agenda.since_label
            )
        });
        let mut roles: Vec<Option<Role>> = Vec::new();
        let mut cell_roles: Vec<Vec<Option<Role>>> = Vec::new();
        let (mut t, deals) = match (self.report.as_ref(), self.reps.get(self.rep_idx)) {
            (Some(r), Some((rep_id, _))) => {
                let ra = r.agenda.reps.iter().find(|x| &x.rep_id == rep_id);
                let mut deals = Vec::new();
                let t = match (section, ra) {
                    (Section::Wins, Some(ra)) => {
                        let mut t = Table::new(
                            heading,
                            cols(&["deal", "name", "result", "amount", "loss reason"]),
                        );
                        for d in &ra.closed {
                            t.rows.push(vec![
                                d.opportunity_id.0.to_string(),
                                d.name.clone(),
                                d.status.to_string(),
                                opt(d.amount),
                                opt(d.loss_reason.clone()),
                            ]);
                            roles.push(match d.status {
                                crate::domain::Status::Won => Some(Role::Good),
                                crate::domain::Status::Lost => Some(Role::Alert),
                                _ => None,
                            });
                            deals.push(Some(d.opportunity_id.clone()));
                        }
                        t
                    }
                    (Section::ClosingThisWeek, Some(ra)) => {
                        let mut t = Table::new(
                            heading,
                            cols(&["deal", "name", "category", "stage", "amount", "close"]),
                        );
                        for d in &ra.closing_this_week {
                            t.rows.push(vec![
                                d.opportunity_id.0.to_string(),
                                d.name.clone(),
                                opt(d.forecast_category.map(|c| c.label())),
                                d.stage.clone(),
                                opt(d.amount),
                                opt(d.close_date),
                            ]);
                            deals.push(Some(d.opportunity_id.clone()));
                        }
                        t
                    }
                    (Section::Stuck, Some(ra)) => {
                        let mut t = Table::new(
                            heading,
                            cols(&["deal", "name", "amount", "stage", "reasons", "tag"]),
                        );
                        for h in &ra.hygiene {
                            let reasons: Vec<String> = h
                                .flags
                                .iter()
                                .map(|f| super::hygiene::reason_words(f.reason))
                                .collect();
                            let tag = h.tag.map_or(String::new(), |t| format!("●{t}"));
                            // The tag's cell in its colour; the word stays.
                            let mut cells = vec![None; 6];
                            cells[5] = h.tag.map(|t| super::deal::tag_label(t).1);
                            cell_roles.push(cells);
                            roles.push(None);
                            t.rows.push(vec![
                                h.opportunity_id.0.to_string(),
                                h.name.clone(),
                                opt(h.amount),
                                h.stage.clone(),
                                reasons.join(" "),
                                tag,
                            ]);
                            deals.push(Some(h.opportunity_id.clone()));
                        }
                        if ra.snoozed > 0 {
                            t.notes
                                .push(format!("{} snoozed deal(s) not listed.", ra.snoozed));
                        }
                        t
                    }
                    (Section::NewAndChanged, Some(ra)) => {
                        let mut t =
                            Table::new(heading, cols(&["deal", "name", "what", "from", "to"]));
                        for d in &ra.new_opportunities {
                            t.rows.push(vec![
                                d.opportunity_id.0.to_string(),
                                d.name.clone(),
                                "new".into(),
                                UNDEFINED.into(),
                                opt(d.amount),
                            ]);
                            deals.push(Some(d.opportunity_id.clone()));
                        }
                        for c in &ra.changes {
                            t.rows.push(vec![
                                c.opportunity_id.0.to_string(),
                                c.name.clone(),
                                c.field.as_str().replace('_', " "),
                                c.field.display_value(c.old_value.as_deref()),
                                c.field.display_value(c.new_value.as_deref()),
                            ]);
                            deals.push(Some(c.opportunity_id.clone()));
                        }
                        t
                    }
                    (Section::ActionItems, _) => {
                        let mut t = Table::new(
                            heading,
                            cols(&["#", "deal", "owner", "due", "action item"]),
                        );
                        let names: std::collections::HashMap<&RepId, &str> =
                            self.reps.iter().map(|(id, n)| (id, n.as_str())).collect();
                        for a in r
                            .agenda
                            .action_items
                            .iter()
                            .filter(|a| &a.owner_id == rep_id)
                        {
                            t.rows.push(vec![
                                a.id.to_string(),
                                opt(a.opportunity_id.clone()),
                                names
                                    .get(&a.owner_id)
                                    .map_or_else(|| a.owner_id.0.to_string(), |n| n.to_string()),
                                opt(a.due_date),
                                a.text.clone(),
                            ]);
                            deals.push(a.opportunity_id.clone());
                        }
                        t
                    }
                    (_, None) => Table::new(heading, cols(&["deal"])),
                };
                (t, deals)
            }
            _ => (Table::new(heading, cols(&["deal"])), Vec::new()),
        };
        if t.rows.is_empty() {
            t.notes.push("Nothing in this box for this rep.".into());
        }
        self.agenda.set_deals(t, deals);
        self.agenda.roles = roles;
        self.agenda.cell_roles = cell_roles;
    }

    pub fn current_rep(&self) -> Option<&RepId> {
        self.reps.get(self.rep_idx).map(|r| &r.0)
    }

    /// Seconds spent in box `i` at `now`.
    pub fn box_seconds(&self, i: usize, now: DateTime<Utc>) -> i64 {
        let Some(run) = &self.run else { return 0 };
        let current = if i == self.box_idx {
            (now - run.box_started_at).num_seconds().max(0)
        } else {
            0
        };
        run.spent[i] + current
    }

    /// Seconds spent in every box at `now` (a resumed review's kept time
    /// with it).
    pub fn total_seconds(&self, now: DateTime<Utc>) -> i64 {
        (0..BOXES.len()).map(|i| self.box_seconds(i, now)).sum()
    }

    /// Moves to another box, booking the time spent in the current one.
    pub fn switch_box(&mut self, to: usize, now: DateTime<Utc>) {
        let to = to.min(BOXES.len() - 1);
        if let Some(run) = &mut self.run {
            run.spent[self.box_idx] += (now - run.box_started_at).num_seconds().max(0);
            run.box_started_at = now;
        }
        if to != self.box_idx {
            self.agenda.selected = 0;
        }
        self.box_idx = to;
        self.rebuild();
    }

    fn boxes(&self, cx: &Cx, now: DateTime<Utc>) -> Vec<Line<'static>> {
        let mut lines = Vec::new();
        for (i, (section, minutes)) in BOXES.iter().enumerate() {
            let minutes = i64::from(*minutes);
            let spent = self.box_seconds(i, now);
            let over = spent > minutes * 60;
            let marker = if i == self.box_idx { "▶" } else { " " };
            let timer = if self.run.is_some() {
                format!(
                    "{} / {minutes}:00{}",
                    mmss(spent),
                    if over { " over" } else { "" }
                )
            } else {
                format!("{minutes} min")
            };
            let style = if over {
                cx.theme.alert()
            } else if i == self.box_idx {
                cx.theme.title(cx.focused)
            } else {
                cx.theme.muted()
            };
            // The domain's titles are long: the timer goes on a line of its own.
            let head = format!("{marker} {}. {}", i + 1, section.title());
            let timer_span = Span::styled(
                format!(" {timer}"),
                if over {
                    cx.theme.alert()
                } else {
                    cx.theme.muted()
                },
            );
            lines.push(Line::styled(head, style));
            lines.push(Line::from(vec![Span::raw("    "), timer_span]));
        }
        if self.run.is_some() {
            let total = self.total_seconds(now);
            lines.push(Line::styled(
                format!("  total {} / 30:00", mmss(total)),
                cx.theme.muted(),
            ));
        }
        lines.push(Line::from(""));
        if self.agenda_loading() {
            lines.push(Line::styled("  loading the agenda…", cx.theme.muted()));
        }
        for (i, (_, name)) in self.reps.iter().enumerate() {
            let style = if i == self.rep_idx {
                cx.theme.title(cx.focused)
            } else {
                cx.theme.muted()
            };
            let marker = if i == self.rep_idx { "▶" } else { " " };
            lines.push(Line::styled(
                format!("{marker} {}", crate::text::sanitize(name)),
                style,
            ));
        }
        lines
    }

    /// The boxes and the rep in two lines, for narrow terminals (the
    /// agenda table's title names the box).
    fn compact(&self, cx: &Cx, now: DateTime<Utc>) -> Vec<Line<'static>> {
        let mut spans = Vec::new();
        for (i, (section, minutes)) in BOXES.iter().enumerate() {
            let minutes = i64::from(*minutes);
            let short = section.short();
            let spent = self.box_seconds(i, now);
            let over = spent > minutes * 60;
            let timer = if self.run.is_some() {
                format!("{}/{minutes}{}", mmss(spent), if over { "!" } else { "" })
            } else {
                format!("{minutes} min")
            };
            let current = i == self.box_idx;
            let style = if over {
                cx.theme.alert()
            } else if current {
                cx.theme.title(cx.focused).patch(cx.theme.selected())
            } else {
                cx.theme.muted()
            };
            if i > 0 {
                spans.push(Span::raw(" "));
            }
            spans.push(Span::styled(
                format!(
                    "{}{} {short} {timer}",
                    if current { "▶" } else { "" },
                    i + 1
                ),
                style,
            ));
        }
        if self.agenda_loading() {
            // Not "rep 1/1: —": no rep is known until the agenda arrives.
            return vec![
                Line::from(spans),
                Line::styled("loading the agenda…", cx.theme.muted()),
            ];
        }
        let rep = self.reps.get(self.rep_idx).map_or("—", |r| r.1.as_str());
        let total = self.run.as_ref().map_or(String::new(), |_| {
            format!(" · total {} / 30:00", mmss(self.total_seconds(now)))
        });
        vec![
            Line::from(spans),
            Line::from(vec![
                Span::styled(
                    format!("rep {}/{}: ", self.rep_idx + 1, self.reps.len().max(1)),
                    cx.theme.muted(),
                ),
                Span::styled(crate::text::sanitize(rep), cx.theme.title(cx.focused)),
                Span::styled(total, cx.theme.muted()),
            ]),
        ]
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, cx: &Cx, now: DateTime<Utc>) {
        if let (None, Some(md)) = (&self.run, &self.closing) {
            let lines: Vec<Line> = md
                .lines()
                .map(|l| Line::from(crate::text::sanitize(l)))
                .collect();
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .scroll((self.scroll, 0))
                .render(area, buf);
            return;
        }
        // The box list beside the agenda only where the agenda keeps 100
        // columns; else the boxes and the rep on two lines above it.
        let inner = if area.width >= 144 {
            // The boxes and reps take what they need; the agenda the rest.
            let [left, right] =
                Layout::horizontal([Constraint::Length(44), Constraint::Min(10)]).areas(area);
            Paragraph::new(self.boxes(cx, now)).render(left, buf);
            let block =
                widgets::pane_block(BOXES[self.box_idx].0.title().to_string(), false, cx.theme);
            let inner = block.inner(right);
            block.render(right, buf);
            inner
        } else {
            // Narrow: the boxes and the rep on two lines; the agenda gets the width.
            let [top, rest] =
                Layout::vertical([Constraint::Length(2), Constraint::Min(3)]).areas(area);
            Paragraph::new(self.compact(cx, now)).render(top, buf);
            rest
        };
        self.agenda.render(inner, buf, cx);
    }
}

#[cfg(test)]
mod tests {
    use super::ReviewPane;

    #[test]
    fn before_the_agenda_arrives_the_title_says_loading() {
        assert_eq!(ReviewPane::default().title(), "Review · loading…");
    }
}
