//! nginx `log_format` strings.

use std::borrow::Cow;

use super::clock::TimeItem;
use super::{AccessFormat, Builder, Field, Item, Shape, Spec, Unit, Up};
use crate::error::FormatError;
use crate::record::Format;

/// nginx's predefined `combined` format.
pub(super) const COMBINED: &str = r#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent""#;

/// The `main` format of the nginx.conf shipped by nginx.org packages, Debian/Ubuntu
/// examples and RHEL: `combined` plus the `X-Forwarded-For` header.
pub(super) const MAIN: &str = r#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for""#;

/// A widely used timing format: `combined` plus `key=value` upstream timings.
pub(super) const UPSTREAM: &str = r#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" rt=$request_time uct="$upstream_connect_time" uht="$upstream_header_time" urt="$upstream_response_time" ua="$upstream_addr" us="$upstream_status""#;

/// The default `log-format-upstream` of the Kubernetes ingress-nginx controller
/// (named `upstreaminfo` in its nginx.conf).
pub(super) const INGRESS: &str = r#"$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" $request_length $request_time [$proxy_upstream_name] [$proxy_alternative_upstream_name] $upstream_addr $upstream_response_length $upstream_response_time $upstream_status $req_id"#;

/// The format string of a well-known format name.
pub(super) fn builtin(name: &str) -> Option<&'static str> {
    match name {
        "combined" => Some(COMBINED),
        "main" => Some(MAIN),
        "upstreaminfo" => Some(INGRESS),
        _ => None,
    }
}

/// Compiles a built-in format string. A leading `$remote_addr - ` is read loosely
/// ([`Field::ClientPrefix`]): sites that log an X-Forwarded-For list or the virtual host
/// there often keep calling the format `combined`.
pub(super) fn builtin_format(source: &'static str) -> AccessFormat {
    let mut format = compile(source).unwrap_or_else(|_| unmatchable(Format::NginxAccess, source));
    if let [Item::Var(first), Item::Lit(lit), ..] = &mut *format.items {
        if first.field == Field::Client && lit.starts_with(b" - ") {
            first.field = Field::ClientPrefix;
            first.token = false;
        }
    }
    format.head = super::fast::Head::of(&format.items);
    format
}

/// A format that matches no line (only reachable if a built-in failed to compile, which the
/// tests rule out).
pub(super) fn unmatchable(format: Format, source: &str) -> AccessFormat {
    let items: Box<[Item]> = Box::new([Item::Lit(Box::new(*b"\0"))]);
    AccessFormat {
        format,
        source: source.to_owned(),
        needs: super::Needs::of(&items),
        items,
        time_is_start: false,
        head: None,
    }
}

/// The `escape=` parameter of `log_format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Escape {
    Default,
    Json,
    None,
}

/// Compiles an nginx `log_format` string: the format alone (`$remote_addr - ...`), its
/// nginx.conf spelling (`'$remote_addr - ' '$remote_user ...'`, with `escape=` and even the
/// `log_format name` directive around it), or a name (`combined`).
pub(super) fn compile(log_format: &str) -> Result<AccessFormat, FormatError> {
    let (body, _escape) = unwrap_conf(log_format)?;
    let body = body.as_bytes();
    let mut builder = Builder::default();
    let mut i = 0;
    while i < body.len() {
        let Some(&b) = body.get(i) else { break };
        if b != b'$' {
            let end = memchr::memchr(b'$', body.get(i..).unwrap_or_default())
                .map_or(body.len(), |n| i + n);
            builder.lit(body.get(i..end).unwrap_or_default());
            i = end;
            continue;
        }
        let (name, next) = if body.get(i + 1) == Some(&b'{') {
            let rest = body.get(i + 2..).unwrap_or_default();
            let close = memchr::memchr(b'}', rest)
                .ok_or_else(|| FormatError::new("'${' without a closing '}'", i))?;
            (rest.get(..close).unwrap_or_default(), i + 2 + close + 1)
        } else {
            let rest = body.get(i + 1..).unwrap_or_default();
            let len = rest
                .iter()
                .take_while(|&&c| c.is_ascii_alphanumeric() || c == b'_')
                .count();
            (rest.get(..len).unwrap_or_default(), i + 1 + len)
        };
        if name.is_empty() || !name.iter().all(|&c| c.is_ascii_alphanumeric() || c == b'_') {
            return Err(FormatError::new("invalid variable name after '$'", i));
        }
        let name = String::from_utf8_lossy(name).to_ascii_lowercase();
        i = next;
        // `$uri?$args`, `$uri$is_args$args`: one request target.
        if name == "uri" || name == "document_uri" {
            let rest = body.get(i..).unwrap_or_default();
            if let Some(len) = ["?$args", "?$query_string", "$is_args$args", "?${args}"]
                .iter()
                .find(|tail| rest.starts_with(tail.as_bytes()))
                .map(|tail| tail.len())
            {
                if !rest
                    .get(len..)
                    .and_then(|r| r.first())
                    .is_some_and(|&c| c.is_ascii_alphanumeric() || c == b'_')
                {
                    i += len;
                    builder.var(Spec::text(Field::Target, 1));
                    continue;
                }
            }
        }
        builder.var(spec(&name));
    }
    let items = builder.finish()?;
    Ok(AccessFormat {
        format: Format::NginxAccess,
        source: log_format.to_owned(),
        needs: super::Needs::of(&items),
        items,
        time_is_start: false,
        head: None,
    })
}

