//! `resolve`: from flags and the environment to a checked `Job`.

use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::addresses::{addresses, check_protocol_limits, publishes_both_by_default};
use super::cache_dir::default_cache_dir;
use super::credentials::{credentials, tsig_key};
use super::hosts::{check_hostname, normalize_hosts, preset_from_hosts, unknown_provider};
use super::record::{parse_ttl, parse_zone};
use super::{Env, Job, DEFAULT_MAX_AGE, DEFAULT_TIMEOUT};
use crate::addr::{self, V6Addr, Wanted};
use crate::bind::Bind;
use crate::cli::Args;
use crate::clock;
use crate::exit::Failure;
use crate::http::{self, CaBundle};
use crate::provider::{api, names, rfc2136, template, Credentials, Protocol};
use crate::secret::Redactor;
use crate::url::Server;

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
