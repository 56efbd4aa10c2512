//! System and library error codes as logged by nginx (`(111: Connection refused)`) and
//! Apache httpd (`(111)Connection refused: `, `(70007)The timeout specified has expired: `,
//! `(EAI 2)Name or service not known: `, `(OS 10061)No connection could be made ...`).
//!
//! The number depends on the operating system and the text on the C library, so a code is
//! recognised from either: Linux numbers with glibc or musl texts, FreeBSD and macOS numbers
//! and texts, and Windows: Winsock (`WSAE*`, 10000-11999) and system error numbers with the
//! English texts `FormatMessage` prints (nginx for Windows writes them as `(10061: No
//! connection could be made because the target machine actively refused it)`).
//!
//! Sources of the tables: glibc 2.36 `strerror`; musl `src/errno/__strerror.h` (v1.1.24 to
//! v1.2.5); FreeBSD `sys/sys/errno.h` and `lib/libc/gen/errlst.c`; macOS (xnu)
//! `bsd/sys/errno.h`, whose numbers and texts are FreeBSD's for every code here; the
//! Windows SDK `winerror.h` (`MessageId`/`MessageText` of `WSAE*` and `ERROR_*`).

use std::fmt;

/// Which numbering space a logged status code belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
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
#[non_exhaustive]
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
            // The text first (it names the condition whatever the OS), then the Linux number,
            // then the BSD one: the two numberings share no number among the codes known here.
            CodeSpace::Os => Errno::from_text(self.text)
                .or_else(|| Errno::from_linux(self.number))
                .or_else(|| Errno::from_bsd(self.number)),
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
            CodeSpace::Windows => {
                Errno::from_windows(self.number).or_else(|| Errno::from_text(self.text))
            }
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
        #[non_exhaustive]
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
    NoEnt => "ENOENT", Some(2), Some(2), ["No such file or directory", "The system cannot find the file specified", "The system cannot find the path specified"];
    Again => "EAGAIN", Some(11), Some(35), ["Resource temporarily unavailable", "Operation would block", "A non-blocking socket operation could not be completed immediately"];
    Access => "EACCES", Some(13), Some(13), ["Permission denied", "Access is denied", "An attempt was made to access a socket in a way forbidden by its access permissions"];
    Inval => "EINVAL", Some(22), Some(22), ["Invalid argument", "An invalid argument was supplied"];
    NFile => "ENFILE", Some(23), Some(23), ["Too many open files in system", "File table overflow"];
    MFile => "EMFILE", Some(24), Some(24), ["Too many open files", "No file descriptors available", "Too many open sockets", "The system cannot open the file"];
    NoSpace => "ENOSPC", Some(28), Some(28), ["No space left on device", "There is not enough space on the disk"];
    Pipe => "EPIPE", Some(32), Some(32), ["Broken pipe", "The pipe has been ended", "The pipe is being closed"];
    AddrInUse => "EADDRINUSE", Some(98), Some(48), ["Address already in use", "Address in use", "Only one usage of each socket address (protocol/network address/port) is normally permitted"];
    AddrNotAvail => "EADDRNOTAVAIL", Some(99), Some(49), ["Cannot assign requested address", "Address not available", "Can't assign requested address", "The requested address is not valid in its context"];
    NetDown => "ENETDOWN", Some(100), Some(50), ["Network is down", "A socket operation encountered a dead network"];
    NetUnreach => "ENETUNREACH", Some(101), Some(51), ["Network is unreachable", "Network unreachable", "A socket operation was attempted to an unreachable network"];
    NetReset => "ENETRESET", Some(102), Some(52), ["Network dropped connection on reset", "Connection reset by network", "The connection has been broken due to keep-alive activity detecting a failure while the operation was in progress"];
    ConnAborted => "ECONNABORTED", Some(103), Some(53), ["Software caused connection abort", "Connection aborted", "An established connection was aborted by the software in your host machine", "The network connection was aborted by the local system"];
    ConnReset => "ECONNRESET", Some(104), Some(54), ["Connection reset by peer", "An existing connection was forcibly closed by the remote host", "The specified network name is no longer available"];
    NoBufs => "ENOBUFS", Some(105), Some(55), ["No buffer space available", "An operation on a socket could not be performed because the system lacked sufficient buffer space or because a queue was full"];
    NotConn => "ENOTCONN", Some(107), Some(57), ["Transport endpoint is not connected", "Socket not connected", "Socket is not connected", "A request to send or receive data was disallowed because the socket is not connected and (when sending on a datagram socket using a sendto call) no address was supplied"];
    Shutdown => "ESHUTDOWN", Some(108), Some(58), ["Cannot send after transport endpoint shutdown", "Cannot send after socket shutdown", "Can't send after socket shutdown", "A request to send or receive data was disallowed because the socket had already been shut down in that direction with a previous shutdown call"];
    TimedOut => "ETIMEDOUT", Some(110), Some(60), ["Connection timed out", "Operation timed out", "A connection attempt failed because the connected party did not properly respond after a period of time, or established connection failed because connected host has failed to respond", "The semaphore timeout period has expired"];
    ConnRefused => "ECONNREFUSED", Some(111), Some(61), ["Connection refused", "No connection could be made because the target machine actively refused it", "The remote computer refused the network connection", "The remote system refused the network connection"];
    HostDown => "EHOSTDOWN", Some(112), Some(64), ["Host is down", "A socket operation failed because the destination host was down"];
    HostUnreach => "EHOSTUNREACH", Some(113), Some(65), ["No route to host", "Host is unreachable", "A socket operation was attempted to an unreachable host"];
    AprTimeup => "APR_TIMEUP", None, None, ["The timeout specified has expired"];
    AprEof => "APR_EOF", None, None, ["End of file found"];
    AprIncomplete => "APR_INCOMPLETE", None, None, ["Partial results are valid but processing is incomplete"];
    NameNotFound => "NAME_NOT_FOUND", None, None, ["Name or service not known", "Name does not resolve", "No address associated with hostname", "Host not found", "No such host is known", "The requested name is valid, but no data of the requested type was found"];
    NameTemporaryFailure => "NAME_TEMPORARY_FAILURE", None, None, ["Temporary failure in name resolution", "Try again", "Server failure", "This is usually a temporary error during hostname resolution and means that the local server did not receive a response from an authoritative server"];
    NameFailure => "NAME_FAILURE", None, None, ["Non-recoverable failure in name resolution", "Non-recoverable error", "Format error", "Unimplemented", "Operation refused", "A non-recoverable error occurred during a database lookup"];
}

