//! Time fields of access logs: nginx `$time_local`, `$time_iso8601`, `$msec`; Apache `%t`
//! and `%{format}t` (strftime subsets, `sec`, `msec`, `usec`, `msec_frac`, `usec_frac`).
//!
//! Several time items of one format (Apache `[%{%d/%b/%Y %T}t.%{msec_frac}t %{%z}t]`) fill
//! one [`TimeParts`], which becomes the record's [`Timestamp`] once the line is matched.

use std::cell::Cell;

use crate::error::FormatError;
use crate::time::{Timestamp, month_from_abbrev, parse_offset};

/// Calendar fields collected from the time items of one line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct TimeParts {
    year: Option<i32>,
    month: Option<u32>,
    day: Option<u32>,
    hour: Option<u32>,
    minute: Option<u32>,
    second: Option<u32>,
    micros: Option<u32>,
    offset: Option<i32>,
    epoch: Option<i64>,
    pm: Option<bool>,
}

/// No part at all (`TimeParts::default()`, usable in a `const`).
const NO_PARTS: TimeParts = TimeParts {
    year: None,
    month: None,
    day: None,
    hour: None,
    minute: None,
    second: None,
    micros: None,
    offset: None,
    epoch: None,
    pm: None,
};

thread_local! {
    /// The latest `$time_local` text read on this thread and the parts it gave. Lines come
    /// in time order and a busy log writes hundreds in one second: comparing 26 bytes with
    /// the previous line's is cheaper than reading seven numbers again.
    static LAST_CLF: Cell<([u8; 26], TimeParts)> = const { Cell::new(([0; 26], NO_PARTS)) };
    /// The latest `$time_local` text read by [`clf_time`] on this thread and its
    /// timestamp (`None` before the first read).
    static LAST_CLF_TIME: Cell<([u8; 26], Option<Timestamp>)> = const { Cell::new(([0; 26], None)) };
    /// The latest parts built into a timestamp on this thread, and the result, for the
    /// same reason.
    static LAST_BUILT: Cell<(TimeParts, Result<Option<Timestamp>, ()>)> =
        const { Cell::new((NO_PARTS, Ok(None))) };
}

impl TimeParts {
    /// The timestamp the parts describe: `Ok(None)` if they do not make a date (no item, or
    /// only a time of day), `Err(())` if they make an impossible one.
    pub(super) fn build(&self) -> Result<Option<Timestamp>, ()> {
        let (parts, built) = LAST_BUILT.get();
        if parts == *self {
            return built;
        }
        let built = self.build_uncached();
        LAST_BUILT.set((*self, built));
        built
    }

    fn build_uncached(&self) -> Result<Option<Timestamp>, ()> {
        if let Some(epoch) = self.epoch {
            return Timestamp::from_unix(epoch, self.micros.unwrap_or(0), self.offset.unwrap_or(0))
                .map(Some)
                .ok_or(());
        }
        let (Some(year), Some(month), Some(day)) = (self.year, self.month, self.day) else {
            return Ok(None);
        };
        let mut hour = self.hour.unwrap_or(0);
        match self.pm {
            Some(true) if hour < 12 => hour += 12,
            Some(false) if hour == 12 => hour = 0,
            _ => {}
        }
        Timestamp::from_parts(
            year,
            month,
            day,
            hour,
            self.minute.unwrap_or(0),
            self.second.unwrap_or(0),
            self.micros.unwrap_or(0),
            self.offset,
        )
        .map(Some)
        .ok_or(())
    }
}

/// One time item of a format, matched by its own shape (it needs no terminator).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum TimeItem {
    /// `25/Nov/2026:01:29:10 +0100` (nginx `$time_local`, Apache `%t` inside its brackets).
    Clf,
    /// `2026-11-25T01:29:10+01:00` (nginx `$time_iso8601`; a fraction and `Z` are accepted).
    Iso8601,
    /// `1795566550.123`: Unix seconds with an optional fraction (nginx `$msec`).
    EpochFrac,
    /// Unix time as an integer in 1/scale seconds (Apache `%{sec}t`, `%{msec}t`, `%{usec}t`).
    Epoch(u32),
    /// The sub-second part with this many digits (Apache `%{msec_frac}t`, `%{usec_frac}t`).
    Frac(u8),
    /// An strftime pattern (Apache `%{...}t`).
    Strftime(Box<[Conv]>),
}

