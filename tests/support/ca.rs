//! Certificates: a throwaway certificate authority made at test time.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::unique;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// A throwaway certificate authority, made at test time.
pub struct TestCa {
    issuer: CertifiedIssuer<'static, KeyPair>,
    id: u64,
}

impl TestCa {
    /// A new self-signed CA (ECDSA P-256, `is_ca = Ca(Unconstrained)`).
    pub fn new() -> TestCa {
        let id = unique();
        let mut params = CertificateParams::default();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        params.distinguished_name.push(
            DnType::CommonName,
            format!("dynup test CA {} {}", std::process::id(), id),
        );
        params
            .distinguished_name
            .push(DnType::OrganizationName, "dynup tests");
        let key = KeyPair::generate().expect("generate CA key");
        let issuer = CertifiedIssuer::self_signed(params, key).expect("self-sign CA");
        TestCa { issuer, id }
    }

    /// The CA certificate, PEM.
    pub fn cert_pem(&self) -> String {
        self.issuer.pem()
    }

    /// The CA certificate, DER.
    pub fn cert_der(&self) -> CertificateDer<'static> {
        self.issuer.der().clone()
    }

    /// Writes the CA certificate as `ca-N.pem` (N unique per CA in this
    /// process) into `dir` and returns its path.
    pub fn write_pem(&self, dir: &Path) -> PathBuf {
        let path = dir.join(format!("ca-{}.pem", self.id));
        fs::write(&path, self.cert_pem()).expect("write CA PEM");
        path
    }

    /// A root store holding only this CA (for rustls clients in tests).
    pub fn root_store(&self) -> rustls::RootCertStore {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(self.cert_der()).expect("add CA to root store");
        roots
    }

    /// A rustls client config (ring provider) trusting only this CA.
    pub fn client_config(&self) -> Arc<rustls::ClientConfig> {
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("client protocol versions")
        .with_root_certificates(self.root_store())
        .with_no_client_auth();
        Arc::new(config)
    }

    /// A server certificate for "localhost", 127.0.0.1 and ::1, signed by
    /// this CA: (chain of leaf only, private key).
    pub fn issue_server(&self) -> (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>) {
        self.issue_for(&["localhost", "127.0.0.1", "::1"])
    }

    /// A server certificate for the given subject alternative names (DNS
    /// names or IP literals), signed by this CA.
    pub fn issue_for(
        &self,
        sans: &[&str],
    ) -> (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>) {
        let names: Vec<String> = sans.iter().map(|s| s.to_string()).collect();
        let mut params = CertificateParams::new(names).expect("server cert params");
        params.distinguished_name.push(
            DnType::CommonName,
            sans.first().copied().unwrap_or("dynup test server"),
        );
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.use_authority_key_identifier_extension = true;
        let key = KeyPair::generate().expect("generate server key");
        let cert = params
            .signed_by(&key, &self.issuer)
            .expect("sign server cert");
        let key_der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        (vec![cert.der().clone()], key_der)
    }

    /// A rustls server config (ring provider, safe default versions) with a
    /// certificate for `sans` from this CA.
    pub fn server_config_for(&self, sans: &[&str]) -> Arc<rustls::ServerConfig> {
        let (chain, key) = self.issue_for(sans);
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("server protocol versions")
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .expect("server certificate");
        Arc::new(config)
    }
}

impl Default for TestCa {
    fn default() -> Self {
        TestCa::new()
    }
}
