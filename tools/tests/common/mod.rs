//! What the tools' tests share: the workspace and a `capstan` binary built once.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The workspace's root folder.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tools/ sits in the workspace")
        .to_path_buf()
}

/// Builds the `capstan` binary once and returns its path.
pub fn capstan() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let st = Command::new(cargo)
            .current_dir(workspace())
            .args(["build", "-p", "capstan", "--bin", "capstan"])
            .status()
            .expect("cannot run cargo to build capstan");
        assert!(st.success(), "cargo build -p capstan failed: {st}");
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .map(|t| {
                if t.is_absolute() {
                    t
                } else {
                    workspace().join(t)
                }
            })
            .unwrap_or_else(|| workspace().join("target"));
        let bin = target
            .join("debug")
            .join(format!("capstan{}", std::env::consts::EXE_SUFFIX));
        assert!(bin.exists(), "no capstan binary at {}", bin.display());
        bin
    })
}
