//! # logscan-text
//!
//! Log text made safe to show, and numbers made easy to read: the small text helpers every
//! logscan output shares.
//!
//! - [`escape_bytes`]: log bytes as a `String`, invalid UTF-8 written as `\xHH` and the text
//!   cut at a byte budget, so a report can hold any line without losing what was in it.
//! - [`terminal`] and [`is_unsafe_char`]: text for a terminal. Logs carry attacker-chosen
//!   bytes (escape sequences that clear the screen or forge hyperlinks, C1 controls, bidi
//!   overrides, invisible format characters); each one is written as a visible escape
//!   (`\x1b`, `\n`, `\u{202e}`) instead of reaching the terminal. [`write_visible`] is the
//!   same per character, for escapers of other formats (Markdown, HTML) built on this
//!   policy.
//! - [`thousands`], [`human_duration`], [`human_seconds`]: `1,204`, `3 min 20 s`, `250 ms`.
//!
//! ```
//! use logscan_text::{escape_bytes, human_duration, terminal, thousands};
//!
//! // A request line an attacker sent: an escape sequence and a byte that is not UTF-8.
//! let logged = b"GET /\x1b[2J\xff HTTP/1.1";
//! let kept = escape_bytes(logged, 1000);
//! assert_eq!(kept, "GET /\u{1b}[2J\\xff HTTP/1.1"); // every byte accounted for
//! assert_eq!(terminal(&kept), "GET /\\x1b[2J\\xff HTTP/1.1"); // nothing raw on a terminal
//!
//! assert_eq!(thousands(1_204_311), "1,204,311");
//! assert_eq!(human_duration(200), "3 min 20 s");
//! ```
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod bytes;
mod human;
mod terminal;

pub use bytes::{escape_bytes, escape_bytes_into};
pub use human::{human_duration, human_seconds, thousands};
pub use terminal::{is_unsafe_char, terminal, write_visible};
