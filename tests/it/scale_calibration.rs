//! `report score-calibration` without `--period` reads a quarter of closes
//! at a time (issue 10: it held all history, 1.2 GB on the large demo). On
//! the demo team, whose closes span five quarters, the report from those
//! reads equals the one from every deal and every activity, for replays 7,
//! 30 and 90 days before close, as the data stands and as of a past day.

use pipedeck::app::load::{Need, Snaps, load_one};
use pipedeck::demo;
use pipedeck::domain::Settings;
use pipedeck::report::Input;
use pipedeck::report::score::CalibrationReport;
use pipedeck::storage::Store;

#[test]
fn calibration_over_every_close_read_by_quarter_equals_it_from_everything() {
    let settings = Settings::default();
    let cal = settings.calendar().unwrap();
    let today: chrono::NaiveDate = "2026-11-24".parse().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("demo.db")).unwrap();
    demo::write(&demo::generate(7, today, &settings, &cal), &mut store).unwrap();
    let mut compared = 0;
    for as_of in [None, Some("2026-06-30".parse().unwrap())] {
        for days in [7, 30, 90] {
            let (all, _) = load_one(
                &store,
                &settings,
                &cal,
                today,
                Need::Calibration(None, days),
                as_of,
                Snaps::None,
            )
            .unwrap();
            let input = Input {
                data: &all,
                snapshots: &[],
                settings: &settings,
                cal: &cal,
                today: as_of.unwrap_or(today),
                period: None,
            };
            let whole = CalibrationReport::build(&input, days);
            let sliced = CalibrationReport::of(
                pipedeck::app::calibration::every_close(
                    &store, &settings, &cal, today, as_of, days,
                )
                .unwrap(),
            );
            let n: u32 = whole.bands.iter().map(|b| b.n).sum();
            assert!(n > 50, "{as_of:?} {days}: {n} deals replayed");
            assert_eq!(sliced, whole, "as of {as_of:?}, {days} days");
            compared += 1;
        }
    }
    assert_eq!(compared, 6);
}

/// As of a past day the closes read are those of that day: o1 won on
/// 2026-02-10 and reopened on 2026-05-01 is open now, so today's closes
/// start with o2's on 2026-04-20; as of 2026-04-30 both were won, the
/// first close was o1's, and both are replayed 10 days before (created
/// in January, open then). With today 2026-03-01 no close has happened:
/// o1 is open in the data, o2's close is dated later. o2 has a call on
/// its replay day, late, and one after it.
#[test]
fn calibration_as_of_a_day_reads_the_closes_a_reopening_undid_since() {
    use crate::import_stream::{run, set_dir};
    let (_dir, set) = set_dir();
    crate::scale_accuracy_rebuilt::two_aes(
        &set,
        &[
            (
                "opportunities.csv",
                "id,name,account_id,owner_id,created_at,stage,amount,close_date,status,closed_at\n\
                 o1,Anvils,acme,sam,2026-01-05T09:00:00Z,Negotiation,400,2026-06-30,open,\n\
                 o2,Rockets,acme,sam,2026-01-12T09:00:00Z,Closed Won,700,2026-04-20,won,2026-04-20T10:00:00Z\n",
            ),
            (
                "opportunity_history.csv",
                "opportunity_id,changed_at,field,old_value,new_value,changed_by\n\
                 o1,2026-02-10T15:00:00Z,status,open,won,sam\n\
                 o1,2026-02-10T15:00:00Z,stage,Proposal,Closed Won,sam\n\
                 o1,2026-05-01T10:00:00Z,status,won,open,sam\n\
                 o1,2026-05-01T10:00:00Z,stage,Closed Won,Negotiation,sam\n",
            ),
            (
                "activities.csv",
                "id,rep_id,kind,opportunity_id,occurred_at\n\
                 a1,sam,call,o2,2026-04-10T23:30:00Z\n\
                 a2,sam,call,o2,2026-04-15T09:00:00Z\n",
            ),
        ],
    );
    let mut store = Store::open(&set.with_file_name("cal.db")).unwrap();
    run(&mut store, &set).unwrap();
    let settings = Settings::default();
    let cal = settings.calendar().unwrap();
    let today: chrono::NaiveDate = "2026-11-24".parse().unwrap();
    let every_on = |today, as_of| {
        pipedeck::app::calibration::every_close(&store, &settings, &cal, today, as_of, 10).unwrap()
    };
    let every = |as_of| every_on(today, as_of);
    let won = |c: &pipedeck::domain::score::calibration::Calibration| {
        c.bands.iter().map(|b| b.won).sum::<u32>()
    };
    let day = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
    let now = every(None);
    assert_eq!(
        (now.period.from, now.period.to),
        (day("2026-04-20"), day("2026-04-21"))
    );
    assert_eq!((won(&now), now.skipped), (1, 0));
    // On 2026-03-01 neither close had happened (o2's is dated later).
    let early = every_on(day("2026-03-01"), None);
    assert_eq!(
        (early.period.from, early.period.to),
        (day("2026-03-01"), day("2026-03-02"))
    );
    assert_eq!((won(&early), early.skipped), (0, 0));
    // The read of closes up to 2026-04-20 replayed 10 days before: its
    // activities end with the last replay day, 2026-04-10 (a1 at 23:30 is
    // read, a2 after it is not), its deals are those of the period.
    let (read, _) = pipedeck::app::load::load_one(
        &store,
        &settings,
        &cal,
        today,
        pipedeck::app::load::Need::Calibration(
            Some(pipedeck::domain::Period {
                from: day("2026-04-01"),
                to: day("2026-04-21"),
            }),
            10,
        ),
        None,
        pipedeck::app::load::Snaps::None,
    )
    .unwrap();
    let ids: Vec<String> = read.activities.iter().map(|a| a.id.to_string()).collect();
    assert_eq!(ids, ["a1"]);
    assert!(read.opportunities.iter().any(|o| o.id.0.as_str() == "o2"));
    let then = every(Some(day("2026-04-30")));
    assert_eq!(
        (then.period.from, then.period.to),
        (day("2026-02-10"), day("2026-04-21"))
    );
    assert_eq!((won(&then), then.skipped), (2, 0));
}
