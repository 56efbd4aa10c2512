//! Apache httpd configuration: the input split at NUL bytes into `apache2.conf`, `envvars`
//! and files under `conf-enabled/` (which the first may `Include`), then every question
//! logscan asks of it. Checks: no panic, no hang, no raw control character in a warning.
#![no_main]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use libfuzzer_sys::fuzz_target;
use logscan_config::nginx::Request;
use logscan_config::{ApacheConfig, Configs, Options, Parsed, Target};

fuzz_target!(|data: &[u8]| {
    let mut files = BTreeMap::new();
    for (i, part) in data.split(|&b| b == 0).take(8).enumerate() {
        let path = match i {
            0 => PathBuf::from("/etc/apache2/apache2.conf"),
            1 => PathBuf::from("/etc/apache2/envvars"),
            n => PathBuf::from(format!("/etc/apache2/conf-enabled/{n}.conf")),
        };
        files.insert(path, part.to_vec());
    }
    let main = Path::new("/etc/apache2/apache2.conf");
    let config = match ApacheConfig::from_memory(files, main, &Options::default().define("SSL")) {
        Ok(c) => c,
        Err(_) => return,
    };
    for w in config.warnings() {
        assert!(!w.message.chars().any(char::is_control), "{w:?}");
    }
    for (id, _) in config.tree().blocks().take(200) {
        let _ = config.describe(id);
        for d in ["Timeout", "ProxyTimeout", "KeepAliveTimeout", "MaxRequestWorkers", "User"] {
            let _ = config.effective(id, d);
        }
    }
    let targets: Vec<Target> = config.proxy_lines().iter().take(20).filter_map(|l| Target::parse(&l.url)).collect();
    for t in &targets {
        for r in config.routes_to(t) {
            for p in ["timeout", "connectiontimeout", "retry", "responsefieldsize", "ttl"] {
                let _ = config.worker_param(&r, p);
            }
            let _ = config.serves(&r, &Request { host: Some("shop.example"), uri: "/api/x" });
        }
    }
    let mut configs = Configs::new();
    configs.push(main, Parsed::Apache(config));
    for t in &targets {
        let _ = configs.deciding("upstream_timeout_read", Some(t));
    }
    let _ = configs.mismatches();
});
