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

/// A field of a mark as one or more words of its row.
trait Words: Sized {
    /// How many words.
    const WORDS: usize;
    /// Writes the words (`out` has [`Words::WORDS`] of them).
    fn put(&self, out: &mut [u64]);
    /// Reads the field back, `None` when a word is out of its range.
    fn get(words: &[u64]) -> Option<Self>;
}

/// One word, whatever `$ty` converts it with.
macro_rules! one_word {
    ($ty:ty, |$w:ident| $read:expr, |$v:ident| $write:expr) => {
        impl Words for $ty {
            const WORDS: usize = 1;
            fn put(&self, out: &mut [u64]) {
                let $v = *self;
                if let Some(o) = out.first_mut() {
                    *o = $write;
                }
            }
            fn get(words: &[u64]) -> Option<Self> {
                let &[$w] = words else { return None };
                $read
            }
        }
    };
}

one_word!(u64, |w| Some(w), |v| v);
// Times: two's complement, so a time before 1970 reads back as written.
one_word!(i64, |w| Some(w as i64), |v| v as u64);
one_word!(u16, |w| u16::try_from(w).ok(), |v| u64::from(v));
one_word!(u32, |w| u32::try_from(w).ok(), |v| u64::from(v));
// 0 or 1, nothing else.
one_word!(
    bool,
    |w| match w {
        0 => Some(false),
        1 => Some(true),
        _ => None,
    },
    |v| u64::from(v)
);

/// An optional pair of times: three words (present, first, second); absent: all 0.
impl Words for Option<(i64, i64)> {
    const WORDS: usize = 3;
    fn put(&self, out: &mut [u64]) {
        let (present, a, b) = match *self {
            Some((a, b)) => (1, a as u64, b as u64),
            None => (0, 0, 0),
        };
        out.iter_mut()
            .zip([present, a, b])
            .for_each(|(o, w)| *o = w);
    }
    fn get(words: &[u64]) -> Option<Self> {
        match *words {
            [0, 0, 0] => Some(None),
            [1, a, b] => Some(Some((a as i64, b as i64))),
            _ => None,
        }
    }
}

/// Where a mark's line is: input, chunk, line (three words).
impl Words for (u32, u32, u64) {
    const WORDS: usize = 3;
    fn put(&self, out: &mut [u64]) {
        let (input, chunk, line) = *self;
        out.iter_mut()
            .zip([u64::from(input), u64::from(chunk), line])
            .for_each(|(o, w)| *o = w);
    }
    fn get(words: &[u64]) -> Option<Self> {
        let &[input, chunk, line] = words else {
            return None;
        };
        Some((u32::try_from(input).ok()?, u32::try_from(chunk).ok()?, line))
    }
}

/// [`Row`] for a mark from its fields in the order of its row: each field's words in
/// turn (its [`Words`]), so a field's conversion is written once, not once per mark.
macro_rules! rows {
    ($($mark:ident = $layout:literal { $($field:ident: $ty:ty),* $(,)? })*) => {$(
        impl Row for $mark {
            const LAYOUT: &'static str = $layout;
            const WORDS: usize = 0 $(+ <$ty as Words>::WORDS)*;
            fn write(&self, out: &mut [u64]) {
                let mut at = 0;
                $(
                    let n = <$ty as Words>::WORDS;
                    if let Some(words) = out.get_mut(at..at + n) {
                        self.$field.put(words);
                    }
                    at += n;
                )*
                let _ = at;
            }
            fn read(words: &[u64]) -> Option<Self> {
                if words.len() != Self::WORDS {
                    return None;
                }
                let mut at = 0;
                $(
                    let n = <$ty as Words>::WORDS;
                    let $field = <$ty as Words>::get(words.get(at..at + n)?)?;
                    at += n;
                )*
                let _ = at;
                Some($mark { $($field),* })
            }
        }
    )*};
}

rows! {
    ErrorMark = "client t request site group input chunk line" {
        client: u64,
        t: i64,
        request: u64,
        site: u64,
        group: u64,
        line: (u32, u32, u64),
    }
    RequestMark = "client end start request site status upstream_status has_upstream open_end input chunk line" {
        client: u64,
        end: i64,
        start: i64,
        request: u64,
        site: u64,
        status: u16,
        upstream_status: u16,
        has_upstream: bool,
        open_end: bool,
        line: (u32, u32, u64),
    }
    EdgeMark = "sample group key method host trace start end unix? unix_start unix_end input chunk line before_request" {
        sample: u64,
        group: u64,
        key: u64,
        method: u64,
        host: u64,
        trace: u64,
        start: i64,
        end: i64,
        unix: Option<(i64, i64)>,
        line: (u32, u32, u64),
        before_request: bool,
    }
    OriginMark = "cell start end unix? unix_start unix_end key method host trace status group input chunk line" {
        cell: u64,
        start: i64,
        end: i64,
        unix: Option<(i64, i64)>,
        key: u64,
        method: u64,
        host: u64,
        trace: u64,
        status: u16,
        group: u64,
        line: (u32, u32, u64),
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
                [h, t, f] => Some(Pair(*h, *t as i64, bool::get(&[*f])?)),
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

    /// Each mark's layout names as many words as its fields take, and a row reads back
    /// as the mark written.
    #[test]
    fn the_marks_rows_match_their_layouts() {
        fn check<T: Row + fmt::Debug>(mark: T) {
            assert_eq!(T::LAYOUT.split(' ').count(), T::WORDS, "{}", T::LAYOUT);
            let mut words = vec![0; T::WORDS];
            mark.write(&mut words);
            assert_eq!(T::read(&words), Some(mark.clone()), "{}", T::LAYOUT);
            assert_eq!(T::read(&words[1..]), None, "a short row");
        }
        check(ErrorMark {
            client: u64::MAX,
            t: -5,
            request: 3,
            site: 4,
            group: 5,
            line: (6, 7, 8),
        });
        check(RequestMark {
            client: 1,
            end: i64::MIN,
            start: i64::MAX,
            request: 2,
            site: 3,
            status: 502,
            upstream_status: 504,
            has_upstream: true,
            open_end: false,
            line: (u32::MAX, 0, u64::MAX),
        });
        check(EdgeMark {
            sample: 1,
            group: 2,
            key: 3,
            method: 4,
            host: 5,
            trace: 6,
            start: -7,
            end: 8,
            unix: Some((-9, 10)),
            line: (11, 12, 13),
            before_request: true,
        });
        check(OriginMark {
            cell: 1,
            start: 2,
            end: 3,
            unix: None,
            key: 4,
            method: 5,
            host: 6,
            trace: 7,
            status: 499,
            group: 8,
            line: (9, 10, 11),
        });
        // Words out of their field's range are refused.
        let mut words = vec![0; RequestMark::WORDS];
        words[5] = 70_000; // status
        assert_eq!(RequestMark::read(&words), None);
        words[5] = 200;
        words[7] = 2; // has_upstream
        assert_eq!(RequestMark::read(&words), None);
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
