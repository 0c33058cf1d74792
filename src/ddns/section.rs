//! A `config service` section of /etc/config/ddns (ddns-scripts' options) as a
//! dynup run: the same raw `Args` the command line fills, plus what the loop
//! needs (intervals, retries, an address script). Errors name FILE:LINE, the
//! section and the option; an option dynup does not honour gets one warning.

use std::ffi::OsString;
use std::path::Path;

use super::api::script_options;
use super::definition;
use super::services::{self, Route};
use crate::cli::{self, Args, Command};
use crate::exit::Failure;
use crate::jobs::FileName;
use crate::provider::presets::{self, Credentials};
use crate::uci::Section;

mod api_service;
mod options;

use api_service::api_service;
pub use options::blame;
use options::{flag_on, seconds, value, HONOURED};

/// A section ready to run.
pub struct Plan {
    pub args: Args,
    /// `algorithm:name:secret` for bind-nsupdate.
    pub tsig_key: Option<String>,
    /// The answer regex of a URL service ("" = any answer).
    pub answer: Option<String>,
    pub ipv6: bool,
    /// `ip_source script`: the command whose output is the address.
    pub script: Option<String>,
    pub check_secs: u64,
    /// 0: one update, then exit.
    pub force_secs: u64,
    /// 0: retry forever.
    pub retry_max: u64,
    pub retry_secs: u64,
    pub use_logfile: bool,
    /// `proxy`: `[USER:PASSWORD@]HOST:PORT` of an HTTP proxy (CONNECT).
    pub proxy: Option<String>,
    pub warnings: Vec<String>,
}

/// Where definition files are and whether the network is there to ask
/// (`--check` reads no network and runs no script).
pub struct Context<'a> {
    pub file: &'a FileName,
    pub share_dir: &'a Path,
    pub live: bool,
}

