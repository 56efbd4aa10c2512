//! Each mismatch the configurations alone show, with a case that has it and one that does
//! not (the fixtures cover `socket_without_pool` on real servers' trees).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use logscan_config::{
    ApacheConfig, Configs, FpmConfig, MismatchKind, NginxConfig, Options, Parsed, Target,
};

fn nginx(text: &str) -> Parsed {
    let mut files = BTreeMap::new();
    files.insert(
        PathBuf::from("/etc/nginx/nginx.conf"),
        text.as_bytes().to_vec(),
    );
    let c = NginxConfig::from_memory(
        files,
        Path::new("/etc/nginx/nginx.conf"),
        &Options::default(),
    )
    .unwrap();
    assert!(c.warnings().is_empty(), "{:?}", c.warnings());
    Parsed::Nginx(c)
}

fn fpm(text: &str, php_ini: Option<&str>) -> Parsed {
    let mut files = BTreeMap::new();
    files.insert(
        PathBuf::from("/etc/php/8.2/fpm/php-fpm.conf"),
        text.as_bytes().to_vec(),
    );
    if let Some(ini) = php_ini {
        files.insert(
            PathBuf::from("/etc/php/8.2/fpm/php.ini"),
            ini.as_bytes().to_vec(),
        );
    }
    let c = FpmConfig::from_memory(
        files,
        Path::new("/etc/php/8.2/fpm/php-fpm.conf"),
        &Options::default(),
    )
    .unwrap();
    assert!(c.warnings().is_empty(), "{:?}", c.warnings());
    Parsed::Fpm(c)
}

fn apache(text: &str) -> Parsed {
    let mut files = BTreeMap::new();
    files.insert(
        PathBuf::from("/etc/apache2/apache2.conf"),
        text.as_bytes().to_vec(),
    );
    let c = ApacheConfig::from_memory(
        files,
        Path::new("/etc/apache2/apache2.conf"),
        &Options::default(),
    )
    .unwrap();
    assert!(c.warnings().is_empty(), "{:?}", c.warnings());
    Parsed::Apache(c)
}

fn configs(parts: Vec<Parsed>) -> Configs {
    let mut c = Configs::new();
    for (i, p) in parts.into_iter().enumerate() {
        c.push(Path::new(&format!("/config/{i}")), p);
    }
    c
}

fn kinds(c: &Configs) -> Vec<MismatchKind> {
    c.mismatches().iter().map(|m| m.kind).collect()
}

const PHP_SITE: &str = "user www-data;\nevents {}\nhttp {\n  server {\n    location ~ \\.php$ {\n      fastcgi_pass unix:/run/php/php8.2-fpm.sock;\n    }\n  }\n}\n";

#[test]
fn socket_the_web_servers_user_may_not_open() {
    // As in fixtures/nginx/socket_permission: root:root 0600, workers run as www-data.
    let locked = "[www]\nuser = www-data\nlisten = /run/php/php8.2-fpm.sock\nlisten.owner = root\nlisten.group = root\nlisten.mode = 0600\npm = static\npm.max_children = 2\n";
    let c = configs(vec![nginx(PHP_SITE), fpm(locked, None)]);
    let m = c.mismatches();
    assert_eq!(kinds(&c), [MismatchKind::SocketNotWritable]);
    assert!(
        m[0].message.contains("run as www-data:www-data"),
        "{}",
        m[0].message
    );
    assert!(
        m[0].message.contains("root:root mode 0600"),
        "{}",
        m[0].message
    );
    assert!(m[0].explains("socket_permission"));
    assert!(m[0].concerns(&Target::parse("unix:/run/php/php8.2-fpm.sock").unwrap()));
    let lines: Vec<u32> = m[0].places.iter().map(|p| p.line).collect();
    assert_eq!(lines, [6, 4, 5, 6]);

    // No owner set: the socket belongs to FPM's master (root), mode 0660.
    let default = "[www]\nuser = www-data\nlisten = /run/php/php8.2-fpm.sock\npm = static\npm.max_children = 2\n";
    assert_eq!(
        kinds(&configs(vec![nginx(PHP_SITE), fpm(default, None)])),
        [MismatchKind::SocketNotWritable]
    );

    // Debian's pool: owner and group www-data, mode 0660. Or ACLs, which decide alone.
    let debian = "[www]\nuser = www-data\nlisten = /run/php/php8.2-fpm.sock\nlisten.owner = www-data\nlisten.group = www-data\npm = static\npm.max_children = 2\n";
    assert!(kinds(&configs(vec![nginx(PHP_SITE), fpm(debian, None)])).is_empty());
    let acl = "[www]\nuser = www-data\nlisten = /run/php/php8.2-fpm.sock\nlisten.acl_users = www-data\npm = static\npm.max_children = 2\n";
    assert!(kinds(&configs(vec![nginx(PHP_SITE), fpm(acl, None)])).is_empty());
}

