//! The samples of marks as a state file writes them: column by column.
//!
//! A sample holds up to 65,536 marks of a few hashes, times and line numbers each, and is
//! most of a state. Written by serde one field at a time, every hash is a varint of ten
//! bytes that a reader decodes byte by byte; merging a hundred states spent half its time
//! there. Here a sample is one byte string: each field's values together (a column), each
//! value a little-endian 64-bit word. Reading it is a copy per value, and the columns
//! that barely change from mark to mark (the site, the finding, the input) compress to
//! almost nothing.
//!
//! The string starts with the row's layout, the names of its fields in order, so a state
//! written with another layout is refused instead of misread.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::edge::{EdgeMark, OriginMark};
use crate::sample::BottomK;
use crate::state::{ErrorMark, RequestMark};

/// A mark written as a row of 64-bit words.
pub(crate) trait Row: Sized + Ord + Clone {
    /// The names of the words, in order, separated by spaces.
    const LAYOUT: &'static str;
    /// How many words.
    const WORDS: usize;
    /// Writes the words (`out` has [`Row::WORDS`] of them).
    fn write(&self, out: &mut [u64]);
    /// Reads a mark back, `None` when a word is out of its field's range.
    fn read(words: &[u64]) -> Option<Self>;
}

/// What a sample is written as.
#[derive(Serialize, Deserialize)]
struct Repr<C> {
    capacity: usize,
    offered: u64,
    columns: C,
}

/// The rows as written, one byte string: the layout, a 0 byte, the number of rows (8
/// bytes), then each column: its smallest word (8 bytes), the width of its values (1 byte,
/// 0 to 8) and every row's word less the smallest, in that many bytes. A column of one
/// value (the input, the site) takes nine bytes; times and line numbers take two or three
/// bytes a row; hashes take eight.
struct Written<'a, T>(&'a [&'a T]);

/// The most rows a sample is read with (the largest sample the analyzer keeps): a string
/// of columns whose values take no bytes must not make the reader allocate more.
const MAX_ROWS: usize = 1 << 16;

impl<T: Row> Serialize for Written<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let rows = self.0.len();
        // Each field's smallest and largest value first (its column's base and width),
        // then the columns one at a time straight into the byte string: no copy of the
        // sample, no matrix of its words (writing a state holds one sample's bytes).
        let mut words = vec![0u64; T::WORDS];
        let mut low = vec![u64::MAX; T::WORDS];
        let mut high = vec![0u64; T::WORDS];
        for item in self.0 {
            item.write(&mut words);
            for ((word, low), high) in words.iter().zip(&mut low).zip(&mut high) {
                *low = (*low).min(*word);
                *high = (*high).max(*word);
            }
        }
        let widths: Vec<usize> = low
            .iter()
            .zip(&high)
            .map(|(low, high)| (8 - high.saturating_sub(*low).leading_zeros() as usize / 8).min(8))
            .collect();
        let columns: usize = if rows > 0 {
            widths.iter().map(|width| 9 + rows * width).sum()
        } else {
            0
        };
        let mut bytes = Vec::with_capacity(T::LAYOUT.len() + 9 + columns);
        bytes.extend_from_slice(T::LAYOUT.as_bytes());
        bytes.push(0);
        bytes.extend_from_slice(&(rows as u64).to_le_bytes());
        if rows > 0 {
            for (field, (&low, &width)) in low.iter().zip(&widths).enumerate() {
                bytes.extend_from_slice(&low.to_le_bytes());
                bytes.push(width as u8);
                for item in self.0 {
                    item.write(&mut words);
                    let word = words.get(field).copied().unwrap_or(low);
                    bytes.extend_from_slice(&(word - low).to_le_bytes()[..width]);
                }
            }
        }
        s.serialize_bytes(&bytes)
    }
}
/// The rows read back, smallest first as written.
struct Read<T>(Vec<T>);

impl<'de, T: Row> Deserialize<'de> for Read<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_bytes(RowsVisitor(PhantomData))
    }
}

struct RowsVisitor<T>(PhantomData<T>);

