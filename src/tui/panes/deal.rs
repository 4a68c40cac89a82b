//! One deal: its fields, its history timeline, its activities, and the
//! review's snooze, stuck tag and action items. Every edit key works here.

use super::Cx;
use crate::domain::period::Calendar;
use crate::domain::score::FactorKind;
use crate::domain::{
    Activity, Dataset, ForecastCategory, HistoryEntry, HistoryField, OppId, Opportunity, StuckTag,
};
use crate::text::sanitize;
use crate::tui::theme::Role;
use crate::tui::widgets;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};
use std::sync::Arc;

/// A history value as the screen says it: a forecast category in words
/// (`best case`), an amount in major units, anything else as stored.
fn shown_value(field: HistoryField, v: Option<&str>) -> String {
    match (field, v.map(str::parse::<ForecastCategory>)) {
        (HistoryField::ForecastCategory, Some(Ok(c))) => c.label(),
        _ => field.display_value(v),
    }
}

#[derive(Debug, Clone, Default)]
pub struct DealPane {
    pub opp: Option<OppId>,
    pub data: Arc<Dataset>,
    pub cal: Calendar,
    /// Today (`--today`): which snooze is in force.
    pub today: chrono::NaiveDate,
    /// The scroll of the timeline.
    pub scroll: super::Scroll,
    /// Every rep's hygiene rows, whatever the rep filter (the list's
    /// follow it): a deal of another rep opened here shows its flags
    /// ([`DealPane::flagged_row`]).
    pub flagged: Arc<crate::report::hygiene::HygieneReport>,
    /// The score of every open deal.
    pub scores: Arc<crate::report::score::Scores>,
    /// Every activity of the open deal (none yet when another is opened),
    /// read whole on the worker when it was
    /// opened (`Effect::Timeline`) and with every load, or why they could
    /// not be: the loaded window holds its recent ones only. Until they
    /// come (or when they cannot), the window's are shown, under a note.
    activities: Option<Result<Vec<Activity>, String>>,
    /// The open deal and its history as read whole with its activities:
    /// shown when the loaded window does not hold the deal (one closed long
    /// ago, opened from a drill-down's records).
    whole: Option<(Opportunity, Vec<HistoryEntry>)>,
    /// The open deal's history and activities, newest first, prepared once
    /// per deal and data (not scanned on every frame).
    events: Vec<Event>,
}

/// One line of the timeline.
#[derive(Debug, Clone, PartialEq)]
struct Event {
    day: chrono::NaiveDate,
    text: String,
    /// An activity (drawn in the good role) rather than a field change.
    activity: bool,
}

/// The word and role of a stuck tag (colour is never the only signal).
pub fn tag_label(tag: StuckTag) -> (&'static str, Role) {
    match tag {
        StuckTag::Red => ("● red: blocker identified", Role::Alert),
        StuckTag::Yellow => ("● yellow: waiting on the customer", Role::Warn),
        StuckTag::Green => ("● green: needs internal help", Role::Good),
    }
}

impl DealPane {
    /// The open deal's row of the hygiene report, when it is flagged
    /// (whoever owns it: the rep filter narrows the list, not the card).
    pub fn flagged_row(&self) -> Option<&crate::report::hygiene::HygieneRow> {
        let id = self.opp.as_ref()?;
        self.flagged.rows.iter().find(|r| &r.opportunity_id == id)
    }

    pub fn title(&self) -> String {
        match self.deal() {
            Some(o) => format!("Deal {} · {}", sanitize(o.id.as_str()), sanitize(&o.name)),
            None => "Deal".into(),
        }
    }

