//! Aperçu: article metadata, Open Graph cards and oEmbed for news pages.
//!
//! The pipeline (docs/extraction.md): `extract` turns page bytes into an
//! [`extract::Article`]; the command line (`cli`) drives it. Pure stages never touch the network or
//! the clock.

pub mod article_url;
pub mod cache;
pub mod card;
pub mod cli;
pub mod config;
pub mod crawlers;
pub mod error;
pub mod extract;
pub mod feeds;
pub mod fetch;
pub mod inspect;
pub mod logging;
pub mod metrics;
pub mod oembed;
pub mod pages;
pub mod routes;
pub mod service;
pub mod signing;
pub mod startup;
pub mod versions;
pub mod warm;

/// The module map of `docs/architecture.md`, held against the code.
#[cfg(test)]
mod architecture {
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::{Path, PathBuf};

    fn root() -> &'static Path {
        Path::new(env!("CARGO_MANIFEST_DIR"))
    }

    /// The backticked names of a table cell: "`a`, `b`" → {a, b}; "—" → {}.
    fn names(cell: &str) -> BTreeSet<String> {
        cell.split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_owned)
            .collect()
    }

    /// The rows of the table whose header starts with `header`, as cells.
    fn table(doc: &str, header: &str) -> Vec<Vec<String>> {
        doc.lines()
            .skip_while(|line| !line.starts_with(header))
            .skip(2)
            .take_while(|line| line.starts_with('|'))
            .map(|line| {
                line.trim_matches('|')
                    .split(" | ")
                    .map(|cell| cell.trim().to_owned())
                    .collect()
            })
            .collect()
    }

    fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    /// A module's code without its tests and comments.
    fn code_of(module: &str) -> String {
        let src = root().join("src");
        let mut files = Vec::new();
        if src.join(module).is_dir() {
            rust_files(&src.join(module), &mut files);
        } else {
            files.push(src.join(format!("{module}.rs")));
        }
        let mut code = String::new();
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            for line in text.lines().take_while(|l| l.trim() != "#[cfg(test)]") {
                if !line.trim_start().starts_with("//") {
                    code.push_str(line);
                    code.push('\n');
                }
            }
        }
        code
    }

    /// Whether `code` names the crate `name` (`name::…` not inside a longer path or word).
    fn names_crate(code: &str, name: &str) -> bool {
        let needle = format!("{name}::");
        code.match_indices(&needle).any(|(i, _)| {
            !code[..i]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':')
        })
    }

    #[test]
    fn the_module_map_in_the_docs_holds() {
        let doc = std::fs::read_to_string(root().join("docs/architecture.md")).unwrap();
        let map: BTreeMap<String, BTreeSet<String>> = table(&doc, "| module |")
            .iter()
            .map(|row| (names(&row[0]).pop_first().unwrap(), names(&row[2])))
            .collect();
        let lib = std::fs::read_to_string(root().join("src/lib.rs")).unwrap();
        let declared: BTreeSet<String> = lib
            .lines()
            .filter_map(|l| l.strip_prefix("pub mod ")?.strip_suffix(';'))
            .map(str::to_owned)
            .collect();
        assert_eq!(
            declared,
            map.keys().cloned().collect(),
            "every module is in the map"
        );
        let mut failures = Vec::new();
        for (module, allowed) in &map {
            let code = code_of(module);
            for other in map.keys().filter(|other| *other != module) {
                let uses = code.contains(&format!("crate::{other}::"))
                    || code.contains(&format!("crate::{other};"));
                if uses && !allowed.contains(other) {
                    failures.push(format!("{module} uses {other}"));
                }
            }
        }
        for row in table(&doc, "| crate |") {
            let name = names(&row[0]).pop_first().unwrap();
            let owners = names(&row[1]);
            for module in map.keys().filter(|m| !owners.contains(*m)) {
                if names_crate(&code_of(module), &name) {
                    failures.push(format!("{module} uses the crate {name}"));
                }
            }
        }
        assert!(failures.is_empty(), "{failures:#?}");
    }
}
