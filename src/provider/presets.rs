//! The named providers: who speaks which protocol where, with which credentials.
//!
//! Every preset names its source next to it: the provider's own documentation or a
//! widely used client (ddclient, inadyn, OpenWRT's ddns-scripts service list).
//! What no source confirmed is marked "unconfirmed".

use super::Protocol;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Credentials {
    /// A token alone.
    Token,
    /// User name and password.
    UserPassword,
    /// The token is sent as the Basic-auth password; the user name is not checked.
    TokenAsPassword { default_user: &'static str },
    /// A token or password as the Basic-auth password, the host name as the user
    /// (unless `--user` names another): one host per request.
    HostAsUser,
    /// A shared secret from `--password-file`/`DYNUP_PASSWORD` (dyndns-server).
    Password,
    /// Whatever the URL template asks for: `--user`, a password, a token, or none.
    Template,
    /// A TSIG key (algorithm, name, secret) from a key file or the environment.
    TsigKey,
    /// An API token; or, with `--user E-MAIL`, a legacy global key as the password
    /// (Cloudflare).
    TokenOrUserKey,
    /// An API key (the token) and its secret (the password): Porkbun, GoDaddy.
    KeySecret,
    /// An account (`--user`), an API key (the token) and its password: netcup.
    UserKeySecret,
    /// An account (`--user`) and its RSA private key (PEM, or a service account's
    /// JSON key), read whole as the password: transip, gcp.
    UserRsaKey,
}

/// How a dyndns2-style server takes the addresses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddrParams {
    /// `myip=v4,v6`: both families in one parameter (No-IP).
    Combined,
    /// One parameter per family; `keep` is the value that leaves a family alone,
    /// sent for a family this request does not carry.
    Separate {
        v4: &'static str,
        v6: &'static str,
        keep: Option<&'static str>,
    },
    /// `myip` with one family per request.
    PerFamily,
}

/// Where the credentials go on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Auth {
    /// HTTP Basic auth.
    Basic,
    /// Query parameters, as the provider's own client examples do.
    Query {
        user: &'static str,
        password: &'static str,
    },
}

/// A named provider: its protocol, its endpoints, and what it can publish.
#[derive(Clone, Copy, Debug)]
pub struct Preset {
    pub name: &'static str,
    pub protocol: Protocol,
    /// Host of the HTTPS endpoint; `None` when the user must give `--server` (or `--url`).
    pub host: Option<&'static str>,
    /// Hosts that resolve to one family only, for `auto` values.
    pub auto_hosts: Option<(&'static str, &'static str)>,
    /// Request path (dyndns2 family).
    pub path: &'static str,
    pub credentials: Credentials,
    pub auth: Auth,
    pub addr_params: AddrParams,
    /// Parameters every request carries (OVH's `system=dyndns`).
    pub fixed_params: &'static [(&'static str, &'static str)],
    pub ipv6: bool,
    /// Whether the provider can take an IPv6 address from the connection.
    pub ipv6_auto: bool,
    pub ipv6_prefix: bool,
    /// What the credentials are, for `--list-providers`.
    pub secret_note: &'static str,
}

/// The defaults of a dyndns2 preset; each preset overrides what differs.
const DYNDNS2: Preset = Preset {
    name: "dyndns2",
    protocol: Protocol::Dyndns2,
    host: None,
    auto_hosts: None,
    path: "/nic/update",
    credentials: Credentials::UserPassword,
    auth: Auth::Basic,
    addr_params: AddrParams::Combined,
    fixed_params: &[],
    ipv6: true,
    ipv6_auto: true,
    ipv6_prefix: false,
    secret_note: "--user + password",
};

mod api_rows;
mod update_rows;

/// Every preset: the update protocols' rows, then the API providers' (the order
/// `--list-providers` prints).
pub static PRESETS: &[Preset] = &ALL_ROWS;

const ALL_ROWS: [Preset; update_rows::ROWS.len() + api_rows::ROWS.len()] =
    concat(update_rows::ROWS, api_rows::ROWS);

/// `first` then `second` in one array, built at compile time.
const fn concat<const N: usize>(first: &[Preset], second: &[Preset]) -> [Preset; N] {
    assert!(N == first.len() + second.len());
    let mut all = [DYNDNS2; N];
    let mut i = 0;
    while i < N {
        all[i] = if i < first.len() {
            first[i]
        } else {
            second[i - first.len()]
        };
        i += 1;
    }
    all
}

