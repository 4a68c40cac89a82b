//! What the HubSpot, Pipedrive and mapped imports share: headers matched
//! leniently (case, spacing and punctuation ignored, aliases per field),
//! CRM cell values (dates with or without a time in the configured zone,
//! amounts with any number of decimals), and rep ids from owner names.

use super::round_trip::Origin;
use super::table::{Row, Table, first_met};
use super::{Batch, Context};
use crate::domain::crm::Crm;
use crate::domain::model::{Account, AccountId, OppId, Rep, RepId, Stage, StageKind};
use crate::domain::money::Money;
use crate::domain::period::Calendar;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use std::collections::HashMap;

/// A header reduced to lower-case letters and digits (`Deal owner`,
/// `deal_owner` and `DEAL OWNER` all read `dealowner`).
pub fn norm(header: &str) -> String {
    header
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The table's header that matches any of `aliases` (each already a
/// [`norm`] form), by the normalising function `key`; the first alias wins.
pub fn find_column(t: &Table, aliases: &[&str], key: &dyn Fn(&str) -> String) -> Option<String> {
    aliases.iter().find_map(|a| {
        t.headers
            .iter()
            .find(|h| key(h) == *a)
            .map(|h| h.to_string())
    })
}

/// A rep id from an owner's name: lower case, every run of characters that
/// are not letters or digits one `-` (`Jane O'Neil` → `jane-o-neil`), the
/// rule of the CRM Sales Opportunities import. A character no terminal
/// shows is not a letter here (`text::invisible`: the Hangul fillers are
/// letters to Unicode), so no id made holds one.
pub fn rep_id(name: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in name.trim().chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() && !crate::text::is_invisible(c) {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c);
        } else {
            dash = true;
        }
    }
    out
}

/// An AE named `name` with the id [`rep_id`] gives.
pub fn owner_rep(name: &str) -> Rep {
    Rep::ae(RepId(rep_id(name).into()), name.trim().to_string())
}

const DATE_FORMS: &str = "YYYY-MM-DD, YYYY-MM-DD HH:MM[:SS], ISO 8601, or MM/DD/YYYY [HH:MM]";

/// An instant from a CRM export: RFC 3339 / ISO with an offset as written;
/// `YYYY-MM-DD HH:MM[:SS]` (also with `T`, or US `MM/DD/YYYY HH:MM`) as a
/// wall-clock time in the configured time zone (CRM exports write the
/// account's local time); a date alone as the start of that local day.
pub fn instant(v: &str, cal: &Calendar) -> Result<DateTime<Utc>, String> {
    let v = v.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Ok(t.with_timezone(&Utc));
    }
    if let Ok(t) = DateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S%.f%z") {
        return Ok(t.with_timezone(&Utc));
    }
    for f in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S%.f",
        "%m/%d/%Y %H:%M",
        "%m/%d/%Y %H:%M:%S",
        "%m/%d/%Y %I:%M %p",
    ] {
        if let Ok(n) = NaiveDateTime::parse_from_str(v, f) {
            return Ok(cal.instant_of(n));
        }
    }
    date(v)
        .map(|d| cal.start_of(d))
        .map_err(|_| format!("{v:?} is not a date or time ({DATE_FORMS})"))
}

/// A date; a time part after it is dropped (`2026-03-01 00:00` is a date).
pub fn date(v: &str) -> Result<NaiveDate, String> {
    let v = v.trim();
    let first = v.split([' ', 'T']).next().unwrap_or(v);
    for f in ["%Y-%m-%d", "%m/%d/%Y", "%Y/%m/%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(first, f) {
            return Ok(d);
        }
    }
    Err(format!("{v:?} is not a date ({DATE_FORMS})"))
}

