//! `--config FILE [JOB...]`: the `config job` sections of a UCI file, each
//! turned into the same raw `Args` the command line fills (an option is a long
//! flag's name, `_` for `-`), then run one after the other in this process.
//! Flags on the command line apply to every job and win over its options.
//! Errors name FILE:LINE, the job and the option.

use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::addr::Source;
use crate::cli::{self, Args, Command};
use crate::config;
use crate::exit::{Exit, Failure};
use crate::output::Out;
use crate::uci::{self, Opt, Section};
use std::time::Duration;

/// A config file larger than this is not a dynup config.
const MAX_CONFIG: u64 = 1024 * 1024;

/// Options that hold a secret: the file must then be readable by its owner only.
const SECRET_OPTIONS: [&str; 3] = ["password", "token", "tsig_key"];

/// Flags that say what dynup does, not what a job is: refused in a section.
const NOT_JOB_OPTIONS: [&str; 7] = [
    "config",
    "check",
    "hotplug",
    "help",
    "version",
    "list_providers",
    "show_addresses",
];

/// One `config job` section, read.
pub struct ConfigJob<'a> {
    pub name: String,
    section: &'a Section,
    pub enabled: bool,
    /// `option interface`: an OpenWRT network (wan) or a device (eth0).
    pub interface: Option<String>,
    /// `option device`: the device to read addresses from, when not the network's.
    pub device: Option<String>,
}

/// Runs (or with `--check` validates) the jobs of `args.config`; `argv` is the
/// command line, whose flags apply to every job.
pub fn run(argv: &[OsString], args: &Args, plain: &Out) -> Exit {
    let Some(path) = &args.config else {
        return Exit::Usage;
    };
    let file = FileName(path.clone());
    let sections = match load(path) {
        Ok(sections) => sections,
        Err(failure) => {
            plain.error(&failure.message);
            return failure.exit;
        }
    };
    let jobs = match read_jobs(&file, &sections) {
        Ok(jobs) => jobs,
        Err(failure) => {
            plain.error(&failure.message);
            return failure.exit;
        }
    };
    // The watch service sees address changes itself.
    let watching = sections
        .iter()
        .filter(|s| s.kind == "global")
        .filter_map(|s| s.option("watch"))
        .any(|o| uci_bool(o) == Some(true));
    let event = if args.hotplug {
        if watching {
            return Exit::Ok;
        }
        match HotplugEvent::from_env() {
            Some(event) => Some(event),
            // An event that changes no address: nothing to do.
            None => return Exit::Ok,
        }
    } else {
        None
    };
    let selected = match select(&file, &jobs, &args.hostnames, args.check) {
        Ok(selected) => selected,
        Err(failure) => {
            plain.error(&failure.message);
            return failure.exit;
        }
    };
    let mut worst = Exit::Ok;
    let mut checked = Vec::new();
    for job in selected {
        let device = match (&event, args.check) {
            (_, true) => job.device.clone().or(job.interface.clone()),
            (Some(event), false) => match event.concerns(job) {
                Some(device) => Some(device),
                None => continue,
            },
            (None, false) => match job_device(job, plain) {
                Ok(device) => device,
                Err(()) => continue,
            },
        };
        let exit = if args.check {
            match resolve(&file, job, device, argv) {
                Ok(resolved) => {
                    checked.push(resolved.name);
                    Exit::Ok
                }
                Err(failure) => {
                    plain.error(&failure.message);
                    failure.exit
                }
            }
        } else {
            run_job(&file, job, device, argv, plain).exit
        };
        worst = worst.max(exit);
    }
    if args.check && worst == Exit::Ok && !args.quiet {
        plain.text(&format!(
            "{file}: {} job(s) valid: {}\n",
            checked.len(),
            checked.join(", ")
        ));
    }
    worst
}

/// The device a job reads from now: `Ok(None)` for a job on no interface,
/// `Err` (said) while its network is down.
pub fn job_device(job: &ConfigJob, plain: &Out) -> Result<Option<String>, ()> {
    let Some(interface) = job.interface.as_deref() else {
        return Ok(None);
    };
    match job.device.clone().or_else(|| device_of(interface)) {
        Some(device) => Ok(Some(device)),
        None => {
            plain.warn(&format!(
                "job '{}': network {interface} is not up, not run now",
                job.name
            ));
            Err(())
        }
    }
}

