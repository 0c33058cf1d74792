//! One section run as dynamic_dns_updater.sh runs it: check every check
//! interval, force an update after the force interval, retry per retry_*, exit 0
//! on SIGTERM; with the run files LuCI's status reads (RUNDIR/SECTION.pid,
//! .update and .nextcheck in uptime seconds, .ip, .err) and LOGDIR/SECTION.log.

use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use super::ere::Ere;
use super::section::{self, Plan};
use super::Options;
use crate::cli::Args;
use crate::config::{self, Job};
use crate::exit::{Exit, Failure};
use crate::output::Out;

/// Where one section keeps its run files and log.
struct Files {
    rundir: PathBuf,
    logdir: Option<PathBuf>,
    name: String,
    /// `ddns_loglines` of `config ddns 'global'`: the log keeps its last lines.
    loglines: usize,
}

impl Files {
    fn path(&self, ext: &str) -> PathBuf {
        self.rundir.join(format!("{}.{ext}", self.name))
    }

    fn write(&self, ext: &str, text: &str) {
        let _ = std::fs::write(self.path(ext), text);
    }

    fn log(&self, level: &str, message: &str) {
        let Some(dir) = &self.logdir else { return };
        let secs = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let day = secs % 86400;
        let line = format!(
            " {:02}{:02}{:02} {level} : {message}\n",
            day / 3600,
            day / 60 % 60,
            day % 60
        );
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join(format!("{}.log", self.name)));
        if let Ok(mut file) = file {
            let _ = file.write_all(line.as_bytes());
        }
        self.trim_log(&dir.join(format!("{}.log", self.name)));
    }

    /// Keeps the last `loglines` lines, as ddns-scripts does: the log lives in
    /// RAM on a router and a long-running updater writes to it every check.
    fn trim_log(&self, path: &std::path::Path) {
        let Ok(text) = crate::file::read_capped(path, MAX_LOG) else {
            return;
        };
        let text = String::from_utf8_lossy(&text);
        let count = text.lines().count();
        if count <= self.loglines {
            return;
        }
        let kept: String = text
            .lines()
            .skip(count - self.loglines)
            .map(|l| format!("{l}\n"))
            .collect();
        let temp = path.with_extension("log.tmp");
        if std::fs::write(&temp, kept).is_ok() {
            let _ = std::fs::rename(&temp, path);
        }
    }

    /// The uptime of the last update SECTION.update holds, if it is of this
    /// boot (a larger one is from before a reboot, as ddns-scripts reads it).
    fn last_update(&self) -> Option<u64> {
        let text = std::fs::read_to_string(self.path("update")).ok()?;
        let at = text.trim().parse::<u64>().ok()?;
        (at <= uptime()).then_some(at)
    }
}

/// A log larger than this is read only up to it (then trimmed to loglines).
const MAX_LOG: u64 = 1024 * 1024;

/// Seconds since boot, as ddns-scripts' `get_uptime` reads them.
fn uptime() -> u64 {
    std::fs::read_to_string("/proc/uptime")
        .ok()
        .and_then(|t| t.split(['.', ' ']).next()?.parse().ok())
        .unwrap_or(0)
}

/// Puts `address` as the section's one family.
pub fn set_address(args: &mut Args, ipv6: bool, address: &str) {
    match ipv6 {
        true => args.ipv6 = Some(address.to_string()),
        false => args.ipv4 = Some(address.to_string()),
    }
}

/// The address `ip_script` prints (its first word), of the section's family.
fn script_address(command: &str, ipv6: bool) -> Option<String> {
    let argv = ["/bin/sh", "-c", command].map(std::ffi::OsStr::new);
    let bytes = crate::spawn::output(&argv, 4096, Duration::from_secs(10))?;
    let text = String::from_utf8(bytes).ok()?;
    let word = text.split_whitespace().next()?;
    let ip: std::net::IpAddr = word.parse().ok()?;
    (ip.is_ipv6() == ipv6).then(|| ip.to_string())
}

/// The section's run as a dynup job: its state in a directory of its own,
/// a TSIG key from the section, the service's answer regex.
pub fn resolve(name: &str, plan: &Plan, mut args: Args) -> Result<Job, Failure> {
    let env = |var: &str| match var {
        "DYNUP_TSIG_KEY" if plan.tsig_key.is_some() => plan.tsig_key.clone(),
        _ => std::env::var(var).ok(),
    };
    let base = match env("DYNUP_CACHE_DIR").filter(|d| !d.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => config::default_cache_dir(&env)?,
    };
    args.cache_dir = Some(base.join(format!("ddns.{name}")));
    let mut job = config::resolve(args, &env)?;
    if let (Some(spec), Some(answer)) = (job.template.as_mut(), &plan.answer) {
        let ere =
            Ere::new(answer).map_err(|e| Failure::usage(format!("service answer pattern {e}")))?;
        spec.answer = Some(ere);
    }
    Ok(job)
}

