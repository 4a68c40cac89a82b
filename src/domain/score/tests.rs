//! The deal score on hand-worked cases (default settings: weights fit 0.2,
//! engagement 0.3, momentum 0.5, risk 0.5; tiers A 100, B 60, C 20; segments
//! Enterprise 100, Mid-Market 80, SMB 50; unknown 50; full marks at 6
//! touches and 3 contacts; risk untouched 30, past due 25, stuck 20, no next
//! step 20, 10 per push).

use super::*;
use crate::domain::hygiene::Reason::*;

fn facts() -> DealFacts {
    DealFacts {
        stage: "Demo".into(),
        window_days: 90,
        ..DealFacts::default()
    }
}

/// (fit, engagement, momentum, risk, score).
type Values = (u32, u32, u32, u32, u32);

fn values(s: &DealScore) -> Values {
    let v = |k| s.factor(k).map_or(999, |f| f.value);
    (
        v(FactorKind::Fit),
        v(FactorKind::Engagement),
        v(FactorKind::Momentum),
        v(FactorKind::Risk),
        s.value,
    )
}

#[test]
fn factors_and_score_worked_by_hand() {
    let s = ScoreSettings::default();
    // (facts, (fit, engagement, momentum, risk, score))
    let cases: Vec<(DealFacts, Values)> = vec![
        // Tier A 100, segment "mid-market" (case ignored) 80 → fit 90.
        // 3 touches, 1 contact: 60 × 3/6 + 40 × 1/3 = 43.3 → 43.
        // 7 of 14 days: stage part 50; 1 pull: date part 75 → 0.6×50 + 0.4×75 = 60.
        // No next step: risk 20.
        // Score: 0.2×90 + 0.3×43 + 0.5×60 − 0.5×20 = 18 + 12.9 + 30 − 10 = 50.9 → 51.
        (
            DealFacts {
                icp_tier: Some("A".into()),
                segment: Some("mid-market".into()),
                touches: 3,
                contacts: 1,
                days_in_stage: Some(7),
                max_days: Some(14),
                pulls: 1,
                reasons: vec![NoNextStep],
                ..facts()
            },
            (90, 43, 60, 20, 51),
        ),
        // Nothing known; segment "Retail" unlisted: fit (50 + 50)/2 = 50.
        // No touches: 0. Days unknown: stage part 50; 3 pushes: 50 − 75 → 0;
        // momentum 30. Risk 30+25+20+20+0 + 3×10 = 125 → 100.
        // Score 0.2×50 + 0 + 0.5×30 − 50 = −25 → 0.
        (
            DealFacts {
                segment: Some("Retail".into()),
                pushes: 3,
                reasons: vec![Untouched, PastDue, Stuck, NoNextStep, Slipping],
                ..facts()
            },
            (50, 0, 30, 100, 0),
        ),
        // Tier B 60, Enterprise 100 → 80. 9 touches, 4 contacts: capped → 100.
        // Day 0 of 21: 100; 2 pulls: 100 → 100. No risk.
        // Score 16 + 30 + 50 = 96.
        (
            DealFacts {
                icp_tier: Some("B".into()),
                segment: Some("Enterprise".into()),
                touches: 9,
                contacts: 4,
                days_in_stage: Some(0),
                max_days: Some(21),
                pulls: 2,
                ..facts()
            },
            (80, 100, 100, 0, 96),
        ),
        // Tier C 20, SMB 50 → 35. 1 touch, 1 contact: 10 + 13.3 = 23.
        // 30 days of 21: stage part 0; 1 push: 25 → 10. Stuck + 1 push: 30.
        // Score 7 + 6.9 + 5 − 15 = 3.9 → 4.
        (
            DealFacts {
                icp_tier: Some("C".into()),
                segment: Some("SMB".into()),
                touches: 1,
                contacts: 1,
                days_in_stage: Some(30),
                max_days: Some(21),
                pushes: 1,
                reasons: vec![Stuck],
                ..facts()
            },
            (35, 23, 10, 30, 4),
        ),
        // A stage without a limit: 5 days → stage part 50, date part 50 → 50.
        // Fit 50, engagement 0, risk 0: 10 + 0 + 25 = 35.
        (
            DealFacts {
                days_in_stage: Some(5),
                ..facts()
            },
            (50, 0, 50, 0, 35),
        ),
    ];
    for (f, want) in cases {
        assert_eq!(values(&score(&f, &s)), want, "{f:?}");
    }
}

