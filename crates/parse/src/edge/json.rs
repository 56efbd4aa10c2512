//! Reading JSON values without copying: serde_json finds and checks each value
//! ([`RawValue`] borrows its text from the line); these helpers type it.
//!
//! A string keeps its JSON escapes as written (`\"`, `\u00e9`), the way the other formats
//! keep theirs. A field of the wrong JSON type is [`Wrong`], so the caller decides whether
//! the line is still usable without it.
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use serde_json::value::RawValue;

use crate::edge::text::iso8601;
use crate::time::Timestamp;

/// A field that holds another JSON type than the format documents.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Wrong;

/// A JSON string's text between its quotes, escapes as written; `None` for `null`, an
/// absent field or an empty string.
pub(crate) fn string(raw: Option<&RawValue>) -> Result<Option<&[u8]>, Wrong> {
    let Some(raw) = raw else { return Ok(None) };
    let text = raw.get().as_bytes();
    if text == b"null" {
        return Ok(None);
    }
    match text {
        [b'"', inner @ .., b'"'] => Ok((!inner.is_empty()).then_some(inner)),
        _ => Err(Wrong),
    }
}

/// A non-negative integer written as a JSON number or a string of digits (Logpush writes
/// some as strings; Google writes int64 fields as strings).
pub(crate) fn integer(raw: Option<&RawValue>) -> Result<Option<u64>, Wrong> {
    let Some(raw) = raw else { return Ok(None) };
    let text = raw.get().as_bytes();
    if text == b"null" {
        return Ok(None);
    }
    let digits = match text {
        [b'"', inner @ .., b'"'] => inner,
        other => other,
    };
    if digits.is_empty() {
        return Ok(None);
    }
    crate::record::parse_u64(digits).map(Some).ok_or(Wrong)
}

/// A time in any of Logpush's `timestamp_format`s: `unixnano` (the API default), `unix`,
/// `unixmilli`, or `rfc3339` (the dashboard default), as a number or a string. Integers are
/// told apart by size: seconds until the year 5138, then milliseconds, microseconds and
/// nanoseconds.
pub(crate) fn time(raw: Option<&RawValue>) -> Result<Option<Timestamp>, Wrong> {
    let Some(raw) = raw else { return Ok(None) };
    let text = raw.get().as_bytes();
    if text == b"null" {
        return Ok(None);
    }
    let inner = match text {
        [b'"', inner @ .., b'"'] => inner,
        other => other,
    };
    if inner.is_empty() {
        return Ok(None);
    }
    if inner.iter().all(u8::is_ascii_digit) {
        let n = crate::record::parse_u64(inner).ok_or(Wrong)?;
        let (seconds, micros) = if n < 100_000_000_000 {
            (n, 0)
        } else if n < 100_000_000_000_000 {
            (n / 1_000, (n % 1_000) * 1_000)
        } else if n < 100_000_000_000_000_000 {
            (n / 1_000_000, n % 1_000_000)
        } else {
            (n / 1_000_000_000, (n % 1_000_000_000) / 1_000)
        };
        let seconds = i64::try_from(seconds).map_err(|_| Wrong)?;
        let micros = u32::try_from(micros).map_err(|_| Wrong)?;
        return Timestamp::from_unix(seconds, micros, 0)
            .map(Some)
            .ok_or(Wrong);
    }
    match iso8601(inner) {
        Some((ts, n)) if n == inner.len() && ts.offset_seconds().is_some() => Ok(Some(ts)),
        _ => Err(Wrong),
    }
}

/// Google's durations: `"0.123456s"`.
pub(crate) fn duration_us(raw: Option<&RawValue>) -> Result<Option<u64>, Wrong> {
    let Some(text) = string(raw)? else {
        return Ok(None);
    };
    let seconds = text.strip_suffix(b"s").ok_or(Wrong)?;
    crate::record::parse_seconds_us(seconds)
        .map(Some)
        .ok_or(Wrong)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(text: &str) -> Box<RawValue> {
        RawValue::from_string(text.to_owned()).unwrap()
    }

    #[test]
    fn strings_keep_their_escapes() {
        assert_eq!(string(Some(&raw(r#""a\"b""#))), Ok(Some(&br#"a\"b"#[..])));
        assert_eq!(string(Some(&raw(r#""""#))), Ok(None));
        assert_eq!(string(Some(&raw("null"))), Ok(None));
        assert_eq!(string(Some(&raw("12"))), Err(Wrong));
        assert_eq!(string(None), Ok(None));
    }

    #[test]
    fn integers_as_numbers_or_strings() {
        assert_eq!(integer(Some(&raw("502"))), Ok(Some(502)));
        assert_eq!(integer(Some(&raw(r#""502""#))), Ok(Some(502)));
        assert_eq!(integer(Some(&raw("-1"))), Err(Wrong));
        assert_eq!(integer(Some(&raw("5.5"))), Err(Wrong));
        assert_eq!(integer(Some(&raw("true"))), Err(Wrong));
        assert_eq!(integer(Some(&raw("{}"))), Err(Wrong));
    }

    #[test]
    fn every_logpush_timestamp_form() {
        let expected = "2017-09-29T16:28:24.433000+00:00";
        for form in [
            "1506702504433000200",
            r#""1506702504433000200""#,
            "1506702504433",
            "1506702504433000",
            r#""2017-09-29T16:28:24.433Z""#,
        ] {
            let t = time(Some(&raw(form))).unwrap().unwrap();
            assert_eq!(t.to_string(), expected, "{form}");
        }
        let t = time(Some(&raw("1506702504"))).unwrap().unwrap();
        assert_eq!(t.to_string(), "2017-09-29T16:28:24+00:00");
        assert_eq!(time(Some(&raw(r#""yesterday""#))), Err(Wrong));
        assert_eq!(time(Some(&raw(r#""2017-09-29T16:28:24""#))), Err(Wrong));
        assert_eq!(time(Some(&raw("[1]"))), Err(Wrong));
        assert_eq!(time(Some(&raw("99999999999999999999"))), Err(Wrong));
    }

    #[test]
    fn google_durations() {
        assert_eq!(duration_us(Some(&raw(r#""0.012345s""#))), Ok(Some(12_345)));
        assert_eq!(duration_us(Some(&raw(r#""30s""#))), Ok(Some(30_000_000)));
        assert_eq!(duration_us(Some(&raw(r#""30""#))), Err(Wrong));
    }
}
