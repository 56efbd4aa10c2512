//! `logscan --follow` end to end with a real nginx on loopback in front of a python backend
//! (fixtures/backends/backend.py) that goes down, comes back, then turns slow, while the
//! logs are rotated by rename + create (`nginx -s reopen`) and by copytruncate. The
//! incident stream must announce the refused connections within 2 s of the first 502,
//! close that incident, then announce the read timeouts; after SIGINT the final report
//! must equal a batch run over every log file on disk (no line lost or read twice).
//!
//! Needs nginx and python3 (`scripts/test` installs nginx); without them the test says
//! SKIPPED and passes. It takes about 25 s.
#![allow(clippy::disallowed_macros)]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

fn nginx_binary() -> Option<PathBuf> {
    ["/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A free port where backend.py may listen (it keeps to 19000-19999; fixtures/capture.sh
/// uses 19100-19899).
fn free_backend_port() -> u16 {
    let start = 19_900 + (std::process::id() % 100) as u16;
    (0..100)
        .map(|i| 19_900 + (start - 19_900 + i) % 100)
        .find(|&p| TcpListener::bind(("127.0.0.1", p)).is_ok())
        .expect("a free port in 19900-19999")
}

/// One request; the status, if an answer came.
fn get(port: u16, path: &str) -> Option<u16> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: shop.example.test\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).ok()?;
    String::from_utf8_lossy(&response)
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

struct Nginx {
    binary: PathBuf,
    prefix: PathBuf,
}

impl Nginx {
    fn signal(&self, signal: &str) {
        let status = Command::new(&self.binary)
            .arg("-p")
            .arg(&self.prefix)
            .arg("-c")
            .arg(self.prefix.join("nginx.conf"))
            .args(["-s", signal])
            .status()
            .unwrap();
        assert!(status.success(), "nginx -s {signal}");
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        self.signal("stop");
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.prefix.join("nginx.pid").exists() && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(50));
        }
    }
}

fn start_nginx(binary: &Path, prefix: &Path, port: u16, backend: u16) -> Nginx {
    use std::os::unix::fs::PermissionsExt;
    for dir in ["logs", "tmp"] {
        std::fs::create_dir_all(prefix.join(dir)).unwrap();
    }
    std::fs::set_permissions(prefix, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(prefix.join("tmp"), std::fs::Permissions::from_mode(0o777)).unwrap();
    let p = prefix.display();
    let conf = format!(
        "worker_processes 1;\n\
         daemon on;\n\
         pid {p}/nginx.pid;\n\
         error_log {p}/logs/error.log error;\n\
         events {{ worker_connections 256; }}\n\
         http {{\n\
           log_format upstream '$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent \"$http_referer\" \"$http_user_agent\" rt=$request_time urt=\"$upstream_response_time\" ua=\"$upstream_addr\" us=\"$upstream_status\"';\n\
           access_log {p}/logs/access.log upstream;\n\
           client_body_temp_path {p}/tmp/body; proxy_temp_path {p}/tmp/proxy; fastcgi_temp_path {p}/tmp/fcgi;\n\
           uwsgi_temp_path {p}/tmp/uwsgi; scgi_temp_path {p}/tmp/scgi;\n\
           server {{\n\
             listen 127.0.0.1:{port};\n\
             server_name shop.example.test;\n\
             location / {{ proxy_pass http://127.0.0.1:{backend}; proxy_read_timeout 1s; proxy_connect_timeout 1s; }}\n\
           }}\n\
         }}\n"
    );
    std::fs::write(prefix.join("nginx.conf"), conf).unwrap();
    let status = Command::new(binary)
        .arg("-p")
        .arg(prefix)
        .arg("-c")
        .arg(prefix.join("nginx.conf"))
        .status()
        .unwrap();
    assert!(status.success(), "nginx failed to start");
    wait_listening(port);
    Nginx {
        binary: binary.to_path_buf(),
        prefix: prefix.to_path_buf(),
    }
}

fn wait_listening(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "nothing listens on {port}");
        thread::sleep(Duration::from_millis(50));
    }
}

/// The python backend, stopped by its pid when dropped.
struct Backend(Child);

impl Backend {
    /// Healthy, and after `slow_after` seconds (if given) every answer takes 3 s.
    fn start(port: u16, slow_after: Option<f64>) -> Backend {
        let script =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/backends/backend.py");
        let child = Command::new("python3")
            .arg(script)
            .args(["http", "--port", &port.to_string(), "--lifetime", "60"])
            .args(match slow_after {
                Some(after) => vec![
                    "--delay".to_owned(),
                    "3".to_owned(),
                    "--delay-after".to_owned(),
                    after.to_string(),
                ],
                None => Vec::new(),
            })
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        wait_listening(port);
        Backend(child)
    }
}