/// `args` with dynup's flags from after `--` on top.
pub fn with_extra(args: Args, extra: &[std::ffi::OsString]) -> Result<Args, ()> {
    match crate::cli::parse_onto(args, extra.iter().cloned()) {
        Ok(crate::cli::Command::Run(args)) => Ok(*args),
        _ => Err(()),
    }
}

/// One check (and update when needed): its exit and whether a request was sent.
/// `first`: no update of this boot is known (no SECTION.update), so the
/// registered address does not stand in for one: ddns-scripts updates once at
/// its start, and LuCI shows when. dynup's holds still apply.
fn check_once(
    name: &str,
    plan: &Plan,
    options: &Options,
    force: bool,
    first: bool,
) -> (Exit, bool) {
    let verbose = options.verbose;
    let Ok(mut args) = with_extra(plan.args.clone(), &options.extra) else {
        Out::plain().error("ddns: the flags after -- do not parse (see dynup --help)");
        return (Exit::Usage, false);
    };
    args.force |= force;
    args.verbose |= verbose;
    if first {
        args.lookup_host = None;
        args.dns_server = None;
        args.dns_tcp = false;
    }
    if let Some(command) = &plan.script {
        match script_address(command, plan.ipv6) {
            Some(address) => set_address(&mut args, plan.ipv6, &address),
            None => {
                Out::plain().error(&format!(
                    "service '{name}': ip_script printed no IPv{} address",
                    if plan.ipv6 { 6 } else { 4 }
                ));
                return (Exit::NoAddress, false);
            }
        }
    }
    let job = match resolve(name, plan, args) {
        Ok(job) => job,
        Err(failure) => {
            Out::plain().error(&format!("service '{name}': {}", failure.message));
            return (failure.exit, false);
        }
    };
    let out = Out::new(job.quiet, job.verbose, job.redactor.clone()).with_syslog(plan.args.syslog);
    crate::run::run_and_tell(&job, &out)
}

/// The registered address into SECTION.ip (an empty line when none), as
/// ddns-scripts' get_registered_ip leaves it.
fn write_registered(files: &Files, plan: &Plan) {
    let args = &plan.args;
    let lookup = crate::registered::Lookup::from_flags(
        args.lookup_host.as_deref(),
        args.dns_server.as_deref(),
        args.dns_tcp,
    );
    let Ok(Some(lookup)) = lookup else { return };
    let rtype = if plan.ipv6 { 28 } else { 1 };
    let line = match lookup.query(rtype, Duration::from_secs(5)) {
        Ok(crate::registered::Registered::Found(addrs)) => addrs[0].to_string(),
        _ => String::new(),
    };
    files.write("ip", &format!("{line}\n"));
}

/// `dynup ddns [--once] SECTION`.
pub fn run(options: &Options, out: &Out) -> Exit {
    let file = options.file();
    let sections = match crate::jobs::load(&file.0) {
        Ok(sections) => sections,
        Err(failure) => {
            out.error(&failure.message);
            return failure.exit;
        }
    };
    let name = &options.sections[0];
    let section = match super::find(&file, &sections, name) {
        Ok(s) => s,
        Err(failure) => {
            out.error(&failure.message);
            return failure.exit;
        }
    };
    let global = sections
        .iter()
        .find(|s| s.kind == "ddns" && s.name.as_deref() == Some("global"));
    let global_dir = |opt: &str, default: &str| {
        let value = global
            .and_then(|g| g.option(opt))
            .and_then(|o| o.values.first())
            .filter(|v| !v.is_empty() && !v.contains("../"));
        PathBuf::from(value.map_or(default, String::as_str))
    };
    let share = options.share();
    let ctx = section::Context {
        file: &file,
        share_dir: &share,
        live: true,
    };
    let plan = match section::plan(&ctx, section) {
        Ok(plan) => plan,
        Err(failure) => {
            out.error(&failure.message);
            return failure.exit;
        }
    };
    plan.warnings.iter().for_each(|w| out.warn(w));
    use_proxy(plan.proxy.as_deref());
    let exposed = std::fs::File::open(&file.0).is_ok_and(|f| crate::secret::readable_by_others(&f));
    if exposed && section.option("password").is_some() {
        out.warn(&format!(
            "{file}: holds a password but other users can read it; chmod 600 {file}"
        ));
    }
    let rundir = options
        .rundir
        .clone()
        .unwrap_or_else(|| global_dir("ddns_rundir", "/var/run/ddns"));
    let logdir = options
        .logdir
        .clone()
        .unwrap_or_else(|| global_dir("ddns_logdir", "/var/log/ddns"));
    for dir in [&rundir, &logdir] {
        if let Err(e) = std::fs::create_dir_all(dir) {
            out.error(&format!("{}: {e}", dir.display()));
            return Exit::State;
        }
    }
    let loglines = global
        .and_then(|g| g.option("ddns_loglines"))
        .and_then(|o| o.values.first())
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or(250);
    let files = Files {
        rundir,
        logdir: plan.use_logfile.then_some(logdir),
        name: name.clone(),
        loglines,
    };
    files.write("pid", &format!("{}\n", std::process::id()));
    let exit = lifecycle(&files, &plan, options, name);
    if !options.once {
        let _ = std::fs::remove_file(files.path("pid"));
    }
    exit
}

