//! What the command-line tests share: running `shenpi` from the repository
//! root, and reading what `--format json` prints.

// Each test file uses the helpers it needs.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// The repository root, where the bundled flows are.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `shenpi args` in the repository root.
pub fn shenpi(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shenpi")).current_dir(root()).args(args).output().unwrap()
}

/// Runs `shenpi args` in the repository root with `envs` set (and no
/// `SHENPI_DB` or `SHENPI_CALENDAR_DATA` inherited from the caller's
/// environment); returns the exit code, stdout and stderr as text.
pub fn run_with(args: &[&str], envs: &[(&str, &OsStr)]) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_shenpi"));
    cmd.current_dir(root()).args(args).env_remove("SHENPI_DB").env_remove("SHENPI_CALENDAR_DATA");
    for (key, value) in envs {
        cmd.env(key, value);
    }
    let out = cmd.output().expect("the shenpi binary runs");
    let text = |b: Vec<u8>| String::from_utf8(b).expect("shenpi prints UTF-8");
    (out.status.code().unwrap_or(-1), text(out.stdout), text(out.stderr))
}

/// Runs `shenpi args` in the repository root; returns the exit code, stdout
/// and stderr as text.
pub fn run(args: &[&str]) -> (i32, String, String) {
    run_with(args, &[])
}

/// Runs `shenpi args` on the store `db` (as `SHENPI_DB`); returns the exit
/// code, stdout and stderr as text.
pub fn run_db(db: &Path, args: &[&str]) -> (i32, String, String) {
    run_with(args, &[("SHENPI_DB", db.as_os_str())])
}

/// Runs `shenpi project args…` on the store `db`.
pub fn project(db: &Path, args: &[&str]) -> (i32, String, String) {
    run_db(db, &[&["project"], args].concat())
}

/// Runs `shenpi prefix… args…` (a subcommand's tests name it once).
pub fn run_sub(prefix: &str, args: &[&str]) -> (i32, String, String) {
    run(&[&[prefix], args].concat())
}

/// What a run printed on stderr.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Runs `shenpi args` in the repository root; returns the exit code and
/// stdout parsed as exactly one JSON value (trailing text fails the parse).
pub fn json(args: &[&str]) -> (i32, Value) {
    let out = shenpi(args);
    let stdout = String::from_utf8(out.stdout.clone()).unwrap();
    let value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!("{args:?}: stdout is not one JSON value ({e}):\n{stdout}\nstderr:\n{}", stderr(&out))
    });
    (out.status.code().unwrap_or(-1), value)
}

/// `args` succeed with one JSON value, which is not an error.
pub fn json_ok(args: &[&str]) -> Value {
    let (code, value) = json(args);
    assert_eq!(code, 0, "{args:?}: {value}");
    assert!(value.get("error").is_none(), "{args:?}: {value}");
    value
}

/// `args` fail with the one object `{"error": {"code", "message",
/// "diagnostics"}}` and nothing else, of `code`, exiting 1 or 2 as the
/// exit-code table says for it; returns the error.
pub fn json_err(args: &[&str], code: &str) -> Value {
    let (exit, value) = json(args);
    let keys: Vec<&String> = value.as_object().map(|o| o.keys().collect()).unwrap_or_default();
    assert_eq!(keys, ["error"], "{args:?}: {value}");
    let error = value["error"].clone();
    let mut fields: Vec<&String> = error.as_object().map(|o| o.keys().collect()).unwrap_or_default();
    fields.sort();
    assert_eq!(fields, ["code", "diagnostics", "message"], "{args:?}: {error}");
    assert_eq!(error["code"], code, "{args:?}: {error}");
    assert!(!error["message"].as_str().unwrap_or("").is_empty(), "{args:?}: {error}");
    assert!(error["diagnostics"].is_array(), "{args:?}: {error}");
    assert_eq!(exit, exit_code(code), "{args:?}: {error}");
    error
}

/// The exit code of an error code, as `main.rs::exit_code` maps them.
pub fn exit_code(code: &str) -> i32 {
    match code {
        "invalid" | "out-of-range" | "calendar" | "calendar-needed" | "refused" | "in-future"
        | "not-found" | "exists" => 1,
        _ => 2,
    }
}
