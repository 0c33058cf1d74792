//! `dynup ddns`: /etc/config/ddns sections (ddns-scripts' options) run against the
//! loopback mock: the documentation's sample sections, one section per service
//! family, every service name served or refused with why, the run files LuCI
//! reads, and the updater loop (force_interval 0, SIGTERM).

mod support;

#[path = "ddns/all_services.rs"]
mod all_services;
#[path = "ddns/api_services.rs"]
mod api_services;
#[path = "ddns/transport.rs"]
mod transport;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use all_services::ALL_SERVICES;
use support::*;

/// A DNS server nobody answers on: the registered-address check finds nothing
/// (and a run then sends), without leaving loopback.
const NO_DNS: &str = "127.0.0.1:9";

struct Ddns {
    fx: Fixture,
    config: PathBuf,
    share: PathBuf,
    run: PathBuf,
    log: PathBuf,
}

impl Ddns {
    fn new(sections: &str) -> Ddns {
        Ddns::with(Fixture::http(), sections)
    }

    fn with(fx: Fixture, sections: &str) -> Ddns {
        let config = fx.dir.join("ddns");
        let share = fx.dir.join("share");
        fs::create_dir_all(share.join("custom")).unwrap();
        fs::write(&config, sections).unwrap();
        fs::set_permissions(&config, fs::Permissions::from_mode(0o600)).unwrap();
        Ddns {
            config,
            share,
            run: fx.dir.join("run"),
            log: fx.dir.join("log"),
            fx,
        }
    }

    fn cmd(&self, args: &[&str]) -> std::process::Command {
        let mut cmd = dynup(&self.fx.cache());
        cmd.arg("ddns")
            .arg("--config")
            .arg(&self.config)
            .arg("--share-dir")
            .arg(&self.share)
            .arg("--rundir")
            .arg(&self.run)
            .arg("--logdir")
            .arg(&self.log)
            .args(args);
        cmd
    }

    fn ddns(&self, args: &[&str]) -> Run {
        let run = run(&mut self.cmd(args));
        run.assert_clean();
        run
    }

    /// `--once SECTION -- --server MOCK`: the section's request goes to the mock
    /// (whose CA is trusted when it speaks TLS).
    fn once_at_mock(&self, section: &str) -> Run {
        let url = self.fx.mock.url();
        let mut args = vec!["--once", section, "--", "--server", &url];
        let pem = self.fx.ca_pem.as_ref().map(|p| p.display().to_string());
        if let Some(pem) = &pem {
            args.extend(["--cacert", pem]);
        }
        self.ddns(&args)
    }

    fn run_file(&self, section: &str, ext: &str) -> Option<String> {
        fs::read_to_string(self.run.join(format!("{section}.{ext}"))).ok()
    }
}

fn section(name: &str, service: &str, extra: &str) -> String {
    format!(
        "config service '{name}'\n\toption enabled '1'\n\toption service_name '{service}'\n\
         \toption domain 'h.example.org'\n\toption username 'user'\n\
         \toption password '{PASSWORD}'\n\toption ip_source 'script'\n\
         \toption ip_script 'echo 203.0.113.7'\n\toption dns_server '{NO_DNS}'\n{extra}\n"
    )
}

