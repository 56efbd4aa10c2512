//! The [`Analyzer`]: records in, one [`Report`] out. It counts each record into its
//! input's totals, pairs the two lines Apache writes for one failure (per process and
//! thread, across chunk boundaries), groups failures by cause × upstream × vhost, keeps
//! the marks that attribution, correlation and the edge join need, counts edge requests
//! like access-log ones, and merges with other analyzers' state.

use std::collections::BTreeMap;

use logscan_parse::{
    AccessRecord, Cause, EdgeRecord, Errno, ErrorRecord, Failure, Format, Phase, Record, Role,
    Server,
};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::Report;
use crate::clock::Clock;
use crate::config::{Bound, Config, in_bounds};
use crate::edge::{self, EdgeMark, EdgeState, OriginMark};
use crate::finish;
use crate::sample::BottomK;
use crate::series::Series;
use crate::state::{
    AccessState, ErrorMark, ExampleSet, FpmMark, Groups, InputState, OffsetSeen, RequestMark,
    Sketch,
};
use crate::text::{self, hash_bytes, human_duration, thousands};
use crate::watch::{self, IncidentChange, LiveIncident};

mod check;
mod runs;

/// How many error and access marks are kept for attribution.
const MARKS: usize = 65_536;
/// How many PHP-FPM events are kept for correlation.
const FPM_MARKS: usize = 8_192;
/// How long a request whose duration was not logged may have taken, for matching its
/// error-log line (Apache's default `Timeout` is 60 s).
const UNKNOWN_DURATION: i64 = 120;
/// The longest timeline window, in seconds (100 years).
const MAX_WINDOW: i64 = 100 * 365 * 86_400;
/// Paired lines (Apache AH00957 + AH01114) must be this close, in seconds.
const PAIR_WINDOW: i64 = 2;

/// The largest mark each full sample of an analyzer keeps ([`Analyzer::sample_bounds`]).
#[derive(Clone, Copy, Debug, Default)]
pub struct SampleBounds {
    error: Option<ErrorMark>,
    request: Option<RequestMark>,
    fpm: Option<FpmMark>,
    edge: Option<EdgeMark>,
    origin: Option<OriginMark>,
}

/// How much state an [`Analyzer`] holds ([`Analyzer::footprint`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Footprint {
    /// Inputs registered.
    pub inputs: usize,
    /// Findings being counted (at most 32 per cause and server, plus one "other").
    pub groups: usize,
    /// Timeline buckets over all series (at most 2,048 per series).
    pub buckets: usize,
    /// Lines remembered for attribution and correlation (at most 65,536 + 65,536 + 8,192).
    pub marks: usize,
    /// Processes/threads with a line waiting for its other half.
    pub waiting: usize,
    /// Seconds of counts kept per cause for live incidents (an hour per cause).
    pub watched_seconds: usize,
    /// Incidents open (live mode).
    pub open_incidents: usize,
}

/// What an input is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct InputInfo {
    /// Path as given.
    pub path: String,
    /// Its format.
    pub format: Format,
    /// Which server installation wrote it (e.g. the directory): error and access logs of
    /// the same site are correlated with each other.
    pub site: String,
    /// Whether the format was recognised (`false`: no parser read the input's first lines,
    /// so its lines count as unrecognized and the report says `unknown`).
    pub detected: bool,
    /// The envelope the lines were in (`docker`, `cri`, `timestamped`, `syslog`,
    /// `journald`), or `None` for a plain log.
    #[serde(default)]
    pub envelope: Option<String>,
}

impl InputInfo {
    /// Describes an input.
    pub fn new(path: impl Into<String>, format: Format, site: impl Into<String>) -> InputInfo {
        InputInfo {
            path: path.into(),
            format,
            site: site.into(),
            detected: true,
            envelope: None,
        }
    }
}

/// Where a record came from.
#[derive(Clone, Copy, Debug)]
pub struct Origin<'a> {
    /// Input id given to [`Analyzer::add_input`].
    pub input: u32,
    /// Chunk of that input (0 when read whole; chunks are numbered in file order).
    pub chunk: u32,
    /// 1-based line number of the entry's first line within the chunk.
    pub line: u64,
    /// Physical lines in the entry (continuation lines included).
    pub lines: u32,
    /// The entry's text (for example lines).
    pub text: &'a [u8],
}

/// The half of a paired failure waiting for its other half (per process/thread).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct Pending {
    active: bool,
    /// `Cause` line (not yet counted) or an `Event` (already counted).
    counted: bool,
    t: i64,
    cause: Option<Cause>,
    server: Option<Server>,
    phase: Option<Phase>,
    errno: Option<Errno>,
    variant: Option<String>,
    upstream: Vec<u8>,
    protocol: Vec<u8>,
    text: Vec<u8>,
    line: (u32, u32, u64),
    site: u64,
    /// Effect-side fields, for a held `Effect` line (the first of its process/thread in a
    /// chunk, whose cause may sit at the end of the previous chunk).
    vhost: Vec<u8>,
    client: Option<Vec<u8>>,
    request: Option<Vec<u8>>,
    pid: u32,
}

impl Pending {
    /// Copies an event into held state, reusing the buffers.
    fn hold(&mut self, event: &Event<'_>, counted: bool) {
        self.hold_scalars(event, counted);
        match (self.variant.as_mut(), event.variant) {
            (Some(held), Some(variant)) => {
                held.clear();
                held.push_str(variant);
            }
            (_, variant) => self.variant = variant.map(str::to_owned),
        }
        copy_into(&mut self.upstream, event.upstream);
        copy_into(&mut self.protocol, event.protocol.unwrap_or_default());
        copy_into(&mut self.text, event.text);
        copy_into(&mut self.vhost, event.vhost);
        copy_opt_into(&mut self.client, event.client);
        copy_opt_into(&mut self.request, event.request);
    }

    /// Holds an `Event` line, counted already: only that it waits, and since when, is read
    /// again (a follow-up line within [`PAIR_WINDOW`] adds nothing), so its text and
    /// fields are not copied (~230 instructions a line). The buffers are emptied, not
    /// freed: the next `Cause` line of the thread reuses them.
    fn hold_counted(&mut self, event: &Event<'_>) {
        self.hold_scalars(event, true);
        self.upstream.clear();
        self.protocol.clear();
        self.text.clear();
        self.vhost.clear();
        // The client is kept, as a state file has always held it (a few bytes).
        copy_opt_into(&mut self.client, event.client);
        self.request.iter_mut().for_each(Vec::clear);
        self.variant.iter_mut().for_each(String::clear);
    }

    /// What both kinds of hold keep: the event's fixed-size fields.
    fn hold_scalars(&mut self, event: &Event<'_>, counted: bool) {
        self.active = true;
        self.counted = counted;
        self.t = event.t;
        self.cause = Some(event.cause);
        self.server = Some(event.server);
        self.phase = event.phase;
        self.errno = event.errno;
        self.line = event.line;
        self.site = event.site;
        self.pid = event.pid;
    }

