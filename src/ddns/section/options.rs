//! The options dynup honours and the readers of a section's values.

use super::Context;
use crate::exit::Failure;
use crate::uci::{Opt, Section};

/// Options dynup reads (or that only the init script and LuCI use).
pub(super) const HONOURED: &[&str] = &[
    "enabled",
    "service_name",
    "update_url",
    "update_script",
    "domain",
    "username",
    "password",
    "param_enc",
    "param_opt",
    "lookup_host",
    "use_ipv6",
    "ip_source",
    "ip_network",
    "ip_interface",
    "ip_url",
    "ip_script",
    "interface",
    "bind_network",
    "use_https",
    "cacert",
    "dns_server",
    "force_dnstcp",
    "use_syslog",
    "use_logfile",
    "check_interval",
    "check_unit",
    "force_interval",
    "force_unit",
    "retry_max_count",
    "retry_count",
    "retry_interval",
    "retry_unit",
    "upd_privateip",
    "proxy",
    "force_ipversion",
];

pub fn blame(ctx: &Context, section: &Section, opt: Option<&Opt>, message: &str) -> Failure {
    let name = section.name.as_deref().unwrap_or("?");
    Failure::usage(match opt {
        Some(o) => format!(
            "{}:{}: service '{name}': option {}: {message}",
            ctx.file, o.line, o.name
        ),
        None => format!("{}:{}: service '{name}': {message}", ctx.file, section.line),
    })
}

pub(super) fn value<'a>(section: &'a Section, name: &str) -> Option<&'a str> {
    section
        .option(name)
        .and_then(|o| o.values.first())
        .map(String::as_str)
        .filter(|v| !v.is_empty())
}

pub(super) fn flag_on(section: &Section, name: &str, default: bool) -> bool {
    match value(section, name) {
        Some(v) => matches!(v, "1" | "yes" | "on" | "true" | "enabled"),
        None => default,
    }
}

/// `NAME_interval` in `NAME_unit` as seconds.
pub(super) fn seconds(
    ctx: &Context,
    s: &Section,
    name: &str,
    default: u64,
    unit: &str,
) -> Result<u64, Failure> {
    let interval = format!("{name}_interval");
    let count = match s.option(&interval) {
        Some(o) => value(s, &interval)
            .unwrap_or("0")
            .parse::<u64>()
            .map_err(|_| blame(ctx, s, Some(o), "expected a whole number"))?,
        None => default,
    };
    let unit_name = format!("{name}_unit");
    let per = match value(s, &unit_name).unwrap_or(unit) {
        "seconds" => 1,
        "minutes" => 60,
        "hours" => 3600,
        "days" => 86400,
        _ => {
            return Err(blame(
                ctx,
                s,
                s.option(&unit_name),
                "expected seconds, minutes, hours or days",
            ))
        }
    };
    Ok(count.saturating_mul(per))
}
