//! What the command-line tests share: running `shenpi` from the repository root.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root, where the bundled flows are.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `shenpi args` in the repository root.
pub fn shenpi(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shenpi")).current_dir(root()).args(args).output().unwrap()
}

/// What a run printed on stderr.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}