    /// The held line as an event.
    fn event(&self) -> Option<Event<'_>> {
        Some(Event {
            cause: self.cause?,
            server: self.server?,
            phase: self.phase,
            errno: self.errno,
            variant: self.variant.as_deref(),
            upstream: &self.upstream,
            protocol: (!self.protocol.is_empty()).then_some(&self.protocol[..]),
            vhost: &self.vhost,
            client: self.client.as_deref(),
            request: self.request.as_deref(),
            t: self.t,
            line: self.line,
            text: &self.text,
            site: self.site,
            pid: self.pid,
            edge: None,
        })
    }
}

fn copy_into(buf: &mut Vec<u8>, bytes: &[u8]) {
    buf.clear();
    buf.extend_from_slice(bytes);
}

/// [`copy_into`] for an optional field: the buffer is kept while the field stays present.
fn copy_opt_into(buf: &mut Option<Vec<u8>>, bytes: Option<&[u8]>) {
    match (buf.as_mut(), bytes) {
        (Some(held), Some(bytes)) => copy_into(held, bytes),
        (_, bytes) => *buf = bytes.map(<[u8]>::to_vec),
    }
}

/// Key of paired-line state: (input, chunk, pid, tid).
type PairKey = (u32, u32, u32, u64);

/// One failure event ready to be counted.
struct Event<'a> {
    cause: Cause,
    server: Server,
    phase: Option<Phase>,
    errno: Option<Errno>,
    variant: Option<&'a str>,
    upstream: &'a [u8],
    protocol: Option<&'a [u8]>,
    vhost: &'a [u8],
    client: Option<&'a [u8]>,
    request: Option<&'a [u8]>,
    t: i64,
    line: (u32, u32, u64),
    text: &'a [u8],
    site: u64,
    pid: u32,
    /// What an edge record adds (`None` for the origin's error lines).
    edge: Option<EdgeEvent<'a>>,
}

/// The parts of an edge failure an error-log failure does not have.
#[derive(Clone, Copy)]
struct EdgeEvent<'a> {
    method: Option<&'a [u8]>,
    target: Option<&'a [u8]>,
    host: Option<&'a [u8]>,
    trace: Option<&'a [u8]>,
    status: Option<u16>,
    origin_status: Option<u16>,
    duration_us: Option<u64>,
    /// When the edge got the request and answered (analysis seconds), and in Unix seconds.
    span: (i64, i64),
    unix: Option<(i64, i64)>,
}

/// What [`Analyzer::observe_at`] keeps of the (input, chunk) it read last.
#[derive(Clone, Copy, Debug)]
struct Head {
    input: u32,
    chunk: u32,
    /// `hash_bytes` of the input's site.
    site: u64,
    /// What `last_time` holds for (input, chunk).
    time: Option<i64>,
}

/// Accumulates records into a [`Report`]. See the crate docs.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Analyzer {
    pub(crate) clock: Clock,
    pub(crate) window: Option<i64>,
    since: Option<Bound>,
    until: Option<Bound>,
    pub(crate) base_resolution: i64,
    pub(crate) inputs: BTreeMap<u32, InputState>,
    pub(crate) groups: Groups,
    pub(crate) context: BTreeMap<Cause, (u64, ExampleSet)>,
    pub(crate) causes: BTreeMap<Cause, Series>,
    pub(crate) failures: Series,
    pub(crate) access: AccessState,
    #[serde(with = "crate::columns")]
    pub(crate) error_marks: BottomK<ErrorMark>,
    #[serde(with = "crate::columns")]
    pub(crate) request_marks: BottomK<RequestMark>,
    pub(crate) fpm_marks: BottomK<FpmMark>,
    /// Edge requests, failures for the join, and the origin's requests to join them with.
    pub(crate) edge: EdgeState,
    /// Per process/thread of the chunk being read: the last failure line, waiting for the
    /// line that completes it. Looked up two or three times for every Apache and PHP-FPM
    /// failure line, so a hash map (a B-tree walk cost ~300 instructions a lookup); nothing
    /// iterates it in an order that reaches the report (see `settle` and `sorted_pairs`).
    #[serde(with = "sorted_pairs")]
    pending: FxHashMap<PairKey, Pending>,
    /// What was still waiting when a chunk ended: completed at `finish` by the first line of
    /// the same process/thread in the next chunk, so chunk boundaries change nothing.
    #[serde(with = "pairs")]
    tails: BTreeMap<PairKey, Pending>,
    /// The first `Effect` line of a process/thread in a chunk, when no line of it came
    /// before in that chunk: its cause may be the tail of the previous chunk.
    #[serde(with = "pairs")]
    heads: BTreeMap<PairKey, Pending>,
    /// Every (input, chunk, pid, tid) that logged a failure line (other than context), so a
    /// tail finds the next chunk where its process/thread speaks again.
    touched: std::collections::BTreeSet<PairKey>,
    /// Last time seen per (input, chunk), for entries without a timestamp.
    #[serde(with = "pairs")]
    last_time: BTreeMap<(u32, u32), i64>,
    /// UTC offsets the envelope gave error lines that carry no zone of their own (the
    /// offset between the line's wall clock and the envelope's instant), and when.
    pub(crate) envelope_offsets: BTreeMap<i32, OffsetSeen>,
    #[serde(skip)]
    scratch: Vec<u8>,
    /// The input and chunk of the last record observed, their site's hash and their
    /// `last_time`: consecutive records of one chunk skip the hash and the map update.
    /// Checked against each record's origin, and dropped by whatever else changes inputs'
    /// sites or `last_time` ([`Analyzer::forget_head`]).
    #[serde(skip)]
    head: Option<Head>,
    /// Incidents as they happen, when watching (live mode).
    #[serde(skip)]
    watch: Option<Box<watch::Watch>>,
}

impl PartialEq for Analyzer {
    fn eq(&self, other: &Self) -> bool {
        self.clock == other.clock
            && self.window == other.window
            && self.inputs == other.inputs
            && self.groups == other.groups
            && self.context == other.context
            && self.causes == other.causes
            && self.failures == other.failures
            && self.access == other.access
            && self.error_marks == other.error_marks
            && self.request_marks == other.request_marks
            && self.fpm_marks == other.fpm_marks
            && self.edge == other.edge
            && self.envelope_offsets == other.envelope_offsets
    }
}

impl Analyzer {
    /// A new, empty analyzer.
    pub fn new(config: Config) -> Analyzer {
        // Out-of-range windows would overflow bucket arithmetic: hold them to 1 s ..= 100 y.
        let window = config.window.map(|w| w.clamp(1, MAX_WINDOW));
        let base_resolution = window.unwrap_or(1);
        Analyzer {
            clock: Clock::new(config.zone),
            window,
            since: config.since,
            until: config.until,
            base_resolution,
            inputs: BTreeMap::new(),
            groups: Groups::default(),
            context: BTreeMap::new(),
            causes: BTreeMap::new(),
            failures: Series::new(base_resolution),
            access: AccessState::new(base_resolution),
            error_marks: BottomK::new(MARKS),
            request_marks: BottomK::new(MARKS),
            fpm_marks: BottomK::new(FPM_MARKS),
            edge: EdgeState::default(),
            pending: FxHashMap::default(),
            tails: BTreeMap::new(),
            heads: BTreeMap::new(),
            touched: std::collections::BTreeSet::new(),
            last_time: BTreeMap::new(),
            envelope_offsets: BTreeMap::new(),
            scratch: Vec::new(),
            head: None,
            watch: None,
        }
    }

