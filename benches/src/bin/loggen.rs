//! `loggen`: writes a deterministic, realistic log to stdout.
//!
//! ```text
//! loggen --format nginx-upstream --size 1G --seed 1 [--cardinality 1000000] [--healthy 99] > access.log
//! ```

use std::io::{self, Write};
use std::process::ExitCode;

use logscan_benches::{Generator, LogKind, Options, parse_size};

const USAGE: &str =
    "usage: loggen --format KIND --size SIZE [--seed N] [--cardinality N] [--healthy P]
  KIND: nginx-error, nginx-access, nginx-upstream, ingress, apache-error, apache-access, php-fpm,
        haproxy, aws-alb, cloudfront, cloudflare, gcp-lb
  SIZE: bytes, or with K, M, G (binary units)
  --cardinality N: distinct URLs and distinct clients (default 10000)
  --healthy P: access logs: P per cent (0-100) of the requests answered 2xx/3xx, the rest
               404, 499 or 5xx (default: the built-in mix, 87% 2xx/3xx at seed 1)";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("loggen: {message}\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<(), String> {
    let mut options = Options::default();
    let mut args = std::env::args().skip(1);
    let mut kind = None;
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--format" | "-f" => kind = Some(value()?.parse::<LogKind>()?),
            "--size" | "-s" => options.size = parse_size(&value()?)?,
            "--seed" => options.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--cardinality" => {
                options.cardinality = value()?
                    .parse()
                    .map_err(|e| format!("--cardinality: {e}"))?
            }
            "--healthy" => {
                let per_cent: u8 = value()?.parse().map_err(|e| format!("--healthy: {e}"))?;
                if per_cent > 100 {
                    return Err(format!("--healthy: {per_cent} is not a per cent (0-100)"));
                }
                options.healthy = Some(per_cent);
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    options.kind = kind.ok_or("--format is required")?;
    let stdout = io::stdout().lock();
    match Generator::new(options).write_to(stdout) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(e.to_string()),
    }
    .and_then(|()| io::stdout().flush().map_err(|e| e.to_string()))
}
