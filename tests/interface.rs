//! Addresses read from an interface, in network namespaces the tests make:
//! every selection rule against what the kernel really reports, and what the
//! mock provider, listening on the namespace's own loopback, receives.
//! Needs root and iproute2 (tests/deps.sh).

mod support;

use std::time::Duration;

use support::netns::{Netns, LINK};
use support::*;

const HOST: &str = "h.dynv6.net";

/// A namespace with `wan0`, a dynv6 mock inside it, and dynup run in there.
struct Lab {
    fx: Fixture,
    ns: Netns,
}

impl Lab {
    fn new(tag: &str) -> Lab {
        Lab::in_namespace(Netns::with_link(tag))
    }

    fn in_namespace(ns: Netns) -> Lab {
        let mock = ns.inside(Mock::http);
        mock.default_reply(Reply::ok("addresses updated"));
        Lab {
            fx: Fixture::with(mock, None),
            ns,
        }
    }

    fn run(&self, extra: &[&str]) -> Run {
        self.run_env(extra, &[])
    }

    fn run_env(&self, extra: &[&str], vars: &[(&str, &str)]) -> Run {
        let argv = args(extra, &self.fx.token_args());
        let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
        let mut cmd = self.fx.cmd(&argv);
        cmd.envs(vars.iter().copied());
        run_clean(&mut self.ns.wrap(&cmd))
    }

    /// `dynup --show-addresses EXTRA` in the namespace: no provider, no mock.
    fn show(&self, extra: &[&str]) -> Run {
        let mut cmd = dynup(&self.fx.cache());
        cmd.arg("--show-addresses").args(extra);
        run_clean(&mut self.ns.wrap(&cmd))
    }

    fn param(&self, name: &str) -> Option<String> {
        self.fx
            .mock
            .last()
            .and_then(|r| r.param(name).map(str::to_string))
    }
}

/// The verdict line printed under `addr` by --show-addresses.
fn verdict_for(show: &str, addr: &str) -> String {
    let lines: Vec<&str> = show.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.trim_start().starts_with(&format!("{addr}/")))
        .unwrap_or_else(|| panic!("{addr} not shown:\n{show}"));
    lines
        .get(at + 1)
        .map(|l| l.trim().to_string())
        .unwrap_or_default()
}

/// Link-local, ULA, deprecated, tentative, a shorter lifetime, a higher
/// address and the winner, all on one interface.
fn many_ipv6(lab: &Lab) {
    lab.ns.add("fe80::1/64", &["nodad"]);
    lab.ns.add("fd00:1::5/64", &["nodad"]);
    lab.ns
        .add("2001:db8:1::6/64", &["nodad", "preferred_lft", "0"]);
    // No carrier on wan0: without nodad the address stays tentative.
    lab.ns.add("2001:db8:1::7/64", &[]);
    lab.ns.add(
        "2001:db8:1::20/64",
        &["nodad", "valid_lft", "7200", "preferred_lft", "3600"],
    );
    lab.ns.add("2001:db8:1::40/64", &["nodad"]);
    // The base of privacy addresses is a stable address like any other.
    lab.ns.add("2001:db8:1::50/64", &["nodad", "mngtmpaddr"]);
    lab.ns.add("2001:db8:1::30/64", &["nodad"]);
}

#[test]
fn ipv6_from_the_interface_follows_every_rule() {
    let lab = Lab::new("v6rules");
    many_ipv6(&lab);
    let run = lab.run(&["--ipv4", "none", "--ipv6", &format!("if:{LINK}"), HOST]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout, format!("{HOST}: updated AAAA 2001:db8:1::30\n"));
    assert_eq!(lab.fx.mock.count(), 1);
    assert_eq!(lab.param("ipv6").as_deref(), Some("2001:db8:1::30"));
    assert_eq!(lab.param("ipv4"), None);

    // The report says why each other address lost, from the kernel's own flags.
    let show = lab.show(&["-i", LINK]);
    assert_eq!(show.code, 0, "{show:?}");
    let out = &show.stdout;
    assert_eq!(verdict_for(out, "2001:db8:1::30"), "picked for IPv6");
    assert_eq!(verdict_for(out, "fe80::1"), "skipped: link-local");
    assert!(
        verdict_for(out, "fd00:1::5").contains("unique local"),
        "{out}"
    );
    assert!(
        verdict_for(out, "2001:db8:1::6").contains("deprecated"),
        "{out}"
    );
    assert!(
        verdict_for(out, "2001:db8:1::7").contains("tentative"),
        "{out}"
    );
    assert!(verdict_for(out, "2001:db8:1::20").contains("longer preferred lifetime"));
    assert!(verdict_for(out, "2001:db8:1::40").contains("lower address"));
    assert!(verdict_for(out, "2001:db8:1::50").contains("lower address"));
    assert!(out.contains("flags nodad permanent mngtmpaddr"), "{out}");
    assert!(out.contains("preferred 0s") && out.contains("flags nodad deprecated"));
    assert!(
        out.contains("  IPv6: 2001:db8:1::30, prefix 2001:db8:1::/64\n"),
        "{out}"
    );
    assert!(out.contains("  IPv4: none usable\n"), "{out}");
}

