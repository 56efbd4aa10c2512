//! The layer in front, through the CLI contract: every HAProxy capture (a real HAProxy in
//! front of a real nginx) and every edge-log fixture written for a real nginx capture gives
//! its labelled layer and cause as the top finding, the join with the origin's logs is
//! right both ways (edge-only failures never reached the origin; origin failures explain
//! the edge's), and bad edge input is counted, named and never fatal.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::Value;

use common::{check_counts, fixtures, logscan, run};

fn labels(dir: &Path) -> Value {
    let text = std::fs::read_to_string(dir.join("labels.json")).expect("labels.json");
    serde_json::from_str(&text).expect("labels JSON")
}

fn scenarios(group: &str) -> Vec<PathBuf> {
    let root = fixtures().join(group);
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("labels.json").is_file())
        .collect();
    dirs.sort();
    dirs
}

fn report(args: &[PathBuf]) -> Value {
    let mut cmd = logscan();
    cmd.args(["--output", "json"]).args(args);
    let out = cmd.output().expect("run logscan");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("report JSON")
}

/// The edge finding (or the origin one) of a report.
fn finding<'a>(report: &'a Value, layer: &str) -> Option<&'a Value> {
    report["findings"]
        .as_array()?
        .iter()
        .find(|f| f["layer"] == layer && f["severity"] != "info")
}

/// Checks the top finding, the edge finding's join and `explained_by` against the labels.
fn check(name: &str, report: &Value, label: &Value, problems: &mut Vec<String>) {
    let top = &report["findings"][0];
    let (layer, cause) = (&label["layer"], &label["cause"]);
    if cause.is_null() {
        if report["findings"].as_array().is_some_and(|f| {
            f.iter()
                .any(|f| f["severity"] != "info" && f["severity"] != "low")
        }) {
            problems.push(format!("{name}: healthy, but {}", report["summary"]));
        }
        return;
    }
    if top["layer"] != *layer || top["cause"] != *cause {
        problems.push(format!(
            "{name}: top finding {} {} (want {layer} {cause}): {}",
            top["layer"], top["cause"], report["summary"]
        ));
    }
    let Some(edge) = finding(report, "edge") else {
        problems.push(format!("{name}: no edge finding"));
        return;
    };
    if edge["edge"] != label["edge"] {
        problems.push(format!(
            "{name}: edge {} (want {})",
            edge["edge"], label["edge"]
        ));
    }
    if layer == "origin" {
        // The edge passed the origin's 5xx on: explained by the origin finding, ranked above.
        if edge["cause"] != "origin_error_response" || edge["explained_by"] != top["rank"] {
            problems.push(format!(
                "{name}: edge finding {} explained_by {} (want origin_error_response, #{})",
                edge["cause"], edge["explained_by"], top["rank"]
            ));
        }
        if edge["origin"]["never_reached"] != 0 || edge["origin"]["reached"] != edge["count"] {
            problems.push(format!("{name}: join {}", edge["origin"]));
        }
    } else if edge["explained_by"] != Value::Null {
        problems.push(format!(
            "{name}: an edge-layer failure explained by {}",
            edge["explained_by"]
        ));
    }
    if let Some(join) = label.get("join") {
        for key in ["reached", "never_reached"] {
            if edge["origin"][key] != join[key] {
                problems.push(format!(
                    "{name}: {key} {} (want {})",
                    edge["origin"][key], join[key]
                ));
            }
        }
    }
    // The summary names the layer.
    let summary = report["summary"].as_str().unwrap_or_default();
    let named = match label["edge"].as_str() {
        Some("haproxy") => "HAProxy",
        Some("aws-alb") => "AWS load balancer",
        Some("cloudfront") => "CloudFront",
        Some("cloudflare") => "Cloudflare",
        Some("gcp-lb") => "Google Cloud load balancer",
        _ => "?",
    };
    if !summary.contains(named) {
        problems.push(format!("{name}: summary does not name {named}: {summary}"));
    }
    if layer == "edge" && edge["origin"]["never_reached"].as_u64() > Some(0) {
        let said = format!("{}'s access log shows none of them arriving", "nginx");
        if !summary.contains(&said) {
            problems.push(format!("{name}: summary lacks \"{said}\": {summary}"));
        }
    }
}

