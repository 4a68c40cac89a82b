//! The deal rows of a metric's records: one deal, the deals a rule picks,
//! those open at the window's end (at their amount then), a win rate's.

use super::super::index::{Index, Window, closed_in, open_at};
use super::{Counts, DealRecord, MetricRecords};
use crate::domain::model::{Opportunity, Status};

/// A deal's row, on its `side` of the metric.
pub(super) fn deal(
    ix: &Index<'_>,
    o: &Opportunity,
    side: impl Into<String>,
    counts: Counts,
) -> DealRecord {
    DealRecord {
        id: o.id.as_str().to_string(),
        name: o.name.clone(),
        amount: o.amount.map(|m| m.as_major_f64()),
        stage: o.stage.clone(),
        status: o.status.as_str(),
        close_date: o.closed_at.map(|c| ix.day(c)).or(o.close_date),
        side: side.into(),
        counts,
    }
}

/// The deals among `of` that `pick` selects, with their side.
pub(super) fn deals(
    ix: &Index<'_>,
    r: &mut MetricRecords,
    of: &[&Opportunity],
    pick: impl Fn(&Opportunity) -> Option<(String, Counts)>,
) {
    for o in of {
        if let Some((side, c)) = pick(o) {
            r.deals.push(deal(ix, o, side, c));
        }
    }
}

/// The deals of `of` open at the window's end, each with its amount then.
pub(super) fn open_deals(
    ix: &Index<'_>,
    r: &mut MetricRecords,
    of: &[&Opportunity],
    w: &Window,
    pick: impl Fn(&Opportunity, Option<crate::domain::Money>) -> (String, Counts),
) {
    for o in of.iter().filter(|o| open_at(o, w.end)) {
        let amount = ix.amount_at(o, w.end);
        let (side, counts) = pick(o, amount);
        let mut d = deal(ix, o, side, counts);
        d.amount = amount.map(|m| m.as_major_f64());
        r.deals.push(d);
    }
}

/// A win rate's deals: won (numerator and denominator), then lost (denominator).
pub(super) fn win_loss(ix: &Index<'_>, r: &mut MetricRecords, of: &[&Opportunity], w: &Window) {
    deals(ix, r, of, |o| {
        closed_in(o, Status::Won, w).then(|| ("won".into(), Counts::Both))
    });
    deals(ix, r, of, |o| {
        closed_in(o, Status::Lost, w).then(|| ("lost".into(), Counts::Denominator))
    });
}