impl<'de, T: Row> Visitor<'de> for RowsVisitor<T> {
    type Value = Read<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the columns of a sample of ({})", T::LAYOUT)
    }

    fn visit_bytes<E: de::Error>(self, bytes: &[u8]) -> Result<Read<T>, E> {
        rows(bytes).map(Read).map_err(E::custom)
    }

    fn visit_borrowed_bytes<E: de::Error>(self, bytes: &'de [u8]) -> Result<Read<T>, E> {
        self.visit_bytes(bytes)
    }

    fn visit_byte_buf<E: de::Error>(self, bytes: Vec<u8>) -> Result<Read<T>, E> {
        self.visit_bytes(&bytes)
    }

    /// Formats without byte strings (JSON) write them as a list of numbers.
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Read<T>, A::Error> {
        let mut bytes = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1 << 20));
        while let Some(byte) = seq.next_element::<u8>()? {
            bytes.push(byte);
        }
        self.visit_bytes(&bytes)
    }
}

/// The rows of a byte string written by [`Written`].
fn rows<T: Row>(bytes: &[u8]) -> Result<Vec<T>, String> {
    let layout = T::LAYOUT.as_bytes();
    let Some([0, rest @ ..]) = bytes.strip_prefix(layout) else {
        let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
        return Err(format!(
            "a sample of marks ({}) where ({}) was expected",
            String::from_utf8_lossy(bytes.get(..end.min(200)).unwrap_or_default()),
            T::LAYOUT
        ));
    };
    let short = || "a sample of marks cut short".to_owned();
    let (count, mut rest) = rest.split_first_chunk::<8>().ok_or_else(short)?;
    let rows = usize::try_from(u64::from_le_bytes(*count))
        .ok()
        .filter(|&rows| rows <= MAX_ROWS)
        .ok_or("a sample of more marks than any is kept")?;
    if rows == 0 {
        return if rest.is_empty() {
            Ok(Vec::new())
        } else {
            Err("bytes after a sample of marks".to_owned())
        };
    }
    // Every column's words, one column after the other.
    let mut columns: Vec<u64> = Vec::with_capacity(rows * T::WORDS);
    for _ in 0..T::WORDS {
        let (low, after) = rest.split_first_chunk::<8>().ok_or_else(short)?;
        let (&width, after) = after.split_first().ok_or_else(short)?;
        let width = usize::from(width);
        if width > 8 {
            return Err("a column of marks wider than a word".to_owned());
        }
        let (values, after) = after.split_at_checked(rows * width).ok_or_else(short)?;
        column(&mut columns, u64::from_le_bytes(*low), width, values, rows);
        rest = after;
    }
    if !rest.is_empty() {
        return Err("bytes after a sample of marks".to_owned());
    }
    let mut words = vec![0u64; T::WORDS];
    let mut out = Vec::with_capacity(rows);
    for i in 0..rows {
        for (field, word) in words.iter_mut().enumerate() {
            *word = columns.get(field * rows + i).copied().unwrap_or(0);
        }
        out.push(T::read(&words).ok_or("a mark out of range in a sample")?);
    }
    Ok(out)
}

/// Appends a column's `rows` words: `low` plus each value of `width` bytes.
fn column(out: &mut Vec<u64>, low: u64, width: usize, values: &[u8], rows: usize) {
    match width {
        0 => out.extend(std::iter::repeat_n(low, rows)),
        8 => out.extend(values.chunks_exact(8).map(|value| {
            low.wrapping_add(u64::from_le_bytes(value.try_into().unwrap_or_default()))
        })),
        _ => out.extend(values.chunks_exact(width).map(|value| {
            let delta = value
                .iter()
                .rev()
                .fold(0u64, |word, &byte| (word << 8) | u64::from(byte));
            low.wrapping_add(delta)
        })),
    }
}

/// The layouts of the samples written column by column, in the analyzer's field order.
pub(crate) fn layouts() -> [&'static str; 4] {
    [
        ErrorMark::LAYOUT,
        RequestMark::LAYOUT,
        EdgeMark::LAYOUT,
        OriginMark::LAYOUT,
    ]
}

/// Writes a sample (`#[serde(with = "crate::columns")]`).
pub(crate) fn serialize<T: Row, S: Serializer>(
    sample: &BottomK<T>,
    s: S,
) -> Result<S::Ok, S::Error> {
    // The kept items in order, by reference: a state is written without copying them.
    let mut items: Vec<&T> = sample.items().collect();
    items.sort_unstable();
    Repr {
        capacity: sample.capacity(),
        offered: sample.offered(),
        columns: Written(&items),
    }
    .serialize(s)
}

