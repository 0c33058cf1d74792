//! One standard query (RFC 1035 section 4) and its answer: the A or AAAA
//! records of one name, for the registered-address check. Recursion is asked
//! for, as the server is usually the router's own resolver; an authoritative
//! server answers its zones all the same.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::message::{CLASS_IN, MAX_MESSAGE, TYPE_A, TYPE_AAAA};
use super::name::{self, Name};
use super::WireError;

const HEADER_LEN: usize = 12;
const TYPE_CNAME: u16 = 5;
const FLAG_QR: u16 = 0x8000;
const FLAG_TC: u16 = 0x0200;
const FLAG_RD: u16 = 0x0100;
/// CNAME hops followed within one answer; resolvers give whole chains, and
/// longer ones are broken anyway.
const MAX_CHAIN: usize = 8;

/// A query for the `rtype` records of `name`, class IN, recursion desired.
pub fn encode_query(id: u16, name: &Name, rtype: u16) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN + name.wire().len() + 4);
    for field in [id, FLAG_RD, 1, 0, 0, 0] {
        out.extend_from_slice(&field.to_be_bytes());
    }
    out.extend_from_slice(name.wire());
    out.extend_from_slice(&rtype.to_be_bytes());
    out.extend_from_slice(&CLASS_IN.to_be_bytes());
    out
}

/// What a reply to [`encode_query`] says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    pub rcode: u8,
    /// TC set: ask again over TCP. Nothing past the header was read.
    pub truncated: bool,
    /// The addresses of the name (or of the end of its CNAME chain), in answer order.
    pub addrs: Vec<IpAddr>,
}

fn u16_at(message: &[u8], pos: usize) -> Result<u16, WireError> {
    match message.get(pos..pos + 2) {
        Some(&[hi, lo]) => Ok(u16::from_be_bytes([hi, lo])),
        _ => Err(WireError::Truncated),
    }
}

/// One answer record, its data still in the message.
struct Record {
    owner: Name,
    rtype: u16,
    class: u16,
    rdata: usize,
    end: usize,
}

fn read_record(message: &[u8], pos: usize) -> Result<Record, WireError> {
    let (owner, after) = name::decode(message, pos)?;
    let rtype = u16_at(message, after)?;
    let class = u16_at(message, after + 2)?;
    let rdata = after + 10;
    let end = rdata + usize::from(u16_at(message, after + 8)?);
    if end > message.len() {
        return Err(WireError::Truncated);
    }
    Ok(Record {
        owner,
        rtype,
        class,
        rdata,
        end,
    })
}

