//! A provider's session: its requests sent and said with -v, secrets masked.

use super::{Check, Fail};
use crate::config::Job;
use crate::http::{Answer, ApiCall, Client, Method, MAX_API_ANSWER};
use crate::json::{self, Value};
use crate::output::Out;
use crate::secret::{Redactor, Secret};

/// What a provider needs to talk: the job (endpoint, credentials, options), the
/// output (for `-v`) and the HTTP client.
pub struct Session<'a> {
    pub job: &'a Job,
    pub(super) out: &'a Out,
    pub(super) client: Client<'a>,
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
            crate::provider::excerpt(&body)
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

/// Secrets travel JSON-escaped inside bodies: mask that form too.
pub fn mask_json_forms(redactor: &mut Redactor, secret: &Secret) {
    let quoted = json::quote(secret.expose());
    let inner = &quoted[1..quoted.len() - 1];
    if inner != secret.expose() {
        redactor.add(&Secret::new(inner.to_string()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