#[test]
fn keepalive_that_cannot_work() {
    let site = |extra: &str| {
        format!(
            "events {{}}\nhttp {{\n  upstream app {{\n    server 127.0.0.1:8080;\n    keepalive 16;\n  }}\n  server {{\n    location / {{\n      proxy_pass http://app;\n{extra}    }}\n  }}\n}}\n"
        )
    };
    let c = configs(vec![nginx(&site(""))]);
    let m = c.mismatches();
    assert_eq!(kinds(&c), [MismatchKind::KeepaliveWithoutHttp11]);
    assert!(
        m[0].message
            .contains("`proxy_http_version` is 1.0 (default)"),
        "{}",
        m[0].message
    );
    assert_eq!(m[0].places[0].line, 5);

    let c = configs(vec![nginx(&site("      proxy_http_version 1.1;\n"))]);
    assert_eq!(kinds(&c), [MismatchKind::KeepaliveWithoutHttp11]);
    assert!(
        c.mismatches()[0].message.contains("Connection"),
        "{}",
        c.mismatches()[0].message
    );

    let c = configs(vec![nginx(&site(
        "      proxy_http_version 1.1;\n      proxy_set_header Connection \"\";\n",
    ))]);
    assert!(kinds(&c).is_empty());
}

#[test]
fn keepalive_longer_than_the_backends() {
    let front = "events {}\nhttp {\n  upstream app {\n    server 127.0.0.1:8080;\n    keepalive 16;\n  }\n  server {\n    location / {\n      proxy_pass http://app;\n      proxy_http_version 1.1;\n      proxy_set_header Connection \"\";\n    }\n  }\n}\n";
    // Apache behind it keeps idle connections 5 s (its default), nginx 60 s (its default).
    let backend = apache(
        "Listen 127.0.0.1:8080\n<VirtualHost 127.0.0.1:8080>\n  ServerName app\n</VirtualHost>\n",
    );
    let c = configs(vec![nginx(front), backend]);
    let m = c.mismatches();
    assert_eq!(kinds(&c), [MismatchKind::KeepaliveOutlivesBackend]);
    assert!(
        m[0].message.contains("for 60s") && m[0].message.contains("after 5s"),
        "{}",
        m[0].message
    );
    assert!(m[0].explains("upstream_reset"));

    let backend = apache("Listen 127.0.0.1:8080\nKeepAliveTimeout 75\n");
    assert!(kinds(&configs(vec![nginx(front), backend])).is_empty());

    // A backend known from elsewhere (gunicorn's --keep-alive 2).
    let c = configs(vec![nginx(front)]);
    let t = Target::parse("127.0.0.1:8080").unwrap();
    assert_eq!(c.keepalive_check(&t, Duration::from_secs(2)).len(), 1);
    assert!(c.keepalive_check(&t, Duration::from_secs(120)).is_empty());
}

#[test]
fn variable_pass_without_resolver() {
    let site = |resolver: &str| {
        format!(
            "events {{}}\nhttp {{\n{resolver}  server {{\n    location / {{\n      set $b api.internal;\n      proxy_pass http://$b:8080;\n    }}\n  }}\n}}\n"
        )
    };
    let c = configs(vec![nginx(&site(""))]);
    assert_eq!(kinds(&c), [MismatchKind::VariablePassWithoutResolver]);
    assert!(c.mismatches()[0].explains("dns_resolution"));
    assert!(kinds(&configs(vec![nginx(&site("  resolver 127.0.0.53;\n"))])).is_empty());
    // The routes through the variable are found, marked inexact.
    let r = configs(vec![nginx(&site(""))]).routes_to(&Target::parse("api.internal").unwrap());
    assert_eq!((r.len(), r[0].exact), (1, false));
}