/// Checks `message` as the reply to the query `id` for the `rtype` records of
/// `name`, and collects the addresses. A pure function over bytes: any input
/// gives an `Answer` or a `WireError`. Authority and additional sections are
/// not read: nothing in them is believed.
pub fn decode_answer(
    message: &[u8],
    id: u16,
    name: &Name,
    rtype: u16,
) -> Result<Answer, WireError> {
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
    if flags & FLAG_QR == 0 || (flags >> 11) & 0xF != 0 {
        return Err(WireError::NotQueryReply);
    }
    let rcode = (flags & 0xF) as u8;
    if flags & FLAG_TC != 0 {
        return Ok(Answer {
            rcode,
            truncated: true,
            addrs: Vec::new(),
        });
    }
    let (questions, answers) = (field(2)?, field(3)?);
    let mut pos = HEADER_LEN;
    // Some servers leave the question out of error replies; one that asks
    // something else answers another query.
    match questions {
        0 if rcode != 0 => {}
        1 => {
            let (asked, after) = name::decode(message, pos)?;
            let (qtype, qclass) = (u16_at(message, after)?, u16_at(message, after + 2)?);
            if !asked.same_as(name) || qtype != rtype || qclass != CLASS_IN {
                return Err(WireError::WrongQuestion);
            }
            pos = after + 4;
        }
        _ => return Err(WireError::WrongQuestion),
    }
    let mut records = Vec::with_capacity(usize::from(answers));
    for _ in 0..answers {
        let record = read_record(message, pos)?;
        pos = record.end;
        records.push(record);
    }
    // The names that stand for `name`: itself and the targets of its CNAME chain.
    let mut chain = vec![name.clone()];
    for _ in 0..MAX_CHAIN {
        let last = &chain[chain.len() - 1];
        let next = records
            .iter()
            .find(|r| r.rtype == TYPE_CNAME && r.class == CLASS_IN && r.owner.same_as(last));
        match next {
            Some(record) => {
                let (target, _) = name::decode(message, record.rdata)?;
                if chain.iter().any(|n| n.same_as(&target)) {
                    break;
                }
                chain.push(target);
            }
            None => break,
        }
    }
    let mut addrs = Vec::new();
    for record in &records {
        if record.rtype != rtype
            || record.class != CLASS_IN
            || !chain.iter().any(|n| n.same_as(&record.owner))
        {
            continue;
        }
        let data = &message[record.rdata..record.end];
        let addr = match (rtype, data.len()) {
            (TYPE_A, 4) => IpAddr::V4(Ipv4Addr::new(data[0], data[1], data[2], data[3])),
            (TYPE_AAAA, 16) => {
                let mut octets = [0u8; 16];
                octets.copy_from_slice(data);
                IpAddr::V6(Ipv6Addr::from(octets))
            }
            _ => return Err(WireError::BadAddress),
        };
        addrs.push(addr);
    }
    Ok(Answer {
        rcode,
        truncated: false,
        addrs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(text: &str) -> Name {
        Name::parse(text).expect("a valid name")
    }

    /// A reply to the query: header with `rcode` and the answer count, the
    /// question echoed, then `answers` as raw bytes.
    fn reply(id: u16, rcode: u8, qname: &str, rtype: u16, count: u16, answers: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        for field in [id, 0x8180 | u16::from(rcode), 1, count, 0, 0] {
            out.extend_from_slice(&field.to_be_bytes());
        }
        out.extend_from_slice(name(qname).wire());
        out.extend_from_slice(&rtype.to_be_bytes());
        out.extend_from_slice(&[0, 1]);
        out.extend_from_slice(answers);
        out
    }

    /// A record: owner as a pointer to the question name (offset 12), or a
    /// name in full, then type, class IN, TTL 60 and the data.
    fn record(owner: Option<&str>, rtype: u16, data: &[u8]) -> Vec<u8> {
        let mut out = match owner {
            None => vec![0xC0, 12],
            Some(text) => name(text).wire().to_vec(),
        };
        out.extend_from_slice(&rtype.to_be_bytes());
        out.extend_from_slice(&[0, 1, 0, 0, 0, 60]);
        out.extend_from_slice(&(data.len() as u16).to_be_bytes());
        out.extend_from_slice(data);
        out
    }

    #[test]
    fn the_query_asks_for_recursion_and_one_question() {
        let msg = encode_query(0xBEEF, &name("h.example.org"), TYPE_AAAA);
        let mut want = vec![0xBE, 0xEF, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
        want.extend_from_slice(b"\x01h\x07example\x03org\x00\x00\x1c\x00\x01");
        assert_eq!(msg, want);
    }

    #[test]
    fn addresses_are_read_in_order_and_through_a_cname() {
        let host = name("h.example.org");
        let answers = [
            record(None, TYPE_A, &[192, 0, 2, 7]),
            record(None, TYPE_A, &[192, 0, 2, 8]),
        ]
        .concat();
        let msg = reply(9, 0, "h.example.org", TYPE_A, 2, &answers);
        let answer = decode_answer(&msg, 9, &host, TYPE_A).expect("decodes");
        let want: Vec<IpAddr> = vec![[192, 0, 2, 7].into(), [192, 0, 2, 8].into()];
        assert_eq!(answer.addrs, want);

        let target = name("t.example.net");
        let answers = [
            record(None, TYPE_CNAME, target.wire()),
            record(
                Some("t.example.net"),
                TYPE_AAAA,
                &[0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
            ),
            // Not on the chain: ignored.
            record(
                Some("x.example.net"),
                TYPE_AAAA,
                &[0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
            ),
        ]
        .concat();
        let msg = reply(9, 0, "H.Example.ORG", TYPE_AAAA, 3, &answers);
        let answer = decode_answer(&msg, 9, &host, TYPE_AAAA).expect("decodes");
        let v6: Ipv6Addr = "2001:db8::1".parse().expect("v6");
        assert_eq!(answer.addrs, vec![IpAddr::V6(v6)]);
    }

    #[test]
    fn nxdomain_and_nodata_decode_with_no_address() {
        let host = name("h.example.org");
        let nx = reply(3, 3, "h.example.org", TYPE_A, 0, &[]);
        let answer = decode_answer(&nx, 3, &host, TYPE_A).expect("decodes");
        assert_eq!((answer.rcode, answer.addrs.len()), (3, 0));
        let nodata = reply(3, 0, "h.example.org", TYPE_A, 0, &[]);
        let answer = decode_answer(&nodata, 3, &host, TYPE_A).expect("decodes");
        assert_eq!((answer.rcode, answer.addrs.len()), (0, 0));
    }

    #[test]
    fn wrong_replies_are_refused() {
        let host = name("h.example.org");
        let good = reply(
            5,
            0,
            "h.example.org",
            TYPE_A,
            1,
            &record(None, TYPE_A, &[192, 0, 2, 1]),
        );
        assert!(decode_answer(&good, 5, &host, TYPE_A).is_ok());
        assert_eq!(
            decode_answer(&good, 6, &host, TYPE_A),
            Err(WireError::WrongId)
        );
        assert_eq!(
            decode_answer(&good, 5, &name("x.example.org"), TYPE_A),
            Err(WireError::WrongQuestion)
        );
        assert_eq!(
            decode_answer(&good, 5, &host, TYPE_AAAA),
            Err(WireError::WrongQuestion)
        );
        let mut query = good.clone();
        query[2] &= 0x7F;
        assert_eq!(
            decode_answer(&query, 5, &host, TYPE_A),
            Err(WireError::NotQueryReply)
        );
        let mut update = good.clone();
        update[2] |= 5 << 3;
        assert_eq!(
            decode_answer(&update, 5, &host, TYPE_A),
            Err(WireError::NotQueryReply)
        );
        let short = reply(
            5,
            0,
            "h.example.org",
            TYPE_A,
            1,
            &record(None, TYPE_A, &[192, 0, 2]),
        );
        assert_eq!(
            decode_answer(&short, 5, &host, TYPE_A),
            Err(WireError::BadAddress)
        );
        for cut in 0..good.len() {
            assert!(
                decode_answer(&good[..cut], 5, &host, TYPE_A).is_err(),
                "cut at {cut}"
            );
        }
        let huge = vec![0u8; MAX_MESSAGE + 1];
        assert_eq!(
            decode_answer(&huge, 0, &host, TYPE_A),
            Err(WireError::Oversized)
        );
    }

    #[test]
    fn a_cname_loop_ends() {
        let host = name("a.example.org");
        let answers = [
            record(None, TYPE_CNAME, name("b.example.org").wire()),
            record(
                Some("b.example.org"),
                TYPE_CNAME,
                name("a.example.org").wire(),
            ),
        ]
        .concat();
        let msg = reply(1, 0, "a.example.org", TYPE_A, 2, &answers);
        let answer = decode_answer(&msg, 1, &host, TYPE_A).expect("decodes");
        assert!(answer.addrs.is_empty());
    }

    #[test]
    fn truncation_is_reported_not_parsed() {
        let mut cut = reply(4, 0, "h.example.org", TYPE_A, 3, &[]);
        cut[2] |= 0x02;
        let answer = decode_answer(&cut, 4, &name("h.example.org"), TYPE_A).expect("decodes");
        assert!(answer.truncated);
    }
}
