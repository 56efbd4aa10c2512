//! The configurations Debian's packages install (`apt-get install nginx apache2 php-fpm`)
//! read without problems, and the values the packages set are found at their lines. The
//! expected lines are found here by plain text search, apart from the grammars. Each part
//! says SKIPPED when its package is not installed.

use std::path::{Path, PathBuf};

use logscan_config::{BlockId, Configs, Options, Severity, Source, Target};

/// The 1-based line of the first line of `path` whose trimmed text starts with `prefix`.
fn line_of(path: &Path, prefix: &str) -> u32 {
    let text = std::fs::read_to_string(path).unwrap();
    let n = text
        .lines()
        .position(|l| l.trim_start().starts_with(prefix))
        .unwrap_or_else(|| panic!("{prefix:?} not in {}", path.display()));
    n as u32 + 1
}

fn problems(configs: &Configs) -> Vec<String> {
    configs
        .configs()
        .iter()
        .flat_map(|c| c.warnings().iter())
        .filter(|w| w.severity == Severity::Problem)
        .map(ToString::to_string)
        .collect()
}

#[test]
fn nginx_as_debian_ships_it() {
    let main = Path::new("/etc/nginx/nginx.conf");
    if !main.is_file() {
        eprintln!("SKIPPED: no {}", main.display());
        return;
    }
    let mut configs = Configs::new();
    configs.read(Path::new("/etc/nginx"), &Options::default());
    assert_eq!(configs.configs().len(), 1);
    assert!(problems(&configs).is_empty(), "{:?}", problems(&configs));
    let n = configs.configs()[0].nginx().unwrap();
    let files: Vec<&Path> = n.files().iter().map(|f| f.path.as_path()).collect();
    assert!(
        files.contains(&Path::new("/etc/nginx/mime.types")),
        "{files:?}"
    );
    assert!(
        files.contains(&Path::new("/etc/nginx/sites-enabled/default")),
        "{files:?}"
    );

    let wc = n.effective(BlockId::MAIN, "worker_connections").unwrap();
    assert_eq!(wc.place.line, line_of(main, "worker_connections"));
    assert_eq!(
        n.effective(BlockId::MAIN, "user").unwrap().value,
        "www-data"
    );
    // The default site proxies nowhere: its timeouts are nginx's defaults, placed at its
    // `location /`.
    let location = n.blocks_named("location").next().unwrap();
    let e = n.effective(location, "proxy_read_timeout").unwrap();
    assert_eq!((e.value.as_str(), e.source), ("60s", Source::Default));
    assert_eq!(e.place.path, Path::new("/etc/nginx/sites-enabled/default"));
    assert_eq!(
        e.place.line,
        line_of(
            Path::new("/etc/nginx/sites-enabled/default"),
            "location / {"
        )
    );
    assert_eq!(e.block, "server *:80 / location /");
    assert!(n.log_formats().is_empty());
}

#[test]
fn apache_as_debian_ships_it() {
    let main = Path::new("/etc/apache2/apache2.conf");
    if !main.is_file() {
        eprintln!("SKIPPED: no {}", main.display());
        return;
    }
    let mut configs = Configs::new();
    configs.read(main, &Options::default());
    assert!(problems(&configs).is_empty(), "{:?}", problems(&configs));
    let a = configs.configs()[0].apache().unwrap();
    // envvars supplies ${APACHE_RUN_USER}; mpm_event.conf the worker limits.
    assert_eq!(
        a.effective(BlockId::MAIN, "User").unwrap().value,
        "www-data"
    );
    let t = a.effective(BlockId::MAIN, "Timeout").unwrap();
    assert_eq!(t.place.line, line_of(main, "Timeout "));
    let mrw = a.effective(BlockId::MAIN, "MaxRequestWorkers").unwrap();
    let mpm = PathBuf::from("/etc/apache2/mods-enabled/mpm_event.conf");
    if mpm.is_file() {
        assert_eq!(
            (mrw.place.path.as_path(), mrw.place.line),
            (mpm.as_path(), line_of(&mpm, "MaxRequestWorkers"))
        );
    }
    let vhost = a
        .tree()
        .blocks()
        .find(|(_, b)| b.name == "VirtualHost")
        .map(|(id, _)| id)
        .unwrap();
    // The default vhost sets no ProxyTimeout: Timeout of the main server applies.
    let e = a.effective(vhost, "ProxyTimeout").unwrap();
    assert_eq!(
        (e.directive.as_str(), e.source, e.value.as_str()),
        ("Timeout", Source::Inherited, t.value.as_str())
    );
}

#[test]
fn php_fpm_as_debian_ships_it() {
    let Some(main) = glob::glob("/etc/php/*/fpm/php-fpm.conf")
        .ok()
        .and_then(|mut g| g.next())
        .and_then(Result::ok)
    else {
        eprintln!("SKIPPED: no /etc/php/*/fpm/php-fpm.conf");
        return;
    };
    let mut configs = Configs::new();
    configs.read(&main, &Options::default());
    assert!(problems(&configs).is_empty(), "{:?}", problems(&configs));
    let f = configs.configs()[0].fpm().unwrap();
    let www = f.pool("www").unwrap();
    let pool_file = main.parent().unwrap().join("pool.d/www.conf");
    let (listen, via) = f.listen(www).unwrap();
    assert!(
        matches!(&listen, Target::Unix(p) if p.starts_with("/run/php/php")),
        "{listen:?}"
    );
    assert_eq!(
        (via.place.path.as_path(), via.place.line),
        (pool_file.as_path(), line_of(&pool_file, "listen ="))
    );
    let e = f.effective(www, "pm.max_children").unwrap();
    assert_eq!(e.place.line, line_of(&pool_file, "pm.max_children"));
    let e = f.effective(www, "max_execution_time").unwrap();
    let ini = main.parent().unwrap().join("php.ini");
    assert_eq!(
        (e.place.path.as_path(), e.place.line),
        (ini.as_path(), line_of(&ini, "max_execution_time"))
    );
    // The socket is writable by the web server's user: no mismatch with Debian's nginx.
    if Path::new("/etc/nginx/nginx.conf").is_file() {
        let mut both = Configs::new();
        both.read(Path::new("/etc/nginx/nginx.conf"), &Options::default());
        both.read(&main, &Options::default());
        assert!(both.mismatches().is_empty(), "{:?}", both.mismatches());
    }
}

#[test]
fn this_machines_usual_paths_are_read() {
    let configs = Configs::this_machine(&Options::default());
    for c in configs.configs() {
        assert!(c.parsed.is_ok(), "{}: {:?}", c.path.display(), c.warnings());
    }
    eprintln!("{} configurations on this machine", configs.configs().len());
}
