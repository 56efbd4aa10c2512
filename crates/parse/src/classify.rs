//! Classification: which [`Cause`] an error entry reports.
//!
//! One set of patterns, as an Aho-Corasick automaton (a contiguous NFA, then the DFA once a
//! thread has scanned enough; each built once), finds every known message stem and detail in
//! the message; the leftmost stem decides what the message is, then errno × action rules
//! (nginx) or the AH code and APR status (Apache) pick the cause. Nothing here allocates.
//!
//! The cause comes from the message, the errno and the phase (the `while <action>` of
//! nginx, the AH code of Apache) alone: the context fields (client, server, request, host,
//! referrer, byte counters) never change it. The one exception is the upstream address
//! `0.0.0.1`, which is not an address but the placeholder that Lua balancers (ingress-nginx,
//! Kong, APISIX) leave in their `upstream` block: dialing it means the balancer found no
//! backend.
//!
//! Every stem is cited with the source file that writes it (nginx `src/...`, httpd
//! `modules/...`, third-party modules by repository).
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

use crate::apache_error::ah_number;
use crate::bytes::{at, find, find_near, head, leading_u64, rfind, split_once, tail, trim_end};
use crate::cause::{Cause, Phase};
use crate::errno::{CodeSpace, Errno};
use crate::nginx_error::{ACTIONS, Extra, known_action};
use crate::record::{ErrorRecord, Failure, Level, Role};
use crate::word_search;

/// A message stem: the text that says what kind of message a line is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum S {
    // nginx upstream (2.1)
    ConnectFailed,
    ConnectTo,
    UpstreamTimedOut,
    NoLiveUpstreams,
    TempDisabled,
    PrematurelyClosed,
    UpstreamClosedConnection,
    PrematurelySent,
    Io,
    TooBigHeader,
    FcgiVersion,
    UpstreamRejected,
    UpstreamSentInfo,
    UpstreamSent,
    // FastCGI (2.2)
    FcgiStderr,
    FcgiRecordTooBig,
    // DNS (2.3)
    CouldNotBeResolved,
    NoResolver,
    DnsMisc,
    HostNotFoundInUpstream,
    // TLS (2.4)
    SslHandshake,
    PeerClosedSsl,
    CertVerify,
    // resources, client side, limits, buffering (2.5)
    SocketFailed,
    WorkerConnections,
    Accept,
    NewSocketNumber,
    ClientAbort,
    LimitReq,
    DelayReq,
    LimitConn,
    BufferedUpstream,
    BufferedClient,
    FileOp,
    BrokenHeader,
    ClientProblem,
    // ingress-nginx Lua (2.9)
    LuaNoPeer,
    LuaSettingPeer,
    LuaProxySelf,
    LuaDns,
    LuaConfig,
    NoActiveEndpoint,
    // lua-nginx-module, Kong, APISIX, Tengine and other third-party modules
    LuaNoPeerSet,
    LuaBalancerError,
    LuaSocketTimeout(Phase),
    LuaDnsFailed,
    BalancerNoServer,
    BalancerUnhealthy,
    ConnectTunnelTimeout,
    ConnectTunnelClient,
    // Apache (2.6, 2.7)
    AttemptConnect,
    DisablingWorker,
    DisabledConnection,
    FailedAcquire,
    AllBusy,
    FailedMakeConnection,
    ErrorStatusLine,
    Reason(Reason),
    ReturnedBy,
    BadHeader,
    HeaderSizeOver,
    ErrorReadingHeaders,
    BogusHeaders,
    PassBodyFailed,
    ReadRequestBody,
    ErrorReadingResponse,
    GotError,
    FailedReadFcgiHeader,
    GotBogus,
    FailedWriting,
    ErrorDispatching,
    AllWorkersInError,
    ForcingWorker,
    EnableSsl,
    CertVerification,
    SslProxyConnect,
    SslProxyPeer,
    MaxWorkers,
    NoProtocolHandler,
    InvalidUds,
    EndOfScript,
    ScriptTimedOut,
    Ajp,
    ScgiReadHeaders,
    ScgiSend,
    ErrorCreatingSocket,
    ChildExitSignal,
    // Apache 2.2 mod_proxy / mod_proxy_ajp / mod_ssl texts without AH codes
    AjpIo(Phase),
    ProxyBlocked22,
    SslProxySni,
    // mod_fcgid (apache/httpd-mod_fcgid modules/fcgid/)
    FcgidReadTimeout,
    FcgidClosed,
    FcgidReadError,
    FcgidWriteError,
    FcgidWriteTimeout,
    FcgidPassBrigade,
    FcgidNoSlot,
    FcgidBusyTimeout,
    FcgidStderr,
    FcgidConnect,
    FcgidExit,
    FcgidClientRead,
    // PHP-FPM (2.8)
    MaxChildren,
    SeemsBusy,
    MaxProcesses,
    ExecTimedOut,
    TooSlow,
    ExitedOnSignal,
    ExitedWithCode,
    FailedThreshold,
    SaidInto,
    UnableToBind,
}

/// The reason texts of Apache `AH00898: <reason> returned by <uri>` (A12).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reason {
    ReadingFromRemote,
    DnsLookup,
    Timeout100Continue,
    SslHandshake,
    CorruptStatusLine,
    BadProtocol,
    Blocked,
}

/// Details: texts that refine a stem (PHP content, TLS reasons, dry runs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
enum D {
    MaxExecutionTime,
    PhpFatal,
    PhpParse,
    AllowedMemory,
    Uncaught,
    ScriptNotFound,
    ConnectionDisallowed,
    PhpWarning,
    WrongVersionNumber,
    CertificateVerifyFailed,
    DryRun,
}

#[derive(Clone, Copy, Debug)]
enum Hit {
    S(S),
    D(D),
}

use Hit::{D as Dt, S as St};

/// Every pattern the automaton looks for.
const PATTERNS: &[(&str, Hit)] = &[
    // nginx 2.1
    ("connect() failed", St(S::ConnectFailed)),
    ("connect() to ", St(S::ConnectTo)),
    ("upstream timed out", St(S::UpstreamTimedOut)),
    ("no live upstreams", St(S::NoLiveUpstreams)),
    ("upstream server temporarily disabled", St(S::TempDisabled)),
    ("upstream prematurely closed", St(S::PrematurelyClosed)),
    (
        "reported that upstream closed connection",
        St(S::UpstreamClosedConnection),
    ),
    ("upstream prematurely sent response", St(S::PrematurelySent)),
    ("recv() failed", St(S::Io)),
    ("readv() failed", St(S::Io)),
    ("writev() failed", St(S::Io)),
    ("send() failed", St(S::Io)),
    ("sendfile() failed", St(S::Io)),
    ("sendto() failed", St(S::Io)),
    ("sendmsg() failed", St(S::Io)),
    ("recvmsg() failed", St(S::Io)),
    ("SSL_read() failed", St(S::Io)),
    ("SSL_write() failed", St(S::Io)),
    ("SSL_sendfile() failed", St(S::Io)),
    ("WSARecv() failed", St(S::Io)),
    ("WSASend() failed", St(S::Io)),
    ("upstream sent too big header", St(S::TooBigHeader)),
    (
        "upstream sent unsupported FastCGI protocol version: ",
        St(S::FcgiVersion),
    ),
    (
        "upstream rejected request with error",
        St(S::UpstreamRejected),
    ),
    ("upstream sent goaway with error", St(S::UpstreamRejected)),
    (
        "upstream sent more data than specified",
        St(S::UpstreamSentInfo),
    ),
    ("upstream sent data after", St(S::UpstreamSentInfo)),
    ("upstream sent ", St(S::UpstreamSent)),
    ("upstream sent rst stream frame", St(S::UpstreamSent)),
    // FastCGI 2.2
    ("FastCGI sent in stderr", St(S::FcgiStderr)),
    ("fastcgi request record is too big", St(S::FcgiRecordTooBig)),
    // DNS 2.3
    ("could not be resolved", St(S::CouldNotBeResolved)),
    ("no resolver defined to resolve", St(S::NoResolver)),
    ("DNS error (", St(S::DnsMisc)),
    ("unexpected DNS response for", St(S::DnsMisc)),
    ("wrong ident ", St(S::DnsMisc)),
    ("short DNS response", St(S::DnsMisc)),
    ("invalid DNS response", St(S::DnsMisc)),
    // The resolver's response checks (src/core/ngx_resolver.c): ` in DNS response` since
    // nginx 1.19.4 (279efaab6), and the older wordings before it.
    (" DNS response", St(S::DnsMisc)),
    ("unexpected response for ", St(S::DnsMisc)),
    ("unexpected RR class ", St(S::DnsMisc)),
    ("unexpected RR type ", St(S::DnsMisc)),
    ("name is out of response", St(S::DnsMisc)),
    ("compression pointers loop", St(S::DnsMisc)),
    ("host not found in upstream", St(S::HostNotFoundInUpstream)),
    ("no port in upstream", St(S::HostNotFoundInUpstream)),
    ("invalid host in upstream", St(S::HostNotFoundInUpstream)),
    // TLS 2.4
    ("SSL_do_handshake() failed", St(S::SslHandshake)),
    (
        "peer closed connection in SSL handshake",
        St(S::PeerClosedSsl),
    ),
    ("upstream SSL certificate verify error", St(S::CertVerify)),
    ("upstream SSL certificate does not match", St(S::CertVerify)),
    // 2.5
    ("socket() failed", St(S::SocketFailed)),
    (
        "worker_connections are not enough",
        St(S::WorkerConnections),
    ),
    ("accept4() failed", St(S::Accept)),
    ("accept() failed", St(S::Accept)),
    ("the new socket has number", St(S::NewSocketNumber)),
    ("client prematurely closed connection", St(S::ClientAbort)),
    ("client canceled stream", St(S::ClientAbort)),
    ("client terminated stream", St(S::ClientAbort)),
    ("client prematurely closed stream", St(S::ClientAbort)),
    ("client timed out", St(S::ClientAbort)),
    ("limiting requests", St(S::LimitReq)),
    ("delaying request", St(S::DelayReq)),
    ("limiting connections", St(S::LimitConn)),
    (
        "an upstream response is buffered to a temporary file",
        St(S::BufferedUpstream),
    ),
    (
        "a client request body is buffered to a temporary file",
        St(S::BufferedClient),
    ),
    ("open() \"", St(S::FileOp)),
    ("mkdir() \"", St(S::FileOp)),
    ("pwrite() \"", St(S::FileOp)),
    ("pwritev() \"", St(S::FileOp)),
    ("write() \"", St(S::FileOp)),
    // The same on Windows (src/os/win32/ngx_files.h: ngx_open_tempfile_n, ngx_write_fd_n,
    // ngx_create_dir_n).
    ("CreateFile() \"", St(S::FileOp)),
    ("WriteFile() \"", St(S::FileOp)),
    ("CreateDirectory() \"", St(S::FileOp)),
    ("broken header: ", St(S::BrokenHeader)),
    ("client sent ", St(S::ClientProblem)),
    ("client intended to send too large", St(S::ClientProblem)),
    ("auth request unexpected status", St(S::ClientProblem)),
    // ingress-nginx 2.9
    ("no peer was returned", St(S::LuaNoPeer)),
    (
        "error while setting current upstream peer",
        St(S::LuaSettingPeer),
    ),
    ("attempted to proxy to self", St(S::LuaProxySelf)),
    ("failed to query the DNS server for", St(S::LuaDns)),
    ("could not parse backends data", St(S::LuaConfig)),
    ("error updating configuration", St(S::LuaConfig)),
    ("does not have any active Endpoint", St(S::NoActiveEndpoint)),
    // lua-nginx-module src/ngx_http_lua_balancer.c: `balancer_by_lua*` set no peer on an
    // upstream without servers (since 2024), or its code failed.
    ("lua balancer: no peer set", St(S::LuaNoPeerSet)),
    ("failed to run balancer_by_lua", St(S::LuaBalancerError)),
    // lua-nginx-module src/ngx_http_lua_socket_{tcp,udp}.c: cosocket timeouts (Lua code
    // talking to its own backends: Redis, databases, HTTP APIs).
    (
        "lua tcp socket connect timed out",
        St(S::LuaSocketTimeout(Phase::Connect)),
    ),
    (
        "lua tcp socket read timed out",
        St(S::LuaSocketTimeout(Phase::ReadHeader)),
    ),
    (
        "lua tcp socket write timed out",
        St(S::LuaSocketTimeout(Phase::SendRequest)),
    ),
    (
        "lua udp socket read timed out",
        St(S::LuaSocketTimeout(Phase::ReadHeader)),
    ),
    // Kong kong/init.lua (balancer phase) and kong/runloop/balancer/init.lua.
    ("failed to set the current peer", St(S::LuaSettingPeer)),
    ("DNS resolution failed", St(S::LuaDnsFailed)),
    // APISIX apisix/balancer.lua and apisix/init.lua: no node to send the request to.
    ("failed to pick server", St(S::LuaNoPeerSet)),
    ("no valid upstream node", St(S::LuaNoPeerSet)),
    ("failed to set server peer [", St(S::LuaSettingPeer)),
    ("all upstream nodes is unhealthy", St(S::BalancerUnhealthy)),
    // Tengine modules/ngx_http_upstream_consistent_hash_module ("all servers are down!")
    // and modules/ngx_http_upstream_vnswrr_module.
    ("all servers are down", St(S::BalancerNoServer)),
    ("get rr peer is null in upstream", St(S::BalancerNoServer)),
    // Tengine modules/ngx_http_upstream_dynamic_module.
    ("resolver has not been configured", St(S::NoResolver)),
    // chobits/ngx_http_proxy_connect_module (the CONNECT tunnel).
    ("proxy_connect: no live connection", St(S::NoLiveUpstreams)),
    (
        "proxy_connect: upstream read timed out",
        St(S::ConnectTunnelTimeout),
    ),
    (
        "proxy_connect: client read timed out",
        St(S::ConnectTunnelClient),
    ),
    (
        "proxy_connect: connection timed out",
        St(S::ConnectTunnelClient),
    ),
    // Apache 2.6 / 2.7
    ("attempt to connect to ", St(S::AttemptConnect)),
    (
        "ap_proxy_connect_backend disabling worker for",
        St(S::DisablingWorker),
    ),
    ("disabled connection for (", St(S::DisabledConnection)),
    ("failed to acquire connection for (", St(S::FailedAcquire)),
    ("all workers are busy", St(S::AllBusy)),
    (
        "failed to make connection to backend",
        St(S::FailedMakeConnection),
    ),
    (
        "error reading status line from remote server",
        St(S::ErrorStatusLine),
    ),
    (
        "Error reading from remote server",
        St(S::Reason(Reason::ReadingFromRemote)),
    ),
    ("DNS lookup failure for: ", St(S::Reason(Reason::DnsLookup))),
    (
        "Timeout on 100-Continue",
        St(S::Reason(Reason::Timeout100Continue)),
    ),
    (
        "Error during SSL Handshake with remote server",
        St(S::Reason(Reason::SslHandshake)),
    ),
    (
        "Corrupt status line returned by remote server",
        St(S::Reason(Reason::CorruptStatusLine)),
    ),
    (
        "interim responses from origin server",
        St(S::Reason(Reason::BadProtocol)),
    ),
    ("Unexpected Upgrade: ", St(S::Reason(Reason::BadProtocol))),
    (
        "Malformed connection header",
        St(S::Reason(Reason::BadProtocol)),
    ),
    (
        "Connect to remote machine blocked",
        St(S::Reason(Reason::Blocked)),
    ),
    (" returned by ", St(S::ReturnedBy)),
    ("bad HTTP/", St(S::BadHeader)),
    (
        "header size is over the limit allowed by ResponseFieldSize",
        St(S::HeaderSizeOver),
    ),
    (
        "Error reading headers from backend",
        St(S::ErrorReadingHeaders),
    ),
    ("Starting body due to bogus non-header", St(S::BogusHeaders)),
    ("No HTTP headers returned by", St(S::BogusHeaders)),
    (
        "Ignoring bogus HTTP header returned by",
        St(S::BogusHeaders),
    ),
    ("pass request body failed to ", St(S::PassBodyFailed)),
    ("prefetch request body failed to", St(S::ReadRequestBody)),
    (
        "processing prefetched request body failed",
        St(S::ReadRequestBody),
    ),
    ("read request body failed", St(S::ReadRequestBody)),
    ("error reading response", St(S::ErrorReadingResponse)),
    ("Got error '", St(S::GotError)),
    ("Failed to read FastCGI header", St(S::FailedReadFcgiHeader)),
    ("Got bogus version ", St(S::GotBogus)),
    ("Got bogus rid ", St(S::GotBogus)),
    ("Error parsing script headers", St(S::GotBogus)),
    ("Got bogus record ", St(S::GotBogus)),
    ("Error occurred reading padding", St(S::GotBogus)),
    ("Failed Writing Request to", St(S::FailedWriting)),
    ("Failed writing Environment to", St(S::FailedWriting)),
    ("Error dispatching request to", St(S::ErrorDispatching)),
    ("All workers are in error state", St(S::AllWorkersInError)),
    ("No workers in balancer", St(S::AllWorkersInError)),
    ("into error state due to", St(S::ForcingWorker)),
    ("failed to enable ssl support", St(S::EnableSsl)),
    ("Certificate Verification: Error", St(S::CertVerification)),
    ("SSL Proxy connect failed", St(S::SslProxyConnect)),
    ("SSL Proxy: Peer certificate", St(S::SslProxyPeer)),
    (
        "server reached MaxRequestWorkers setting",
        St(S::MaxWorkers),
    ),
    (
        "server is within MinSpareThreads of MaxRequestWorkers",
        St(S::MaxWorkers),
    ),
    (
        "scoreboard is full, not at MaxRequestWorkers",
        St(S::MaxWorkers),
    ),
    ("server reached MaxClients setting", St(S::MaxWorkers)),
    (
        "No protocol handler was valid for the URL",
        St(S::NoProtocolHandler),
    ),
    ("Invalid proxy UDS filename", St(S::InvalidUds)),
    ("End of script output before headers", St(S::EndOfScript)),
    ("Premature end of script headers", St(S::EndOfScript)),
    (
        "Script timed out before returning headers",
        St(S::ScriptTimedOut),
    ),
    (
        "error reading response headers from ",
        St(S::ScgiReadHeaders),
    ),
    (
        "error creating Unix domain socket",
        St(S::ErrorCreatingSocket),
    ),
    ("error creating fam ", St(S::ErrorCreatingSocket)),
    (" exit signal ", St(S::ChildExitSignal)),
    // httpd 2.2.x modules/proxy/mod_proxy_ajp.c, proxy_util.c and modules/ssl (no AH
    // codes before 2.3).
    ("proxy: send failed to ", St(S::AjpIo(Phase::SendRequest))),
    (
        "proxy: read response failed from ",
        St(S::AjpIo(Phase::ReadHeader)),
    ),
    ("proxy: dialog to ", St(S::AjpIo(Phase::ReadHeader))),
    ("AJP: request failed to ", St(S::AjpIo(Phase::ReadHeader))),
    ("cping/cpong failed to ", St(S::AjpIo(Phase::Connect))),
    ("proxy: connect to remote machine ", St(S::ProxyBlocked22)),
    (
        "Failed to set SNI extension for SSL Proxy",
        St(S::SslProxySni),
    ),
    // mod_fcgid: fcgid_proc_unix.c, fcgid_proc_win.c, fcgid_bridge.c, fcgid_bucket.c
    // (the wordings before 2.3.2, cd10db5, in the second place).
    ("mod_fcgid: read data timeout in ", St(S::FcgidReadTimeout)),
    ("mod_fcgid: read timeout from pipe", St(S::FcgidReadTimeout)),
    ("FastCGI server closed connection", St(S::FcgidClosed)),
    ("fastcgi server has close connection", St(S::FcgidClosed)),
    (
        "mod_fcgid: error reading data from FastCGI server",
        St(S::FcgidReadError),
    ),
    (
        "mod_fcgid: read data from fastcgi server error",
        St(S::FcgidReadError),
    ),
    ("mod_fcgid: get overlap result error", St(S::FcgidReadError)),
    (
        "mod_fcgid: error polling unix domain socket",
        St(S::FcgidReadError),
    ),
    (
        "mod_fcgid: poll unix domain socket error",
        St(S::FcgidReadError),
    ),
    (
        "mod_fcgid: error writing data to FastCGI server",
        St(S::FcgidWriteError),
    ),
    (
        "mod_fcgid: write data to fastcgi server error",
        St(S::FcgidWriteError),
    ),
    ("mod_fcgid: write timeout to pipe", St(S::FcgidWriteTimeout)),
    ("mod_fcgid: ap_pass_brigade failed", St(S::FcgidPassBrigade)),
    ("mod_fcgid: can't apply process slot", St(S::FcgidNoSlot)),
    ("took longer than busy timeout", St(S::FcgidBusyTimeout)),
    ("mod_fcgid: process busy timeout", St(S::FcgidBusyTimeout)),
    ("mod_fcgid: stderr: ", St(S::FcgidStderr)),
    (
        "mod_fcgid: can't connect unix domain socket",
        St(S::FcgidConnect),
    ),
    ("mod_fcgid: process ", St(S::FcgidExit)),
    (
        "mod_fcgid: can't get data from http client",
        St(S::FcgidClientRead),
    ),
    (
        "mod_fcgid: can't read request from HTTP client",
        St(S::FcgidClientRead),
    ),
    // PHP-FPM 2.8
    ("max_children setting", St(S::MaxChildren)),
    ("seems busy (you may need to increase", St(S::SeemsBusy)),
    (
        "The maximum number of processes has been reached",
        St(S::MaxProcesses),
    ),
    ("execution timed out", St(S::ExecTimedOut)),
    ("executing too slow", St(S::TooSlow)),
    ("exited on signal ", St(S::ExitedOnSignal)),
    ("exited with code ", St(S::ExitedWithCode)),
    ("failed processes threshold", St(S::FailedThreshold)),
    ("said into stderr: ", St(S::SaidInto)),
    ("said into stdout: ", St(S::SaidInto)),
    (
        "unable to bind listening socket for address",
        St(S::UnableToBind),
    ),
    // details
    ("Maximum execution time of", Dt(D::MaxExecutionTime)),
    ("PHP Fatal error", Dt(D::PhpFatal)),
    ("PHP Recoverable fatal error", Dt(D::PhpFatal)),
    ("PHP Parse error", Dt(D::PhpParse)),
    ("Allowed memory size of", Dt(D::AllowedMemory)),
    ("Uncaught ", Dt(D::Uncaught)),
    ("Primary script unknown", Dt(D::ScriptNotFound)),
    ("Unable to open primary script", Dt(D::ScriptNotFound)),
    (
        "has been denied (see security.limit_extensions)",
        Dt(D::ScriptNotFound),
    ),
    (
        "Connection disallowed: IP address",
        Dt(D::ConnectionDisallowed),
    ),
    ("PHP Warning", Dt(D::PhpWarning)),
    ("PHP Notice", Dt(D::PhpWarning)),
    ("PHP Deprecated", Dt(D::PhpWarning)),
    ("wrong version number", Dt(D::WrongVersionNumber)),
    ("certificate verify failed", Dt(D::CertificateVerifyFailed)),
    (", dry run", Dt(D::DryRun)),
];

