//! The head httpd 2.4 writes by default, `[Www Mmm dd hh:mm:ss.uuuuuu yyyy] [module:level]
//! [pid P:tid T] ` (or `[pid P] `), read in one forward pass: each separator is checked
//! where the pass meets it, the numbers are read as the pass crosses them, and the date
//! and second are read once per second. Nearly every line of an Apache error log opens
//! with it; anything else (2.2, another time layout, log ids, a missing or odd field)
//! makes [`read_plain`] give up, and the general reader of [`super::default`] reads the
//! line from its start, so what a line gives does not depend on which reader took it.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use super::default::parse_ctime_fixed;
use super::{ONES, lanes_value, leading_digits, non_digits};
use crate::bytes::at;
use crate::record::Level;
use crate::time::{Timestamp, key_word, same_second_words};

/// The fields of a default 2.4 head and where the text after it starts.
#[derive(Debug, PartialEq)]
pub(super) struct Head<'a> {
    pub(super) time: Timestamp,
    /// `None` for `-` (`%-m` of a message without a module), as the general reader has it.
    pub(super) module: Option<&'a [u8]>,
    pub(super) level: Level,
    pub(super) pid: u32,
    pub(super) tid: Option<u64>,
    /// The first byte after the head and its one space.
    pub(super) end: usize,
}

/// The time bracket spans bytes 0 to 32: `[` + 31 bytes + `]`.
const TIME_CLOSE: usize = 32;
/// The `[module:level]` bracket opens after the time bracket and one space.
const LEVEL_OPEN: usize = TIME_CLOSE + 2;
/// The longest level name a [`Level`] is read from (`emergency`).
const MAX_LEVEL: usize = 9;
/// The general reader looks for the `]` of `[module:level]` within this many bytes of its `[`.
const LEVEL_SPAN: usize = 64;

/// Reads the default 2.4 head of `line`, or `None` for anything else (see the module
/// documentation): every field it gives is what the general reader gives for it.
#[inline]
pub(super) fn read_plain(line: &[u8]) -> Option<Head<'_>> {
    if at(line, 0) != b'['
        || at(line, TIME_CLOSE) != b']'
        || at(line, TIME_CLOSE + 1) != b' '
        || at(line, LEVEL_OPEN) != b'['
    {
        return None;
    }
    let time = ctime(line.get(1..TIME_CLOSE)?.try_into().ok()?)?;

    // `[module:level]`: the module is what comes before the last `:` in the brackets. The
    // first `:` is searched for (no `]` before it: else 2.2's `[level]`, the general
    // reader's), eight bytes at a time (a module name is a word or two); the level's few
    // letters after it are stepped over to the `]`, and a second `:` among them is left to
    // the general reader too.
    let span = line.get(LEVEL_OPEN + 1..LEVEL_OPEN + LEVEL_SPAN.min(line.len() - LEVEL_OPEN))?;
    let colon = LEVEL_OPEN + 1 + crate::word_search::find_any([b':', b']'], span)?;
    if at(line, colon) != b':' {
        return None;
    }
    let (level, close) = match common_level(line.get(colon + 1..)?) {
        Some((level, len)) => (level, colon + 1 + len),
        None => {
            let mut close = colon + 1;
            while at(line, close) != b']' {
                if close - colon > MAX_LEVEL || at(line, close) == b':' {
                    return None;
                }
                close += 1;
            }
            (Level::from_bytes(line.get(colon + 1..close)?)?, close)
        }
    };
    if close >= LEVEL_OPEN + LEVEL_SPAN {
        return None;
    }
    let module = line.get(LEVEL_OPEN + 1..colon)?;

    // `[pid P:tid T]` or `[pid P]`, the `]` right after the digits.
    let mut p = close + 1;
    if at(line, p) == b' ' {
        p += 1;
    }
    if !line.get(p..)?.starts_with(b"[pid ") {
        return None;
    }
    // Nine digits always fit a u32 (the general reader takes more, and drops a pid that
    // does not fit: left to it).
    let (pid, mut r) = leading_digits(line, p + 5, 9)?;
    let mut tid = None;
    if line.get(r..)?.starts_with(b":tid ") {
        let (t, after) = leading_digits(line, r + 5, 18)?;
        tid = Some(t);
        r = after;
    }
    if at(line, r) != b']' {
        return None;
    }
    let mut end = r + 1;
    if at(line, end) == b' ' {
        end += 1;
    }
    Some(Head {
        time,
        module: Some(module).filter(|m| *m != b"-"),
        level,
        pid: u32::try_from(pid).ok()?,
        tid,
        end,
    })
}