/// One conversion of an strftime pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Conv {
    /// Literal bytes.
    Lit(Box<[u8]>),
    /// `%Y`
    Year,
    /// `%y` (2000-based)
    Year2,
    /// `%m`
    Month,
    /// `%b`, `%h`
    MonthAbbr,
    /// `%B`
    MonthName,
    /// `%d`, `%e`
    Day,
    /// `%H`, `%k`
    Hour,
    /// `%I`, `%l`
    Hour12,
    /// `%M`
    Minute,
    /// `%S`
    Second,
    /// `%z`
    Offset,
    /// `%p`
    AmPm,
    /// `%s`
    Epoch,
    /// `%a`, `%A`, `%Z`: letters, skipped.
    Letters,
    /// `%j`, `%u`, `%w`, `%U`, `%W`, `%V`, `%G`, `%g`, `%C`: digits, skipped.
    Digits,
    /// `%n`, `%t`: white space.
    Space,
}

impl TimeItem {
    /// The item for an Apache `%{arg}t`.
    pub(super) fn apache(arg: &[u8]) -> Result<TimeItem, FormatError> {
        Ok(match arg {
            b"sec" => TimeItem::Epoch(1),
            b"msec" => TimeItem::Epoch(1_000),
            b"usec" => TimeItem::Epoch(1_000_000),
            b"msec_frac" => TimeItem::Frac(3),
            b"usec_frac" => TimeItem::Frac(6),
            _ => TimeItem::Strftime(compile_strftime(arg)?),
        })
    }

    /// Matches the item at the start of `s`, filling `parts`; the length consumed.
    pub(super) fn parse(&self, s: &[u8], parts: &mut TimeParts) -> Option<usize> {
        match self {
            TimeItem::Clf => clf(s, parts),
            TimeItem::Iso8601 => iso8601(s, parts),
            TimeItem::EpochFrac => {
                let int = digit_run(s, 19);
                let secs = crate::record::parse_u64(s.get(..int)?)?;
                parts.epoch = Some(i64::try_from(secs).ok()?);
                let mut len = int;
                if s.get(int) == Some(&b'.') {
                    let frac = digit_run(s.get(int + 1..)?, 9);
                    parts.micros = Some(frac_micros(s.get(int + 1..int + 1 + frac)?));
                    len = int + 1 + frac;
                } else {
                    parts.micros = Some(0);
                }
                Some(len)
            }
            TimeItem::Epoch(scale) => {
                let len = digit_run(s, 20);
                let n = crate::record::parse_u64(s.get(..len)?)?;
                let scale = u64::from(*scale);
                parts.epoch = Some(i64::try_from(n / scale).ok()?);
                let rem = n % scale;
                parts.micros = Some(u32::try_from(rem * (1_000_000 / scale)).ok()?);
                Some(len)
            }
            TimeItem::Frac(digits) => {
                let len = digit_run(s, usize::from(*digits));
                if len != usize::from(*digits) {
                    return None;
                }
                parts.micros = Some(frac_micros(s.get(..len)?));
                Some(len)
            }
            TimeItem::Strftime(convs) => {
                let mut pos = 0;
                for conv in convs.iter() {
                    pos += conv.parse(s.get(pos..)?, parts)?;
                }
                Some(pos)
            }
        }
    }
}