/// ddns-scripts' shipped /etc/config/ddns (its two sample sections), checked
/// without network: the sections are valid, and the one option dynup does not
/// honour is named once.
#[test]
fn the_sample_configuration_of_ddns_scripts_checks() {
    let d = Ddns::new(
        "config ddns 'global'\n\toption ddns_dateformat '%F %R'\n\toption ddns_loglines '250'\n\
         \toption ddns_rundir '/var/run/ddns'\n\toption ddns_logdir '/var/log/ddns'\n\n\
         config service 'myddns_ipv4'\n\toption service_name 'dyndns.org'\n\
         \toption use_ipv6 '0'\n\toption enabled '0'\n\toption lookup_host 'yourhost.example.com'\n\
         \toption domain 'yourhost.example.com'\n\toption username 'your_username'\n\
         \toption password 'your_password'\n\toption interface 'wan'\n\
         \toption ip_source 'network'\n\toption ip_network 'wan'\n\n\
         config service 'myddns_ipv6'\n\toption update_url 'http://[USERNAME]:[PASSWORD]@your.provider.net/nic/update?hostname=[DOMAIN]&myip=[IP]'\n\
         \toption use_ipv6 '1'\n\toption enabled '0'\n\toption lookup_host 'yourhost.example.com'\n\
         \toption domain 'yourhost.example.com'\n\toption username 'your_username'\n\
         \toption password 'your_password'\n\toption interface 'wan6'\n\
         \toption ip_source 'network'\n\toption ip_network 'wan6'\n\toption is_glue '0'\n",
    );
    let run = d.ddns(&["--check"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("2 service section(s) valid"), "{run:?}");
    let ddns_file = d.config.display().to_string();
    assert_eq!(
        run.stderr,
        format!(
            "dynup: warning: {ddns_file}:30: service 'myddns_ipv6': option is_glue is not honoured by dynup; ignored\n"
        )
    );
}

#[test]
fn refusals_name_the_file_line_section_and_option() {
    let d = Ddns::new(&format!(
        "{}{}{}{}",
        section("gone", "google.com", ""),
        section("api", "one.com", ""),
        section(
            "script",
            "dyn.com",
            "\toption update_script '/usr/lib/ddns/mine.sh'"
        ),
        section("insecure", "dyn.com", "\toption cacert 'IGNORE'"),
    ));
    let run = d.ddns(&["--check"]);
    assert_eq!(run.code, 2, "{run:?}");
    let file = d.config.display().to_string();
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 4, "{run:?}");
    assert!(
        lines[0].starts_with(&format!(
            "dynup: {file}:3: service 'gone': option service_name: 'google.com': dead"
        )),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].contains("service 'api': option service_name: 'one.com': not supported"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].contains(":30: service 'script': option update_script:"),
        "{}",
        lines[2]
    );
    assert!(
        lines[3].contains(":40: service 'insecure': option cacert: IGNORE is refused"),
        "{}",
        lines[3]
    );
}

