//! TSIG (RFC 8945): signing the UPDATE and verifying the server's reply with a
//! shared HMAC key, using ring's HMAC (already shipped for TLS).

use ring::hmac;

use super::key::TsigKey;
use super::message::{write_rr_head, CLASS_ANY, TYPE_TSIG};
use super::name::{self, Name};
use super::WireError;

/// Allowed clock difference, the value RFC 8945 section 10 recommends.
pub const FUDGE: u16 = 300;

/// TSIG error codes (RFC 8945 section 3).
pub const BADSIG: u16 = 16;
pub const BADKEY: u16 = 17;
pub const BADTIME: u16 = 18;
pub const BADTRUNC: u16 = 22;

/// The HMAC algorithms ring provides (RFC 8945 section 6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Algorithm {
    HmacSha1,
    HmacSha256,
    HmacSha384,
    HmacSha512,
}

impl Algorithm {
    /// From the name in a key file (`hmac-sha256`, any case, optional final dot).
    pub fn from_name(text: &str) -> Option<Algorithm> {
        let text = text.strip_suffix('.').unwrap_or(text).to_ascii_lowercase();
        Some(match text.as_str() {
            "hmac-sha1" => Algorithm::HmacSha1,
            "hmac-sha256" => Algorithm::HmacSha256,
            "hmac-sha384" => Algorithm::HmacSha384,
            "hmac-sha512" => Algorithm::HmacSha512,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Algorithm::HmacSha1 => "hmac-sha1",
            Algorithm::HmacSha256 => "hmac-sha256",
            Algorithm::HmacSha384 => "hmac-sha384",
            Algorithm::HmacSha512 => "hmac-sha512",
        }
    }

    /// The algorithm's name as it goes on the wire.
    pub fn wire_name(self) -> Name {
        // Every name above is a valid domain name; the fallback is never taken.
        Name::parse(self.name()).unwrap_or_else(|_| Name::root())
    }

    pub fn ring(self) -> hmac::Algorithm {
        match self {
            Algorithm::HmacSha1 => hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
            Algorithm::HmacSha256 => hmac::HMAC_SHA256,
            Algorithm::HmacSha384 => hmac::HMAC_SHA384,
            Algorithm::HmacSha512 => hmac::HMAC_SHA512,
        }
    }
}

/// A TSIG record's data (RFC 8945 section 4.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub key_name: Name,
    pub algorithm: Name,
    /// Seconds since the epoch, 48 bits on the wire.
    pub time_signed: u64,
    pub fudge: u16,
    pub mac: Vec<u8>,
    pub original_id: u16,
    pub error: u16,
    pub other: Vec<u8>,
}

impl Record {
    /// Reads the data of a TSIG record owned by `key_name`, at `rdata..end`.
    pub fn decode(
        message: &[u8],
        key_name: Name,
        rdata: usize,
        end: usize,
    ) -> Result<Record, WireError> {
        // Nothing of the record may be read from past its end.
        let message = message.get(..end).ok_or(WireError::BadTsig)?;
        let (algorithm, mut pos) = name::decode(message, rdata).map_err(|_| WireError::BadTsig)?;
        let mut take = |n: usize| -> Result<&[u8], WireError> {
            let bytes = message.get(pos..pos + n).ok_or(WireError::BadTsig)?;
            pos += n;
            Ok(bytes)
        };
        let number = |bytes: &[u8]| bytes.iter().fold(0u64, |n, &b| n << 8 | u64::from(b));
        let time_signed = number(take(6)?);
        let fudge = number(take(2)?) as u16;
        let mac_len = number(take(2)?) as usize;
        let mac = take(mac_len)?.to_vec();
        let original_id = number(take(2)?) as u16;
        let error = number(take(2)?) as u16;
        let other_len = number(take(2)?) as usize;
        let other = take(other_len)?.to_vec();
        if pos != end {
            return Err(WireError::BadTsig);
        }
        Ok(Record {
            key_name,
            algorithm,
            time_signed,
            fudge,
            mac,
            original_id,
            error,
            other,
        })
    }

