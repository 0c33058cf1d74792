//! Every command line in README.md that runs dynup, taken from the README itself
//! and run against the loopback mock: an example that no longer works fails here.
//!
//! The lines run inside a network namespace with the interfaces they name (wan,
//! wanb, br-lan, eth1) and the mocks on its loopback: the provider's servers become the
//! mock (DYNUP_SERVER, or the line's own --server replaced), check-IP servers a
//! second mock (DYNUP_CHECKIP), /etc/dynup/FILE a secret file of the test. DNS
//! UPDATE lines run with --dry-run: there is no DNS server to talk to here; so do
//! --bind lines, whose bound sockets cannot reach the mock on loopback.

mod support;

use std::collections::BTreeSet;
use std::fs;
use std::path::PathBuf;

use support::netns::Netns;
use support::*;

const README: &str = include_str!("../README.md");

/// One command line as a shell would run it: its environment assignments and words.
#[derive(Debug, Clone)]
struct Line {
    text: String,
    env: Vec<(String, String)>,
    words: Vec<String>,
}

/// The lines of fenced sh/cron blocks, and `code` spans of table rows, whose
/// command is dynup (after a cron schedule, `VAR=value` words or `sleep N;`).
fn dynup_lines(readme: &str) -> Vec<Line> {
    let mut found = Vec::new();
    let mut block: Option<String> = None;
    let mut pending = String::new();
    for raw in readme.lines() {
        if let Some(fence) = raw.trim_start().strip_prefix("```") {
            block = match block {
                Some(_) => None,
                None => Some(fence.trim().to_string()),
            };
            pending.clear();
            continue;
        }
        match &block {
            Some(lang) if lang == "sh" || lang == "cron" => {
                let line = raw.trim();
                if let Some(head) = line.strip_suffix('\\') {
                    pending.push_str(head);
                    pending.push(' ');
                    continue;
                }
                let whole = format!("{pending}{line}");
                pending.clear();
                if whole.starts_with('#') || whole.is_empty() {
                    continue;
                }
                found.extend(parse_line(&whole));
            }
            Some(_) => {}
            None if raw.starts_with('|') => {
                for (i, span) in raw.split('`').enumerate() {
                    if i % 2 == 1 {
                        found.extend(parse_line(span));
                    }
                }
            }
            None => {}
        }
    }
    found
}

/// A cron line loses its five schedule fields; `a; b` is two commands.
fn parse_line(text: &str) -> Option<Line> {
    let mut words = shell_words(text);
    let schedule = |w: &String| w.bytes().all(|b| b"*/,-0123456789".contains(&b));
    if words.len() > 5 && words[..5].iter().all(schedule) {
        words.drain(..5);
    }
    // `sleep 5; dynup ...`: the part that runs dynup.
    if let Some(at) = words.iter().rposition(|w| w == ";") {
        words.drain(..=at);
    }
    let mut env = Vec::new();
    while let Some((key, value)) = words.first().and_then(|w| assignment(w)) {
        env.push((key, value));
        words.remove(0);
    }
    (words.first().map(String::as_str) == Some("dynup")).then(|| Line {
        text: text.to_string(),
        env,
        words,
    })
}

fn assignment(word: &str) -> Option<(String, String)> {
    let (key, value) = word.split_once('=')?;
    let is_name = !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    is_name.then(|| (key.to_string(), value.to_string()))
}

/// Words as sh splits them, for what the README uses: quotes, `;`, `$(cat FILE)`
/// kept as written (the caller replaces it).
fn shell_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                word.extend(chars.by_ref().take_while(|&c| c != '\''));
            }
            '"' => {
                in_word = true;
                word.extend(chars.by_ref().take_while(|&c| c != '"'));
            }
            ';' => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
                words.push(";".to_string());
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

/// What the mock answers for success, per provider.
fn success_body(preset: &str) -> &'static str {
    match preset {
        "dynv6" => "addresses updated",
        "duckdns" | "template" => "OK",
        "freedns" => "Updated 1 host(s) home to 203.0.113.77 in 0.1 seconds",
        "dyndns-server" => "UPDATED: nrouter.sub.example.com. A None -> 203.0.113.77",
        _ => "good {myip}",
    }
}

/// The namespace the lines run in: the interfaces the README names, each with
/// global addresses, and the two mocks on its loopback.
struct Lab {
    ns: Netns,
    checkip: Mock,
    checkip6: Mock,
    dir: TempDir,
    /// Every run's state files end up here too, for `dynup status`/`release`.
    history: PathBuf,
    /// The API fakes are HTTPS only, as the APIs are: their CA, and its PEM file.
    ca: TestCa,
    ca_pem: PathBuf,
}