/// What one run of a job tells the watch loop.
pub struct JobOutcome {
    pub exit: Exit,
    /// The interfaces whose address events concern the job.
    pub devices: Vec<String>,
    /// Address sources no event shows: how often to look again (`web`, `auto`).
    pub poll: Option<Duration>,
    pub max_age: Duration,
}

/// A `web` source is asked again this often: cron's old default.
const WEB_POLL: Duration = Duration::from_secs(300);
/// An `auto` value is resent at most hourly anyway (see `state::decide`).
const AUTO_POLL: Duration = Duration::from_secs(3600);

/// Resolves and runs one job, its messages to its own output.
pub fn run_job(
    file: &FileName,
    job: &ConfigJob,
    device: Option<String>,
    argv: &[OsString],
    plain: &Out,
) -> JobOutcome {
    let resolved = match resolve(file, job, device, argv) {
        Ok(resolved) => resolved,
        Err(failure) => {
            plain.error(&failure.message);
            return JobOutcome {
                exit: failure.exit,
                devices: Vec::new(),
                poll: None,
                max_age: Duration::MAX,
            };
        }
    };
    let job = &resolved.job;
    let out = Out::new(job.quiet, job.verbose, job.redactor.clone()).with_syslog(resolved.syslog);
    JobOutcome {
        exit: crate::run::run(job, &out),
        devices: watched_devices(job),
        poll: poll_interval(job),
        max_age: Duration::from_secs(job.max_age),
    }
}

fn watched_devices(job: &config::Job) -> Vec<String> {
    let mut devices = Vec::new();
    for source in [&job.sources.ipv4, &job.sources.ipv6].into_iter().flatten() {
        if let Source::Interface(name) | Source::Default(name) = source {
            devices.push(name.clone());
        }
    }
    devices.extend(job.sources.ipv6_prefix.clone());
    devices.sort();
    devices.dedup();
    devices
}

fn poll_interval(job: &config::Job) -> Option<Duration> {
    // IPv4 by default from -i falls back to the web behind a NAT.
    let web = |source: &Option<Source>, default_too: bool| match source {
        Some(Source::Web(_)) => true,
        Some(Source::Default(_)) => default_too,
        _ => false,
    };
    if web(&job.sources.ipv4, true) || web(&job.sources.ipv6, false) {
        return Some(WEB_POLL);
    }
    let auto = job.ipv4.is_some_and(|w| w.is_auto())
        || job.ipv6.is_some_and(|w| w.is_auto())
        || job.ipv6_prefix.is_some_and(|w| w.is_auto());
    auto.then_some(AUTO_POLL)
}

/// The file's name as errors show it.
#[derive(Clone)]
pub struct FileName(pub PathBuf);

impl std::fmt::Display for FileName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0.display())
    }
}

/// Reads and parses FILE; refuses it when it holds a secret others can read.
pub fn load(path: &Path) -> Result<Vec<Section>, Failure> {
    let shown = path.display();
    let mut file = std::fs::File::open(path)
        .map_err(|e| Failure::usage(format!("--config {shown}: cannot open: {e}")))?;
    let mut bytes = Vec::new();
    file.by_ref()
        .take(MAX_CONFIG + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Failure::usage(format!("--config {shown}: cannot read: {e}")))?;
    if bytes.len() as u64 > MAX_CONFIG {
        return Err(Failure::usage(format!(
            "--config {shown}: larger than 1 MiB, not a dynup config"
        )));
    }
    let text = String::from_utf8(bytes)
        .map_err(|_| Failure::usage(format!("--config {shown}: not UTF-8 text")))?;
    let sections = uci::parse(&text)
        .map_err(|e| Failure::usage(format!("{shown}:{}: {}", e.line, e.message)))?;
    // As ssh with a private key: a secret others can read is no longer one.
    if crate::secret::readable_by_others(&file) {
        let held = sections.iter().filter(|s| s.kind == "job").find_map(|s| {
            s.options
                .iter()
                .find(|o| SECRET_OPTIONS.contains(&o.name.as_str()))
        });
        if let Some(opt) = held {
            return Err(Failure::usage(format!(
                "{shown}:{}: option {} holds a secret, but the file is readable by other \
                 users: refused; chmod 600 {shown}",
                opt.line, opt.name
            )));
        }
    }
    Ok(sections)
}

