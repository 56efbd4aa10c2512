//! [`Companions`]: the two lines one failure is logged on, paired as the log is read.
//!
//! Apache logs some failures twice from the same process and thread: the line that knows
//! why (`(111)Connection refused: AH00957: ... attempt to connect to 127.0.0.1:8080 ...
//! failed`, `(70007)The timeout specified has expired: ... AH01102: error reading status
//! line ...`, `mod_fcgid: read data timeout in 40 seconds`), then the line the client's
//! request gets (`AH01114`/`AH01079: failed to make connection to backend`, `AH00898:
//! Error reading from remote server returned by /x`, `End of script output before
//! headers`). Read alone, the second line has only a fallback cause. Lua balancers in nginx
//! do the same (`no peer was returned`, then the connect to the placeholder).
//!
//! A [`Companions`] is fed the error records of one input in order and gives each
//! [`Role::Effect`] line the cause of the [`Role::Cause`] or [`Role::Event`] line its
//! process and thread wrote just before (within two seconds), as a report pairs them. It
//! holds a fixed number of threads, forgets the least recently seen first, and never
//! allocates.
//!
//! ```
//! use logscan_parse::{Cause, Companions, Parser, Record};
//!
//! let parser = Parser::apache_error();
//! let mut companions = Companions::new();
//! let lines: [&[u8]; 2] = [
//!     b"[Wed Nov 25 09:47:36.036331 2026] [proxy:error] [pid 26515:tid 26519] (2)No such file or directory: AH02454: FCGI: attempt to connect to Unix domain socket /run/php/php8.2-fpm.sock (localhost:8000) failed",
//!     b"[Wed Nov 25 09:47:36.036401 2026] [proxy_fcgi:error] [pid 26515:tid 26519] [client 127.0.0.1:51000] AH01079: failed to make connection to backend: localhost",
//! ];
//! let mut causes = Vec::new();
//! for line in lines {
//!     let Ok(Record::Error(mut record)) = parser.parse(line) else { panic!("not an error line") };
//!     companions.apply(&mut record);
//!     causes.push(record.failure.map(|f| f.cause));
//! }
//! // Alone, AH01079 would say "refused"; its companion says the socket is missing.
//! assert_eq!(causes, [Some(Cause::SocketMissing), Some(Cause::SocketMissing)]);
//! ```

use crate::cause::{Cause, Phase};
use crate::errno::Errno;
use crate::record::{ErrorRecord, Format, Role};

/// How far apart (in seconds) the two lines of one failure may be.
const WINDOW: i64 = 2;

/// Threads remembered at once; the least recently seen is forgotten first.
const SLOTS: usize = 64;

/// What a cause-side line left for the line that completes it.
#[derive(Clone, Copy, Debug, Default)]
struct Slot {
    /// `(pid, tid)`; `None` for an empty slot.
    key: Option<(u32, u64)>,
    /// When the slot was last written (a counter, for eviction).
    used: u64,
    /// Whether a cause-side line is waiting for its effect line.
    waiting: bool,
    /// The cause-side line's time, in wall-clock seconds.
    seconds: i64,
    cause: Option<Cause>,
    phase: Option<Phase>,
    errno: Option<Errno>,
    variant: Option<&'static str>,
}

/// Pairs the cause-side and client-side lines of one failure, per process and thread (see
/// the module docs). One per input, fed its error records in order.
#[derive(Clone, Debug)]
pub struct Companions {
    slots: [Slot; SLOTS],
    counter: u64,
    /// The last time seen, for lines without one (Apache in syslog mode).
    last_seconds: i64,
}

impl Default for Companions {
    fn default() -> Self {
        Companions::new()
    }
}

impl Companions {
    /// An empty tracker.
    pub const fn new() -> Companions {
        const EMPTY: Slot = Slot {
            key: None,
            used: 0,
            waiting: false,
            seconds: 0,
            cause: None,
            phase: None,
            errno: None,
            variant: None,
        };
        Companions {
            slots: [EMPTY; SLOTS],
            counter: 0,
            last_seconds: 0,
        }
    }