pub fn preset(name: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.name == name)
}

impl Preset {
    /// The protocol's name as `--list-providers` shows it.
    pub fn protocol_name(&self) -> &'static str {
        match self.protocol {
            Protocol::Dynv6 => "dynv6",
            Protocol::Dyndns2 => "dyndns2",
            Protocol::DyndnsServer => "dyndns-server",
            Protocol::Template => "template",
            Protocol::Duckdns => "duckdns",
            Protocol::Freedns => "freedns",
            Protocol::Rfc2136 { .. } => "rfc2136",
            Protocol::Api(api) => api.protocol_name(),
        }
    }

    /// Where requests go, for `--list-providers`.
    pub fn endpoint(&self) -> String {
        match (self.protocol, self.host) {
            (Protocol::Template, _) => "--url TEMPLATE".to_string(),
            (Protocol::Rfc2136 { .. }, Some(host)) => format!("dns://{host}:53"),
            (Protocol::Rfc2136 { .. }, None) => "--server HOST[:PORT]".to_string(),
            (_, Some(host)) => format!("https://{host}{}", self.path),
            (_, None) => format!("--server URL ({})", self.path),
        }
    }
}

/// The table `dynup --list-providers` prints: name, protocol and endpoint on
/// one line, the credentials below, wrapped so that no line passes 80 columns.
pub fn table_text() -> String {
    const WIDTH: usize = 80;
    let name_w = PRESETS.iter().map(|p| p.name.len()).max().unwrap_or(4) + 2;
    let proto_w = PRESETS
        .iter()
        .map(|p| p.protocol_name().len())
        .max()
        .unwrap_or(8)
        + 2;
    let indent = " ".repeat(name_w + proto_w);
    let mut text = format!(
        "{:<name_w$}{:<proto_w$}ENDPOINT\n{indent}CREDENTIALS\n",
        "NAME", "PROTOCOL"
    );
    for p in PRESETS.iter() {
        let endpoint = p.endpoint();
        if indent.len() + endpoint.len() <= WIDTH {
            text.push_str(&format!(
                "{:<name_w$}{:<proto_w$}{endpoint}\n",
                p.name,
                p.protocol_name(),
            ));
        } else {
            // A long endpoint (netcup's) on a line of its own, to stay in 80 columns.
            text.push_str(&format!(
                "{:<name_w$}{}\n  {endpoint}\n",
                p.name,
                p.protocol_name(),
            ));
        }
        wrap_into(&mut text, &indent, p.secret_note, WIDTH);
        if let Some((_, domains, _)) = super::names::DOMAINS.iter().find(|d| d.0 == p.name) {
            let hosts = format!("without -p for hosts under {}", domains.join(" "));
            wrap_into(&mut text, &indent, &hosts, WIDTH);
        }
    }
    text
}

/// `words` as lines starting with `indent`, none wider than `width` (unless a
/// single word is).
fn wrap_into(text: &mut String, indent: &str, words: &str, width: usize) {
    let mut line = indent.to_string();
    for word in words.split(' ') {
        if line.len() > indent.len() && line.len() + 1 + word.len() > width {
            text.push_str(&line);
            text.push('\n');
            line = indent.to_string();
        }
        if line.len() > indent.len() {
            line.push(' ');
        }
        line.push_str(word);
    }
    text.push_str(&line);
    text.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_listed() {
        let table = table_text();
        for (i, p) in PRESETS.iter().enumerate() {
            assert!(
                PRESETS[i + 1..].iter().all(|q| q.name != p.name),
                "{}",
                p.name
            );
            assert!(table.contains(p.name), "{}", p.name);
        }
        for name in [
            "dynv6",
            "dynv6-nic",
            "noip",
            "dyn",
            "he.net",
            "desec",
            "duckdns",
            "freedns",
            "dnsomatic",
            "nsupdate.info",
            "dynu",
            "ovh",
            "inwx",
            "strato",
            "selfhost",
            "spdyn",
            "ipv64",
        ] {
            assert!(preset(name).is_some_and(|p| p.host.is_some()), "{name}");
        }
    }
}
