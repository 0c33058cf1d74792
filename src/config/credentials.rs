//! The secrets of a job: password, token and TSIG key, from flags, files or the environment.

use std::path::PathBuf;

use super::Env;
use crate::cli::Args;
use crate::dns::key::{self, TsigKey};
use crate::exit::Failure;
use crate::provider::{api, Credentials, Preset};
use crate::secret::{self, Redactor, Secret};

/// The TSIG key from `--tsig-key-file` or `DYNUP_TSIG_KEY`, for the presets that use one.
pub(super) fn tsig_key(
    args: &Args,
    preset: &Preset,
    env: Env,
    warnings: &mut Vec<String>,
) -> Result<Option<TsigKey>, Failure> {
    if preset.credentials != Credentials::TsigKey {
        if args.tsig_key_file.is_some() {
            warnings.push(format!(
                "--tsig-key-file is not used by {}; ignored",
                preset.name
            ));
        }
        return Ok(None);
    }
    if let Some(path) = &args.tsig_key_file {
        let (key, exposed) = key::read_file(path, "--tsig-key-file")?;
        if exposed {
            warnings.push(format!(
                "--tsig-key-file {}: readable by other users; chmod 600 it",
                path.display()
            ));
        }
        return Ok(Some(key));
    }
    let line = env("DYNUP_TSIG_KEY").and_then(|v| secret::from_env(&v));
    match line {
        Some(line) => Ok(Some(key::parse_line(line.expose(), "DYNUP_TSIG_KEY")?)),
        None => Err(Failure::usage(format!(
            "{} needs a TSIG key: --tsig-key-file FILE or DYNUP_TSIG_KEY \
             (algorithm:name:secret)",
            preset.name
        ))),
    }
}

/// One secret from a flag, a file flag or an environment variable, in that order;
/// `whole`: all its lines (a PEM key), else the first.
fn one_secret(
    value: &Option<String>,
    file: &Option<PathBuf>,
    (flag, file_flag, var): (&str, &str, &str),
    whole: bool,
    env: Env,
    warnings: &mut Vec<String>,
) -> Result<Option<Secret>, Failure> {
    match (value, file) {
        (Some(_), Some(_)) => Err(Failure::usage(format!(
            "{flag} and {file_flag} both given: use one"
        ))),
        (Some(value), None) if value.is_empty() => {
            Err(Failure::usage(format!("{flag}: empty value")))
        }
        (Some(value), None) => Ok(Some(Secret::new(value.clone()))),
        (None, Some(path)) => {
            let read = match whole {
                true => secret::read_key_file,
                false => secret::read_secret_file,
            };
            let (secret, exposed) = read(path, file_flag)?;
            if exposed {
                warnings.push(format!(
                    "{file_flag} {}: readable by other users; chmod 600 it",
                    path.display()
                ));
            }
            Ok(Some(secret))
        }
        (None, None) if whole => Ok(env(var)
            .filter(|v| !v.trim().is_empty())
            .map(|v| Secret::new(v.trim().to_string()))),
        (None, None) => Ok(env(var).and_then(|v| secret::from_env(&v))),
    }
}

/// A service account's JSON key holds the PEM key in `private_key`: only that
/// is the secret (its e-mail and URLs are printed, so they must not be masked).
fn private_key_of(key: Secret, name: &str) -> Result<Secret, Failure> {
    if !key.expose().starts_with('{') {
        return Ok(key);
    }
    let pem = crate::json::parse(key.expose())
        .ok()
        .and_then(|json| json.str_of("private_key").map(str::to_string));
    pem.map(Secret::new).ok_or_else(|| {
        Failure::usage(format!(
            "{name}: the password is JSON without a private_key (expected a service account's key file)"
        ))
    })
}

