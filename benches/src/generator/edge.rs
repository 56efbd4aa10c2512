//! Edge logs: the same simulated requests as the access logs, as the layer in front of the
//! backends logs them. Line shapes are those of `fixtures/haproxy/` (a real HAProxy 2.6
//! through rsyslog) and `fixtures/edge/` (written from each product's documentation).
//!
//! The edge stands where nginx stands in the access-log kinds: it talks to the backends
//! itself. A request the origin answered is passed on with the origin's status; a failure
//! of the simulated incident becomes the code each product logs for it (a refusal is
//! HAProxy `SC--` 503, an ALB 502 without a target status, CloudFront `OriginConnectError`,
//! Cloudflare 521, Google `failed_to_connect_to_backend`), so the classifier sees every
//! branch it sees in the field.

use super::{
    BACKENDS, Generator, LogKind, MONTHS, Outcome, Request, Route, USER_AGENTS, VHOSTS, hex, num,
    pad, secs,
};

/// What the edge saw of one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Verdict {
    /// The origin answered (any status below 500, or a rescued retry).
    Answered,
    /// The origin answered 5xx itself; the edge passed it on.
    PassedOn,
    /// The connection to the origin was refused.
    Refused,
    /// Connecting to the origin timed out.
    ConnectTimeout,
    /// The origin accepted but did not answer in time.
    ReadTimeout,
    /// The origin closed or reset the connection before answering.
    Reset,
    /// No healthy origin to send the request to.
    NoLive,
    /// The visitor went away first.
    ClientAbort,
}

/// How long each product waits before it gives up, in milliseconds: HAProxy `timeout
/// connect 5s` / `timeout server 60s` (the simulated site's), the ALB's 10 s connect
/// timeout and 60 s idle timeout, CloudFront's 10 s connection and 30 s response
/// timeouts, Cloudflare's 19 s (522) and 100 s (524), Google's 30 s backend service
/// timeout.
fn waited_ms(kind: LogKind, verdict: Verdict, took_ms: u64) -> u64 {
    match (kind, verdict) {
        (LogKind::AwsAlb | LogKind::CloudFront, Verdict::ConnectTimeout) => 10_000,
        (LogKind::CloudFront, Verdict::ReadTimeout) => 30_000,
        (LogKind::Cloudflare, Verdict::ConnectTimeout) => 19_000,
        (LogKind::Cloudflare, Verdict::ReadTimeout) => 100_000,
        (LogKind::GcpLb, Verdict::ReadTimeout) => 30_000,
        _ => took_ms,
    }
}

impl Generator {
    fn verdict(o: &Outcome) -> Verdict {
        if o.status == 499 {
            return Verdict::ClientAbort;
        }
        if o.status < 500 {
            return Verdict::Answered;
        }
        let Some(first) = o.tries[0] else {
            return Verdict::PassedOn;
        };
        if first.peer == usize::MAX {
            Verdict::NoLive
        } else if first.connect_ms.is_none() {
            if first.status == 504 {
                Verdict::ConnectTimeout
            } else {
                Verdict::Refused
            }
        } else if first.status == 504 && first.response_ms >= 60_000 {
            Verdict::ReadTimeout
        } else if first.header_ms.is_none() {
            Verdict::Reset
        } else {
            Verdict::PassedOn
        }
    }

    /// Writes one request of an edge kind.
    pub(super) fn edge(&mut self, out: &mut Vec<u8>, r: &Request, o: &Outcome) {
        let mut verdict = Self::verdict(o);
        let mut passed_on;
        let mut o = o;
        // Sites answer the odd 500 outside incidents too (an uncaught exception): two in a
        // thousand PHP requests, passed on by the edge.
        if verdict == Verdict::Answered && r.route == Route::Php && self.rng.chance(2) {
            passed_on = *o;
            passed_on.status = 500;
            o = &passed_on;
            verdict = Verdict::PassedOn;
        }
        let took_ms = waited_ms(self.options.kind, verdict, o.request_ms);
        match self.options.kind {
            LogKind::Haproxy => self.haproxy(out, r, o, verdict, took_ms),
            LogKind::AwsAlb => self.alb(out, r, o, verdict, took_ms),
            LogKind::CloudFront => self.cloudfront(out, r, o, verdict, took_ms),
            LogKind::Cloudflare => self.cloudflare(out, r, o, verdict, took_ms),
            _ => self.gcp(out, r, o, verdict, took_ms),
        }
    }

