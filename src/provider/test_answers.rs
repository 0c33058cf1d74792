//! What the providers' unit tests share: a blank request, an answer, and a verdict
//! in short.

use super::{Publish, Request, Verdict};
use crate::http::{Answer, Family};

/// A request that speaks for `hosts` hosts (indices 0..hosts) and carries nothing else.
pub fn request(hosts: usize) -> Request {
    Request {
        url: String::new(),
        shown_url: String::new(),
        basic_auth: None,
        family: Family::Any,
        hosts: (0..hosts).collect(),
        publish: Publish::default(),
    }
}

/// An answer with `status` and `body`, and no redirect or retry hint.
pub fn answer(status: u16, body: &str) -> Answer {
    Answer {
        status,
        body: body.to_string(),
        location: None,
        retry_after: None,
    }
}

/// `(exit code, whether the records were changed)`: 0 for success either way.
pub fn outcome(verdict: &Verdict) -> (u8, bool) {
    match verdict {
        Verdict::Updated { .. } => (0, true),
        Verdict::Current { .. } => (0, false),
        Verdict::Failed(f) => (f.exit.code(), false),
    }
}
