//! `--syslog`: every message dynup prints also goes, as one datagram, to the system
//! log socket /dev/log (what logd reads on OpenWRT and `logread` shows), in the form
//! musl's syslog() sends: `<PRI>Mmm dd hh:mm:ss dynup[PID]: message`. logd drops
//! the 16-character timestamp and stamps its own; without one it could cut 16
//! bytes off a message whose 16th character happens to be a space.

use std::os::unix::net::UnixDatagram;
use std::path::PathBuf;

use crate::clock;

/// Facility daemon, the one procd logs services under.
const FACILITY_DAEMON: u8 = 3;

#[derive(Clone, Copy)]
pub enum Severity {
    Error = 3,
    Warning = 4,
    Info = 6,
    Debug = 7,
}

pub struct Syslog {
    socket: UnixDatagram,
    pid: u32,
}

impl Syslog {
    /// The log socket, or None when it cannot be reached (not a router, logd
    /// down): dynup then writes to stdout/stderr only, and the run goes on.
    /// DYNUP_SYSLOG_SOCKET replaces /dev/log, for the tests.
    pub fn open() -> Option<Syslog> {
        let path = std::env::var_os("DYNUP_SYSLOG_SOCKET")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("/dev/log"));
        let socket = UnixDatagram::unbound().ok()?;
        socket.connect(path).ok()?;
        Some(Syslog {
            socket,
            pid: std::process::id(),
        })
    }

    /// One datagram per line; a failed send is ignored, as a closed stdout is.
    pub fn send(&self, severity: Severity, text: &str) {
        for line in text.lines() {
            let datagram = datagram(severity, clock::now(), self.pid, line);
            let _ = self.socket.send(datagram.as_bytes());
        }
    }
}

/// `<PRI>Mmm dd hh:mm:ss dynup[PID]: line`, the timestamp as strftime's
/// `%b %e %T` in UTC, as musl writes it.
pub fn datagram(severity: Severity, now: u64, pid: u32, line: &str) -> String {
    const MONTHS: &str = "JanFebMarAprMayJunJulAugSepOctNovDec";
    let (_, month, day) = clock::civil_from_days((now / 86_400) as i64);
    let month = month as usize * 3;
    let rem = now % 86_400;
    // Not cut here: a datagram larger than logd's buffer arrives cut to it.
    format!(
        "<{}>{} {day:>2} {:02}:{:02}:{:02} dynup[{pid}]: {}",
        FACILITY_DAEMON * 8 + severity as u8,
        MONTHS.get(month - 3..month).unwrap_or("Jan"),
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        line
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datagrams_have_pri_timestamp_and_tag() {
        // 2026-11-03 07:05:09 UTC
        let at = 1_793_689_509;
        assert_eq!(
            datagram(Severity::Error, at, 42, "home.example: bad auth"),
            "<27>Nov  3 07:05:09 dynup[42]: home.example: bad auth"
        );
        assert_eq!(
            datagram(Severity::Warning, at, 42, "w").as_str(),
            "<28>Nov  3 07:05:09 dynup[42]: w"
        );
        assert_eq!(
            datagram(Severity::Info, 1_795_359_789, 7, "x"),
            "<30>Nov 22 15:03:09 dynup[7]: x"
        );
        assert!(datagram(Severity::Debug, 0, 1, "d").starts_with("<31>Jan  1 00:00:00 "));
        assert!(datagram(Severity::Info, 1_798_761_599, 1, "d").starts_with("<30>Dec 31 23:59:59 "));
        // The timestamp is 15 characters and a space: what logd strips.
        let sent = datagram(Severity::Info, at, 42, "m");
        assert_eq!(&sent[4 + 15..4 + 16], " ");
    }
}
