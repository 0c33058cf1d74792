//! API script services (hetzner.cloud, aliyun.com, transip.nl, ...) run through
//! dynup's own API clients against their loopback mocks.

use super::support::{self, *};
use super::{api_section, Ddns, NO_DNS};

/// An API script service (hetzner.cloud: `domain` the zone, `username` the
/// record's label, `password` the API token) through dynup's Hetzner API.
#[cfg(feature = "hetzner")]
#[test]
fn hetzner_cloud_sets_the_record_named_by_username_in_the_zone_of_domain() {
    let fx = Fixture::https();
    let api = support::hetzner::HetznerApi::on(&fx.mock, &["example.com"]);
    let d = Ddns::with(
        fx,
        &format!(
            "config service 'hetzner'\n\toption service_name 'hetzner.cloud'\n\
             \toption domain 'example.com'\n\toption username 'home'\n\
             \toption password '{TOKEN}'\n\toption ip_source 'script'\n\
             \toption ip_script 'echo 203.0.113.7'\n\toption dns_server '{NO_DNS}'\n"
        ),
    );
    let run = d.once_at_mock("hetzner");
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(api.violations(), Vec::<String>::new());
    let rrset = api.rrset("example.com", "home", "A").expect("rrset");
    assert_eq!(rrset.records[0].0, "203.0.113.7");
    for r in d.fx.mock.requests() {
        assert_eq!(
            r.header("authorization"),
            Some(format!("Bearer {TOKEN}").as_str())
        );
    }
}

/// aliyun.com (`username` the AccessKey ID, `password` its secret, `domain`
/// host@zone) through dynup's Alidns API, signed; a RecordId in param_enc is
/// named as not honoured.
#[cfg(feature = "aliyun")]
#[test]
fn aliyun_com_takes_the_access_key_and_host_at_zone() {
    let fx = Fixture::https();
    let api = support::aliyun::AliyunApi::on(&fx.mock, &["example.com"]);
    api.add("example.com", "home", "A", "198.51.100.1");
    let options = format!(
        "\toption domain 'home@example.com'\n\toption username '{TOKEN}'\n\
         \toption password '{PASSWORD}'\n\toption param_enc 'RecordId=42'\n"
    );
    let d = Ddns::with(fx, &api_section("ali", "aliyun.com", &options));
    let run = d.once_at_mock("ali");
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(api.violations(), Vec::<String>::new());
    assert_eq!(
        api.record("home", "A").map(|r| r.value),
        Some("203.0.113.7".to_string())
    );
    assert!(
        run.stderr
            .contains("option param_enc: RecordId is not honoured"),
        "{run:?}"
    );
    assert!(!format!("{run:?}").contains(PASSWORD));
}

/// transip.nl (`username` the login, `password` the private key pasted on one
/// line, `domain` the zone, `param_enc` the record, `param_opt` its TTL) through
/// dynup's TransIP client, its login signed with the key.
#[cfg(feature = "transip")]
#[test]
fn transip_nl_takes_the_login_the_key_and_the_record_from_param_enc() {
    let fx = Fixture::https();
    let api = support::transip::TransipApi::on(&fx.mock, &["example.com"]);
    api.add("example.com", "home", 300, "A", "198.51.100.1");
    let key = support::rsa_key::pem_on_one_line();
    let options = format!(
        "\toption domain 'example.com'\n\toption username '{}'\n\
         \toption password '{key}'\n\toption param_enc 'home'\n\toption param_opt '300'\n",
        support::transip::LOGIN
    );
    let d = Ddns::with(fx, &api_section("tip", "transip.nl", &options));
    let run = d.once_at_mock("tip");
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(api.violations(), Vec::<String>::new());
    assert_eq!(api.entries("home", "A")[0].content, "203.0.113.7");
    let body = key.split_whitespace().nth(4).expect("a piece of the key");
    assert!(!format!("{run:?}").contains(body), "{run:?}");
}

