//! The dyn.com "NIC update" API, spoken by No-IP, Dyn, dynv6 and many others
//! (seed 004; protocols.md section 3).
//!
//! `GET /nic/update?hostname=h1,h2&myip=v4,v6` with Basic auth; the answer has one
//! line per host in request order (`good IP`, `nochg IP`, `nohost`, ...), or one
//! line for the whole account (`badauth`, `911`, ...). Without `myip` the provider
//! takes the connection's address, so each `auto` family gets a request of its own
//! on a connection forced to that family.

use super::{status_failure, AddrParams, Auth, Publish, Request, Verdict};
use crate::config::Job;
use crate::exit::{Exit, Failure};
use crate::http::{Answer, Family};
use crate::url::UrlBuilder;
use std::net::IpAddr;

pub fn plan(job: &Job, hosts: &[usize], publish: &Publish) -> Vec<Request> {
    let preset = job.preset;
    // `myip` overrides the connection's address, so known values and each auto
    // family go in separate requests.
    let mut lanes: Vec<(Family, Publish)> = Vec::new();
    let known = publish.known();
    if preset.addr_params == AddrParams::PerFamily {
        let v4 = Publish {
            ipv4: known.ipv4,
            ..Publish::default()
        };
        let v6 = Publish {
            ipv6: known.ipv6,
            ..Publish::default()
        };
        lanes.push((Family::Any, v4));
        lanes.push((Family::Any, v6));
    } else {
        lanes.push((Family::Any, known));
    }
    lanes.push((Family::V4, publish.auto_for(Family::V4)));
    lanes.push((Family::V6, publish.auto_for(Family::V6)));
    lanes.retain(|(_, values)| !values.is_empty());

    // Where the host is the user name, each host needs a request of its own.
    let groups: Vec<Vec<usize>> =
        if job.user.is_none() && preset.credentials == crate::provider::Credentials::HostAsUser {
            hosts.iter().map(|&h| vec![h]).collect()
        } else {
            vec![hosts.to_vec()]
        };

    let mut requests = Vec::new();
    for group in &groups {
        let names: Vec<&str> = group.iter().map(|&i| job.hosts[i].as_str()).collect();
        let user = job
            .user_for(names.first().copied().unwrap_or(""))
            .to_string();
        for (family, values) in &lanes {
            // A known IPv6 address of a one-family-per-request preset goes to the
            // preset's IPv6 host, as the providers' own examples do (nsupdate.info).
            let server = match (family, values.ipv4, values.ipv6) {
                (Family::Any, None, Some(_)) if preset.addr_params == AddrParams::PerFamily => {
                    job.server_for(Family::V6)
                }
                _ => job.server_for(*family),
            };
            let mut url = UrlBuilder::new(server, preset.path).param("hostname", &names.join(","));
            for (name, value) in preset.fixed_params {
                url = url.param(name, value);
            }
            url = address_params(url, preset.addr_params, values);
            let basic_auth = match preset.auth {
                Auth::Basic => Some((user.clone(), job.secret().clone())),
                Auth::Query {
                    user: user_param,
                    password,
                } => {
                    url = url
                        .param(user_param, &user)
                        .secret_param(password, job.secret_value());
                    None
                }
            };
            let (url, shown_url) = url.build();
            requests.push(Request {
                url,
                shown_url,
                basic_auth,
                family: *family,
                hosts: group.clone(),
                publish: values.clone(),
            });
        }
    }
    requests
}

/// The address parameters of one request, in the preset's dialect. An `auto` value
/// sends nothing: the provider takes the connection's address.
fn address_params(mut url: UrlBuilder, params: AddrParams, values: &Publish) -> UrlBuilder {
    let v4 = values.known_ipv4_text();
    let v6 = values.known_ipv6_bare_text();
    match params {
        AddrParams::Combined | AddrParams::PerFamily => {
            let myip: Vec<String> = v4.into_iter().chain(v6).collect();
            if !myip.is_empty() {
                url = url.param("myip", &myip.join(","));
            }
        }
        AddrParams::Separate {
            v4: v4_name,
            v6: v6_name,
            keep,
        } => {
            // A family this request does not carry is kept as it is, where the
            // provider has a word for that (it may otherwise clear it).
            for (name, value, carried) in [
                (v4_name, v4, values.ipv4.is_some()),
                (v6_name, v6, values.ipv6.is_some()),
            ] {
                match (value, carried, keep) {
                    (Some(value), _, _) => url = url.param(name, &value),
                    (None, false, Some(keep)) => url = url.param(name, keep),
                    _ => {}
                }
            }
        }
    }
    url
}

