//! Apache httpd error log lines: the 2.4 default layout, 2.2, and custom `ErrorLogFormat`s.
//!
//! 2.4 default: `[Www Mmm dd hh:mm:ss.uuuuuu yyyy] [module:level] [pid P:tid T]
//! [file(line): ][(status)text: ][client ip:port ]AHnnnnn: message[, referer: ...]`.
//! The default parser also reads the leading time as `ErrorLogFormat` writes it with
//! `%{cu}t` (`yyyy-mm-dd hh:mm:ss.uuuuuu`), `%{c}t`, and with the `z` option's ` +hhmm`.
//! 2.2: `[Www Mmm dd hh:mm:ss yyyy] [level] [client ip] [(status)text: ]message`.
//! Apache escapes non-printable bytes (`\xhh`, `\n`); the bytes are kept as written.
//!
//! [`default`] reads the default layouts (httpd's `do_errorlog_default`, `server/log.c`);
//! [`format`] compiles an `ErrorLogFormat` string into a matcher. Both share the status,
//! tag and line-length rules below.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

mod default;
mod format;
mod head;

#[cfg(test)]
pub(crate) use default::parse_default;
pub(crate) use default::parse_default_into;
pub(crate) use format::ErrorLogFormat;

use crate::bytes::{
    at, head, parse_dec, parse_hex, parse_signed, split_port, sub, tail, unbracketed,
};
use crate::errno::{CodeSpace, SysError};
use crate::record::ErrorRecord;

/// Apache writes at most 8190 bytes plus LF per line.
pub(super) const MAX_LINE: usize = 8190;

/// `AHnnnnn: ` (4-6 digits) at the start of `s`.
pub(super) fn is_ah_code(s: &[u8]) -> bool {
    ah_code_len(s).is_some()
}

/// The length of the `AHnnnnn` tag at the start of `s` (without its `: `), if it has one.
#[inline]
pub(super) fn ah_code_len(s: &[u8]) -> Option<usize> {
    if let Some(word) = s.first_chunk::<8>() {
        return ah_code_len_word(s, u64::from_le_bytes(*word));
    }
    if !s.starts_with(b"AH") {
        return None;
    }
    // Counted, not parsed: every line has a tag, and only its length matters here (seven
    // digits are already too many).
    let n = tail(s, 2)
        .iter()
        .take(7)
        .take_while(|b| b.is_ascii_digit())
        .count();
    ((4..=6).contains(&n) && tail(s, 2 + n).starts_with(b": ")).then_some(2 + n)
}

/// [`ah_code_len`] of an `s` whose first eight bytes are `word` (little-endian): the digits
/// after `AH` are told from other bytes all at once, in the word, instead of one by one.
#[inline]
fn ah_code_len_word(s: &[u8], word: u64) -> Option<usize> {
    if word & 0xffff != u64::from(u16::from_le_bytes(*b"AH")) {
        return None;
    }
    let others = non_digits(word);
    // Bytes 2 to 7: the digits are those before the first other byte; six of them are
    // followed by a seventh byte, which must not be a digit either.
    let digits = match others & !0xffff {
        0 if at(s, 8).is_ascii_digit() => return None,
        0 => 6,
        flags => (flags.trailing_zeros() / 8) as usize - 2,
    };
    ((4..=6).contains(&digits) && tail(s, 2 + digits).starts_with(b": ")).then_some(2 + digits)
}

/// A byte of ones in every lane of a word.
pub(super) const ONES: u64 = 0x0101_0101_0101_0101;

/// The high bit of each byte of `word` that is not a decimal digit. A digit is `0` to `9`
/// apart from its offset from `0`; the lane's low seven bits plus 0x76 stay in the lane,
/// and their high bit is set from 10 on.
#[inline(always)]
pub(super) fn non_digits(word: u64) -> u64 {
    let x = word ^ (ONES * u64::from(b'0'));
    (((x & (ONES * 0x7f)) + ONES * 0x76) | x) & (ONES * 0x80)
}

