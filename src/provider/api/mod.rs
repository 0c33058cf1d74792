//! The shape every provider with its own JSON/REST API shares: one record per
//! host and family, read first and written only when it differs, over requests
//! whose secrets ride in headers or bodies and are masked in everything printed.
//!
//! A provider is one module with one function, `send(&Session, &[Target])`,
//! that returns one `Result<Change, Fail>` per target, in order; its preset row
//! says where it lives and which credentials it takes. This module does the rest:
//! the targets, dry runs, `-v` lines, and turning changes into verdicts.

use std::net::IpAddr;

use super::{Publish, Verdict};
use crate::addr::Wanted;
use crate::config::Job;
use crate::exit::{Exit, Failure};
use crate::http::{Answer, ApiCall, Client, Method, MAX_API_ANSWER};
use crate::json::{self, Value};
use crate::output::Out;
use crate::secret::{Redactor, Secret};

mod zone;

pub use zone::{each_target, is_within, relative, zone_of, zones, Zone};

/// The APIs dynup speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Api {
    #[cfg(feature = "cloudflare")]
    Cloudflare,
    #[cfg(feature = "porkbun")]
    Porkbun,
    #[cfg(feature = "hetzner")]
    Hetzner,
    #[cfg(feature = "gandi")]
    Gandi,
    #[cfg(feature = "digitalocean")]
    DigitalOcean,
    #[cfg(feature = "godaddy")]
    GoDaddy,
    #[cfg(feature = "linode")]
    Linode,
    #[cfg(feature = "desec-api")]
    Desec,
    #[cfg(feature = "powerdns")]
    PowerDns,
    #[cfg(feature = "namecheap")]
    Namecheap,
    #[cfg(feature = "scaleway")]
    Scaleway,
    #[cfg(feature = "route53")]
    Route53,
    #[cfg(feature = "namesilo")]
    Namesilo,
    #[cfg(feature = "netcup")]
    Netcup,
    #[cfg(feature = "ionos")]
    Ionos,
    #[cfg(feature = "dnspod")]
    Dnspod,
    #[cfg(feature = "aliyun")]
    Aliyun,
    #[cfg(feature = "luadns")]
    Luadns,
    #[cfg(feature = "ns1")]
    Ns1,
    #[cfg(feature = "servercow")]
    Servercow,
    #[cfg(feature = "beget")]
    Beget,
    #[cfg(feature = "xname")]
    Xname,
    #[cfg(feature = "huaweicloud")]
    HuaweiCloud,
    #[cfg(feature = "transip")]
    Transip,
    #[cfg(feature = "gcp")]
    Gcp,
}

impl Api {
    pub fn protocol_name(self) -> &'static str {
        match self {
            #[cfg(feature = "cloudflare")]
            Api::Cloudflare => "cloudflare-v4",
            #[cfg(feature = "porkbun")]
            Api::Porkbun => "porkbun-v3",
            #[cfg(feature = "hetzner")]
            Api::Hetzner => "hetzner-cloud",
            #[cfg(feature = "gandi")]
            Api::Gandi => "gandi-livedns",
            #[cfg(feature = "digitalocean")]
            Api::DigitalOcean => "digitalocean-v2",
            #[cfg(feature = "godaddy")]
            Api::GoDaddy => "godaddy-v1",
            #[cfg(feature = "linode")]
            Api::Linode => "linode-v4",
            #[cfg(feature = "desec-api")]
            Api::Desec => "desec-rest",
            #[cfg(feature = "powerdns")]
            Api::PowerDns => "powerdns-http",
            #[cfg(feature = "namecheap")]
            Api::Namecheap => "namecheap-ddns",
            #[cfg(feature = "scaleway")]
            Api::Scaleway => "scaleway-v2beta1",
            #[cfg(feature = "route53")]
            Api::Route53 => "route53-sigv4",
            #[cfg(feature = "namesilo")]
            Api::Namesilo => "namesilo-v1",
            #[cfg(feature = "netcup")]
            Api::Netcup => "netcup-ccp",
            #[cfg(feature = "ionos")]
            Api::Ionos => "ionos-dyndns",
            #[cfg(feature = "dnspod")]
            Api::Dnspod => "dnspod-tc3",
            #[cfg(feature = "aliyun")]
            Api::Aliyun => "alidns-rpc",
            #[cfg(feature = "luadns")]
            Api::Luadns => "luadns-v1",
            #[cfg(feature = "ns1")]
            Api::Ns1 => "ns1-v1",
            #[cfg(feature = "servercow")]
            Api::Servercow => "servercow-v1",
            #[cfg(feature = "beget")]
            Api::Beget => "beget-json",
            #[cfg(feature = "xname")]
            Api::Xname => "xname-xmlrpc",
            #[cfg(feature = "huaweicloud")]
            Api::HuaweiCloud => "huaweicloud-dns-v2",
            #[cfg(feature = "transip")]
            Api::Transip => "transip-v6",
            #[cfg(feature = "gcp")]
            Api::Gcp => "clouddns-v1",
        }
    }
}