    /// Where this analyzer's full samples of marks end: an analyzer whose results will be
    /// [merged](Analyzer::merge) into this one (directly, or into what this one is merged
    /// into) can be told with [`Analyzer::bound_samples`] to keep only the marks that could
    /// still enter. Parallel readers take them from the merged analyzer when they start a
    /// shard, so later shards hold a few marks instead of full samples.
    pub fn sample_bounds(&self) -> SampleBounds {
        SampleBounds {
            error: self.error_marks.bound(),
            request: self.request_marks.bound(),
            fpm: self.fpm_marks.bound(),
            edge: self.edge.marks.bound(),
            origin: self.edge.origin.bound(),
        }
    }

    /// Counts, but does not keep, marks that `bounds` (from the analyzer this one will be
    /// merged into, or one merged into it earlier) shows could never enter its samples.
    /// The merged result is exactly the same as without it; only memory is saved. Call it
    /// before observing records.
    pub fn bound_samples(&mut self, bounds: &SampleBounds) {
        self.error_marks.set_bound(bounds.error);
        self.request_marks.set_bound(bounds.request);
        self.fpm_marks.set_bound(bounds.fpm);
        self.edge.marks.set_bound(bounds.edge);
        self.edge.origin.set_bound(bounds.origin);
    }

    /// Registers an input before observing its records (registering the same id twice with
    /// the same info is harmless, so every shard may do it).
    pub fn add_input(&mut self, id: u32, info: InputInfo) {
        if let Some(watch) = self.watch.as_deref_mut() {
            watch.input(
                id,
                hash_bytes(info.path.as_bytes()),
                info.format.is_access(),
            );
        }
        self.inputs
            .entry(id)
            .or_insert_with(|| InputState::new(info));
    }

    /// Counts lines that no parser recognised (`reason` is kept for the first few).
    pub fn observe_unrecognized(&mut self, origin: &Origin<'_>, reason: &str) {
        let Some(input) = self.inputs.get_mut(&origin.input) else {
            return;
        };
        let stats = input.chunks.entry(origin.chunk).or_default();
        stats.lines += u64::from(origin.lines);
        stats.unrecognized += u64::from(origin.lines);
        let mut text = reason.as_bytes().to_vec();
        text.extend_from_slice(b": ");
        text.extend_from_slice(&origin.text[..origin.text.len().min(200)]);
        input
            .unrecognized
            .offer((i64::MIN, origin.input, origin.chunk, origin.line), &text);
    }

    /// Counts lines of another program (a syslog file's `sshd` lines, a journal's other
    /// units): neither parsed nor unrecognized, so `lines = parsed + unrecognized + other`.
    pub fn observe_other(&mut self, origin: &Origin<'_>) {
        let Some(input) = self.inputs.get_mut(&origin.input) else {
            return;
        };
        let stats = input.chunks.entry(origin.chunk).or_default();
        stats.lines += u64::from(origin.lines);
        stats.other += u64::from(origin.lines);
    }

    /// Notes that the envelope of an entry's line was broken (`problem` says how). The
    /// entry itself is observed as parsed, unrecognized or other as usual: this counts the
    /// problem and keeps the first few with their line, for the report.
    pub fn observe_envelope_problem(&mut self, origin: &Origin<'_>, problem: &str) {
        let Some(input) = self.inputs.get_mut(&origin.input) else {
            return;
        };
        input
            .chunks
            .entry(origin.chunk)
            .or_default()
            .envelope_problems += 1;
        let mut text = problem.as_bytes().to_vec();
        text.extend_from_slice(b": ");
        text.extend_from_slice(&origin.text[..origin.text.len().min(200)]);
        input
            .envelope_problems
            .offer((i64::MIN, origin.input, origin.chunk, origin.line), &text);
    }

    /// Counts one parsed record.
    pub fn observe(&mut self, record: &Record<'_>, origin: &Origin<'_>) {
        self.observe_at(record, origin);
    }

    /// Counts one parsed record whose line carried no zone and whose time was given the
    /// offset of the envelope it came in (a Docker or CRI time, journald's
    /// `__REALTIME_TIMESTAMP`, an RFC 5424 time): as [`observe`](Analyzer::observe), and
    /// that offset is what the report's zone says (`zone.source: "envelope"`) when no
    /// zone was given and no access log carries one.
    pub fn observe_placed(&mut self, record: &Record<'_>, origin: &Origin<'_>) {
        let at = self.observe_at(record, origin);
        if let (Some(t), Some(offset)) = (at, record.time().and_then(|ts| ts.offset_seconds())) {
            self.envelope_offsets.entry(offset).or_default().add(t);
        }
    }

    /// [`observe`](Analyzer::observe): the record's analysis time when it had one of its
    /// own and was counted (within `--since`/`--until`).
    fn observe_at(&mut self, record: &Record<'_>, origin: &Origin<'_>) -> Option<i64> {
        let input = self.inputs.get_mut(&origin.input)?;
        let head = match self.head {
            Some(head) if head.input == origin.input && head.chunk == origin.chunk => head,
            _ => Head {
                input: origin.input,
                chunk: origin.chunk,
                site: hash_bytes(input.info.site.as_bytes()),
                time: self.last_time.get(&(origin.input, origin.chunk)).copied(),
            },
        };
        let site = head.site;
        let ts = record.time();
        let t = match &ts {
            Some(ts) => {
                let t = self.clock.seconds(ts);
                // Lines of one second follow each other: the map changes once a second.
                if head.time != Some(t) {
                    self.last_time.insert((origin.input, origin.chunk), t);
                }
                Some(t)
            }
            None => head.time,
        };
        self.head = Some(Head { time: t, ..head });
        let zoned = self.clock.zone().is_some();
        let in_range = t.is_none_or(|t| in_bounds(self.since, self.until, ts.as_ref(), t, zoned));
        let lines = u64::from(origin.lines);
        // One inline lookup of the chunk's counts a line (an `entry` call was ~45).
        update(&mut input.chunks, origin.chunk, |stats| {
            stats.lines += lines;
            stats.parsed += lines;
            stats.by_format[record.format() as usize] += lines;
            if !in_range {
                stats.filtered += lines;
            }
        });
        if !in_range {
            return None;
        }
        if let (Some(t), Some(_)) = (t, record.time()) {
            input.first = Some(input.first.map_or(t, |f| f.min(t)));
            input.last = Some(input.last.map_or(t, |l| l.max(t)));
        }
        let Some(t) = t else {
            // No time at all yet in this input: nothing to place on a timeline.
            return None;
        };
        if let (Some(watch), Some(_)) = (self.watch.as_deref_mut(), &ts) {
            watch.saw(origin.input, t);
        }
        match record {
            Record::Error(error) => self.observe_error(error, origin, t, site),
            Record::Access(access) => self.observe_access(access, origin, t, site),
            Record::Edge(edge) => self.observe_edge(edge, origin, t, site),
            // A kind of record this version does not know: counted as parsed, no more.
            _ => {}
        }
        ts.map(|_| t)
    }

