//! DNS messages (RFC 1035 section 4, RFC 2136 section 2): the UPDATE dynup
//! sends, and the checks its reply must pass before anything in it is believed.

use std::net::{Ipv4Addr, Ipv6Addr};

use super::name::{self, Name};
use super::tsig;
use super::WireError;

pub const TYPE_A: u16 = 1;
pub const TYPE_SOA: u16 = 6;
pub const TYPE_AAAA: u16 = 28;
pub const TYPE_TSIG: u16 = 250;
pub const CLASS_IN: u16 = 1;
pub const CLASS_ANY: u16 = 255;

const HEADER_LEN: usize = 12;
const OPCODE_UPDATE: u16 = 5;
const FLAG_QR: u16 = 0x8000;
const FLAG_TC: u16 = 0x0200;

/// Bigger than any reply to an UPDATE (a header, the zone and a TSIG record:
/// a few hundred bytes), small enough to refuse junk early.
pub const MAX_MESSAGE: usize = 4096;

/// The data of a record dynup publishes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rdata {
    A(Ipv4Addr),
    Aaaa(Ipv6Addr),
}

impl Rdata {
    pub fn rtype(self) -> u16 {
        match self {
            Rdata::A(_) => TYPE_A,
            Rdata::Aaaa(_) => TYPE_AAAA,
        }
    }
}

/// Replace the RRset of `name` of this type by one record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub name: Name,
    pub ttl: u32,
    pub rdata: Rdata,
}

/// An unsigned UPDATE for `zone`: for each change, "delete the RRset" (class ANY,
/// TTL 0, no data; RFC 2136 section 2.5.2) then "add this record" (2.5.1).
/// No prerequisites: the result is the same whatever the zone held.
/// Names are written uncompressed: the message is small and stays simple.
pub fn encode_update(id: u16, zone: &Name, changes: &[Change]) -> Vec<u8> {
    let mut out = Vec::with_capacity(512);
    let updates = (changes.len() * 2) as u16;
    for field in [id, OPCODE_UPDATE << 11, 1, 0, updates, 0] {
        out.extend_from_slice(&field.to_be_bytes());
    }
    out.extend_from_slice(zone.wire());
    out.extend_from_slice(&TYPE_SOA.to_be_bytes());
    out.extend_from_slice(&CLASS_IN.to_be_bytes());
    for change in changes {
        let rtype = change.rdata.rtype();
        write_rr_head(&mut out, &change.name, rtype, CLASS_ANY, 0);
        out.extend_from_slice(&0u16.to_be_bytes());

        write_rr_head(&mut out, &change.name, rtype, CLASS_IN, change.ttl);
        let data: Vec<u8> = match change.rdata {
            Rdata::A(v4) => v4.octets().to_vec(),
            Rdata::Aaaa(v6) => v6.octets().to_vec(),
        };
        out.extend_from_slice(&(data.len() as u16).to_be_bytes());
        out.extend_from_slice(&data);
    }
    out
}

/// Owner name, type, class and TTL of a record.
pub fn write_rr_head(out: &mut Vec<u8>, name: &Name, rtype: u16, class: u16, ttl: u32) {
    out.extend_from_slice(name.wire());
    out.extend_from_slice(&rtype.to_be_bytes());
    out.extend_from_slice(&class.to_be_bytes());
    out.extend_from_slice(&ttl.to_be_bytes());
}

/// The parts of a reply that dynup acts on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    pub id: u16,
    /// The header's RCODE (no EDNS, so 4 bits).
    pub rcode: u8,
    /// TC set: the whole reply must be fetched over TCP. Nothing past the header was read.
    pub truncated: bool,
    /// The TSIG record, when the last additional record is one.
    pub tsig: Option<tsig::Record>,
    /// Where the TSIG record starts: the signed part of the message ends here.
    pub tsig_start: usize,
}

fn u16_at(message: &[u8], pos: usize) -> Result<u16, WireError> {
    match message.get(pos..pos + 2) {
        Some(&[hi, lo]) => Ok(u16::from_be_bytes([hi, lo])),
        _ => Err(WireError::Truncated),
    }
}