/// cloud.google.com-v1 (`username` the service account, `password` the JSON
/// key's file, `domain` the FQDN, `param_enc` project=&zone=, `param_opt` the
/// TTL) through dynup's Cloud DNS client: a new record set with that TTL.
#[cfg(feature = "gcp")]
#[test]
fn cloud_google_com_v1_takes_the_account_a_key_file_and_project_zone_from_param_enc() {
    use support::gcp::{ACCOUNT, PROJECT, ZONE};
    let fx = Fixture::https();
    let api = support::gcp::GcpApi::on(&fx.mock);
    let key = write_secret(
        &fx.dir,
        "sa.json",
        &support::rsa_key::json_key(ACCOUNT, PROJECT),
    );
    let options = format!(
        "\toption domain 'home.example.com'\n\toption username '{ACCOUNT}'\n\
         \toption password '{}'\n\toption param_enc 'project={PROJECT}&zone={ZONE}'\n\
         \toption param_opt '900'\n",
        key.display()
    );
    let d = Ddns::with(fx, &api_section("gcp", "cloud.google.com-v1", &options));
    let run = d.once_at_mock("gcp");
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(api.violations(), Vec::<String>::new());
    let set = api.set("home.example.com.", "A").expect("created");
    assert_eq!(
        (set.ttl, set.rrdatas),
        (900, vec!["203.0.113.7".to_string()])
    );
}

/// dnspod.cn-v3 (`username` the SecretId, `password` the SecretKey, `domain`
/// host@zone) through dynup's Tencent Cloud API 3.0 client: a new record.
#[cfg(feature = "dnspod")]
#[test]
fn dnspod_cn_v3_takes_the_secret_id_and_host_at_zone() {
    let fx = Fixture::https();
    let api = support::dnspod::DnspodApi::on(&fx.mock, &["example.com"]);
    let options = format!(
        "\toption domain 'home@example.com'\n\toption username '{TOKEN}'\n\
         \toption password '{PASSWORD}'\n"
    );
    let d = Ddns::with(fx, &api_section("pod", "dnspod.cn-v3", &options));
    let run = d.once_at_mock("pod");
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(api.violations(), Vec::<String>::new());
    assert_eq!(
        api.record("home", "A").map(|r| r.value),
        Some("203.0.113.7".to_string())
    );
    assert!(!format!("{run:?}").contains(PASSWORD));
}

/// freedns.42.pl (`username` the account, `password` its password, and the
/// options `zone` and `record` the script reads, honoured without a warning)
/// through dynup's XML-RPC client.
#[cfg(feature = "xname")]
#[test]
fn freedns_42_pl_takes_the_account_and_the_zone_and_record_options() {
    let fx = Fixture::https();
    let api = support::xname::XnameApi::on(&fx.mock, &["example.com"]);
    api.add("example.com", "home", "A", "198.51.100.1");
    let options = format!(
        "\toption domain 'home.example.com'\n\toption username '{}'\n\
         \toption password '{PASSWORD}'\n\toption zone 'example.com'\n\
         \toption record 'home'\n",
        support::xname::USER
    );
    let d = Ddns::with(fx, &api_section("fdns", "freedns.42.pl", &options));
    let run = d.once_at_mock("fdns");
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(api.violations(), Vec::<String>::new());
    assert_eq!(api.values("home", "A"), ["203.0.113.7"]);
    assert!(!run.stderr.contains("not honoured"), "{run:?}");
    assert!(!format!("{run:?}").contains(PASSWORD));
}

/// huaweicloud.com (`username` the access key ID, `password` the secret access
/// key, `domain` host@zone) through dynup's signed Huawei Cloud DNS client: a
/// new record set; `record` is freedns.42.pl's option, not this script's.
#[cfg(feature = "huaweicloud")]
#[test]
fn huaweicloud_com_takes_the_access_key_and_host_at_zone() {
    let fx = Fixture::https();
    let api = support::huaweicloud::HuaweiApi::on(&fx.mock, &["example.com"]);
    let options = format!(
        "\toption domain 'home@example.com'\n\toption username '{TOKEN}'\n\
         \toption password '{PASSWORD}'\n\toption record 'home'\n"
    );
    let d = Ddns::with(fx, &api_section("hw", "huaweicloud.com", &options));
    let run = d.once_at_mock("hw");
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(api.violations(), Vec::<String>::new());
    assert_eq!(
        api.set("home.example.com.", "A").map(|s| s.records),
        Some(vec!["203.0.113.7".to_string()])
    );
    assert!(
        run.stderr.contains("option record is not honoured"),
        "{run:?}"
    );
    assert!(!format!("{run:?}").contains(PASSWORD));
}

