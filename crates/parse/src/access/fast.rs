//! Straight-line reading of the built-in formats' common head.
//!
//! nginx's `combined`, `main`, the upstream-timing format and ingress-nginx's default all
//! start with `$remote_addr - $remote_user [$time_local] "$request" $status
//! $body_bytes_sent "$http_referer" "`. The generic matcher walks those fourteen items one
//! at a time (look up the item, its terminator, its shape, then store by field); here they
//! are read in a row at their known separators, with the same searches and the same
//! checks, so a line read here gives the record the generic matcher's first pass gives.
//! Apache's `combined` and its relatives start the same way after `%h %l `.
//! Whatever fails on the way (a search that finds nothing, a value that does not parse)
//! is left to the generic matcher, which may then backtrack; so is a line whose later
//! items do not fit on the first try. The `key=value` pairs of the upstream-timing format
//! after `combined` are read the same way, in their usual order.

use super::clock::{self, TimeItem, TimeParts};
use super::{
    Field, Item, Quality, Shape, Up, Var, assign, filled, present, scan, trailing_pairs,
    upstream_value,
};
use crate::record::{AccessRecord, parse_u16};
use crate::word_search;

/// How the head starts, before `$remote_user [`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Start {
    /// nginx: `$remote_addr - `, the client read loosely.
    Nginx,
    /// Apache: `%h %l `, two words.
    Apache,
}

/// The compiled head of a built-in format.
#[derive(Clone, Debug)]
pub(super) struct Head {
    start: Start,
    time: TimeItem,
    /// The generic matcher's index of the first item after the head.
    items: usize,
    /// The items after the head, when they are a tail read straight too.
    tail: Option<Tail>,
    /// The time is `$time_local` and the format has no other time item: the head reads
    /// the timestamp itself ([`clock::clf_time`]).
    own_time: bool,
    /// The items after the head start with the user agent and the literal after it,
    /// which begins with its closing quote.
    agent: bool,
}

/// The items after the head that are read straight as well.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Tail {
    /// ingress-nginx's default: `$http_user_agent" $request_length $request_time
    /// [$proxy_upstream_name] [$proxy_alternative_upstream_name] $upstream_addr
    /// $upstream_response_length $upstream_response_time $upstream_status $req_id`.
    Ingress,
}

impl Head {
    /// The generic matcher's index of the first item after the head.
    pub(super) fn items(&self) -> usize {
        self.items
    }

    /// The items after the head, when they are read straight too.
    pub(super) fn tail(&self) -> Option<Tail> {
        self.tail
    }

    /// The head, when `items` start with exactly the one described above (as the built-in
    /// nginx formats compile), or Apache's `%h %l %u %t "%r" %>s %b "%{Referer}i" "`.
    pub(super) fn of(items: &[Item]) -> Option<Head> {
        let apache = matches!(items.get(1), Some(Item::Lit(l)) if **l == *b" ");
        let (start, skip) = if apache {
            (Start::Apache, 2)
        } else {
            (Start::Nginx, 0)
        };
        let var = |index: usize, field: Field, number: bool, token: bool| {
            matches!(items.get(index), Some(Item::Var(Var { field: f, shape, token: t, adjacent: false, term: Some(term), .. }))
                if *f == field
                    && *t == token
                    && *term == index + 1
                    && matches!(shape, Shape::Number) == number
                    && matches!(shape, Shape::Text | Shape::Number))
        };
        let lit = |index: usize, text: &[u8]| matches!(items.get(index), Some(Item::Lit(l)) if **l == *text);
        let time = match items.get(skip + 4) {
            Some(Item::Var(Var {
                field: Field::Time,
                shape: Shape::Time(time),
                token: false,
                ..
            })) => time.clone(),
            _ => return None,
        };
        let request = Field::Request {
            method: true,
            target: true,
            protocol: true,
        };
        let starts = match start {
            Start::Nginx => var(0, Field::ClientPrefix, false, false) && lit(1, b" - "),
            Start::Apache => {
                var(0, Field::Client, false, true)
                    && lit(1, b" ")
                    && var(2, Field::Skip, false, true)
                    && lit(3, b" ")
            }
        };
        let i = skip;
        let fits = starts
            && var(i + 2, Field::User, false, true)
            && lit(i + 3, b" [")
            && lit(i + 5, b"] \"")
            && var(i + 6, request, false, false)
            && lit(i + 7, b"\" ")
            && var(i + 8, Field::Status, true, true)
            && lit(i + 9, b" ")
            && var(i + 10, Field::Bytes { clf_dash: apache }, true, true)
            && lit(i + 11, b" \"")
            && var(i + 12, Field::Referer, false, false)
            && lit(i + 13, b"\" \"");
        let after = items.get(i + 14..).unwrap_or_default();
        let own_time = time == TimeItem::Clf
            && !after.iter().any(|item| {
                matches!(
                    item,
                    Item::Var(Var {
                        shape: Shape::Time(_),
                        ..
                    })
                )
            });
        let agent = var(i + 14, Field::UserAgent, false, false)
            && matches!(items.get(i + 15), Some(Item::Lit(l)) if l.first() == Some(&b'"'));
        fits.then(|| Head {
            start,
            time,
            items: i + 14,
            tail: ingress_tail_at(items, i + 14).then_some(Tail::Ingress),
            own_time,
            agent,
        })
    }