/// The 1 to `max` decimal digits at `from` and where they end; `None` for none or more.
/// Up to seven digits followed by another byte (a pid, a tid, a status) are read from one
/// word: their count from [`non_digits`], their value by combining pairs, quads and
/// octets of lanes; longer runs and the last bytes of `s` a byte at a time.
#[inline(always)]
pub(super) fn leading_digits(s: &[u8], from: usize, max: usize) -> Option<(u64, usize)> {
    if let Some(bytes) = s.get(from..).and_then(<[u8]>::first_chunk::<8>) {
        let word = u64::from_le_bytes(*bytes);
        let others = non_digits(word);
        if others != 0 {
            let n = (others.trailing_zeros() / 8) as usize;
            if n == 0 || n > max {
                return None;
            }
            // The digits' values in the word's top `n` lanes (its last bytes), zeros below:
            // the first digit is the most significant, as in an eight-digit number with
            // leading zeros.
            let lanes = (word ^ (ONES * u64::from(b'0'))) << (8 * (8 - n));
            return Some((lanes_value(lanes), from + n));
        }
    }
    let mut n: u64 = 0;
    let mut i = from;
    while let Some(&b) = s.get(i) {
        let digit = b.wrapping_sub(b'0');
        if digit >= 10 {
            break;
        }
        if i - from == max {
            return None;
        }
        n = n * 10 + u64::from(digit);
        i += 1;
    }
    (i > from).then_some((n, i))
}

/// The number whose decimal digits' values (0 to 9) are the lanes of `lanes`, the first
/// byte the most significant (lanes below the number's first digit hold zeros): pairs,
/// quads and octets of lanes combined.
#[inline(always)]
pub(super) fn lanes_value(lanes: u64) -> u64 {
    let pairs = (lanes.wrapping_mul(10) + (lanes >> 8)) & 0x00ff_00ff_00ff_00ff;
    let quads = (pairs.wrapping_mul(100) + (pairs >> 16)) & 0x0000_ffff_0000_ffff;
    (quads.wrapping_mul(10_000) + (quads >> 32)) & 0xffff_ffff
}

/// The number of an `AHnnnnn` tag (`AH` not checked): [`parse_dec`] of its digits, as a
/// `u32`. A tag of four to six digits (six to eight bytes, every tag the readers split off)
/// is read at once from its first and last four bytes, its digits checked by
/// [`non_digits`] and added up by [`lanes_value`]; anything else is `parse_dec`'s.
#[inline]
pub(crate) fn ah_number(code: &[u8]) -> Option<u32> {
    let len = code.len();
    if let (6..=8, Some(first), Some(last)) = (len, code.first_chunk::<4>(), code.last_chunk::<4>())
    {
        // The tag's bytes in the word's low `len` lanes (the two halves overlap in equal
        // bytes), zeros above.
        let word = u64::from(u32::from_le_bytes(*first))
            | u64::from(u32::from_le_bytes(*last)) << (8 * (len - 4));
        let digit_lanes = (u64::MAX >> (8 * (8 - len))) & !0xffff;
        if non_digits(word) & digit_lanes != 0 {
            return None;
        }
        let digits = len - 2;
        let lanes = ((word ^ (ONES * u64::from(b'0'))) >> 16) << (8 * (8 - digits));
        // Six digits at most: the number fits.
        return Some(lanes_value(lanes) as u32);
    }
    parse_dec(tail(code, 2)).and_then(|c| u32::try_from(c).ok())
}

/// [`split_port`] of a client address: the port is read from the address's last eight
/// bytes at once (the digits that end them, found by [`non_digits`], and the `:` before
/// them), and anything else (a short address, no port, one over 65535) is
/// [`split_port`]'s.
#[inline]
pub(super) fn split_client(addr: &[u8]) -> (&[u8], Option<u16>) {
    let last = addr
        .len()
        .checked_sub(8)
        .and_then(|from| addr.get(from..))
        .and_then(<[u8]>::first_chunk::<8>);
    if let Some(last) = last {
        let word = u64::from_le_bytes(*last);
        // The address's last bytes are the word's top lanes: the digits that end it.
        let digits = (non_digits(word).leading_zeros() / 8) as usize;
        // A port is one to five digits, after a `:` (the last colon, as `split_port` has
        // it: the digits hold none).
        if (1..=5).contains(&digits) && (word >> (8 * (7 - digits))) as u8 == b':' {
            let lanes = (word ^ (ONES * u64::from(b'0'))) & (u64::MAX << (8 * (8 - digits)));
            if let Ok(port) = u16::try_from(lanes_value(lanes)) {
                let host = head(addr, addr.len() - digits - 1);
                return (unbracketed(host), Some(port));
            }
        }
    }
    split_port(addr)
}

