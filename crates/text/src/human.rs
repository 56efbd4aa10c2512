//! Numbers and durations as people read them.

/// `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// Whole seconds as a short human duration: `45 s`, `3 min 20 s`, `2 h 5 min`, `3 days`
/// (negative durations count as 0).
pub fn human_duration(seconds: i64) -> String {
    let s = seconds.max(0);
    match s {
        0..=119 => format!("{s} s"),
        120..=3_599 => {
            let (m, r) = (s / 60, s % 60);
            if r == 0 {
                format!("{m} min")
            } else {
                format!("{m} min {r} s")
            }
        }
        3_600..=172_799 => {
            let (h, m) = (s / 3_600, s % 3_600 / 60);
            if m == 0 {
                format!("{h} h")
            } else {
                format!("{h} h {m} min")
            }
        }
        _ => format!("{} days", s / 86_400),
    }
}

/// Fractional seconds (a response time) as `250 ms`, `3.0 s`, `120 s`.
pub fn human_seconds(seconds: f64) -> String {
    if seconds < 1.0 {
        format!("{:.0} ms", seconds * 1_000.0)
    } else if seconds < 100.0 {
        format!("{seconds:.1} s")
    } else {
        format!("{seconds:.0} s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_get_thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(12), "12");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_204), "1,204");
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(thousands(u64::MAX), "18,446,744,073,709,551,615");
    }

    #[test]
    fn durations_at_each_unit_boundary() {
        assert_eq!(human_duration(-5), "0 s");
        assert_eq!(human_duration(20), "20 s");
        assert_eq!(human_duration(119), "119 s");
        assert_eq!(human_duration(120), "2 min");
        assert_eq!(human_duration(200), "3 min 20 s");
        assert_eq!(human_duration(3_600), "1 h");
        assert_eq!(human_duration(7_500), "2 h 5 min");
        assert_eq!(human_duration(172_800), "2 days");
        assert_eq!(
            human_duration(i64::MAX),
            format!("{} days", i64::MAX / 86_400)
        );
    }

    #[test]
    fn response_times() {
        assert_eq!(human_seconds(0.25), "250 ms");
        assert_eq!(human_seconds(3.004), "3.0 s");
        assert_eq!(human_seconds(120.4), "120 s");
    }
}
