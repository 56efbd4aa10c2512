//! # logscan-follow
//!
//! Follows log files as a server writes them, with `tail -F`'s semantics: lines appended;
//! rotation by rename and create (the renamed file is read until the server lets go of
//! it) and by copytruncate (the file shrinks: it is read again from its start); a file
//! deleted and created again; new files in a followed directory or matching a followed
//! glob pattern. A line is only handed out once its `\n` is written, so a line written
//! in two pieces is read once.
//!
//! - [`Follower`] knows which file is read under which name. [`Follower::poll`] looks at
//!   every name and says what changed ([`Change`]): a file to read ([`Tail`]), one that
//!   moved away, one to let go, a problem with a name (deleted, replaced by a directory,
//!   unreadable), said once.
//! - [`Tail`] reads one file (or standard input, [`stdin`]) as it grows, handing out
//!   whole lines only, in bounded memory whatever the line lengths.
//!
//! Changes are noticed through inotify (the `notify` crate): a watcher thread calls the
//! `wake` function given to [`Follower::new`], and nothing runs while nothing is written.
//! Where inotify is not available (or the directory is on NFS, CIFS or another network
//! file system, whose remote writes inotify does not see), the follower asks to be polled
//! ([`Follower::poll_interval`]).
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::io::{Read, Write};
//! use logscan_follow::{Change, Follower, Options};
//!
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("error.log");
//! let mut log = std::fs::File::create(&path)?;
//! log.write_all(b"first line\nsecond li")?;
//!
//! let mut follower = Follower::new(&[path.clone()], Options::default(), || {});
//! let mut tails = Vec::new();
//! for change in follower.poll() {
//!     if let Change::Opened { tail, .. } = change {
//!         tails.push(tail);
//!     }
//! }
//! let mut text = String::new();
//! tails[0].read_to_string(&mut text)?;
//! assert_eq!(text, "first line\n"); // the second line is not complete yet
//!
//! log.write_all(b"ne\n")?;
//! tails[0].read_to_string(&mut text)?;
//! assert_eq!(text, "first line\nsecond line\n");
//!
//! // Rotation: the file is renamed and a new one created under the name.
//! std::fs::rename(&path, dir.path().join("error.log.1"))?;
//! std::fs::write(&path, "third line\n")?;
//! let changes = follower.poll();
//! assert!(matches!(&changes[0], Change::Moved { to: Some(to), .. } if to.ends_with("error.log.1")));
//! assert!(matches!(&changes[1], Change::Opened { path: p, .. } if *p == path));
//! # Ok(()) }
//! ```
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod follower;
mod mounts;
mod tail;

use std::io::Read;
use std::sync::mpsc;
use std::thread;

pub use follower::{Change, FileKey, Follower, Options, Problem};
pub use tail::{Tail, TailState};

/// Reads standard input on a thread of its own and returns a [`Tail`] over what arrives;
/// `wake` is called after each piece (and at the end), so a caller can sleep until there is
/// something to read. `keep` bounds what is kept of one line ([`Tail::channel`]).
pub fn stdin(keep: usize, wake: impl Fn() + Send + 'static) -> Tail {
    let (tx, rx) = mpsc::sync_channel::<Vec<u8>>(64);
    thread::spawn(move || {
        let mut input = std::io::stdin().lock();
        loop {
            let mut chunk = vec![0u8; 64 << 10];
            match input.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => {
                    chunk.truncate(n);
                    if tx.send(chunk).is_err() {
                        break;
                    }
                    wake();
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => break,
            }
        }
        drop(tx);
        wake();
    });
    Tail::channel(rx, keep)
}
