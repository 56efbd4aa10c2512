//! System and library error codes as logged by nginx (`(111: Connection refused)`) and
//! Apache httpd (`(111)Connection refused: `, `(70007)The timeout specified has expired: `,
//! `(EAI 2)Name or service not known: `).
//!
//! The number depends on the operating system and the text on the C library, so a code is
//! recognised from either: Linux numbers with glibc or musl texts, and BSD/macOS numbers.

use std::fmt;

/// Which numbering space a logged status code belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CodeSpace {
    /// An operating-system `errno` (nginx `(111: ...)`, Apache `(111)...` below 20000).
    Os,
    /// An APR status (Apache `(70007)...`, 20000 and above).
    Apr,
    /// A resolver error (Apache `(EAI 2)...`).
    Eai,
    /// A Windows system error (Apache `(OS 10061)...`, `(os 0x...)`).
    Windows,
    /// nginx's own resolver codes (`could not be resolved (3: Host not found)`).
    Resolver,
}

/// An error code as written in the line: its space, number and text.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SysError<'a> {
    /// The numbering space.
    pub space: CodeSpace,
    /// The number as written (may be negative, e.g. Apache `(-102)`).
    pub number: i64,
    /// The text after the number, as written (libc- and version-dependent).
    pub text: &'a [u8],
}

impl SysError<'_> {
    /// The normalised meaning, from the number and the text together.
    pub fn errno(&self) -> Option<Errno> {
        match self.space {
            CodeSpace::Os => Errno::from_text(self.text).or_else(|| Errno::from_linux(self.number)),
            CodeSpace::Apr => match self.number {
                70007 => Some(Errno::AprTimeup),
                70014 => Some(Errno::AprEof),
                70008 => Some(Errno::AprIncomplete),
                n if n < 20000 => Errno::from_linux(n),
                _ => Errno::from_text(self.text),
            },
            CodeSpace::Eai => Some(match self.number {
                // glibc EAI_NONAME (-2), EAI_NODATA (-5); musl uses the same numbers.
                2 | 5 => Errno::NameNotFound,
                3 => Errno::NameTemporaryFailure,
                _ => Errno::NameFailure,
            }),
            CodeSpace::Windows => match self.number {
                10061 => Some(Errno::ConnRefused),
                10060 => Some(Errno::TimedOut),
                10054 => Some(Errno::ConnReset),
                10065 => Some(Errno::HostUnreach),
                10051 => Some(Errno::NetUnreach),
                10050 => Some(Errno::NetDown),
                10064 => Some(Errno::HostDown),
                10053 => Some(Errno::ConnAborted),
                10049 => Some(Errno::AddrNotAvail),
                10048 => Some(Errno::AddrInUse),
                10024 => Some(Errno::MFile),
                10013 => Some(Errno::Access),
                10035 => Some(Errno::Again),
                10057 => Some(Errno::NotConn),
                _ => Errno::from_text(self.text),
            },
            CodeSpace::Resolver => Some(match self.number {
                3 => Errno::NameNotFound,
                1 | 4 | 5 => Errno::NameFailure,
                _ => Errno::NameTemporaryFailure,
            }),
        }
    }
}

impl fmt::Debug for SysError<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SysError")
            .field("space", &self.space)
            .field("number", &self.number)
            .field("text", &String::from_utf8_lossy(self.text))
            .finish()
    }
}

