//! # logscan-input
//!
//! Reading log inputs (work in progress).
#![deny(missing_docs)]
