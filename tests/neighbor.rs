//! `--ipv6-neighbor MAC`: a LAN host's IPv6 address from the kernel's neighbour
//! table, in a namespace whose `wan0` holds entries the test adds by hand
//! (`ip -6 neigh add ... lladdr MAC nud permanent|stale`), published to a mock
//! on the namespace's loopback. Needs root and iproute2 (tests/deps.sh).

mod support;

use support::netns::{Netns, LINK};
use support::*;

const HOST: &str = "server.dynv6.net";
const MAC: &str = "52:54:00:12:34:56";
/// The address SLAAC derives from MAC (modified EUI-64) in 2001:db8:1:2::/64.
const EUI64: &str = "2001:db8:1:2:5054:ff:fe12:3456";

struct Lab {
    fx: Fixture,
    ns: Netns,
}

impl Lab {
    fn new(tag: &str) -> Lab {
        let ns = Netns::with_link(tag);
        let mock = ns.inside(Mock::http);
        mock.default_reply(Reply::ok("addresses updated"));
        Lab {
            fx: Fixture::with(mock, None),
            ns,
        }
    }

    /// `ip -6 neigh add ADDR lladdr MAC dev wan0 nud STATE`.
    fn neigh(&self, addr: &str, mac: &str, state: &str) {
        self.ns.ip(&[
            "-6", "neigh", "add", addr, "lladdr", mac, "dev", LINK, "nud", state,
        ]);
    }

    /// dynup publishing IPv6 only, from the neighbour MAC on wan0, plus `extra`.
    fn run(&self, extra: &[&str]) -> Run {
        let mut fixed = vec!["--ipv4", "none", "-i", LINK];
        fixed.extend_from_slice(extra);
        fixed.push(HOST);
        let argv = args(&fixed, &self.fx.token_args());
        let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
        let mut cmd = self.fx.cmd(&argv);
        cmd.arg("--force");
        run_clean(&mut self.ns.wrap(&cmd))
    }

    fn published(&self) -> Option<String> {
        self.fx
            .mock
            .last()
            .and_then(|r| r.param("ipv6").map(str::to_string))
    }
}

#[test]
fn the_neighbour_entry_of_the_mac_is_published_by_the_rules() {
    let lab = Lab::new("neigh");
    lab.neigh("fe80::5054:ff:fe12:3456", MAC, "permanent");
    lab.neigh("fd00:1::10", MAC, "permanent");
    lab.neigh("2001:db8:1:2::10", MAC, "stale");
    lab.neigh("2001:db8:1:2::20", MAC, "permanent");
    // Lower, but failed or never resolved (the kernel keeps no MAC for them).
    lab.neigh("2001:db8:1:2::1", MAC, "failed");
    lab.neigh("2001:db8:1:2::2", MAC, "incomplete");
    // Another host's entry, confirmed and lower: never this MAC's address.
    lab.neigh("2001:db8:1:2::5", "52:54:00:aa:bb:cc", "permanent");

    let run = lab.run(&["--ipv6-neighbor", MAC]);
    assert_eq!(run.code, 0, "{run:?}");
    // Global, confirmed (permanent) before stale; link-local, ULA, failed never.
    assert_eq!(lab.published().as_deref(), Some("2001:db8:1:2::20"));

    // An upper-case MAC names the same host.
    let run = lab.run(&["--ipv6-neighbor", &MAC.to_uppercase()]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(lab.published().as_deref(), Some("2001:db8:1:2::20"));

    // The SLAAC address of that MAC is surely stable: it wins though stale.
    lab.neigh(EUI64, MAC, "stale");
    let run = lab.run(&["--ipv6-neighbor", MAC]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(lab.published().as_deref(), Some(EUI64));

    // With a host id: that prefix with that identifier.
    let run = lab.run(&["--ipv6-neighbor", MAC, "--ipv6-host-id", "::1234"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(lab.published().as_deref(), Some("2001:db8:1:2::1234"));
    assert_eq!(lab.fx.mock.count(), 4);

    // --show-addresses lists the MAC's entries and the pick, contacting nothing.
    let mut cmd = dynup(&lab.fx.cache());
    cmd.args(["--show-addresses", "-i", LINK, "--ipv6-neighbor", MAC]);
    let show = run_clean(&mut lab.ns.wrap(&cmd));
    assert_eq!(show.code, 0, "{show:?}");
    for line in [
        &format!("neighbour {MAC} on {LINK}"),
        "  2001:db8:1:2::10 STALE",
        "  2001:db8:1:2::20 PERMANENT",
        &format!("  IPv6: {EUI64}"),
    ] {
        assert!(show.stdout.contains(line), "{line}: {show:?}");
    }
    assert!(!show.stdout.contains("2001:db8:1:2::5 "), "{show:?}");
    assert_eq!(lab.fx.mock.count(), 4);
}

#[test]
fn no_usable_entry_exits_3_naming_each_and_sends_nothing() {
    let lab = Lab::new("neighnone");
    lab.neigh("fe80::5054:ff:fe12:3456", MAC, "permanent");
    lab.neigh("fd00:1::10", MAC, "stale");
    let run = lab.run(&["--ipv6-neighbor", MAC]);
    assert_eq!(run.code, 3, "{run:?}");
    for part in [
        MAC,
        "fe80::5054:ff:fe12:3456 link-local",
        "fd00:1::10 unique local",
    ] {
        assert!(run.stderr.contains(part), "{part}: {run:?}");
    }
    assert_eq!(lab.fx.mock.count(), 0);

    // A MAC with no entry at all says so.
    let run = lab.run(&["--ipv6-neighbor", "02:00:00:00:00:01"]);
    assert_eq!(run.code, 3, "{run:?}");
    assert!(run.stderr.contains("not in the neighbour table"), "{run:?}");

    // --allow-ula lets the ULA through.
    let run = lab.run(&["--ipv6-neighbor", MAC, "--allow-ula"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(lab.published().as_deref(), Some("fd00:1::10"));
}

#[test]
fn a_bad_mac_or_a_missing_interface_is_a_usage_error() {
    let lab = Lab::new("neighbad");
    let run = lab.run(&["--ipv6-neighbor", "52:54:00:12:34"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(run.stderr.lines().count(), 1, "{run:?}");
    assert!(
        run.stderr.contains("--ipv6-neighbor") && run.stderr.contains("52:54:00:12:34"),
        "{run:?}"
    );

    // Without -i there is no LAN interface to look on.
    let argv = args(
        &["--ipv6-neighbor", MAC, "--ipv4", "none", HOST],
        &lab.fx.token_args(),
    );
    let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
    let run = run_clean(&mut lab.ns.wrap(&lab.fx.cmd(&argv)));
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("-i IFACE"), "{run:?}");
    assert_eq!(lab.fx.mock.count(), 0);
}
