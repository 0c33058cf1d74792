//! Processes: the dynup binary, run with a clean environment and a time limit.

use std::io::Read;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread::{self};
use std::time::{Duration, Instant};

use super::{IO_TIMEOUT, RUN_TIMEOUT};

/// Outcome of a finished process.
#[derive(Clone, Debug)]
pub struct Run {
    /// Exit code; 128 + signal number when killed by a signal.
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// The dynup binary with a clean environment: only PATH=/usr/bin:/bin,
/// DYNUP_CACHE_DIR=cache and HOME=cache (so no proxies), stdin null.
pub fn dynup(cache: &Path) -> Command {
    dynup_binary(&Binary::built(), cache)
}

/// Which dynup binary a command runs, and the emulator it runs under, if any.
#[derive(Clone, Debug)]
pub struct Binary {
    pub path: PathBuf,
    /// For another architecture: e.g. `qemu-mips-static`, given the path as its argument.
    pub runner: Option<PathBuf>,
}

impl Binary {
    /// The host build cargo made for these tests.
    pub fn built() -> Binary {
        Binary {
            path: PathBuf::from(env!("CARGO_BIN_EXE_dynup")),
            runner: None,
        }
    }
}

/// [`dynup`] for a given binary (a cross build under its emulator, say).
pub fn dynup_binary(binary: &Binary, cache: &Path) -> Command {
    let mut cmd = match &binary.runner {
        Some(runner) => {
            let mut cmd = Command::new(runner);
            cmd.arg(&binary.path);
            cmd
        }
        None => Command::new(&binary.path),
    };
    cmd.env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("DYNUP_CACHE_DIR", cache)
        .env("HOME", cache)
        .stdin(Stdio::null());
    cmd
}

/// Runs `cmd` (stdout and stderr captured) for at most 30 s; on timeout
/// the child is killed and this panics.
pub fn run(cmd: &mut Command) -> Run {
    run_with_timeout(cmd, RUN_TIMEOUT)
}

/// [`run`] with another time limit.
pub fn run_with_timeout(cmd: &mut Command, timeout: Duration) -> Run {
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("spawn {cmd:?}: {e}"));
    let out_rx = drain(child.stdout.take());
    let err_rx = drain(child.stderr.take());
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(10)),
            Ok(None) => break None,
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("waiting for {cmd:?}: {e}");
            }
        }
    };
    let status = match status {
        Some(s) => s,
        None => {
            let _ = child.kill();
            let _ = child.wait();
            let stdout = collect(out_rx);
            let stderr = collect(err_rx);
            panic!(
                "{cmd:?} still running after {timeout:?}: killed\n--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}"
            );
        }
    };
    let code = status
        .code()
        .or_else(|| status.signal().map(|s| 128 + s))
        .unwrap_or(-1);
    Run {
        code,
        stdout: collect(out_rx),
        stderr: collect(err_rx),
    }
}

fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    if let Some(mut pipe) = pipe {
        thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = pipe.read_to_end(&mut buf);
            let _ = tx.send(buf);
        });
    } else {
        let _ = tx.send(Vec::new());
    }
    rx
}

/// The captured output, or what is known once 5 s have passed (a
/// grandchild may hold the pipe open).
fn collect(rx: mpsc::Receiver<Vec<u8>>) -> String {
    match rx.recv_timeout(IO_TIMEOUT) {
        Ok(buf) => String::from_utf8_lossy(&buf).into_owned(),
        Err(_) => String::from("<output not closed within 5 s>"),
    }
}