/// Checks `message` as the reply to the UPDATE with `id` for `zone`.
///
/// A pure function over bytes: any input gives a `Reply` or a `WireError`.
pub fn decode_reply(message: &[u8], id: u16, zone: &Name) -> Result<Reply, WireError> {
    if message.len() > MAX_MESSAGE {
        return Err(WireError::Oversized);
    }
    if message.len() < HEADER_LEN {
        return Err(WireError::Truncated);
    }
    let field = |i: usize| u16_at(message, 2 * i);
    if field(0)? != id {
        return Err(WireError::WrongId);
    }
    let flags = field(1)?;
    if flags & FLAG_QR == 0 || (flags >> 11) & 0xF != OPCODE_UPDATE {
        return Err(WireError::NotUpdateReply);
    }
    let rcode = (flags & 0xF) as u8;
    if flags & FLAG_TC != 0 {
        return Ok(Reply {
            id,
            rcode,
            truncated: true,
            tsig: None,
            tsig_start: message.len(),
        });
    }
    let (zones, prereqs, updates, additional) = (field(2)?, field(3)?, field(4)?, field(5)?);

    let mut pos = HEADER_LEN;
    // Servers echo the zone section; one that leaves it out (some do in error
    // replies) is not wrong, one that names something else is.
    if zones > 1 {
        return Err(WireError::WrongZone);
    }
    if zones == 1 {
        let (name, after) = name::decode(message, pos)?;
        let (rtype, class) = (u16_at(message, after)?, u16_at(message, after + 2)?);
        if !name.same_as(zone) || rtype != TYPE_SOA || class != CLASS_IN {
            return Err(WireError::WrongZone);
        }
        pos = after + 4;
    }
    for _ in 0..u32::from(prereqs) + u32::from(updates) {
        pos = skip_record(message, pos)?.end;
    }
    let mut tsig = None;
    let mut tsig_start = message.len();
    for i in 0..additional {
        let record = skip_record(message, pos)?;
        if record.rtype == TYPE_TSIG {
            if i + 1 != additional || record.class != CLASS_ANY {
                return Err(WireError::BadTsig);
            }
            tsig = Some(tsig::Record::decode(
                message,
                record.owner,
                record.rdata,
                record.end,
            )?);
            tsig_start = pos;
        }
        pos = record.end;
    }
    if pos != message.len() {
        return Err(WireError::Oversized);
    }
    Ok(Reply {
        id,
        rcode,
        truncated: false,
        tsig,
        tsig_start,
    })
}

/// Where a record's parts are.
struct RecordSpan {
    owner: Name,
    rtype: u16,
    class: u16,
    rdata: usize,
    end: usize,
}

fn skip_record(message: &[u8], pos: usize) -> Result<RecordSpan, WireError> {
    let (owner, after) = name::decode(message, pos)?;
    let rtype = u16_at(message, after)?;
    let class = u16_at(message, after + 2)?;
    let rdlength = usize::from(u16_at(message, after + 8)?);
    let rdata = after + 10;
    let end = rdata + rdlength;
    if end > message.len() {
        return Err(WireError::Truncated);
    }
    Ok(RecordSpan {
        owner,
        rtype,
        class,
        rdata,
        end,
    })
}

/// RCODE names (RFC 1035, RFC 2136 section 2.2) for messages.
pub fn rcode_name(rcode: u8) -> &'static str {
    match rcode {
        0 => "NOERROR",
        1 => "FORMERR",
        2 => "SERVFAIL",
        3 => "NXDOMAIN",
        4 => "NOTIMP",
        5 => "REFUSED",
        6 => "YXDOMAIN",
        7 => "YXRRSET",
        8 => "NXRRSET",
        9 => "NOTAUTH",
        10 => "NOTZONE",
        _ => "an unknown RCODE",
    }
}

#[cfg(test)]
pub mod tests {
    use super::*;

    pub fn name(text: &str) -> Name {
        Name::parse(text).expect("a valid name")
    }

