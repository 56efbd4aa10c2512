//! Everything logscan writes to stderr goes through here (clap's usage errors and the
//! progress bar aside): one line per message, prefixed `logscan: `, with every control,
//! bidi and invisible format character shown as a visible escape (the terminal policy of
//! `logscan_render::escape::terminal`), since file names and log text are attacker-chosen.
//! [`trouble!`] also records that the exit code must be 2.
//!
//! `eprintln!` and `std::io::stderr` are disallowed elsewhere in this crate
//! (crates/cli/clippy.toml), so a message cannot bypass this path.
#![allow(clippy::disallowed_macros, clippy::disallowed_methods)]

use std::fmt;
use std::io::{self, IsTerminal, Write};
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
    writeln!(out, "logscan: {}", logscan_render::escape::terminal(&text))
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