impl Drop for Backend {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Requests in a loop from `clients` threads while `running`; the first time a 502 came.
struct Load {
    running: Arc<AtomicBool>,
    paused: Arc<AtomicBool>,
    in_flight: Arc<AtomicU32>,
    first_502: Arc<Mutex<Option<Instant>>>,
    threads: Vec<thread::JoinHandle<()>>,
}

impl Load {
    fn start(port: u16, clients: usize) -> Load {
        let running = Arc::new(AtomicBool::new(true));
        let paused = Arc::new(AtomicBool::new(false));
        let in_flight = Arc::new(AtomicU32::new(0));
        let first_502 = Arc::new(Mutex::new(None));
        let threads = (0..clients)
            .map(|c| {
                let (running, paused, in_flight, first_502) = (
                    Arc::clone(&running),
                    Arc::clone(&paused),
                    Arc::clone(&in_flight),
                    Arc::clone(&first_502),
                );
                thread::spawn(move || {
                    let mut i = 0;
                    while running.load(Ordering::SeqCst) {
                        if paused.load(Ordering::SeqCst) {
                            thread::sleep(Duration::from_millis(20));
                            continue;
                        }
                        in_flight.fetch_add(1, Ordering::SeqCst);
                        let status = get(port, &format!("/api/items?c={c}&i={i}"));
                        in_flight.fetch_sub(1, Ordering::SeqCst);
                        if status == Some(502) {
                            first_502.lock().unwrap().get_or_insert_with(Instant::now);
                        }
                        i += 1;
                        thread::sleep(Duration::from_millis(100));
                    }
                })
            })
            .collect();
        Load {
            running,
            paused,
            in_flight,
            first_502,
            threads,
        }
    }

    /// Stops new requests and waits for the ones under way.
    fn pause(&self) {
        self.paused.store(true, Ordering::SeqCst);
        let deadline = Instant::now() + Duration::from_secs(5);
        while self.in_flight.load(Ordering::SeqCst) > 0 && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(10));
        }
        // nginx writes the access line once the answer is sent.
        thread::sleep(Duration::from_millis(200));
    }

    fn resume(&self) {
        self.paused.store(false, Ordering::SeqCst);
    }

    fn stop(self) {
        self.running.store(false, Ordering::SeqCst);
        for t in self.threads {
            t.join().unwrap();
        }
    }
}

