//! One currency per database (SPEC §2): the amounts of a CRM file whose
//! deals carry a currency (Pipedrive's `Currency of Value`, HubSpot's
//! `Currency`, Salesforce's `CurrencyIsoCode`) are put in the database
//! currency (`currency` in the config) with `[import.rates]`.

use super::table::{Row, Table};
use super::{Context, Loc, RowError};
use crate::domain::money::Money;
use std::collections::BTreeMap;

/// A deal's currency as its file gives it, with where (`None`: the file has
/// no currency column or the cell is empty, so the database's).
pub type Priced = Option<(String, Loc)>;

/// The rate that puts each deal's amount (one per `currencies`, in order) in
/// the database currency:
/// - a foreign currency with a rate in `[import.rates]`: that rate (a file
///   all in it is converted too, so a later file mixing it with the
///   database's gives the same amounts);
/// - one foreign currency alone, without a rate: taken as it is (rate 1),
///   with a warning on its first row (a team that keeps its books in it
///   says so with `currency`);
/// - in a file of several currencies, a row in a foreign one without a
///   rate is refused (it cannot be put in the database currency).
pub fn rates(
    currencies: &[Priced],
    ctx: &Context<'_>,
    warnings: &mut Vec<RowError>,
    errors: &mut Vec<RowError>,
) -> Vec<f64> {
    let home = ctx.settings.currency.to_uppercase();
    let mut used: BTreeMap<&str, usize> = BTreeMap::new();
    for (c, _) in currencies.iter().flatten() {
        *used.entry(c.as_str()).or_default() += 1;
    }
    let rate = |c: &str| -> Option<f64> {
        if c == home {
            return Some(1.0);
        }
        ctx.settings
            .import
            .rates
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(c))
            .map(|(_, r)| *r)
    };
    let of_each: Vec<f64> = currencies
        .iter()
        .map(|p| p.as_ref().and_then(|(c, _)| rate(c)).unwrap_or(1.0))
        .collect();
    if used.keys().all(|c| rate(c).is_some()) {
        return of_each;
    }
    if let [(foreign, _)] = used.iter().collect::<Vec<_>>()[..] {
        if let Some((_, at)) = currencies.iter().flatten().next() {
            warnings.push(RowError {
                at: at.clone(),
                reason: format!(
                    "amounts in {foreign} taken as they are, while pipedeck keeps {home}: set `currency = \"{foreign}\"` in the config, or give {foreign} a rate under [import.rates] to convert"
                ),
            });
        }
        return of_each;
    }
    let summary: Vec<String> = used.iter().map(|(c, n)| format!("{c} {n}")).collect();
    for (c, at) in currencies.iter().flatten() {
        if rate(c).is_none() {
            errors.push(RowError {
                at: at.clone(),
                reason: format!(
                    "currency {c} has no rate, in a file of several currencies ({}); pipedeck keeps one currency ({home}): give {c} a rate under [import.rates] to convert",
                    summary.join(", ")
                ),
            });
        }
    }
    of_each
}

/// `m` at `rate`, rounded to the cent.
pub fn at_rate(m: Money, rate: f64) -> Money {
    if rate == 1.0 {
        return m;
    }
    Money((m.0 as f64 * rate).round() as i64)
}

/// The currency `row` gives in `column` (upper-cased: `eur` is `EUR`),
/// with where; `None` without the column or in an empty cell.
pub fn of_row(row: &Row<'_>, column: Option<&str>) -> Priced {
    let column = column?;
    row.text(column)
        .map(|v| (v.trim().to_uppercase(), row.loc(column)))
}

/// Puts each of `amounts` (one per `currencies`, in order) in the database
/// currency at the rate [`rates`] gives it; returns those rates. Warnings go
/// to the file's table, refusals to `errors`.
pub fn convert<'m>(
    currencies: &[Priced],
    amounts: impl Iterator<Item = &'m mut Option<Money>>,
    ctx: &Context<'_>,
    t: &Table,
    errors: &mut Vec<RowError>,
) -> Vec<f64> {
    let rates = rates(currencies, ctx, &mut t.warnings.borrow_mut(), errors);
    for (amount, rate) in amounts.zip(&rates) {
        *amount = amount.map(|m| at_rate(m, *rate));
    }
    rates
}
