//! From raw flags, the environment and secret files to a validated `Job`:
//! everything a run needs, checked before anything is sent.

use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::addr::{self, V6Addr, V6Net, Wanted};
use crate::bind::Bind;
use crate::cli::Args;
use crate::clock;
use crate::dns::key::{self, TsigKey};
use crate::exit::Failure;
use crate::http::{self, CaBundle, Family};
use crate::provider::{self, api, names, rfc2136, template, Credentials, Preset, Protocol};
use crate::secret::{self, Redactor, Secret};
use crate::url::Server;

/// Resend an unchanged address after this long: providers expire idle hosts
/// (No-IP's free hosts after 30 days).
const DEFAULT_MAX_AGE: u64 = 25 * 86_400;
const DEFAULT_TIMEOUT: u64 = 20;

pub struct Job {
    pub preset: &'static Preset,
    pub server: Server,
    /// Family-specific servers for `auto` values; `None` when `--server` overrides.
    pub auto_servers: Option<(Server, Server)>,
    pub hosts: Vec<String>,
    pub user: Option<String>,
    secret: Secret,
    pub ipv4: Option<Wanted<Ipv4Addr>>,
    pub ipv6: Option<Wanted<V6Addr>>,
    pub ipv6_prefix: Option<Wanted<V6Net>>,
    /// Families whose address is found at run time (interface, web) rather than
    /// given: such a family is `None` above until `addr::resolve` fills it.
    pub sources: addr::Sources,
    pub cache_dir: PathBuf,
    pub force: bool,
    pub max_age: u64,
    pub http: http::Settings,
    pub dry_run: bool,
    pub verbose: bool,
    pub quiet: bool,
    pub redactor: Redactor,
    /// Said once at the start of the run, unless `--quiet`.
    pub warnings: Vec<String>,
    /// The DNS zone the hosts are records of (dyndns-server's `zone_name`).
    pub zone: Option<String>,
    /// `--zone-id`: the API's own ID of that zone (no lookup).
    pub zone_id: Option<String>,
    /// The secret half of an API key + secret pair (Porkbun, GoDaddy).
    pub key_secret: Option<Secret>,
    /// TTL of the records, where the protocol takes one.
    pub ttl: Option<u32>,
    /// dyndns-server: `/update-by-path/...` instead of `/update-by-query`.
    pub by_path: bool,
    /// dyndns-server: delete the hosts' A and AAAA records.
    pub delete: bool,
    /// The `--url` template and its success words (template only).
    pub template: Option<crate::provider::template::Spec>,
    /// The TSIG key of the rfc2136 protocol.
    pub tsig: Option<TsigKey>,
    /// `--tcp`: DNS over TCP only.
    pub tcp: bool,
    /// `--lookup-host`: the registered-address check, when asked for.
    pub lookup: Option<crate::registered::Lookup>,
    /// `--on-change`, `--on-failure`: commands run after the run.
    pub hooks: crate::hooks::Hooks,
}

impl Job {
    pub fn secret(&self) -> &Secret {
        &self.secret
    }

    pub fn secret_value(&self) -> &str {
        self.secret.expose()
    }

    /// The Basic-auth user: given, or the preset's stand-in.
    pub fn user_name(&self) -> &str {
        match (&self.user, self.preset.credentials) {
            (Some(user), _) => user,
            (None, Credentials::TokenAsPassword { default_user }) => default_user,
            (None, _) => "",
        }
    }

    /// The Basic-auth user for one host: given, the host itself (he.net, deSEC,
    /// nsupdate.info), or the preset's stand-in.
    pub fn user_for<'a>(&'a self, host: &'a str) -> &'a str {
        match (&self.user, self.preset.credentials) {
            (None, Credentials::HostAsUser) => host,
            _ => self.user_name(),
        }
    }

    pub fn server_for(&self, family: Family) -> &Server {
        match (&self.auto_servers, family) {
            (Some((v4, _)), Family::V4) => v4,
            (Some((_, v6)), Family::V6) => v6,
            _ => &self.server,
        }
    }

    /// Names the account in the state file name: provider, server and user, no secret.
    pub fn account(&self) -> String {
        format!("{} {} {}", self.preset.name, self.server, self.user_name())
    }

    /// A hash of everything whose change releases a hold after a fatal answer:
    /// the provider, where it is, who we are to it (secret included, hashed), what
    /// we ask for in one request, and how we introduce ourselves.
    /// Whether the job means to publish IPv4 and IPv6: a value or a source given.
    pub fn families_meant(&self) -> (bool, bool) {
        (
            self.ipv4.is_some() || self.sources.ipv4.is_some(),
            self.ipv6.is_some() || self.sources.ipv6.is_some(),
        )
    }

    pub fn fingerprint(&self) -> String {
        let mut sorted = self.hosts.clone();
        sorted.sort();
        let mut text = format!(
            "{}\n{}\n{}\n{}\n{}\n{}",
            self.preset.name,
            self.server,
            self.user_name(),
            self.secret.expose(),
            sorted.join(","),
            self.http.user_agent,
        );
        // Appended only when set, so that fingerprints of older runs stay valid.
        if let Some(zone) = &self.zone {
            text.push_str(&format!("\nzone {zone}"));
        }
        if let Some(ttl) = self.ttl {
            text.push_str(&format!("\nttl {ttl}"));
        }
        if let Some(id) = &self.zone_id {
            text.push_str(&format!("\nzone-id {id}"));
        }
        if let Some(secret) = &self.key_secret {
            text.push_str(&format!("\nkey-secret {}", secret.expose()));
        }
        if self.by_path {
            text.push_str("\nby-path");
        }
        if let Some(spec) = &self.template {
            text.push_str(&format!("\n{}", spec.identity()));
        }
        if self.preset.protocol == Protocol::DyndnsServer {
            // That server deletes the record of a family not sent: going from both
            // families to -4 must send, though the A record is unchanged.
            let (v4, v6) = self.families_meant();
            text.push_str(&format!("\nfamilies {v4} {v6}"));
        }
        hex_digest(text.as_bytes())
    }
}

/// First 16 bytes of SHA-256, in hex: enough to tell configurations apart.
pub fn hex_digest(data: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, data);
    digest.as_ref()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The environment, as a function so that tests can give their own.
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

