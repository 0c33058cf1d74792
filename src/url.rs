//! Provider endpoints and request URLs: the server base, query building with a
//! masked twin for display, percent-encoding.

use std::fmt;

use crate::exit::Failure;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    Http,
    Https,
    /// A DNS server (RFC 2136 UPDATE): `host[:port]`, no URL.
    Dns,
}

/// `scheme://host[:port]` of a provider.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Server {
    pub scheme: Scheme,
    /// As it goes in a URL: IPv6 literals keep their brackets.
    pub host: String,
    pub port: Option<u16>,
}

impl Server {
    /// Parses `--server`; `flag` names the source in errors.
    pub fn parse(text: &str, flag: &str) -> Result<Server, Failure> {
        let bad = |why: &str| Failure::usage(format!("{flag} '{text}': {why}"));
        let (scheme, rest) = if let Some(rest) = text.strip_prefix("https://") {
            (Scheme::Https, rest)
        } else if let Some(rest) = text.strip_prefix("http://") {
            (Scheme::Http, rest)
        } else {
            return Err(bad("expected https://host[:port] or http://host[:port]"));
        };
        let authority = rest.strip_suffix('/').unwrap_or(rest);
        if authority.contains(['/', '?', '#']) {
            return Err(bad("give scheme://host[:port] only, without a path"));
        }
        if authority.contains('@') {
            return Err(bad(
                "credentials do not belong in the URL; use --user and a password file",
            ));
        }
        if !authority.starts_with('[') && authority.matches(':').count() > 1 {
            return Err(bad(&bracket_hint(
                &text[..text.len() - rest.len()],
                authority,
            )));
        }
        let (host, port) = split_host_port(authority).ok_or_else(|| bad("bad host or port"))?;
        Ok(Server {
            scheme,
            host: host.to_ascii_lowercase(),
            port,
        })
    }

    /// Parses `--server HOST[:PORT]` for a DNS server: a name, an IPv4 address,
    /// an IPv6 address (bracketed when a port follows).
    pub fn parse_dns(text: &str, flag: &str) -> Result<Server, Failure> {
        let bad = |why: &str| Failure::usage(format!("{flag} '{text}': {why}"));
        if text.contains("://") {
            return Err(bad("a DNS server is given as HOST[:PORT], not a URL"));
        }
        let (host, port) = match text.parse::<std::net::Ipv6Addr>() {
            Ok(v6) => (format!("[{v6}]"), None),
            Err(_) => {
                let (host, port) =
                    split_host_port(text).ok_or_else(|| bad("expected HOST[:PORT]"))?;
                (host.to_ascii_lowercase(), port)
            }
        };
        Ok(Server {
            scheme: Scheme::Dns,
            host,
            port,
        })
    }

    /// A preset's DNS server.
    pub fn dns(host: &str) -> Server {
        Server {
            scheme: Scheme::Dns,
            host: host.to_string(),
            port: None,
        }
    }

    /// The preset's own server, for one of the constants in `provider`.
    pub fn https(host: &str) -> Server {
        Server {
            scheme: Scheme::Https,
            host: host.to_string(),
            port: None,
        }
    }
}

impl fmt::Display for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = match self.scheme {
            Scheme::Http => "http://",
            Scheme::Https => "https://",
            Scheme::Dns => "",
        };
        write!(f, "{scheme}{}", self.host)?;
        if let Some(port) = self.port {
            write!(f, ":{port}")?;
        }
        Ok(())
    }
}

/// An IPv6 address in a URL needs brackets (`::1:443` could be an address, or
/// an address and a port): the way to write what was probably meant.
fn bracket_hint(scheme: &str, authority: &str) -> String {
    let example = match authority.rsplit_once(':') {
        Some((addr, port))
            if addr.parse::<std::net::Ipv6Addr>().is_ok()
                && port.parse::<u32>().is_ok_and(|p| p <= 0xffff) =>
        {
            format!("[{addr}]:{port}")
        }
        _ => format!("[{authority}]"),
    };
    format!("an IPv6 address goes in brackets, as in {scheme}{example}")
}