/// The patterns as an automaton of `kind`. Both kinds find the same leftmost-longest
/// matches; they differ in what they cost.
fn automaton(kind: AhoCorasickKind) -> Option<AhoCorasick> {
    AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostLongest)
        .kind(Some(kind))
        .prefilter(false)
        .build(PATTERNS.iter().map(|(p, _)| p))
        .ok()
}

/// What every process starts with: a contiguous NFA costs ~4 M instructions to build, the
/// DFA ~37 M (a fixed ~6 ms that every small run paid), and searches ~840 instructions more
/// a scanned message (the memo in [`scan`] serves most lines without a scan).
static NFA: LazyLock<Option<AhoCorasick>> =
    LazyLock::new(|| automaton(AhoCorasickKind::ContiguousNFA));
/// What a thread switches to after [`DFA_AFTER`] scans, when the NFA's slower searches have
/// cost about a third of the DFA's build.
static DFA: LazyLock<Option<AhoCorasick>> = LazyLock::new(|| automaton(AhoCorasickKind::DFA));
/// Scans (memo misses) a thread makes with the NFA before it builds (or shares) the DFA:
/// ~160 MiB of a generated nginx error log, ~14 M instructions of slower searches at most.
const DFA_AFTER: u32 = 16_384;

thread_local! {
    /// Scans this thread made so far (up to [`DFA_AFTER`]).
    static SCANS: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Which four-byte openings the patterns have, as the bits of a hash of the four bytes
/// (every pattern is at least four bytes long, which a test checks): where no pattern's
/// opening is, no match starts, so the automaton can start reading at the first place
/// one could (the NFA costs some 50 instructions a byte; this some 10).
static OPENINGS: LazyLock<Box<[u64; OPENING_WORDS]>> = LazyLock::new(|| {
    let mut bits = Box::new([0u64; OPENING_WORDS]);
    for (pattern, _) in PATTERNS {
        let slot = match pattern.as_bytes().first_chunk::<4>() {
            Some(opening) => opening_slot(*opening),
            // A shorter pattern could start anywhere: every place is a candidate.
            None => {
                bits.fill(u64::MAX);
                break;
            }
        };
        if let Some(word) = bits.get_mut(slot / 64) {
            *word |= 1 << (slot % 64);
        }
    }
    bits
});

/// Bits of [`OPENINGS`], in 64-bit words.
const OPENING_WORDS: usize = (1 << 16) / 64;

/// The bit of four bytes in [`OPENINGS`].
#[inline(always)]
fn opening_slot(four: [u8; 4]) -> usize {
    (u32::from_le_bytes(four).wrapping_mul(0x9e37_79b1) >> 16) as usize
}

/// Where in `text` the first match can start (`None`: nowhere).
fn first_opening(text: &[u8]) -> Option<usize> {
    let bits = &**OPENINGS;
    text.windows(4).position(|four| {
        let slot = opening_slot(four.try_into().unwrap_or_default());
        bits.get(slot / 64)
            .is_some_and(|word| word >> (slot % 64) & 1 != 0)
    })
}

/// What the automaton found in a message.
#[derive(Clone, Copy, Default)]
#[cfg_attr(test, derive(Debug, PartialEq))]
struct Scan {
    /// The leftmost stem: which, and where its match ends.
    stem: Option<(S, usize, usize)>,
    /// The first stem that is an AH00898 reason.
    reason: Option<(Reason, usize, usize)>,
    /// Details found anywhere (bit per [`D`]).
    details: u32,
}

impl Scan {
    fn has(&self, d: D) -> bool {
        self.details & (1 << d as u32) != 0
    }
}

/// Messages at most this long are remembered by [`scan`].
const MEMO_MAX: usize = 192;
/// Remembered messages per thread (direct-mapped by a hash of the text).
const MEMO_SLOTS: usize = 64;

/// A remembered scan: a message's text and what the automaton found in it.
#[derive(Clone, Copy)]
struct Memo {
    /// Length of `text` plus one; 0 for an empty slot.
    len: u8,
    text: [u8; MEMO_MAX],
    scan: Scan,
}

impl Memo {
    const EMPTY: Memo = Memo {
        len: 0,
        text: [0; MEMO_MAX],
        scan: Scan {
            stem: None,
            reason: None,
            details: 0,
        },
    };
}

thread_local! {
    /// Error logs repeat a few message texts (`connect() failed`, `upstream timed out`,
    /// ...) once the context fields are split off: remembering the scan of recent short
    /// messages skips the automaton for most lines. 64 x ~250 bytes per thread.
    static MEMO: std::cell::RefCell<[Memo; MEMO_SLOTS]> =
        const { std::cell::RefCell::new([Memo::EMPTY; MEMO_SLOTS]) };
}

/// A quick hash of a short message for picking its memo slot: its length and its first
/// and last 8 bytes (a collision only costs a miss; hits compare the whole text).
fn memo_slot(text: &[u8]) -> usize {
    let word = |bytes: &[u8]| {
        let mut w = [0u8; 8];
        if let Some(dst) = w.get_mut(..bytes.len().min(8)) {
            dst.copy_from_slice(bytes.get(..dst.len()).unwrap_or_default());
        }
        u64::from_le_bytes(w)
    };
    let last = text.get(text.len().saturating_sub(8)..).unwrap_or_default();
    let h = (text.len() as u64 ^ word(text).rotate_left(17) ^ word(last))
        .wrapping_mul(0x517c_c1b7_2722_0a95);
    (h >> 58) as usize % MEMO_SLOTS
}

/// What the automaton finds in `text`, remembered for short texts.
fn scan(text: &[u8]) -> Scan {
    if text.len() > MEMO_MAX {
        return scan_text(text);
    }
    let slot = memo_slot(text);
    if let Some(found) = remembered(text, slot) {
        return found;
    }
    let found = scan_text(text);
    remember(text, slot, found);
    found
}

/// The remembered scan of `text` (at most [`MEMO_MAX`] bytes) in its `slot`, if any.
#[inline]
fn remembered(text: &[u8], slot: usize) -> Option<Scan> {
    MEMO.with_borrow(|memo| {
        memo.get(slot)
            .filter(|m| {
                usize::from(m.len) == text.len() + 1 && m.text.get(..text.len()) == Some(text)
            })
            .map(|m| m.scan)
    })
}

/// Remembers the scan of `text` (at most [`MEMO_MAX`] bytes) in its `slot`.
fn remember(text: &[u8], slot: usize, found: Scan) {
    MEMO.with_borrow_mut(|memo| {
        if let (Some(m), Ok(len)) = (memo.get_mut(slot), u8::try_from(text.len() + 1)) {
            m.len = len;
            if let Some(dst) = m.text.get_mut(..text.len()) {
                dst.copy_from_slice(text);
            }
            m.scan = found;
        }
    });
}

/// [`scan`] for an Apache message, whose opening may vary from line to line before a
/// text that repeats: a bracketed IPv6 client (`[client [2001:db8::1]:44029]`) ends at its
/// first `]`, which leaves `:44029] AH01630: ` in front of the message. When the whole
/// text is not remembered, the text from the first place a match can start is looked up
/// too (no match starts before it, so its scan, shifted, is the whole text's), and such
/// lines share one scan instead of an automaton run each.
fn apache_scan(text: &[u8]) -> Scan {
    if text.len() > MEMO_MAX {
        return scan_text(text);
    }
    let slot = memo_slot(text);
    if let Some(found) = remembered(text, slot) {
        return found;
    }
    let found = match first_opening(text) {
        None => Scan::default(),
        Some(0) => scan_text(text),
        // AH00898's commonest reason, after such an opening: known (see `apache_out`).
        Some(from) if tail(text, from).starts_with(READING_FROM_REMOTE) => {
            return shifted(READING_FROM_REMOTE_SCAN, from);
        }
        Some(from) => {
            let rest = tail(text, from);
            let rest_slot = memo_slot(rest);
            if let Some(found) = remembered(rest, rest_slot) {
                // The varying opening is not remembered: it would only evict others.
                return shifted(found, from);
            }
            let found = scan_text(rest);
            remember(rest, rest_slot, found);
            shifted(found, from)
        }
    };
    remember(text, slot, found);
    found
}

/// What the automaton finds in `text`: this thread's first [`DFA_AFTER`] scans with the NFA
/// from the first place a match can start, the later ones with the DFA.
fn scan_text(text: &[u8]) -> Scan {
    scan_text_settled(text, unsettled)
}

/// [`scan_text`], which after each match once a stem is found asks `settle` whether the
/// rest of the text (which it may read) can still change what the caller makes of it.
fn scan_text_settled(text: &[u8], settle: impl Fn(&mut Scan, &[u8]) -> bool) -> Scan {
    let scans = SCANS.get();
    if scans >= DFA_AFTER {
        return DFA
            .as_ref()
            .map_or_else(Scan::default, |ac| scan_with_settled(ac, text, settle));
    }
    SCANS.set(scans + 1);
    nfa_scan_settled(text, settle)
}

/// What the NFA finds in `text`, read from the first place a match can start (no match
/// starts before it, so the matches are the same).
#[cfg(test)]
fn nfa_scan(text: &[u8]) -> Scan {
    nfa_scan_settled(text, unsettled)
}

/// [`nfa_scan`] with [`scan_text_settled`]'s `settle`.
fn nfa_scan_settled(text: &[u8], settle: impl Fn(&mut Scan, &[u8]) -> bool) -> Scan {
    let Some(from) = first_opening(text) else {
        return Scan::default();
    };
    NFA.as_ref().map_or_else(Scan::default, |ac| {
        shifted(scan_with_settled(ac, tail(text, from), settle), from)
    })
}

/// The `settle` of a whole scan: every match counts.
fn unsettled(_: &mut Scan, _: &[u8]) -> bool {
    false
}

/// What `ac` finds in `text`.
#[cfg(test)]
fn scan_with(ac: &AhoCorasick, text: &[u8]) -> Scan {
    scan_with_settled(ac, text, unsettled)
}

/// [`scan_with`] with [`scan_text_settled`]'s `settle`.
fn scan_with_settled(
    ac: &AhoCorasick,
    text: &[u8],
    settle: impl Fn(&mut Scan, &[u8]) -> bool,
) -> Scan {
    let mut out = Scan::default();
    for m in ac.find_iter(text) {
        match PATTERNS.get(m.pattern().as_usize()).map(|p| p.1) {
            Some(Hit::S(s)) => {
                if let (S::Reason(r), None) = (s, out.reason) {
                    out.reason = Some((r, m.start(), m.end()));
                }
                if out.stem.is_none() {
                    out.stem = Some((s, m.start(), m.end()));
                    // Most stems decide alone: stop scanning (the common, fast case).
                    if !needs_details(s) {
                        break;
                    }
                }
            }
            Some(Hit::D(d)) => out.details |= 1 << d as u32,
            None => {}
        }
        if out.stem.is_some() && settle(&mut out, tail(text, m.end())) {
            break;
        }
    }
    out
}

/// What nginx's rules read of a message: [`scan`], but a long message (a PHP stack trace
/// sent on FastCGI stderr, ~600 bytes) is read only until nothing later in it can change
/// the outcome. Such a scan may miss details and reasons that do not matter to nginx, so it
/// is not remembered (no long message is).
fn nginx_scan(text: &[u8]) -> Scan {
    if let Some(found) = common_nginx_scan(text) {
        return found;
    }
    if text.len() <= MEMO_MAX {
        return scan(text);
    }
    scan_text_settled(text, settle_php)
}

/// The whole messages (errno, action and context split off) real nginx servers write
/// most: `ngx_http_upstream.c`'s timeouts, failed connects, early closes, and the
/// balancer's `no live upstreams` (the real lines in fixtures/ carry these far ahead).
const COMMON_NGINX_MESSAGES: [&[u8]; 6] = [
    b"upstream timed out",
    b"connect() failed",
    b"no live upstreams",
    b"recv() failed",
    b"upstream prematurely closed connection",
    b"upstream sent too big header",
];

/// The automaton's scans of [`COMMON_NGINX_MESSAGES`], made once.
static COMMON_NGINX_SCANS: LazyLock<[Scan; COMMON_NGINX_MESSAGES.len()]> =
    LazyLock::new(|| COMMON_NGINX_MESSAGES.map(scan_text));

/// The scan of `text` when it is one of [`COMMON_NGINX_MESSAGES`]: a few length checks and
/// one compare, where the memo's lookup (a hash, the thread's memo, a compare) cost ~120
/// instructions a line.
#[inline]
fn common_nginx_scan(text: &[u8]) -> Option<Scan> {
    let found = COMMON_NGINX_MESSAGES.iter().position(|m| *m == text)?;
    COMMON_NGINX_SCANS.get(found).copied()
}

/// Stems whose outcome in [`nginx_out`] is the message's [`php_content`] alone.
fn php_stem(s: S) -> bool {
    matches!(
        s,
        S::FcgiStderr | S::FcgidStderr | S::SaidInto | S::GotError | S::ReturnedBy
    )
}

/// The details [`php_content`] ranks, first first: the first present decides.
const PHP_RANKS: [D; 6] = [
    D::MaxExecutionTime,
    D::AllowedMemory,
    D::PhpParse,
    D::PhpFatal,
    D::ScriptNotFound,
    D::ConnectionDisallowed,
];

/// The details whose presence later in a message could still change [`php_content`] of
/// one whose details so far are `details` (bits of [`D`]): those ranked above the first
/// present, and `Uncaught` while a fatal error may still be what decides.
fn php_pending(details: u32) -> u32 {
    let bit = |d: D| 1u32 << d as u32;
    let mut pending = 0;
    for d in PHP_RANKS {
        if details & bit(d) != 0 {
            break;
        }
        pending |= bit(d);
    }
    // A fatal error can decide (and `Uncaught` name its variant) while none ranked above
    // it is present, that is while the parse error is still pending.
    if pending & bit(D::PhpParse) != 0 && details & bit(D::Uncaught) == 0 {
        pending |= bit(D::Uncaught);
    }
    pending
}

/// The details [`php_pending`] can return: the ranked ones and `Uncaught`.
#[cfg(test)]
const PHP_PENDABLE: u32 = 1 << D::MaxExecutionTime as u32
    | 1 << D::AllowedMemory as u32
    | 1 << D::PhpParse as u32
    | 1 << D::PhpFatal as u32
    | 1 << D::ScriptNotFound as u32
    | 1 << D::ConnectionDisallowed as u32
    | 1 << D::Uncaught as u32;

/// Patterns [`settle_php`] searches the rest of a message for, at most: each is a pass
/// over it (~800 instructions for 450 bytes), and the automaton is cheaper than five.
const TAIL_SEARCHES: usize = 4;

/// The details [`settle_php`] may search the rest of a message for (bits of [`D`]): those
/// [`php_pending`] can return none of whose patterns another pattern can hide, so that a
/// substring search finds what the automaton would (a test checks it with [`can_hide`]).
/// Checking it at run time costs ~2.4 M instructions (~90,000 comparisons), which a small
/// file would pay.
const TAIL_SEARCHED: u32 = 1 << D::MaxExecutionTime as u32
    | 1 << D::AllowedMemory as u32
    | 1 << D::PhpParse as u32
    | 1 << D::PhpFatal as u32
    | 1 << D::Uncaught as u32
    | 1 << D::ConnectionDisallowed as u32;

/// A finder for each pattern of the [`TAIL_SEARCHED`] details.
static TAIL_FINDERS: LazyLock<Vec<(memchr::memmem::Finder<'static>, D)>> = LazyLock::new(|| {
    PATTERNS
        .iter()
        .filter_map(|&(pattern, hit)| match hit {
            Hit::D(d) if TAIL_SEARCHED & (1 << d as u32) != 0 => {
                Some((memchr::memmem::Finder::new(pattern.as_bytes()), d))
            }
            _ => None,
        })
        .collect()
});