impl Conv {
    fn parse(&self, s: &[u8], parts: &mut TimeParts) -> Option<usize> {
        let num = |s: &[u8], width: usize| -> Option<(u32, usize)> {
            // Leading spaces (`%e`, `%_d`), then 1..=width digits.
            let spaces = s.iter().take(width - 1).take_while(|&&b| b == b' ').count();
            let digits = digit_run(s.get(spaces..)?, width - spaces);
            if digits == 0 {
                return None;
            }
            let n = crate::record::parse_u64(s.get(spaces..spaces + digits)?)?;
            Some((u32::try_from(n).ok()?, spaces + digits))
        };
        match self {
            Conv::Lit(lit) => s.starts_with(lit).then_some(lit.len()),
            Conv::Year => {
                let (n, len) = num(s, 4)?;
                parts.year = Some(i32::try_from(n).ok()?);
                Some(len)
            }
            Conv::Year2 => {
                let (n, len) = num(s, 2)?;
                parts.year = Some(2000 + i32::try_from(n).ok()?);
                Some(len)
            }
            Conv::Month => num(s, 2).map(|(n, len)| {
                parts.month = Some(n);
                len
            }),
            Conv::MonthAbbr => {
                parts.month = Some(month_from_abbrev(s.get(..3)?)?);
                Some(3)
            }
            Conv::MonthName => {
                parts.month = Some(month_from_abbrev(s.get(..3)?)?);
                Some(s.iter().take_while(|b| b.is_ascii_alphabetic()).count())
            }
            Conv::Day => num(s, 2).map(|(n, len)| {
                parts.day = Some(n);
                len
            }),
            Conv::Hour | Conv::Hour12 => num(s, 2).map(|(n, len)| {
                parts.hour = Some(n);
                len
            }),
            Conv::Minute => num(s, 2).map(|(n, len)| {
                parts.minute = Some(n);
                len
            }),
            Conv::Second => num(s, 2).map(|(n, len)| {
                parts.second = Some(n);
                len
            }),
            Conv::Offset => {
                let len = match s.get(3) {
                    Some(b':') => 6,
                    _ => 5,
                };
                parts.offset = Some(parse_offset(s.get(..len)?)?);
                Some(len)
            }
            Conv::AmPm => {
                let word = s.get(..2)?;
                parts.pm = Some(match word {
                    b"AM" | b"am" => false,
                    b"PM" | b"pm" => true,
                    _ => return None,
                });
                Some(2)
            }
            Conv::Epoch => {
                let len = digit_run(s, 20);
                let n = crate::record::parse_u64(s.get(..len)?)?;
                parts.epoch = Some(i64::try_from(n).ok()?);
                Some(len)
            }
            Conv::Letters => {
                let len = s.iter().take_while(|b| b.is_ascii_alphabetic()).count();
                (len > 0).then_some(len)
            }
            Conv::Digits => {
                let len = digit_run(s, 10);
                (len > 0).then_some(len)
            }
            Conv::Space => Some(s.iter().take_while(|b| b.is_ascii_whitespace()).count()),
        }
    }
}