macro_rules! errnos {
    ($( $variant:ident => $name:literal, $linux:expr, $bsd:expr, [$($text:literal),*]; )*) => {
        /// A normalised error condition, independent of OS numbering and libc wording.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Errno {
            $(
                #[doc = concat!("`", $name, "`")]
                $variant,
            )*
        }

        impl Errno {
            /// The symbolic name, e.g. `"ECONNREFUSED"`.
            pub const fn name(self) -> &'static str {
                match self { $(Errno::$variant => $name,)* }
            }

            /// The Linux number, where the condition is an OS errno.
            pub const fn linux(self) -> Option<i64> {
                match self { $(Errno::$variant => $linux,)* }
            }

            /// Reads a symbolic name as [`Errno::name`] writes it, e.g. `"ECONNREFUSED"`.
            pub fn from_name(name: &str) -> Option<Errno> {
                $( if name == $name { return Some(Errno::$variant); } )*
                None
            }

            /// Reads a Linux errno number.
            pub fn from_linux(number: i64) -> Option<Errno> {
                $( if $linux == Some(number) { return Some(Errno::$variant); } )*
                None
            }

            /// Reads a FreeBSD/macOS errno number.
            pub fn from_bsd(number: i64) -> Option<Errno> {
                $( if $bsd == Some(number) { return Some(Errno::$variant); } )*
                None
            }

            /// Reads a glibc, musl or BSD `strerror()` text (exact, case-sensitive).
            pub fn from_text(text: &[u8]) -> Option<Errno> {
                $( $( if text == $text.as_bytes() { return Some(Errno::$variant); } )* )*
                None
            }
        }
    };
}

errnos! {
    Perm => "EPERM", Some(1), Some(1), ["Operation not permitted"];
    NoEnt => "ENOENT", Some(2), Some(2), ["No such file or directory"];
    Again => "EAGAIN", Some(11), Some(35), ["Resource temporarily unavailable", "Operation would block"];
    Access => "EACCES", Some(13), Some(13), ["Permission denied"];
    Inval => "EINVAL", Some(22), Some(22), ["Invalid argument"];
    NFile => "ENFILE", Some(23), Some(23), ["Too many open files in system", "File table overflow"];
    MFile => "EMFILE", Some(24), Some(24), ["Too many open files", "No file descriptors available"];
    NoSpace => "ENOSPC", Some(28), Some(28), ["No space left on device"];
    Pipe => "EPIPE", Some(32), Some(32), ["Broken pipe"];
    AddrInUse => "EADDRINUSE", Some(98), Some(48), ["Address already in use"];
    AddrNotAvail => "EADDRNOTAVAIL", Some(99), Some(49), ["Cannot assign requested address", "Address not available", "Can't assign requested address"];
    NetDown => "ENETDOWN", Some(100), Some(50), ["Network is down"];
    NetUnreach => "ENETUNREACH", Some(101), Some(51), ["Network is unreachable", "Network unreachable"];
    ConnAborted => "ECONNABORTED", Some(103), Some(53), ["Software caused connection abort", "Connection aborted"];
    ConnReset => "ECONNRESET", Some(104), Some(54), ["Connection reset by peer"];
    NotConn => "ENOTCONN", Some(107), Some(57), ["Transport endpoint is not connected", "Socket not connected", "Socket is not connected"];
    TimedOut => "ETIMEDOUT", Some(110), Some(60), ["Connection timed out", "Operation timed out"];
    ConnRefused => "ECONNREFUSED", Some(111), Some(61), ["Connection refused"];
    HostDown => "EHOSTDOWN", Some(112), Some(64), ["Host is down"];
    HostUnreach => "EHOSTUNREACH", Some(113), Some(65), ["No route to host", "Host is unreachable"];
    AprTimeup => "APR_TIMEUP", None, None, ["The timeout specified has expired"];
    AprEof => "APR_EOF", None, None, ["End of file found"];
    AprIncomplete => "APR_INCOMPLETE", None, None, ["Partial results are valid but processing is incomplete"];
    NameNotFound => "NAME_NOT_FOUND", None, None, ["Name or service not known", "Name does not resolve", "No address associated with hostname", "Host not found"];
    NameTemporaryFailure => "NAME_TEMPORARY_FAILURE", None, None, ["Temporary failure in name resolution", "Try again", "Server failure"];
    NameFailure => "NAME_FAILURE", None, None, ["Non-recoverable failure in name resolution", "Non-recoverable error", "Format error", "Unimplemented", "Operation refused"];
}

