//! How a section's update travels: through its `option proxy` only, and kept to
//! its family with `force_ipversion`.

use super::support::{self, *};
use super::{api_section, Ddns, NO_DNS};

/// `option proxy` (ddns-scripts' `[USER:PASSWORD@]HOST:PORT`): the update goes
/// through the HTTP proxy's CONNECT tunnel, with its credentials; a proxy the
/// environment carries is not used for a section without one; a malformed one
/// is refused naming the option.
#[test]
fn the_update_goes_through_the_sections_proxy_and_only_that_one() {
    use support::proxy::ConnectProxy;
    let fx = Fixture::https();
    fx.mock.reply(Reply::ok("good 203.0.113.7"));
    let proxy = ConnectProxy::start();
    let options = format!(
        "\toption domain 'h.example.org'\n\toption username 'user'\n\
         \toption password '{PASSWORD}'\n\toption proxy 'puser:ppass@127.0.0.1:{}'\n",
        proxy.port
    );
    let d = Ddns::with(fx, &api_section("via", "dyn.com", &options));
    let run = d.once_at_mock("via");
    assert_eq!(run.code, 0, "{run:?}");
    let mock_port = d.fx.mock.url().rsplit(':').next().unwrap().to_string();
    let tunnels = proxy.tunnels();
    assert_eq!(tunnels.len(), 1, "{tunnels:?}");
    assert_eq!(tunnels[0].target, format!("localhost:{mock_port}"));
    // base64("puser:ppass")
    assert_eq!(
        tunnels[0].authorization.as_deref(),
        Some("Basic cHVzZXI6cHBhc3M=")
    );
    assert_eq!(d.fx.mock.requests().len(), 1);

    // Without the option, a proxy in the environment is bypassed.
    let fx = Fixture::https();
    fx.mock.reply(Reply::ok("good 203.0.113.7"));
    let stray = ConnectProxy::start();
    let options = format!(
        "\toption domain 'h.example.org'\n\toption username 'user'\n\
         \toption password '{PASSWORD}'\n"
    );
    let d = Ddns::with(fx, &api_section("direct", "dyn.com", &options));
    let url = d.fx.mock.url();
    let pem = d.fx.ca_pem.as_ref().unwrap().display().to_string();
    let mut cmd = d.cmd(&["--once", "direct", "--", "--server", &url, "--cacert", &pem]);
    cmd.env("ALL_PROXY", format!("http://127.0.0.1:{}", stray.port));
    let direct = support::run(&mut cmd);
    assert_eq!(direct.code, 0, "{direct:?}");
    assert_eq!(stray.tunnels(), Vec::new());
    assert_eq!(d.fx.mock.requests().len(), 1);

    for bad in ["http://127.0.0.1:3128", "127.0.0.1", "proxy:0"] {
        let d = Ddns::new(&api_section(
            "bad",
            "dyn.com",
            &format!("{options}\toption proxy '{bad}'\n"),
        ));
        let run = d.ddns(&["--check"]);
        assert_eq!(run.code, 2, "{bad}: {run:?}");
        assert!(
            run.stderr
                .contains("option proxy: expected [USER:PASSWORD@]HOST:PORT"),
            "{run:?}"
        );
    }
}

/// `force_ipversion 1` (ddns-scripts: curl -4/-6): the update keeps to the
/// section's family, so an IPv6 section cannot reach a server on 127.0.0.1
/// and reaches one on ::1; without it any family carries the request.
#[test]
fn force_ipversion_keeps_the_request_to_the_sections_family() {
    let v4 = Mock::http();
    let v6 = Mock::http_on("::1".parse().unwrap());
    let url_of =
        |mock: &Mock| format!("{}/up?h=[DOMAIN]&ip=[IP]", mock.url().trim_end_matches('/'));
    let section = |name: &str, url: &str, force: &str| {
        format!(
            "config service '{name}'\n\toption use_ipv6 '1'\n\toption force_ipversion '{force}'\n\
             \toption update_url '{url}'\n\toption domain 'h.example.org'\n\
             \toption ip_source 'script'\n\toption ip_script 'echo 2001:db8::7'\n\
             \toption dns_server '{NO_DNS}'\n"
        )
    };
    let d = Ddns::new(&format!(
        "{}{}{}",
        section("forced", &url_of(&v4), "1"),
        section("free", &url_of(&v4), "0"),
        section("over6", &url_of(&v6), "1"),
    ));
    let forced = d.ddns(&["--once", "forced"]);
    assert_eq!(forced.code, 4, "{forced:?}");
    assert!(
        forced.stderr.contains("IPv6") && forced.stderr.contains("no IPv6 address"),
        "{forced:?}"
    );
    assert_eq!(v4.requests().len(), 0);
    let free = d.ddns(&["--once", "free"]);
    assert_eq!(free.code, 0, "{free:?}");
    assert_eq!(v4.requests().len(), 1);
    let over6 = d.ddns(&["--once", "over6"]);
    assert_eq!(over6.code, 0, "{over6:?}");
    assert_eq!(v6.requests()[0].param("ip"), Some("2001:db8::7"));
}
