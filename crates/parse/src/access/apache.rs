//! Apache httpd `LogFormat` strings (mod_log_config, mod_logio).

use super::clock::TimeItem;
use super::nginx::unmatchable;
use super::{AccessFormat, Builder, Field, Shape, Spec, Unit};
use crate::error::FormatError;
use crate::record::Format;

/// `LogFormat "%h %l %u %t \"%r\" %>s %b" common`
pub(super) const COMMON: &str = r#"%h %l %u %t "%r" %>s %b"#;
/// `LogFormat "%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\"" combined`
pub(super) const COMBINED: &str = r#"%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i""#;
/// `combined` plus mod_logio's bytes received and sent.
pub(super) const COMBINEDIO: &str =
    r#"%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" %I %O"#;
/// The Debian/Ubuntu `vhost_combined`.
pub(super) const VHOST_COMBINED: &str =
    r#"%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i""#;
/// The `ssl_request_log` of the stock RHEL/Fedora/SUSE `ssl.conf`:
/// `CustomLog logs/ssl_request_log "%t %h %{SSL_PROTOCOL}x %{SSL_CIPHER}x \"%r\" %b"`.
pub(super) const SSL_REQUEST: &str = r#"%t %h %{SSL_PROTOCOL}x %{SSL_CIPHER}x "%r" %b"#;
/// `combined` plus the request duration in microseconds (a common custom format).
pub(super) const COMBINED_D: &str = r#"%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i" %D"#;

/// The format string of a nickname defined in the stock httpd.conf / Debian apache2.conf.
pub(super) fn nickname(name: &str) -> Option<&'static str> {
    match name {
        "common" => Some(COMMON),
        "combined" => Some(COMBINED),
        "combinedio" => Some(COMBINEDIO),
        "vhost_combined" => Some(VHOST_COMBINED),
        "referer" => Some("%{Referer}i -> %U"),
        "agent" => Some("%{User-agent}i"),
        _ => None,
    }
}

/// Compiles a built-in format string.
pub(super) fn builtin_format(source: &'static str) -> AccessFormat {
    let mut format = compile(source).unwrap_or_else(|_| unmatchable(Format::ApacheAccess, source));
    format.head = super::fast::Head::of(&format.items);
    format
}

/// Compiles an Apache `LogFormat` string: the format alone (`%h %l %u %t "%r" ...`), in its
/// httpd.conf spelling (`"%h ... \"%r\" ..."`, or the whole `LogFormat "..." name`
/// directive), or a nickname (`combined`).
pub(super) fn compile(log_format: &str) -> Result<AccessFormat, FormatError> {
    let body = unwrap_conf(log_format);
    let body = nickname(body).unwrap_or(body).as_bytes();
    let mut builder = Builder::default();
    let mut time_is_start: Option<bool> = None;
    let mut i = 0;
    while let Some(&b) = body.get(i) {
        match b {
            b'\\' => {
                // mod_log_config's escapes; also undoes httpd.conf's `\"`.
                let unescaped = match body.get(i + 1) {
                    Some(b'n') => b'\n',
                    Some(b't') => b'\t',
                    Some(&c @ (b'"' | b'\\')) => c,
                    _ => {
                        builder.lit(b"\\");
                        i += 1;
                        continue;
                    }
                };
                builder.lit(&[unescaped]);
                i += 2;
            }
            b'%' => {
                i = item(body, i, &mut builder, &mut time_is_start)?;
            }
            _ => {
                let end = body
                    .get(i..)
                    .unwrap_or_default()
                    .iter()
                    .position(|&c| c == b'%' || c == b'\\')
                    .map_or(body.len(), |n| i + n);
                builder.lit(body.get(i..end).unwrap_or_default());
                i = end;
            }
        }
    }
    let items = builder.finish()?;
    Ok(AccessFormat {
        format: Format::ApacheAccess,
        source: log_format.to_owned(),
        needs: super::Needs::of(&items),
        items,
        time_is_start: time_is_start.unwrap_or(false),
        head: None,
    })
}

