//! Lines an ingress controller writes itself into the stream it shares with nginx.
//!
//! An ingress-nginx pod runs nginx under a Go controller, and `kubectl logs` shows both:
//! nginx's error and access lines, and the controller's own lines in the klog format of
//! `k8s.io/klog` (its `klog.go` documents the header as
//! `Lmmdd hh:mm:ss.uuuuuu threadid file:line] msg`: a level letter `I`, `W`, `E` or `F`,
//! month and day, the time to the microsecond, the space-padded thread id, the Go source
//! file and line), after the version banner the controller prints when it starts
//! (`ingress-nginx` `version/version.go`). Neither is an nginx line: they are another
//! program's lines of the stream, like `sshd`'s in a syslog file.

/// Whether `line` is one of the controller's own lines: a klog line
/// (`I1206 03:04:05.123456       7 controller.go:214] "Backend successfully reloaded"`) or
/// a line of the controller's start banner.
///
/// ```
/// use logscan_envelope::is_controller_line;
///
/// assert!(is_controller_line(
///     b"W1206 03:04:05.123456       7 client_config.go:618] Neither --kubeconfig nor --master was specified."
/// ));
/// assert!(is_controller_line(b"NGINX Ingress controller"));
/// assert!(!is_controller_line(b"2026/12/06 03:04:05 [error] 31#31: *7 connect() failed"));
/// ```
pub fn is_controller_line(line: &[u8]) -> bool {
    is_klog(line) || is_banner(line)
}

/// `Lmmdd hh:mm:ss.uuuuuu threadid file:line]`, checked by position (the first 22 bytes)
/// and then by shape up to the `]`.
pub fn is_klog(line: &[u8]) -> bool {
    let digits = |range: std::ops::Range<usize>| {
        line.get(range)
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
    };
    let header = line.len() > 22
        && matches!(line[0], b'I' | b'W' | b'E' | b'F')
        && digits(1..5)
        && line[5] == b' '
        && digits(6..8)
        && line[8] == b':'
        && digits(9..11)
        && line[11] == b':'
        && digits(12..14)
        && line[14] == b'.'
        && digits(15..21)
        && line[21] == b' ';
    if !header {
        return false;
    }
    // The thread id, right-aligned in seven columns, then ` file.go:123]`.
    let rest = &line[22..];
    let spaces = rest.iter().take_while(|&&b| b == b' ').count();
    let rest = &rest[spaces..];
    let tid = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if tid == 0 || rest.get(tid) != Some(&b' ') {
        return false;
    }
    let place = &rest[tid + 1..];
    let Some(end) = place.iter().take(256).position(|&b| b == b']') else {
        return false;
    };
    let Some(colon) = place[..end].iter().rposition(|&b| b == b':') else {
        return false;
    };
    let number = &place[colon + 1..end];
    colon > 0
        && !number.is_empty()
        && number.iter().all(u8::is_ascii_digit)
        && !place[..colon].contains(&b' ')
}

/// A line of the banner ingress-nginx prints when it starts:
///
/// ```text
/// -------------------------------------------------------------------------------
/// NGINX Ingress controller
///   Release:       v1.9.4
///   Build:         846d251814a09d8a5d8d28e2e604bfd7749bcb49
///   Repository:    https://github.com/kubernetes/ingress-nginx
///   nginx version: nginx/1.21.6
///
/// -------------------------------------------------------------------------------
/// ```
///
/// (older releases print `nginx version:` unindented, after the second rule). The empty
/// line is not counted here: an empty line is no line of any program.
pub fn is_banner(line: &[u8]) -> bool {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line.len() >= 20 && line.iter().all(|&b| b == b'-') {
        return true;
    }
    if line == b"NGINX Ingress controller" {
        return true;
    }
    let indented = line.strip_prefix(b"  ").unwrap_or(line);
    [
        &b"Release:"[..],
        b"Build:",
        b"Repository:",
        b"nginx version: nginx/",
    ]
    .iter()
    .any(|key| indented.starts_with(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn klog_lines_of_each_level() {
        for line in [
            "I1206 03:04:05.123456       7 main.go:205] \"Creating API client\" host=\"https://10.96.0.1:443\"",
            "W0101 00:00:00.000000 1234567 client_config.go:618] Neither --kubeconfig nor --master was specified.",
            "E1231 23:59:59.999999      12 queue.go:104] \"requeuing\" err=\"x\"",
            "F0606 12:00:00.5000001 k.go:1] never: the fraction has six digits",
            "I1206 03:04:05.123456       7 pkg/ingress/controller/controller.go:214]",
        ] {
            let expected = !line.starts_with("F0606");
            assert_eq!(is_klog(line.as_bytes()), expected, "{line}");
        }
    }

    #[test]
    fn lines_that_are_not_klog() {
        for line in [
            "",
            "I1206",
            "I1206 03:04:05.123456       7 main.go:205",
            "I1206 03:04:05.123456 main.go:205] no thread id",
            "I1206 03:04:05.123456       7 main.go:x] not a line number",
            "I1206 03:04:05.123456       7 main go:1] a space in the file",
            "X1206 03:04:05.123456       7 main.go:205] other letter",
            "I12a6 03:04:05.123456       7 main.go:205] month",
            "2026/12/06 03:04:05 [error] 7#7: *1 connect() failed (111: Connection refused)",
            "10.0.0.1 - - [06/Dec/2026:03:04:05 +0000] \"GET / HTTP/1.1\" 502 157 \"-\" \"curl\"",
            "[06-Dec-2026 03:04:05] WARNING: [pool www] server reached pm.max_children setting",
        ] {
            assert!(!is_klog(line.as_bytes()), "{line}");
            assert!(!is_controller_line(line.as_bytes()), "{line}");
        }
    }

    #[test]
    fn the_start_banner() {
        for line in [
            "-------------------------------------------------------------------------------",
            "NGINX Ingress controller",
            "  Release:       v1.9.4",
            "  Build:         846d251814a09d8a5d8d28e2e604bfd7749bcb49",
            "  Repository:    https://github.com/kubernetes/ingress-nginx",
            "  nginx version: nginx/1.21.6",
            "nginx version: nginx/1.13.12",
            "  Release:    0.17.1\r",
        ] {
            assert!(is_banner(line.as_bytes()), "{line}");
        }
        for line in ["", "----", "NGINX", "  Releases", "nginx version 1"] {
            assert!(!is_banner(line.as_bytes()), "{line}");
        }
    }
}
