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

fn values(s: &DealScore) -> (u32, u32, u32, u32, u32) {
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
    let cases: Vec<(DealFacts, (u32, u32, u32, u32, u32))> = vec![
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
            "flagged past_due; 1 push of the close date in the last 90 days.",
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
    let cases = [(0, 0), (19, 0), (20, 1), (59, 2), (60, 3), (80, 4), (99, 4), (100, 4)];
    for (s, b) in cases {
        assert_eq!(band_of(s), b, "{s}");
    }
}