    fn observe_error(&mut self, record: &ErrorRecord<'_>, origin: &Origin<'_>, t: i64, site: u64) {
        let Some(failure) = record.failure.as_ref() else {
            return;
        };
        let server = record.format.server();
        let line = (origin.input, origin.chunk, origin.line);
        let key = (
            origin.input,
            origin.chunk,
            record.pid.unwrap_or(0),
            record.tid.unwrap_or(0),
        );
        let pairs = server != Server::Nginx;
        let event = event_of(record, failure, server, t, line, origin.text, site);
        match failure.role {
            Role::Context => {
                let entry = self.context.entry(failure.cause).or_default();
                entry.0 += 1;
                entry.1.offer((t, line.0, line.1, line.2), origin.text);
            }
            Role::Event if !pairs => self.count(&event),
            // The process/thread's held line is looked up once and worked on in place:
            // the map is set aside while `count` (which never reads it) runs.
            Role::Event | Role::Cause => {
                let mut pending = std::mem::take(&mut self.pending);
                let held = pending.entry(key).or_default();
                self.flush_held(held);
                if failure.role == Role::Event {
                    self.count(&event);
                    held.hold_counted(&event);
                } else {
                    held.hold(&event, false);
                }
                self.pending = pending;
            }
            Role::Effect => {
                let mut pending = std::mem::take(&mut self.pending);
                match pending.get_mut(&key) {
                    None => {
                        if origin.chunk == 0 {
                            // No chunk before this one: nothing can complete it.
                            self.count(&event);
                        } else {
                            // The first line of this process/thread in the chunk: hold it
                            // until `finish`, when the previous chunk's last line is known.
                            self.heads.entry(key).or_default().hold(&event, false);
                        }
                        pending.entry(key).or_default();
                    }
                    Some(p) if !(p.active && (t - p.t).abs() <= PAIR_WINDOW) => {
                        self.count(&event);
                    }
                    Some(p) => {
                        p.active = false;
                        // A counted line: the same failure was already counted from its
                        // own complete line.
                        if !p.counted {
                            if let Some(cause_side) = p.event() {
                                self.count(&combine(&cause_side, &event));
                            }
                        }
                    }
                }
                self.pending = pending;
            }
            // A pairing role this version does not know: counted as a line of its own.
            _ => self.count(&event),
        }
    }

    /// Counts a held `Cause` line that the next line of its process/thread did not claim.
    fn flush_pending(&mut self, key: PairKey) {
        let mut pending = std::mem::take(&mut self.pending);
        if let Some(p) = pending.get_mut(&key) {
            self.flush_held(p);
        }
        self.pending = pending;
    }

    /// [`flush_pending`](Analyzer::flush_pending) for a held line already looked up (and
    /// so out of `self.pending`): counts it if it is a `Cause` line still waiting, and
    /// ends its wait.
    fn flush_held(&mut self, p: &mut Pending) {
        let waiting = p.active && !p.counted;
        p.active = false;
        if waiting {
            if let Some(event) = p.event() {
                self.count(&event);
            }
        }
    }

    /// Drops what `observe_at` kept of the last (input, chunk): for anything that changes
    /// an input's site or `last_time` other than `observe_at` itself.
    pub(crate) fn forget_head(&mut self) {
        self.head = None;
    }

    /// Ends the chunks read so far: what is still waiting becomes a tail, completed (or
    /// counted alone) at `finish`.
    fn end_chunks(&mut self) {
        for (key, p) in std::mem::take(&mut self.pending) {
            self.touched.insert(key);
            if p.active {
                self.tails.insert(key, p);
            }
        }
    }

    /// Joins each chunk's tail with the next chunk's head line of the same process/thread,
    /// then counts whatever is left alone.
    fn resolve_boundaries(&mut self) {
        self.end_chunks();
        let tails = std::mem::take(&mut self.tails);
        let mut heads = std::mem::take(&mut self.heads);
        for (&(input, chunk, pid, tid), tail) in &tails {
            // The next chunk in which this process/thread logged a failure line; chunks in
            // between saw only other threads (or context lines) of it.
            let next = self
                .touched
                .range((input, chunk + 1, pid, tid)..(input, u32::MAX, pid, tid))
                .find(|k| k.2 == pid && k.3 == tid)
                .copied();
            let head = next
                .and_then(|k| heads.remove(&k))
                .filter(|h| (h.t - tail.t).abs() <= PAIR_WINDOW);
            match (head, tail.counted) {
                // An Event was counted from its own line: its follow-up adds nothing.
                (Some(_), true) => {}
                (Some(head), false) => {
                    if let (Some(cause_side), Some(effect)) = (tail.event(), head.event()) {
                        self.count(&combine(&cause_side, &effect));
                    }
                }
                (None, true) => {}
                (None, false) => {
                    if let Some(event) = tail.event() {
                        self.count(&event);
                    }
                }
            }
        }
        for head in heads.values() {
            if let Some(event) = head.event() {
                self.count(&event);
            }
        }
    }

