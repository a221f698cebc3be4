//! The README quotes what `cargo run --release --example industrial_90d`
//! prints: every line it quotes must be a line the example prints today, the
//! time the simulation took aside. When a change to the flows or the engine
//! moves the example's figures, this fails until the README quotes the new
//! output.
//!
//! `cargo test` (the whole package or workspace) builds the examples beside
//! the tests; a run of this test alone (`cargo test --test readme_example`)
//! does not: then the test says so and passes when there is no example
//! binary, and compares with an older one if one is left from before (build
//! it with `cargo build --example industrial_90d`).

use std::path::PathBuf;
use std::process::Command;

/// The example's binary, where cargo puts it beside this test's.
fn example() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?; // target/<profile>/deps/readme_example-…
    let dir = exe.parent()?.parent()?.join("examples");
    Some(dir.join(format!("industrial_90d{}", std::env::consts::EXE_SUFFIX))).filter(|p| p.exists())
}

/// The line with the simulation's timing made neutral: `in 115 ms:` reads `in … ms:`.
fn untimed(line: &str) -> String {
    match (line.find(" in "), line.find(" ms:")) {
        (Some(a), Some(b)) if a < b && line[a + 4..b].chars().all(|c| c.is_ascii_digit()) => {
            format!("{} in … ms:{}", &line[..a], &line[b + 4..])
        }
        _ => line.to_string(),
    }
}

#[test]
fn the_readme_quotes_what_the_example_prints() {
    let Some(path) = example() else {
        eprintln!("the example is not built (run the whole `cargo test`): nothing compared");
        return;
    };
    let out = Command::new(&path).output().expect("the example runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let printed: Vec<String> = String::from_utf8_lossy(&out.stdout).lines().map(untimed).collect();

    let readme = include_str!("../README.md");
    let start = readme.find("The first prints, among much else:").expect("the README quotes the example");
    let quote = &readme[start..];
    let open = quote.find("```text\n").expect("a text block") + "```text\n".len();
    let close = open + quote[open..].find("```").expect("the block ends");
    let quoted: Vec<&str> = quote[open..close].lines().collect();
    assert!(quoted.len() > 10, "{quoted:?}");
    for line in quoted {
        assert!(
            printed.contains(&untimed(line)),
            "the README quotes a line the example no longer prints:\n{line}"
        );
    }
}
