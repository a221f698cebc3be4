//! The workspace's `rust-version` is one it can be built with: no locked
//! dependency declares a newer one. (Clippy's `incompatible_msrv`, denied in
//! the workspace's lints, holds our own code to it for the standard library.)

use std::process::Command;

/// `1.85`, `1.85.0` → `(1, 85, 0)`.
fn version(text: &str) -> (u64, u64, u64) {
    let mut parts = text.split('.').map(|p| p.parse::<u64>().unwrap_or(0));
    (parts.next().unwrap_or(0), parts.next().unwrap_or(0), parts.next().unwrap_or(0))
}

#[test]
fn no_locked_dependency_needs_a_newer_rust_than_the_workspace_says() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/../../Cargo.toml");
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--locked", "--manifest-path", manifest])
        .output()
        .unwrap();
    assert!(out.status.success(), "cargo metadata: {}", String::from_utf8_lossy(&out.stderr));
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let packages = meta["packages"].as_array().unwrap();
    let ours = env!("CARGO_PKG_RUST_VERSION");
    assert!(!ours.is_empty(), "the workspace sets rust-version");
    let too_new: Vec<String> = packages
        .iter()
        .filter_map(|p| {
            let needs = p["rust_version"].as_str()?;
            (version(needs) > version(ours)).then(|| format!("{} {} needs {needs}", p["name"], p["version"]))
        })
        .collect();
    assert!(
        too_new.is_empty(),
        "rust-version is {ours}, but {too_new:?}: pin an older release (`cargo update -p NAME --precise V`) \
         or raise rust-version in Cargo.toml"
    );
    // Every package of the workspace inherits the one rust-version.
    for p in packages.iter().filter(|p| p["source"].is_null()) {
        assert_eq!(p["rust_version"].as_str(), Some(ours), "{} sets its own rust-version", p["name"]);
    }
}
