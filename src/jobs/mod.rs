//! `--config FILE [JOB...]`: the `config job` sections of a UCI file, each
//! turned into the same raw `Args` the command line fills (an option is a long
//! flag's name, `_` for `-`), then run one after the other in this process.
//! Flags on the command line apply to every job and win over its options.
//! Errors name FILE:LINE, the job and the option (options.rs); OpenWRT's
//! networks and hotplug events are in netifd.rs.

use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::addr::Source;
use crate::cli::{self, Args, Command};
use crate::config;
use crate::exit::{Exit, Failure};
use crate::output::Out;
use crate::uci::{self, Section};
use std::time::Duration;

pub(crate) mod netifd;
mod options;

use netifd::{device_of, HotplugEvent};
use options::{blame, option_named_in, section_args, uci_bool};

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
                Err(exit) => {
                    worst = worst.max(exit);
                    continue;
                }
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

/// The device a job reads from now: `Ok(None)` for a job on no interface.
/// `Err` (said) when there is none now: `Exit::Ok` while its network is down
/// (hotplug runs it when it comes up), `Exit::Usage` when `option interface`
/// names neither a device nor a network of /etc/config/network.
pub fn job_device(job: &ConfigJob, plain: &Out) -> Result<Option<String>, Exit> {
    let Some(interface) = job.interface.as_deref() else {
        return Ok(None);
    };
    if let Some(device) = job.device.clone().or_else(|| device_of(interface)) {
        return Ok(Some(device));
    }
    if netifd::network_configured(interface) == Some(false) {
        plain.error(&format!(
            "job '{}': option interface '{interface}' is no device and no network of \
             /etc/config/network; not run",
            job.name
        ));
        return Err(Exit::Usage);
    }
    plain.warn(&format!(
        "job '{}': network {interface} is not up, not run now",
        job.name
    ));
    Err(Exit::Ok)
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
    let name = job.name.clone();
    let job = &resolved.job;
    // Its errors and warnings start with `job NAME:` and call flags by their
    // options: with several jobs, the user sees which one to fix, and how.
    let out = Out::new(job.quiet, job.verbose, job.redactor.clone())
        .with_syslog(resolved.syslog)
        .for_uci_job(Some(name));
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
pub fn select<'a, 'b>(
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