/// Splits the `AHnnnnn: ` tag off the message.
pub(super) fn set_message<'a>(rec: &mut ErrorRecord<'a>, message: &'a [u8]) {
    match ah_code_len(message) {
        Some(n) => split_code(rec, message, n),
        None => rec.message = message,
    }
}

/// Splits off the message's `AHnnnnn: ` tag, `n` bytes and `: ` (see [`ah_code_len`]).
pub(super) fn split_code<'a>(rec: &mut ErrorRecord<'a>, message: &'a [u8], n: usize) {
    rec.code = Some(head(message, n));
    rec.message = tail(message, n + 2);
}

/// An APR status as `%E` writes it: `(111)Connection refused`, `(70007)...`,
/// `(EAI 2)...`, `(OS 10061)...`, `(os 0x80000005)...`, `(-102)...`.
pub(crate) fn status_item(s: &[u8]) -> Option<SysError<'_>> {
    if let Some((number, close)) = plain_status(s) {
        return Some(plain_status_error(s, number, close, s.len()));
    }
    status_any(s.strip_prefix(b"(")?)
}

/// `(digits)` at the start of `s`, the status of nearly every line: its number and where
/// its `)` is. The digits are read as the pass crosses them, without the search for `)`
/// and the prefix tests; nine at most, so that the number is what [`status_any`] reads.
#[inline]
pub(super) fn plain_status(s: &[u8]) -> Option<(i64, usize)> {
    if at(s, 0) != b'(' {
        return None;
    }
    let (number, close) = leading_digits(s, 1, 9)?;
    // Nine digits at most: the number fits.
    (at(s, close) == b')').then_some((number as i64, close))
}

/// The error of a [`plain_status`] `s` whose text ends at `end`.
#[inline]
pub(super) fn plain_status_error(s: &[u8], number: i64, close: usize, end: usize) -> SysError<'_> {
    SysError {
        space: os_or_apr(number),
        number,
        text: sub(s, close + 1, end),
    }
}

/// [`status_item`] after its `(`, for any code it may hold.
fn status_any(rest: &[u8]) -> Option<SysError<'_>> {
    let close = memchr::memchr(b')', head(rest, 24))?;
    let code = head(rest, close);
    let text = tail(rest, close + 1);
    let (space, number) = if let Some(n) = code.strip_prefix(b"EAI ") {
        (CodeSpace::Eai, parse_signed(n)?)
    } else if let Some(n) = code.strip_prefix(b"OS ") {
        (CodeSpace::Windows, parse_signed(n)?)
    } else if let Some(n) = code.strip_prefix(b"os 0x") {
        (CodeSpace::Windows, parse_hex(n)?)
    } else {
        let n = parse_signed(code)?;
        (os_or_apr(n), n)
    };
    Some(SysError {
        space,
        number,
        text,
    })
}

/// APR writes OS errors as they are and its own from 20000 on (`APR_OS_START_ERROR`).
fn os_or_apr(number: i64) -> CodeSpace {
    if (0..20_000).contains(&number) {
        CodeSpace::Os
    } else {
        CodeSpace::Apr
    }
}

#[cfg(test)]
pub(super) mod testing {
    //! Helpers shared by the layout and format tests.
    use super::*;
    use crate::{Cause, Role};

    /// Reads a line of the default layout, or fails the test.
    pub(crate) fn rec(line: &str) -> ErrorRecord<'_> {
        match parse_default(line.as_bytes()) {
            Ok(r) => r,
            Err(e) => panic!("{e}: {line}"),
        }
    }

    /// Reads a line written with `format`, or fails the test.
    pub(crate) fn custom<'a>(format: &str, line: &'a str) -> ErrorRecord<'a> {
        let f = ErrorLogFormat::compile(format).unwrap();
        match f.parse(line.as_bytes()) {
            Ok(r) => r,
            Err(e) => panic!("{e}: {line}"),
        }
    }

    pub(crate) const DOCUMENTED: &str =
        r"[%{u}t] [%-m:%l] [pid %P:tid %T] %7F: %E: [client\ %a] %M% ,\ referer\ %{Referer}i";

    /// An AH00957 line of a refused connect to 127.0.0.1:8080: the cause side of the pair,
    /// without client.
    pub(crate) fn assert_refused_connect(r: &ErrorRecord<'_>) {
        assert_eq!(r.code, Some(&b"AH00957"[..]));
        assert_eq!(r.client, None);
        let f = r.failure.as_ref().unwrap();
        assert_eq!(
            (f.cause, f.role, f.peer),
            (
                Cause::UpstreamRefused,
                Role::Cause,
                Some(&b"127.0.0.1:8080"[..])
            )
        );
    }
}

