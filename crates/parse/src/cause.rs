//! The cause taxonomy: why an upstream request failed.
//!
//! The 31 ids are a stable contract (they are the `cause` values of logscan's report JSON
//! and of `logscan.cause` in the events stream); each variant's docs say what it means, and
//! the project README lists what logscan reads. The first 27 come from what nginx, Apache
//! httpd and PHP-FPM log; the last four from the CDN or load balancer in front of them
//! (`origin_error_response`, `edge_internal_error`, `edge_function_error`,
//! `upstream_queue_timeout`).

use std::fmt;
use std::str::FromStr;

macro_rules! causes {
    ($( $variant:ident => $id:literal, $severity:ident, $category:ident, $title:literal; )*) => {
        /// Why a request to an upstream (or the proxy itself) failed.
        ///
        /// Every variant has a stable string id ([`Cause::id`]), a base [`Severity`], a
        /// plain-words [`Category`] and a short human title.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Cause {
            $(
                #[doc = concat!("`", $id, "`: ", $title, ".")]
                $variant,
            )*
        }

        impl Cause {
            /// Every cause, in the order of the taxonomy.
            pub const ALL: [Cause; causes!(@count $($variant)*)] = [$(Cause::$variant),*];

            /// The stable id, e.g. `"upstream_refused"`.
            pub const fn id(self) -> &'static str {
                match self { $(Cause::$variant => $id,)* }
            }

            /// The base severity of one occurrence (before scaling by volume).
            pub const fn severity(self) -> Severity {
                match self { $(Cause::$variant => Severity::$severity,)* }
            }

            /// The plain-words category an operator or non-specialist recognises.
            pub const fn category(self) -> Category {
                match self { $(Cause::$variant => Category::$category,)* }
            }

            /// A short human title, e.g. "Backend refused the connection".
            pub const fn title(self) -> &'static str {
                match self { $(Cause::$variant => $title,)* }
            }

            /// Looks a cause up by its stable id.
            pub fn from_id(id: &str) -> Option<Cause> {
                match id { $($id => Some(Cause::$variant),)* _ => None }
            }
        }
    };
    (@count) => { 0 };
    (@count $head:ident $($tail:ident)*) => { 1 + causes!(@count $($tail)*) };
}

causes! {
    UpstreamRefused => "upstream_refused", Critical, BackendDown, "Backend refused the connection";
    UpstreamUnreachable => "upstream_unreachable", High, BackendDown, "Backend host or network unreachable";
    UpstreamTimeoutConnect => "upstream_timeout_connect", High, Overload, "Timed out connecting to the backend";
    UpstreamTimeoutRead => "upstream_timeout_read", High, Overload, "Backend answered too slowly (read timeout)";
    UpstreamTimeoutSend => "upstream_timeout_send", Medium, Overload, "Timed out sending the request to the backend";
    UpstreamReset => "upstream_reset", High, BackendDown, "Backend reset the connection";
    UpstreamClosedEarly => "upstream_closed_early", High, BackendDown, "Backend closed the connection before a full response";
    BackendCrash => "backend_crash", High, BackendDown, "Backend process crashed or was killed";
    NoLiveUpstreams => "no_live_upstreams", Critical, BackendDown, "No live backend left in the group";
    HeaderTooBig => "header_too_big", Medium, AppBug, "Backend response headers too big for the proxy buffer";
    BadUpstreamResponse => "bad_upstream_response", Medium, AppBug, "Backend sent an invalid response";
    TlsToUpstream => "tls_to_upstream", High, Cdn, "TLS to the backend failed";
    DnsResolution => "dns_resolution", Critical, Dns, "Backend name could not be resolved";
    SocketMissing => "socket_missing", Critical, BackendDown, "Backend unix socket does not exist";
    SocketPermission => "socket_permission", High, AppBug, "Permission denied connecting to the backend";
    BacklogFull => "backlog_full", High, Overload, "Backend listen queue full";
    FdExhaustion => "fd_exhaustion", Critical, Overload, "Out of file descriptors";
    WorkerConnections => "worker_connections", Critical, Overload, "Proxy out of worker connections";
    EphemeralPorts => "ephemeral_ports", High, Overload, "Out of local ports towards the backend";
    FpmPoolExhausted => "fpm_pool_exhausted", High, Overload, "PHP-FPM pool exhausted (all children busy)";
    PhpFatal => "php_fatal", High, AppBug, "PHP fatal error";
    PhpTimeout => "php_timeout", Medium, AppBug, "PHP script ran out of time";
    PhpScriptNotFound => "php_script_not_found", Medium, AppBug, "PHP-FPM could not find or open the script";
    ClientAbort => "client_abort", Low, Cdn, "Client closed the connection first";
    RateLimited => "rate_limited", Medium, Overload, "Requests rejected by rate limiting";
    BufferedToDisk => "buffered_to_disk", Low, Overload, "Responses buffered to temporary files";
    ProxyConfigError => "proxy_config_error", High, AppBug, "Proxy misconfiguration";
    OriginErrorResponse => "origin_error_response", High, AppBug, "The origin answered 5xx and the edge passed it on";
    EdgeInternalError => "edge_internal_error", High, Cdn, "The CDN or load balancer failed itself";
    EdgeFunctionError => "edge_function_error", High, AppBug, "An edge function (Lambda, Lambda@Edge, Worker) failed";
    UpstreamQueueTimeout => "upstream_queue_timeout", High, Overload, "Request waited too long in the proxy's queue";
}