/// Compiles one `%...` item starting at `start`; returns the index after it.
fn item(
    body: &[u8],
    start: usize,
    builder: &mut Builder,
    time_is_start: &mut Option<bool>,
) -> Result<usize, FormatError> {
    let mut i = start + 1;
    if body.get(i) == Some(&b'%') {
        builder.lit(b"%");
        return Ok(i + 1);
    }
    let mut arg: Option<&[u8]> = None;
    // `<` original request, `>` final request (after internal redirects).
    let mut which: Option<u8> = None;
    let letter = loop {
        match body.get(i) {
            None => return Err(FormatError::new("'%' at the end of the format", start)),
            // Conditions: `%!200,304{Referer}i`, `%400,501{User-Agent}i`.
            Some(b'!' | b',' | b'0'..=b'9') => i += 1,
            Some(&c @ (b'<' | b'>')) => {
                which = Some(c);
                i += 1;
            }
            Some(b'{') => {
                let rest = body.get(i + 1..).unwrap_or_default();
                let close = memchr::memchr(b'}', rest)
                    .ok_or_else(|| FormatError::new("'%{' without a closing '}'", i))?;
                arg = rest.get(..close);
                i += close + 2;
            }
            Some(b'^') => {
                let code = body
                    .get(i + 1..i + 3)
                    .ok_or_else(|| FormatError::new("'%^' needs a two-letter item", i))?;
                let spec = match code {
                    b"ti" | b"to" => Spec::text(Field::Skip, 0),
                    b"FB" => Spec::number(Field::Skip, 0),
                    _ => return Err(FormatError::new("unknown %^ item (ti, to, FB)", start)),
                };
                builder.var(spec);
                return Ok(i + 3);
            }
            Some(&c) if c.is_ascii_alphabetic() => break c,
            Some(_) => {
                return Err(FormatError::new(
                    "unknown LogFormat item: expected a letter after '%'",
                    i,
                ));
            }
        }
    };
    let lower_arg = arg.map(<[u8]>::to_ascii_lowercase);
    let spec = match letter {
        b'h' => Spec::token(Field::Client, if arg == Some(b"c") { 1 } else { 2 }),
        b'a' => Spec::token(Field::Client, if arg == Some(b"c") { 1 } else { 3 }),
        b'u' => Spec::token(Field::User, 1),
        b't' => {
            let arg = arg.unwrap_or_default();
            let (start_time, pattern) = if let Some(rest) = arg.strip_prefix(b"begin:") {
                (true, rest)
            } else if let Some(rest) = arg.strip_prefix(b"end:") {
                (false, rest)
            } else {
                (true, arg)
            };
            time_is_start.get_or_insert(start_time);
            if pattern.is_empty() {
                // `%t`: `[25/Nov/2026:01:29:10 +0100]`
                builder.lit(b"[");
                builder.var(Spec::time(TimeItem::Clf));
                builder.lit(b"]");
                return Ok(i + 1);
            }
            Spec::time(TimeItem::apache(pattern).map_err(|e| FormatError::new(e.message, start))?)
        }
        b'r' => Spec::text(
            Field::Request {
                method: true,
                target: true,
                protocol: true,
            },
            2,
        ),
        b's' => Spec::number(
            Field::Status,
            match which {
                Some(b'>') => 3,
                Some(_) => 1,
                None => 2,
            },
        ),
        b'b' => Spec::number(Field::Bytes { clf_dash: true }, 2),
        b'B' => Spec::number(Field::Bytes { clf_dash: false }, 2),
        b'O' => Spec::number(Field::Bytes { clf_dash: false }, 1),
        b'I' | b'S' | b'k' => Spec::number(Field::Skip, 0),
        b'l' | b'A' | b'X' | b'R' | b'P' => Spec::token(Field::Skip, 0),
        b'D' => Spec::number(Field::Duration(Unit::Micros), 3),
        b'T' => match lower_arg.as_deref() {
            Some(b"us") => Spec::number(Field::Duration(Unit::Micros), 3),
            Some(b"ms") => Spec::number(Field::Duration(Unit::Millis), 2),
            _ => Spec::number(Field::Duration(Unit::Seconds), 1),
        },
        b'v' => Spec::token(Field::Host, 1),
        b'V' => Spec::token(Field::Host, 3),
        b'p' => Spec::number(Field::Skip, 0),
        b'm' => Spec::token(Field::Method, 3),
        b'U' => Spec::text(Field::Target, 1),
        b'H' => Spec::token(Field::Protocol, 3),
        b'L' => Spec::token(Field::RequestId, 3),
        b'f' => Spec::text(Field::Skip, 0),
        b'i' => match lower_arg.as_deref() {
            Some(b"referer") => Spec::text(Field::Referer, 1),
            Some(b"user-agent") => Spec::text(Field::UserAgent, 1),
            Some(b"host") => Spec::token(Field::Host, 2),
            Some(b"x-forwarded-for") => Spec::new(Field::ClientList, Shape::List, 1),
            Some(b"x-request-id") => Spec::token(Field::RequestId, 1),
            Some(b"x-amzn-trace-id" | b"cf-ray" | b"x-cloud-trace-context") => {
                Spec::token(Field::TraceId, 1)
            }
            _ => Spec::text(Field::Skip, 0),
        },
        b'e' if lower_arg.as_deref() == Some(b"unique_id") => Spec::token(Field::RequestId, 2),
        // %A %l %P %q %X %R, and %{...}o %e %n %C %x %c and module items: matched, not typed.
        b'o' | b'e' | b'n' | b'C' | b'x' | b'c' => Spec::text(Field::Skip, 0),
        _ => Spec::skip(),
    };
    builder.var(spec);
    Ok(i + 1)
}

