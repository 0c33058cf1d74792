//! The script's command line, as its getopts read it.

use std::ffi::OsString;
use std::path::PathBuf;

/// `-S`: no longer than a day, so that a typo cannot park a cron job for good.
const MAX_SLEEP: u64 = 86_400;

/// The command line, as the script's getopts read it.
#[derive(Debug, Default)]
pub(super) struct Options {
    pub(super) ipv4_only: bool,
    pub(super) ipv6_only: bool,
    pub(super) device: Option<String>,
    pub(super) prefix_only: bool,
    pub(super) sleep: Option<u64>,
    pub(super) ttl: Option<String>,
    pub(super) cacert: Option<PathBuf>,
    pub(super) record: Option<String>,
}

pub(super) enum Command {
    Run(Options),
    Help,
    ShortDescription,
    Version,
}

/// The options, short and long ('\0': long only). `parse` finds a flag by its
/// place here: one loop rather than a comparison per spelling, which is smaller.
const FLAGS: [(char, &str); 10] = [
    ('4', "ipv4-only"),
    ('6', "ipv6-only"),
    ('p', "prefix-only"),
    ('h', "help"),
    ('s', "short-description"),
    ('v', "version"),
    // These take a value.
    ('d', "device"),
    ('S', "sleep"),
    ('t', "ttl"),
    ('\0', "cacert"),
];

pub(super) fn parse(argv: Vec<OsString>) -> Result<Command, lexopt::Error> {
    use lexopt::prelude::*;

    let mut options = Options::default();
    let mut parser = lexopt::Parser::from_args(argv);
    while let Some(arg) = parser.next()? {
        let flag = match arg {
            Short(short) => FLAGS.iter().position(|(s, _)| *s == short),
            Long(long) => FLAGS.iter().position(|(_, l)| *l == long),
            Value(_) => None,
        };
        match (flag, arg) {
            (Some(0), _) => options.ipv4_only = true,
            (Some(1), _) => options.ipv6_only = true,
            (Some(2), _) => options.prefix_only = true,
            (Some(3), _) => return Ok(Command::Help),
            (Some(4), _) => return Ok(Command::ShortDescription),
            (Some(5), _) => return Ok(Command::Version),
            (Some(9), _) => options.cacert = Some(parser.value()?.into()),
            (Some(flag), _) => {
                let text = parser.value()?.string()?;
                match flag {
                    6 => options.device = Some(text),
                    7 => options.sleep = Some(sleep_seconds(&text)?),
                    _ => options.ttl = Some(text),
                }
            }
            (None, Value(value)) if options.record.is_none() => {
                options.record = Some(value.string()?)
            }
            (None, Value(value)) => {
                return Err(lexopt::Error::from(format!(
                    "one RECORD_NAME only; '{}' is one too many",
                    value.to_string_lossy()
                )))
            }
            (None, arg) => return Err(arg.unexpected()),
        }
    }
    Ok(Command::Run(options))
}

/// `-S`: whole seconds, at most MAX_SLEEP.
fn sleep_seconds(text: &str) -> Result<u64, lexopt::Error> {
    text.parse::<u64>()
        .ok()
        .filter(|s| *s <= MAX_SLEEP && text.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| {
            lexopt::Error::from(format!(
                "-S/--sleep: expected whole seconds from 0 to {MAX_SLEEP}, got '{text}'"
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(items: &[&str]) -> Options {
        match parse(items.iter().map(OsString::from).collect()) {
            Ok(Command::Run(options)) => options,
            _ => panic!("expected a run: {items:?}"),
        }
    }

    fn error(items: &[&str]) -> String {
        match parse(items.iter().map(OsString::from).collect()) {
            Err(e) => e.to_string(),
            Ok(_) => String::new(),
        }
    }

    #[test]
    fn the_scripts_options() {
        let cron = options(&["-S", "5", "-d", "br-lan", "-4", "nrouter"]);
        assert_eq!(cron.sleep, Some(5));
        assert_eq!(cron.device.as_deref(), Some("br-lan"));
        assert!(cron.ipv4_only && !cron.ipv6_only);
        assert_eq!(cron.record.as_deref(), Some("nrouter"));
        let long = options(&[
            "--ipv6-only",
            "--device=eth0",
            "--sleep=1",
            "--ttl=123",
            "--prefix-only",
            "--cacert",
            "/ca.pem",
            "lol",
        ]);
        assert!(long.ipv6_only && long.prefix_only);
        assert_eq!(long.device.as_deref(), Some("eth0"));
        assert_eq!((long.sleep, long.ttl.as_deref()), (Some(1), Some("123")));
        assert_eq!(long.cacert, Some(PathBuf::from("/ca.pem")));
        assert!(matches!(
            parse(vec![OsString::from("-s")]),
            Ok(Command::ShortDescription)
        ));
        assert!(matches!(
            parse(vec![OsString::from("--version")]),
            Ok(Command::Version)
        ));
        assert!(matches!(
            parse(vec![OsString::from("-h")]),
            Ok(Command::Help)
        ));
    }

    #[test]
    fn bad_options_are_named() {
        assert!(error(&["-x", "r"]).contains("-x"));
        assert!(error(&["--sleep=soon", "r"]).contains("--sleep"));
        assert!(error(&["-S", "-1", "r"]).contains("--sleep"));
        assert!(error(&["-d"]).contains("-d"));
        assert!(error(&["a", "b"]).contains("'b'"));
    }
}
