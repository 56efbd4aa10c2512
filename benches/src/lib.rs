//! Benchmark support for logscan: a deterministic generator of realistic web-server logs.
//!
//! [`Generator`] writes nginx, Apache httpd and PHP-FPM logs whose lines have the shapes of
//! the real captures in `fixtures/` (same messages, same context fields, same escapes),
//! with a steady baseline of traffic and bursts of incidents (connection refused, read and
//! connect timeouts, resets, early closes, PHP-FPM pool exhaustion, PHP fatals with stack
//! traces), retries logged as multi-value upstream fields (`a, b` and `a : b`), escaped
//! bytes, and as many distinct URLs and clients as asked for. The same [`Options`] always
//! give the same bytes. The edge kinds (HAProxy, AWS ALB, CloudFront, Cloudflare, Google
//! Cloud LB) write the same simulated requests as the layer in front logs them, each
//! incident as that product's own code.
//!
//! ```
//! use logscan_benches::{Generator, LogKind, Options};
//!
//! let options = Options { kind: LogKind::NginxUpstream, size: 4096, seed: 7, cardinality: 100, healthy: None };
//! let mut bytes = Vec::new();
//! Generator::new(options).write_to(&mut bytes)?;
//! assert!(bytes.len() >= 4096);
//! let parser = options.kind.parser();
//! for line in bytes.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
//!     assert!(parser.parse(line).is_ok());
//! }
//! # Ok::<(), std::io::Error>(())
//! ```
#![deny(missing_docs)]

mod generator;
pub mod longrun;

pub use generator::{Generator, LogKind, Options, parse_size};