    /// The server's clock in a BADTIME reply (RFC 8945 section 5.2.3).
    pub fn server_time(&self) -> Option<u64> {
        match self.other.as_slice() {
            bytes if bytes.len() == 6 => {
                Some(bytes.iter().fold(0u64, |n, &b| n << 8 | u64::from(b)))
            }
            _ => None,
        }
    }

    /// Whether `now` is within the fudge of the time the record was signed.
    pub fn time_ok(&self, now: u64) -> bool {
        now.abs_diff(self.time_signed) <= u64::from(self.fudge)
    }
}

pub fn error_name(error: u16) -> String {
    match error {
        BADSIG => "BADSIG".to_string(),
        BADKEY => "BADKEY".to_string(),
        BADTIME => "BADTIME".to_string(),
        19 => "BADMODE".to_string(),
        20 => "BADNAME".to_string(),
        21 => "BADALG".to_string(),
        BADTRUNC => "BADTRUNC".to_string(),
        other => format!("TSIG error {other}"),
    }
}

/// The TSIG variables (RFC 8945 section 4.3.3) in canonical form.
fn variables(out: &mut Vec<u8>, record: &Record) {
    out.extend_from_slice(&record.key_name.canonical());
    out.extend_from_slice(&CLASS_ANY.to_be_bytes());
    out.extend_from_slice(&0u32.to_be_bytes());
    out.extend_from_slice(&record.algorithm.canonical());
    out.extend_from_slice(&record.time_signed.to_be_bytes()[2..]);
    out.extend_from_slice(&record.fudge.to_be_bytes());
    out.extend_from_slice(&record.error.to_be_bytes());
    out.extend_from_slice(&(record.other.len() as u16).to_be_bytes());
    out.extend_from_slice(&record.other);
}

/// What the MAC covers: the request's MAC for a reply (section 4.3.1), the
/// message as it was before the TSIG record was added, and the variables.
fn digest_input(request_mac: Option<&[u8]>, unsigned: &[u8], record: &Record) -> Vec<u8> {
    let mut data = Vec::with_capacity(unsigned.len() + 300);
    if let Some(mac) = request_mac {
        data.extend_from_slice(&(mac.len() as u16).to_be_bytes());
        data.extend_from_slice(mac);
    }
    data.extend_from_slice(unsigned);
    variables(&mut data, record);
    data
}

/// Signs the unsigned `message` in place: appends the TSIG record, counts it in
/// ARCOUNT, and returns the MAC (the reply's MAC covers it).
pub fn sign(message: &mut Vec<u8>, key: &TsigKey, time: u64) -> Vec<u8> {
    let id = match message.get(..2) {
        Some(&[hi, lo]) => u16::from_be_bytes([hi, lo]),
        _ => 0,
    };
    let mut record = Record {
        key_name: key.name.to_lowercase(),
        algorithm: key.algorithm.wire_name(),
        time_signed: time & 0xFFFF_FFFF_FFFF,
        fudge: FUDGE,
        mac: Vec::new(),
        original_id: id,
        error: 0,
        other: Vec::new(),
    };
    let hmac_key = hmac::Key::new(key.algorithm.ring(), key.secret_bytes());
    let tag = hmac::sign(&hmac_key, &digest_input(None, message, &record));
    record.mac = tag.as_ref().to_vec();

    write_rr_head(message, &record.key_name, TYPE_TSIG, CLASS_ANY, 0);
    let mut rdata = record.algorithm.wire().to_vec();
    rdata.extend_from_slice(&record.time_signed.to_be_bytes()[2..]);
    rdata.extend_from_slice(&record.fudge.to_be_bytes());
    rdata.extend_from_slice(&(record.mac.len() as u16).to_be_bytes());
    rdata.extend_from_slice(&record.mac);
    rdata.extend_from_slice(&record.original_id.to_be_bytes());
    rdata.extend_from_slice(&record.error.to_be_bytes());
    rdata.extend_from_slice(&0u16.to_be_bytes());
    message.extend_from_slice(&(rdata.len() as u16).to_be_bytes());
    message.extend_from_slice(&rdata);
    if let Some(count) = message.get_mut(10..12) {
        let arcount = u16::from_be_bytes([count[0], count[1]]).wrapping_add(1);
        count.copy_from_slice(&arcount.to_be_bytes());
    }
    record.mac
}