    /// Counts one failure event into its group and the timelines.
    fn count(&mut self, event: &Event<'_>) {
        let base = self.base_resolution;
        let index =
            self.groups
                .index_of(event.cause, event.server, event.upstream, event.vhost, base);
        let Some(group) = self.groups.get_mut(index) else {
            return;
        };
        let group_hash = group.hash;
        group.count += 1;
        group.first = group.first.min(event.t);
        group.last = group.last.max(event.t);
        group.series.add(event.t, 1);
        if event.phase == Some(Phase::ReadBody) {
            group.truncated += 1;
        }
        if let Some(phase) = event.phase {
            update(&mut group.phases, phase, |n| *n += 1);
        }
        if let Some(variant) = event.variant {
            bump(&mut group.variants, variant);
        }
        if let Some(errno) = event.errno {
            bump(&mut group.errnos, errno.name());
        }
        if let Some(protocol) = event.protocol.filter(|p| !p.is_empty()) {
            if let Some(p) = protocol_name(protocol) {
                bump(&mut group.protocols, p);
            }
        }
        if !event.upstream.is_empty() {
            group.peers.add_to_the_only(event.upstream, 1);
        }
        // The request's method and path, split once for the endpoint and the edge join.
        let parts = event
            .request
            .and_then(text::request_parts)
            .map(|(method, target)| (method, text::path_of(target)));
        if let (Some((method, path)), Some(request)) = (parts, event.request) {
            let endpoint = text::endpoint_in(request, method, path, &mut self.scratch);
            group.endpoints.add(endpoint, 1);
        }
        if let Some(edge) = &event.edge {
            if let (Some(method), Some(target)) = (edge.method, edge.target) {
                text::endpoint_from_parts(method, target, &mut self.scratch);
                group.endpoints.add(&self.scratch, 1);
            }
            if let Some(status) = edge.status {
                *group.statuses.entry(status).or_insert(0) += 1;
            }
            if let Some(status) = edge.origin_status {
                *group.origin_statuses.entry(status).or_insert(0) += 1;
            }
            if let Some(us) = edge.duration_us {
                group
                    .durations
                    .get_or_insert_with(Sketch::default)
                    .add(us as f64 / 1e6);
                group.widen_durations(us);
            }
        }
        // The client's hash, for its summary and its error mark.
        let client = event.client.map(|client| (client, hash_bytes(client)));
        if let Some((client, hash)) = client {
            group.clients.add_hashed(client, hash, 1);
        }
        group.examples.offer_latest(
            (event.t, event.line.0, event.line.1, event.line.2),
            event.text,
        );
        if let Some(watch) = self.watch.as_deref_mut() {
            if event.cause != Cause::BufferedToDisk {
                watch.failure(event.line.0, event.cause, event.t, &group.key.upstream);
            }
        }
        // The cause's series, nearly always there already: one inline search (`entry` was a
        // call, and another for `or_insert_with`).
        match self.causes.get_mut(&event.cause) {
            Some(series) => series.add(event.t, 1),
            None => {
                let mut series = Series::new(base);
                series.add(event.t, 1);
                self.causes.insert(event.cause, series);
            }
        }
        self.failures.add(event.t, 1);
        if let Some(edge) = &event.edge {
            // An edge failure: for the join with the origin, never for attributing the
            // origin's access lines (its client is the visitor, not the edge).
            self.edge.marks.offer(EdgeMark {
                sample: hash_bytes(
                    &[
                        event.line.0.to_le_bytes().as_slice(),
                        &event.line.1.to_le_bytes(),
                        &event.line.2.to_le_bytes(),
                    ]
                    .concat(),
                ),
                group: group_hash,
                key: edge.target.map_or(0, edge::path_key),
                method: edge::hash_opt(edge.method),
                host: edge::hash_opt(edge.host),
                trace: edge::trace_key(edge.trace),
                start: edge.span.0,
                end: edge.span.1,
                unix: edge.unix,
                line: event.line,
                before_request: matches!(
                    event.phase,
                    Some(Phase::Connect | Phase::Resolve | Phase::TlsHandshake)
                ),
            });
            return;
        }
        if let Some((method, path)) = parts {
            // A failure the origin logged: the edge request it served reached the origin.
            // (`edge::hash` of the path is the target's `edge::path_key`; the method, never
            // empty, hashes as `edge::method_hash` does, `GET`'s hash made once.)
            self.edge.origin.offer(OriginMark::new(
                edge::hash(path),
                edge::method_hash(Some(method)),
                0,
                0,
                (event.t, event.t),
                None,
                0,
                group_hash,
                event.line,
            ));
        }
        if let Some((_, client)) = client {
            // Marks order by their client's hash first: one beyond a full (or bounded)
            // sample's largest is counted without hashing its request.
            self.error_marks.offer_with(
                |limit| client > limit.client,
                || ErrorMark {
                    client,
                    t: event.t,
                    request: event.request.map_or(0, hash_bytes),
                    site: event.site,
                    group: group_hash,
                    line: event.line,
                },
            );
        }
        if event.server == Server::PhpFpm {
            self.fpm_marks.offer(FpmMark {
                t: event.t,
                cause: event.cause,
                pid: event.pid,
                line: event.line,
            });
        }
    }

