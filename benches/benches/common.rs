//! Generated inputs shared by the benches.

use logscan_benches::{Generator, LogKind, Options};

/// `size` bytes of `kind`, framed into entries the way `EntryReader` frames them (a line
/// plus the following lines that do not start an entry), without line terminators.
pub fn entries(kind: LogKind, size: u64) -> (Vec<Vec<u8>>, u64) {
    entries_with(kind, size, None)
}

/// As [`entries`], with `healthy` per cent of the requests answered 2xx/3xx (access kinds;
/// `None`: the generator's built-in mix).
pub fn entries_with(kind: LogKind, size: u64, healthy: Option<u8>) -> (Vec<Vec<u8>>, u64) {
    let mut bytes = Vec::new();
    Generator::new(Options {
        kind,
        size,
        seed: 1,
        cardinality: 10_000,
        healthy,
    })
    .write_to(&mut bytes)
    .expect("generate");
    let parser = kind.parser();
    let mut out: Vec<Vec<u8>> = Vec::new();
    let text = bytes.strip_suffix(b"\n").unwrap_or(&bytes);
    for line in text.split(|&b| b == b'\n') {
        match out.last_mut() {
            Some(last) if !parser.starts_entry(line) => {
                last.push(b'\n');
                last.extend_from_slice(line);
            }
            _ => out.push(line.to_vec()),
        }
    }
    (out, bytes.len() as u64)
}
