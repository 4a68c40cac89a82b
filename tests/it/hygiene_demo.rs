//! On the demo team (seed 7, today 2026-11-24) the planted untouched,
//! past-due, slipping and stuck deals are on the right reps' hygiene lists.

use chrono::NaiveDate;
use pipedeck::demo::{self, PlantedKind};
use pipedeck::domain::hygiene::{Reason, hygiene};
use pipedeck::domain::*;

#[test]
fn planted_situations_are_on_the_right_lists() {
    let settings = Settings::default();
    let cal = settings.calendar().unwrap();
    let today = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
    let d = demo::generate(7, today, &settings, &cal);
    let data = Dataset {
        reps: d.reps.clone(),
        accounts: d.accounts.clone(),
        contacts: d.contacts.clone(),
        opportunities: d.opportunities.clone(),
        history: d.history.clone(),
        activities: d.activities.clone(),
        stages: d.stages.clone(),
        ..Dataset::default()
    };
    let items = hygiene(&data, &data.stages, &settings, &cal, today);
    // Deals checked per reason: untouched, slipping, stuck, and past due.
    let mut checked = [0usize; 4];
    for p in &d.planted {
        let reason = match p.kind {
            PlantedKind::Untouched => Reason::Untouched,
            PlantedKind::Slipping => Reason::Slipping,
            PlantedKind::Stuck => Reason::Stuck,
            _ => continue,
        };
        let id = p
            .opportunity_id
            .as_ref()
            .expect("a planted deal names its deal");
        let item = items
            .iter()
            .find(|i| &i.opportunity_id == id)
            .unwrap_or_else(|| panic!("{id} ({}) is not on the list", p.description));
        assert!(
            item.has(reason),
            "{id}: {:?} lacks {reason:?}",
            item.reasons()
        );
        assert_eq!(item.owner_id, p.rep_id, "{id}");
        assert!(item.is_todo(), "{id} is snoozed");
        // "close date … is past" in the description: past due as well.
        if p.description.contains("is past") {
            assert!(item.has(Reason::PastDue), "{id}: {:?}", item.reasons());
            checked[3] += 1;
        }
        checked[match reason {
            Reason::Untouched => 0,
            Reason::Slipping => 1,
            _ => 2,
        }] += 1;
    }
    // Every kind was planted and checked (seed 7 today: 22 untouched, 18 of
    // them past due, 4 slipping, 2 stuck; the exact mix is the generator's).
    assert!(checked.iter().all(|n| *n > 0), "{checked:?}");
}
