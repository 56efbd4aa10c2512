//! Benchmark support for logscan (work in progress).
