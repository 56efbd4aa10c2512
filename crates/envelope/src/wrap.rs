//! Writing lines in an envelope the way the programs that make them do, for tests and
//! benchmarks (property tests wrap arbitrary lines and decode them back; benchmarks wrap
//! generated logs to compare against the plain ones). Each function appends whole
//! physical lines, each ending in `\n`, to `out`. Times are given already formatted.
//!
//! Sources of each rule are named where it is followed: moby's json-file driver
//! (`daemon/logger/copier.go`, `daemon/logger/jsonfilelog/jsonlog/jsonlogbytes.go`),
//! containerd's CRI logger (`internal/cri/io/logger.go`), nginx (`src/core/ngx_syslog.c`),
//! rsyslog's built-in file templates and systemd's journal JSON format.

use crate::Stream;

/// Docker and containerd cut lines longer than this into pieces.
pub const PIECE: usize = 16 * 1024;

/// One line as Docker's json-file driver stores it: a record per 16 KiB piece, the `log`
/// of all but the last without the `\n` (a line of exactly a multiple of 16 KiB ends in a
/// record whose `log` is only `\n`, as moby's copier does), the string escaped like moby's
/// `jsonlogbytes.go` (`<`, `>`, `&` and control bytes as `\u00XX`, each byte that is not
/// part of valid UTF-8 as `\ufffd`, U+2028 and U+2029 escaped).
pub fn docker(out: &mut Vec<u8>, line: &[u8], stream: Stream, time: &str) {
    let mut pieces = line.chunks(PIECE).peekable();
    if line.len() % PIECE == 0 {
        // A full buffer without newline is a piece; the `\n` then comes alone.
        for piece in pieces {
            docker_record(out, piece, false, stream, time);
        }
        docker_record(out, b"", true, stream, time);
        return;
    }
    while let Some(piece) = pieces.next() {
        docker_record(out, piece, pieces.peek().is_none(), stream, time);
    }
}

fn docker_record(out: &mut Vec<u8>, content: &[u8], last: bool, stream: Stream, time: &str) {
    out.extend_from_slice(b"{\"log\":\"");
    go_json_escape(out, content);
    if last {
        out.extend_from_slice(b"\\n");
    }
    out.extend_from_slice(b"\",\"stream\":\"");
    out.extend_from_slice(stream.name().as_bytes());
    out.extend_from_slice(b"\",\"time\":\"");
    out.extend_from_slice(time.as_bytes());
    out.extend_from_slice(b"\"}\n");
}

/// What a line becomes in Docker's json-file log, so what a decoder gives back for it:
/// each byte that is not part of valid UTF-8 is replaced with U+FFFD, piece by piece (a
/// character cut by the 16 KiB split is two invalid pieces of bytes, as in Docker).
pub fn docker_decoded(line: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(line.len());
    for piece in line.chunks(PIECE) {
        let mut at = 0;
        while at < piece.len() {
            match next_char(&piece[at..]) {
                Some(len) => {
                    out.extend_from_slice(&piece[at..at + len]);
                    at += len;
                }
                None => {
                    out.extend_from_slice("\u{fffd}".as_bytes());
                    at += 1;
                }
            }
        }
    }
    out
}

/// The length of the valid UTF-8 character at the start of `s`, if there is one (Go's
/// `utf8.DecodeRune` rule: anything else is one invalid byte).
fn next_char(s: &[u8]) -> Option<usize> {
    let len = match s.first()? {
        0x00..=0x7f => 1,
        0xc2..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf4 => 4,
        _ => return None,
    };
    let bytes = s.get(..len)?;
    std::str::from_utf8(bytes).ok().map(|_| len)
}