    /// Whether a line [`Head::read_plain`] read has its timestamp in the record already
    /// (the time parts were left empty).
    pub(super) fn reads_own_time(&self) -> bool {
        self.own_time
    }

    /// Whether the items after the head start with the user agent, a text ended by a
    /// literal that begins with its closing quote.
    pub(super) fn agent_first(&self) -> bool {
        self.agent
    }

    /// Reads the head of `line` into `rec` in one forward pass when every field has its
    /// everyday form (a plain address, `-` or a word for the user, a request line as
    /// [`scan::plain_request`] takes it, a three-digit status, digits or `-` for the
    /// bytes, a referer without an escaped quote): each separator is checked where the
    /// pass meets it instead of searched for. The position after the head, as [`Head::read`]
    /// gives it; `None` as soon as a field has another form, and then [`Head::read`] reads
    /// the line (from a blank record: this one may have stored some fields).
    #[inline]
    pub(super) fn read_plain<'a>(
        &self,
        line: &'a [u8],
        rec: &mut AccessRecord<'a>,
        parts: &mut TimeParts,
        quality: &mut Quality,
    ) -> Option<usize> {
        let mut pos = match self.start {
            Start::Nginx => {
                // `$remote_addr - `: a plain address ends at its first space, which ` - `
                // follows; a comma or a quote before it is a loose client field.
                let end = word_search::find_any([b' ', b',', b'"'], line)?;
                if line.get(end..end + 3)? != b" - " {
                    return None;
                }
                rec.client = present(line.get(..end)?);
                end + 3
            }
            Start::Apache => apache_start(line, rec)?,
        };
        // `$remote_user [`: `-`, or a word whose first space ` [` follows.
        let rest = line.get(pos..)?;
        if rest.get(..3)? == b"- [" {
            pos += 3;
        } else {
            let end = scan::find_byte(b' ', rest)?;
            if rest.get(end + 1) != Some(&b'[') {
                return None;
            }
            rec.user = present(rest.get(..end)?);
            pos += end + 2;
        }
        // `$time_local] "`.
        if self.own_time {
            rec.time = Some(clock::clf_time(line.get(pos..)?)?);
            pos += 26;
        } else {
            pos += self.time.parse(line.get(pos..)?, parts)?;
        }
        if !scan::has_prefix(line.get(pos..)?, b"] \"") {
            return None;
        }
        pos += 3;
        // `$request" `.
        let rest = line.get(pos..)?;
        let (len, request) = scan::plain_request(rest)?;
        rec.request = rest.get(..len);
        rec.method = request.method;
        rec.target = request.target;
        rec.protocol = request.protocol;
        pos += len + 2;
        // `$status `: three digits.
        let rest = line.get(pos..)?;
        let [a, b, c, b' '] = *rest.get(..4)? else {
            return None;
        };
        let digit = |d: u8| d.is_ascii_digit().then(|| u16::from(d - b'0'));
        rec.status = Some(digit(a)? * 100 + digit(b)? * 10 + digit(c)?);
        pos += 4;
        // `$body_bytes_sent "`: digits (few enough not to overflow), or `-`.
        let rest = line.get(pos..)?;
        // The digits are read as they are counted; nineteen never overflow, twenty may
        // (the general reading takes those).
        let mut digits = 0;
        let mut number = 0u64;
        while let Some(digit) = rest
            .get(digits)
            .and_then(|&b| b.is_ascii_digit().then(|| u64::from(b - b'0')))
        {
            if digits == 19 {
                return None;
            }
            number = number * 10 + digit;
            digits += 1;
        }
        let value = if digits == 0 {
            if rest.get(..3)? != b"- \"" {
                return None;
            }
            if self.start == Start::Apache {
                quality.dash_bytes = true;
            }
            pos += 1;
            None
        } else {
            if rest.get(digits..digits + 2)? != b" \"" {
                return None;
            }
            pos += digits;
            Some(number)
        };
        rec.bytes_sent = value;
        pos += 2;
        // `$http_referer" "`: `-`, or text up to a quote, not escaped, that ` "` follows.
        let rest = line.get(pos..)?;
        if rest.get(..4)? == b"-\" \"" {
            return Some(pos + 4);
        }
        let end = word_search::find(b'"', rest)?;
        if rest.get(end + 1..end + 3)? != b" \"" || (end > 0 && rest.get(end - 1) == Some(&b'\\')) {
            return None;
        }
        rec.referer = present(rest.get(..end)?);
        Some(pos + end + 3)
    }

    /// Reads the head of `line` into `rec`: the position after it (the user agent's first
    /// byte), or `None` where the generic matcher's first pass would fail.
    #[inline]
    pub(super) fn read<'a>(
        &self,
        line: &'a [u8],
        rec: &mut AccessRecord<'a>,
        parts: &mut TimeParts,
        quality: &mut Quality,
    ) -> Option<usize> {
        let mut pos = match self.start {
            Start::Nginx => {
                // `$remote_addr - `, read loosely (a forwarded-for list, a virtual host).
                let end = scan::find_lit(line, 0, b" - ")?;
                assign(Field::ClientPrefix, line.get(..end)?, rec, quality).ok()?;
                end + 3
            }
            Start::Apache => apache_start(line, rec)?,
        };
        // `$remote_user [`: a word.
        let rest = line.get(pos..)?;
        let end = scan::find_lit(rest, 0, b" [")?;
        let user = rest.get(..end)?;
        if scan::find_byte(b' ', user).is_some() {
            return None;
        }
        rec.user = present(user);
        pos += end + 2;
        // `$time_local] "`.
        pos += self.time.parse(line.get(pos..)?, parts)?;
        if !scan::has_prefix(line.get(pos..)?, b"] \"") {
            return None;
        }
        pos += 3;
        // `$request" `.
        let rest = line.get(pos..)?;
        let end = scan::find_lit(rest, 0, b"\" ")?;
        let request = Field::Request {
            method: true,
            target: true,
            protocol: true,
        };
        assign(request, rest.get(..end)?, rec, quality).ok()?;
        pos += end + 2;
        // `$status `: the first space ends it.
        let rest = line.get(pos..)?;
        let end = scan::find_byte(b' ', rest)?;
        rec.status = match present(rest.get(..end)?) {
            None => None,
            Some(v) => Some(parse_u16(v)?),
        };
        pos += end + 1;
        // `$body_bytes_sent "`.
        let rest = line.get(pos..)?;
        let end = scan::find_lit(rest, 0, b" \"")?;
        let bytes = rest.get(..end)?;
        if scan::find_byte(b' ', bytes).is_some() {
            return None;
        }
        assign(
            Field::Bytes {
                clf_dash: self.start == Start::Apache,
            },
            bytes,
            rec,
            quality,
        )
        .ok()?;
        pos += end + 2;
        // `$http_referer" "`.
        let rest = line.get(pos..)?;
        let end = scan::find_lit(rest, 0, b"\" \"")?;
        rec.referer = present(rest.get(..end)?);
        Some(pos + end + 3)
    }
}

