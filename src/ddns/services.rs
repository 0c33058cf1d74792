//! ddns-scripts' service names (openwrt/packages net/ddns-scripts, 2.8.4) and how
//! dynup serves each: a preset, dyndns2 at a server, a URL template in
//! ddns-scripts' own placeholders (`[USERNAME]` `[PASSWORD]` `[DOMAIN]` `[IP]`
//! `[PARAMENC]` `[PARAMOPT]`, turned into dynup's by `template_url`), a native
//! API, or refused with why. Facts: /work/wt/notes/ddns-services.md.

/// How one service name is served.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Route {
    /// A dynup preset (`-p NAME`).
    Preset(&'static str),
    /// `-p dyndns2 --server URL`.
    Dyndns2(&'static str),
    /// IPv4 URL, IPv6 URL ("" when the service has none, "=" when the same),
    /// answer regex ("" for any).
    Url(&'static str, &'static str, &'static str),
    /// A native API preset of dynup, and how the script took its options.
    Api(&'static str, Shape),
    /// Refused: why.
    Refused(&'static str),
}

/// How a service script reads `domain`, `username` and `password` (from each
/// script's documented options), for the API preset of the same provider.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Shape {
    /// `domain` host@zone (or a FQDN); `username` `Bearer` for an API token in
    /// `password`, else an account name with its key (cloudflare.com-v4).
    HostAtZone,
    /// `username` the API key (dynup's token), `password` the secret; `domain`
    /// host@zone or a FQDN (porkbun, godaddy).
    KeySecret,
    /// `domain` the zone, `username` the record's label, `password` the token
    /// (hetzner.cloud, gandi.net, digitalocean.com-v2, pdns with param_opt its URL).
    ZoneLabel,
    /// `username` the zone, `domain` the record, `password` the token (scaleway.com).
    LabelZone,
    /// `username` the access key, `password` the secret, `domain` the hosted
    /// zone, `lookup_host` the record (route53-v1).
    ZoneLookup,
    /// `username` the customer number, `password` the API password, `param_enc`
    /// the API key, `domain` the FQDN, `param_opt` the zone when it is not the
    /// FQDN less its first label (netcup.com).
    CustomerKey,
    /// `username` the account e-mail, `password` the API key, `domain` the
    /// record (luadns.com-v1).
    AccountKey,
    /// `domain` the record's FQDN, its zone after the first label; `username`
    /// the account's login, `password` its password (servercow.de, beget.com).
    UserFqdn,
    /// `username` the account, `password` its password, and the script's own
    /// options `zone` and `record` (the label), else `domain` host@zone or a
    /// FQDN (freedns.42.pl).
    RecordZone,
    /// `username` the login, `password` the private key (PEM), `domain` the
    /// zone, `param_enc` the record's label, `param_opt` its TTL (transip.nl).
    LoginKeyLabel,
    /// `username` the service account, `password` its key (PEM or JSON text,
    /// or a file `*.pem`/`*.json`), `domain` the FQDN, `param_enc`
    /// `project=P&zone=Z`, `param_opt` the TTL (cloud.google.com-v1).
    ServiceAccount,
}

const NO_API: &str = "not supported: dynup does not speak its API yet";
const PANEL: &str = "not supported: its script logs into a web panel, there is no API";
/// An API route whose provider this build left out (its cargo feature).
pub const NOT_IN_BUILD: &str =
    "not in this build of dynup: it was built without this API provider's feature";

/// Every service of ddns-scripts' default/ directory, sorted by name, one line
/// each (one string per line is the smallest table in flash): `NAME KIND DATA`
/// with KIND `P` preset, `D` dyndns2 server, `U` IPv4-URL IPv6-URL ANSWER (`-`
/// none, `=` as IPv4), `A` preset shape (see `Shape`), `R` why (`api`, `panel`).
#[rustfmt::skip]
const SERVICES: [&str; 100] = [
    "3322.org U https://members.3322.org/dyndns/update?system=dyndns&hostname=[DOMAIN]&myip=[IP] - -",
    "afraid.org-basicauth D https://freedns.afraid.org",
    "afraid.org-keyauth P freedns",
    "afraid.org-v2-basic U https://sync.afraid.org/u/?h=[DOMAIN]&ip=[IP] https://v6.sync.afraid.org/u/?h=[DOMAIN]&ip=[IP] -",
    "afraid.org-v2-token U https://sync.afraid.org/u/[PASSWORD]/?address=[IP] https://v6.sync.afraid.org/u/[PASSWORD]/?address=[IP] -",
    "aliyun.com A aliyun K",
    "all-inkl.com U https://dyndns.kasserver.com/?myip=[IP] = -",
    "apertodns.com D https://api.apertodns.com",
    "apertodns.com-token U https://api.apertodns.com/nic/update?hostname=[DOMAIN]&myip=[IP] = good|nochg",
    "beget.com A beget U",
    "bind-nsupdate P rfc2136",
    "blazingfast.io R api",
    "changeip.com U https://nic.changeip.com/nic/update?u=[USERNAME]&p=[PASSWORD]&cmd=update&hostname=[DOMAIN]&ip=[IP] - Successful",
    "cloud.google.com-v1 A gcp G",
    "cloudflare.com-v4 A cloudflare H",
    "cnkuai.cn R panel",
    "core-networks.de U https://dyndns.core-networks.de/?hostname=[DOMAIN]&myip=[IP]&keepipv6=1 https://dyndns.core-networks.de/?hostname=[DOMAIN]&myip=[IP]&keepipv4=1 good",
    "ddnss.de U https://ip4.ddnss.de/upd.php?user=[USERNAME]&pwd=[PASSWORD]&host=[DOMAIN]&ip=[IP] - Updated|No change",
    "ddo.jp U https://free.ddo.jp/dnsupdate.php?dn=[DOMAIN]&pw=[PASSWORD]&ip=[IP] - -",
    "desec.io P desec",
    "dhis.org R not supported: its URL carries neither host nor address and DHIS speaks its own UDP protocol; unchecked",
    "digitalocean.com-v2 A digitalocean Z",
    "dnsdynamic.org U https://www.dnsdynamic.org/api/?hostname=[DOMAIN]&myip=[IP] - good|nochg",
    "dnsever.com U https://dyna.dnsever.com/update.php?host[[DOMAIN]] - -",
    "dnsexit.com U https://update.dnsexit.com/RemoteUpdate.sv?login=[USERNAME]&password=[PASSWORD]&host=[DOMAIN]&myip=[IP] - -",
    "dnshome.de U https://www.dnshome.de/dyndns.php?hostname=[DOMAIN]&ip=[IP] https://www.dnshome.de/dyndns.php?hostname=[DOMAIN]&ip6=[IP] -",
    "dnsmadeeasy.com U https://cp.dnsmadeeasy.com/servlet/updateip?username=[USERNAME]&password=[PASSWORD]&id=[DOMAIN]&ip=[IP] - success|ip-same",
    "dnsmax.com U https://update.dnsmax.com/update/?username=[USERNAME]&password=[PASSWORD]&resellerid=1&clientname=openwrt&clientversion=8.09&protocolversion=2.0&updatehostname=[DOMAIN]&ip=[IP] - -",
    "dnsomatic.com P dnsomatic",
    "dnspark.com U https://control.dnspark.com/api/dynamic/update.php?hostname=[DOMAIN]&ip=[IP] - ok|nochange",
    "dnspod.cn R not supported: the legacy dnsapi.cn API; dnspod.cn-v3 is API 3.0",
    "dnspod.cn-v3 A dnspod K",
    "do.de U https://ddns.do.de/?myip=[IP]&hostname=[DOMAIN]&username=[USERNAME]&password=[PASSWORD] = good|nochg",
    "domopoli.de D https://dyndns.domopoli.de",
    "dondominio.com U https://dondns.dondominio.com/plain/?user=[USERNAME]&password=[PASSWORD]&host=[DOMAIN]&ip=[IP] - OK",
    "duckdns.org P duckdns",
    "duiadns.net U https://ip.duiadns.net/dynamic.duia?host=[DOMAIN]&password=[PASSWORD]&ip4=[IP] https://ip.duiadns.net/dynamic.duia?host=[DOMAIN]&password=[PASSWORD]&ip6=[IP] -",
    "dy.fi D https://www.dy.fi",
    "dyn.com P dyn",
    "dyndns.it D https://update.dyndns.it",
    "dyndns.org P dyn",
    "dynu.com P dynu",
    "dynv6.com P dynv6",
    "easydns.com U https://api.cp.easydns.com/dyn/generic.php?hostname=[DOMAIN]&myip=[IP] = OK|NOERROR",
    "eurodns.com U https://update.eurodyndns.org/update/?hostname=[DOMAIN]&myip=[IP] = good|nochg",
    "freedns.42.pl A xname X",
    "gandi.net A gandi Z",
    "godaddy.com-v1 A godaddy K",
    "goip.de U https://www.goip.de/setip?username=[USERNAME]&password=[PASSWORD]&subdomain=[DOMAIN]&ip=[IP] https://www.goip.de/setip?username=[USERNAME]&password=[PASSWORD]&subdomain=[DOMAIN]&ip6=[IP] -",
    "google.com R dead: Google Domains and its Dynamic DNS ended (moved to Squarespace in 2023)",
    "he.net P he.net",
    "hetzner.cloud A hetzner Z",
    "hosting.de D https://ddns.hosting.de",
    "huaweicloud.com A huaweicloud K",
    "infomaniak.com D https://infomaniak.com",
    "inwx.de P inwx",
    "ipnodns.ru U https://ipnodns.ru/cgi-bin/dyndns.cgi?login=[USERNAME]&secret=[PASSWORD] - ok",
    "ipv64.net P ipv64",
    "joker.com U https://svc.joker.com/nic/update?username=[USERNAME]&password=[PASSWORD]&myip=[IP]&hostname=[DOMAIN] = good|nochg",
    "loopia.se U https://dns.loopia.se/XDynDNSServer/XDynDNS.php?system=custom&hostname=[DOMAIN]&myip=[IP] = good|nochg",
    "luadns.com-v1 A luadns E",
    "moniker.com U https://dynamicdns.key-systems.net/update.php?hostname=[DOMAIN]&password=[PASSWORD]&ip=[IP] - success",
    "mydns.jp U https://www.mydns.jp/directip.html?MID=[USERNAME]&PWD=[PASSWORD]&IPV4ADDR=[IP] https://www.mydns.jp/directip.html?MID=[USERNAME]&PWD=[PASSWORD]&IPV6ADDR=[IP] -",
    "myonlineportal.net U https://myonlineportal.net/updateddns?hostname=[DOMAIN]&ip=[IP]&username=[USERNAME]&password=[PASSWORD] https://myonlineportal.net/updateddns?hostname=[DOMAIN]&ip6=[IP]&username=[USERNAME]&password=[PASSWORD] good|nochg",
    "mythic-beasts.com U http://dnsapi4.mythic-beasts.com/?domain=[USERNAME]&password=[PASSWORD]&command=REPLACE%20[DOMAIN]%2060%20A%20DYNAMIC_IP&origin=. http://dnsapi6.mythic-beasts.com/?domain=[USERNAME]&password=[PASSWORD]&command=REPLACE%20[DOMAIN]%2060%20AAAA%20DYNAMIC_IP&origin=. -",
    "mythic-beasts.com-v2 U https://ipv4.api.mythic-beasts.com/dns/v2/dynamic/[DOMAIN] https://ipv6.api.mythic-beasts.com/dns/v2/dynamic/[DOMAIN] -",
    "namecheap.com U https://dynamicdns.park-your-domain.com/update?host=[USERNAME]&domain=[DOMAIN]&password=[PASSWORD]&ip=[IP] - -",
    "namesilo.com-v1 A namesilo Z",
    "netcup.com A netcup N",
    "njal.la U https://njal.la/update/?h=[DOMAIN]&k=[PASSWORD]&a=[IP] https://njal.la/update/?h=[DOMAIN]&k=[PASSWORD]&aaaa=[IP] -",
    "no-ip.com P noip",
    "no-ip.pl U https://update.no-ip.pl/?hostname=[DOMAIN] = -",
    "now-dns.com U https://now-dns.com/update?hostname=[DOMAIN] = good|nochg",
    "ns1.com A ns1 L",
    "nsupdate.info P nsupdate.info",
    "one.com R panel",
    "opendns.com D https://updates.opendns.com",
    "oray.com U https://ddns.oray.com/ph/update?hostname=[DOMAIN]&myip=[IP] - -",
    "ovh.com D https://dns.eu.ovhapis.com",
    "pdns A powerdns Z",
    "porkbun.com-v3 A porkbun K",
    "regfish.de U https://dyndns.regfish.de/?fqdn=[DOMAIN]&forcehost=1&authtype=secure&token=[PASSWORD]&ipv4=[IP] https://dyndns.regfish.de/?fqdn=[DOMAIN]&forcehost=1&authtype=secure&token=[PASSWORD]&ipv6=[IP] success|100|101",
    "route53-v1 A route53 R",
    "scaleway.com A scaleway L",
    "schokokeks.org U https://dyndns.schokokeks.org/nic/update?myip=[IP] - good|nochg",
    "selfhost.de P selfhost",
    "servercow.de A servercow U",
    "simply.com U https://api.simply.com/2/ddns/?hostname=[DOMAIN]&myip=[IP] = good|nochg",
    "sitelutions.com U https://dnsup.sitelutions.com/dnsup?user=[USERNAME]&pass=[PASSWORD]&id=[DOMAIN]&ip=[IP] - success",
    "spdyn.de P spdyn",
    "strato.com P strato",
    "system-ns.com U https://system-ns.com/api?type=dynamic&command=set&domain=[DOMAIN]&token=[PASSWORD]&ip=[IP] - 0",
    "thatip.com U https://update.dnsmax.com/update/?username=[USERNAME]&password=[PASSWORD]&resellerid=2&clientname=openwrt&clientversion=8.09&protocolversion=2.0&updatehostname=[DOMAIN]&ip=[IP] - -",
    "transip.nl A transip T",
    "twodns.de U https://update.twodns.de/update?hostname=[DOMAIN]&ip=[IP] - -",
    "udmedia.de U https://www.udmedia.de/nic/update?myip=[IP] = -",
    "variomedia.de D https://dyndns.variomedia.de",
    "xlhost.de D https://nsupdate.xlhost.de",
    "ydns.io U https://ydns.io/api/v1/update/?host=[DOMAIN]&ip=[IP] = good|nochg",
    "zoneedit.com U https://dynamic.zoneedit.com/auth/dynamic.html?host=[DOMAIN]&dnsto=[IP] - -",
];

/// One line of the table as its name and route.
fn parse(line: &'static str) -> (&'static str, Route) {
    let (name, rest) = line.split_once(' ').unwrap_or((line, ""));
    let (kind, data) = rest.split_once(' ').unwrap_or((rest, ""));
    let dash = |s: &'static str| if s == "-" { "" } else { s };
    let route = match kind {
        "P" => Route::Preset(data),
        "D" => Route::Dyndns2(data),
        "U" => {
            let mut parts = data.splitn(3, ' ');
            let mut next = || dash(parts.next().unwrap_or("-"));
            Route::Url(next(), next(), next())
        }
        "A" => {
            let (preset, shape) = data.split_once(' ').unwrap_or((data, ""));
            Route::Api(
                preset,
                match shape {
                    "H" => Shape::HostAtZone,
                    "K" => Shape::KeySecret,
                    "Z" => Shape::ZoneLabel,
                    "L" => Shape::LabelZone,
                    "N" => Shape::CustomerKey,
                    "E" => Shape::AccountKey,
                    "U" => Shape::UserFqdn,
                    "X" => Shape::RecordZone,
                    "T" => Shape::LoginKeyLabel,
                    "G" => Shape::ServiceAccount,
                    _ => Shape::ZoneLookup,
                },
            )
        }
        _ => Route::Refused(match data {
            "api" => NO_API,
            "panel" => PANEL,
            why => why,
        }),
    };
    (name, route)
}

/// Every service name with its route.
pub fn all() -> impl Iterator<Item = (&'static str, Route)> {
    SERVICES.iter().map(|line| parse(line))
}

/// Whether this build serves the route (an API preset may be missing).
pub fn served(route: &Route) -> bool {
    match route {
        Route::Refused(_) => false,
        Route::Api(p, _) => super::super::provider::presets::preset(p).is_some(),
        _ => true,
    }
}

/// The URL of a `Url` route for one family; `None` when it has none.
pub fn url_for(v4: &'static str, v6: &'static str, ipv6: bool) -> Option<&'static str> {
    match (ipv6, v6) {
        (false, _) => Some(v4),
        (true, "") => None,
        (true, "=") => Some(v4),
        (true, v6) => Some(v6),
    }
}

/// The built-in route of a service name.
pub fn route(name: &str) -> Option<Route> {
    all().find(|(n, _)| *n == name).map(|(_, route)| route)
}

/// A ddns-scripts URL as a dynup template: credentials before the host are
/// dropped (dynup sends them as Basic auth), `[PARAMENC]` (percent-encoded) and
/// `[PARAMOPT]` (raw) are filled in now, the rest become dynup's placeholders.
pub fn template_url(url: &str, param_enc: &str, param_opt: &str) -> String {
    let mut url = url.replacen("[USERNAME]:[PASSWORD]@", "", 1);
    url = url.replace("[PARAMENC]", &crate::url::percent_encode(param_enc));
    url = url.replace("[PARAMOPT]", param_opt);
    url.replace("[USERNAME]", "{user}")
        .replace("[PASSWORD]", "{password}")
        .replace("[DOMAIN]", "{hostname}")
        .replace("[IP]", "{ip}")
}

/// dyndns2 servers of the table that take IPv4 only (ddns-scripts has no IPv6 URL).
const DYNDNS2_V4_ONLY: [&str; 4] = ["dy.fi", "dyndns.it", "opendns.com", "xlhost.de"];

/// Whether a served name can update an AAAA record.
pub fn has_ipv6(name: &str, route: &Route) -> bool {
    match route {
        Route::Preset(p) => super::super::provider::presets::preset(p).is_some_and(|p| p.ipv6),
        Route::Dyndns2(_) => !DYNDNS2_V4_ONLY.contains(&name),
        Route::Url(_, v6, _) => !v6.is_empty(),
        Route::Api(p, _) => super::super::provider::presets::preset(p).is_some_and(|p| p.ipv6),
        Route::Refused(_) => false,
    }
}

/// A minimal ddns-scripts definition for LuCI's provider list: the `ipv6` key
/// says the service can do IPv6; the URLs say who serves it.
pub fn definition_json(name: &str, route: &Route) -> String {
    let entry = "{ \"url\": \"served by dynup\" }";
    let mut json = format!("{{\n\t\"name\": \"{name}\",\n\t\"ipv4\": {entry}");
    if has_ipv6(name, route) {
        json.push_str(&format!(",\n\t\"ipv6\": {entry}"));
    }
    json.push_str("\n}\n");
    json
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_so_lookups_find_every_name() {
        let names: Vec<&str> = all().map(|(n, _)| n).collect();
        assert!(names.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(names.len(), 100);
        for (name, r) in all() {
            assert_eq!(route(name), Some(r), "{name}");
            if let Route::Url(v4, _, _) | Route::Dyndns2(v4) = r {
                assert!(v4.starts_with("http"), "{name}");
            }
        }
        assert_eq!(route("no-ip.com"), Some(Route::Preset("noip")));
        assert_eq!(
            route("pdns"),
            Some(Route::Api("powerdns", Shape::ZoneLabel))
        );
        assert_eq!(route("one.com"), Some(Route::Refused(PANEL)));
        assert_eq!(route("blazingfast.io"), Some(Route::Refused(NO_API)));
        assert_eq!(route("ns1.com"), Some(Route::Api("ns1", Shape::LabelZone)));
        assert_eq!(
            route("luadns.com-v1"),
            Some(Route::Api("luadns", Shape::AccountKey))
        );
        assert_eq!(
            route("freedns.42.pl"),
            Some(Route::Api("xname", Shape::RecordZone))
        );
        assert_eq!(
            route("huaweicloud.com"),
            Some(Route::Api("huaweicloud", Shape::KeySecret))
        );
        assert_eq!(
            route("transip.nl"),
            Some(Route::Api("transip", Shape::LoginKeyLabel))
        );
        assert_eq!(
            route("cloud.google.com-v1"),
            Some(Route::Api("gcp", Shape::ServiceAccount))
        );
        assert_eq!(
            route("ddnss.de"),
            Some(Route::Url(
                "https://ip4.ddnss.de/upd.php?user=[USERNAME]&pwd=[PASSWORD]&host=[DOMAIN]&ip=[IP]",
                "",
                "Updated|No change"
            ))
        );
        assert_eq!(route("dyn.com"), Some(Route::Preset("dyn")));
        assert_eq!(route("nosuch.example"), None);
        let Some(Route::Url(v4, v6, _)) = route("all-inkl.com") else {
            panic!("all-inkl.com is a URL service");
        };
        assert_eq!(url_for(v4, v6, true), Some(v4));
        let Some(Route::Url(v4, v6, _)) = route("3322.org") else {
            panic!("3322.org is a URL service");
        };
        assert_eq!(
            (url_for(v4, v6, false), url_for(v4, v6, true)),
            (Some(v4), None)
        );
    }

    #[test]
    fn a_ddns_scripts_url_becomes_a_dynup_template() {
        let t = template_url(
            "http://[USERNAME]:[PASSWORD]@h.example/u?u=[USERNAME]&d=[DOMAIN]&ip=[IP]&e=[PARAMENC]&o=[PARAMOPT]",
            "a b",
            "x=1&y",
        );
        assert_eq!(
            t,
            "http://h.example/u?u={user}&d={hostname}&ip={ip}&e=a%20b&o=x=1&y"
        );
    }
}
