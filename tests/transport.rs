//! The transport: certificates, network failures, redirects, oversized answers,
//! and a closed stdout.

mod support;

use std::net::{IpAddr, Ipv4Addr, TcpListener};
use std::process::Stdio;
use std::time::Duration;

use support::*;

fn v4_update(fx: &Fixture) -> Vec<String> {
    args(&["--ipv4", "203.0.113.7", "h.dynv6.net"], &fx.token_args())
}

#[test]
fn a_certificate_from_another_ca_is_refused_before_anything_is_sent() {
    let fx = Fixture::https();
    let other = TestCa::new();
    let other_pem = other.write_pem(fx.dir.path());
    let mut cmd = fx.cmd_untrusted(&[]);
    cmd.arg("--cacert").arg(&other_pem);
    cmd.args(v4_update(&fx));
    let run = run_clean(&mut cmd);
    assert_eq!(run.code, 5, "{run:?}");
    assert!(run.one_error_line().contains("TLS"), "{run:?}");
    assert_eq!(fx.mock.count(), 0, "the server received the request");
    assert!(fx.mock.wait_for_tls_failures(1, Duration::from_secs(5)));
    assert!(fx.state_files().is_empty());
}

#[test]
fn the_default_roots_do_not_trust_a_test_ca() {
    // No --cacert: the system bundle or the built-in roots, neither knows this CA.
    let fx = Fixture::https();
    let run = run_clean(fx.cmd_untrusted(&[]).args(v4_update(&fx)));
    assert_eq!(run.code, 5, "{run:?}");
    assert_eq!(fx.mock.count(), 0);
}

#[test]
fn a_certificate_for_another_name_is_refused() {
    let ca = TestCa::new();
    let mock = Mock::https_with_sans(&ca, IpAddr::V4(Ipv4Addr::LOCALHOST), &["other.example"]);
    let fx = Fixture::with(mock, Some(ca));
    let run = fx.run_owned(&v4_update(&fx));
    assert_eq!(run.code, 5, "{run:?}");
    assert_eq!(fx.mock.count(), 0);
}

#[test]
fn cacert_from_the_environment() {
    let fx = Fixture::https();
    fx.mock.reply(Reply::ok("addresses updated"));
    let mut cmd = dynup(&fx.cache());
    cmd.env("DYNUP_CACERT", fx.ca_pem.as_ref().expect("a CA"));
    cmd.env("DYNUP_SERVER", fx.mock.url());
    cmd.args(v4_update(&fx));
    let run = run_clean(&mut cmd);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(fx.mock.count(), 1);
}

#[test]
fn a_refused_connection_is_network_trouble() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    };
    let dir = TempDir::new("refused");
    let token = write_secret(&dir, "token", TOKEN);
    let mut cmd = dynup(&dir.join("cache"));
    cmd.arg("--server").arg(format!("http://127.0.0.1:{port}"));
    cmd.arg("--token-file").arg(&token);
    cmd.args(["--ipv4", "203.0.113.7", "h.dynv6.net"]);
    let run = run_clean(&mut cmd);
    assert_eq!(run.code, 4, "{run:?}");
    assert!(run.one_error_line().contains("refused"), "{run:?}");
}

#[test]
fn a_server_that_never_answers_times_out() {
    let fx = Fixture::http();
    fx.mock.reply(Reply::ok("").behaviour(Behaviour::Hang));
    let run = fx.run_owned(&args(&["--timeout", "1"], &v4_update(&fx)));
    assert_eq!(run.code, 4, "{run:?}");
    assert!(
        run.one_error_line().contains("no answer within 1s"),
        "{run:?}"
    );
    assert!(fx.state_files().is_empty());
}

#[test]
fn a_truncated_answer_is_network_trouble_and_changes_nothing() {
    let fx = Fixture::http();
    fx.mock.reply(Reply::ok("addresses updated"));
    assert_eq!(fx.run_owned(&v4_update(&fx)).code, 0);
    let before = fx.state_text();

    fx.mock
        .reply(Reply::ok("addresses updated").behaviour(Behaviour::CloseMidBody));
    let run = fx.run_owned(&args(
        &["--ipv4", "203.0.113.99", "h.dynv6.net"],
        &fx.token_args(),
    ));
    assert_eq!(run.code, 4, "{run:?}");
    assert!(run
        .one_error_line()
        .contains("before the answer was complete"));
    assert_eq!(fx.state_text(), before, "a failed run changed the state");
}