#[test]
fn every_factor_explains_itself_in_a_sentence() {
    let f = DealFacts {
        icp_tier: Some("A".into()),
        touches: 2,
        contacts: 1,
        days_in_stage: Some(3),
        max_days: Some(14),
        pushes: 1,
        reasons: vec![PastDue],
        ..facts()
    };
    let sc = score(&f, &ScoreSettings::default());
    let text: Vec<&str> = sc.factors.iter().map(|f| f.explanation.as_str()).collect();
    assert_eq!(
        text,
        [
            "ICP tier A (100 points) and segment unknown (50 points).",
            "2 real touches and 1 contact in the last 30 days (full marks at 6 and 3).",
            "3 of the 14 days allowed in Demo; close date pulled in 0×, pushed out 1× in the last 90 days.",
            "flagged past due; 1 push of the close date in the last 90 days.",
        ]
    );
}

#[test]
fn weights_come_from_settings() {
    // Only fit counts, risk weighs 1: tier A + Enterprise → fit 100; risk 20
    // (no next step) → 100 − 20 = 80.
    let s = ScoreSettings {
        weight_fit: 1.0,
        weight_engagement: 0.0,
        weight_momentum: 0.0,
        weight_risk: 1.0,
        ..ScoreSettings::default()
    };
    let f = DealFacts {
        icp_tier: Some("a".into()),
        segment: Some("Enterprise".into()),
        reasons: vec![NoNextStep],
        ..facts()
    };
    assert_eq!(score(&f, &s).value, 80);
}

#[test]
fn bands_of_scores() {
    use super::calibration::band_of;
    let cases = [
        (0, 0),
        (19, 0),
        (20, 1),
        (59, 2),
        (60, 3),
        (80, 4),
        (99, 4),
        (100, 4),
    ];
    for (s, b) in cases {
        assert_eq!(band_of(s), b, "{s}");
    }
}

mod replay {
    //! Facts gathered from a dataset and the calibration replay, by hand.
    //! Q4 2026, UTC, default stages (Discovery, Demo 21 days, Prospecting 30).
    use super::super::calibration::calibrate;
    use super::super::{ScoreIndex, score};
    use crate::domain::asof::opportunity_as_of;
    use crate::domain::metrics::tests::{act, d, opp, stage_move, t};
    use crate::domain::model::*;
    use crate::domain::period::{Calendar, Period};
    use crate::domain::settings::Settings;

    fn change(id: &str, at: &str, field: HistoryField, old: &str, new: &str) -> HistoryEntry {
        HistoryEntry {
            opportunity_id: OppId(id.into()),
            changed_at: t(at),
            field,
            old_value: Some(old.into()),
            new_value: Some(new.into()),
            changed_by: None,
            review_session_id: None,
        }
    }

    /// "a": won 11-20, tier A Enterprise; Discovery 09-01, Demo 10-10; close
    /// date pushed 10-31 → 11-15 on 10-01 (and set to 11-20 on closing); next
    /// step "Send SOW" due 12-01; touches 10-15 (c1), 10-18 (c2), 10-20 (c1).
    /// "b": lost 11-25, no account; Prospecting since 08-01, close date 10-15,
    /// no next step, never touched. "c": won 11-10, created 11-01.
    /// "e": won 07-15 (another quarter).
    fn data() -> Dataset {
        use HistoryField::{CloseDate, Status as StatusField};
        let mut a = opp(
            "a",
            "ann",
            None,
            Some("acc"),
            Some("2026-09-01"),
            Status::Won,
            Some("2026-11-20T10:00:00"),
            Some(1_000_000),
        );
        a.stage = "Closed Won".into();
        a.close_date = Some(d("2026-11-20"));
        a.next_step = Some("Send SOW".into());
        a.next_step_date = Some(d("2026-12-01"));
        let mut b = opp(
            "b",
            "ann",
            None,
            None,
            Some("2026-08-01"),
            Status::Lost,
            Some("2026-11-25T10:00:00"),
            None,
        );
        b.stage = "Closed Lost".into();
        b.close_date = Some(d("2026-10-15"));
        let mut c = opp(
            "c",
            "ann",
            None,
            None,
            Some("2026-11-01"),
            Status::Won,
            Some("2026-11-10T10:00:00"),
            None,
        );
        c.stage = "Closed Won".into();
        let mut e = opp(
            "e",
            "ann",
            None,
            None,
            Some("2026-06-01"),
            Status::Won,
            Some("2026-07-15T10:00:00"),
            None,
        );
        e.stage = "Closed Won".into();
        let mut history = vec![
            stage_move("b", "2026-08-01T09:00:00", None, "Prospecting"),
            stage_move("a", "2026-09-01T09:00:00", None, "Discovery"),
            change(
                "a",
                "2026-10-01T09:00:00",
                CloseDate,
                "2026-10-31",
                "2026-11-15",
            ),
            stage_move("a", "2026-10-10T09:00:00", Some("Discovery"), "Demo"),
            stage_move("c", "2026-11-01T09:00:00", None, "Demo"),
            stage_move("a", "2026-11-20T10:00:00", Some("Demo"), "Closed Won"),
            change("a", "2026-11-20T10:00:00", StatusField, "open", "won"),
            change(
                "a",
                "2026-11-20T10:00:00",
                CloseDate,
                "2026-11-15",
                "2026-11-20",
            ),
            stage_move(
                "b",
                "2026-11-25T10:00:00",
                Some("Prospecting"),
                "Closed Lost",
            ),
            change("b", "2026-11-25T10:00:00", StatusField, "open", "lost"),
        ];
        history.sort_by_key(|h| h.changed_at);
        Dataset {
            accounts: vec![Account {
                id: AccountId("acc".into()),
                name: "Acc".into(),
                segment: Some("Enterprise".into()),
                icp_tier: Some("A".into()),
                industry: None,
                employees: None,
            }],
            opportunities: vec![a, b, c, e],
            history,
            activities: vec![
                act(
                    "1",
                    "ann",
                    "call",
                    "2026-10-15T10:00:00",
                    Some("a"),
                    None,
                    Some("c1"),
                    None,
                ),
                act(
                    "2",
                    "ann",
                    "meeting",
                    "2026-10-18T10:00:00",
                    Some("a"),
                    None,
                    Some("c2"),
                    None,
                ),
                act(
                    "3",
                    "ann",
                    "email",
                    "2026-10-20T10:00:00",
                    Some("a"),
                    None,
                    Some("c1"),
                    None,
                ),
            ],
            ..Dataset::default()
        }
    }