/// Whether `record`, found at `start` of `message`, carries a valid MAC by `key`.
/// `request_mac` is the MAC of the request this message answers, if it is a reply.
/// Time is not judged here: see `Record::time_ok`.
pub fn verify(
    message: &[u8],
    start: usize,
    record: &Record,
    key: &TsigKey,
    request_mac: Option<&[u8]>,
) -> bool {
    let Some(signed) = message.get(..start) else {
        return false;
    };
    if signed.len() < 12 {
        return false;
    }
    // The message as the signer saw it: its original ID, without the TSIG record.
    let mut unsigned = signed.to_vec();
    unsigned[..2].copy_from_slice(&record.original_id.to_be_bytes());
    let arcount = u16::from_be_bytes([unsigned[10], unsigned[11]]);
    let Some(arcount) = arcount.checked_sub(1) else {
        return false;
    };
    unsigned[10..12].copy_from_slice(&arcount.to_be_bytes());
    let hmac_key = hmac::Key::new(key.algorithm.ring(), key.secret_bytes());
    let data = digest_input(request_mac, &unsigned, record);
    hmac::verify(&hmac_key, &data, &record.mac).is_ok()
}

#[cfg(test)]
pub mod tests {
    use super::*;
    use crate::dns::key;
    use crate::dns::message::{decode_reply, tests as msg};

    pub fn key(line: &str) -> TsigKey {
        key::parse_line(line, "test").expect("a key")
    }

    /// A reply for zone example.org to `request_mac`, as a server makes it:
    /// signed by `key` at `time` when `signed`, else with an empty MAC.
    pub fn signed_reply(
        key: &TsigKey,
        request_mac: &[u8],
        (id, rcode): (u16, u8),
        (time, error, other): (u64, u16, &[u8]),
        signed: bool,
    ) -> Vec<u8> {
        let mut reply = msg::reply(id, rcode, "example.org");
        let mut record = Record {
            key_name: key.name.clone(),
            algorithm: key.algorithm.wire_name(),
            time_signed: time,
            fudge: FUDGE,
            mac: Vec::new(),
            original_id: id,
            error,
            other: other.to_vec(),
        };
        if signed {
            let hmac_key = hmac::Key::new(key.algorithm.ring(), key.secret_bytes());
            let data = digest_input(Some(request_mac), &reply, &record);
            record.mac = hmac::sign(&hmac_key, &data).as_ref().to_vec();
        }
        write_rr_head(&mut reply, &record.key_name, TYPE_TSIG, CLASS_ANY, 0);
        let mut rdata = record.algorithm.wire().to_vec();
        rdata.extend_from_slice(&time.to_be_bytes()[2..]);
        rdata.extend_from_slice(&FUDGE.to_be_bytes());
        rdata.extend_from_slice(&(record.mac.len() as u16).to_be_bytes());
        rdata.extend_from_slice(&record.mac);
        rdata.extend_from_slice(&id.to_be_bytes());
        rdata.extend_from_slice(&error.to_be_bytes());
        rdata.extend_from_slice(&(other.len() as u16).to_be_bytes());
        rdata.extend_from_slice(other);
        reply.extend_from_slice(&(rdata.len() as u16).to_be_bytes());
        reply.extend_from_slice(&rdata);
        reply[11] = 1;
        reply
    }