#[test]
fn a_huge_answer_is_cut_not_read() {
    let fx = Fixture::http();
    fx.mock.reply(Reply::ok("").behaviour(Behaviour::Huge));
    let run = fx.run_owned(&args(&["-v"], &v4_update(&fx)));
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("(cut)"), "{run:?}");
    assert!(run.stderr.len() < 2000, "the body reached the output");
}

#[test]
fn redirects_are_not_followed_with_credentials() {
    let fx = Fixture::http();
    let target = Mock::http();
    fx.mock
        .reply(Reply::status(302, "").header("Location", &format!("{}/api/update", target.url())));
    let run = fx.run_owned(&v4_update(&fx));
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.one_error_line().contains("redirect"), "{run:?}");
    assert_eq!(fx.mock.count(), 1);
    assert_eq!(target.count(), 0, "the redirect was followed");
}

#[test]
fn a_closed_stdout_is_not_a_crash() {
    let fx = Fixture::http();
    fx.mock.reply(Reply::ok("addresses updated"));
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let mut cmd = fx.cmd(&[]);
    cmd.args(v4_update(&fx));
    let output = cmd
        .stdout(Stdio::from(writer))
        .stderr(Stdio::piped())
        .output()
        .expect("run dynup");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        !stderr.contains("panicked") && !stderr.contains("Broken pipe"),
        "{stderr}"
    );
    assert_eq!(fx.mock.count(), 1);
}

/// --timeout is a limit on each request, as --help says: a host whose request
/// hangs does not keep the next host's request from being sent.
#[test]
fn timeout_is_per_request_as_help_says() {
    let dir = TempDir::new("help");
    let help = run_clean(dynup(dir.path()).arg("--help"));
    let line = help
        .stdout
        .lines()
        .find(|l| l.contains("--timeout SECONDS"))
        .unwrap_or_default();
    assert!(line.contains("each request"), "{line}");

    let fx = Fixture::http();
    fx.mock.reply(Reply::ok("").behaviour(Behaviour::Hang));
    fx.mock.default_reply(Reply::ok("addresses updated"));
    let run = fx.run_owned(&args(
        &[
            "--timeout",
            "1",
            "--ipv4",
            "203.0.113.7",
            "a.dynv6.net",
            "b.dynv6.net",
        ],
        &fx.token_args(),
    ));
    assert_eq!(run.code, 4, "{run:?}");
    assert!(run.stderr.contains("no answer within 1s"), "{run:?}");
    assert_eq!(
        run.stdout, "b.dynv6.net: updated A 203.0.113.7\n",
        "{run:?}"
    );
    assert_eq!(fx.mock.count(), 2);
}

/// An answer that trickles in a byte at a time is still bounded by --timeout:
/// the limit covers the whole answer, not each read.
#[test]
fn an_answer_that_trickles_in_is_bounded_by_the_timeout() {
    use std::io::{Read, Write};
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let server = std::thread::spawn(move || {
        let Ok((mut conn, _)) = listener.accept() else {
            return;
        };
        let _ = conn.set_read_timeout(Some(Duration::from_secs(5)));
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") && head.len() < 16 * 1024 {
            match conn.read(&mut byte) {
                Ok(1) => head.push(byte[0]),
                _ => return,
            }
        }
        let _ = conn.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n");
        // One byte every 300 ms: 30 s for the whole body, at most.
        for _ in 0..100 {
            if conn.write_all(b"a").is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(300));
        }
    });
    let dir = TempDir::new("trickle");
    let token = write_secret(&dir, "token", TOKEN);
    let mut cmd = dynup(&dir.join("cache"));
    cmd.args([
        "--server",
        &format!("http://127.0.0.1:{port}"),
        "--timeout",
        "1",
    ])
    .arg("--token-file")
    .arg(&token)
    .args(["--ipv4", "203.0.113.7", "h.dynv6.net"]);
    let run = run_with_timeout(&mut cmd, Duration::from_secs(10));
    run.assert_clean();
    assert_eq!(run.code, 4, "{run:?}");
    assert!(run.stderr.contains("within 1s"), "{run:?}");
    let _ = server.join();
}
