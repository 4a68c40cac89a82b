//! Edits from the command line: `deal`, `log`, `snooze`, `review`. Each goes
//! through the storage edit API the cockpit uses; an open review session is
//! attached automatically.

use super::Ctx;
use crate::app::edit::{self, EditCmd, LogActivity, Saved};
use crate::app::load::{Need, Snaps};
use crate::domain::hygiene::hygiene;
use crate::domain::model::*;
use crate::domain::money::Money;
use crate::report::agenda::AgendaReport;
use crate::report::{Format, render};
use crate::storage::Store;
use anyhow::Context;
use chrono::{DateTime, NaiveDate, Utc};
use clap::{Args, Subcommand};
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum ReviewCommand {
    /// Open a review session (or resume the open one); edits made until `review end` carry its id.
    Start {
        /// Who runs the review.
        #[arg(long)]
        facilitator: Option<String>,
    },
    /// End the open review session; print and store its closing report (Markdown).
    End,
    /// Print the agenda of the review (Markdown unless --format says otherwise).
    Agenda {
        #[arg(long, value_parser = super::args::format(), default_value = "md")]
        format: Format,
    },
}

#[derive(Debug, Args)]
pub struct DealArgs {
    /// Opportunity id.
    pub id: String,
    #[command(subcommand)]
    pub action: DealAction,
    /// Who makes the change (stored in history as changed_by).
    #[arg(long, global = true, value_name = "NAME")]
    pub by: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum DealAction {
    /// Show the deal, its hygiene flags explained, snooze, tag and history.
    Show,
    /// Move to another open stage: `deal OPP stage Proposal`.
    Stage { stage: String },
    /// Push or pull the expected close date: `deal OPP close-date 2026-12-15`.
    CloseDate {
        #[arg(value_parser = super::parse_date)]
        date: NaiveDate,
    },
    /// Set the amount in major units: `deal OPP amount 12500`.
    Amount {
        #[arg(allow_hyphen_values = true, value_parser = parse_amount)]
        amount: Money,
    },
    /// Set the forecast category: pipeline, best_case, commit, omitted.
    Category { category: ForecastCategory },
    /// Set the next step: `deal OPP next-step "Send SOW" --date 2026-12-01`.
    NextStep {
        text: String,
        /// When it is due [default: a week from today].
        #[arg(long, value_parser = super::parse_date)]
        date: Option<NaiveDate>,
    },
    /// Close won.
    Won,
    /// Close lost with a reason.
    Lost {
        #[arg(long)]
        reason: String,
    },
    /// Tag a stuck deal: red (blocker identified), yellow (waiting on the customer), green (needs internal help).
    Tag {
        tag: StuckTag,
        #[arg(long)]
        note: Option<String>,
    },
    /// Add an action item: `deal OPP action "Call CFO" --owner ae-01 --due 2026-12-01`.
    Action {
        text: String,
        #[arg(long)]
        owner: String,
        #[arg(long, value_parser = super::parse_date)]
        due: Option<NaiveDate>,
    },
}

#[derive(Debug, Args)]
pub struct LogArgs {
    /// call, email or meeting.
    pub kind: ActivityKind,
    /// The rep who did it.
    #[arg(long, value_name = "ID")]
    pub rep: String,
    /// The deal it touched.
    #[arg(long, value_name = "OPP")]
    pub deal: Option<String>,
    /// The account it touched (taken from the deal when absent).
    #[arg(long, value_name = "ID")]
    pub account: Option<String>,
    #[arg(long, value_name = "ID")]
    pub contact: Option<String>,
    /// connected / no_answer (calls), replied (emails), held / no_show (meetings).
    #[arg(long)]
    pub outcome: Option<Outcome>,
    /// Duration of a call or meeting.
    #[arg(long)]
    pub minutes: Option<i64>,
    /// first or follow_up (meetings; default follow_up).
    #[arg(long)]
    pub meeting_type: Option<MeetingType>,
    /// A label (e.g. "demo", "proposal").
    #[arg(long)]
    pub label: Option<String>,
    /// When it happened: RFC 3339 or `YYYY-MM-DD HH:MM` (UTC) [default: now].
    #[arg(long, value_parser = parse_instant, value_name = "INSTANT")]
    pub at: Option<DateTime<Utc>>,
}

#[derive(Debug, Args)]
pub struct SnoozeArgs {
    /// Opportunity id.
    pub id: String,
    /// Back on the to-do list on this date.
    #[arg(long, value_parser = super::parse_date, value_name = "DATE")]
    pub until: NaiveDate,
    /// Why the deal is fine until then.
    #[arg(long)]
    pub reason: String,
    #[arg(long, value_name = "NAME")]
    pub by: Option<String>,
}

/// Parses an instant: RFC 3339, or `YYYY-MM-DD HH:MM[:SS]` taken as UTC
/// (the import's rule, `import::table::parse_instant`).
pub fn parse_instant(s: &str) -> Result<DateTime<Utc>, String> {
    crate::import::table::parse_instant(s.trim())
}

/// Saves one edit through the use case both front-ends call, stamped with
/// the clock (moved onto `--today`) and the open review session.
fn save(ctx: &Ctx, store: &mut Store, by: Option<&str>, cmd: EditCmd) -> anyhow::Result<Saved> {
    let cmd = cmd.with_session(edit::open_session(store)?);
    Ok(edit::apply(store, &ctx.env(), Utc::now(), by, &cmd)?)
}

pub fn review(ctx: &Ctx, cmd: ReviewCommand) -> anyhow::Result<ExitCode> {
    let mut store = match cmd {
        ReviewCommand::Agenda { .. } => ctx.open_store_read()?,
        _ => ctx.open_store()?,
    };
    match cmd {
        ReviewCommand::Start { facilitator } => {
            // A session already open is resumed, as in the cockpit.
            let given = facilitator.clone();
            let cmd = EditCmd::StartReview { facilitator };
            if let Saved::ReviewStarted(s) = save(ctx, &mut store, None, cmd)? {
                // A facilitator given to a session already open is not
                // saved: said, not dropped in silence.
                if let Some(f) =
                    given.filter(|f| s.resumed && Some(f) != s.session.facilitator.as_ref())
                {
                    let kept = s.session.facilitator.as_deref().unwrap_or("none");
                    eprintln!(
                        "note: --facilitator {} not saved: the open review keeps its facilitator ({})",
                        crate::text::sanitize(&f),
                        crate::text::sanitize(kept)
                    );
                }
                let at = s.session.started_at.format("%Y-%m-%d %H:%M UTC");
                let id = s.session.id;
                if s.resumed {
                    println!(
                        "Review #{id} (started at {at}) is open: resumed; edits carry its id. End it with `pipedeck review end`."
                    );
                } else {
                    println!(
                        "Review #{id} started at {at}; edits now carry its id. End it with `pipedeck review end`."
                    );
                }
            }
        }
        ReviewCommand::End => {
            let cmd = EditCmd::EndReview { session: None };
            if let Saved::ReviewEnded(e) = save(ctx, &mut store, None, cmd)? {
                super::emit(&e.markdown)?;
            }
        }
        ReviewCommand::Agenda { format } => {
            let (data, _) = ctx.load(&store, Need::Review, None, Snaps::None)?;
            let sessions = store.load_review_sessions()?;
            let input = super::report::input(ctx, &data, ctx.today, None);
            let report = AgendaReport::build(&input, &sessions);
            super::emit(&render(&report, format).map_err(anyhow::Error::msg)?)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn deal(ctx: &Ctx, args: DealArgs) -> anyhow::Result<ExitCode> {
    let mut store = match args.action {
        DealAction::Show => ctx.open_store_read()?,
        _ => ctx.open_store()?,
    };
    let id = OppId(args.id.clone().into());
    let opp = id.clone();
    let session = None; // `save` attaches the open one
    let cmd = match args.action {
        DealAction::Show => {
            super::emit(&show(ctx, &store, &id)?)?;
            return Ok(ExitCode::SUCCESS);
        }
        DealAction::Tag { tag, note } => EditCmd::Tag {
            opp,
            tag,
            note,
            session,
        },
        DealAction::Action { text, owner, due } => EditCmd::ActionItem {
            opp,
            owner: RepId(owner.into()),
            text,
            due,
            session,
        },
        DealAction::Stage { stage } => EditCmd::MoveStage {
            opp,
            to: stage,
            session,
        },
        DealAction::CloseDate { date } => EditCmd::SetCloseDate { opp, date, session },
        DealAction::Amount { amount } => EditCmd::SetAmount {
            opp,
            amount,
            session,
        },
        DealAction::Category { category } => EditCmd::SetCategory {
            opp,
            category,
            session,
        },
        DealAction::NextStep { text, date } => EditCmd::SetNextStep {
            opp,
            text,
            date,
            session,
        },
        DealAction::Won => EditCmd::CloseWon { opp, session },
        DealAction::Lost { reason } => EditCmd::CloseLost {
            opp,
            reason,
            session,
        },
    };
    match save(ctx, &mut store, args.by.as_deref(), cmd)? {
        Saved::Tagged(t) => println!("{id}: tagged {}.", t.tag),
        Saved::ActionItem(item) => println!(
            "{id}: action item #{} for {} added.",
            item.id, item.owner_id
        ),
        Saved::Deal(applied) => {
            if applied.history.is_empty() {
                println!("{id}: nothing to change.");
            }
            for h in &applied.history {
                println!(
                    "{id}: {} {} → {}",
                    h.field,
                    crate::text::sanitize(&h.field.display_value(h.old_value.as_deref())),
                    crate::text::sanitize(&h.field.display_value(h.new_value.as_deref()))
                );
            }
        }
        _ => {}
    }
    Ok(ExitCode::SUCCESS)
}

/// The deal card: fields, flags explained, snooze, tag, history.
fn show(ctx: &Ctx, store: &Store, id: &OppId) -> anyhow::Result<String> {
    use crate::text::sanitize;
    let (data, _) = ctx.load(store, Need::Deal(id.clone()), None, Snaps::None)?;
    let o = data
        .opportunity(id)
        .with_context(|| format!("opportunity {id} not found"))?;
    let opt = |v: Option<String>| v.unwrap_or_else(|| "—".to_string());
    let mut out = format!(
        "{} — {}\nowner {}  stage {}  status {}  amount {}  close {}  category {}\nnext step: {} (due {})\n",
        o.id,
        sanitize(&o.name),
        o.owner_id,
        sanitize(&o.stage),
        o.status,
        opt(o.amount.map(|m| m.to_string())),
        opt(o.close_date.map(|d| d.to_string())),
        opt(o.forecast_category.map(|c| c.to_string())),
        sanitize(o.next_step.as_deref().unwrap_or("—")),
        opt(o.next_step_date.map(|d| d.to_string())),
    );
    // The loaded dataset holds the stages in force (`app::load`).
    let stages = &data.stages;
    let items = hygiene(&data, stages, &ctx.settings, &ctx.cal, ctx.today);
    let snooze = crate::domain::hygiene::snooze_in_force(&data, &ctx.cal, ctx.today, o);
    if let Some(s) = &snooze {
        out.push_str(&format!(
            "snoozed until {}: {}\n",
            s.until,
            sanitize(&s.reason)
        ));
    }
    match items.iter().find(|i| &i.opportunity_id == id) {
        None => out.push_str("hygiene: clean\n"),
        Some(i) => {
            for f in &i.flags {
                out.push_str(&format!(
                    "{}: {} — rule: {} (threshold {}); clear: {}\n",
                    f.reason.as_str(),
                    sanitize(&f.observed),
                    f.rule,
                    f.threshold,
                    f.clear
                ));
            }
        }
    }
    if o.status == crate::domain::Status::Open {
        let sx = crate::domain::score::ScoreIndex::new(&data, stages, &ctx.settings, ctx.cal);
        out.push_str(&crate::report::score::score_text(&sx.score(o, ctx.today)));
    }
    if let Some(t) = crate::domain::hygiene::tag_in_force(&data, &ctx.cal, ctx.today, id) {
        out.push_str(&format!(
            "tag: {} {}\n",
            t.tag,
            sanitize(t.note.as_deref().unwrap_or(""))
        ));
    }
    let pending: Vec<String> = store
        .local_edits()?
        .into_iter()
        .filter(|e| e.deal == id.as_str() && e.state == crate::domain::crm::PendingState::Pending)
        .map(|e| e.field.to_string())
        .collect();
    if !pending.is_empty() {
        out.push_str(&format!(
            "not yet in the CRM: {} (`pipedeck export --changes --for CRM DIR`)\n",
            pending.join(", ")
        ));
    }
    out.push_str("history:\n");
    for h in data.history.iter().filter(|h| &h.opportunity_id == id) {
        out.push_str(&format!(
            "  {}  {}: {} → {}{}\n",
            // In the configured zone, the days the rules count.
            h.changed_at
                .with_timezone(&ctx.cal.tz)
                .format("%Y-%m-%d %H:%M %Z"),
            h.field,
            sanitize(&h.field.display_value(h.old_value.as_deref())),
            sanitize(&h.field.display_value(h.new_value.as_deref())),
            h.review_session_id
                .map_or(String::new(), |s| format!("  (review #{s})"))
        ));
    }
    Ok(out)
}

pub fn log(ctx: &Ctx, args: LogArgs) -> anyhow::Result<ExitCode> {
    let mut store = ctx.open_store()?;
    // The rep is also who made it: an id no rep has is said as such (not
    // as a bad `--by` the user never typed).
    if !store.load_reps()?.iter().any(|r| r.id.as_str() == args.rep) {
        anyhow::bail!("--rep: no rep with id {:?} in the database", args.rep);
    }
    let cmd = EditCmd::Log {
        log: LogActivity {
            rep: Some(RepId(args.rep.clone().into())),
            kind: args.kind,
            opp: args.deal.map(OppId::from),
            account: args.account.map(AccountId::from),
            contact: args.contact.map(ContactId::from),
            outcome: args.outcome,
            minutes: args.minutes,
            meeting_type: args.meeting_type,
            label: args.label,
            at: args.at,
        },
        session: None,
    };
    if let Saved::Logged(a) = save(ctx, &mut store, Some(&args.rep), cmd)? {
        println!(
            "Logged {} {} at {}{}.",
            a.kind,
            a.id,
            a.occurred_at.format("%Y-%m-%d %H:%M UTC"),
            a.opportunity_id
                .as_ref()
                .map_or(String::new(), |o| format!(" on {o}"))
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn snooze(ctx: &Ctx, args: SnoozeArgs) -> anyhow::Result<ExitCode> {
    let mut store = ctx.open_store()?;
    let id = OppId(args.id.into());
    let cmd = EditCmd::Snooze {
        opp: id.clone(),
        reason: args.reason,
        until: args.until,
        session: None,
    };
    if let Saved::Snoozed(z) = save(ctx, &mut store, args.by.as_deref(), cmd)? {
        println!("{id}: snoozed until {} (snooze #{}).", z.until, z.id);
    }
    Ok(ExitCode::SUCCESS)
}

/// An amount in major units for clap (`12500`, `12500.50`): a bad one is a
/// usage error (exit 2).
fn parse_amount(s: &str) -> Result<Money, String> {
    Money::parse(s).map_err(|e| format!("{e} (an amount in major units, like 12500 or 12500.50)"))
}
