//! The throwaway RSA key of the transip and gcp tests (tests/keys/, made for
//! these tests only) and the check of a signature made with it, as the real
//! APIs check one: with the public key alone.

use std::path::PathBuf;

use base64::Engine;
use ring::signature::{RsaKeyPair, UnparsedPublicKey, VerificationAlgorithm};

use super::{write_secret, TempDir};

/// The key, PKCS#8 PEM (with a line of text before it, as PEM files may have).
pub const KEY_PEM: &str = include_str!("../keys/throwaway-test-rsa.pem");

/// The same key as PKCS#1 (`BEGIN RSA PRIVATE KEY`).
pub const KEY_PEM_PKCS1: &str = include_str!("../keys/throwaway-test-rsa-pkcs1.pem");

/// Another key pair, which no fake account knows.
pub const KEY_PEM_OTHER: &str = include_str!("../keys/throwaway-test-rsa-other.pem");

/// The key's public half (DER RSAPublicKey), what an account registers.
pub fn public_key() -> Vec<u8> {
    let body: String = KEY_PEM
        .lines()
        .skip_while(|l| !l.starts_with("-----BEGIN PRIVATE KEY-----"))
        .skip(1)
        .take_while(|l| !l.starts_with("-----END"))
        .collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(body)
        .expect("test key base64");
    let pair = RsaKeyPair::from_pkcs8(&der).expect("test key");
    ring::signature::KeyPair::public_key(&pair)
        .as_ref()
        .to_vec()
}

/// Whether `signature` is the key's signature of `message` under `algorithm`.
pub fn verifies(
    algorithm: &'static dyn VerificationAlgorithm,
    message: &[u8],
    signature: &[u8],
) -> bool {
    UnparsedPublicKey::new(algorithm, public_key())
        .verify(message, signature)
        .is_ok()
}

/// The key as pasted into one UCI option: from its BEGIN line, on one line.
pub fn pem_on_one_line() -> String {
    let at = KEY_PEM.find("-----BEGIN").expect("a PEM key");
    KEY_PEM[at..].trim().replace('\n', " ")
}

/// A service account's JSON key file holding [`KEY_PEM`], as Google's console
/// downloads it, for `account` of `project`.
pub fn json_key(account: &str, project: &str) -> String {
    let pem = KEY_PEM
        .lines()
        .skip_while(|l| !l.starts_with("-----BEGIN"))
        .collect::<Vec<_>>()
        .join("\\n");
    format!(
        r#"{{
  "type": "service_account",
  "project_id": "{project}",
  "private_key_id": "0123456789abcdef",
  "private_key": "{pem}\\n",
  "client_email": "{account}",
  "token_uri": "https://oauth2.googleapis.com/token"
}}"#
    )
}

/// The key written to `dir/name` (mode 0600), for --password-file.
pub fn write_key(dir: &TempDir, name: &str, pem: &str) -> PathBuf {
    write_secret(dir, name, pem)
}
