//! `dynup ddns`: the engine under OpenWRT's ddns-scripts contract (LuCI's
//! "Dynamic DNS" page). Reads `config service` sections of /etc/config/ddns
//! (section.rs), serves ddns-scripts' service names (services.rs, definition
//! files in definition.rs, their answer regex in ere.rs), and runs a section as
//! dynamic_dns_updater.sh does, with its run files (runner.rs).

mod api;
mod definition;
pub mod ere;
mod runner;
mod section;
mod services;

use std::ffi::OsString;
use std::path::PathBuf;

use crate::exit::{Exit, Failure};
use crate::jobs::FileName;
use crate::output::Out;
use crate::uci::Section;

const USAGE: &str =
    "usage: dynup ddns [--config FILE] [--rundir DIR] [--logdir DIR] [-v] [--once] SECTION [-- FLAGS]
       dynup ddns --check [--config FILE] [SECTION...]
       dynup ddns services [--json-dir DIR]
Runs a `config service` section of /etc/config/ddns as ddns-scripts does.
";

const DEFAULT_CONFIG: &str = "/etc/config/ddns";
const DEFAULT_SHARE: &str = "/usr/share/ddns";

/// What the command line asks.
#[derive(Default)]
pub struct Options {
    pub config: Option<PathBuf>,
    pub rundir: Option<PathBuf>,
    pub logdir: Option<PathBuf>,
    pub share_dir: Option<PathBuf>,
    pub verbose: bool,
    pub once: bool,
    pub check: bool,
    pub sections: Vec<String>,
    /// dynup's own flags after `--`, on top of each section's (`-- --dry-run`).
    pub extra: Vec<OsString>,
}

/// `dynup ddns ...`, or `None` for any other command line.
pub fn dispatch(argv: &[OsString]) -> Option<Exit> {
    if argv.get(1).is_none_or(|a| a != "ddns") {
        return None;
    }
    let out = Out::plain();
    let rest = argv.get(2..).unwrap_or_default();
    if rest.first().is_some_and(|a| a == "services") {
        return Some(list_services(&rest[1..], &out));
    }
    let options = match parse(rest) {
        Ok(Some(options)) => options,
        Ok(None) => {
            out.text(USAGE);
            return Some(Exit::Ok);
        }
        Err(message) => {
            out.error(&format!("ddns: {message}"));
            return Some(Exit::Usage);
        }
    };
    let _ = crate::tls::client_provider().install_default();
    Some(match options.check {
        true => check(&options, &out),
        false => runner::run(&options, &out),
    })
}

fn parse(argv: &[OsString]) -> Result<Option<Options>, String> {
    let mut options = Options::default();
    let mut words = argv.iter();
    while let Some(word) = words.next() {
        let word = word.to_str().ok_or("arguments must be UTF-8")?;
        let mut path = |flag: &str| -> Result<PathBuf, String> {
            words
                .next()
                .map(PathBuf::from)
                .ok_or(format!("{flag} needs a value"))
        };
        match word {
            "-h" | "--help" => return Ok(None),
            "--config" => options.config = Some(path(word)?),
            "--rundir" => options.rundir = Some(path(word)?),
            "--logdir" => options.logdir = Some(path(word)?),
            "--share-dir" => options.share_dir = Some(path(word)?),
            "-v" | "--verbose" => options.verbose = true,
            "--once" => options.once = true,
            "--check" => options.check = true,
            "--" => {
                options.extra = words.by_ref().cloned().collect();
                break;
            }
            flag if flag.starts_with('-') => return Err(format!("unknown option {flag}")),
            name => options.sections.push(name.to_string()),
        }
    }
    if !options.check && options.sections.len() != 1 {
        return Err("name one section (see dynup ddns --help)".into());
    }
    Ok(Some(options))
}

impl Options {
    fn file(&self) -> FileName {
        FileName(
            self.config
                .clone()
                .unwrap_or_else(|| PathBuf::from(DEFAULT_CONFIG)),
        )
    }

    fn share(&self) -> PathBuf {
        self.share_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from(DEFAULT_SHARE))
    }
}