fn split_host_port(authority: &str) -> Option<(&str, Option<u16>)> {
    let (host, port) = if authority.starts_with('[') {
        // [v6]:port
        let end = authority.find(']')?;
        let host = &authority[..=end];
        host[1..end].parse::<std::net::Ipv6Addr>().ok()?;
        match &authority[end + 1..] {
            "" => (host, None),
            rest => (host, Some(rest.strip_prefix(':')?)),
        }
    } else {
        match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    let host_ok = !host.is_empty()
        && (host.starts_with('[')
            || host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_'));
    if !host_ok {
        return None;
    }
    let port = match port {
        None => None,
        Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => {
            // u32's parser, linked anyway, rather than a u16 one of its own.
            let p = p.parse::<u32>().ok().and_then(|p| u16::try_from(p).ok());
            Some(p.filter(|&p| p != 0)?)
        }
        Some(_) => return None,
    };
    Some((host, port))
}

/// Percent-encodes all but RFC 3986's unreserved characters.
pub fn percent_encode(text: &str) -> String {
    encode_keeping(text, b"")
}

/// Percent-encodes a query value, keeping the characters that dyndns2 servers
/// expect literally in lists and addresses (`,` `:` `/`), all legal in a query.
pub fn encode_query_value(text: &str) -> String {
    encode_keeping(text, b",:/")
}

pub fn encode_keeping(text: &str, keep: &[u8]) -> String {
    let mut out = String::with_capacity(text.len());
    for &b in text.as_bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) || keep.contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A request URL built twice at once: the one sent, and the one shown with secrets masked.
pub struct UrlBuilder {
    sent: String,
    shown: String,
    has_query: bool,
}

impl UrlBuilder {
    pub fn new(server: &Server, path: &str) -> UrlBuilder {
        let base = format!("{server}{path}");
        UrlBuilder {
            sent: base.clone(),
            shown: base,
            has_query: false,
        }
    }

    fn separator(&mut self) -> char {
        let sep = if self.has_query { '&' } else { '?' };
        self.has_query = true;
        sep
    }

    pub fn param(mut self, name: &str, value: &str) -> UrlBuilder {
        let sep = self.separator();
        let pair = format!("{sep}{name}={}", encode_query_value(value));
        self.sent.push_str(&pair);
        self.shown.push_str(&pair);
        self
    }

    pub fn secret_param(mut self, name: &str, value: &str) -> UrlBuilder {
        let sep = self.separator();
        self.sent
            .push_str(&format!("{sep}{name}={}", encode_query_value(value)));
        self.shown.push_str(&format!("{sep}{name}=***"));
        self
    }

    /// Appends `/value` as one percent-encoded path segment (before any query);
    /// a `secret` segment shows as `***`.
    pub fn segment(mut self, value: &str, secret: bool) -> UrlBuilder {
        let encoded = percent_encode(value);
        self.sent.push('/');
        self.sent.push_str(&encoded);
        self.shown.push('/');
        self.shown.push_str(if secret { "***" } else { &encoded });
        self
    }

    /// A bare secret query item, as FreeDNS's `update.php?TOKEN`: encoded, but `=`
    /// (base64 padding) kept as written.
    pub fn secret_item(mut self, value: &str) -> UrlBuilder {
        let sep = self.separator();
        self.sent
            .push_str(&format!("{sep}{}", encode_keeping(value, b"=")));
        self.shown.push_str(&format!("{sep}***"));
        self
    }

    /// (sent, shown)
    pub fn build(self) -> (String, String) {
        (self.sent, self.shown)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn servers() {
        let s = Server::parse("https://Dynv6.com/", "--server").ok();
        assert_eq!(
            s.map(|s| s.to_string()),
            Some("https://dynv6.com".to_string())
        );
        let s = Server::parse("http://127.0.0.1:8245", "--server").ok();
        assert_eq!(s.and_then(|s| s.port), Some(8245));
        let s = Server::parse("https://[::1]:443", "--server").ok();
        assert_eq!(s.map(|s| s.host), Some("[::1]".to_string()));
        for bad in [
            "dynv6.com",
            "ftp://x",
            "https://",
            "https://x/nic/update",
            "https://x:0",
            "https://x:70000",
            "https://x:8a",
            "https://u:p@x",
            "https://[::1",
            "https://a b",
        ] {
            assert!(Server::parse(bad, "--server").is_err(), "{bad}");
        }
    }

    #[test]
    fn ipv6_without_brackets_is_explained() {
        let hint = |text: &str| Server::parse(text, "--server").err().map(|f| f.message);
        assert_eq!(
            hint("https://::1:443").as_deref(),
            Some("--server 'https://::1:443': an IPv6 address goes in brackets, as in https://[::1]:443")
        );
        assert!(
            hint("http://2001:db8::1").is_some_and(|m| m.ends_with("as in http://[2001:db8::1]"))
        );
        assert!(Server::parse("https://[::1]:443", "--server").is_ok());
    }

    #[test]
    fn dns_servers() {
        let shown = |text: &str| Server::parse_dns(text, "--server").map(|s| s.to_string());
        assert_eq!(
            shown("NS1.dynv6.com").ok().as_deref(),
            Some("ns1.dynv6.com")
        );
        assert_eq!(
            shown("127.0.0.1:5353").ok().as_deref(),
            Some("127.0.0.1:5353")
        );
        assert_eq!(shown("::1").ok().as_deref(), Some("[::1]"));
        assert_eq!(shown("[::1]:53").ok().as_deref(), Some("[::1]:53"));
        for bad in ["", "https://x", "x:0", "x:y", "a b", "[::1", "::1:53x"] {
            let err = shown(bad).err().map(|f| f.message).unwrap_or_default();
            assert!(err.starts_with("--server"), "{bad}: {err}");
        }
    }

    #[test]
    fn encoding() {
        assert_eq!(percent_encode("a b&c=d#é"), "a%20b%26c%3Dd%23%C3%A9");
        assert_eq!(encode_query_value("a.b,c:d/64"), "a.b,c:d/64");
    }

    #[test]
    fn shown_url_masks_secrets() {
        let server = Server::https("dynv6.com");
        let (sent, shown) = UrlBuilder::new(&server, "/api/update")
            .param("zone", "a.dynv6.net")
            .secret_param("token", "t&k")
            .build();
        assert_eq!(
            sent,
            "https://dynv6.com/api/update?zone=a.dynv6.net&token=t%26k"
        );
        assert_eq!(
            shown,
            "https://dynv6.com/api/update?zone=a.dynv6.net&token=***"
        );
    }
}