#[cfg(test)]
/// Whether a match of pattern `p` can hide a text `t` after it from the automaton: the
/// search goes on after each match, so only a match overlapping `t` hides it, one that
/// ends inside `t` (a suffix of `p` opens `t`) or holds it whole.
fn can_hide(p: &[u8], t: &[u8]) -> bool {
    if p == t {
        return false;
    }
    p.windows(t.len()).any(|w| w == t)
        || (1..p.len().min(t.len() + 1)).any(|k| tail(p, p.len() - k) == head(t, k))
}

/// `settle` for [`nginx_scan`]: once a PHP stem is found, only the details that can still
/// change [`php_content`] matter; when no other pattern can hide them and they are few, a
/// substring search of the rest for each finds what the whole automaton would, and the
/// scan stops.
fn settle_php(found: &mut Scan, rest: &[u8]) -> bool {
    let Some((stem, _, _)) = found.stem else {
        return false;
    };
    if !php_stem(stem) {
        return false;
    }
    let pending = php_pending(found.details);
    if pending & !TAIL_SEARCHED != 0 {
        return false;
    }
    if pending == 0 {
        return true;
    }
    let wanted = || {
        TAIL_FINDERS
            .iter()
            .filter(move |(_, d)| pending & (1 << *d as u32) != 0)
    };
    if wanted().count() > TAIL_SEARCHES {
        return false;
    }
    for (finder, d) in wanted() {
        if finder.find(rest).is_some() {
            found.details |= 1 << *d as u32;
        }
    }
    true
}

/// Stems whose cause depends on texts later in the message.
fn needs_details(s: S) -> bool {
    matches!(
        s,
        S::FcgiStderr
            | S::FcgidStderr
            | S::SaidInto
            | S::GotError
            | S::SslHandshake
            | S::PeerClosedSsl
            | S::LimitReq
            | S::LimitConn
            | S::ReturnedBy
    )
}

/// The outcome of a rule, before it is turned into a [`Failure`].
#[derive(Clone, Copy)]
struct Out<'a> {
    cause: Cause,
    phase: Option<Phase>,
    upstream: Option<&'a [u8]>,
    protocol: Option<&'a [u8]>,
    variant: Option<&'static str>,
    role: Role,
}

impl<'a> Out<'a> {
    fn new(cause: Cause, phase: Option<Phase>) -> Out<'a> {
        Out {
            cause,
            phase,
            upstream: None,
            protocol: None,
            variant: None,
            role: Role::Event,
        }
    }
    fn role(mut self, role: Role) -> Self {
        self.role = role;
        self
    }
    fn variant(mut self, variant: Option<&'static str>) -> Self {
        self.variant = variant;
        self
    }
    fn peer(mut self, peer: Option<&'a [u8]>) -> Self {
        if peer.is_some_and(|p| !p.is_empty()) {
            self.upstream = peer;
        }
        self
    }
    fn phase(mut self, phase: Option<Phase>) -> Self {
        if phase.is_some() {
            self.phase = phase;
        }
        self
    }
}

/// Phase of an nginx action (a module's `(name)` suffix ignored), also for an action cut
/// by truncation.
fn action_phase(action: Option<&[u8]>) -> Option<Phase> {
    let action = action?;
    phase_of(action)
        .or_else(|| known_action(action).and_then(|&(base, _)| phase_of(base)))
        .or_else(|| {
            if action.len() < 3 {
                return None;
            }
            // A cut action: the phase all known actions starting with it agree on.
            let mut phases = ACTIONS
                .iter()
                .filter(|(known, _)| known.starts_with(action))
                .map(|(known, _)| phase_of(known));
            let first = phases.next()??;
            phases.all(|p| p == Some(first)).then_some(first)
        })
}

/// The phase of a known action: HTTP's, and the tunnels of the stream module
/// (`src/stream/ngx_stream_proxy_module.c`: `proxying and reading from upstream`, ...,
/// and `proxying connection` for every direction before nginx 1.13.11) and of
/// lua-nginx-module's TLS hooks.
fn phase_of(action: &[u8]) -> Option<Phase> {
    if let Some(phase) = Phase::from_nginx_action(action) {
        return Some(phase);
    }
    match action {
        b"proxying and reading from upstream"
        | b"proxying and sending to upstream"
        | b"proxying connection" => Some(Phase::Upgraded),
        b"proxying and reading from client"
        | b"loading SSL certificate by lua"
        | b"loading SSL client hello by lua"
        | b"fetching SSL session by lua"
        | b"storing SSL session by lua" => Some(Phase::ReadClient),
        b"proxying and sending to client" | b"sending slice to client" => Some(Phase::SendToClient),
        b"proxy pass SSL handshaking"
        | b"loading proxy ssl certificate by lua"
        | b"loading proxy ssl verify by lua" => Some(Phase::TlsHandshake),
        _ => None,
    }
}

/// Whether a peer is the `0.0.0.1` placeholder of a Lua-balanced upstream block
/// (`server 0.0.0.1; # placeholder` in ingress-nginx `rootfs/etc/nginx/template/nginx.tmpl`,
/// Kong `kong/templates/nginx_kong.lua`, APISIX `apisix/cli/ngx_tpl.lua`, and the one
/// lua-nginx-module adds itself): nginx dials it when `balancer_by_lua*` chose no peer.
fn lua_placeholder(peer: Option<&[u8]>) -> bool {
    peer.is_some_and(|p| p == b"0.0.0.1" || p.starts_with(b"0.0.0.1:"))
}

/// Cause of a failed connect by errno (nginx `connect() failed`, Apache AH00957/AH02454).
fn connect_cause(errno: Option<Errno>) -> Cause {
    match errno {
        Some(Errno::ConnRefused) => Cause::UpstreamRefused,
        Some(Errno::HostUnreach | Errno::NetUnreach | Errno::HostDown | Errno::NetDown) => {
            Cause::UpstreamUnreachable
        }
        Some(Errno::TimedOut | Errno::AprTimeup) => Cause::UpstreamTimeoutConnect,
        Some(Errno::NoEnt) => Cause::SocketMissing,
        Some(Errno::Access) => Cause::SocketPermission,
        Some(Errno::Again) => Cause::BacklogFull,
        // No local port for the connection: EADDRNOTAVAIL (Linux, BSD), EADDRINUSE (a
        // `proxy_bind` address, Windows WSAEADDRINUSE) and, on Windows, WSAENOBUFS, which
        // is how connect() reports that the ephemeral ports ran out.
        Some(Errno::AddrNotAvail | Errno::AddrInUse | Errno::NoBufs) => Cause::EphemeralPorts,
        Some(Errno::MFile | Errno::NFile) => Cause::FdExhaustion,
        Some(
            Errno::ConnReset | Errno::Pipe | Errno::ConnAborted | Errno::NetReset | Errno::Shutdown,
        ) => Cause::UpstreamReset,
        _ => Cause::UpstreamUnreachable,
    }
}

/// Cause of a failed read by the APR status of the line (A11, A13, A16, A38).
fn read_cause(errno: Option<Errno>) -> Cause {
    match errno {
        Some(e) if e.is_timeout() => Cause::UpstreamTimeoutRead,
        Some(Errno::ConnReset | Errno::Pipe | Errno::NetReset | Errno::ConnAborted) => {
            Cause::UpstreamReset
        }
        Some(Errno::ConnRefused) => Cause::UpstreamRefused,
        _ => Cause::UpstreamClosedEarly,
    }
}

/// PHP content (FastCGI stderr, `AH01071: Got error`, FPM `said into stderr`, raw PHP
/// lines). Precedence: timeout > fatal > script not found > warnings only (no failure).
fn php_content(scan: &Scan) -> Option<(Cause, Option<&'static str>)> {
    if scan.has(D::MaxExecutionTime) {
        return Some((Cause::PhpTimeout, Some("max_execution_time")));
    }
    if scan.has(D::AllowedMemory) {
        return Some((Cause::PhpFatal, Some("memory_limit")));
    }
    if scan.has(D::PhpParse) {
        return Some((Cause::PhpFatal, Some("parse_error")));
    }
    if scan.has(D::PhpFatal) {
        let variant = scan.has(D::Uncaught).then_some("uncaught_exception");
        return Some((Cause::PhpFatal, variant));
    }
    if scan.has(D::ScriptNotFound) {
        return Some((Cause::PhpScriptNotFound, None));
    }
    if scan.has(D::ConnectionDisallowed) {
        return Some((Cause::UpstreamReset, None));
    }
    None
}

/// Splits an nginx `upstream: "<scheme>://<peer><uri>"` value into the scheme and the
/// normalised peer (`127.0.0.1:8080`, `[::1]:8080`, `unix:/run/x.sock`, group name).
///
/// The scheme, peer and socket path are a few dozen bytes: they are searched a word at a
/// time, where each `memchr` call cost more to set up than the search takes.
pub(crate) fn nginx_upstream(value: &[u8]) -> (Option<&[u8]>, Option<&[u8]>) {
    let (scheme, rest) = match find_near(value, b"://") {
        Some(i) => (Some(head(value, i)), tail(value, i + 3)),
        None => (None, value),
    };
    let end = if rest.starts_with(b"unix:") {
        word_search::find(b':', tail(rest, 5)).map_or(rest.len(), |c| c + 5)
    } else if rest.starts_with(b"[") {
        match word_search::find(b']', rest) {
            Some(close) => {
                let (_, digits) = leading_u64(tail(rest, close + 2));
                if at(rest, close + 1) == b':' && digits > 0 {
                    close + 2 + digits
                } else {
                    close + 1
                }
            }
            None => rest.len(),
        }
    } else {
        word_search::find_any([b'/', b'?'], rest).unwrap_or(rest.len())
    };
    let peer = head(rest, end);
    (
        scheme.filter(|s| !s.is_empty()),
        Some(peer).filter(|p| !p.is_empty()),
    )
}