    #[test]
    fn a_signed_request_verifies_and_a_changed_byte_does_not() {
        for alg in ["hmac-sha1", "hmac-sha256", "hmac-sha384", "hmac-sha512"] {
            let key = key(&format!("{alg}:k.example:c2VjcmV0IGtleSBieXRlcw=="));
            let mut request = msg::reply(9, 0, "example.org");
            request[2] &= 0x7F; // a request, not a reply
            let mac = sign(&mut request, &key, 1_700_000_000);
            assert_eq!(
                mac.len(),
                key.algorithm.ring().digest_algorithm().output_len()
            );
            let mut as_reply = request.clone();
            as_reply[2] |= 0x80;
            let zone = msg::name("example.org");
            let decoded = decode_reply(&as_reply, 9, &zone).expect("decodes");
            let record = decoded.tsig.expect("signed");
            assert_eq!(record.mac, mac);
            assert_eq!(record.time_signed, 1_700_000_000);
            assert!(verify(&request, decoded.tsig_start, &record, &key, None));
            assert!(!verify(&as_reply, decoded.tsig_start, &record, &key, None));
            let other = self::key(&format!("{alg}:k.example:b3RoZXIgc2VjcmV0"));
            assert!(!verify(&request, decoded.tsig_start, &record, &other, None));
        }
    }

    #[test]
    fn the_key_name_goes_on_the_wire_in_lowercase() {
        // PowerDNS looks the key up by the name as sent, and the MAC covers the
        // lowercase form (RFC 8945 section 4.3.3): send that form, as nsupdate does.
        let key = key("hmac-sha256:Dynup-Key.Example:c2VjcmV0IGtleSBieXRlcw==");
        let mut request = msg::reply(9, 0, "example.org");
        request[2] &= 0x7F;
        sign(&mut request, &key, 1_700_000_000);
        let mut as_reply = request.clone();
        as_reply[2] |= 0x80;
        let decoded = decode_reply(&as_reply, 9, &msg::name("example.org")).expect("decodes");
        let record = decoded.tsig.expect("signed");
        assert_eq!(record.key_name.wire(), b"\x09dynup-key\x07example\x00");
        assert!(verify(&request, decoded.tsig_start, &record, &key, None));
    }

    #[test]
    fn a_reply_is_bound_to_its_request() {
        let key = key("hmac-sha256:k.example:c2VjcmV0IGtleSBieXRlcw==");
        let reply = signed_reply(&key, b"request mac", (9, 0), (1_700_000_000, 0, b""), true);
        let zone = msg::name("example.org");
        let decoded = decode_reply(&reply, 9, &zone).expect("decodes");
        let record = decoded.tsig.expect("signed");
        let start = decoded.tsig_start;
        assert!(verify(&reply, start, &record, &key, Some(b"request mac")));
        assert!(!verify(&reply, start, &record, &key, Some(b"another mac")));
        assert!(!verify(&reply, start, &record, &key, None));
        assert!(record.time_ok(1_700_000_300));
        assert!(!record.time_ok(1_700_000_301));
        assert!(!record.time_ok(1_699_999_699));
    }

    #[test]
    fn malformed_tsig_records_are_errors() {
        let key = key("hmac-sha256:k.example:c2VjcmV0IGtleSBieXRlcw==");
        let reply = signed_reply(&key, b"m", (9, 0), (1_700_000_000, 0, b""), true);
        let zone = msg::name("example.org");
        // Every cut of the record, and an RDLENGTH one too long or too short.
        for cut in 29..reply.len() {
            assert!(decode_reply(&reply[..cut], 9, &zone).is_err(), "cut {cut}");
        }
        let rdlength_at = 29 + key.name.wire().len() + 8;
        for delta in [1i16, -1] {
            let mut bad = reply.clone();
            let len = u16::from_be_bytes([bad[rdlength_at], bad[rdlength_at + 1]]);
            let len = (len as i16 + delta) as u16;
            bad[rdlength_at..rdlength_at + 2].copy_from_slice(&len.to_be_bytes());
            assert!(decode_reply(&bad, 9, &zone).is_err(), "delta {delta}");
        }
        // A TSIG that is not the last record.
        let mut not_last = reply.clone();
        not_last[11] = 2;
        not_last.extend_from_slice(b"\x00\x00\x01\x00\x01\x00\x00\x00\x00\x00\x00");
        assert_eq!(decode_reply(&not_last, 9, &zone), Err(WireError::BadTsig));
    }