/// The HTTP client takes its proxy from the environment (ALL_PROXY first). As
/// ddns-scripts does, a section's `proxy` is the only one: one the environment
/// happens to carry is not used. Called before any thread starts.
fn use_proxy(proxy: Option<&str>) {
    for name in [
        "ALL_PROXY",
        "all_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "NO_PROXY",
        "no_proxy",
    ] {
        std::env::remove_var(name);
    }
    if let Some(proxy) = proxy {
        std::env::set_var("ALL_PROXY", format!("http://{proxy}"));
    }
}

/// The updater's loop; returns when done (once, force 0, retries spent, SIGTERM).
fn lifecycle(files: &Files, plan: &Plan, options: &Options, name: &str) -> Exit {
    let signals = Signals::block();
    let mut last_update = files.last_update();
    let mut retries = 0;
    files.log(
        " info",
        &format!(
            "dynup {} for section '{name}' started",
            env!("CARGO_PKG_VERSION")
        ),
    );
    loop {
        let force_due = plan.force_secs > 0
            && last_update.is_some_and(|at| uptime().saturating_sub(at) >= plan.force_secs);
        let first = last_update.is_none();
        let (exit, sent) = check_once(name, plan, options, force_due, first);
        write_registered(files, plan);
        if exit == Exit::Ok {
            retries = 0;
            let _ = std::fs::remove_file(files.path("err"));
            if sent {
                let now = uptime();
                last_update = Some(now);
                files.write("update", &format!("{now}\n"));
                files.log(" info", "update successful");
            } else {
                files.log(" info", "address current, nothing sent");
            }
        } else {
            files.write(
                "err",
                &format!("exit {}: {}\n", exit.code(), exit.meaning()),
            );
            files.log(
                "ERROR",
                &format!("exit {}: {}", exit.code(), exit.meaning()),
            );
        }
        if options.once {
            return exit;
        }
        if plan.force_secs == 0 && exit == Exit::Ok {
            // Run once: no next check is coming.
            let _ = std::fs::remove_file(files.path("nextcheck"));
            return exit;
        }
        let wait = if exit == Exit::Ok {
            plan.check_secs
        } else {
            retries += 1;
            if exit.is_fatal() || (plan.retry_max > 0 && retries > plan.retry_max) {
                files.log("ERROR", "giving up");
                return exit;
            }
            plan.retry_secs
        };
        files.write("nextcheck", &format!("{}\n", uptime() + wait));
        if signals.wait(Duration::from_secs(wait.max(1))) {
            files.log(" info", "terminated");
            return Exit::Ok;
        }
    }
}

/// SIGTERM, SIGINT and SIGHUP held back so that a sleep can wait for them:
/// the process wakes only for a check or a signal.
struct Signals(libc::sigset_t);

impl Signals {
    fn block() -> Signals {
        // SAFETY: sigset_t is plain data, initialised by sigemptyset.
        unsafe {
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            for signal in [libc::SIGTERM, libc::SIGINT, libc::SIGHUP] {
                libc::sigaddset(&mut set, signal);
            }
            libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
            Signals(set)
        }
    }

    /// Sleeps `time`; true when a signal ended the sleep.
    fn wait(&self, time: Duration) -> bool {
        let spec = libc::timespec {
            tv_sec: time.as_secs().min(i32::MAX as u64) as _,
            tv_nsec: 0,
        };
        // SAFETY: the set and timespec live across the call; no siginfo wanted.
        let signal = unsafe { libc::sigtimedwait(&self.0, std::ptr::null_mut(), &spec) };
        signal > 0
    }
}