/// The `config service` sections, named (`@service[N]` when anonymous).
fn services_of(sections: &[Section]) -> Vec<(String, &Section)> {
    sections
        .iter()
        .filter(|s| s.kind == "service")
        .enumerate()
        .map(|(i, s)| (s.name.clone().unwrap_or(format!("@service[{i}]")), s))
        .collect()
}

/// The section named `name`, or the error naming the known ones.
fn find<'a>(file: &FileName, sections: &'a [Section], name: &str) -> Result<&'a Section, Failure> {
    let all = services_of(sections);
    all.iter()
        .find(|(n, _)| n == name)
        .map(|(_, s)| *s)
        .ok_or_else(|| {
            let known: Vec<&str> = all.iter().map(|(n, _)| n.as_str()).collect();
            Failure::usage(format!(
                "{file}: no service section '{name}' (sections: {})",
                if known.is_empty() {
                    "none".into()
                } else {
                    known.join(", ")
                }
            ))
        })
}

/// `--check`: every named (or every) section planned without network; one line
/// per problem.
fn check(options: &Options, out: &Out) -> Exit {
    let file = options.file();
    let sections = match crate::jobs::load(&file.0) {
        Ok(sections) => sections,
        Err(failure) => {
            out.error(&failure.message);
            return failure.exit;
        }
    };
    let share = options.share();
    let ctx = section::Context {
        file: &file,
        share_dir: &share,
        live: false,
    };
    let mut chosen = Vec::new();
    for name in &options.sections {
        match find(&file, &sections, name) {
            Ok(s) => chosen.push((name.clone(), s)),
            Err(failure) => {
                out.error(&failure.message);
                return failure.exit;
            }
        }
    }
    if options.sections.is_empty() {
        chosen = services_of(&sections);
    }
    let mut worst = Exit::Ok;
    for (name, s) in &chosen {
        match section::plan(&ctx, s) {
            Ok(plan) => {
                plan.warnings.iter().for_each(|w| out.warn(w));
                // What the run would resolve, with a placeholder address when a
                // script gives it.
                let Ok(mut args) = runner::with_extra(plan.args.clone(), &options.extra) else {
                    out.error("ddns: the flags after -- do not parse (see dynup --help)");
                    return Exit::Usage;
                };
                if plan.script.is_some() {
                    let placeholder = if plan.ipv6 {
                        "2001:db8::1"
                    } else {
                        "192.0.2.1"
                    };
                    runner::set_address(&mut args, plan.ipv6, placeholder);
                }
                if let Err(failure) = runner::resolve(name, &plan, args) {
                    out.error(&section::blame(&ctx, s, None, &failure.message).message);
                    worst = worst.max(failure.exit);
                }
            }
            Err(failure) => {
                out.error(&failure.message);
                worst = worst.max(failure.exit);
            }
        }
    }
    if worst == Exit::Ok {
        out.text(&format!(
            "{file}: {} service section(s) valid\n",
            chosen.len()
        ));
    }
    worst
}

/// `dynup ddns services`: every name dynup serves, one per line; with
/// `--json-dir DIR`, one minimal definition per name into DIR (for LuCI's list).
fn list_services(argv: &[OsString], out: &Out) -> Exit {
    let dir = match argv {
        [] => None,
        [flag, dir] if flag == "--json-dir" => Some(PathBuf::from(dir)),
        _ => {
            out.error("ddns services: expected [--json-dir DIR]");
            return Exit::Usage;
        }
    };
    let mut text = String::new();
    for (name, route) in services::all() {
        if !services::served(&route) {
            continue;
        }
        text.push_str(name);
        text.push('\n');
        if let Some(dir) = &dir {
            let body = services::definition_json(name, &route);
            if let Err(e) = std::fs::write(dir.join(format!("{name}.json")), body) {
                out.error(&format!("--json-dir {}: {e}", dir.display()));
                return Exit::State;
            }
        }
    }
    if dir.is_none() {
        out.text(&text);
    }
    Exit::Ok
}
