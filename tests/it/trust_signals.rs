//! SIGTERM, SIGHUP and SIGINT restore the terminal: the cockpit, run on a
//! pseudo-terminal by util-linux `script`, leaves the alternate screen and
//! raw mode and exits 0, as on `q`. A terminal that goes away with no signal
//! (its emulator killed while a shell, not the cockpit, leads the session)
//! ends the cockpit too, instead of leaving it polling a dead terminal.

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The cockpit on the fixture, on a pseudo-terminal of 100×30 run by
/// `script`, started by `shell_cmd` (given the binary and the database);
/// returns `script`, a reader of everything written to the terminal, and
/// the cockpit's pid once it runs.
fn cockpit_on_pty(
    dir: &std::path::Path,
    shell_cmd: impl Fn(&str, &str) -> String,
) -> (Child, JoinHandle<Vec<u8>>, String) {
    let db = dir.join("s.db");
    let mut store = pipedeck::storage::Store::open(&db).unwrap();
    crate::trust_reports::import_dir(
        &mut store,
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/native"),
    );
    drop(store);
    let bin = assert_cmd::cargo::cargo_bin("pipedeck");
    let cmd = shell_cmd(&bin.display().to_string(), &db.display().to_string());
    let mut script = Command::new("script")
        .args(["-qfec", &cmd, "/dev/null"])
        .env("HOME", dir)
        .env("XDG_CONFIG_HOME", dir.join("config"))
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
    let start = Instant::now();
    let pid = loop {
        if let Some(pid) = cockpit_under(script.id()) {
            break pid;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "cockpit never started"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    // Let it draw a frame or two.
    std::thread::sleep(Duration::from_millis(1500));
    (script, reader, pid)
}

/// The pid of a `pipedeck` process that is a child or grandchild of `parent`.
fn cockpit_under(parent: u32) -> Option<String> {
    let children = |pid: &str, name: Option<&str>| -> Vec<String> {
        let mut args = vec!["-P", pid];
        if let Some(name) = name {
            args.extend(["-x", name]);
        }
        let found = Command::new("pgrep").args(&args).output().unwrap();
        String::from_utf8_lossy(&found.stdout)
            .split_whitespace()
            .map(str::to_string)
            .collect()
    };
    let parent = parent.to_string();
    if let Some(pid) = children(&parent, Some("pipedeck")).pop() {
        return Some(pid);
    }
    children(&parent, None)
        .iter()
        .find_map(|shell| children(shell, Some("pipedeck")).pop())
}

fn run_and_signal(signal: &str) -> (Vec<u8>, Option<i32>) {
    let dir = tempfile::tempdir().unwrap();
    // `exec`: the cockpit leads the terminal's session, so it gets SIGHUP.
    let (mut script, reader, pid) = cockpit_on_pty(dir.path(), |bin, db| {
        format!("stty cols 100 rows 30; exec {bin} --today 2026-11-24 --db {db}")
    });
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

#[test]
fn a_terminal_gone_without_a_signal_ends_the_cockpit() {
    let dir = tempfile::tempdir().unwrap();
    // No `exec`: the shell leads the session, and only a session's leader
    // gets SIGHUP when its terminal hangs up. The cockpit gets none.
    let (mut script, reader, pid) = cockpit_on_pty(dir.path(), |bin, db| {
        format!("stty cols 100 rows 30; {bin} --today 2026-11-24 --db {db}; :")
    });
    // The terminal emulator dies: the pseudo-terminal's master is closed.
    script.kill().unwrap();
    script.wait().unwrap();
    drop(script.stdin.take());
    let _ = reader.join();
    let start = Instant::now();
    let alive = || std::path::Path::new(&format!("/proc/{pid}")).exists() && !zombie(&pid);
    while alive() && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(100));
    }
    let still = alive();
    if still {
        let _ = Command::new("kill").args(["-KILL", &pid]).status();
    }
    assert!(!still, "the cockpit outlived its terminal by 10 s");
}

/// Whether a process has ended but not been reaped (state Z).
fn zombie(pid: &str) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| {
            s.rsplit(')')
                .next()
                .is_some_and(|rest| rest.trim_start().starts_with('Z'))
        })
        .unwrap_or(true)
}