/// The `config job` sections, named (`@job[N]` for an anonymous one, as `uci show`
/// names it), with what decides whether and where each runs.
pub fn read_jobs<'a>(
    file: &FileName,
    sections: &'a [Section],
) -> Result<Vec<ConfigJob<'a>>, Failure> {
    let mut jobs = Vec::new();
    for (index, section) in sections.iter().filter(|s| s.kind == "job").enumerate() {
        let name = section
            .name
            .clone()
            .unwrap_or_else(|| format!("@job[{index}]"));
        let single = |opt: &str| -> Result<Option<String>, Failure> {
            match section.option(opt) {
                None => Ok(None),
                Some(o) if o.list => Err(blame(
                    file,
                    section,
                    &name,
                    Some(o),
                    "is a list; give one value",
                )),
                Some(o) => Ok(o.values.first().cloned().filter(|v| !v.is_empty())),
            }
        };
        let enabled = match section.option("enabled") {
            None => false,
            Some(opt) => uci_bool(opt).ok_or_else(|| {
                blame(
                    file,
                    section,
                    &name,
                    Some(opt),
                    "expected 1/0, yes/no, on/off or true/false",
                )
            })?,
        };
        jobs.push(ConfigJob {
            interface: single("interface")?,
            device: single("device")?,
            name,
            section,
            enabled,
        });
    }
    Ok(jobs)
}

/// The jobs named (each must exist and be enabled), or every enabled one. With
/// `--check`, every job: a disabled one is checked before someone enables it.
fn select<'a, 'b>(
    file: &FileName,
    jobs: &'b [ConfigJob<'a>],
    names: &[String],
    check: bool,
) -> Result<Vec<&'b ConfigJob<'a>>, Failure> {
    if names.is_empty() {
        return Ok(jobs.iter().filter(|j| j.enabled || check).collect());
    }
    let mut selected = Vec::new();
    for name in names {
        let Some(job) = jobs.iter().find(|j| &j.name == name) else {
            let known: Vec<&str> = jobs.iter().map(|j| j.name.as_str()).collect();
            return Err(Failure::usage(format!(
                "{file}: no job '{name}' (jobs: {})",
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            )));
        };
        if !job.enabled && !check {
            let line = job
                .section
                .option("enabled")
                .map_or(job.section.line, |o| o.line);
            return Err(Failure::usage(format!(
                "{file}:{line}: job '{name}' is disabled (option enabled '1' runs it)"
            )));
        }
        selected.push(job);
    }
    Ok(selected)
}

/// A job ready to run.
struct Resolved {
    name: String,
    job: config::Job,
    syslog: bool,
}

/// The job's options, then the command line on top, resolved as one run's flags.
fn resolve(
    file: &FileName,
    job: &ConfigJob,
    device: Option<String>,
    argv: &[OsString],
) -> Result<Resolved, Failure> {
    let name = &job.name;
    let (mut args, hostnames, tsig_key) = section_args(file, job)?;
    if let Some(device) = device {
        args.interface = Some(device);
    }
    let mut args = match cli::parse_onto(args, argv.iter().cloned()) {
        Ok(Command::Run(args)) => *args,
        _ => {
            return Err(Failure::usage(
                "the command line does not parse (see dynup --help)",
            ))
        }
    };
    // On the command line, the names are jobs; the hosts are the section's.
    args.hostnames = hostnames;
    // Each job keeps its state (and its lock) in a directory of its own.
    let env = |var: &str| match var {
        "DYNUP_TSIG_KEY" if tsig_key.is_some() => tsig_key.clone(),
        _ => std::env::var(var).ok(),
    };
    let base = match (
        &args.cache_dir,
        env("DYNUP_CACHE_DIR").filter(|d| !d.is_empty()),
    ) {
        (Some(dir), _) => dir.clone(),
        (None, Some(dir)) => PathBuf::from(dir),
        (None, None) => config::default_cache_dir(&env)?,
    };
    args.cache_dir = Some(base.join(name));
    let syslog = args.syslog;
    let job_config = config::resolve(args, &env).map_err(|failure| {
        let opt = option_named_in(&failure.message, job.section);
        Failure::new(
            failure.exit,
            blame(file, job.section, name, opt, &failure.message).message,
        )
    })?;
    Ok(Resolved {
        name: name.clone(),
        job: job_config,
        syslog,
    })
}

