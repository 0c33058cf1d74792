//! dynup against the real peers of `-p dyndns-server`: the PyPI `dyndns` 2.0.0
//! server (from tests/peers.sh's venv under target/peers) in front of BIND 9
//! (tests/support/named.rs), both on loopback ports, both killed on drop. What the
//! zone holds is read back with dig.

mod support;

use std::path::PathBuf;

use support::dyndns_server::DyndnsServer;
use support::named::{Named, TsigKey, Zone};
use support::*;

const ZONE: &str = "dyn.test";
const HOST: &str = "www.dyn.test";
/// The server's secret: at least 8 alphanumerics, as dyndns requires.
const SECRET: &str = "e2eSecret4dynup";

struct Peers {
    named: Named,
    server: DyndnsServer,
    dir: TempDir,
    password_file: PathBuf,
}

impl Peers {
    fn start() -> Peers {
        let key = TsigKey::new(ZONE, "hmac-sha512");
        let named = Named::start(&[Zone::new(ZONE, std::slice::from_ref(&key))]);
        let server = DyndnsServer::start(&named, &key, ZONE, SECRET);
        let dir = TempDir::new("e2e");
        let password_file = write_secret(&dir, "secret", SECRET);
        Peers {
            named,
            server,
            dir,
            password_file,
        }
    }

    fn dynup(&self, secret_file: &PathBuf, args: &[&str]) -> Run {
        let mut cmd = dynup(&self.dir.join("cache"));
        cmd.args(["-p", "dyndns-server", "--server", &self.server.url()])
            .arg("--password-file")
            .arg(secret_file)
            .args(args);
        let run = run_clean(&mut cmd);
        assert!(!run.stdout.contains(SECRET) && !run.stderr.contains(SECRET));
        run
    }

    fn records(&self) -> (Vec<String>, Vec<String>) {
        (self.named.dig(HOST, "A"), self.named.dig(HOST, "AAAA"))
    }

    fn context(&self) -> String {
        format!(
            "--- dyndns server log ---\n{}\n--- named log ---\n{}",
            self.server.log(),
            self.named.log()
        )
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn update_unchanged_wrong_secret_and_delete_against_the_real_server() {
    let peers = Peers::start();
    let secret = peers.password_file.clone();

    // Both families in one request, by query.
    let run = peers.dynup(
        &secret,
        &["--ipv4", "203.0.113.10", "--ipv6", "2001:db8::10", HOST],
    );
    assert_eq!(run.code, 0, "{run:?}\n{}", peers.context());
    assert_eq!(
        run.stdout,
        "www.dyn.test: updated A 203.0.113.10 AAAA 2001:db8::10\n"
    );
    assert_eq!(
        peers.records(),
        (strings(&["203.0.113.10"]), strings(&["2001:db8::10"]))
    );

    // Sent again (--force): the server answers UNCHANGED for both.
    let again = peers.dynup(
        &secret,
        &[
            "-f",
            "--ipv4",
            "203.0.113.10",
            "--ipv6",
            "2001:db8::10",
            HOST,
        ],
    );
    assert_eq!(again.code, 0, "{again:?}\n{}", peers.context());
    assert_eq!(
        again.stdout,
        "www.dyn.test: already current A 203.0.113.10 AAAA 2001:db8::10\n"
    );

    // A wrong secret: 10, and the zone is as it was.
    let serial = peers.named.serial(ZONE);
    let wrong = write_secret(&peers.dir, "wrong", "wrongSecret99");
    let refused = peers.dynup(
        &wrong,
        &["--ipv4", "203.0.113.99", "--ipv6", "2001:db8::99", HOST],
    );
    assert_eq!(refused.code, 10, "{refused:?}");
    assert!(refused.stderr.contains("wrong secret"), "{refused:?}");
    assert_eq!(
        peers.records(),
        (strings(&["203.0.113.10"]), strings(&["2001:db8::10"]))
    );
    assert_eq!(peers.named.serial(ZONE), serial, "nothing was written");

    // --zone with the record name, and by path.
    let by_zone = peers.dynup(
        &secret,
        &[
            "--zone",
            ZONE,
            "--ttl",
            "120",
            "--ipv4",
            "203.0.113.11",
            "--ipv6",
            "2001:db8::11",
            "www",
        ],
    );
    assert_eq!(by_zone.code, 0, "{by_zone:?}\n{}", peers.context());
    assert_eq!(
        peers.records(),
        (strings(&["203.0.113.11"]), strings(&["2001:db8::11"]))
    );
    let by_path = peers.dynup(
        &secret,
        &[
            "--by-path",
            "--ipv4",
            "203.0.113.12",
            "--ipv6",
            "2001:db8::12",
            HOST,
        ],
    );
    assert_eq!(by_path.code, 0, "{by_path:?}\n{}", peers.context());
    assert_eq!(
        peers.records(),
        (strings(&["203.0.113.12"]), strings(&["2001:db8::12"]))
    );

    // One family: the server removes the other, and dynup said it would.
    let v4_only = peers.dynup(&secret, &["-4", "--ipv4", "203.0.113.13", HOST]);
    assert_eq!(v4_only.code, 0, "{v4_only:?}\n{}", peers.context());
    assert!(v4_only
        .stderr
        .contains("AAAA record of each host is removed"));
    assert_eq!(peers.records(), (strings(&["203.0.113.13"]), Vec::new()));

    // Delete removes what is left.
    let deleted = peers.dynup(&secret, &["--delete", HOST]);
    assert_eq!(deleted.code, 0, "{deleted:?}\n{}", peers.context());
    assert_eq!(peers.records(), (Vec::new(), Vec::new()));
}

#[test]
fn an_unknown_zone_is_11_and_a_dead_name_server_is_16() {
    let peers = Peers::start();
    let secret = peers.password_file.clone();
    let unknown = peers.dynup(&secret, &["--ipv4", "203.0.113.10", "-4", "www.other.test"]);
    assert_eq!(unknown.code, 11, "{unknown:?}\n{}", peers.context());

    // The name server goes away: the dyndns server answers 512 or 500, held as 16.
    let Peers {
        named,
        server,
        dir,
        password_file,
    } = peers;
    drop(named);
    let mut cmd = dynup(&dir.join("cache"));
    cmd.args(["-p", "dyndns-server", "--server", &server.url()])
        .arg("--password-file")
        .arg(&password_file)
        .args(["--ipv4", "203.0.113.10", "--ipv6", "2001:db8::10", HOST]);
    let down = run_clean(&mut cmd);
    assert_eq!(down.code, 16, "{down:?}\n{}", server.log());
}