/// Text up to the first of the given stop bytes.
fn until_any<'a>(s: &'a [u8], stops: &[u8]) -> &'a [u8] {
    let end = s.iter().position(|b| stops.contains(b)).unwrap_or(s.len());
    head(s, end)
}

/// The text inside the first `(...)` after `from`.
fn in_parens(s: &[u8]) -> Option<&[u8]> {
    let open = memchr::memchr(b'(', s)?;
    let rest = tail(s, open + 1);
    let close = memchr::memchr(b')', rest)?;
    Some(head(rest, close))
}

/// The text inside the first `"..."`.
fn in_quotes(s: &[u8]) -> Option<&[u8]> {
    let open = memchr::memchr(b'"', s)?;
    let rest = tail(s, open + 1);
    let close = memchr::memchr(b'"', rest).unwrap_or(rest.len());
    Some(head(rest, close))
}

/// Sets the record's failure; `errno` is the record's, read once per line.
fn finish<'a>(rec: &mut ErrorRecord<'a>, out: Option<Out<'a>>, errno: Option<Errno>) {
    rec.failure = out.map(|o| Failure {
        cause: o.cause,
        phase: o.phase,
        errno,
        peer: o.upstream,
        protocol: o.protocol,
        variant: o.variant,
        role: o.role,
    });
}

// ---------------------------------------------------------------------------------------
// nginx
// ---------------------------------------------------------------------------------------

/// Classifies an nginx error entry.
pub(crate) fn nginx<'a>(rec: &mut ErrorRecord<'a>, extra: &Extra<'a>) {
    let errno = match extra.known_errno {
        Some(known) => known,
        None => rec.sys_error.and_then(|e| e.errno()),
    };
    let mut out = nginx_out(rec, extra, errno);
    if let Some(o) = out.as_mut() {
        // A connect to the placeholder of a Lua-balanced upstream: the balancer had no
        // backend to offer (a Service without ready endpoints, a Kong upstream without
        // healthy targets, an APISIX upstream without nodes), whatever the OS said about
        // dialing 0.0.0.1. The balancer's own line usually comes just before.
        if o.phase == Some(Phase::Connect) && lua_placeholder(o.upstream) {
            o.cause = Cause::NoLiveUpstreams;
            o.variant = Some("no_endpoints");
            o.role = Role::Effect;
        }
        if o.protocol.is_none() {
            o.protocol = extra.stream;
        }
    }
    finish(rec, out, errno);
}

fn nginx_out<'a>(
    rec: &ErrorRecord<'a>,
    extra: &Extra<'a>,
    errno: Option<Errno>,
) -> Option<Out<'a>> {
    let msg = rec.message;
    let scan = nginx_scan(msg);
    // The parser read the phase with the action when it found a known one.
    let phase = match extra.known_phase {
        Some(phase) => phase,
        None => action_phase(rec.action),
    };
    let (scheme, peer) = rec.upstream_url.map(nginx_upstream).unwrap_or_default();
    let upstream_side = phase.is_some_and(Phase::is_upstream);
    let base = |cause: Cause| {
        let mut o = Out::new(cause, phase).peer(peer);
        o.protocol = scheme;
        o
    };
    let (stem, start, end) = match scan.stem {
        Some(s) => s,
        None => {
            if matches!(errno, Some(Errno::MFile | Errno::NFile)) {
                return Some(base(Cause::FdExhaustion));
            }
            return php_content(&scan).map(|(c, v)| base(c).variant(v));
        }
    };
    let after = tail(msg, end);
    if matches!(errno, Some(Errno::MFile | Errno::NFile)) && stem != S::FcgiStderr {
        return Some(base(Cause::FdExhaustion));
    }
    let dns = |variant: Option<&'static str>, name: Option<&'a [u8]>| {
        let mut o = Out::new(Cause::DnsResolution, phase.or(Some(Phase::Resolve))).variant(variant);
        o.upstream = name.filter(|n| !n.is_empty());
        o.protocol = scheme;
        Some(o)
    };
    Some(match stem {
        S::ConnectFailed | S::ConnectTo => {
            // `connect() to <peer> failed`: the message almost always ends there (the
            // errno, action and context split off), so the last ` failed` is its end.
            let msg_peer = (stem == S::ConnectTo)
                .then(|| {
                    after
                        .strip_suffix(b" failed")
                        .or_else(|| rfind(after, b" failed").map(|f| head(after, f)))
                })
                .flatten();
            if phase == Some(Phase::Resolve) {
                return dns(None, extra.resolver.or(msg_peer));
            }
            let mut o = base(connect_cause(errno)).phase(phase.or(Some(Phase::Connect)));
            if o.upstream.is_none() {
                o = o.peer(msg_peer);
            }
            o
        }
        S::UpstreamTimedOut => base(match phase {
            Some(Phase::Connect | Phase::TlsHandshake) => Cause::UpstreamTimeoutConnect,
            Some(Phase::SendRequest) => Cause::UpstreamTimeoutSend,
            _ => Cause::UpstreamTimeoutRead,
        }),
        S::NoLiveUpstreams => base(Cause::NoLiveUpstreams),
        S::TempDisabled => base(Cause::NoLiveUpstreams).role(Role::Context),
        S::PrematurelyClosed | S::UpstreamClosedConnection => base(Cause::UpstreamClosedEarly),
        S::PrematurelySent => base(Cause::TlsToUpstream).variant(Some("handshake")),
        S::Io => {
            if phase == Some(Phase::Resolve) {
                return dns(None, extra.resolver);
            }
            if !upstream_side {
                return Some(base(Cause::ClientAbort));
            }
            // In a tunnel (the stream module's `proxying connection`, a WebSocket's
            // `proxying upgraded connection`) both sides share the action; nginx logs the
            // client connection's errors at info and the upstream's at error
            // (`c->log_error = NGX_ERROR_INFO` in ngx_stream_init_connection and
            // ngx_http_init_connection, `u->peer.log_error = NGX_ERROR_ERR`).
            if phase == Some(Phase::Upgraded)
                && rec.level.is_some_and(|l| l >= Level::Info)
                && errno != Some(Errno::ConnRefused)
            {
                return Some(base(Cause::ClientAbort));
            }
            base(match errno {
                Some(Errno::ConnRefused) => Cause::UpstreamRefused,
                Some(Errno::HostUnreach | Errno::NetUnreach | Errno::HostDown | Errno::NetDown) => {
                    Cause::UpstreamUnreachable
                }
                Some(Errno::TimedOut) if phase == Some(Phase::SendRequest) => {
                    Cause::UpstreamTimeoutSend
                }
                Some(Errno::TimedOut) => Cause::UpstreamTimeoutRead,
                _ => Cause::UpstreamReset,
            })
        }
        S::TooBigHeader => base(Cause::HeaderTooBig),
        S::FcgiVersion => {
            if leading_u64(after) == (72, 2) {
                base(Cause::ProxyConfigError).variant(Some("fastcgi_to_http_port"))
            } else {
                base(Cause::BadUpstreamResponse)
            }
        }
        S::UpstreamRejected => base(Cause::UpstreamReset),
        S::UpstreamSentInfo => base(Cause::BadUpstreamResponse).role(Role::Context),
        S::UpstreamSent => {
            let o = base(Cause::BadUpstreamResponse);
            if msg.ends_with(b", ignored") {
                o.role(Role::Context)
            } else {
                o
            }
        }
        S::FcgiStderr => {
            let (cause, variant) = php_content(&scan)?;
            let mut o = base(cause).variant(variant);
            if o.protocol.is_none() {
                o.protocol = Some(b"fastcgi");
            }
            o
        }
        S::FcgiRecordTooBig => base(Cause::ProxyConfigError),
        S::CouldNotBeResolved => {
            let mut name = trim_end(head(msg, start));
            if let Some(of) = rfind(name, b" of ") {
                name = tail(name, of + 4);
            }
            let variant = rec.sys_error.and_then(|e| match (e.space, e.number) {
                (CodeSpace::Resolver, 3) => Some("nxdomain"),
                (CodeSpace::Resolver, 2) => Some("servfail"),
                (CodeSpace::Resolver, 5) => Some("refused"),
                (CodeSpace::Resolver, 110 | 60) => Some("timeout"),
                _ => (e.text == b"Operation timed out").then_some("timeout"),
            });
            return dns(variant, Some(name));
        }
        S::NoResolver => {
            let name = after.strip_prefix(b" ").map(|n| until_any(n, b" ,"));
            return dns(Some("no_resolver"), name);
        }
        S::DnsMisc => {
            // The resolver logs these with its own log (`r->log`, `src/core/ngx_resolver.c`):
            // never with a client. The same words in a request's line (a Lua message, say)
            // are not the resolver's.
            if rec.client.is_some() || rec.connection.is_some() {
                return php_content(&scan).map(|(c, v)| base(c).variant(v));
            }
            let name = find(msg, b"name:\"")
                .and_then(|i| in_quotes(tail(msg, i)))
                .or_else(|| rfind(msg, b" for ").map(|i| until_any(tail(msg, i + 5), b" ,")));
            let variant = rec.sys_error.and_then(|e| match e.number {
                3 => Some("nxdomain"),
                2 => Some("servfail"),
                5 => Some("refused"),
                _ => None,
            });
            return dns(variant, name);
        }
        S::HostNotFoundInUpstream => {
            let name = in_quotes(after);
            let mut o =
                Out::new(Cause::DnsResolution, Some(Phase::Resolve)).variant(Some("startup"));
            o.upstream = name.filter(|n| !n.is_empty());
            o
        }
        S::SslHandshake | S::PeerClosedSsl => {
            if !upstream_side && phase.is_some() {
                return None;
            }
            if phase.is_none() && rec.upstream_url.is_none() {
                return None;
            }
            let variant = if scan.has(D::WrongVersionNumber) {
                "wrong_version_number"
            } else if scan.has(D::CertificateVerifyFailed) {
                "certificate_verify"
            } else {
                "handshake"
            };
            base(Cause::TlsToUpstream).variant(Some(variant))
        }
        S::CertVerify => base(Cause::TlsToUpstream).variant(Some("certificate_verify")),
        S::SocketFailed => {
            if errno.is_some() {
                return None;
            }
            base(Cause::FdExhaustion)
        }
        S::WorkerConnections => base(Cause::WorkerConnections),
        S::Accept => return None,
        S::NewSocketNumber => base(Cause::FdExhaustion),
        S::ClientAbort => base(Cause::ClientAbort),
        S::LimitReq | S::LimitConn => {
            let o = base(Cause::RateLimited);
            if scan.has(D::DryRun) {
                o.variant(Some("dry_run")).role(Role::Context)
            } else {
                o
            }
        }
        S::DelayReq => base(Cause::RateLimited).role(Role::Context),
        S::BufferedUpstream | S::BufferedClient => base(Cause::BufferedToDisk),
        S::FileOp => {
            // Temporary files (`ngx_create_temp_file`, `src/core/ngx_file.c`) are named by a
            // 10-digit number in `client_body_temp_path`, `proxy_temp_path`,
            // `fastcgi_temp_path`, ... (possibly under level directories); `mkdir()` and
            // `pwrite()` failures are about those directories and files too.
            let path = in_quotes(tail(msg, start)).unwrap_or_default();
            let stem_text = tail(msg, start);
            let writes =
                !(stem_text.starts_with(b"open()") || stem_text.starts_with(b"CreateFile()"));
            let temp = writes
                || temp_file_name(path)
                || find(path, b"temp").is_some()
                || errno == Some(Errno::NoSpace)
                || phase == Some(Phase::ReadBody);
            if !temp {
                return None;
            }
            let mut o = base(Cause::BufferedToDisk).variant(Some("temp_path_error"));
            o.upstream = Some(temp_dir(path)).filter(|d| !d.is_empty());
            o
        }
        S::BrokenHeader => base(Cause::ProxyConfigError).variant(Some("proxy_protocol")),
        S::ClientProblem => return None,
        S::LuaNoPeer => {
            // ingress-nginx rootfs/etc/nginx/lua/balancer.lua `balance()`: the backend
            // (`<namespace>-<service>-<port>`) has no endpoint; nginx then dials the
            // placeholder 0.0.0.1, which logs the client-visible half.
            let name = find(after, b"balancer: ").map(|i| until_any(tail(after, i + 10), b" ,\n"));
            base(Cause::NoLiveUpstreams)
                .peer(name)
                .variant(Some("no_endpoints"))
                .role(Role::Cause)
        }
        S::LuaSettingPeer => {
            // ingress-nginx `error while setting current upstream peer <peer>: <err>`,
            // Kong `failed to set the current peer (address: <ip> port: <port>): <err>`,
            // APISIX `failed to set server peer [<host>:<port>] err: <err>`.
            let p = trim_start_space(after);
            let p = if let Some(rest) = p.strip_prefix(b"(address: ") {
                until_any(rest, b" )")
            } else {
                let p = p.strip_prefix(b"[").unwrap_or(p);
                until_any(find(p, b": ").map_or(p, |i| head(p, i)), b"] ")
            };
            base(Cause::NoLiveUpstreams).peer(Some(p)).role(Role::Cause)
        }
        // A Lua balancer with no backend to offer (the upstream's endpoints, targets or
        // nodes): the same situation as dialing the placeholder.
        S::LuaNoPeerSet => base(Cause::NoLiveUpstreams)
            .phase(Some(Phase::Connect))
            .variant(Some("no_endpoints")),
        S::BalancerNoServer => base(Cause::NoLiveUpstreams).phase(Some(Phase::Connect)),
        S::BalancerUnhealthy => base(Cause::NoLiveUpstreams).role(Role::Context),
        S::LuaBalancerError => base(Cause::ProxyConfigError).phase(Some(Phase::Connect)),
        S::LuaSocketTimeout(p) => base(match p {
            Phase::Connect => Cause::UpstreamTimeoutConnect,
            Phase::SendRequest => Cause::UpstreamTimeoutSend,
            _ => Cause::UpstreamTimeoutRead,
        })
        .phase(Some(p)),
        S::LuaDnsFailed => return dns(None, None),
        S::ConnectTunnelTimeout => {
            let peer = find(after, b"(peer:").map(|i| until_any(tail(after, i + 6), b")"));
            base(Cause::UpstreamTimeoutRead)
                .phase(Some(Phase::Upgraded))
                .peer(peer)
        }
        S::ConnectTunnelClient => base(Cause::ClientAbort).phase(Some(Phase::ReadClient)),
        S::LuaProxySelf | S::LuaConfig => base(Cause::ProxyConfigError),
        S::LuaDns => {
            let name = until_any(trim_start_space(after), b":\n ");
            return dns(None, Some(name));
        }
        S::NoActiveEndpoint => {
            let name = in_quotes(head(msg, start));
            base(Cause::NoLiveUpstreams)
                .peer(name)
                .variant(Some("no_endpoints"))
        }
        // Apache and PHP-FPM stems seen in an nginx log (e.g. raw stderr): PHP content
        // only.
        _ => {
            let (cause, variant) = php_content(&scan)?;
            base(cause).variant(variant)
        }
    })
}

fn trim_start_space(s: &[u8]) -> &[u8] {
    crate::bytes::trim_start(s)
}

/// Whether the last component of `path` is a temporary file name: ten digits.
fn temp_file_name(path: &[u8]) -> bool {
    let name = memchr::memrchr2(b'/', b'\\', path).map_or(path, |i| tail(path, i + 1));
    name.len() == 10 && name.iter().all(u8::is_ascii_digit)
}

/// The temporary directory of a temp file or level directory: the path without its
/// trailing all-digit components (`/var/lib/nginx/body/1/00/0000000001` →
/// `/var/lib/nginx/body`).
fn temp_dir(path: &[u8]) -> &[u8] {
    let mut dir = path;
    while let Some(i) = memchr::memrchr2(b'/', b'\\', dir) {
        let last = tail(dir, i + 1);
        if last.is_empty() || last.iter().all(u8::is_ascii_digit) {
            dir = head(dir, i);
        } else {
            break;
        }
    }
    dir
}

// ---------------------------------------------------------------------------------------
// Apache httpd
// ---------------------------------------------------------------------------------------

