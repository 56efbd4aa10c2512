//! The config fixtures (`fixtures/<server>/config_*`, captured from real nginx, Apache
//! httpd and PHP-FPM by fixtures/capture.d/config.sh): for each, the directive its
//! `labels.json` says decides the induced cause is what [`Configs::deciding`] answers for
//! the upstream the error log names, with the labelled file, line, value and default flag.
//! The labels' lines were found by the capture script with grep, apart from these grammars.
//!
//! The trees were written under the capture's work directory; they are read from the
//! fixture directory through [`Options::rebase`]. nginx's own `nginx -T` output of the same
//! tree gives the same answers.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use logscan_config::{Configs, Kind, NginxConfig, Options, Request, Severity, Target};
use logscan_parse::{Parser, Record};
use serde_json::Value;

const WORK: &str = "/tmp/logscan-capture";

struct Fixture {
    dir: PathBuf,
    name: String,
    label: Value,
}

impl Fixture {
    fn original(&self) -> PathBuf {
        Path::new(WORK).join(&self.name)
    }

    fn options(&self) -> Options {
        Options::default().rebase(self.original(), &self.dir)
    }

    fn cause(&self) -> &str {
        self.label["cause"].as_str().unwrap()
    }

    /// The upstream most failures of the error log name, and the host and path most of
    /// those failures were for (nginx logs them; Apache's proxy lines do not).
    fn failing(&self) -> (Target, Option<(Option<String>, String)>) {
        let parser = match self.label["server"].as_str() {
            Some("apache") => Parser::apache_error(),
            _ => Parser::nginx_error(),
        };
        let text = std::fs::read(self.dir.join("error.log")).unwrap();
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        let mut requests: BTreeMap<(String, Option<String>, String), usize> = BTreeMap::new();
        for line in text.split(|&b| b == b'\n') {
            let Ok(Record::Error(e)) = parser.parse(line) else {
                continue;
            };
            let Some(u) = e.failure.and_then(|f| f.peer) else {
                continue;
            };
            let u = String::from_utf8_lossy(u).into_owned();
            *counts.entry(u.clone()).or_default() += 1;
            if let Some(path) = e.request.and_then(|r| {
                String::from_utf8_lossy(r)
                    .split(' ')
                    .nth(1)
                    .map(str::to_string)
            }) {
                let host = e.host.map(|h| String::from_utf8_lossy(h).into_owned());
                *requests.entry((u, host, path)).or_default() += 1;
            }
        }
        let (upstream, _) = counts
            .into_iter()
            .max_by_key(|(_, n)| *n)
            .unwrap_or_else(|| panic!("{}: no upstream in error.log", self.name));
        let request = requests
            .into_iter()
            .filter(|((u, _, _), _)| *u == upstream)
            .max_by_key(|(_, n)| *n)
            .map(|((_, host, path), _)| (host, path));
        let target = Target::parse(&upstream)
            .unwrap_or_else(|| panic!("{}: upstream {upstream:?}", self.name));
        (target, request)
    }

    fn upstream(&self) -> Target {
        self.failing().0
    }
}

