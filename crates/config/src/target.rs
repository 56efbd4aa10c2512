//! What a request was sent to: an address, a unix socket, an upstream group. Parsed from
//! how logs name it and from how configurations write it, and compared the way the server
//! would.

use std::fmt;
use std::net::IpAddr;

/// An upstream as a log names it, or as a configuration line points to it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Target {
    /// A TCP peer: `127.0.0.1:19020`, `[::1]:8080`, `backend.internal:8080`; the port is
    /// `None` when not given and not implied by a scheme.
    Address {
        /// The host, IP or name, lowercase, without IPv6 brackets.
        host: String,
        /// The port.
        port: Option<u16>,
    },
    /// A unix socket path: `/run/php/php8.2-fpm.sock`.
    Unix(String),
    /// A bare name without port: an nginx `upstream` group (`backend`), or a host name.
    Name(String),
    /// An Apache balancer: `balancer://app` is `Balancer("app")`.
    Balancer(String),
}

/// Schemes that may prefix an upstream, with the port they imply.
const SCHEMES: &[(&str, Option<u16>)] = &[
    ("http", Some(80)),
    ("https", Some(443)),
    ("ws", Some(80)),
    ("wss", Some(443)),
    ("h2c", Some(80)),
    ("h2", Some(443)),
    ("grpc", None),
    ("grpcs", None),
    ("fastcgi", None),
    ("fcgi", None),
    ("uwsgi", None),
    ("suwsgi", None),
    ("scgi", None),
    ("ajp", Some(8009)),
    ("memcached", None),
];

impl Target {
    /// Reads an upstream as logs write it: `127.0.0.1:8080`, `http://10.0.0.5:8080/api`,
    /// `unix:/run/php/php8.2-fpm.sock`, `fastcgi://unix:/run/x.sock:`, `/run/x.sock`
    /// (Apache), `backend`, `balancer://app`, `[::1]:9000`. `None` for an empty string or
    /// one that names nothing (`-`).
    pub fn parse(text: &str) -> Option<Target> {
        Target::parse_with_default_port(text, true)
    }

    /// Like [`Target::parse`]; `scheme_ports` says whether `http://host` implies port 80.
    pub(crate) fn parse_with_default_port(text: &str, scheme_ports: bool) -> Option<Target> {
        let text = text.trim().trim_matches('"');
        if text.is_empty() || text == "-" {
            return None;
        }
        let (scheme, rest) = match text.split_once("://") {
            Some((s, rest))
                if SCHEMES.iter().any(|(k, _)| k.eq_ignore_ascii_case(s))
                    || s.eq_ignore_ascii_case("balancer") =>
            {
                (Some(s.to_ascii_lowercase()), rest)
            }
            _ => (None, text),
        };
        if scheme.as_deref() == Some("balancer") {
            let name = rest.split('/').next().unwrap_or_default();
            return (!name.is_empty()).then(|| Target::Balancer(name.to_string()));
        }
        if let Some(path) = rest.strip_prefix("unix:") {
            // nginx: `unix:/path:/uri` ends the path at the first colon; Apache:
            // `unix:/path|fcgi://...` at the bar.
            let path = path.split([':', '|']).next().unwrap_or_default();
            return (!path.is_empty()).then(|| Target::Unix(path.to_string()));
        }
        if rest.starts_with('/') {
            let path = rest
                .split('|')
                .next()
                .unwrap_or_default()
                .trim_end_matches(':');
            return Some(Target::Unix(path.to_string()));
        }
        let authority = rest.split(['/', '?']).next().unwrap_or_default();
        let authority = authority.rsplit('@').next().unwrap_or_default();
        let (host, port) = split_host_port(authority)?;
        let port = match port {
            Some(p) => Some(p),
            None if scheme_ports => scheme
                .as_deref()
                .and_then(|s| SCHEMES.iter().find(|(k, _)| *k == s).and_then(|(_, p)| *p)),
            None => None,
        };
        match port {
            Some(_) => Some(Target::Address { host, port }),
            None if host.parse::<IpAddr>().is_ok() => Some(Target::Address { host, port: None }),
            None => Some(Target::Name(host)),
        }
    }

