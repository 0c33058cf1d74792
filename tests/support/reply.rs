//! Replies: how the mock answers a request.

use super::Recorded;

/// How the mock answers a request (after recording it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Behaviour {
    /// Status, headers and body as given.
    Normal,
    /// Read and record the request, then never answer: keep the connection
    /// open for up to 30 s or until the Mock is dropped, then close it.
    Hang,
    /// Send the status and headers with `Content-Length: 1000`, then only
    /// 10 bytes of body (the reply's body, padded with 'x'), then close
    /// (without TLS close_notify).
    CloseMidBody,
    /// The reply's status with a body of 4 MiB of 'x' (Content-Length set),
    /// streamed in chunks; write errors (client hung up) are ignored.
    Huge,
}

/// A canned response.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub body: String,
    /// Sent in order after the status line. `Content-Length` and
    /// `Connection: close` are added unless present here.
    pub headers: Vec<(String, String)>,
    pub behaviour: Behaviour,
}

impl Reply {
    /// 200 with `Content-Type: text/plain`.
    pub fn ok(body: &str) -> Reply {
        Reply::status(200, body)
    }

    /// Any status with `Content-Type: text/plain`.
    pub fn status(code: u16, body: &str) -> Reply {
        Reply {
            status: code,
            body: body.to_string(),
            headers: vec![("Content-Type".to_string(), "text/plain".to_string())],
            behaviour: Behaviour::Normal,
        }
    }

    /// Sets a header, replacing any of the same name (case-insensitive).
    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    /// Adds a header, keeping any of the same name (e.g. a second
    /// `WWW-Authenticate`).
    pub fn add_header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    /// Removes every header of that name (e.g. the default Content-Type).
    pub fn without_header(mut self, name: &str) -> Reply {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self
    }

    pub fn behaviour(mut self, b: Behaviour) -> Reply {
        self.behaviour = b;
        self
    }

    /// `{myip}` in the body becomes the addresses the request set, as a dyndns2
    /// server echoes them ("good 203.0.113.7"): its myip, myipv4 and myipv6
    /// values, or the address it came from when it named none (`auto`); one
    /// line per host of its `hostname` list, as dyndns2 answers several hosts.
    pub(super) fn for_request(mut self, request: &Recorded) -> Reply {
        if self.body.contains("{myip}") {
            let named: Vec<&str> = ["myip", "myipv4", "myipv6"]
                .iter()
                .flat_map(|key| request.params(key))
                .flat_map(|value| value.split(','))
                .filter(|value| !value.is_empty())
                .collect();
            let echoed = if named.is_empty() {
                request.peer.ip().to_string()
            } else {
                named.join(",")
            };
            let hosts = request
                .param("hostname")
                .map_or(1, |list| list.split(',').count());
            let line = self.body.replace("{myip}", &echoed);
            self.body = vec![line.trim_end(); hosts].join("\n");
        }
        self
    }

    pub(super) fn has_header(&self, name: &str) -> bool {
        self.headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case(name))
    }
}

pub(super) fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        413 => "Content Too Large",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}
