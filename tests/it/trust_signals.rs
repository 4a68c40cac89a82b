//! SIGTERM, SIGHUP and SIGINT restore the terminal: the cockpit, run on a
//! pseudo-terminal by util-linux `script`, leaves the alternate screen and
//! raw mode and exits 0, as on `q`.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn run_and_signal(signal: &str) -> (Vec<u8>, Option<i32>) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let mut store = pipedeck::storage::Store::open(&db).unwrap();
    crate::trust_reports::import_dir(
        &mut store,
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/native"),
    );
    drop(store);
    let bin = assert_cmd::cargo::cargo_bin("pipedeck");
    let cmd = format!(
        "stty cols 100 rows 30; exec {} --today 2026-11-24 --db {}",
        bin.display(),
        db.display()
    );
    let mut script = Command::new("script")
        .args(["-qfec", &cmd, "/dev/null"])
        .env("HOME", dir.path())
        .env("XDG_CONFIG_HOME", dir.path().join("config"))
        .env_remove("PIPEDECK_DB")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("util-linux `script` runs the cockpit on a pseudo-terminal");
    let mut out = script.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = out.read_to_end(&mut buf);
        buf
    });
    // The cockpit is the child of `script` (exec'd by its shell).
    let start = Instant::now();
    let pid = loop {
        let found = Command::new("pgrep")
            .args(["-P", &script.id().to_string(), "pipedeck"])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&found.stdout).trim().to_string();
        if !text.is_empty() {
            break text;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "cockpit never started"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    // Let it draw a frame or two.
    std::thread::sleep(Duration::from_millis(1500));
    Command::new("kill")
        .args([&format!("-{signal}"), &pid])
        .status()
        .unwrap();
    let status = script.wait().unwrap();
    drop(script.stdin.take());
    (reader.join().unwrap(), status.code())
}

#[test]
fn a_signal_restores_the_terminal() {
    for signal in ["TERM", "HUP", "INT"] {
        let (out, code) = run_and_signal(signal);
        let enter = b"\x1b[?1049h";
        let leave = b"\x1b[?1049l";
        let find = |needle: &[u8]| out.windows(needle.len()).rposition(|w| w == needle);
        let entered = find(enter).unwrap_or_else(|| panic!("{signal}: never entered"));
        let left = find(leave).unwrap_or_else(|| panic!("{signal}: alternate screen left on"));
        assert!(left > entered, "{signal}");
        // The cursor is shown again after leaving: the last thing written.
        assert!(
            out.ends_with(b"\x1b[?25h"),
            "{signal}: {:?}",
            &out[out.len().saturating_sub(80)..]
        );
        assert_eq!(code, Some(0), "{signal}: exits as on q");
    }
}
