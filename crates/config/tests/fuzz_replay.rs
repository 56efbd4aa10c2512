//! Inputs the fuzz targets found (fuzz/README.md, "Found and fixed"), replayed through the
//! same questions the targets ask. `apache-slow-unit-26e46a71`: 48 proxy lines made every
//! worker parameter re-read every proxy line (11 s under the fuzzer's sanitizers; the
//! lookup is now of the one line).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use logscan_config::{ApacheConfig, Configs, Options, Parsed, Request, Target};

fn replay_apache(data: &[u8]) {
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
    let config = ApacheConfig::from_memory(files, main, &Options::default().define("SSL")).unwrap();
    let lines = config.proxy_lines();
    assert!(!lines.is_empty());
    let targets: Vec<Target> = lines
        .iter()
        .take(20)
        .filter_map(|l| Target::parse(&l.url))
        .collect();
    let mut answered = 0;
    for t in &targets {
        for r in config.routes_to(t) {
            for p in [
                "timeout",
                "connectiontimeout",
                "retry",
                "responsefieldsize",
                "ttl",
            ] {
                answered += usize::from(config.worker_param(&r, p).is_some());
            }
            let _ = config.serves(
                &r,
                &Request {
                    host: Some("shop.example"),
                    uri: "/api/x",
                },
            );
        }
    }
    assert!(answered > 0);
    let mut configs = Configs::new();
    configs.push(main, Parsed::Apache(config));
    for t in &targets {
        let _ = configs.deciding("upstream_timeout_read", Some(t));
    }
    let _ = configs.mismatches();
}

#[test]
fn fuzz_findings_replay() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let data = std::fs::read(entry.path()).unwrap();
        if name.starts_with("apache-") {
            replay_apache(&data);
            n += 1;
        }
    }
    assert!(n >= 1);
}