/// What an nginx variable is.
fn spec(name: &str) -> Spec {
    use Field as F;
    match name {
        "remote_addr" => Spec::token(F::Client, 3),
        "realip_remote_addr" => Spec::token(F::Client, 2),
        "http_x_forwarded_for" => Spec::new(F::ClientList, Shape::List, 1),
        "http_x_real_ip" => Spec::token(F::Client, 1),
        "remote_user" => Spec::token(F::User, 1),
        "time_local" => Spec::time(TimeItem::Clf),
        "time_iso8601" => Spec::time(TimeItem::Iso8601),
        "msec" => Spec::time(TimeItem::EpochFrac),
        "request" => Spec::text(
            F::Request {
                method: true,
                target: true,
                protocol: true,
            },
            2,
        ),
        "request_method" => Spec::token(F::Method, 3),
        "request_uri" => Spec::new(F::Target, Shape::Text, 3),
        "uri" | "document_uri" => Spec::text(F::Target, 1),
        "server_protocol" => Spec::token(F::Protocol, 3),
        "status" => Spec::number(F::Status, 3),
        "body_bytes_sent" => Spec::number(F::Bytes { clf_dash: false }, 2),
        "bytes_sent" => Spec::number(F::Bytes { clf_dash: false }, 1),
        "http_referer" => Spec::text(F::Referer, 1),
        "http_user_agent" => Spec::text(F::UserAgent, 1),
        "host" => Spec::token(F::Host, 3),
        "http_host" => Spec::token(F::Host, 2),
        "server_name" => Spec::token(F::Host, 1),
        "request_time" => Spec::number(F::Duration(Unit::Seconds), 3),
        "connection" => Spec::number(F::Connection, 1),
        "request_id" => Spec::token(F::RequestId, 3),
        "req_id" => Spec::token(F::RequestId, 2),
        "http_x_request_id" => Spec::token(F::RequestId, 1),
        // The ids the CDN or load balancer in front sends: AWS ALB, Cloudflare, Google.
        "http_x_amzn_trace_id" | "http_cf_ray" | "http_x_cloud_trace_context" => {
            Spec::token(F::TraceId, 1)
        }
        "upstream_addr" => Spec::list(F::Upstream(Up::Addr)),
        "upstream_status" => Spec::list(F::Upstream(Up::Status)),
        "upstream_response_time" => Spec::list(F::Upstream(Up::ResponseTime)),
        "upstream_connect_time" => Spec::list(F::Upstream(Up::ConnectTime)),
        "upstream_header_time" => Spec::list(F::Upstream(Up::HeaderTime)),
        "upstream_response_length" => Spec::list(F::Upstream(Up::ResponseLength)),
        "proxy_upstream_name" => Spec::token(F::UpstreamName, 1),
        "proxy_alternative_upstream_name"
        | "scheme"
        | "https"
        | "server_addr"
        | "binary_remote_addr"
        | "hostname" => Spec::token(F::Skip, 0),
        "request_length"
        | "connection_requests"
        | "pid"
        | "server_port"
        | "remote_port"
        | "content_length"
        | "bytes_received"
        | "request_completion" => Spec::number(F::Skip, 0),
        "request_body" => Spec::text(F::Skip, 0),
        _ if name.starts_with("upstream_http_")
            || name.starts_with("upstream_cookie_")
            || name.starts_with("upstream_trailer_") =>
        {
            Spec::text(F::Skip, 0)
        }
        // $upstream_bytes_received, $upstream_bytes_sent, $upstream_cache_status,
        // $upstream_queue_time, $upstream_first_byte_time, $upstream_session_time...
        _ if name.starts_with("upstream_") => Spec::new(F::Skip, Shape::List, 0),
        _ if name.starts_with("http_")
            || name.starts_with("sent_http_")
            || name.starts_with("sent_trailer_")
            || name.starts_with("cookie_")
            || name.starts_with("arg_") =>
        {
            Spec::text(F::Skip, 0)
        }
        _ => Spec::skip(),
    }
}