    fn observe_edge(&mut self, record: &EdgeRecord<'_>, origin: &Origin<'_>, t: i64, site: u64) {
        let line = (origin.input, origin.chunk, origin.line);
        let context = |a: &mut Analyzer, failure: &Failure<'_>| {
            let entry = a.context.entry(failure.cause).or_default();
            entry.0 += 1;
            entry.1.offer((t, line.0, line.1, line.2), origin.text);
        };
        if record.header {
            if let Some(failure) = record.failure.as_ref() {
                context(self, failure);
            }
            return;
        }
        // Whole seconds of the start and the end, from the microseconds the line has.
        let micros = i64::from(record.time.map_or(0, |ts| ts.micros()));
        let took = i64::try_from(record.duration_us.unwrap_or(0)).unwrap_or(i64::MAX / 4);
        let (start, end) = if record.time_is_start {
            (t, t.saturating_add((micros + took) / 1_000_000))
        } else {
            (t.saturating_add((micros - took).div_euclid(1_000_000)), t)
        };
        if let Some(status) = record.status {
            // Edge requests count like access-log requests.
            self.access.requests.add(end, 1);
            if (500..600).contains(&status) {
                self.access.server_errors.add(end, 1);
            }
            *self.edge.statuses.entry(status).or_insert(0) += 1;
            match self.edge.products.get_mut(record.edge.id()) {
                Some(n) => *n += 1,
                None => {
                    self.edge.products.insert(record.edge.id().to_owned(), 1);
                }
            }
        }
        let Some(failure) = record.failure.as_ref() else {
            return;
        };
        if failure.role == Role::Context {
            context(self, failure);
            return;
        }
        let unix = record
            .span_unix_us()
            .map(|(s, e)| (s.div_euclid(1_000_000), e.div_euclid(1_000_000)));
        let event = Event {
            cause: failure.cause,
            server: Server::Edge(record.edge),
            phase: failure.phase,
            errno: None,
            variant: failure.variant,
            upstream: failure.peer.unwrap_or_default(),
            protocol: failure.protocol,
            vhost: record.host.unwrap_or_default(),
            client: record.client,
            request: None,
            t: end,
            line,
            text: origin.text,
            site,
            pid: 0,
            edge: Some(EdgeEvent {
                method: record.method,
                target: record.target,
                host: record.host,
                trace: record.trace_id,
                status: record.status,
                origin_status: record.origin_status,
                duration_us: record.duration_us,
                span: (start, end),
                unix,
            }),
        };
        self.count(&event);
    }

    fn observe_access(
        &mut self,
        record: &AccessRecord<'_>,
        origin: &Origin<'_>,
        t: i64,
        site: u64,
    ) {
        let Some(status) = record.status else {
            return;
        };
        // Each upstream field read once, lines without them (Apache) at no more cost than
        // three checks.
        let upstream = record.upstream.summary();
        let upstream_us = upstream.total_response_time_us;
        let took_us = record.request_time_us.or(upstream_us).unwrap_or(0);
        let took = i64::try_from(took_us.div_ceil(1_000_000)).unwrap_or(i64::MAX / 4);
        let (start, end) = if record.time_is_start {
            (t, t.saturating_add(took))
        } else {
            (t.saturating_sub(took), t)
        };
        let target = record
            .target
            .or_else(|| record.request.and_then(|r| r.split(|&b| b == b' ').nth(1)));
        if let Some(target) = target {
            let method = record
                .method
                .or_else(|| record.request.and_then(|r| r.split(|&b| b == b' ').next()));
            let unix = record.time.and_then(|ts| ts.unix_seconds()).map(|u| {
                let took = end - start;
                if record.time_is_start {
                    (u, u.saturating_add(took))
                } else {
                    (u.saturating_sub(took), u)
                }
            });
            let key = edge::path_key(target);
            // Most lines of a long log fall outside the sample: their other keys are
            // hashed only for the ones it may keep.
            self.edge
                .origin_request_with(key, end, unix.map(|(_, end)| end), || {
                    OriginMark::new(
                        key,
                        edge::method_hash(method),
                        edge::hash_opt(record.host.map(host_without_port)),
                        edge::trace_key(record.trace_id),
                        (start, end),
                        unix,
                        status,
                        0,
                        (origin.input, origin.chunk, origin.line),
                    )
                });
        }
        let access = &mut self.access;
        access.requests.add(end, 1);
        access.statuses.add(status, 1);
        if let Some(offset) = record.time.and_then(|ts| ts.offset_seconds()) {
            update(&mut access.offsets, offset, |seen| seen.add(t));
        }
        if let Some(us) = record.request_time_us {
            // nginx logs whole milliseconds, which the sketch counts by a remembered bin;
            // Apache's `%D` any microsecond, whose bin takes a logarithm either way.
            if record.format.server() == Server::Apache {
                access.request_time.add(us as f64 / 1e6);
            } else {
                access.request_time.add_micros(us);
            }
        }
        if let Some(us) = upstream_us {
            access.upstream_time.add_micros(us);
        }
        let upstream_status = upstream.last_status;
        if let Some(s) = upstream_status {
            access.upstream_statuses.add(s, 1);
        }
        let tries = upstream.tries;
        if tries > 1 {
            access.retried += 1;
        }
        if let Some((addr, from, to)) = surely_in_flight(record, tries, upstream_us, t) {
            access.in_flight.add(addr, from, to);
        }
        let failed = (500..600).contains(&status);
        if failed || status == 499 {
            let took_s = upstream_us
                .or(record.request_time_us)
                .map(|us| us as f64 / 1e6);
            if let Some(secs) = took_s {
                access.time_by_status.entry(status).or_default().add(secs);
            }
        }
        // The endpoint is only kept for 5xx and 499: skip building it for the rest.
        let endpoint = (failed || status == 499)
            && match (record.method, record.target, record.request) {
                (Some(m), Some(target), _) => {
                    text::endpoint_from_parts(m, target, &mut self.scratch);
                    true
                }
                (_, _, Some(request)) => text::endpoint_into(request, &mut self.scratch),
                _ => false,
            };
        if failed {
            access.server_errors.add(end, 1);
            if endpoint {
                access.endpoints_5xx.add(&self.scratch, 1);
            }
        }
        let line = (origin.input, origin.chunk, origin.line);
        if status == 499 {
            let aborts = &mut access.aborts;
            aborts.key.server = record.format.server();
            aborts.count += 1;
            aborts.first = aborts.first.min(end);
            aborts.last = aborts.last.max(end);
            aborts.series.add(end, 1);
            if endpoint {
                aborts.endpoints.add(&self.scratch, 1);
            }
            if let Some(client) = record.client {
                aborts.clients.add(client, 1);
            }
            for addr in record.upstream.addrs().filter_map(|v| v.value) {
                aborts.peers.add(addr, 1);
            }
            aborts
                .examples
                .offer((end, line.0, line.1, line.2), origin.text);
        }
        if failed || status == 499 {
            let open_end = record.time_is_start && record.request_time_us.or(upstream_us).is_none();
            self.request_marks.offer(RequestMark {
                client: record.client.map_or(0, hash_bytes),
                // Apache logs the start of the request (`%t`); without `%D` the end is unknown,
                // so its error line may come up to a proxy timeout later.
                end: if open_end {
                    end + UNKNOWN_DURATION
                } else {
                    end
                },
                open_end,
                start,
                request: record.request.map_or(0, hash_bytes),
                site,
                status,
                upstream_status: upstream_status.unwrap_or(0),
                // `tries` counts the addresses that are not `-`.
                has_upstream: tries > 0,
                line,
            });
        }
    }

    /// Adds another analyzer's state (built with the same [`Config`]). The result does not
    /// depend on the order in which shards are merged.
    pub fn merge(&mut self, mut other: Analyzer) {
        self.merge_from(&mut other);
    }

    /// [`Analyzer::merge`], leaving what is not taken over in `other`, for the caller to
    /// drop (a reader drops its shard's rest on its own thread).
    pub fn merge_from(&mut self, other: &mut Analyzer) {
        self.forget_head();
        self.end_chunks();
        other.end_chunks();
        self.tails.append(&mut other.tails);
        self.heads.append(&mut other.heads);
        self.touched.append(&mut other.touched);
        for (id, input) in &other.inputs {
            match self.inputs.get_mut(id) {
                Some(mine) => mine.merge(input),
                None => {
                    self.inputs.insert(*id, input.clone());
                }
            }
        }
        self.groups.absorb(&mut other.groups);
        for (cause, (count, examples)) in &other.context {
            let mine = self.context.entry(*cause).or_default();
            mine.0 += count;
            mine.1.merge(examples);
        }
        for (cause, series) in &other.causes {
            self.causes
                .entry(*cause)
                .or_insert_with(|| Series::new(self.base_resolution))
                .merge(series);
        }
        self.failures.merge(&other.failures);
        self.access.merge(&other.access);
        // The samples are taken over, not copied, by an analyzer that has none yet.
        let take = |edge: &mut EdgeState| std::mem::replace(edge, EdgeState::empty());
        self.error_marks
            .absorb(std::mem::replace(&mut other.error_marks, BottomK::new(1)));
        self.request_marks
            .absorb(std::mem::replace(&mut other.request_marks, BottomK::new(1)));
        self.fpm_marks
            .absorb(std::mem::replace(&mut other.fpm_marks, BottomK::new(1)));
        self.edge.absorb(take(&mut other.edge));
        for (key, t) in std::mem::take(&mut other.last_time) {
            self.last_time.entry(key).or_insert(t);
        }
        for (offset, seen) in &other.envelope_offsets {
            self.envelope_offsets
                .entry(*offset)
                .or_default()
                .merge(seen);
        }
    }

    /// Starts watching for incidents as records arrive (live mode): see
    /// [`Analyzer::incident_changes`]. Call it before registering inputs. The time before
    /// the first line counts as quiet back to `since`, if one was set.
    pub fn watch(&mut self) {
        let since = self.since.map(|b| match (self.clock.zone(), b.unix) {
            (Some(_), Some(unix)) => unix,
            _ => b.wall,
        });
        self.watch = Some(Box::new(watch::Watch::new(since)));
    }

    /// What happened to incidents since the last call (live mode, after
    /// [`Analyzer::watch`]): opened, grown, closed. An incident opens from the same baseline
    /// logic as the report's incidents, as soon as its third failure is observed; it
    /// closes once its causes have been quiet for more than 5 s. `idle_seconds` is how
    /// long the wall clock has run since the last line was observed: the logs' clock is
    /// taken to run on meanwhile, so an incident closes when the logs go quiet.
    pub fn incident_changes(&mut self, idle_seconds: i64) -> Vec<IncidentChange> {
        let Some(watch) = self.watch.as_deref_mut() else {
            return Vec::new();
        };
        let raw = watch.changes(idle_seconds);
        raw.into_iter()
            .map(|change| match change {
                watch::Raw::Opened(o) => IncidentChange::Opened(self.live_incident(&o)),
                watch::Raw::Updated(o) => IncidentChange::Updated(self.live_incident(&o)),
                watch::Raw::Closed(o) => IncidentChange::Closed(self.live_incident(&o)),
            })
            .collect()
    }

    /// The incidents open now (live mode).
    pub fn open_incidents(&mut self) -> Vec<LiveIncident> {
        let Some(watch) = self.watch.as_deref_mut() else {
            return Vec::new();
        };
        let open = watch.open_incidents();
        open.iter().map(|o| self.live_incident(o)).collect()
    }

    fn live_incident(&self, o: &watch::Open) -> LiveIncident {
        // Without a zone, times carry the offset the access lines carry now (else the one
        // the envelopes gave error lines).
        let offsets = if self.access.offsets.is_empty() {
            &self.envelope_offsets
        } else {
            &self.access.offsets
        };
        let offset = offsets
            .iter()
            .max_by_key(|(_, seen)| seen.last)
            .map(|(o, _)| *o);
        let fmt = |t: i64| self.clock.format(t, offset);
        let causes = o.ranked_causes();
        let upstreams = o.top_upstreams();
        let lead = causes.first().copied().unwrap_or(Cause::UpstreamRefused);
        let target = upstreams
            .first()
            .cloned()
            .unwrap_or_else(|| "the backend".to_owned());
        let mut what =
            finish::incident_phrase(lead, &target, o.causes.get(&lead).copied().unwrap_or(0));
        let others: Vec<String> = causes
            .iter()
            .skip(1)
            .map(|c| {
                format!(
                    "{} {}",
                    thousands(o.causes.get(c).copied().unwrap_or(0)),
                    c.id()
                )
            })
            .collect();
        if !others.is_empty() {
            what = format!("{what}, with {}", others.join(", "));
        }
        let long = o.end_raw - o.start_raw >= 86_400;
        let short = |t: i64| self.clock.format_short(t, long);
        let summary = if o.open {
            format!("since {}: {what}", short(o.start_raw))
        } else {
            format!(
                "{}-{} ({}): {what}",
                short(o.start_raw),
                short(o.end_raw),
                human_duration(o.end_raw - o.start_raw + 1)
            )
        };
        LiveIncident {
            id: o.id,
            start: fmt(o.start_raw),
            end: fmt(o.end_raw),
            count: o.count(),
            causes,
            upstreams,
            rate: o.rate,
            summary,
            open: o.open,
        }
    }

    /// The report of everything observed so far, leaving the analyzer as it is (live
    /// mode: what a run stopped now would print).
    pub fn snapshot(&self) -> Report {
        let mut copy = self.clone();
        copy.watch = None;
        copy.finish()
    }

    /// Admits every record from now on: `since` and `until` no longer apply (live mode,
    /// once the lines already written were read: a log clock that goes back later must
    /// not hide new lines).
    pub fn admit_all(&mut self) {
        self.since = None;
        self.until = None;
    }

    /// Gives an input another name (a followed file that was renamed by a rotation: its
    /// lines are under the new name on disk).
    pub fn rename_input(&mut self, id: u32, path: impl Into<String>) {
        if let Some(input) = self.inputs.get_mut(&id) {
            input.info.path = path.into();
        }
    }

    /// Counts the failure lines still waiting for a line that would complete them (Apache
    /// writes some failures on two lines) once their input has moved more than two seconds
    /// past them, and forgets the processes and threads that have nothing waiting (live
    /// mode: the report then counts them while the run goes on, and memory does not grow
    /// with every process a server ever started). Reading files whole, this changes
    /// nothing: a later line could no longer complete them.
    pub fn settle(&mut self) {
        let mut keys: Vec<PairKey> = self.pending.keys().copied().collect();
        // In key order, as before `pending` was a hash map: what is flushed is counted in
        // this order.
        keys.sort_unstable();
        for key in keys {
            let latest = self.last_time.get(&(key.0, key.1)).copied();
            let Some(p) = self.pending.get(&key) else {
                continue;
            };
            let stale = latest.is_some_and(|l| l - p.t > PAIR_WINDOW);
            if p.active && !stale {
                continue;
            }
            if p.active {
                self.flush_pending(key);
            }
            if !self.pending.get(&key).is_some_and(|p| p.active) {
                self.pending.remove(&key);
            }
        }
    }

    /// How much state the analyzer holds, by part: each is bounded by a constant or by
    /// the number of inputs, never by the number of lines or by time.
    pub fn footprint(&self) -> Footprint {
        let (watched_seconds, open_incidents) =
            self.watch.as_deref().map_or((0, 0), watch::Watch::size);
        Footprint {
            inputs: self.inputs.len(),
            groups: self.groups.iter().count(),
            buckets: self.failures.len()
                + self.access.requests.len()
                + self.access.server_errors.len()
                + self.causes.values().map(Series::len).sum::<usize>()
                + self.groups.iter().map(|g| g.series.len()).sum::<usize>(),
            marks: self.error_marks.len() + self.request_marks.len() + self.fpm_marks.len(),
            waiting: self.pending.len() + self.heads.len() + self.tails.len() + self.touched.len(),
            watched_seconds,
            open_incidents,
        }
    }

    /// Builds the report.
    pub fn finish(mut self) -> Report {
        self.resolve_boundaries();
        // The report reads each sketch several times: their batches handed over once.
        self.access.request_time.settle();
        self.access.upstream_time.settle();
        finish::build(self)
    }
}

