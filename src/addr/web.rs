//! The public address as a check-IP server sees it: one GET on a connection
//! forced to the family asked for, a small answer, and the first address of
//! that family found in it (plain text, `<ipv4>1.2.3.4</ipv4>`, or HTML such as
//! `Current IP Address: 1.2.3.4`).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

use super::select::{self, Rules};
use crate::exit::{Exit, Failure};
use crate::http::{self, Client, Family, MAX_ANSWER};
use crate::output::Out;
use crate::provider::{Publish, Request};

/// Each server gets at most this long (or `--timeout`, when shorter), so that a
/// dead one costs little before the next is tried.
pub const CHECK_TIMEOUT: Duration = Duration::from_secs(5);

/// Built-in IPv4 check-IP servers, tried in order. HTTPS where the service offers it.
pub const IPV4_SERVERS: [&str; 4] = [
    // ddclient's "ipify-ipv4"; also in OPNsense's dyndns check-IP list.
    "https://api.ipify.org/",
    // dyndns-update-script.sh's first choice (there over http; ident.me serves https).
    "https://v4.ident.me/",
    // dyndns-update-script.sh's fallback; dual-stack name, the forced family decides.
    "https://icanhazip.com/",
    // ddclient's and inadyn's long-standing default; http only, HTML answer.
    "http://checkip.dyndns.org/",
];

/// Built-in IPv6 check-IP servers, tried in order.
pub const IPV6_SERVERS: [&str; 4] = [
    // ddclient's "ipify-ipv6".
    "https://api6.ipify.org/",
    // dyndns-update-script.sh's IPv6 fallback.
    "https://v6.ident.me/",
    "https://icanhazip.com/",
    // ddclient's and inadyn's "nsupdate.info-ipv6".
    "https://ipv6.nsupdate.info/myip",
];

/// Checks a `web:URL` value: an http(s) URL without spaces or control characters.
pub fn check_url(url: &str, flag: &str) -> Result<(), Failure> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    let ok = rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/'))
        && url.len() <= 2048
        && url.bytes().all(|b| b.is_ascii_graphic());
    if ok {
        Ok(())
    } else {
        Err(Failure::usage(format!(
            "{flag}: web:URL needs an http:// or https:// URL, got '{url}'"
        )))
    }
}

/// The address for the family of `v6` from the first of `urls` that gives a
/// usable one; exit 3 naming the last failure when none does.
pub fn lookup(
    urls: &[&str],
    v6: bool,
    settings: &http::Settings,
    rules: Rules,
    out: &Out,
) -> Result<IpAddr, Failure> {
    let family = if v6 { "IPv6" } else { "IPv4" };
    let mut last = String::from("no check-IP server to ask");
    for url in urls {
        match ask(url, v6, settings, rules) {
            Ok(addr) => {
                out.detail(&format!("{family} from {url}: {addr}"));
                return Ok(addr);
            }
            Err(why) => {
                out.detail(&format!("{family} from {url}: {why}"));
                last = format!("{url}: {why}");
            }
        }
    }
    let message = if urls.len() == 1 {
        format!("no usable {family} address from {last}")
    } else {
        format!(
            "no usable {family} address from the web (tried {} check-IP servers); last: {last}",
            urls.len()
        )
    };
    Err(Failure::new(Exit::NoAddress, message))
}

/// One server: fetch, find, judge.
fn ask(url: &str, v6: bool, base: &http::Settings, rules: Rules) -> Result<IpAddr, String> {
    let settings = http::Settings {
        user_agent: base.user_agent.clone(),
        timeout: base.timeout.min(CHECK_TIMEOUT),
        cacert: base.cacert.as_ref().map(|bundle| http::CaBundle {
            certs: bundle.certs.clone(),
        }),
        bind: base.bind.clone(),
        family: base.family,
    };
    let request = Request {
        url: url.to_string(),
        shown_url: url.to_string(),
        basic_auth: None,
        family: if v6 { Family::V6 } else { Family::V4 },
        hosts: Vec::new(),
        publish: Publish::default(),
    };
    let answer = Client::new(&settings)
        .send(&request)
        .map_err(|failure| failure.message)?;
    if answer.status != 200 {
        return Err(format!("HTTP {}", answer.status));
    }
    if answer.body.len() >= MAX_ANSWER {
        return Err(format!(
            "an answer of {MAX_ANSWER} bytes or more is no check-IP page"
        ));
    }
    let addr = find_address(&answer.body, v6)?;
    select::classify(addr, rules).map_err(|reject| format!("{addr}: {}", reject.text()))?;
    Ok(addr)
}

