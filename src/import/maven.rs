//! The public "CRM Sales Opportunities" set (SPEC §10.2): `sales_teams.csv`,
//! `accounts.csv`, `sales_pipeline.csv`, and `products.csv`, whose
//! `sales_price` is each deal's `list_amount` (SPEC §15; products are not an
//! entity, the product stays in the deal name). The data dictionary is
//! recognised and skipped.

use super::detect::MavenKind;
use super::table::{Row, Table, first_met, parse_date};
use super::{Batch, Context, RowError, Target};
use crate::domain::model::*;
use crate::domain::money::Money;
use std::collections::HashMap;

/// The set's four stages: two open, two terminal. Probabilities are ours (the
/// set has none); `max_days` follows its cycle (mean 48 days, max 138).
pub fn stages() -> Vec<Stage> {
    let s = |name: &str, position, probability, max_days, kind| Stage {
        name: name.to_string(),
        position,
        probability,
        max_days,
        kind,
    };
    vec![
        s("Prospecting", 0, 0.10, Some(30), StageKind::Open),
        s("Engaging", 1, 0.40, Some(90), StageKind::Open),
        s("Won", 2, 1.0, None, StageKind::Won),
        s("Lost", 3, 0.0, None, StageKind::Lost),
    ]
}

/// A stable id from a name: lower case, runs of anything but letters and
/// digits become one `-` (`Darcel Schlecht` → `darcel-schlecht`); a
/// character no terminal shows is no letter (`text::is_invisible`).
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.trim().chars() {
        if c.is_alphanumeric() && !crate::text::is_invisible(c) {
            out.extend(c.to_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// A product name as a key: lower case, without spaces, so `GTXPro` in
/// `sales_pipeline.csv` meets `GTX Pro` in `products.csv`.
fn product_key(p: &str) -> String {
    p.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// A product's list price (`sales_price`, in the database currency).
fn product_row(row: &mut Row<'_>, prices: &mut HashMap<String, Money>) {
    let name = row.required("product");
    let price = row.money("sales_price");
    if let (false, Some(p)) = (name.is_empty(), price) {
        prices.insert(product_key(&name), p);
    }
}

/// The set's product names, with `GTXPro` read as `GTX Pro`.
fn product_name(p: &str) -> &str {
    if p == "GTXPro" { "GTX Pro" } else { p }
}

pub fn build(
    files: &[(MavenKind, &Table)],
    ctx: &Context<'_>,
    batch: &mut Batch,
    errors: &mut Vec<RowError>,
) {
    if files.is_empty() {
        return;
    }
    let mut account_names: HashMap<String, String> = HashMap::new();
    // Where each deal id was first read: an id twice would make the last row win.
    let mut deal_ids: HashMap<String, (String, u64)> = HashMap::new();
    // Each agent's id, name and line: two rows for one agent would make the last win.
    let mut agents: HashMap<String, (String, String, u64)> = HashMap::new();
    // List prices by product key (see [`product_key`]).
    let mut prices: HashMap<String, Money> = HashMap::new();
    let order = [
        MavenKind::Teams,
        MavenKind::Accounts,
        MavenKind::Products,
        MavenKind::Pipeline,
    ];
    for want in order {
        for (kind, t) in files.iter().filter(|(k, _)| *k == want) {
            let (from, mut lines) = (batch.opportunities.len(), Vec::new());
            for mut row in t.rows() {
                if *kind == MavenKind::Pipeline
                    && let Some(id) = row.string("opportunity_id")
                {
                    row.visible_id("opportunity_id", &id);
                    match deal_ids.get(&id) {
                        Some((file, line)) => {
                            let first = first_met(file, *line, &t.file);
                            row.fail(
                                "opportunity_id",
                                format!("id {id:?} appears twice (first {first})"),
                            );
                            if let Err(mut e) = row.finish() {
                                errors.append(&mut e);
                            }
                            continue;
                        }
                        None => {
                            deal_ids.insert(id, (t.file.clone(), row.line));
                        }
                    }
                }
                match kind {
                    MavenKind::Teams => team_row(&mut row, batch, &mut agents),
                    MavenKind::Accounts => account_row(&mut row, batch, &mut account_names),
                    MavenKind::Products => product_row(&mut row, &mut prices),
                    MavenKind::Pipeline => deal_row(&mut row, ctx, batch, &account_names, &prices),
                    MavenKind::Ignored => {}
                }
                lines.resize(batch.opportunities.len() - from, row.line);
                if let Err(mut e) = row.finish() {
                    errors.append(&mut e);
                }
            }
            let range = from..batch.opportunities.len();
            batch.deal_lines.push((range, t.file.clone(), lines));
        }
    }
    let has_deals = files.iter().any(|(k, _)| *k == MavenKind::Pipeline);
    if has_deals {
        for s in stages() {
            if !ctx.existing.stages.contains_key(&s.name) {
                batch.stages.push(s);
            }
        }
        batch.closed_creation_stage = Some("Engaging".to_string());
    }
}

/// An agent (an AE) and, the first time they appear, their manager. An
/// agent whose id was already read (same name, or a name with the same slug)
/// is a row error.
fn team_row(
    row: &mut Row<'_>,
    batch: &mut Batch,
    agents: &mut HashMap<String, (String, String, u64)>,
) {
    let agent = row.required("sales_agent");
    let manager = row.required("manager");
    let office = row.string("regional_office");
    if agent.is_empty() || manager.is_empty() {
        return;
    }
    let id = slug(&agent);
    let file = row.loc("sales_agent").file;
    if let Some((first, first_file, line)) = agents.get(&id) {
        let at = if *first_file == file {
            format!("on line {line}")
        } else {
            format!("at {first_file}:{line}")
        };
        row.fail(
            "sales_agent",
            format!("{agent:?} and {first:?} give the same id {id:?} (first {at})"),
        );
        return;
    }
    agents.insert(id, (agent.clone(), file, row.line));
    let manager_id = RepId(slug(&manager).into());
    if !batch.reps.iter().any(|r| r.id == manager_id) {
        batch
            .reps
            .push(person(&manager, Role::Manager, office.clone(), None));
    }
    batch
        .reps
        .push(person(&agent, Role::Ae, office, Some(manager_id)));
}

fn person(name: &str, role: Role, team: Option<String>, manager_id: Option<RepId>) -> Rep {
    Rep {
        id: RepId(slug(name).into()),
        name: name.to_string(),
        email: None,
        role,
        team,
        manager_id,
        // Unknown: treated as ramped (SPEC §10.2).
        start_date: None,
        end_date: None,
        quota_amount: None,
        quota_meetings: None,
    }
}

fn account_row(row: &mut Row<'_>, batch: &mut Batch, names: &mut HashMap<String, String>) {
    let name = row.required("account");
    let employees = row.int("employees");
    if name.is_empty() {
        return;
    }
    let id = slug(&name);
    if let Some(other) = names.insert(id.clone(), name.clone()) {
        row.fail(
            "account",
            format!("{name:?} and {other:?} give the same id {id:?}"),
        );
    }
    let industry = row.string("sector").map(|s| match s.as_str() {
        "technolgy" => "technology".to_string(),
        _ => s,
    });
    batch.accounts.push(Account {
        id: AccountId(id.into()),
        name,
        segment: None,
        icp_tier: None,
        industry,
        employees,
    });
}

fn deal_row(
    row: &mut Row<'_>,
    ctx: &Context<'_>,
    batch: &mut Batch,
    account_names: &HashMap<String, String>,
    prices: &HashMap<String, Money>,
) {
    let id = row.required("opportunity_id");
    let agent = row.required("sales_agent");
    let owner = slug(&agent);
    if !owner.is_empty() {
        batch.refer(row.loc("sales_agent"), Target::Rep, &owner);
    }
    let account = row.string("account");
    let account_id = account.as_deref().map(slug);
    if let Some(a) = &account_id {
        batch.refer(row.loc("account"), Target::Account, a);
    }
    let product = row.string("product").unwrap_or_default();
    let stage = row.required("deal_stage");
    let status = match stage.as_str() {
        "Prospecting" | "Engaging" => Status::Open,
        "Won" => Status::Won,
        "Lost" => Status::Lost,
        "" => return,
        other => {
            row.fail(
                "deal_stage",
                format!("{other:?} is not a stage of this set (Prospecting, Engaging, Won, Lost)"),
            );
            return;
        }
    };
    let engage = row.parse_with("engage_date", parse_date);
    let close = row.parse_with("close_date", parse_date);
    let value = row.money("close_value");
    if let (Some(e), Some(c)) = (engage, close)
        && status.is_closed()
        && c < e
    {
        row.warn(
            "close_date",
            format!("closed on {c}, before it was engaged on {e} (implausible)"),
        );
    }
    // A lost deal's 0 means unknown; open deals carry no amount.
    let amount = match (status, value) {
        (Status::Lost, Some(Money(0))) => None,
        (_, v) => v,
    };
    let list_amount = prices.get(&product_key(&product)).copied();
    let product = product_name(&product);
    let name = match account.as_deref() {
        Some(a) => format!(
            "{} — {product}",
            account_names.get(&slug(a)).map_or(a, |n| n)
        ),
        None => format!("{product} (no account)"),
    };
    batch.opportunities.push(Opportunity {
        id: OppId(id.into()),
        name,
        account_id: account_id.map(AccountId::from),
        owner_id: RepId(owner.into()),
        source_rep_id: None,
        created_at: engage.map(|d| ctx.cal.start_of(d)),
        stage,
        amount,
        list_amount,
        close_date: close,
        forecast_category: status.is_closed().then_some(ForecastCategory::Closed),
        status,
        closed_at: if status.is_closed() {
            close.map(|d| ctx.cal.start_of(d))
        } else {
            None
        },
        loss_reason: None,
        next_step: None,
        next_step_date: None,
        channel: None,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_stable_ids() {
        let cases = [
            ("Darcel Schlecht", "darcel-schlecht"),
            ("  Mei-Mei Johns ", "mei-mei-johns"),
            ("Acme Corporation", "acme-corporation"),
            ("Dr. O'Neil & Co.", "dr-o-neil-co"),
            ("Zoë  Ångström", "zoë-ångström"),
            // A Hangul filler is a letter to Unicode, and shows as nothing.
            ("Ann\u{3164}Lee", "ann-lee"),
            ("Ann\u{200b}", "ann"),
        ];
        for (name, want) in cases {
            assert_eq!(slug(name), want, "{name}");
        }
    }

    #[test]
    fn reads_gtxpro_as_gtx_pro() {
        assert_eq!(product_name("GTXPro"), "GTX Pro");
        assert_eq!(product_name("MG Special"), "MG Special");
    }

    #[test]
    fn product_keys_ignore_spaces_and_case() {
        assert_eq!(product_key("GTXPro"), product_key("GTX Pro"));
        assert_eq!(product_key(" gtx  pro "), "gtxpro");
        assert_ne!(product_key("GTX Basic"), product_key("GTX Pro"));
    }
}
