//! Analysis settings: the zone, the timeline window and the `since`/`until` limits.

use logscan_parse::{Timestamp, Zone};
use serde::{Deserialize, Serialize};

/// Analysis settings.
/// `#[non_exhaustive]`: start from `Config::default()` and set the fields wanted, so a
/// setting added later is not a breaking change.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Config {
    /// Zone for local-time lines. `None`: use the wall clock as logged, and show the UTC
    /// offset the same server's access log carries, if any.
    pub zone: Option<Zone>,
    /// Timeline window in seconds (`None`: chosen from the span). Held to 1 s ..= 100
    /// years.
    pub window: Option<i64>,
    /// Only records at or after this time.
    pub since: Option<Bound>,
    /// Only records before this time.
    pub until: Option<Bound>,
}

/// A `since`/`until` limit.
///
/// Lines that carry a UTC offset (access logs) are compared as instants with `unix`;
/// local-time lines (error logs) with `wall` when no zone is set, and as instants in the
/// zone when one is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Bound {
    /// The instant, in Unix seconds; `None` for a wall-clock limit (a time given without
    /// offset and no zone): every line is then compared by its wall clock.
    pub unix: Option<i64>,
    /// The wall-clock time (seconds of the wall-clock date and time as if it were UTC) that
    /// local-time lines are compared with when no zone is set.
    pub wall: i64,
}

impl Bound {
    /// A limit at an instant; `wall` is that instant on the wall clock local-time lines
    /// are taken to be written in.
    pub fn instant(unix: i64, wall: i64) -> Bound {
        Bound {
            unix: Some(unix),
            wall,
        }
    }

    /// A limit on the wall clock, whatever offset the lines carry.
    pub fn wall(wall: i64) -> Bound {
        Bound { unix: None, wall }
    }

    /// What a line's time is compared with: (line, limit). `analysis` is the line's time
    /// in the analysis base (Unix seconds with a zone, the wall clock without).
    fn sides(&self, ts: Option<&Timestamp>, analysis: i64, zoned: bool) -> (i64, i64) {
        if zoned {
            return (analysis, self.unix.unwrap_or(self.wall));
        }
        match (self.unix, ts.and_then(Timestamp::unix_seconds)) {
            (Some(limit), Some(line)) => (line, limit),
            _ => (analysis, self.wall),
        }
    }
}

impl Config {
    /// These settings with `zone` for local-time lines.
    pub fn with_zone(mut self, zone: Zone) -> Config {
        self.zone = Some(zone);
        self
    }

    /// These settings with a timeline window of `seconds`.
    pub fn with_window(mut self, seconds: i64) -> Config {
        self.window = Some(seconds);
        self
    }

    /// These settings with only records at or after `since`.
    pub fn with_since(mut self, since: Bound) -> Config {
        self.since = Some(since);
        self
    }

    /// These settings with only records before `until`.
    pub fn with_until(mut self, until: Bound) -> Config {
        self.until = Some(until);
        self
    }

    /// Whether a line with this time is inside `since`/`until` (a line without a time is).
    /// The analyzer applies this to every record; callers that filter records themselves
    /// (an events stream) get the same answer from it.
    pub fn admits(&self, ts: Option<&Timestamp>) -> bool {
        let Some(ts) = ts else { return true };
        let zoned = self.zone.is_some();
        let analysis = match &self.zone {
            Some(zone) => ts
                .unix_seconds()
                .unwrap_or_else(|| ts.to_instant(zone).timestamp()),
            None => ts.wall_seconds(),
        };
        in_bounds(self.since, self.until, Some(ts), analysis, zoned)
    }
}

/// `since <= t < until`, each side compared as [`Bound`] says.
pub(crate) fn in_bounds(
    since: Option<Bound>,
    until: Option<Bound>,
    ts: Option<&Timestamp>,
    analysis: i64,
    zoned: bool,
) -> bool {
    since.is_none_or(|b| {
        let (line, limit) = b.sides(ts, analysis, zoned);
        line >= limit
    }) && until.is_none_or(|b| {
        let (line, limit) = b.sides(ts, analysis, zoned);
        line < limit
    })
}