/// What the AH code of a line says, for codes whose text drifted between releases or
/// needs the code to be told apart.
fn apache_code(code: u32) -> Option<S> {
    Some(match code {
        957 | 2454 => S::AttemptConnect,
        959 => S::DisablingWorker,
        940 => S::DisabledConnection,
        941 => S::FailedAcquire,
        934 => S::AllBusy,
        1114 | 1079 | 2452 | 896 | 10101 | 866 => S::FailedMakeConnection,
        1102 => S::ErrorStatusLine,
        898 => S::ReturnedBy,
        1106 => S::BadHeader,
        10124 => S::HeaderSizeOver,
        10404 => S::ErrorReadingHeaders,
        1098..=1100 => S::BogusHeaders,
        1097 | 10154 | 1084 => S::PassBodyFailed,
        1095 | 1096 | 2608 => S::ReadRequestBody,
        1110 => S::ErrorReadingResponse,
        1071 => S::GotError,
        1067 => S::FailedReadFcgiHeader,
        1068 | 1069 | 1070 | 1072 | 2537 => S::GotBogus,
        1073 | 1074 => S::FailedWriting,
        1075 => S::ErrorDispatching,
        1170 | 1167 | 1171 => S::AllWorkersInError,
        1174 | 2460 => S::ForcingWorker,
        961 | 1961 => S::EnableSsl,
        2039 => S::CertVerification,
        2003 => S::SslProxyConnect,
        2004 | 2411 | 2005 => S::SslProxyPeer,
        484 | 286 | 161 | 10159 | 3490 | 288 => S::MaxWorkers,
        1144 => S::NoProtocolHandler,
        10292 => S::InvalidUds,
        893 | 878 | 897 | 868 => S::Ajp,
        860 => S::ScgiReadHeaders,
        858 | 10098 => S::ScgiSend,
        2453 | 952 | 935 => S::ErrorCreatingSocket,
        51 | 52 => S::ChildExitSignal,
        _ => return None,
    })
}

/// `AH01102: error reading status line from remote server <addr>`: where the address
/// starts.
static REMOTE_SERVER: LazyLock<memchr::memmem::Finder<'static>> =
    LazyLock::new(|| memchr::memmem::Finder::new(b"remote server "));

/// The text of AH01102 up to the backend's address.
const STATUS_LINE_FROM: &[u8] = b"error reading status line from remote server ";

/// The text that opens most AH00898 messages (`Error reading from remote server returned
/// by /path`), a pattern of the automaton.
const READING_FROM_REMOTE: &[u8] = b"Error reading from remote server";

/// What the automaton finds in a message that opens with [`READING_FROM_REMOTE`]: that
/// reason, at 0, and nothing else (a reason decides alone, so the scan stops there).
const READING_FROM_REMOTE_SCAN: Scan = Scan {
    stem: Some((
        S::Reason(Reason::ReadingFromRemote),
        0,
        READING_FROM_REMOTE.len(),
    )),
    reason: Some((Reason::ReadingFromRemote, 0, READING_FROM_REMOTE.len())),
    details: 0,
};

/// Lower-case protocol name for Apache's proxy function names (`HTTP`, `http`, `FCGI`).
fn apache_protocol(name: &[u8]) -> Option<&'static [u8]> {
    let mut buf = [0u8; 8];
    if name.is_empty() || name.len() > buf.len() {
        return None;
    }
    for (d, s) in buf.iter_mut().zip(name) {
        *d = s.to_ascii_lowercase();
    }
    Some(match head(&buf, name.len()) {
        b"http" => b"http",
        b"https" => b"https",
        b"ws" => b"ws",
        b"wss" => b"wss",
        b"fcgi" => b"fcgi",
        b"ajp" => b"ajp",
        b"scgi" => b"scgi",
        b"uwsgi" => b"uwsgi",
        b"ftp" => b"ftp",
        b"h2" => b"h2",
        b"h2c" => b"h2c",
        b"connect" => b"connect",
        _ => return None,
    })
}

/// The proxy function name written just before `stem_start` (`http: attempt ...`,
/// `proxy: HTTP: attempt ...`).
fn apache_fn(msg: &[u8], stem_start: usize) -> Option<&'static [u8]> {
    let before = head(msg, stem_start);
    let before = before.strip_suffix(b": ")?;
    let word_start = before.iter().rposition(|&b| b == b' ').map_or(0, |i| i + 1);
    apache_protocol(tail(before, word_start))
}

/// The step an AH01075 message (`Error dispatching request to <backend>: (<step>)`) closes
/// with: the text after its last `(`, up to a `)`. `(polling)` (mod_proxy_fcgi's `dispatch`:
/// the backend's answer timed out or failed) is the commonest, and holds no `(` after its
/// own: compared whole, the message's end gives it.
fn dispatch_step(msg: &[u8]) -> &[u8] {
    if msg.ends_with(b"(polling)") {
        return b"polling";
    }
    last_paren_step(msg)
}

/// [`dispatch_step`] of any message. The step closes the message: its `(` is a few bytes
/// from the end, found sooner from there a byte at a time than by a `memrchr` set up for it.
fn last_paren_step(msg: &[u8]) -> &[u8] {
    msg.iter()
        .rposition(|&b| b == b'(')
        .map(|i| until_any(tail(msg, i + 1), b")"))
        .unwrap_or_default()
}

/// Classifies an Apache error entry. `remote` is the `ip:port` of a `[remote ...]` part
/// (a backend connection), if the line had one.
pub(crate) fn apache<'a>(rec: &mut ErrorRecord<'a>, remote: Option<&'a [u8]>) {
    let errno = rec.sys_error.and_then(|e| e.errno());
    let out = apache_out(rec, remote, errno);
    finish(rec, out, errno);
}

fn apache_out<'a>(
    rec: &ErrorRecord<'a>,
    remote: Option<&'a [u8]>,
    errno: Option<Errno>,
) -> Option<Out<'a>> {
    let msg = rec.message;
    let code = rec.code.and_then(ah_number);
    let by_code = code.and_then(apache_code);
    // A known AH code decides on its own unless the text refines it: skip the scan.
    let scan = match by_code {
        Some(s) if !needs_details(s) => Scan::default(),
        // AH00898's commonest reason opens the message, and no other pattern starts with
        // it (a test checks), so the automaton would find it at 0 and stop there: its
        // scan is known without reading the URL that follows (which defeats the memo).
        Some(S::ReturnedBy) if msg.starts_with(READING_FROM_REMOTE) => READING_FROM_REMOTE_SCAN,
        _ => apache_scan(msg),
    };
    let (stem, start, end) = match (by_code, scan.stem) {
        (Some(s), Some((t, st, en))) if s == t => (s, st, en),
        (Some(s), _) => (s, 0, 0),
        (None, Some(t)) => t,
        (None, None) => {
            if matches!(errno, Some(Errno::MFile | Errno::NFile)) {
                return Some(Out::new(Cause::FdExhaustion, None));
            }
            return php_content(&scan).map(|(c, v)| Out::new(c, None).variant(v));
        }
    };
    let out = apache_stem(rec, remote, (stem, start, end), code, errno, &scan);
    // Out of file descriptors (EMFILE, ENFILE), whatever the message.
    if matches!(errno, Some(Errno::MFile | Errno::NFile)) {
        let mut o = out.unwrap_or(Out::new(Cause::FdExhaustion, None));
        o.cause = Cause::FdExhaustion;
        o.variant = None;
        return Some(o);
    }
    out
}