    /// The header CloudFront writes at the top of every file.
    pub(super) fn cloudfront_header(out: &mut Vec<u8>) {
        out.extend_from_slice(b"#Version: 1.0\n#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end distribution-tenant-id connection-id\n");
    }

    /// An IPv4 client (the products' text formats are written with IPv4 here; the JSON
    /// ones get the IPv6 clients too).
    fn client4(out: &mut Vec<u8>, client: u64) {
        num(out, 10 + (client >> 24) % 200);
        for shift in [16, 8, 0] {
            out.push(b'.');
            num(out, (client >> shift) & 255);
        }
    }

    fn port(&mut self, out: &mut Vec<u8>) {
        num(out, 1024 + self.rng.below(64_000));
    }

    /// The request target with `é` in the query as browsers send it (percent-encoded), or
    /// in HAProxy's `#XX` log encoding.
    fn edge_target(&self, out: &mut Vec<u8>, r: &Request, haproxy: bool) {
        let plain = Request { odd: 0, ..*r };
        self.target(out, &plain, false);
        if r.odd == 1 {
            out.extend_from_slice(if haproxy {
                b"&q=caf#C3#A9"
            } else {
                b"&q=caf%C3%A9"
            });
        }
    }

    fn method(r: &Request) -> &'static [u8] {
        if r.post { b"POST" } else { b"GET" }
    }

    /// `2026-11-25T00:00:00.123456Z`, `us` microseconds before now.
    fn iso_before(&self, out: &mut Vec<u8>, before_us: i64) {
        let t = self.now_us - before_us;
        let c = super::Civil::of(t.div_euclid(1_000_000));
        num(out, c.year as u64);
        out.push(b'-');
        pad(out, c.month as u64, 2);
        out.push(b'-');
        pad(out, u64::from(c.day), 2);
        out.push(b'T');
        pad(out, u64::from(c.hour), 2);
        out.push(b':');
        pad(out, u64::from(c.minute), 2);
        out.push(b':');
        pad(out, u64::from(c.sec), 2);
        out.push(b'.');
        pad(out, t.rem_euclid(1_000_000) as u64, 6);
        out.push(b'Z');
    }

    // ---- HAProxy ----------------------------------------------------------------------

    fn haproxy(&mut self, out: &mut Vec<u8>, r: &Request, o: &Outcome, v: Verdict, took: u64) {
        let c = self.civil;
        // rsyslog's RSYSLOG_FileFormat, as Debian's /var/log/haproxy.log has it.
        num(out, c.year as u64);
        out.push(b'-');
        pad(out, c.month as u64, 2);
        out.push(b'-');
        pad(out, u64::from(c.day), 2);
        out.push(b'T');
        pad(out, u64::from(c.hour), 2);
        out.push(b':');
        pad(out, u64::from(c.minute), 2);
        out.push(b':');
        pad(out, u64::from(c.sec), 2);
        out.extend_from_slice(b"+00:00 lb1 haproxy[2711]: ");
        Self::client4(out, r.client);
        out.push(b':');
        self.port(out);
        out.extend_from_slice(b" [");
        pad(out, u64::from(c.day), 2);
        out.push(b'/');
        out.extend_from_slice(MONTHS[c.month - 1].as_bytes());
        out.push(b'/');
        num(out, c.year as u64);
        out.push(b':');
        pad(out, u64::from(c.hour), 2);
        out.push(b':');
        pad(out, u64::from(c.minute), 2);
        out.push(b':');
        pad(out, u64::from(c.sec), 2);
        out.push(b'.');
        pad(out, (self.now_us.rem_euclid(1_000_000) / 1000) as u64, 3);
        out.extend_from_slice(b"] www ");
        let peer = o.tries[0].map_or(0, |t| t.peer);
        match (r.route, v) {
            (_, Verdict::NoLive) => out.extend_from_slice(b"api/<NOSRV>"),
            (Route::Php, _) => out.extend_from_slice(b"php/php1"),
            (Route::Static, _) => out.extend_from_slice(b"static/web1"),
            _ => {
                out.extend_from_slice(b"api/web");
                num(out, 1 + (peer % BACKENDS.len()) as u64);
            }
        }
        out.push(b' ');
        // Tq/Tw/Tc/Tr/Ta: -1 for the phase that never completed.
        let (status, tc, tr, state): (u16, i64, i64, &[u8]) = match v {
            Verdict::Answered | Verdict::PassedOn => (o.status, 0, took as i64, b"----"),
            Verdict::Refused => (503, -1, -1, b"SC--"),
            Verdict::ConnectTimeout => (503, -1, -1, b"sC--"),
            Verdict::ReadTimeout => (504, 0, -1, b"sH--"),
            Verdict::Reset => (502, 0, -1, b"SH--"),
            Verdict::NoLive => (503, -1, -1, b"SC--"),
            // The visitor left while HAProxy waited for the headers: no status (-1).
            Verdict::ClientAbort => (0, 0, -1, b"CH--"),
        };
        let signed = |out: &mut Vec<u8>, n: i64| {
            if n < 0 {
                out.extend_from_slice(b"-1");
            } else {
                num(out, n as u64);
            }
        };
        out.extend_from_slice(b"0/");
        signed(out, if v == Verdict::NoLive { -1 } else { 0 });
        out.push(b'/');
        signed(out, tc);
        out.push(b'/');
        signed(out, tr);
        out.push(b'/');
        num(out, took);
        out.push(b' ');
        if status == 0 {
            out.extend_from_slice(b"-1 0");
        } else {
            num(out, u64::from(status));
            out.push(b' ');
            num(out, if status >= 500 { 217 } else { o.bytes });
        }
        out.extend_from_slice(b" - - ");
        out.extend_from_slice(state);
        out.extend_from_slice(b" 12/12/3/");
        num(out, 1 + self.rng.below(3));
        out.extend_from_slice(if matches!(v, Verdict::Refused | Verdict::ConnectTimeout) {
            b"/3 0/0 \""
        } else {
            b"/0 0/0 \""
        });
        out.extend_from_slice(Self::method(r));
        out.push(b' ');
        self.edge_target(out, r, true);
        out.extend_from_slice(b" HTTP/1.1\"\n");
    }

    // ---- AWS ALB ----------------------------------------------------------------------

    fn alb(&mut self, out: &mut Vec<u8>, r: &Request, o: &Outcome, v: Verdict, took: u64) {
        out.extend_from_slice(b"https ");
        self.iso_before(out, 0);
        out.extend_from_slice(b" app/shop-alb/50dc6c495c0c9188 ");
        Self::client4(out, r.client);
        out.push(b':');
        self.port(out);
        out.push(b' ');
        let peer = o.tries[0].map_or(0, |t| t.peer) % BACKENDS.len();
        let target = |out: &mut Vec<u8>| {
            out.extend_from_slice(b"10.0.1.");
            num(out, 11 + peer as u64);
            out.extend_from_slice(b":80");
        };
        if v == Verdict::NoLive {
            out.push(b'-');
        } else {
            target(out);
        }
        // request, target and response processing times; the ELB status, the target's.
        let (status, target_status): (u16, Option<u16>) = match v {
            Verdict::Answered | Verdict::PassedOn => (o.status, Some(o.status)),
            Verdict::Refused | Verdict::Reset => (502, None),
            Verdict::ConnectTimeout | Verdict::ReadTimeout => (504, None),
            Verdict::NoLive => (503, None),
            Verdict::ClientAbort => (460, None),
        };
        match target_status {
            Some(_) => {
                out.extend_from_slice(b" 0.001 ");
                secs(out, took);
                out.extend_from_slice(b" 0.000 ");
            }
            None => out.extend_from_slice(b" 0.001 -1 -1 "),
        }
        num(out, u64::from(status));
        out.push(b' ');
        match target_status {
            Some(s) => num(out, u64::from(s)),
            None => out.push(b'-'),
        }
        out.extend_from_slice(b" 312 ");
        num(out, if status >= 500 { 190 } else { o.bytes + 300 });
        out.extend_from_slice(b" \"");
        out.extend_from_slice(Self::method(r));
        out.extend_from_slice(b" https://");
        out.extend_from_slice(VHOSTS[r.vhost].as_bytes());
        out.extend_from_slice(b":443");
        self.edge_target(out, r, false);
        out.extend_from_slice(b" HTTP/1.1\" \"");
        // The ALB escapes a double quote in a quoted field as \".
        if r.odd == 2 {
            out.extend_from_slice(
                br#"Mozilla/5.0 (compatible; \"Scanner\"/1.0; +https://scan.example/)"#,
            );
        } else {
            out.extend_from_slice(USER_AGENTS[r.ua].as_bytes());
        }
        out.extend_from_slice(b"\" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/shop-web/73e2d6bc24d8a067 \"Root=1-");
        hex(out, (self.now_us / 1_000_000) as u64);
        out.push(b'-');
        hex(out, self.rng.next() | 1 << 63);
        out.extend_from_slice(b"\" \"");
        out.extend_from_slice(VHOSTS[r.vhost].as_bytes());
        out.extend_from_slice(b"\" \"arn:aws:acm:us-east-2:123456789012:certificate/12345678-1234-1234-1234-123456789012\" 0 ");
        self.iso_before(out, took as i64 * 1000);
        out.extend_from_slice(b" \"forward\" \"-\" \"-\" \"");
        if v == Verdict::NoLive {
            out.push(b'-');
        } else {
            target(out);
        }
        out.extend_from_slice(b"\" \"");
        match target_status {
            Some(s) => num(out, u64::from(s)),
            None => out.push(b'-'),
        }
        out.extend_from_slice(b"\" \"-\" \"-\" TID_");
        hex(out, self.rng.next() | 1 << 63);
        out.push(b'\n');
    }

    // ---- CloudFront -------------------------------------------------------------------

    fn cloudfront(&mut self, out: &mut Vec<u8>, r: &Request, o: &Outcome, v: Verdict, took: u64) {
        let c = self.civil;
        num(out, c.year as u64);
        out.push(b'-');
        pad(out, c.month as u64, 2);
        out.push(b'-');
        pad(out, u64::from(c.day), 2);
        out.push(b'\t');
        pad(out, u64::from(c.hour), 2);
        out.push(b':');
        pad(out, u64::from(c.minute), 2);
        out.push(b':');
        pad(out, u64::from(c.sec), 2);
        let (status, result, detailed): (&[u8], &[u8], &[u8]) = match v {
            Verdict::Answered if r.route == Route::Static && o.status == 200 => {
                (b"200", b"Hit", b"Hit")
            }
            Verdict::Answered => (b"", b"Miss", b"Miss"),
            Verdict::PassedOn => (b"", b"Error", b"Error"),
            Verdict::Refused | Verdict::NoLive => (b"502", b"Error", b"OriginConnectError"),
            Verdict::ConnectTimeout => (b"504", b"Error", b"OriginConnectError"),
            Verdict::ReadTimeout => (b"504", b"Error", b"OriginCommError"),
            Verdict::Reset => (b"502", b"Error", b"OriginReadError"),
            Verdict::ClientAbort => (b"000", b"Error", b"ClientCommError"),
        };
        out.extend_from_slice(b"\tIAD89-C1\t");
        num(
            out,
            if v == Verdict::Answered {
                o.bytes + 300
            } else {
                240
            },
        );
        out.push(b'\t');
        Self::client4(out, r.client);
        out.push(b'\t');
        out.extend_from_slice(Self::method(r));
        out.extend_from_slice(b"\td111111abcdef8.cloudfront.net\t");
        // cs-uri-stem and cs-uri-query are separate columns.
        let start = out.len();
        self.edge_target(out, r, false);
        let query = match out[start..].iter().position(|&b| b == b'?') {
            Some(i) => {
                let query = out.split_off(start + i + 1);
                out.pop(); // the '?'
                query
            }
            None => b"-".to_vec(),
        };
        out.push(b'\t');
        if status.is_empty() {
            num(out, u64::from(o.status));
        } else {
            out.extend_from_slice(status);
        }
        out.extend_from_slice(b"\t-\t");
        // The user agent is URL-encoded: spaces as %20, a double quote as %22.
        let ua: &[u8] = if r.odd == 2 {
            br#"Mozilla/5.0 (compatible; "Scanner"/1.0; +https://scan.example/)"#
        } else {
            USER_AGENTS[r.ua].as_bytes()
        };
        for &b in ua {
            match b {
                b' ' => out.extend_from_slice(b"%20"),
                b'"' => out.extend_from_slice(b"%22"),
                _ => out.push(b),
            }
        }
        out.push(b'\t');
        out.extend_from_slice(&query);
        out.extend_from_slice(b"\t-\t");
        out.extend_from_slice(result);
        out.push(b'\t');
        hex(out, self.rng.next() | 1 << 63);
        hex(out, self.rng.next() | 1 << 63);
        out.extend_from_slice(b"==\t");
        out.extend_from_slice(VHOSTS[r.vhost].as_bytes());
        out.extend_from_slice(b"\thttps\t312\t");
        secs(out, took);
        out.extend_from_slice(b"\t-\tTLSv1.3\tTLS_AES_128_GCM_SHA256\t");
        out.extend_from_slice(result);
        out.extend_from_slice(b"\tHTTP/1.1\t-\t-\t");
        self.port(out);
        out.push(b'\t');
        secs(out, took);
        out.push(b'\t');
        out.extend_from_slice(detailed);
        out.extend_from_slice(b"\ttext/html\t");
        num(out, if v == Verdict::Answered { o.bytes } else { 0 });
        out.extend_from_slice(b"\t-\t-\t-\t");
        hex(out, self.rng.next() >> 24);
        out.push(b'\n');
    }

    // ---- Cloudflare -------------------------------------------------------------------

    fn cloudflare(&mut self, out: &mut Vec<u8>, r: &Request, o: &Outcome, v: Verdict, took: u64) {
        out.extend_from_slice(b"{\"ClientIP\":\"");
        self.client(out, r.client);
        out.extend_from_slice(b"\",\"ClientRequestHost\":\"");
        out.extend_from_slice(VHOSTS[r.vhost].as_bytes());
        out.extend_from_slice(b"\",\"ClientRequestMethod\":\"");
        out.extend_from_slice(Self::method(r));
        out.extend_from_slice(b"\",\"ClientRequestURI\":\"");
        self.edge_target(out, r, false);
        out.extend_from_slice(b"\",\"ClientRequestProtocol\":\"HTTP/2\",\"ClientRequestScheme\":\"https\",\"ClientRequestUserAgent\":\"");
        if r.odd == 2 {
            out.extend_from_slice(
                br#"Mozilla/5.0 (compatible; \"Scanner\"/1.0; +https://scan.example/)"#,
            );
        } else {
            out.extend_from_slice(USER_AGENTS[r.ua].as_bytes());
        }
        out.extend_from_slice(b"\",\"ClientSrcPort\":");
        self.port(out);
        // Logpush's default timestamp form: unixnano.
        let end_ns = self.now_us as u64 * 1000;
        out.extend_from_slice(b",\"EdgeStartTimestamp\":");
        num(out, end_ns.saturating_sub(took * 1_000_000));
        out.extend_from_slice(b",\"EdgeEndTimestamp\":");
        num(out, end_ns);
        let cached = r.route == Route::Static && v == Verdict::Answered;
        let (status, origin_status) = match v {
            Verdict::Answered | Verdict::PassedOn => (o.status, if cached { 0 } else { o.status }),
            Verdict::Refused | Verdict::NoLive => (521, 0),
            Verdict::ConnectTimeout => (522, 0),
            Verdict::ReadTimeout => (524, 0),
            Verdict::Reset => (520, 0),
            Verdict::ClientAbort => (499, 0),
        };
        out.extend_from_slice(b",\"EdgeResponseStatus\":");
        num(out, u64::from(status));
        out.extend_from_slice(b",\"EdgeResponseBytes\":");
        num(out, if status >= 500 { 300 } else { o.bytes + 400 });
        out.extend_from_slice(b",\"OriginIP\":\"203.0.113.7\",\"OriginResponseStatus\":");
        num(out, u64::from(origin_status));
        out.extend_from_slice(b",\"OriginResponseDurationMs\":");
        num(out, if origin_status == 0 { 0 } else { took });
        out.extend_from_slice(if cached {
            b",\"CacheCacheStatus\":\"hit\",\"RayID\":\""
        } else {
            b",\"CacheCacheStatus\":\"dynamic\",\"RayID\":\""
        });
        hex(out, self.rng.next() | 1 << 63);
        out.extend_from_slice(b"\",\"WorkerStatus\":\"unknown\",\"ZoneName\":\"example.test\"}\n");
    }

    // ---- Google Cloud external Application Load Balancer ---------------------------------

    fn gcp(&mut self, out: &mut Vec<u8>, r: &Request, o: &Outcome, v: Verdict, took: u64) {
        out.extend_from_slice(b"{\"insertId\":\"");
        hex(out, self.rng.next() >> 8);
        out.extend_from_slice(b"\",\"httpRequest\":{\"requestMethod\":\"");
        out.extend_from_slice(Self::method(r));
        out.extend_from_slice(b"\",\"requestUrl\":\"https://");
        out.extend_from_slice(VHOSTS[r.vhost].as_bytes());
        self.edge_target(out, r, false);
        let (status, details): (u16, &[u8]) = match v {
            Verdict::Answered | Verdict::PassedOn => (o.status, b"response_sent_by_backend"),
            Verdict::Refused | Verdict::ConnectTimeout => (502, b"failed_to_connect_to_backend"),
            Verdict::ReadTimeout => (504, b"backend_timeout"),
            Verdict::Reset => (502, b"backend_connection_closed_before_data_sent_to_client"),
            Verdict::NoLive => (503, b"failed_to_pick_backend"),
            Verdict::ClientAbort => (0, b"client_disconnected_before_any_response"),
        };
        out.extend_from_slice(b"\",\"requestSize\":\"312\",\"status\":");
        num(out, u64::from(status));
        out.extend_from_slice(b",\"responseSize\":\"");
        num(out, if status >= 500 { 190 } else { o.bytes + 300 });
        out.extend_from_slice(b"\",\"userAgent\":\"");
        if r.odd == 2 {
            out.extend_from_slice(
                br#"Mozilla/5.0 (compatible; \"Scanner\"/1.0; +https://scan.example/)"#,
            );
        } else {
            out.extend_from_slice(USER_AGENTS[r.ua].as_bytes());
        }
        out.extend_from_slice(b"\",\"remoteIp\":\"");
        self.client(out, r.client);
        out.extend_from_slice(b"\",\"serverIp\":\"10.128.0.");
        num(
            out,
            7 + o.tries[0].map_or(0, |t| t.peer % BACKENDS.len()) as u64,
        );
        out.extend_from_slice(b"\",\"latency\":\"");
        secs(out, took);
        out.extend_from_slice(b"000s\"},\"jsonPayload\":{\"@type\":\"type.googleapis.com/google.cloud.loadbalancing.type.LoadBalancerLogEntry\",\"statusDetails\":\"");
        out.extend_from_slice(details);
        out.extend_from_slice(b"\",\"backendTargetProjectNumber\":\"projects/123456789012\"},\"logName\":\"projects/shop-prod/logs/requests\",\"receiveTimestamp\":\"");
        self.iso_before(out, -1_000_000);
        out.extend_from_slice(b"\",\"resource\":{\"type\":\"http_load_balancer\",\"labels\":{\"backend_service_name\":\"shop-web\",\"forwarding_rule_name\":\"shop-https\",\"project_id\":\"shop-prod\",\"target_proxy_name\":\"shop-https-proxy\",\"url_map_name\":\"shop-map\",\"zone\":\"global\"}},\"severity\":\"");
        out.extend_from_slice(if status >= 500 { b"ERROR" } else { b"INFO" });
        out.extend_from_slice(b"\",\"timestamp\":\"");
        self.iso_before(out, 0);
        out.extend_from_slice(b"\",\"trace\":\"projects/shop-prod/traces/");
        hex(out, self.rng.next() | 1 << 63);
        hex(out, self.rng.next() | 1 << 63);
        out.extend_from_slice(b"\"}\n");
    }
}
