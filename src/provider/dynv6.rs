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
    // Lanes: values that need an IPv4 connection, values that need IPv6, and known
    // values, which can ride along with either (or go alone).
    let v4_auto = publish.ipv4.is_some_and(|w| w.is_auto());
    let v6_auto = publish.ipv6.is_some_and(|w| w.is_auto())
        || publish.ipv6_prefix.is_some_and(|w| w.is_auto());
    let mut lanes: Vec<(Family, Publish)> = Vec::new();
    if v4_auto {
        lanes.push((Family::V4, Publish::default()));
    }
    if v6_auto {
        lanes.push((Family::V6, Publish::default()));
    }
    if lanes.is_empty() {
        lanes.push((Family::Any, Publish::default()));
    }
    let lane_for = |auto: bool, family: Family, lanes: &mut Vec<(Family, Publish)>| -> usize {
        if auto {
            lanes.iter().position(|(f, _)| *f == family).unwrap_or(0)
        } else {
            0
        }
    };
    if let Some(v4) = publish.ipv4 {
        let i = lane_for(v4.is_auto(), Family::V4, &mut lanes);
        lanes[i].1.ipv4 = Some(v4);
    }
    if let Some(v6) = publish.ipv6 {
        let i = lane_for(v6.is_auto(), Family::V6, &mut lanes);
        lanes[i].1.ipv6 = Some(v6);
    }
    if let Some(prefix) = publish.ipv6_prefix {
        let i = lane_for(prefix.is_auto(), Family::V6, &mut lanes);
        lanes[i].1.ipv6_prefix = Some(prefix);
    }

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

pub fn interpret(request: &Request, answer: &Answer) -> Vec<Verdict> {
    let verdict = if answer.status == 200 {
        let body = answer.body.to_ascii_lowercase();
        if body.contains("addresses updated") {
            Verdict::Updated { seen: None }
        } else if body.contains("addresses unchanged") {
            Verdict::Current { seen: None }
        } else {
            Verdict::Failed(Failure::new(
                Exit::Unexpected,
                format!(
                    "unexpected answer: HTTP 200 \"{}\"",
                    super::excerpt(&answer.body)
                ),
            ))
        }
    } else {
        Verdict::Failed(status_failure(answer))
    };
    vec![verdict; request.hosts.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: &str) -> Answer {
        Answer {
            status,
            body: body.to_string(),
            location: None,
            retry_after: None,
        }
    }

    fn verdict_code(status: u16, body: &str) -> u8 {
        let request = Request {
            url: String::new(),
            shown_url: String::new(),
            basic_auth: None,
            family: Family::Any,
            hosts: vec![0],
            publish: Publish::default(),
        };
        match &interpret(&request, &answer(status, body))[0] {
            Verdict::Updated { .. } | Verdict::Current { .. } => 0,
            Verdict::Failed(f) => f.exit.code(),
        }
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
        assert_eq!(verdict_code(500, ""), 16);
        assert_eq!(verdict_code(503, ""), 16);
        assert_eq!(verdict_code(302, ""), 1);
    }
}