pub fn resolve(mut args: Args, env: Env) -> Result<Job, Failure> {
    let mut warnings = Vec::new();
    let env_value = |name: &str| env(name).filter(|v| !v.is_empty());

    let named = match args.provider.as_deref() {
        Some(name) => Some(names::lookup(name).ok_or_else(|| unknown_provider(name))?),
        None => None,
    };

    if args.hostnames.is_empty() {
        return Err(Failure::usage(
            "no HOSTNAME given (usage: dynup [OPTIONS] HOSTNAME...; see dynup --help)",
        ));
    }
    for host in &args.hostnames {
        check_hostname(host)?;
    }
    args.hostnames = normalize_hosts(&args.hostnames);
    let preset = match named {
        Some(preset) => preset,
        None => preset_from_hosts(&args, env)?,
    };

    let dns = matches!(preset.protocol, Protocol::Rfc2136 { .. });
    let is_api = matches!(preset.protocol, Protocol::Api(_));
    if is_api {
        api::default_sources(&mut args);
    }
    let parse_server = if dns {
        Server::parse_dns
    } else {
        Server::parse
    };
    let (mut server, server_overridden) = match (&args.server, env_value("DYNUP_SERVER")) {
        (Some(text), _) => (parse_server(text, "--server")?, true),
        (None, Some(text)) => (parse_server(&text, "DYNUP_SERVER")?, true),
        (None, None) => match preset.host {
            Some(host) if dns => (Server::dns(host), false),
            Some(host) => (Server::https(host), false),
            // Replaced by the template's own scheme://host below.
            None if preset.protocol == Protocol::Template => (Server::https("localhost"), false),
            None if dns => {
                return Err(Failure::usage(format!(
                    "--provider {}: give the DNS server with --server HOST[:PORT]",
                    preset.name
                )))
            }
            None => {
                return Err(Failure::usage(format!(
                    "--provider {}: give the provider's address with --server URL",
                    preset.name
                )))
            }
        },
    };
    let auto_servers = match (server_overridden, preset.auto_hosts) {
        (false, Some((v4, v6))) => Some((Server::https(v4), Server::https(v6))),
        _ => None,
    };

    let mut redactor = Redactor::default();
    let tsig = tsig_key(&args, preset, env, &mut warnings)?;
    if let Some(key) = &tsig {
        redactor.add(&key.base64);
    }
    let creds = credentials(
        &args,
        preset,
        tsig.as_ref(),
        env,
        &mut redactor,
        &mut warnings,
    )?;
    let (secret, user) = (creds.secret, creds.user);
    let key_secret = match preset.credentials {
        Credentials::KeySecret | Credentials::UserKeySecret => creds.password.clone(),
        _ => None,
    };
    let zone = match &args.zone {
        Some(text) => Some(parse_zone(text)?),
        None => None,
    };
    let ttl = match &args.ttl {
        Some(text) => Some(parse_ttl(text)?),
        None => None,
    };
    let zone_id = match &args.zone_id {
        // `/`: gcp's PROJECT/ZONE.
        Some(id) if !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b"-/".contains(&b)) => {
            Some(id.clone())
        }
        Some(id) => {
            return Err(Failure::usage(format!(
                "--zone-id '{id}': expected the zone's ID as the provider shows it (letters, digits, '-')"
            )))
        }
        None => None,
    };
    let server_side = preset.protocol == Protocol::DyndnsServer;
    for (given, flag, allowed, owner) in [
        (
            zone.is_some(),
            "--zone",
            server_side || dns || is_api,
            "a dyndns-server, rfc2136 and API-provider",
        ),
        (
            ttl.is_some(),
            "--ttl",
            server_side || dns || is_api,
            "a dyndns-server, rfc2136 and API-provider",
        ),
        (zone_id.is_some(), "--zone-id", is_api, "an API-provider"),
        (args.by_path, "--by-path", server_side, "a dyndns-server"),
        (args.delete, "--delete", server_side, "a dyndns-server"),
        (args.tcp, "--tcp", dns, "an rfc2136"),
    ] {
        if given && !allowed {
            return Err(Failure::usage(format!(
                "{flag} is {owner} option; {} has none",
                preset.name
            )));
        }
    }
    if args.by_path && ttl.is_some() {
        return Err(Failure::usage(
            "--ttl cannot travel in /update-by-path; drop --by-path or --ttl",
        ));
    }
    let template = if preset.protocol == Protocol::Template {
        let text = args
            .url
            .as_deref()
            .ok_or_else(|| Failure::usage("template needs --url TEMPLATE (see dynup --help)"))?;
        Some(template::Spec::parse(
            text,
            args.success.as_deref(),
            user.as_deref(),
            creds.password,
            creds.token,
        )?)
    } else {
        for (given, flag) in [
            (args.url.is_some(), "--url"),
            (args.success.is_some(), "--success"),
        ] {
            if given {
                return Err(Failure::usage(format!(
                    "{flag} belongs to -p template; {} has its own endpoint",
                    preset.name
                )));
            }
        }
        None
    };

    if let (Some(spec), false) = (&template, server_overridden) {
        server = spec.server.clone();
    }

    let sources = if args.delete {
        addr::Sources::default()
    } else {
        let mut sources = addr::Sources::from_args(&args, preset.ipv6, env_value("DYNUP_CHECKIP"))?;
        if sources.ipv6.is_none() && publishes_both_by_default(preset, &args) {
            sources.ipv6 = Some(addr::Source::Host);
        }
        sources
    };
    let (ipv4, ipv6, ipv6_prefix) = if args.delete {
        if args.only_ipv4 || args.only_ipv6 || args.ipv4.is_some() || args.ipv6.is_some() {
            return Err(Failure::usage(
                "--delete removes both records and takes no addresses (-4, -6, --ipv4, --ipv6)",
            ));
        }
        (None, None, None)
    } else {
        addresses(&args, preset, &sources)?
    };
    // A family an interface or web source fills at run time carries a known address.
    let known4 = ipv4.or(sources
        .ipv4
        .as_ref()
        .map(|_| Wanted::Addr(Ipv4Addr::UNSPECIFIED)));
    let known6 = ipv6.or(sources.ipv6.as_ref().map(|_| {
        Wanted::Addr(V6Addr {
            addr: std::net::Ipv6Addr::UNSPECIFIED,
            len: None,
        })
    }));
    check_protocol_limits(preset, &args.hostnames, known4, known6, template.as_ref())?;
    if server_side && !args.delete && (known4.is_none() || known6.is_none()) {
        let (sent, gone) = if known4.is_some() {
            ("A", "AAAA")
        } else {
            ("AAAA", "A")
        };
        warnings.push(format!(
            "dyndns-server deletes the record of a family not sent: only {sent} is sent, \
             so the {gone} record of each host is removed (give --ipv4 and --ipv6 to keep both)"
        ));
    }

    let cache_dir = match (&args.cache_dir, env_value("DYNUP_CACHE_DIR")) {
        (Some(dir), _) => dir.clone(),
        (None, Some(dir)) => PathBuf::from(dir),
        (None, None) => default_cache_dir(env)?,
    };

    let max_age = match &args.max_age {
        None => DEFAULT_MAX_AGE,
        Some(text) => clock::parse_duration(text).ok_or_else(|| {
            Failure::usage(format!(
                "--max-age: expected a duration such as 25d, 12h, 30m or 90s, got '{text}'"
            ))
        })?,
    };
    let timeout = match &args.timeout {
        None => DEFAULT_TIMEOUT,
        Some(text) => text
            .parse::<u64>()
            .ok()
            .filter(|t| (1..=600).contains(t))
            .ok_or_else(|| {
                Failure::usage(format!(
                    "--timeout: expected whole seconds from 1 to 600, got '{text}'"
                ))
            })?,
    };
    let user_agent = match &args.user_agent {
        None => http::default_user_agent(),
        Some(ua) if !ua.is_empty() && ua.bytes().all(|b| (0x20..0x7f).contains(&b)) => ua.clone(),
        Some(_) => {
            return Err(Failure::usage(
                "--user-agent: expected printable ASCII text without control characters",
            ))
        }
    };
    let bind = match &args.bind {
        Some(name) => Some(Bind::new(name, "--bind")?),
        None => None,
    };
    let cacert = match (&args.cacert, env_value("DYNUP_CACERT")) {
        (Some(path), _) => Some(http::read_ca_bundle(path, "--cacert")?),
        (None, Some(path)) => Some(http::read_ca_bundle(Path::new(&path), "DYNUP_CACERT")?),
        (None, None) => None::<CaBundle>,
    };

    let lookup = crate::registered::Lookup::from_flags(
        args.lookup_host.as_deref(),
        args.dns_server.as_deref(),
        args.dns_tcp,
    )?;
    let job = Job {
        preset,
        server,
        auto_servers,
        hosts: args.hostnames,
        user,
        secret,
        ipv4,
        ipv6,
        ipv6_prefix,
        sources,
        cache_dir,
        max_age,
        http: http::Settings {
            user_agent,
            timeout: Duration::from_secs(timeout),
            cacert,
            bind,
            family: args.connect_family.unwrap_or(http::Family::Any),
        },
        dry_run: args.dry_run,
        verbose: args.verbose,
        quiet: args.quiet,
        redactor,
        warnings,
        zone,
        zone_id,
        key_secret,
        ttl,
        by_path: args.by_path,
        // A deletion is asked for explicitly: no state decides it away.
        force: args.force || args.delete,
        delete: args.delete,
        template,
        tsig,
        tcp: args.tcp,
        lookup,
        hooks: crate::hooks::Hooks {
            on_change: args.on_change,
            on_failure: args.on_failure,
            timeout: Duration::from_secs(timeout),
        },
    };
    if dns {
        rfc2136::check(&job)?;
    }
    if is_api {
        api::check(&job)?;
    }
    Ok(job)
}