/// An amount in major units: a decimal with any number of decimals
/// (rounded half away from zero to cents), thousands separators `,` allowed
/// only in groups of three (`12,500.75`). Negative amounts are refused, and
/// so is one whose point may group thousands (`12.500`: 12,500 where a dot
/// groups them, 12.50 where it is the decimal point).
pub fn amount(v: &str) -> Result<Money, String> {
    let bad = || format!("{v:?} is not an amount (a decimal like 12500.50)");
    let t = v.trim();
    // A comma groups thousands before the point only: `1.234,50` (a
    // decimal comma) would read as 1.23.
    if t.split_once('.')
        .is_some_and(|(_, frac)| frac.contains(','))
    {
        return Err(format!(
            "{v:?} is not an amount (a decimal like 12500.50; a decimal comma is not read)"
        ));
    }
    if let Some((int, frac)) = t.split_once('.')
        && (1..=3).contains(&int.len())
        && !int.starts_with('0')
        && frac.len() == 3
        && (int.bytes().chain(frac.bytes())).all(|b| b.is_ascii_digit())
    {
        return Err(format!(
            "{v:?} is ambiguous: a dot before three digits groups thousands in some exports; write {int}{frac} or {int}.{}",
            &frac[..2]
        ));
    }
    let plain = crate::domain::money::ungrouped(t).ok_or_else(bad)?;
    if plain.starts_with('-') {
        return Err(format!("{v:?} is negative; an amount is never below 0"));
    }
    let (int, frac) = plain.split_once('.').unwrap_or((&plain, ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if int.is_empty() && frac.is_empty() || !digits(int) || !digits(frac) {
        return Err(bad());
    }
    let major: i64 = if int.is_empty() {
        0
    } else {
        int.parse().map_err(|_| bad())?
    };
    let mut cents: i64 = frac
        .chars()
        .chain(std::iter::repeat('0'))
        .take(2)
        .collect::<String>()
        .parse()
        .map_err(|_| bad())?;
    if frac.as_bytes().get(2).is_some_and(|d| *d >= b'5') {
        cents += 1;
    }
    major
        .checked_mul(100)
        .and_then(|m| m.checked_add(cents))
        .map(Money)
        .ok_or_else(bad)
}

/// The positions of the stages the database and the config know (a new
/// stage goes after all of them).
pub fn known_positions(ctx: &Context<'_>) -> impl Iterator<Item = i64> {
    let stored = ctx.existing.stages.values().map(|s| s.0);
    stored.chain(ctx.settings.stage_list().into_iter().map(|s| s.position))
}

/// A stage a CRM file names, in the file's pipeline order.
pub struct SeenStage {
    pub name: String,
    pub kind: StageKind,
    /// The file's win probability for it (0–1), when it gives one.
    pub probability: Option<f64>,
}

/// Registers the stages neither the database nor the config knows, after
/// every known stage: open ones in the file's order, then won, then lost.
/// An open stage without a probability from the file gets an evenly spaced
/// one (`i / (n + 1)` for the i-th of n open stages, from 1).
pub fn register_stages(seen: Vec<SeenStage>, ctx: &Context<'_>, batch: &mut Batch) {
    let base = known_positions(ctx)
        .chain(batch.stages.iter().map(|s| s.position))
        .max()
        .map_or(0, |m| m + 1);
    let mut new: Vec<SeenStage> = Vec::new();
    for s in seen {
        let known = ctx.stage_kind(&s.name).is_some()
            || batch.stages.iter().any(|b| b.name == s.name)
            || new.iter().any(|n| n.name == s.name);
        if !known {
            new.push(s);
        }
    }
    let rank = |k: StageKind| match k {
        StageKind::Open => 0,
        StageKind::Won => 1,
        StageKind::Lost => 2,
    };
    new.sort_by_key(|s| rank(s.kind)); // stable: the file's order within a kind
    let open = new.iter().filter(|s| s.kind == StageKind::Open).count();
    for (i, s) in new.into_iter().enumerate() {
        let probability = s.probability.unwrap_or(match s.kind {
            StageKind::Won => 1.0,
            StageKind::Lost => 0.0,
            StageKind::Open => (i + 1) as f64 / (open + 1) as f64,
        });
        batch.stages.push(Stage {
            name: s.name,
            position: base + i as i64,
            probability: probability.clamp(0.0, 1.0),
            max_days: None,
            kind: s.kind,
        });
    }
}

/// A stage's kind told from its name: `Closed Won` / `Won` won, `Closed
/// Lost` / `Lost` lost (any case and spacing), also with a trailing
/// ` (<pipeline>)` as HubSpot writes it (`Closed Won (Renewals)`, read
/// without a Pipeline column to strip it); otherwise unknown.
pub fn kind_from_name(name: &str) -> Option<StageKind> {
    let bare = name
        .trim_end()
        .strip_suffix(')')
        .and_then(|s| s.split_once(" ("))
        .map_or(name, |(bare, _)| bare);
    match norm(bare).as_str() {
        "closedwon" | "won" | "dealwon" => Some(StageKind::Won),
        "closedlost" | "lost" | "deallost" => Some(StageKind::Lost),
        _ => None,
    }
}

/// The first won (or lost) stage of the database, else of the config.
pub fn terminal_stage(ctx: &Context<'_>, kind: StageKind) -> Option<String> {
    let db = ctx
        .existing
        .stages
        .iter()
        .filter(|(_, (_, k))| *k == kind)
        .map(|(n, (p, _))| (*p, n.clone()))
        .min();
    db.or_else(|| {
        ctx.settings
            .stage_list()
            .into_iter()
            .filter(|s| s.kind == kind)
            .map(|s| (s.position, s.name))
            .min()
    })
    .map(|(_, n)| n)
}

/// Notes the record id `id` of `row` (in `id_col`) as seen; `false`, with a
/// row error saying where the `what` (`record id`, `deal id`, `id`) was
/// first met, when it was seen before, or why not, when it holds a character
/// no terminal shows ([`Row::visible_id`]).
pub fn first_sighting(
    row: &mut Row<'_>,
    id_col: &str,
    id: &str,
    what: &str,
    seen: &mut HashMap<String, (String, u64)>,
) -> bool {
    if !row.visible_id(id_col, id) {
        return false;
    }
    let here = row.loc(id_col).file;
    if let Some((file, line)) = seen.get(id) {
        let first = first_met(file, *line, &here);
        row.fail(
            id_col,
            format!("{what} {id:?} appears twice (first {first})"),
        );
        return false;
    }
    seen.insert(id.to_string(), (here, row.line));
    true
}

/// The account a deal's company (organization) cell in `column` names, its
/// id by [`rep_id`]; added to the batch the first time it is met.
pub fn deal_account(row: &Row<'_>, column: Option<&str>, batch: &mut Batch) -> Option<AccountId> {
    let name = row.string(column?)?;
    let id = rep_id(&name);
    (!id.is_empty()).then(|| {
        if !batch.accounts.iter().any(|a| a.id.as_str() == id) {
            batch.accounts.push(Account {
                id: AccountId(id.clone().into()),
                name,
                segment: None,
                icp_tier: None,
                industry: None,
                employees: None,
            });
        }
        AccountId(id.into())
    })
}

/// The native columns a CRM file may carry, besides a deal's id, name,
/// stage and status (which every reader requires or derives) and its
/// closed instant (which the round trip keeps by its own rule).
const CARRIED: [&str; 12] = [
    "account_id",
    "owner_id",
    "source_rep_id",
    "created_at",
    "amount",
    "list_amount",
    "close_date",
    "forecast_category",
    "loss_reason",
    "next_step",
    "next_step_date",
    "channel",
];

/// The native columns of [`CARRIED`] a CRM file leaves out, given those
/// it has (`has`: column, whether the file carries it; a column not named
/// is not carried): its deals keep the database's values there
/// (`native::keep_absent_columns`), as a native file of a few columns does.
pub fn uncarried_of(has: &[(&str, bool)]) -> Vec<&'static str> {
    CARRIED
        .iter()
        .copied()
        .filter(|c| !has.contains(&(*c, true)))
        .collect()
}

/// Notes the deals pushed from `from` on, `files` (how many each file
/// brought, and the columns it leaves out, see [`uncarried`]) in push order.
pub fn note_uncarried(batch: &mut Batch, from: usize, files: Vec<(usize, Vec<&'static str>)>) {
    let mut at = from;
    for (n, absent) in files {
        if n > 0 && !absent.is_empty() {
            batch.partial_deals.push((at..at + n, absent));
        }
        at += n;
    }
}

/// Records where the deal `id` came from (its CRM record, at `id_col` of
/// `row`) and its last activity;
/// its opportunity id.
pub fn deal_origin(
    row: &Row<'_>,
    id_col: &str,
    id: String,
    crm: Crm,
    last_activity: Option<DateTime<Utc>>,
    batch: &mut Batch,
) -> OppId {
    let opp = OppId(id.clone().into());
    batch.origins.push(Origin {
        opp: opp.clone(),
        crm,
        crm_id: id,
        at: row.loc(id_col),
    });
    if let Some(at) = last_activity {
        batch.last_touch.push((opp.clone(), at));
    }
    opp
}

/// The closed instant of a closed deal whose export gives none: the start
/// of its close date, not before it was created (either alone when the
/// other is unknown).
pub fn closed_fallback(
    close_date: Option<NaiveDate>,
    created_at: Option<DateTime<Utc>>,
    cal: &Calendar,
) -> Option<DateTime<Utc>> {
    match (close_date.map(|d| cal.start_of(d)), created_at) {
        (Some(c), Some(k)) => Some(c.max(k)),
        (c, k) => c.or(k),
    }
}

/// A probability cell: a share (`0.2`) or a percentage (`20`, `20%`).
pub fn probability(v: &str) -> Result<f64, String> {
    let t = v.trim().trim_end_matches('%').trim();
    let p: f64 = t
        .parse()
        .map_err(|_| format!("{v:?} is not a probability (0.2, 20 or 20%)"))?;
    let share = if p > 1.0 || v.contains('%') {
        p / 100.0
    } else {
        p
    };
    if (0.0..=1.0).contains(&share) {
        Ok(share)
    } else {
        Err(format!("{v:?} is not a probability between 0 and 100%"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_amounts_with_decimals_and_separators() {
        let cases = [
            ("12500", Some(1_250_000)),
            ("12500.5", Some(1_250_050)),
            ("12500.505", Some(1_250_051)),
            ("12500.504", Some(1_250_050)),
            ("12,500.75", Some(1_250_075)),
            ("0", Some(0)),
            (".5", Some(50)),
            ("12,50", None),
            // A decimal comma is refused, never read 1000 times too small.
            ("1.234,50", None),
            ("2.500,00", None),
            ("1,234.5,0", None),
            // A dot before three digits may group thousands: refused.
            ("12.500", None),
            ("1.000", None),
            ("999.999", None),
            ("0.125", Some(13)),
            ("1234.500", Some(123_450)),
            ("12.5000", Some(1_250)),
            ("-5", None),
            ("abc", None),
            ("", None),
        ];
        for (v, want) in cases {
            assert_eq!(amount(v).ok().map(|m| m.0), want, "{v}");
        }
    }

    #[test]
    fn reads_dates_with_and_without_times_in_the_configured_zone() {
        let settings = crate::domain::Settings::default();
        let cal = settings.calendar().unwrap();
        // The default zone is UTC.
        let cases = [
            ("2026-03-01 10:30", Some("2026-03-01T10:30:00Z")),
            ("2026-03-01", Some("2026-03-01T00:00:00Z")),
            ("2026-03-01T10:30:00Z", Some("2026-03-01T10:30:00Z")),
            ("03/01/2026 10:30", Some("2026-03-01T10:30:00Z")),
            ("yesterday", None),
        ];
        for (v, want) in cases {
            let got = instant(v, &cal)
                .ok()
                .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string());
            assert_eq!(got.as_deref(), want, "{v}");
        }
        assert_eq!(
            date("2026-03-01 00:00").ok(),
            NaiveDate::from_ymd_opt(2026, 3, 1)
        );
    }

    #[test]
    fn owner_names_become_stable_ids() {
        assert_eq!(rep_id("Jane O'Neil"), "jane-o-neil");
        assert_eq!(rep_id("  Ann  Lee "), "ann-lee");
        assert_eq!(rep_id("Ann\u{3164}Lee\u{FFA0}"), "ann-lee");
        assert_eq!(norm("Deal - Currency of Value"), "dealcurrencyofvalue");
    }
}
