//! A serde `Serializer` that writes down the shape of a value instead of its bytes: for
//! every place in it (`Analyzer.groups.list[].key.cause`), what is there (`struct GroupKey
//! {cause, server, ...}`, `u64`, `str`). Fields are listed in order, integers with their
//! width and sign: everything that decides how postcard lays the value out.
//!
//! (serde-reflection does this by container name, and refuses a generic container used
//! with two type parameters, as the analyzer's samples are.)

use std::collections::BTreeSet;
use std::fmt;

use serde::ser::{self, Serialize};

/// The shape of `value`, one line per place, sorted.
pub fn of<T: Serialize>(value: &T) -> String {
    let mut lines = BTreeSet::new();
    value
        .serialize(Shape {
            path: "state".to_owned(),
            lines: &mut lines,
        })
        .unwrap();
    lines.into_iter().collect::<Vec<_>>().join("\n") + "\n"
}

#[derive(Debug)]
pub struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
}

struct Shape<'a> {
    path: String,
    lines: &'a mut BTreeSet<String>,
}

impl Shape<'_> {
    fn note(self, what: impl fmt::Display) -> Result<(), Error> {
        self.lines.insert(format!("{}: {what}", self.path));
        Ok(())
    }

    fn at(&mut self, suffix: &str) -> Shape<'_> {
        Shape {
            path: format!("{}{suffix}", self.path),
            lines: self.lines,
        }
    }
}

macro_rules! primitive {
    ($($method:ident: $ty:ty => $name:literal,)*) => {
        $(fn $method(self, _: $ty) -> Result<(), Error> { self.note($name) })*
    };
}

impl<'a> ser::Serializer for Shape<'a> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Compound<'a>;
    type SerializeTuple = Compound<'a>;
    type SerializeTupleStruct = Compound<'a>;
    type SerializeTupleVariant = Compound<'a>;
    type SerializeMap = Compound<'a>;
    type SerializeStruct = Compound<'a>;
    type SerializeStructVariant = Compound<'a>;

    primitive! {
        serialize_bool: bool => "bool",
        serialize_i8: i8 => "i8",
        serialize_i16: i16 => "i16",
        serialize_i32: i32 => "i32",
        serialize_i64: i64 => "i64",
        serialize_i128: i128 => "i128",
        serialize_u8: u8 => "u8",
        serialize_u16: u16 => "u16",
        serialize_u32: u32 => "u32",
        serialize_u64: u64 => "u64",
        serialize_u128: u128 => "u128",
        serialize_f32: f32 => "f32",
        serialize_f64: f64 => "f64",
        serialize_char: char => "char",
        serialize_str: &str => "str",
        serialize_bytes: &[u8] => "bytes",
    }

    fn serialize_none(self) -> Result<(), Error> {
        self.note("option")
    }

    fn serialize_some<T: ?Sized + Serialize>(mut self, value: &T) -> Result<(), Error> {
        self.at("").note("option")?;
        value.serialize(self.at("?"))
    }

    fn serialize_unit(self) -> Result<(), Error> {
        self.note("unit")
    }

    fn serialize_unit_struct(self, name: &'static str) -> Result<(), Error> {
        self.note(format_args!("unit struct {name}"))
    }

    fn serialize_unit_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.note(format_args!("enum {name} variant {index} = {variant}"))
    }

    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        mut self,
        name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.at("").note(format_args!("newtype {name}"))?;
        value.serialize(self.at(".0"))
    }

    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        mut self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.at("")
            .note(format_args!("enum {name} variant {index} = {variant}(_)"))?;
        value.serialize(self.at(&format!("::{variant}")))
    }

    fn serialize_seq(mut self, _: Option<usize>) -> Result<Compound<'a>, Error> {
        self.at("").note("seq")?;
        Ok(Compound::new(self, "[]"))
    }

    fn serialize_tuple(mut self, len: usize) -> Result<Compound<'a>, Error> {
        self.at("").note(format_args!("tuple of {len}"))?;
        Ok(Compound::new(self, ""))
    }

    fn serialize_tuple_struct(
        mut self,
        name: &'static str,
        len: usize,
    ) -> Result<Compound<'a>, Error> {
        self.at("")
            .note(format_args!("tuple struct {name} of {len}"))?;
        Ok(Compound::new(self, ""))
    }

    fn serialize_tuple_variant(
        mut self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Compound<'a>, Error> {
        self.at("").note(format_args!(
            "enum {name} variant {index} = {variant}(tuple of {len})"
        ))?;
        Ok(Compound::new(self, ""))
    }

    fn serialize_map(mut self, _: Option<usize>) -> Result<Compound<'a>, Error> {
        self.at("").note("map")?;
        Ok(Compound::new(self, "{}"))
    }

    fn serialize_struct(self, name: &'static str, _: usize) -> Result<Compound<'a>, Error> {
        Ok(Compound::structure(self, format!("struct {name}")))
    }

    fn serialize_struct_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Compound<'a>, Error> {
        Ok(Compound::structure(
            self,
            format!("enum {name} variant {index} = {variant} struct"),
        ))
    }
}

