//! The `logscan` command (work in progress).
fn main() {}
