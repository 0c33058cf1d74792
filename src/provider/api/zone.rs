//! Zones: finding, with one request per run, the zones an API holds, and the
//! zone each record is in.

use super::{Change, Check, Fail, Session, Target};
use crate::exit::Exit;
use crate::http::Method;
use crate::json::Value;
use crate::url::percent_encode;

/// A zone: its name, and the ID the API knows it by (the name where the API
/// takes names).
#[derive(Clone, Debug)]
pub struct Zone {
    pub name: String,
    pub id: String,
}

/// The zones a run needs, with one request. With `--zone` and a path `one`
/// (what comes before and after the zone), a GET of it checks the zone; else a GET of `all` lists them: the entries are
/// the member `list` of the answer (the answer itself when `None`), with the
/// name in the member `keys.0` and the ID in `keys.1` (the name when `None`);
/// `--zone` then keeps its own.
pub fn zones(
    session: &Session,
    auth: Vec<(&'static str, String)>,
    check: Check,
    (one, all): (Option<(&str, &str)>, &str),
    list: Option<&str>,
    keys: (&str, Option<&str>),
) -> Result<Vec<Zone>, Fail> {
    let given = session.job.zone.as_deref();
    let path = match (given, one) {
        (Some(zone), Some((before, after))) => format!("{before}{}{after}", percent_encode(zone)),
        _ => all.to_string(),
    };
    let answer = session.send(&session.call(Method::Get, &path, auth, None))?;
    let value = check(&answer, "looking up the zone")?;
    if let (Some(zone), Some(_)) = (given, one) {
        return Ok(vec![Zone {
            name: zone.to_string(),
            id: zone.to_string(),
        }]);
    }
    let entries = match list {
        Some(key) => value.get(key).map(Value::as_array).unwrap_or(&[]),
        None => value.as_array(),
    };
    let zones: Vec<Zone> = entries
        .iter()
        .filter_map(|entry| {
            // Some APIs write zone names absolute, with the final dot.
            let name = entry
                .str_of(keys.0)?
                .trim_end_matches('.')
                .to_ascii_lowercase();
            let id = match keys.1 {
                Some(key) => entry.get(key)?.as_text()?.to_string(),
                None => name.clone(),
            };
            Some(Zone { name, id })
        })
        .filter(|zone| given.is_none_or(|g| g == zone.name))
        .collect();
    match given {
        Some(zone) if zones.is_empty() => Err(Fail::new(
            Exit::NoHost,
            format!(
                "{}: zone {zone} not found (or these credentials cannot see it)",
                session.job.preset.name
            ),
        )),
        _ => Ok(zones),
    }
}

/// Runs `set` for each target with the zone that holds it; every target fails
/// alike when the zones could not be found.
pub fn each_target(
    provider: &str,
    targets: &[Target],
    zones: Result<Vec<Zone>, Fail>,
    set: &dyn Fn(&Zone, &Target) -> Result<Change, Fail>,
) -> Vec<Result<Change, Fail>> {
    let zones = match zones {
        Ok(zones) => zones,
        Err(fail) => return targets.iter().map(|_| Err(fail.clone())).collect(),
    };
    targets
        .iter()
        .map(|target| match zone_of(&target.name, &zones, |z| &z.name) {
            Some(zone) => set(zone, target),
            None => Err(Fail::new(
                Exit::NoHost,
                format!(
                    "{provider}: no zone these credentials can see holds {}",
                    target.name
                ),
            )),
        })
        .collect()
}

/// `name` relative to `zone` (which holds it); `apex` for the zone itself.
pub fn relative<'a>(name: &'a str, zone: &str, apex: &'a str) -> &'a str {
    match name[..name.len() - zone.len()].trim_end_matches('.') {
        "" => apex,
        relative => relative,
    }
}

/// The zone of an API that cannot list zones: `--zone`, else the host's last two
/// labels (a deeper zone needs `--zone`).
#[cfg(any(
    feature = "aliyun",
    feature = "dnspod",
    feature = "namecheap",
    feature = "namesilo",
    feature = "netcup",
    feature = "servercow",
    feature = "xname"
))]
pub fn given_or_last_two<'a>(given: Option<&'a str>, name: &'a str) -> &'a str {
    if let Some(zone) = given {
        return zone;
    }
    let mut dots = name.rmatch_indices('.');
    match (dots.next(), dots.next()) {
        (Some(_), Some((second, _))) => &name[second + 1..],
        _ => name,
    }
}

/// `host` is `zone` or a name under it.
pub fn is_within(host: &str, zone: &str) -> bool {
    let zone = zone.trim_end_matches('.');
    host.eq_ignore_ascii_case(zone)
        || (host.len() > zone.len()
            && host.as_bytes()[host.len() - zone.len() - 1] == b'.'
            && host[host.len() - zone.len()..].eq_ignore_ascii_case(zone))
}

/// The longest of `zones` that holds `host`.
pub fn zone_of<'z, Z>(host: &str, zones: &'z [Z], name: impl Fn(&Z) -> &str) -> Option<&'z Z> {
    zones
        .iter()
        .filter(|z| is_within(host, name(z)))
        .max_by_key(|z| name(z).len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "netcup")]
    #[test]
    fn without_zone_the_last_two_labels_are_the_zone() {
        assert_eq!(given_or_last_two(None, "a.b.example.com"), "example.com");
        assert_eq!(given_or_last_two(None, "example.com"), "example.com");
        assert_eq!(given_or_last_two(None, "localhost"), "localhost");
        assert_eq!(
            given_or_last_two(Some("b.example.com"), "a.b.example.com"),
            "b.example.com"
        );
    }

    #[test]
    fn zones_hold_their_names() {
        assert!(is_within("h.example.com", "example.com"));
        assert!(is_within("example.com", "Example.COM."));
        assert!(!is_within("hexample.com", "example.com"));
        assert!(!is_within("com", "example.com"));
        let zones = ["example.com", "sub.example.com", "other.org"];
        assert_eq!(
            zone_of("a.sub.example.com", &zones, |z| z),
            Some(&"sub.example.com")
        );
        assert_eq!(
            zone_of("b.example.com", &zones, |z| z),
            Some(&"example.com")
        );
        assert_eq!(zone_of("x.net", &zones, |z| z), None);
        assert_eq!(relative("a.b.example.com", "example.com", "@"), "a.b");
        assert_eq!(relative("example.com", "example.com", "@"), "@");
        assert_eq!(relative("example.com", "example.com", ""), "");
    }
}
