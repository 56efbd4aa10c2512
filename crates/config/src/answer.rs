//! The answers: which block sends requests to a target ([`Route`]), and the value in force
//! of a directive there ([`Effective`]).

use crate::place::Place;
use crate::tree::{BlockId, Setting};

/// Which server a configuration is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
pub enum Server {
    /// nginx.
    Nginx,
    /// Apache httpd.
    Apache,
    /// PHP-FPM.
    PhpFpm,
}

impl Server {
    /// `nginx`, `apache`, `php-fpm`.
    pub fn id(self) -> &'static str {
        match self {
            Server::Nginx => "nginx",
            Server::Apache => "apache",
            Server::PhpFpm => "php-fpm",
        }
    }
}

/// Where a value in force comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Source {
    /// Set in the block asked about (or on the line that sends the request).
    Here,
    /// Set in an enclosing block (`http {}`, the main server) and inherited.
    Inherited,
    /// Not set anywhere: the server's built-in default.
    Default,
}

/// The value of a directive in force for a block, and where it comes from.
///
/// With the `serde` feature it serializes flat, as logscan's report writes a finding's
/// `config[]` entries: `{"path": "...", "line": 14, "directive": "proxy_read_timeout",
/// "value": "60s", "default": true, "block": "...", "source": "default", "server": "nginx"}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Effective {
    /// The directive (`proxy_read_timeout`, `pm.max_children`, `ProxyTimeout`), or a
    /// parameter of a line written `<directive> <parameter>=` (`server max_fails=`,
    /// `ProxyPass timeout=`).
    pub directive: String,
    /// The value as written (`60s`, `2`, `8 4k`); for a default, the server's default.
    pub value: String,
    /// Where it is set; for a default, the line of the block (or the line) where it would
    /// go.
    pub place: Place,
    /// Set here, inherited, or the default.
    pub source: Source,
    /// The block it applies to, in words: `server shop.example.test / location /api/`,
    /// `upstream backend / server 127.0.0.1:8080`, `VirtualHost 127.0.0.1:80`,
    /// `pool www`.
    pub block: String,
    /// The server it is for.
    pub server: Server,
}

#[cfg(all(test, feature = "serde"))]
mod tests {
    use super::*;

    #[test]
    fn effective_values_serialize_as_the_reports_config_entries() {
        let e = Effective {
            directive: "proxy_read_timeout".into(),
            value: "60s".into(),
            place: Place::new("/etc/nginx/sites-enabled/shop", 14),
            source: Source::Default,
            block: "server shop.example / location /api/".into(),
            server: Server::Nginx,
        };
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"path":"/etc/nginx/sites-enabled/shop","line":14,"directive":"proxy_read_timeout","value":"60s","default":true,"block":"server shop.example / location /api/","source":"default","server":"nginx"}"#
        );
    }
}

impl Effective {
    /// Whether this is the built-in default (`"default": true` in the report).
    pub fn is_default(&self) -> bool {
        self.source == Source::Default
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Effective {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(8))?;
        map.serialize_entry("path", &self.place.path)?;
        map.serialize_entry("line", &self.place.line)?;
        map.serialize_entry("directive", &self.directive)?;
        map.serialize_entry("value", &self.value)?;
        map.serialize_entry("default", &self.is_default())?;
        map.serialize_entry("block", &self.block)?;
        map.serialize_entry("source", &self.source)?;
        map.serialize_entry("server", &self.server)?;
        map.end()
    }
}

/// How requests leave a block.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Module {
    /// nginx `proxy_pass`.
    NginxProxy,
    /// nginx `fastcgi_pass`.
    NginxFastcgi,
    /// nginx `uwsgi_pass`.
    NginxUwsgi,
    /// nginx `scgi_pass`.
    NginxScgi,
    /// nginx `grpc_pass`.
    NginxGrpc,
    /// nginx `memcached_pass`.
    NginxMemcached,
    /// Apache mod_proxy (`ProxyPass`, `ProxyPassMatch`, `BalancerMember`, a
    /// `SetHandler "proxy:..."`): HTTP, FastCGI, AJP, ... by the URL's scheme.
    ApacheProxy,
    /// A PHP-FPM pool that listens on the target.
    FpmPool,
}

impl Module {
    /// The prefix of the nginx module's directives (`proxy`, `fastcgi`, `uwsgi`, `scgi`,
    /// `grpc`, `memcached`), if it is one.
    pub fn nginx_prefix(self) -> Option<&'static str> {
        Some(match self {
            Module::NginxProxy => "proxy",
            Module::NginxFastcgi => "fastcgi",
            Module::NginxUwsgi => "uwsgi",
            Module::NginxScgi => "scgi",
            Module::NginxGrpc => "grpc",
            Module::NginxMemcached => "memcached",
            _ => return None,
        })
    }

    /// The server this module belongs to.
    pub fn server(self) -> Server {
        match self {
            Module::ApacheProxy => Server::Apache,
            Module::FpmPool => Server::PhpFpm,
            _ => Server::Nginx,
        }
    }
}

/// A block that sends requests to a target: an nginx `location` with a `*_pass`, an Apache
/// section with a `ProxyPass`/`BalancerMember`/`SetHandler`, or a PHP-FPM pool that listens
/// on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    /// Which of [`Configs::configs`](crate::Configs::configs) it is in.
    pub config: usize,
    /// How requests leave.
    pub module: Module,
    /// The block: the `location` (or `if`) holding the `*_pass`; the Apache section (or
    /// the main server) holding the `ProxyPass`; the pool.
    pub block: BlockId,
    /// The block in words (`server shop.example.test / location /api/`).
    pub block_name: String,
    /// The line that sends there: `proxy_pass http://backend;`, `ProxyPass ...`,
    /// `SetHandler ...`, the pool's `listen`.
    pub via: Setting,
    /// The group the target is a member of, when the line names one: the nginx `upstream`
    /// block, the Apache `<Proxy balancer://...>` section.
    pub group: Option<BlockId>,
    /// The member line of that group which is the target (`server 127.0.0.1:8080
    /// max_fails=2;`, `BalancerMember http://...`), when the target is a member rather than
    /// the group itself.
    pub member: Option<Setting>,
    /// `false` when the line holds variables (`proxy_pass http://$host:8080`) and only
    /// could send there.
    pub exact: bool,
}
