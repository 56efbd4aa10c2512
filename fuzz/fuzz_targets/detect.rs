//! Format detection over a sample of lines, with an optional path hint.
#![no_main]

use libfuzzer_sys::fuzz_target;
use logscan_parse::detect::detect;

fuzz_target!(|input: (Option<&str>, &[u8])| {
    let (path, data) = input;
    let sample: Vec<&[u8]> = data.split(|&b| b == b'\n').take(64).collect();
    if let Some(found) = detect(&sample, path, &[]) {
        for line in &sample {
            let _ = found.parser.parse(line);
        }
    }
});
