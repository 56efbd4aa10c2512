//! End to end with a real nginx: it proxies to a closed port on loopback, a bounded number of
//! requests go through it, and logscan reads the error and access logs nginx just wrote.
//!
//! Needs `nginx` (Debian: `apt-get install -y nginx`; `scripts/test` installs it). Without it
//! the test prints why and passes, so `cargo test` works on a laptop without nginx.
// These tests report to the test harness on stderr; logscan's own messages are what
// src/messages.rs guards.
#![allow(clippy::disallowed_macros)]

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;

use common::logscan;

const REQUESTS: usize = 25;

fn nginx_binary() -> Option<PathBuf> {
    ["/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
}

/// A port nothing listens on (bound, then released).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn get(port: u16, path: &str) -> Option<u16> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    write!(stream, "GET {path} HTTP/1.1\r\nHost: shop.example.test\r\nUser-Agent: logscan-e2e\r\nConnection: close\r\n\r\n").ok()?;
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

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = Command::new(&self.binary)
            .arg("-p")
            .arg(&self.prefix)
            .arg("-c")
            .arg(self.prefix.join("nginx.conf"))
            .args(["-s", "stop"])
            .status();
        // Wait (bounded) for the master to exit so the logs are complete.
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.prefix.join("nginx.pid").exists() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

fn start_nginx(binary: &Path, prefix: &Path, port: u16, closed: u16) -> Nginx {
    use std::os::unix::fs::PermissionsExt;
    for dir in ["logs", "tmp"] {
        std::fs::create_dir_all(prefix.join(dir)).unwrap();
    }
    // Workers may run as nobody: let them use the temp dir.
    std::fs::set_permissions(prefix, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(prefix.join("tmp"), std::fs::Permissions::from_mode(0o777)).unwrap();
    let p = prefix.display();
    let conf = format!(
        "worker_processes 1;\n\
         daemon on;\n\
         pid {p}/nginx.pid;\n\
         error_log {p}/logs/error.log error;\n\
         events {{ worker_connections 64; }}\n\
         http {{\n\
           log_format upstream '$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent \"$http_referer\" \"$http_user_agent\" rt=$request_time uct=\"$upstream_connect_time\" uht=\"$upstream_header_time\" urt=\"$upstream_response_time\" ua=\"$upstream_addr\" us=\"$upstream_status\"';\n\
           access_log {p}/logs/access.log upstream;\n\
           client_body_temp_path {p}/tmp/body; proxy_temp_path {p}/tmp/proxy; fastcgi_temp_path {p}/tmp/fcgi;\n\
           uwsgi_temp_path {p}/tmp/uwsgi; scgi_temp_path {p}/tmp/scgi;\n\
           server {{\n\
             listen 127.0.0.1:{port};\n\
             server_name shop.example.test;\n\
             location / {{ proxy_pass http://127.0.0.1:{closed}; }}\n\
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
        .expect("run nginx");
    assert!(status.success(), "nginx failed to start");
    // Wait (bounded) until it accepts connections.
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "nginx did not start listening");
        std::thread::sleep(Duration::from_millis(50));
    }
    Nginx {
        binary: binary.to_path_buf(),
        prefix: prefix.to_path_buf(),
    }
}

#[test]
fn real_nginx_in_front_of_a_closed_port() {
    let Some(binary) = nginx_binary() else {
        eprintln!("SKIPPED: nginx not installed (apt-get install -y nginx, or run scripts/test)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (port, closed) = (free_port(), free_port());
    let statuses: Vec<Option<u16>> = {
        let _nginx = start_nginx(&binary, dir.path(), port, closed);
        (0..REQUESTS)
            .map(|i| get(port, &format!("/api/items?page={i}")))
            .collect()
        // nginx stops here, flushing its logs.
    };
    assert!(statuses.iter().all(|s| *s == Some(502)), "{statuses:?}");

    let logs = dir.path().join("logs");
    let output = logscan()
        .args(["--output", "json"])
        .arg(logs.join("error.log"))
        .arg(logs.join("access.log"))
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let top = &report["findings"][0];
    assert_eq!(top["cause"], "upstream_refused", "{report:#}");
    assert_eq!(top["upstream"], format!("127.0.0.1:{closed}"));
    assert_eq!(top["count"], REQUESTS as u64);
    assert_eq!(
        top["affected_requests"], REQUESTS as u64,
        "every 502 is attributed to it"
    );
    assert_eq!(top["statuses"]["502"], REQUESTS as u64);
    assert_eq!(report["access"]["server_errors"], REQUESTS as u64);
    assert_eq!(report["access"]["attributed_share"], 1.0);
    assert_eq!(report["totals"]["unrecognized"], 0);
    assert!(top["fix"]["summary"].as_str().unwrap().contains(&format!(
        "127.0.0.1:{closed} refused {REQUESTS} connections"
    )));
}