    /// Whether this target and `other` name the same peer, as far as can be told without
    /// resolving names: equal addresses (a missing port matches any), `localhost` for
    /// `127.0.0.1` and `::1`, equal socket paths, a name for the same name.
    pub fn same(&self, other: &Target) -> bool {
        match (self, other) {
            (Target::Unix(a), Target::Unix(b)) => same_path(a, b),
            (Target::Address { host: a, port: pa }, Target::Address { host: b, port: pb }) => {
                same_host(a, b) && (pa.is_none() || pb.is_none() || pa == pb)
            }
            (Target::Name(a), Target::Name(b)) => a.eq_ignore_ascii_case(b),
            (Target::Name(n), Target::Address { host, .. })
            | (Target::Address { host, .. }, Target::Name(n)) => same_host(n, host),
            (Target::Balancer(a), Target::Balancer(b)) => a.eq_ignore_ascii_case(b),
            _ => false,
        }
    }

    /// How the target is written in a pattern match: `host:port`, `unix:path`, `name`.
    pub(crate) fn text(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Address {
                host,
                port: Some(p),
            } if host.contains(':') => write!(f, "[{host}]:{p}"),
            Target::Address {
                host,
                port: Some(p),
            } => write!(f, "{host}:{p}"),
            Target::Address { host, port: None } => write!(f, "{host}"),
            Target::Unix(p) => write!(f, "unix:{p}"),
            Target::Name(n) => write!(f, "{n}"),
            Target::Balancer(n) => write!(f, "balancer://{n}"),
        }
    }
}

/// `host`, `host:port`, `[v6]:port`, `[v6]`; `None` for an empty host or a bad port.
fn split_host_port(authority: &str) -> Option<(String, Option<u16>)> {
    if authority.is_empty() {
        return None;
    }
    if let Some(rest) = authority.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        let port = match after.strip_prefix(':') {
            Some(p) => Some(p.parse().ok()?),
            None if after.is_empty() => None,
            None => return None,
        };
        return Some((host.to_ascii_lowercase(), port));
    }
    // A bare IPv6 address (more than one colon) has no port.
    if authority.matches(':').count() > 1 {
        return Some((authority.to_ascii_lowercase(), None));
    }
    match authority.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() => {
            Some((host.to_ascii_lowercase(), Some(port.parse().ok()?)))
        }
        Some(_) => None,
        None => Some((authority.to_ascii_lowercase(), None)),
    }
}

fn is_loopback_name(host: &str) -> bool {
    matches!(host, "localhost" | "127.0.0.1" | "::1" | "ip6-localhost")
}

fn same_host(a: &str, b: &str) -> bool {
    if a.eq_ignore_ascii_case(b) {
        return true;
    }
    match (a.parse::<IpAddr>(), b.parse::<IpAddr>()) {
        (Ok(x), Ok(y)) => x == y,
        // nginx resolves `localhost` at start-up and logs the address it got.
        _ => is_loopback_name(&a.to_ascii_lowercase()) && is_loopback_name(&b.to_ascii_lowercase()),
    }
}

fn same_path(a: &str, b: &str) -> bool {
    let norm = |p: &str| {
        let mut out = String::with_capacity(p.len());
        for part in p.split('/').filter(|s| !s.is_empty() && *s != ".") {
            out.push('/');
            out.push_str(part);
        }
        out
    };
    a == b || norm(a) == norm(b)
}

