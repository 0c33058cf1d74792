//! An account's RSA private key, for the APIs that sign with one (transip's
//! login, gcp's service-account JWT): read from PEM, PKCS#8 (`BEGIN PRIVATE
//! KEY`, as Google and TransIP hand them out) or PKCS#1 (`BEGIN RSA PRIVATE
//! KEY`), and used for PKCS#1 v1.5 signatures with ring.
//!
//! The PEM may have lost its line breaks (pasted into one UCI option, as
//! ddns-scripts' users do) or carry `\n` escapes (copied from a JSON key file):
//! every blank and escape between the markers is dropped before the base64 is read.

use base64::Engine;
use ring::rand::SystemRandom;
use ring::signature::{RsaEncoding, RsaKeyPair};

use super::api::Fail;
use crate::config::Job;
use crate::exit::{Exit, Failure};

pub struct RsaKey(RsaKeyPair);

/// The base64 body between `-----BEGIN LABEL-----` and `-----END LABEL-----`,
/// and whether LABEL is `RSA PRIVATE KEY` (PKCS#1).
fn pem_body(text: &str) -> Result<(String, bool), &'static str> {
    let at = text.find("-----BEGIN ").ok_or("no -----BEGIN line")?;
    let rest = &text[at + "-----BEGIN ".len()..];
    let (label, rest) = rest.split_once("-----").ok_or("a broken -----BEGIN line")?;
    if !label.ends_with("PRIVATE KEY") || label.contains("ENCRYPTED") {
        return Err("not an unencrypted PRIVATE KEY");
    }
    let end = rest.find("-----END ").ok_or("no -----END line")?;
    let body: String = rest[..end]
        .replace("\\n", "")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    Ok((body, label == "RSA PRIVATE KEY"))
}

impl RsaKey {
    /// The key of a PEM text; `Err` says what is wrong, never any of the key.
    pub fn from_pem(text: &str) -> Result<RsaKey, String> {
        let (body, pkcs1) = pem_body(text).map_err(|why| format!("not a PEM key: {why}"))?;
        let der = base64::engine::general_purpose::STANDARD
            .decode(body)
            .map_err(|_| "not a PEM key: its body is not base64".to_string())?;
        let pair = match pkcs1 {
            true => RsaKeyPair::from_der(&der),
            false => RsaKeyPair::from_pkcs8(&der),
        };
        pair.map(RsaKey)
            .map_err(|why| format!("not an RSA private key of 2048 to 8192 bits: {why}"))
    }

    /// The public key (DER RSAPublicKey), for tests that check a signature.
    #[cfg(test)]
    pub fn public_key(&self) -> &[u8] {
        self.0.public().as_ref()
    }

    /// The PKCS#1 v1.5 signature of `data` (deterministic: ring's random
    /// source is asked for nothing by this padding).
    pub fn sign(&self, encoding: &'static dyn RsaEncoding, data: &[u8]) -> Result<Vec<u8>, Fail> {
        let mut signature = vec![0; self.0.public().modulus_len()];
        self.0
            .sign(encoding, &SystemRandom::new(), data, &mut signature)
            .map_err(|_| Fail::new(Exit::Unexpected, "signing with the RSA key failed"))?;
        Ok(signature)
    }
}

/// The job's key (its password), or the usage error that names where it came from.
pub fn of(job: &Job) -> Result<RsaKey, Failure> {
    RsaKey::from_pem(job.secret_value()).map_err(|why| {
        Failure::usage(format!(
            "{}: the private key (the password) is {why}",
            job.preset.name
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::signature::{UnparsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256};

    const PKCS8: &str = include_str!("../../tests/keys/throwaway-test-rsa.pem");
    const PKCS1: &str = include_str!("../../tests/keys/throwaway-test-rsa-pkcs1.pem");

    fn verifies(key: &RsaKey) -> bool {
        let signature = key.sign(&RSA_PKCS1_SHA256, b"body").expect("signs");
        UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, key.public_key())
            .verify(b"body", &signature)
            .is_ok()
    }

    #[test]
    fn both_pem_forms_read_and_sign() {
        assert!(verifies(&RsaKey::from_pem(PKCS8).expect("pkcs8")));
        assert!(verifies(&RsaKey::from_pem(PKCS1).expect("pkcs1")));
    }

    #[test]
    fn a_key_on_one_line_or_with_json_escapes_reads() {
        let one_line = PKCS8.replace('\n', " ");
        assert!(RsaKey::from_pem(&one_line).is_ok());
        let escaped = PKCS8.replace('\n', "\\n");
        assert!(RsaKey::from_pem(&escaped).is_ok());
    }

    #[test]
    fn what_is_not_a_key_is_named_without_the_key() {
        let err = |text: &str| RsaKey::from_pem(text).err().expect("refused");
        assert_eq!(err("secret"), "not a PEM key: no -----BEGIN line");
        let encrypted =
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----";
        assert_eq!(
            err(encrypted),
            "not a PEM key: not an unencrypted PRIVATE KEY"
        );
        let truncated = PKCS8.replace("-----END PRIVATE KEY-----", "");
        assert_eq!(err(&truncated), "not a PEM key: no -----END line");
        let bad = "-----BEGIN PRIVATE KEY-----\nc2VjcmV0\n-----END PRIVATE KEY-----";
        let why = err(bad);
        assert!(why.starts_with("not an RSA private key"), "{why}");
        assert!(!why.contains("c2VjcmV0"));
    }
}
