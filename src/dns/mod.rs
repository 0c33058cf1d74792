//! DNS UPDATE (RFC 2136) signed with TSIG (RFC 8945): the wire codec, the
//! signatures, the key files and the UDP/TCP exchange; and the one query a
//! registered-address check needs (A or AAAA of a name). Small on purpose.

pub mod key;
pub mod message;
pub mod name;
pub mod query;
pub mod transport;
pub mod tsig;

use std::fmt;

/// Why bytes from the network were not accepted as a DNS message.
/// The decoder returns one of these for any input; it never panics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WireError {
    /// The message ends before a field it announces.
    Truncated,
    /// Longer than any reply to an UPDATE can be, or bytes after the last record.
    Oversized,
    /// A label of type 01 or 10 (extended labels, retired by RFC 6891, and reserved),
    /// or a name over 255 bytes.
    BadName,
    /// A compression pointer that does not point strictly backwards, or too many of them.
    BadPointer,
    /// The ID is not the one sent: a stale or forged reply.
    WrongId,
    /// Not a response, or not to an UPDATE.
    NotUpdateReply,
    /// The zone section names another zone, type or class, or has more than one entry.
    WrongZone,
    /// A TSIG record that is malformed or not the last record.
    BadTsig,
    /// Not a response, or not to a standard query.
    NotQueryReply,
    /// The question section asks about another name, type or class.
    WrongQuestion,
    /// An A or AAAA record whose data is not 4 or 16 bytes.
    BadAddress,
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            WireError::Truncated => "the message is truncated",
            WireError::Oversized => "the message is larger than an UPDATE reply can be",
            WireError::BadName => "a name in the message is malformed",
            WireError::BadPointer => "a compression pointer in the message is invalid",
            WireError::WrongId => "the reply's ID is not the request's",
            WireError::NotUpdateReply => "the message is not a reply to an UPDATE",
            WireError::WrongZone => "the reply names another zone",
            WireError::BadTsig => "the reply's TSIG record is malformed",
            WireError::NotQueryReply => "the message is not a reply to a query",
            WireError::WrongQuestion => "the reply answers another question",
            WireError::BadAddress => "an address record in the reply has the wrong length",
        })
    }
}
