//! docs/causes.md is made from the code, so it cannot go stale: every cause of
//! [`Cause::ALL`] with its id, base severity, category and title, and the fix this crate
//! writes for it when nginx or Apache httpd logged it, filled in with example evidence.
//! The test fails when the committed page differs from what the code makes now;
//! `LOGSCAN_BLESS=1 cargo test -p logscan-analyze --lib causes_page` rewrites it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use logscan_parse::{Category, Cause, Server};

use crate::fix::{FixContext, fix};
use crate::report::Fix;

const REGENERATE: &str = "LOGSCAN_BLESS=1 cargo test -p logscan-analyze --lib causes_page";
const COUNT: u64 = 1_204;
const WHEN: &str = "between 14:02:11 and 14:07:40";

/// The upstream a finding of `cause` typically names, and the protocol spoken to it.
fn example_upstream(cause: Cause) -> (&'static str, &'static str) {
    match cause {
        Cause::BackendCrash
        | Cause::SocketMissing
        | Cause::SocketPermission
        | Cause::BacklogFull
        | Cause::FpmPoolExhausted
        | Cause::PhpFatal
        | Cause::PhpTimeout
        | Cause::PhpScriptNotFound => ("unix:/run/php/php8.2-fpm.sock", "fastcgi"),
        Cause::NoLiveUpstreams => ("backend", "http"),
        Cause::DnsResolution => ("backend.internal", "http"),
        Cause::TlsToUpstream => ("10.0.0.5:8443", "https"),
        Cause::WorkerConnections => ("", "http"),
        _ => ("10.0.0.5:8080", "http"),
    }
}

fn example_fix(cause: Cause, server: Server) -> Fix {
    let (upstream, protocol) = example_upstream(cause);
    fix(&FixContext {
        cause: Some(cause),
        server: Some(server),
        upstream: upstream.to_owned(),
        protocol: Some(protocol.to_owned()),
        count: COUNT,
        when: WHEN.to_owned(),
        ..FixContext::default()
    })
}

/// Markdown for text that may hold `code spans`: outside them, characters Markdown would
/// take as markup (`<port>` as an HTML tag, `[::1]` as a link) are backslash-escaped.
fn markdown(text: &str) -> String {
    if text.matches('`').count() % 2 == 1 {
        return escape_markup(text);
    }
    text.split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                format!("`{part}`")
            } else {
                escape_markup(part)
            }
        })
        .collect()
}

fn escape_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '<' | '>' | '[' | ']' | '*' | '_' | '|' | '#') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn write_fix(page: &mut String, fix: &Fix) {
    let _ = writeln!(page, "{}\n", markdown(&fix.summary));
    for (i, step) in fix.steps.iter().enumerate() {
        let _ = writeln!(page, "{}. {}", i + 1, markdown(step));
    }
    page.push('\n');
}

