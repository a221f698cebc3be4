//! Every bad-file fixture under `tests/data/bad/` is rejected with exactly the
//! diagnostics its `# expect:` lines name: code, line, column, message, and
//! (after `|`) a fragment of the help or a note.

use std::fs;
use std::path::Path;

use shenpi::Flow;

struct Expect {
    code: String,
    line: usize,
    column: usize,
    message: String,
    hint: Option<String>,
}

fn expectations(text: &str) -> Vec<Expect> {
    text.lines()
        .filter_map(|l| l.strip_prefix("# expect: "))
        .map(|l| {
            let (head, hint) = match l.split_once(" | ") {
                Some((h, x)) => (h, Some(x.to_string())),
                None => (l, None),
            };
            let mut parts = head.splitn(3, ' ');
            let code = parts.next().unwrap().to_string();
            let (line, column) = parts.next().unwrap().split_once(':').unwrap();
            Expect {
                code,
                line: line.parse().unwrap(),
                column: column.parse().unwrap(),
                message: parts.next().unwrap().to_string(),
                hint,
            }
        })
        .collect()
}

fn check(path: &Path) {
    let bytes = fs::read(path).unwrap();
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    let expected = expectations(&String::from_utf8_lossy(&bytes));
    assert!(!expected.is_empty(), "{name} has no `# expect:` line");
    let report = match Flow::parse_bytes(&name, &bytes) {
        Ok(_) => panic!("{name} loaded, but it should be rejected"),
        Err(r) => r,
    };
    let found = report.located();
    let errors = found.iter().filter(|d| d.severity == shenpi::diag::Severity::Error).count();
    assert_eq!(
        errors,
        expected.len(),
        "{name}: expected {} errors, got:\n{}",
        expected.len(),
        report.render()
    );
    for e in &expected {
        let hit = found.iter().find(|d| {
            d.code.as_str() == e.code
                && d.line == Some(e.line)
                && d.column == Some(e.column)
                && d.message == e.message
        });
        let Some(hit) = hit else {
            panic!(
                "{name}: no `{} {}:{} {}` among:\n{}",
                e.code,
                e.line,
                e.column,
                e.message,
                report.render()
            );
        };
        if let Some(hint) = &e.hint {
            let in_help = hit.help.is_some_and(|h| h.contains(hint.as_str()));
            let in_notes = hit.notes.iter().any(|n| n.contains(hint.as_str()));
            assert!(
                in_help || in_notes,
                "{name}: `{hint}` is not in the help or notes:\n{}",
                report.render()
            );
        }
    }
}

#[test]
fn every_bad_fixture_is_rejected_where_it_says() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/bad");
    let mut n = 0;
    for entry in fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yaml") {
            check(&path);
            n += 1;
        }
    }
    assert!(n >= 14, "only {n} fixtures found in {}", dir.display());
}

#[test]
fn every_bundled_flow_is_valid() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("flows");
    for entry in fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yaml") {
            if let Err(e) = Flow::load(&path) {
                panic!("{}", e.report().map_or(e.to_string(), |r| r.render()));
            }
        }
    }
}