/// Apache's `%h %l `: two words, the first the client. The position after them.
#[inline]
fn apache_start<'a>(line: &'a [u8], rec: &mut AccessRecord<'a>) -> Option<usize> {
    let end = scan::find_byte(b' ', line)?;
    rec.client = present(line.get(..end)?);
    let skipped = scan::find_byte(b' ', line.get(end + 1..)?)?;
    Some(end + 1 + skipped + 1)
}

/// Whether `items` from `at` on are exactly ingress-nginx's tail, as the generic matcher
/// compiles it (see [`Tail::Ingress`]).
fn ingress_tail_at(items: &[Item], at: usize) -> bool {
    let var = |index: usize, field: Field, shape: fn(&Shape) -> bool, token: bool| {
        matches!(items.get(at + index), Some(Item::Var(Var { field: f, shape: s, token: t, adjacent: false, term, .. }))
            if *f == field
                && shape(s)
                && *t == token
                && (*term == Some(at + index + 1) || (index == 18 && term.is_none())))
    };
    let lit = |index: usize, text: &[u8]| matches!(items.get(at + index), Some(Item::Lit(l)) if **l == *text);
    let text = |s: &Shape| matches!(s, Shape::Text);
    let number = |s: &Shape| matches!(s, Shape::Number);
    let list = |s: &Shape| matches!(s, Shape::List);
    items.len() == at + 19
        && var(0, Field::UserAgent, text, false)
        && lit(1, b"\" ")
        && var(2, Field::Skip, number, true)
        && lit(3, b" ")
        && var(4, Field::Duration(super::Unit::Seconds), number, true)
        && lit(5, b" [")
        && var(6, Field::UpstreamName, text, true)
        && lit(7, b"] [")
        && var(8, Field::Skip, text, true)
        && lit(9, b"] ")
        && var(10, Field::Upstream(Up::Addr), list, false)
        && lit(11, b" ")
        && var(12, Field::Upstream(Up::ResponseLength), list, false)
        && lit(13, b" ")
        && var(14, Field::Upstream(Up::ResponseTime), list, false)
        && lit(15, b" ")
        && var(16, Field::Upstream(Up::Status), list, false)
        && lit(17, b" ")
        && var(18, Field::RequestId, text, true)
        // The last word ends at a space, not at the end of the line.
        && matches!(items.get(at + 18), Some(Item::Var(Var { text: false, .. })))
}

