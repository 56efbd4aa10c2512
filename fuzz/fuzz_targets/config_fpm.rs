//! PHP-FPM configuration: the input split at NUL bytes into `php-fpm.conf`, `php.ini` and
//! pool files under `pool.d/` (which the first may `include=`), then every question logscan
//! asks of it, with an nginx that passes to each pool's socket. Checks: no panic, no hang,
//! no raw control character in a warning.
#![no_main]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use libfuzzer_sys::fuzz_target;
use logscan_config::{Configs, FpmConfig, NginxConfig, Options, Parsed, Target};

fuzz_target!(|data: &[u8]| {
    let mut files = BTreeMap::new();
    for (i, part) in data.split(|&b| b == 0).take(8).enumerate() {
        let path = match i {
            0 => PathBuf::from("/etc/php/fpm/php-fpm.conf"),
            1 => PathBuf::from("/etc/php/fpm/php.ini"),
            n => PathBuf::from(format!("/etc/php/fpm/pool.d/{n}.conf")),
        };
        files.insert(path, part.to_vec());
    }
    let main = Path::new("/etc/php/fpm/php-fpm.conf");
    let config = match FpmConfig::from_memory(files, main, &Options::default().var("SOCK", "/run/x.sock")) {
        Ok(c) => c,
        Err(_) => return,
    };
    for w in config.warnings() {
        assert!(!w.message.chars().any(char::is_control), "{w:?}");
    }
    let mut nginx = String::from("user www-data;\nhttp { server {\n");
    let mut targets = Vec::new();
    for pool in config.pools().take(20).collect::<Vec<_>>() {
        for k in ["pm.max_children", "request_terminate_timeout", "listen.owner", "listen.mode", "max_execution_time", "process_control_timeout"] {
            let _ = config.effective(pool, k);
        }
        if let Some((t, _)) = config.listen(pool) {
            if let Target::Unix(p) = &t {
                if !p.contains(['{', '}', ';', '"', '\\', '\n']) {
                    nginx.push_str(&format!("location /{} {{ fastcgi_pass \"unix:{p}\"; fastcgi_read_timeout 5s; }}\n", targets.len()));
                }
            }
            targets.push(t);
        }
    }
    nginx.push_str("}}\n");
    let mut configs = Configs::new();
    configs.push(main, Parsed::Fpm(config));
    let mut nf = BTreeMap::new();
    nf.insert(PathBuf::from("/etc/nginx/nginx.conf"), nginx.into_bytes());
    if let Ok(n) = NginxConfig::from_memory(nf, Path::new("/etc/nginx/nginx.conf"), &Options::default()) {
        configs.push(Path::new("/etc/nginx/nginx.conf"), Parsed::Nginx(n));
    }
    for t in &targets {
        for c in ["fpm_pool_exhausted", "php_timeout", "socket_permission"] {
            let _ = configs.deciding(c, Some(t));
        }
        let _ = configs.max_children_check(t, 50);
    }
    let _ = configs.mismatches();
});