/// Maps with tuple keys serialised as lists of pairs (JSON keys must be strings).
mod pairs {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<K: Serialize, V: Serialize, S: Serializer>(
        map: &BTreeMap<K, V>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.collect_seq(map.iter())
    }

    pub fn deserialize<'de, K, V, D>(d: D) -> Result<BTreeMap<K, V>, D::Error>
    where
        K: Deserialize<'de> + Ord,
        V: Deserialize<'de>,
        D: Deserializer<'de>,
    {
        Ok(Vec::<(K, V)>::deserialize(d)?.into_iter().collect())
    }
}

/// A hash map stored as a list of pairs sorted by key, so saved state does not depend on
/// the map's iteration order.
mod sorted_pairs {
    use std::hash::Hash;

    use rustc_hash::FxHashMap;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<K: Serialize + Ord, V: Serialize, S: Serializer>(
        map: &FxHashMap<K, V>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        let mut items: Vec<(&K, &V)> = map.iter().collect();
        items.sort_unstable_by(|a, b| a.0.cmp(b.0));
        s.collect_seq(items)
    }

    pub fn deserialize<'de, K, V, D>(d: D) -> Result<FxHashMap<K, V>, D::Error>
    where
        K: Deserialize<'de> + Eq + Hash,
        V: Deserialize<'de>,
        D: Deserializer<'de>,
    {
        Ok(Vec::<(K, V)>::deserialize(d)?.into_iter().collect())
    }
}

/// The event of a cause line completed by its effect line: cause, errno and upstream from
/// the first, client and request from the second, counted at the first line.
fn combine<'a>(cause: &Event<'a>, effect: &Event<'a>) -> Event<'a> {
    Event {
        cause: cause.cause,
        server: cause.server,
        phase: cause.phase.or(effect.phase),
        errno: cause.errno.or(effect.errno),
        variant: cause.variant.or(effect.variant),
        upstream: if cause.upstream.is_empty() {
            effect.upstream
        } else {
            cause.upstream
        },
        protocol: cause.protocol.or(effect.protocol),
        vhost: effect.vhost,
        client: effect.client.or(cause.client),
        request: effect.request.or(cause.request),
        t: cause.t,
        line: cause.line,
        text: cause.text,
        site: cause.site,
        pid: cause.pid,
        edge: None,
    }
}

