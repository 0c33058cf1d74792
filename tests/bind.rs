//! `--bind IFACE` (multi-WAN): a client namespace with two uplinks to a server
//! namespace, the provider's address routed over the first by preference; each
//! job's requests must arrive from the address of the link it is bound to:
//! provider and check-IP requests over IPv4 and IPv6, DNS UPDATE over UDP and
//! TCP. Needs root and iproute2 (tests/deps.sh).

mod support;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, UdpSocket};
use std::time::Duration;

use support::netns::Netns;
use support::*;

/// The provider's address, on the server's loopback, and each uplink's.
const SERVICE4: Ipv4Addr = Ipv4Addr::new(10, 81, 9, 9);
const SERVICE6: &str = "2001:db8:81:9::9";
const UP1_4: &str = "10.81.1.2";
const UP2_4: &str = "10.81.2.2";
const UP1_6: &str = "2001:db8:81:1::2";
const UP2_6: &str = "2001:db8:81:2::2";

/// The client with `up1` and `up2`, and the server at their other ends.
struct Uplinks {
    client: Netns,
    server: Netns,
}

impl Uplinks {
    fn new(tag: &str) -> Uplinks {
        let client = Netns::new(tag);
        let server = Netns::new(tag);
        for n in ["1", "2"] {
            let (up, far) = (format!("up{n}"), format!("s{n}"));
            client.ip(&[
                "link",
                "add",
                &up,
                "type",
                "veth",
                "peer",
                "name",
                &far,
                "netns",
                &server.name,
            ]);
            client.ip(&["addr", "add", &format!("10.81.{n}.2/24"), "dev", &up]);
            server.ip(&["addr", "add", &format!("10.81.{n}.1/24"), "dev", &far]);
            let v6 = |host: &str| format!("2001:db8:81:{n}::{host}/64");
            client.ip(&["addr", "add", &v6("2"), "dev", &up, "nodad"]);
            server.ip(&["addr", "add", &v6("1"), "dev", &far, "nodad"]);
            client.ip(&["link", "set", &up, "up"]);
            server.ip(&["link", "set", &far, "up"]);
            // Both links reach the service; up1 is preferred (lower metric).
            let metric = if n == "1" { "10" } else { "20" };
            client.ip(&[
                "route",
                "add",
                &format!("{SERVICE4}/32"),
                "via",
                &format!("10.81.{n}.1"),
                "dev",
                &up,
                "metric",
                metric,
            ]);
            client.ip(&[
                "-6",
                "route",
                "add",
                &format!("{SERVICE6}/128"),
                "via",
                &format!("2001:db8:81:{n}::1"),
                "dev",
                &up,
                "metric",
                metric,
            ]);
        }
        server.ip(&["addr", "add", &format!("{SERVICE4}/32"), "dev", "lo"]);
        // nodad: else the address is tentative for a moment, and a mock that
        // binds to it at once is refused.
        server.ip(&[
            "addr",
            "add",
            &format!("{SERVICE6}/128"),
            "dev",
            "lo",
            "nodad",
        ]);
        Uplinks { client, server }
    }

    /// A provider mock listening on the service address `ip` in the server.
    fn mock(&self, ip: IpAddr) -> Fixture {
        let mock = self.server.inside(|| Mock::http_on(ip));
        mock.default_reply(Reply::ok("addresses updated"));
        Fixture::with(mock, None)
    }

    /// dynup (dynv6 protocol, against `fx`) run in the client.
    fn run(&self, fx: &Fixture, extra: &[&str]) -> Run {
        let argv = args(extra, &fx.token_args());
        let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
        run_clean(&mut self.client.wrap(&fx.cmd(&argv)))
    }
}

fn service6() -> IpAddr {
    IpAddr::V6(SERVICE6.parse::<Ipv6Addr>().expect("service address"))
}

fn peer_ip(fx: &Fixture, nth: usize) -> String {
    let requests = fx.mock.requests();
    let request = requests
        .get(nth)
        .unwrap_or_else(|| panic!("request {nth} missing: {requests:?}"));
    request.peer.ip().to_string()
}

#[test]
fn each_job_reaches_the_provider_over_its_own_link() {
    let lab = Uplinks::new("bind4");
    let fx = lab.mock(IpAddr::V4(SERVICE4));
    let fixed = ["--ipv4", "192.0.2.1"];

    let unbound = lab.run(&fx, &[&fixed[..], &["a.dynv6.net"]].concat());
    assert_eq!(unbound.code, 0, "{unbound:?}");
    assert_eq!(peer_ip(&fx, 0), UP1_4, "the preferred route without --bind");

    for (n, (link, source)) in [("up2", UP2_4), ("up1", UP1_4)].into_iter().enumerate() {
        let host = format!("{link}.dynv6.net");
        let run = lab.run(&fx, &[&fixed[..], &["--bind", link, &host]].concat());
        assert_eq!(run.code, 0, "{run:?}");
        assert_eq!(peer_ip(&fx, n + 1), source, "--bind {link}");
        assert_eq!(fx.mock.requests()[n + 1].param("zone"), Some(host.as_str()));
    }
}

