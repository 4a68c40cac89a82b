//! The hand-made week every metric test reads: three AEs, SDRs, their deals,
//! activities and stage moves in Mon 2026-11-02 .. Mon 2026-11-09 (UTC), and
//! small builders for other tests' own fixtures.

use super::*;
use crate::domain::model::*;
use crate::domain::money::Money;
use chrono::{DateTime, NaiveDate, Utc};

pub(crate) fn t(s: &str) -> DateTime<Utc> {
    let s = if s.len() == 10 {
        format!("{s}T00:00:00Z")
    } else {
        format!("{s}Z")
    };
    s.parse().expect("test instant")
}

pub(crate) fn d(s: &str) -> NaiveDate {
    s.parse().expect("test date")
}

pub(crate) fn rep(id: &str, role: Role, start: Option<&str>, end: Option<&str>) -> Rep {
    Rep {
        id: RepId(id.into()),
        name: id.to_uppercase(),
        email: None,
        role,
        team: None,
        manager_id: None,
        start_date: start.map(d),
        end_date: end.map(d),
        quota_amount: None,
        quota_meetings: None,
    }
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn opp(
    id: &str,
    owner: &str,
    source: Option<&str>,
    account: Option<&str>,
    created: Option<&str>,
    status: Status,
    closed: Option<&str>,
    cents: Option<i64>,
) -> Opportunity {
    Opportunity {
        id: OppId(id.into()),
        name: id.into(),
        account_id: account.map(|a| AccountId(a.into())),
        owner_id: RepId(owner.into()),
        source_rep_id: source.map(|s| RepId(s.into())),
        created_at: created.map(t),
        stage: "Demo".into(),
        amount: cents.map(Money),
        close_date: None,
        forecast_category: None,
        status,
        closed_at: closed.map(t),
        loss_reason: None,
        next_step: None,
        next_step_date: None,
        list_amount: None,
        channel: None,
    }
}

/// An activity; `spec` is "kind[/meeting type][/outcome][/direction]".
#[allow(clippy::too_many_arguments)]
pub(crate) fn act(
    id: &str,
    rep: &str,
    spec: &str,
    at: &str,
    opp: Option<&str>,
    account: Option<&str>,
    contact: Option<&str>,
    minutes: Option<i64>,
) -> Activity {
    let mut parts = spec.split('/');
    let kind: ActivityKind = parts.next().unwrap_or("call").parse().expect("kind");
    let mut a = Activity {
        id: ActivityId(id.into()),
        rep_id: RepId(rep.into()),
        kind,
        meeting_type: None,
        label: None,
        opportunity_id: opp.map(|o| OppId(o.into())),
        account_id: account.map(|a| AccountId(a.into())),
        contact_id: contact.map(|c| ContactId(c.into())),
        occurred_at: t(at),
        outcome: None,
        duration_min: minutes,
        direction: None,
        review_session_id: None,
    };
    for p in parts {
        if let Ok(m) = p.parse() {
            a.meeting_type = Some(m);
        } else if let Ok(o) = p.parse() {
            a.outcome = Some(o);
        } else {
            a.direction = Some(p.parse().expect("spec part"));
        }
    }
    a
}

pub(crate) fn stage_move(opp: &str, at: &str, from: Option<&str>, to: &str) -> HistoryEntry {
    HistoryEntry {
        opportunity_id: OppId(opp.into()),
        changed_at: t(at),
        field: HistoryField::Stage,
        old_value: from.map(Into::into),
        new_value: Some(to.into()),
        changed_by: None,
        review_session_id: None,
    }
}

pub(crate) fn contact(id: &str, account: &str) -> Contact {
    Contact {
        id: ContactId(id.into()),
        account_id: Some(AccountId(account.into())),
        name: id.into(),
        title: None,
    }
}

pub(crate) fn fixture() -> Dataset {
    use Status::*;
    let mut activities = vec![
        // ann
        act(
            "a0",
            "ann",
            "call",
            "2026-10-20T09:00:00",
            None,
            None,
            Some("c1"),
            None,
        ),
        act(
            "a1",
            "ann",
            "meeting/first/held",
            "2026-11-02T09:00:00",
            Some("o1"),
            Some("A1"),
            Some("c1"),
            Some(30),
        ),
        act(
            "a2",
            "ann",
            "meeting/follow_up",
            "2026-11-03T10:00:00",
            Some("o1"),
            None,
            Some("c2"),
            None,
        ),
        act(
            "a3",
            "ann",
            "meeting/follow_up/no_show",
            "2026-11-04T10:00:00",
            Some("o2"),
            Some("A2"),
            None,
            None,
        ),
        act(
            "a4",
            "ann",
            "call/connected",
            "2026-11-04T11:00:00",
            None,
            Some("A2"),
            Some("c3"),
            Some(5),
        ),
        act(
            "a5",
            "ann",
            "email/outbound",
            "2026-11-05T08:00:00",
            None,
            None,
            Some("c1"),
            None,
        ),
        act(
            "a6",
            "ann",
            "email/inbound",
            "2026-11-06T08:00:00",
            None,
            Some("A3"),
            Some("c4"),
            None,
        ),
        act(
            "a7",
            "ann",
            "meeting/first/held",
            "2026-11-08T23:59:59",
            Some("o2"),
            None,
            None,
            None,
        ),
        act(
            "a8",
            "ann",
            "call",
            "2026-11-09T00:00:00",
            None,
            Some("A1"),
            None,
            None,
        ),
        // bob (left 2026-11-05)
        act(
            "b0",
            "bob",
            "meeting/follow_up/held",
            "2026-10-30T09:00:00",
            Some("o1"),
            None,
            None,
            None,
        ),
        act(
            "b1",
            "bob",
            "call/connected",
            "2026-11-03T09:00:00",
            None,
            None,
            None,
            Some(4),
        ),
        // sam (SDR)
        act(
            "s1",
            "sam",
            "call/connected",
            "2026-11-02T10:00:00",
            None,
            None,
            Some("c5"),
            Some(10),
        ),
        act(
            "s2",
            "sam",
            "call/no_answer",
            "2026-11-02T11:00:00",
            None,
            Some("A4"),
            None,
            Some(1),
        ),
        act(
            "s3",
            "sam",
            "call/connected",
            "2026-11-03T10:00:00",
            None,
            Some("A5"),
            None,
            Some(20),
        ),
        act(
            "s4",
            "sam",
            "email/outbound/replied",
            "2026-11-04T10:00:00",
            None,
            None,
            Some("c6"),
            None,
        ),
        act(
            "s5",
            "sam",
            "email",
            "2026-11-04T11:00:00",
            None,
            Some("A5"),
            None,
            None,
        ),
        act(
            "s6",
            "sam",
            "email/inbound",
            "2026-11-05T10:00:00",
            None,
            Some("A6"),
            None,
            None,
        ),
        act(
            "s7",
            "sam",
            "meeting/first",
            "2026-11-05T15:00:00",
            None,
            Some("A4"),
            None,
            None,
        ),
    ];
    activities.sort_by_key(|a| a.occurred_at);
    Dataset {
        reps: vec![
            rep("ann", Role::Ae, Some("2020-01-01"), None),
            rep("bob", Role::Ae, Some("2020-01-01"), Some("2026-11-05")),
            rep("cat", Role::Ae, Some("2026-10-01"), None),
            rep("dan", Role::Ae, None, None),
            rep("eve", Role::Ae, None, None),
            rep("old", Role::Ae, Some("2020-01-01"), Some("2026-10-01")),
            rep("sam", Role::Sdr, Some("2020-01-01"), None),
        ],
        contacts: vec![
            contact("c1", "A1"),
            contact("c2", "A1"),
            contact("c5", "A4"),
            contact("c6", "A6"),
        ],
        opportunities: vec![
            opp(
                "o1",
                "ann",
                None,
                Some("A1"),
                Some("2026-10-01T12:00:00"),
                Won,
                Some("2026-11-08T23:59:59"),
                Some(100_000),
            ),
            opp(
                "o2",
                "ann",
                Some("sam"),
                Some("A2"),
                Some("2026-11-03T09:00:00"),
                Open,
                None,
                None,
            ),
            opp(
                "o3",
                "ann",
                None,
                None,
                Some("2026-09-01"),
                Lost,
                Some("2026-11-04T12:00:00"),
                Some(50_000),
            ),
            opp(
                "o4",
                "ann",
                Some("sam"),
                None,
                Some("2026-11-05"),
                Won,
                Some("2026-11-06"),
                Some(30_050),
            ),
            opp(
                "o5",
                "ann",
                None,
                None,
                Some("2026-08-01"),
                Open,
                None,
                Some(200_000),
            ),
            opp(
                "o6",
                "ann",
                None,
                Some("A9"),
                Some("2026-10-20"),
                Won,
                Some("2026-11-09T00:00:00"),
                Some(40_000),
            ),
            opp(
                "o7",
                "ann",
                None,
                None,
                Some("2026-11-10"),
                Open,
                None,
                Some(1),
            ),
            opp("o8", "eve", None, None, None, Open, None, None),
            opp(
                "s1",
                "old",
                Some("sam"),
                None,
                Some("2026-10-01"),
                Lost,
                Some("2026-11-07"),
                Some(80_000),
            ),
        ],
        history: vec![
            stage_move("o6", "2026-10-25T10:00:00", Some("Proposal"), "Negotiation"),
            stage_move("o2", "2026-11-03T09:00:00", None, "Discovery"),
            stage_move("o5", "2026-11-04T09:00:00", Some("Proposal"), "Demo"),
            stage_move("o3", "2026-11-04T12:00:00", Some("Demo"), "Closed Lost"),
            stage_move("o2", "2026-11-06T10:00:00", Some("Discovery"), "Demo"),
            stage_move(
                "o1",
                "2026-11-08T23:59:59",
                Some("Negotiation"),
                "Closed Won",
            ),
        ],
        activities,
        stages: crate::domain::Settings::default().stage_list(),
        ..Dataset::default()
    }
}

pub(crate) fn week() -> Period {
    Period {
        from: d("2026-11-02"),
        to: d("2026-11-09"),
    }
}
