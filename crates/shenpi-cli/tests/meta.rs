//! `shenpi completions` and `shenpi man`: generated from the command
//! definitions, and the pages committed under docs/man are the current ones.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
mod common;

use std::process::Command;

use common::run as shenpi;

/// Every command path under `shenpi`, from `shenpi -h`'s own listing, walked
/// recursively: `["plan"]`, `["calendar", "add-days"]`, …
fn commands(prefix: &[String]) -> Vec<Vec<String>> {
    let mut args: Vec<&str> = prefix.iter().map(String::as_str).collect();
    args.push("--help");
    let (code, help, err) = shenpi(&args);
    assert_eq!(code, 0, "{err}");
    let Some(list) = help.split("Commands:\n").nth(1) else { return Vec::new() };
    let mut found = Vec::new();
    for line in list.lines().take_while(|l| l.starts_with("  ")) {
        let name = line.split_whitespace().next().unwrap().to_string();
        if name == "help" {
            continue;
        }
        let mut path = prefix.to_vec();
        path.push(name);
        found.extend(commands(&path));
        found.push(path);
    }
    found
}

fn man_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/man")
}

fn pages(dir: &Path) -> BTreeMap<String, String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "1"))
        .map(|p| {
            (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&p).unwrap())
        })
        .collect()
}

#[test]
fn bash_completions_parse_and_know_every_command() {
    let (code, script, err) = shenpi(&["completions", "bash"]);
    assert_eq!(code, 0, "{err}");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("shenpi.bash");
    std::fs::write(&file, &script).unwrap();
    let check = Command::new("bash").arg("-n").arg(&file).output().unwrap();
    assert!(check.status.success(), "bash -n: {}", String::from_utf8_lossy(&check.stderr));
    for path in commands(&[]) {
        assert!(script.contains(path.last().unwrap().as_str()), "no completion for {path:?}");
    }
    assert!(script.contains("--format"), "options are completed too");
}

#[test]
fn every_shell_gets_a_script_and_others_are_refused() {
    for (shell, marker) in [
        ("zsh", "#compdef shenpi"),
        ("fish", "complete -c shenpi"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let (code, script, err) = shenpi(&["completions", shell]);
        assert_eq!(code, 0, "{shell}: {err}");
        assert!(script.contains(marker), "{shell}: {script}");
        assert!(script.contains("add-days"), "{shell} completes nested commands");
    }
    let (code, out, err) = shenpi(&["completions", "tcsh"]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(err.contains("possible values: bash, zsh, fish, powershell"), "{err}");
}

#[test]
fn the_man_page_lists_every_subcommand() {
    let (code, page, err) = shenpi(&["man"]);
    assert_eq!(code, 0, "{err}");
    assert!(page.starts_with(".ie \\n(.g .ds Aq \\(aq") || page.contains(".TH shenpi 1"), "{page}");
    let section = page.split(".SH SUBCOMMANDS").nth(1).expect("a SUBCOMMANDS section");
    for path in commands(&[]).into_iter().filter(|p| p.len() == 1) {
        assert!(
            section.contains(&format!("shenpi\\-{}(1)", path[0].replace('-', "\\-"))),
            "{path:?} missing"
        );
    }
}

#[test]
fn committed_man_pages_are_current() {
    let dir = tempfile::tempdir().unwrap();
    let (code, listed, err) = shenpi(&["man", "--dir", dir.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let fresh = pages(dir.path());
    assert_eq!(listed.lines().count(), fresh.len());
    // One page per command, nested ones included.
    let expected: Vec<String> = commands(&[]).iter().map(|p| format!("shenpi-{}.1", p.join("-"))).collect();
    for name in expected.iter().chain([&"shenpi.1".to_string()]) {
        assert!(fresh.contains_key(name), "no page {name}");
    }
    assert_eq!(fresh.len(), expected.len() + 1);
    let committed = pages(&man_dir());
    assert!(
        committed == fresh,
        "docs/man is out of date (pages differ: {:?}): run `cargo run -p shenpi-cli -- man --dir docs/man` and review the diff",
        fresh
            .keys()
            .chain(committed.keys())
            .filter(|k| fresh.get(*k) != committed.get(*k))
            .collect::<Vec<_>>()
    );
}
