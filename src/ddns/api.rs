//! The API script services of ddns-scripts (cloudflare.com-v4, hetzner.cloud,
//! route53-v1, ...): each script's own reading of `domain`, `username` and
//! `password`, as the host, zone and credentials of dynup's API preset.

use super::services::Shape;

/// An API service's options in dynup's terms.
pub struct ApiOptions<'a> {
    pub host: String,
    pub zone: Option<String>,
    /// `--user` (an account name that goes with a key).
    pub user: Option<&'a str>,
    /// The token, when an option other than `password` holds it (`username`
    /// or `param_enc`); the password is then the secret that goes with it.
    pub token: Option<&'a str>,
    /// The password is the API token.
    pub password_is_token: bool,
    /// `--ttl` (a created record's).
    pub ttl: Option<&'a str>,
    /// `--zone-id` (gcp's PROJECT/ZONE).
    pub zone_id: Option<String>,
}

/// `host@zone` as host.zone (`@zone` the apex), with the zone; a FQDN as is.
fn host_at_zone(domain: &str) -> (String, Option<String>) {
    match domain.split_once('@') {
        // huaweicloud.com's script also takes `@.zone` for the apex.
        Some(("", zone)) => {
            let zone = zone.strip_prefix('.').unwrap_or(zone);
            (zone.to_string(), Some(zone.to_string()))
        }
        Some((host, zone)) => (format!("{host}.{zone}"), Some(zone.to_string())),
        None => (domain.to_string(), None),
    }
}

/// A label under a zone (`@` or none: the apex).
fn label_in(label: Option<&str>, zone: &str) -> String {
    match label {
        None | Some("@") => zone.to_string(),
        Some(label) => format!("{label}.{zone}"),
    }
}

/// The section's options an API service script reads.
pub struct ScriptOptions<'a> {
    pub domain: &'a str,
    pub user: Option<&'a str>,
    pub lookup_host: Option<&'a str>,
    pub param_enc: Option<&'a str>,
    pub param_opt: Option<&'a str>,
    /// The options `zone` and `record`, which freedns.42.pl's script reads.
    pub zone: Option<&'a str>,
    pub record: Option<&'a str>,
}

/// The options of the section a service's script reads besides ddns-scripts'
/// own (and so are honoured for that service).
pub fn script_options(shape: Shape) -> &'static [&'static str] {
    match shape {
        Shape::RecordZone => &["zone", "record"],
        _ => &[],
    }
}

