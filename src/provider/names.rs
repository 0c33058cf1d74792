//! How a user names a provider: the preset names, the spellings people type for
//! them (`no-ip`, `he`), and the provider a host name's domain belongs to, so that
//! no credential goes to a provider the user did not choose.

use super::presets::{Preset, PRESETS};
use super::Credentials;

/// Other spellings of a preset's name, as people write them.
const ALIASES: &[(&str, &str)] = &[
    ("no-ip", "noip"),
    ("noip.com", "noip"),
    ("no-ip.com", "noip"),
    ("he", "he.net"),
    ("hurricane-electric", "he.net"),
    ("duck", "duckdns"),
    ("duckdns.org", "duckdns"),
    ("dynv6.com", "dynv6"),
    ("dedyn", "desec"),
    ("desec.io", "desec"),
    ("afraid", "freedns"),
    ("afraid.org", "freedns"),
    ("dyndns.org", "dyn"),
    ("dynu.com", "dynu"),
    ("ipv64.net", "ipv64"),
];

/// The domains whose hosts belong to one preset, each list with its source.
/// A host under one of them needs no `-p`; any other host does.
pub const DOMAINS: &[(&str, &[&str], &str)] = &[
    (
        "dynv6",
        &[
            "dynv6.net",
            "v6.rocks",
            "v6.army",
            "v6.navy",
            "dns.army",
            "dns.navy",
        ],
        // The domains dynv6.com offers when a zone is created (its zone form).
        "dynv6.com, the domain choices of a new zone",
    ),
    (
        "duckdns",
        &["duckdns.org"],
        "https://www.duckdns.org/spec.jsp",
    ),
    (
        "noip",
        &[
            "ddns.net",
            "hopto.org",
            "zapto.org",
            "sytes.net",
            "myftp.org",
            "myftp.biz",
            "servebeer.com",
            "serveblog.net",
            "servecounterstrike.com",
            "serveftp.com",
            "servegame.com",
            "servehalflife.com",
            "servehttp.com",
            "serveirc.com",
            "serveminecraft.net",
            "servemp3.com",
            "servepics.com",
            "servequake.com",
            "redirectme.net",
            "webhop.me",
            "no-ip.org",
            "no-ip.biz",
            "no-ip.info",
        ],
        // The "Free Domain" list of No-IP's Create Hostname form; that list
        // changes, so a host under a domain missing here just needs -p noip.
        "noip.com, Create Hostname's free domains (unconfirmed: the list changes)",
    ),
    (
        "desec",
        &["dedyn.io"],
        "https://desec.readthedocs.io/en/latest/dyndns/configure.html",
    ),
    (
        "nsupdate.info",
        &["nsupdate.info"],
        "https://www.nsupdate.info (its own free domain)",
    ),
    (
        "dynu",
        &["dynu.net", "dynu.com", "freeddns.org", "ddnsfree.com"],
        "dynu.com, Add DDNS service's domain list (unconfirmed)",
    ),
    (
        "spdyn",
        &["spdyn.de", "spdns.de", "spdns.eu", "spdns.org"],
        "OpenWRT ddns-scripts spdyn.de.json and spdyn.de's sign-up form (unconfirmed)",
    ),
    (
        "ipv64",
        &[
            "any64.de",
            "home64.de",
            "ipv64.net",
            "ipv64.de",
            "dynipv6.de",
        ],
        "https://ipv64.net/dyndns_helper (its domain list; unconfirmed)",
    ),
    (
        "selfhost",
        &["selfhost.eu", "selfhost.bz", "selfhost.co", "selfhost.me"],
        "selfhost.de's free domains (unconfirmed)",
    ),
    (
        "dyn",
        &["dyndns.org", "dyndns.info", "homeip.net", "dyndns-ip.com"],
        "Dyn's Remote Access domains, as ddclient's examples name them (unconfirmed)",
    ),
];

/// Presets that serve hosts under their own domains only (Duck DNS has no
/// custom domains): never likely for a host elsewhere.
const ONLY_OWN_DOMAINS: &[&str] = &["duckdns"];

/// The preset of a name or one of its aliases, any case.
pub fn lookup(name: &str) -> Option<&'static Preset> {
    let lower = name.to_ascii_lowercase();
    let name = ALIASES
        .iter()
        .find(|(alias, _)| *alias == lower)
        .map_or(lower.as_str(), |(_, preset)| preset);
    super::preset(name)
}

/// The preset whose domain `host` is under, if one is.
pub fn preset_of_host(host: &str) -> Option<&'static str> {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    DOMAINS.iter().find_map(|(preset, domains, _)| {
        domains
            .iter()
            .any(|d| host.ends_with(&format!(".{d}")))
            .then_some(*preset)
    })
}

