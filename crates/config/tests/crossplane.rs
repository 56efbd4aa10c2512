//! The nginx grammar against crossplane (nginxinc/crossplane, the reference nginx
//! configuration parser): for the configuration Debian's nginx package installs in
//! /etc/nginx and for the nginx trees of the config fixtures, the files read, and in each
//! file the directives, their arguments, line numbers, blocks and includes, equal what
//! `crossplane parse` gives.
//!
//! crossplane keeps escapes in arguments as written (except an escaped quote inside quotes),
//! where nginx resolves `\"`, `\'`, `\\`, `\t`, `\r` and `\n`; its arguments are compared
//! after that resolution, which is what nginx itself sees.
//!
//! Without crossplane (`pip install crossplane`; scripts/test installs it) the test says it
//! is skipped and passes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use logscan_config::Options;
use logscan_config::nginx::{Directive, NginxConfig};
use serde_json::{Value, json};

/// How to run crossplane: `$CROSSPLANE`, `crossplane` on the PATH, or `python3 -m
/// crossplane` (where pip put the module but not the script on the PATH).
fn crossplane() -> Option<Vec<String>> {
    let candidates: Vec<Vec<String>> = match std::env::var("CROSSPLANE") {
        Ok(p) => vec![vec![p]],
        Err(_) => vec![
            vec!["crossplane".into()],
            vec!["python3".into(), "-m".into(), "crossplane".into()],
        ],
    };
    candidates.into_iter().find(|c| {
        Command::new(&c[0])
            .args(&c[1..])
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

/// nginx's escape resolution, applied to crossplane's raw arguments.
fn nginx_unescape(raw: &str) -> String {
    let mut out = String::new();
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some(e @ ('"' | '\'' | '\\')) => out.push(e),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('n') => out.push('\n'),
            Some(o) => {
                out.push('\\');
                out.push(o);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// crossplane's `config` list as `{file: [directives]}`, includes as file paths.
fn from_crossplane(payload: &Value) -> BTreeMap<String, Value> {
    let configs = payload["config"].as_array().cloned().unwrap_or_default();
    let names: Vec<String> = configs
        .iter()
        .map(|c| c["file"].as_str().unwrap_or_default().to_string())
        .collect();
    fn conv(list: &Value, names: &[String]) -> Value {
        Value::Array(
            list.as_array()
                .into_iter()
                .flatten()
                .map(|d| {
                    let args: Vec<Value> = d["args"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|a| Value::String(nginx_unescape(a.as_str().unwrap_or_default())))
                        .collect();
                    let includes: Vec<Value> = d["includes"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|i| Value::String(names[i.as_u64().unwrap() as usize].clone()))
                        .collect();
                    let block = match d.get("block") {
                        Some(b) => conv(b, names),
                        None => Value::Null,
                    };
                    json!({"directive": d["directive"], "line": d["line"], "args": args, "includes": includes, "block": block})
                })
                .collect(),
        )
    }
    configs
        .iter()
        .zip(&names)
        .map(|(c, n)| (n.clone(), conv(&c["parsed"], &names)))
        .collect()
}

fn from_logscan(config: &NginxConfig) -> BTreeMap<String, Value> {
    let names: Vec<String> = config
        .files()
        .iter()
        .map(|f| f.path.to_string_lossy().into_owned())
        .collect();
    fn conv(list: &[Directive], names: &[String]) -> Value {
        Value::Array(
            list.iter()
                .map(|d| {
                    let includes: Vec<Value> = d.includes.iter().map(|&i| Value::String(names[i].clone())).collect();
                    let block = match &d.block {
                        Some(b) => conv(b, names),
                        None => Value::Null,
                    };
                    json!({"directive": d.name, "line": d.line, "args": d.args, "includes": includes, "block": block})
                })
                .collect(),
        )
    }
    config
        .files()
        .iter()
        .zip(&names)
        .map(|(f, n)| (n.clone(), conv(&f.directives, &names)))
        .collect()
}

fn compare(crossplane: &[String], main: &Path) {
    let out = Command::new(&crossplane[0])
        .args(&crossplane[1..])
        .args(["parse", "--no-catch"])
        .arg(main)
        .output()
        .expect("run crossplane");
    let payload: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "crossplane on {}: {e}\n{}",
            main.display(),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert_eq!(
        payload["status"],
        "ok",
        "crossplane could not read {}: {:#}",
        main.display(),
        payload["errors"]
    );
    let theirs = from_crossplane(&payload);
    let config = NginxConfig::read(main, &Options::default()).expect("logscan reads it");
    let ours = from_logscan(&config);
    assert_eq!(
        theirs.keys().collect::<Vec<_>>(),
        ours.keys().collect::<Vec<_>>(),
        "files read from {}",
        main.display()
    );
    for (file, tree) in &theirs {
        assert_eq!(
            &ours[file], tree,
            "{file}: logscan (left) and crossplane (right) differ"
        );
    }
    eprintln!(
        "{}: {} files equal crossplane's",
        main.display(),
        ours.len()
    );
}

#[test]
fn debians_shipped_nginx_configuration_reads_like_crossplane() {
    let main = Path::new("/etc/nginx/nginx.conf");
    let Some(cp) = crossplane() else {
        eprintln!("SKIPPED: crossplane is not installed (pip install crossplane)");
        return;
    };
    if !main.is_file() {
        eprintln!(
            "SKIPPED: {} not found (apt-get install nginx)",
            main.display()
        );
        return;
    }
    compare(&cp, main);
}

/// The fixtures' paths name the capture's work directory; a copy with those paths
/// rewritten to the copy's place lets both parsers follow the includes.
#[test]
fn the_config_fixtures_read_like_crossplane() {
    let Some(cp) = crossplane() else {
        eprintln!("SKIPPED: crossplane is not installed (pip install crossplane)");
        return;
    };
    let fixtures = std::env::var_os("LOGSCAN_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures"))
        .join("nginx");
    let mut compared = 0;
    for entry in std::fs::read_dir(&fixtures).into_iter().flatten().flatten() {
        let dir = entry.path();
        let main = dir.join("etc/nginx/nginx.conf");
        if !main.is_file() {
            continue;
        }
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let original = format!("/tmp/logscan-capture/nginx/{name}");
        let copy = tempfile::tempdir().unwrap();
        copy_rewritten(
            &dir.join("etc"),
            &copy.path().join("etc"),
            &original,
            &copy.path().to_string_lossy(),
        );
        compare(&cp, &copy.path().join("etc/nginx/nginx.conf"));
        compared += 1;
    }
    assert!(
        compared >= 6,
        "only {compared} nginx config fixtures found under {}",
        fixtures.display()
    );
}

fn copy_rewritten(from: &Path, to: &Path, original: &str, now: &str) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let path = entry.path();
        let dest = to.join(entry.file_name());
        if path.is_dir() {
            copy_rewritten(&path, &dest, original, now);
        } else {
            let text = std::fs::read_to_string(&path).unwrap();
            std::fs::write(dest, text.replace(original, now)).unwrap();
        }
    }
}

/// Quoting, escapes, comments, `if`, `map`, regex locations, CRLF line ends, variables in
/// braces and a Lua block: both parsers agree.
#[test]
fn corner_cases_read_like_crossplane() {
    let Some(cp) = crossplane() else {
        eprintln!("SKIPPED: crossplane is not installed (pip install crossplane)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("conf.d")).unwrap();
    std::fs::write(
        dir.path().join("nginx.conf"),
        "events { worker_connections 64; } # trailing comment\n\
         http {\r\n\
         \x20   log_format main '$remote_addr \"$request\" \\'x\\' \\\\ \\t'\n\
         \x20                   \"$status ${request_time}s\";\n\
         \x20   map $http_upgrade $connection_upgrade { default upgrade; '' close; \"~^a\\\"b\" x; }\n\
         \x20   include conf.d/*.conf;\n\
         \x20   server {\n\
         \x20       listen 127.0.0.1:8080;\n\
         \x20       server_name \"shop.example\" 'www.shop.example';\n\
         \x20       location ~* \\.(css|js)$ { expires 1d; }\n\
         \x20       location / {\n\
         \x20           if ($request_method = POST) { return 405; }\n\
         \x20           if ($http_x = \"a b\") { set $y \"${http_x}1\"; }\n\
         \x20           content_by_lua_block {\n\
         \x20               ngx.say(\"hello\")\n\
         \x20           }\n\
         \x20           proxy_pass http://127.0.0.1:9000; # inline comment\n\
         \x20       }\n\
         \x20   }\n\
         }\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("conf.d/a.conf"),
        "proxy_read_timeout 5s;\n\n# only a comment\nproxy_set_header Host $host;\n",
    )
    .unwrap();
    compare(&cp, &dir.path().join("nginx.conf"));
}