pub fn interpret(request: &Request, answer: &Answer) -> Vec<Verdict> {
    let lines: Vec<&str> = answer
        .body
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let count = request.hosts.len();
    (0..count)
        .map(|i| {
            let line = if lines.len() == 1 {
                // One line for every host: an account-level answer, or a single host.
                lines.first()
            } else {
                lines.get(i)
            };
            match line {
                Some(line) if lines.len() == 1 && count > 1 => {
                    one_line_for_several(verdict_for_line(line, answer), line, count)
                }
                Some(line) => same_address(verdict_for_line(line, answer), line, &request.publish),
                None if answer.is_success() => Verdict::Failed(Failure::new(
                    Exit::Unexpected,
                    format!(
                        "the answer has {} line(s) for {count} host(s); none for this one",
                        lines.len()
                    ),
                )),
                None => Verdict::Failed(status_failure(answer)),
            }
        })
        .collect()
}

/// One success line for several hosts could speak for any of them: none is
/// recorded as sent. (A failure line speaks for the account, so for all.)
fn one_line_for_several(verdict: Verdict, line: &str, count: usize) -> Verdict {
    match verdict {
        Verdict::Updated { .. } | Verdict::Current { .. } => Verdict::Failed(Failure::new(
            Exit::Unexpected,
            format!(
                "the provider answered one line \"{}\" for {count} hosts: which host it \
                 speaks for is unknown, so none is recorded as sent",
                super::excerpt(line)
            ),
        )),
        failed => failed,
    }
}

/// `good 198.51.100.99` after `myip=203.0.113.7` is not a success: the provider
/// recorded another address (dyn.com's `good 127.0.0.1` says the request was
/// ignored), so it is not recorded as sent. An `auto` family can be any address.
fn same_address(verdict: Verdict, line: &str, sent: &Publish) -> Verdict {
    let (Verdict::Updated { seen: Some(seen) } | Verdict::Current { seen: Some(seen) }) = &verdict
    else {
        return verdict;
    };
    let sent_v4 = sent
        .known_ipv4_text()
        .and_then(|t| t.parse::<IpAddr>().ok());
    let sent_v6 = sent
        .known_ipv6_bare_text()
        .and_then(|t| t.parse::<IpAddr>().ok());
    let other = seen
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter_map(|word| word.parse::<IpAddr>().ok())
        .find(|named| {
            let (mine, carried) = match named {
                IpAddr::V4(_) => (sent_v4, sent.ipv4.is_some()),
                IpAddr::V6(_) => (sent_v6, sent.ipv6.is_some()),
            };
            match mine {
                Some(mine) => mine != *named,
                // An `auto` value of this family: whatever the provider saw.
                None if carried => false,
                // Not sent at all: another address, unless nothing known was sent.
                None => sent_v4.is_some() || sent_v6.is_some(),
            }
        });
    match other {
        None => verdict,
        Some(named) => {
            let was_sent: Vec<String> = [sent_v4, sent_v6]
                .into_iter()
                .flatten()
                .map(|a| a.to_string())
                .collect();
            Verdict::Failed(Failure::new(
                Exit::Unexpected,
                format!(
                    "the provider answered \"{}\", naming {named}, but {} was sent: it \
                     recorded another address, so this one is not recorded as sent",
                    super::excerpt(line),
                    was_sent.join(",")
                ),
            ))
        }
    }
}

