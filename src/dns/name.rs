//! Domain names (RFC 1035 section 3.1): from text, to wire form, and back from a
//! message, following compression pointers (section 4.1.4) with loop protection.

use std::fmt;

use super::WireError;

/// The longest name on the wire, length octets and root label included.
pub const MAX_WIRE: usize = 255;
const MAX_LABEL: usize = 63;
/// More pointers than any sane message needs; strictly backwards pointers end
/// sooner anyway, this only bounds the work on hostile input.
const MAX_POINTERS: usize = 32;

/// A name in uncompressed wire form, case as given, ending with the root label.
#[derive(Clone, PartialEq, Eq)]
pub struct Name {
    wire: Vec<u8>,
}

impl Name {
    /// Parses `host.example.` or `host.example` (letters, digits, `-`, `_`).
    /// Returns a reason on failure; callers name the flag or file.
    pub fn parse(text: &str) -> Result<Name, &'static str> {
        let text = text.strip_suffix('.').unwrap_or(text);
        if text.is_empty() {
            return Err("empty name");
        }
        let mut wire = Vec::with_capacity(text.len() + 2);
        for label in text.split('.') {
            if label.is_empty() || label.len() > MAX_LABEL {
                return Err("each label must have 1 to 63 characters");
            }
            let valid = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
            if !label.bytes().all(valid) {
                return Err("only letters, digits, '-', '_' and dots are allowed");
            }
            wire.push(label.len() as u8);
            wire.extend_from_slice(label.as_bytes());
        }
        wire.push(0);
        if wire.len() > MAX_WIRE {
            return Err("longer than 253 characters");
        }
        Ok(Name { wire })
    }

    /// The root, `.`: only a stand-in where a name cannot be made.
    pub fn root() -> Name {
        Name { wire: vec![0] }
    }

    pub fn wire(&self) -> &[u8] {
        &self.wire
    }

    /// The form TSIG digests (RFC 8945 section 4.3.3): lowercase, uncompressed.
    pub fn canonical(&self) -> Vec<u8> {
        self.wire.to_ascii_lowercase()
    }

    /// The same name in lowercase, as TSIG key names are sent (nsupdate and
    /// knsupdate do; PowerDNS finds the key only by that form).
    pub fn to_lowercase(&self) -> Name {
        Name {
            wire: self.canonical(),
        }
    }

    /// Equality as DNS compares names: ASCII case does not matter.
    pub fn same_as(&self, other: &Name) -> bool {
        self.wire.eq_ignore_ascii_case(&other.wire)
    }

    /// The labels, without the root.
    fn labels(&self) -> Vec<&[u8]> {
        let mut labels = Vec::new();
        let mut pos = 0;
        while let Some(&len) = self.wire.get(pos) {
            let len = usize::from(len);
            if len == 0 {
                break;
            }
            labels.push(self.wire.get(pos + 1..pos + 1 + len).unwrap_or(&[]));
            pos += 1 + len;
        }
        labels
    }

    /// Whether this name is `zone` or below it.
    pub fn is_within(&self, zone: &Name) -> bool {
        let tail = zone.wire.len();
        if tail > self.wire.len() {
            return false;
        }
        // Compare on a label boundary only: walk this name's labels until the
        // remaining suffix has the zone's length.
        let mut pos = 0;
        while let Some(rest) = self.wire.get(pos..) {
            if rest.len() == tail {
                return rest.eq_ignore_ascii_case(&zone.wire);
            }
            match rest.first() {
                Some(&len) if len != 0 && rest.len() > tail => pos += 1 + usize::from(len),
                _ => return false,
            }
        }
        false
    }

    /// The name one label up; `None` for a single label.
    pub fn parent(&self) -> Option<Name> {
        let first = usize::from(*self.wire.first()?);
        let rest = self.wire.get(1 + first..)?;
        if rest.len() <= 1 {
            return None;
        }
        Some(Name {
            wire: rest.to_vec(),
        })
    }
}

