//! The stages import each other one way only: no cycle among a crate's top-level modules, nor
//! among the children of any one folder, read from the `crate::`, `super::` and `self::` paths
//! of every source file (test code left out: files named `tests.rs` and items under
//! `#[cfg(test)]`). Across crates cargo already forbids cycles; within one, this test does.
//!
//! The order the code obeys today is written in `docs/architecture.md`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The crates whose modules are checked, relative to the workspace root.
const CRATES: &[&str] = &[
    "mlp-symbolic/src",
    "mlp-macros/src",
    "mlp-runtime/src",
    "src",
];

#[test]
fn no_module_cycle_in_any_crate() {
    // Another checkout may be named, to see what this test says of it.
    let other = std::env::var_os("MLP_MODULE_ORDER_ROOT");
    let root = other
        .clone()
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    let mut found = Vec::new();
    for krate in CRATES {
        let src = root.join(krate);
        if other.is_some() && !src.exists() {
            continue;
        }
        let files = read_crate(&src);
        assert!(!files.is_empty(), "no source files in {krate}");
        for cycle in cycles(&files) {
            found.push(format!("{krate}: {cycle}"));
        }
    }
    assert!(found.is_empty(), "module cycles:\n{}", found.join("\n"));
}

#[test]
fn a_cycle_is_found() {
    let files = vec![
        (module("a"), "use crate::b::Thing; fn f() {}".to_string()),
        (module("b"), "use crate::{c::{self, X}, d};".to_string()),
        (module("c"), "fn g() { crate::a::f() }".to_string()),
        (
            module("d"),
            "// use crate::a;\nconst S: &str = \"crate::a\";".to_string(),
        ),
    ];
    assert_eq!(cycles(&files), vec!["a → b → c → a".to_string()]);
}

#[test]
fn a_cycle_among_siblings_is_found_and_tests_are_left_out() {
    let files = vec![
        (module("f::x"), "use super::y::Y;".to_string()),
        (
            module("f::y"),
            "use self::inner::Z; mod inner { use crate::f::x::X; }".to_string(),
        ),
        (
            module("f::z"),
            "#[cfg(test)]\nmod tests { use super::super::x; }".to_string(),
        ),
        (module("g"), "use crate::f::x;".to_string()),
    ];
    assert_eq!(cycles(&files), vec!["f: x → y → x".to_string()]);
    let without = vec![
        (
            module("f::x"),
            "#[cfg(test)]\nuse super::y::Y;\nfn a() {}".to_string(),
        ),
        files[1].clone(),
    ];
    assert!(cycles(&without).is_empty());
}

type Module = Vec<String>;

fn module(path: &str) -> Module {
    path.split("::").map(str::to_string).collect()
}

/// Every `.rs` file of a crate with its module path (`lib.rs`: `[]`, `a/b.rs`: `[a, b]`,
/// `a/mod.rs`: `[a]`), except `tests.rs` files.
fn read_crate(src: &Path) -> Vec<(Module, String)> {
    let mut out = Vec::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.expect("directory entry").path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if !name.ends_with(".rs") || name == "tests.rs" {
                continue;
            }
            let relative = path.strip_prefix(src).expect("inside the crate");
            let mut m: Module = relative
                .iter()
                .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
                .collect();
            if matches!(m.last().map(String::as_str), Some("mod" | "lib" | "main")) {
                m.pop();
            }
            let text = std::fs::read_to_string(&path).expect("readable source");
            out.push((m, text));
        }
    }
    out
}

/// The cycles among siblings, each as `folder: a → b → a` (no folder for the crate's top level).
fn cycles(files: &[(Module, String)]) -> Vec<String> {
    let modules: BTreeSet<Module> = files.iter().map(|(m, _)| m.clone()).collect();
    // folder → (child → children it imports)
    let mut edges: BTreeMap<Module, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for (m, text) in files {
        for path in paths(&tokens(text)) {
            let target = match path.first().map(String::as_str) {
                Some("crate") => path[1..].to_vec(),
                Some("super") => {
                    let supers = path.iter().take_while(|s| *s == "super").count();
                    let base = m.len().saturating_sub(supers);
                    [&m[..base], &path[supers..]].concat()
                }
                Some("self") => [&m[..], &path[1..]].concat(),
                _ => continue,
            };
            let Some(k) = (0..m.len().min(target.len())).find(|&k| m[k] != target[k]) else {
                continue;
            };
            let sibling = [&target[..k], &target[k..=k]].concat();
            if modules.contains(&sibling) {
                edges
                    .entry(m[..k].to_vec())
                    .or_default()
                    .entry(m[k].clone())
                    .or_default()
                    .insert(target[k].clone());
            }
        }
    }
    let mut found = Vec::new();
    for (folder, graph) in &edges {
        if let Some(cycle) = find_cycle(graph) {
            let prefix = if folder.is_empty() {
                String::new()
            } else {
                format!("{}: ", folder.join("::"))
            };
            found.push(format!("{prefix}{}", cycle.join(" → ")));
        }
    }
    found
}