/// Compiles an strftime pattern (glibc flags `-_0^#` and `E`/`O` modifiers are accepted).
pub(super) fn compile_strftime(pattern: &[u8]) -> Result<Box<[Conv]>, FormatError> {
    let mut convs = Vec::new();
    let mut lit = Vec::new();
    let mut i = 0;
    let push = |convs: &mut Vec<Conv>, lit: &mut Vec<u8>, conv: Conv| {
        if !lit.is_empty() {
            convs.push(Conv::Lit(std::mem::take(lit).into_boxed_slice()));
        }
        convs.push(conv);
    };
    while let Some(&b) = pattern.get(i) {
        i += 1;
        if b != b'%' {
            lit.push(b);
            continue;
        }
        while matches!(
            pattern.get(i),
            Some(b'-' | b'_' | b'0' | b'^' | b'#' | b'E' | b'O')
        ) {
            i += 1;
        }
        let Some(&c) = pattern.get(i) else {
            return Err(FormatError::new("'%' at the end of a time format", i));
        };
        i += 1;
        let conv = match c {
            b'%' => {
                lit.push(b'%');
                continue;
            }
            b'Y' => Conv::Year,
            b'y' => Conv::Year2,
            b'm' => Conv::Month,
            b'b' | b'h' => Conv::MonthAbbr,
            b'B' => Conv::MonthName,
            b'd' | b'e' => Conv::Day,
            b'H' | b'k' => Conv::Hour,
            b'I' | b'l' => Conv::Hour12,
            b'M' => Conv::Minute,
            b'S' => Conv::Second,
            b'z' => Conv::Offset,
            b'p' | b'P' => Conv::AmPm,
            b's' => Conv::Epoch,
            b'a' | b'A' | b'Z' => Conv::Letters,
            b'j' | b'u' | b'w' | b'U' | b'W' | b'V' | b'G' | b'g' | b'C' => Conv::Digits,
            b'n' | b't' => Conv::Space,
            // Composites, C locale.
            b'T' | b'X' => {
                for conv in [
                    Conv::Hour,
                    Conv::Lit(Box::new(*b":")),
                    Conv::Minute,
                    Conv::Lit(Box::new(*b":")),
                ] {
                    push(&mut convs, &mut lit, conv);
                }
                Conv::Second
            }
            b'R' => {
                for conv in [Conv::Hour, Conv::Lit(Box::new(*b":"))] {
                    push(&mut convs, &mut lit, conv);
                }
                Conv::Minute
            }
            b'F' => {
                for conv in [
                    Conv::Year,
                    Conv::Lit(Box::new(*b"-")),
                    Conv::Month,
                    Conv::Lit(Box::new(*b"-")),
                ] {
                    push(&mut convs, &mut lit, conv);
                }
                Conv::Day
            }
            b'D' | b'x' => {
                for conv in [
                    Conv::Month,
                    Conv::Lit(Box::new(*b"/")),
                    Conv::Day,
                    Conv::Lit(Box::new(*b"/")),
                ] {
                    push(&mut convs, &mut lit, conv);
                }
                Conv::Year2
            }
            b'c' => {
                // "Wed Jun 30 21:49:08 1993"
                for conv in [
                    Conv::Letters,
                    Conv::Lit(Box::new(*b" ")),
                    Conv::MonthAbbr,
                    Conv::Lit(Box::new(*b" ")),
                    Conv::Day,
                    Conv::Lit(Box::new(*b" ")),
                    Conv::Hour,
                    Conv::Lit(Box::new(*b":")),
                    Conv::Minute,
                    Conv::Lit(Box::new(*b":")),
                    Conv::Second,
                    Conv::Lit(Box::new(*b" ")),
                ] {
                    push(&mut convs, &mut lit, conv);
                }
                Conv::Year
            }
            _ => {
                return Err(FormatError::new(
                    format!(
                        "unsupported time conversion %{}",
                        char::from(c).escape_default()
                    ),
                    i - 1,
                ));
            }
        };
        push(&mut convs, &mut lit, conv);
    }
    if !lit.is_empty() {
        convs.push(Conv::Lit(lit.into_boxed_slice()));
    }
    // Merge adjacent literals produced by the composites.
    let mut merged: Vec<Conv> = Vec::with_capacity(convs.len());
    for conv in convs {
        if let (Some(Conv::Lit(prev)), Conv::Lit(next)) = (merged.last_mut(), &conv) {
            let mut joined = prev.to_vec();
            joined.extend_from_slice(next);
            *prev = joined.into_boxed_slice();
        } else {
            merged.push(conv);
        }
    }
    Ok(merged.into_boxed_slice())
}

/// Whether compiled conversions name a point in time on their own: a year, month, day and
/// hour, or Unix seconds.
pub(super) fn names_a_time(convs: &[Conv]) -> bool {
    let has = |want: &[Conv]| convs.iter().any(|c| want.contains(c));
    has(&[Conv::Epoch])
        || (has(&[Conv::Year, Conv::Year2])
            && has(&[Conv::Month, Conv::MonthAbbr, Conv::MonthName])
            && has(&[Conv::Day])
            && has(&[Conv::Hour, Conv::Hour12]))
}

/// Length of the run of ASCII digits at the start of `s`, at most `max`.
pub(super) fn digit_run(s: &[u8], max: usize) -> usize {
    s.iter()
        .take(max)
        .take_while(|b| b.is_ascii_digit())
        .count()
}

/// Microseconds of a fraction's digits (`"123"` → 123000; digits past the sixth dropped).
fn frac_micros(digits: &[u8]) -> u32 {
    let mut micros = 0u32;
    let mut scale = 100_000u32;
    for &d in digits.iter().take(6) {
        micros += u32::from(d.wrapping_sub(b'0') % 10) * scale;
        scale /= 10;
    }
    micros
}

fn two(a: u8, b: u8) -> Option<u32> {
    (a.is_ascii_digit() && b.is_ascii_digit())
        .then(|| u32::from(a - b'0') * 10 + u32::from(b - b'0'))
}

fn four(a: u8, b: u8, c: u8, d: u8) -> Option<i32> {
    let hi = two(a, b)?;
    let lo = two(c, d)?;
    i32::try_from(hi * 100 + lo).ok()
}

