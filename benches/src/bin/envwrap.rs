//! `envwrap`: writes the lines of stdin to stdout in an envelope, the way its program
//! writes them (`logscan_envelope::wrap`), for benchmarks of the same lines plain and
//! wrapped.
//!
//! ```text
//! loggen --format nginx-upstream --size 1G --seed 1 > access.log
//! envwrap docker < access.log > access-json.log
//! ```
//!
//! Lines that start like an nginx error line (`YYYY/MM/DD `) go to stderr, access lines to
//! stdout, as in the official nginx image; any other line (the continuation lines of a
//! multi-line error entry) goes where the line before it went. Times start at 2026-11-25T00:00:00Z and advance
//! 10 ms a line (wrapping after a day), so each line has its own time, as in a real log.

use std::io::{self, BufRead, BufWriter, Write};
use std::process::ExitCode;

use logscan_envelope::{Stream, wrap};

const USAGE: &str = "usage: envwrap docker|cri|timestamped|syslog < plain.log > wrapped.log";

#[derive(Clone, Copy)]
enum Form {
    Docker,
    Cri,
    Timestamped,
    /// rsyslog's traditional file format, as `/var/log/syslog` holds nginx's lines.
    Syslog,
}

fn main() -> ExitCode {
    let form = match std::env::args().nth(1).as_deref() {
        Some("docker") => Form::Docker,
        Some("cri") => Form::Cri,
        Some("timestamped") => Form::Timestamped,
        Some("syslog") => Form::Syslog,
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(form) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("envwrap: {e}");
            ExitCode::from(1)
        }
    }
}

fn run(form: Form) -> io::Result<()> {
    let stdin = io::stdin().lock();
    let mut out = BufWriter::with_capacity(1 << 20, io::stdout().lock());
    let mut buf = Vec::with_capacity(1 << 16);
    let mut time = String::new();
    let mut stream = Stream::Stdout;
    for (n, line) in stdin.split(b'\n').enumerate() {
        let line = line?;
        if is_nginx_error(&line) {
            stream = Stream::Stderr;
        } else if is_access(&line) {
            stream = Stream::Stdout;
        }
        let centis = n as u64 % 8_640_000;
        let (h, m, s, cs) = (
            centis / 360_000,
            centis / 6_000 % 60,
            centis / 100 % 60,
            centis % 100,
        );
        buf.clear();
        time.clear();
        match form {
            Form::Syslog => {
                use std::fmt::Write as _;
                let _ = write!(time, "Nov 25 {h:02}:{m:02}:{s:02}");
                wrap::rsyslog_file(&mut buf, &line, &time, "web", "nginx");
            }
            _ => {
                use std::fmt::Write as _;
                let _ = write!(
                    time,
                    "2026-11-25T{h:02}:{m:02}:{s:02}.{cs:02}{n:07}Z",
                    n = n % 10_000_000
                );
                match form {
                    Form::Docker => wrap::docker(&mut buf, &line, stream, &time),
                    Form::Cri => wrap::cri(&mut buf, &line, stream, &time),
                    _ => wrap::timestamped(&mut buf, &line, &time),
                }
            }
        }
        out.write_all(&buf)?;
    }
    out.flush()
}

/// `client - user [time] "request" ...`: an access line.
fn is_access(line: &[u8]) -> bool {
    line.windows(3).any(|w| w == b"] \"")
}

fn is_nginx_error(line: &[u8]) -> bool {
    line.len() > 11
        && line[..4].iter().all(u8::is_ascii_digit)
        && line[4] == b'/'
        && line[7] == b'/'
        && line[10] == b' '
}