#[cfg(test)]
mod tests {
    use super::default::{parse_compact, parse_ctime};
    use super::testing::DOCUMENTED;
    use super::*;
    use crate::bytes::leading_u64;
    use proptest::prelude::*;

    #[test]
    fn statuses() {
        let e = status_item(b"(70007)The timeout specified has expired").unwrap();
        assert_eq!((e.space, e.number), (CodeSpace::Apr, 70007));
        let e = status_item(b"(EAI 2)Name or service not known").unwrap();
        assert_eq!((e.space, e.number), (CodeSpace::Eai, 2));
        let e = status_item(b"(OS 10061)No connection could be made").unwrap();
        assert_eq!((e.space, e.number), (CodeSpace::Windows, 10061));
        let e = status_item(b"(-102)Unknown error -102").unwrap();
        assert_eq!(e.number, -102);
        assert!(status_item(b"(null)").is_none());
    }

    #[test]
    fn ah_numbers_are_parse_decs() {
        for code in [
            &b"AH01075"[..],
            b"AH0000",
            b"AH999999",
            b"AH010117",
            b"AH4294967295",
            b"AH4294967296",
            b"AH",
            b"AH12a4",
            b"AH12/4",
            b"AH12:45",
        ] {
            let reference = parse_dec(tail(code, 2)).and_then(|c| u32::try_from(c).ok());
            assert_eq!(ah_number(code), reference, "{code:?}");
        }
        assert_eq!(ah_number(b"AH01075"), Some(1075));
    }

    #[test]
    fn clients_split_as_split_port_splits_them() {
        for client in [
            &b"10.0.8.127:36593"[..],
            b"[2001:db8::2471]:45119",
            b"2001:db8::2471:45119",
            b"127.0.0.1:65535",
            b"127.0.0.1:65536",
            b"127.0.0.1:0",
            b"127.0.0.1:123456",
            b"127.0.0.1",
            b"::1:0",
            b"1.2.3.4:5",
            b"12345678",
            b"host:12:34",
        ] {
            assert_eq!(split_client(client), split_port(client), "{client:?}");
        }
        assert_eq!(
            split_client(b"[2001:db8::2471]:45119"),
            (&b"2001:db8::2471"[..], Some(45119))
        );
    }