fn go_json_escape(out: &mut Vec<u8>, s: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut at = 0;
    while at < s.len() {
        let b = s[at];
        if b < 0x80 {
            match b {
                b'\\' | b'"' => out.extend_from_slice(&[b'\\', b]),
                b'\n' => out.extend_from_slice(b"\\n"),
                b'\r' => out.extend_from_slice(b"\\r"),
                0x00..=0x1f | b'<' | b'>' | b'&' => {
                    out.extend_from_slice(b"\\u00");
                    out.push(HEX[usize::from(b >> 4)]);
                    out.push(HEX[usize::from(b & 0xf)]);
                }
                _ => out.push(b),
            }
            at += 1;
            continue;
        }
        match next_char(&s[at..]) {
            None => {
                out.extend_from_slice(b"\\ufffd");
                at += 1;
            }
            Some(len) => {
                let c = &s[at..at + len];
                if c == "\u{2028}".as_bytes() || c == "\u{2029}".as_bytes() {
                    out.extend_from_slice(b"\\u202");
                    out.push(HEX[usize::from(c[2] & 0xf)]);
                } else {
                    out.extend_from_slice(c);
                }
                at += len;
            }
        }
    }
}

/// One line in the CRI format as containerd writes it: pieces of at most 16 KiB tagged
/// `P`, the last `F` (a line of exactly 16 KiB is one `F` line). containerd drops a `\r`
/// before the `\n`, so a line ending in `\r` comes back without it.
pub fn cri(out: &mut Vec<u8>, line: &[u8], stream: Stream, time: &str) {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let mut pieces = line.chunks(PIECE).peekable();
    if line.is_empty() {
        cri_line(out, b"", "F", stream, time);
    }
    while let Some(piece) = pieces.next() {
        let tag = if pieces.peek().is_some() { "P" } else { "F" };
        cri_line(out, piece, tag, stream, time);
    }
}

fn cri_line(out: &mut Vec<u8>, content: &[u8], tag: &str, stream: Stream, time: &str) {
    for field in [time, stream.name(), tag] {
        out.extend_from_slice(field.as_bytes());
        out.push(b' ');
    }
    out.extend_from_slice(content);
    out.push(b'\n');
}

/// `kubectl logs --timestamps` / `docker logs -t`: the time, a space, the line.
pub fn timestamped(out: &mut Vec<u8>, line: &[u8], time: &str) {
    out.extend_from_slice(time.as_bytes());
    out.push(b' ');
    out.extend_from_slice(line);
    out.push(b'\n');
}

/// A datagram from nginx's `syslog:server=` as one line: `<PRI>Mmm dd hh:mm:ss HOST TAG: `
/// and the log line (`host` `None` for `nohostname`). `time` is RFC 3164's
/// `Mmm dd hh:mm:ss` with the day padded by a space.
pub fn nginx_syslog(
    out: &mut Vec<u8>,
    line: &[u8],
    pri: u8,
    time: &str,
    host: Option<&str>,
    tag: &str,
) {
    out.extend_from_slice(format!("<{pri}>{time} ").as_bytes());
    if let Some(host) = host {
        out.extend_from_slice(host.as_bytes());
        out.push(b' ');
    }
    out.extend_from_slice(tag.as_bytes());
    out.extend_from_slice(b": ");
    out.extend_from_slice(line);
    out.push(b'\n');
}

/// rsyslog's `RSYSLOG_TraditionalFileFormat` (`time` = `Mmm dd hh:mm:ss`) or
/// `RSYSLOG_FileFormat` (`time` = RFC 3339) for a line nginx sent as `TAG: line` (`tag` may
/// carry `[pid]`): `TIME HOST TAG: line`. rsyslog's MSG starts after the tag's colon, so it
/// begins with nginx's space, and the templates add none before a MSG that starts with one.
pub fn rsyslog_file(out: &mut Vec<u8>, line: &[u8], time: &str, host: &str, tag: &str) {
    out.extend_from_slice(format!("{time} {host} {tag}: ").as_bytes());
    out.extend_from_slice(line);
    out.push(b'\n');
}