impl Cause {
    /// Whether only the log of a CDN or load balancer in front of the origin reports this
    /// cause (nginx, Apache and PHP-FPM never do).
    pub const fn edge_only(self) -> bool {
        matches!(
            self,
            Cause::OriginErrorResponse
                | Cause::EdgeInternalError
                | Cause::EdgeFunctionError
                | Cause::UpstreamQueueTimeout
        )
    }
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl FromStr for Cause {
    type Err = UnknownId;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Cause::from_id(s).ok_or(UnknownId)
    }
}

/// Returned when a string is not one of the known ids.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnknownId;

impl fmt::Display for UnknownId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("unknown id")
    }
}

impl std::error::Error for UnknownId {}

/// How bad a finding is, from context only (`Info`) to a full outage (`Critical`).
///
/// Ordered: `Info < Low < Medium < High < Critical`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Severity {
    /// Context only; not a failure by itself.
    Info,
    /// Performance or hygiene.
    Low,
    /// Partial or degraded service.
    Medium,
    /// User-visible failures.
    High,
    /// Usually a full outage of the affected upstream.
    Critical,
}

impl Severity {
    /// All severities, lowest first.
    pub const ALL: [Severity; 5] = [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    /// The stable lower-case id, e.g. `"critical"`: the `severity` of logscan's report JSON,
    /// as [`Cause::id`] is its `cause`. [`Severity::from_id`] reads it back.
    pub const fn id(self) -> &'static str {
        self.as_str()
    }

    /// The severity of a stable id (`"critical"`, ...).
    pub fn from_id(id: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|s| s.id() == id)
    }

    /// The same as [`Severity::id`].
    pub const fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// One step more severe (saturating at `Critical`).
    pub const fn raised(self) -> Severity {
        match self {
            Severity::Info => Severity::Low,
            Severity::Low => Severity::Medium,
            Severity::Medium => Severity::High,
            Severity::High | Severity::Critical => Severity::Critical,
        }
    }

    /// One step less severe (saturating at `Info`).
    pub const fn lowered(self) -> Severity {
        match self {
            Severity::Info | Severity::Low => Severity::Info,
            Severity::Medium => Severity::Low,
            Severity::High => Severity::Medium,
            Severity::Critical => Severity::High,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = UnknownId;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::ALL
            .into_iter()
            .find(|sev| sev.as_str().eq_ignore_ascii_case(s))
            .ok_or(UnknownId)
    }
}

/// The classic "why does my site say 502" categories, in plain words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Category {
    /// Server overload: too much work for the capacity.
    Overload,
    /// Backend down, crashed or restarting (maintenance or crash).
    BackendDown,
    /// A CDN, load balancer or client in front of the proxy.
    Cdn,
    /// DNS could not resolve the backend.
    Dns,
    /// A bug in the application or a misconfiguration shipped as config.
    AppBug,
}

