//! # logscan-config (work in progress)
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod answer;
pub mod nginx;
mod options;
mod place;
mod source;
mod target;
mod tree;

pub use answer::{Effective, Module, Route, Server, Source};
pub use options::Options;
pub use place::{Place, Severity, Warning};
pub use target::Target;
pub use tree::{Block, BlockId, Setting, Tree};