    /// A reply header for `id`: QR, opcode UPDATE, `rcode`, and the four counts.
    pub fn header(id: u16, rcode: u8, counts: [u16; 4]) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&id.to_be_bytes());
        out.extend_from_slice(&(0x8000u16 | 5 << 11 | u16::from(rcode)).to_be_bytes());
        for c in counts {
            out.extend_from_slice(&c.to_be_bytes());
        }
        out
    }

    /// A reply echoing `zone`, with no records.
    pub fn reply(id: u16, rcode: u8, zone: &str) -> Vec<u8> {
        let mut out = header(id, rcode, [1, 0, 0, 0]);
        out.extend_from_slice(name(zone).wire());
        out.extend_from_slice(&[0, 6, 0, 1]);
        out
    }

    #[test]
    fn the_update_has_a_delete_and_an_add_per_family() {
        let host = name("h.example.org");
        let changes = [
            Change {
                name: host.clone(),
                ttl: 60,
                rdata: Rdata::A("192.0.2.7".parse().expect("v4")),
            },
            Change {
                name: host.clone(),
                ttl: 60,
                rdata: Rdata::Aaaa("2001:db8::1".parse().expect("v6")),
            },
        ];
        let msg = encode_update(0x1234, &name("example.org"), &changes);
        let mut want = vec![0x12, 0x34, 0x28, 0, 0, 1, 0, 0, 0, 4, 0, 0];
        want.extend_from_slice(b"\x07example\x03org\x00\x00\x06\x00\x01");
        let owner = b"\x01h\x07example\x03org\x00";
        // delete A: class ANY, TTL 0, no data
        want.extend_from_slice(owner);
        want.extend_from_slice(&[0, 1, 0, 255, 0, 0, 0, 0, 0, 0]);
        // add A 60 192.0.2.7
        want.extend_from_slice(owner);
        want.extend_from_slice(&[0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 7]);
        want.extend_from_slice(owner);
        want.extend_from_slice(&[0, 28, 0, 255, 0, 0, 0, 0, 0, 0]);
        want.extend_from_slice(owner);
        want.extend_from_slice(&[0, 28, 0, 1, 0, 0, 0, 60, 0, 16, 0x20, 1, 0x0d, 0xb8]);
        want.extend_from_slice(&[0; 11]);
        want.push(1);
        assert_eq!(msg, want);
    }

    #[test]
    fn a_plain_reply_decodes() {
        let zone = name("example.org");
        let r = decode_reply(&reply(7, 0, "Example.ORG"), 7, &zone).expect("decodes");
        assert_eq!((r.rcode, r.truncated, r.tsig.is_none()), (0, false, true));
        let r = decode_reply(&reply(7, 5, "example.org"), 7, &zone).expect("decodes");
        assert_eq!(r.rcode, 5);
        let bare = header(7, 1, [0, 0, 0, 0]);
        assert_eq!(decode_reply(&bare, 7, &zone).map(|r| r.rcode), Ok(1));
    }

    #[test]
    fn wrong_replies_are_refused() {
        let zone = name("example.org");
        let good = reply(7, 0, "example.org");
        assert_eq!(decode_reply(&good, 8, &zone), Err(WireError::WrongId));
        let other_zone = reply(7, 0, "example.net");
        assert_eq!(
            decode_reply(&other_zone, 7, &zone),
            Err(WireError::WrongZone)
        );
        let mut not_soa = good.clone();
        let len = not_soa.len();
        not_soa[len - 3] = 1;
        assert_eq!(decode_reply(&not_soa, 7, &zone), Err(WireError::WrongZone));
        let mut two_zones = good.clone();
        two_zones[5] = 2;
        assert_eq!(
            decode_reply(&two_zones, 7, &zone),
            Err(WireError::WrongZone)
        );
        let mut query = good.clone();
        query[2] &= 0x7F;
        assert_eq!(
            decode_reply(&query, 7, &zone),
            Err(WireError::NotUpdateReply)
        );
        let mut opcode_query = good.clone();
        opcode_query[2] = 0x80;
        assert_eq!(
            decode_reply(&opcode_query, 7, &zone),
            Err(WireError::NotUpdateReply)
        );
        for cut in 0..good.len() {
            assert!(
                decode_reply(&good[..cut], 7, &zone).is_err(),
                "cut at {cut}"
            );
        }
        let mut trailing = good.clone();
        trailing.push(0);
        assert_eq!(decode_reply(&trailing, 7, &zone), Err(WireError::Oversized));
        let huge = vec![0u8; MAX_MESSAGE + 1];
        assert_eq!(decode_reply(&huge, 0, &zone), Err(WireError::Oversized));
        let mut more_records = good.clone();
        more_records[11] = 1;
        assert_eq!(
            decode_reply(&more_records, 7, &zone),
            Err(WireError::Truncated)
        );
    }

    #[test]
    fn truncation_is_reported_not_parsed() {
        let zone = name("example.org");
        let mut cut = header(7, 0, [1, 0, 0, 1]);
        cut[2] |= 0x02;
        let r = decode_reply(&cut, 7, &zone).expect("decodes");
        assert!(r.truncated);
    }
}
