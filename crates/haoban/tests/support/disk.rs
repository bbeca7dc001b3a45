//! The faults the fault test injects under a running server: libfiu's control tools and a
//! small tmpfs filled to the last byte.

use std::fs::File;
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

/// `name` on `PATH`, or a failure that says what to install.
pub fn require(name: &str) -> PathBuf {
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join(name))
        .find(|path| path.is_file())
        .unwrap_or_else(|| {
            panic!("{name} not found: this test needs Debian's libfiu tools (apt-get install fiu-utils)")
        })
}

/// Sends one command to the libfiu control pipe of the process `pid`.
pub fn fiu_ctrl(fiu_ctrl: &Path, fifo: &Path, pid: u32, command: &str) {
    let out = Command::new(fiu_ctrl)
        .arg("-f")
        .arg(fifo)
        .args(["-c", command])
        .arg(pid.to_string())
        .output()
        .expect("fiu-ctrl runs");
    assert!(
        out.status.success(),
        "fiu-ctrl -c {command:?} {pid}: {:?}\n{}{}",
        out.status,
        super::text(&out.stdout),
        super::text(&out.stderr)
    );
}

/// A tmpfs mounted for the test, unmounted when dropped.
pub struct Tmpfs(PathBuf);

impl Tmpfs {
    pub fn mount(at: &Path, size: &str) -> Tmpfs {
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(at)
            .output()
            .expect("mount runs");
        assert!(
            out.status.success(),
            "mounting a tmpfs at {} (this test needs root): {}",
            at.display(),
            super::text(&out.stderr)
        );
        Tmpfs(at.to_path_buf())
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// Writes zeros to `path` until the file system is full; returns the bytes written.
pub fn fill(path: &Path) -> u64 {
    let mut file = File::create(path).expect("filler file");
    let chunk = vec![0u8; 64 << 10];
    let mut written = 0;
    loop {
        match file.write(&chunk) {
            Ok(0) => return written,
            Ok(n) => written += n as u64,
            Err(err) if err.kind() == ErrorKind::StorageFull => return written,
            Err(err) => panic!("filling {}: {err}", path.display()),
        }
    }
}