/// A section's options as the raw flags they name (hostnames and the inline TSIG
/// key apart): the same `Args` the command line would have filled.
fn section_args(
    file: &FileName,
    job: &ConfigJob,
) -> Result<(Args, Vec<String>, Option<String>), Failure> {
    let name = &job.name;
    let mut args = Args::default();
    let mut hostnames = Vec::new();
    let mut tsig_key = None;
    for opt in &job.section.options {
        let fail = |message: &str| blame(file, job.section, name, Some(opt), message);
        let value = opt.values.first().cloned().unwrap_or_default();
        if opt.list && !matches!(opt.name.as_str(), "hostname" | "host") {
            return Err(fail("is a list; only hostname takes several values"));
        }
        match opt.name.as_str() {
            "enabled" | "interface" | "device" => {}
            "hostname" | "host" => hostnames.extend(
                opt.values
                    .iter()
                    .flat_map(|v| v.split_whitespace())
                    .map(String::from),
            ),
            "tsig_key" => tsig_key = Some(value),
            "family" => match value.as_str() {
                "" | "both" => {}
                "ipv4" => args.only_ipv4 = true,
                "ipv6" => args.only_ipv6 = true,
                _ => return Err(fail(&format!("'{value}': expected ipv4, ipv6 or both"))),
            },
            other if NOT_JOB_OPTIONS.contains(&other) => {
                return Err(fail("is not an option of a job"));
            }
            other => {
                let flag = match other {
                    "username" => "--user".to_string(),
                    _ => format!("--{}", other.replace('_', "-")),
                };
                args = apply(args, &flag, opt, &value).map_err(|e| fail(&e))?;
            }
        }
    }
    Ok((args, hostnames, tsig_key))
}

/// One option as its flag: `--flag=VALUE`, or for a flag without a value, `--flag`
/// when the value is true.
fn apply(args: Args, flag: &str, opt: &Opt, value: &str) -> Result<Args, String> {
    let with_value = OsString::from(format!("{flag}={value}"));
    match cli::parse_onto(args.clone(), [with_value]) {
        Ok(Command::Run(args)) => Ok(*args),
        Ok(_) => Err("is not an option of a job".into()),
        Err(lexopt::Error::UnexpectedValue { .. }) => match uci_bool(opt) {
            Some(true) => match cli::parse_onto(args, [OsString::from(flag)]) {
                Ok(Command::Run(args)) => Ok(*args),
                _ => Err("is not an option of a job".into()),
            },
            Some(false) => Ok(args),
            None => Err(format!(
                "'{value}': a switch, expected 1/0, yes/no, on/off or true/false"
            )),
        },
        Err(lexopt::Error::UnexpectedOption(_)) => {
            Err("unknown option (options are dynup's long flags, with _ for -)".into())
        }
        Err(e) => Err(e.to_string()),
    }
}

/// UCI's booleans, as `config_get_bool` reads them.
fn uci_bool(opt: &Opt) -> Option<bool> {
    match opt.values.first().map(String::as_str) {
        Some("1" | "yes" | "on" | "true" | "enabled") => Some(true),
        Some("0" | "no" | "off" | "false" | "disabled") => Some(false),
        _ => None,
    }
}

/// "FILE:LINE: job 'NAME': option OPT: MESSAGE"; without an option, the line
/// of the section's `config` line.
fn blame(
    file: &FileName,
    section: &Section,
    job: &str,
    opt: Option<&Opt>,
    message: &str,
) -> Failure {
    Failure::usage(match opt {
        Some(opt) => format!(
            "{file}:{}: job '{job}': option {}: {message}",
            opt.line, opt.name
        ),
        None => format!("{file}:{}: job '{job}': {message}", section.line),
    })
}

/// The option of the section an error from `config` is about: the one whose flag
/// (or secret variable) it names, the longest when several match.
fn option_named_in<'a>(message: &str, section: &'a Section) -> Option<&'a Opt> {
    section
        .options
        .iter()
        .filter_map(|opt| {
            let names: Vec<String> = match opt.name.as_str() {
                "username" => vec!["--user".into()],
                "family" => vec!["-4".into(), "-6".into()],
                "tsig_key" => vec!["DYNUP_TSIG_KEY".into()],
                "hostname" | "host" => vec!["HOSTNAME".into(), "host name".into()],
                other => vec![format!("--{}", other.replace('_', "-"))],
            };
            names
                .into_iter()
                .filter(|name| names_word(message, name))
                .map(|name| (name.len(), opt))
                .max_by_key(|(len, _)| *len)
        })
        .max_by_key(|(len, _)| *len)
        .map(|(_, opt)| opt)
}

