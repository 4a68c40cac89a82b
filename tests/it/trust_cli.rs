//! The command line holds to its contract: usage errors exit 2, a date is
//! YYYY-MM-DD, `config check` refuses out-of-range values and key bindings the
//! cockpit would refuse; the stages in force are the database's and the
//! config's together.

use assert_cmd::Command;
use std::fs;
use std::path::Path;

fn pipedeck(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("pipedeck").unwrap();
    cmd.env_remove("PIPEDECK_DB")
        .env_remove("PIPEDECK_CONFIG")
        .env("HOME", dir)
        .env("XDG_DATA_HOME", dir.join("data"))
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .arg("--db")
        .arg(dir.join("p.db"));
    cmd
}

fn imported(dir: &Path) {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/native");
    pipedeck(dir)
        .args(["--today", "2026-02-01", "import"])
        .arg(fixture)
        .assert()
        .success();
}

fn stderr(out: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&out.get_output().stderr).to_string()
}

#[test]
fn usage_errors_exit_two() {
    let dir = tempfile::tempdir().unwrap();
    imported(dir.path());
    for args in [
        vec!["--today", "26-11-24", "report", "pipeline"],
        vec!["--today", "2026-1-5", "report", "pipeline"],
        vec!["--today", "0001-01-01", "report", "pipeline"],
        vec!["report", "drill", "--rep", "ada"],
        vec!["report", "drill", "--metric", "bookings"],
        vec!["deal", "o1", "amount", "lots"],
        vec!["deal", "o1", "amount", "92233720368547758"],
        // Periods past 1900-2199 panicked in the parser, or wrapped.
        vec!["report", "metrics", "--period", "last-99999999-weeks"],
        vec![
            "report",
            "metrics",
            "--period",
            "last-2635249153387078803-weeks",
        ],
        vec![
            "report",
            "forecast",
            "--period=+262142-12-01..+262142-12-31",
        ],
        vec![
            "report",
            "anomalies",
            "--period=-262143-01-01..-262143-02-01",
        ],
        // A period that has not begun: the drill compared two empty ranges.
        vec![
            "report", "drill", "--rep", "ada", "--metric", "won", "--period", "2099-Q1",
        ],
        vec!["report", "metrics", "--period", "2099-01"],
    ] {
        let out = pipedeck(dir.path()).args(&args).assert().code(2);
        assert!(stderr(&out).contains("error"), "{args:?}");
    }
}