/// The TSIG key from `--tsig-key-file` or `DYNUP_TSIG_KEY`, for the presets that use one.
fn tsig_key(
    args: &Args,
    preset: &Preset,
    env: Env,
    warnings: &mut Vec<String>,
) -> Result<Option<TsigKey>, Failure> {
    if preset.credentials != Credentials::TsigKey {
        if args.tsig_key_file.is_some() {
            warnings.push(format!(
                "--tsig-key-file is not used by {}; ignored",
                preset.name
            ));
        }
        return Ok(None);
    }
    if let Some(path) = &args.tsig_key_file {
        let (key, exposed) = key::read_file(path, "--tsig-key-file")?;
        if exposed {
            warnings.push(format!(
                "--tsig-key-file {}: readable by other users; chmod 600 it",
                path.display()
            ));
        }
        return Ok(Some(key));
    }
    let line = env("DYNUP_TSIG_KEY").and_then(|v| secret::from_env(&v));
    match line {
        Some(line) => Ok(Some(key::parse_line(line.expose(), "DYNUP_TSIG_KEY")?)),
        None => Err(Failure::usage(format!(
            "{} needs a TSIG key: --tsig-key-file FILE or DYNUP_TSIG_KEY \
             (algorithm:name:secret)",
            preset.name
        ))),
    }
}

