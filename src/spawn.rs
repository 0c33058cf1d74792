//! Starting a program (a hook's /bin/sh, OpenWRT's ubus) with libc's
//! posix_spawn: std's `Command` costs about 10 KB of flash on mips_24kc for what
//! is here a few lines. The child gets a process group of its own (so a
//! timeout can kill all it started), an empty signal mask and default SIGPIPE
//! (the watcher blocks signals, std ignores SIGPIPE), stdin from /dev/null and,
//! when asked, its stdout in a pipe.

use std::ffi::{CString, OsStr, OsString};
use std::fs::File;
use std::io::{self, Read};
use std::os::fd::FromRawFd;
use std::os::unix::ffi::OsStrExt;
use std::time::{Duration, Instant};

/// How often a running child is looked at while waiting with a deadline.
const POLL: Duration = Duration::from_millis(20);

pub struct Child(libc::pid_t);

/// A C string of `text`; one with a NUL inside cannot be passed on.
fn c_string(text: &OsStr) -> io::Result<CString> {
    CString::new(text.as_bytes()).map_err(|_| io::Error::other("a NUL byte in an argument"))
}

/// Starts `argv[0]` (looked up in PATH when it has no `/`: not posix_spawnp,
/// which brings musl's execvpe, 2 KB) with `env` as its
/// whole environment. With `capture`, its stdout is the returned pipe and its
/// stderr /dev/null; without, both are dynup's.
pub fn spawn(
    argv: &[&OsStr],
    env: &[(OsString, OsString)],
    capture: bool,
) -> io::Result<(Child, Option<File>)> {
    let program = c_string(&find_program(argv[0]))?;
    let args: Vec<CString> = argv.iter().map(|a| c_string(a)).collect::<Result<_, _>>()?;
    let vars: Vec<CString> = env
        .iter()
        .map(|(k, v)| {
            let mut pair = k.clone();
            pair.push("=");
            pair.push(v);
            c_string(&pair)
        })
        .collect::<Result<_, _>>()?;
    let mut arg_ptrs: Vec<*mut libc::c_char> = args.iter().map(|a| a.as_ptr().cast_mut()).collect();
    arg_ptrs.push(std::ptr::null_mut());
    let mut env_ptrs: Vec<*mut libc::c_char> = vars.iter().map(|v| v.as_ptr().cast_mut()).collect();
    env_ptrs.push(std::ptr::null_mut());
    let dev_null = c"/dev/null";

    let mut pipe = [-1 as libc::c_int; 2];
    // SAFETY: every libc structure below is initialised by its _init call before
    // use and destroyed after; the pointers passed live until posix_spawnp returns;
    // each return code is checked.
    unsafe {
        if capture && libc::pipe2(pipe.as_mut_ptr(), libc::O_CLOEXEC) != 0 {
            return Err(io::Error::last_os_error());
        }
        let mut actions: libc::posix_spawn_file_actions_t = std::mem::zeroed();
        let mut attr: libc::posix_spawnattr_t = std::mem::zeroed();
        libc::posix_spawn_file_actions_init(&mut actions);
        libc::posix_spawnattr_init(&mut attr);
        let mut empty: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut empty);
        let mut sigpipe: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut sigpipe);
        libc::sigaddset(&mut sigpipe, libc::SIGPIPE);
        let flags = libc::POSIX_SPAWN_SETPGROUP
            | libc::POSIX_SPAWN_SETSIGMASK
            | libc::POSIX_SPAWN_SETSIGDEF;
        let mut rc = libc::posix_spawnattr_setflags(&mut attr, flags as libc::c_short);
        rc |= libc::posix_spawnattr_setpgroup(&mut attr, 0);
        rc |= libc::posix_spawnattr_setsigmask(&mut attr, &empty);
        rc |= libc::posix_spawnattr_setsigdefault(&mut attr, &sigpipe);
        rc |= libc::posix_spawn_file_actions_addopen(
            &mut actions,
            0,
            dev_null.as_ptr(),
            libc::O_RDONLY,
            0,
        );
        if capture {
            rc |= libc::posix_spawn_file_actions_adddup2(&mut actions, pipe[1], 1);
            rc |= libc::posix_spawn_file_actions_addopen(
                &mut actions,
                2,
                dev_null.as_ptr(),
                libc::O_WRONLY,
                0,
            );
        }
        let mut pid: libc::pid_t = 0;
        if rc == 0 {
            rc = libc::posix_spawn(
                &mut pid,
                program.as_ptr(),
                &actions,
                &attr,
                arg_ptrs.as_ptr(),
                env_ptrs.as_ptr(),
            );
        }
        libc::posix_spawn_file_actions_destroy(&mut actions);
        libc::posix_spawnattr_destroy(&mut attr);
        let output = capture.then(|| {
            libc::close(pipe[1]);
            File::from_raw_fd(pipe[0])
        });
        if rc != 0 {
            return Err(io::Error::from_raw_os_error(rc));
        }
        Ok((Child(pid), output))
    }
}

/// Whether PATH has a program `name` (uci, ubus: an OpenWRT system).
pub fn on_path(name: &str) -> bool {
    find_program(OsStr::new(name)).as_bytes().contains(&b'/')
}

/// `name` itself when it holds a `/`, else the first PATH directory that has it.
fn find_program(name: &OsStr) -> OsString {
    if name.as_bytes().contains(&b'/') {
        return name.to_os_string();
    }
    let path = std::env::var_os("PATH").unwrap_or_else(|| "/usr/sbin:/usr/bin:/sbin:/bin".into());
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
        .map_or_else(|| name.to_os_string(), |found| found.into_os_string())
}

impl Child {
    /// Its wait status, once it has ended; `None` if it still runs at `deadline`.
    pub fn wait_until(&self, deadline: Instant) -> Option<libc::c_int> {
        loop {
            let mut status = 0;
            // SAFETY: waitpid on our own child, status a valid int.
            let rc = unsafe { libc::waitpid(self.0, &mut status, libc::WNOHANG) };
            if rc == self.0 {
                return Some(status);
            }
            if rc < 0 && io::Error::last_os_error().kind() != io::ErrorKind::Interrupted {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(POLL);
        }
    }

    /// Kills its whole process group and reaps it.
    pub fn kill_group(&self) {
        // SAFETY: kill(2) on the group the child leads, then waitpid on the child.
        unsafe {
            libc::kill(-self.0, libc::SIGKILL);
            let mut status = 0;
            libc::waitpid(self.0, &mut status, 0);
        }
    }
}

/// What `argv` prints on stdout (at most `limit` bytes), when it ends within
/// `timeout` with exit 0; it inherits dynup's environment.
pub fn output(argv: &[&OsStr], limit: u64, timeout: Duration) -> Option<Vec<u8>> {
    let env: Vec<(OsString, OsString)> = std::env::vars_os().collect();
    let (child, stdout) = spawn(argv, &env, true).ok()?;
    let mut bytes = Vec::new();
    // The pipe ends when the child exits; a child that hangs is killed below.
    let _ = stdout?.take(limit).read_to_end(&mut bytes);
    match child.wait_until(Instant::now() + timeout) {
        Some(status) if libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0 => Some(bytes),
        Some(_) => None,
        None => {
            child.kill_group();
            None
        }
    }
}