impl Errno {
    /// Reads a Windows error number: a Winsock code (`WSAECONNREFUSED` 10061, ...) or a
    /// system error code that Apache logs as `(OS <n>)` (`ERROR_NETNAME_DELETED` 64, ...).
    /// Numbers and meanings from the Windows SDK `winerror.h`.
    pub fn from_windows(number: i64) -> Option<Errno> {
        Some(match number {
            // ERROR_FILE_NOT_FOUND, ERROR_PATH_NOT_FOUND
            2 | 3 => Errno::NoEnt,
            // ERROR_TOO_MANY_OPEN_FILES
            4 => Errno::MFile,
            // ERROR_ACCESS_DENIED
            5 => Errno::Access,
            // ERROR_NETNAME_DELETED: what a reset peer looks like to overlapped socket I/O.
            64 => Errno::ConnReset,
            // ERROR_DISK_FULL
            112 => Errno::NoSpace,
            // ERROR_SEM_TIMEOUT: a network operation that timed out.
            121 => Errno::TimedOut,
            // ERROR_BROKEN_PIPE, ERROR_NO_DATA (the pipe is being closed)
            109 | 232 => Errno::Pipe,
            // ERROR_CONNECTION_REFUSED
            1225 => Errno::ConnRefused,
            // ERROR_NETWORK_UNREACHABLE, ERROR_HOST_UNREACHABLE
            1231 => Errno::NetUnreach,
            1232 => Errno::HostUnreach,
            // ERROR_CONNECTION_ABORTED
            1236 => Errno::ConnAborted,
            // WSAEACCES
            10013 => Errno::Access,
            // WSAEINVAL
            10022 => Errno::Inval,
            // WSAEMFILE ("Too many open sockets")
            10024 => Errno::MFile,
            // WSAEWOULDBLOCK
            10035 => Errno::Again,
            // WSAEADDRINUSE
            10048 => Errno::AddrInUse,
            // WSAEADDRNOTAVAIL
            10049 => Errno::AddrNotAvail,
            // WSAENETDOWN, WSAENETUNREACH, WSAENETRESET
            10050 => Errno::NetDown,
            10051 => Errno::NetUnreach,
            10052 => Errno::NetReset,
            // WSAECONNABORTED, WSAECONNRESET
            10053 => Errno::ConnAborted,
            10054 => Errno::ConnReset,
            // WSAENOBUFS: on connect(), the classic sign that the ephemeral ports are used up.
            10055 => Errno::NoBufs,
            // WSAENOTCONN, WSAESHUTDOWN
            10057 => Errno::NotConn,
            10058 => Errno::Shutdown,
            // WSAETIMEDOUT, WSAECONNREFUSED
            10060 => Errno::TimedOut,
            10061 => Errno::ConnRefused,
            // WSAEHOSTDOWN, WSAEHOSTUNREACH
            10064 => Errno::HostDown,
            10065 => Errno::HostUnreach,
            // WSAHOST_NOT_FOUND, WSANO_DATA, WSATRY_AGAIN, WSANO_RECOVERY
            11001 | 11004 => Errno::NameNotFound,
            11002 => Errno::NameTemporaryFailure,
            11003 => Errno::NameFailure,
            _ => return None,
        })
    }
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