/// The options of an API service script, by its documented shape; `Err` names
/// the option that is missing.
pub fn api_options<'a>(
    shape: Shape,
    script: &ScriptOptions<'a>,
) -> Result<ApiOptions<'a>, (&'static str, &'static str)> {
    let ScriptOptions {
        domain,
        user,
        lookup_host,
        param_enc,
        param_opt,
        zone: zone_option,
        record,
    } = *script;
    let none = ApiOptions {
        host: String::new(),
        zone: None,
        user: None,
        token: None,
        password_is_token: false,
        ttl: None,
        zone_id: None,
    };
    Ok(match shape {
        Shape::HostAtZone => {
            let (host, zone) = host_at_zone(domain);
            let bearer = user.is_none_or(|u| u.eq_ignore_ascii_case("bearer"));
            ApiOptions {
                host,
                zone,
                user: if bearer { None } else { user },
                password_is_token: bearer,
                ..none
            }
        }
        Shape::KeySecret => {
            let (host, zone) = host_at_zone(domain);
            let key = user.ok_or(("username", "holds the API key for this service"))?;
            ApiOptions {
                host,
                zone,
                token: Some(key),
                ..none
            }
        }
        Shape::ZoneLabel => ApiOptions {
            host: label_in(user, domain),
            zone: Some(domain.to_string()),
            password_is_token: true,
            ..none
        },
        Shape::LabelZone => {
            let zone = user.ok_or(("username", "holds the zone for this service"))?;
            let host = match domain.ends_with(zone) {
                true => domain.to_string(),
                false => label_in(Some(domain), zone),
            };
            ApiOptions {
                host,
                zone: Some(zone.to_string()),
                password_is_token: true,
                ..none
            }
        }
        Shape::AccountKey => ApiOptions {
            host: domain.to_string(),
            user: Some(user.ok_or(("username", "holds the account e-mail for this service"))?),
            ..none
        },
        Shape::UserFqdn => {
            let login = user.ok_or(("username", "holds the account's login for this service"))?;
            // servercow.de's script: the record is the first label, the zone the
            // rest (an apex of two labels: the provider's own default).
            let zone = domain.split_once('.').map(|(_, zone)| zone.to_string());
            ApiOptions {
                host: domain.to_string(),
                zone: zone.filter(|z| z.contains('.')),
                user: Some(login),
                ..none
            }
        }
        Shape::ZoneLookup => {
            let key = user.ok_or(("username", "holds the access key ID for this service"))?;
            let host = lookup_host.ok_or(("lookup_host", "names the record for route53-v1"))?;
            // domain is the hosted zone's ID; dynup finds the zone by the name.
            ApiOptions {
                host: host.to_string(),
                token: Some(key),
                ..none
            }
        }
        Shape::CustomerKey => {
            let customer = user.ok_or(("username", "holds the customer number for netcup.com"))?;
            let key = param_enc.ok_or(("param_enc", "holds the API key for netcup.com"))?;
            // As the script: param_opt names the zone, else the FQDN less its
            // first label (a name with one dot is its own zone).
            let zone = match param_opt {
                Some(zone) => zone,
                None => match domain.split_once('.') {
                    Some((_, rest)) if rest.contains('.') => rest,
                    _ => domain,
                },
            };
            ApiOptions {
                host: domain.to_string(),
                zone: Some(zone.to_string()),
                user: Some(customer),
                token: Some(key),
                ..none
            }
        }
        Shape::RecordZone => {
            let account = user.ok_or(("username", "holds the account name for freedns.42.pl"))?;
            let (host, zone) = match (record, zone_option) {
                (Some(record), Some(zone)) => {
                    (label_in(Some(record), zone), Some(zone.to_string()))
                }
                (_, zone) => {
                    let (host, of_domain) = host_at_zone(domain);
                    (host, zone.map(str::to_string).or(of_domain))
                }
            };
            ApiOptions {
                host,
                zone,
                user: Some(account),
                ..none
            }
        }
        Shape::LoginKeyLabel => {
            let login = user.ok_or(("username", "holds the TransIP login for transip.nl"))?;
            let label = param_enc.ok_or(("param_enc", "names the record for transip.nl"))?;
            ApiOptions {
                host: label_in(Some(label), domain),
                zone: Some(domain.to_string()),
                user: Some(login),
                ttl: param_opt,
                ..none
            }
        }
        Shape::ServiceAccount => {
            let account = user.ok_or((
                "username",
                "holds the service account for cloud.google.com-v1",
            ))?;
            // The script's form-encoded pairs, project=P&zone=Z.
            let pair = |key: &str| {
                param_enc?
                    .split('&')
                    .find_map(|p| p.strip_prefix(key)?.strip_prefix('='))
                    .filter(|v| !v.is_empty())
            };
            let (Some(project), Some(zone)) = (pair("project"), pair("zone")) else {
                return Err((
                    "param_enc",
                    "holds project=PROJECT&zone=ZONE for cloud.google.com-v1",
                ));
            };
            ApiOptions {
                host: domain.to_string(),
                user: Some(account),
                ttl: param_opt,
                zone_id: Some(format!("{project}/{zone}")),
                ..none
            }
        }
    })
}