/// The page.
fn page() -> String {
    let mut page = String::new();
    let _ = write!(
        page,
        "<!-- Generated from the code (logscan-parse's cause table, logscan-analyze's fix \
         texts); do not edit. To update: {REGENERATE} -->\n\n\
         # Causes and their fixes\n\n\
         Every failure logscan finds gets one of these {} cause ids. The ids are stable: they \
         are the `cause` of each finding in the report JSON ([report.md](report.md)) and \
         `logscan.cause` in the events ([events.md](events.md)). The severity is that of one \
         occurrence; a finding's severity is raised or lowered from it by its volume and \
         share. The category says it in plain words.\n\n\
         Below each cause is the fix logscan writes, as it writes it when nginx or Apache \
         httpd logged the failure, here filled in with example evidence: {} events {WHEN}, \
         and a typical upstream for the cause (`10.0.0.5:8080`, PHP-FPM's socket \
         `unix:/run/php/php8.2-fpm.sock`, ...). In a real report the upstream, the counts, \
         the times, the observed timeouts and the protocol (`proxy_*`, `fastcgi_*`, ...) are \
         the ones from your logs, and some texts change with what the lines say (a missing \
         `resolver`, a memory limit, an HTTP port answering FastCGI).\n\n",
        Cause::ALL.len(),
        crate::text::thousands(COUNT),
    );

    let mut categories: Vec<Category> = Vec::new();
    for cause in Cause::ALL {
        if !categories.contains(&cause.category()) {
            categories.push(cause.category());
        }
    }
    page.push_str("| category | in plain words |\n| --- | --- |\n");
    for category in &categories {
        let _ = writeln!(page, "| `{}` | {} |", category.id(), category.plain());
    }
    page.push_str("\n| cause | severity | category | title |\n| --- | --- | --- | --- |\n");
    for cause in Cause::ALL {
        let _ = writeln!(
            page,
            "| [`{id}`](#{id}) | {} | `{}` | {} |",
            cause.severity(),
            cause.category().id(),
            markdown(cause.title()),
            id = cause.id(),
        );
    }
    page.push('\n');

    for cause in Cause::ALL {
        let _ = write!(
            page,
            "## {id}\n\n**{}.** Severity `{}`, category `{}` ({}).\n\n",
            markdown(cause.title()),
            cause.severity(),
            cause.category().id(),
            cause.category().plain(),
            id = cause.id(),
        );
        let nginx = example_fix(cause, Server::Nginx);
        let apache = example_fix(cause, Server::Apache);
        if nginx == apache {
            page.push_str("nginx and Apache httpd:\n\n");
            write_fix(&mut page, &nginx);
        } else {
            page.push_str("nginx:\n\n");
            write_fix(&mut page, &nginx);
            page.push_str("Apache httpd:\n\n");
            write_fix(&mut page, &apache);
        }
    }
    let trimmed = page.trim_end().len();
    page.truncate(trimmed);
    page.push('\n');
    page
}

/// docs/causes.md of the repository this crate is part of; `None` in a packaged copy of
/// the crate (cargo writes `Cargo.toml.orig` only into packages), which has no docs/.
fn committed_page() -> Option<PathBuf> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    (!manifest.join("Cargo.toml.orig").exists()).then(|| manifest.join("../../docs/causes.md"))
}

#[test]
fn causes_page_is_what_the_code_makes() {
    let Some(path) = committed_page() else {
        eprintln!("a packaged copy of the crate has no docs/causes.md: skipped");
        return;
    };
    let made = page();
    if std::env::var_os("LOGSCAN_BLESS").is_some_and(|v| v == "1") {
        std::fs::write(&path, &made).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != made {
        let line = committed
            .lines()
            .zip(made.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(made.lines().count()));
        panic!(
            "docs/causes.md is not what the code makes now (from its line {} on):\n  \
             committed: {:?}\n  code:      {:?}\nTo update it: {REGENERATE}",
            line + 1,
            committed.lines().nth(line),
            made.lines().nth(line),
        );
    }
}

#[test]
fn the_page_has_every_cause_and_a_fix_for_it() {
    let page = page();
    for cause in Cause::ALL {
        assert!(page.contains(&format!("\n## {}\n", cause.id())), "{cause}");
        assert!(
            page.contains(&format!("[`{0}`](#{0})", cause.id())),
            "{cause}"
        );
    }
    // The example evidence is in the texts, and Markdown cannot eat `<port>`.
    assert!(page.contains("10.0.0.5:8080 refused 1,204 connections between 14:02:11"));
    assert!(page.contains(r"127.0.0.1:\<port\>"));
    assert!(!page.contains("\n\n\n"));
}

#[test]
fn markdown_escapes_markup_outside_code_spans_only() {
    assert_eq!(markdown("a <b> `c <d>` [e]"), r"a \<b\> `c <d>` \[e\]");
    assert_eq!(markdown("odd ` tick <x>"), r"odd ` tick \<x\>");
}