/// `name` in `message`, not as the start of a longer flag (`--password` in `--password-file`).
fn names_word(message: &str, name: &str) -> bool {
    message.match_indices(name).any(|(at, _)| {
        let next = message[at + name.len()..].chars().next();
        !next.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    })
}

/// OpenWRT's hotplug event (hotplug-call's environment): the network that came
/// up or whose addresses changed, and its device.
pub struct HotplugEvent {
    network: String,
    device: Option<String>,
}

impl HotplugEvent {
    /// `None` for an event that changes no address (ifdown, an ifupdate of routes).
    fn from_env() -> Option<HotplugEvent> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let relevant = match var("ACTION").as_deref() {
            Some("ifup") => true,
            Some("ifupdate") => {
                var("IFUPDATE_ADDRESSES").as_deref() == Some("1")
                    || var("IFUPDATE_PREFIXES").as_deref() == Some("1")
            }
            _ => false,
        };
        let network = var("INTERFACE")?;
        relevant.then(|| HotplugEvent {
            network,
            device: var("DEVICE"),
        })
    }

    /// The device a job reads from, when this event concerns it: its network came
    /// up, or another network on its device (wan6 on wan's pppoe-wan) changed.
    fn concerns(&self, job: &ConfigJob) -> Option<String> {
        let network = job.interface.as_deref()?;
        if network == self.network {
            return job
                .device
                .clone()
                .or(self.device.clone())
                .or_else(|| device_of(network));
        }
        let event_device = self.device.as_deref()?;
        let device = job.device.clone().or_else(|| device_of(network))?;
        (device == event_device).then_some(device)
    }
}

/// The device of `interface`: itself when the kernel has a device of that name,
/// else the layer-3 device of the OpenWRT network of that name while it is up.
fn device_of(interface: &str) -> Option<String> {
    if Path::new("/sys/class/net").join(interface).exists() {
        return Some(interface.to_string());
    }
    let object = format!("network.interface.{interface}");
    let argv = ["ubus", "-t", "2", "call", &object, "status"].map(std::ffi::OsStr::new);
    let status = crate::spawn::output(&argv, 64 * 1024, Duration::from_secs(5))?;
    l3_device(&String::from_utf8_lossy(&status))
}