    /// Remembers `record` if it carries a cause for a line to come, or, if it is the
    /// client-side half of a failure whose cause-side line its process and thread wrote
    /// just before, gives it that line's cause, phase, errno and variant. Its own upstream,
    /// client and request stay. Records without a failure, and context lines, pass
    /// unchanged.
    pub fn apply(&mut self, record: &mut ErrorRecord<'_>) {
        let Some(failure) = record.failure.as_mut() else {
            return;
        };
        let seconds = match record.time {
            Some(t) => {
                self.last_seconds = t.wall_seconds();
                self.last_seconds
            }
            None => self.last_seconds,
        };
        let key = (record.pid.unwrap_or(0), record.tid.unwrap_or(0));
        // nginx workers log many connections on one thread: a complete event there says
        // nothing about the next line, so only explicit cause-side lines are held.
        let holds = match failure.role {
            Role::Cause => true,
            Role::Event => record.format != Format::NginxError,
            Role::Effect | Role::Context => false,
        };
        self.counter += 1;
        let counter = self.counter;
        if holds {
            let slot = self.slot_for(key);
            *slot = Slot {
                key: Some(key),
                used: counter,
                waiting: true,
                seconds,
                cause: Some(failure.cause),
                phase: failure.phase,
                errno: failure.errno,
                variant: failure.variant,
            };
            return;
        }
        if failure.role != Role::Effect {
            return;
        }
        let Some(slot) = self.slots.iter_mut().find(|s| s.key == Some(key)) else {
            return;
        };
        if !slot.waiting || (seconds - slot.seconds).abs() > WINDOW {
            return;
        }
        slot.waiting = false;
        slot.used = counter;
        if let Some(cause) = slot.cause {
            failure.cause = cause;
            failure.phase = slot.phase.or(failure.phase);
            failure.errno = slot.errno.or(failure.errno);
            failure.variant = slot.variant.or(failure.variant);
        }
    }

