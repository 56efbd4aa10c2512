//! Limits of what an analyzer holds, for checking one read from a state file
//! ([`Analyzer::check`](crate::Analyzer::check)).

/// The largest count a state may hold (lines, events, requests): 2^48, far beyond any log,
/// and small enough that thousands of states add up without overflow.
pub(crate) const MAX_COUNT: u64 = 1 << 48;

/// The farthest time from the epoch a state may hold, in seconds (about 35 000 years: the
/// parsers read years -9999 to 9999).
pub(crate) const TIME_LIMIT: i64 = 1 << 40;

/// The sum of counts, refused past [`MAX_COUNT`].
pub(crate) fn sum(counts: impl Iterator<Item = u64>) -> Result<u64, &'static str> {
    let mut total: u64 = 0;
    for c in counts {
        total = total.saturating_add(c);
        if total > MAX_COUNT {
            return Err("a count out of range");
        }
    }
    Ok(total)
}
