//! The named providers: who speaks which protocol where, with which credentials.
//!
//! Every preset names its source next to it: the provider's own documentation or a
//! widely used client (ddclient, inadyn, OpenWRT's ddns-scripts service list).
//! What no source confirmed is marked "unconfirmed".

#[allow(unused_imports)] // unused in a build without any API provider
use super::api::Api;
use super::rfc2136::DefaultZone;
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
#[derive(Debug)]
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

pub static PRESETS: &[Preset] = &[
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
    // Cloudflare API v4, from Cloudflare's pages (the mock in tests/support/cloudflare.rs
    // follows them): zones https://developers.cloudflare.com/api/resources/zones/methods/list/,
    // records https://developers.cloudflare.com/api/resources/dns/subresources/records/methods/list/
    // (and .../edit/, .../create/), rate limit and Retry-After
    // https://developers.cloudflare.com/fundamentals/api/reference/limits/. Cross-checked
    // with ddns-scripts' update_cloudflare_com_v4.sh (zones?name=, dns_records?name=&type=,
    // PATCH {"content":..}, Bearer token or X-Auth-Email + X-Auth-Key).
    #[cfg(feature = "cloudflare")]
    Preset {
        name: "cloudflare",
        protocol: Protocol::Api(Api::Cloudflare),
        host: Some("api.cloudflare.com"),
        path: "/client/v4",
        credentials: Credentials::TokenOrUserKey,
        ipv6_auto: false,
        secret_note: "API token (Zone.DNS edit); or --user E-MAIL + global API key as password",
        ..DYNDNS2
    },
    // Porkbun API v3, https://porkbun.com/api/json/v3/documentation (the mock in
    // tests/support/porkbun.rs follows it): every call a POST to api.porkbun.com with
    // apikey + secretapikey in the JSON body; domain/listAll, dns/retrieveByNameType,
    // dns/editByNameType, dns/create; answers {"status":"SUCCESS"|"ERROR","message":..}.
    #[cfg(feature = "porkbun")]
    Preset {
        name: "porkbun",
        protocol: Protocol::Api(Api::Porkbun),
        host: Some("api.porkbun.com"),
        path: "/api/json/v3",
        credentials: Credentials::KeySecret,
        ipv6_auto: false,
        secret_note: "API key as the token + secret API key as the password",
        ..DYNDNS2
    },
    // Hetzner DNS in the Cloud API (the successor of dns.hetzner.com),
    // https://docs.hetzner.cloud/reference/cloud (Zones, Zone RRSets, Errors; the mock
    // in tests/support/hetzner.rs follows it): Bearer token of the project,
    // /v1/zones/{zone}/rrsets/{name}/{type} and its actions/set_records.
    #[cfg(feature = "hetzner")]
    Preset {
        name: "hetzner",
        protocol: Protocol::Api(Api::Hetzner),
        host: Some("api.hetzner.cloud"),
        path: "/v1",
        credentials: Credentials::Token,
        ipv6_auto: false,
        secret_note: "Cloud API token of the project (read & write)",
        ..DYNDNS2
    },
    // Gandi LiveDNS, https://api.gandi.net/docs/livedns/ and
    // https://api.gandi.net/docs/authentication/ (the mock in tests/support/gandi.rs
    // follows them): a personal access token as Bearer, /v5/livedns/domains/{fqdn}/
    // records/{name}/{type}, PUT to replace the values, POST to create.
    #[cfg(feature = "gandi")]
    Preset {
        name: "gandi",
        protocol: Protocol::Api(Api::Gandi),
        host: Some("api.gandi.net"),
        path: "/v5",
        credentials: Credentials::Token,
        ipv6_auto: false,
        secret_note: "personal access token (Manage domain name technical configurations)",
        ..DYNDNS2
    },
    // DigitalOcean API v2, https://docs.digitalocean.com/reference/api/digitalocean/
    // (Domains, Domain Records; the mock in tests/support/digitalocean.rs follows it):
    // Bearer token, records filtered by type and name, PATCH {"data":..}.
    #[cfg(feature = "digitalocean")]
    Preset {
        name: "digitalocean",
        protocol: Protocol::Api(Api::DigitalOcean),
        host: Some("api.digitalocean.com"),
        path: "/v2",
        credentials: Credentials::Token,
        ipv6_auto: false,
        secret_note: "personal access token (domain read + update, or write scope)",
        ..DYNDNS2
    },
    // GoDaddy Domains API v1, https://developer.godaddy.com/doc/endpoint/domains and
    // https://developer.godaddy.com/getstarted (the mock in tests/support/godaddy.rs
    // follows them): `Authorization: sso-key KEY:SECRET`, GET and PUT
    // /v1/domains/{domain}/records/{type}/{name}; 403 ACCESS_DENIED for accounts
    // without API access.
    #[cfg(feature = "godaddy")]
    Preset {
        name: "godaddy",
        protocol: Protocol::Api(Api::GoDaddy),
        host: Some("api.godaddy.com"),
        path: "/v1",
        credentials: Credentials::KeySecret,
        ipv6_auto: false,
        secret_note: "API key as the token + API secret as the password (production keys)",
        ..DYNDNS2
    },
    // Linode (Akamai) API v4, https://techdocs.akamai.com/linode-api/reference/api
    // (Domains; the mock in tests/support/linode.rs follows it): Bearer token,
    // /v4/domains/{id}/records, PUT {"target":..}.
    #[cfg(feature = "linode")]
    Preset {
        name: "linode",
        protocol: Protocol::Api(Api::Linode),
        host: Some("api.linode.com"),
        path: "/v4",
        credentials: Credentials::Token,
        ipv6_auto: false,
        secret_note: "personal access token (Domains: read/write)",
        ..DYNDNS2
    },
    // deSEC's REST API, https://desec.readthedocs.io/en/latest/dns/rrsets.html (and
    // .../dns/domains.html, .../rate-limits.html; the mock in tests/support/desec_api.rs
    // follows them): `Authorization: Token`, PATCH of an RRset's records. The
    // dyndns2 preset `desec` stays the simple choice; this one creates records.
    #[cfg(feature = "desec-api")]
    Preset {
        name: "desec-api",
        protocol: Protocol::Api(Api::Desec),
        host: Some("desec.io"),
        path: "/api/v1",
        credentials: Credentials::Token,
        ipv6_auto: false,
        secret_note: "token (Authorization: Token)",
        ..DYNDNS2
    },
    // PowerDNS Authoritative's HTTP API on the user's server,
    // https://doc.powerdns.com/authoritative/http-api/zone.html (the mock in
    // tests/support/powerdns.rs follows it): X-API-Key, PATCH of one RRset with
    // changetype REPLACE.
    #[cfg(feature = "powerdns")]
    Preset {
        name: "powerdns",
        protocol: Protocol::Api(Api::PowerDns),
        host: None,
        path: "/api/v1/servers/localhost",
        credentials: Credentials::Token,
        ipv6_auto: false,
        secret_note: "the server's API key (X-API-Key)",
        ..DYNDNS2
    },
    // Namecheap dynamic DNS, https://www.namecheap.com/support/knowledgebase/article.aspx/29/11/how-to-dynamically-update-the-hosts-ip-with-an-http-request/
    // (the mock in tests/support/namecheap.rs follows it): GET /update with host,
    // domain, the domain's Dynamic DNS password and ip; XML answer; A records only.
    #[cfg(feature = "namecheap")]
    Preset {
        name: "namecheap",
        protocol: Protocol::Api(Api::Namecheap),
        host: Some("dynamicdns.park-your-domain.com"),
        path: "",
        credentials: Credentials::Password,
        ipv6: false,
        ipv6_auto: false,
        secret_note: "the domain's Dynamic DNS password",
        ..DYNDNS2
    },
    // Scaleway Domains and DNS API v2beta1,
    // https://www.scaleway.com/en/developers/api/domains-and-dns/ (the mock in
    // tests/support/scaleway.rs follows it): X-Auth-Token with the API key's secret,
    // PATCH /dns-zones/{zone}/records with `set` (by record ID) or `add` changes.
    #[cfg(feature = "scaleway")]
    Preset {
        name: "scaleway",
        protocol: Protocol::Api(Api::Scaleway),
        host: Some("api.scaleway.com"),
        path: "/domain/v2beta1",
        credentials: Credentials::Token,
        ipv6_auto: false,
        secret_note: "the API key's secret key (DomainsDNSFullAccess)",
        ..DYNDNS2
    },
    // Amazon Route 53, https://docs.aws.amazon.com/Route53/latest/APIReference/
    // (ListHostedZones, ListResourceRecordSets, ChangeResourceRecordSets with UPSERT;
    // the mock in tests/support/route53.rs follows it and checks the signature),
    // signed with Signature V4 (region us-east-1, service route53).
    #[cfg(feature = "route53")]
    Preset {
        name: "route53",
        protocol: Protocol::Api(Api::Route53),
        host: Some("route53.amazonaws.com"),
        path: "/2013-04-01",
        credentials: Credentials::KeySecret,
        ipv6_auto: false,
        secret_note: "access key ID as the token + secret access key as the password",
        ..DYNDNS2
    },
    // NameSilo API, https://www.namesilo.com/api-reference (the mock in
    // tests/support/namesilo.rs follows it): GETs of dnsListRecords, dnsUpdateRecord
    // and dnsAddRecord with version=1, type=json and the key in the query (the API
    // takes it nowhere else); reply.code 300 is success.
    #[cfg(feature = "namesilo")]
    Preset {
        name: "namesilo",
        protocol: Protocol::Api(Api::Namesilo),
        host: Some("www.namesilo.com"),
        path: "/api",
        credentials: Credentials::Token,
        ipv6_auto: false,
        secret_note: "API key (sent in the query, as the API requires)",
        ..DYNDNS2
    },
    // netcup's CCP DNS API, https://ccp.netcup.net/run/webservice/servers/endpoint.php
    // and https://www.netcup-wiki.de/wiki/CCP_API (the mock in tests/support/netcup.rs
    // follows them): JSON POSTs to endpoint.php?JSON in a session: login,
    // infoDnsRecords, updateDnsRecords, logout.
    #[cfg(feature = "netcup")]
    Preset {
        name: "netcup",
        protocol: Protocol::Api(Api::Netcup),
        host: Some("ccp.netcup.net"),
        path: "/run/webservice/servers/endpoint.php",
        credentials: Credentials::UserKeySecret,
        ipv6_auto: false,
        secret_note: "--user CUSTOMER-NUMBER + API key as the token + API password as the password",
        ..DYNDNS2
    },
    // IONOS DynDNS, https://developer.hosting.ionos.com/docs/dns ("Dynamic DNS"; the
    // mock in tests/support/ionos.rs follows it): a GET of the updateUrl the DynDNS
    // API hands out, its q= token the secret; ipv4/ipv6 parameters unconfirmed.
    #[cfg(feature = "ionos")]
    Preset {
        name: "ionos",
        protocol: Protocol::Api(Api::Ionos),
        host: Some("ipv4.api.hosting.ionos.com"),
        path: "/dns/v1/dyndns",
        credentials: Credentials::Token,
        ipv6_auto: false,
        secret_note: "the q= token of the updateUrl the DynDNS API handed out",
        ..DYNDNS2
    },
    // Tencent Cloud DNSPod API 3.0, https://www.tencentcloud.com/document/api/1157/49025
    // (DescribeRecordList, ModifyRecord, CreateRecord, Signature v3; the mock in
    // tests/support/dnspod.rs follows it and checks the signature): JSON POSTs to
    // dnspod.tencentcloudapi.com signed with TC3-HMAC-SHA256.
    #[cfg(feature = "dnspod")]
    Preset {
        name: "dnspod",
        protocol: Protocol::Api(Api::Dnspod),
        host: Some("dnspod.tencentcloudapi.com"),
        path: "",
        credentials: Credentials::KeySecret,
        ipv6_auto: false,
        secret_note: "SecretId as the token + SecretKey as the password",
        ..DYNDNS2
    },
    // Alibaba Cloud DNS (Alidns 2015-01-09),
    // https://www.alibabacloud.com/help/en/dns/api-alidns-2015-01-09-overview and
    // https://www.alibabacloud.com/help/en/sdk/product-overview/rpc-mechanism (the mock
    // in tests/support/aliyun.rs follows them and checks the signature): signed GETs
    // of DescribeSubDomainRecords, UpdateDomainRecord, AddDomainRecord.
    #[cfg(feature = "aliyun")]
    Preset {
        name: "aliyun",
        protocol: Protocol::Api(Api::Aliyun),
        host: Some("alidns.aliyuncs.com"),
        path: "",
        credentials: Credentials::KeySecret,
        ipv6_auto: false,
        secret_note: "AccessKey ID as the token + AccessKey secret as the password",
        ..DYNDNS2
    },
    // LuaDNS REST API v1, https://www.luadns.com/api.html (Authentication, Status
    // Codes, Zones, Records; the mock in tests/support/luadns.rs follows it): Basic
    // auth with the account e-mail and an API key, GET /zones, GET
    // /zones/{id}/records, PUT .../records/{id}, POST .../records. Unconfirmed (the
    // page's records section was not at hand, only its start): that PUT wants the
    // whole record (name, type, content, ttl, as ddns-scripts' update_luadns_v1.sh
    // sends it) and the TTL default (300 here, the script's).
    #[cfg(feature = "luadns")]
    Preset {
        name: "luadns",
        protocol: Protocol::Api(Api::Luadns),
        host: Some("api.luadns.com"),
        path: "/v1",
        ipv6_auto: false,
        secret_note: "--user E-MAIL + API key as the password",
        ..DYNDNS2
    },
    // NS1 REST API v1, https://ns1.com/api (Zones and Records; the mock in
    // tests/support/ns1.rs follows it): X-NSONE-Key, a record at
    // /v1/zones/{zone}/{domain}/{type}: GET to read, POST with `answers` to update,
    // PUT to create (as ddns-scripts' update_ns1_com.sh does). Unconfirmed: the
    // 404 body of a missing record ({"message":"record not found"}).
    #[cfg(feature = "ns1")]
    Preset {
        name: "ns1",
        protocol: Protocol::Api(Api::Ns1),
        host: Some("api.nsone.net"),
        path: "/v1",
        credentials: Credentials::Token,
        ipv6_auto: false,
        secret_note: "API key (X-NSONE-Key)",
        ..DYNDNS2
    },
    // Servercow DNS API v1, https://wiki.servercow.de/en/domains/dns_api/api-syntax/
    // (the mock in tests/support/servercow.rs follows it): X-Auth-Username and
    // X-Auth-Password headers, GET /dns/v1/domains/{zone} lists the records, POST
    // there with type, name, content, ttl sets one. Unconfirmed: the GET answer's
    // shape (read as a list of such records) and the apex written as name "".
    #[cfg(feature = "servercow")]
    Preset {
        name: "servercow",
        protocol: Protocol::Api(Api::Servercow),
        host: Some("api.servercow.de"),
        path: "/dns/v1/domains",
        ipv6_auto: false,
        secret_note: "--user DNS-API-USER + its password (X-Auth-* headers)",
        ..DYNDNS2
    },
    // Beget API, https://beget.com/en/kb/api/basic-principles-of-operation-with-api
    // and https://beget.com/en/kb/api/dns-administration-functions (the mock in
    // tests/support/beget.rs follows them): dns/getData and dns/changeRecords with
    // login, passwd and input_data JSON, POSTed as a form. Unconfirmed: AAAA in
    // changeRecords (ddns-scripts sends it) and the error codes' names.
    #[cfg(feature = "beget")]
    Preset {
        name: "beget",
        protocol: Protocol::Api(Api::Beget),
        host: Some("api.beget.com"),
        path: "/api",
        ipv6_auto: false,
        secret_note: "--user LOGIN + the account's API password (form field)",
        ..DYNDNS2
    },
    // FreeDNS::42 (freedns.42.pl), the XName engine's XML-RPC service:
    // https://github.com/freedns/freedns (html/xmlrpc.php, html/dyndns.php,
    // doc/dynamic-update.txt; the mock in tests/support/xname.rs follows them):
    // xname.updateArecord POSTed to /xmlrpc.php, A and AAAA records.
    #[cfg(feature = "xname")]
    Preset {
        name: "xname",
        protocol: Protocol::Api(Api::Xname),
        host: Some("freedns.42.pl"),
        path: "/xmlrpc.php",
        credentials: Credentials::UserPassword,
        ipv6_auto: false,
        secret_note: "--user ACCOUNT + the account's password",
        ..DYNDNS2
    },
    // Huawei Cloud DNS API v2, https://support.huaweicloud.com/intl/en-us/api-dns/
    // (zones, record sets) signed as
    // https://support.huaweicloud.com/intl/en-us/devg-apisign/api-sign-algorithm-001.html
    // says (SDK-HMAC-SHA256; the mock in tests/support/huaweicloud.rs checks it).
    #[cfg(feature = "huaweicloud")]
    Preset {
        name: "huaweicloud",
        protocol: Protocol::Api(Api::HuaweiCloud),
        host: Some("dns.myhuaweicloud.com"),
        path: "",
        credentials: Credentials::KeySecret,
        ipv6_auto: false,
        secret_note: "access key ID (AK) as the token + secret access key (SK) as the password",
        ..DYNDNS2
    },
    // TransIP REST API v6, https://api.transip.nl/rest/docs.html (Authentication,
    // Domains, DNS; the mock in tests/support/transip.rs follows it and checks the
    // login's RSA-SHA512 signature): POST /auth signed with the account's key pair,
    // then Bearer GET/PATCH/POST /domains/{domain}/dns.
    #[cfg(feature = "transip")]
    Preset {
        name: "transip",
        protocol: Protocol::Api(Api::Transip),
        host: Some("api.transip.nl"),
        path: "/v6",
        credentials: Credentials::UserRsaKey,
        ipv6_auto: false,
        secret_note: "--user LOGIN + the key pair's private key (PEM) as the password",
        ..DYNDNS2
    },
    // Google Cloud DNS v1, https://cloud.google.com/dns/docs/reference/v1
    // (resourceRecordSets), with a service account's JWT exchanged for a token per
    // https://developers.google.com/identity/protocols/oauth2/service-account (the
    // mock in tests/support/gcp.rs follows both and checks the RS256 signature).
    #[cfg(feature = "gcp")]
    Preset {
        name: "gcp",
        protocol: Protocol::Api(Api::Gcp),
        host: Some("dns.googleapis.com"),
        path: "/dns/v1",
        credentials: Credentials::UserRsaKey,
        ipv6_auto: false,
        secret_note:
            "--user SERVICE-ACCOUNT + its JSON or PEM key as the password, --zone-id PROJECT/ZONE",
        ..DYNDNS2
    },
];

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
