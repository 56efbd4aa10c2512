//! # logscan-config
//!
//! Reads the configuration of nginx (a file tree with `include`s, or saved `nginx -T`
//! output), Apache httpd (`Include`, `IncludeOptional`, `Define`, `${VAR}`, sections) and
//! PHP-FPM (global section, pools, `include=`, `$pool`), and answers the questions a
//! diagnosis of 502/503/504s asks of it: which block sends requests to this upstream, what
//! is its read timeout there and where is it set (or is it the default), which PHP-FPM
//! pool listens on that socket and how many children may it start, and what in the
//! configuration is inconsistent by itself. It knows nothing of logs.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use logscan_config::{Configs, Options, Source, Target};
//!
//! let etc = tempfile::tempdir()?;
//! let nginx = etc.path().join("nginx");
//! std::fs::create_dir_all(nginx.join("sites-enabled"))?;
//! std::fs::write(nginx.join("nginx.conf"), "\
//! user www-data;
//! events {}
//! http {
//!     proxy_read_timeout 30s;
//!     include sites-enabled/*;
//! }
//! ")?;
//! std::fs::write(nginx.join("sites-enabled/shop"), "\
//! server {
//!     server_name shop.example;
//!     location /api/ {
//!         proxy_pass http://127.0.0.1:8080;
//!     }
//!     location ~ \\.php$ {
//!         fastcgi_pass unix:/run/php/php8.1-fpm.sock;
//!     }
//! }
//! ")?;
//! let fpm = etc.path().join("php/8.2/fpm");
//! std::fs::create_dir_all(&fpm)?;
//! std::fs::write(fpm.join("php-fpm.conf"), "\
//! [www]
//! user = www-data
//! listen = /run/php/php8.2-fpm.sock
//! pm = static
//! pm.max_children = 5
//! ")?;
//!
//! let mut configs = Configs::new();
//! configs.read(etc.path(), &Options::default()); // finds nginx.conf and php-fpm.conf
//! assert_eq!(configs.configs().len(), 2);
//!
//! // What decides a read timeout of requests to 127.0.0.1:8080? Inherited from `http {}`.
//! let target = Target::parse("127.0.0.1:8080").unwrap();
//! let deciding = configs.deciding("upstream_timeout_read", Some(&target));
//! assert_eq!(deciding[0].directive, "proxy_read_timeout");
//! assert_eq!(deciding[0].value, "30s");
//! assert_eq!(deciding[0].source, Source::Inherited);
//! assert_eq!(deciding[0].block, "server shop.example / location /api/");
//! assert!(deciding[0].place.to_string().ends_with("nginx/nginx.conf:4"));
//!
//! // The connect timeout was never set: nginx's default, where it would go.
//! let connect = configs.deciding("upstream_timeout_connect", Some(&target));
//! assert_eq!((connect[0].value.as_str(), connect[0].is_default()), ("60s", true));
//! assert!(connect[0].place.to_string().ends_with("sites-enabled/shop:3"));
//!
//! // The PHP socket nginx dials is not the one PHP-FPM listens on.
//! let problems = configs.mismatches();
//! assert_eq!(problems[0].kind.id(), "socket_without_pool");
//! assert!(problems[0].explains("socket_missing"));
//! assert!(problems[0].message.contains("/run/php/php8.2-fpm.sock (pool www"));
//! # Ok(()) }
//! ```
//!
//! ## What is in it
//!
//! - [`nginx`], [`apache`] and [`fpm`]: one grammar each (written with `nom`), the files as
//!   written (a typed tree with the line of every directive), and an effective [`Tree`]
//!   of blocks with includes spliced in and conditions decided.
//! - [`Configs`]: several configurations read together, [`Configs::routes_to`] a
//!   [`Target`] (an address, a socket, an upstream group, as logs name them),
//!   [`Configs::effective`] values with their [`Source`] (set here, inherited, default),
//!   [`Configs::deciding`] the directives that decide a cause, and
//!   [`Configs::mismatches`] ([`Mismatch`]), with helpers for the ones that need a log
//!   observation ([`Configs::header_buffer_check`], [`Configs::header_buffer_exceeded`],
//!   [`Configs::max_children_check`], [`Configs::keepalive_check`]).
//!
//! ## Bad input
//!
//! Configuration files may be broken or hostile. Reading never panics and never hangs:
//! syntax errors, unterminated quotes and blocks, include cycles, globs that match nothing,
//! unreadable or missing files, bytes that are not UTF-8 and `nginx -T` output of a
//! configuration nginx refused all become [`Warning`]s with `path:line`, and whatever
//! could be read is still returned. Nesting, file counts, sizes and directive counts are
//! bounded ([`Options`]). Text quoted from files in messages has its control characters
//! escaped.
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod answer;
pub mod apache;
mod checks;
mod configs;
mod decide;
pub mod fpm;
pub mod nginx;
mod options;
mod place;
mod reader;
mod source;
mod target;
mod tree;
pub mod value;

pub use answer::{Effective, Module, Route, Server, Source};
pub use apache::ApacheConfig;
pub use checks::{Mismatch, MismatchKind};
pub use configs::{Config, Configs, Kind, Parsed, USUAL_PATHS};
pub use fpm::FpmConfig;
pub use nginx::{NginxConfig, Request};
pub use options::Options;
pub use place::{Place, Severity, Warning};
pub use target::Target;
pub use tree::{Block, BlockId, Setting, Tree};