/// Reads a sample written by [`serialize`].
pub(crate) fn deserialize<'de, T: Row, D: Deserializer<'de>>(d: D) -> Result<BottomK<T>, D::Error> {
    let repr = Repr::<Read<T>>::deserialize(d)?;
    Ok(BottomK::from_sorted(
        repr.capacity,
        repr.offered,
        repr.columns.0,
    ))
}

/// A signed word.
pub(crate) fn signed(word: u64) -> i64 {
    word as i64
}

/// A word that must fit a smaller type.
pub(crate) fn narrow<N: TryFrom<u64>>(word: u64) -> Option<N> {
    N::try_from(word).ok()
}

/// A word that must be 0 or 1.
pub(crate) fn flag(word: u64) -> Option<bool> {
    match word {
        0 => Some(false),
        1 => Some(true),
        _ => None,
    }
}

/// An optional pair of times as three words (present, first, second); absent: all 0.
pub(crate) fn write_span(span: Option<(i64, i64)>, out: &mut [u64]) {
    let (present, a, b) = match span {
        Some((a, b)) => (1, a as u64, b as u64),
        None => (0, 0, 0),
    };
    out.iter_mut()
        .zip([present, a, b])
        .for_each(|(o, w)| *o = w);
}

/// Reads what [`write_span`] wrote.
pub(crate) fn read_span(words: &[u64]) -> Option<Option<(i64, i64)>> {
    match words {
        [0, 0, 0] => Some(None),
        [1, a, b] => Some(Some((signed(*a), signed(*b)))),
        _ => None,
    }
}

impl Row for ErrorMark {
    const LAYOUT: &'static str = "client t request site group input chunk line";
    const WORDS: usize = 8;
    fn write(&self, out: &mut [u64]) {
        let words = [
            self.client,
            self.t as u64,
            self.request,
            self.site,
            self.group,
            u64::from(self.line.0),
            u64::from(self.line.1),
            self.line.2,
        ];
        out.iter_mut().zip(words).for_each(|(o, w)| *o = w);
    }
    fn read(words: &[u64]) -> Option<Self> {
        let &[client, t, request, site, group, input, chunk, line] = words else {
            return None;
        };
        Some(ErrorMark {
            client,
            t: signed(t),
            request,
            site,
            group,
            line: (narrow(input)?, narrow(chunk)?, line),
        })
    }
}

impl Row for RequestMark {
    const LAYOUT: &'static str = "client end start request site status upstream_status has_upstream open_end input chunk line";
    const WORDS: usize = 12;
    fn write(&self, out: &mut [u64]) {
        let words = [
            self.client,
            self.end as u64,
            self.start as u64,
            self.request,
            self.site,
            u64::from(self.status),
            u64::from(self.upstream_status),
            u64::from(self.has_upstream),
            u64::from(self.open_end),
            u64::from(self.line.0),
            u64::from(self.line.1),
            self.line.2,
        ];
        out.iter_mut().zip(words).for_each(|(o, w)| *o = w);
    }
    fn read(words: &[u64]) -> Option<Self> {
        let &[
            client,
            end,
            start,
            request,
            site,
            status,
            upstream_status,
            has_upstream,
            open_end,
            input,
            chunk,
            line,
        ] = words
        else {
            return None;
        };
        Some(RequestMark {
            client,
            end: signed(end),
            start: signed(start),
            request,
            site,
            status: narrow(status)?,
            upstream_status: narrow(upstream_status)?,
            has_upstream: flag(has_upstream)?,
            open_end: flag(open_end)?,
            line: (narrow(input)?, narrow(chunk)?, line),
        })
    }
}

impl Row for EdgeMark {
    const LAYOUT: &'static str = "sample group key method host trace start end unix? unix_start unix_end input chunk line before_request";
    const WORDS: usize = 15;
    fn write(&self, out: &mut [u64]) {
        let mut words = [
            self.sample,
            self.group,
            self.key,
            self.method,
            self.host,
            self.trace,
            self.start as u64,
            self.end as u64,
            0,
            0,
            0,
            u64::from(self.line.0),
            u64::from(self.line.1),
            self.line.2,
            u64::from(self.before_request),
        ];
        if let Some(span) = words.get_mut(8..11) {
            write_span(self.unix, span);
        }
        out.iter_mut().zip(words).for_each(|(o, w)| *o = w);
    }
    fn read(words: &[u64]) -> Option<Self> {
        let &[
            sample,
            group,
            key,
            method,
            host,
            trace,
            start,
            end,
            _,
            _,
            _,
            input,
            chunk,
            line,
            before_request,
        ] = words
        else {
            return None;
        };
        Some(EdgeMark {
            sample,
            group,
            key,
            method,
            host,
            trace,
            start: signed(start),
            end: signed(end),
            unix: read_span(words.get(8..11)?)?,
            line: (narrow(input)?, narrow(chunk)?, line),
            before_request: flag(before_request)?,
        })
    }
}