#[test]
fn config_check_refuses_out_of_range_values_and_duplicate_keys() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "coverage_target = -3.0\n",
            "key `coverage_target`: -3 must be a number above 0",
        ),
        (
            "[anomalies]\nmad_multiplier = -2.0\n",
            "key `anomalies.mad_multiplier`: -2 must be a number above 0",
        ),
        (
            "[anomalies]\nwilson_confidence = 1.5\n",
            "key `anomalies.wilson_confidence`: 1.5 must be between 0 and 1",
        ),
        (
            "[keys.global]\nquit = [\"x\"]\nhelp = [\"x\"]\n",
            "is bound to both",
        ),
        // Past the calendar's range a look-back made no date and panicked.
        (
            "stale_days = 100000000\n",
            "key `stale_days`: 100000000 must be at most 36500 days",
        ),
        (
            "[anomalies]\nsustained_periods = 100000000\n",
            "key `anomalies.sustained_periods`: 100000000 must be at most 100 periods",
        ),
        (
            "[score]\nengagement_days = 50000\n",
            "key `score.engagement_days`: 50000 must be at most 36500 days",
        ),
        // Accepted before, and each changed numbers in silence.
        (
            "[[goals]]\nrole = \"AE\"\nmetric = \"calls\"\nperiod = \"week\"\ntarget = nan\ndirection = \"at_least\"\n",
            "goal of AE per week on calls: target NaN must be a number, 0 or more",
        ),
        (
            "[score]\nrisk_stuck = nan\n",
            "key `score.risk_stuck`: NaN must be a number from 0 to 100",
        ),
        (
            "[score]\nweight_fit = 0.0\nweight_engagement = 0.0\nweight_momentum = 0.0\n",
            "one must be above 0",
        ),
        (
            "[score]\nfull_touches = 0\n",
            "key `score.full_touches`: 0 must be at least 1",
        ),
        (
            "[score.tier_points]\nA = 1e9\n",
            "key `score.tier_points.A`: 1000000000 must be points from 0 to 100",
        ),
        (
            "[discount]\nrep_call = 0.5\nmanager_approval = 0.1\n",
            "key `discount.rep_call`: 0.5 must not be above discount.manager_approval (0.1)",
        ),
        (
            "[import.rates]\nEUR = -1.0\n",
            "key `import.rates.EUR`: -1 must be a number above 0 (units of USD per EUR)",
        ),
        (
            "[import.rates]\nUSD = 2.0\n",
            "key `import.rates.USD`: USD is the database currency; its rate can only be 1",
        ),
        (
            "currency = \"dollars\"\n",
            "key `currency`: \"dollars\" is not a currency code",
        ),
        (
            "coverage_light = 5.0\n",
            "key `coverage_light`: 5 must not be above coverage_target (3)",
        ),
        (
            "[anomalies]\nmin_sample = 0\n",
            "key `anomalies.min_sample`: 0 must be at least 1",
        ),
        (
            "[anomalies]\nslipping_pushes = 0\n",
            "key `anomalies.slipping_pushes`: 0 must be at least 1",
        ),
        ("ramp_days = -1\n", "key `ramp_days`: -1 must be 0 or more"),
        (
            "[[stages]]\nname = \" A \"\nprobability = 0.1\nkind = \"open\"\n",
            "stage \" A \": a name must be text without control characters, invisible or \
             reordering characters, or spaces around it",
        ),
        // Two stages alike on screen, and one that could not be typed.
        (
            "[[stages]]\nname = \"Demo\\u200b\"\nprobability = 0.1\nkind = \"open\"\n",
            "stage \"Demo\\u{200b}\": a name must be text without control characters, invisible",
        ),
        // The first applied, and the second was dropped in silence.
        (
            "[[goals]]\nrole = \"AE\"\nmetric = \"calls\"\nperiod = \"week\"\ntarget = 40.0\n\
             direction = \"at_least\"\n\
             [[goals]]\nrole = \"AE\"\nmetric = \"calls\"\nperiod = \"week\"\ntarget = 60.0\n\
             direction = \"at_least\"\n",
            "goal of AE per week on calls is listed twice; give each goal one target",
        ),
    ];
    for (text, want) in cases {
        let path = dir.path().join("c.toml");
        fs::write(&path, text).unwrap();
        let out = pipedeck(dir.path())
            .arg("--config")
            .arg(&path)
            .args(["config", "check"])
            .assert()
            .code(1);
        assert!(stderr(&out).contains(want), "{text}: {}", stderr(&out));
    }
}

#[test]
fn stages_of_the_config_are_in_force_beside_the_imported_ones() {
    let dir = tempfile::tempdir().unwrap();
    // The fixture's deals use Proposal and Closed Won only.
    imported(dir.path());
    pipedeck(dir.path())
        .args([
            "--today",
            "2026-02-01",
            "deal",
            "o1",
            "stage",
            "Negotiation",
        ])
        .assert()
        .success();
    let out = pipedeck(dir.path())
        .args([
            "--today",
            "2026-02-01",
            "deal",
            "o1",
            "lost",
            "--reason",
            "price",
        ])
        .assert()
        .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(text.contains("stage Negotiation → Closed Lost"), "{text}");
}

/// `config path` answers even when the config is broken: that is when one
/// asks where it is.
#[test]
fn config_path_answers_with_a_broken_config() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.toml");
    fs::write(&path, "stale_days = \"soon\"\n").unwrap();
    let out = pipedeck(dir.path())
        .arg("--config")
        .arg(&path)
        .args(["config", "path"])
        .assert()
        .code(0);
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert_eq!(
        text,
        format!(
            "config:   {}\ndatabase: {}\n",
            path.display(),
            dir.path().join("p.db").display()
        )
    );
    // Every other command still refuses it.
    pipedeck(dir.path())
        .arg("--config")
        .arg(&path)
        .args(["config", "check"])
        .assert()
        .code(1);
}