/// Whether a key option names a file rather than holding the key, as
/// cloud.google.com-v1's script tells them apart (by the name's end).
pub fn names_key_file(password: &str) -> bool {
    password.ends_with(".json") || password.ends_with(".pem")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options<'a>(
        shape: Shape,
        domain: &'a str,
        user: Option<&'a str>,
        lookup_host: Option<&'a str>,
    ) -> Result<ApiOptions<'a>, (&'static str, &'static str)> {
        let script = ScriptOptions {
            domain,
            user,
            lookup_host,
            param_enc: None,
            param_opt: None,
            zone: None,
            record: None,
        };
        api_options(shape, &script)
    }

    #[test]
    fn netcup_takes_the_key_from_param_enc_and_the_zone_from_param_opt() {
        let mut script = ScriptOptions {
            domain: "home.example.de",
            user: Some("12345"),
            lookup_host: None,
            param_enc: Some("apikey"),
            param_opt: None,
            zone: None,
            record: None,
        };
        let o = api_options(Shape::CustomerKey, &script).unwrap();
        assert_eq!(
            (o.host.as_str(), o.zone.as_deref(), o.user, o.token),
            (
                "home.example.de",
                Some("example.de"),
                Some("12345"),
                Some("apikey")
            )
        );
        assert!(!o.password_is_token);
        script.domain = "example.de";
        assert_eq!(
            api_options(Shape::CustomerKey, &script)
                .unwrap()
                .zone
                .as_deref(),
            Some("example.de")
        );
        script.domain = "test.internal.example.org";
        script.param_opt = Some("example.org");
        assert_eq!(
            api_options(Shape::CustomerKey, &script)
                .unwrap()
                .zone
                .as_deref(),
            Some("example.org")
        );
        script.param_enc = None;
        assert_eq!(
            api_options(Shape::CustomerKey, &script).err(),
            Some(("param_enc", "holds the API key for netcup.com"))
        );
    }

    #[test]
    fn transip_and_gcp_read_their_scripts_options() {
        let mut script = ScriptOptions {
            domain: "example.nl",
            user: Some("myaccount"),
            lookup_host: None,
            param_enc: Some("home"),
            param_opt: Some("300"),
            zone: None,
            record: None,
        };
        let o = api_options(Shape::LoginKeyLabel, &script).unwrap();
        assert_eq!(
            (o.host.as_str(), o.zone.as_deref(), o.user, o.ttl),
            (
                "home.example.nl",
                Some("example.nl"),
                Some("myaccount"),
                Some("300")
            )
        );
        script.param_enc = Some("@");
        assert_eq!(
            api_options(Shape::LoginKeyLabel, &script).unwrap().host,
            "example.nl"
        );
        script.param_enc = None;
        assert_eq!(
            api_options(Shape::LoginKeyLabel, &script).err(),
            Some(("param_enc", "names the record for transip.nl"))
        );
        let mut script = ScriptOptions {
            domain: "h.example.com",
            user: Some("sa@p.iam.gserviceaccount.com"),
            lookup_host: None,
            param_enc: Some("project=my-project&zone=my-zone"),
            param_opt: None,
            zone: None,
            record: None,
        };
        let o = api_options(Shape::ServiceAccount, &script).unwrap();
        assert_eq!(
            (o.host.as_str(), o.zone, o.zone_id.as_deref(), o.ttl),
            ("h.example.com", None, Some("my-project/my-zone"), None)
        );
        script.param_enc = Some("zone=my-zone");
        assert_eq!(
            api_options(Shape::ServiceAccount, &script)
                .err()
                .map(|e| e.0),
            Some("param_enc")
        );
        assert!(names_key_file("/etc/gcp.json") && names_key_file("/etc/k.pem"));
        assert!(!names_key_file("-----BEGIN PRIVATE KEY----- MII"));
    }

    #[test]
    fn each_script_shape_names_host_zone_and_credentials() {
        let o = options(Shape::HostAtZone, "www@example.com", Some("Bearer"), None).unwrap();
        assert_eq!(
            (o.host.as_str(), o.zone.as_deref()),
            ("www.example.com", Some("example.com"))
        );
        assert!(o.password_is_token && o.user.is_none());
        let o = options(
            Shape::HostAtZone,
            "@example.com",
            Some("me@mail.example"),
            None,
        )
        .unwrap();
        assert_eq!(o.host, "example.com");
        assert_eq!(o.user, Some("me@mail.example"));
        assert!(!o.password_is_token);
        let o = options(Shape::KeySecret, "h.example.com", Some("pk1_key"), None).unwrap();
        assert_eq!((o.host.as_str(), o.zone), ("h.example.com", None));
        assert_eq!(o.token, Some("pk1_key"));
        let o = options(Shape::ZoneLabel, "example.com", Some("home"), None).unwrap();
        assert_eq!(
            (o.host.as_str(), o.zone.as_deref()),
            ("home.example.com", Some("example.com"))
        );
        let o = options(Shape::ZoneLabel, "example.com", Some("@"), None).unwrap();
        assert_eq!(o.host, "example.com");
        let o = options(Shape::LabelZone, "home", Some("example.com"), None).unwrap();
        assert_eq!(o.host, "home.example.com");
        let o = options(
            Shape::ZoneLookup,
            "Z123",
            Some("AKIA"),
            Some("h.example.com"),
        )
        .unwrap();
        assert_eq!(
            (o.host.as_str(), o.zone.as_deref()),
            ("h.example.com", None)
        );
        assert_eq!(
            options(Shape::ZoneLookup, "Z123", Some("AKIA"), None).err(),
            Some(("lookup_host", "names the record for route53-v1"))
        );
        assert!(options(Shape::KeySecret, "h.example.com", None, None).is_err());
        let o = options(
            Shape::AccountKey,
            "h.example.com",
            Some("me@x.example"),
            None,
        )
        .unwrap();
        assert_eq!(
            (o.host.as_str(), o.zone, o.user),
            ("h.example.com", None, Some("me@x.example"))
        );
        assert!(!o.password_is_token && o.token.is_none());
        assert!(options(Shape::AccountKey, "h.example.com", None, None).is_err());
        let o = options(Shape::UserFqdn, "home.example.com", Some("me"), None).unwrap();
        assert_eq!(
            (o.host.as_str(), o.zone.as_deref(), o.user),
            ("home.example.com", Some("example.com"), Some("me"))
        );
        assert!(o.token.is_none() && !o.password_is_token);
        let o = options(Shape::UserFqdn, "example.com", Some("me"), None).unwrap();
        assert_eq!((o.host.as_str(), o.zone), ("example.com", None));
        assert!(options(Shape::UserFqdn, "example.com", None, None).is_err());
    }

    #[test]
    fn freedns_42_pl_takes_zone_and_record_else_the_domain() {
        let mut script = ScriptOptions {
            domain: "ignored.example.net",
            user: Some("account"),
            lookup_host: None,
            param_enc: None,
            param_opt: None,
            zone: Some("example.com"),
            record: Some("home"),
        };
        let o = api_options(Shape::RecordZone, &script).unwrap();
        assert_eq!(
            (o.host.as_str(), o.zone.as_deref(), o.user, o.token),
            (
                "home.example.com",
                Some("example.com"),
                Some("account"),
                None
            )
        );
        assert!(!o.password_is_token);
        script.record = Some("@");
        let o = api_options(Shape::RecordZone, &script).unwrap();
        assert_eq!(o.host, "example.com");
        script.record = None;
        script.zone = None;
        script.domain = "home@example.org";
        let o = api_options(Shape::RecordZone, &script).unwrap();
        assert_eq!(
            (o.host.as_str(), o.zone.as_deref()),
            ("home.example.org", Some("example.org"))
        );
        script.user = None;
        assert_eq!(
            api_options(Shape::RecordZone, &script).err(),
            Some(("username", "holds the account name for freedns.42.pl"))
        );
        assert_eq!(script_options(Shape::RecordZone), ["zone", "record"]);
        assert!(script_options(Shape::KeySecret).is_empty());
    }

    #[test]
    fn the_apex_may_be_written_at_dot_zone() {
        // As huaweicloud.com's script takes it.
        let o = options(Shape::KeySecret, "@.example.com", Some("AK"), None).unwrap();
        assert_eq!(
            (o.host.as_str(), o.zone.as_deref()),
            ("example.com", Some("example.com"))
        );
    }
}