/// Reads ingress-nginx's tail from `pos` (the user agent's first byte) as the generic
/// matcher's first pass does, item by item with its searches and checks: the position
/// after the tail, or `None` where that pass would fail.
#[inline]
pub(super) fn ingress_tail<'a>(
    line: &'a [u8],
    mut pos: usize,
    rec: &mut AccessRecord<'a>,
    quality: &mut Quality,
) -> Option<usize> {
    // A word (no spaces) up to the first `lit`, whose first space is its byte `space`, and
    // the position after the literal. The word ends at its first space, so `lit` can
    // only start `space` bytes before the first space of the rest: one search for a
    // space and one compare give what the search for `lit` and the check for spaces in
    // the word give.
    let upto = |pos: usize, lit: &[u8], space: usize| -> Option<(&'a [u8], usize)> {
        let rest = line.get(pos..)?;
        let end = scan::find_byte(b' ', rest)?.checked_sub(space)?;
        if !scan::has_prefix(rest.get(end..)?, lit) {
            return None;
        }
        Some((rest.get(..end)?, pos + end + lit.len()))
    };
    // `$http_user_agent" `.
    let rest = line.get(pos..)?;
    let end = scan::find_quote_lit(rest, b"\" ")?;
    let (agent, next) = (rest.get(..end)?, pos + end + 2);
    rec.user_agent = present(agent);
    // `$request_length `: matched, not stored (a number read up to the space).
    let (_, next) = upto(next, b" ", 0)?;
    // `$request_time [`.
    let (took, next) = upto(next, b" [", 0)?;
    match millis_word(took) {
        Some((us, len)) if len == took.len() => rec.request_time_us = Some(us),
        _ => assign(Field::Duration(super::Unit::Seconds), took, rec, quality).ok()?,
    }
    // `$proxy_upstream_name] [$proxy_alternative_upstream_name] `.
    let (name, next) = upto(next, b"] [", 1)?;
    rec.upstream_name = present(name);
    let (_, next) = upto(next, b"] ", 1)?;
    pos = next;
    // The four upstream lists, each followed by a space.
    let upstream = &mut rec.upstream;
    for slot in [
        &mut upstream.addr,
        &mut upstream.response_length,
        &mut upstream.response_time,
        &mut upstream.status,
    ] {
        let rest = line.get(pos..)?;
        // Nearly always one value, which a space ends and no ` : ` follows: the list's
        // end found in one search; any other list is walked value by value.
        let len = match word_search::find_any([b' ', b','], rest) {
            Some(end)
                if rest.get(end) == Some(&b' ')
                    && !rest.get(end..).is_some_and(|r| r.starts_with(b" : ")) =>
            {
                end
            }
            _ => scan::list_len(rest, None),
        };
        let value = rest.get(..len)?;
        *slot = upstream_value(value);
        if !scan::has_prefix(rest.get(len..)?, b" ") {
            return None;
        }
        pos += len + 1;
    }
    // `$req_id`: a word, to the next space or the end.
    let rest = line.get(pos..)?;
    let len = scan::find_byte(b' ', rest).unwrap_or(rest.len());
    rec.request_id = present(rest.get(..len)?);
    Some(pos + len)
}

