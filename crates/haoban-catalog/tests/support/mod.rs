//! Shared by the integration tests: the spec-example fixture catalog, copied so a test can
//! break one file of it.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use haoban_catalog::Catalog;

pub fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/basic")
}

pub fn load_fixture() -> Catalog {
    Catalog::load(&fixture()).unwrap_or_else(|problems| panic!("fixture invalid:\n{problems}"))
}

/// A copy of the fixture with `edits` applied: (path in the catalog, new content or
/// `None` to delete the file).
pub struct Edited {
    pub dir: tempfile::TempDir,
}

impl Edited {
    pub fn new(edits: &[(&str, Option<&str>)]) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        copy_dir(&fixture(), dir.path());
        for (path, content) in edits {
            let target = dir.path().join(path);
            match content {
                Some(text) => {
                    std::fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
                    std::fs::write(&target, text).expect("write");
                }
                None => std::fs::remove_file(&target).expect("remove"),
            }
        }
        Edited { dir }
    }

    /// The problems as `path:line:col: message`, paths relative to the catalog.
    pub fn problems(&self) -> Vec<String> {
        match Catalog::load(self.dir.path()) {
            Ok(_) => Vec::new(),
            Err(problems) => problems
                .0
                .iter()
                .map(|p| {
                    let relative = p.path.strip_prefix(self.dir.path()).unwrap_or(&p.path);
                    format!(
                        "{}:{}:{}: {}",
                        relative.display(),
                        p.line,
                        p.column,
                        p.message
                    )
                })
                .collect(),
        }
    }

    pub fn load(&self) -> Catalog {
        Catalog::load(self.dir.path()).unwrap_or_else(|problems| panic!("{problems}"))
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read fixture") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}
