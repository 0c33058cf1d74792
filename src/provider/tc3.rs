//! Tencent Cloud's TC3-HMAC-SHA256 (API 3.0 "Signature v3"), from
//! <https://www.tencentcloud.com/document/api/1427/56189>: a canonical request
//! (method, `/`, empty query, the signed headers `content-type` and `host`, the
//! payload's SHA-256), a string to sign over its hash with the timestamp and
//! `DATE/SERVICE/tc3_request`, and an HMAC-SHA256 chain from `TC3` + the secret
//! key through date, service and `tc3_request`. Checked against the worked
//! example the page publishes (CVM DescribeInstances at 1551113065).

use ring::{digest, hmac};

use crate::clock;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hmac_sha256(key: &[u8], data: &str) -> Vec<u8> {
    let key = hmac::Key::new(hmac::HMAC_SHA256, key);
    hmac::sign(&key, data.as_bytes()).as_ref().to_vec()
}

fn sha256_hex(data: &[u8]) -> String {
    hex(digest::digest(&digest::SHA256, data).as_ref())
}

/// `2019-02-25`: the UTC date of a UNIX time.
fn date(unix: u64) -> String {
    let (year, month, day) = clock::civil_from_days((unix / 86_400) as i64);
    format!("{year:04}-{month:02}-{day:02}")
}

/// The canonical request of a POST to `/` with no query.
fn canonical_request(content_type: &str, host: &str, payload: &[u8]) -> String {
    format!(
        "POST\n/\n\ncontent-type:{content_type}\nhost:{host}\n\ncontent-type;host\n{}",
        sha256_hex(payload)
    )
}

/// The `Authorization` header of a POST to `https://HOST/` with this content
/// type and payload, at `unix`.
pub fn authorization(
    (secret_id, secret_key): (&str, &str),
    service: &str,
    (content_type, host): (&str, &str),
    payload: &[u8],
    unix: u64,
) -> String {
    let date = date(unix);
    let scope = format!("{date}/{service}/tc3_request");
    let string_to_sign = format!(
        "TC3-HMAC-SHA256\n{unix}\n{scope}\n{}",
        sha256_hex(canonical_request(content_type, host, payload).as_bytes())
    );
    let key = [date.as_str(), service, "tc3_request"]
        .iter()
        .fold(format!("TC3{secret_key}").into_bytes(), |key, part| {
            hmac_sha256(&key, part)
        });
    let signature = hex(&hmac_sha256(&key, &string_to_sign));
    format!(
        "TC3-HMAC-SHA256 Credential={secret_id}/{scope}, SignedHeaders=content-type;host, \
         Signature={signature}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The worked example of Tencent's "Signature v3" page.
    const PAYLOAD: &str =
        r#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;
    const CONTENT_TYPE: &str = "application/json; charset=utf-8";
    const HOST: &str = "cvm.tencentcloudapi.com";

    #[test]
    fn the_documented_intermediate_values() {
        let canonical = canonical_request(CONTENT_TYPE, HOST, PAYLOAD.as_bytes());
        assert!(
            canonical
                .ends_with("\n35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"),
            "{canonical}"
        );
        assert_eq!(
            sha256_hex(canonical.as_bytes()),
            "5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031"
        );
        assert_eq!(date(1_551_113_065), "2019-02-25");
    }

    #[test]
    fn the_documented_signatures() {
        // The page's key as printed (masked with asterisks) and its older
        // EXAMPLE form, each with the signature the page gives for it.
        for (id, key, signature) in [
            (
                "AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******",
                "Gu5t9xGARNpq86cd98joQYCN3*******",
                "2230eefd229f582d8b1b891af7107b91597240707d778ab3738f756258d7652c",
            ),
            (
                "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
                "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
                "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168",
            ),
        ] {
            let header = authorization(
                (id, key),
                "cvm",
                (CONTENT_TYPE, HOST),
                PAYLOAD.as_bytes(),
                1_551_113_065,
            );
            assert_eq!(
                header,
                format!(
                    "TC3-HMAC-SHA256 Credential={id}/2019-02-25/cvm/tc3_request, \
                     SignedHeaders=content-type;host, Signature={signature}"
                )
            );
        }
    }
}
