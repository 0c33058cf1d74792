//! Native-endian fields and addresses read from netlink bytes, never past the end.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

pub(in crate::addr) fn ip_from(data: &[u8], len: usize) -> Option<IpAddr> {
    match (len, data.get(..len)) {
        (4, Some(b)) => Some(IpAddr::V4(Ipv4Addr::new(b[0], b[1], b[2], b[3]))),
        (16, Some(b)) => {
            let mut octets = [0u8; 16];
            octets.copy_from_slice(b);
            Some(IpAddr::V6(Ipv6Addr::from(octets)))
        }
        _ => None,
    }
}

pub(in crate::addr) fn align4(len: usize) -> usize {
    len.saturating_add(3) & !3
}

/// Callers check that `at + 4 <= bytes.len()`; a short slice reads as 0.
pub(in crate::addr) fn read_u32(bytes: &[u8], at: usize) -> u32 {
    match bytes.get(at..at + 4) {
        Some(b) => u32::from_ne_bytes([b[0], b[1], b[2], b[3]]),
        None => 0,
    }
}

pub(in crate::addr) fn read_u16(bytes: &[u8], at: usize) -> u16 {
    match bytes.get(at..at + 2) {
        Some(b) => u16::from_ne_bytes([b[0], b[1]]),
        None => 0,
    }
}
