//! Property tests: generated configuration trees, printed and read back, are the same
//! trees (nginx, Apache, PHP-FPM); and any text at all is read without a panic, with
//! warnings that carry no raw control character.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use logscan_config::{ApacheConfig, BlockId, FpmConfig, NginxConfig, Options, apache, fpm, nginx};
use proptest::prelude::*;

fn one_file(path: &str, text: &[u8]) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    files.insert(PathBuf::from(path), text.to_vec());
    files
}

/// Argument text: letters, digits, every character the grammars treat specially, white
/// space, non-ASCII.
fn arg() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            4 => proptest::char::range('a', 'z'),
            1 => proptest::sample::select(vec![' ', '\t', ';', '{', '}', '"', '\'', '\\', '#', '$', '<', '>', '=', '[', ']', '(', ')', '/', ':', '|', 'é', '€', '\u{1b}']),
        ],
        0..12,
    )
    .prop_map(|v| v.into_iter().collect())
}

fn name() -> impl Strategy<Value = String> {
    "[a-z][a-z_]{0,10}".prop_filter("special directives", |n| {
        n != "include" && n != "if" && !n.ends_with("_by_lua_block")
    })
}

fn nginx_tree() -> impl Strategy<Value = Vec<nginx::Directive>> {
    let leaf = (name(), proptest::collection::vec(arg(), 0..4)).prop_map(|(name, args)| {
        nginx::Directive {
            name,
            args,
            line: 0,
            block: None,
            includes: Vec::new(),
        }
    });
    let tree = leaf.prop_recursive(3, 40, 6, |inner| {
        (
            name(),
            proptest::collection::vec(arg(), 0..3),
            proptest::collection::vec(inner, 0..6),
        )
            .prop_map(|(name, args, children)| nginx::Directive {
                name,
                args,
                line: 0,
                block: Some(children),
                includes: Vec::new(),
            })
    });
    proptest::collection::vec(tree, 0..8)
}

fn without_lines_nginx(mut ds: Vec<nginx::Directive>) -> Vec<nginx::Directive> {
    for d in &mut ds {
        d.line = 0;
        if let Some(b) = d.block.take() {
            d.block = Some(without_lines_nginx(b));
        }
    }
    ds
}

fn apache_name() -> impl Strategy<Value = String> {
    "[A-Z][a-z]{1,10}".prop_filter("directives that act while reading", |n| {
        ![
            "Include",
            "Includeoptional",
            "Define",
            "Undefine",
            "Serverroot",
            "Loadmodule",
            "Ifdefine",
            "Ifmodule",
        ]
        .iter()
        .any(|x| x.eq_ignore_ascii_case(n))
    })
}

/// Apache arguments cannot hold line breaks or `${`.
fn apache_arg() -> impl Strategy<Value = String> {
    arg().prop_map(|a| a.replace(['\n', '\r', '$'], "x"))
}

fn apache_tree() -> impl Strategy<Value = Vec<apache::Directive>> {
    let leaf =
        (apache_name(), proptest::collection::vec(apache_arg(), 0..4)).prop_map(|(name, args)| {
            apache::Directive {
                name,
                args,
                line: 0,
                block: None,
                includes: Vec::new(),
                active: true,
            }
        });
    let tree = leaf.prop_recursive(3, 40, 6, |inner| {
        (
            apache_name(),
            proptest::collection::vec(apache_arg(), 0..3),
            proptest::collection::vec(inner, 0..6),
        )
            .prop_map(|(name, args, children)| apache::Directive {
                name,
                args,
                line: 0,
                block: Some(children),
                includes: Vec::new(),
                active: true,
            })
    });
    proptest::collection::vec(tree, 0..8)
}

fn without_lines_apache(mut ds: Vec<apache::Directive>) -> Vec<apache::Directive> {
    for d in &mut ds {
        d.line = 0;
        if let Some(b) = d.block.take() {
            d.block = Some(without_lines_apache(b));
        }
    }
    ds
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn nginx_trees_survive_printing(tree in nginx_tree()) {
        let text = nginx::print(&tree);
        let c = NginxConfig::from_memory(one_file("/e/nginx.conf", text.as_bytes()), Path::new("/e/nginx.conf"), &Options::default()).unwrap();
        prop_assert!(c.warnings().is_empty(), "{:?}\n{text}", c.warnings());
        prop_assert_eq!(without_lines_nginx(c.files()[0].directives.clone()), tree, "{}", text);
        // Every directive is on its own line, in order.
        let mut lines = Vec::new();
        fn walk(ds: &[nginx::Directive], out: &mut Vec<u32>) {
            for d in ds {
                out.push(d.line);
                if let Some(b) = &d.block { walk(b, out); }
            }
        }
        walk(&c.files()[0].directives, &mut lines);
        prop_assert!(lines.windows(2).all(|w| w[0] < w[1]), "{lines:?}");
    }

    #[test]
    fn apache_trees_survive_printing(tree in apache_tree()) {
        let text = apache::print(&tree);
        let c = ApacheConfig::from_memory(one_file("/e/httpd.conf", text.as_bytes()), Path::new("/e/httpd.conf"), &Options::default()).unwrap();
        prop_assert!(c.warnings().is_empty(), "{:?}\n{text}", c.warnings());
        prop_assert_eq!(without_lines_apache(c.files()[0].directives.clone()), tree, "{}", text);
    }

    #[test]
    fn fpm_entries_survive_printing(entries in proptest::collection::vec(("[a-z][a-z._]{0,12}", arg()), 0..12)) {
        let entries: Vec<(String, String)> = entries
            .into_iter()
            .filter(|(k, _)| k != "include")
            .map(|(k, v)| (k, v.replace(['\n', '\r', '$'], "x").trim().to_string()))
            .collect();
        let mut text = String::from("[global]\n");
        for (k, v) in &entries {
            text.push_str(&fpm::print_entry(k, v));
            text.push('\n');
        }
        let c = FpmConfig::from_memory(one_file("/e/php-fpm.conf", text.as_bytes()), Path::new("/e/php-fpm.conf"), &Options::default()).unwrap();
        prop_assert!(c.warnings().is_empty(), "{:?}\n{text}", c.warnings());
        let read: Vec<(String, String)> = c.tree().block(BlockId::MAIN).settings.iter().map(|s| (s.name.clone(), s.value())).collect();
        prop_assert_eq!(read, entries, "{}", text);
    }

    #[test]
    fn any_text_is_read_without_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400), text in "[ -~\\t\\n{};\"'#$<>\\[\\]=\\\\]{0,400}") {
        for input in [bytes.as_slice(), text.as_bytes()] {
            let warnings = [
                NginxConfig::from_memory(one_file("/e/nginx.conf", input), Path::new("/e/nginx.conf"), &Options::default()).unwrap().warnings().to_vec(),
                ApacheConfig::from_memory(one_file("/e/httpd.conf", input), Path::new("/e/httpd.conf"), &Options::default()).unwrap().warnings().to_vec(),
                FpmConfig::from_memory(one_file("/e/php-fpm.conf", input), Path::new("/e/php-fpm.conf"), &Options::default()).unwrap().warnings().to_vec(),
            ];
            for w in warnings.iter().flatten() {
                prop_assert!(!w.message.chars().any(char::is_control), "{w:?}");
                prop_assert!(w.line.is_none_or(|l| l >= 1), "{w:?}");
            }
        }
    }
}