/// `25/Nov/2026:01:29:10 +0100`
fn clf(s: &[u8], parts: &mut TimeParts) -> Option<usize> {
    let b: &[u8; 26] = s.get(..26)?.try_into().ok()?;
    let (text, last) = LAST_CLF.get();
    // A read that worked set the second: the cache's first value (zero bytes, no parts)
    // is never a hit, so 26 NUL bytes are refused as any bad time is.
    let read = if text == *b && last.second.is_some() {
        last
    } else {
        let mut read = NO_PARTS;
        clf_uncached(b, &mut read)?;
        LAST_CLF.set((*b, read));
        read
    };
    // Only what a CLF time sets is copied: other time items of the format may have filled
    // the rest (the cache holds only successful reads).
    parts.day = read.day;
    parts.month = read.month;
    parts.year = read.year;
    parts.hour = read.hour;
    parts.minute = read.minute;
    parts.second = read.second;
    parts.offset = read.offset;
    Some(26)
}

/// The timestamp of the `$time_local` text at the start of `s` when it is a format's only
/// time item: what [`clf`] and [`TimeParts::build`] give together (`None` where either
/// fails), without the parts in between. A line in the same second as the previous one
/// (most lines of a busy log) costs four word compares.
pub(super) fn clf_time(s: &[u8]) -> Option<Timestamp> {
    let b: &[u8; 26] = s.get(..26)?.try_into().ok()?;
    let (text, last) = LAST_CLF_TIME.get();
    if let Some(time) = last.filter(|_| same_clf_text(&text, b)) {
        return Some(time);
    }
    let mut parts = NO_PARTS;
    clf_uncached(b, &mut parts)?;
    // A CLF time always names a date: `Ok(None)` cannot come back.
    let time = parts.build_uncached().ok().flatten()?;
    LAST_CLF_TIME.set((*b, Some(time)));
    Some(time)
}

/// `a == b` as four overlapping eight-byte compares, where `==` calls `bcmp`.
#[inline]
fn same_clf_text(a: &[u8; 26], b: &[u8; 26]) -> bool {
    let word = |s: &[u8; 26], at: usize| {
        s.get(at..at + 8)
            .and_then(|w| <[u8; 8]>::try_from(w).ok())
            .map(u64::from_le_bytes)
    };
    [0, 8, 16, 18].iter().all(|&at| word(a, at) == word(b, at))
}

fn clf_uncached(b: &[u8; 26], parts: &mut TimeParts) -> Option<()> {
    let [
        d0,
        d1,
        b'/',
        m0,
        m1,
        m2,
        b'/',
        y0,
        y1,
        y2,
        y3,
        b':',
        h0,
        h1,
        b':',
        n0,
        n1,
        b':',
        s0,
        s1,
        b' ',
        z0,
        z1,
        z2,
        z3,
        z4,
    ] = *b
    else {
        return None;
    };
    parts.day = Some(two(d0, d1)?);
    parts.month = Some(month_from_abbrev(&[m0, m1, m2])?);
    parts.year = Some(four(y0, y1, y2, y3)?);
    parts.hour = Some(two(h0, h1)?);
    parts.minute = Some(two(n0, n1)?);
    parts.second = Some(two(s0, s1)?);
    parts.offset = Some(parse_offset(&[z0, z1, z2, z3, z4])?);
    Some(())
}

