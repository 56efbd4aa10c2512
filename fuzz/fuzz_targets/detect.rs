//! Format detection over a sample of lines, with an optional path hint: no panic, and the
//! shortcut detection takes (an access format stops reading the sample once it can no
//! longer win) changes no choice. `detect` and `detect_exhaustive` (every parser reads the
//! whole sample) must agree on the parser and its fallbacks, the counts, the lines read,
//! and how the chosen parser reads every sample line. An odd-length input also gets a
//! user-given `common` format as a candidate, so the candidates' part in the cutoff is
//! exercised too.
#![no_main]

use libfuzzer_sys::fuzz_target;
use logscan_parse::Parser;
use logscan_parse::detect::{detect, detect_exhaustive};

fuzz_target!(|input: (Option<&str>, &[u8])| {
    let (path, data) = input;
    let sample: Vec<&[u8]> = data.split(|&b| b == b'\n').take(64).collect();
    let candidates: Vec<Parser> = if data.len() % 2 == 1 {
        Parser::apache_access(r#"%h %l %u %t "%r" %>s %b"#)
            .into_iter()
            .collect()
    } else {
        Vec::new()
    };
    let cut = detect(&sample, path, &candidates);
    let full = detect_exhaustive(&sample, path, &candidates);
    match (&cut, &full) {
        (None, None) => {}
        (Some(cut), Some(full)) => {
            assert_eq!(format!("{:?}", cut.parser), format!("{:?}", full.parser));
            assert_eq!((cut.matched, cut.sampled), (full.matched, full.sampled));
            assert_eq!(cut.read_lines(), full.read_lines());
            for line in &sample {
                assert_eq!(
                    format!("{:?}", cut.parser.parse(line)),
                    format!("{:?}", full.parser.parse(line))
                );
            }
        }
        _ => panic!("cutoff {cut:?} / exhaustive {full:?}"),
    }
});
