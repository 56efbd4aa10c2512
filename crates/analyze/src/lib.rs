//! # logscan-analyze
//!
//! Turns [`logscan_parse`] records from any number of inputs into the [`Report`] an
//! operator reads at 3 a.m.: ranked findings (one per cause × upstream × vhost) with
//! counts, first/last seen, timelines, top endpoints and clients, example lines and a
//! concrete fix; incidents (intervals where failures rose well above their baseline); and
//! what the access logs show (5xx attributed to error-log causes, upstream times). Logs of
//! the CDN or load balancer in front (HAProxy, AWS ALB, CloudFront, Cloudflare, Google) are
//! findings of the `edge` layer, joined with the origin's lines of the same requests: a
//! failure the origin never saw "never reached the origin"; one the origin failed points at
//! the origin finding that explains it (`explained_by`), which ranks above it.
//!
//! The [`Analyzer`] is fed one record at a time ([`Analyzer::observe`]), is `Send`,
//! serialisable, and mergeable ([`Analyzer::merge`]) in any order, so chunks of one file,
//! many files and many machines reduce to one report. Memory stays bounded however many
//! distinct clients or URLs a log has. Nothing here prints.
//!
//! **Exact and approximate parts of a merge.** Counts, timelines, first/last times, the
//! examples kept, the samples used for attribution and the quantile sketches merge to
//! exactly what one pass gives, in any order. The top-k lists of a finding (endpoints and
//! clients: 64 counters; upstreams: 16) are Misra-Gries summaries: exact while a finding has
//! at most that many distinct values; past it, every count shown is at most `n / 64` (`n / 16`
//! for upstreams) below the true count and never above it, where `n` is the finding's
//! events, whether the list comes from one pass or from shards merged in any grouping or
//! order (the merged list may differ from a single pass's within that bound). A value
//! seen more than `n / 64` times is always kept.
//!
//! [`Analyzer::label_inputs`], [`Analyzer::renumber_inputs`] and [`Analyzer::check`] are for
//! analyzers that travel between runs as state files (the `logscan-state` crate).
//!
//! ```
//! use logscan_analyze::{Analyzer, Config, InputInfo, Origin};
//! use logscan_parse::{EntryReader, Format, Parser, ReaderConfig};
//!
//! let log = "\
//! 2026/11/25 01:27:19 [error] 812#812: *31 connect() failed (111: Connection refused) while connecting to upstream, client: 127.0.0.1, server: localhost, request: \"GET /api/items HTTP/1.1\", upstream: \"http://127.0.0.1:19020/api/items\", host: \"localhost\"
//! 2026/11/25 01:27:20 [error] 812#812: *33 connect() failed (111: Connection refused) while connecting to upstream, client: 127.0.0.1, server: localhost, request: \"GET /api/users HTTP/1.1\", upstream: \"http://127.0.0.1:19020/api/users\", host: \"localhost\"
//! ";
//! let parser = Parser::nginx_error();
//! let mut analyzer = Analyzer::new(Config::default());
//! analyzer.add_input(0, InputInfo::new("error.log", Format::NginxError, "web1"));
//! // Entries as logscan frames them: continuation lines joined, each within a size limit.
//! let mut reader = EntryReader::new(log.as_bytes(), ReaderConfig::default());
//! while let Some(entry) = reader.next_entry_for(&parser)? {
//!     let origin = Origin { input: 0, chunk: 0, line: entry.first_line, lines: entry.lines, text: entry.bytes };
//!     match parser.parse(entry.bytes) {
//!         Ok(record) if !entry.too_long => analyzer.observe(&record, &origin),
//!         Ok(_) => analyzer.observe_unrecognized(&origin, "line too long"),
//!         Err(error) => analyzer.observe_unrecognized(&origin, &error.to_string()),
//!     }
//! }
//! let report = analyzer.finish();
//! let top = &report.findings[0];
//! assert_eq!(top.cause.id(), "upstream_refused");
//! assert_eq!(top.upstream, "127.0.0.1:19020");
//! assert_eq!(top.count, 2);
//! assert!(top.fix.summary.contains("127.0.0.1:19020"));
//! # Ok::<(), std::io::Error>(())
//! ```
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod analyzer;
mod attribute;
#[cfg(test)]
mod causes_page;
mod clock;
mod columns;
mod config;
mod configured;
mod correlate;
mod edge;
mod edge_fix;
mod finish;
mod fix;
mod in_flight;
mod incidents;
mod limits;
pub mod report;
mod sample;
mod series;
mod state;
mod summary;
mod text;
mod topk;
mod watch;

pub use analyzer::{Analyzer, Footprint, InputInfo, Origin, SampleBounds};
pub use config::{Bound, Config};
pub use configured::{EventConfig, EventEvidence};
pub use report::Report;
pub use watch::{IncidentChange, LiveIncident};
