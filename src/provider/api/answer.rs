//! Reading answers: a provider's JSON or the failure its status and body mean.

use crate::exit::{Exit, Failure};
use crate::http::Answer;
use crate::json::{self, Value};

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

/// The answer as JSON, or the failure its status means (a 5xx page is not JSON).
pub fn json_of(answer: &Answer) -> Result<Value, Fail> {
    json::parse(&answer.body).map_err(|why| {
        let mut failure = crate::provider::status_failure(answer);
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
        text.push_str(&crate::provider::excerpt(message));
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
