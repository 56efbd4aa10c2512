//! `journalctl -o json` (and `-o json-seq`) entries.
//!
//! Per systemd's Journal JSON Format (<https://systemd.io/JOURNAL_EXPORT_FORMATS/>): one
//! object per line; every value is a string, except that a value which is not printable
//! UTF-8 is an array of byte numbers, a field with several values is an array of them,
//! and (unless journalctl runs with `--all`) a value over 4096 bytes is `null`.
//! `__REALTIME_TIMESTAMP` is microseconds since the Unix epoch, as a decimal string.

use logscan_parse::Timestamp;
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::json::plain_str;

/// The fields logscan reads; every other field is skipped. Values stay in their JSON form
/// (borrowed) until read.
#[derive(Debug, Deserialize)]
pub(crate) struct Entry<'a> {
    /// Kept even when `null` (which an `Option` field alone would turn into `None`).
    #[serde(rename = "MESSAGE", borrow, default, deserialize_with = "present")]
    pub(crate) message: Option<&'a RawValue>,
    #[serde(rename = "__REALTIME_TIMESTAMP", borrow, default)]
    realtime: Option<&'a RawValue>,
    #[serde(rename = "_HOSTNAME", borrow, default)]
    hostname: Option<&'a RawValue>,
    #[serde(rename = "SYSLOG_IDENTIFIER", borrow, default)]
    identifier: Option<&'a RawValue>,
    #[serde(rename = "_COMM", borrow, default)]
    comm: Option<&'a RawValue>,
    #[serde(rename = "_PID", borrow, default)]
    pid: Option<&'a RawValue>,
    #[serde(rename = "SYSLOG_PID", borrow, default)]
    syslog_pid: Option<&'a RawValue>,
    #[serde(rename = "_TRANSPORT", borrow, default)]
    transport: Option<&'a RawValue>,
    #[serde(rename = "PRIORITY", borrow, default)]
    priority: Option<&'a RawValue>,
    #[serde(rename = "SYSLOG_FACILITY", borrow, default)]
    facility: Option<&'a RawValue>,
}

fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<&'de RawValue>, D::Error> {
    <&RawValue>::deserialize(d).map(Some)
}

/// A field's value when it is a plain string (no escapes, not an array).
fn text(value: Option<&RawValue>) -> Option<&[u8]> {
    value.and_then(plain_str)
}

fn small_number(value: Option<&RawValue>, max: u8) -> Option<u8> {
    let digits = text(value)?;
    if digits.is_empty() || digits.len() > 3 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n = digits
        .iter()
        .fold(0u16, |acc, &d| acc * 10 + u16::from(d - b'0'));
    u8::try_from(n).ok().filter(|&n| n <= max)
}

impl<'a> Entry<'a> {
    /// The entry on `line` (a leading RS of `-o json-seq` allowed), or `None` if the line
    /// is not a JSON object with journald's `MESSAGE` or `__REALTIME_TIMESTAMP`.
    pub(crate) fn parse(line: &'a [u8]) -> Option<Entry<'a>> {
        let line = line.strip_prefix(b"\x1e").unwrap_or(line);
        let entry: Entry<'a> = serde_json::from_slice(line).ok()?;
        (entry.message.is_some() || entry.realtime.is_some()).then_some(entry)
    }

    /// `__REALTIME_TIMESTAMP` as a UTC timestamp: `None` if absent, `Err` if not a number
    /// of microseconds within the years a timestamp holds.
    pub(crate) fn time(&self) -> Option<Result<Timestamp, ()>> {
        let value = self.realtime?;
        let micros = text(Some(value))
            .filter(|d| !d.is_empty() && d.len() <= 19 && d.iter().all(u8::is_ascii_digit))
            .and_then(|d| std::str::from_utf8(d).ok()?.parse::<i64>().ok());
        Some(
            micros
                .and_then(|m| {
                    let sub = u32::try_from(m.rem_euclid(1_000_000)).ok()?;
                    Timestamp::from_unix(m.div_euclid(1_000_000), sub, 0)
                })
                .ok_or(()),
        )
    }

    pub(crate) fn host(&self) -> Option<&'a [u8]> {
        text(self.hostname)
    }

    /// `SYSLOG_IDENTIFIER`, if it is there.
    pub(crate) fn identifier(&self) -> Option<&'a [u8]> {
        text(self.identifier)
    }

    /// `SYSLOG_IDENTIFIER`, else the command name `_COMM`.
    pub(crate) fn app(&self) -> Option<&'a [u8]> {
        text(self.identifier).or_else(|| text(self.comm))
    }

    pub(crate) fn proc_id(&self) -> Option<&'a [u8]> {
        text(self.pid).or_else(|| text(self.syslog_pid))
    }

    pub(crate) fn transport(&self) -> Option<&'a [u8]> {
        text(self.transport)
    }

    pub(crate) fn severity(&self) -> Option<u8> {
        small_number(self.priority, 7)
    }

    pub(crate) fn facility(&self) -> Option<u8> {
        small_number(self.facility, 23)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_of_an_entry() {
        let line = br#"{"__CURSOR":"s=1;i=2","__REALTIME_TIMESTAMP":"1764034039123456","_BOOT_ID":"b","PRIORITY":"3","SYSLOG_FACILITY":"3","SYSLOG_IDENTIFIER":"nginx","_PID":"812","_COMM":"nginx","_TRANSPORT":"stdout","_HOSTNAME":"web-1","MESSAGE":"2025/11/25 01:27:19 [error] 812#812: x"}"#;
        let e = Entry::parse(line).unwrap();
        let t = e.time().unwrap().unwrap();
        assert_eq!(
            (t.wall_seconds(), t.micros(), t.offset_seconds()),
            (1_764_034_039, 123_456, Some(0))
        );
        assert_eq!(e.host(), Some(&b"web-1"[..]));
        assert_eq!(e.app(), Some(&b"nginx"[..]));
        assert_eq!(e.proc_id(), Some(&b"812"[..]));
        assert_eq!(e.transport(), Some(&b"stdout"[..]));
        assert_eq!((e.severity(), e.facility()), (Some(3), Some(3)));
        assert_eq!(
            e.message.unwrap().get(),
            r#""2025/11/25 01:27:19 [error] 812#812: x""#
        );
    }

    #[test]
    fn identifiers_fall_back_and_odd_values_are_absent() {
        let e = Entry::parse(br#"{"MESSAGE":"x","_COMM":"php-fpm8.2","SYSLOG_IDENTIFIER":["a","b"],"PRIORITY":"9","__REALTIME_TIMESTAMP":"x"}"#).unwrap();
        assert_eq!(e.app(), Some(&b"php-fpm8.2"[..]));
        assert_eq!(e.severity(), None);
        assert_eq!(e.time(), Some(Err(())));
        let e = Entry::parse(b"\x1e{\"MESSAGE\":null}").unwrap();
        assert_eq!(e.message.unwrap().get(), "null");
        assert_eq!(e.time(), None);
        assert!(Entry::parse(br#"{"log":"x\n","time":"2025-11-25T01:27:19Z"}"#).is_none());
        assert!(Entry::parse(b"{\"MESSAGE\":\"x\"").is_none());
        assert!(
            Entry::parse(br#"{"__REALTIME_TIMESTAMP":"99999999999999999999","MESSAGE":"x"}"#)
                .unwrap()
                .time()
                == Some(Err(()))
        );
    }
}