    const SEEDS: &[&str] = &[
        "[Wed Nov 25 09:47:33.742494 2026] [proxy_http:error] [pid 26117:tid 26126] (104)Connection reset by peer: [client 127.0.0.1:55978] AH01102: error reading status line from remote server 127.0.0.1:19155, referer: https://shop.example.test/cart",
        "[Wed Nov 25 09:47:36.036331 2026] [proxy:error] [pid 26515:tid 26519] (2)No such file or directory: AH02454: FCGI: attempt to connect to Unix domain socket /nonexistent/php-fpm.sock (localhost:8000) failed",
        "[Tue Nov 25 10:00:31 2025] [error] [client 203.0.113.9] (70007)The timeout specified has expired: proxy: error reading status line from remote server localhost:8080",
        "AH00558: apache2: Could not reliably determine the server's fully qualified domain name",
        "[2025-07-22 15:45:51.323610 +0200] [proxy_http:error] [pid 1234:tid 5678] (111)Connection refused: [client 203.0.113.9:50312] AH01114: HTTP: failed to make connection to backend: localhost",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn mutated_real_lines_never_panic(
            seed in 0..SEEDS.len(),
            edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0..4u8), 0..12),
        ) {
            let line = crate::test_support::mutate(SEEDS[seed].as_bytes(), &edits, b"[] ():,");
            let _ = parse_default(&line);
            if let Ok(f) = ErrorLogFormat::compile(DOCUMENTED) {
                let _ = f.parse(&line);
            }
        }

        /// The counted AH tag agrees with the parsed definition (4 to 6 digits, then `: `).
        #[test]
        fn ah_code_len_counts_like_the_parsed_definition(text in "(AH)?[0-9]{0,9}(: |:| )?x") {
            let s = text.as_bytes();
            let reference = s.starts_with(b"AH").then(|| leading_u64(tail(s, 2)).1).filter(|&n| {
                (4..=6).contains(&n) && tail(s, 2 + n).starts_with(b": ")
            });
            prop_assert_eq!(ah_code_len(s), reference.map(|n| n + 2));
        }

        /// Also on any bytes after `AH` (bytes next to the digits, high bytes).
        #[test]
        fn ah_code_len_counts_like_the_parsed_definition_on_any_bytes(
            bytes in proptest::collection::vec(prop_oneof![any::<u8>(), 0x2fu8..0x3b, Just(b' ')], 0..12),
        ) {
            let s = [&b"AH"[..], &bytes].concat();
            let (_, n) = leading_u64(tail(&s, 2));
            let reference = ((4..=6).contains(&n) && tail(&s, 2 + n).starts_with(b": ")).then_some(n + 2);
            prop_assert_eq!(ah_code_len(&s), reference);
        }

        /// The word-at-a-time reading of a run of digits agrees with a byte loop.
        #[test]
        fn leading_digits_reads_like_a_byte_loop(
            text in "[0-9]{0,20}[^0-9]?[0-9]{0,3}|[0-9/:;\\x80-\\xff]{0,10}",
            from in 0..3usize,
            max in 1..20usize,
        ) {
            let s = text.as_bytes();
            let run = tail(s, from).iter().take_while(|b| b.is_ascii_digit()).count();
            let reference = (run > 0 && run <= max).then(|| {
                let value = tail(s, from).iter().take(run).fold(0u64, |n, &b| {
                    n.wrapping_mul(10).wrapping_add(u64::from(b - b'0'))
                });
                (value, from + run)
            });
            prop_assert_eq!(leading_digits(s, from, max), reference);
        }

        /// An AH tag's number read at once agrees with `parse_dec`, on digits and on
        /// bytes next to them.
        #[test]
        fn ah_numbers_are_parse_decs_of_any_digits(
            text in "(AH)?[0-9]{0,12}[a: ]?|AH[0-9/:;\\x80-\\xff]{0,7}",
        ) {
            let code = text.as_bytes();
            let reference = parse_dec(tail(code, 2)).and_then(|c| u32::try_from(c).ok());
            prop_assert_eq!(ah_number(code), reference);
        }

        /// A client's port read from its last word agrees with `split_port`: IPv4 and IPv6
        /// clients, bracketed or not, short ones, ports of any length and size, bytes next
        /// to the digits and the colon.
        #[test]
        fn split_client_splits_like_split_port(
            text in "\\[?[0-9a-f.:]{0,14}\\]?(:[0-9]{0,7})?|[0-9/:;\\[\\]\\x80-\\xff]{0,12}",
        ) {
            let s = text.as_bytes();
            prop_assert_eq!(split_client(s), split_port(s));
        }

        /// The digits-only reading of a status agrees with the reading of any status.
        #[test]
        fn plain_status_reads_like_any_status(text in r"\((-|EAI |OS |os 0x)?[0-9a-f]{0,12}(\)|\]|x)?[A-Za-z ]{0,8}") {
            let general = text.as_bytes().strip_prefix(b"(").and_then(status_any);
            prop_assert_eq!(status_item(text.as_bytes()), general);
        }

        #[test]
        fn arbitrary_times_never_panic(
            time in "[0-9 :.+-]{0,40}",
            pattern in "(%[YymbhBdeHkMSaAzZsFTDRcx%nt]|[ :/.T-]){0,12}",
        ) {
            let _ = parse_default(format!("[{time}] [proxy:error] x").as_bytes());
            let _ = parse_compact(time.as_bytes());
            let _ = parse_ctime(time.as_bytes());
            if let Ok(f) = ErrorLogFormat::compile(&format!("[%{{{pattern}}}t] %M")) {
                let _ = f.parse(format!("[{time}] x").as_bytes());
            }
        }
    }
}