#[test]
fn ula_only_with_allow_ula() {
    let lab = Lab::new("ula");
    lab.ns.add("fe80::1/64", &["nodad"]);
    lab.ns.add("fd00:1::5/64", &["nodad"]);
    let source = format!("if:{LINK}");
    let run = lab.run(&["--ipv4", "none", "--ipv6", &source, HOST]);
    assert_eq!(run.code, 3, "{run:?}");
    let line = run.one_error_line();
    assert!(line.contains("no usable IPv6 address on wan0"), "{line}");
    assert!(line.contains("fd00:1::5 unique local"), "{line}");
    assert!(line.contains("fe80::1 link-local"), "{line}");
    assert_eq!(lab.fx.mock.count(), 0, "nothing may be sent");

    let run = lab.run(&["--ipv4", "none", "--ipv6", &source, "--allow-ula", HOST]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(lab.param("ipv6").as_deref(), Some("fd00:1::5"));

    // A global address wins over the allowed ULA.
    lab.ns.add("2001:db8:2::9/64", &["nodad"]);
    let run = lab.run(&["--ipv4", "none", "--ipv6", &source, "--allow-ula", HOST]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(lab.param("ipv6").as_deref(), Some("2001:db8:2::9"));
}

#[test]
fn private_cgnat_and_link_local_ipv4_only_with_allow_private() {
    let lab = Lab::new("v4priv");
    lab.ns.add("100.64.0.2/10", &[]);
    lab.ns.add("169.254.1.2/16", &[]);
    lab.ns.add("10.0.0.2/24", &[]);
    let run = lab.run(&["-i", LINK, "--ipv4", "if", "--ipv6", "none", HOST]);
    assert_eq!(run.code, 3, "{run:?}");
    let line = run.one_error_line();
    for want in [
        "no usable IPv4 address on wan0",
        "100.64.0.2 shared address space",
        "169.254.1.2 link-local",
        "10.0.0.2 private",
    ] {
        assert!(line.contains(want), "{want}: {line}");
    }
    assert_eq!(lab.fx.mock.count(), 0);

    let run = lab.run(&[
        "-i",
        LINK,
        "--ipv4",
        "if",
        "--ipv6",
        "none",
        "--allow-private",
        HOST,
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(lab.param("ipv4").as_deref(), Some("10.0.0.2"));
}

#[test]
fn public_ipv4_is_picked_primary_before_secondary() {
    let lab = Lab::new("v4pub");
    lab.ns.add("10.0.0.2/24", &[]);
    lab.ns.add("203.0.113.9/24", &[]);
    // Same subnet: the kernel makes this one secondary, lower though it is.
    lab.ns.add("203.0.113.5/24", &[]);
    let run = lab.run(&["--ipv4", "if:wan0", HOST]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout, format!("{HOST}: updated A 203.0.113.9\n"));
    assert_eq!(lab.param("ipv4").as_deref(), Some("203.0.113.9"));
    let show = lab.show(&["-i", LINK, "--allow-private"]);
    let out = &show.stdout;
    assert!(
        verdict_for(out, "203.0.113.5").contains("primary before secondary"),
        "{out}"
    );
    assert!(
        verdict_for(out, "10.0.0.2").contains("public before private"),
        "{out}"
    );
    assert!(out.contains("flags secondary"), "{out}");
}

#[test]
fn no_address_at_all_exits_3_and_sends_nothing() {
    let lab = Lab::new("empty");
    let run = lab.run(&["-i", LINK, "--ipv4", "if", "--ipv6", "if", HOST]);
    assert_eq!(run.code, 3, "{run:?}");
    assert_eq!(
        run.one_error_line(),
        "dynup: no usable IPv4 address on wan0: it has no IPv4 address"
    );
    // A misspelt interface is a usage error naming those that exist.
    let run = lab.run(&["--ipv4", "if:nosuch0", HOST]);
    assert_eq!(run.code, 2, "{run:?}");
    let line = run.one_error_line();
    assert!(
        line.contains("there is no interface nosuch0 on this host (it has: lo, "),
        "{line}"
    );
    assert!(line.contains("wan0"), "{line}");
    // The default with -i: nothing on the interface and no check-IP server
    // that answers (a port nothing listens on) leaves nothing to publish.
    let run = lab.run_env(
        &["-i", LINK, HOST],
        &[("DYNUP_CHECKIP", "http://127.0.0.1:9/")],
    );
    assert_eq!(run.code, 3, "{run:?}");
    assert!(
        run.one_error_line().contains("no usable address"),
        "{run:?}"
    );
    assert_eq!(lab.fx.mock.count(), 0);
    assert!(
        lab.fx.state_files().is_empty(),
        "no state for a run that sent nothing"
    );

    let show = lab.show(&["-i", LINK]);
    assert_eq!(show.code, 3, "{show:?}");
    assert!(show.stdout.contains("  no addresses\n"), "{show:?}");
    assert_eq!(show.one_error_line(), "dynup: no usable address on wan0");
    let show = lab.show(&["-i", "nosuch0"]);
    assert_eq!(show.code, 2, "{show:?}");
}

#[test]
fn default_with_interface_takes_ipv4_from_the_web_when_the_interface_is_private() {
    let lab = Lab::new("default");
    lab.ns.add("10.0.0.2/24", &[]);
    lab.ns.add("2001:db8:1::30/64", &["nodad"]);
    let checkip = lab.ns.inside(Mock::http);
    checkip.default_reply(Reply::ok("203.0.113.77\n"));
    let url = format!("{}/", checkip.url());
    let run = lab.run_env(&["-i", LINK, HOST], &[("DYNUP_CHECKIP", &url)]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stdout,
        format!("{HOST}: updated A 203.0.113.77 AAAA 2001:db8:1::30\n")
    );
    assert_eq!(checkip.count(), 1);
    assert_eq!(lab.param("ipv4").as_deref(), Some("203.0.113.77"));
    assert_eq!(lab.param("ipv6").as_deref(), Some("2001:db8:1::30"));

    // A public address on the interface: no web check at all.
    lab.ns.add("198.51.100.4/24", &[]);
    let run = lab.run_env(&["-i", LINK, HOST], &[("DYNUP_CHECKIP", &url)]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(checkip.count(), 1);
    assert_eq!(lab.param("ipv4").as_deref(), Some("198.51.100.4"));
}

#[test]
fn default_with_interface_leaves_out_ipv6_the_interface_lacks() {
    let lab = Lab::new("nov6");
    lab.ns.add("203.0.113.9/24", &[]);
    lab.ns.add("fe80::1/64", &["nodad"]);
    let run = lab.run(&["-i", LINK, HOST]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout, format!("{HOST}: updated A 203.0.113.9\n"));
    assert_eq!(lab.param("ipv6"), None);
    assert!(
        run.stderr
            .contains("no usable IPv6 address on wan0: fe80::1 link-local; IPv6 left out"),
        "{run:?}"
    );
    // Said only as a warning: -q keeps cron quiet.
    let run = lab.run(&["-q", "-f", "-i", LINK, HOST]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""), "{run:?}");
}

#[test]
fn dyndns_server_sends_nothing_rather_than_delete_a_family_the_default_missed() {
    // That server deletes the record of a family not sent: with IPv6 missing on the
    // interface, sending the A alone would delete the host's AAAA record.
    let lab = Lab::new("dsrv");
    lab.ns.add("203.0.113.9/24", &[]);
    let password = lab.fx.password_file.display().to_string();
    let argv = [
        "-p",
        "dyndns-server",
        "--password-file",
        &password,
        "-i",
        LINK,
        HOST,
    ];
    let run = run_clean(&mut lab.ns.wrap(&lab.fx.cmd(&argv)));
    assert_eq!(run.code, 3, "{run:?}");
    assert!(
        run.stderr
            .contains("only an A address was found, so nothing is sent rather than deleting"),
        "{run:?}"
    );
    assert_eq!(lab.fx.mock.count(), 0, "nothing may reach the server");
}

#[test]
fn host_id_goes_with_the_interface_prefix() {
    let lab = Lab::new("hostid");
    lab.ns
        .add("2001:db8:1:2:aaaa:bbbb:cccc:dddd/64", &["nodad"]);
    let run = lab.run(&[
        "--ipv4",
        "none",
        "--ipv6",
        "if:wan0",
        "--ipv6-host-id",
        "::1234",
        HOST,
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(lab.param("ipv6").as_deref(), Some("2001:db8:1:2::1234"));
    let show = lab.show(&["-i", LINK, "--ipv6-host-id", "::1234"]);
    assert!(
        show.stdout
            .contains("with --ipv6-host-id 2001:db8:1:2::1234"),
        "{show:?}"
    );
}

#[test]
fn prefix_from_the_interface() {
    let lab = Lab::new("prefix");
    lab.ns.add("2001:db8:5:6::1/56", &["nodad"]);
    let run = lab.run(&[
        "-i",
        LINK,
        "--ipv4",
        "none",
        "--ipv6",
        "none",
        "--ipv6-prefix",
        "if",
        HOST,
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(lab.param("ipv6prefix").as_deref(), Some("2001:db8:5::/56"));
    assert_eq!(lab.param("ipv6"), None);

    // A /128 has no prefix to give.
    let lab = Lab::new("prefix128");
    lab.ns.add("2001:db8:5:6::1/128", &["nodad"]);
    let run = lab.run(&["--ipv4", "none", "--ipv6-prefix", "if:wan0", HOST]);
    assert_eq!(run.code, 3, "{run:?}");
    assert!(run.one_error_line().contains("/128"), "{run:?}");
    assert_eq!(lab.fx.mock.count(), 0);
}

#[test]
fn the_state_compares_the_address_found() {
    let lab = Lab::new("state");
    lab.ns.add("2001:db8:1::30/64", &["nodad"]);
    let argv = ["--ipv4", "none", "--ipv6", "if:wan0", HOST];
    assert_eq!(lab.run(&argv).code, 0);
    assert!(lab.fx.state_text().contains("ipv6 2001:db8:1::30 "));
    // Unchanged on the interface: nothing sent.
    let run = lab.run(&argv);
    assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{run:?}");
    assert_eq!(lab.fx.mock.count(), 1);
    // The prefix moved: the new address is sent.
    lab.ns
        .ip(&["addr", "del", "2001:db8:1::30/64", "dev", LINK]);
    lab.ns.add("2001:db8:9::30/64", &["nodad"]);
    let run = lab.run(&argv);
    assert_eq!(run.stdout, format!("{HOST}: updated AAAA 2001:db8:9::30\n"));
    assert_eq!(lab.fx.mock.count(), 2);
}

#[test]
fn dadfailed_is_never_published() {
    let (ns, other) = Netns::linked("dad");
    // The peer holds the address first; wan0's duplicate address detection fails.
    other.ip(&[
        "addr",
        "add",
        "2001:db8:7::1/64",
        "dev",
        support::netns::PEER,
        "nodad",
    ]);
    let lab = Lab::in_namespace(ns);
    lab.ns.add("2001:db8:7::1/64", &[]);
    assert!(
        lab.ns
            .wait_for_addr_text("dadfailed", Duration::from_secs(10)),
        "the kernel never marked the duplicate"
    );
    let run = lab.run(&["--ipv4", "none", "--ipv6", "if:wan0", HOST]);
    assert_eq!(run.code, 3, "{run:?}");
    assert!(
        run.one_error_line()
            .contains("2001:db8:7::1 duplicate address detection failed"),
        "{run:?}"
    );
    assert_eq!(lab.fx.mock.count(), 0);
}

#[test]
fn a_tentative_address_is_waited_for_until_dad_ends() {
    // Both ends up: the kernel really runs duplicate address detection, one
    // probe 2 s long (after a random delay of up to 1 s), as on a router whose
    // hotplug runs dynup for a new address.
    let (ns, _peer) = Netns::linked("dadwait");
    ns.inside(|| {
        std::fs::write(
            format!("/proc/sys/net/ipv6/neigh/{LINK}/retrans_time_ms"),
            "2000",
        )
    })
    .expect("set retrans_time_ms");
    ns.sysctl_ipv6("dad_transmits", "1");
    let lab = Lab::in_namespace(ns);
    lab.ns.add("2001:db8:7::5/64", &[]);
    assert!(
        lab.ns.addr_text().contains("tentative"),
        "{}",
        lab.ns.addr_text()
    );
    let run = lab.run(&["-v", "--ipv4", "none", "--ipv6", "if:wan0", HOST]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stderr
            .contains("waiting up to 5s for duplicate address detection"),
        "{run:?}"
    );
    assert_eq!(lab.param("ipv6").as_deref(), Some("2001:db8:7::5"));
    let text = lab.ns.addr_text();
    let line = text.lines().find(|l| l.contains("2001:db8:7::5/64"));
    assert!(line.is_some_and(|l| !l.contains("tentative")), "{text}");
}

#[test]
fn without_carrier_a_tentative_address_is_not_waited_for() {
    // No carrier: the kernel holds DAD back until there is one; waiting is useless.
    let lab = Lab::new("dadnocarrier");
    lab.ns.add("2001:db8:7::6/64", &[]);
    let run = lab.run(&["-v", "--ipv4", "none", "--ipv6", "if:wan0", HOST]);
    assert_eq!(run.code, 3, "{run:?}");
    assert!(run.stderr.contains("no carrier"), "{run:?}");
    assert!(!run.stderr.contains("waiting up to"), "{run:?}");
    assert!(
        run.stderr
            .contains("2001:db8:7::6 tentative: duplicate address detection still running"),
        "{run:?}"
    );
    assert_eq!(lab.fx.mock.count(), 0);
}

#[test]
fn a_temporary_address_the_kernel_made_loses_to_the_stable_one() {
    let (ns, _peer) = Netns::linked("temp");
    // Privacy addresses: the kernel derives temporaries from a mngtmpaddr address.
    ns.sysctl_ipv6("use_tempaddr", "2");
    let lab = Lab::in_namespace(ns);
    // A high interface identifier, so that "lowest address" alone would not pick it.
    let stable = "2001:db8:1:0:ffff:ffff:ffff:fff0";
    lab.ns.add(
        &format!("{stable}/64"),
        &[
            "nodad",
            "mngtmpaddr",
            "valid_lft",
            "86400",
            "preferred_lft",
            "14400",
        ],
    );
    let made = wait_until(Duration::from_secs(15), || {
        lab.ns
            .addr_text()
            .lines()
            .any(|l| l.contains(" temporary ") && !l.contains("tentative"))
    });
    assert!(made, "no usable temporary address:\n{}", lab.ns.addr_text());
    let run = lab.run(&["--ipv4", "none", "--ipv6", "if:wan0", HOST]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(lab.param("ipv6").as_deref(), Some(stable));
    let show = lab.show(&["-i", LINK]).stdout;
    let temporary = show
        .lines()
        .find(|l| l.contains("flags temporary"))
        .and_then(|l| l.trim().split('/').next())
        .unwrap_or_else(|| panic!("no temporary shown:\n{show}"))
        .to_string();
    assert!(
        verdict_for(&show, &temporary).contains("stable before temporary"),
        "{show}"
    );
}

#[test]
fn a_namespace_is_removed_even_when_its_test_fails() {
    let name = std::sync::Mutex::new(String::new());
    let result = std::panic::catch_unwind(|| {
        let ns = Netns::with_link("fail");
        ns.add("2001:db8:1::1/64", &["nodad"]);
        *name.lock().unwrap_or_else(|e| e.into_inner()) = ns.name.clone();
        panic!("deliberate panic: the namespace must still be removed");
    });
    assert!(result.is_err());
    let name = name.into_inner().unwrap_or_else(|e| e.into_inner());
    assert!(name.starts_with("dynup-test-fail-"), "{name}");
    assert!(!std::path::Path::new(&format!("/var/run/netns/{name}")).exists());
}