    /// An UPDATE that BIND 9.18's `nsupdate -y hmac-sha256:k.example:c2VjcmV0IGtleSBieXRlcw==`
    /// sent (zone example.org, delete h.example.org A, add h.example.org 60 A 192.0.2.7),
    /// captured from a UDP socket. nsupdate compresses the update section's names.
    const NSUPDATE_SHA256: &str =
        "040128000001000000020001076578616d706c65036f726700000600010168c00c\
        000100ff000000000000c01d000100010000003c0004c0000207016b076578616d706c650000fa00ff0000\
        0000003d0b686d61632d7368613235360000006b037582012c00203876129b7555236f43df16972227231a\
        0c9f5f740da6cba49fd85d70db44c72c040100000000";

    fn unhex(text: &str) -> Vec<u8> {
        let digits: Vec<u8> = text.bytes().filter(u8::is_ascii_hexdigit).collect();
        digits
            .chunks(2)
            .map(|pair| {
                u8::from_str_radix(std::str::from_utf8(pair).unwrap_or("00"), 16).unwrap_or(0)
            })
            .collect()
    }

    /// Checks a request signed by BIND's tools: dynup verifies it, and dynup's
    /// signer, given the same unsigned bytes and time, writes the same TSIG record.
    fn same_as_bind(request: &[u8], key: &TsigKey) {
        let id = u16::from_be_bytes([request[0], request[1]]);
        let mut as_reply = request.to_vec();
        as_reply[2] |= 0x80;
        let zone = msg::name("example.org");
        let decoded = decode_reply(&as_reply, id, &zone).expect("nsupdate's message decodes");
        let record = decoded.tsig.expect("nsupdate signed it");
        assert_eq!(record.fudge, FUDGE);
        assert!(verify(request, decoded.tsig_start, &record, key, None));
        let wrong = self::key(&format!("{}:k.example:d3Jvbmc=", key.algorithm.name()));
        assert!(!verify(request, decoded.tsig_start, &record, &wrong, None));

        let mut unsigned = request[..decoded.tsig_start].to_vec();
        unsigned[11] -= 1;
        let mac = sign(&mut unsigned, key, record.time_signed);
        assert_eq!(mac, record.mac);
        assert_eq!(unsigned, request, "byte for byte what nsupdate sent");
    }

    #[test]
    fn a_captured_nsupdate_message_is_verified_and_reproduced() {
        let key = key("hmac-sha256:k.example:c2VjcmV0IGtleSBieXRlcw==");
        same_as_bind(&unhex(NSUPDATE_SHA256), &key);
    }

    /// Kills and reaps the child when the test ends, however it ends.
    struct Reaped(std::process::Child);

    impl Drop for Reaped {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }

    /// Runs `nsupdate -y KEY` against a UDP socket on loopback and returns the
    /// datagram it sends. nsupdate comes from bind9-dnsutils (tests/deps.sh).
    fn capture_nsupdate(key_line: &str) -> Vec<u8> {
        use std::io::Write;
        use std::process::{Command, Stdio};
        let socket = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind loopback");
        socket
            .set_read_timeout(Some(std::time::Duration::from_secs(10)))
            .expect("timeout");
        let port = socket.local_addr().expect("port").port();
        let child = Command::new("nsupdate")
            .args(["-t", "5", "-u", "5", "-r", "0", "-y", key_line])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nsupdate (Debian bind9-dnsutils; tests/deps.sh installs it)");
        let mut child = Reaped(child);
        let script = format!(
            "server 127.0.0.1 {port}\nzone example.org\nupdate delete h.example.org A\n\
             update add h.example.org 60 A 192.0.2.7\nupdate delete h.example.org AAAA\n\
             update add h.example.org 60 AAAA 2001:db8::1\nsend\n"
        );
        if let Some(mut stdin) = child.0.stdin.take() {
            stdin
                .write_all(script.as_bytes())
                .expect("write to nsupdate");
        }
        let mut buf = [0u8; 4096];
        let n = socket.recv(&mut buf).expect("nsupdate sent an UPDATE");
        buf[..n].to_vec()
    }

