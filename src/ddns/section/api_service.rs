//! A service dynup runs on one of its API clients: the section's options as that
//! client's flags.

use super::options::{blame, flag_on, value};
use super::Context;
use crate::ddns::api::{api_options, names_key_file, ScriptOptions};
use crate::ddns::services::{self, Shape};
use crate::exit::Failure;
use crate::provider::presets;
use crate::uci::Section;

/// What an API service gives the run besides the flags it pushes.
pub(super) struct ApiService<'s> {
    /// The record's name (the host of host@zone): the run's host name.
    pub host: String,
    pub token: Option<String>,
    /// A key file the password names (cloud.google.com-v1), read as --password-file.
    pub key_file: Option<&'s str>,
}

/// The flags of service `s` whose route is `(preset, shape)`, given to `push`;
/// `refuse` words a failure about its service_name.
pub(super) fn api_service<'s>(
    ctx: &Context,
    s: &'s Section,
    domain: &'s str,
    (preset, shape): (&str, Shape),
    refuse: &dyn Fn(&str) -> Failure,
    push: &mut dyn FnMut(&str, &str),
    warnings: &mut Vec<String>,
) -> Result<ApiService<'s>, Failure> {
    let fail = |name: &str, message: &str| blame(ctx, s, s.option(name), message);
    let ipv6 = flag_on(s, "use_ipv6", false);
    let user = value(s, "username");
    let password = value(s, "password");
    let param_enc = value(s, "param_enc").unwrap_or("");
    let param_opt = value(s, "param_opt").unwrap_or("");
    let mut token = None;
    let mut key_file = None;
    if presets::preset(preset).is_none() {
        return Err(refuse(services::NOT_IN_BUILD));
    }
    push("-p", preset);
    let script = ScriptOptions {
        domain,
        user,
        lookup_host: value(s, "lookup_host"),
        param_enc: value(s, "param_enc"),
        param_opt: value(s, "param_opt"),
        zone: value(s, "zone"),
        record: value(s, "record"),
    };
    let api = api_options(shape, &script).map_err(|(opt, why)| match s.option(opt) {
        Some(_) => fail(opt, why),
        None => blame(ctx, s, None, &format!("option {opt} is missing: it {why}")),
    })?;
    let host = api.host;
    if let Some(zone) = &api.zone {
        push("--zone", zone);
    }
    if let Some(u) = api.user {
        push("--user", u);
    }
    if let Some(key) = api.token {
        token = Some(key.to_string());
    } else if api.password_is_token {
        token = password.map(str::to_string);
    }
    if let Some(ttl) = api.ttl {
        push("--ttl", ttl);
    }
    if let Some(id) = &api.zone_id {
        push("--zone-id", id);
    }
    // cloud.google.com-v1's password may name the key's file.
    if shape == Shape::ServiceAccount {
        key_file = password.filter(|p| names_key_file(p));
    }
    // cloudflare.com-v4's param_opt: `zone_id=ID` (the record ID is looked up).
    let zone_id = param_opt
        .split_whitespace()
        .find_map(|w| w.strip_prefix("zone_id="));
    if let (Shape::HostAtZone, Some(id)) = (shape, zone_id) {
        push("--zone-id", id);
    }
    // namesilo.com-v1's param_opt: `ttl=N` (also pp= and fmt=, which
    // are curl's and the answer's business, not dynup's).
    let ttl = param_opt
        .split_whitespace()
        .find_map(|w| w.strip_prefix("ttl="));
    if let (true, Some(ttl)) = (preset == "namesilo", ttl) {
        push("--ttl", ttl);
    }
    // aliyun.com's param_enc `RecordId=ID` picks one of several records.
    if preset == "aliyun" && param_enc.contains("RecordId=") {
        warnings.push(format!(
                "{}:{}: service '{}': option param_enc: RecordId is not honoured; dynup sets the one {} record of the name (it refuses several)",
                ctx.file,
                s.option("param_enc").map_or(s.line, |o| o.line),
                s.name.as_deref().unwrap_or("?"),
                if ipv6 { "AAAA" } else { "A" },
            ));
    }
    if preset == "powerdns" {
        if param_opt.is_empty() {
            return Err(fail(
                "param_opt",
                "pdns needs the API's URL in param_opt (http://host:8081)",
            ));
        }
        push("--server", param_opt);
    }
    Ok(ApiService {
        host,
        token,
        key_file,
    })
}