fn apache_stem<'a>(
    rec: &ErrorRecord<'a>,
    remote: Option<&'a [u8]>,
    (stem, start, end): (S, usize, usize),
    code: Option<u32>,
    errno: Option<Errno>,
    scan: &Scan,
) -> Option<Out<'a>> {
    let msg = rec.message;
    let after = tail(msg, end);
    let with_proto = |o: Out<'a>, p: Option<&'static [u8]>| {
        let mut o = o;
        o.protocol = p;
        o
    };
    // The stem position for code-classified lines comes from the text when the text
    // matches (it may not, after a wording change).
    let text_pos = |needle: &[u8]| find(msg, needle);
    Some(match stem {
        S::AttemptConnect => {
            let st = text_pos(b"attempt to connect to ").unwrap_or(start);
            let rest = tail(msg, st + b"attempt to connect to ".len());
            let (unix, rest) = match rest.strip_prefix(b"Unix domain socket ") {
                Some(r) => (true, r),
                None => (code == Some(2454), rest),
            };
            let peer = rfind(rest, b" (").map_or_else(|| until_any(rest, b" "), |i| head(rest, i));
            let mut cause = connect_cause(errno);
            if !unix && cause == Cause::SocketMissing {
                cause = Cause::UpstreamUnreachable;
            }
            with_proto(
                Out::new(cause, Some(Phase::Connect))
                    .peer(Some(peer))
                    .role(Role::Cause),
                apache_fn(msg, st),
            )
        }
        S::DisablingWorker => Out::new(Cause::NoLiveUpstreams, Some(Phase::Connect))
            .peer(in_parens(msg))
            .role(Role::Context),
        S::DisabledConnection | S::FailedAcquire => {
            let needle: &[u8] = if stem == S::DisabledConnection {
                b"disabled connection for ("
            } else {
                b"failed to acquire connection for ("
            };
            let st = text_pos(needle).unwrap_or(start);
            with_proto(
                Out::new(Cause::NoLiveUpstreams, Some(Phase::Connect))
                    .peer(in_parens(tail(msg, st)))
                    .role(Role::Cause),
                apache_fn(msg, st),
            )
        }
        S::AllBusy => Out::new(Cause::NoLiveUpstreams, Some(Phase::Connect)),
        S::FailedMakeConnection => {
            let st = text_pos(b"failed to make connection to backend").unwrap_or(start);
            let peer = split_once(tail(msg, st), b"backend: ").map(|(_, p)| trim_end(p));
            let proto = match code {
                Some(1114) => Some(&b"http"[..]),
                Some(1079) => Some(&b"fcgi"[..]),
                Some(2452) => Some(&b"ws"[..]),
                Some(896) => Some(&b"ajp"[..]),
                Some(10101) => Some(&b"uwsgi"[..]),
                Some(866) => Some(&b"scgi"[..]),
                _ => None,
            }
            .or_else(|| apache_fn(msg, st));
            with_proto(
                Out::new(Cause::UpstreamRefused, Some(Phase::Connect))
                    .peer(peer)
                    .role(Role::Effect),
                proto,
            )
        }
        S::ErrorStatusLine => {
            // A finder built once: a search from the needle's first byte stops at every
            // `r` of `error reading status line from ...` (~560 instructions a line).
            // httpd's own text has the address at a fixed place: no search for it (no
            // `remote server ` can start earlier in that opening, a test checks).
            let address = match msg.strip_prefix(STATUS_LINE_FROM) {
                Some(_) => Some(STATUS_LINE_FROM.len()),
                None => REMOTE_SERVER
                    .find(msg)
                    .map(|i| i + REMOTE_SERVER.needle().len()),
            };
            // The address ends the message: a search eight bytes at a time.
            let peer = address.map(|i| {
                let rest = tail(msg, i);
                word_search::find_any([b' ', b','], rest).map_or(rest, |end| head(rest, end))
            });
            with_proto(
                Out::new(read_cause(errno), Some(Phase::ReadHeader)).peer(peer),
                Some(b"http"),
            )
        }
        S::ReturnedBy | S::Reason(_) => {
            let (reason, rstart, rend) = match scan.reason {
                Some(r) => r,
                None => (Reason::ReadingFromRemote, 0, 0),
            };
            let reason_after = tail(msg, rend);
            let o = match reason {
                Reason::ReadingFromRemote => {
                    Out::new(Cause::UpstreamClosedEarly, Some(Phase::ReadHeader))
                }
                Reason::DnsLookup => {
                    let host = rfind(reason_after, b" returned by ")
                        .map_or(reason_after, |i| head(reason_after, i));
                    let variant = rec.sys_error.and_then(|e| match (e.space, e.number) {
                        (CodeSpace::Eai, 2 | 5) => Some("nxdomain"),
                        (CodeSpace::Eai, 3) => Some("timeout"),
                        (CodeSpace::Eai, 4) => Some("servfail"),
                        _ => None,
                    });
                    Out::new(Cause::DnsResolution, Some(Phase::Resolve))
                        .peer(Some(host))
                        .variant(variant)
                }
                Reason::Timeout100Continue => {
                    Out::new(Cause::UpstreamTimeoutRead, Some(Phase::ReadHeader))
                }
                Reason::SslHandshake => Out::new(Cause::TlsToUpstream, Some(Phase::TlsHandshake))
                    .variant(Some("handshake")),
                Reason::CorruptStatusLine | Reason::BadProtocol => {
                    Out::new(Cause::BadUpstreamResponse, Some(Phase::ReadHeader))
                }
                Reason::Blocked => Out::new(Cause::ProxyConfigError, Some(Phase::Connect)),
            };
            let _ = rstart;
            o.role(Role::Effect)
        }
        S::BadHeader => Out::new(Cause::BadUpstreamResponse, Some(Phase::ReadHeader)),
        S::HeaderSizeOver => Out::new(Cause::HeaderTooBig, Some(Phase::ReadHeader)),
        S::ErrorReadingHeaders => Out::new(read_cause(errno), Some(Phase::ReadHeader)),
        S::BogusHeaders => Out::new(Cause::BadUpstreamResponse, Some(Phase::ReadHeader)),
        S::PassBodyFailed => {
            let st = text_pos(b"body failed to ").map_or(end, |i| i + b"body failed to ".len());
            let rest = tail(msg, st);
            let peer = find(rest, b" (").map_or_else(|| until_any(rest, b" "), |i| head(rest, i));
            let cause = match errno {
                Some(e) if e.is_timeout() => Cause::UpstreamTimeoutSend,
                _ => Cause::UpstreamReset,
            };
            Out::new(cause, Some(Phase::SendRequest)).peer(Some(peer))
        }
        S::ReadRequestBody => Out::new(Cause::ClientAbort, Some(Phase::ReadClient)),
        S::ErrorReadingResponse => Out::new(read_cause(errno), Some(Phase::ReadBody)),
        S::GotError => {
            let (cause, variant) = php_content(scan)?;
            with_proto(Out::new(cause, None).variant(variant), Some(b"fcgi"))
        }
        S::FailedReadFcgiHeader => with_proto(
            Out::new(Cause::UpstreamClosedEarly, Some(Phase::ReadHeader)).role(Role::Context),
            Some(b"fcgi"),
        ),
        S::GotBogus => {
            let version72 = find(msg, b"Got bogus version ")
                .is_some_and(|i| leading_u64(tail(msg, i + 18)) == (72, 2));
            let o = if version72 {
                Out::new(Cause::ProxyConfigError, Some(Phase::ReadHeader))
                    .variant(Some("fastcgi_to_http_port"))
            } else {
                Out::new(Cause::BadUpstreamResponse, Some(Phase::ReadHeader))
            };
            with_proto(o, Some(b"fcgi"))
        }
        S::FailedWriting => with_proto(
            Out::new(Cause::UpstreamReset, Some(Phase::SendRequest)),
            Some(b"fcgi"),
        ),
        S::ErrorDispatching => {
            let step = dispatch_step(msg);
            let o = if step.starts_with(b"passing") {
                Out::new(Cause::ClientAbort, Some(Phase::SendToClient))
            } else {
                let phase = if step.starts_with(b"sending") {
                    Phase::SendRequest
                } else if step.starts_with(b"reading response body") {
                    Phase::ReadBody
                } else {
                    Phase::ReadHeader
                };
                let cause = match errno {
                    Some(e) if e.is_timeout() => Cause::UpstreamTimeoutRead,
                    _ => Cause::UpstreamClosedEarly,
                };
                Out::new(cause, Some(phase))
            };
            with_proto(o, Some(b"fcgi"))
        }
        S::AllWorkersInError => {
            let peer = find(msg, b"balancer://").map(|i| {
                let rest = tail(msg, i);
                let name_end = 11 + until_any(tail(rest, 11), b":) ,").len();
                head(rest, name_end)
            });
            Out::new(Cause::NoLiveUpstreams, Some(Phase::Connect)).peer(peer)
        }
        S::ForcingWorker => {
            let peer = find(msg, b"worker (").and_then(|i| in_parens(tail(msg, i)));
            Out::new(Cause::NoLiveUpstreams, None)
                .peer(peer)
                .role(Role::Context)
        }
        S::EnableSsl => {
            let peer = find(msg, b"support for ")
                .map(|i| until_any(tail(msg, i + 12), b" "))
                .or(remote);
            Out::new(Cause::TlsToUpstream, Some(Phase::TlsHandshake))
                .peer(peer)
                .variant(Some("handshake"))
        }
        S::CertVerification => {
            // The same text is logged for client certificates; only a backend
            // connection (`[remote ...]`) makes it an upstream failure.
            remote?;
            Out::new(Cause::TlsToUpstream, Some(Phase::TlsHandshake))
                .peer(remote)
                .variant(Some("certificate_verify"))
        }
        S::SslProxyConnect => Out::new(Cause::TlsToUpstream, Some(Phase::TlsHandshake))
            .peer(remote)
            .variant(Some("handshake")),
        S::SslProxyPeer => Out::new(Cause::TlsToUpstream, Some(Phase::TlsHandshake))
            .peer(remote)
            .variant(Some("certificate_verify")),
        S::MaxWorkers => Out::new(Cause::WorkerConnections, None),
        S::NoProtocolHandler => {
            Out::new(Cause::ProxyConfigError, None).variant(Some("missing_module"))
        }
        S::InvalidUds => Out::new(Cause::ProxyConfigError, Some(Phase::Connect)),
        // server/util_script.c: the script (CGI, mod_fcgid, SCGI) ended without headers.
        // Its cause is usually the line just before from the same thread (a mod_fcgid
        // read timeout, a PHP fatal error on stderr); alone, the process closed early.
        S::EndOfScript => {
            Out::new(Cause::UpstreamClosedEarly, Some(Phase::ReadHeader)).role(Role::Effect)
        }
        S::ScriptTimedOut => Out::new(Cause::UpstreamTimeoutRead, Some(Phase::ReadHeader)),
        S::Ajp => {
            let peer = [&b" to "[..], b" from "]
                .iter()
                .find_map(|n| find(msg, n).map(|i| tail(msg, i + n.len())))
                .map(|r| until_any(r, b" "));
            let phase = if code == Some(878) {
                Phase::ReadHeader
            } else {
                Phase::Connect
            };
            with_proto(
                Out::new(read_cause(errno), Some(phase)).peer(peer),
                Some(b"ajp"),
            )
        }
        S::ScgiReadHeaders => {
            let peer = find(msg, b"from ").map(|i| until_any(tail(msg, i + 5), b" "));
            Out::new(Cause::UpstreamClosedEarly, Some(Phase::ReadHeader)).peer(peer)
        }
        S::ScgiSend => {
            let peer = find(msg, b"data to ").map(|i| until_any(tail(msg, i + 8), b" "));
            Out::new(Cause::UpstreamReset, Some(Phase::SendRequest)).peer(peer)
        }
        S::ErrorCreatingSocket => Out::new(Cause::FdExhaustion, Some(Phase::Connect)),
        S::ChildExitSignal => Out::new(Cause::BackendCrash, None),
        S::AjpIo(phase) => {
            // 2.2: `proxy: send failed to <ip:port> (<host>)`, `proxy: read response failed
            // from ...`, `proxy: dialog to ... failed`, `proxy: AJP: request failed to ...`,
            // `cping/cpong failed to ...`.
            let peer = [&b" to "[..], b" from "]
                .iter()
                .find_map(|n| find(tail(msg, start), n).map(|i| tail(msg, start + i + n.len())))
                .map(|r| until_any(r, b" "));
            let cause = match (phase, errno) {
                (Phase::SendRequest, Some(e)) if e.is_timeout() => Cause::UpstreamTimeoutSend,
                (Phase::SendRequest, _) => Cause::UpstreamReset,
                (Phase::Connect, e) => match e {
                    Some(e) if e.is_timeout() => Cause::UpstreamTimeoutConnect,
                    e => read_cause(e),
                },
                (_, e) => read_cause(e),
            };
            with_proto(Out::new(cause, Some(phase)).peer(peer), Some(b"ajp"))
        }
        S::ProxyBlocked22 => Out::new(Cause::ProxyConfigError, Some(Phase::Connect)),
        S::SslProxySni => Out::new(Cause::TlsToUpstream, Some(Phase::TlsHandshake))
            .peer(remote)
            .variant(Some("handshake")),
        // mod_fcgid (modules/fcgid/fcgid_proc_unix.c, fcgid_proc_win.c): the FastCGI
        // process did not answer within `FcgidIOTimeout`, closed the connection, or the
        // I/O failed. These lines carry the cause; `End of script output before headers`
        // or `ap_pass_brigade failed` from the same thread follow.
        S::FcgidReadTimeout => with_proto(
            Out::new(Cause::UpstreamTimeoutRead, Some(Phase::ReadHeader))
                .variant(Some("fcgid_io_timeout"))
                .role(Role::Cause),
            Some(b"fcgi"),
        ),
        S::FcgidClosed => with_proto(
            Out::new(Cause::UpstreamClosedEarly, Some(Phase::ReadHeader)).role(Role::Cause),
            Some(b"fcgi"),
        ),
        S::FcgidReadError => {
            let cause = match errno {
                Some(e) if e.is_timeout() => Cause::UpstreamTimeoutRead,
                e => read_cause(e),
            };
            let variant = (cause == Cause::UpstreamTimeoutRead).then_some("fcgid_io_timeout");
            with_proto(
                Out::new(cause, Some(Phase::ReadHeader))
                    .variant(variant)
                    .role(Role::Cause),
                Some(b"fcgi"),
            )
        }
        S::FcgidWriteError | S::FcgidWriteTimeout => {
            let timeout = stem == S::FcgidWriteTimeout || errno.is_some_and(Errno::is_timeout);
            let cause = if timeout {
                Cause::UpstreamTimeoutSend
            } else {
                Cause::UpstreamReset
            };
            with_proto(
                Out::new(cause, Some(Phase::SendRequest)).role(Role::Cause),
                Some(b"fcgi"),
            )
        }
        S::FcgidPassBrigade => {
            // fcgid_bridge.c handle_request_ipc: passing the response on failed. Reading the
            // FastCGI process happens inside (the fcgid bucket), so a timeout there is
            // FcgidIOTimeout; with `(client aborted connection)` the client went away.
            if find(after, b"client aborted").is_some() {
                Out::new(Cause::ClientAbort, Some(Phase::SendToClient))
            } else {
                let cause = match errno {
                    Some(e) if e.is_timeout() => Cause::UpstreamTimeoutRead,
                    _ => Cause::UpstreamClosedEarly,
                };
                let variant = (cause == Cause::UpstreamTimeoutRead).then_some("fcgid_io_timeout");
                with_proto(
                    Out::new(cause, Some(Phase::ReadBody))
                        .variant(variant)
                        .role(Role::Effect),
                    Some(b"fcgi"),
                )
            }
        }
        S::FcgidNoSlot => {
            // fcgid_bridge.c: no FastCGI process could be had within the spawn wait
            // (`FcgidMaxProcesses`, `FcgidMaxProcessesPerClass` reached): 503.
            with_proto(
                Out::new(Cause::FpmPoolExhausted, Some(Phase::Connect))
                    .variant(Some("fcgid_process_slot")),
                Some(b"fcgi"),
            )
        }
        S::FcgidBusyTimeout => with_proto(
            Out::new(Cause::UpstreamTimeoutRead, Some(Phase::ReadHeader))
                .variant(Some("fcgid_busy_timeout"))
                .role(Role::Cause),
            Some(b"fcgi"),
        ),
        S::FcgidStderr => {
            let (cause, variant) = php_content(scan)?;
            with_proto(Out::new(cause, None).variant(variant), Some(b"fcgi"))
        }
        S::FcgidConnect => {
            let path = find(after, b": ").map(|i| until_any(tail(after, i + 2), b" "));
            let mut cause = connect_cause(errno);
            if cause == Cause::UpstreamUnreachable && errno.is_none() {
                cause = Cause::SocketMissing;
            }
            with_proto(
                Out::new(cause, Some(Phase::Connect)).peer(path),
                Some(b"fcgi"),
            )
        }
        S::FcgidExit => {
            // fcgid_proc_unix.c fcgid_log_procnode_exit: `mod_fcgid: process <path>(<pid>)
            // exit(<why>), get unexpected signal <n>` / `get signal <n>, possible coredump
            // generated`; idle, lifetime and stop signals are normal recycling.
            if find(after, b"unexpected signal").is_some() || find(after, b"coredump").is_some() {
                Out::new(Cause::BackendCrash, None)
            } else if find(after, b"exit(busy timeout)").is_some() {
                Out::new(Cause::UpstreamTimeoutRead, None)
                    .variant(Some("fcgid_busy_timeout"))
                    .role(Role::Context)
            } else {
                return None;
            }
        }
        S::FcgidClientRead => Out::new(Cause::ClientAbort, Some(Phase::ReadClient)),
        S::MaxChildren | S::SeemsBusy | S::MaxProcesses => Out::new(Cause::FpmPoolExhausted, None),
        // nginx-only stems seen in an Apache log, and PHP text (mod_php): PHP content.
        _ => {
            let _ = after;
            let (cause, variant) = php_content(scan)?;
            Out::new(cause, None).variant(variant)
        }
    })
}

// ---------------------------------------------------------------------------------------
// PHP-FPM
// ---------------------------------------------------------------------------------------

/// Classifies a PHP-FPM log entry; sets `pid` to the child's pid for `child N` lines.
pub(crate) fn fpm<'a>(rec: &mut ErrorRecord<'a>) {
    let msg = rec.message;
    // `child <pid>` opens most messages: found there without a search, and its digits
    // counted once for the scan too.
    let child = if msg.starts_with(b"child ") {
        Some(0)
    } else {
        find_near(msg, b"child ")
    };
    let mut opening_pid_digits = 0;
    if let Some(i) = child {
        let (pid, n) = leading_u64(tail(msg, i + 6));
        if n > 0 && matches!(at(msg, i + 6 + n), b',' | b' ') {
            rec.pid = u32::try_from(pid).ok().or(rec.pid);
        }
        if i == 0 {
            opening_pid_digits = n;
        }
    }
    let errno = rec.sys_error.and_then(|e| e.errno());
    let out = fpm_out(rec, errno, opening_pid_digits);
    finish(rec, out, errno);
}

/// What the automaton finds in an FPM message, read from the shapes php-fpm writes
/// (`sapi/fpm/fpm/fpm_children.c`, `fpm_process_ctl.c`, `fpm_request.c`, `fpm_stdio.c`)
/// where the shape decides it, so that the automaton reads only the texts that vary (a
/// script, a request, what a child said) and the memo serves the repeated ones. Every
/// shortcut gives the automaton's own answer over the whole message: the tests hold the
/// fixed texts to it and compare this against [`scan_text`] over real and mutated lines.
/// `pid_digits`: how many digits follow the `child ` that opens `msg` (0 if none does).
fn scan_fpm(msg: &[u8], pid_digits: usize) -> Scan {
    if let Some(known) = opening_stem(msg) {
        return known;
    }
    // `child <pid>...`: no pattern can start inside `child <pid>` (none starts with a digit
    // or with the end of `child `, which a test checks), so the automaton reads from the
    // byte after the pid.
    let digits = pid_digits;
    if digits == 0 {
        return scan(msg);
    }
    let skip = b"child ".len() + digits;
    let after_pid = tail(msg, skip);
    if after_pid.starts_with(EXITED_ON_SIGNAL) {
        // `exited on signal ` right after the space decides alone, and no other pattern can
        // match from the space or extend it (a test checks): known without reading the
        // varying rest.
        return stem_scan(S::ExitedOnSignal, skip + 1, skip + EXITED_ON_SIGNAL.len());
    }
    let shaped =
        if after_pid.starts_with(SAID_INTO_STDERR) || after_pid.starts_with(SAID_INTO_STDOUT) {
            said_into(msg, skip + SAID_INTO_STDERR.len())
        } else if after_pid.starts_with(SCRIPT_OPEN) {
            request_line(msg, skip + SCRIPT_OPEN.len())
        } else {
            None
        };
    shaped.unwrap_or_else(|| shifted(scan(after_pid), skip))
}

/// A scan that found `stem` at `start..end` and nothing before it.
fn stem_scan(stem: S, start: usize, end: usize) -> Scan {
    Scan {
        stem: Some((stem, start, end)),
        reason: None,
        details: 0,
    }
}

/// `found`, a scan of the text from `by` on, placed in the whole message.
fn shifted(mut found: Scan, by: usize) -> Scan {
    if let Some((_, start, end)) = found.stem.as_mut() {
        *start += by;
        *end += by;
    }
    if let Some((_, start, end)) = found.reason.as_mut() {
        *start += by;
        *end += by;
    }
    found
}

/// Messages the pool manager writes (`fpm_process_ctl.c`), whose opening text holds the
/// first match and decides alone: the scan is known from the opening (tests check that no
/// pattern starts earlier in it or extends its stem).
fn opening_stem(msg: &[u8]) -> Option<Scan> {
    let (opening, stem) = match at(msg, 0) {
        b's' if msg.starts_with(SEEMS_BUSY) => (SEEMS_BUSY, S::SeemsBusy),
        b's' if msg.starts_with(REACHED_MAX_CHILDREN) => (REACHED_MAX_CHILDREN, S::MaxChildren),
        _ => return None,
    };
    let stem_len = match stem {
        S::MaxChildren => MAX_CHILDREN.len(),
        _ => opening.len(),
    };
    Some(stem_scan(stem, opening.len() - stem_len, opening.len()))
}

/// `seems busy (you may need to increase pm.start_servers, ...`: the pattern itself.
const SEEMS_BUSY: &[u8] = b"seems busy (you may need to increase";
/// `server reached pm.max_children setting (N), consider raising it`, up to its stem's end.
const REACHED_MAX_CHILDREN: &[u8] = b"server reached pm.max_children setting";
/// The stem inside [`REACHED_MAX_CHILDREN`], at its end.
const MAX_CHILDREN: &[u8] = b"max_children setting";

/// `child <pid> exited on signal N (SIG...) after N seconds from start`: after the pid.
const EXITED_ON_SIGNAL: &[u8] = b" exited on signal ";
/// `child <pid> said into stderr: "<what the child wrote>"`: after the pid (`fpm_stdio.c`).
const SAID_INTO_STDERR: &[u8] = b" said into stderr: ";
/// The same for stdout, as long.
const SAID_INTO_STDOUT: &[u8] = b" said into stdout: ";

/// `child <pid> said into stderr: ` ending at `end`: the stem is known, and what the
/// automaton finds after it (it goes on reading for details) is the scan of the child's
/// text alone, as the match ends where that text begins. `None` when that text's own scan
/// stopped at a stem that decides alone, which the whole scan reads past.
fn said_into(msg: &[u8], end: usize) -> Option<Scan> {
    let said = scan(tail(msg, end));
    if said.stem.is_some_and(|(s, _, _)| !needs_details(s)) {
        return None;
    }
    let said = shifted(said, end);
    Some(Scan {
        stem: Some((S::SaidInto, end - (SAID_INTO_STDERR.len() - 1), end)),
        reason: said.reason,
        details: said.details,
    })
}

/// `child <pid>, script '`: after the pid (`fpm_request.c`).
const SCRIPT_OPEN: &[u8] = b", script '";
/// Between the script's closing quote and the request.
const REQUEST_OPEN: &[u8] = b" (request: \"";
/// After the request's closing quote: `) execution timed out (N sec), terminating`, its stem
/// from the third byte.
const TIMED_OUT: &[u8] = b") execution timed out";
/// `) executing too slow (N sec), logging`, likewise.
const TOO_SLOW: &[u8] = b") executing too slow";
/// Where the stem starts in [`TIMED_OUT`] and [`TOO_SLOW`].
const REQUEST_STEM_AT: usize = 2;