    fn q4() -> Period {
        Period {
            from: d("2026-10-01"),
            to: d("2027-01-01"),
        }
    }

    #[test]
    fn a_push_undone_is_neither_a_push_nor_a_pull_in_the_score() {
        let mut data = data();
        // Deal a, on 10-21 (one push on 10-01): pushed 11-15 → 12-15 on
        // 10-15 and set back the next day.
        data.history.extend([
            change(
                "a",
                "2026-10-15T09:00:00",
                HistoryField::CloseDate,
                "2026-11-15",
                "2026-12-15",
            ),
            change(
                "a",
                "2026-10-16T09:00:00",
                HistoryField::CloseDate,
                "2026-12-15",
                "2026-11-15",
            ),
        ]);
        data.history.sort_by_key(|h| h.changed_at);
        let (_, f, _) = replay_a(&data, d("2026-10-21"));
        // The 10-01 push only, as without the pair.
        assert_eq!((f.pushes, f.pulls), (1, 0));
    }

    /// Deal a as it stood at the end of `day`, and its facts and flags
    /// then (default settings).
    fn replay_a(
        data: &Dataset,
        day: chrono::NaiveDate,
    ) -> (
        Opportunity,
        super::super::DealFacts,
        Vec<crate::domain::hygiene::Flag>,
    ) {
        let settings = Settings::default();
        let stages = settings.stage_list();
        let ix = ScoreIndex::new(data, &stages, &settings, Calendar::default());
        let a = &data.opportunities[0];
        let then = opportunity_as_of(a, ix.history(&a.id), Calendar::default().end_of(day))
            .expect("existed");
        let (f, flags) = ix.facts(&then, day);
        (then, f, flags)
    }

    #[test]
    fn a_closed_deal_replayed_thirty_days_before_it_closed() {
        let data = data();
        let settings = Settings::default();
        // Replay day 11-20 − 30 = 10-21.
        let (then, f, flags) = replay_a(&data, d("2026-10-21"));
        assert_eq!((then.status, then.stage.as_str()), (Status::Open, "Demo"));
        assert_eq!(then.close_date, Some(d("2026-11-15")));
        // 3 touches in 09-21..10-21, contacts c1 and c2; Demo since 10-10: 11
        // of 21 days; one push (10-01) in the last 90 days; no flag.
        assert_eq!((f.touches, f.contacts), (3, 2));
        assert_eq!((f.days_in_stage, f.max_days), (Some(11), Some(21)));
        assert_eq!((f.pushes, f.pulls), (1, 0));
        assert!(flags.is_empty(), "{flags:?}");
        // fit 100; engagement 30 + 26.7 = 57; momentum 0.6 × 47.6 + 0.4 × 25
        // = 38.6 → 39; risk 10 (one push). Score 20 + 17.1 + 19.5 − 5 = 51.6 → 52.
        let s = score(&f, &settings.score);
        let v: Vec<u32> = s.factors.iter().map(|x| x.value).collect();
        assert_eq!((v, s.value), (vec![100, 57, 39, 10], 52));
    }

    /// Open deal "x" of `account`, created 2026-09-01 (84 days before
    /// 2026-11-24), in Demo since (stuck: 21 days allowed), closing
    /// 2026-12-31 with a next step due 2026-12-01; no activity row.
    fn untouched_deal(account: Option<&str>) -> Opportunity {
        let mut o = opp(
            "x",
            "ann",
            None,
            account,
            Some("2026-09-01"),
            Status::Open,
            None,
            Some(100_000),
        );
        o.close_date = Some(d("2026-12-31"));
        o.next_step = Some("Call".into());
        o.next_step_date = Some(d("2026-12-01"));
        o
    }