/// The upstream-timing format's request time key, unquoted: ` rt=`, with its `packed`
/// form.
const REQUEST_TIME: (&[u8], (u64, u64)) = (b" rt=", packed(b" rt="));

/// The quoted upstream keys of the upstream-timing format, in the order it writes them
/// after ` rt=`, with their leading space, `="` and `packed` form.
const UPSTREAM_KEYS: [(&[u8], (u64, u64)); 5] = [
    (b" uct=\"", packed(b" uct=\"")),
    (b" uht=\"", packed(b" uht=\"")),
    (b" urt=\"", packed(b" urt=\"")),
    (b" ua=\"", packed(b" ua=\"")),
    (b" us=\"", packed(b" us=\"")),
];

/// Reads what follows the format as [`trailing_pairs`] does, taking the upstream-timing
/// format's pairs in their usual order straight (no key scan, no key lookup, each value
/// stored in its field directly); from the first byte that differs, [`trailing_pairs`]
/// reads the rest.
pub(super) fn pairs<'a>(rest: &'a [u8], rec: &mut AccessRecord<'a>, quality: &mut Quality) {
    let rest = upstream_pairs(rest, rec, quality);
    if !rest.is_empty() {
        trailing_pairs(rest, rec, quality);
    }
}

/// The upstream-timing pairs at the start of `rest`, as far as they come in their usual
/// order and form: what is left for [`trailing_pairs`].
#[inline]
fn upstream_pairs<'a>(
    mut rest: &'a [u8],
    rec: &mut AccessRecord<'a>,
    quality: &mut Quality,
) -> &'a [u8] {
    let (key, bits) = REQUEST_TIME;
    if !starts_with_key(rest, key, bits) {
        return rest;
    }
    let after = rest.get(key.len()..).unwrap_or_default();
    // A quoted `rt` is read the generic way.
    if after.first() == Some(&b'"') {
        return rest;
    }
    match millis_word(after) {
        // The value as `parse_seconds_us` reads it, found and read in one pass.
        Some((us, len)) => {
            if rec.request_time_us.is_none() {
                rec.request_time_us = Some(us);
            }
            rest = after.get(len..).unwrap_or_default();
        }
        None => {
            let (value, next) = after.split_at(scan::find_byte(b' ', after).unwrap_or(after.len()));
            let field = Field::Duration(super::Unit::Seconds);
            if !filled(field, rec) && assign(field, value, rec, quality).is_err() {
                quality.junk = quality.junk.saturating_add(1);
            }
            rest = next;
        }
    }
    // Each pair in turn, written out (one call a pair, which the compiler inlines) rather
    // than looped over a table of keys and fields: the loop's bookkeeping cost more than
    // the reading.
    let up = &mut rec.upstream;
    let [uct, uht, urt, ua, us] = UPSTREAM_KEYS;
    let _all_read = quoted_pair(&mut rest, uct, &mut up.connect_time)
        && quoted_pair(&mut rest, uht, &mut up.header_time)
        && quoted_pair(&mut rest, urt, &mut up.response_time)
        && quoted_pair(&mut rest, ua, &mut up.addr)
        && quoted_pair(&mut rest, us, &mut up.status);
    rest
}