    /// The slot of `key`, or the one to reuse for it (empty, else least recently used).
    fn slot_for(&mut self, key: (u32, u64)) -> &mut Slot {
        let index = self
            .slots
            .iter()
            .position(|s| s.key == Some(key))
            .or_else(|| self.slots.iter().position(|s| s.key.is_none()))
            .unwrap_or_else(|| {
                self.slots
                    .iter()
                    .enumerate()
                    .min_by_key(|(_, s)| s.used)
                    .map_or(0, |(i, _)| i)
            });
        // `index` comes from the positions above, all within the array.
        let last = SLOTS - 1;
        &mut self.slots[index.min(last)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Parser, Record};

    fn run(parser: &Parser, lines: &[&str]) -> Vec<Option<Cause>> {
        let mut companions = Companions::new();
        lines
            .iter()
            .map(|line| match parser.parse(line.as_bytes()) {
                Ok(Record::Error(mut r)) => {
                    companions.apply(&mut r);
                    r.failure.map(|f| f.cause)
                }
                other => panic!("{other:?}"),
            })
            .collect()
    }

    const REFUSED: &str = "[Wed Nov 25 09:47:54.873945 2026] [proxy:error] [pid 28996:tid 28999] (111)Connection refused: AH00957: http: attempt to connect to 127.0.0.1:19169 (127.0.0.1:19169) failed";
    const EFFECT: &str = "[Wed Nov 25 09:47:54.874001 2026] [proxy_http:error] [pid 28996:tid 28999] [client 127.0.0.1:40000] AH01114: HTTP: failed to make connection to backend: 127.0.0.1";
    const TIMEOUT: &str = "[Wed Nov 25 09:47:33.742494 2026] [proxy_http:error] [pid 26117:tid 26126] (70007)The timeout specified has expired: [client 127.0.0.1:55978] AH01102: error reading status line from remote server 127.0.0.1:19155";
    const READ_EFFECT: &str = "[Wed Nov 25 09:47:33.742590 2026] [proxy:error] [pid 26117:tid 26126] [client 127.0.0.1:55978] AH00898: Error reading from remote server returned by /api/items";

    #[test]
    fn the_effect_line_takes_the_cause_of_its_thread() {
        let apache = Parser::apache_error();
        assert_eq!(
            run(&apache, &[TIMEOUT, READ_EFFECT]),
            [Some(Cause::UpstreamTimeoutRead); 2]
        );
        // Alone, AH00898's own reading is a premature close.
        assert_eq!(
            run(&apache, &[READ_EFFECT]),
            [Some(Cause::UpstreamClosedEarly)]
        );
        // Another thread's line is not a companion.
        let other_thread = READ_EFFECT.replace("tid 26126", "tid 26127");
        assert_eq!(
            run(&apache, &[TIMEOUT, &other_thread]),
            [
                Some(Cause::UpstreamTimeoutRead),
                Some(Cause::UpstreamClosedEarly)
            ]
        );
        // A companion is used once.
        assert_eq!(
            run(&apache, &[TIMEOUT, READ_EFFECT, READ_EFFECT]),
            [
                Some(Cause::UpstreamTimeoutRead),
                Some(Cause::UpstreamTimeoutRead),
                Some(Cause::UpstreamClosedEarly)
            ]
        );
    }

    #[test]
    fn only_lines_close_in_time_pair() {
        let apache = Parser::apache_error();
        let late = EFFECT.replace("09:47:54.874001", "09:47:59.000001");
        assert_eq!(
            run(&apache, &[REFUSED, &late]),
            [Some(Cause::UpstreamRefused), Some(Cause::UpstreamRefused)]
        );
        let socket = "[Wed Nov 25 09:47:54.873945 2026] [proxy:error] [pid 28996:tid 28999] (2)No such file or directory: AH02454: FCGI: attempt to connect to Unix domain socket /run/php.sock (localhost:8000) failed";
        let fcgi_late = "[Wed Nov 25 09:47:58.000001 2026] [proxy_fcgi:error] [pid 28996:tid 28999] [client 127.0.0.1:4] AH01079: failed to make connection to backend: localhost";
        assert_eq!(
            run(&apache, &[socket, fcgi_late]),
            [Some(Cause::SocketMissing), Some(Cause::UpstreamRefused)]
        );
        let fcgi_now = fcgi_late.replace("09:47:58.000001", "09:47:55.000001");
        assert_eq!(
            run(&apache, &[socket, &fcgi_now]),
            [Some(Cause::SocketMissing), Some(Cause::SocketMissing)]
        );
    }

    #[test]
    fn memory_is_bounded_and_old_threads_are_forgotten() {
        let apache = Parser::apache_error();
        let mut companions = Companions::new();
        // Many threads, each leaving a cause-side line: only the last SLOTS are kept.
        for tid in 0..(SLOTS as u64 * 3) {
            let line = REFUSED.replace("tid 28999", &format!("tid {tid}"));
            let Ok(Record::Error(mut r)) = apache.parse(line.as_bytes()) else {
                panic!()
            };
            companions.apply(&mut r);
        }
        assert_eq!(
            companions.slots.iter().filter(|s| s.key.is_some()).count(),
            SLOTS
        );
        let errno_after = |companions: &mut Companions, tid: u64| {
            let line = EFFECT.replace("tid 28999", &format!("tid {tid}"));
            let Ok(Record::Error(mut r)) = apache.parse(line.as_bytes()) else {
                panic!()
            };
            companions.apply(&mut r);
            r.failure.and_then(|f| f.errno)
        };
        assert_eq!(
            errno_after(&mut companions, SLOTS as u64 * 3 - 1),
            Some(Errno::ConnRefused)
        );
        assert_eq!(errno_after(&mut companions, 0), None);
    }

    #[test]
    fn nginx_events_do_not_hold_but_lua_cause_lines_do() {
        let nginx = Parser::nginx_error();
        let lua = r#"2026/11/25 10:00:00 [warn] 7#7: *1 [lua] balancer.lua:345: balance(): no peer was returned, balancer: shop-web-80 while connecting to upstream, client: 10.0.0.1, server: web.example, request: "GET / HTTP/1.1", host: "web.example""#;
        let placeholder = r#"2026/11/25 10:00:00 [error] 7#7: *1 connect() failed (101: Network is unreachable) while connecting to upstream, client: 10.0.0.1, server: web.example, request: "GET / HTTP/1.1", upstream: "http://0.0.0.1:80/", host: "web.example""#;
        let refused = r#"2026/11/25 10:00:00 [error] 7#7: *2 connect() failed (111: Connection refused) while connecting to upstream, client: 10.0.0.2, server: web.example, request: "GET / HTTP/1.1", upstream: "http://10.0.0.9:80/", host: "web.example""#;
        assert_eq!(
            run(&nginx, &[lua, refused, placeholder]),
            [
                Some(Cause::NoLiveUpstreams),
                Some(Cause::UpstreamRefused),
                Some(Cause::NoLiveUpstreams)
            ]
        );
    }
}