impl Lab {
    fn new() -> Lab {
        let ns = Netns::new("readme");
        for (name, addrs) in [
            ("wan", ["203.0.113.2/24", "2001:db8:2::2/64"]),
            ("br-lan", ["192.168.1.1/24", "2001:db8:1::1/64"]),
            ("eth1", ["192.168.2.1/24", "2001:db8:3::1/64"]),
            ("wanb", ["198.51.100.2/24", "2001:db8:4::2/64"]),
        ] {
            ns.ip(&["link", "add", name, "type", "bridge"]);
            ns.ip(&["link", "set", name, "up"]);
            for addr in addrs {
                if addr.contains(':') {
                    ns.ip(&["addr", "add", addr, "dev", name, "nodad"]);
                } else {
                    ns.ip(&["addr", "add", addr, "dev", name]);
                }
            }
        }
        // The LAN server of the --ipv6-neighbor example.
        ns.ip(&[
            "-6",
            "neigh",
            "add",
            "2001:db8:1::5",
            "lladdr",
            "52:54:00:12:34:56",
            "dev",
            "br-lan",
            "nud",
            "permanent",
        ]);
        let checkip = ns.inside(Mock::http);
        checkip.default_reply(Reply::ok("203.0.113.77\n"));
        let checkip6 = ns.inside(|| Mock::http_on(std::net::Ipv6Addr::LOCALHOST.into()));
        checkip6.default_reply(Reply::ok("2001:db8:2::77\n"));
        let dir = TempDir::new("readme");
        let history = dir.join("history");
        fs::create_dir(&history).expect("history");
        let ca = TestCa::new();
        let ca_pem = ca.write_pem(dir.path());
        Lab {
            ns,
            checkip,
            checkip6,
            dir,
            history,
            ca,
            ca_pem,
        }
    }

    /// The secret file a README path stands for (made once): a TSIG key, the
    /// password the fakes take for a --password-file, else the token.
    fn secret_file(&self, readme_path: &str, flag: &str) -> String {
        let name = readme_path
            .trim_start_matches("/etc/dynup/")
            .replace('/', "_");
        let path = self.dir.join(&name);
        if !path.exists() {
            // An RSA key (transip, gcp) as a PEM file or a service account's JSON key.
            let json_key = rsa_key::json_key(gcp::ACCOUNT, gcp::PROJECT);
            let value = match flag {
                "--tsig-key-file" => "hmac-sha256:k.example:c2VjcmV0c2VjcmV0",
                "--password-file" if name.ends_with(".pem") => rsa_key::KEY_PEM,
                "--password-file" if name.ends_with(".json") => &json_key,
                "--password-file" => PASSWORD,
                _ => TOKEN,
            };
            write_secret(&self.dir, &name, value);
        }
        path.display().to_string()
    }

    /// Runs one README line; returns its outcome, the mock's request count and
    /// whether the line was given --dry-run here.
    fn run(&self, n: usize, line: &Line) -> (Run, usize, bool) {
        let preset = preset_of(line);
        // An API preset talks to the fake of its provider's API (tests/support),
        // over HTTPS as the real ones; the others to a plain mock.
        let https = API_PRESETS.contains(&preset.as_str());
        let mock = if https {
            self.ns.inside(|| Mock::https(&self.ca))
        } else {
            self.ns.inside(Mock::http)
        };
        mock.default_reply(Reply::ok(success_body(&preset)));
        let api = api_fake(&preset, &mock);
        let dns = preset.contains("rfc2136");
        let cache = self.dir.join(&format!("cache-{n}"));
        let reads_history = matches!(
            line.words.get(1).map(String::as_str),
            Some("status" | "release")
        );
        let state_dir = if reads_history { &self.history } else { &cache };

        let mut words: Vec<String> = Vec::new();
        let mut previous = String::new();
        for word in &line.words[1..] {
            let replaced = if previous == "-s" || previous == "--server" {
                if dns {
                    word.clone()
                } else {
                    mock.url()
                }
            } else if word.starts_with("/etc/dynup/") {
                self.secret_file(word, &previous)
            } else {
                word.clone()
            };
            previous = word.clone();
            words.push(replaced);
        }
        // A bound socket cannot reach the loopback mock (tests/bind.rs sends over
        // two real uplinks); here such a line shows what it would send.
        let bound = words.iter().any(|w| w == "--bind");
        let dry_run = (dns || bound) && !words.iter().any(|w| w == "-n");
        if dry_run {
            words.insert(0, "-n".to_string());
        }

        let mut cmd = dynup(state_dir);
        if https {
            cmd.env("DYNUP_CACERT", &self.ca_pem);
        }
        if !dns {
            cmd.env("DYNUP_SERVER", mock.url());
        }
        // Each family's check-IP question goes to the mock that has that family.
        let checkip = format!("{} {}", self.checkip.url(), self.checkip6.url());
        cmd.args(&words)
            .env("DYNUP_CHECKIP", checkip)
            // dyndns-update-script.sh's settings, as its config file would hold them.
            .env("DYNDNS_SERVER", mock.url())
            .env("DYNDNS_ZONE", "sub.example.com")
            .env("DYNDNS_SECRET", PASSWORD);
        for (key, value) in &line.env {
            let value = if value.starts_with("$(cat ") || value == "T" {
                TOKEN.to_string()
            } else {
                value.clone()
            };
            cmd.env(key, value);
        }
        let run = run_clean(&mut self.ns.wrap(&cmd));
        if let Ok(entries) = fs::read_dir(&cache) {
            for entry in entries.flatten() {
                let _ = fs::copy(entry.path(), self.history.join(entry.file_name()));
            }
        }
        let mut run = run;
        if let Some(violations) = api {
            for violation in violations() {
                run.stderr.push_str(&format!("\nthe fake API: {violation}"));
                run.code = run.code.max(100);
            }
        }
        (run, mock.count(), dry_run)
    }
}