/// Reads the quoted pair `key` at the start of `rest` into `slot` and moves `rest` past
/// it: whether it was there, in its usual form.
#[inline(always)]
fn quoted_pair<'a>(
    rest: &mut &'a [u8],
    (key, bits): (&[u8], (u64, u64)),
    slot: &mut Option<&'a [u8]>,
) -> bool {
    if !starts_with_key(rest, key, bits) {
        return false;
    }
    let after = rest.get(key.len()..).unwrap_or_default();
    // The generic reader takes a quote without its closing one as junk: let it.
    let Some(end) = scan::closing_quote_near(after) else {
        return false;
    };
    // A value the format already gave wins, as `filled` says for the generic reader.
    if slot.is_none() {
        *slot = upstream_value(after.get(..end).unwrap_or_default());
    }
    *rest = after.get(end + 1..).unwrap_or_default();
    true
}

/// nginx's millisecond time (`0.004`, `60.001`: one to six whole digits, a point, three
/// digits) at the start of `s`, ended by a space or the end of `s`: its microseconds (as
/// `parse_seconds_us` reads the word) and its length, read as the word is walked. `None`
/// for any other word, which the search for its space and the general reading take.
#[inline]
fn millis_word(s: &[u8]) -> Option<(u64, usize)> {
    let digit = |at: usize| {
        s.get(at)
            .and_then(|&b| b.is_ascii_digit().then(|| u64::from(b - b'0')))
    };
    let mut seconds = digit(0)?;
    let mut point = 1;
    while let Some(d) = digit(point) {
        if point == 6 {
            return None;
        }
        seconds = seconds * 10 + d;
        point += 1;
    }
    if s.get(point) != Some(&b'.') {
        return None;
    }
    let millis = digit(point + 1)? * 100 + digit(point + 2)? * 10 + digit(point + 3)?;
    let len = point + 4;
    if !matches!(s.get(len), None | Some(b' ')) {
        return None;
    }
    Some((seconds * 1_000_000 + millis * 1_000, len))
}

/// A key of at most eight bytes as a little-endian number and the mask of its bytes.
const fn packed(key: &[u8]) -> (u64, u64) {
    let mut value = 0u64;
    let mut i = 0;
    while i < key.len() && i < 8 {
        value |= (key[i] as u64) << (8 * i);
        i += 1;
    }
    let mask = if key.len() >= 8 {
        u64::MAX
    } else {
        (1u64 << (8 * key.len())) - 1
    };
    (value, mask)
}

/// Whether `rest` starts with `key` (at most eight bytes, `packed`): one masked `u64`
/// compare when eight bytes are there, which the quoted values after a key nearly always
/// make so.
#[inline]
fn starts_with_key(rest: &[u8], key: &[u8], (value, mask): (u64, u64)) -> bool {
    match rest.get(..8).and_then(|r| <[u8; 8]>::try_from(r).ok()) {
        Some(head) => u64::from_le_bytes(head) & mask == value,
        None => scan::has_prefix(rest, key),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::parse_seconds_us;

    /// What [`millis_word`] must give when it reads a word: the word up to the first
    /// space, read by `parse_seconds_us`.
    fn check_millis_word(s: &[u8]) -> Option<u64> {
        let (us, len) = millis_word(s)?;
        let word = scan::find_byte(b' ', s).unwrap_or(s.len());
        assert_eq!(len, word, "{s:?}");
        assert_eq!(parse_seconds_us(&s[..word]), Some(us), "{s:?}");
        Some(us)
    }

    #[test]
    fn millisecond_words() {
        assert_eq!(check_millis_word(b"0.004 uct"), Some(4_000));
        assert_eq!(check_millis_word(b"60.001"), Some(60_001_000));
        assert_eq!(check_millis_word(b"999999.999 x"), Some(999_999_999_000));
        for refused in [
            &b"1234567.000"[..],
            b".004",
            b"0.04",
            b"0.0045",
            b"0.004x",
            b"0.004\t",
            b"-",
            b"",
            b"1",
        ] {
            assert_eq!(millis_word(refused), None, "{refused:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn millisecond_words_read_as_parse_seconds_us(text in "[0-9. x-]{0,12}") {
            check_millis_word(text.as_bytes());
        }
    }
}
