//! The TLS crypto a client needs, and nothing else: ring's cipher suites, key
//! exchange groups and signature checks, but no private-key loading, so link-time
//! optimisation drops ring's RSA, ECDSA and Ed25519 signing (cross/README.md has
//! the figures).

use std::sync::Arc;

use rustls::crypto::ring::{cipher_suite, kx_group};
use rustls::crypto::{
    CryptoProvider, GetRandomFailed, KeyProvider, SecureRandom, WebPkiSupportedAlgorithms,
};
use rustls::pki_types::PrivateKeyDer;
use rustls::sign::SigningKey;
use rustls::SignatureScheme;
use webpki::ring as alg;

/// What dynup's HTTPS connections use, installed as rustls' process default.
pub fn client_provider() -> CryptoProvider {
    CryptoProvider {
        // AES-GCM only: TLS 1.3 requires every server to take TLS_AES_128_GCM_SHA256,
        // and TLS 1.2 servers offer ECDHE with AES-GCM. ChaCha20-Poly1305 is faster
        // without AES instructions, but an update moves a few kilobytes, while its
        // code costs 8,064 bytes on mips_24kc.
        cipher_suites: vec![
            cipher_suite::TLS13_AES_128_GCM_SHA256,
            cipher_suite::TLS13_AES_256_GCM_SHA384,
            // TLS 1.2 stays: `--server` may name any dyndns2 server.
            cipher_suite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            cipher_suite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
            cipher_suite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            cipher_suite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        ],
        // No X25519: TLS 1.3 requires every server to take secp256r1 (RFC 8446
        // section 9.1), and P-256 is linked anyway for ECDSA certificates;
        // X25519's own code would cost 21,856 bytes on mips_24kc.
        kx_groups: vec![kx_group::SECP256R1, kx_group::SECP384R1],
        signature_verification_algorithms: SIGNATURE_CHECKS,
        secure_random: &ClientOnly,
        key_provider: &ClientOnly,
    }
}

/// ECDSA P-256/P-384, RSA-PSS and RSA PKCS#1 (2048 to 8192 bits): what rustls'
/// ring provider checks, named here rather than taken from `default_provider()`,
/// which would keep every suite of it linked. Ed25519 is left out: public CAs may
/// only issue RSA and ECDSA certificates (CA/Browser Forum Baseline Requirements),
/// and its check costs 18,320 bytes on mips_24kc.
static SIGNATURE_CHECKS: WebPkiSupportedAlgorithms = WebPkiSupportedAlgorithms {
    all: &[
        alg::ECDSA_P256_SHA256,
        alg::ECDSA_P256_SHA384,
        alg::ECDSA_P384_SHA256,
        alg::ECDSA_P384_SHA384,
        alg::RSA_PSS_2048_8192_SHA256_LEGACY_KEY,
        alg::RSA_PSS_2048_8192_SHA384_LEGACY_KEY,
        alg::RSA_PSS_2048_8192_SHA512_LEGACY_KEY,
        alg::RSA_PKCS1_2048_8192_SHA256,
        alg::RSA_PKCS1_2048_8192_SHA384,
        alg::RSA_PKCS1_2048_8192_SHA512,
        alg::RSA_PKCS1_2048_8192_SHA256_ABSENT_PARAMS,
        alg::RSA_PKCS1_2048_8192_SHA384_ABSENT_PARAMS,
        alg::RSA_PKCS1_2048_8192_SHA512_ABSENT_PARAMS,
    ],
    // For TLS 1.2 the curve is not fixed by the scheme; for TLS 1.3 it is.
    mapping: &[
        (
            SignatureScheme::ECDSA_NISTP384_SHA384,
            &[alg::ECDSA_P384_SHA384, alg::ECDSA_P256_SHA384],
        ),
        (
            SignatureScheme::ECDSA_NISTP256_SHA256,
            &[alg::ECDSA_P256_SHA256, alg::ECDSA_P384_SHA256],
        ),
        (
            SignatureScheme::RSA_PSS_SHA512,
            &[alg::RSA_PSS_2048_8192_SHA512_LEGACY_KEY],
        ),
        (
            SignatureScheme::RSA_PSS_SHA384,
            &[alg::RSA_PSS_2048_8192_SHA384_LEGACY_KEY],
        ),
        (
            SignatureScheme::RSA_PSS_SHA256,
            &[alg::RSA_PSS_2048_8192_SHA256_LEGACY_KEY],
        ),
        (
            SignatureScheme::RSA_PKCS1_SHA512,
            &[alg::RSA_PKCS1_2048_8192_SHA512],
        ),
        (
            SignatureScheme::RSA_PKCS1_SHA384,
            &[alg::RSA_PKCS1_2048_8192_SHA384],
        ),
        (
            SignatureScheme::RSA_PKCS1_SHA256,
            &[alg::RSA_PKCS1_2048_8192_SHA256],
        ),
    ],
};

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
    fn checks_the_signatures_of_rustls_ring_provider_but_ed25519() {
        let ours = client_provider().signature_verification_algorithms;
        let ring = rustls::crypto::ring::default_provider().signature_verification_algorithms;
        let ring_but_ed25519: Vec<_> = ring
            .mapping
            .iter()
            .filter(|(scheme, _)| *scheme != SignatureScheme::ED25519)
            .collect();
        assert_eq!(ours.mapping.len(), ring_but_ed25519.len());
        for ((scheme, algs), (ring_scheme, ring_algs)) in ours.mapping.iter().zip(ring_but_ed25519)
        {
            assert_eq!(scheme, ring_scheme);
            assert_eq!(algs.len(), ring_algs.len(), "{scheme:?}");
        }
        assert_eq!(ours.all.len(), ring.all.len() - 1);
    }

    #[test]
    fn offers_aes_gcm_suites_of_tls13_and_tls12_and_the_nist_groups() {
        let provider = client_provider();
        let suites: Vec<String> = provider
            .cipher_suites
            .iter()
            .map(|s| format!("{:?}", s.suite()))
            .collect();
        assert_eq!(suites.len(), 6, "{suites:?}");
        assert!(suites.iter().all(|s| s.contains("AES_")), "{suites:?}");
        assert!(suites.iter().any(|s| s.starts_with("TLS13_")), "{suites:?}");
        let groups: Vec<String> = provider
            .kx_groups
            .iter()
            .map(|g| format!("{:?}", g.name()))
            .collect();
        assert_eq!(groups, ["secp256r1", "secp384r1"]);
        let mut random = [0u8; 32];
        assert!(provider.secure_random.fill(&mut random).is_ok());
        assert_ne!(random, [0u8; 32]);
    }
}