/// The presets with their own HTTP API, each with a fake in tests/support.
const API_PRESETS: [&str; 25] = [
    "cloudflare",
    "porkbun",
    "hetzner",
    "gandi",
    "digitalocean",
    "godaddy",
    "linode",
    "desec-api",
    "powerdns",
    "namecheap",
    "scaleway",
    "route53",
    "namesilo",
    "netcup",
    "ionos",
    "dnspod",
    "aliyun",
    "luadns",
    "ns1",
    "servercow",
    "beget",
    "xname",
    "huaweicloud",
    "transip",
    "gcp",
];

/// The README's API lines update home.example.com: the fake of the preset's API
/// with the zone example.com on `mock`, and what it found wrong in the requests.
type Violations = Box<dyn Fn() -> Vec<String>>;

fn api_fake(preset: &str, mock: &Mock) -> Option<Violations> {
    use support::*;
    let zone = ["example.com"];
    Some(match preset {
        "cloudflare" => {
            let api = cloudflare::CloudflareApi::on(mock, &[("0123abcd", zone[0])]);
            Box::new(move || api.violations())
        }
        "porkbun" => {
            let api = porkbun::PorkbunApi::on(mock, &zone);
            Box::new(move || api.violations())
        }
        "hetzner" => {
            let api = hetzner::HetznerApi::on(mock, &zone);
            Box::new(move || api.violations())
        }
        "gandi" => {
            let api = gandi::GandiApi::on(mock, &zone);
            Box::new(move || api.violations())
        }
        "digitalocean" => {
            let api = digitalocean::DigitalOceanApi::on(mock, &zone);
            Box::new(move || api.violations())
        }
        "godaddy" => {
            let api = godaddy::GoDaddyApi::on(mock, &zone);
            Box::new(move || api.violations())
        }
        "linode" => {
            let api = linode::LinodeApi::on(mock, &zone);
            Box::new(move || api.violations())
        }
        "desec-api" => {
            let api = desec_api::DesecApi::on(mock, &zone);
            Box::new(move || api.violations())
        }
        "powerdns" => {
            let api = powerdns::PowerDnsApi::on(mock, &zone);
            Box::new(move || api.violations())
        }
        "namecheap" => {
            // Namecheap updates only a host that has an A record already.
            let api = namecheap::NamecheapApi::on(mock, &zone);
            api.add(zone[0], "home", "192.0.2.1");
            Box::new(move || api.violations())
        }
        "scaleway" => {
            let api = scaleway::ScalewayApi::on(mock, &zone);
            Box::new(move || api.violations())
        }
        "route53" => {
            let api = route53::Route53Api::on(mock, &zone);
            Box::new(move || api.violations())
        }
        "namesilo" => {
            let api = namesilo::NamesiloApi::on(mock, &zone);
            Box::new(move || api.violations())
        }
        "netcup" => {
            let api = netcup::NetcupApi::on(mock, &zone);
            Box::new(move || api.violations())
        }
        "aliyun" => {
            let api = aliyun::AliyunApi::on(mock, &zone);
            Box::new(move || api.violations())
        }
        "dnspod" => {
            let api = dnspod::DnspodApi::on(mock, &zone);
            Box::new(move || api.violations())
        }
        "luadns" => {
            let api = luadns::LuadnsApi::on(mock, &zone);
            Box::new(move || api.violations())
        }
        "ns1" => {
            let api = ns1::Ns1Api::on(mock, &zone);
            Box::new(move || api.violations())
        }
        "servercow" => {
            let api = servercow::ServercowApi::on(mock, &zone);
            Box::new(move || api.violations())
        }
        "beget" => {
            let api = beget::BegetApi::on(mock, &zone);
            Box::new(move || api.violations())
        }
        "xname" => {
            let api = xname::XnameApi::on(mock, &zone);
            Box::new(move || api.violations())
        }
        "huaweicloud" => {
            let api = huaweicloud::HuaweiApi::on(mock, &zone);
            Box::new(move || api.violations())
        }
        "ionos" => {
            let api = ionos::IonosApi::on(mock, &["home.example.com"]);
            Box::new(move || api.violations())
        }
        "transip" => {
            let api = transip::TransipApi::on(mock, &zone);
            Box::new(move || api.violations())
        }
        "gcp" => {
            let api = gcp::GcpApi::on(mock);
            Box::new(move || api.violations())
        }
        _ => return None,
    })
}

