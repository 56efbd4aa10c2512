//! The analysis time base.
//!
//! With a zone, every timestamp becomes Unix seconds (lines with an offset use it; local
//! lines use the zone). Without one, every timestamp is taken as the server's wall clock
//! (access-log offsets are set aside): nginx and Apache write error and access logs on the
//! same clock, so the two still line up, and the report shows times as logged.

use chrono::{DateTime, FixedOffset};
use logscan_parse::{Timestamp, Zone};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::report::ReportTime;

/// Converts timestamps into analysis seconds and back into report times.
///
/// Two clocks are equal when their zones are: the cached offset is not part of the value
/// (a state file does not carry it, so an analyzer read back from one has it empty).
#[derive(Clone, Debug)]
pub struct Clock {
    zone: Option<Zone>,
    /// Cache: wall-clock hour → UTC offset in force (offsets change on the hour at most).
    cached_hour: i64,
    cached_offset: i32,
}

impl PartialEq for Clock {
    fn eq(&self, other: &Self) -> bool {
        self.zone == other.zone
    }
}

impl Eq for Clock {}

impl Clock {
    /// A clock for the given zone (`None`: wall clock as logged).
    pub fn new(zone: Option<Zone>) -> Clock {
        Clock {
            zone,
            cached_hour: i64::MIN,
            cached_offset: 0,
        }
    }

    /// The zone, if any.
    pub fn zone(&self) -> Option<&Zone> {
        self.zone.as_ref()
    }

    /// Analysis seconds of a timestamp.
    pub fn seconds(&mut self, ts: &Timestamp) -> i64 {
        let Some(zone) = &self.zone else {
            return ts.wall_seconds();
        };
        if let Some(unix) = ts.unix_seconds() {
            return unix;
        }
        let hour = ts.wall_seconds().div_euclid(3_600);
        if hour != self.cached_hour {
            self.cached_offset = zone.offset_at(&ts.with_offset(None));
            self.cached_hour = hour;
        }
        ts.wall_seconds() - i64::from(self.cached_offset)
    }

    /// Analysis seconds as a report time: in the zone, with its offset; without a zone,
    /// the wall-clock time (with `display_offset` when one is known).
    pub fn format(&self, seconds: i64, display_offset: Option<i32>) -> ReportTime {
        let utc = DateTime::from_timestamp(seconds, 0).unwrap_or_default();
        match &self.zone {
            Some(zone) => ReportTime::from(zone.from_utc(utc)),
            None => ReportTime::new(
                utc.naive_utc(),
                display_offset.and_then(FixedOffset::east_opt),
            ),
        }
    }

    /// Short clock time `HH:MM:SS` (or `MM-DD HH:MM:SS` when `with_date`) for summaries.
    pub fn format_short(&self, seconds: i64, with_date: bool) -> String {
        let wall = self.format(seconds, None).wall();
        let pattern = if with_date {
            "%m-%d %H:%M:%S"
        } else {
            "%H:%M:%S"
        };
        wall.format(pattern).to_string()
    }
}

impl Serialize for Clock {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.zone.as_ref().map(|z| z.to_string()).serialize(s)
    }
}

impl<'de> Deserialize<'de> for Clock {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let zone: Option<String> = Option::deserialize(d)?;
        let zone = zone
            .map(|z| z.parse::<Zone>().map_err(serde::de::Error::custom))
            .transpose()?;
        Ok(Clock::new(zone))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wall_clock_without_zone_and_unix_with_one() {
        let local = Timestamp::from_parts(2026, 11, 25, 1, 27, 19, 0, None).unwrap();
        let offset = Timestamp::from_parts(2026, 11, 25, 1, 27, 19, 0, Some(3_600)).unwrap();
        let mut wall = Clock::new(None);
        assert_eq!(wall.seconds(&local), wall.seconds(&offset));
        let t = wall.seconds(&local);
        assert_eq!(wall.format(t, None).to_string(), "2026-11-25T01:27:19");
        assert_eq!(
            wall.format(t, Some(3_600)).to_string(),
            "2026-11-25T01:27:19+01:00"
        );

        let mut berlin = Clock::new(Some("Europe/Berlin".parse().unwrap()));
        assert_eq!(berlin.seconds(&local), berlin.seconds(&offset));
        let t = berlin.seconds(&local);
        assert_eq!(
            berlin.format(t, None).to_string(),
            "2026-11-25T01:27:19+01:00"
        );
        assert_eq!(berlin.format_short(t, false), "01:27:19");
        let mut utc = Clock::new(Some(Zone::Utc));
        assert_eq!(utc.seconds(&offset), utc.seconds(&local) - 3_600);
    }
}