/// Takes the format out of its nginx.conf spelling.
fn unwrap_conf(input: &str) -> Result<(Cow<'_, str>, Escape), FormatError> {
    let mut text = input.trim();
    let mut conf = false;
    if let Some(rest) = text.strip_prefix("log_format") {
        if rest.starts_with(|c: char| c.is_ascii_whitespace()) {
            let rest = rest.trim_start();
            let name_end = rest
                .find(|c: char| c.is_ascii_whitespace())
                .unwrap_or(rest.len());
            text = rest.get(name_end..).unwrap_or_default().trim_start();
            conf = true;
        }
    }
    if let Some(rest) = text.strip_suffix(';') {
        text = rest.trim_end();
        conf = true;
    }
    let mut escape = Escape::Default;
    if let Some(rest) = text.strip_prefix("escape=") {
        let end = rest
            .find(|c: char| c.is_ascii_whitespace())
            .unwrap_or(rest.len());
        escape = match rest.get(..end).unwrap_or_default() {
            "default" => Escape::Default,
            "json" => Escape::Json,
            "none" => Escape::None,
            _ => {
                return Err(FormatError::new(
                    "escape= must be default, json or none",
                    input.len() - text.len(),
                ));
            }
        };
        text = rest.get(end..).unwrap_or_default().trim_start();
        conf = true;
    }
    if let Some(builtin) = builtin(text) {
        return Ok((Cow::Borrowed(builtin), escape));
    }
    if text.starts_with('\'') || (conf && text.starts_with('"')) || single_escaped_string(text) {
        if let Some(joined) = join_quoted(text) {
            return Ok((Cow::Owned(joined), escape));
        }
    }
    if text.is_empty() {
        return Err(FormatError::new("empty log_format", 0));
    }
    Ok((Cow::Borrowed(text), escape))
}

/// `"... \"$request\" ..."`: one double-quoted nginx.conf string with escaped quotes inside.
fn single_escaped_string(text: &str) -> bool {
    text.len() >= 2
        && text.starts_with('"')
        && text.ends_with('"')
        && text.contains("\\\"")
        && join_quoted(text).is_some()
}

/// Joins nginx.conf quoted strings (`'a' "b"` → `ab`), undoing the conf escapes `\"`, `\'`,
/// `\\`, `\t`, `\r`, `\n`. `None` if the text is not a sequence of quoted strings.
fn join_quoted(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_ascii_whitespace()).is_some() {}
        let Some(quote) = chars.next() else {
            return Some(out);
        };
        if quote != '\'' && quote != '"' {
            return None;
        }
        loop {
            match chars.next()? {
                '\\' => match chars.next()? {
                    c @ ('"' | '\'' | '\\') => out.push(c),
                    't' => out.push('\t'),
                    'r' => out.push('\r'),
                    'n' => out.push('\n'),
                    c => {
                        out.push('\\');
                        out.push(c);
                    }
                },
                c if c == quote => break,
                c => out.push(c),
            }
        }
        // nginx needs white space (or the end) after a quoted string.
        if chars.peek().is_some_and(|c| !c.is_ascii_whitespace()) {
            return None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conf_spellings() {
        let joined = |s| unwrap_conf(s).unwrap().0.into_owned();
        assert_eq!(joined("combined"), COMBINED);
        assert_eq!(joined("  combined ; "), COMBINED);
        assert_eq!(joined("'$a - ' '$b'"), "$a - $b");
        assert_eq!(
            joined(r#"log_format upstream '$a "$r"' "\"$b\"";"#),
            r#"$a "$r""$b""#
        );
        assert_eq!(joined(r#""$a \"$r\"""#), r#"$a "$r""#);
        assert_eq!(joined(r#""$request" $status"#), r#""$request" $status"#);
        assert_eq!(
            joined(r#""$http_referer" "$http_user_agent""#),
            r#""$http_referer" "$http_user_agent""#
        );
        assert_eq!(
            unwrap_conf("escape=json '{\"a\":\"$a\"}'").unwrap().1,
            Escape::Json
        );
        assert!(unwrap_conf("escape=yaml '$a'").is_err());
        assert!(unwrap_conf("  ").is_err());
    }

    #[test]
    fn builtins_compile() {
        for source in [COMBINED, MAIN, UPSTREAM, INGRESS] {
            let format = compile(source).unwrap();
            assert!(format.items.len() > 10, "{source}");
        }
    }

    #[test]
    fn bad_variables() {
        assert!(compile("$ x").is_err());
        assert!(compile("${x").is_err());
        assert!(compile("${}").is_err());
        assert!(compile("${a b}").is_err());
        assert!(compile("no variables").is_err());
        assert!(compile("${remote_addr}").is_ok());
    }
}