/// The provider a line talks to: its -p, the drop-in's, or the host's domain's.
fn preset_of(line: &Line) -> String {
    let words = &line.words;
    if let Some(at) = words.iter().position(|w| w == "-p" || w == "--provider") {
        if words.get(1).map(String::as_str) != Some("compat") {
            return words.get(at + 1).cloned().unwrap_or_default();
        }
    }
    if words.iter().any(|w| w == "dyndns-update-script.sh") {
        return "dyndns-server".to_string();
    }
    let last = words.last().map(String::as_str).unwrap_or("");
    if last.ends_with(".ddns.net") {
        "noip".to_string()
    } else {
        "dynv6".to_string()
    }
}

#[test]
fn readme_lines_are_found() {
    let lines = dynup_lines(README);
    let texts: BTreeSet<&str> = lines.iter().map(|l| l.text.as_str()).collect();
    assert!(lines.len() >= 30, "only {} dynup lines found", lines.len());
    // The quick start, a cron line, a continued line, a table cell, a drop-in.
    for expected in [
        "dynup -n --token-file /etc/dynup/dynv6.token myhome.dynv6.net",
        "*/5 * * * * dynup -q --token-file /etc/dynup/dynv6.token myhome.dynv6.net",
        "dynup status",
        "token=T dynup compat dynv6.sh myhome.dynv6.net",
    ] {
        assert!(
            texts.contains(expected),
            "{expected} not found in {texts:#?}"
        );
    }
    let continued = lines
        .iter()
        .find(|l| l.words.contains(&"--ipv6-host-id".to_string()))
        .expect("the continued --ipv6-host-id line");
    assert_eq!(
        continued.words.last().map(String::as_str),
        Some("server.dynv6.net")
    );
    let with_env = lines
        .iter()
        .find(|l| l.env.iter().any(|(k, _)| k == "DYNUP_PASSWORD"))
        .expect("a line with DYNUP_PASSWORD=...");
    assert_eq!(with_env.words[0], "dynup");
}

#[test]
fn every_readme_line_that_runs_dynup_works_against_the_mock() {
    let lab = Lab::new();
    let mut failures = Vec::new();
    for (n, line) in dynup_lines(README).iter().enumerate() {
        let (run, requests, forced_dry) = lab.run(n, line);
        let words = &line.words;
        let dry = forced_dry || words.iter().any(|w| w == "-n" || w == "--dry-run");
        let has = |word: &str| words.iter().any(|w| w == word);
        // Lines that contact no provider: a dry run, --show-addresses, the state
        // commands, and the drop-in's -p (it prints the prefix).
        let sends = !(dry
            || has("--show-addresses")
            || matches!(words.get(1).map(String::as_str), Some("status" | "release"))
            || (has("dyndns-update-script.sh") && has("-p")));
        let problem = if run.code != 0 {
            Some(format!("exit {}", run.code))
        } else if dry && !run.stdout.contains("would send") {
            Some("a dry run that does not say what it would send".to_string())
        } else if sends && requests == 0 {
            Some("no request reached the mock".to_string())
        } else if dry && requests != 0 {
            Some("a dry run sent".to_string())
        } else {
            None
        };
        if let Some(problem) = problem {
            failures.push(format!("{}\n  {problem}: {run:?}", line.text));
        }
    }
    assert!(
        failures.is_empty(),
        "README lines that fail:\n{}",
        failures.join("\n")
    );
}
