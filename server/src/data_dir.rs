//! File modes of the data dir: the directory is 0700 and every file the server creates in it
//! (database, WAL and shared-memory files, lock, secrets key, export files) is 0600, whatever the
//! umask. A data dir or file left readable by others by an older version is tightened at start.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;

/// Mode of the data dir and the directories inside it.
pub const DIR_MODE: u32 = 0o700;
/// Mode of every file in the data dir.
pub const FILE_MODE: u32 = 0o600;

/// Creates `dir` (and missing parents) with mode 0700, or tightens an existing one to 0700 with
/// a warning when group or others could read it.
pub fn ensure_private_dir(dir: &Path) -> Result<(), String> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, DIR_MODE);
    builder.create(dir).map_err(|e| format!("cannot create data dir {}: {e}", dir.display()))?;
    restrict(dir, DIR_MODE).map_err(|e| format!("cannot set the mode of {}: {e}", dir.display()))
}

/// Sets `path` to `mode` when it grants more; a missing path is fine. Warns when it had to.
fn restrict(path: &Path, mode: u32) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let current = match std::fs::metadata(path) {
            Ok(meta) => meta.permissions().mode() & 0o777,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        };
        if current & !mode != 0 {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
            tracing::warn!(path = %path.display(), from = format!("{current:o}"), to = format!("{mode:o}"), "tightened file mode");
        }
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
    Ok(())
}

/// Tightens an existing file to 0600 (see [`ensure_private_dir`]); a missing file is fine.
pub fn restrict_file(path: &Path) -> Result<(), String> {
    restrict(path, FILE_MODE).map_err(|e| format!("cannot set the mode of {}: {e}", path.display()))
}

/// Options that create a file with mode 0600 (the mode is also forced after opening, so the
/// umask cannot widen or narrow it).
fn private_options() -> OpenOptions {
    let mut options = OpenOptions::new();
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, FILE_MODE);
    options
}

/// Opens `path` for writing, creating it 0600 if missing (an existing file keeps its content
/// and is tightened to 0600).
pub fn open_private_file(path: &Path) -> io::Result<File> {
    let file = private_options().create(true).truncate(false).write(true).open(path)?;
    restrict(path, FILE_MODE)?;
    Ok(file)
}

/// Creates a new file with mode 0600; fails if it exists.
pub fn create_private_file(path: &Path) -> io::Result<File> {
    private_options().create_new(true).write(true).open(path)
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn dirs_and_files_are_private_whatever_was_there() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("a/b");
        ensure_private_dir(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700);
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        ensure_private_dir(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700, "an existing open dir is tightened");
        let file = dir.join("f");
        drop(create_private_file(&file).unwrap());
        assert_eq!(mode(&file), 0o600);
        assert!(create_private_file(&file).is_err(), "never overwrites");
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        drop(open_private_file(&file).unwrap());
        assert_eq!(mode(&file), 0o600);
    }
}
