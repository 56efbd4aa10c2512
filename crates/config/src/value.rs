//! Reading the values of time and size directives, so they can be compared.

use std::time::Duration;

/// A time as nginx, Apache httpd or PHP-FPM write it: `60s`, `500ms`, `2m`, `1h 30m`,
/// `1h30m`, `3d`; a bare number is seconds (`ProxyTimeout 2`, `request_terminate_timeout
/// = 30`). `None` if it is not a time.
pub fn duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let mut total_ms: u64 = 0;
    let mut rest = text;
    while !rest.is_empty() {
        rest = rest.trim_start();
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits == 0 {
            return None;
        }
        let number: u64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        let ms: u64 = match unit {
            "ms" => 1,
            "" | "s" => 1000,
            "m" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            "w" => 7 * 86_400_000,
            "M" => 30 * 86_400_000,
            "y" => 365 * 86_400_000,
            _ => return None,
        };
        total_ms = total_ms.checked_add(number.checked_mul(ms)?)?;
    }
    Some(Duration::from_millis(total_ms))
}

/// A size as nginx writes it: `4k`, `16K`, `1m`, `1g`, or bytes. `None` if it is not one.
pub fn size(text: &str) -> Option<u64> {
    let text = text.trim();
    let (number, unit) = match text.char_indices().last()? {
        (at, c) if c.is_ascii_alphabetic() => (&text[..at], c.to_ascii_lowercase()),
        _ => (text, 'b'),
    };
    let n: u64 = number.parse().ok()?;
    n.checked_mul(match unit {
        'b' => 1,
        'k' => 1 << 10,
        'm' => 1 << 20,
        'g' => 1 << 30,
        _ => return None,
    })
}

/// A duration in words for messages: `60s`, `2.5s`, `1500ms` as `1.5s`.
pub(crate) fn show(d: Duration) -> String {
    let ms = d.as_millis();
    if ms % 1000 == 0 {
        format!("{}s", ms / 1000)
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        let s = |n| Some(Duration::from_secs(n));
        assert_eq!(duration("60s"), s(60));
        assert_eq!(duration("60"), s(60));
        assert_eq!(duration("2m"), s(120));
        assert_eq!(duration("1h 30m"), s(5400));
        assert_eq!(duration("1h30m"), s(5400));
        assert_eq!(duration("500ms"), Some(Duration::from_millis(500)));
        assert_eq!(duration("0"), s(0));
        assert_eq!(duration("fast"), None);
        assert_eq!(duration("5x"), None);
        assert_eq!(duration(""), None);
        assert_eq!(duration("99999999999999999999y"), None);
        assert_eq!(show(Duration::from_millis(2500)), "2.5s");
    }

    #[test]
    fn sizes() {
        assert_eq!(size("4k"), Some(4096));
        assert_eq!(size("16K"), Some(16384));
        assert_eq!(size("1m"), Some(1 << 20));
        assert_eq!(size("8192"), Some(8192));
        assert_eq!(size("8 4k"), None);
        assert_eq!(size("k"), None);
    }
}
