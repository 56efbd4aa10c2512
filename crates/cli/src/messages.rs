//! Everything logscan writes to stderr goes through here (the progress bar aside): one line
//! per message, prefixed `logscan: `, with every control,
//! bidi and invisible format character shown as a visible escape (the terminal policy of
//! `logscan_text::terminal`), since file names and log text are attacker-chosen.
//! [`trouble!`] also records that the exit code must be 2. Clap's usage errors keep clap's
//! layout, escaped the same way ([`clap_error`]).
//!
//! `eprintln!` and `std::io::stderr` are disallowed elsewhere in this crate
//! (crates/cli/clippy.toml), so a message cannot bypass this path.
#![allow(clippy::disallowed_macros, clippy::disallowed_methods)]

use std::fmt;
use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

/// Set once a message said that something could not be done (exit code 2).
static TROUBLE: AtomicBool = AtomicBool::new(false);

/// A note on stderr that does not change the exit code.
macro_rules! note {
    ($($arg:tt)*) => {
        $crate::messages::emit(format_args!($($arg)*))
    };
}

/// A message on stderr about something that could not be done: the exit code becomes 2.
macro_rules! trouble {
    ($($arg:tt)*) => {{
        $crate::messages::emit(format_args!($($arg)*));
        $crate::messages::set_trouble();
    }};
}

pub(crate) use {note, trouble};

/// Writes one message: `logscan: ` and the text, escaped for a terminal, on one line.
/// A stderr that cannot be written to is ignored (there is nowhere left to say so).
pub fn emit(message: fmt::Arguments<'_>) {
    let _ = write_message(&mut io::stderr().lock(), message);
}

fn write_message(out: &mut impl Write, message: fmt::Arguments<'_>) -> io::Result<()> {
    let text = message.to_string();
    writeln!(out, "logscan: {}", logscan_text::terminal(&text))
}

/// Shows clap's error for the arguments and gives its exit code (2 for a usage mistake).
/// Usage mistakes go to stderr in clap's words and layout, every line escaped like a
/// message (clap quotes the value given, which may be a file name with control
/// characters); `--help` and `--version` go to stdout as clap writes them.
pub fn clap_error(error: &clap::Error) -> ExitCode {
    let code = u8::try_from(error.exit_code()).unwrap_or(2);
    if !error.use_stderr() {
        return match error.print() {
            Ok(()) => ExitCode::from(code),
            Err(_) => ExitCode::from(2),
        };
    }
    let text = error.render().to_string();
    let mut out = io::stderr().lock();
    for line in text.lines() {
        let _ = writeln!(out, "{}", logscan_text::terminal(line));
    }
    ExitCode::from(code)
}

/// Records that the exit code must be 2.
pub fn set_trouble() {
    TROUBLE.store(true, Ordering::Relaxed);
}

/// Whether a [`trouble!`] message was written.
pub fn had_trouble() -> bool {
    TROUBLE.load(Ordering::Relaxed)
}

/// Whether stderr is a terminal (for the progress bar).
pub fn stderr_is_terminal() -> bool {
    io::stderr().is_terminal()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_one_prefixed_escaped_line() {
        let hostile = "a\u{1b}]0;pwned\u{7}\u{1b}[2J.log\nsecond line\u{202e}";
        let mut out = Vec::new();
        write_message(&mut out, format_args!("{hostile}: same requests as b.log")).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "logscan: a\\x1b]0;pwned\\x07\\x1b[2J.log\\nsecond line\\u{202e}: same requests as b.log\n"
        );
    }
}