    #[test]
    fn a_crm_last_activity_is_a_touch_for_the_risk_as_for_hygiene() {
        // Never touched in pipedeck; the CRM's last activity on it was
        // 2026-11-20, 4 days before today.
        let mut data = Dataset {
            opportunities: vec![untouched_deal(None)],
            ..Dataset::default()
        };
        let settings = Settings::default();
        let stages = settings.stage_list();
        let today = d("2026-11-24");
        let untouched = |data: &Dataset| {
            let ix = ScoreIndex::new(data, &stages, &settings, Calendar::default());
            let (f, _) = ix.facts(&data.opportunities[0], today);
            f.reasons
                .contains(&crate::domain::hygiene::Reason::Untouched)
        };
        // 84 days since created: untouched (30 days).
        assert!(untouched(&data));
        data.crm_last_touch = vec![(OppId("x".into()), t("2026-11-20T10:00:00"))];
        assert!(!untouched(&data));
    }

    #[test]
    fn the_latest_touch_before_a_window_counts_on_the_deal_or_its_account() {
        // A deal of account "acc" in a window read for last touches only.
        let mut data = Dataset {
            opportunities: vec![untouched_deal(Some("acc"))],
            lookback: Some(Lookback::default()),
            ..Dataset::default()
        };
        let settings = Settings::default();
        let stages = settings.stage_list();
        let today = d("2026-11-24");
        // (last touch, days untouched, flagged untouched) on the hygiene
        // list, and whether the score's risk counts it untouched.
        let seen = |data: &Dataset| {
            let cal = Calendar::default();
            let listed: Vec<_> =
                crate::domain::hygiene::hygiene(data, &stages, &settings, &cal, today)
                    .into_iter()
                    .map(|i| {
                        let untouched = i
                            .reasons()
                            .contains(&crate::domain::hygiene::Reason::Untouched);
                        (i.last_touch, i.days_untouched, untouched)
                    })
                    .collect();
            let ix = ScoreIndex::new(data, &stages, &settings, cal);
            let (f, _) = ix.facts(&data.opportunities[0], today);
            let risk = f
                .reasons
                .contains(&crate::domain::hygiene::Reason::Untouched);
            (listed, risk)
        };
        assert_eq!(seen(&data), (vec![(None, Some(84), true)], true));
        // A CRM's last activity dated after today is not a touch yet.
        data.crm_last_touch = vec![(OppId("x".into()), t("2026-11-30T10:00:00"))];
        assert_eq!(seen(&data), (vec![(None, Some(84), true)], true));
        // The deal's latest before the window, 2026-11-12: 12 days, under
        // the 30 of the rule, though the CRM's (later) instant is passed over.
        let before = data.lookback.as_mut().expect("a window");
        before.deal_touches = vec![(OppId("x".into()), t("2026-11-12T10:00:00"))];
        assert_eq!(
            seen(&data),
            (vec![(Some(d("2026-11-12")), Some(12), false)], false)
        );
        // The account's, on 2026-11-15, is later: 9 days.
        let before = data.lookback.as_mut().expect("a window");
        before.account_touches = vec![(AccountId("acc".into()), t("2026-11-15T10:00:00"))];
        assert_eq!(
            seen(&data),
            (vec![(Some(d("2026-11-15")), Some(9), false)], false)
        );
    }

    #[test]
    fn calibration_bands_of_the_quarter() {
        let data = data();
        let settings = Settings::default();
        let stages = settings.stage_list();
        let ix = ScoreIndex::new(&data, &stages, &settings, Calendar::default());
        let c = calibrate(&ix, q4(), 30);
        // a scores 52 (40–60, won). b on 10-26: Prospecting 86 of 30 days →
        // momentum 20, engagement 0, fit 50, risk untouched 30 + past due 25 +
        // stuck 20 + no next step 20 = 95 → 10 + 0 + 10 − 47.5 < 0 → 0 (0–20,
        // lost). c was created after its replay day (10-11): skipped. e closed
        // in another quarter.
        let got: Vec<(u32, u32, u32, Option<f64>, u32)> = c
            .bands
            .iter()
            .map(|b| (b.from, b.won, b.lost, b.win_rate, b.n))
            .collect();
        assert_eq!(
            got,
            [
                (0, 0, 1, Some(0.0), 1),
                (20, 0, 0, None, 0),
                (40, 1, 0, Some(1.0), 1),
                (60, 0, 0, None, 0),
                (80, 0, 0, None, 0),
            ]
        );
        assert_eq!(c.skipped, 1);
    }
}