impl Errno {
    /// Whether this is a timeout of any kind (OS or APR).
    pub const fn is_timeout(self) -> bool {
        matches!(self, Errno::TimedOut | Errno::AprTimeup)
    }
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Errno values serialise as their symbolic name (`"ECONNREFUSED"`), so stored data does not
/// depend on the order of the variants.
#[cfg(feature = "serde")]
mod serde_impls {
    use super::Errno;
    use serde::{Deserialize, Deserializer, Serialize, Serializer, de::Error};

    impl Serialize for Errno {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_str(self.name())
        }
    }

    impl<'de> Deserialize<'de> for Errno {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
            Errno::from_name(&text)
                .ok_or_else(|| D::Error::custom(format!("unknown errno {text:?}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(number: i64, text: &str) -> Option<Errno> {
        SysError {
            space: CodeSpace::Os,
            number,
            text: text.as_bytes(),
        }
        .errno()
    }

    #[test]
    fn names_read_back() {
        for errno in [
            Errno::ConnRefused,
            Errno::TimedOut,
            Errno::Perm,
            Errno::HostUnreach,
        ] {
            assert_eq!(Errno::from_name(errno.name()), Some(errno));
        }
        assert_eq!(Errno::from_name("ECONNREFUSEDX"), None);
    }

    #[test]
    fn glibc_musl_and_bsd_spellings_agree() {
        assert_eq!(os(111, "Connection refused"), Some(Errno::ConnRefused));
        assert_eq!(os(61, "Connection refused"), Some(Errno::ConnRefused));
        assert_eq!(os(110, "Operation timed out"), Some(Errno::TimedOut));
        assert_eq!(os(60, "Operation timed out"), Some(Errno::TimedOut));
        assert_eq!(os(24, "No file descriptors available"), Some(Errno::MFile));
        assert_eq!(os(99, "Address not available"), Some(Errno::AddrNotAvail));
        assert_eq!(os(113, "Host is unreachable"), Some(Errno::HostUnreach));
        // An unknown text falls back to the Linux number.
        assert_eq!(os(104, "Verbindung zurückgesetzt"), Some(Errno::ConnReset));
        assert_eq!(Errno::from_bsd(35), Some(Errno::Again));
        assert_eq!(Errno::ConnRefused.linux(), Some(111));
        // Older musl (before 1.2) wrote other texts for a few codes.
        assert_eq!(os(11, "Operation would block"), Some(Errno::Again));
        assert_eq!(os(23, "File table overflow"), Some(Errno::NFile));
        // BSD numbers with BSD texts.
        assert_eq!(
            os(49, "Can't assign requested address"),
            Some(Errno::AddrNotAvail)
        );
        assert_eq!(os(65, "No route to host"), Some(Errno::HostUnreach));
        assert_eq!(
            os(35, "Resource temporarily unavailable"),
            Some(Errno::Again)
        );
    }

    #[test]
    fn windows_socket_codes() {
        let win = |n| {
            SysError {
                space: CodeSpace::Windows,
                number: n,
                text: b"",
            }
            .errno()
        };
        assert_eq!(win(10061), Some(Errno::ConnRefused));
        assert_eq!(win(10024), Some(Errno::MFile));
        assert_eq!(win(10049), Some(Errno::AddrNotAvail));
    }

    #[test]
    fn apr_and_resolver_codes() {
        let apr = |n, t: &'static str| {
            SysError {
                space: CodeSpace::Apr,
                number: n,
                text: t.as_bytes(),
            }
            .errno()
        };
        assert_eq!(
            apr(70007, "The timeout specified has expired"),
            Some(Errno::AprTimeup)
        );
        assert_eq!(apr(70014, "End of file found"), Some(Errno::AprEof));
        assert_eq!(apr(111, "Connection refused"), Some(Errno::ConnRefused));
        let eai = SysError {
            space: CodeSpace::Eai,
            number: 2,
            text: b"Name or service not known",
        };
        assert_eq!(eai.errno(), Some(Errno::NameNotFound));
        let res = SysError {
            space: CodeSpace::Resolver,
            number: 110,
            text: b"Operation timed out",
        };
        assert_eq!(res.errno(), Some(Errno::NameTemporaryFailure));
        assert!(Errno::AprTimeup.is_timeout());
    }
}
