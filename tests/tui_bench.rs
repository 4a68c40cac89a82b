//! Times the cockpit on a database given by `PIPEDECK_BENCH_DB` (ignored by
//! default): `PIPEDECK_BENCH_DB=/tmp/demo.db cargo test --release --test
//! tui_bench -- --ignored --nocapture`. `pipedeck bench` calls the same
//! `bench_cockpit`.

use chrono::NaiveDate;
use pipedeck::domain::Settings;
use pipedeck::tui::bench_cockpit;
use pipedeck::tui::loader::Env;

#[test]
#[ignore]
fn cockpit_first_frame_and_pane_switches() {
    let Some(db) = std::env::var_os("PIPEDECK_BENCH_DB") else {
        println!("skipped: PIPEDECK_BENCH_DB not set");
        return;
    };
    let today = std::env::var("PIPEDECK_BENCH_TODAY")
        .ok()
        .and_then(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok())
        .unwrap_or(NaiveDate::from_ymd_opt(2026, 11, 24).expect("date"));
    let settings = Settings::default();
    let cal = settings.calendar().expect("calendar");
    let env = Env {
        settings,
        cal,
        today,
    };
    for (w, h) in [(80, 24), (200, 60)] {
        let b = bench_cockpit(std::path::Path::new(&db), env.clone(), w, h, 20).expect("bench");
        println!("{w}×{h}: start to first frame {:?}", b.first_frame);
        for (pane, t) in &b.switches {
            println!("  switch to {pane:<10} {t:?} (mean of {})", b.rounds);
        }
    }
}
