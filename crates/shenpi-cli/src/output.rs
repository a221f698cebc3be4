//! Writing the file named by `-o`, without damaging anything else.
//!
//! - A symbolic link is followed: its target is written, the link stays.
//! - A regular file is replaced atomically: the text goes to a uniquely named
//!   temporary file created beside it (`O_EXCL`, so no file of the user's is
//!   ever reused), which is then renamed over it; the file keeps its
//!   permissions, and a failed write leaves it as it was.
//! - A path that does not exist yet is created (never clobbering a file that
//!   appears meanwhile) and removed again if the write fails.
//! - Anything else (`/dev/null`, a FIFO, a terminal) is written in place, as
//!   a shell's `>` would.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// How many symbolic links `-o` may pass through, as the kernel's `ELOOP` limit.
const MAX_LINKS: usize = 40;

/// Writes `bytes` to `path` as the module docs describe.
///
/// # Errors
///
/// Any I/O error; a directory, a dangling link into a missing directory or a
/// loop of links is refused.
pub fn write_file(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let target = follow_links(path)?;
    match fs::metadata(&target) {
        Ok(meta) if meta.is_file() => replace_regular(&target, bytes, meta.permissions()),
        Ok(meta) if meta.is_dir() => Err(io::Error::new(io::ErrorKind::IsADirectory, "it is a directory")),
        Ok(_) => write_in_place(&target, bytes),
        Err(e) if e.kind() == io::ErrorKind::NotFound => create_new(&target, bytes),
        Err(e) => Err(e),
    }
}

/// The path that `path` names once every symbolic link on its last component
/// is followed; the result itself is not a link (it may not exist).
fn follow_links(path: &Path) -> io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let link = fs::read_link(&current)?;
                current = match current.parent() {
                    Some(dir) => dir.join(link),
                    None => link,
                };
            }
            Ok(_) => return Ok(current),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(current),
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other(format!("more than {MAX_LINKS} symbolic links in a row")))
}

/// The directory a file at `path` lives in (`.` for a bare file name).
fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// Replaces a regular file by renaming a fresh temporary file over it.
fn replace_regular(path: &Path, bytes: &[u8], permissions: fs::Permissions) -> io::Result<()> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut tmp =
        tempfile::Builder::new().prefix(&format!(".{name}.")).suffix(".tmp").tempfile_in(parent_dir(path))?;
    tmp.write_all(bytes)?;
    tmp.as_file().set_permissions(permissions)?;
    tmp.as_file().sync_all()?;
    // A failed rename drops (and so removes) the temporary file.
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Creates `path`, which did not exist; removes it again when the write fails.
fn create_new(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = OpenOptions::new().write(true).create_new(true).open(path)?;
    let written = file.write_all(bytes).and_then(|()| file.sync_all());
    if written.is_err() {
        let _ = fs::remove_file(path);
    }
    written
}

/// Writes into a device, FIFO or other special file without replacing it.
fn write_in_place(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file: File = OpenOptions::new().write(true).truncate(true).open(path)?;
    file.write_all(bytes)?;
    file.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_relative_link_is_followed_from_its_own_directory() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("sub")).unwrap();
        std::os::unix::fs::symlink("../real.svg", dir.path().join("sub/link.svg")).unwrap();
        assert_eq!(
            follow_links(&dir.path().join("sub/link.svg")).unwrap(),
            dir.path().join("sub/../real.svg")
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_loop_of_links_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink("b", dir.path().join("a")).unwrap();
        std::os::unix::fs::symlink("a", dir.path().join("b")).unwrap();
        assert!(write_file(&dir.path().join("a"), b"x").is_err());
    }

    #[test]
    fn a_bare_file_name_lives_in_the_current_directory() {
        assert_eq!(parent_dir(Path::new("chart.svg")), Path::new("."));
        assert_eq!(parent_dir(Path::new("out/chart.svg")), Path::new("out"));
    }
}