/// The secrets and user a job runs with.
pub(super) struct Creds {
    /// What the protocol sends (token or password; empty for a template that needs none).
    pub(super) secret: Secret,
    pub(super) user: Option<String>,
    /// Both, as given, for the template's placeholders.
    pub(super) password: Option<Secret>,
    pub(super) token: Option<Secret>,
}

pub(super) fn credentials(
    args: &Args,
    preset: &Preset,
    tsig: Option<&TsigKey>,
    env: Env,
    redactor: &mut Redactor,
    warnings: &mut Vec<String>,
) -> Result<Creds, Failure> {
    let password = one_secret(
        &args.password,
        &args.password_file,
        ("--password", "--password-file", "DYNUP_PASSWORD"),
        preset.credentials == Credentials::UserRsaKey,
        env,
        warnings,
    )?;
    let token = one_secret(
        &args.token,
        &args.token_file,
        ("--token", "--token-file", "DYNUP_TOKEN"),
        false,
        env,
        warnings,
    )?;
    if let Some(user) = &args.user {
        if user.is_empty() || user.contains(':') || user.chars().any(char::is_control) {
            return Err(Failure::usage(
                "--user: expected a non-empty name without ':' or control characters",
            ));
        }
    }
    let name = preset.name;
    // A secret given in the other kind's flag is said, not silently ignored.
    let password_given = args.password.is_some() || args.password_file.is_some();
    let token_given = args.token.is_some() || args.token_file.is_some();
    let misplaced = match preset.credentials {
        Credentials::Token if password_given => Some((
            "--password-file",
            "a token",
            "--token-file FILE or DYNUP_TOKEN",
            token.is_some(),
        )),
        Credentials::UserPassword | Credentials::Password if token_given => Some((
            "--token-file",
            "a password",
            "--password-file FILE or DYNUP_PASSWORD",
            password.is_some(),
        )),
        _ => None,
    };
    if let Some((wrong, kind, right, has_right)) = misplaced {
        if !has_right {
            return Err(Failure::usage(format!(
                "{name} takes {kind}, not {wrong}: give it with {right}"
            )));
        }
        warnings.push(format!("{wrong} is not used by {name}; ignored"));
    }
    let secret = match preset.credentials {
        Credentials::Token => {
            if args.user.is_some() {
                warnings.push(format!("--user is not used by {name}; ignored"));
            }
            token.clone().ok_or_else(|| {
                Failure::usage(format!(
                    "{name} needs a token: --token-file FILE or DYNUP_TOKEN"
                ))
            })?
        }
        Credentials::TokenAsPassword { .. } => {
            token.clone().or(password.clone()).ok_or_else(|| {
                Failure::usage(format!(
                    "{name} needs the zone's token: --token-file FILE or DYNUP_TOKEN"
                ))
            })?
        }
        Credentials::HostAsUser => token.clone().or(password.clone()).ok_or_else(|| {
            Failure::usage(format!(
                "{name} needs the host's key: --password-file FILE or DYNUP_PASSWORD \
                 (or --token-file/DYNUP_TOKEN)"
            ))
        })?,
        Credentials::TsigKey => {
            let given = [&args.password, &args.token].iter().any(|v| v.is_some())
                || [&args.password_file, &args.token_file]
                    .iter()
                    .any(|v| v.is_some());
            if args.user.is_some() || given {
                warnings.push(format!(
                    "{name} signs with the TSIG key; --user, password and token are ignored"
                ));
            }
            match tsig {
                Some(key) => key.identity(),
                None => return Err(Failure::usage(format!("{name} needs a TSIG key"))),
            }
        }
        Credentials::UserPassword => {
            if args.user.is_none() {
                return Err(Failure::usage(format!("{name} needs --user NAME")));
            }
            password.clone().ok_or_else(|| {
                Failure::usage(format!(
                    "{name} needs a password: --password-file FILE or DYNUP_PASSWORD"
                ))
            })?
        }
        Credentials::Password => {
            if args.user.is_some() {
                warnings.push(format!("--user is not used by {name}; ignored"));
            }
            password.clone().ok_or_else(|| {
                Failure::usage(format!(
                    "{name} needs the server's secret: --password-file FILE or DYNUP_PASSWORD"
                ))
            })?
        }
        Credentials::Template => password
            .clone()
            .or(token.clone())
            .unwrap_or_else(|| Secret::new(String::new())),
        Credentials::TokenOrUserKey => match (&args.user, &token, &password) {
            (None, Some(token), _) => token.clone(),
            (Some(_), _, Some(key)) => key.clone(),
            (Some(_), _, None) => {
                return Err(Failure::usage(format!(
                    "{name}: --user E-MAIL goes with the global API key: --password-file FILE \
                     or DYNUP_PASSWORD (or drop --user and give an API token)"
                )))
            }
            (None, None, _) => {
                return Err(Failure::usage(format!(
                    "{name} needs an API token: --token-file FILE or DYNUP_TOKEN \
                     (or --user E-MAIL with the global API key as password)"
                )))
            }
        },
        Credentials::UserKeySecret => {
            if args.user.is_none() {
                return Err(Failure::usage(format!(
                    "{name} needs the customer number: --user NUMBER"
                )));
            }
            if password.is_none() {
                return Err(Failure::usage(format!(
                    "{name} needs the API password: --password-file FILE or DYNUP_PASSWORD"
                )));
            }
            token.clone().ok_or_else(|| {
                Failure::usage(format!(
                    "{name} needs the API key: --token-file FILE or DYNUP_TOKEN"
                ))
            })?
        }
        Credentials::UserRsaKey => {
            if args.user.is_none() {
                return Err(Failure::usage(format!(
                    "{name} needs the account the key belongs to: --user ACCOUNT \
                     (see --list-providers)"
                )));
            }
            if token_given {
                warnings.push(format!("--token-file is not used by {name}; ignored"));
            }
            let key = password.clone().ok_or_else(|| {
                Failure::usage(format!(
                    "{name} needs the account's private key: --password-file FILE \
                     (PEM, or a service account's JSON key) or DYNUP_PASSWORD"
                ))
            })?;
            private_key_of(key, name)?
        }
        Credentials::KeySecret => {
            if args.user.is_some() {
                warnings.push(format!("--user is not used by {name}; ignored"));
            }
            if password.is_none() {
                return Err(Failure::usage(format!(
                    "{name} needs the API secret: --password-file FILE or DYNUP_PASSWORD"
                )));
            }
            token.clone().ok_or_else(|| {
                Failure::usage(format!(
                    "{name} needs the API key: --token-file FILE or DYNUP_TOKEN"
                ))
            })?
        }
    };
    // Only the PEM key of a JSON key file is secret (see private_key_of).
    let password = match preset.credentials {
        Credentials::UserRsaKey => Some(secret.clone()),
        _ => password,
    };
    // A TSIG key's identity holds its name and algorithm, which are printed: only
    // its secret part is masked (added with the key).
    let sent = Some(&secret).filter(|_| preset.credentials != Credentials::TsigKey);
    for each in [sent, password.as_ref(), token.as_ref()]
        .into_iter()
        .flatten()
    {
        redactor.add(each);
        api::mask_json_forms(redactor, each);
        #[cfg(feature = "xname")]
        crate::provider::xname::mask_xml_form(redactor, each);
        if let Some(user) = &args.user {
            redactor.add_basic_auth(user, each);
        }
    }
    match preset.credentials {
        Credentials::TokenAsPassword { default_user } if args.user.is_none() => {
            redactor.add_basic_auth(default_user, &secret)
        }
        Credentials::HostAsUser if args.user.is_none() => {
            for host in &args.hostnames {
                redactor.add_basic_auth(host, &secret);
            }
        }
        _ => {}
    }
    Ok(Creds {
        secret,
        user: args.user.clone(),
        password,
        token,
    })
}
