//! `--since`, `--until` and `--window` values.

use chrono::{DateTime, Datelike, Local, NaiveDate, NaiveDateTime, TimeZone, Timelike, Utc};
use logscan_analyze::Bound;
use logscan_parse::{Timestamp, Zone};

/// Parses a duration: `45s`, `30m`, `2h`, `7d`, `1w` (a bare number is seconds).
pub fn duration_seconds(text: &str) -> Result<i64, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let n: i64 = number
        .parse()
        .map_err(|_| format!("invalid duration {text:?}: use e.g. 30s, 5m, 2h, 7d"))?;
    let scale = match unit.trim() {
        "" | "s" | "sec" | "secs" | "second" | "seconds" => 1,
        "m" | "min" | "mins" | "minute" | "minutes" => 60,
        "h" | "hour" | "hours" => 3_600,
        "d" | "day" | "days" => 86_400,
        "w" | "week" | "weeks" => 604_800,
        other => {
            return Err(format!(
                "invalid duration unit {other:?} in {text:?}: use s, m, h, d or w"
            ));
        }
    };
    n.checked_mul(scale)
        .filter(|s| (1..=MAX_DURATION).contains(s))
        .ok_or_else(|| format!("invalid duration {text:?}: from 1s to 100 years"))
}

/// The longest duration accepted (100 years): longer windows and relative times make no
/// sense for logs, and would overflow time arithmetic.
const MAX_DURATION: i64 = 100 * 365 * 86_400;

/// Parses a `--since`/`--until` value. With a zone, every form is an instant. Without
/// one, a relative time or an RFC 3339 time is an instant too (compared with the instants
/// of access-log lines; local-time lines are compared with it on the machine's wall
/// clock), and `YYYY-MM-DD HH:MM[:SS]` is a wall-clock time, compared with every line's
/// time as logged.
pub fn point_in_time(text: &str, zone: Option<&Zone>, now: DateTime<Utc>) -> Result<Bound, String> {
    let text = text.trim();
    let to_base = |instant: DateTime<Utc>| -> Bound {
        let unix = instant.timestamp();
        match zone {
            Some(_) => Bound::instant(unix, unix),
            None => Bound::instant(
                unix,
                instant
                    .with_timezone(&Local)
                    .naive_local()
                    .and_utc()
                    .timestamp(),
            ),
        }
    };
    if text.ends_with(|c: char| c.is_ascii_alphabetic())
        && text.starts_with(|c: char| c.is_ascii_digit())
    {
        if let Ok(seconds) = duration_seconds(text) {
            return Ok(to_base(now - chrono::Duration::seconds(seconds)));
        }
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(to_base(t.with_timezone(&Utc)));
    }
    let naive = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
        .or_else(|| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        })
        .ok_or_else(|| {
            format!("invalid time {text:?}: use RFC 3339, 'YYYY-MM-DD HH:MM[:SS]' or a relative time like 2h")
        })?;
    match zone {
        None => Ok(Bound::wall(naive.and_utc().timestamp())),
        Some(zone) => {
            let wall = Timestamp::from_parts(
                naive.year(),
                naive.month(),
                naive.day(),
                naive.hour(),
                naive.minute(),
                naive.second(),
                0,
                None,
            )
            .ok_or_else(|| format!("invalid time {text:?}"))?;
            let unix = wall.to_instant(zone).timestamp();
            Ok(Bound::instant(unix, unix))
        }
    }
}

/// The current time, overridable for tests with `LOGSCAN_NOW` (RFC 3339).
pub fn now() -> DateTime<Utc> {
    std::env::var("LOGSCAN_NOW")
        .ok()
        .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| {
            Utc.timestamp_opt(Utc::now().timestamp(), 0)
                .single()
                .unwrap_or_default()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(duration_seconds("30s"), Ok(30));
        assert_eq!(duration_seconds("2h"), Ok(7_200));
        assert_eq!(duration_seconds("7d"), Ok(604_800));
        assert_eq!(duration_seconds("90"), Ok(90));
        assert!(duration_seconds("2x").is_err());
        assert!(duration_seconds("0s").is_err());
    }

    #[test]
    fn points_in_time() {
        let now = DateTime::parse_from_rfc3339("2026-11-25T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let utc = Zone::Utc;
        let at = |unix: i64| Ok(Bound::instant(unix, unix));
        assert_eq!(
            point_in_time("2h", Some(&utc), now),
            at(now.timestamp() - 7_200)
        );
        assert_eq!(
            point_in_time("2026-11-25T10:00:00+02:00", Some(&utc), now),
            at(now.timestamp() - 4 * 3_600)
        );
        let berlin: Zone = "Europe/Berlin".parse().unwrap();
        assert_eq!(
            point_in_time("2026-11-25 13:00", Some(&berlin), now),
            at(now.timestamp())
        );
        // Without a zone, naive times are wall-clock seconds as logged...
        assert_eq!(
            point_in_time("2026-11-25 12:00:00", None, now),
            Ok(Bound::wall(now.timestamp()))
        );
        assert_eq!(
            point_in_time("2026-11-25", None, now),
            Ok(Bound::wall(now.timestamp() - 12 * 3_600))
        );
        // ... and an RFC 3339 time stays an instant.
        let bound = point_in_time("2026-11-25T10:00:00+02:00", None, now).unwrap();
        assert_eq!(bound.unix, Some(now.timestamp() - 4 * 3_600));
        assert!(point_in_time("yesterday", None, now).is_err());
    }
}
