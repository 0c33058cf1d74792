//! AWS Signature Version 4, from
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html>:
//! a canonical request (method, path, sorted query, sorted signed headers, the
//! payload's SHA-256), a string to sign over its hash with the date and scope,
//! and an HMAC-SHA256 chain from `AWS4` + the secret key through date, region,
//! service and `aws4_request`. Checked against the published test suite's
//! get-vanilla and get-vanilla-query-order-key-case. Huawei Cloud's
//! SDK-HMAC-SHA256 (huaweicloud.rs) builds the same canonical request and date.

use ring::{digest, hmac};

use crate::clock;

/// Who signs, and for what.
pub struct Credentials<'a> {
    pub access_key: &'a str,
    pub secret_key: &'a str,
    pub region: &'a str,
    pub service: &'a str,
}

/// The two headers a signed request adds.
pub struct Signature {
    /// `X-Amz-Date`: `20150830T123600Z`.
    pub amz_date: String,
    pub authorization: String,
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex(digest::digest(&digest::SHA256, data).as_ref())
}

pub fn hmac_sha256(key: &[u8], data: &str) -> Vec<u8> {
    let key = hmac::Key::new(hmac::HMAC_SHA256, key);
    hmac::sign(&key, data.as_bytes()).as_ref().to_vec()
}

/// `20150830T123600Z` for a UNIX time.
pub fn amz_date(unix: u64) -> String {
    let (year, month, day) = clock::civil_from_days((unix / 86_400) as i64);
    let rem = unix % 86_400;
    format!(
        "{year:04}{month:02}{day:02}T{:02}{:02}{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Signs a request. `path` and `query` are as sent (already percent-encoded;
/// `query` with its parameters in any order); `headers` are the other headers
/// to sign besides `host` and `x-amz-date`, names in lower case.
pub fn sign(
    creds: &Credentials,
    (method, host, path, query): (&str, &str, &str, &str),
    headers: &[(&str, &str)],
    payload: &[u8],
    unix: u64,
) -> Signature {
    let amz_date = amz_date(unix);
    let date = &amz_date[..8];
    let mut signed: Vec<(&str, &str)> = vec![("host", host), ("x-amz-date", &amz_date)];
    signed.extend_from_slice(headers);
    let (canonical, signed_names) = canonical_request((method, path, query), signed, payload);
    let scope = format!("{date}/{}/{}/aws4_request", creds.region, creds.service);
    let to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
        sha256_hex(canonical.as_bytes())
    );
    let mut key = hmac_sha256(format!("AWS4{}", creds.secret_key).as_bytes(), date);
    for part in [creds.region, creds.service, "aws4_request"] {
        key = hmac_sha256(&key, part);
    }
    let signature = hex(&hmac_sha256(&key, &to_sign));
    Signature {
        authorization: format!(
            "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={signed_names}, Signature={signature}",
            creds.access_key
        ),
        amz_date,
    }
}

/// The canonical request and the signed header names (`host;x-amz-date`):
/// method, path, the query's parameters sorted, the `headers` (names in lower
/// case) sorted with their values trimmed, and the payload's SHA-256.
pub fn canonical_request(
    (method, path, query): (&str, &str, &str),
    mut headers: Vec<(&str, &str)>,
    payload: &[u8],
) -> (String, String) {
    let mut params: Vec<&str> = query.split('&').filter(|p| !p.is_empty()).collect();
    params.sort_unstable();
    headers.sort_unstable();
    let canonical_headers: String = headers
        .iter()
        .map(|(name, value)| format!("{name}:{}\n", value.trim()))
        .collect();
    let signed_names = headers
        .iter()
        .map(|(name, _)| *name)
        .collect::<Vec<_>>()
        .join(";");
    let canonical = format!(
        "{method}\n{path}\n{}\n{canonical_headers}\n{signed_names}\n{}",
        params.join("&"),
        sha256_hex(payload)
    );
    (canonical, signed_names)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The credentials and time of AWS's SigV4 test suite.
    fn suite(query: &str) -> String {
        let creds = Credentials {
            access_key: "AKIDEXAMPLE",
            secret_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            region: "us-east-1",
            service: "service",
        };
        // 2015-08-30T12:36:00Z
        sign(
            &creds,
            ("GET", "example.amazonaws.com", "/", query),
            &[],
            b"",
            1_440_938_160,
        )
        .authorization
    }

    #[test]
    fn the_published_test_suite_vectors() {
        assert_eq!(amz_date(1_440_938_160), "20150830T123600Z");
        assert_eq!(
            suite(""),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
             SignedHeaders=host;x-amz-date, \
             Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        );
        assert!(suite("Param2=value2&Param1=value1").ends_with(
            "Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"
        ));
    }
}
