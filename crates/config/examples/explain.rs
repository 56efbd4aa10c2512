//! Reads configurations and prints what was read, the mismatches, and (with a cause and an
//! upstream) the directives that decide that cause.
//!
//! ```sh
//! cargo run -p logscan-config --example explain -- /etc/nginx/nginx.conf /etc/php/8.2/fpm/php-fpm.conf
//! cargo run -p logscan-config --example explain -- --cause upstream_timeout_read --upstream 127.0.0.1:8080 /etc
//! ```

use std::path::PathBuf;

use logscan_config::{Configs, Options, Target};

fn main() {
    let mut cause = None;
    let mut upstream = None;
    let mut paths = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--cause" => cause = args.next(),
            "--upstream" => upstream = args.next(),
            _ => paths.push(PathBuf::from(a)),
        }
    }
    let options = Options::default();
    let mut configs = Configs::new();
    for p in &paths {
        configs.read(p, &options);
    }
    for c in configs.configs() {
        let kind = c.kind.map_or("?", |k| k.id());
        let state = if c.parsed.is_ok() { "ok" } else { "error" };
        println!("{} ({kind}): {state}", c.path.display());
        for w in c.warnings() {
            println!("  {:?}: {w}", w.severity);
        }
    }
    for m in configs.mismatches() {
        println!("mismatch {}: {}", m.kind.id(), m.message);
    }
    if let Some(cause) = cause {
        let target = upstream.as_deref().and_then(Target::parse);
        for r in target.iter().flat_map(|t| configs.routes_to(t)) {
            println!(
                "route: {} via `{} {}` at {}",
                r.block_name,
                r.via.name,
                r.via.value(),
                r.via.place
            );
        }
        for e in configs.deciding(&cause, target.as_ref()) {
            println!(
                "{} = {} ({:?}) at {} [{}]",
                e.directive, e.value, e.source, e.place, e.block
            );
        }
    }
}