/// `2026-11-25T01:29:10+01:00`, also with a fraction, `Z`, or `+0100`.
fn iso8601(s: &[u8], parts: &mut TimeParts) -> Option<usize> {
    let b: &[u8; 19] = s.get(..19)?.try_into().ok()?;
    let [
        y0,
        y1,
        y2,
        y3,
        b'-',
        m0,
        m1,
        b'-',
        d0,
        d1,
        b'T' | b' ',
        h0,
        h1,
        b':',
        n0,
        n1,
        b':',
        s0,
        s1,
    ] = *b
    else {
        return None;
    };
    parts.year = Some(four(y0, y1, y2, y3)?);
    parts.month = Some(two(m0, m1)?);
    parts.day = Some(two(d0, d1)?);
    parts.hour = Some(two(h0, h1)?);
    parts.minute = Some(two(n0, n1)?);
    parts.second = Some(two(s0, s1)?);
    let mut pos = 19;
    if s.get(pos) == Some(&b'.') {
        let digits = digit_run(s.get(pos + 1..)?, 9);
        if digits == 0 {
            return None;
        }
        parts.micros = Some(frac_micros(s.get(pos + 1..pos + 1 + digits)?));
        pos += 1 + digits;
    } else {
        parts.micros = Some(0);
    }
    match s.get(pos) {
        Some(b'Z') => {
            parts.offset = Some(0);
            pos += 1;
        }
        Some(b'+' | b'-') => {
            let len = if s.get(pos + 3) == Some(&b':') { 6 } else { 5 };
            parts.offset = Some(parse_offset(s.get(pos..pos + len)?)?);
            pos += len;
        }
        _ => parts.offset = None,
    }
    Some(pos)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(item: &TimeItem, s: &str) -> Option<(usize, String)> {
        let mut parts = TimeParts::default();
        let len = item.parse(s.as_bytes(), &mut parts)?;
        Some((len, parts.build().ok()??.to_string()))
    }

    #[test]
    fn clf_and_iso() {
        assert_eq!(
            ts(&TimeItem::Clf, "25/Nov/2026:01:29:10 +0100]"),
            Some((26, "2026-11-25T01:29:10+01:00".into()))
        );
        assert_eq!(ts(&TimeItem::Clf, "25/Nov/2026:01:29:10 +01"), None);
        assert_eq!(ts(&TimeItem::Clf, "31/Feb/2026:01:29:10 +0100"), None);
        assert_eq!(
            ts(&TimeItem::Iso8601, "2026-11-25T01:29:10+01:00 x"),
            Some((25, "2026-11-25T01:29:10+01:00".into()))
        );
        assert_eq!(
            ts(&TimeItem::Iso8601, "2026-11-25T01:29:10.5Z"),
            Some((22, "2026-11-25T01:29:10.500000+00:00".into()))
        );
    }

    #[test]
    fn repeated_times_come_from_the_cache_unchanged() {
        let a = "25/Nov/2026:01:29:10 +0100]";
        let b = "25/Nov/2026:01:29:11 +0100]";
        for _ in 0..2 {
            assert_eq!(
                ts(&TimeItem::Clf, a),
                Some((26, "2026-11-25T01:29:10+01:00".into()))
            );
            assert_eq!(
                ts(&TimeItem::Clf, a),
                Some((26, "2026-11-25T01:29:10+01:00".into()))
            );
            assert_eq!(
                ts(&TimeItem::Clf, b),
                Some((26, "2026-11-25T01:29:11+01:00".into()))
            );
            // A bad time after a good one is not read from the cache.
            assert_eq!(ts(&TimeItem::Clf, "25/Nov/2026:01:29:1x +0100"), None);
            assert_eq!(ts(&TimeItem::Clf, "31/Feb/2026:01:29:10 +0100"), None);
        }
        // The cache's first value (before any read on a thread) is no hit: 26 NUL bytes
        // are refused.
        let nul = std::thread::spawn(|| TimeItem::Clf.parse(&[0; 26], &mut TimeParts::default()));
        assert_eq!(nul.join().unwrap(), None);
        // A CLF time from the cache leaves the parts other items filled alone.
        let mut parts = TimeParts::default();
        for _ in 0..2 {
            assert_eq!(TimeItem::Frac(3).parse(b"250", &mut parts), Some(3));
            assert_eq!(TimeItem::Clf.parse(a.as_bytes(), &mut parts), Some(26));
            let built = parts.build().unwrap().unwrap();
            assert_eq!(built.to_string(), "2026-11-25T01:29:10.250000+01:00");
        }
    }

    #[test]
    fn the_clf_timestamp_is_what_the_parts_build() {
        let through_parts = |s: &[u8]| {
            let mut parts = TimeParts::default();
            TimeItem::Clf.parse(s, &mut parts)?;
            parts.build().ok().flatten()
        };
        let texts: [&[u8]; 9] = [
            b"25/Nov/2026:01:29:10 +0100",
            b"25/Nov/2026:01:29:10 +0100",
            b"25/Nov/2026:01:29:11 +0100",
            b"25/Nov/2026:01:29:11 -0100",
            b"26/Nov/2026:01:29:11 -0100",
            b"31/Feb/2026:01:29:10 +0100",
            b"25/Nov/2026:01:29:1x +0100",
            b"25/Nov/2026:01:29:10 +01",
            b"25/Nov/2026:01:29:10 +0100",
        ];
        for _ in 0..2 {
            for text in texts {
                assert_eq!(clf_time(text), through_parts(text), "{text:?}");
            }
        }
        // Before any read on a thread, 26 NUL bytes are no hit.
        let nul = std::thread::spawn(|| clf_time(&[0; 26]));
        assert_eq!(nul.join().unwrap(), None);
    }

    proptest::proptest! {
        /// Any change to a time text, made after the text was read, gives what the
        /// parts build: the cache never answers for another text.
        #[test]
        fn clf_timestamps_follow_any_change(
            at in 0usize..26,
            byte in proptest::sample::select(&b"0123456789/:+- NovFebx\x00"[..]),
        ) {
            let text = *b"25/Nov/2026:01:29:10 +0100";
            let mut changed = text;
            changed[at] = byte;
            let mut parts = TimeParts::default();
            let expected = TimeItem::Clf
                .parse(&changed, &mut parts)
                .and_then(|_| parts.build().ok().flatten());
            proptest::prop_assert!(clf_time(&text).is_some());
            proptest::prop_assert_eq!(clf_time(&changed), expected);
        }
    }

    #[test]
    fn epochs() {
        assert_eq!(
            ts(&TimeItem::EpochFrac, "1795566550.123 "),
            Some((14, "2026-11-25T00:29:10.123000+00:00".into()))
        );
        assert_eq!(
            ts(&TimeItem::Epoch(1_000), "1795566550123"),
            Some((13, "2026-11-25T00:29:10.123000+00:00".into()))
        );
        assert_eq!(
            ts(&TimeItem::Epoch(1_000_000), "1795566550123456"),
            Some((16, "2026-11-25T00:29:10.123456+00:00".into()))
        );
        assert_eq!(ts(&TimeItem::Epoch(1), "x"), None);
    }

    #[test]
    fn strftime_patterns() {
        let item = TimeItem::apache(b"%d/%b/%Y:%H:%M:%S %z").unwrap();
        assert_eq!(
            ts(&item, "25/Nov/2026:01:29:10 +0100"),
            Some((26, "2026-11-25T01:29:10+01:00".into()))
        );
        let item = TimeItem::apache(b"%F %T").unwrap();
        assert_eq!(
            ts(&item, "2026-11-25 01:29:10"),
            Some((19, "2026-11-25T01:29:10".into()))
        );
        let item = TimeItem::apache(b"%a, %e %B %Y %I:%M:%S %p %Z").unwrap();
        assert_eq!(
            ts(&item, "Wed,  5 November 2026 01:29:10 PM CET"),
            Some((37, "2026-11-05T13:29:10".into()))
        );
        let item = TimeItem::apache(b"%c").unwrap();
        assert_eq!(
            ts(&item, "Wed Nov 25 01:29:10 2026"),
            Some((24, "2026-11-25T01:29:10".into()))
        );
        let item = TimeItem::apache(b"%s").unwrap();
        assert_eq!(
            ts(&item, "1795566550"),
            Some((10, "2026-11-25T00:29:10+00:00".into()))
        );
        assert!(TimeItem::apache(b"%Q").is_err());
        assert!(TimeItem::apache(b"%").is_err());
    }

    #[test]
    fn fractions_merge_into_the_same_timestamp() {
        let mut parts = TimeParts::default();
        let date = TimeItem::apache(b"%d/%b/%Y:%H:%M:%S").unwrap();
        assert_eq!(date.parse(b"25/Nov/2026:01:29:10", &mut parts), Some(20));
        assert_eq!(TimeItem::Frac(3).parse(b"042", &mut parts), Some(3));
        let zone = TimeItem::apache(b"%z").unwrap();
        assert_eq!(zone.parse(b"-0330", &mut parts), Some(5));
        assert_eq!(
            parts.build().unwrap().unwrap().to_string(),
            "2026-11-25T01:29:10.042000-03:30"
        );
    }
}