/// The first address of the family of `v6` in `body`.
pub fn find_address(body: &str, v6: bool) -> Result<IpAddr, String> {
    let mut other = None;
    let tokens = body.split(|c: char| !(c.is_ascii_hexdigit() || c == ':' || c == '.'));
    for token in tokens.map(trim_token).filter(|t| t.len() >= 2) {
        if let Ok(v4) = token.parse::<Ipv4Addr>() {
            if !v6 {
                return Ok(IpAddr::V4(v4));
            }
            other.get_or_insert(IpAddr::V4(v4));
        } else if let Ok(addr) = token.parse::<Ipv6Addr>() {
            if v6 {
                return Ok(IpAddr::V6(addr));
            }
            other.get_or_insert(IpAddr::V6(addr));
        }
    }
    let family = if v6 { "IPv6" } else { "IPv4" };
    Err(match other {
        Some(addr) => format!("answered {addr}, not an {family} address"),
        None => format!(
            "no {family} address in the answer \"{}\"",
            crate::provider::excerpt(body)
        ),
    })
}

/// Drops the punctuation a sentence or a label leaves on an address:
/// `Address:1.2.3.4.` gives `1.2.3.4`; `::1` and `2001:db8::` keep their colons.
fn trim_token(token: &str) -> &str {
    let token = if token.starts_with("::") {
        token
    } else {
        token.trim_start_matches(':')
    };
    let token = token.trim_end_matches('.');
    if token.ends_with("::") {
        token
    } else {
        token.trim_end_matches(':')
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(body: &str, v6: bool) -> Option<String> {
        find_address(body, v6).ok().map(|a| a.to_string())
    }

    #[test]
    fn every_body_form() {
        let v4 = [
            "203.0.113.7",
            "203.0.113.7\n",
            "<ipv4>203.0.113.7</ipv4>",
            "<html><head><title>Current IP Check</title></head><body>Current IP Address: 203.0.113.7</body></html>\r\n",
            "ip=203.0.113.7\nts=1700000000\n",
            "Address:203.0.113.7.",
            "{\"ip\":\"203.0.113.7\"}",
        ];
        for body in v4 {
            assert_eq!(found(body, false).as_deref(), Some("203.0.113.7"), "{body}");
        }
        let v6 = [
            "2001:db8::7",
            "<ipv6>2000:a:b:c::72</ipv6>",
            "Current IP Address: 2001:db8:0:1::7",
            "Address:2001:db8::7.",
            "your address: 2001:db8:1::",
        ];
        let want = [
            "2001:db8::7",
            "2000:a:b:c::72",
            "2001:db8:0:1::7",
            "2001:db8::7",
            "2001:db8:1::",
        ];
        for (body, want) in v6.iter().zip(want) {
            assert_eq!(found(body, true).as_deref(), Some(want), "{body}");
        }
    }

    #[test]
    fn the_first_of_the_family_asked_for() {
        let body = "seen 2001:db8::5 and 198.51.100.1 then 203.0.113.7";
        assert_eq!(found(body, false).as_deref(), Some("198.51.100.1"));
        assert_eq!(found(body, true).as_deref(), Some("2001:db8::5"));
    }

    #[test]
    fn wrong_family_invalid_and_garbage_are_refused() {
        let wrong = find_address("2001:db8::1", false).err().unwrap_or_default();
        assert!(
            wrong.contains("2001:db8::1") && wrong.contains("not an IPv4"),
            "{wrong}"
        );
        let wrong = find_address("<ipv4>203.0.113.7</ipv4>", true)
            .err()
            .unwrap_or_default();
        assert!(wrong.contains("not an IPv6"), "{wrong}");
        for body in [
            "",
            "garbage",
            "300.1.2.3",
            "1.2.3",
            "1.2.3.4.5",
            "01.2.3.4",
            "2001:db8:::1",
            "12345::1",
            "deadbeef",
            "\u{0}\u{1}\u{ff}",
        ] {
            assert!(find_address(body, false).is_err(), "{body}");
            assert!(find_address(body, true).is_err(), "{body}");
        }
    }

    #[test]
    fn urls_are_checked() {
        assert!(check_url("https://checkip.example/", "--ipv4").is_ok());
        assert!(check_url("http://127.0.0.1:8080/ip?x=1", "--ipv4").is_ok());
        for bad in [
            "",
            "ftp://x",
            "https://",
            "https:///x",
            "http://a b",
            "checkip.example",
        ] {
            let err = check_url(bad, "--ipv6").err().map(|f| f.message);
            assert!(err.is_some_and(|m| m.contains("--ipv6")), "{bad}");
        }
    }

    #[test]
    fn the_built_in_lists_are_http_urls() {
        for url in IPV4_SERVERS.iter().chain(&IPV6_SERVERS) {
            assert!(check_url(url, "built-in").is_ok(), "{url}");
        }
    }
}
