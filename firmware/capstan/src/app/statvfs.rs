//! Free space on the card the takes go to, from `statvfs(3)`.

use std::path::Path;

/// Bytes an unprivileged writer may still use on the file system holding `path` (or its
/// nearest existing parent, so a takes folder not made yet still answers); `None` when no
/// parent can be asked.
pub fn free_bytes(path: &Path) -> Option<u64> {
    let mut at = Some(path);
    while let Some(p) = at {
        if p.exists() {
            return crate::recorder::space::free_bytes(p);
        }
        at = p.parent().filter(|parent| !parent.as_os_str().is_empty());
    }
    crate::recorder::space::free_bytes(Path::new("."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_not_made_yet_answers_for_its_parent() {
        let dir = tempfile::tempdir().unwrap();
        let here = free_bytes(dir.path()).expect("a temp dir has a file system");
        assert!(here > 0);
        let later = free_bytes(&dir.path().join("takes/not/yet")).unwrap();
        // The same file system: the same figure, give or take what others wrote meanwhile.
        assert!(later.abs_diff(here) < 1 << 30, "{here} vs {later}");
    }
}
