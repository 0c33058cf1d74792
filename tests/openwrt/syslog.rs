//! `--syslog`: the datagrams a log socket receives from dynup.

use std::os::unix::net::UnixDatagram;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use super::read;
use super::support::*;

/// Datagrams that arrived on `socket` within a bounded wait.
fn received(socket: &UnixDatagram) -> Vec<String> {
    socket
        .set_read_timeout(Some(Duration::from_millis(200)))
        .expect("timeout");
    let mut got = Vec::new();
    let mut buf = [0u8; 2048];
    for _ in 0..100 {
        match socket.recv(&mut buf) {
            Ok(n) => got.push(String::from_utf8_lossy(&buf[..n]).into_owned()),
            Err(_) => break,
        }
    }
    got
}

/// `<PRI>Mmm dd hh:mm:ss dynup[PID]: message` into PRI and message, after checking
/// the timestamp's shape (its value logd replaces) and the tag with `pid`.
fn parse_datagram(datagram: &str, pid: u32) -> (String, String) {
    let (pri, rest) = datagram
        .strip_prefix('<')
        .and_then(|d| d.split_once('>'))
        .unwrap_or_else(|| panic!("no PRI: {datagram}"));
    let stamp = &rest[..16];
    let months = "JanFebMarAprMayJunJulAugSepOctNovDec";
    assert!(months.contains(&stamp[..3]), "{datagram}");
    let shape: String = stamp[3..]
        .chars()
        .map(|c| if c.is_ascii_digit() { '9' } else { c })
        .collect();
    assert!(
        shape == " 99 99:99:99 " || shape == "  9 99:99:99 ",
        "{datagram}"
    );
    let tag = format!("dynup[{pid}]: ");
    let message = rest[16..]
        .strip_prefix(&tag)
        .unwrap_or_else(|| panic!("not tagged {tag}: {datagram}"));
    (pri.to_string(), message.to_string())
}

/// dynup with `args` and `env` through `sh -c 'exec'`, which keeps the process id
/// and writes it down first: the PID the datagrams must carry.
fn dynup_with_pid(tmp: &TempDir, args: &[&str], env: &[(&str, &std::ffi::OsStr)]) -> (Run, u32) {
    let pid_file = tmp.join("pid");
    let mut cmd = dynup(&tmp.join("cache"));
    let binary = PathBuf::from(cmd.get_program());
    cmd = Command::new("/bin/sh");
    cmd.arg("-c")
        .arg("echo $$ >\"$PID_FILE\"; exec \"$0\" \"$@\"")
        .arg(&binary)
        .args(args)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("DYNUP_CACHE_DIR", tmp.join("cache"))
        .env("HOME", tmp.join("cache"))
        .env("PID_FILE", &pid_file);
    for (name, value) in env {
        cmd.env(name, value);
    }
    let run = run(&mut cmd);
    let pid = read(&pid_file).trim().parse().expect("a pid");
    (run, pid)
}

#[test]
fn syslog_gets_each_message_with_its_severity_and_secrets_masked() {
    let tmp = TempDir::new("syslog");
    let socket_path = tmp.join("log");
    let socket = UnixDatagram::bind(&socket_path).expect("bind the log socket");
    let secret = "s3cret-dyndns";
    // A dry run of dyndns-server with IPv4 only: a warning (AAAA deleted) and a
    // result line holding the URL with the secret.
    let (dry, pid) = dynup_with_pid(
        &tmp,
        &[
            "--syslog",
            "--dry-run",
            "-p",
            "dyndns-server",
            "-s",
            "https://127.0.0.1:1",
            "--ipv4",
            "192.0.2.7",
            "nrouter.example.com",
        ],
        &[
            ("DYNUP_PASSWORD", secret.as_ref()),
            ("DYNUP_SYSLOG_SOCKET", socket_path.as_os_str()),
        ],
    );
    assert_eq!(dry.code, 0, "{dry:?}");
    let got: Vec<(String, String)> = received(&socket)
        .iter()
        .map(|d| parse_datagram(d, pid))
        .collect();
    // What stderr (warnings) and stdout (results) said, in the order dynup said it.
    let mut expected = Vec::new();
    for line in dry.stderr.lines() {
        let warning = line
            .strip_prefix("dynup: warning: ")
            .unwrap_or_else(|| panic!("not a warning: {line}"));
        expected.push(("28".to_string(), warning.to_string()));
    }
    for line in dry.stdout.lines() {
        expected.push(("30".to_string(), line.to_string()));
    }
    assert!(expected.iter().any(|e| e.0 == "28"), "{dry:?}");
    assert!(expected.iter().any(|e| e.1.contains("***")), "{dry:?}");
    let mut sorted = got.clone();
    sorted.sort();
    expected.sort();
    assert_eq!(sorted, expected);
    assert!(!got.iter().any(|g| g.1.contains(secret)));

    // An error in the job's configuration: <27>, the same line as on stderr.
    let (bad, pid) = dynup_with_pid(
        &tmp,
        &["--syslog", "-p", "dynv6", "--ttl", "x", "h.dynv6.net"],
        &[("DYNUP_SYSLOG_SOCKET", socket_path.as_os_str())],
    );
    assert_eq!(bad.code, 2, "{bad:?}");
    let error = bad
        .stderr
        .trim_end()
        .strip_prefix("dynup: ")
        .expect("an error line")
        .to_string();
    let got: Vec<(String, String)> = received(&socket)
        .iter()
        .map(|d| parse_datagram(d, pid))
        .collect();
    assert_eq!(got, vec![("27".to_string(), error)]);

    // Without --syslog nothing arrives.
    let (quiet, _) = dynup_with_pid(
        &tmp,
        &["-p", "dynv6", "--ttl", "x", "h.dynv6.net"],
        &[("DYNUP_SYSLOG_SOCKET", socket_path.as_os_str())],
    );
    assert_eq!(quiet.code, 2);
    assert_eq!(received(&socket), Vec::<String>::new());
}

#[test]
fn without_a_log_socket_the_run_is_the_same() {
    let tmp = TempDir::new("syslog-none");
    let args = [
        "--dry-run",
        "-p",
        "dyndns-server",
        "-s",
        "https://127.0.0.1:1",
        "--ipv4",
        "192.0.2.7",
        "--ipv6",
        "2001:db8::7",
        "nrouter.example.com",
    ];
    let plain = run(dynup(&tmp.join("cache"))
        .args(args)
        .env("DYNUP_PASSWORD", "pw"));
    let logged = run(dynup(&tmp.join("cache"))
        .arg("--syslog")
        .args(args)
        .env("DYNUP_PASSWORD", "pw")
        .env("DYNUP_SYSLOG_SOCKET", tmp.join("no-such-socket")));
    assert_eq!(plain.code, 0, "{plain:?}");
    assert_eq!(
        (logged.code, &logged.stdout, &logged.stderr),
        (plain.code, &plain.stdout, &plain.stderr)
    );
}