#[test]
fn every_haproxy_capture_reports_its_layer_and_cause_first() {
    let dirs = scenarios("haproxy");
    assert!(dirs.len() >= 9, "HAProxy captures missing");
    let mut problems = Vec::new();
    for dir in dirs {
        let label = labels(&dir);
        let name = dir
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        // HAProxy's log and nginx's error and timing access logs.
        let files: Vec<PathBuf> = ["haproxy.log", "error.log", "access_upstream.log"]
            .iter()
            .map(|f| dir.join(f))
            .collect();
        let r = report(&files);
        for (path, lines, parsed, unrecognized) in check_counts(&r) {
            if unrecognized != 0 || lines != parsed {
                problems.push(format!(
                    "{path}: {lines} lines, {parsed} parsed, {unrecognized} unrecognized"
                ));
            }
        }
        check(&name, &r, &label, &mut problems);
        // The raw datagrams HAProxy sent read the same as rsyslog's file.
        let raw = report(&[dir.join("haproxy-udp.raw")]);
        let file = report(&[dir.join("haproxy.log")]);
        for key in ["failures", "requests", "server_errors"] {
            if raw["totals"][key] != file["totals"][key] {
                problems.push(format!(
                    "{name}: {key} differ between haproxy-udp.raw and haproxy.log"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_edge_fixture_joins_with_its_real_origin_capture() {
    let mut dirs = Vec::new();
    for edge in ["aws-alb", "cloudfront", "cloudflare", "gcp-lb"] {
        dirs.extend(scenarios(&format!("edge/{edge}")));
    }
    assert!(dirs.len() >= 10, "edge fixtures missing");
    let mut problems = Vec::new();
    for dir in dirs {
        let label = labels(&dir);
        let name = format!(
            "{}/{}",
            label["edge"].as_str().unwrap_or("?"),
            label["scenario"].as_str().unwrap_or("?")
        );
        let origin = fixtures().join(label["origin"].as_str().expect("origin"));
        // The edge's directory as a synced bucket (the files are found by their names),
        // and the origin's logs.
        let mut args = vec![dir.clone()];
        for log in label["origin_logs"].as_array().expect("origin_logs") {
            args.push(origin.join(log.as_str().expect("a file name")));
        }
        let r = report(&args);
        let formats: Vec<&str> = r["inputs"]
            .as_array()
            .map(|i| i.iter().filter_map(|i| i["format"].as_str()).collect())
            .unwrap_or_default();
        if !formats.contains(&label["edge"].as_str().unwrap_or("?")) {
            problems.push(format!("{name}: edge log not detected ({formats:?})"));
        }
        for (path, lines, parsed, unrecognized) in check_counts(&r) {
            if unrecognized != 0 || lines != parsed {
                problems.push(format!(
                    "{path}: {lines} lines, {parsed} parsed, {unrecognized} unrecognized"
                ));
            }
        }
        check(&name, &r, &label, &mut problems);
        // Without the origin's logs: the same edge finding, and nothing said about a join.
        let alone = report(std::slice::from_ref(&dir));
        let edge = finding(&alone, "edge").cloned().unwrap_or_default();
        if edge["cause"] != label["edge_cause"] || edge["origin"] != Value::Null {
            problems.push(format!(
                "{name} alone: {} with origin {}",
                edge["cause"], edge["origin"]
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn edge_findings_say_layer_and_edge_in_every_output() {
    let dir = fixtures().join("haproxy/nginx_refused");
    let files = [dir.join("haproxy.log"), dir.join("access_upstream.log")];
    for form in ["table", "markdown", "html"] {
        let out = run(["--output", form, "--color", "never"]
            .into_iter()
            .map(String::from)
            .chain(files.iter().map(|f| f.to_string_lossy().into_owned())));
        assert_eq!(out.code, 0, "{form}");
        let text = out.stdout_str();
        assert!(text.contains("edge"), "{form}: no layer:\n{text}");
        assert!(
            text.contains("haproxy") || text.contains("HAProxy"),
            "{form}: no product"
        );
        assert!(
            text.contains("never reached") || text.contains("none of them arriving"),
            "{form}: no join:\n{text}"
        );
    }
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).expect("gzip");
    enc.finish().expect("gzip")
}

/// Bad edge input: counted, named, never fatal.
#[test]
fn bad_edge_input_is_counted_and_named() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let alb = r#"http 2018-11-30T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.000 -1 -1 502 - 34 366 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.46.0" - - arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337364-23a8c76965a2ef7629b185e3" "-" "-" 0 2018-11-30T22:23:00.184000Z "forward" "-" "-" "-" "-" "-" "-""#;
    // Columns AWS adds at the end, a quoted field with escapes, a cut line.
    let lines = format!(
        "{alb}\n{alb} TID_1 \"future\" field\n{}\n{}\n",
        alb.replace(r#""curl/7.46.0""#, r#""a \"quoted\" agent""#),
        &alb[..alb.find("HTTP/1.1").unwrap_or(0)]
    );
    std::fs::write(tmp.path().join("alb.log"), &lines).expect("write");
    // A truncated .gz, as an interrupted S3 sync leaves it.
    let mut big = String::new();
    for _ in 0..2_000 {
        big.push_str(alb);
        big.push('\n');
    }
    let gz = gzip(big.as_bytes());
    std::fs::write(tmp.path().join("cut.log.gz"), &gz[..gz.len() / 2]).expect("write");
    // A CloudFront file without #Fields: (the documented default order).
    let cf = [
        "2019-12-13",
        "22:36:27",
        "SEA19-C1",
        "900",
        "192.0.2.200",
        "GET",
        "d111111abcdef8.cloudfront.net",
        "/",
        "502",
        "-",
        "curl/7.55.1",
        "-",
        "-",
        "Error",
        "kBkDzGnceVtWHqSCqBUqtA_cEs2T3tFUBbnBNkB9El_uVRhHgcZfcw==",
        "www.example.com",
        "http",
        "387",
        "0.103",
        "-",
        "-",
        "-",
        "Error",
        "HTTP/1.1",
        "-",
        "-",
        "12644",
        "0.103",
        "OriginDnsError",
        "text/html",
        "507",
        "-",
        "-",
    ]
    .join("\t");
    std::fs::write(tmp.path().join("cf.log"), format!("{cf}\n{cf}\n")).expect("write");
    // Cloudflare lines with fields missing and of the wrong JSON type.
    let cflare = concat!(
        r#"{"EdgeStartTimestamp":1764000000000000000,"EdgeEndTimestamp":1764000019020000000,"EdgeResponseStatus":522,"OriginIP":"203.0.113.7","RayID":"8e1f5a3c9b2d4e6f"}"#,
        "\n",
        r#"{"EdgeStartTimestamp":"2025-11-24T16:00:00Z","RayID":"8e1f5a3c9b2d4e70"}"#,
        "\n",
        r#"{"EdgeStartTimestamp":1764000000,"EdgeResponseStatus":"five hundred"}"#,
        "\n",
        r#"{"EdgeStartTimestamp":1764000001,"EdgeResponseStatus":521,"ClientIP":42}"#,
        "\n",
    );
    std::fs::write(tmp.path().join("cflare.log"), cflare).expect("write");
    let out = logscan()
        .args(["--output", "json"])
        .arg(tmp.path().join("alb.log"))
        .arg(tmp.path().join("cut.log.gz"))
        .arg(tmp.path().join("cf.log"))
        .arg(tmp.path().join("cflare.log"))
        .output()
        .expect("run");
    // The truncated archive is named and makes the exit code 2; the report still comes.
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cut.log.gz"), "{stderr}");
    let r: Value = serde_json::from_slice(&out.stdout).expect("report");
    let counts = check_counts(&r);
    let of = |name: &str| {
        counts
            .iter()
            .find(|c| c.0.ends_with(name))
            .cloned()
            .unwrap_or_else(|| panic!("{name} not in {counts:?}"))
    };
    // alb.log: the cut line is the one unrecognized; the others are read.
    assert_eq!(
        (of("alb.log").1, of("alb.log").2, of("alb.log").3),
        (4, 3, 1)
    );
    assert_eq!((of("cf.log").2, of("cf.log").3), (2, 0));
    // cflare.log: the mistyped status makes its line unrecognized, the mistyped ClientIP not.
    assert_eq!((of("cflare.log").2, of("cflare.log").3), (3, 1));
    let cut = of("cut.log.gz");
    assert!(
        cut.1 > 0 && cut.1 < 2_000 && cut.1 == cut.2 + cut.3,
        "{cut:?}"
    );
    assert!(
        stderr.contains("cflare.log"),
        "unrecognized lines named: {stderr}"
    );
    // Each edge is a finding of its own.
    let edges: Vec<&str> = r["findings"]
        .as_array()
        .map(|f| f.iter().filter_map(|f| f["edge"].as_str()).collect())
        .unwrap_or_default();
    for edge in ["aws-alb", "cloudfront", "cloudflare"] {
        assert!(edges.contains(&edge), "{edge} in {edges:?}");
    }
}

/// nginx timing out its backend while HAProxy passes the 504s on is one incident of both
/// layers.
#[test]
fn an_incident_spans_both_layers() {
    let dir = fixtures().join("haproxy/origin_read_timeout");
    let r = report(&[
        dir.join("haproxy.log"),
        dir.join("error.log"),
        dir.join("access_upstream.log"),
    ]);
    let incidents = r["incidents"].as_array().cloned().unwrap_or_default();
    assert!(
        incidents.iter().any(|i| {
            i["layers"] == serde_json::json!(["edge", "origin"])
                && i["causes"].as_array().is_some_and(|c| {
                    c.contains(&"origin_error_response".into())
                        && c.contains(&"upstream_timeout_read".into())
                })
        }),
        "{incidents:?}"
    );
}

/// `--format` names each edge format; a forced CloudFront format reads the `#Fields:` line.
#[test]
fn format_flag_names_the_edge_formats() {
    let dir = fixtures().join("edge/cloudfront/media_dns");
    let label = labels(&dir);
    let file = dir.join(label["files"][0].as_str().expect("file"));
    let r = report(&[PathBuf::from("--format"), PathBuf::from("cloudfront"), file]);
    assert_eq!(r["inputs"][0]["format"], "cloudfront");
    assert_eq!(r["inputs"][0]["unrecognized"], 0);
    assert_eq!(r["findings"][0]["cause"], "dns_resolution");
    let bad = logscan()
        .args(["--format", "akamai", "x.log"])
        .output()
        .expect("run");
    assert_eq!(bad.status.code(), Some(2));
}

/// An edge log's requests and 5xx count in the totals like an access log's (each of its
/// lines is a request), next to the origin's; and a failure the product logs no reason for
/// says that its cause was read from the time it took.
#[test]
fn edge_requests_count_and_timing_inferences_are_stated() {
    use std::io::Read;
    let dir = fixtures().join("edge/aws-alb/target_connect_timeout");
    let label = labels(&dir);
    let file = dir.join(label["files"][0].as_str().expect("file"));
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(&file).expect("open"))
        .read_to_string(&mut text)
        .expect("gunzip");
    // The ELB status is the ninth field of every ALB line.
    let statuses: Vec<u64> = text
        .lines()
        .map(|l| {
            l.split(' ')
                .nth(8)
                .and_then(|s| s.parse().ok())
                .expect("status")
        })
        .collect();
    let errors = statuses.iter().filter(|&&s| s >= 500).count() as u64;
    assert!(errors > 0 && errors < statuses.len() as u64);

    let alone = report(std::slice::from_ref(&dir));
    assert_eq!(alone["totals"]["requests"], statuses.len() as u64);
    assert_eq!(alone["totals"]["server_errors"], errors);

    let origin = fixtures().join("nginx/healthy/access_upstream.log");
    let origin_requests = common::wc_lines(&origin);
    let both = report(&[dir.clone(), origin]);
    assert_eq!(
        both["totals"]["requests"],
        statuses.len() as u64 + origin_requests
    );
    assert_eq!(both["totals"]["server_errors"], errors);

    let edge = finding(&both, "edge").expect("an edge finding");
    let notes: Vec<&str> = edge["notes"]
        .as_array()
        .map(|n| n.iter().filter_map(|n| n.as_str()).collect())
        .unwrap_or_default();
    let said = format!("all {errors} took 10.0 s: the load balancer's connect timeout");
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("Inferred from timing") && n.contains(&said)),
        "{notes:?}"
    );
}