/// A failure's protocol as text: the usual schemes without a UTF-8 check (which costs
/// ~90 instructions a failure on these few bytes), any other one checked. FastCGI's and
/// HTTP's (nearly every failure's: PHP-FPM or proxied upstreams) are compared first, by
/// their lengths and bytes; the `match` tested them in its own order (~22 instructions a
/// failure).
#[inline]
fn protocol_name(protocol: &[u8]) -> Option<&str> {
    if protocol == b"fastcgi" {
        return Some("fastcgi");
    }
    if protocol == b"http" {
        return Some("http");
    }
    Some(match protocol {
        b"https" => "https",
        b"tcp" => "tcp",
        b"udp" => "udp",
        b"uwsgi" => "uwsgi",
        b"grpc" => "grpc",
        b"grpcs" => "grpcs",
        // Apache's proxy protocols (`classify::apache_protocol`).
        b"fcgi" => "fcgi",
        b"ws" => "ws",
        b"wss" => "wss",
        b"ajp" => "ajp",
        b"scgi" => "scgi",
        b"ftp" => "ftp",
        b"h2" => "h2",
        b"h2c" => "h2c",
        b"connect" => "connect",
        _ => return std::str::from_utf8(protocol).ok(),
    })
}

fn bump(map: &mut BTreeMap<String, u64>, key: &str) {
    match map.get_mut(key) {
        Some(count) => *count += 1,
        None => {
            map.insert(key.to_owned(), 1);
        }
    }
}

fn event_of<'a>(
    record: &'a ErrorRecord<'a>,
    failure: &'a Failure<'a>,
    server: Server,
    t: i64,
    line: (u32, u32, u64),
    text: &'a [u8],
    site: u64,
) -> Event<'a> {
    Event {
        cause: failure.cause,
        server,
        phase: failure.phase,
        errno: failure.errno,
        variant: failure.variant,
        upstream: failure
            .peer
            .or(if server == Server::PhpFpm {
                record.pool
            } else {
                None
            })
            .unwrap_or_default(),
        protocol: failure.protocol,
        vhost: record.server_name.unwrap_or_default(),
        client: record.client,
        request: record.request,
        t,
        line,
        text,
        site,
        pid: record.pid.unwrap_or(0),
        edge: None,
    }
}

/// `shop.example:443` → `shop.example` (a Host header may carry the port; the edge logs
/// the host alone).
fn host_without_port(host: &[u8]) -> &[u8] {
    match host.iter().rposition(|&b| b == b':') {
        Some(colon) if !host.starts_with(b"[") || host.get(colon - 1) == Some(&b']') => {
            let port = &host[colon + 1..];
            if !port.is_empty() && port.iter().all(u8::is_ascii_digit) {
                &host[..colon]
            } else {
                host
            }
        }
        _ => host,
    }
}

/// `f(map.entry(key).or_default())` for a map that nearly always has the key already (a
/// line's status or offset): a lookup that stays inline, where `entry` was a call of ~45
/// instructions, three a line.
#[inline]
fn update<K: Ord, V: Default>(map: &mut BTreeMap<K, V>, key: K, f: impl FnOnce(&mut V)) {
    if let Some(value) = map.get_mut(&key) {
        f(value);
        return;
    }
    f(map.entry(key).or_default());
}

/// The upstream of a request tried once, and the milliseconds during which the upstream
/// surely had it: the line's time is known to the second only (`t`), and the upstream's
/// part (`$upstream_response_time`) lies somewhere inside the request's (`$request_time`);
/// when only one of the two is logged, it stands for both. `tries` and `upstream_us` are
/// the record's `upstream.summary()`'s, which the caller has already read.
fn surely_in_flight<'a>(
    record: &AccessRecord<'a>,
    tries: usize,
    upstream_us: Option<u64>,
    t: i64,
) -> Option<(&'a [u8], i64, i64)> {
    let addr = record.upstream.addr.filter(|_| tries == 1)?;
    let ms = |us: u64| i64::try_from(us / 1_000).unwrap_or(i64::MAX / 4);
    let upstream = ms(upstream_us.or(record.request_time_us)?);
    let request = ms(record.request_time_us.or(upstream_us)?).max(upstream);
    let second = t.saturating_mul(1_000);
    Some(if record.time_is_start {
        // Started in [second, second + 1 s); the upstream's part began at most
        // `request - upstream` later and lasted `upstream`.
        (
            addr,
            second.saturating_add(1_000 + request - upstream),
            second.saturating_add(upstream),
        )
    } else {
        // Ended in [second, second + 1 s); the upstream's part ended at most
        // `request - upstream` earlier.
        (
            addr,
            second.saturating_add(1_000 - upstream),
            second.saturating_sub(request - upstream),
        )
    })
}

#[cfg(test)]
mod head_tests {
    use super::*;
    use logscan_parse::{Timestamp, records};
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn interleaved_inputs_and_chunks_count_as_without_the_kept_head(
            lines in prop::collection::vec((0u32..3, 0u32..3, prop::option::of(0i64..4)), 0..60),
            cut in 0usize..60,
        ) {
            // The same records, one analyzer keeping the last (input, chunk) between them
            // and one that forgets it before each: the same counts, times and state; and
            // so after a merge and a relabel in the middle.
            let config = Config::default();
            let fresh = || {
                let mut a = Analyzer::new(config.clone());
                for id in 0..3u32 {
                    a.add_input(id, InputInfo::new(format!("{id}.log"), Format::NginxAccess, format!("site{id}")));
                }
                a
            };
            let (mut kept, mut forgot) = (fresh(), fresh());
            let upstream = records::upstream(b"10.0.0.1:80", b"200", b"0.004");
            for (i, &(input, chunk, second)) in lines.iter().enumerate() {
                if i == cut {
                    for a in [&mut kept, &mut forgot] {
                        a.merge(fresh());
                        a.label_inputs("host");
                    }
                }
                let mut record = records::nginx_access(
                    Timestamp::from_unix(1_790_000_000 + second.unwrap_or(0), 0, 0).unwrap(),
                    // Failures keep marks with the site's hash.
                    if i % 3 == 0 { 502 } else { 200 },
                    b"GET / HTTP/1.1",
                    upstream,
                );
                if second.is_none() {
                    record.time = None;
                }
                let record = Record::Access(record);
                let origin = Origin { input, chunk, line: i as u64 + 1, lines: 1, text: b"x" };
                kept.observe(&record, &origin);
                forgot.forget_head();
                forgot.observe(&record, &origin);
            }
            prop_assert_eq!(&kept.last_time, &forgot.last_time);
            prop_assert_eq!(
                serde_json::to_string(&kept).unwrap(),
                serde_json::to_string(&forgot).unwrap()
            );
            prop_assert!(kept == forgot);
        }
    }
}