/// `child <pid>, script '<script>' (request: "<request>") execution timed out (...` (or
/// `executing too slow`), the script starting at `script_start`: the automaton reads the
/// script with its closing quote and the request with its closing quote; the fixed texts
/// between and after them hold no match and no match can cross into them (tests check),
/// so when neither holds a stem, the first stem is the timeout's. `None` for another
/// shape or a stem in the script or request (read by the whole scan).
fn request_line(msg: &[u8], script_start: usize) -> Option<Scan> {
    let body = tail(msg, script_start);
    // The script with its closing quote, up to the first `' (request: "` (any occurrence
    // splits the text the same way for the automaton).
    let script_len = find(body, b"' (request: \"")? + 1;
    let script = head(body, script_len);
    let request_start = script_len + REQUEST_OPEN.len();
    let request_body = tail(body, request_start);
    let close = find(request_body, b"\") execut")? + 1;
    let closing = tail(request_body, close);
    let (stem, stem_text) = if closing.starts_with(TIMED_OUT) {
        (S::ExecTimedOut, TIMED_OUT)
    } else if closing.starts_with(TOO_SLOW) {
        (S::TooSlow, TOO_SLOW)
    } else {
        return None;
    };
    let (in_script, in_request) = (scan(script), scan(head(request_body, close)));
    if in_script.stem.is_some() || in_request.stem.is_some() {
        return None;
    }
    let at_close = script_start + request_start + close;
    Some(Scan {
        stem: Some((stem, at_close + REQUEST_STEM_AT, at_close + stem_text.len())),
        reason: None,
        details: in_script.details | in_request.details,
    })
}