impl fmt::Display for Name {
    /// Text without the trailing dot; bytes outside `[A-Za-z0-9-_]` as `\DDD`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let labels = self.labels();
        if labels.is_empty() {
            return f.write_str(".");
        }
        for (i, label) in labels.iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            for &b in *label {
                if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
                    write!(f, "{}", b as char)?;
                } else {
                    write!(f, "\\{b:03}")?;
                }
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Reads the name at `start` of `message`; returns it and the offset just after
/// it in the record (after the first pointer, if any).
///
/// A pointer must point strictly before every byte of the name read so far, so
/// each hop moves backwards and the walk ends; hops and length are bounded too.
pub fn decode(message: &[u8], start: usize) -> Result<(Name, usize), WireError> {
    let mut wire = Vec::with_capacity(32);
    let mut pos = start;
    // Lowest offset read so far: a pointer must go below it.
    let mut floor = start;
    let mut end = None;
    let mut hops = 0;
    loop {
        let len = *message.get(pos).ok_or(WireError::Truncated)?;
        match len & 0xC0 {
            0x00 if len == 0 => {
                wire.push(0);
                let after = end.unwrap_or(pos + 1);
                return Ok((Name { wire }, after));
            }
            0x00 => {
                let len = usize::from(len);
                let label = message
                    .get(pos + 1..pos + 1 + len)
                    .ok_or(WireError::Truncated)?;
                // One more for the root label still to come.
                if wire.len() + 1 + len + 1 > MAX_WIRE {
                    return Err(WireError::BadName);
                }
                wire.push(len as u8);
                wire.extend_from_slice(label);
                pos += 1 + len;
            }
            0xC0 => {
                let low = *message.get(pos + 1).ok_or(WireError::Truncated)?;
                let target = usize::from(len & 0x3F) << 8 | usize::from(low);
                hops += 1;
                if target >= floor || hops > MAX_POINTERS {
                    return Err(WireError::BadPointer);
                }
                end.get_or_insert(pos + 2);
                floor = target;
                pos = target;
            }
            _ => return Err(WireError::BadName),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(text: &str) -> Name {
        Name::parse(text).expect("a valid name")
    }

    #[test]
    fn text_round_trips_through_wire_form() {
        let n = name("Home.dynv6.NET.");
        assert_eq!(n.wire(), b"\x04Home\x05dynv6\x03NET\x00");
        assert_eq!(n.to_string(), "Home.dynv6.NET");
        assert_eq!(n.canonical(), b"\x04home\x05dynv6\x03net\x00");
        assert!(n.same_as(&name("home.DYNV6.net")));
        let (back, after) = decode(n.wire(), 0).expect("decodes");
        assert_eq!(back, n);
        assert_eq!(after, n.wire().len());
    }

    #[test]
    fn bad_text_is_refused() {
        let long_label = "a".repeat(64);
        let long_name = vec!["a".repeat(63); 4].join(".");
        for bad in ["", ".", "a..b", "a b", "é.example", &long_label, &long_name] {
            assert!(Name::parse(bad).is_err(), "{bad}");
        }
        assert!(Name::parse(&vec!["a".repeat(62); 4].join(".")).is_ok());
    }

    #[test]
    fn zones_and_parents() {
        let host = name("h.example.org");
        assert!(host.is_within(&name("example.org")));
        assert!(host.is_within(&name("H.Example.org")));
        assert!(!host.is_within(&name("le.org")), "label boundary");
        assert!(!host.is_within(&name("x.h.example.org")));
        assert!(!name("example.org").is_within(&host));
        assert_eq!(host.parent(), Some(name("example.org")));
        assert_eq!(name("org").parent(), None);
    }

    #[test]
    fn pointers_are_followed_backwards_only() {
        // "example.org" at 0, then "h" + pointer to 0 at 13.
        let mut msg = b"\x07example\x03org\x00".to_vec();
        msg.extend_from_slice(b"\x01h\xC0\x00");
        let (n, after) = decode(&msg, 13).expect("decodes");
        assert_eq!(n.to_string(), "h.example.org");
        assert_eq!(after, msg.len());

        // A pointer to itself, forwards, and a loop between two labels.
        assert_eq!(decode(b"\xC0\x00", 0), Err(WireError::BadPointer));
        assert_eq!(decode(b"\xC0\x02\x00", 0), Err(WireError::BadPointer));
        let looped = b"\x01a\xC0\x00";
        assert_eq!(decode(looped, 0), Err(WireError::BadPointer));
        assert_eq!(decode(looped, 2), Err(WireError::BadPointer));
    }

    #[test]
    fn malformed_names_are_errors() {
        assert_eq!(decode(b"", 0), Err(WireError::Truncated));
        assert_eq!(decode(b"\x03ab", 0), Err(WireError::Truncated));
        assert_eq!(decode(b"\x01a", 0), Err(WireError::Truncated));
        assert_eq!(decode(b"\xC0", 0), Err(WireError::Truncated));
        assert_eq!(decode(b"\x41a\x00", 0), Err(WireError::BadName));
        assert_eq!(decode(b"\x81a\x00", 0), Err(WireError::BadName));
        // 128 labels of one byte each: 257 bytes on the wire.
        let mut long = b"\x01a".repeat(128);
        long.push(0);
        assert_eq!(decode(&long, 0), Err(WireError::BadName));
        let mut longest = b"\x01a".repeat(127);
        longest.push(0);
        assert!(decode(&longest, 0).is_ok(), "255 bytes is the limit");
    }

    #[test]
    fn long_pointer_chains_stop() {
        // Each name is one label and a pointer to the previous one: 40 hops.
        let mut msg = b"\x00".to_vec();
        let mut prev = 0u16;
        for _ in 0..40 {
            let here = msg.len() as u16;
            msg.extend_from_slice(&[1, b'a', 0xC0 | (prev >> 8) as u8, prev as u8]);
            prev = here;
        }
        assert_eq!(decode(&msg, usize::from(prev)), Err(WireError::BadPointer));
    }
}
