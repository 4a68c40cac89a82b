//! On the demo team: every Monday snapshot the generator wrote equals the
//! snapshot of the data rebuilt `--as-of` that Monday, and every week's
//! waterfall adds up; the accuracy report covers every closed quarter.

use chrono::NaiveDate;
use pipedeck::domain::accuracy::accuracy;
use pipedeck::domain::asof::dataset_as_of;
use pipedeck::domain::snapshot::take_snapshot;
use pipedeck::domain::waterfall::waterfall;
use pipedeck::domain::{Dataset, Settings};

#[test]
fn demo_snapshots_agree_with_as_of_and_accuracy_covers_closed_quarters() {
    let settings = Settings::default();
    let cal = settings.calendar().unwrap();
    let today = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
    let demo = pipedeck::demo::generate(7, today, &settings, &cal);
    let data = Dataset {
        reps: demo.reps.clone(),
        opportunities: demo.opportunities.clone(),
        history: demo.history.clone(),
        stages: demo.stages.clone(),
        ..Dataset::default()
    };
    assert!(demo.snapshots.len() > 50);
    for s in &demo.snapshots {
        let past = dataset_as_of(&data, cal.end_of(s.taken_on));
        let rebuilt = take_snapshot(&past, &cal, s.taken_at);
        assert_eq!(rebuilt.rows, s.rows, "as of {}", s.taken_on);
    }
    for pair in demo.snapshots.windows(2) {
        let p = cal.quarter_containing(pair[1].taken_on);
        let w = waterfall(&pair[0], &pair[1], &data, &cal, p);
        assert_eq!(
            w.net(),
            w.end - w.start,
            "{} → {}",
            pair[0].taken_on,
            pair[1].taken_on
        );
    }
    // Every quarter from the first snapshot's to the last closed one is covered.
    let acc = accuracy(&data, &demo.snapshots, &cal, today);
    let mut expected = Vec::new();
    let mut q = cal.quarter_containing(demo.snapshots[0].taken_on);
    while q.to <= today {
        expected.push(q);
        q = cal.shift(pipedeck::domain::PeriodKind::Quarter, q, 1);
    }
    let got: Vec<_> = acc.team.iter().map(|l| l.quarter).collect();
    assert_eq!(got, expected);
    assert!(acc.team.iter().skip(1).all(|l| l.headline.is_some()));
}
