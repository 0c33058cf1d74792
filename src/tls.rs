//! The TLS crypto a client needs, and nothing else: ring's cipher suites, key
//! exchange groups and signature checks, but no private-key loading, so link-time
//! optimisation drops ring's RSA, ECDSA and Ed25519 signing (cross/README.md has
//! the figures).

use std::sync::Arc;

use rustls::crypto::ring::{cipher_suite, default_provider, kx_group};
use rustls::crypto::{CryptoProvider, GetRandomFailed, KeyProvider, SecureRandom};
use rustls::pki_types::PrivateKeyDer;
use rustls::sign::SigningKey;

/// What dynup's HTTPS connections use, installed as rustls' process default.
pub fn client_provider() -> CryptoProvider {
    CryptoProvider {
        cipher_suites: vec![
            cipher_suite::TLS13_AES_128_GCM_SHA256,
            cipher_suite::TLS13_AES_256_GCM_SHA384,
            cipher_suite::TLS13_CHACHA20_POLY1305_SHA256,
            // TLS 1.2 stays: `--server` may name any dyndns2 server.
            cipher_suite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            cipher_suite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
            cipher_suite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
            cipher_suite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            cipher_suite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
            cipher_suite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        ],
        kx_groups: vec![kx_group::X25519, kx_group::SECP256R1, kx_group::SECP384R1],
        // ECDSA P-256/P-384, Ed25519, RSA-PSS and RSA PKCS#1: everything a server may use.
        signature_verification_algorithms: default_provider().signature_verification_algorithms,
        secure_random: &ClientOnly,
        key_provider: &ClientOnly,
    }
}

/// Random bytes from ring; refuses private keys (dynup sends no client certificate).
#[derive(Debug)]
struct ClientOnly;

impl SecureRandom for ClientOnly {
    fn fill(&self, buf: &mut [u8]) -> Result<(), GetRandomFailed> {
        use ring::rand::SecureRandom as _;
        ring::rand::SystemRandom::new()
            .fill(buf)
            .map_err(|_| GetRandomFailed)
    }
}

impl KeyProvider for ClientOnly {
    fn load_private_key(
        &self,
        _key: PrivateKeyDer<'static>,
    ) -> Result<Arc<dyn SigningKey>, rustls::Error> {
        Err(rustls::Error::General(
            "client certificates are not supported".into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offers_tls13_and_tls12_suites_and_the_usual_groups() {
        let provider = client_provider();
        assert_eq!(provider.cipher_suites.len(), 9);
        assert_eq!(provider.kx_groups.len(), 3);
        assert!(provider.fips() == default_provider().fips());
        let mut random = [0u8; 32];
        assert!(provider.secure_random.fill(&mut random).is_ok());
        assert_ne!(random, [0u8; 32]);
    }
}