/// Each of the 100 names of ddns-scripts' list is served (the check passes) or
/// refused with why; `dynup ddns services` lists exactly the served ones.
#[test]
fn every_service_name_is_served_or_refused_with_why() {
    let mut text = String::new();
    for (i, name) in ALL_SERVICES.iter().enumerate() {
        // bind-nsupdate's TSIG key name is written ALG:NAME.
        let extra = match *name {
            "bind-nsupdate" => "\toption username 'hmac-sha256:key'\n\toption password 'c2VjcmV0'",
            // The API's URL; the record's name (domain is the hosted zone).
            "pdns" => "\toption param_opt 'http://127.0.0.1:8081'",
            "route53-v1" => "\toption lookup_host 'h.example.org'",
            // The API key.
            "netcup.com" => "\toption param_enc 'key'",
            _ => "",
        };
        // An RSA key on one line, as pasted into LuCI, and the record or project.
        let key = support::rsa_key::pem_on_one_line();
        let extra = match *name {
            "transip.nl" => format!("\toption password '{key}'\n\toption param_enc 'h'"),
            "cloud.google.com-v1" => {
                format!("\toption password '{key}'\n\toption param_enc 'project=p&zone=z'")
            }
            _ => extra.to_string(),
        };
        text.push_str(&section(&format!("s{i}"), name, &extra));
    }
    let d = Ddns::new(&text);
    let run = d.ddns(&["--check"]);
    let mut refused = Vec::new();
    for line in run.stderr.lines() {
        let name = ALL_SERVICES
            .iter()
            .find(|n| line.contains(&format!("service_name: '{n}': ")))
            .unwrap_or_else(|| panic!("not a refusal: {line}"));
        let why = line.split(&format!("'{name}': ")).nth(1).unwrap();
        assert!(
            why.starts_with("not supported") || why.starts_with("dead"),
            "{line}"
        );
        refused.push(*name);
    }
    let listed = services(&d, &[]);
    assert_eq!(listed.code, 0);
    let served: Vec<&str> = listed.stdout.lines().collect();
    assert_eq!(served.len() + refused.len(), 100, "{served:?} {refused:?}");
    for name in ALL_SERVICES {
        assert!(served.contains(&name) != refused.contains(&name), "{name}");
    }
    assert!(refused.contains(&"google.com") && refused.contains(&"cnkuai.cn"));
    // The minimal definitions LuCI's list reads: the ipv6 key where served.
    let json = d.fx.dir.join("json");
    fs::create_dir_all(&json).unwrap();
    let run = services(&d, &["--json-dir", json.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(fs::read_dir(&json).unwrap().count(), served.len());
    let dynv6 = fs::read_to_string(json.join("dynv6.com.json")).unwrap();
    assert!(dynv6.contains("\"ipv6\""), "{dynv6}");
    let v4_only = fs::read_to_string(json.join("3322.org.json")).unwrap();
    assert!(
        v4_only.contains("\"ipv4\"") && !v4_only.contains("\"ipv6\""),
        "{v4_only}"
    );
}

/// `dynup ddns services ARGS`.
fn services(d: &Ddns, args: &[&str]) -> Run {
    let run = run(dynup(&d.fx.cache()).arg("ddns").arg("services").args(args));
    run.assert_clean();
    run
}

fn assert_uptime_line(text: Option<String>) {
    let text = text.expect("run file");
    assert!(
        text.ends_with('\n') && text.trim().parse::<u64>().is_ok(),
        "{text:?}"
    );
}

/// A user's own definition (custom/) with its answer pattern; the run files.
#[test]
fn a_custom_definition_with_its_answer_and_the_run_files() {
    let d = Ddns::new(&section(
        "mine",
        "example.org",
        "\toption check_interval '1'",
    ));
    let url = format!(
        "{}/dyn/[USERNAME]?host=[DOMAIN]&addr=[IP]&opt=[PARAMOPT]",
        d.fx.mock.url()
    );
    fs::write(
        d.share.join("custom/example.org.json"),
        format!("{{\n\t\"name\": \"example.org\",\n\t\"ipv4\": {{\n\t\t\"url\": \"{url}\",\n\t\t\"answer\": \"^(done|same) [0-9.]+$\"\n\t}}\n}}\n"),
    )
    .unwrap();
    d.fx.mock.reply(Reply::ok("DONE 203.0.113.7"));
    let run = d.ddns(&["--once", "mine"]);
    assert_eq!(run.code, 0, "{run:?}");
    let requests = d.fx.mock.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].path, "/dyn/user");
    assert_eq!(requests[0].param("host"), Some("h.example.org"));
    assert_eq!(requests[0].param("addr"), Some("203.0.113.7"));
    assert_uptime_line(d.run_file("mine", "update"));
    assert_eq!(d.run_file("mine", "ip").as_deref(), Some("\n"));
    assert!(d.run_file("mine", "err").is_none());
    let pid = d.run_file("mine", "pid").unwrap();
    assert!(pid.trim().parse::<u32>().is_ok(), "{pid:?}");
    let log = fs::read_to_string(d.log.join("mine.log")).unwrap();
    assert!(
        log.lines().all(|l| l.len() > 10 && l.as_bytes()[7] == b' '),
        "{log}"
    );
    assert!(log.contains("  info : update successful"), "{log}");

    // An answer outside the pattern fails, and says so in SECTION.err.
    d.fx.mock.reply(Reply::ok("done but not an address"));
    let run = d.ddns(&["--once", "mine", "--", "--force"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.contains("does not match the service's pattern"),
        "{run:?}"
    );
    assert!(d.run_file("mine", "err").unwrap().starts_with("exit 1:"));
}

/// One section per family: a preset (dyn), dyndns2 at a server, a template of the
/// table with its answer words, a token preset, update_url.
#[test]
fn one_section_per_service_family_sends_the_right_request() {
    let d = Ddns::new(&format!(
        "{}{}{}{}{}",
        section("preset", "dyndns.org", ""),
        section("dyndns2", "afraid.org-basicauth", ""),
        section("template", "3322.org", "\toption use_https '1'"),
        section("token", "duckdns.org", ""),
        section("url", "", "\toption update_url 'http://[USERNAME]:[PASSWORD]@x.example/up?h=[DOMAIN]&i=[IP]&e=[PARAMENC]'\n\toption param_enc 'a b'"),
    ));
    for (name, answer) in [
        ("preset", "good 203.0.113.7"),
        ("dyndns2", "good 203.0.113.7"),
        ("template", "good 203.0.113.7"),
        ("token", "OK"),
        ("url", "anything"),
    ] {
        d.fx.mock.reply(Reply::ok(answer));
        let run = d.once_at_mock(name);
        assert_eq!(run.code, 0, "{name}: {run:?}");
    }
    let r = d.fx.mock.requests();
    assert_eq!(r.len(), 5);
    let login = Some(("user".to_string(), PASSWORD.to_string()));
    for dyndns2 in &r[0..2] {
        assert_eq!(dyndns2.path, "/nic/update");
        assert_eq!(dyndns2.param("hostname"), Some("h.example.org"));
        assert_eq!(dyndns2.param("myip"), Some("203.0.113.7"));
        assert_eq!(dyndns2.basic_auth(), login);
    }
    assert_eq!(r[2].path, "/dyndns/update");
    assert_eq!(r[2].param("system"), Some("dyndns"));
    assert_eq!(r[2].param("hostname"), Some("h.example.org"));
    assert_eq!(r[2].basic_auth(), login);
    assert_eq!(r[3].path, "/update");
    assert_eq!(r[3].param("token"), Some(PASSWORD));
    assert_eq!(r[4].path, "/up");
    assert_eq!(r[4].param("e"), Some("a b"));
    assert_eq!(r[4].param("i"), Some("203.0.113.7"));
}

fn wait_for(path: &Path) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !path.exists() {
        assert!(
            Instant::now() < deadline,
            "{} never appeared",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The updater loop: force_interval 0 runs once and exits; a long-running one
/// writes .nextcheck and exits 0 on SIGTERM, its .pid removed.
#[test]
fn the_loop_runs_once_with_force_0_and_stops_on_sigterm() {
    let d = Ddns::new(&format!(
        "{}{}",
        section("once", "dyndns.org", "\toption force_interval '0'"),
        section(
            "long",
            "dyndns.org",
            "\toption check_interval '1'\n\toption check_unit 'hours'"
        ),
    ));
    d.fx.mock.reply(Reply::ok("good 203.0.113.7"));
    let url = d.fx.mock.url();
    // A file others can read is used, with a warning (LuCI writes it as it is).
    fs::set_permissions(&d.config, fs::Permissions::from_mode(0o644)).unwrap();
    let run = d.ddns(&["once", "--", "--server", &url]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stderr
            .contains("holds a password but other users can read it"),
        "{run:?}"
    );
    assert_eq!(d.fx.mock.requests().len(), 1);
    // Run once: no next check is coming, so none is left for LuCI to show.
    fs::write(d.run.join("once.nextcheck"), "1\n").unwrap();
    let run = d.ddns(&["once", "--", "--server", &url, "--force"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(!d.run.join("once.nextcheck").exists());

    d.fx.mock.reply(Reply::ok("good 203.0.113.7"));
    let mut cmd = d.cmd(&["long", "--", "--server", &url]);
    cmd.stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let mut child = cmd.spawn().unwrap();
    let nextcheck = d.run.join("long.nextcheck");
    wait_for(&nextcheck);
    let pid = d.run_file("long", "pid").unwrap();
    assert_eq!(pid.trim(), child.id().to_string());
    let next: u64 = fs::read_to_string(&nextcheck)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let update: u64 = d
        .run_file("long", "update")
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!((3599..=3601).contains(&(next - update)), "{update} {next}");
    // SAFETY: kill(2) on our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "still running after SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0));
    assert!(d.run_file("long", "pid").is_none());
}

/// bind-nsupdate against a real BIND on loopback: the record does not exist yet
/// (NXDOMAIN), which means "update", not a retry; then SECTION.ip holds it.
#[test]
fn bind_nsupdate_creates_a_new_record_after_nxdomain() {
    use support::named::{Named, TsigKey, Zone};
    let key = TsigKey::new("ddns-key.example.test", "hmac-sha256");
    let named = Named::start(&[Zone::new("example.test", std::slice::from_ref(&key))]);
    let server = format!("127.0.0.1:{}", named.port);
    let d = Ddns::new(&format!(
        "config service 'nsupdate'\n\toption service_name 'bind-nsupdate'\n\
         \toption domain 'new.example.test'\n\toption username 'hmac-sha256:{}'\n\
         \toption password '{}'\n\toption dns_server '{server}'\n\
         \toption ip_source 'script'\n\toption ip_script 'echo 203.0.113.9'\n",
        key.name, key.secret
    ));
    assert!(named.dig("new.example.test", "A").is_empty());
    let run = d.ddns(&["--once", "nsupdate"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(!run.stderr.contains(&key.secret), "{run:?}");
    assert_eq!(named.dig("new.example.test", "A"), ["203.0.113.9"]);
    assert_eq!(
        d.run_file("nsupdate", "ip").as_deref(),
        Some("203.0.113.9\n")
    );
    assert_uptime_line(d.run_file("nsupdate", "update"));
}

/// A section whose address comes from a script and whose registered-address
/// check finds nothing, for the API services (ddns/api_services.rs) and the
/// transport tests (ddns/transport.rs).
fn api_section(name: &str, service: &str, options: &str) -> String {
    format!(
        "config service '{name}'\n\toption service_name '{service}'\n{options}\
         \toption ip_source 'script'\n\toption ip_script 'echo 203.0.113.7'\n\
         \toption dns_server '{NO_DNS}'\n"
    )
}

/// As ddns-scripts, the first check of a boot (no SECTION.update) sends an
/// update even when DNS already holds the address, so LuCI has a last update
/// to show; with SECTION.update there, the registered address is trusted. The
/// log says what each check did and keeps ddns_loglines lines.
#[test]
fn the_first_check_of_a_boot_updates_and_later_ones_trust_the_registered_address() {
    use support::named::{Named, Zone};
    let named = Named::start(&[Zone::new("example.test", &[]).record("h 300 IN A 203.0.113.7")]);
    let fx = Fixture::http();
    let url = format!(
        "{}/u?h=[DOMAIN]&ip=[IP]",
        fx.mock.url().trim_end_matches('/')
    );
    let d = Ddns::with(
        fx,
        &format!(
            "config ddns 'global'\n\toption ddns_loglines '3'\n\n\
             config service 'boot'\n\toption update_url '{url}'\n\
             \toption domain 'h.example.test'\n\toption dns_server '127.0.0.1:{}'\n\
             \toption ip_source 'script'\n\toption ip_script 'echo 203.0.113.7'\n",
            named.port
        ),
    );
    let run = d.ddns(&["--once", "boot"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(d.fx.mock.requests().len(), 1, "the first check sends");
    assert_uptime_line(d.run_file("boot", "update"));
    // dynup's own state forgotten: only the registered address can say "current".
    fs::remove_dir_all(d.fx.cache()).unwrap();
    let run = d.ddns(&["--once", "boot"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        d.fx.mock.requests().len(),
        1,
        "the registered address is trusted"
    );
    let log = fs::read_to_string(d.log.join("boot.log")).unwrap();
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines.len(), 3, "{log}");
    assert!(lines[0].ends_with("info : update successful"), "{log}");
    assert!(lines[1].contains("started"), "{log}");
    assert!(
        lines[2].ends_with("info : address current, nothing sent"),
        "{log}"
    );
}
