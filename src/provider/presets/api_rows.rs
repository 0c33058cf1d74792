//! The presets of the API providers, each behind its cargo feature.

use super::Preset;
#[allow(unused_imports)] // unused in a build without any API provider
use super::{Credentials, DYNDNS2};
#[allow(unused_imports)] // unused in a build without any API provider
use crate::provider::Protocol;

pub(super) const ROWS: &[Preset] = &[
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
        protocol: Protocol::Api(crate::provider::cloudflare::API),
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
        protocol: Protocol::Api(crate::provider::porkbun::API),
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
        protocol: Protocol::Api(crate::provider::hetzner::API),
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
        protocol: Protocol::Api(crate::provider::gandi::API),
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
        protocol: Protocol::Api(crate::provider::digitalocean::API),
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
        protocol: Protocol::Api(crate::provider::godaddy::API),
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
        protocol: Protocol::Api(crate::provider::linode::API),
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
        protocol: Protocol::Api(crate::provider::desec_api::API),
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
        protocol: Protocol::Api(crate::provider::powerdns::API),
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
        protocol: Protocol::Api(crate::provider::namecheap::API),
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
        protocol: Protocol::Api(crate::provider::scaleway::API),
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
        protocol: Protocol::Api(crate::provider::route53::API),
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
        protocol: Protocol::Api(crate::provider::namesilo::API),
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
        protocol: Protocol::Api(crate::provider::netcup::API),
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
        protocol: Protocol::Api(crate::provider::ionos::API),
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
        protocol: Protocol::Api(crate::provider::dnspod::API),
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
        protocol: Protocol::Api(crate::provider::aliyun::API),
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
        protocol: Protocol::Api(crate::provider::luadns::API),
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
        protocol: Protocol::Api(crate::provider::ns1::API),
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
        protocol: Protocol::Api(crate::provider::servercow::API),
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
        protocol: Protocol::Api(crate::provider::beget::API),
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
        protocol: Protocol::Api(crate::provider::xname::API),
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
        protocol: Protocol::Api(crate::provider::huaweicloud::API),
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
        protocol: Protocol::Api(crate::provider::transip::API),
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
        protocol: Protocol::Api(crate::provider::gcp::API),
        host: Some("dns.googleapis.com"),
        path: "/dns/v1",
        credentials: Credentials::UserRsaKey,
        ipv6_auto: false,
        secret_note:
            "--user SERVICE-ACCOUNT + its JSON or PEM key as the password, --zone-id PROJECT/ZONE",
        ..DYNDNS2
    },
];
