//! dynv6's Update API (seeds 000, 001; protocols.md section 1).
//!
//! `GET /api/update?zone=Z&token=T[&ipv4=][&ipv6=][&ipv6prefix=]`. An `auto` value
//! makes dynv6 take the address of the connection, so such a value travels on a
//! connection forced to its family, to the family-specific host the preset names.

use super::{status_failure, Publish, Request, Verdict};
use crate::config::Job;
use crate::exit::{Exit, Failure};
use crate::http::{Answer, Family};
use crate::url::UrlBuilder;

pub fn plan(job: &Job, hosts: &[usize], publish: &Publish) -> Vec<Request> {
    let lanes = lanes(publish);
    let mut requests = Vec::new();
    for &host in hosts {
        for (family, values) in &lanes {
            let server = job.server_for(*family);
            let token = job.secret_value();
            let mut url = UrlBuilder::new(server, "/api/update")
                .param("zone", &job.hosts[host])
                .secret_param("token", token);
            if let Some(v4) = values.ipv4 {
                url = url.param("ipv4", &v4.to_string());
            }
            if let Some(v6) = values.ipv6 {
                url = url.param("ipv6", &v6.to_string());
            }
            if let Some(prefix) = values.ipv6_prefix {
                url = url.param("ipv6prefix", &prefix.to_string());
            }
            let (url, shown_url) = url.build();
            requests.push(Request {
                url,
                shown_url,
                basic_auth: None,
                family: *family,
                hosts: vec![host],
                publish: values.clone(),
            });
        }
    }
    requests
}

/// Splits the values into requests by the connection family each needs: an `auto`
/// value needs its own family, known values ride along with the first request (or
/// go alone), so that both families travel in one request whenever they can.
fn lanes(publish: &Publish) -> Vec<(Family, Publish)> {
    let mut lanes: Vec<(Family, Publish)> = [Family::V4, Family::V6]
        .into_iter()
        .map(|family| (family, publish.auto_for(family)))
        .filter(|(_, values)| !values.is_empty())
        .collect();
    match lanes.first_mut() {
        Some((_, first)) => first.merge(publish.known()),
        None => lanes.push((Family::Any, publish.known())),
    }
    lanes
}

/// `zones`: the job's hosts, which `request.hosts` index.
pub fn interpret(request: &Request, answer: &Answer, zones: &[String]) -> Vec<Verdict> {
    let verdict = if answer.status == 200 {
        let body = answer.body.to_ascii_lowercase();
        let zone = request.hosts.first().and_then(|&i| zones.get(i));
        if let Some(other) = zone.and_then(|zone| another_zone(&body, zone)) {
            Verdict::Failed(Failure::new(
                Exit::Unexpected,
                format!(
                    "the provider answered \"{}\", about {other}, not {}: not recorded as sent",
                    super::excerpt(&answer.body),
                    zone.map_or("", String::as_str)
                ),
            ))
        } else if body.contains("addresses updated") {
            Verdict::Updated { seen: None }
        } else if body.contains("addresses unchanged") {
            Verdict::Current { seen: None }
        } else {
            Verdict::Failed(super::unexpected_answer(answer))
        }
    } else {
        Verdict::Failed(status_failure(answer))
    };
    vec![verdict; request.hosts.len()]
}

/// A domain name in the (lowercased) answer that is neither `zone` nor a name in
/// it: dynv6 answered about another zone than the one asked for.
fn another_zone(body: &str, zone: &str) -> Option<String> {
    let zone = zone.trim_end_matches('.').to_ascii_lowercase();
    body.split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')))
        .map(|word| word.trim_matches('.'))
        .filter(|word| word.contains('.') && word.parse::<std::net::IpAddr>().is_err())
        .filter(|word| word.bytes().any(|b| b.is_ascii_alphabetic()))
        .find(|word| *word != zone && !word.ends_with(&format!(".{zone}")))
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::test_answers::{answer, outcome, request};

    fn verdict_code(status: u16, body: &str) -> u8 {
        outcome(&interpret(&request(1), &answer(status, body), &["h.dynv6.net".into()])[0]).0
    }

    #[test]
    fn an_answer_about_another_zone_is_not_a_success() {
        assert_eq!(
            verdict_code(200, "addresses updated for other.dynv6.net"),
            1
        );
        assert_eq!(verdict_code(200, "H.dynv6.net: addresses updated."), 0);
        assert_eq!(
            verdict_code(200, "addresses unchanged (www.h.dynv6.net)"),
            0
        );
        assert_eq!(verdict_code(200, "addresses updated 203.0.113.7"), 0);
    }

    #[test]
    fn auto_values_get_their_family_and_known_values_ride_along() {
        use crate::addr::{V6Addr, Wanted};
        let v4 = Some(Wanted::Addr("203.0.113.7".parse().expect("v4")));
        let v6 = Some(Wanted::Addr(V6Addr {
            addr: "2001:db8::1".parse().expect("v6"),
            len: None,
        }));
        let families = |publish: Publish| -> Vec<(Family, String)> {
            lanes(&publish)
                .into_iter()
                .map(|(f, p)| (f, p.describe()))
                .collect()
        };
        let both_known = Publish {
            ipv4: v4,
            ipv6: v6,
            ipv6_prefix: None,
        };
        assert_eq!(
            families(both_known),
            vec![(Family::Any, "A 203.0.113.7 AAAA 2001:db8::1".to_string())]
        );
        let v4_auto = Publish {
            ipv4: Some(Wanted::Auto),
            ipv6: v6,
            ipv6_prefix: None,
        };
        assert_eq!(
            families(v4_auto),
            vec![(Family::V4, "A auto AAAA 2001:db8::1".to_string())]
        );
        let v6_auto = Publish {
            ipv4: v4,
            ipv6: Some(Wanted::Auto),
            ipv6_prefix: Some(Wanted::Auto),
        };
        assert_eq!(
            families(v6_auto),
            vec![(
                Family::V6,
                "A 203.0.113.7 AAAA auto prefix auto".to_string()
            )]
        );
        let both_auto = Publish {
            ipv4: Some(Wanted::Auto),
            ipv6: Some(Wanted::Auto),
            ipv6_prefix: None,
        };
        assert_eq!(
            families(both_auto),
            vec![
                (Family::V4, "A auto".to_string()),
                (Family::V6, "AAAA auto".to_string())
            ]
        );
    }

    #[test]
    fn answers_map_to_codes() {
        assert_eq!(verdict_code(200, "addresses updated"), 0);
        assert_eq!(verdict_code(200, "addresses unchanged\n"), 0);
        assert_eq!(verdict_code(200, "hello"), 1);
        assert_eq!(verdict_code(401, "invalid authentication token"), 10);
        assert_eq!(verdict_code(403, ""), 10);
        assert_eq!(verdict_code(404, "zone not found"), 11);
        assert_eq!(verdict_code(400, "invalid ipv4"), 17);
        assert_eq!(verdict_code(422, ""), 17);
        assert_eq!(verdict_code(429, "slow down"), 16);
        assert_eq!(verdict_code(500, ""), 16);
        assert_eq!(verdict_code(503, ""), 16);
        assert_eq!(verdict_code(302, ""), 1);
    }
}