#[test]
fn php_timeouts_out_of_order() {
    let site = |t: &str| {
        format!(
            "user www-data;\nhttp {{\n  server {{\n    location ~ \\.php$ {{\n      fastcgi_pass unix:/run/php.sock;\n      fastcgi_read_timeout {t};\n    }}\n  }}\n}}\n"
        )
    };
    let pool = |rtt: &str| {
        format!(
            "[www]\nuser = www-data\nlisten = /run/php.sock\nlisten.owner = www-data\nlisten.group = www-data\npm = static\npm.max_children = 4\nrequest_terminate_timeout = {rtt}\n"
        )
    };
    let ini = Some("max_execution_time = 30\n");
    // 30 s (PHP) < 60 s (FPM) < 90 s (nginx): in order.
    assert!(kinds(&configs(vec![nginx(&site("90s")), fpm(&pool("60s"), ini)])).is_empty());
    // nginx gives up before FPM.
    let c = configs(vec![nginx(&site("45s")), fpm(&pool("60s"), ini)]);
    assert_eq!(kinds(&c), [MismatchKind::PhpTimeoutOrder]);
    let m = &c.mismatches()[0];
    assert!(
        m.message.contains("before FPM ends the script"),
        "{}",
        m.message
    );
    assert_eq!(
        m.places.iter().map(|p| p.line).collect::<Vec<_>>(),
        [1, 8, 6]
    );
    // FPM kills before PHP's own limit.
    let c = configs(vec![nginx(&site("90s")), fpm(&pool("20s"), ini)]);
    assert!(
        c.mismatches()[0].message.contains("before PHP's own limit"),
        "{}",
        c.mismatches()[0].message
    );
    // No request_terminate_timeout, and nginx's shorter than PHP's.
    let c = configs(vec![nginx(&site("10s")), fpm(&pool("0"), ini)]);
    assert!(
        c.mismatches()[0]
            .message
            .contains("nothing in FPM ends the script"),
        "{}",
        c.mismatches()[0].message
    );
}

#[test]
fn file_limits_below_worker_connections() {
    let conf = |limit: &str| {
        format!(
            "worker_processes 4;\n{limit}events {{ worker_connections 1024; }}\nhttp {{ server {{ location / {{ proxy_pass http://127.0.0.1:8080; }} }} }}\n"
        )
    };
    let c = configs(vec![nginx(&conf("worker_rlimit_nofile 1024;\n"))]);
    assert_eq!(kinds(&c), [MismatchKind::WorkerFilesLimit]);
    let m = &c.mismatches()[0];
    assert!(
        m.message
            .contains("4096 connections over 4 worker processes"),
        "{}",
        m.message
    );
    assert!(m.explains("fd_exhaustion") && m.targets.is_empty());
    assert!(kinds(&configs(vec![nginx(&conf("worker_rlimit_nofile 4096;\n"))])).is_empty());
    // Unset: the system's limit, which the files do not tell.
    assert!(kinds(&configs(vec![nginx(&conf(""))])).is_empty());
}

#[test]
fn observed_values_need_a_target_that_routes() {
    let c = configs(vec![nginx(
        "events {}\nhttp { server { location / { proxy_pass http://127.0.0.1:8080; } } }\n",
    )]);
    let t = Target::parse("127.0.0.1:8080").unwrap();
    // The default one page (4k) against 9 KB of headers.
    let m = c.header_buffer_check(&t, 9000);
    assert!(
        m[0].message.contains("`proxy_buffer_size` is 4k (default)"),
        "{}",
        m[0].message
    );
    assert!(
        c.header_buffer_check(&Target::parse("127.0.0.1:9").unwrap(), 9000)
            .is_empty()
    );
}