/// Takes the format out of its httpd.conf spelling.
fn unwrap_conf(input: &str) -> &str {
    let text = input.trim();
    for directive in ["LogFormat", "CustomLog"] {
        if let Some(rest) = text.strip_prefix(directive) {
            if rest.starts_with(|c: char| c.is_ascii_whitespace()) {
                let mut rest = rest.trim_start();
                if directive == "CustomLog" {
                    // Skip the file or pipe.
                    let (_, after) = conf_word(rest);
                    rest = after.trim_start();
                }
                return conf_word(rest).0;
            }
        }
    }
    if text.len() >= 2 && text.starts_with('"') && text.ends_with('"') {
        let inner = text.get(1..text.len() - 1).unwrap_or_default();
        if !has_unescaped_quote(inner) {
            return inner;
        }
    }
    text
}

/// One httpd.conf word: a `"..."` string (escapes kept, handled by the item compiler) or
/// a bare word. Returns the word and the rest.
fn conf_word(text: &str) -> (&str, &str) {
    if let Some(quoted) = text.strip_prefix('"') {
        let bytes = quoted.as_bytes();
        let mut i = 0;
        while let Some(&b) = bytes.get(i) {
            match b {
                b'\\' => i += 2,
                b'"' => {
                    return (
                        quoted.get(..i).unwrap_or_default(),
                        quoted.get(i + 1..).unwrap_or_default(),
                    );
                }
                _ => i += 1,
            }
        }
        return (quoted, "");
    }
    let end = text
        .find(|c: char| c.is_ascii_whitespace())
        .unwrap_or(text.len());
    (
        text.get(..end).unwrap_or_default(),
        text.get(end..).unwrap_or_default(),
    )
}

fn has_unescaped_quote(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'\\' => i += 2,
            b'"' => return true,
            _ => i += 1,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conf_spellings() {
        assert_eq!(unwrap_conf(r#""%h \"%r\" %>s""#), r#"%h \"%r\" %>s"#);
        assert_eq!(unwrap_conf(r#""%h" "%r""#), r#""%h" "%r""#);
        assert_eq!(
            unwrap_conf(r#"LogFormat "%h \"%r\" %>s" mine"#),
            r#"%h \"%r\" %>s"#
        );
        assert_eq!(unwrap_conf("LogFormat combined"), "combined");
        assert_eq!(
            unwrap_conf(r#"CustomLog "|/usr/bin/rotatelogs x" "%h %>s""#),
            "%h %>s"
        );
        assert_eq!(
            unwrap_conf("CustomLog logs/access.log combined"),
            "combined"
        );
    }

    #[test]
    fn builtins_compile() {
        for source in [COMMON, COMBINED, COMBINEDIO, VHOST_COMBINED, COMBINED_D] {
            compile(source).unwrap();
        }
        for name in [
            "common",
            "combined",
            "combinedio",
            "vhost_combined",
            "referer",
            "agent",
        ] {
            compile(name).unwrap();
        }
    }

    #[test]
    fn bad_items() {
        assert!(compile("%h %").is_err());
        assert!(compile("%{Referer").is_err());
        assert!(compile("%^zz").is_err());
        assert!(compile("%^t").is_err());
        assert!(compile("%;").is_err());
        assert!(compile("%{%Q}t").is_err());
        assert!(compile("%%").is_err(), "no items at all");
        assert!(compile("%h %%").is_ok());
    }
}