/// The levels of nearly every line, with their `]`, compared whole: the level and the
/// length of its name. (`Level::from_bytes` reads these four names as written.)
#[inline]
fn common_level(s: &[u8]) -> Option<(Level, usize)> {
    if s.starts_with(b"error]") {
        Some((Level::Error, 5))
    } else if s.starts_with(b"warn]") {
        Some((Level::Warn, 4))
    } else if s.starts_with(b"notice]") {
        Some((Level::Notice, 6))
    } else if s.starts_with(b"info]") {
        Some((Level::Info, 4))
    } else {
        None
    }
}

/// The bytes of a `Www Mmm dd hh:mm:ss.uuuuuu yyyy` time other than its microseconds, as
/// four words: 0-7, 8-15, 11-18 and 23-30 with 23-25 (microsecond digits) masked out.
#[inline]
fn second_key(s: &[u8; 31]) -> [u64; 4] {
    [
        key_word(s, 0),
        key_word(s, 8),
        key_word(s, 11),
        key_word(s, 23) & !0xff_ffff,
    ]
}

/// The layout byte of [`same_second_words`] for this reader's times.
const CTIME_LAYOUT: u8 = crate::time::layout::APACHE_CTIME;

/// `Www Mmm dd hh:mm:ss.uuuuuu yyyy` as the general reader reads it (with the day name's
/// second and third letters checked, as it checks them first): a second seen on the line
/// before costs a comparison of four words and the microseconds.
#[inline]
fn ctime(s: &[u8; 31]) -> Option<Timestamp> {
    if s.get(19) != Some(&b'.') {
        return None;
    }
    let micros = micros(key_word(s, 18))?;
    // A key that gave a time once gives it again: every check but the microseconds (done
    // above) passed on its bytes.
    let second = same_second_words(CTIME_LAYOUT, second_key(s), || {
        if !(at(s, 1).is_ascii_alphabetic() && at(s, 2).is_ascii_alphabetic()) {
            return None;
        }
        parse_ctime_fixed(s).map(|(t, _)| t)
    })?;
    Some(second.with_micros(micros))
}

/// The microseconds of a time whose bytes 18 to 25 (`s.uuuuuu`) are `word`: the six digits
/// in its top lanes, checked and added up at once (`None` if one is not a digit).
#[inline(always)]
fn micros(word: u64) -> Option<u32> {
    let digit_lanes = !0xffff;
    if non_digits(word) & digit_lanes != 0 {
        return None;
    }
    // Six digits: the number fits.
    Some(lanes_value((word ^ (ONES * u64::from(b'0'))) & digit_lanes) as u32)
}

#[cfg(test)]
mod tests {
    use super::super::default::read_into;
    use super::*;
    use crate::test_support::{Readings, both_readings};
    use proptest::prelude::*;

