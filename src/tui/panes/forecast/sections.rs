//! Two sections of the forecast pane, drawn as lines: how the call moved
//! since last week, and the accuracy of past calls.

use super::*;

impl ForecastPane {
    /// How the call moved since last week: then, now, the deals in and out.
    pub(super) fn movement(&self, cx: &Cx) -> Vec<Line<'static>> {
        let Some(m) = &self.movement else {
            return vec![Line::styled(
                "The call's movement covers a month or a quarter (p).",
                cx.theme.muted(),
            )];
        };
        let change = m.call_now.0 - m.call_then.0;
        let mut lines = vec![
            Line::from(vec![
                Span::styled(format!("call on {} ", m.then), cx.theme.muted()),
                Span::styled(m.call_then.to_string(), cx.theme.money()),
                Span::styled(" → now ", cx.theme.muted()),
                Span::styled(m.call_now.to_string(), cx.theme.money()),
                Span::styled(
                    format!(" ({})", signed(change)),
                    if change < 0 {
                        cx.theme.alert()
                    } else {
                        cx.theme.good()
                    },
                ),
            ]),
            Line::styled(
                format!("(the call of {} rebuilt from history)", m.then),
                cx.theme.muted(),
            ),
        ];
        let sum = |v: &[crate::report::movement::CallMove]| -> i64 {
            v.iter().map(|x| x.amount.map_or(0, |a| a.0)).sum()
        };
        lines.push(Line::styled(
            format!(
                "moved in: {} deal(s), {}",
                m.moved_in.len(),
                signed(sum(&m.moved_in))
            ),
            cx.theme.title(false),
        ));
        // The largest moves; the rest counted with their sum.
        const SHOWN: usize = 10;
        let more = |rest: &[crate::report::movement::CallMove], sign: i64| {
            Line::styled(
                format!(
                    "      … and {} smaller deal(s), {} in all",
                    rest.len(),
                    signed(sign * sum(rest))
                ),
                cx.theme.muted(),
            )
        };
        for d in m.moved_in.iter().take(SHOWN) {
            let a = d.amount.map_or("—".into(), |a| format!("+{a}"));
            lines.push(self.deal_line(&d.opportunity_id, a, &d.why, cx.theme.good()));
        }
        if m.moved_in.len() > SHOWN {
            lines.push(more(&m.moved_in[SHOWN..], 1));
        }
        lines.push(Line::styled(
            format!(
                "moved out: {} deal(s), {}",
                m.moved_out.len(),
                signed(-sum(&m.moved_out))
            ),
            cx.theme.title(false),
        ));
        for d in m.moved_out.iter().take(SHOWN) {
            let a = d.amount.map_or("—".into(), |a| format!("−{a}"));
            lines.push(self.deal_line(&d.opportunity_id, a, &d.why, cx.theme.alert()));
        }
        if m.moved_out.len() > SHOWN {
            lines.push(more(&m.moved_out[SHOWN..], -1));
        }
        // The rest of the difference, as `report movement` says it: the
        // lines add up to the change.
        let changed = change - sum(&m.moved_in) + sum(&m.moved_out);
        lines.push(Line::styled(
            format!(
                "amount changes (the rest of the difference): {}",
                signed(changed)
            ),
            cx.theme.title(false),
        ));
        lines
    }

    /// Past quarters' headline error as bars; `┊` marks ±25 %; flagged
    /// quarters say so in words; rebuilt ones say so too.
    pub(super) fn accuracy(&self, cx: &Cx, width: u16) -> Vec<Line<'static>> {
        let Some(a) = &self.accuracy else {
            return vec![Line::styled("loading…", cx.theme.muted())];
        };
        if a.accuracy.team.is_empty() {
            return vec![Line::styled(
                "No closed quarter with a snapshot or history yet.",
                cx.theme.muted(),
            )];
        }
        let cells = (width as usize).saturating_sub(40).clamp(8, 50);
        // The bar spans 0 to 50 % error; the flag line sits at 25 %.
        let scale = 0.5;
        let mark = ((FLAG_LINE / scale) * cells as f64).round() as usize;
        let mut lines = Vec::new();
        for q in &a.accuracy.team {
            let err = q.headline.as_ref().and_then(|h| h.error);
            let n = err.map_or(0, |e| {
                ((e.abs() / scale).min(1.0) * cells as f64).round() as usize
            });
            let mut chars: Vec<char> = "█"
                .repeat(n)
                .chars()
                .chain(" ".repeat(cells - n).chars())
                .collect();
            if mark < cells && chars[mark] == ' ' {
                chars[mark] = '┊';
            }
            let flagged = q.flagged || err.is_some_and(|e| e.abs() > FLAG_LINE);
            let style = if q.red_flag {
                cx.theme.alert()
            } else if flagged {
                cx.theme.warn()
            } else {
                cx.theme.good()
            };
            let word = if q.red_flag {
                " ⚑ red flag"
            } else if flagged {
                " ⚑ off by >25%"
            } else {
                ""
            };
            let rebuilt = if a.rebuilt_from_history.contains(&q.quarter.from) {
                " (rebuilt)"
            } else {
                ""
            };
            lines.push(Line::from(vec![
                Span::styled(format!("{:<8} ", q.quarter_label), cx.theme.muted()),
                Span::styled(chars.into_iter().collect::<String>(), style),
                Span::styled(format!(" {:>7}", fmt_error(err)), style),
                Span::styled(word.to_string(), style),
                Span::styled(rebuilt.to_string(), cx.theme.muted()),
            ]));
        }
        lines.push(Line::styled(
            "┊ marks ±25 %; bars span 0–50 % error of the first-day call",
            cx.theme.muted(),
        ));
        if !a.rebuilt_from_history.is_empty() {
            lines.push(Line::styled(
                "(rebuilt): no snapshot that quarter; its first-day call is rebuilt from history",
                cx.theme.muted(),
            ));
        }
        lines
    }
}