/// namesilo.com-v1 (`domain` the zone, `username` the host, `password` the API
/// key, param_opt `ttl=N` for a created record).
#[cfg(feature = "namesilo")]
#[test]
fn namesilo_com_v1_takes_the_host_from_username_and_the_ttl_from_param_opt() {
    let fx = Fixture::https();
    let api = support::namesilo::NamesiloApi::on(&fx.mock, &["example.com"]);
    let options = format!(
        "\toption domain 'example.com'\n\toption username 'home'\n\
         \toption password '{TOKEN}'\n\toption param_opt 'ttl=7200 fmt=json'\n"
    );
    let d = Ddns::with(fx, &api_section("silo", "namesilo.com-v1", &options));
    let run = d.once_at_mock("silo");
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(api.violations(), Vec::<String>::new());
    let record = api.record("A", "home.example.com").expect("record");
    assert_eq!(
        (record.value.as_str(), record.ttl.as_str()),
        ("203.0.113.7", "7200")
    );
    assert!(!format!("{run:?}").contains(TOKEN));
}

/// netcup.com (`username` the customer number, `password` the API password,
/// `param_enc` the API key, `domain` the FQDN, `param_opt` the zone of a
/// deeper name): one session, the record updated.
#[cfg(feature = "netcup")]
#[test]
fn netcup_com_takes_the_api_key_from_param_enc_and_the_zone_from_param_opt() {
    use support::netcup::{NetcupApi, CUSTOMER, SESSION};
    let fx = Fixture::https();
    let api = NetcupApi::on(&fx.mock, &["example.com"]);
    api.add("example.com", "a.home", "A", "198.51.100.1");
    let options = format!(
        "\toption domain 'a.home.example.com'\n\toption username '{CUSTOMER}'\n\
         \toption password '{PASSWORD}'\n\toption param_enc '{TOKEN}'\n\
         \toption param_opt 'example.com'\n"
    );
    let d = Ddns::with(fx, &api_section("cup", "netcup.com", &options));
    let run = d.once_at_mock("cup");
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(api.violations(), Vec::<String>::new());
    assert_eq!(
        api.record("a.home", "A").map(|r| r.destination),
        Some("203.0.113.7".to_string())
    );
    for secret in [TOKEN, PASSWORD, SESSION] {
        assert!(!format!("{run:?}").contains(secret), "{secret}");
    }
    // Without param_enc the section names the missing option.
    let d = Ddns::new(&api_section(
        "cup",
        "netcup.com",
        &format!("\toption domain 'h.example.com'\n\toption username '{CUSTOMER}'\n\toption password '{PASSWORD}'\n"),
    ));
    let run = d.ddns(&["--check"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains(
            "service 'cup': option param_enc is missing: it holds the API key for netcup.com"
        ),
        "{run:?}"
    );
}

/// luadns.com-v1 (`username` the account e-mail, `password` the API key,
/// `domain` the record) through dynup's LuaDNS client.
#[cfg(feature = "luadns")]
#[test]
fn luadns_sets_the_record_domain_names_with_the_e_mail_and_key_as_basic_auth() {
    let fx = Fixture::https();
    let api = support::luadns::LuadnsApi::on(&fx.mock, &["example.com"]);
    api.add("example.com", "A", "home.example.com", "198.51.100.1");
    let email = support::luadns::EMAIL;
    let d = Ddns::with(
        fx,
        &format!(
            "config service 'lua'\n\toption service_name 'luadns.com-v1'\n\
             \toption domain 'home.example.com'\n\toption username '{email}'\n\
             \toption password '{PASSWORD}'\n\toption ip_source 'script'\n\
             \toption ip_script 'echo 203.0.113.7'\n\toption dns_server '{NO_DNS}'\n"
        ),
    );
    let run = d.once_at_mock("lua");
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(api.violations(), Vec::<String>::new());
    let record = api.record("home.example.com", "A").expect("record");
    assert_eq!(record.content, "203.0.113.7");
    let requests = d.fx.mock.requests();
    assert_eq!(requests.last().map(|r| r.method.as_str()), Some("PUT"));
    for r in requests {
        assert_eq!(
            r.basic_auth(),
            Some((email.to_string(), PASSWORD.to_string()))
        );
    }
}

/// ns1.com (`username` the zone, `domain` the record, `password` the API key)
/// through dynup's NS1 client: a missing record is created.
#[cfg(feature = "ns1")]
#[test]
fn ns1_puts_a_missing_record_domain_in_the_zone_username() {
    let fx = Fixture::https();
    let api = support::ns1::Ns1Api::on(&fx.mock, &["example.com"]);
    let d = Ddns::with(
        fx,
        &format!(
            "config service 'ns1'\n\toption service_name 'ns1.com'\n\
             \toption domain 'home.example.com'\n\toption username 'example.com'\n\
             \toption password '{TOKEN}'\n\toption use_ipv6 '1'\n\
             \toption ip_source 'script'\n\toption ip_script 'echo 2001:db8::7'\n\
             \toption dns_server '{NO_DNS}'\n"
        ),
    );
    let run = d.once_at_mock("ns1");
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(api.violations(), Vec::<String>::new());
    let record = api.record("home.example.com", "AAAA").expect("created");
    assert_eq!(record.answers, ["2001:db8::7"]);
    let calls: Vec<String> =
        d.fx.mock
            .requests()
            .iter()
            .map(|r| format!("{} {}", r.method, r.path))
            .collect();
    assert_eq!(
        calls,
        [
            "GET /v1/zones/example.com",
            "GET /v1/zones/example.com/home.example.com/AAAA",
            "PUT /v1/zones/example.com/home.example.com/AAAA",
        ]
    );
    for r in d.fx.mock.requests() {
        assert_eq!(r.header("x-nsone-key"), Some(TOKEN));
    }
}

/// servercow.de's script service (`domain` the record's FQDN, split after its
/// first label; `username` and `password` the DNS-API user) through dynup's
/// Servercow API.
#[cfg(feature = "servercow")]
#[test]
fn servercow_de_sets_the_first_label_of_domain_in_the_rest_as_zone() {
    use support::servercow::{ServercowApi, USER};
    let fx = Fixture::https();
    let api = ServercowApi::on(&fx.mock, &["example.com"]);
    api.add("example.com", "home", "A", "198.51.100.1");
    let d = Ddns::with(
        fx,
        &format!(
            "config service 'cow'\n\toption service_name 'servercow.de'\n\
             \toption domain 'home.example.com'\n\toption username '{USER}'\n\
             \toption password '{PASSWORD}'\n\toption ip_source 'script'\n\
             \toption ip_script 'echo 203.0.113.7'\n\toption dns_server '{NO_DNS}'\n"
        ),
    );
    let run = d.once_at_mock("cow");
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(api.violations(), Vec::<String>::new());
    let record = api.record("example.com", "home", "A").expect("record");
    assert_eq!(record.content, "203.0.113.7");
    let requests = d.fx.mock.requests();
    assert_eq!(requests.len(), 2);
    for r in requests {
        assert_eq!(r.path, "/dns/v1/domains/example.com");
        assert_eq!(r.header("x-auth-username"), Some(USER));
        assert_eq!(r.header("x-auth-password"), Some(PASSWORD));
    }
}

/// beget.com's script service (`domain` the FQDN, `username` the login,
/// `password` its password) through dynup's Beget API.
#[cfg(feature = "beget")]
#[test]
fn beget_com_sets_the_record_of_domain_with_login_and_password() {
    use support::beget::{BegetApi, LOGIN};
    let fx = Fixture::https();
    let api = BegetApi::on(&fx.mock, &["example.ru"]);
    api.add("home.example.ru", "TXT", "kept", 10);
    let d = Ddns::with(
        fx,
        &format!(
            "config service 'beget'\n\toption service_name 'beget.com'\n\
             \toption domain 'home.example.ru'\n\toption username '{LOGIN}'\n\
             \toption password '{PASSWORD}'\n\toption ip_source 'script'\n\
             \toption ip_script 'echo 203.0.113.7'\n\toption dns_server '{NO_DNS}'\n"
        ),
    );
    let run = d.once_at_mock("beget");
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(api.violations(), Vec::<String>::new());
    assert_eq!(api.values("home.example.ru", "A"), ["203.0.113.7"]);
    assert_eq!(api.values("home.example.ru", "TXT"), ["kept"]);
    let paths: Vec<String> =
        d.fx.mock
            .requests()
            .iter()
            .map(|r| r.path.clone())
            .collect();
    assert_eq!(paths, ["/api/dns/getData", "/api/dns/changeRecords"]);
    let log = format!("{}{}", run.stdout, run.stderr);
    assert!(!log.contains(PASSWORD), "{log}");
}
