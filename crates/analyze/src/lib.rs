//! # logscan-analyze
//!
//! Records in, report out (work in progress).
#![deny(missing_docs)]