/// rsyslog's `RSYSLOG_SyslogProtocol23Format` for a message received as RFC 3164: the MSG
/// keeps the space that followed the tag's colon, so two spaces follow the `-` of the
/// empty STRUCTURED-DATA. `time` is RFC 3339.
pub fn rsyslog_rfc5424(out: &mut Vec<u8>, line: &[u8], pri: u8, time: &str, host: &str, app: &str) {
    out.extend_from_slice(format!("<{pri}>1 {time} {host} {app} - - -  ").as_bytes());
    out.extend_from_slice(line);
    out.push(b'\n');
}

/// One `journalctl -o json` entry whose `MESSAGE` is `line`: a JSON string when it is
/// printable UTF-8 (tab and newline allowed), else an array of its bytes, as journalctl
/// decides. `realtime_us` is microseconds since the Unix epoch.
pub fn journald(
    out: &mut Vec<u8>,
    line: &[u8],
    realtime_us: i64,
    host: &str,
    identifier: &str,
    pid: u32,
) {
    out.extend_from_slice(
        format!(
            "{{\"__REALTIME_TIMESTAMP\":\"{realtime_us}\",\"_HOSTNAME\":\"{host}\",\"SYSLOG_IDENTIFIER\":\"{identifier}\",\"_PID\":\"{pid}\",\"_TRANSPORT\":\"stdout\",\"MESSAGE\":"
        )
        .as_bytes(),
    );
    // systemd's utf8_is_printable: no C0 control but tab and newline, no DEL, no C1.
    let control =
        |c: char| (c < ' ' && c != '\t' && c != '\n') || ('\u{7f}'..='\u{9f}').contains(&c);
    let printable = std::str::from_utf8(line).is_ok_and(|s| !s.chars().any(control));
    if printable {
        out.push(b'"');
        for &b in line {
            match b {
                b'"' => out.extend_from_slice(b"\\\""),
                b'\\' => out.extend_from_slice(b"\\\\"),
                b'\n' => out.extend_from_slice(b"\\n"),
                b'\t' => out.extend_from_slice(b"\\t"),
                _ => out.push(b),
            }
        }
        out.push(b'"');
    } else {
        out.push(b'[');
        for (i, b) in line.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b.to_string().as_bytes());
        }
        out.push(b']');
    }
    out.extend_from_slice(b"}\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_escapes_like_moby() {
        let mut out = Vec::new();
        docker(
            &mut out,
            b"a\"b\\c<d>&\te\r\x01\xff\xe2\x80\xa8 \xc3\xa9",
            Stream::Stdout,
            "T",
        );
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\"log\":\"a\\\"b\\\\c\\u003cd\\u003e\\u0026\\u0009e\\r\\u0001\\ufffd\\u2028 \u{e9}\\n\",\"stream\":\"stdout\",\"time\":\"T\"}\n"
        );
        assert_eq!(
            docker_decoded(b"caf\xe9 \xe2\x82A"),
            "caf\u{fffd} \u{fffd}\u{fffd}A".as_bytes()
        );
    }

    #[test]
    fn long_lines_become_pieces() {
        let mut out = Vec::new();
        docker(&mut out, &vec![b'x'; PIECE * 2], Stream::Stderr, "T");
        let records: Vec<&[u8]> = out
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .collect();
        assert_eq!(records.len(), 3);
        assert!(records[2].starts_with(b"{\"log\":\"\\n\""));
        let mut out = Vec::new();
        cri(&mut out, &vec![b'x'; PIECE + 1], Stream::Stdout, "T");
        let lines: Vec<&[u8]> = out
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .collect();
        assert_eq!(lines.len(), 2);
        assert!(lines[0].starts_with(b"T stdout P xxx") && lines[1] == b"T stdout F x");
        let mut out = Vec::new();
        cri(&mut out, &vec![b'x'; PIECE], Stream::Stdout, "T");
        assert_eq!(out.iter().filter(|&&b| b == b'\n').count(), 1);
    }
}