/// One cycle of a directed graph, closed (`[a, b, a]`), if there is any.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|p| p == n) {
            let mut cycle = path[at..].to_vec();
            cycle.push(n.to_string());
            return Some(cycle);
        }
        if done.contains(n) {
            return None;
        }
        path.push(n.to_string());
        for next in graph.get(n).into_iter().flatten() {
            if let Some(c) = visit(next, graph, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(n.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|n| visit(n, graph, &mut Vec::new(), &mut done))
}

/// The source as identifiers and punctuation, without comments, strings, characters and
/// items under `#[cfg(test)]`.
fn tokens(text: &str) -> Vec<String> {
    let c: Vec<char> = text.chars().collect();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < c.len() {
        let rest = &c[i..];
        if rest.starts_with(&['/', '/']) {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if rest.starts_with(&['/', '*']) {
            let mut depth = 0;
            while i < c.len() {
                if c[i..].starts_with(&['/', '*']) {
                    depth += 1;
                    i += 2;
                } else if c[i..].starts_with(&['*', '/']) {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if c[i] == 'r' && matches!(rest.get(1), Some('#' | '"')) {
            // A raw string: r"..." or r#"..."#.
            let hashes = rest[1..].iter().take_while(|&&h| h == '#').count();
            if rest.get(1 + hashes) != Some(&'"') {
                out.push("r".into());
                i += 1;
                continue;
            }
            i += 2 + hashes;
            while i < c.len() && !(c[i] == '"' && c[i + 1..].iter().take(hashes).all(|&h| h == '#'))
            {
                i += 1;
            }
            i += 1 + hashes;
        } else if c[i] == '"' {
            i += 1;
            while i < c.len() && c[i] != '"' {
                i += if c[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
        } else if c[i] == '\'' {
            // A character ('a', '\n', '\'') or a lifetime ('a).
            if rest.get(1) == Some(&'\\') {
                i += 2;
                while i < c.len() && c[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if rest.get(2) == Some(&'\'') {
                i += 3;
            } else {
                i += 1;
            }
        } else if c[i].is_alphanumeric() || c[i] == '_' {
            let start = i;
            while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                i += 1;
            }
            out.push(c[start..i].iter().collect());
        } else if rest.starts_with(&[':', ':']) {
            out.push("::".into());
            i += 2;
        } else if !c[i].is_whitespace() {
            out.push(c[i].to_string());
            i += 1;
        } else {
            i += 1;
        }
    }
    without_tests(out)
}

/// The tokens less every item under `#[cfg(test)]` (up to its `;` or its closing brace).
fn without_tests(t: Vec<String>) -> Vec<String> {
    const ATTRIBUTE: [&str; 7] = ["#", "[", "cfg", "(", "test", ")", "]"];
    let mut out = Vec::new();
    let mut i = 0;
    while i < t.len() {
        if t.len() - i >= ATTRIBUTE.len() && t[i..i + ATTRIBUTE.len()] == ATTRIBUTE {
            i += ATTRIBUTE.len();
            let mut depth = 0usize;
            while i < t.len() {
                let s = t[i].as_str();
                i += 1;
                match s {
                    "{" => depth += 1,
                    "}" => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            break;
                        }
                    }
                    ";" if depth == 0 => break,
                    _ => {}
                }
            }
            continue;
        }
        out.push(t[i].clone());
        i += 1;
    }
    out
}

/// Every path that starts with `crate`, `super` or `self`, use groups expanded
/// (`use crate::{a, b::c}` gives `crate::a` and `crate::b::c`).
fn paths(t: &[String]) -> Vec<Module> {
    let mut out = Vec::new();
    for i in 0..t.len() {
        let starts = matches!(t[i].as_str(), "crate" | "super" | "self");
        let continued = i > 0 && t[i - 1] == "::";
        if starts && !continued && t.get(i + 1).map(String::as_str) == Some("::") {
            tree(t, i, Vec::new(), &mut out);
        }
    }
    out
}

/// The use tree at `t[i]` below `prefix`; returns the index after it.
fn tree(t: &[String], mut i: usize, mut prefix: Module, out: &mut Vec<Module>) -> usize {
    loop {
        match t.get(i).map(String::as_str) {
            Some("{") => {
                i += 1;
                while i < t.len() && t[i] != "}" {
                    i = tree(t, i, prefix.clone(), out);
                    if t.get(i).map(String::as_str) == Some(",") {
                        i += 1;
                    }
                }
                return i + 1;
            }
            Some(s) if s.chars().all(|ch| ch.is_alphanumeric() || ch == '_') => {
                if s != "self" || prefix.is_empty() {
                    prefix.push(s.to_string());
                }
                i += 1;
                if t.get(i).map(String::as_str) == Some("::") {
                    i += 1;
                    continue;
                }
                out.push(prefix);
                return i;
            }
            _ => {
                if !prefix.is_empty() {
                    out.push(prefix);
                }
                return i;
            }
        }
    }
}