impl Category {
    /// The stable id, e.g. `"backend_down"`.
    pub const fn id(self) -> &'static str {
        match self {
            Category::Overload => "overload",
            Category::BackendDown => "backend_down",
            Category::Cdn => "cdn",
            Category::Dns => "dns",
            Category::AppBug => "app_bug",
        }
    }

    /// The category in plain words for a non-specialist.
    pub const fn plain(self) -> &'static str {
        match self {
            Category::Overload => "server overload",
            Category::BackendDown => "backend down, crashed or restarting",
            Category::Cdn => "CDN, load balancer or client in front",
            Category::Dns => "DNS problem",
            Category::AppBug => "application bug or misconfiguration",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// Where in the life of a proxied request a failure happened.
///
/// For nginx this is the `while <action>` part of the error line; Apache and PHP-FPM
/// lines are mapped to the same phases where the message tells.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Phase {
    /// Choosing a peer or establishing the connection (`connecting to upstream`).
    Connect,
    /// TLS handshake with the upstream (`SSL handshaking to upstream`).
    TlsHandshake,
    /// Writing the request and its body (`sending request to upstream`).
    SendRequest,
    /// Waiting for or reading the response header (`reading response header from upstream`).
    ReadHeader,
    /// Reading the body after the header was sent on (`reading upstream`): the client got a
    /// truncated response rather than a 5xx.
    ReadBody,
    /// A WebSocket or other upgraded tunnel (`proxying upgraded connection`).
    Upgraded,
    /// Writing the response to the client (`sending to client`).
    SendToClient,
    /// Reading from the client (`reading client request ...`, `SSL handshaking`, `waiting for request`).
    ReadClient,
    /// Resolving a name (`resolving`).
    Resolve,
}

impl Phase {
    /// All phases.
    pub const ALL: [Phase; 9] = [
        Phase::Connect,
        Phase::TlsHandshake,
        Phase::SendRequest,
        Phase::ReadHeader,
        Phase::ReadBody,
        Phase::Upgraded,
        Phase::SendToClient,
        Phase::ReadClient,
        Phase::Resolve,
    ];

