//! The HTTP transport: one ureq configuration for every request (TLS roots,
//! timeouts, User-Agent, IP family, no redirects), answers read up to a cap,
//! and transport errors sorted into the exit codes they mean.

use std::io::{self, Read};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use ureq::config::IpFamily;
use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig};
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{
    ConnectProxyConnector, Connector, NextTimeout, RustlsConnector,
};

use crate::bind::Bind;
use crate::connector::SocketConnector;
use crate::exit::{Exit, Failure};
use crate::provider::Request;
use crate::route;
use crate::secret::Redactor;

/// Where the bundle of OpenWRT's ca-bundle package (and Debian's) lives.
pub const SYSTEM_BUNDLE: &str = "/etc/ssl/certs/ca-certificates.crt";

/// Answers are a line or two; anything past this is cut, never held in memory.
pub const MAX_ANSWER: usize = 4096;

/// API answers (a zone list, a record list) are JSON of a few kilobytes; this
/// bounds what one may hold in memory.
pub const MAX_API_ANSWER: usize = 256 * 1024;

/// The methods of the JSON/REST APIs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
}

impl Method {
    pub fn name(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
        }
    }
}

/// One request of a JSON/REST API. Secrets ride in `headers` or `body` (never in
/// `url` where the API takes a header); everything printed of it goes through the
/// job's redactor.
#[derive(Clone, Debug)]
pub struct ApiCall {
    pub method: Method,
    pub url: String,
    pub headers: Vec<(&'static str, String)>,
    /// Sent with `Content-Type: content_type`.
    pub body: Option<String>,
    /// `application/json`, or what else the API reads (Route 53: `text/xml`).
    pub content_type: &'static str,
}

/// Which address family a connection may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    Any,
    V4,
    V6,
}

/// What a provider answered: the parts the protocols read.
#[derive(Clone, Debug)]
pub struct Answer {
    pub status: u16,
    /// At most `MAX_ANSWER` bytes, decoded lossily.
    pub body: String,
    pub location: Option<String>,
    /// `Retry-After` in seconds, when given as a number.
    pub retry_after: Option<u64>,
}

impl Answer {
    /// The answer with every secret masked, before any part of it is cut to an
    /// excerpt, quoted or stored: a server may echo the token or the Basic-auth
    /// value, and a cut through one would keep its start.
    pub fn masked(mut self, redactor: &Redactor) -> Answer {
        // A body as long as the cap was cut there, maybe through a secret.
        self.body = if self.body.len() >= MAX_ANSWER {
            redactor.apply_cut(&self.body)
        } else {
            redactor.apply(&self.body)
        };
        self.location = self.location.map(|l| redactor.apply(&l));
        self
    }

    /// A 2xx status.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// `dynup dynup/linux-0.1.0 contact`: the format No-IP requires
/// ("Company NameOfProgram/OSVersion-ReleaseVersion maintainer-contact"), and
/// descriptive enough for every other provider.
pub fn default_user_agent() -> String {
    format!(
        "dynup dynup/{}-{} {}",
        std::env::consts::OS,
        env!("CARGO_PKG_VERSION"),
        CONTACT
    )
}

/// The maintainers' contact that the No-IP User-Agent format asks for.
const CONTACT: &str = match option_env!("DYNUP_CONTACT") {
    Some(contact) => contact,
    None => "dynup-maintainers@users.noreply.github.com",
};

/// The certificates given with `--cacert`, read before anything is sent.
pub struct CaBundle {
    pub certs: Vec<Certificate<'static>>,
}

/// A CA bundle no larger than this is read; the full Mozilla set is about 220 KB.
pub const MAX_CA_BUNDLE: u64 = 4 << 20;

/// Reads a PEM bundle; `flag` names its source in errors.
pub fn read_ca_bundle(path: &Path, flag: &str) -> Result<CaBundle, Failure> {
    let shown = path.display();
    let pem = crate::file::read_capped(path, MAX_CA_BUNDLE)
        .map_err(|e| Failure::usage(format!("{flag} {shown}: cannot read: {e}")))?;
    let certs = parse_certificates(&pem);
    if certs.is_empty() {
        return Err(Failure::usage(format!(
            "{flag} {shown}: no PEM certificate in it"
        )));
    }
    Ok(CaBundle { certs })
}

fn parse_certificates(pem: &[u8]) -> Vec<Certificate<'static>> {
    ureq::tls::parse_pem(pem)
        .filter_map(|item| match item {
            Ok(PemItem::Certificate(cert)) => Some(cert),
            _ => None,
        })
        .collect()
}