/// `"l3_device": "NAME"` in netifd's status JSON: the one string needed, no JSON reader.
fn l3_device(json: &str) -> Option<String> {
    let rest = &json[json.find("\"l3_device\"")? + "\"l3_device\"".len()..];
    let rest = rest
        .trim_start()
        .strip_prefix(':')?
        .trim_start()
        .strip_prefix('"')?;
    let name = &rest[..rest.find('"')?];
    (!name.is_empty()).then(|| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(text: &str) -> Section {
        uci::parse(text).unwrap().remove(0)
    }

    #[test]
    fn an_error_is_pinned_on_the_option_whose_flag_it_names() {
        let s = section(
            "config job j\noption password 'x'\noption password_file '/p'\noption username u\n",
        );
        let opt = option_named_in("--password-file /p: cannot open", &s).unwrap();
        assert_eq!((opt.name.as_str(), opt.line), ("password_file", 3));
        let opt = option_named_in("--password and --password-file both given", &s).unwrap();
        assert_eq!(opt.name, "password_file");
        let opt = option_named_in("noip needs --user NAME", &s).unwrap();
        assert_eq!(opt.name, "username");
        assert!(option_named_in("--server: bad", &s).is_none());
    }

    #[test]
    fn every_option_is_its_flag_and_the_command_line_wins() {
        let text = "config job 'all'\n\toption enabled 'yes'\n\toption provider 'rfc2136'\n\
            \toption server 'ns.example.net:5353'\n\toption username 'me'\n\
            \toption password_file '/pw'\n\toption token_file '/token'\n\
            \toption tsig_key_file '/key'\n\toption tsig_key 'hmac-sha256:k:c2VjcmV0'\n\
            \toption interface 'wan'\n\toption device 'eth1'\n\toption family 'ipv6'\n\
            \toption ipv4 'none'\n\toption ipv6 'web:https://v6.example/ip'\n\
            \toption ipv6_prefix 'if:br-lan'\n\toption ipv6_host_id '::10'\n\
            \toption zone 'example.net'\n\toption ttl '120'\n\
            \toption url 'https://u.example/?h={{hostname}}'\n\toption success 'good,fine'\n\
            \toption max_age '12h'\n\toption timeout '5'\n\toption user_agent 'my router 1.0'\n\
            \toption cacert '/ca.pem'\n\toption allow_ula '1'\n\toption allow_private 'on'\n\
            \toption tcp 'true'\n\toption force 'no'\n\toption on_change 'logger changed'\n\
            \toption on_failure 'logger failed'\n\toption cache_dir '/state'\n\
            \tlist hostname 'a.example.net'\n\tlist hostname 'b.example.net c.example.net'\n";
        let sections = uci::parse(text).unwrap();
        let file = FileName(PathBuf::from("/etc/config/dynup"));
        let jobs = read_jobs(&file, &sections).unwrap();
        let job = &jobs[0];
        assert!(job.enabled);
        assert_eq!(job.interface.as_deref(), Some("wan"));
        assert_eq!(job.device.as_deref(), Some("eth1"));
        let (args, hosts, tsig_key) = section_args(&file, job).unwrap();
        assert_eq!(hosts, ["a.example.net", "b.example.net", "c.example.net"]);
        assert_eq!(tsig_key.as_deref(), Some("hmac-sha256:k:c2VjcmV0"));
        assert_eq!(args.provider.as_deref(), Some("rfc2136"));
        assert_eq!(args.server.as_deref(), Some("ns.example.net:5353"));
        assert_eq!(args.user.as_deref(), Some("me"));
        assert_eq!(args.password_file, Some(PathBuf::from("/pw")));
        assert_eq!(args.token_file, Some(PathBuf::from("/token")));
        assert_eq!(args.tsig_key_file, Some(PathBuf::from("/key")));
        assert!(args.only_ipv6 && !args.only_ipv4);
        assert_eq!(args.ipv4.as_deref(), Some("none"));
        assert_eq!(args.ipv6.as_deref(), Some("web:https://v6.example/ip"));
        assert_eq!(args.ipv6_prefix.as_deref(), Some("if:br-lan"));
        assert_eq!(args.ipv6_host_id.as_deref(), Some("::10"));
        assert_eq!(args.zone.as_deref(), Some("example.net"));
        assert_eq!(args.ttl.as_deref(), Some("120"));
        assert_eq!(
            args.url.as_deref(),
            Some("https://u.example/?h={{hostname}}")
        );
        assert_eq!(args.success.as_deref(), Some("good,fine"));
        assert_eq!(args.max_age.as_deref(), Some("12h"));
        assert_eq!(args.timeout.as_deref(), Some("5"));
        assert_eq!(args.user_agent.as_deref(), Some("my router 1.0"));
        assert_eq!(args.cacert, Some(PathBuf::from("/ca.pem")));
        assert!(args.allow_ula && args.allow_private && args.tcp && !args.force);
        assert_eq!(args.on_change.as_deref(), Some("logger changed"));
        assert_eq!(args.on_failure.as_deref(), Some("logger failed"));
        assert_eq!(args.cache_dir, Some(PathBuf::from("/state")));
        // The command line on top: its value wins, the rest stays.
        let argv = ["--ttl", "300", "-n", "all"].map(OsString::from);
        let Ok(Command::Run(merged)) = cli::parse_onto(args, argv) else {
            panic!("no run");
        };
        assert_eq!(merged.ttl.as_deref(), Some("300"));
        assert!(merged.dry_run);
        assert_eq!(merged.zone.as_deref(), Some("example.net"));
    }

    #[test]
    fn netifd_status_gives_the_l3_device() {
        let json =
            "{\n\t\"up\": true,\n\t\"l3_device\": \"pppoe-wan\",\n\t\"device\": \"eth0.2\"\n}";
        assert_eq!(l3_device(json).as_deref(), Some("pppoe-wan"));
        assert_eq!(l3_device("{ \"up\": false }"), None);
    }
}