#[test]
fn follows_a_real_nginx_through_an_outage_two_rotations_and_timeouts() {
    let Some(nginx_bin) = nginx_binary() else {
        eprintln!("SKIPPED: nginx not installed (apt-get install -y nginx, or run scripts/test)");
        return;
    };
    if Command::new("python3").arg("--version").output().is_err() {
        eprintln!("SKIPPED: python3 not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (port, backend_port) = (free_port(), free_backend_port());
    let mut backend = Some(Backend::start(backend_port, None));
    let nginx = start_nginx(&nginx_bin, dir.path(), port, backend_port);
    let logs = dir.path().join("logs");

    let mut logscan = Command::new(assert_cmd::cargo::cargo_bin("logscan"))
        .env("TZ", "UTC")
        .args(["--follow", "--refresh", "500ms"])
        .arg(&logs)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Every stream line, with when it arrived.
    let lines: Arc<Mutex<Vec<(Instant, Value)>>> = Arc::default();
    let reader = {
        let lines = Arc::clone(&lines);
        let stdout = logscan.stdout.take().unwrap();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let line = line.unwrap();
                let value: Value = serde_json::from_str(&line)
                    .unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
                lines.lock().unwrap().push((Instant::now(), value));
            }
        })
    };
    let stderr = logscan.stderr.take().unwrap();
    let stderr = thread::spawn(move || {
        let mut text = String::new();
        BufReader::new(stderr).read_to_string(&mut text).unwrap();
        text
    });
    thread::sleep(Duration::from_millis(500));

    let load = Load::start(port, 4);
    // Healthy, then the backend goes down.
    thread::sleep(Duration::from_secs(2));
    drop(backend.take());
    thread::sleep(Duration::from_secs(2));
    // Rotation by rename + create in the middle of the outage (logrotate's default).
    for name in ["error.log", "access.log"] {
        std::fs::rename(logs.join(name), logs.join(format!("{name}.1"))).unwrap();
    }
    nginx.signal("reopen");
    thread::sleep(Duration::from_secs(2));
    // The backend comes back; 8 s later it turns slow.
    backend = Some(Backend::start(backend_port, Some(8.0)));
    thread::sleep(Duration::from_secs(2));
    // copytruncate, while no request is under way (logrotate's own race, where lines
    // written between the copy and the truncation are lost from disk, is not tested).
    load.pause();
    for name in ["error.log", "access.log"] {
        std::fs::copy(logs.join(name), logs.join(format!("{name}.2"))).unwrap();
        std::fs::OpenOptions::new()
            .write(true)
            .open(logs.join(name))
            .unwrap()
            .set_len(0)
            .unwrap();
    }
    load.resume();
    thread::sleep(Duration::from_secs(6));
    // Then slow: every answer takes longer than proxy_read_timeout.
    thread::sleep(Duration::from_secs(4));
    load.pause();
    let first_502 = *load.first_502.lock().unwrap();
    load.stop();
    thread::sleep(Duration::from_millis(1500));

    Command::new("kill")
        .args(["-INT", &logscan.id().to_string()])
        .status()
        .unwrap();
    let status = logscan.wait().unwrap();
    reader.join().unwrap();
    let stderr = stderr.join().unwrap();
    drop(backend);
    drop(nginx);
    assert_eq!(status.code(), Some(0), "stderr:\n{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");

    let lines = lines.lock().unwrap();
    let of = |kind: &str| -> Vec<&(Instant, Value)> {
        lines.iter().filter(|(_, v)| v["type"] == kind).collect()
    };
    let has_cause = |v: &Value, cause: &str| {
        v["causes"]
            .as_array()
            .is_some_and(|c| c.iter().any(|c| c == cause))
    };
    let all: Vec<&Value> = lines.iter().map(|(_, v)| v).collect();
    let opened = of("incident_open");
    let closed = of("incident_close");
    let refused = opened
        .iter()
        .find(|(_, v)| has_cause(v, "upstream_refused"))
        .unwrap_or_else(|| panic!("no incident_open for upstream_refused: {all:#?}"));
    let first_502 = first_502.expect("a client got a 502");
    let latency = refused.0.saturating_duration_since(first_502);
    assert!(
        latency <= Duration::from_secs(2),
        "incident_open came {latency:?} after the first 502"
    );
    let refused_id = &refused.1["id"];
    let refused_closed = closed
        .iter()
        .find(|(_, v)| &v["id"] == refused_id)
        .unwrap_or_else(|| panic!("the refused incident never closed: {all:#?}"));
    let timeouts = opened
        .iter()
        .find(|(at, v)| has_cause(v, "upstream_timeout_read") && *at > refused_closed.0)
        .unwrap_or_else(|| {
            panic!("no incident_open for upstream_timeout_read after the close: {all:#?}")
        });
    assert!(
        timeouts.1["summary"]
            .as_str()
            .unwrap()
            .contains("timed out")
    );
    assert!(
        of("finding")
            .iter()
            .any(|(_, v)| v["finding"]["cause"] == "upstream_refused")
    );
    // At most one update per refresh per incident.
    for (i, (at, v)) in lines.iter().enumerate() {
        if v["type"] != "incident_update" {
            continue;
        }
        let earlier = lines[..i]
            .iter()
            .rev()
            .find(|(_, w)| w["type"] == "incident_update" && w["id"] == v["id"]);
        if let Some((before, _)) = earlier {
            assert!(at.duration_since(*before) >= Duration::from_millis(450));
        }
    }

    // The final report equals a batch run over every file nginx wrote.
    let report = &of("report").last().expect("a final report").1["report"];
    let mut on_disk: Vec<String> = std::fs::read_dir(&logs)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    assert_eq!(
        on_disk,
        [
            "access.log",
            "access.log.1",
            "access.log.2",
            "error.log",
            "error.log.1",
            "error.log.2"
        ]
    );
    let batch = common::run(["--output".as_ref(), "json".as_ref(), logs.as_os_str()]);
    assert_eq!(batch.code, 0, "{}", batch.stderr);
    let batch = batch.json();
    let physical: u64 = on_disk
        .iter()
        .map(|n| common::wc_lines(&logs.join(n)))
        .sum();
    assert_eq!(report["totals"]["lines"], physical, "every line read once");
    assert_eq!(report["totals"], batch["totals"]);
    assert_eq!(report["summary"], batch["summary"]);
    assert_eq!(report["incidents"], batch["incidents"]);
    assert_eq!(report["timeline"], batch["timeline"]);
    let findings = |r: &Value| -> Vec<Value> {
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                serde_json::json!([
                    f["cause"],
                    f["upstream"],
                    f["count"],
                    f["affected_requests"],
                    f["first_seen"],
                    f["last_seen"],
                    f["statuses"],
                    f["timeline"],
                    f["severity"]
                ])
            })
            .collect()
    };
    assert_eq!(findings(report), findings(&batch));
    assert!(
        findings(report)
            .iter()
            .any(|f| f[0] == "upstream_timeout_read")
    );
}
