//! Which syslog tags and journald identifiers are the servers logscan reads.

/// The program names whose lines are the server's: `nginx`, `apache2`, `httpd`, `apache`,
/// `php-fpm` with or without a version (`php-fpm8.2`, `php8.2-fpm`), `haproxy` (the load
/// balancer in front, whose logs go through syslog), and any names the user adds (a custom nginx `syslog:…,tag=web`). Compared without regard to ASCII case.
/// A syslog line or journald entry whose program is another one is [`Kind::Other`].
///
/// [`Kind::Other`]: crate::Kind::Other
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Programs {
    extra: Vec<Vec<u8>>,
}

impl Programs {
    /// The built-in names plus `names`.
    pub fn with<I, S>(names: I) -> Programs
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        Programs {
            extra: names.into_iter().map(|n| n.as_ref().to_vec()).collect(),
        }
    }

    /// Whether `name` (a syslog tag without `[pid]`, a journald identifier) is one of them.
    pub fn is_server(&self, name: &[u8]) -> bool {
        const BUILT_IN: [&[u8]; 5] = [b"nginx", b"apache2", b"httpd", b"apache", b"haproxy"];
        BUILT_IN.iter().any(|n| n.eq_ignore_ascii_case(name))
            || is_php_fpm(name)
            || self.extra.iter().any(|n| n.eq_ignore_ascii_case(name))
    }
}

/// `php-fpm`, `php-fpm8.2`, `php8.2-fpm`, `php-fpm82` (Debian, RHEL, Alpine spellings).
fn is_php_fpm(name: &[u8]) -> bool {
    let version = |s: &[u8]| s.iter().all(|b| b.is_ascii_digit() || *b == b'.');
    let lower = |s: &[u8], prefix: &[u8]| {
        s.len() >= prefix.len() && s[..prefix.len()].eq_ignore_ascii_case(prefix)
    };
    if lower(name, b"php-fpm") {
        return version(&name[7..]);
    }
    if lower(name, b"php") && name.len() >= 7 {
        let (head, tail) = name.split_at(name.len() - 4);
        return tail.eq_ignore_ascii_case(b"-fpm") && version(&head[3..]);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_and_given_names() {
        let p = Programs::default();
        for yes in [
            "nginx",
            "NGINX",
            "apache2",
            "httpd",
            "php-fpm",
            "php-fpm8.2",
            "php8.2-fpm",
            "php-fpm82",
            "haproxy",
        ] {
            assert!(p.is_server(yes.as_bytes()), "{yes}");
        }
        for no in [
            "sshd", "CRON", "systemd", "", "php", "php-fpmx", "phpx-fpm", "nginx2", "-fpm",
        ] {
            assert!(!p.is_server(no.as_bytes()), "{no}");
        }
        let p = Programs::with(["web_frontend"]);
        assert!(p.is_server(b"web_frontend") && p.is_server(b"nginx"));
    }
}