/// One record to set: a host's A or AAAA record.
#[derive(Clone, Debug)]
pub struct Target {
    /// Index into `Job::hosts`.
    pub host: usize,
    /// The host name, lowercase, without a trailing dot.
    pub name: String,
    /// "A" or "AAAA".
    pub kind: &'static str,
    pub addr: IpAddr,
    /// The part of the run's `Publish` this record carries.
    pub publish: Publish,
}

impl Target {
    /// Whether `content` (a record's value as the provider shows it) is this
    /// address: compared as addresses, so `2001:db8::1` equals `2001:DB8:0::1`.
    pub fn holds(&self, content: &str) -> bool {
        content.trim().parse::<IpAddr>() == Ok(self.addr)
    }

    pub fn addr_text(&self) -> String {
        self.addr.to_string()
    }

    /// The address as a JSON string, as most APIs take it.
    #[inline(never)]
    pub fn addr_json(&self) -> String {
        json::quote(&self.addr_text())
    }
}

/// What a provider did with a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    Updated,
    /// The record was missing and was created.
    Created,
    /// The record already held the address: nothing was written.
    Current,
}

/// What to do with a record, from the records of its name and type.
pub enum Step<'r, R> {
    /// One of them already holds the address: nothing is written.
    Current,
    /// None exists.
    Create,
    /// The one record, which holds another address.
    Update(&'r R),
}

/// The step for `target` given the provider's records of its name and type;
/// `content` reads a record's value. Several records of one name and type are
/// refused rather than one picked: which one the user meant is not known.
pub fn step<'r, R>(
    provider: &str,
    target: &Target,
    records: &'r [R],
    content: impl Fn(&R) -> Option<&str>,
) -> Result<Step<'r, R>, Fail> {
    if records
        .iter()
        .any(|r| content(r).is_some_and(|c| target.holds(c)))
    {
        return Ok(Step::Current);
    }
    match records {
        [] => Ok(Step::Create),
        [record] => Ok(Step::Update(record)),
        several => Err(several_records(provider, target, several.len())),
    }
}

/// Kept out of `step`, which is built once per provider's record type.
#[inline(never)]
fn several_records(provider: &str, target: &Target, count: usize) -> Fail {
    Fail::new(
        Exit::Unexpected,
        format!(
            "{provider}: {count} {} records named {}; dynup sets one record per name and \
             family, remove the others",
            target.kind, target.name
        ),
    )
}

/// A failure and the `Retry-After` that came with it.
#[derive(Clone, Debug)]
pub struct Fail {
    pub failure: Failure,
    pub retry_after: Option<u64>,
}

impl Fail {
    pub fn new(exit: Exit, message: impl Into<String>) -> Fail {
        Fail {
            failure: Failure::new(exit, message),
            retry_after: None,
        }
    }
}

