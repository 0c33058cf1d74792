//! A job of a config file (/etc/config/dynup) speaks UCI: its errors and
//! warnings start with `job NAME:` and call each flag and secret variable by the
//! option that sets it. With several jobs, the user sees which one is broken and
//! what to change in it.

/// Flag or variable → the option of a config job that sets it.
const OPTIONS: [(&str, &str); 27] = [
    ("--provider", "provider"),
    ("--server", "server"),
    ("--user", "username"),
    ("--password", "password"),
    ("--password-file", "password_file"),
    ("--token", "token"),
    ("--token-file", "token_file"),
    ("--tsig-key-file", "tsig_key_file"),
    ("--interface", "interface"),
    ("--ipv4", "ipv4"),
    ("--ipv6", "ipv6"),
    ("--ipv6-prefix", "ipv6_prefix"),
    ("--ipv6-host-id", "ipv6_host_id"),
    ("--zone", "zone"),
    ("--ttl", "ttl"),
    ("--url", "url"),
    ("--success", "success"),
    ("--max-age", "max_age"),
    ("--timeout", "timeout"),
    ("--user-agent", "user_agent"),
    ("--cacert", "cacert"),
    ("--allow-ula", "allow_ula"),
    ("--allow-private", "allow_private"),
    ("--tcp", "tcp"),
    ("DYNUP_PASSWORD", "password"),
    ("DYNUP_TOKEN", "token"),
    ("DYNUP_TSIG_KEY", "tsig_key"),
];

/// `line` as the UCI job `job` would say it: `job NAME: ` first, each flag or
/// variable of [`OPTIONS`] as `option NAME`. Other words stay as they are.
pub fn say(job: &str, line: &str) -> String {
    let mut out = format!("job {job}: ");
    let mut rest = line;
    while !rest.is_empty() {
        // The next flag (`--word`) or variable (`DYNUP_WORD`) starting a word.
        let start = rest
            .char_indices()
            .find(|&(i, _)| {
                let tail = &rest[i..];
                let at_word = rest[..i]
                    .chars()
                    .next_back()
                    .is_none_or(|c| !c.is_ascii_alphanumeric() && c != '-' && c != '_');
                at_word && (tail.starts_with("--") || tail.starts_with("DYNUP_"))
            })
            .map_or(rest.len(), |(i, _)| i);
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        if rest.is_empty() {
            break;
        }
        let end = rest
            .char_indices()
            .skip(2)
            .find(|&(_, c)| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .map_or(rest.len(), |(i, _)| i);
        let word = &rest[..end];
        match OPTIONS.iter().find(|(flag, _)| *flag == word) {
            Some((_, option)) => {
                out.push_str("option ");
                out.push_str(option);
            }
            // Every other long flag is the option of its name, `_` for `-`.
            None if word.len() > 2 && word.starts_with("--") => {
                out.push_str("option ");
                out.push_str(&word[2..].replace('-', "_"));
            }
            None => out.push_str(word),
        }
        rest = &rest[end..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_and_variables_become_uci_options() {
        assert_eq!(
            say(
                "noip",
                "dyndns2 needs a password: --password-file FILE or DYNUP_PASSWORD"
            ),
            "job noip: dyndns2 needs a password: option password_file FILE or option password"
        );
        assert_eq!(
            say("h", "needs the host's key (or --token-file/DYNUP_TOKEN)"),
            "job h: needs the host's key (or option token_file/option token)"
        );
        // The longest flag wins; any long flag is an option; inner dashes stay.
        assert_eq!(
            say("j", "--ipv6-prefix 'x': bad; --force or --dry-run; a--tcp"),
            "job j: option ipv6_prefix 'x': bad; option force or option dry_run; a--tcp"
        );
        assert_eq!(say("j", "--bind: no eth9"), "job j: option bind: no eth9");
        assert_eq!(
            say("j", "--tsig-key-file /k: cannot open"),
            "job j: option tsig_key_file /k: cannot open"
        );
        assert_eq!(say("j", ""), "job j: ");
        assert_eq!(say("j", "über --ttl"), "job j: über option ttl");
    }
}
