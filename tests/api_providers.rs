//! What every provider with its own HTTP API shares, seen from outside: listed by
//! --list-providers with its endpoint, documented in --help, and refusing the
//! `auto` address it cannot see before anything is sent. (That the web check is
//! their default source is a unit test of provider::api: a test here would
//! reach the internet.)
// With every API provider built in (the default).
#![cfg(feature = "api-providers")]

mod support;

use support::*;

/// Each API preset and the endpoint --list-providers shows for it.
const PRESETS: [(&str, &str); 25] = [
    ("cloudflare", "https://api.cloudflare.com/client/v4"),
    ("porkbun", "https://api.porkbun.com/api/json/v3"),
    ("hetzner", "https://api.hetzner.cloud/v1"),
    ("gandi", "https://api.gandi.net/v5"),
    ("digitalocean", "https://api.digitalocean.com/v2"),
    ("godaddy", "https://api.godaddy.com/v1"),
    ("linode", "https://api.linode.com/v4"),
    ("desec-api", "https://desec.io/api/v1"),
    ("powerdns", "--server URL"),
    ("namecheap", "https://dynamicdns.park-your-domain.com"),
    ("scaleway", "https://api.scaleway.com/domain/v2beta1"),
    ("route53", "https://route53.amazonaws.com/2013-04-01"),
    ("namesilo", "https://www.namesilo.com/api"),
    (
        "netcup",
        "https://ccp.netcup.net/run/webservice/servers/endpoint.php",
    ),
    ("ionos", "https://ipv4.api.hosting.ionos.com/dns/v1/dyndns"),
    ("dnspod", "https://dnspod.tencentcloudapi.com"),
    ("aliyun", "https://alidns.aliyuncs.com"),
    ("luadns", "https://api.luadns.com/v1"),
    ("ns1", "https://api.nsone.net/v1"),
    ("servercow", "https://api.servercow.de/dns/v1/domains"),
    ("beget", "https://api.beget.com/api"),
    ("xname", "https://freedns.42.pl/xmlrpc.php"),
    ("huaweicloud", "https://dns.myhuaweicloud.com"),
    ("transip", "https://api.transip.nl/v6"),
    ("gcp", "https://dns.googleapis.com/dns/v1"),
];

#[test]
fn list_providers_names_every_api_preset_with_its_endpoint() {
    let dir = TempDir::new("api-list");
    let run = run_clean(dynup(dir.path()).arg("--list-providers"));
    assert_eq!(run.code, 0, "{run:?}");
    let lines: Vec<&str> = run.stdout.lines().collect();
    for (name, endpoint) in PRESETS {
        let at = lines
            .iter()
            .position(|l| l.split_whitespace().next() == Some(name))
            .unwrap_or_else(|| panic!("{name} missing: {}", run.stdout));
        // On its line, or (too long for 80 columns) on the next one.
        let shown = lines[at].contains(endpoint)
            || lines
                .get(at + 1)
                .is_some_and(|next| next.trim() == endpoint);
        assert!(shown, "{name}: {}", lines[at]);
    }
}

#[test]
fn help_documents_the_api_options_and_names_the_presets() {
    let dir = TempDir::new("api-help");
    let run = run_clean(dynup(dir.path()).arg("--help"));
    assert_eq!(run.code, 0, "{run:?}");
    for text in ["--zone-id ID", "API providers"] {
        assert!(run.stdout.contains(text), "--help lacks {text}");
    }
    for (name, _) in PRESETS {
        assert!(run.stdout.contains(name), "--help lacks {name}");
    }
}

#[test]
fn auto_is_refused_and_a_given_address_dry_runs() {
    let fx = Fixture::https();
    let key = rsa_key::write_key(&fx.dir, "rsa.pem", rsa_key::KEY_PEM);
    let key = key.display().to_string();
    for (name, _) in PRESETS {
        let creds: &[&str] = match name {
            // An account and its RSA key.
            "transip" | "gcp" => &["--user", "acct", "--password-file", &key],
            _ => &[
                "--token",
                "tok-SECRET-8f3a1c",
                "--password",
                "pw-SECRET-77e0b2",
            ],
        };
        let server: &[&str] = match name {
            "powerdns" => &["--server", "https://127.0.0.1:1"],
            // The customer number.
            "netcup" => &["--user", "123456"],
            // The account's e-mail.
            "luadns" => &["--user", "me@example.com"],
            // The account's login.
            "servercow" | "beget" => &["--user", "login"],
            // The account name.
            "xname" => &["--user", "myaccount"],
            "gcp" => &["--zone-id", "my-project/example-zone"],
            _ => &[],
        };
        let mut cmd = dynup(&fx.cache());
        cmd.args(["-p", name]).args(server).args(creds);
        let refused = run_clean(cmd.args(["--ipv4", "auto", "h.example.com"]));
        assert_eq!(refused.code, 2, "{name}: {refused:?}");
        assert!(
            refused.stderr.contains("'auto' has no meaning"),
            "{name}: {refused:?}"
        );

        // A given address passes, and a dry run says what it would do, sending nothing.
        let mut cmd = dynup(&fx.cache());
        cmd.args(["-p", name]).args(server).args(creds);
        let dry = run_clean(cmd.args(["-n", "-4", "--ipv4", "192.0.2.1", "h.example.com"]));
        assert_eq!(dry.code, 0, "{name}: {dry:?}");
        assert!(dry.stdout.starts_with("would send: "), "{name}: {dry:?}");
    }
    assert_eq!(
        fx.mock.count(),
        0,
        "a usage error or a dry run sent something"
    );
}