fn fpm_out<'a>(rec: &ErrorRecord<'a>, errno: Option<Errno>, pid_digits: usize) -> Option<Out<'a>> {
    let msg = rec.message;
    let scan = scan_fpm(msg, pid_digits);
    let (stem, _start, end) = match scan.stem {
        Some(s) => s,
        None => return php_content(&scan).map(|(c, v)| Out::new(c, None).variant(v)),
    };
    let after = tail(msg, end);
    Some(match stem {
        S::MaxChildren | S::MaxProcesses => Out::new(Cause::FpmPoolExhausted, None),
        S::SeemsBusy => Out::new(Cause::FpmPoolExhausted, None).role(Role::Context),
        S::ExecTimedOut => {
            Out::new(Cause::PhpTimeout, None).variant(Some("request_terminate_timeout"))
        }
        S::TooSlow => Out::new(Cause::PhpTimeout, None).role(Role::Context),
        S::ExitedOnSignal => {
            let (signal, _) = leading_u64(after);
            let named = |n: &[u8]| find(after, n).is_some();
            if signal == 15 || named(b"(SIGTERM)") {
                Out::new(Cause::PhpTimeout, None)
                    .variant(Some("request_terminate_timeout"))
                    .role(Role::Effect)
            } else if signal == 3 || named(b"(SIGQUIT)") {
                return None;
            } else {
                Out::new(Cause::BackendCrash, None)
            }
        }
        S::ExitedWithCode => {
            let (code, n) = leading_u64(after);
            if n == 0 || code == 0 {
                return None;
            }
            Out::new(Cause::BackendCrash, None)
        }
        S::FailedThreshold => Out::new(Cause::BackendCrash, None),
        S::SaidInto => {
            let (cause, variant) = php_content(&scan)?;
            Out::new(cause, None).variant(variant)
        }
        S::UnableToBind => {
            let addr = memchr::memchr(b'\'', after).map(|i| until_any(tail(after, i + 1), b"'"));
            let unix = addr.is_some_and(|a| a.first() == Some(&b'/'));
            let cause = if unix || errno == Some(Errno::NoEnt) {
                Cause::SocketMissing
            } else {
                Cause::UpstreamRefused
            };
            Out::new(cause, None).peer(addr)
        }
        _ => {
            let (cause, variant) = php_content(&scan)?;
            Out::new(cause, None).variant(variant)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::Strategy as _;

    #[test]
    fn common_nginx_messages_scan_as_the_automaton_reads_them() {
        for (i, message) in COMMON_NGINX_MESSAGES.iter().enumerate() {
            let found = common_nginx_scan(message);
            assert_eq!(found, Some(nfa_scan(message)), "{message:?}");
            assert!(found.is_some_and(|s| s.stem.is_some()), "{message:?}");
            assert_eq!(
                COMMON_NGINX_MESSAGES.iter().position(|m| m == message),
                Some(i)
            );
            assert_eq!(common_nginx_scan(&message[1..]), None);
            assert_eq!(common_nginx_scan(&[message, &b" "[..]].concat()), None);
        }
    }

    /// Any one of the automaton's patterns, for the proptests.
    fn any_pattern() -> impl proptest::strategy::Strategy<Value = &'static str> {
        proptest::sample::select(PATTERNS.iter().map(|p| p.0).collect::<Vec<_>>())
    }

    /// [`scan_fpm`] of a message alone, counting its opening pid's digits as `fpm` does.
    pub(super) fn scan_fpm_alone(msg: &[u8]) -> Scan {
        let digits = msg
            .strip_prefix(b"child ")
            .map_or(0, |rest| leading_u64(rest).1);
        scan_fpm(msg, digits)
    }

    #[test]
    fn the_automaton_builds() {
        assert!(NFA.is_some());
        assert!(DFA.is_some());
        assert!(PATTERNS.len() > 100);
    }

    #[test]
    fn both_automata_scan_alike() {
        // Every pattern alone, inside text, after another and cut short: the two kinds
        // must agree on every match, as a thread switches from one to the other mid-run.
        let (Some(nfa), Some(dfa)) = (NFA.as_ref(), DFA.as_ref()) else {
            panic!("an automaton did not build");
        };
        let mut texts: Vec<Vec<u8>> = Vec::new();
        for (i, (pattern, _)) in PATTERNS.iter().enumerate() {
            let p = pattern.as_bytes();
            let (next, _) = PATTERNS[(i * 7 + 3) % PATTERNS.len()];
            texts.push(p.to_vec());
            texts.push([b"x ", p, b" y"].concat());
            texts.push([p, b": ", next.as_bytes()].concat());
            texts.push([next.as_bytes(), b" ", p].concat());
            texts.push(p[..p.len() / 2].to_vec());
        }
        for text in &texts {
            assert_eq!(
                scan_with(nfa, text),
                scan_with(dfa, text),
                "{}",
                String::from_utf8_lossy(text)
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn both_automata_scan_any_text_alike(
            text in proptest::collection::vec(
                proptest::prop_oneof![
                    any_pattern()
                        .prop_map(|p| p.as_bytes().to_vec()),
                    proptest::collection::vec(proptest::num::u8::ANY, 0..8),
                    // A pattern cut short: an opening without its match.
                    any_pattern()
                        .prop_map(|p| p.as_bytes()[..p.len() - 1].to_vec()),
                ],
                0..6,
            )
        ) {
            let (Some(nfa), Some(dfa)) = (NFA.as_ref(), DFA.as_ref()) else {
                panic!("an automaton did not build");
            };
            let text = text.concat();
            proptest::prop_assert_eq!(scan_with(nfa, &text), scan_with(dfa, &text));
            // And the NFA from the first four-byte opening, as `scan_text` runs it.
            proptest::prop_assert_eq!(nfa_scan(&text), scan_with(nfa, &text));
        }
    }

    #[test]
    fn the_first_child_is_the_first_search_hit() {
        for msg in [
            &b"seems busy (you may need to increase pm.start_servers, or pm.min/max_spare_servers), spawning 8 children, there are 0 idle, and 40 total children"[..],
            b"failed to kill child 12 (pid 3)",
            b"cchild child 5",
            b"child",
            b"",
            b"c",
            b"xx child 1 child 2",
        ] {
            assert_eq!(find_near(msg, b"child "), find(msg, b"child "), "{}", String::from_utf8_lossy(msg));
        }
    }

    proptest::proptest! {
        #[test]
        fn the_first_child_is_the_first_search_hit_in_any_text(
            text in proptest::collection::vec(proptest::sample::select(&b"child 5,xc"[..]), 0..40)
        ) {
            proptest::prop_assert_eq!(find_near(&text, b"child "), find(&text, b"child "));
        }
    }

    #[test]
    fn every_pattern_has_a_four_byte_opening() {
        // What `first_opening` relies on (a shorter one would turn it off).
        for (pattern, _) in PATTERNS {
            assert!(pattern.len() >= 4, "{pattern}");
        }
        assert!(OPENINGS.iter().any(|w| *w != u64::MAX));
    }

    #[test]
    fn the_nfa_from_the_first_opening_scans_as_the_nfa() {
        let Some(nfa) = NFA.as_ref() else {
            panic!("the NFA did not build");
        };
        for (i, (pattern, _)) in PATTERNS.iter().enumerate() {
            let p = pattern.as_bytes();
            let (next, _) = PATTERNS[(i * 11 + 5) % PATTERNS.len()];
            for text in [
                p.to_vec(),
                [b"GET /product/12-blue-widget.php\" ", p, b" y"].concat(),
                [p, b": ", next.as_bytes()].concat(),
                [&p[..p.len() / 2], next.as_bytes()].concat(),
                p[1..].to_vec(),
            ] {
                assert_eq!(
                    nfa_scan(&text),
                    scan_with(nfa, &text),
                    "{}",
                    String::from_utf8_lossy(&text)
                );
            }
        }
        assert_eq!(
            nfa_scan(b"GET /product/12-blue-widget.php\""),
            Scan::default()
        );
        assert_eq!(nfa_scan(b""), Scan::default());
    }

    #[test]
    fn the_known_exited_on_signal_scan_is_the_automatons() {
        let stem = &EXITED_ON_SIGNAL[1..];
        for (pattern, _) in PATTERNS {
            let p = pattern.as_bytes();
            if p == stem {
                continue;
            }
            assert!(
                !p.starts_with(stem) && !p.starts_with(EXITED_ON_SIGNAL),
                "{pattern}"
            );
            assert!(!EXITED_ON_SIGNAL.starts_with(p), "{pattern}");
        }
        for msg in [
            &b"child 20021 exited on signal 15 (SIGTERM) after 4357.565445 seconds from start"[..],
            b"child 7 exited on signal 9 (SIGKILL) after 1.000000 seconds from start",
            b"child 7 exited on signal 11 (SIGSEGV - core dumped) after 2 seconds from start",
        ] {
            let skip = msg.iter().position(|&b| b == b' ').unwrap() + 1;
            let skip = skip + msg[skip..].iter().position(|&b| b == b' ').unwrap();
            let mut whole = scan_text(&msg[skip..]);
            if let Some((_, start, end)) = whole.stem.as_mut() {
                *start += skip;
                *end += skip;
            }
            let known = scan_fpm_alone(msg);
            assert_eq!(known.stem, whole.stem);
            assert_eq!(known.reason.map(|r| r.0), whole.reason.map(|r| r.0));
            assert_eq!(known.details, whole.details);
            assert_eq!(known.stem, scan_text(msg).stem);
        }
    }

    #[test]
    fn the_polling_step_is_the_last_parens() {
        for msg in [
            &b"Error dispatching request to : (polling)"[..],
            b"Error dispatching request to :19165: (polling)",
            b"Error dispatching request to : (sending request) (polling)",
            b"Error dispatching request to : (polling",
            b"(polling)",
            b"Error dispatching request to : (passing brigade to output filters)",
        ] {
            assert_eq!(dispatch_step(msg), last_paren_step(msg), "{msg:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn the_dispatch_step_is_the_last_parens_of_any_message(
            text in "[a-z :()]{0,12}(\\(polling\\)|polling\\)|\\(polling)?",
        ) {
            let msg = text.as_bytes();
            proptest::prop_assert_eq!(dispatch_step(msg), last_paren_step(msg));
        }
    }

    #[test]
    fn the_known_ah00898_scan_is_the_automatons() {
        // What `apache_out` relies on: no other pattern starts with the text (it would be
        // a longer leftmost match) and the scan of messages that open with it is the
        // constant, whatever follows.
        for (pattern, _) in PATTERNS {
            let p = pattern.as_bytes();
            assert!(
                p == READING_FROM_REMOTE || !p.starts_with(READING_FROM_REMOTE),
                "{pattern}"
            );
        }
        for msg in [
            &b"Error reading from remote server returned by /api/orders/1341/status"[..],
            b"Error reading from remote server",
            b"Error reading from remote server returned by /x, referer: DNS lookup failure for: a",
            b"Error reading from remote serverTimeout on 100-Continue",
        ] {
            let s = scan_text(msg);
            assert_eq!(s.stem, READING_FROM_REMOTE_SCAN.stem);
            assert_eq!(s.reason, READING_FROM_REMOTE_SCAN.reason);
            assert_eq!(s.details, READING_FROM_REMOTE_SCAN.details);
        }
    }

    /// Whether the automaton could match `pattern` against text that reads `text` from
    /// where the match starts (whatever follows `text`).
    fn compatible(pattern: &[u8], text: &[u8]) -> bool {
        pattern.starts_with(text) || text.starts_with(pattern)
    }

    /// No pattern starts in `fixed` before `upto` (a match there would come first).
    fn no_match_starts_in(fixed: &[u8], upto: usize) {
        for (pattern, _) in PATTERNS {
            for i in 0..upto {
                assert!(
                    !compatible(pattern.as_bytes(), &fixed[i..]),
                    "{pattern} at {i} of {}",
                    String::from_utf8_lossy(fixed)
                );
            }
        }
    }

    /// No pattern starts in any text ending with `left_end` and goes on into `fixed`:
    /// the automaton's matches in that text are those of the text alone.
    fn no_match_crosses_into(left_end: &[u8], fixed: &[u8]) {
        for (pattern, _) in PATTERNS {
            let p = pattern.as_bytes();
            for k in 1..p.len() {
                let (before, after) = p.split_at(k);
                if before.ends_with(left_end) || left_end.ends_with(before) {
                    assert!(
                        !compatible(after, fixed),
                        "{pattern} across {}",
                        String::from_utf8_lossy(fixed)
                    );
                }
            }
        }
    }

    /// `fixed[at..]` is a pattern of `stem`, the automaton's first match in any text that
    /// starts with `fixed`: none starts before it and none that starts with it is longer.
    fn stem_decides(fixed: &[u8], at: usize, stem: S) {
        no_match_starts_in(fixed, at);
        let (text, stems): (Vec<&str>, Vec<Hit>) = PATTERNS
            .iter()
            .filter(|(p, _)| compatible(p.as_bytes(), &fixed[at..]))
            .copied()
            .unzip();
        assert_eq!(text, [std::str::from_utf8(&fixed[at..]).unwrap()]);
        assert!(matches!(stems[..], [Hit::S(s)] if s == stem));
    }

    #[test]
    fn the_fixed_fpm_texts_decide_as_the_automaton_does() {
        stem_decides(SEEMS_BUSY, 0, S::SeemsBusy);
        stem_decides(
            REACHED_MAX_CHILDREN,
            REACHED_MAX_CHILDREN.len() - MAX_CHILDREN.len(),
            S::MaxChildren,
        );
        assert!(!needs_details(S::SeemsBusy) && !needs_details(S::MaxChildren));
        stem_decides(SAID_INTO_STDERR, 1, S::SaidInto);
        stem_decides(SAID_INTO_STDOUT, 1, S::SaidInto);
        assert_eq!(SAID_INTO_STDERR.len(), SAID_INTO_STDOUT.len());
        no_match_starts_in(SCRIPT_OPEN, SCRIPT_OPEN.len());
        no_match_crosses_into(b"'", REQUEST_OPEN);
        no_match_starts_in(REQUEST_OPEN, REQUEST_OPEN.len());
        for (closing, stem) in [(TIMED_OUT, S::ExecTimedOut), (TOO_SLOW, S::TooSlow)] {
            no_match_crosses_into(b"\"", closing);
            stem_decides(closing, REQUEST_STEM_AT, stem);
            assert!(!needs_details(stem));
        }
    }

    /// php-fpm's own lines (`sapi/fpm/fpm/*.c`) and the generated bench's, as messages.
    const FPM_MESSAGES: &[&str] = &[
        "child 20024 exited on signal 9 (SIGKILL) after 4313.000000 seconds from start",
        "child 20005 started",
        "child 20045 said into stderr: \"NOTICE: PHP message: PHP Warning:  Undefined array key \"timeout\" in /var/www/shop/src/Cart.php on line 3\"",
        "child 20045 said into stderr: \"NOTICE: PHP message: PHP Fatal error:  Uncaught Error: Call to undefined function render_cart_widget() in /var/www/shop/templates/cart.php:4\"",
        "child 20015 said into stderr: \"Stack trace:\"",
        "child 20015 said into stderr: \"#0 {main}\"",
        "child 20015 said into stderr: \"  thrown in /var/www/shop/templates/cart.php on line 4\"",
        "child 12 said into stdout: \"ERROR: Connection disallowed: IP address '10.0.0.3' has been dropped.\"",
        "child 12 said into stderr: \"upstream timed out\", pipe is closed",
        "child 20021, script '/var/www/shop/public/index.php' (request: \"GET /product/0-blue-widget.php\") execution timed out (60.127971 sec), terminating",
        "child 20021, script '/var/www/shop/public/index.php' (request: \"POST /index.php?page=1\") executing too slow (5.100000 sec), logging",
        "child 20021, script '/x/Uncaught .php' (request: \"GET /connect() failed\") execution timed out (1.0 sec), terminating",
        "child 20021, script '/x/Got error' (request: \"GET /open() \") execution timed out (1.0 sec), terminating",
        "child 20021, script '/x' (request: \"GET /\") execution timed out (1.0 sec), terminating: PHP Fatal error",
        "child 7 exited with code 1 after 2.000000 seconds from start",
        "seems busy (you may need to increase pm.start_servers, or pm.min/max_spare_servers), spawning 8 children, there are 0 idle, and 40 total children",
        "server reached pm.max_children setting (50), consider raising it",
        "server reached max_children setting (5), consider raising it",
        "failed processes threshold (10 in 60 sec) is reached, initiating reload",
        "unable to bind listening socket for address '127.0.0.1:9000'",
        "fpm is running, pid 31736",
    ];

    /// Bytes that open, close or extend the shapes `scan_fpm` reads, for the mutations.
    const FPM_SPECIALS: &[u8] = b"'\"() :,.0123456789 child said script request execution";

    #[test]
    fn fpm_shapes_scan_as_the_whole_message() {
        for msg in FPM_MESSAGES {
            let msg = msg.as_bytes();
            assert_eq!(
                scan_fpm_alone(msg),
                scan_text(msg),
                "{}",
                String::from_utf8_lossy(msg)
            );
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4000))]

        /// The shapes' shortcuts give the whole scan's answer on damaged lines and on
        /// scripts, requests and children's texts that hold patterns.
        #[test]
        fn mutated_fpm_shapes_scan_as_the_whole_message(
            base in proptest::sample::select(FPM_MESSAGES),
            inserted in any_pattern(),
            at in proptest::prelude::any::<proptest::sample::Index>(),
            edits in proptest::collection::vec(
                (proptest::prelude::any::<proptest::sample::Index>(), proptest::num::u8::ANY, 0..4u8),
                0..6,
            ),
        ) {
            let mut msg = base.as_bytes().to_vec();
            if at.index(4) == 0 {
                let i = at.index(msg.len());
                msg.splice(i..i, inserted.bytes());
            }
            let msg = crate::test_support::mutate(&msg, &edits, FPM_SPECIALS);
            proptest::prop_assert_eq!(scan_fpm_alone(&msg), scan_text(&msg));
        }
    }

    #[test]
    fn no_pattern_starts_inside_a_child_prefix() {
        // What `scan_fpm` relies on: a match that started inside `child <pid>` would be
        // missed when the automaton reads from the byte after the pid.
        for (pattern, _) in PATTERNS {
            let p = pattern.as_bytes();
            assert!(!p[0].is_ascii_digit(), "{pattern}");
            for digit in b'0'..=b'9' {
                let prefix = [b'c', b'h', b'i', b'l', b'd', b' ', digit];
                for j in 0..prefix.len() {
                    let suffix = &prefix[j..];
                    assert!(
                        !p.starts_with(suffix) && !suffix.starts_with(p),
                        "{pattern}"
                    );
                }
            }
        }
        let msg = b"child 20045 said into stderr: \"NOTICE: PHP message: PHP Fatal error:  Uncaught Exception\"";
        let (whole, skipped) = (scan_text(msg), scan_fpm_alone(msg));
        assert_eq!(whole.stem, skipped.stem);
        assert_eq!(whole.details, skipped.details);
        assert_eq!(skipped.stem.map(|s| s.0), Some(S::SaidInto));
    }

    /// The stem, the details when read whole, and the PHP content of a scan.
    type NginxView = (
        Option<(S, usize, usize)>,
        Option<u32>,
        Option<(Cause, Option<&'static str>)>,
    );

    /// What [`nginx_out`] reads of a scan: the stem, and for a PHP stem only its
    /// [`php_content`] (the details of any other stem, or of none, are read whole).
    fn nginx_view(found: &Scan) -> NginxView {
        match found.stem {
            Some((stem, ..)) if php_stem(stem) => (found.stem, None, php_content(found)),
            _ => (found.stem, Some(found.details), php_content(found)),
        }
    }

    /// The settled scan reads as the whole scan, with both automata and as `nginx_scan`
    /// runs it (a long text), for `text`.
    fn assert_settled_reads_as_whole(text: &[u8]) {
        let (Some(nfa), Some(dfa)) = (NFA.as_ref(), DFA.as_ref()) else {
            panic!("an automaton did not build");
        };
        let whole = scan_with(nfa, text);
        let shown = String::from_utf8_lossy(text);
        assert_eq!(
            nginx_view(&scan_with_settled(nfa, text, settle_php)),
            nginx_view(&whole),
            "{shown}"
        );
        assert_eq!(
            nginx_view(&scan_with_settled(dfa, text, settle_php)),
            nginx_view(&whole),
            "{shown}"
        );
        assert_eq!(
            nginx_view(&nfa_scan_settled(text, settle_php)),
            nginx_view(&whole),
            "{shown}"
        );
        if text.len() > MEMO_MAX {
            assert_eq!(nginx_view(&nginx_scan(text)), nginx_view(&whole), "{shown}");
        }
    }

    #[test]
    fn pending_details_are_all_that_can_change_the_php_content() {
        // Every set of details so far and every set the rest of a message could add.
        let all = 1u32 << (D::DryRun as u32 + 1);
        for so_far in 0..all {
            let pending = php_pending(so_far);
            assert_eq!(pending & !PHP_PENDABLE, 0, "{so_far:b}");
            for later in 0..all {
                let with = |details| Scan {
                    stem: None,
                    reason: None,
                    details,
                };
                assert_eq!(
                    php_content(&with(so_far | later)),
                    php_content(&with(so_far | (later & pending))),
                    "{so_far:b} {later:b}"
                );
            }
        }
    }

    #[test]
    fn the_tail_searched_details_are_pendable_and_unhidden() {
        // A match hides a later text only by overlapping it: no pattern can hide the
        // patterns of the details searched for alone.
        assert_eq!(TAIL_SEARCHED & !PHP_PENDABLE, 0);
        for (detail, hit) in PATTERNS {
            let Hit::D(d) = hit else { continue };
            if TAIL_SEARCHED & (1 << *d as u32) == 0 {
                continue;
            }
            for (pattern, _) in PATTERNS {
                assert!(
                    !can_hide(pattern.as_bytes(), detail.as_bytes()),
                    "{pattern} hides {detail}"
                );
            }
        }
        // Those a fatal error's outcome waits for are among them: its scan stops at
        // `Uncaught`.
        for d in [
            D::MaxExecutionTime,
            D::AllowedMemory,
            D::PhpParse,
            D::Uncaught,
        ] {
            assert!(TAIL_SEARCHED & (1 << d as u32) != 0, "{d:?}");
        }
        // What `can_hide` sees: an overlap at the end, a text held whole.
        assert!(can_hide(b"does not match", b"has been denied"));
        assert!(can_hide(b"xx PHP Parse error", b"PHP Parse"));
        assert!(!can_hide(b"PHP Parse", b"PHP Parse"));
        assert!(!can_hide(b"abc", b"xyz"));
    }

    #[test]
    fn a_settled_scan_reads_as_the_whole_scan() {
        let trace = b"\nStack trace:\n#0 /var/www/shop/src/Checkout.php(88): PaymentGateway->charge(2470)\n#1 /var/www/shop/public/index.php(10): checkout(Object(PaymentGateway), Array)\n#2 {main}\n  thrown in /var/www/shop/src/Payment/Gateway.php on line 42";
        let details: Vec<&[u8]> = PATTERNS
            .iter()
            .filter(|(_, hit)| matches!(hit, Hit::D(_)))
            .map(|(p, _)| p.as_bytes())
            .collect();
        let stems = [
            &b"FastCGI sent in stderr: \"PHP message: "[..],
            b"mod_fcgid: stderr: ",
            b"child 12 said into stderr: \"",
            b"Got error '",
            b"connect() failed (111: Connection refused) ",
            b"SSL_do_handshake() failed ",
            b"limiting requests",
            b"",
        ];
        for stem in stems {
            for (i, first) in details.iter().enumerate() {
                for later in details.iter().skip(i) {
                    for text in [
                        [stem, first, b":  Uncaught x", trace, later, b"\""].concat(),
                        [stem, b"PHP Fatal error:  ", first, trace, trace, later].concat(),
                        [stem, first, later].concat(),
                        [stem, b"x", trace, first, b" ", later, trace].concat(),
                    ] {
                        assert_settled_reads_as_whole(&text);
                    }
                }
            }
        }
    }

    #[test]
    fn settled_scans_of_the_fixture_corpus_read_as_whole_scans() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
        let mut dirs = vec![root];
        let mut lines = 0;
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "log") {
                    let bytes = std::fs::read(&path).unwrap_or_default();
                    for line in bytes.split(|&b| b == b'\n') {
                        assert_settled_reads_as_whole(line);
                        // As a PHP message with its stack trace after it.
                        assert_settled_reads_as_whole(
                            &[
                                b"FastCGI sent in stderr: \"PHP message: ",
                                line,
                                b"\nStack trace:\n#0 {main}",
                            ]
                            .concat(),
                        );
                        lines += 1;
                    }
                }
            }
        }
        // Without the corpus (a packaged crate) there is nothing to read.
        assert!(lines == 0 || lines > 1000, "{lines}");
    }

    proptest::proptest! {
        #[test]
        fn a_settled_scan_reads_as_the_whole_scan_of_any_text(
            text in proptest::collection::vec(
                proptest::prop_oneof![
                    any_pattern()
                        .prop_map(|p| p.as_bytes().to_vec()),
                    proptest::sample::select(vec![
                        "FastCGI sent in stderr: \"", "PHP Fatal error", "Uncaught ",
                        "Maximum execution time of", "Allowed memory size of", "PHP Parse error",
                        "\nStack trace:\n#0 {main}\n  thrown in /var/www/a.php on line 4",
                    ])
                        .prop_map(|p| p.as_bytes().to_vec()),
                    proptest::collection::vec(proptest::num::u8::ANY, 0..8),
                    // A pattern cut short, at either end.
                    any_pattern()
                        .prop_map(|p| p.as_bytes()[..p.len() - 1].to_vec()),
                    any_pattern()
                        .prop_map(|p| p.as_bytes()[1..].to_vec()),
                ],
                0..12,
            )
        ) {
            assert_settled_reads_as_whole(&text.concat());
        }
    }

    #[test]
    fn status_line_address_is_where_the_search_finds_it() {
        // The first `remote server ` of AH01102's opening is the one that ends it.
        assert_eq!(
            REMOTE_SERVER.find(STATUS_LINE_FROM),
            Some(STATUS_LINE_FROM.len() - REMOTE_SERVER.needle().len())
        );
        let mut r = ErrorRecord {
            message: b"error reading status line from remote server 10.0.1.12:8080",
            code: Some(b"AH01102"),
            ..ErrorRecord::default()
        };
        apache(&mut r, None);
        assert_eq!(r.failure.and_then(|f| f.peer), Some(&b"10.0.1.12:8080"[..]));
    }

    #[test]
    fn apache_scan_reads_as_the_whole_scan() {
        for text in [
            &b":44029] AH01630: client denied by server configuration: /var/www/shop/.env"[..],
            b":44029] AH00898: Error reading from remote server returned by /api/items/1",
            b":58719] AH01106: bad HTTP/1.1 header returned by /api/items/1 (GET)",
            b"client denied by server configuration: /var/www/shop/.env",
            b":1] AH01071: Got error 'PHP message: PHP Fatal error:  Allowed memory size of 1 bytes'",
            b"Apache/2.4.71 (Debian) configured -- resuming normal operations",
            b"",
        ] {
            // Twice: the second read comes from the memo.
            assert_eq!(apache_scan(text), scan_text(text));
            assert_eq!(apache_scan(text), scan_text(text));
        }
    }

    proptest::proptest! {
        /// Texts with varying openings before the same text, as bracketed IPv6 clients
        /// leave them: each read from the memo by its tail reads as the whole scan.
        #[test]
        fn apache_scan_of_varying_openings_reads_as_the_whole_scan(
            openings in proptest::collection::vec(proptest::collection::vec(proptest::num::u8::ANY, 0..10), 1..4),
            text in proptest::collection::vec(
                proptest::prop_oneof![
                    any_pattern().prop_map(|p| p.as_bytes().to_vec()),
                    proptest::collection::vec(proptest::num::u8::ANY, 0..8),
                    any_pattern().prop_map(|p| p.as_bytes()[1..].to_vec()),
                ],
                0..5,
            ),
        ) {
            let text = text.concat();
            for opening in openings {
                let whole = [&opening[..], &text].concat();
                proptest::prop_assert_eq!(apache_scan(&whole), scan_text(&whole));
            }
        }
    }

    #[test]
    fn leftmost_stem_wins_and_details_are_collected() {
        let s = scan(b"FastCGI sent in stderr: \"PHP message: PHP Fatal error:  Uncaught Exception: connect() failed");
        assert_eq!(s.stem.map(|s| s.0), Some(S::FcgiStderr));
        assert!(s.has(D::PhpFatal));
        assert!(s.has(D::Uncaught));
        assert_eq!(
            php_content(&s),
            Some((Cause::PhpFatal, Some("uncaught_exception")))
        );
    }

    #[test]
    fn upstream_values_normalise_to_peers() {
        assert_eq!(
            nginx_upstream(b"http://127.0.0.1:8080/uri"),
            (Some(&b"http"[..]), Some(&b"127.0.0.1:8080"[..]))
        );
        assert_eq!(
            nginx_upstream(b"fastcgi://unix:/run/x.sock:"),
            (Some(&b"fastcgi"[..]), Some(&b"unix:/run/x.sock"[..]))
        );
        assert_eq!(
            nginx_upstream(b"http://[::1]:8080/a"),
            (Some(&b"http"[..]), Some(&b"[::1]:8080"[..]))
        );
        assert_eq!(
            nginx_upstream(b"http://backend/"),
            (Some(&b"http"[..]), Some(&b"backend"[..]))
        );
        assert_eq!(
            nginx_upstream(b"10.0.0.1:3306"),
            (None, Some(&b"10.0.0.1:3306"[..]))
        );
        assert_eq!(nginx_upstream(b""), (None, None));
    }

    proptest::proptest! {
        #[test]
        fn the_scheme_ends_at_the_first_colon_slash_slash(
            value in proptest::collection::vec(proptest::sample::select(vec![b':', b'/', b'a', b'?']), 0..40),
        ) {
            proptest::prop_assert_eq!(find_near(&value, b"://"), find(&value, b"://"));
        }
    }

    #[test]
    fn the_parsers_action_phases_are_the_classifiers() {
        for &(action, phase) in ACTIONS {
            let shown = String::from_utf8_lossy(action);
            assert_eq!(phase, phase_of(action), "{shown}");
            // What the classifier reads from the text itself, as written and with a
            // module's suffix.
            assert_eq!(phase, action_phase(Some(action)), "{shown}");
            let suffixed = [action, b" (proxy_connect)"].concat();
            assert_eq!(phase, action_phase(Some(&suffixed)), "{shown}");
        }
    }

    #[test]
    fn truncated_actions_still_give_a_phase() {
        assert_eq!(
            action_phase(Some(b"reading respo")),
            Some(Phase::ReadHeader)
        );
        assert_eq!(
            action_phase(Some(b"connecting to up")),
            Some(Phase::Connect)
        );
        assert_eq!(action_phase(Some(b"re")), None);
    }
}

#[cfg(test)]
mod catalog_tests;

#[cfg(test)]
mod fixture_tests;

#[cfg(test)]
mod wild_tests;