pub struct Settings {
    pub user_agent: String,
    pub timeout: Duration,
    pub cacert: Option<CaBundle>,
    /// `--bind IFACE`: every connection leaves by that interface.
    pub bind: Option<Bind>,
    /// The family a connection that could take either keeps to.
    pub family: Family,
}

pub struct Client<'a> {
    settings: &'a Settings,
}

impl<'a> Client<'a> {
    pub fn new(settings: &'a Settings) -> Client<'a> {
        Client { settings }
    }

    /// The roots to trust: `--cacert`, else the system bundle, else the built-in ones.
    fn tls_config(&self) -> Result<TlsConfig, Failure> {
        let roots = if let Some(bundle) = &self.settings.cacert {
            RootCerts::Specific(Arc::new(bundle.certs.clone()))
        } else {
            let system = crate::file::read_capped(Path::new(SYSTEM_BUNDLE), MAX_CA_BUNDLE)
                .map(|pem| parse_certificates(&pem))
                .unwrap_or_default();
            if !system.is_empty() {
                RootCerts::Specific(Arc::new(system))
            } else {
                builtin_roots()?
            }
        };
        Ok(TlsConfig::builder().root_certs(roots).build())
    }

    /// The family a connection keeps to: the request's own, else the settings'.
    fn keep_to(&self, family: Family) -> Family {
        match family {
            Family::Any => self.settings.family,
            forced => forced,
        }
    }

    fn agent(&self, family: Family, https: bool) -> Result<ureq::Agent, Failure> {
        let family = self.keep_to(family);
        let timeout = self.settings.timeout;
        let mut config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            // A redirect could carry the credentials elsewhere: report it instead.
            .max_redirects(0)
            .max_redirects_will_error(false)
            .user_agent(self.settings.user_agent.as_str())
            .timeout_global(Some(timeout))
            .timeout_connect(Some(timeout))
            .ip_family(match family {
                Family::Any => IpFamily::Any,
                Family::V4 => IpFamily::Ipv4Only,
                Family::V6 => IpFamily::Ipv6Only,
            });
        if https {
            config = config.tls_config(self.tls_config()?);
        }
        // ureq's default chain (no SOCKS) with its TCP step replaced by ours,
        // which can bind the socket to an interface (--bind).
        let connector =
            ().chain(ConnectProxyConnector::default())
                .chain(SocketConnector(self.settings.bind.clone()))
                .chain(RustlsConnector::default());
        Ok(ureq::Agent::with_parts(
            config.build(),
            connector,
            InlineResolver,
        ))
    }

    pub fn send(&self, request: &Request) -> Result<Answer, Failure> {
        let https = request.url.starts_with("https://");
        let agent = self.agent(request.family, https)?;
        let mut call = agent.get(&request.url);
        if let Some((user, secret)) = &request.basic_auth {
            let pair = format!("{user}:{}", secret.expose());
            let encoded = base64::engine::general_purpose::STANDARD.encode(pair);
            call = call.header("Authorization", format!("Basic {encoded}"));
        }
        let response = call
            .call()
            .map_err(|e| self.failure(e, request.family, &request.url))?;
        self.read_answer(response, request.family, &request.url, MAX_ANSWER)
    }

    /// Sends one request of a JSON/REST API (method, headers, body).
    pub fn call(&self, call: &ApiCall) -> Result<Answer, Failure> {
        let agent = self.agent(Family::Any, call.url.starts_with("https://"))?;
        let url = call.url.as_str();
        let fail = |e| self.failure(e, Family::Any, url);
        let response = match call.method {
            Method::Get => {
                let mut builder = agent.get(url);
                for (name, value) in &call.headers {
                    builder = builder.header(*name, value.as_str());
                }
                builder.call().map_err(fail)?
            }
            Method::Post | Method::Put | Method::Patch => {
                let mut builder = match call.method {
                    Method::Post => agent.post(url),
                    Method::Put => agent.put(url),
                    _ => agent.patch(url),
                };
                for (name, value) in &call.headers {
                    builder = builder.header(*name, value.as_str());
                }
                let body = call.body.as_deref().unwrap_or("");
                builder
                    .header("Content-Type", call.content_type)
                    .send(body.as_bytes())
                    .map_err(fail)?
            }
        };
        self.read_answer(response, Family::Any, url, MAX_API_ANSWER)
    }

    fn read_answer(
        &self,
        mut response: ureq::http::Response<ureq::Body>,
        family: Family,
        url: &str,
        cap: usize,
    ) -> Result<Answer, Failure> {
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let location = header("location");
        let retry_after = header("retry-after").and_then(|v| v.trim().parse::<u64>().ok());

        let mut body = Vec::with_capacity(256);
        response
            .body_mut()
            .as_reader()
            .take(cap as u64)
            .read_to_end(&mut body)
            .map_err(|e| self.failure(ureq::Error::from(e), family, url))?;
        Ok(Answer {
            status,
            body: String::from_utf8_lossy(&body).into_owned(),
            location,
            retry_after,
        })
    }

    /// Sorts a transport error into its exit code, naming the server it concerns.
    /// A request forced onto one family names it, and the likely cause when this
    /// host has no route of that family (a resolver then finds no address either).
    fn failure(&self, error: ureq::Error, family: Family, url: &str) -> Failure {
        let family = self.keep_to(family);
        let mut failure = self.classify(error, family);
        failure.message = format!("{}: {}", authority(url), failure.message);
        let name = match family {
            Family::Any => return failure,
            Family::V4 => "IPv4",
            Family::V6 => "IPv6",
        };
        failure.message = if failure.exit == Exit::Network && !route::has_default_route(family) {
            format!(
                "{name}: this host has no {name} route ({})",
                failure.message
            )
        } else {
            format!("{name}: {}", failure.message)
        };
        failure
    }

    fn classify(&self, error: ureq::Error, family: Family) -> Failure {
        let secs = self.settings.timeout.as_secs();
        let network = |message: String| Failure::new(Exit::Network, message);
        match error {
            ureq::Error::Io(e) => io_failure(&e),
            ureq::Error::Timeout(phase) => {
                network(format!("no answer within {secs}s (timed out: {phase})"))
            }
            ureq::Error::HostNotFound => network(match family {
                Family::Any => "cannot resolve the server's name".to_string(),
                Family::V4 => "the server has no IPv4 address".to_string(),
                Family::V6 => "the server has no IPv6 address".to_string(),
            }),
            ureq::Error::ConnectionFailed => network("cannot connect to the server".to_string()),
            ureq::Error::Rustls(e) => tls_failure(&e),
            ureq::Error::Tls(e) => Failure::new(Exit::Tls, format!("TLS: {e}")),
            other => network(format!("HTTP exchange failed: {other}")),
        }
    }
}

/// Looks names up in the calling thread, where ureq's own resolver starts a thread
/// per lookup to time it out: the lookup is bounded by the C library's resolver
/// (resolv.conf `timeout` and `attempts`) instead of `--timeout`, and the binary
/// carries no thread machinery (cross/README.md has the figure).
#[derive(Debug)]
struct InlineResolver;

/// How many addresses `ResolvedSocketAddrs` holds.
const RESOLVED_MAX: usize = 16;

impl Resolver for InlineResolver {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        config: &ureq::config::Config,
        _timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let host_port = uri
            .scheme()
            .zip(uri.authority())
            .and_then(|(scheme, authority)| DefaultResolver::host_and_port(scheme, authority))
            .ok_or(ureq::Error::HostNotFound)?;
        let found = std::net::ToSocketAddrs::to_socket_addrs(host_port.as_str())?;
        let mut addrs = self.empty();
        for addr in config.ip_family().keep_wanted(found).take(RESOLVED_MAX) {
            addrs.push(addr);
        }
        if addrs.is_empty() {
            Err(ureq::Error::HostNotFound)
        } else {
            Ok(addrs)
        }
    }
}

