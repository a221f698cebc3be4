//! The bounds shenpi puts on its input, so that no file, however made, takes
//! unbounded time, memory or stack.
//!
//! Every limit here is also listed in `docs/flow-format.md`; input past one is
//! refused with a diagnostic (code `E016`) or an I/O error that names the
//! limit, never a crash or a hang.
//!
//! ```
//! use shenpi_core::limits;
//!
//! // Refused: not a regular file (reading it would never end).
//! let err = limits::read_file("/dev/zero".as_ref()).unwrap_err();
//! assert!(err.to_string().contains("not a regular file"));
//! ```

use std::fs::{self, File};
use std::io::{self, Read};
use std::path::Path;

/// The largest flow or calendar file shenpi reads: 64 MiB.
pub const MAX_FILE_BYTES: u64 = 64 << 20;

/// The longest id of a flow, stage, step or param, in bytes (ids are ASCII).
pub const MAX_ID_LEN: usize = 128;

/// The deepest nesting of YAML lists and mappings in a flow or calendar file
/// (a flow nested [`MAX_BLOCK_DEPTH`] blocks deep needs about 140).
pub const MAX_YAML_DEPTH: usize = 256;

/// The deepest nesting of `serial` and `parallel` blocks.
pub const MAX_BLOCK_DEPTH: usize = 64;

/// The deepest nesting of parentheses and `not` in a `when` condition.
pub const MAX_CONDITION_DEPTH: usize = 32;

/// The most steps the check of `provisional` prerequisites visits, over all
/// the `before` lists of a flow (each `before` id must be a step the step
/// waits for, found by a backward search from the step).
pub const MAX_PREREQUISITE_VISITS: u64 = 10_000_000;

/// Reads a flow or calendar file whole, refusing what is not a regular file
/// (a FIFO would block, a device such as `/dev/zero` never ends) and what is
/// larger than [`MAX_FILE_BYTES`]. Symbolic links are followed.
///
/// # Errors
///
/// The file cannot be opened or read; it is not a regular file
/// ([`io::ErrorKind::InvalidInput`]); it is larger than [`MAX_FILE_BYTES`]
/// ([`io::ErrorKind::FileTooLarge`]).
///
/// # Complexity
///
/// O(file size) time and memory, at most [`MAX_FILE_BYTES`] (plus one byte).
pub fn read_file(path: &Path) -> io::Result<Vec<u8>> {
    // Look before opening: opening a FIFO for reading blocks until a writer comes.
    check_kind(&fs::metadata(path)?)?;
    let file = File::open(path)?;
    // The path may name something else by now; what was opened is what counts.
    let meta = file.metadata()?;
    check_kind(&meta)?;
    check_size(meta.len())?;
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    // A file that grows while read (or a /proc file that reports no length) stops at the limit.
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
    check_size(bytes.len() as u64)?;
    Ok(bytes)
}

fn check_kind(meta: &fs::Metadata) -> io::Result<()> {
    if meta.is_file() {
        return Ok(());
    }
    let what = if meta.is_dir() { "a directory" } else { "a device, FIFO or socket" };
    Err(io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("not a regular file ({what}); give the path of a YAML file"),
    ))
}

fn check_size(len: u64) -> io::Result<()> {
    if len <= MAX_FILE_BYTES {
        return Ok(());
    }
    Err(io::Error::new(
        io::ErrorKind::FileTooLarge,
        format!("larger than {} MiB, the largest file shenpi reads", MAX_FILE_BYTES >> 20),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_regular_file_is_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("flow.yaml");
        fs::write(&path, "id: a\n").unwrap();
        assert_eq!(read_file(&path).unwrap(), b"id: a\n");
    }

    #[test]
    fn a_directory_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let e = read_file(dir.path()).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
        assert!(e.to_string().contains("a directory"), "{e}");
    }

    // `shenpi check /dev/zero` grew past 6 GB: a device is never read.
    #[cfg(unix)]
    #[test]
    fn a_device_is_refused_without_reading() {
        let e = read_file(Path::new("/dev/zero")).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
    }

    #[test]
    fn a_file_past_the_limit_is_refused_before_it_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.yaml");
        // A sparse file: no disk used, and refused from its length alone.
        File::create(&path).unwrap().set_len(MAX_FILE_BYTES + 1).unwrap();
        let e = read_file(&path).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::FileTooLarge);
        assert!(e.to_string().contains("64 MiB"), "{e}");
        File::create(&path).unwrap().set_len(MAX_FILE_BYTES).unwrap();
        assert_eq!(read_file(&path).unwrap().len() as u64, MAX_FILE_BYTES);
    }
}