/// `--zone`: a DNS name, stored lowercase without the trailing dot.
pub fn parse_zone(text: &str) -> Result<String, Failure> {
    let name = text.strip_suffix('.').unwrap_or(text);
    let label_ok = |label: &str| {
        (1..=63).contains(&label.len())
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    if name.is_empty() || name.len() > 253 || !name.split('.').all(label_ok) {
        return Err(Failure::usage(format!(
            "--zone '{text}': expected a DNS name (labels of 1-63 letters, digits, '-', '_'; at most 253 characters)"
        )));
    }
    Ok(name.to_ascii_lowercase())
}

/// `--ttl`: whole seconds from 1 to 86400.
pub fn parse_ttl(text: &str) -> Result<u32, Failure> {
    text.parse::<u32>()
        .ok()
        .filter(|t| (1..=86_400).contains(t) && text.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| {
            Failure::usage(format!(
                "--ttl: expected whole seconds from 1 to 86400, got '{text}'"
            ))
        })
}

/// What some protocols cannot do, said before anything is sent.
fn check_protocol_limits(
    preset: &Preset,
    hosts: &[String],
    ipv4: Option<Wanted<Ipv4Addr>>,
    ipv6: Option<Wanted<V6Addr>>,
    template: Option<&template::Spec>,
) -> Result<(), Failure> {
    let name = preset.name;
    let auto4 = ipv4.is_some_and(|w| w.is_auto());
    let auto6 = ipv6.is_some_and(|w| w.is_auto());
    if !preset.ipv6_auto && auto6 {
        return Err(Failure::usage(format!(
            "{name} cannot take IPv6 from the connection; give --ipv6 ADDRESS"
        )));
    }
    match preset.protocol {
        Protocol::Freedns => {
            if hosts.len() > 1 {
                return Err(Failure::usage(
                    "freedns: each record has its own token; give one HOSTNAME per run",
                ));
            }
            if ipv4.is_some() && ipv6.is_some() {
                return Err(Failure::usage(
                    "freedns: the A and AAAA records have their own tokens; publish one family per run (-4 or -6)",
                ));
            }
        }
        Protocol::DyndnsServer if (auto4 && ipv6.is_some()) || (auto6 && ipv4.is_some()) => {
            return Err(Failure::usage(
                "dyndns-server takes the connection's address only when no address is sent: \
                 give both addresses, or publish one family",
            ));
        }
        Protocol::Template => {
            if let Some(spec) = template {
                spec.check_addresses(ipv4, ipv6)?;
            }
        }
        _ => {}
    }
    Ok(())
}

fn unknown_provider(name: &str) -> Failure {
    // An alias that is close is shown as the preset it stands for.
    let near = names::closest(name, names::all_names()).and_then(names::lookup);
    let hint = match near {
        Some(preset) => format!("did you mean '{}'? ", preset.name),
        None => String::new(),
    };
    Failure::usage(format!(
        "--provider: unknown provider '{name}' ({hint}dynup --list-providers shows all)"
    ))
}

/// Without `-p`: the preset the hosts' domain belongs to. A credential must
/// never go to a provider the user did not choose, so there is no default.
fn preset_from_hosts(args: &Args, env: Env) -> Result<&'static Preset, Failure> {
    let has = |var: &str| env(var).is_some_and(|v| !v.is_empty());
    let given = names::Given {
        user: args.user.is_some(),
        password: args.password.is_some() || args.password_file.is_some() || has("DYNUP_PASSWORD"),
        token: args.token.is_some() || args.token_file.is_some() || has("DYNUP_TOKEN"),
        tsig: args.tsig_key_file.is_some() || has("DYNUP_TSIG_KEY"),
    };
    match names::preset_of_hosts(&args.hostnames, given) {
        Ok(name) => {
            provider::preset(name).ok_or_else(|| Failure::usage(format!("no preset '{name}'")))
        }
        Err(likely) => {
            let which = match args.hostnames.as_slice() {
                [host] => format!("{host} is under no domain of a preset"),
                hosts => format!("{} are not under one preset's domains", hosts.join(", ")),
            };
            let likely = if likely.is_empty() {
                String::new()
            } else {
                format!(" (likely: {likely})")
            };
            Err(Failure::usage(format!(
                "which provider? {which}: give -p NAME{likely}"
            )))
        }
    }
}

/// Lowercase, without the root's trailing dot, each host once: `A.DDNS.NET.`
/// and `a.ddns.net` are one host to the provider, so they are one here.
fn normalize_hosts(hosts: &[String]) -> Vec<String> {
    let mut seen: Vec<String> = Vec::with_capacity(hosts.len());
    for host in hosts {
        let host = host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase();
        if !seen.contains(&host) {
            seen.push(host);
        }
    }
    seen
}

