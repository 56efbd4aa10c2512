//! Helpers shared by the CLI integration tests: driving the real binary, the fixture corpus,
//! checking the report's counts and that no raw control character reaches a terminal.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;

/// The fixture corpus: `$LOGSCAN_FIXTURES` (a fresh capture, see scripts/test) or the one
/// committed at the repository root.
pub fn fixtures() -> PathBuf {
    std::env::var_os("LOGSCAN_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures"))
}

/// The logscan binary, with a fixed zone, clock and width, and no colour unless asked.
pub fn logscan() -> Command {
    let mut cmd = Command::cargo_bin("logscan").expect("logscan binary");
    cmd.env("TZ", "UTC")
        .env_remove("NO_COLOR")
        .env_remove("LOGSCAN_NOW")
        .env("COLUMNS", "100");
    cmd
}

/// What `wc -l` counts, plus one for a last line without newline, of a file.
pub fn wc_lines(path: &Path) -> u64 {
    physical_lines(&std::fs::read(path).unwrap_or_default())
}

/// What one run gave.
pub struct Run {
    pub code: i32,
    pub stdout: Vec<u8>,
    pub stderr: String,
}

impl Run {
    pub fn stdout_str(&self) -> &str {
        std::str::from_utf8(&self.stdout).expect("stdout is UTF-8")
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                String::from_utf8_lossy(&self.stdout),
                self.stderr
            )
        })
    }
}

pub fn run<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    from_output(logscan().args(args).output().expect("run logscan"))
}

pub fn from_output(out: Output) -> Run {
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: out.stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(
        !run.stderr.contains("panicked"),
        "logscan panicked:\n{}",
        run.stderr
    );
    assert!(
        matches!(run.code, 0..=2),
        "exit code {} (killed?)\n{}",
        run.code,
        run.stderr
    );
    run
}

/// `wc -l`, plus one for a last line without `\n`.
pub fn physical_lines(bytes: &[u8]) -> u64 {
    let newlines = bytes.iter().filter(|&&b| b == b'\n').count() as u64;
    newlines + u64::from(!bytes.is_empty() && !bytes.ends_with(b"\n"))
}

/// Checks `lines = parsed + unrecognized` per input and that the inputs add up to the
/// totals; returns the inputs' `(path, lines, parsed, unrecognized)`.
pub fn check_counts(report: &Value) -> Vec<(String, u64, u64, u64)> {
    let n = |v: &Value| v.as_u64().expect("a count");
    let mut sum = (0, 0, 0, 0);
    let mut out = Vec::new();
    for input in report["inputs"].as_array().expect("inputs") {
        let (lines, parsed, unrec, other) = (
            n(&input["lines"]),
            n(&input["parsed"]),
            n(&input["unrecognized"]),
            n(&input["other"]),
        );
        assert_eq!(
            lines,
            parsed + unrec + other,
            "lines = parsed + unrecognized + other: {input}"
        );
        if input["envelope"].is_null() {
            assert_eq!(other, 0, "other lines only in an envelope: {input}");
        }
        sum = (sum.0 + lines, sum.1 + parsed, sum.2 + unrec, sum.3 + other);
        out.push((
            input["path"].as_str().unwrap_or_default().to_owned(),
            lines,
            parsed,
            unrec,
        ));
    }
    let t = &report["totals"];
    assert_eq!(
        (
            n(&t["lines"]),
            n(&t["parsed"]),
            n(&t["unrecognized"]),
            n(&t["other"])
        ),
        sum,
        "totals add up over the inputs"
    );
    out
}

/// The input whose path ends with `name`.
pub fn input_counts(report: &Value, name: &str) -> (u64, u64, u64) {
    check_counts(report)
        .into_iter()
        .find(|(p, ..)| p.ends_with(name))
        .map(|(_, l, p, u)| (l, p, u))
        .unwrap_or_else(|| panic!("no input {name} in {}", report["inputs"]))
}

/// Characters that must never reach a terminal raw (besides `\n`): every character of the
/// Unicode general categories Cc (C0 and C1 controls, DEL), Cf (bidi controls, zero-width
/// and other invisible format characters, tag characters) and Zl/Zp (line and paragraph
/// separators). The categories come from a Unicode table, not from logscan-render's own
/// policy, so a character the policy forgot fails the tests.
pub fn unsafe_char(c: char) -> bool {
    use unicode_general_category::{GeneralCategory, get_general_category};
    c != '\n'
        && matches!(
            get_general_category(c),
            GeneralCategory::Control
                | GeneralCategory::Format
                | GeneralCategory::LineSeparator
                | GeneralCategory::ParagraphSeparator
        )
}

/// Removes the SGR colour sequences (`ESC [ digits ; m`) logscan writes itself.
pub fn strip_sgr(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('\u{1b}') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let body = after.strip_prefix('[').map(|b| {
            b.bytes()
                .take_while(|c| c.is_ascii_digit() || *c == b';')
                .count()
        });
        match body {
            Some(n) if after.as_bytes().get(1 + n) == Some(&b'm') => rest = &after[n + 2..],
            _ => {
                out.push('\u{1b}');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Panics, showing where, if `text` carries a raw unsafe character.
pub fn assert_no_raw_controls(what: &str, text: &str) {
    if let Some((i, c)) = text.char_indices().find(|&(_, c)| unsafe_char(c)) {
        let from = text[..i].char_indices().rev().nth(60).map_or(0, |(j, _)| j);
        panic!(
            "{what} carries a raw {c:?} at byte {i}: ...{:?}...",
            &text[from..(i + 20).min(text.len())]
        );
    }
}

/// A small deterministic random generator (xorshift64*).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let v = self.next().to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
    }
}

/// Peak resident set size in KiB of a logscan run, through `/usr/bin/time -f %M`
/// (`None` where that tool is missing).
pub fn peak_rss_kib(args: &[&std::ffi::OsStr], dir: &Path) -> Option<(Run, u64)> {
    let time = Path::new("/usr/bin/time");
    if !time.exists() {
        return None;
    }
    let report = dir.join("rss.txt");
    let bin = assert_cmd::cargo::cargo_bin("logscan");
    let out = std::process::Command::new(time)
        .arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(&report)
        .arg(bin)
        .args(args)
        .env("TZ", "UTC")
        .output()
        .expect("run /usr/bin/time");
    let kib = std::fs::read_to_string(&report)
        .ok()?
        .lines()
        .last()?
        .trim()
        .parse()
        .ok()?;
    Some((from_output(out), kib))
}