/// `host[:port]` of a URL (which never carries credentials: `--server` refuses them).
fn authority(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.split(['/', '?']).next().unwrap_or(rest)
}

#[cfg(feature = "builtin-roots")]
fn builtin_roots() -> Result<RootCerts, Failure> {
    Ok(RootCerts::WebPki)
}

#[cfg(not(feature = "builtin-roots"))]
fn builtin_roots() -> Result<RootCerts, Failure> {
    Err(Failure::new(
        Exit::Tls,
        format!(
            "no trusted certificates: {SYSTEM_BUNDLE} is missing and this build has no \
             built-in roots; install ca-bundle or pass --cacert"
        ),
    ))
}

fn tls_failure(error: &rustls::Error) -> Failure {
    Failure::new(Exit::Tls, format!("TLS refused, nothing was sent: {error}"))
}

fn io_failure(error: &io::Error) -> Failure {
    if let Some(tls) = error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    {
        return tls_failure(tls);
    }
    let what = match error.kind() {
        io::ErrorKind::ConnectionRefused => "connection refused".to_string(),
        io::ErrorKind::ConnectionReset => "connection reset by the server".to_string(),
        io::ErrorKind::UnexpectedEof => {
            "the connection closed before the answer was complete".to_string()
        }
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => "timed out".to_string(),
        io::ErrorKind::HostUnreachable | io::ErrorKind::NetworkUnreachable => {
            "no route to the server".to_string()
        }
        _ => format!("network error: {error}"),
    };
    Failure::new(Exit::Network, what)
}
