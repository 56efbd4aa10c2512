//! nginx configuration: one file, or `nginx -T` output (files after `# configuration file
//! <path>:` lines, so includes between them are followed), then every question logscan
//! asks of it. Checks: no panic, no hang, and no raw control character in a warning.
#![no_main]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use libfuzzer_sys::fuzz_target;
use logscan_config::nginx::Request;
use logscan_config::{BlockId, Configs, NginxConfig, Options, Parsed, Target};

const DIRECTIVES: &[&str] = &[
    "proxy_read_timeout", "fastcgi_buffer_size", "keepalive_timeout", "keepalive", "resolver",
    "worker_connections", "worker_rlimit_nofile", "user", "proxy_http_version",
];
const CAUSES: &[&str] = &[
    "upstream_timeout_read", "no_live_upstreams", "header_too_big", "upstream_reset", "dns_resolution",
    "fd_exhaustion", "socket_missing",
];

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let options = Options::default();
    let config = if text.contains("# configuration file ") {
        NginxConfig::from_dump_text(&text, Path::new("dump.txt"), &options)
    } else {
        let main = PathBuf::from("/etc/nginx/nginx.conf");
        let mut files = BTreeMap::new();
        files.insert(main.clone(), data.to_vec());
        NginxConfig::from_memory(files, &main, &options)
    };
    let config = match config {
        Ok(c) => c,
        Err(w) => {
            assert!(!w.message.chars().any(char::is_control), "{w:?}");
            return;
        }
    };
    for w in config.warnings() {
        assert!(!w.message.chars().any(char::is_control), "{w:?}");
    }
    let tree = config.tree();
    for (id, _) in tree.blocks().take(200) {
        let _ = config.describe(id);
        for d in DIRECTIVES {
            let _ = config.effective(id, d);
        }
        let _ = config.serves(id, &Request { host: Some("shop.example"), uri: "/api/x.php?a=1" });
    }
    for up in config.blocks_named("upstream").take(20).collect::<Vec<BlockId>>() {
        for s in config.upstream_servers(up) {
            let _ = config.server_param(up, &s, "max_fails");
        }
    }
    let _ = config.log_formats();
    let targets: Vec<Target> = config
        .passes()
        .iter()
        .take(20)
        .filter_map(|(_, s, _)| s.args.first().and_then(|a| Target::parse(a)))
        .collect();
    let mut configs = Configs::new();
    configs.push(Path::new("/etc/nginx/nginx.conf"), Parsed::Nginx(config));
    for t in &targets {
        let _ = configs.routes_to(t);
        for c in CAUSES {
            let _ = configs.deciding_for(c, Some(t), Some(&Request { host: None, uri: "/" }));
        }
        let _ = configs.header_buffer_check(t, 9000);
    }
    let _ = configs.deciding("worker_connections", None);
    for m in configs.mismatches() {
        assert!(!m.message.is_empty());
    }
});