/// The preset all `hosts` belong to by their domain; `Err` lists the likely
/// presets when they belong to none or to different ones.
pub fn preset_of_hosts(hosts: &[String], creds: Given) -> Result<&'static str, String> {
    let found: Vec<Option<&'static str>> = hosts.iter().map(|h| preset_of_host(h)).collect();
    if let Some(Some(first)) = found.first() {
        if found.iter().all(|f| *f == Some(first)) {
            return Ok(first);
        }
    }
    let mut likely: Vec<&str> = found.iter().flatten().copied().collect();
    if likely.is_empty() {
        likely = PRESETS
            .iter()
            .filter(|p| creds.suits(p) && p.host.is_some() && !ONLY_OWN_DOMAINS.contains(&p.name))
            .map(|p| p.name)
            .collect();
    }
    likely.dedup();
    Err(likely.join(", "))
}

/// Which kinds of credential a command line gave, to guess likely presets.
#[derive(Clone, Copy, Debug, Default)]
pub struct Given {
    pub user: bool,
    pub password: bool,
    pub token: bool,
    pub tsig: bool,
}

impl Given {
    fn suits(self, preset: &Preset) -> bool {
        match preset.credentials {
            Credentials::Token => self.token,
            Credentials::TokenAsPassword { .. } | Credentials::HostAsUser => {
                (self.token || self.password) && !self.user
            }
            Credentials::UserPassword => self.user || self.password,
            Credentials::Password | Credentials::Template => false,
            Credentials::TsigKey => self.tsig,
            Credentials::TokenOrUserKey => self.token || (self.user && self.password),
            Credentials::KeySecret => self.token && self.password,
            Credentials::UserKeySecret => self.user && self.token && self.password,
            Credentials::UserRsaKey => self.user && self.password && !self.token,
        }
    }
}

/// The known name closest to `typed` (a preset, or one of `candidates`), when
/// it is close enough to be a typo: at most two edits, less than half the word.
pub fn closest<'a>(typed: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let typed = typed.to_ascii_lowercase();
    candidates
        .map(|c| (edit_distance(&typed, c), c))
        .filter(|&(d, c)| d <= 2 && d * 2 < c.len().max(typed.len()))
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

/// The preset names and aliases, for "did you mean".
pub fn all_names() -> impl Iterator<Item = &'static str> {
    PRESETS
        .iter()
        .map(|p| p.name)
        .chain(ALIASES.iter().map(|(alias, _)| *alias))
}

/// Levenshtein distance over bytes (names are ASCII).
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, &ca) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_map_to_the_preset_of_their_domain() {
        assert_eq!(preset_of_host("myhome.dynv6.net"), Some("dynv6"));
        assert_eq!(preset_of_host("A.V6.Rocks."), Some("dynv6"));
        assert_eq!(preset_of_host("myhome.duckdns.org"), Some("duckdns"));
        assert_eq!(preset_of_host("a.ddns.net"), Some("noip"));
        assert_eq!(preset_of_host("x.hopto.org"), Some("noip"));
        assert_eq!(preset_of_host("myhome.dedyn.io"), Some("desec"));
        // The domain itself, a look-alike and a stranger are no one's.
        assert_eq!(preset_of_host("dynv6.net"), None);
        assert_eq!(preset_of_host("evildynv6.net"), None);
        assert_eq!(preset_of_host("home.example.org"), None);
    }

    #[test]
    fn every_domain_names_a_preset_once_with_a_source() {
        let mut seen: Vec<&str> = Vec::new();
        for (preset, domains, source) in DOMAINS {
            assert!(super::super::preset(preset).is_some(), "{preset}");
            assert!(!source.is_empty(), "{preset}");
            for d in *domains {
                assert!(!seen.contains(d), "{d} listed twice");
                seen.push(d);
            }
        }
    }

    #[test]
    fn mixed_or_unknown_hosts_ask_for_a_provider() {
        let hosts = |h: &[&str]| h.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let token = Given {
            token: true,
            ..Given::default()
        };
        assert_eq!(
            preset_of_hosts(&hosts(&["a.dynv6.net", "b.v6.rocks"]), token),
            Ok("dynv6")
        );
        let mixed = preset_of_hosts(&hosts(&["a.dynv6.net", "b.duckdns.org"]), token);
        assert_eq!(mixed, Err("dynv6, duckdns".to_string()));
        let unknown = preset_of_hosts(&hosts(&["home.example.org"]), token).unwrap_err();
        assert!(
            unknown.contains("dynv6") && unknown.contains("desec"),
            "{unknown}"
        );
        // Not a user + password preset for a token; not Duck DNS outside duckdns.org.
        assert!(
            !unknown.contains("noip") && !unknown.contains("duckdns"),
            "{unknown}"
        );
    }

    #[test]
    fn aliases_and_typos() {
        for (typed, name) in [
            ("no-ip", "noip"),
            ("noip.com", "noip"),
            ("he", "he.net"),
            ("duck", "duckdns"),
            ("DynV6", "dynv6"),
        ] {
            assert_eq!(lookup(typed).map(|p| p.name), Some(name), "{typed}");
        }
        assert!(lookup("nosuch").is_none());
        assert_eq!(closest("dynv7", all_names()), Some("dynv6"));
        assert_eq!(closest("duckdsn", all_names()), Some("duckdns"));
        assert_eq!(closest("zzzzzzzz", all_names()), None);
        assert_eq!(edit_distance("token-fle", "token-file"), 1);
    }
}