pub(super) fn verdict_for_line(line: &str, answer: &Answer) -> Verdict {
    let (word, rest) = match line.split_once(char::is_whitespace) {
        Some((word, rest)) => (
            word,
            Some(rest.trim().to_string()).filter(|r| !r.is_empty()),
        ),
        None => (line, None),
    };
    let success = answer.is_success();
    let fail = |exit: Exit, what: &str| {
        Verdict::Failed(Failure::new(
            exit,
            format!("{what}: the provider answered \"{}\"", super::excerpt(line)),
        ))
    };
    match word {
        "good" if success => Verdict::Updated { seen: rest },
        "nochg" if success => Verdict::Current { seen: rest },
        "badauth" => fail(Exit::BadAuth, "bad credentials"),
        "nohost" => fail(Exit::NoHost, "host not in this account"),
        "notfqdn" => fail(Exit::NoHost, "not a fully qualified host name"),
        "numhost" => fail(Exit::NumHost, "too many hosts in one request"),
        "badagent" => fail(Exit::BadAgent, "client blocked for its User-Agent"),
        "!donator" => fail(Exit::NotDonator, "feature needs a paid plan"),
        "abuse" => fail(Exit::Abuse, "blocked for abuse"),
        "911" => fail(Exit::ServerError, "provider outage"),
        "dnserr" => fail(Exit::ServerError, "provider DNS trouble"),
        _ if !success => Verdict::Failed(status_failure(answer)),
        _ => fail(Exit::Unexpected, "unexpected answer"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::test_answers::{answer, outcome, request};

    fn codes(status: u16, body: &str, hosts: usize) -> Vec<u8> {
        interpret(&request(hosts), &answer(status, body))
            .iter()
            .map(|v| outcome(v).0)
            .collect()
    }

    #[test]
    fn every_answer_word() {
        for (body, code) in [
            ("good 203.0.113.7", 0),
            ("nochg 203.0.113.7,2001:db8::1", 0),
            ("badauth", 10),
            ("nohost", 11),
            ("notfqdn", 11),
            ("numhost", 12),
            ("badagent", 13),
            ("!donator", 14),
            ("abuse", 15),
            ("911", 16),
            ("dnserr", 16),
            ("what?", 1),
            ("", 1),
        ] {
            assert_eq!(codes(200, body, 1), vec![code], "{body}");
        }
    }

    #[test]
    fn one_line_per_host_and_account_lines() {
        assert_eq!(codes(200, "good 1.2.3.4\nnohost\n", 2), vec![0, 11]);
        assert_eq!(codes(200, "badauth\n", 3), vec![10, 10, 10]);
        assert_eq!(
            codes(200, "good 1.2.3.4\nnochg 1.2.3.4\n", 3),
            vec![0, 0, 1]
        );
    }

    #[test]
    fn an_answer_about_another_address_or_host_is_not_a_success() {
        use crate::addr::{V6Addr, Wanted};
        let mut sent = request(1);
        sent.publish = Publish {
            ipv4: Some(Wanted::Addr("203.0.113.7".parse().expect("v4"))),
            ipv6: Some(Wanted::Addr(V6Addr {
                addr: "2001:db8::1".parse().expect("v6"),
                len: None,
            })),
            ipv6_prefix: None,
        };
        let code_for =
            |sent: &Request, body: &str| outcome(&interpret(sent, &answer(200, body))[0]).0;
        let code = |body: &str| code_for(&sent, body);
        assert_eq!(code("good 203.0.113.7"), 0);
        assert_eq!(code("nochg 203.0.113.7,2001:db8:0::1"), 0);
        assert_eq!(code("good 198.51.100.99"), 1);
        assert_eq!(code("good 127.0.0.1"), 1);
        assert_eq!(code("nochg 203.0.113.7 2001:db8::2"), 1);
        let message = match &interpret(&sent, &answer(200, "good 198.51.100.99"))[0] {
            Verdict::Failed(f) => f.message.clone(),
            other => panic!("{other:?}"),
        };
        assert!(message.contains("198.51.100.99"), "{message}");
        assert!(message.contains("203.0.113.7"), "{message}");
        // Only IPv4 sent: an IPv6 address named is another one.
        sent.publish.ipv6 = None;
        assert_eq!(code_for(&sent, "good 2001:db8::9"), 1);
        // `auto`: the provider says what it saw, whatever that is.
        sent.publish.ipv4 = Some(Wanted::Auto);
        assert_eq!(code_for(&sent, "good 198.51.100.99"), 0);
        // One success line for two hosts speaks for neither.
        assert_eq!(codes(200, "good 1.2.3.4", 2), vec![1, 1]);
        assert_eq!(codes(200, "nochg", 2), vec![1, 1]);
    }

    #[test]
    fn status_when_the_body_says_nothing() {
        assert_eq!(codes(401, "Unauthorized", 1), vec![10]);
        assert_eq!(codes(401, "badauth", 1), vec![10]);
        assert_eq!(codes(500, "", 1), vec![16]);
        assert_eq!(codes(503, "good 1.2.3.4", 1), vec![16]);
        assert_eq!(codes(404, "", 1), vec![11]);
        assert_eq!(codes(400, "", 1), vec![17]);
    }
}
