//! SIGHUP, SIGTERM and SIGINT as readable events (signalfd(2)): blocked for the
//! process, so a run in progress finishes before the loop looks at them.

use std::io;

pub enum Signal {
    Reload,
    Stop,
}

pub struct Signals(libc::c_int);

impl Drop for Signals {
    fn drop(&mut self) {
        // SAFETY: the descriptor is ours and closed once.
        unsafe { libc::close(self.0) };
    }
}

impl Signals {
    pub fn block() -> io::Result<Signals> {
        // SAFETY: sigset_t is plain data, set up by sigemptyset/sigaddset; the
        // mask and the descriptor are checked. Children (hooks) get an empty mask
        // from std's spawn.
        unsafe {
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            for signal in [libc::SIGHUP, libc::SIGTERM, libc::SIGINT] {
                libc::sigaddset(&mut set, signal);
            }
            if libc::sigprocmask(libc::SIG_BLOCK, &set, std::ptr::null_mut()) != 0 {
                return Err(io::Error::last_os_error());
            }
            let fd = libc::signalfd(-1, &set, libc::SFD_CLOEXEC | libc::SFD_NONBLOCK);
            if fd < 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(Signals(fd))
        }
    }

    pub fn fd(&self) -> libc::c_int {
        self.0
    }

    /// The signals waiting, in order.
    pub fn read(&self) -> Vec<Signal> {
        let mut signals = Vec::new();
        // Bounded: at most one of each kind is pending at a time.
        for _ in 0..8 {
            // SAFETY: signalfd_siginfo is plain data of the size read.
            let mut info: libc::signalfd_siginfo = unsafe { std::mem::zeroed() };
            let size = std::mem::size_of::<libc::signalfd_siginfo>();
            // SAFETY: info is valid for `size` bytes.
            let got = unsafe {
                libc::read(
                    self.0,
                    (&mut info as *mut libc::signalfd_siginfo).cast(),
                    size,
                )
            };
            if got != size as isize {
                break;
            }
            signals.push(if info.ssi_signo == libc::SIGHUP as u32 {
                Signal::Reload
            } else {
                Signal::Stop
            });
        }
        signals
    }
}
