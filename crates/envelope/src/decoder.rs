//! [`Decoder`]: physical lines in, inner lines out.

use logscan_parse::Timestamp;
use serde::de::DeserializeSeed;

use crate::container::{self, CriLine, DockerRecord};
use crate::journald;
use crate::json::{self, ByteArray};
use crate::line::{Kind, Line, Meta, Physical, Problem, Stream};
use crate::syslog::{self, Form};
use crate::time::SameSecond;
use crate::{Envelope, Programs, YearHint};

/// Limits and names a [`Decoder`] works with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The longest inner line kept whole. Pieces are joined up to it; past it the line
    /// is returned with [`Line::too_long`] and its first `max_line` bytes, and the rest
    /// of its pieces are read and dropped, never buffered. Default 1 MiB (the line
    /// splitter's own limit, so an over-long joined line counts like an over-long plain
    /// line).
    pub max_line: usize,
    /// Whose syslog and journald lines are the server's.
    pub programs: Programs,
    /// Where RFC 3164 times get their year.
    pub year: YearHint,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_line: 1 << 20,
            programs: Programs::default(),
            year: YearHint::now(),
        }
    }
}

/// One physical line read as an envelope, borrowing only from the line.
enum Parsed<'a> {
    Docker(DockerRecord<'a>),
    Cri(CriLine<'a>),
    Timestamped(Result<Timestamp, ()>, &'a [u8]),
    Syslog(syslog::Header<'a>),
    /// A journalctl line such as `-- Boot 9f2c… --` or `-- No entries --`.
    Marker,
    Journald(journald::Entry<'a>),
}

/// `line` read as `envelope`, or `None` if it is not a line of that envelope. `same`
/// keeps the second of the last container time read.
fn parse_as<'a>(
    envelope: Envelope,
    line: &'a [u8],
    year: YearHint,
    same: &mut SameSecond,
) -> Option<Parsed<'a>> {
    match envelope {
        Envelope::Docker => DockerRecord::parse(line).map(Parsed::Docker),
        Envelope::Cri => CriLine::parse(line, same).map(Parsed::Cri),
        Envelope::Timestamped => {
            container::timestamped(line, same).map(|(t, rest)| Parsed::Timestamped(t, rest))
        }
        Envelope::Syslog => {
            if line.starts_with(b"-- ") {
                return Some(Parsed::Marker);
            }
            syslog::parse(line, year).map(Parsed::Syslog)
        }
        Envelope::Journald => journald::Entry::parse(line).map(Parsed::Journald),
    }
}

/// The envelope `line` is in, read as it, trying the envelopes from the most to the least
/// specific. An RFC 3339 time in `Z` followed by something that reads as a syslog host and
/// tag is `timestamped` (`kubectl` and `docker logs` write UTC as `Z`; rsyslog and
/// journalctl write a numeric offset).
fn detect_parse(line: &[u8], year: YearHint) -> Option<(Envelope, Parsed<'_>)> {
    let same = &mut SameSecond::default();
    let json = matches!(
        line.iter().find(|b| !b.is_ascii_whitespace()),
        Some(b'{' | 0x1e)
    );
    if json {
        if let Some(p) = parse_as(Envelope::Journald, line, year, same) {
            return Some((Envelope::Journald, p));
        }
        return parse_as(Envelope::Docker, line, year, same).map(|p| (Envelope::Docker, p));
    }
    if let Some(p) = parse_as(Envelope::Cri, line, year, same) {
        return Some((Envelope::Cri, p));
    }
    match syslog::parse(line, year) {
        Some(h) if h.form != (Form::Iso { utc_z: true }) => {
            return Some((Envelope::Syslog, Parsed::Syslog(h)));
        }
        _ => {}
    }
    parse_as(Envelope::Timestamped, line, year, same).map(|p| (Envelope::Timestamped, p))
}

/// The envelope of one line, if it is in one. A `journalctl` marker line (`-- Boot … --`)
/// is in none.
pub fn detect_line(line: &[u8]) -> Option<Envelope> {
    detect_parse(line, DETECT_YEAR).map(|(e, _)| e)
}

/// Any leap year, so that `Feb 29` reads as a date while detecting.
const DETECT_YEAR: YearHint = YearHint {
    year: 2024,
    month: 12,
};

/// The envelope of an input from its first lines: the one more than half of the sample's
/// lines are in (blank lines and `journalctl` markers not counted), or `None` for a plain
/// log.
pub fn detect(sample: &[&[u8]]) -> Option<Envelope> {
    let mut counts = [0usize; Envelope::ALL.len()];
    let mut lines = 0usize;
    for line in sample {
        if line.iter().all(u8::is_ascii_whitespace) || line.starts_with(b"-- ") {
            continue;
        }
        lines += 1;
        if let Some(e) = detect_line(line) {
            counts[e as usize] += 1;
        }
    }
    let (best, &count) = counts
        .iter()
        .enumerate()
        .max_by_key(|&(i, c)| (c, usize::MAX - i))?;
    (count * 2 > lines).then(|| Envelope::ALL[best])
}

/// The inner lines of a sample of physical lines (from `EntryReader::sample`) in
/// `envelope`, for choosing the parser of the lines inside: the server's lines only (not
/// other programs'), joined pieces included, each copied (a sample is small).
pub fn unwrap_sample(envelope: Envelope, sample: &[&[u8]], config: Config) -> Vec<Vec<u8>> {
    let mut decoder = Decoder::new(envelope, config);
    let mut inner = Vec::new();
    for (i, line) in sample.iter().enumerate() {
        if let Some(line) = decoder.decode(Physical::new(line, i as u64 + 1)) {
            if line.kind == Kind::Server {
                inner.push(line.bytes.to_vec());
            }
        }
    }
    while let Some(line) = decoder.finish() {
        if line.kind == Kind::Server {
            inner.push(line.bytes.to_vec());
        }
    }
    inner
}

/// Pieces of one stream's split line, joined in a reused buffer.
#[derive(Debug, Default)]
struct Pieces {
    buf: Vec<u8>,
    first_line: u64,
    lines: u32,
    time: Option<Timestamp>,
    stream: Option<Stream>,
    too_long: bool,
    problem: Option<Problem>,
    active: bool,
}

impl Pieces {
    fn line(&self, max_line: usize, last_problem: Option<Problem>) -> Line<'_> {
        Line {
            bytes: &self.buf[..self.buf.len().min(max_line)],
            meta: Meta {
                time: self.time,
                stream: self.stream,
                ..Meta::default()
            },
            kind: Kind::Server,
            first_line: self.first_line,
            lines: self.lines,
            too_long: self.too_long,
            problem: last_problem.or(self.problem),
        }
    }
}

/// Slots for split lines: Docker and CRI, each per stream (`stdout`, `stderr`, none): a
/// runtime copies each stream on its own, so the pieces of a long `stdout` line can be
/// interleaved with `stderr` lines.
const SLOTS: usize = 6;

fn slot(envelope: Envelope, stream: Option<Stream>) -> usize {
    let base = if envelope == Envelope::Docker { 0 } else { 3 };
    base + match stream {
        Some(Stream::Stdout) => 0,
        Some(Stream::Stderr) => 1,
        None => 2,
    }
}

/// Makes room for `need` more bytes in `buf` without letting it pass `limit`: it grows by
/// doubling like any `Vec`, but never beyond the limit, so a buffer stays under
/// [`Config::max_line`] + 1 bytes whatever the input.
fn grow(buf: &mut Vec<u8>, need: usize, limit: usize) {
    if buf.capacity() - buf.len() < need {
        let target = (buf.len() + need).max(buf.capacity() * 2).min(limit);
        buf.reserve_exact(target.saturating_sub(buf.len()));
    }
}

/// The bytes of `bytes` within `max`, and whether it was cut.
fn cut(bytes: &[u8], max: usize) -> (&[u8], bool) {
    if bytes.len() > max {
        (&bytes[..max], true)
    } else {
        (bytes, false)
    }
}

/// A time and, when it was not valid, the problem to report.
fn time_and_problem(time: Option<Result<Timestamp, ()>>) -> (Option<Timestamp>, Option<Problem>) {
    match time {
        Some(Ok(t)) => (Some(t), None),
        Some(Err(())) => (None, Some(Problem::BadTime)),
        None => (None, None),
    }
}

/// Unwraps physical lines of one input: a line splitter's output in, inner lines with
/// their metadata out. One decoder per input; it keeps the pieces of split lines until
/// their last piece and the envelope it is reading.
///
/// Every physical line given to [`decode`](Decoder::decode) is accounted for in exactly
/// one [`Line`] returned by `decode` or, at the end, by [`finish`](Decoder::finish):
/// summing [`Line::lines`] gives the number of physical lines. No allocation per line:
/// inner lines borrow from the physical line or from buffers the decoder reuses, and
/// memory stays under seven times [`Config::max_line`] whatever the input
/// ([`buffer_size`](Decoder::buffer_size)).
///
/// A line that is not in the envelope the decoder reads is not lost: if it is in another
/// envelope it is decoded with that one, which the decoder keeps from then on
/// ([`Problem::EnvelopeChanged`]); otherwise it is returned as it is
/// ([`Problem::NotInEnvelope`], or [`Problem::BadJson`] for a broken JSON line) so a
/// plain log line still parses.
#[derive(Debug)]
pub struct Decoder {
    envelope: Envelope,
    config: Config,
    /// Decoded bytes of the last line returned, when they could not be borrowed.
    scratch: Vec<u8>,
    pieces: [Pieces; SLOTS],
    /// The slot whose joined line was returned last: emptied on the next call.
    emitted: Option<usize>,
    /// Kind and header length of the last syslog line, for the indented continuation
    /// lines journalctl writes for messages of several lines.
    last_syslog: Option<(Kind, usize)>,
    /// The second of the last container time read (Docker, CRI, `timestamped`).
    same_second: SameSecond,
}

impl Decoder {
    /// A decoder for lines in `envelope` (from [`detect`] or given by the user).
    pub fn new(envelope: Envelope, config: Config) -> Decoder {
        Decoder {
            envelope,
            config,
            scratch: Vec::new(),
            pieces: Default::default(),
            emitted: None,
            last_syslog: None,
            same_second: SameSecond::default(),
        }
    }

    /// The envelope being read: the one given to [`new`](Decoder::new), or the last one
    /// the input changed to.
    pub fn envelope(&self) -> Envelope {
        self.envelope
    }

    /// Bytes of buffer the decoder holds (for decoded lines and the pieces of split
    /// lines): never more than seven times [`Config::max_line`] + 1, whatever the input.
    pub fn buffer_size(&self) -> usize {
        self.scratch.capacity() + self.pieces.iter().map(|p| p.buf.capacity()).sum::<usize>()
    }

    /// The configuration in use.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Decodes the next physical line. `None` when it is a piece of a longer line (a
    /// Docker record without `\n`, a CRI `P` line), kept until its last piece arrives;
    /// that line then accounts for all its pieces.
    pub fn decode<'a>(&'a mut self, line: Physical<'a>) -> Option<Line<'a>> {
        self.release();
        let year = self.config.year;
        let current = self.envelope;
        let bytes = line.bytes;
        let (parsed, problem) = match parse_as(current, bytes, year, &mut self.same_second) {
            Some(parsed) => (parsed, None),
            None => match detect_parse(bytes, year) {
                Some((to, parsed)) if to != current => {
                    self.envelope = to;
                    (parsed, Some(Problem::EnvelopeChanged { from: current, to }))
                }
                _ => return Some(self.not_in_envelope(line)),
            },
        };
        self.materialize(parsed, line, problem)
    }

    /// After the last physical line: the lines whose last piece never came, one per call
    /// (with [`Problem::Unfinished`]), then `None`.
    pub fn finish(&mut self) -> Option<Line<'_>> {
        self.release();
        let index = self.pieces.iter().position(|p| p.active)?;
        self.emitted = Some(index);
        Some(self.pieces[index].line(self.config.max_line, Some(Problem::Unfinished)))
    }

    /// Empties the slot whose line was returned by the previous call.
    fn release(&mut self) {
        if let Some(index) = self.emitted.take() {
            let pieces = &mut self.pieces[index];
            pieces.buf.clear();
            pieces.active = false;
            pieces.problem = None;
        }
    }

    /// A line in no envelope (or in the current one, but broken): as it is.
    fn not_in_envelope<'a>(&'a mut self, line: Physical<'a>) -> Line<'a> {
        let current = self.envelope;
        // journalctl indents the further lines of a message of several lines to where
        // the message starts.
        if let (Envelope::Syslog, Some((kind, indent))) = (current, self.last_syslog) {
            let spaces = line.bytes.iter().take_while(|&&b| b == b' ').count();
            if spaces > 0 {
                return self.simple(
                    line,
                    &line.bytes[spaces.min(indent)..],
                    kind,
                    Meta::default(),
                    None,
                );
            }
        }
        let json = matches!(
            line.bytes.iter().find(|b| !b.is_ascii_whitespace()),
            Some(b'{' | 0x1e)
        );
        let problem = if line.too_long {
            None
        } else if json && matches!(current, Envelope::Docker | Envelope::Journald) {
            Some(Problem::BadJson(current))
        } else {
            Some(Problem::NotInEnvelope(current))
        };
        self.simple(line, line.bytes, Kind::Server, Meta::default(), problem)
    }

    /// A line of one physical line whose bytes borrow from it.
    fn simple<'a>(
        &self,
        line: Physical<'a>,
        bytes: &'a [u8],
        kind: Kind,
        meta: Meta<'a>,
        problem: Option<Problem>,
    ) -> Line<'a> {
        let (bytes, cut_here) = cut(bytes, self.config.max_line);
        Line {
            bytes,
            meta,
            kind,
            first_line: line.number,
            lines: 1,
            too_long: line.too_long || cut_here,
            problem,
        }
    }

    fn kind_of(&self, app: Option<&[u8]>) -> Kind {
        match app {
            Some(app) if !self.config.programs.is_server(app) => Kind::Other,
            _ => Kind::Server,
        }
    }

    fn materialize<'a>(
        &'a mut self,
        parsed: Parsed<'a>,
        line: Physical<'a>,
        problem: Option<Problem>,
    ) -> Option<Line<'a>> {
        if !matches!(parsed, Parsed::Syslog(_)) {
            self.last_syslog = None;
        }
        match parsed {
            Parsed::Docker(record) => {
                let (time, bad_time) = time_and_problem(record.time(&mut self.same_second));
                let stream = record.stream();
                let (content, last) = record.content();
                let meta = Meta {
                    time,
                    stream,
                    ..Meta::default()
                };
                let problem = problem.or(bad_time);
                let index = slot(Envelope::Docker, stream);
                if last && !self.pieces[index].active {
                    if json::find_backslash(content).is_none() {
                        return Some(self.simple(line, content, Kind::Server, meta, problem));
                    }
                    let limit = self.config.max_line + 1;
                    self.scratch.clear();
                    grow(&mut self.scratch, content.len().min(limit), limit);
                    json::unescape_into(content, &mut self.scratch, limit);
                    let (bytes, too_long) = cut(&self.scratch, self.config.max_line);
                    return Some(Line {
                        bytes,
                        meta,
                        kind: Kind::Server,
                        first_line: line.number,
                        lines: 1,
                        too_long,
                        problem,
                    });
                }
                self.join(index, line, time, stream, problem, last, |buf, limit| {
                    // decoded JSON is never longer than its escaped form
                    grow(buf, content.len().min(limit - buf.len()), limit);
                    json::unescape_into(content, buf, limit)
                })
            }
            Parsed::Cri(cri) => {
                let (time, bad_time) = time_and_problem(Some(cri.time));
                let problem = problem.or(bad_time);
                let index = slot(Envelope::Cri, Some(cri.stream));
                if !cri.partial && !self.pieces[index].active {
                    let meta = Meta {
                        time,
                        stream: Some(cri.stream),
                        ..Meta::default()
                    };
                    return Some(self.simple(line, cri.content, Kind::Server, meta, problem));
                }
                let content = cri.content;
                self.join(
                    index,
                    line,
                    time,
                    Some(cri.stream),
                    problem,
                    !cri.partial,
                    |buf, limit| {
                        let room = limit.saturating_sub(buf.len());
                        let take = content.len().min(room);
                        grow(buf, take, limit);
                        buf.extend_from_slice(&content[..take]);
                    },
                )
            }
            Parsed::Timestamped(time, content) => {
                let (time, bad_time) = time_and_problem(Some(time));
                let meta = Meta {
                    time,
                    ..Meta::default()
                };
                Some(self.simple(line, content, Kind::Server, meta, problem.or(bad_time)))
            }
            Parsed::Marker => {
                self.last_syslog = None;
                Some(self.simple(line, line.bytes, Kind::Other, Meta::default(), problem))
            }
            Parsed::Syslog(mut header) => {
                let (time, bad_time) = time_and_problem(header.time);
                // `HOST nginx: ` twice (journalctl showing what nginx sent to /dev/log
                // with its host name): the inner header is the one that counts.
                if let (Some(host), Some(app)) = (header.host, header.app) {
                    if self.config.programs.is_server(app) {
                        if let Some((inner, pid, message)) =
                            syslog::nested_header(header.message, host)
                                .filter(|(inner, _, _)| self.config.programs.is_server(inner))
                        {
                            header.app = Some(inner);
                            header.proc_id = pid.or(header.proc_id);
                            header.message = message;
                        }
                    }
                }
                let kind = self.kind_of(header.app);
                let meta = Meta {
                    time,
                    host: header.host,
                    app: header.app,
                    proc_id: header.proc_id,
                    msg_id: header.msg_id,
                    facility: header.facility,
                    severity: header.severity,
                    ..Meta::default()
                };
                self.last_syslog = Some((kind, line.bytes.len() - header.message.len()));
                let problem = problem
                    .or(header.bad_pri.then_some(Problem::BadPriority))
                    .or(bad_time);
                Some(self.simple(line, header.message, kind, meta, problem))
            }
            Parsed::Journald(entry) => Some(self.journald(entry, line, problem)),
        }
    }

    /// Adds a piece to the slot's line; returns the joined line when `last`.
    #[allow(clippy::too_many_arguments)] // one piece and where it goes
    fn join<'a>(
        &'a mut self,
        index: usize,
        line: Physical<'a>,
        time: Option<Timestamp>,
        stream: Option<Stream>,
        problem: Option<Problem>,
        last: bool,
        append: impl FnOnce(&mut Vec<u8>, usize),
    ) -> Option<Line<'a>> {
        let max_line = self.config.max_line;
        let pieces = &mut self.pieces[index];
        if !pieces.active {
            pieces.active = true;
            pieces.buf.clear();
            pieces.first_line = line.number;
            pieces.lines = 0;
            pieces.time = time;
            pieces.stream = stream;
            pieces.too_long = false;
            pieces.problem = problem;
        } else if pieces.problem.is_none() {
            pieces.problem = problem;
        }
        pieces.lines += 1;
        if pieces.buf.len() <= max_line {
            append(&mut pieces.buf, max_line + 1);
        }
        if pieces.buf.len() > max_line || line.too_long {
            pieces.too_long = true;
            pieces.buf.truncate(max_line);
        }
        // A line of more pieces than a count holds ends here (some 70 TB in 16 KiB pieces).
        if last || pieces.lines == u32::MAX {
            self.emitted = Some(index);
            return Some(self.pieces[index].line(max_line, None));
        }
        None
    }

    fn journald<'a>(
        &'a mut self,
        entry: journald::Entry<'a>,
        line: Physical<'a>,
        problem: Option<Problem>,
    ) -> Line<'a> {
        let (time, bad_time) = time_and_problem(entry.time());
        let mut meta = Meta {
            time,
            host: entry.host(),
            app: entry.app(),
            proc_id: entry.proc_id(),
            transport: entry.transport(),
            severity: entry.severity(),
            facility: entry.facility(),
            ..Meta::default()
        };
        let max_line = self.config.max_line;
        let raw = entry.message.map(|m| m.get());
        let (bytes, message_problem): (&[u8], _) = match raw {
            None => (b"", Some(Problem::BadMessage)),
            Some("null") => (b"", Some(Problem::MessageOmitted)),
            Some(raw) => match json::string_body(raw.as_bytes()) {
                Some(body) if json::find_backslash(body).is_none() => (body, None),
                Some(body) => {
                    self.scratch.clear();
                    grow(
                        &mut self.scratch,
                        body.len().min(max_line + 1),
                        max_line + 1,
                    );
                    json::unescape_into(body, &mut self.scratch, max_line + 1);
                    (&self.scratch[..], None)
                }
                None => {
                    self.scratch.clear();
                    // at least two characters of JSON per byte: `1,`
                    grow(
                        &mut self.scratch,
                        (raw.len() / 2).min(max_line + 1),
                        max_line + 1,
                    );
                    let mut de = serde_json::Deserializer::from_str(raw);
                    let seed = ByteArray {
                        out: &mut self.scratch,
                        limit: max_line + 1,
                    };
                    match seed.deserialize(&mut de) {
                        Ok(()) => (&self.scratch[..], None),
                        Err(_) => (b"", Some(Problem::BadMessage)),
                    }
                }
            },
        };
        // A syslog message journald found no identifier in, because the sender put its
        // host name first (nginx without `nohostname`): `HOST TAG: ` is still in it.
        let mut bytes = bytes;
        if let (None, Some(b"syslog"), Some(host)) = (entry.identifier(), meta.transport, meta.host)
        {
            if let Some((app, pid, message)) = syslog::nested_header(bytes, host) {
                meta.app = Some(app);
                meta.proc_id = pid.or(meta.proc_id);
                bytes = message;
            }
        }
        let kind = self.kind_of(meta.app);
        let (bytes, too_long) = cut(bytes, max_line);
        Line {
            bytes,
            meta,
            kind,
            first_line: line.number,
            lines: 1,
            too_long: too_long || line.too_long,
            problem: problem.or(message_problem).or(bad_time),
        }
    }
}