/// A sequence, tuple, map or struct being written.
pub struct Compound<'a> {
    shape: Shape<'a>,
    /// Sequences and maps: the path suffix of their items; tuples: empty (items numbered).
    items: &'static str,
    index: usize,
    /// Structs: the line, and their fields in order.
    structure: Option<(String, Vec<&'static str>)>,
}

impl<'a> Compound<'a> {
    fn new(shape: Shape<'a>, items: &'static str) -> Self {
        Compound {
            shape,
            items,
            index: 0,
            structure: None,
        }
    }

    fn structure(shape: Shape<'a>, what: String) -> Self {
        Compound {
            shape,
            items: "",
            index: 0,
            structure: Some((what, Vec::new())),
        }
    }

    fn item<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        let suffix = if self.items.is_empty() {
            format!(".{}", self.index)
        } else {
            self.items.to_owned()
        };
        self.index += 1;
        value.serialize(self.shape.at(&suffix))
    }

    fn field<T: ?Sized + Serialize>(&mut self, name: &'static str, value: &T) -> Result<(), Error> {
        if let Some((_, fields)) = &mut self.structure {
            fields.push(name);
        }
        value.serialize(self.shape.at(&format!(".{name}")))
    }

    fn end(self) -> Result<(), Error> {
        match self.structure {
            Some((what, fields)) => self
                .shape
                .note(format_args!("{what} {{{}}}", fields.join(", "))),
            None => Ok(()),
        }
    }
}

impl ser::SerializeSeq for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        self.item(value)
    }
    fn end(self) -> Result<(), Error> {
        Compound::end(self)
    }
}

impl ser::SerializeTuple for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        self.item(value)
    }
    fn end(self) -> Result<(), Error> {
        Compound::end(self)
    }
}

impl ser::SerializeTupleStruct for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        self.item(value)
    }
    fn end(self) -> Result<(), Error> {
        Compound::end(self)
    }
}

impl ser::SerializeTupleVariant for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        self.item(value)
    }
    fn end(self) -> Result<(), Error> {
        Compound::end(self)
    }
}

impl ser::SerializeMap for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<(), Error> {
        key.serialize(self.shape.at("{key}"))
    }
    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(self.shape.at("{}"))
    }
    fn end(self) -> Result<(), Error> {
        Compound::end(self)
    }
}

impl ser::SerializeStruct for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.field(name, value)
    }
    fn skip_field(&mut self, name: &'static str) -> Result<(), Error> {
        if let Some((_, fields)) = &mut self.structure {
            fields.push(name);
        }
        Ok(())
    }
    fn end(self) -> Result<(), Error> {
        Compound::end(self)
    }
}

impl ser::SerializeStructVariant for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.field(name, value)
    }
    fn end(self) -> Result<(), Error> {
        Compound::end(self)
    }
}
