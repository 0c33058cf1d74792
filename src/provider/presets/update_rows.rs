//! The presets of the update protocols: dyndns2 and its kin, the Flask server, URL
//! templates and RFC 2136.

use super::{AddrParams, Auth, Credentials, Preset, DYNDNS2};
use crate::provider::rfc2136::DefaultZone;
use crate::provider::Protocol;

pub(super) const ROWS: &[Preset] = &[
    // dynv6 Update API: https://dynv6.com/docs/apis (seeds 000, 001).
    Preset {
        name: "dynv6",
        protocol: Protocol::Dynv6,
        host: Some("dynv6.com"),
        auto_hosts: Some(("ipv4.dynv6.com", "ipv6.dynv6.com")),
        path: "/api/update",
        credentials: Credentials::Token,
        ipv6_prefix: true,
        secret_note: "token",
        ..DYNDNS2
    },
    // dynv6's dyndns2 endpoint, IPv4 only, token as password: https://dynv6.com/docs/apis.
    // The user name is not documented; clients commonly send "none" (unconfirmed).
    Preset {
        name: "dynv6-nic",
        host: Some("dynv6.com"),
        credentials: Credentials::TokenAsPassword {
            default_user: "none",
        },
        ipv6: false,
        secret_note: "token, sent as the password",
        ..DYNDNS2
    },
    // No-IP "Dynamic DNS Integration API" (seed 004): dynupdate.no-ip.com/nic/update,
    // DDNS key as Basic auth, myip=v4,v6, User-Agent in its required format.
    Preset {
        name: "noip",
        host: Some("dynupdate.no-ip.com"),
        secret_note: "--user + password (a DDNS key)",
        ..DYNDNS2
    },
    // Any server of the dyn.com Remote Access API; the user names it with --server.
    Preset {
        name: "dyndns2",
        ..DYNDNS2
    },
    // Dyn (Oracle) Remote Access API: members.dyndns.org/nic/update, Basic auth
    // (protocols.md section 3; ddclient's dyndns2 default server). IPv6 through myip
    // is unconfirmed (OpenWRT's dyndns.org.json lists it via /v3/update): IPv4 only.
    Preset {
        name: "dyn",
        host: Some("members.dyndns.org"),
        ipv6: false,
        secret_note: "--user + password (or updater client key)",
        ..DYNDNS2
    },
    // Hurricane Electric, OpenWRT ddns-scripts he.net.json (dyn.dns.he.net/nic/update,
    // hostname + myip, one family per request, answers good/nochg) and ddclient
    // configurations (protocol dyndns2, server dyn.dns.he.net, login = the host name,
    // password = the host's DDNS key), which is the Basic auth sent here.
    Preset {
        name: "he.net",
        host: Some("dyn.dns.he.net"),
        credentials: Credentials::HostAsUser,
        addr_params: AddrParams::PerFamily,
        secret_note: "the host's DDNS key (password or token); user = host name",
        ..DYNDNS2
    },
    // deSEC, https://desec.readthedocs.io/en/latest/dyndns/update-api.html and
    // OpenWRT desec.io.json: update.dedyn.io (update6.dedyn.io for IPv6 only), Basic
    // auth user = domain name, password = token; myipv4/myipv6, `preserve` keeps a
    // family (a family not sent is otherwise removed); answers good, 401 on bad auth.
    Preset {
        name: "desec",
        host: Some("update.dedyn.io"),
        auto_hosts: Some(("update.dedyn.io", "update6.dedyn.io")),
        path: "/",
        credentials: Credentials::HostAsUser,
        addr_params: AddrParams::Separate {
            v4: "myipv4",
            v6: "myipv6",
            keep: Some("preserve"),
        },
        secret_note: "token; user = domain name",
        ..DYNDNS2
    },
    // Duck DNS, https://www.duckdns.org/spec.jsp (inadyn plugins/duckdns.c):
    // /update?domains=&token=&ip=&ipv6=&verbose=true, answers OK/KO. It detects only
    // IPv4 from the connection.
    Preset {
        name: "duckdns",
        protocol: Protocol::Duckdns,
        host: Some("www.duckdns.org"),
        path: "/update",
        credentials: Credentials::Token,
        ipv6_auto: false,
        secret_note: "account token",
        ..DYNDNS2
    },
    // FreeDNS (afraid.org), OpenWRT afraid.org-v2-token.json and inadyn
    // plugins/freedns.c: /dynamic/update.php?TOKEN&address=IP; one token per record.
    // Answers, from clients' comments, not FreeDNS's docs (unconfirmed): "Updated N
    // host(s) ...", "ERROR: Address ... has not changed.", "ERROR: Unable to locate
    // this record ...".
    Preset {
        name: "freedns",
        protocol: Protocol::Freedns,
        host: Some("freedns.afraid.org"),
        path: "/dynamic/update.php",
        credentials: Credentials::Token,
        secret_note: "the record's update token",
        ..DYNDNS2
    },
    // DNS-O-Matic, OpenWRT dnsomatic.com.json and ddclient (dyndns2):
    // updates.dnsomatic.com/nic/update, Basic auth, IPv4 only.
    Preset {
        name: "dnsomatic",
        host: Some("updates.dnsomatic.com"),
        ipv6: false,
        secret_note: "--user + password (OpenDNS account)",
        ..DYNDNS2
    },
    // nsupdate.info, OpenWRT nsupdate.info.json: ipv4.nsupdate.info and
    // ipv6.nsupdate.info /nic/update, Basic auth user = host name, password = the
    // host's update secret, myip per family.
    Preset {
        name: "nsupdate.info",
        host: Some("ipv4.nsupdate.info"),
        auto_hosts: Some(("ipv4.nsupdate.info", "ipv6.nsupdate.info")),
        credentials: Credentials::HostAsUser,
        addr_params: AddrParams::PerFamily,
        secret_note: "the host's update secret; user = host name",
        ..DYNDNS2
    },
    // Dynu, OpenWRT ddns-scripts dynu.com.json: api.dynu.com/nic/update with
    // username= and password= in the query, myip and myipv6, `myip=no` leaves IPv4
    // alone (sending `myipv6=no` for IPv6 is the same rule, unconfirmed).
    Preset {
        name: "dynu",
        host: Some("api.dynu.com"),
        auth: Auth::Query {
            user: "username",
            password: "password",
        },
        addr_params: AddrParams::Separate {
            v4: "myip",
            v6: "myipv6",
            keep: Some("no"),
        },
        ..DYNDNS2
    },
    // OVH DynHost, OpenWRT ovh.com.json and ddclient (ovh protocol):
    // www.ovh.com/nic/update?system=dyndns, Basic auth (DynHost login), IPv4 only.
    Preset {
        name: "ovh",
        host: Some("www.ovh.com"),
        fixed_params: &[("system", "dyndns")],
        ipv6: false,
        secret_note: "--user + password (DynHost login)",
        ..DYNDNS2
    },
    // INWX, OpenWRT ddns-scripts inwx.de.json: dyndns.inwx.com/nic/update, Basic auth,
    // myip and myipv6 (one request here). OpenWRT sends no hostname (the DynDNS
    // account names the host); dynup sends it as dyndns2 does (unconfirmed).
    Preset {
        name: "inwx",
        host: Some("dyndns.inwx.com"),
        addr_params: AddrParams::Separate {
            v4: "myip",
            v6: "myipv6",
            keep: None,
        },
        secret_note: "--user + password (DynDNS account)",
        ..DYNDNS2
    },
    // STRATO, dyndns.strato.com/nic/update with Basic auth (user = domain, password =
    // the DynDNS password) as used by its client scripts; `myip=v4,v6` in one request
    // is taken from third-party configurations (unconfirmed by STRATO).
    Preset {
        name: "strato",
        host: Some("dyndns.strato.com"),
        secret_note: "--user DOMAIN + DynDNS password",
        ..DYNDNS2
    },
    // selfHOST, qdm12/ddns-updater and inadyn's custom example:
    // carol.selfhost.de/nic/update with Basic auth; IPv6 unconfirmed: IPv4 only.
    Preset {
        name: "selfhost",
        host: Some("carol.selfhost.de"),
        ipv6: false,
        secret_note: "--user + password (DynDNS account)",
        ..DYNDNS2
    },
    // Securepoint spdyn, OpenWRT spdyn.de.json: update.spdyn.de/nic/update with
    // user= and pass= in the query, myip per family; answers good/nochg.
    Preset {
        name: "spdyn",
        host: Some("update.spdyn.de"),
        auth: Auth::Query {
            user: "user",
            password: "pass",
        },
        addr_params: AddrParams::PerFamily,
        secret_note: "--user + password (or host + update token)",
        ..DYNDNS2
    },
    // IPv64, https://ipv64.net/dyndns_updater_api: ipv64.net/nic/update (DynDNS2),
    // Basic auth with any user and the domain update token as password; myip and
    // myipv6; answers good/nochg (OpenWRT ipv64.net.json).
    Preset {
        name: "ipv64",
        host: Some("ipv64.net"),
        credentials: Credentials::TokenAsPassword {
            default_user: "none",
        },
        addr_params: AddrParams::Separate {
            v4: "myip",
            v6: "myipv6",
            keep: None,
        },
        secret_note: "domain update token, sent as the password",
        ..DYNDNS2
    },
    // The Python/Flask "dyndns" server (PyPI dyndns 2.0.0, seed 002); --server required.
    Preset {
        name: "dyndns-server",
        protocol: Protocol::DyndnsServer,
        path: "/update-by-query",
        credentials: Credentials::Password,
        secret_note: "the server's secret (password)",
        ..DYNDNS2
    },
    // A URL template given with --url (Zerigo's API is the worked example, seed 003).
    Preset {
        name: "template",
        protocol: Protocol::Template,
        path: "",
        credentials: Credentials::Template,
        secret_note: "as the template asks: --user, password, token",
        ..DYNDNS2
    },
    // Any RFC 2136 server (BIND, Knot, PowerDNS); the user names it with --server.
    Preset {
        name: "rfc2136",
        protocol: Protocol::Rfc2136 {
            zone: DefaultZone::Parent,
        },
        path: "",
        credentials: Credentials::TsigKey,
        ipv6_auto: false,
        secret_note: "TSIG key (--tsig-key-file or DYNUP_TSIG_KEY)",
        ..DYNDNS2
    },
    // dynv6's DNS Update (seeds 000, 001): ns1.dynv6.com, the zone is the host
    // itself (dynv6 authorizes the key by the zone section).
    Preset {
        name: "dynv6-rfc2136",
        protocol: Protocol::Rfc2136 {
            zone: DefaultZone::Host,
        },
        host: Some("ns1.dynv6.com"),
        path: "",
        credentials: Credentials::TsigKey,
        ipv6_auto: false,
        secret_note: "TSIG key as dynv6 shows it (--tsig-key-file or DYNUP_TSIG_KEY)",
        ..DYNDNS2
    },
];
