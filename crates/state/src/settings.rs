//! The settings that must agree for states to merge.

use std::fmt;

use logscan_analyze::{Bound, Config};
use serde::{Deserialize, Serialize};

/// What a run was analysed with that changes the report: states merge only when these are
/// equal (`--since 2h` resolves when each run starts: give fleets one absolute time).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// `--tz`, by name (`None`: times as logged).
    pub zone: Option<String>,
    /// `--window` in seconds (`None`: chosen from the span).
    pub window: Option<i64>,
    /// `--since`.
    pub since: Option<Bound>,
    /// `--until`.
    pub until: Option<Bound>,
}

impl Settings {
    /// The settings of an analyzer's [`Config`].
    pub fn of(config: &Config) -> Settings {
        Settings {
            zone: config.zone.as_ref().map(ToString::to_string),
            window: config.window,
            since: config.since,
            until: config.until,
        }
    }

    /// How `self` differs from `other`, in words: `"--window 60s (the others: 300s)"`.
    pub fn difference(&self, other: &Settings) -> String {
        let mut parts = Vec::new();
        if self.zone != other.zone {
            let zone = |z: &Option<String>| z.clone().unwrap_or_else(|| "none".to_owned());
            parts.push(format!(
                "--tz {} (the others: {})",
                zone(&self.zone),
                zone(&other.zone)
            ));
        }
        if self.window != other.window {
            let window = |w: Option<i64>| w.map_or_else(|| "none".to_owned(), |w| format!("{w}s"));
            parts.push(format!(
                "--window {} (the others: {})",
                window(self.window),
                window(other.window)
            ));
        }
        for (name, mine, theirs) in [
            ("--since", self.since, other.since),
            ("--until", self.until, other.until),
        ] {
            if mine != theirs {
                parts.push(format!(
                    "{name} {} (the others: {})",
                    BoundText(mine),
                    BoundText(theirs)
                ));
            }
        }
        parts.join(", ")
    }
}

/// A limit as the user would write it.
struct BoundText(Option<Bound>);

impl fmt::Display for BoundText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(bound) = self.0 else {
            return f.write_str("none");
        };
        let time = |seconds: i64| {
            chrono::DateTime::from_timestamp(seconds, 0).map_or_else(
                || seconds.to_string(),
                |t| t.format("%Y-%m-%d %H:%M:%S").to_string(),
            )
        };
        match bound.unix {
            Some(unix) => write!(f, "{}Z", time(unix).replace(' ', "T")),
            None => write!(f, "'{}' (as logged)", time(bound.wall)),
        }
    }
}