    /// The stable id, e.g. `"read_header"`.
    pub const fn id(self) -> &'static str {
        match self {
            Phase::Connect => "connect",
            Phase::TlsHandshake => "tls_handshake",
            Phase::SendRequest => "send_request",
            Phase::ReadHeader => "read_header",
            Phase::ReadBody => "read_body",
            Phase::Upgraded => "upgraded",
            Phase::SendToClient => "send_to_client",
            Phase::ReadClient => "read_client",
            Phase::Resolve => "resolve",
        }
    }

    /// Whether the phase is on the upstream side of the proxy.
    pub const fn is_upstream(self) -> bool {
        matches!(
            self,
            Phase::Connect
                | Phase::TlsHandshake
                | Phase::SendRequest
                | Phase::ReadHeader
                | Phase::ReadBody
                | Phase::Upgraded
        )
    }

    /// Maps an nginx `while <action>` text to a phase (`None` for actions that are not
    /// about a request, such as `logging to syslog`).
    pub fn from_nginx_action(action: &[u8]) -> Option<Phase> {
        Some(match action {
            b"connecting to upstream" => Phase::Connect,
            b"SSL handshaking to upstream" => Phase::TlsHandshake,
            b"sending request to upstream" => Phase::SendRequest,
            b"reading response header from upstream" => Phase::ReadHeader,
            b"reading upstream" => Phase::ReadBody,
            b"proxying upgraded connection" => Phase::Upgraded,
            b"sending to client"
            | b"sending response to client"
            | b"sending flv to client"
            | b"sending mp4 to client"
            | b"sending early hints to client" => Phase::SendToClient,
            b"waiting for request"
            | b"SSL handshaking"
            | b"reading PROXY protocol"
            | b"reading client request line"
            | b"reading client request headers"
            | b"reading client pipelined request line"
            | b"reading client request"
            | b"keepalive"
            | b"closing request"
            | b"processing HTTP/2 connection" => Phase::ReadClient,
            b"resolving" => Phase::Resolve,
            _ => return None,
        })
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

#[cfg(feature = "serde")]
mod serde_impls {
    use super::{Category, Cause, Phase, Severity};
    use serde::{Deserialize, Deserializer, Serialize, Serializer, de::Error};

    macro_rules! as_string {
        ($ty:ty, $to:ident, $from:expr) => {
            impl Serialize for $ty {
                fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                    s.serialize_str(self.$to())
                }
            }
            impl<'de> Deserialize<'de> for $ty {
                fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                    let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                    let parse: fn(&str) -> Option<$ty> = $from;
                    parse(&text).ok_or_else(|| D::Error::custom(format!("unknown id {text:?}")))
                }
            }
        };
    }

    as_string!(Cause, id, Cause::from_id);
    as_string!(Severity, as_str, |s| s.parse().ok());
    as_string!(Category, id, |s| [
        Category::Overload,
        Category::BackendDown,
        Category::Cdn,
        Category::Dns,
        Category::AppBug
    ]
    .into_iter()
    .find(|c| c.id() == s));
    as_string!(Phase, id, |s| Phase::ALL.into_iter().find(|p| p.id() == s));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn there_are_31_causes_with_unique_round_tripping_ids() {
        assert_eq!(Cause::ALL.len(), 31);
        let mut ids: Vec<&str> = Cause::ALL.iter().map(|c| c.id()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 31);
        for cause in Cause::ALL {
            assert_eq!(Cause::from_id(cause.id()), Some(cause));
            assert_eq!(cause.to_string().parse::<Cause>(), Ok(cause));
        }
        assert_eq!(Cause::from_id("upstream_exploded"), None);
    }

    #[test]
    fn ids_match_the_taxonomy_contract() {
        let expected = [
            "upstream_refused",
            "upstream_unreachable",
            "upstream_timeout_connect",
            "upstream_timeout_read",
            "upstream_timeout_send",
            "upstream_reset",
            "upstream_closed_early",
            "backend_crash",
            "no_live_upstreams",
            "header_too_big",
            "bad_upstream_response",
            "tls_to_upstream",
            "dns_resolution",
            "socket_missing",
            "socket_permission",
            "backlog_full",
            "fd_exhaustion",
            "worker_connections",
            "ephemeral_ports",
            "fpm_pool_exhausted",
            "php_fatal",
            "php_timeout",
            "php_script_not_found",
            "client_abort",
            "rate_limited",
            "buffered_to_disk",
            "proxy_config_error",
            "origin_error_response",
            "edge_internal_error",
            "edge_function_error",
            "upstream_queue_timeout",
        ];
        let ids: Vec<&str> = Cause::ALL.iter().map(|c| c.id()).collect();
        assert_eq!(ids, expected);
    }

    #[test]
    fn base_severities_follow_the_taxonomy() {
        assert_eq!(Cause::UpstreamRefused.severity(), Severity::Critical);
        assert_eq!(Cause::UpstreamTimeoutSend.severity(), Severity::Medium);
        assert_eq!(Cause::ClientAbort.severity(), Severity::Low);
        assert_eq!(Cause::BufferedToDisk.severity(), Severity::Low);
        assert_eq!(Cause::DnsResolution.category(), Category::Dns);
        assert!(Severity::Info < Severity::Critical);
        assert_eq!(Severity::High.raised(), Severity::Critical);
        assert_eq!(Severity::Info.lowered(), Severity::Info);
        assert_eq!("HIGH".parse::<Severity>(), Ok(Severity::High));
    }

    #[test]
    fn edge_causes_have_their_severity_and_category() {
        let expected = [
            (Cause::OriginErrorResponse, Severity::High, Category::AppBug),
            (Cause::EdgeInternalError, Severity::High, Category::Cdn),
            (Cause::EdgeFunctionError, Severity::High, Category::AppBug),
            (
                Cause::UpstreamQueueTimeout,
                Severity::High,
                Category::Overload,
            ),
        ];
        for (cause, severity, category) in expected {
            assert_eq!(
                (cause.severity(), cause.category()),
                (severity, category),
                "{cause}"
            );
            assert!(!cause.title().is_empty(), "{cause}");
        }
    }

    #[test]
    fn nginx_actions_map_to_phases() {
        assert_eq!(
            Phase::from_nginx_action(b"reading response header from upstream"),
            Some(Phase::ReadHeader)
        );
        assert_eq!(
            Phase::from_nginx_action(b"SSL handshaking"),
            Some(Phase::ReadClient)
        );
        assert_eq!(Phase::from_nginx_action(b"logging to syslog"), None);
        assert!(Phase::TlsHandshake.is_upstream());
        assert!(!Phase::SendToClient.is_upstream());
    }
}
