//! The closing report of a review session (SPEC §7), printed by
//! `pipedeck review end` and stored as Markdown in the session.

use super::hygiene::md;
use super::{Column, Report, Table, UNDEFINED};
use crate::domain::model::Status;
use crate::domain::review::closing::ClosingReport;
use serde::Serialize;

/// The closing report, ready to render.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClosingReportView {
    pub currency: String,
    #[serde(flatten)]
    pub report: ClosingReport,
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map_or_else(|| UNDEFINED.to_string(), |x| x.to_string())
}

impl Report for ClosingReportView {
    fn tables(&self) -> Vec<Table> {
        let r = &self.report;
        let mut summary = Table::new(
            Some(format!("Review #{} closing report", r.session_id)),
            vec![Column::left("what"), Column::right("count")],
        );
        let mut add = |k: &str, v: String| summary.rows.push(vec![k.to_string(), v]);
        add("minutes", r.minutes.to_string());
        add("deals closed", r.closed.len().to_string());
        add("deals updated", r.deals_updated.to_string());
        for f in &r.updated_by_field {
            add(
                &format!("  {} changes", f.field.as_str()),
                f.changes.to_string(),
            );
        }
        add("activities logged", r.activities_logged.to_string());
        add("contacts touched", r.contacts_touched.to_string());
        add("snoozes", r.snoozes.to_string());
        add("tags", r.tags.to_string());
        add("action items", r.action_items.len().to_string());
        let mut left = Table::new(
            Some("Left open".to_string()),
            vec![
                Column::left("rep"),
                Column::right("hygiene to do"),
                Column::right("action items"),
            ],
        );
        for l in &r.left_open {
            left.rows.push(vec![
                l.name.clone(),
                l.hygiene_items.to_string(),
                l.action_items.to_string(),
            ]);
        }
        vec![summary, left]
    }

    fn markdown(&self) -> Option<String> {
        let r = &self.report;
        let mut out = format!(
            "# Pipeline review #{} — closing report\n\n{} → {} ({} min).\n\n",
            r.session_id,
            r.started_at.format("%Y-%m-%d %H:%M UTC"),
            r.ended_at.format("%H:%M UTC"),
            r.minutes
        );
        out.push_str(&format!("## Deals closed ({})\n\n", r.closed.len()));
        if r.closed.is_empty() {
            out.push_str("_None._\n");
        }
        for c in &r.closed {
            let verb = if c.status == Status::Won {
                "Won"
            } else {
                "Lost"
            };
            let why = c
                .loss_reason
                .as_deref()
                .map_or(String::new(), |x| format!(" — {}", md(x)));
            out.push_str(&format!(
                "- {verb} **{}** ({}, {}) — {} {}{why}\n",
                md(&c.name),
                md(c.opportunity_id.as_str()),
                md(c.owner_id.as_str()),
                self.currency,
                opt(c.amount)
            ));
        }
        out.push_str(&format!("\n## Deals updated ({})\n\n", r.deals_updated));
        if r.updated_by_field.is_empty() {
            out.push_str("_None._\n");
        }
        // Every deal by name, each field old → new.
        let mut last: Option<&crate::domain::OppId> = None;
        for c in &r.changes {
            if last != Some(&c.opportunity_id) {
                out.push_str(&format!(
                    "- **{}** ({}, {})\n",
                    md(&c.name),
                    md(c.opportunity_id.as_str()),
                    md(c.owner_id.as_str())
                ));
                last = Some(&c.opportunity_id);
            }
            // Amounts are kept in cents in history: shown as money.
            let value = |v: &Option<String>| match (c.field, v) {
                (crate::domain::HistoryField::Amount, Some(x)) => x.parse::<i64>().map_or_else(
                    |_| x.clone(),
                    |cents| crate::domain::Money(cents).to_string(),
                ),
                _ => opt(v.clone()),
            };
            out.push_str(&format!(
                "  - {}: {} → {}\n",
                c.field.as_str().replace('_', " "),
                md(&value(&c.old_value)),
                md(&value(&c.new_value))
            ));
        }
        out.push_str(&format!(
            "\n## Activity\n\n- Activities logged: {} ({} calls, {} emails, {} meetings)\n- Contacts touched: {}\n- Snoozes: {}\n- Stuck-deal tags: {}\n",
            r.activities_logged, r.calls, r.emails, r.meetings, r.contacts_touched, r.snoozes, r.tags
        ));
        out.push_str(&format!("\n## Action items ({})\n\n", r.action_items.len()));
        if r.action_items.is_empty() {
            out.push_str("_None._\n");
        }
        for a in &r.action_items {
            // The owner by name where the report knows it.
            let owner = r
                .left_open
                .iter()
                .find(|l| l.rep_id == a.owner_id)
                .map_or_else(|| a.owner_id.0.to_string(), |l| l.name.clone());
            out.push_str(&format!(
                "- [ ] {} — {} — due {}\n",
                md(&a.text),
                md(&owner),
                opt(a.due_date)
            ));
        }
        out.push_str(
            "\n## Left open per rep\n\n| rep | hygiene to do | action items |\n|---|---:|---:|\n",
        );
        for l in &r.left_open {
            out.push_str(&format!(
                "| {} | {} | {} |\n",
                md(&l.name),
                l.hygiene_items,
                l.action_items
            ));
        }
        Some(out)
    }
}