/// The section as a dynup run.
pub fn plan(ctx: &Context, s: &Section) -> Result<Plan, Failure> {
    let fail = |name: &str, message: &str| blame(ctx, s, s.option(name), message);
    let mut warnings = Vec::new();
    // Options the service's own script reads (freedns.42.pl: zone, record).
    let own = match value(s, "service_name").and_then(services::route) {
        Some(Route::Api(_, shape)) => script_options(shape),
        _ => &[],
    };
    for opt in &s.options {
        if !HONOURED.contains(&opt.name.as_str()) && !own.contains(&opt.name.as_str()) {
            warnings.push(format!(
                "{}:{}: service '{}': option {} is not honoured by dynup; ignored",
                ctx.file,
                opt.line,
                s.name.as_deref().unwrap_or("?"),
                opt.name
            ));
        }
    }
    if value(s, "update_script").is_some() {
        return Err(fail(
            "update_script",
            "custom update scripts are not run by dynup: name a service (service_name) or give update_url",
        ));
    }
    let domain =
        value(s, "domain").ok_or_else(|| blame(ctx, s, None, "option domain is missing"))?;
    let ipv6 = flag_on(s, "use_ipv6", false);
    let user = value(s, "username");
    let password = value(s, "password");
    let param_enc = value(s, "param_enc").unwrap_or("");
    let param_opt = value(s, "param_opt").unwrap_or("");
    let https = flag_on(s, "use_https", false);

    let mut argv: Vec<OsString> = Vec::new();
    let mut push = |flag: &str, v: &str| {
        argv.push(flag.into());
        argv.push(v.into());
    };
    let mut answer = None;
    let mut api_host: Option<String> = None;
    let mut api_user_used = false;
    let mut tsig_key = None;
    let mut token = None;
    // A key file the password names (cloud.google.com-v1), read as --password-file.
    let mut key_file: Option<&str> = None;
    let template = |url: &str, ans: &str, push: &mut dyn FnMut(&str, &str)| {
        let mut url = services::template_url(url, param_enc, param_opt);
        if https {
            if let Some(rest) = url.strip_prefix("http:") {
                url = format!("https:{rest}");
            }
        }
        push("-p", "template");
        push("--url", &url);
        (ans.to_string(), !url.contains("{ip}"))
    };
    let mut url_without_ip = false;
    if let Some(url) = value(s, "update_url") {
        let (a, no_ip) = template(url, "", &mut push);
        answer = Some(a);
        url_without_ip = no_ip;
    } else {
        let name = value(s, "service_name")
            .ok_or_else(|| blame(ctx, s, None, "neither service_name nor update_url is set"))?;
        let refuse = |why: &str| fail("service_name", &format!("'{name}': {why}"));
        // A user's own definition first, then dynup's table, then leftover definitions.
        let custom = definition::read(&ctx.share_dir.join("custom"), name);
        let default = || definition::read(&ctx.share_dir.join("default"), name);
        let builtin = services::route(name);
        let from_file = match (&custom, builtin) {
            (Some(found), _) => Some(found.clone()),
            (None, Some(_)) => None,
            (None, None) => default(),
        };
        let mut served = false;
        if let Some((path, text)) = from_file {
            let entry = definition::entry(&text, ipv6)
                .map_err(|e| refuse(&format!("{}: {e}", path.display())))?;
            match entry {
                Some(e) if e.url.starts_with("http") => {
                    let (a, no_ip) = template(&e.url, &e.answer, &mut push);
                    answer = Some(a);
                    url_without_ip = no_ip;
                    served = true;
                }
                Some(_) if builtin.is_some() => {}
                Some(e) => {
                    return Err(refuse(&format!("its script {} is not run by dynup", e.url)))
                }
                None => {
                    return Err(refuse(&format!(
                        "{}: no IPv{} entry",
                        path.display(),
                        if ipv6 { 6 } else { 4 }
                    )))
                }
            }
        }
        if !served {
            match builtin {
                None => return Err(refuse("unknown service (see dynup ddns services)")),
                Some(Route::Refused(why)) => return Err(refuse(why)),
                Some(Route::Url(v4, v6, ans)) => {
                    let Some(url) = services::url_for(v4, v6, ipv6) else {
                        return Err(fail(
                            "use_ipv6",
                            &format!("service '{name}' has no IPv6 update"),
                        ));
                    };
                    let (a, no_ip) = template(url, ans, &mut push);
                    answer = Some(a);
                    url_without_ip = no_ip;
                }
                Some(Route::Api(preset, shape)) => {
                    let service = api_service(
                        ctx,
                        s,
                        domain,
                        (preset, shape),
                        &refuse,
                        &mut push,
                        &mut warnings,
                    )?;
                    api_host = Some(service.host);
                    token = service.token;
                    key_file = service.key_file;
                    api_user_used = true;
                }
                Some(Route::Dyndns2(server)) => {
                    push("-p", "dyndns2");
                    push("--server", server);
                }
                Some(Route::Preset(preset)) => {
                    push("-p", preset);
                    let credentials = presets::preset(preset).map(|p| p.credentials);
                    match credentials {
                        Some(Credentials::Token | Credentials::TokenAsPassword { .. }) => {
                            token = password.map(str::to_string);
                        }
                        Some(Credentials::TsigKey) => {
                            let server = value(s, "dns_server").ok_or_else(|| {
                                blame(
                                    ctx,
                                    s,
                                    None,
                                    "bind-nsupdate needs option dns_server (the server to update)",
                                )
                            })?;
                            push("--server", server);
                            let key = user.ok_or_else(|| {
                                fail(
                                    "username",
                                    "bind-nsupdate needs the TSIG key name in username",
                                )
                            })?;
                            let secret = password.ok_or_else(|| {
                                fail(
                                    "password",
                                    "bind-nsupdate needs the TSIG secret in password",
                                )
                            })?;
                            // ddns-scripts' `ALG:NAME`, else nsupdate's own default.
                            if !key.contains(':') {
                                return Err(fail("username", "write ALG:NAME (hmac-sha256:NAME): nsupdate's default, hmac-md5, is not in dynup"));
                            }
                            tsig_key = Some(format!("{key}:{secret}"));
                        }
                        _ => {}
                    }
                }
            }
        }
    }
    let tsig = tsig_key.is_some();
    if let (Some(u), false) = (user, tsig || api_user_used) {
        push("--user", u);
    }
    let family = if ipv6 { "--ipv6" } else { "--ipv4" };
    let mut script = None;
    // A URL without [IP]: the provider takes the connection's address.
    let source = match url_without_ip {
        true => "auto",
        false => value(s, "ip_source").unwrap_or("network"),
    };
    match source {
        "auto" => push(family, "auto"),
        "network" => {
            let network = value(s, "ip_network").unwrap_or("wan");
            let device = if ctx.live {
                crate::jobs::netifd::device_of(network)
                    .ok_or_else(|| fail("ip_network", &format!("network {network} is not up")))?
            } else {
                network.to_string()
            };
            push(family, &format!("if:{device}"));
        }
        "interface" => {
            let iface = value(s, "ip_interface")
                .ok_or_else(|| fail("ip_source", "interface needs option ip_interface"))?;
            push(family, &format!("if:{iface}"));
        }
        "web" => match value(s, "ip_url") {
            Some(url) => push(family, &format!("web:{url}")),
            None => push(family, "web"),
        },
        "script" => {
            let command = value(s, "ip_script")
                .ok_or_else(|| fail("ip_source", "script needs option ip_script"))?;
            script = Some(command.to_string());
        }
        other => {
            return Err(fail(
                "ip_source",
                &format!("'{other}': expected network, interface, web or script"),
            ))
        }
    }
    push(if ipv6 { "--ipv4" } else { "--ipv6" }, "none");
    if let Some(network) = value(s, "bind_network") {
        let device = match ctx.live {
            true => crate::jobs::netifd::device_of(network)
                .ok_or_else(|| fail("bind_network", &format!("network {network} is not up")))?,
            false => network.to_string(),
        };
        push("--bind", &device);
    }
    match value(s, "cacert") {
        Some("IGNORE") => {
            return Err(fail(
                "cacert",
                "IGNORE is refused: dynup always checks certificates",
            ))
        }
        Some(path) if Path::new(path).is_dir() => {}
        Some(path) => push("--cacert", path),
        None => {}
    }
    // ddns-scripts' default lookup_host is domain: for host@zone, the record's name.
    let record = api_host.clone().unwrap_or_else(|| domain.to_string());
    push("--lookup-host", value(s, "lookup_host").unwrap_or(&record));
    if let Some(server) = value(s, "dns_server") {
        push("--dns-server", server);
    }
    if flag_on(s, "force_dnstcp", false) {
        argv.push("--dns-tcp".into());
    }
    if flag_on(s, "upd_privateip", false) {
        argv.push("--allow-private".into());
        argv.push("--allow-ula".into());
    }
    // ddns-scripts' use_syslog is a level, 1 (info) to 4 (errors only); 0 is off.
    if value(s, "use_syslog").is_some_and(|v| matches!(v, "1" | "2" | "3" | "4")) {
        argv.push("--syslog".into());
    }
    let mut args = match cli::parse_onto(Args::default(), argv) {
        Ok(Command::Run(args)) => *args,
        Ok(_) => return Err(blame(ctx, s, None, "does not make a run")),
        Err(e) => return Err(blame(ctx, s, None, &e.to_string())),
    };
    args.hostnames = vec![api_host.unwrap_or_else(|| domain.to_string())];
    // As ddns-scripts' curl -4/-6: every request keeps to the section's family.
    if flag_on(s, "force_ipversion", false) {
        args.connect_family = Some(match ipv6 {
            true => crate::http::Family::V6,
            false => crate::http::Family::V4,
        });
    }
    // A password that became the token is not also the password.
    args.password = match token.as_deref() == password {
        true => None,
        false => password.map(str::to_string),
    };
    args.token = token;
    if tsig {
        args.password = None;
    }
    if let Some(path) = key_file {
        args.password = None;
        args.password_file = Some(path.into());
    }
    let proxy = value(s, "proxy").map(str::to_string);
    if let Some(proxy) = &proxy {
        // ddns-scripts' form; a scheme or a missing port would be read differently
        // (or dropped) by the HTTP client, so the update would bypass the proxy.
        let host_port = proxy.rsplit_once('@').map_or(proxy.as_str(), |(_, hp)| hp);
        let port_ok = host_port.rsplit_once(':').is_some_and(|(host, port)| {
            !host.is_empty() && port.parse::<u16>().is_ok_and(|p| p > 0)
        });
        if proxy.contains("://") || !port_ok {
            return Err(fail(
                "proxy",
                "expected [USER:PASSWORD@]HOST:PORT of an HTTP proxy",
            ));
        }
    }
    let retry_max = match s.option("retry_max_count").or(s.option("retry_count")) {
        Some(o) => o
            .values
            .first()
            .map_or(Ok(0), |v| v.parse::<u64>())
            .map_err(|_| blame(ctx, s, Some(o), "expected a whole number"))?,
        None => 0,
    };
    Ok(Plan {
        args,
        tsig_key,
        answer,
        ipv6,
        script,
        check_secs: seconds(ctx, s, "check", 10, "minutes")?,
        force_secs: seconds(ctx, s, "force", 72, "hours")?,
        retry_max,
        retry_secs: seconds(ctx, s, "retry", 60, "seconds")?,
        use_logfile: flag_on(s, "use_logfile", true),
        proxy,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::uci;
    use std::path::PathBuf;

    fn planned(text: &str) -> Result<Plan, String> {
        let sections = uci::parse(text).unwrap();
        let file = FileName(PathBuf::from("/etc/config/ddns"));
        let ctx = Context {
            file: &file,
            share_dir: Path::new("/nonexistent"),
            live: false,
        };
        plan(&ctx, &sections[0]).map_err(|f| f.message)
    }

    #[test]
    fn options_become_dynup_flags() {
        let p = planned(
            "config service 'v6'\n\toption service_name 'dynv6.com'\n\toption use_ipv6 '1'\n\
             \toption domain 'h.dynv6.net'\n\toption password 'tok'\n\
             \toption lookup_host 'other.dynv6.net'\n\toption dns_server '192.0.2.53'\n\
             \toption force_dnstcp '1'\n\toption upd_privateip '1'\n\
             \toption ip_source 'interface'\n\toption ip_interface 'br-lan'\n\
             \toption bind_network 'wan6'\n\toption check_interval '30'\n\
             \toption check_unit 'seconds'\n\toption force_interval '2'\n\
             \toption force_unit 'days'\n\toption retry_count '3'\n\
             \toption use_logfile '0'\n\toption use_syslog '3'\n",
        )
        .unwrap();
        let a = &p.args;
        assert_eq!(a.provider.as_deref(), Some("dynv6"));
        assert_eq!(a.token.as_deref(), Some("tok"));
        assert_eq!(a.password, None);
        assert_eq!(a.ipv6.as_deref(), Some("if:br-lan"));
        assert_eq!(a.ipv4.as_deref(), Some("none"));
        assert_eq!(a.lookup_host.as_deref(), Some("other.dynv6.net"));
        assert_eq!(a.dns_server.as_deref(), Some("192.0.2.53"));
        assert!(a.dns_tcp && a.allow_private && a.allow_ula && a.syslog);
        assert_eq!(a.bind.as_deref(), Some("wan6"));
        assert_eq!(a.hostnames, ["h.dynv6.net"]);
        assert!(p.ipv6 && !p.use_logfile && p.warnings.is_empty());
        assert_eq!((p.check_secs, p.force_secs, p.retry_max), (30, 172800, 3));
        assert_eq!(p.retry_secs, 60);
    }

    #[test]
    fn problems_name_the_option() {
        let base = "config service 's'\n\toption domain 'h.example.org'\n";
        let err = |extra: &str| planned(&format!("{base}{extra}")).err().unwrap();
        assert!(
            err("\toption service_name '3322.org'\n\toption use_ipv6 '1'\n").contains(
                ":4: service 's': option use_ipv6: service '3322.org' has no IPv6 update"
            )
        );
        assert!(
            err("\toption service_name 'dyn.com'\n\toption check_unit 'weeks'\n")
                .contains("option check_unit: expected seconds")
        );
        assert!(
            err("\toption service_name 'dyn.com'\n\toption ip_source 'magic'\n")
                .contains("option ip_source: 'magic'")
        );
        assert!(err("\toption service_name 'nosuch.example'\n").contains("unknown service"));
        assert!(err(
            "\toption service_name 'bind-nsupdate'\n\toption dns_server 'ns'\n\
                     \toption username 'k'\n\toption password 'c2VjcmV0'\n"
        )
        .contains("option username: write ALG:NAME"));
        assert!(
            planned("config service 's'\n\toption service_name 'dyn.com'\n")
                .err()
                .unwrap()
                .contains("option domain is missing")
        );
    }

    #[test]
    fn cloudflare_takes_the_zone_id_of_param_opt() {
        let sections = crate::uci::parse(
            "config service 'cf'\n\toption service_name 'cloudflare.com-v4'\n\
             \toption domain 'www@example.com'\n\toption username 'Bearer'\n\
             \toption password 'tok'\n\toption param_opt 'zone_id=abc123 dns_record_id=9'\n",
        )
        .unwrap();
        let file = FileName(std::path::PathBuf::from("/etc/config/ddns"));
        let ctx = Context {
            file: &file,
            share_dir: Path::new("/nonexistent"),
            live: false,
        };
        let p = plan(&ctx, &sections[0]).map_err(|f| f.message).unwrap();
        assert_eq!(p.args.provider.as_deref(), Some("cloudflare"));
        assert_eq!(p.args.zone_id.as_deref(), Some("abc123"));
        assert_eq!(p.args.zone.as_deref(), Some("example.com"));
        assert_eq!(p.args.hostnames, ["www.example.com"]);
        assert_eq!(p.args.lookup_host.as_deref(), Some("www.example.com"));
        assert_eq!(
            (
                p.args.token.as_deref(),
                p.args.password.as_deref(),
                p.args.user.as_deref()
            ),
            (Some("tok"), None, None)
        );
    }
}