    #[test]
    fn nsupdate_of_each_algorithm_is_verified_and_reproduced() {
        for alg in ["hmac-sha256", "hmac-sha512", "hmac-sha1", "hmac-sha384"] {
            let line = format!("{alg}:k.example:bnN1cGRhdGUgaW50ZXJvcCBrZXk=");
            let request = capture_nsupdate(&line);
            same_as_bind(&request, &key(&line));
        }
    }

    /// A tiny xorshift generator: the same sequence on every run.
    struct XorShift(u64);

    impl XorShift {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n.max(1) as u64) as usize
        }
    }

    /// Thousands of mutated and cut replies: the decoder and the verifier return
    /// values (never panic), and most mutations are refused.
    #[test]
    fn mutated_replies_give_errors_not_panics() {
        let key = key("hmac-sha256:k.example:c2VjcmV0IGtleSBieXRlcw==");
        let zone = msg::name("example.org");
        let mut captured = unhex(NSUPDATE_SHA256);
        captured[2] |= 0x80;
        let captured_id = u16::from_be_bytes([captured[0], captured[1]]);
        let bases: Vec<(Vec<u8>, u16)> = vec![
            (
                signed_reply(&key, b"mac", (9, 0), (1_700_000_000, 0, b""), true),
                9,
            ),
            (
                signed_reply(
                    &key,
                    b"mac",
                    (9, 9),
                    (1_700_000_000, 18, &[0, 0, 1, 2, 3, 4]),
                    true,
                ),
                9,
            ),
            (msg::reply(9, 5, "example.org"), 9),
            (captured, captured_id),
        ];
        for (base, id) in &bases {
            assert!(decode_reply(base, *id, &zone).is_ok());
        }
        let mut rng = XorShift(0x2136_8945_1035_0001);
        let (mut refused, mut accepted) = (0, 0);
        for _ in 0..5000 {
            let (base, id) = &bases[rng.below(bases.len())];
            let mut m = base.clone();
            for _ in 0..1 + rng.below(4) {
                let at = rng.below(m.len());
                match rng.below(6) {
                    0 => m[at] ^= 1 << rng.below(8),
                    1 => m.truncate(at),
                    2 => m.insert(at, rng.next() as u8),
                    3 if at + 1 < m.len() => {
                        // A compression pointer to anywhere.
                        m[at] = 0xC0 | (rng.next() as u8 & 0x3F);
                        m[at + 1] = rng.next() as u8;
                    }
                    4 => m[at] = [0, 0x3F, 0x40, 0xFF][rng.below(4)],
                    _ => {
                        let from = rng.below(m.len());
                        let chunk: Vec<u8> = m[from..].iter().take(20).copied().collect();
                        m.splice(at..at, chunk);
                    }
                }
                if m.is_empty() {
                    break;
                }
            }
            match decode_reply(&m, *id, &zone) {
                Ok(reply) => {
                    accepted += 1;
                    if let Some(record) = &reply.tsig {
                        let _ = verify(&m, reply.tsig_start, record, &key, Some(b"mac"));
                        let _ = record.server_time();
                    }
                }
                Err(error) => {
                    refused += 1;
                    assert!(!error.to_string().is_empty());
                }
            }
            let _ = name::decode(&m, rng.below(m.len() + 2));
        }
        assert!(refused > 2500, "refused {refused}, accepted {accepted}");
    }
}