    fn fields(&self, cx: &Cx) -> Vec<Line<'static>> {
        let Some(o) = self.deal() else {
            return vec![Line::styled(
                "No deal open: select one in Review or Hygiene and press enter.",
                cx.theme.muted(),
            )];
        };
        let d = &self.data;
        let opt = |v: Option<String>| v.map_or_else(|| "—".to_string(), |s| sanitize(&s));
        let account = o.account_id.as_ref().map(|a| {
            d.accounts
                .iter()
                .find(|x| &x.id == a)
                .map_or(a.0.to_string(), |x| x.name.clone())
        });
        let owner = d
            .rep(&o.owner_id)
            .map_or(o.owner_id.0.to_string(), |r| r.name.clone());
        let kv = |k: &str, v: String, style| {
            Line::from(vec![
                Span::styled(format!("{k:<12}"), cx.theme.muted()),
                Span::styled(v, style),
            ])
        };
        let plain = ratatui::style::Style::new();
        let mut lines = vec![
            kv("account", opt(account), plain),
            kv("owner", sanitize(&owner), plain),
            kv("stage", sanitize(&o.stage), plain),
            kv("status", o.status.to_string(), plain),
            kv(
                "amount",
                o.amount.map_or("—".into(), |m| m.to_string()),
                cx.theme.money(),
            ),
            kv(
                "close date",
                opt(o.close_date.map(|x| x.to_string())),
                plain,
            ),
            kv(
                "category",
                opt(o.forecast_category.map(|c| c.label())),
                plain,
            ),
            kv("next step", opt(o.next_step.clone()), plain),
            kv(
                "next date",
                opt(o.next_step_date.map(|x| x.to_string())),
                plain,
            ),
            kv("channel", opt(o.channel.clone()), plain),
        ];
        if let Some(r) = &o.loss_reason {
            lines.push(kv("loss reason", sanitize(r), cx.theme.alert()));
        }
        let score = self.scores.get(&o.id);
        if let Some(s) = score {
            let parts: Vec<String> = s
                .factors
                .iter()
                .map(|f| {
                    let sign = if f.factor == FactorKind::Risk {
                        "−"
                    } else {
                        ""
                    };
                    format!("{} {sign}{}", f.factor.as_str(), f.value)
                })
                .collect();
            lines.push(kv(
                "score",
                format!("{}/100 ({})", s.value, parts.join(" · ")),
                plain,
            ));
        }
        if let Some(h) = self.flagged_row() {
            for f in &h.flags {
                lines.push(kv(
                    "⚑ flagged",
                    format!(
                        "{}: {}",
                        super::hygiene::reason_words(f.reason),
                        sanitize(&f.observed)
                    ),
                    cx.theme.warn(),
                ));
            }
        }
        if let Some(t) = crate::domain::hygiene::tag_in_force(d, &self.cal, self.today, &o.id) {
            let (word, role) = tag_label(t.tag);
            lines.push(kv("stuck tag", word.to_string(), cx.theme.style(role)));
        }
        // The snooze in force, as `deal ID show` says it: not an expired
        // or replaced one, nor any on a closed deal.
        if let Some(s) = crate::domain::hygiene::snooze_in_force(d, &self.cal, self.today, o) {
            lines.push(kv(
                "snoozed",
                format!("until {}: {}", s.until, sanitize(&s.reason)),
                cx.theme.muted(),
            ));
        }
        let items: Vec<_> = d
            .action_items
            .iter()
            .filter(|a| a.opportunity_id.as_ref() == Some(&o.id))
            .collect();
        if !items.is_empty() {
            lines.push(Line::styled("action items", cx.theme.title(false)));
            for a in items {
                let done = if a.done_at.is_some() { "✓" } else { "☐" };
                let due = a.due_date.map_or(String::new(), |d| format!(" (due {d})"));
                let who = d
                    .rep(&a.owner_id)
                    .map_or(a.owner_id.0.to_string(), |r| r.name.clone());
                lines.push(Line::from(format!(
                    " {done} {}: {}{due}",
                    sanitize(&who),
                    sanitize(&a.text)
                )));
            }
        }
        lines
    }

    /// "Why this score": each factor's sentence, wrapped to `width`; it
    /// follows the timeline in the scrolled box, so it can be read at 80×24.
    fn why_score(&self, cx: &Cx, width: usize) -> Vec<Line<'static>> {
        let Some(s) = self.opp.as_ref().and_then(|id| self.scores.get(id)) else {
            return Vec::new();
        };
        let mut lines = vec![Line::styled("why this score", cx.theme.title(false))];
        for f in &s.factors {
            let name = format!("{:<11}", f.factor.as_str());
            let text = sanitize(&f.explanation);
            let body = width.saturating_sub(name.len()).max(10);
            for (i, part) in widgets::wrap(&text, body).into_iter().enumerate() {
                let head = if i == 0 {
                    name.clone()
                } else {
                    " ".repeat(name.len())
                };
                lines.push(Line::from(vec![
                    Span::styled(head, cx.theme.muted()),
                    Span::raw(part),
                ]));
            }
        }
        lines
    }

    /// Opens a deal: its timeline is prepared now.
    pub fn open(&mut self, id: OppId) {
        if self.opp.as_ref() != Some(&id) {
            self.activities = None;
            self.whole = None;
        }
        self.opp = Some(id);
        self.scroll = super::Scroll::default();
        self.prepare();
    }

    /// Takes the open deal read whole (its activities, and the deal with
    /// its history), or why it could not be, and prepares its timeline again.
    pub fn set_read(&mut self, read: Result<crate::tui::loader::Timeline, String>) {
        match read {
            Ok(t) => {
                self.whole = t.deal.map(|d| (*d, t.history));
                self.activities = Some(Ok(t.activities));
            }
            Err(e) => self.activities = Some(Err(e)),
        }
        self.prepare();
    }

    /// The open deal: as the loaded window holds it, else as read whole.
    pub fn deal(&self) -> Option<&Opportunity> {
        let id = self.opp.as_ref()?;
        self.data
            .opportunity(id)
            .or(self.whole.as_ref().map(|w| &w.0).filter(|o| &o.id == id))
    }

    /// The open deal's activities as read whole, or why they could not be;
    /// `None` while they are being read.
    fn read(&self) -> Option<Result<&[Activity], &str>> {
        let acts = self.activities.as_ref()?;
        Some(acts.as_deref().map_err(String::as_str))
    }

    /// Whether the open deal's activities are read whole (else the
    /// timeline shows the loaded window's, under a note).
    pub fn activities_read(&self) -> bool {
        matches!(self.read(), Some(Ok(_)))
    }

    /// Builds the open deal's timeline from the data: history and
    /// activities, newest first. Called when the deal or the data changes.
    pub fn prepare(&mut self) {
        self.events.clear();
        let Some(id) = self.opp.clone() else {
            return;
        };
        let mut events: Vec<(chrono::DateTime<chrono::Utc>, Event)> = Vec::new();
        // The window's history of a deal it holds, else the deal's as read whole.
        let whole = match (&self.whole, self.data.opportunity(&id)) {
            (Some((o, history)), None) if o.id == id => history.as_slice(),
            _ => &[],
        };
        let window = self.data.history.iter().filter(|h| h.opportunity_id == id);
        for h in window.chain(whole) {
            let old = sanitize(&shown_value(h.field, h.old_value.as_deref()));
            let new = sanitize(&shown_value(h.field, h.new_value.as_deref()));
            let session = h
                .review_session_id
                .map_or(String::new(), |s| format!(" [review #{s}]"));
            events.push((
                h.changed_at,
                Event {
                    day: self.cal.local_date(h.changed_at),
                    text: format!("{}: {old} → {new}{session}", h.field.label()),
                    activity: false,
                },
            ));
        }
        let read: Vec<&Activity> = match self.read() {
            Some(Ok(acts)) => acts.iter().collect(),
            _ => self
                .data
                .activities
                .iter()
                .filter(|a| a.opportunity_id.as_ref() == Some(&id))
                .collect(),
        };
        for a in read {
            let outcome = a
                .outcome
                .map_or(String::new(), |o| format!(" ({})", o.label()));
            let label = a
                .label
                .as_deref()
                .map_or(String::new(), |l| format!(" {}", sanitize(l)));
            let who = self
                .data
                .rep(&a.rep_id)
                .map_or(a.rep_id.0.to_string(), |r| r.name.clone());
            events.push((
                a.occurred_at,
                Event {
                    day: self.cal.local_date(a.occurred_at),
                    text: format!("{} by {}{label}{outcome}", a.kind, sanitize(&who)),
                    activity: true,
                },
            ));
        }
        events.sort_by_key(|e| std::cmp::Reverse(e.0));
        self.events = events.into_iter().map(|(_, e)| e).collect();
    }

    fn timeline(&self, cx: &Cx) -> Vec<Line<'static>> {
        let note = match self.read() {
            Some(Ok(_)) => None,
            None => Some(Line::styled(
                "(reading the deal's earlier activities…)",
                cx.theme.muted(),
            )),
            Some(Err(e)) => Some(Line::styled(
                format!(
                    "(the deal's earlier activities could not be read: {})",
                    sanitize(e)
                ),
                cx.theme.alert(),
            )),
        };
        note.into_iter()
            .chain(self.events.iter().map(|e| {
                Line::from(vec![
                    Span::styled(format!("{} ", e.day), cx.theme.muted()),
                    if e.activity {
                        Span::styled(e.text.clone(), cx.theme.good())
                    } else {
                        Span::raw(e.text.clone())
                    },
                ])
            }))
            .collect()
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, cx: &Cx) {
        let mut fields = self.fields(cx);
        // Fields that do not fit above the box (80×24) lead the scrolled box.
        let mut overflow = Vec::new();
        let [left, right] = if area.width >= 100 {
            Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(area)
        } else {
            let h = (fields.len() as u16).min(area.height.saturating_sub(5));
            overflow = fields.split_off((h as usize).min(fields.len()));
            Layout::vertical([Constraint::Length(h), Constraint::Min(3)]).areas(area)
        };
        Paragraph::new(fields).render(left, buf);
        let timeline: Vec<Line<'static>> = overflow.into_iter().chain(self.timeline(cx)).collect();
        if self.opp.is_some() {
            let why = self.why_score(cx, right.width.saturating_sub(2) as usize);
            let title = if why.is_empty() {
                "History and activities, newest first"
            } else {
                "History and activities, newest first · then why this score"
            };
            let block = widgets::pane_block(title.into(), false, cx.theme);
            let inner = block.inner(right);
            block.render(right, buf);
            if timeline.is_empty() && why.is_empty() {
                widgets::message(inner, buf, "(no history)", cx.theme.muted());
            } else {
                let mut lines = timeline;
                if lines.is_empty() {
                    lines.push(Line::styled("(no history)", cx.theme.muted()));
                }
                if !why.is_empty() {
                    lines.push(Line::raw(""));
                    lines.extend(why);
                }
                self.scroll.lines(inner, buf, lines);
            }
        }
    }
}