#[test]
fn the_check_ip_request_leaves_by_the_bound_link_too() {
    let lab = Uplinks::new("bindweb");
    let fx = lab.mock(IpAddr::V4(SERVICE4));
    // The first request is the check-IP one, the second the update.
    fx.mock.reply(Reply::ok("203.0.113.77\n"));
    let web = format!("web:{}/ip", fx.mock.url());
    let run = lab.run(&fx, &["--bind", "up2", "--ipv4", &web, "w.dynv6.net"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(fx.mock.count(), 2, "{:?}", fx.mock.requests());
    assert_eq!(fx.mock.requests()[0].path, "/ip");
    assert_eq!(peer_ip(&fx, 0), UP2_4, "check-IP");
    assert_eq!(peer_ip(&fx, 1), UP2_4, "update");
    assert_eq!(
        fx.mock.requests()[1].param("ipv4"),
        Some("203.0.113.77"),
        "the address the check-IP server saw"
    );
}

#[test]
fn ipv6_leaves_from_the_bound_links_ipv6_address() {
    let lab = Uplinks::new("bind6");
    let fx = lab.mock(service6());
    for (n, (link, source)) in [("up2", UP2_6), ("up1", UP1_6)].into_iter().enumerate() {
        let host = format!("{link}.dynv6.net");
        let run = lab.run(
            &fx,
            &[
                "--ipv4",
                "none",
                "--ipv6",
                "2001:db8::7",
                "--bind",
                link,
                &host,
            ],
        );
        assert_eq!(run.code, 0, "{run:?}");
        assert_eq!(peer_ip(&fx, n), source, "--bind {link}");
    }

    // A link without an IPv6 address to send from: that request fails (exit 4),
    // it does not leave by another link.
    lab.client
        .ip(&["addr", "del", &format!("{UP2_6}/64"), "dev", "up2"]);
    let run = lab.run(
        &fx,
        &[
            "--ipv4",
            "none",
            "--ipv6",
            "2001:db8::7",
            "--bind",
            "up2",
            "x.dynv6.net",
        ],
    );
    assert_eq!(run.code, 4, "{run:?}");
    assert!(run.stderr.contains("up2 has no IPv6 address"), "{run:?}");
    assert_eq!(fx.mock.count(), 2);
}

#[test]
fn dns_update_over_udp_and_tcp_leaves_by_the_bound_link() {
    let lab = Uplinks::new("binddns");
    let service = SocketAddr::new(IpAddr::V4(SERVICE4), 0);
    // No answer comes: each exchange times out (exit 4), after its first packet
    // or connection showed where it came from.
    let udp = lab
        .server
        .inside(|| UdpSocket::bind(service).expect("udp in the server"));
    let tcp = lab
        .server
        .inside(|| TcpListener::bind(service).expect("tcp in the server"));
    let dir = TempDir::new("binddns");
    for (socket, extra) in [(0, &[][..]), (1, &["--tcp"][..])] {
        let port = if socket == 0 {
            udp.local_addr().map(|a| a.port())
        } else {
            tcp.local_addr().map(|a| a.port())
        }
        .expect("port");
        let mut cmd = dynup(&dir.join("cache"));
        cmd.env("DYNUP_TSIG_KEY", "hmac-sha256:k.example:c2VjcmV0c2VjcmV0")
            .args(["-p", "rfc2136", "--server", &format!("{SERVICE4}:{port}")])
            .args(["--ipv4", "192.0.2.1", "--timeout", "1", "--bind", "up2"])
            .args(extra)
            .arg("h.example.org");
        let run = run_clean(&mut lab.client.wrap(&cmd));
        assert_eq!(run.code, 4, "{run:?}");
        let from = if socket == 0 {
            udp.set_read_timeout(Some(Duration::from_secs(5)))
                .expect("timeout");
            let mut buf = [0u8; 1024];
            udp.recv_from(&mut buf).map(|(_, from)| from)
        } else {
            tcp.set_nonblocking(true).expect("nonblocking");
            tcp.accept().map(|(_, from)| from)
        };
        let from = from.expect("a packet from dynup");
        assert_eq!(from.ip().to_string(), UP2_4, "{extra:?}");
    }
}

#[test]
fn an_unknown_interface_is_refused_before_anything_is_sent() {
    let lab = Uplinks::new("bindbad");
    let fx = lab.mock(IpAddr::V4(SERVICE4));
    let web = format!("web:{}/ip", fx.mock.url());
    let run = lab.run(&fx, &["--ipv4", &web, "--bind", "wan9", "x.dynv6.net"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(run.stderr.lines().count(), 1, "{run:?}");
    assert!(
        run.stderr.contains("--bind") && run.stderr.contains("wan9"),
        "{run:?}"
    );
    assert_eq!(fx.mock.count(), 0);
}

#[test]
fn a_bound_connection_nobody_answers_times_out_within_the_timeout() {
    let lab = Uplinks::new("bindslow");
    // Routed over up2 to the server, which does not forward it: SYNs vanish.
    lab.client.ip(&[
        "route",
        "add",
        "10.81.9.10/32",
        "via",
        "10.81.2.1",
        "dev",
        "up2",
    ]);
    let fx = lab.mock(IpAddr::V4(SERVICE4));
    let started = std::time::Instant::now();
    let mut cmd = dynup(&fx.cache());
    cmd.args(["--server", "http://10.81.9.10:8080", "--timeout", "1"])
        .args(["--bind", "up2", "--ipv4", "192.0.2.1"])
        .args(fx.token_args())
        .arg("slow.dynv6.net");
    let run = run_clean(&mut lab.client.wrap(&cmd));
    assert_eq!(run.code, 4, "{run:?}");
    assert!(
        run.stderr.contains("10.81.9.10:8080") && run.stderr.contains("within 1s"),
        "{run:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}