    fn both(line: &[u8]) -> Readings<'_> {
        both_readings(line, read_into)
    }

    #[test]
    fn reads_the_default_head_and_leaves_the_rest() {
        let line = b"[Wed Nov 25 09:47:33.742494 2026] [proxy_http:error] [pid 26117:tid 26126] (104)Connection reset by peer: [client 127.0.0.1:55978] AH01102: x";
        let h = read_plain(line).unwrap();
        assert_eq!(
            (h.module, h.level, h.pid, h.tid),
            (Some(&b"proxy_http"[..]), Level::Error, 26117, Some(26126))
        );
        assert_eq!(h.time.to_string(), "2026-11-25T09:47:33.742494");
        assert!(line[h.end..].starts_with(b"(104)"));
        // The same second again, other microseconds: from the cache, and still right.
        let again = read_plain(b"[Wed Nov 25 09:47:33.000007 2026] [-:warn] [pid 1] x").unwrap();
        assert_eq!(again.time.to_string(), "2026-11-25T09:47:33.000007");
        assert_eq!((again.module, again.tid), (None, None));
        for other in [
            &b"[Tue Nov 25 10:00:31 2025] [error] [client 203.0.113.9] x"[..],
            b"[Wed Nov 25 09:47:33.742494 2026] [proxy:error] [R:abcdefgh] [pid 1:tid 2] x",
            b"[Wed Nov 25 09:47:33.742494 2026] [proxy:error] [pid 1234567890:tid 2] x",
            b"[Wed Nov 25 09:47:33.742494 2026] [proxy:error] [pid 1:tid ] x",
            b"[Wed Nov 25 09:47:33.742494 2026] [proxy:bogus] [pid 1:tid 2] x",
            b"[Wed Nov 25 09:47:33.7424x4 2026] [proxy:error] [pid 1:tid 2] x",
            b"[2025-07-22 15:45:51.323610 +0200] [proxy:error] [pid 1:tid 2] x",
        ] {
            assert_eq!(
                read_plain(other),
                None,
                "{}",
                String::from_utf8_lossy(other)
            );
        }
    }

    /// A head as httpd or a damaged copy of it writes one: every field with its variants.
    fn heads() -> impl Strategy<Value = Vec<u8>> {
        let day = prop_oneof![
            Just("Wed".to_owned()),
            Just("Thu".to_owned()),
            "[A-Za-z0-9]{3}"
        ];
        let month = prop_oneof![
            Just("Nov".to_owned()),
            Just("Feb".to_owned()),
            Just("Dec".to_owned()),
            "[A-Za-z]{3}"
        ];
        let mday = prop_oneof![
            Just("25".to_owned()),
            Just("29".to_owned()),
            Just("30".to_owned()),
            Just(" 5".to_owned()),
            "[0-9 x]{2}"
        ];
        let clock = prop_oneof![
            Just("09:47:33".to_owned()),
            Just("23:59:59".to_owned()),
            "[0-2][0-9]:[0-6][0-9]:[0-6][0-9]"
        ];
        let micros = prop_oneof![
            Just(".742494".to_owned()),
            Just(String::new()),
            "\\.[0-9]{1,7}",
            "\\.[0-9x]{6}"
        ];
        let year = prop_oneof![
            Just(" 2026".to_owned()),
            Just(" 2024".to_owned()),
            Just(" 2026 +0100".to_owned()),
            " [0-9]{4}"
        ];
        let time = (day, month, mday, clock, micros, year)
            .prop_map(|(w, m, d, c, u, y)| format!("{w} {m} {d} {c}{u}{y}").into_bytes());
        let time = prop_oneof![
            8 => time,
            1 => Just(b"2025-07-22 15:45:51.323610 +0200".to_vec()),
            1 => proptest::collection::vec(any::<u8>(), 0..34),
        ];
        let module = prop_oneof![
            Just("proxy_http".to_owned()),
            Just("-".to_owned()),
            Just(String::new()),
            Just("a:b".to_owned()),
            "[a-z_]{1,70}"
        ];
        let level = prop_oneof![
            Just("error".to_owned()),
            Just("warn".to_owned()),
            Just("trace3".to_owned()),
            Just("ERROR".to_owned()),
            Just("bogus".to_owned()),
            Just(String::new())
        ];
        let level_field = prop_oneof![
            4 => (module, level).prop_map(|(m, l)| format!("[{m}:{l}]")),
            1 => Just("[error]".to_owned()),
            1 => Just("[R:abcdefgh12]".to_owned()),
        ];
        let id = prop_oneof![
            Just("26117".to_owned()),
            Just(String::new()),
            Just("4294967295".to_owned()),
            Just("4294967296".to_owned()),
            Just("123456789".to_owned()),
            Just("12345678901234567890".to_owned()),
            "[0-9]{1,20}",
            "[0-9]{1,3}[a-z]"
        ];
        let tid = prop_oneof![Just(None), id.clone().prop_map(Some),];
        let pid_field = prop_oneof![
            6 => (id, tid, prop_oneof![Just("]"), Just(" ]"), Just("x]"), Just("")]).prop_map(
                |(p, t, close)| match t {
                    Some(t) => format!("[pid {p}:tid {t}{close}"),
                    None => format!("[pid {p}{close}"),
                }
            ),
            1 => Just("[R:abcdefgh12] [pid 1:tid 2]".to_owned()),
            1 => Just(String::new()),
        ];
        let space = prop_oneof![Just(" "), Just(""), Just("  ")];
        let rest = prop_oneof![
            Just(&b"(104)Connection reset by peer: [client 10.0.8.127:36593] AH01102: error reading status line from remote server 10.0.1.12:8080"[..]),
            Just(&b"[client ::1:0] AH01075: Error dispatching request to : (polling)"[..]),
            Just(&b"[client 2001:db8::1] File does not exist: /x, referer: https://e.test/"[..]),
            Just(&b"[client -] AH00128: x"[..]),
            Just(&b"AH00957: caf\xc3\xa9 \xff\xfe"[..]),
            Just(&b""[..]),
        ];
        (
            time,
            space.clone(),
            level_field,
            space.clone(),
            pid_field,
            space,
            rest,
            0..400usize,
        )
            .prop_map(|(time, s1, level, s2, pid, s3, rest, cut)| {
                let mut line = b"[".to_vec();
                line.extend_from_slice(&time);
                line.push(b']');
                line.extend_from_slice(s1.as_bytes());
                line.extend_from_slice(level.as_bytes());
                line.extend_from_slice(s2.as_bytes());
                line.extend_from_slice(pid.as_bytes());
                line.extend_from_slice(s3.as_bytes());
                line.extend_from_slice(rest);
                // Truncation anywhere (most cuts fall past the end and keep the line).
                line.truncate(cut.max(1));
                line
            })
    }

    #[test]
    fn common_levels_read_like_level_names() {
        for name in ["error", "warn", "notice", "info"] {
            let bracketed = format!("{name}]");
            assert_eq!(
                common_level(bracketed.as_bytes()),
                Level::from_bytes(name.as_bytes()).map(|l| (l, name.len()))
            );
        }
        assert_eq!(common_level(b"errors]"), None);
        assert_eq!(common_level(b"error"), None);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        /// The microseconds read at once agree with a loop over the six digits, on digits
        /// and on bytes next to them.
        #[test]
        fn micros_read_like_a_byte_loop(
            tail in proptest::collection::vec(prop_oneof![0x2fu8..0x3b, any::<u8>()], 6),
        ) {
            let bytes = [&b"7."[..], &tail].concat();
            let reference = tail.iter().try_fold(0u32, |n, &b| {
                b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0'))
            });
            let word = u64::from_le_bytes(bytes.try_into().unwrap());
            prop_assert_eq!(micros(word), reference);
        }

        /// The one-pass head reader agrees with the general reader on every head.
        #[test]
        fn plain_head_reads_like_the_general_reader(line in heads()) {
            let (plain, general) = both(&line);
            prop_assert_eq!(plain, general);
        }

        /// Also on mutated heads, where the cached second must not outlive its bytes.
        #[test]
        fn plain_head_agrees_on_mutated_lines(
            line in heads(),
            edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0..4u8), 0..6),
        ) {
            let line = crate::test_support::mutate(&line, &edits, b"[] :.0123456789");
            let (plain, general) = both(&line);
            prop_assert_eq!(plain, general);
        }
    }
}