impl From<Failure> for Fail {
    fn from(failure: Failure) -> Fail {
        Fail {
            failure,
            retry_after: None,
        }
    }
}

/// What a provider needs to talk: the job (endpoint, credentials, options), the
/// output (for `-v`) and the HTTP client.
pub struct Session<'a> {
    pub job: &'a Job,
    out: &'a Out,
    client: Client<'a>,
}

impl Session<'_> {
    /// `https://api.example.com/v4`: the server and the preset's path, no slash at the end.
    pub fn base(&self) -> String {
        format!("{}{}", self.job.server, self.job.preset.path)
    }

    /// Sends `call`, saying it (masked) with `-v`, and its answer.
    pub fn send(&self, call: &ApiCall) -> Result<Answer, Fail> {
        self.send_hiding(call, &[], "")
    }

    /// `send`, also masking what the API itself hands out as a credential (a
    /// session ID): the `hidden` texts, and the value of the JSON string member
    /// `member` of the answer (where it first appears).
    pub fn send_hiding(
        &self,
        call: &ApiCall,
        hidden: &[&str],
        member: &str,
    ) -> Result<Answer, Fail> {
        let mask = |text: String| {
            hidden
                .iter()
                .filter(|h| !h.is_empty())
                .fold(text, |text, h| text.replace(h, "***"))
        };
        // Masked here, whole: the line is the request, the output masks only
        // long forms (see Redactor::apply_output).
        self.out
            .detail(&self.job.redactor.apply(&mask(describe(call))));
        let answer = self.client.call(call)?;
        let cut = if answer.body.len() >= MAX_API_ANSWER {
            " (cut)"
        } else {
            ""
        };
        let body = hide_member(&answer.body, member);
        // Masked whole, here: the answer is the provider's text (its parse reads
        // the body as it came).
        let body = if cut.is_empty() {
            self.job.redactor.apply(&body)
        } else {
            self.job.redactor.apply_cut(&body)
        };
        self.out.detail(&mask(format!(
            "HTTP {} \"{}\"{cut}",
            answer.status,
            super::excerpt(&body)
        )));
        Ok(answer)
    }

    /// `call` then `send`: the request is built and dropped here, once, rather
    /// than at each of the providers' requests.
    #[inline(never)]
    pub fn request(
        &self,
        method: Method,
        path: &str,
        headers: Vec<(&'static str, String)>,
        body: Option<String>,
    ) -> Result<Answer, Fail> {
        self.send(&self.call(method, path, headers, body))
    }

    /// `request`, then the provider's `check` of its answer (its JSON or the
    /// failure it means), in one place for the requests that need no more.
    #[inline(never)]
    pub fn exchange(
        &self,
        method: Method,
        path: &str,
        headers: Vec<(&'static str, String)>,
        body: Option<String>,
        check: Check,
        doing: &str,
    ) -> Result<Value, Fail> {
        check(&self.request(method, path, headers, body)?, doing)
    }

    /// A GET of something whose 404 means it does not exist yet: `Null` then,
    /// else as `exchange`.
    #[inline(never)]
    pub fn read_or_null(
        &self,
        path: &str,
        headers: Vec<(&'static str, String)>,
        check: Check,
        doing: &str,
    ) -> Result<Value, Fail> {
        let answer = self.request(Method::Get, path, headers, None)?;
        if answer.status == 404 {
            return Ok(Value::Null);
        }
        check(&answer, doing)
    }

    /// `exchange` with a token the API handed out this run (`Authorization:
    /// Bearer TOKEN`), masked in `-v` like the secrets (transip, gcp).
    #[inline(never)]
    pub fn bearer_exchange(
        &self,
        token: &str,
        (method, path): (Method, &str),
        body: Option<String>,
        check: Check,
        doing: &str,
    ) -> Result<Value, Fail> {
        let auth = vec![("Authorization", format!("Bearer {token}"))];
        let call = self.call(method, path, auth, body);
        check(&self.send_hiding(&call, &[token], "")?, doing)
    }

    /// A request to `base() + path` with the given headers and body.
    pub fn call(
        &self,
        method: Method,
        path: &str,
        headers: Vec<(&'static str, String)>,
        body: Option<String>,
    ) -> ApiCall {
        ApiCall {
            method,
            url: format!("{}{path}", self.base()),
            headers,
            body,
            content_type: "application/json",
        }
    }

    pub fn token(&self) -> &str {
        self.job.secret_value()
    }
}

/// The one header most APIs authenticate with: `NAME: PREFIXTOKEN`. Shared, so
/// each request calls it rather than carrying its own copy of the building.
#[inline(never)]
pub fn token_header(
    session: &Session,
    name: &'static str,
    prefix: &str,
) -> Vec<(&'static str, String)> {
    let mut value = prefix.to_string();
    value.push_str(session.token());
    vec![(name, value)]
}

/// `PATCH https://... {"content":"..."} (Authorization: ***)`: header values are
/// shown whole and masked by the output's redactor, like everything else.
fn describe(call: &ApiCall) -> String {
    let mut line = format!("{} {}", call.method.name(), call.url);
    if let Some(body) = &call.body {
        line.push(' ');
        line.push_str(body);
    }
    for (i, (name, value)) in call.headers.iter().enumerate() {
        line.push_str(if i == 0 { " (" } else { ", " });
        line.push_str(name);
        line.push_str(": ");
        line.push_str(value);
    }
    if !call.headers.is_empty() {
        line.push(')');
    }
    line
}

/// `body` with the value of its first `"member":"..."` replaced by `***`.
fn hide_member(body: &str, member: &str) -> String {
    let key = format!("\"{member}\"");
    let Some(at) = body.find(&key).filter(|_| !member.is_empty()) else {
        return body.to_string();
    };
    let after = &body[at + key.len()..];
    let rest = after.trim_start();
    let Some(value) = rest
        .strip_prefix(':')
        .map(str::trim_start)
        .and_then(|v| v.strip_prefix('"'))
    else {
        return body.to_string();
    };
    let value_start = body.len() - value.len();
    match value.find('"') {
        Some(len) => format!("{}***{}", &body[..value_start], &value[len..]),
        None => body.to_string(),
    }
}

/// The records a run sets: for each host, its A and/or AAAA record.
pub fn targets(job: &Job, hosts: &[usize], publish: &Publish) -> Vec<Target> {
    let mut targets = Vec::new();
    for &host in hosts {
        let name = job.hosts[host].trim_end_matches('.').to_ascii_lowercase();
        if let Some(Wanted::Addr(v4)) = publish.ipv4 {
            targets.push(Target {
                host,
                name: name.clone(),
                kind: "A",
                addr: IpAddr::V4(v4),
                publish: Publish {
                    ipv4: publish.ipv4,
                    ..Publish::default()
                },
            });
        }
        if let Some(Wanted::Addr(v6)) = publish.ipv6 {
            targets.push(Target {
                host,
                name,
                kind: "AAAA",
                addr: IpAddr::V6(v6.addr),
                publish: Publish {
                    ipv6: publish.ipv6,
                    ..Publish::default()
                },
            });
        }
    }
    targets
}

/// Sets the records of `hosts`; returns, per record, the host, what it carried,
/// the verdict and any `Retry-After`. With `--dry-run`, says what it would do.
pub fn send(
    job: &Job,
    out: &Out,
    hosts: &[usize],
    publish: &Publish,
) -> Vec<(usize, Publish, Verdict, Option<u64>)> {
    let super::Protocol::Api(api) = job.preset.protocol else {
        return Vec::new();
    };
    let targets = targets(job, hosts, publish);
    if job.dry_run {
        for target in &targets {
            out.result(&format!(
                "would send: read the {} record of {} at {}, and set it to {} if it differs \
                 or is missing",
                target.kind,
                target.name,
                job.server,
                target.addr_text()
            ));
        }
        return Vec::new();
    }
    let session = Session {
        job,
        out,
        client: Client::new(&job.http),
    };
    let results: Vec<Result<Change, Fail>> = match api {
        #[cfg(feature = "cloudflare")]
        Api::Cloudflare => super::cloudflare::send(&session, &targets),
        #[cfg(feature = "porkbun")]
        Api::Porkbun => super::porkbun::send(&session, &targets),
        #[cfg(feature = "hetzner")]
        Api::Hetzner => super::hetzner::send(&session, &targets),
        #[cfg(feature = "gandi")]
        Api::Gandi => super::gandi::send(&session, &targets),
        #[cfg(feature = "digitalocean")]
        Api::DigitalOcean => super::digitalocean::send(&session, &targets),
        #[cfg(feature = "godaddy")]
        Api::GoDaddy => super::godaddy::send(&session, &targets),
        #[cfg(feature = "linode")]
        Api::Linode => super::linode::send(&session, &targets),
        #[cfg(feature = "desec-api")]
        Api::Desec => super::desec_api::send(&session, &targets),
        #[cfg(feature = "powerdns")]
        Api::PowerDns => super::powerdns::send(&session, &targets),
        #[cfg(feature = "namecheap")]
        Api::Namecheap => super::namecheap::send(&session, &targets),
        #[cfg(feature = "scaleway")]
        Api::Scaleway => super::scaleway::send(&session, &targets),
        #[cfg(feature = "route53")]
        Api::Route53 => super::route53::send(&session, &targets),
        #[cfg(feature = "namesilo")]
        Api::Namesilo => super::namesilo::send(&session, &targets),
        #[cfg(feature = "netcup")]
        Api::Netcup => super::netcup::send(&session, &targets),
        #[cfg(feature = "ionos")]
        Api::Ionos => super::ionos::send(&session, &targets),
        #[cfg(feature = "dnspod")]
        Api::Dnspod => super::dnspod::send(&session, &targets),
        #[cfg(feature = "aliyun")]
        Api::Aliyun => super::aliyun::send(&session, &targets),
        #[cfg(feature = "luadns")]
        Api::Luadns => super::luadns::send(&session, &targets),
        #[cfg(feature = "ns1")]
        Api::Ns1 => super::ns1::send(&session, &targets),
        #[cfg(feature = "servercow")]
        Api::Servercow => super::servercow::send(&session, &targets),
        #[cfg(feature = "beget")]
        Api::Beget => super::beget::send(&session, &targets),
        #[cfg(feature = "xname")]
        Api::Xname => super::xname::send(&session, &targets),
        #[cfg(feature = "huaweicloud")]
        Api::HuaweiCloud => super::huaweicloud::send(&session, &targets),
        #[cfg(feature = "transip")]
        Api::Transip => super::transip::send(&session, &targets),
        #[cfg(feature = "gcp")]
        Api::Gcp => super::gcp::send(&session, &targets),
    };
    let name = job.preset.name;
    targets
        .into_iter()
        .zip(results)
        .map(|(target, result)| {
            let (verdict, retry_after) = match result {
                Ok(Change::Current) => (Verdict::Current { seen: None }, None),
                Ok(Change::Updated) => (Verdict::Updated { seen: None }, None),
                Ok(Change::Created) => {
                    out.result(&format!(
                        "{}: {name} had no {} record; created it",
                        target.name, target.kind
                    ));
                    (Verdict::Updated { seen: None }, None)
                }
                // Its text quotes the provider's answer, which may echo a
                // secret: masked whole here (API secrets are long, so dynup's
                // own words are not hit; see Redactor::apply_output).
                Err(mut fail) => {
                    fail.failure.message = job.redactor.apply(&fail.failure.message);
                    (Verdict::Failed(fail.failure), fail.retry_after)
                }
            };
            (target.host, target.publish, verdict, retry_after)
        })
        .collect()
}

/// Usage errors of API jobs, found before anything is sent.
pub fn check(job: &Job) -> Result<(), Failure> {
    if job.ipv4.is_some_and(|w| w.is_auto()) || job.ipv6.is_some_and(|w| w.is_auto()) {
        return Err(Failure::usage(format!(
            "{}: 'auto' has no meaning here (an API sets the address it is given, it does \
             not see the connection's): give --ipv4/--ipv6 ADDRESS, web or if[:IFACE], or -i IFACE",
            job.preset.name
        )));
    }
    if job
        .ipv6
        .is_some_and(|w| matches!(w, Wanted::Addr(a) if a.len.is_some()))
    {
        return Err(Failure::usage(
            "--ipv6: an AAAA record holds an address, not a prefix length; drop the /LEN",
        ));
    }
    #[cfg(feature = "cloudflare")]
    let takes_zone_id = job.preset.protocol == super::Protocol::Api(Api::Cloudflare);
    #[cfg(not(feature = "cloudflare"))]
    let takes_zone_id = false;
    #[cfg(feature = "gcp")]
    let gcp = job.preset.protocol == super::Protocol::Api(Api::Gcp);
    #[cfg(not(feature = "gcp"))]
    let gcp = false;
    if job.zone_id.is_some() && !takes_zone_id && !gcp {
        return Err(Failure::usage(format!(
            "--zone-id is a cloudflare option (and gcp's PROJECT/ZONE); {} finds the zone by name (--zone)",
            job.preset.name
        )));
    }
    if takes_zone_id && job.zone_id.as_deref().is_some_and(|id| id.contains('/')) {
        return Err(Failure::usage(
            "--zone-id: expected the zone's ID as cloudflare shows it (letters, digits, '-')",
        ));
    }
    #[cfg(feature = "gcp")]
    if gcp {
        super::gcp::project_zone(job)?;
    }
    #[cfg(any(feature = "transip", feature = "gcp"))]
    if job.preset.credentials == super::Credentials::UserRsaKey {
        super::rsa_key::of(job)?;
    }
    if let Some(zone) = &job.zone {
        if let Some(host) = job
            .hosts
            .iter()
            .find(|h| !is_within(h.trim_end_matches('.'), zone))
        {
            return Err(Failure::usage(format!(
                "{host} is not in zone {zone}; give its zone with --zone ZONE"
            )));
        }
    }
    Ok(())
}

/// API providers never see the connection's address: where the user named no
/// source, the address comes from the web check (as ddns-scripts does by default).
pub fn default_sources(args: &mut crate::cli::Args) {
    if args.interface.is_some() {
        return;
    }
    if args.ipv4.is_none() && !args.only_ipv6 {
        args.ipv4 = Some("web".to_string());
    }
    if args.ipv6.is_none() && args.only_ipv6 {
        args.ipv6 = Some("web".to_string());
    }
}

/// Secrets travel JSON-escaped inside bodies: mask that form too.
pub fn mask_json_forms(redactor: &mut Redactor, secret: &Secret) {
    let quoted = json::quote(secret.expose());
    let inner = &quoted[1..quoted.len() - 1];
    if inner != secret.expose() {
        redactor.add(&Secret::new(inner.to_string()));
    }
}

/// The answer as JSON, or the failure its status means (a 5xx page is not JSON).
pub fn json_of(answer: &Answer) -> Result<Value, Fail> {
    json::parse(&answer.body).map_err(|why| {
        let mut failure = super::status_failure(answer);
        if answer.is_success() {
            failure = Failure::new(Exit::Unexpected, format!("unexpected answer: {why}"));
        }
        Fail {
            failure,
            retry_after: answer.retry_after,
        }
    })
}

/// The reading most providers share: the answer's JSON on a 2xx, else the
/// failure its status means, with the error code and message the body holds
/// under `code_key` and `message_key` (an empty key: none).
#[inline(never)]
pub fn keyed_success(
    provider: &str,
    doing: &str,
    answer: &Answer,
    code_key: &str,
    message_key: &str,
) -> Result<Value, Fail> {
    let value = json_of(answer)?;
    if answer.is_success() {
        return Ok(value);
    }
    let text = |key: &str| match key {
        "" => "",
        key => value.str_of(key).unwrap_or(""),
    };
    let exit = status_exit(answer.status);
    Err(fail(
        provider,
        doing,
        answer,
        exit,
        text(code_key),
        text(message_key),
    ))
}

/// A provider's reading of an answer: its JSON when it says success, else the
/// failure it means; the `&str` says what was being done.
pub type Check = fn(&Answer, &str) -> Result<Value, Fail>;

/// `PROVIDER: DOING: HTTP 403 CODE "message"`, with the answer's `Retry-After`.
pub fn fail(
    provider: &str,
    doing: &str,
    answer: &Answer,
    exit: Exit,
    code: &str,
    message: &str,
) -> Fail {
    let mut text = format!("{provider}: {doing}: HTTP {}", answer.status);
    if !code.is_empty() {
        text.push(' ');
        text.push_str(code);
    }
    if !message.is_empty() {
        text.push_str(" \"");
        text.push_str(&super::excerpt(message));
        text.push('"');
    }
    Fail {
        failure: Failure::new(exit, text),
        retry_after: answer.retry_after,
    }
}

/// The exit code an HTTP status means for an API, when its body says no more.
pub fn status_exit(status: u16) -> Exit {
    match status {
        401 | 403 => Exit::BadAuth,
        404 => Exit::NoHost,
        429 | 500..=599 => Exit::ServerError,
        400..=499 => Exit::Rejected,
        _ => Exit::Unexpected,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_web_check_is_the_default_source() {
        let with = |f: &dyn Fn(&mut crate::cli::Args)| {
            let mut args = crate::cli::Args::default();
            f(&mut args);
            default_sources(&mut args);
            (args.ipv4, args.ipv6)
        };
        let web = Some("web".to_string());
        assert_eq!(with(&|_| {}), (web.clone(), None));
        assert_eq!(with(&|a| a.only_ipv6 = true), (None, web.clone()));
        assert_eq!(
            with(&|a| a.ipv4 = Some("192.0.2.1".to_string())),
            (Some("192.0.2.1".to_string()), None)
        );
        // An interface is the default source when given.
        assert_eq!(
            with(&|a| a.interface = Some("wan".to_string())),
            (None, None)
        );
    }

    #[test]
    fn addresses_compare_as_addresses() {
        let target = Target {
            host: 0,
            name: "h".to_string(),
            kind: "AAAA",
            addr: "2001:db8::1".parse().expect("v6"),
            publish: Publish::default(),
        };
        assert!(target.holds("2001:DB8:0:0::1"));
        assert!(target.holds(" 2001:db8::1"));
        assert!(!target.holds("2001:db8::2"));
        assert!(!target.holds("not an address"));
    }

    #[test]
    fn a_member_handed_out_is_masked() {
        let body = r#"{"responsedata":{"apisessionid" : "c2Vzc2lvbg"},"x":"y"}"#;
        assert_eq!(
            hide_member(body, "apisessionid"),
            r#"{"responsedata":{"apisessionid" : "***"},"x":"y"}"#
        );
        assert_eq!(hide_member(body, ""), body);
        assert_eq!(hide_member(body, "none"), body);
        assert_eq!(hide_member(r#"{"x":1}"#, "x"), r#"{"x":1}"#);
    }

    #[test]
    fn json_forms_of_secrets_are_masked() {
        let mut redactor = Redactor::default();
        let secret = Secret::new("a\"b\\c".to_string());
        redactor.add(&secret);
        mask_json_forms(&mut redactor, &secret);
        let body = format!("{{\"secretapikey\":{}}}", json::quote(secret.expose()));
        assert_eq!(redactor.apply(&body), "{\"secretapikey\":\"***\"}");
    }
}