/// A configured upstream that holds variables (`http://$backend_host:8080`): which targets
/// it could be. Each variable stands for any text without `/`.
pub(crate) fn matches_with_variables(configured: &str, target: &Target) -> bool {
    let configured = match configured.split_once("://") {
        Some((_, rest)) => rest,
        None => configured,
    };
    let authority = if configured.starts_with("unix:") {
        configured
            .split([':', '|'])
            .take(2)
            .collect::<Vec<_>>()
            .join(":")
    } else {
        configured.split('/').next().unwrap_or_default().to_string()
    };
    // A target logged without a port (a name that did not resolve) is matched against the
    // host part alone.
    let (configured, subject) = match target {
        Target::Address { host, port: None } | Target::Name(host)
            if !authority.starts_with("unix:") =>
        {
            let host_part = match authority.rsplit_once(':') {
                Some((h, p)) if !p.contains(']') => h,
                _ => authority.as_str(),
            };
            (host_part.to_string(), host.clone())
        }
        _ => (authority.clone(), target.text()),
    };
    let mut pattern = String::new();
    let mut rest = configured.as_str();
    while let Some(at) = rest.find('$') {
        pattern.push_str(&glob::Pattern::escape(&rest[..at]));
        pattern.push('*');
        let after = &rest[at + 1..];
        let skip = if let Some(inner) = after.strip_prefix('{') {
            inner.find('}').map_or(after.len(), |e| e + 2)
        } else {
            after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len())
        };
        rest = &after[skip..];
    }
    pattern.push_str(&glob::Pattern::escape(rest));
    let Ok(p) = glob::Pattern::new(&pattern) else {
        return false;
    };
    let options = glob::MatchOptions {
        case_sensitive: false,
        require_literal_separator: true,
        require_literal_leading_dot: false,
    };
    p.matches_with(&subject, options)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Target {
        Target::parse(s).unwrap()
    }

    #[test]
    fn log_forms_parse() {
        assert_eq!(
            t("127.0.0.1:19020"),
            Target::Address {
                host: "127.0.0.1".into(),
                port: Some(19020)
            }
        );
        assert_eq!(
            t("http://10.0.0.5:8080/checkout"),
            Target::Address {
                host: "10.0.0.5".into(),
                port: Some(8080)
            }
        );
        assert_eq!(
            t("http://10.0.0.5/"),
            Target::Address {
                host: "10.0.0.5".into(),
                port: Some(80)
            }
        );
        assert_eq!(
            t("unix:/run/php/php8.2-fpm.sock"),
            Target::Unix("/run/php/php8.2-fpm.sock".into())
        );
        assert_eq!(
            t("fastcgi://unix:/run/x.sock:"),
            Target::Unix("/run/x.sock".into())
        );
        assert_eq!(
            t("http://unix:/tmp/b.sock:/uri/"),
            Target::Unix("/tmp/b.sock".into())
        );
        assert_eq!(
            t("unix:/run/x.sock|fcgi://localhost/"),
            Target::Unix("/run/x.sock".into())
        );
        assert_eq!(
            t("/nonexistent/php-fpm.sock"),
            Target::Unix("/nonexistent/php-fpm.sock".into())
        );
        assert_eq!(t("backend"), Target::Name("backend".into()));
        assert_eq!(
            t("http://backend/api"),
            Target::Address {
                host: "backend".into(),
                port: Some(80)
            }
        );
        assert_eq!(t("balancer://app/"), Target::Balancer("app".into()));
        assert_eq!(
            t("[::1]:9000"),
            Target::Address {
                host: "::1".into(),
                port: Some(9000)
            }
        );
        assert_eq!(
            t("fastcgi://127.0.0.1:9000"),
            Target::Address {
                host: "127.0.0.1".into(),
                port: Some(9000)
            }
        );
        assert_eq!(Target::parse("-"), None);
        assert_eq!(Target::parse("host:notaport"), None);
    }

    #[test]
    fn sameness_follows_the_server() {
        assert!(t("127.0.0.1:9000").same(&t("localhost:9000")));
        assert!(t("[::1]:9000").same(&t("localhost:9000")));
        assert!(!t("127.0.0.1:9000").same(&t("127.0.0.1:9001")));
        assert!(t("unix:/run//php/x.sock").same(&t("/run/php/x.sock")));
        assert!(t("backend").same(&t("backend:80")));
        assert!(!t("unix:/a.sock").same(&t("unix:/b.sock")));
    }

    #[test]
    fn variables_match_any_host() {
        assert!(matches_with_variables(
            "http://$backend_host:19100",
            &t("api.internal.example:19100")
        ));
        assert!(matches_with_variables(
            "http://${up}:19100/x",
            &t("api.internal.example:19100")
        ));
        assert!(!matches_with_variables(
            "http://$backend_host:19100",
            &t("api.internal.example:19101")
        ));
        assert!(matches_with_variables(
            "http://$backend_host:19100",
            &t("api.internal.example")
        ));
        assert!(matches_with_variables(
            "unix:/run/$pool.sock",
            &t("unix:/run/www.sock")
        ));
    }
}