fn check_hostname(host: &str) -> Result<(), Failure> {
    let label_ok = |label: &str| {
        !label.is_empty()
            && label.len() <= 63
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    let name = host.strip_suffix('.').unwrap_or(host);
    if name.len() > 253 || !name.split('.').all(label_ok) {
        return Err(Failure::usage(format!(
            "HOSTNAME '{host}' is not a valid host name (letters, digits, '-', '_' and dots)"
        )));
    }
    Ok(())
}

/// One secret from a flag, a file flag or an environment variable, in that order;
/// `whole`: all its lines (a PEM key), else the first.
fn one_secret(
    value: &Option<String>,
    file: &Option<PathBuf>,
    (flag, file_flag, var): (&str, &str, &str),
    whole: bool,
    env: Env,
    warnings: &mut Vec<String>,
) -> Result<Option<Secret>, Failure> {
    match (value, file) {
        (Some(_), Some(_)) => Err(Failure::usage(format!(
            "{flag} and {file_flag} both given: use one"
        ))),
        (Some(value), None) if value.is_empty() => {
            Err(Failure::usage(format!("{flag}: empty value")))
        }
        (Some(value), None) => Ok(Some(Secret::new(value.clone()))),
        (None, Some(path)) => {
            let read = match whole {
                true => secret::read_key_file,
                false => secret::read_secret_file,
            };
            let (secret, exposed) = read(path, file_flag)?;
            if exposed {
                warnings.push(format!(
                    "{file_flag} {}: readable by other users; chmod 600 it",
                    path.display()
                ));
            }
            Ok(Some(secret))
        }
        (None, None) if whole => Ok(env(var)
            .filter(|v| !v.trim().is_empty())
            .map(|v| Secret::new(v.trim().to_string()))),
        (None, None) => Ok(env(var).and_then(|v| secret::from_env(&v))),
    }
}

/// A service account's JSON key holds the PEM key in `private_key`: only that
/// is the secret (its e-mail and URLs are printed, so they must not be masked).
fn private_key_of(key: Secret, name: &str) -> Result<Secret, Failure> {
    if !key.expose().starts_with('{') {
        return Ok(key);
    }
    let pem = crate::json::parse(key.expose())
        .ok()
        .and_then(|json| json.str_of("private_key").map(str::to_string));
    pem.map(Secret::new).ok_or_else(|| {
        Failure::usage(format!(
            "{name}: the password is JSON without a private_key (expected a service account's key file)"
        ))
    })
}

/// The secrets and user a job runs with.
struct Creds {
    /// What the protocol sends (token or password; empty for a template that needs none).
    secret: Secret,
    user: Option<String>,
    /// Both, as given, for the template's placeholders.
    password: Option<Secret>,
    token: Option<Secret>,
}

fn credentials(
    args: &Args,
    preset: &Preset,
    tsig: Option<&TsigKey>,
    env: Env,
    redactor: &mut Redactor,
    warnings: &mut Vec<String>,
) -> Result<Creds, Failure> {
    let password = one_secret(
        &args.password,
        &args.password_file,
        ("--password", "--password-file", "DYNUP_PASSWORD"),
        preset.credentials == Credentials::UserRsaKey,
        env,
        warnings,
    )?;
    let token = one_secret(
        &args.token,
        &args.token_file,
        ("--token", "--token-file", "DYNUP_TOKEN"),
        false,
        env,
        warnings,
    )?;
    if let Some(user) = &args.user {
        if user.is_empty() || user.contains(':') || user.chars().any(char::is_control) {
            return Err(Failure::usage(
                "--user: expected a non-empty name without ':' or control characters",
            ));
        }
    }
    let name = preset.name;
    // A secret given in the other kind's flag is said, not silently ignored.
    let password_given = args.password.is_some() || args.password_file.is_some();
    let token_given = args.token.is_some() || args.token_file.is_some();
    let misplaced = match preset.credentials {
        Credentials::Token if password_given => Some((
            "--password-file",
            "a token",
            "--token-file FILE or DYNUP_TOKEN",
            token.is_some(),
        )),
        Credentials::UserPassword | Credentials::Password if token_given => Some((
            "--token-file",
            "a password",
            "--password-file FILE or DYNUP_PASSWORD",
            password.is_some(),
        )),
        _ => None,
    };
    if let Some((wrong, kind, right, has_right)) = misplaced {
        if !has_right {
            return Err(Failure::usage(format!(
                "{name} takes {kind}, not {wrong}: give it with {right}"
            )));
        }
        warnings.push(format!("{wrong} is not used by {name}; ignored"));
    }
    let secret = match preset.credentials {
        Credentials::Token => {
            if args.user.is_some() {
                warnings.push(format!("--user is not used by {name}; ignored"));
            }
            token.clone().ok_or_else(|| {
                Failure::usage(format!(
                    "{name} needs a token: --token-file FILE or DYNUP_TOKEN"
                ))
            })?
        }
        Credentials::TokenAsPassword { .. } => {
            token.clone().or(password.clone()).ok_or_else(|| {
                Failure::usage(format!(
                    "{name} needs the zone's token: --token-file FILE or DYNUP_TOKEN"
                ))
            })?
        }
        Credentials::HostAsUser => token.clone().or(password.clone()).ok_or_else(|| {
            Failure::usage(format!(
                "{name} needs the host's key: --password-file FILE or DYNUP_PASSWORD \
                 (or --token-file/DYNUP_TOKEN)"
            ))
        })?,
        Credentials::TsigKey => {
            let given = [&args.password, &args.token].iter().any(|v| v.is_some())
                || [&args.password_file, &args.token_file]
                    .iter()
                    .any(|v| v.is_some());
            if args.user.is_some() || given {
                warnings.push(format!(
                    "{name} signs with the TSIG key; --user, password and token are ignored"
                ));
            }
            match tsig {
                Some(key) => key.identity(),
                None => return Err(Failure::usage(format!("{name} needs a TSIG key"))),
            }
        }
        Credentials::UserPassword => {
            if args.user.is_none() {
                return Err(Failure::usage(format!("{name} needs --user NAME")));
            }
            password.clone().ok_or_else(|| {
                Failure::usage(format!(
                    "{name} needs a password: --password-file FILE or DYNUP_PASSWORD"
                ))
            })?
        }
        Credentials::Password => {
            if args.user.is_some() {
                warnings.push(format!("--user is not used by {name}; ignored"));
            }
            password.clone().ok_or_else(|| {
                Failure::usage(format!(
                    "{name} needs the server's secret: --password-file FILE or DYNUP_PASSWORD"
                ))
            })?
        }
        Credentials::Template => password
            .clone()
            .or(token.clone())
            .unwrap_or_else(|| Secret::new(String::new())),
        Credentials::TokenOrUserKey => match (&args.user, &token, &password) {
            (None, Some(token), _) => token.clone(),
            (Some(_), _, Some(key)) => key.clone(),
            (Some(_), _, None) => {
                return Err(Failure::usage(format!(
                    "{name}: --user E-MAIL goes with the global API key: --password-file FILE \
                     or DYNUP_PASSWORD (or drop --user and give an API token)"
                )))
            }
            (None, None, _) => {
                return Err(Failure::usage(format!(
                    "{name} needs an API token: --token-file FILE or DYNUP_TOKEN \
                     (or --user E-MAIL with the global API key as password)"
                )))
            }
        },
        Credentials::UserKeySecret => {
            if args.user.is_none() {
                return Err(Failure::usage(format!(
                    "{name} needs the customer number: --user NUMBER"
                )));
            }
            if password.is_none() {
                return Err(Failure::usage(format!(
                    "{name} needs the API password: --password-file FILE or DYNUP_PASSWORD"
                )));
            }
            token.clone().ok_or_else(|| {
                Failure::usage(format!(
                    "{name} needs the API key: --token-file FILE or DYNUP_TOKEN"
                ))
            })?
        }
        Credentials::UserRsaKey => {
            if args.user.is_none() {
                return Err(Failure::usage(format!(
                    "{name} needs the account the key belongs to: --user ACCOUNT \
                     (see --list-providers)"
                )));
            }
            if token_given {
                warnings.push(format!("--token-file is not used by {name}; ignored"));
            }
            let key = password.clone().ok_or_else(|| {
                Failure::usage(format!(
                    "{name} needs the account's private key: --password-file FILE \
                     (PEM, or a service account's JSON key) or DYNUP_PASSWORD"
                ))
            })?;
            private_key_of(key, name)?
        }
        Credentials::KeySecret => {
            if args.user.is_some() {
                warnings.push(format!("--user is not used by {name}; ignored"));
            }
            if password.is_none() {
                return Err(Failure::usage(format!(
                    "{name} needs the API secret: --password-file FILE or DYNUP_PASSWORD"
                )));
            }
            token.clone().ok_or_else(|| {
                Failure::usage(format!(
                    "{name} needs the API key: --token-file FILE or DYNUP_TOKEN"
                ))
            })?
        }
    };
    // Only the PEM key of a JSON key file is secret (see private_key_of).
    let password = match preset.credentials {
        Credentials::UserRsaKey => Some(secret.clone()),
        _ => password,
    };
    // A TSIG key's identity holds its name and algorithm, which are printed: only
    // its secret part is masked (added with the key).
    let sent = Some(&secret).filter(|_| preset.credentials != Credentials::TsigKey);
    for each in [sent, password.as_ref(), token.as_ref()]
        .into_iter()
        .flatten()
    {
        redactor.add(each);
        api::mask_json_forms(redactor, each);
        if let Some(user) = &args.user {
            redactor.add_basic_auth(user, each);
        }
    }
    match preset.credentials {
        Credentials::TokenAsPassword { default_user } if args.user.is_none() => {
            redactor.add_basic_auth(default_user, &secret)
        }
        Credentials::HostAsUser if args.user.is_none() => {
            for host in &args.hostnames {
                redactor.add_basic_auth(host, &secret);
            }
        }
        _ => {}
    }
    Ok(Creds {
        secret,
        user: args.user.clone(),
        password,
        token,
    })
}

type Addresses = (
    Option<Wanted<Ipv4Addr>>,
    Option<Wanted<V6Addr>>,
    Option<Wanted<V6Net>>,
);

fn addresses(args: &Args, preset: &Preset, sources: &addr::Sources) -> Result<Addresses, Failure> {
    if args.only_ipv4 && args.only_ipv6 {
        return Err(Failure::usage(
            "-4 and -6 exclude each other; give neither to publish both families",
        ));
    }
    if args.only_ipv4 && args.ipv6.as_deref().is_some_and(|v| v != "none") {
        return Err(Failure::usage("-4 excludes --ipv6"));
    }
    if args.only_ipv6 && args.ipv4.as_deref().is_some_and(|v| v != "none") {
        return Err(Failure::usage("-6 excludes --ipv4"));
    }
    let ipv4 = if args.only_ipv6 || sources.ipv4.is_some() {
        None
    } else {
        addr::parse_ipv4(args.ipv4.as_deref().unwrap_or("auto"))?
    };
    let ipv6_default = if args.only_ipv6 { "auto" } else { "none" };
    let ipv6 = if args.only_ipv4 || sources.ipv6.is_some() {
        None
    } else {
        addr::parse_ipv6(args.ipv6.as_deref().unwrap_or(ipv6_default))?
    };
    let ipv6_prefix = match &args.ipv6_prefix {
        Some(_) if sources.ipv6_prefix.is_some() => None,
        Some(value) => Some(addr::parse_ipv6_prefix(value)?),
        None => None,
    };

    let name = preset.name;
    if !preset.ipv6 && (ipv6.is_some() || sources.ipv6.is_some() || args.only_ipv6) {
        return Err(Failure::usage(format!(
            "{name} updates IPv4 only; drop --ipv6/-6 (dynv6 publishes IPv6)"
        )));
    }
    if !preset.ipv6_prefix && (ipv6_prefix.is_some() || sources.ipv6_prefix.is_some()) {
        return Err(Failure::usage(format!(
            "--ipv6-prefix is a dynv6 parameter; {name} has none"
        )));
    }
    if ipv4.is_none() && ipv6.is_none() && ipv6_prefix.is_none() && sources.is_empty() {
        return Err(Failure::usage("nothing to publish: every family is 'none'"));
    }
    Ok((ipv4, ipv6, ipv6_prefix))
}

/// The default families, the one rule (README "Which addresses"): IPv4 `auto`,
/// and this host's IPv6 address too when it has one and the provider takes both
/// families in one run; a family flag, `-i` or `-4`/`-6` replaces the default.
/// Left out: IPv4-only presets, freedns (a token per record), dyndns-server (it
/// takes the connection's address only for a family sent alone), DNS UPDATE
/// (no `auto`), templates (the URL says what it takes).
fn publishes_both_by_default(preset: &Preset, args: &Args) -> bool {
    let protocol_takes_both = matches!(
        preset.protocol,
        Protocol::Dynv6 | Protocol::Dyndns2 | Protocol::Duckdns
    );
    protocol_takes_both
        && preset.ipv6
        && args.ipv4.is_none()
        && args.ipv6.is_none()
        && args.interface.is_none()
        && !args.only_ipv4
        && !args.only_ipv6
}

/// /var/run/dynup for root (tmpfs on OpenWRT), else the user's state directory.
pub fn default_cache_dir(env: Env) -> Result<PathBuf, Failure> {
    if running_as_root() {
        return Ok(PathBuf::from("/var/run/dynup"));
    }
    if let Some(state) = env("XDG_STATE_HOME").filter(|v| v.starts_with('/')) {
        return Ok(Path::new(&state).join("dynup"));
    }
    if let Some(home) = env("HOME").filter(|v| v.starts_with('/')) {
        return Ok(Path::new(&home).join(".local/state/dynup"));
    }
    Err(Failure::usage(
        "no place for state: give --cache-dir DIR or DYNUP_CACHE_DIR",
    ))
}

#[cfg(unix)]
fn running_as_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    // /proc/self belongs to the effective user; no libc call needed.
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

#[cfg(not(unix))]
fn running_as_root() -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{self, Command};

    fn job(argv: &[&str], vars: &[(&str, &str)]) -> Result<Job, Failure> {
        let Ok(Command::Run(args)) = cli::parse(argv.iter().map(Into::into)) else {
            return Err(Failure::usage("not a run"));
        };
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let env = move |name: &str| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        resolve(*args, &env)
    }

    fn message(result: Result<Job, Failure>) -> String {
        result.err().map(|f| f.message).unwrap_or_default()
    }

    #[test]
    fn dynv6_defaults() {
        let job = job(
            &["--cache-dir", "/c", "h.dynv6.net"],
            &[("DYNUP_TOKEN", "t")],
        );
        let job = job.expect("a job");
        assert_eq!(job.preset.name, "dynv6");
        assert_eq!(job.server.to_string(), "https://dynv6.com");
        assert_eq!(
            job.server_for(Family::V4).to_string(),
            "https://ipv4.dynv6.com"
        );
        assert_eq!(
            job.server_for(Family::V6).to_string(),
            "https://ipv6.dynv6.com"
        );
        assert_eq!(job.ipv4, Some(Wanted::Auto));
        assert_eq!(job.ipv6, None);
        assert_eq!(job.max_age, DEFAULT_MAX_AGE);
    }

    #[test]
    fn flag_wins_over_environment() {
        let job = job(
            &[
                "--server",
                "http://127.0.0.1:1",
                "--token",
                "flag",
                "--cache-dir",
                "/c",
                "h.dynv6.net",
            ],
            &[
                ("DYNUP_TOKEN", "env"),
                ("DYNUP_SERVER", "https://env.example"),
                ("DYNUP_CACHE_DIR", "/e"),
            ],
        )
        .expect("a job");
        assert_eq!(job.secret_value(), "flag");
        assert_eq!(job.server.to_string(), "http://127.0.0.1:1");
        assert!(job.auto_servers.is_none());
        assert_eq!(job.cache_dir, PathBuf::from("/c"));
    }

    #[test]
    fn usage_errors_name_the_problem() {
        let env: &[(&str, &str)] = &[("DYNUP_TOKEN", "t"), ("DYNUP_CACHE_DIR", "/c")];
        assert!(message(job(&[], env)).contains("HOSTNAME"));
        assert!(message(job(&["-p", "nope", "h"], env)).contains("nope"));
        assert!(message(job(&["-p", "dyndns2", "-u", "u", "h"], env)).contains("--server"));
        assert!(message(job(&["-p", "noip", "h"], env)).contains("--user"));
        assert!(message(job(&["-p", "noip", "-u", "u", "h"], env)).contains("password"));
        assert!(message(job(&["h.dynv6.net"], &[("DYNUP_CACHE_DIR", "/c")])).contains("token"));
        assert!(message(job(&["-4", "-6", "h.dynv6.net"], env)).contains("-4"));
        assert!(message(job(&["--ipv4", "x", "h.dynv6.net"], env)).contains("--ipv4"));
        assert!(message(job(&["--max-age", "5w", "h.dynv6.net"], env)).contains("--max-age"));
        assert!(message(job(&["--timeout", "0", "h.dynv6.net"], env)).contains("--timeout"));
        assert!(message(job(&["-p", "dynv6-nic", "-6", "h"], env)).contains("IPv4 only"));
        let with_password: &[(&str, &str)] = &[("DYNUP_PASSWORD", "p"), ("DYNUP_CACHE_DIR", "/c")];
        assert!(message(job(
            &["-p", "noip", "-u", "u", "--ipv6-prefix", "auto", "h"],
            with_password
        ))
        .contains("--ipv6-prefix"));
        assert!(
            message(job(&["--ipv4", "none", "h.dynv6.net"], env)).contains("nothing to publish")
        );
        assert!(message(job(&["bad host"], env)).contains("bad host"));
        assert!(message(job(
            &["--token", "a", "--token-file", "/f", "h.dynv6.net"],
            env
        ))
        .contains("both"));
        assert!(
            message(job(&["--token-file", "/nonexistent/x", "h.dynv6.net"], env))
                .contains("/nonexistent/x")
        );
        assert!(
            message(job(&["--cacert", "/nonexistent/ca", "h.dynv6.net"], env)).contains("--cacert")
        );
        assert!(
            message(job(&["--user-agent", "a\nb", "h.dynv6.net"], env)).contains("--user-agent")
        );
        assert!(
            message(job(&["--bind", "no-such-if0", "h.dynv6.net"], env)).starts_with("--bind: ")
        );
        let bound = job(&["--bind", "lo", "h.dynv6.net"], env).ok();
        assert_eq!(
            bound.and_then(|j| j.http.bind).map(|b| b.device),
            Some("lo".to_string())
        );
        assert!(message(job(
            &[
                "--ipv6-neighbor",
                "52:54:00:12:34",
                "-i",
                "lo",
                "h.dynv6.net"
            ],
            env
        ))
        .starts_with("--ipv6-neighbor: "));
        assert!(message(job(
            &["--ipv6-neighbor", "52:54:00:12:34:56", "h.dynv6.net"],
            env
        ))
        .contains("-i IFACE"));
        let both = [
            "--ipv6-neighbor",
            "52:54:00:12:34:56",
            "-i",
            "lo",
            "--ipv6",
            "auto",
            "h.dynv6.net",
        ];
        assert!(message(job(&both, env)).contains("drop --ipv6"));
    }

    #[test]
    fn zone_and_ttl() {
        assert_eq!(
            parse_zone("Dyn.Example.ORG.").ok(),
            Some("dyn.example.org".to_string())
        );
        assert_eq!(parse_zone("_x.a-b.c1").ok(), Some("_x.a-b.c1".to_string()));
        let long_label = "a".repeat(64);
        let long_name = [
            "a".repeat(63),
            "b".repeat(63),
            "c".repeat(63),
            "d".repeat(62),
        ]
        .join(".");
        for bad in [
            "",
            ".",
            "a..b",
            "a b",
            "é.org",
            long_label.as_str(),
            long_name.as_str(),
        ] {
            let message = parse_zone(bad).err().map(|f| f.message).unwrap_or_default();
            assert!(message.contains("--zone"), "{bad}: {message}");
        }
        assert_eq!(parse_ttl("1").ok(), Some(1));
        assert_eq!(parse_ttl("86400").ok(), Some(86_400));
        for bad in ["0", "86401", "+5", "-1", "5s", ""] {
            let message = parse_ttl(bad).err().map(|f| f.message).unwrap_or_default();
            assert!(message.contains("--ttl"), "{bad}: {message}");
        }
        let env: &[(&str, &str)] = &[("DYNUP_PASSWORD", "p"), ("DYNUP_CACHE_DIR", "/c")];
        let server = ["-p", "dyndns-server", "--server", "http://127.0.0.1:1"];
        let with = |extra: &[&str]| {
            let all: Vec<&str> = server.iter().chain(extra).copied().collect();
            job(&all, env)
        };
        let ok = with(&["--zone", "Z.org", "--ttl", "60", "h.dynv6.net"]).expect("a job");
        assert_eq!((ok.zone.as_deref(), ok.ttl), (Some("z.org"), Some(60)));
        assert!(message(with(&["--ttl", "0", "h.dynv6.net"])).contains("--ttl"));
        assert!(message(job(
            &["--zone", "z.org", "h.dynv6.net"],
            &[("DYNUP_TOKEN", "t")]
        ))
        .contains("--zone"));
    }

    #[test]
    fn rfc2136_jobs() {
        let key_env: &[(&str, &str)] = &[
            ("DYNUP_TSIG_KEY", "hmac-sha512:k.example:c2VjcmV0"),
            ("DYNUP_CACHE_DIR", "/c"),
        ];
        let base = [
            "-p",
            "rfc2136",
            "--server",
            "127.0.0.1:5300",
            "--ipv4",
            "192.0.2.7",
        ];
        fn with<'a>(base: &[&'a str], extra: &[&'a str]) -> Vec<&'a str> {
            base.iter().chain(extra).copied().collect()
        }
        let resolved = job(
            &with(
                &base,
                &["--zone", "Example.ORG.", "--ttl", "300", "h.example.org"],
            ),
            key_env,
        )
        .expect("a job");
        assert_eq!(resolved.server.to_string(), "127.0.0.1:5300");
        assert_eq!(resolved.zone.as_deref(), Some("example.org"));
        assert_eq!(resolved.ttl, Some(300));
        let key = resolved.tsig.as_ref().expect("a key");
        assert_eq!(key.name.to_string(), "k.example");
        assert!(resolved.redactor.apply("c2VjcmV0").contains("***"));
        assert!(!resolved.fingerprint().contains("c2VjcmV0"));

        let dynv6 = job(
            &["-p", "dynv6-rfc2136", "--ipv4", "192.0.2.7", "h.dynv6.net"],
            key_env,
        );
        assert_eq!(
            dynv6.map(|j| j.server.to_string()).ok().as_deref(),
            Some("ns1.dynv6.com")
        );

        assert!(message(job(
            &with(&base, &["--zone", "a..b", "h.example.org"]),
            key_env
        ))
        .contains("--zone"));
        assert!(message(job(
            &with(&base, &["--zone", "example.net", "h.example.org"]),
            key_env
        ))
        .contains("--zone"));
        assert!(
            message(job(&with(&base, &["--ttl", "0", "h.example.org"]), key_env)).contains("--ttl")
        );
        assert!(message(job(
            &with(&base, &["--ttl", "86401", "h.example.org"]),
            key_env
        ))
        .contains("--ttl"));
        let auto = message(job(
            &["-p", "rfc2136", "--server", "ns", "h.example.org"],
            key_env,
        ));
        assert!(
            auto.contains("auto") && auto.contains("--ipv4 ADDRESS"),
            "{auto}"
        );
        let prefix_len = message(job(
            &with(&base, &["--ipv6", "2001:db8::1/64", "h.example.org"]),
            key_env,
        ));
        assert!(prefix_len.contains("--ipv6"), "{prefix_len}");
        let no_server = message(job(
            &["-p", "rfc2136", "--ipv4", "192.0.2.7", "h.example.org"],
            key_env,
        ));
        assert!(no_server.contains("--server HOST[:PORT]"), "{no_server}");
        let no_key = message(job(
            &with(&base, &["h.example.org"]),
            &[("DYNUP_CACHE_DIR", "/c")],
        ));
        assert!(no_key.contains("DYNUP_TSIG_KEY"), "{no_key}");
        let bad_env = &[
            ("DYNUP_TSIG_KEY", "hmac-md5:k:c2VjcmV0"),
            ("DYNUP_CACHE_DIR", "/c"),
        ];
        assert!(
            message(job(&with(&base, &["h.example.org"]), bad_env)).starts_with("DYNUP_TSIG_KEY: ")
        );
        let missing = message(job(
            &with(
                &base,
                &["--tsig-key-file", "/nonexistent/k", "h.example.org"],
            ),
            key_env,
        ));
        assert!(
            missing.contains("--tsig-key-file /nonexistent/k"),
            "{missing}"
        );
    }

    #[test]
    fn fingerprint_follows_the_secret_and_hosts() {
        let env: &[(&str, &str)] = &[("DYNUP_CACHE_DIR", "/c")];
        let a = job(&["--token", "one", "h.dynv6.net"], env)
            .ok()
            .map(|j| j.fingerprint());
        let b = job(&["--token", "two", "h.dynv6.net"], env)
            .ok()
            .map(|j| j.fingerprint());
        let c = job(&["--token", "one", "h.dynv6.net", "g.dynv6.net"], env)
            .ok()
            .map(|j| j.fingerprint());
        let a2 = job(
            &["--token", "one", "--ipv4", "192.0.2.1", "h.dynv6.net"],
            env,
        )
        .ok()
        .map(|j| j.fingerprint());
        assert!(a.is_some());
        assert_ne!(a, b);
        assert_ne!(a, c);
        assert_eq!(a, a2, "an address is not configuration");
        assert!(!a.unwrap_or_default().contains("one"));
    }

    #[test]
    fn address_sources_reach_the_job() {
        let env: &[(&str, &str)] = &[("DYNUP_TOKEN", "t"), ("DYNUP_CACHE_DIR", "/c")];
        let j = job(&["-i", "wan", "h.dynv6.net"], env).expect("a job");
        assert_eq!((j.ipv4, j.ipv6), (None, None));
        assert!(j.sources.ipv4.is_some() && j.sources.ipv6.is_some());
        let j = job(&["-p", "dynv6-nic", "-i", "wan", "h"], env).expect("a job");
        assert!(j.sources.ipv4.is_some() && j.sources.ipv6.is_none());
        let only_prefix = job(
            &["--ipv4", "none", "--ipv6-prefix", "if:wan", "h.dynv6.net"],
            env,
        );
        assert!(only_prefix.is_ok_and(|j| j.sources.ipv6_prefix.is_some()));
        assert!(
            message(job(&["-p", "dynv6-nic", "--ipv6", "if:wan", "h"], env)).contains("IPv4 only")
        );
        let with_password: &[(&str, &str)] = &[("DYNUP_PASSWORD", "p"), ("DYNUP_CACHE_DIR", "/c")];
        assert!(message(job(
            &["-p", "noip", "-u", "u", "--ipv6-prefix", "if:wan", "h"],
            with_password
        ))
        .contains("--ipv6-prefix"));
        let bad_list: &[(&str, &str)] = &[
            ("DYNUP_TOKEN", "t"),
            ("DYNUP_CACHE_DIR", "/c"),
            ("DYNUP_CHECKIP", "http://ok.example/ nope"),
        ];
        assert!(message(job(&["--ipv4", "web", "h.dynv6.net"], bad_list)).contains("DYNUP_CHECKIP"));
        // The protocol checks count a family a source fills as published.
        assert!(message(job(&["-p", "freedns", "-i", "wan", "h"], env)).contains("one family"));
        assert!(job(&["-p", "freedns", "-4", "-i", "wan", "h"], env).is_ok());
    }

    #[test]
    fn a_tsig_key_from_the_environment_is_read_like_a_file() {
        // `$(cat key)` of a file with CRLF and a second line: its first line counts.
        let env: &[(&str, &str)] = &[
            (
                "DYNUP_TSIG_KEY",
                " hmac-sha512:k.example:c2VjcmV0\r\n# made by hand\r\n",
            ),
            ("DYNUP_CACHE_DIR", "/c"),
        ];
        let argv = [
            "-p",
            "rfc2136",
            "--server",
            "127.0.0.1:5300",
            "--ipv4",
            "192.0.2.7",
        ];
        let j = job(&[&argv[..], &["h.example.org"]].concat(), env).expect("a job");
        assert!(j.tsig.is_some());
    }
}