fn fixtures() -> Vec<Fixture> {
    // A fresh capture (scripts/test) or the committed corpus.
    let root = std::env::var_os("LOGSCAN_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures"));
    let mut out = Vec::new();
    for server in ["nginx", "apache"] {
        for entry in std::fs::read_dir(root.join(server))
            .into_iter()
            .flatten()
            .flatten()
        {
            let Ok(text) = std::fs::read_to_string(entry.path().join("labels.json")) else {
                continue;
            };
            let label: Value = serde_json::from_str(&text).unwrap();
            if label.get("config_expect").is_none() {
                continue;
            }
            out.push(Fixture {
                name: format!("{server}/{}", entry.file_name().to_string_lossy()),
                dir: entry.path(),
                label,
            });
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    assert!(
        out.len() >= 9,
        "config fixtures missing under {}",
        root.display()
    );
    out
}

fn no_problems(configs: &Configs, name: &str) {
    for c in configs.configs() {
        assert!(
            c.parsed.is_ok(),
            "{name}: {}: {:?}",
            c.path.display(),
            c.warnings()
        );
        let problems: Vec<String> = c
            .warnings()
            .iter()
            .filter(|w| w.severity == Severity::Problem)
            .map(ToString::to_string)
            .collect();
        assert!(problems.is_empty(), "{name}: {problems:?}");
    }
}

/// Every labelled directive is among the deciding ones, at its file and line, with its value.
fn check_expectations(f: &Fixture, configs: &Configs, how: &str) {
    let (target, request) = f.failing();
    let request = request.as_ref().map(|(host, uri)| Request {
        host: host.as_deref(),
        uri,
    });
    let deciding = configs.deciding_for(f.cause(), Some(&target), request.as_ref());
    for want in f.label["config_expect"].as_array().unwrap() {
        let path = f.original().join(want["path"].as_str().unwrap());
        let directive = want["directive"].as_str().unwrap();
        let line = want["line"].as_u64().unwrap();
        let same = |e: &&logscan_config::Effective| {
            e.directive == directive && e.place.path == path && u64::from(e.place.line) == line
        };
        let Some(e) = deciding.iter().find(same) else {
            panic!(
                "{} ({how}): {directive} at {}:{line} for {target} {request:?} is not among {deciding:#?}",
                f.name,
                path.display()
            );
        };
        assert_eq!(
            deciding.iter().filter(same).count(),
            1,
            "{} ({how}): one answer per line: {deciding:#?}",
            f.name
        );
        assert_eq!(
            e.value,
            want["value"].as_str().unwrap(),
            "{} ({how}): {e:?}",
            f.name
        );
        assert_eq!(
            e.is_default(),
            want["default"].as_bool().unwrap(),
            "{} ({how}): {e:?}",
            f.name
        );
    }
}

/// Reads one fixture's trees and checks its labelled directives.
fn check_fixture(name: &str) {
    let f = fixtures()
        .into_iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no fixture {name}"));
    let mut configs = Configs::new();
    configs.read(&f.dir, &f.options());
    no_problems(&configs, &f.name);
    assert!(
        configs.configs().iter().any(|c| c.kind.is_some()),
        "{}: no configuration found",
        f.name
    );
    check_expectations(&f, &configs, "tree");
}

macro_rules! fixture_tests {
    ($($test:ident => $name:literal,)*) => {
        $(
            #[test]
            fn $test() {
                check_fixture($name);
            }
        )*

        /// Every config fixture on disk has its test above.
        #[test]
        fn every_config_fixture_has_a_test() {
            let named = [$($name),*];
            for f in fixtures() {
                assert!(named.contains(&f.name.as_str()), "add {} to fixture_tests!", f.name);
            }
        }
    };
}

fixture_tests! {
    location_timeout => "nginx/config_location_timeout",
    http_timeout => "nginx/config_http_timeout",
    default_timeout => "nginx/config_default_timeout",
    socket_mismatch => "nginx/config_socket_mismatch",
    max_children => "nginx/config_max_children",
    buffer_size => "nginx/config_buffer_size",
    max_fails => "nginx/config_max_fails",
    proxypass_timeout => "apache/config_proxypass_timeout",
    proxy_timeout => "apache/config_proxy_timeout",
}

#[test]
fn nginx_dumps_give_the_same_answers_as_the_trees() {
    let mut dumps = 0;
    for f in fixtures() {
        let dump = f.dir.join("nginx-T.txt");
        if !dump.is_file() {
            continue;
        }
        let options = f.options();
        let from_dump = NginxConfig::read_dump(&dump, &options).unwrap();
        let from_tree = NginxConfig::read(&f.dir.join("etc/nginx/nginx.conf"), &options).unwrap();
        // The same files with the same directives at the same lines.
        assert_eq!(from_dump.files(), from_tree.files(), "{}", f.name);
        assert!(
            from_dump
                .warnings()
                .iter()
                .all(|w| w.severity == Severity::Note),
            "{}: {:?}",
            f.name,
            from_dump.warnings()
        );
        // And the same answers, PHP-FPM read from the tree beside it.
        let mut configs = Configs::new();
        configs.read_as(&dump, Kind::NginxDump, &options);
        for fpm in glob::glob(&f.dir.join("etc/php/*/fpm/php-fpm.conf").to_string_lossy())
            .unwrap()
            .flatten()
        {
            configs.read_as(&fpm, Kind::PhpFpm, &options);
        }
        check_expectations(&f, &configs, "nginx -T");
        dumps += 1;
    }
    assert!(dumps >= 7, "only {dumps} nginx -T dumps");
}

#[test]
fn a_socket_no_pool_listens_on_is_a_mismatch_naming_both_lines() {
    let mut checked = 0;
    for f in fixtures() {
        let Some(want) = f.label.get("config_mismatch") else {
            continue;
        };
        let mut configs = Configs::new();
        configs.read(&f.dir, &f.options());
        let mismatches = configs.mismatches();
        let kind = want["kind"].as_str().unwrap();
        let m = mismatches
            .iter()
            .find(|m| m.kind.id() == kind)
            .unwrap_or_else(|| panic!("{}: no {kind} among {mismatches:#?}", f.name));
        assert!(m.explains(f.cause()), "{}: {m:?}", f.name);
        assert!(m.concerns(&f.upstream()), "{}: {m:?}", f.name);
        for place in want["places"].as_array().unwrap() {
            let path = f.original().join(place["path"].as_str().unwrap());
            let line = place["line"].as_u64().unwrap() as u32;
            assert!(
                m.places.iter().any(|p| p.path == path && p.line == line),
                "{}: {}:{line} not in {:?}",
                f.name,
                path.display(),
                m.places
            );
        }
        checked += 1;
    }
    assert!(checked >= 1);
}

/// Only the labelled mismatch, and where the fixture's configuration really has one more,
/// that one: `config_max_children` cut `fastcgi_read_timeout` to 3 s, below PHP's
/// `max_execution_time` of 30 s, with no `request_terminate_timeout` in between.
#[test]
fn the_other_fixtures_show_no_mismatch_but_their_own() {
    for f in fixtures() {
        let mut configs = Configs::new();
        configs.read(&f.dir, &f.options());
        let own = f
            .label
            .get("config_mismatch")
            .and_then(|m| m["kind"].as_str());
        let also = match f.name.as_str() {
            "nginx/config_max_children" => Some("php_timeout_order"),
            _ => None,
        };
        let found: Vec<&str> = configs.mismatches().iter().map(|m| m.kind.id()).collect();
        let wanted: Vec<&str> = own.into_iter().chain(also).collect();
        assert_eq!(found, wanted, "{}: {:#?}", f.name, configs.mismatches());
    }
}

#[test]
fn observed_values_against_the_fixtures_limits() {
    for f in fixtures() {
        let mut configs = Configs::new();
        configs.read(&f.dir, &f.options());
        let target = f.upstream();
        match f.name.as_str() {
            // proxy_buffer_size 1k; the backend's header was about 2 KB.
            "nginx/config_buffer_size" => {
                let m = configs.header_buffer_check(&target, 2100);
                assert_eq!(m.len(), 1, "{m:?}");
                assert!(
                    m[0].message.contains("`proxy_buffer_size` is 1k at"),
                    "{}",
                    m[0].message
                );
                assert!(configs.header_buffer_check(&target, 1000).is_empty());
                // No size known: the buffer in force, and that the headers exceeded it.
                let m = configs.header_buffer_exceeded(&target);
                assert_eq!(m.len(), 1, "{m:?}");
                assert!(
                    m[0].message.contains("`proxy_buffer_size` is 1k at")
                        && m[0].message.contains("did not fit in those 1024 bytes"),
                    "{}",
                    m[0].message
                );
            }
            // pm.max_children = 2; 20 requests came at once.
            "nginx/config_max_children" => {
                let m = configs.max_children_check(&target, 20);
                assert_eq!(m.len(), 1, "{m:?}");
                assert!(
                    m[0].message.contains("`pm.max_children` is 2 at"),
                    "{}",
                    m[0].message
                );
                assert!(configs.max_children_check(&target, 2).is_empty());
            }
            _ => {}
        }
    }
}

#[test]
fn nginx_t_of_a_refused_configuration_names_nginxs_complaint() {
    let f = fixtures()
        .into_iter()
        .find(|f| f.dir.join("nginx-T-refused.txt").is_file())
        .expect("a refused dump");
    let e = NginxConfig::read_dump(&f.dir.join("nginx-T-refused.txt"), &f.options()).unwrap_err();
    assert_eq!(
        e.path,
        f.original().join("broken/etc/nginx/sites-enabled/shop")
    );
    assert_eq!(e.line, Some(14));
    assert!(
        e.message
            .contains("unknown directive \"proxy_read_timout\""),
        "{e}"
    );
    let mut configs = Configs::new();
    configs.read(&f.dir.join("nginx-T-refused.txt"), &f.options());
    assert_eq!(configs.configs()[0].kind, Some(Kind::NginxDump));
    assert!(configs.configs()[0].parsed.is_err());
}
