//! Which file system a directory is on, from `/proc/self/mountinfo`: inotify only sees
//! changes made through this machine's kernel, so files on a network file system are
//! polled.

use std::path::Path;

/// File system types whose files other machines may write.
const REMOTE: &[&str] = &[
    "nfs",
    "nfs4",
    "cifs",
    "smb3",
    "smbfs",
    "9p",
    "ceph",
    "glusterfs",
    "afs",
    "lustre",
    "gpfs",
    "fuse.sshfs",
    "fuse.s3fs",
    "fuse.gcsfuse",
    "fuse.glusterfs",
    "fuse.rclone",
];

/// The type of the remote file system `dir` is on, if it is on one.
pub fn remote_file_system(dir: &Path) -> Option<String> {
    let dir = std::fs::canonicalize(dir).ok()?;
    let table = std::fs::read_to_string("/proc/self/mountinfo").ok()?;
    let fs = file_system_of(&table, &dir.to_string_lossy())?;
    REMOTE.contains(&fs.as_str()).then_some(fs)
}

/// The type of the file system whose mount point is the longest prefix of `path`, from
/// a mountinfo table.
fn file_system_of(table: &str, path: &str) -> Option<String> {
    let mut best: Option<(usize, String)> = None;
    for line in table.lines() {
        let mut fields = line.split(' ');
        let Some(mount_point) = fields.nth(4) else {
            continue;
        };
        let mount_point = unescape(mount_point);
        let Some(fs_type) = line.split(" - ").nth(1).and_then(|r| r.split(' ').next()) else {
            continue;
        };
        let inside = path == mount_point
            || mount_point == "/"
            || path
                .strip_prefix(mount_point.as_str())
                .is_some_and(|rest| rest.starts_with('/'));
        if inside
            && best
                .as_ref()
                .is_none_or(|(len, _)| mount_point.len() >= *len)
        {
            best = Some((mount_point.len(), fs_type.to_owned()));
        }
    }
    best.map(|(_, fs)| fs)
}

/// Mount points write space, tab, newline and backslash as octal escapes.
fn unescape(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    let mut rest = field;
    while let Some(i) = rest.find('\\') {
        out.push_str(&rest[..i]);
        let code = rest
            .get(i + 1..i + 4)
            .and_then(|d| u8::from_str_radix(d, 8).ok());
        match code {
            Some(byte) => {
                out.push(char::from(byte));
                rest = &rest[i + 4..];
            }
            None => {
                out.push('\\');
                rest = &rest[i + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE: &str = "\
22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
40 22 0:35 / /mnt/logs rw,relatime shared:20 - nfs4 srv:/export/logs rw,vers=4.2
41 22 0:36 / /mnt/my\\040logs rw - cifs //srv/logs rw
42 40 0:37 / /mnt/logs/local rw - tmpfs tmpfs rw
";

    #[test]
    fn the_longest_mount_point_decides() {
        assert_eq!(
            file_system_of(TABLE, "/var/log/nginx").as_deref(),
            Some("ext4")
        );
        assert_eq!(
            file_system_of(TABLE, "/mnt/logs/nginx").as_deref(),
            Some("nfs4")
        );
        assert_eq!(file_system_of(TABLE, "/mnt/logs").as_deref(), Some("nfs4"));
        assert_eq!(file_system_of(TABLE, "/mnt/logsx").as_deref(), Some("ext4"));
        assert_eq!(
            file_system_of(TABLE, "/mnt/logs/local/a").as_deref(),
            Some("tmpfs")
        );
        assert_eq!(
            file_system_of(TABLE, "/mnt/my logs/a").as_deref(),
            Some("cifs")
        );
    }
}