impl Row for OriginMark {
    const LAYOUT: &'static str = "cell start end unix? unix_start unix_end key method host trace status group input chunk line";
    const WORDS: usize = 15;
    fn write(&self, out: &mut [u64]) {
        let mut words = [
            self.cell,
            self.start as u64,
            self.end as u64,
            0,
            0,
            0,
            self.key,
            self.method,
            self.host,
            self.trace,
            u64::from(self.status),
            self.group,
            u64::from(self.line.0),
            u64::from(self.line.1),
            self.line.2,
        ];
        if let Some(span) = words.get_mut(3..6) {
            write_span(self.unix, span);
        }
        out.iter_mut().zip(words).for_each(|(o, w)| *o = w);
    }
    fn read(words: &[u64]) -> Option<Self> {
        let &[
            cell,
            start,
            end,
            _,
            _,
            _,
            key,
            method,
            host,
            trace,
            status,
            group,
            input,
            chunk,
            line,
        ] = words
        else {
            return None;
        };
        Some(OriginMark {
            cell,
            start: signed(start),
            end: signed(end),
            unix: read_span(words.get(3..6)?)?,
            key,
            method,
            host,
            trace,
            status: narrow(status)?,
            group,
            line: (narrow(input)?, narrow(chunk)?, line),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
    struct Pair(u64, i64, bool);

    impl Row for Pair {
        const LAYOUT: &'static str = "hash time flag";
        const WORDS: usize = 3;
        fn write(&self, out: &mut [u64]) {
            out.copy_from_slice(&[self.0, self.1 as u64, u64::from(self.2)]);
        }
        fn read(words: &[u64]) -> Option<Self> {
            match words {
                [h, t, f] => Some(Pair(*h, signed(*t), flag(*f)?)),
                _ => None,
            }
        }
    }

    #[derive(Serialize, Deserialize)]
    struct Holder {
        #[serde(with = "super")]
        sample: BottomK<Pair>,
    }

    fn holder(n: u64) -> Holder {
        let mut sample = BottomK::new(50);
        for i in 0..n {
            sample.offer(Pair(
                i.wrapping_mul(0x9e37_79b9_7f4a_7c15),
                -(i as i64),
                i % 3 == 0,
            ));
        }
        Holder { sample }
    }

    #[test]
    fn samples_read_back_through_postcard_and_json() {
        for n in [0, 1, 49, 50, 200] {
            let written = holder(n);
            let bytes = postcard::to_stdvec(&written).unwrap();
            let back: Holder = postcard::from_bytes(&bytes).unwrap();
            assert!(back.sample == written.sample, "{n} marks, postcard");
            let json = serde_json::to_string(&written).unwrap();
            let back: Holder = serde_json::from_str(&json).unwrap();
            assert!(back.sample == written.sample, "{n} marks, JSON");
        }
    }

    #[test]
    fn other_layouts_and_bad_words_are_refused() {
        let bytes = postcard::to_stdvec(&holder(10)).unwrap();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let at = text.find("hash time flag").unwrap();
        let mut other = bytes.clone();
        other[at] = b'c';
        let error = postcard::from_bytes::<Holder>(&other).err().unwrap();
        assert!(matches!(error, postcard::Error::SerdeDeCustom), "{error}");
        // A flag word of 2 is no bool: the flag column is the last, one byte a row
        // (after its smallest word, 0, and its width, 1).
        let mut bad = bytes.clone();
        let flags = bad.len() - 10;
        assert_eq!(bad[flags - 1], 1, "the flag column's width");
        bad[flags] = 2;
        assert!(postcard::from_bytes::<Holder>(&bad).is_err());
        // More rows than any sample keeps, in columns of one value each.
        let mut many = postcard::to_stdvec(&holder(0)).unwrap();
        let count = many.len() - 8;
        many[count..].copy_from_slice(&(1u64 << 40).to_le_bytes());
        assert!(postcard::from_bytes::<Holder>(&many).is_err());
        // A byte short.
        let mut short = bytes;
        short.pop();
        assert!(postcard::from_bytes::<Holder>(&short).is_err());
    }
}
