//! Which interface address to publish: pure rules over the kernel's list, each
//! rejection with its reason so that `--show-addresses` can say why.
//!
//! IPv6: global unicast (2000::/3) only, or ULA (fc00::/7) with `--allow-ula`;
//! never link-local, loopback, multicast, tentative, dadfailed or deprecated.
//! Among the usable ones: global before ULA, stable before temporary (privacy),
//! then the longest preferred lifetime, then the lowest address.
//!
//! IPv4: private (RFC 1918), CGNAT (100.64/10), link-local and loopback only with
//! `--allow-private`; "this network", multicast and reserved never. Among the
//! usable ones: public before the others, primary before secondary, then the
//! longest preferred lifetime, then the lowest address.

use std::cmp::Reverse;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::netlink::{IfAddr, IFA_F_DADFAILED, IFA_F_DEPRECATED, IFA_F_TEMPORARY, IFA_F_TENTATIVE};

/// What the user allows beyond the defaults.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Rules {
    pub allow_ula: bool,
    pub allow_private: bool,
    /// Temporary (privacy) addresses turned down rather than ranked last: what the
    /// drop-in modes promise, as such an address is gone within a day or two.
    pub stable_only: bool,
}

/// Why an address is never published (under the rules given).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reject {
    Unspecified,
    Loopback,
    LinkLocal,
    Multicast,
    /// IPv6 outside 2000::/3 and fc00::/7 (site-local, IPv4-mapped, reserved).
    NotGlobal,
    Ula,
    Private,
    Cgnat,
    /// 0.0.0.0/8, 240.0.0.0/4 and the broadcast address.
    Reserved,
    DadFailed,
    Tentative,
    Deprecated,
    /// A temporary (privacy) address, under `stable_only`.
    Temporary,
    /// The kernel's scope says the address is not for use beyond this host or link.
    Scope(u8),
}

impl Reject {
    pub fn text(self) -> String {
        match self {
            Reject::Unspecified => "unspecified address".to_string(),
            Reject::Loopback => "loopback".to_string(),
            Reject::LinkLocal => "link-local".to_string(),
            Reject::Multicast => "multicast".to_string(),
            Reject::NotGlobal => "not global unicast (outside 2000::/3)".to_string(),
            Reject::Ula => "unique local (fc00::/7); --allow-ula publishes it".to_string(),
            Reject::Private => "private (RFC 1918); --allow-private publishes it".to_string(),
            Reject::Cgnat => "shared address space, carrier-grade NAT (100.64.0.0/10); \
                 --allow-private publishes it"
                .to_string(),
            Reject::Reserved => "reserved, not a unicast address".to_string(),
            Reject::DadFailed => "duplicate address detection failed".to_string(),
            Reject::Tentative => "tentative: duplicate address detection still running".to_string(),
            Reject::Deprecated => "deprecated: its preferred lifetime is over".to_string(),
            Reject::Temporary => {
                "temporary (privacy) address: it changes within a day or two".to_string()
            }
            Reject::Scope(scope) => format!("scope {} only", scope_word(scope)),
        }
    }
}

fn scope_word(scope: u8) -> String {
    match scope {
        200 => "site".to_string(),
        253 => "link".to_string(),
        254 => "host".to_string(),
        255 => "nowhere".to_string(),
        other => other.to_string(),
    }
}

/// How good a usable address is: the lower, the better.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Class {
    /// Global unicast IPv6, public IPv4.
    Public,
    /// ULA, or a private/CGNAT/link-local/loopback IPv4 the user allowed.
    Allowed,
}

/// The class of an IPv6 address, or why it is never published.
pub fn classify_v6(addr: Ipv6Addr, rules: Rules) -> Result<Class, Reject> {
    let first = addr.segments()[0];
    if addr.is_unspecified() {
        Err(Reject::Unspecified)
    } else if addr.is_loopback() {
        Err(Reject::Loopback)
    } else if first & 0xff00 == 0xff00 {
        Err(Reject::Multicast)
    } else if first & 0xffc0 == 0xfe80 {
        Err(Reject::LinkLocal)
    } else if first & 0xfe00 == 0xfc00 {
        if rules.allow_ula {
            Ok(Class::Allowed)
        } else {
            Err(Reject::Ula)
        }
    } else if first & 0xe000 == 0x2000 {
        Ok(Class::Public)
    } else {
        Err(Reject::NotGlobal)
    }
}

/// The class of an IPv4 address, or why it is never published.
pub fn classify_v4(addr: Ipv4Addr, rules: Rules) -> Result<Class, Reject> {
    let [a, b, ..] = addr.octets();
    let limited = |reject| {
        if rules.allow_private {
            Ok(Class::Allowed)
        } else {
            Err(reject)
        }
    };
    if addr.is_unspecified() || a == 0 || a >= 240 {
        Err(Reject::Reserved)
    } else if addr.is_multicast() {
        Err(Reject::Multicast)
    } else if addr.is_loopback() {
        limited(Reject::Loopback)
    } else if addr.is_link_local() {
        limited(Reject::LinkLocal)
    } else if addr.is_private() {
        limited(Reject::Private)
    } else if a == 100 && (64..128).contains(&b) {
        limited(Reject::Cgnat)
    } else {
        Ok(Class::Public)
    }
}

pub fn classify(addr: IpAddr, rules: Rules) -> Result<Class, Reject> {
    match addr {
        IpAddr::V4(v4) => classify_v4(v4, rules),
        IpAddr::V6(v6) => classify_v6(v6, rules),
    }
}

/// Why a usable address lost to the one picked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Beaten {
    /// The pick is global/public, this one only allowed.
    LessPublic,
    /// The pick is stable (IPv6) or primary (IPv4); this one temporary or secondary.
    Temporary,
    ShorterLifetime,
    HigherAddress,
}

/// The verdict on one address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Picked,
    Usable(Beaten),
    Rejected(Reject),
}

impl Outcome {
    pub fn text(self, picked: Option<&IfAddr>) -> String {
        let other = picked.map_or(String::new(), |p| p.addr.to_string());
        let is_v6 = picked.is_some_and(|p| p.addr.is_ipv6());
        match self {
            Outcome::Picked => "picked".to_string(),
            Outcome::Rejected(reject) => format!("skipped: {}", reject.text()),
            Outcome::Usable(Beaten::LessPublic) if is_v6 => {
                format!("usable, but {other} is preferred: global before ULA")
            }
            Outcome::Usable(Beaten::LessPublic) => {
                format!("usable, but {other} is preferred: public before private")
            }
            Outcome::Usable(Beaten::Temporary) if is_v6 => {
                format!("usable, but {other} is preferred: stable before temporary")
            }
            Outcome::Usable(Beaten::Temporary) => {
                format!("usable, but {other} is preferred: primary before secondary")
            }
            Outcome::Usable(Beaten::ShorterLifetime) => {
                format!("usable, but {other} is preferred: longer preferred lifetime")
            }
            Outcome::Usable(Beaten::HigherAddress) => {
                format!("usable, but {other} is preferred: lower address")
            }
        }
    }
}

/// Why `addr` may not be published at all.
pub fn reject(addr: &IfAddr, rules: Rules) -> Option<Reject> {
    if let Err(reject) = classify(addr.addr, rules) {
        return Some(reject);
    }
    if addr.has(IFA_F_DADFAILED) {
        Some(Reject::DadFailed)
    } else if addr.has(IFA_F_TENTATIVE) {
        Some(Reject::Tentative)
    } else if addr.has(IFA_F_DEPRECATED) || addr.preferred == Some(0) {
        Some(Reject::Deprecated)
    } else if addr.scope != 0 {
        Some(Reject::Scope(addr.scope))
    } else if rules.stable_only && addr.has(IFA_F_TEMPORARY) {
        Some(Reject::Temporary)
    } else {
        None
    }
}

/// The ranking of a usable address: compared field by field, lowest wins.
type Rank = (Class, bool, Reverse<u64>, IpAddr);

fn rank(addr: &IfAddr, class: Class) -> Rank {
    // Forever outranks any finite lifetime.
    let preferred = addr.preferred.map_or(u64::MAX, u64::from);
    (
        class,
        addr.has(IFA_F_TEMPORARY),
        Reverse(preferred),
        addr.addr,
    )
}

fn beaten(loser: &Rank, winner: &Rank) -> Beaten {
    if loser.0 != winner.0 {
        Beaten::LessPublic
    } else if loser.1 != winner.1 {
        Beaten::Temporary
    } else if loser.2 != winner.2 {
        Beaten::ShorterLifetime
    } else {
        Beaten::HigherAddress
    }
}

/// The verdict on each address of the family of `v6`, in the order given, and
/// the index (into `addrs`) of the one picked.
pub fn judge(addrs: &[IfAddr], v6: bool, rules: Rules) -> (Vec<(usize, Outcome)>, Option<usize>) {
    let mine: Vec<usize> = (0..addrs.len())
        .filter(|&i| addrs[i].addr.is_ipv6() == v6)
        .collect();
    let ranks: Vec<Option<Rank>> = mine
        .iter()
        .map(|&i| {
            let addr = &addrs[i];
            match (reject(addr, rules), classify(addr.addr, rules)) {
                (None, Ok(class)) => Some(rank(addr, class)),
                _ => None,
            }
        })
        .collect();
    let best = ranks
        .iter()
        .enumerate()
        .filter_map(|(k, r)| r.map(|r| (k, r)))
        .min_by_key(|&(_, rank)| rank);
    let verdicts = mine
        .iter()
        .zip(&ranks)
        .enumerate()
        .map(|(k, (&i, rank))| {
            let outcome = match (rank, best) {
                (None, _) => {
                    Outcome::Rejected(reject(&addrs[i], rules).unwrap_or(Reject::Reserved))
                }
                (Some(_), Some((b, _))) if b == k => Outcome::Picked,
                (Some(rank), Some((_, best))) => Outcome::Usable(beaten(rank, &best)),
                (Some(_), None) => Outcome::Picked,
            };
            (i, outcome)
        })
        .collect();
    (verdicts, best.map(|(k, _)| mine[k]))
}

/// The address to publish for the family of `v6`, if any.
pub fn pick(addrs: &[IfAddr], v6: bool, rules: Rules) -> Option<&IfAddr> {
    judge(addrs, v6, rules).1.map(|i| &addrs[i])
}

/// Whether the only addresses of the family that could be published are still
/// tentative (duplicate address detection running): then they are worth a wait.
pub fn only_tentative(addrs: &[IfAddr], v6: bool, rules: Rules) -> bool {
    pick(addrs, v6, rules).is_none()
        && addrs
            .iter()
            .any(|a| a.addr.is_ipv6() == v6 && reject(a, rules) == Some(Reject::Tentative))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::netlink::{IFA_F_MANAGETEMPADDR, IFA_F_NODAD, IFA_F_PERMANENT};

    fn a(text: &str, flags: u32, preferred: Option<u32>) -> IfAddr {
        let addr: IpAddr = text.parse().unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        IfAddr {
            index: 2,
            interface: "wan".to_string(),
            addr,
            prefix_len: if addr.is_ipv6() { 64 } else { 24 },
            scope: 0,
            flags,
            preferred,
            valid: preferred,
        }
    }

    const NO: Rules = Rules {
        allow_ula: false,
        allow_private: false,
        stable_only: false,
    };
    const ALL: Rules = Rules {
        allow_ula: true,
        allow_private: true,
        stable_only: false,
    };

    #[test]
    fn only_tentative_candidates_are_worth_a_wait() {
        let tentative = a("2001:db8::5", IFA_F_TENTATIVE, None);
        let link_local = a("fe80::1", IFA_F_TENTATIVE, None);
        let usable = a("2001:db8::6", IFA_F_PERMANENT, None);
        let failed = a("2001:db8::7", IFA_F_TENTATIVE | IFA_F_DADFAILED, None);
        assert!(only_tentative(
            &[tentative.clone(), link_local.clone()],
            true,
            NO
        ));
        assert!(!only_tentative(&[tentative.clone(), usable], true, NO));
        assert!(!only_tentative(&[link_local, failed], true, NO));
        assert!(!only_tentative(&[tentative], false, NO));
    }

    fn picked(addrs: &[IfAddr], v6: bool, rules: Rules) -> Option<String> {
        pick(addrs, v6, rules).map(|a| a.addr.to_string())
    }

    fn outcome_of(addrs: &[IfAddr], v6: bool, rules: Rules, text: &str) -> Option<Outcome> {
        let (verdicts, _) = judge(addrs, v6, rules);
        verdicts
            .into_iter()
            .find(|&(i, _)| addrs[i].addr.to_string() == text)
            .map(|(_, o)| o)
    }

    #[test]
    fn ipv6_classes() {
        let cases = [
            ("::", Err(Reject::Unspecified)),
            ("::1", Err(Reject::Loopback)),
            ("ff02::1", Err(Reject::Multicast)),
            ("fe80::1", Err(Reject::LinkLocal)),
            ("febf::1", Err(Reject::LinkLocal)),
            ("fec0::1", Err(Reject::NotGlobal)),
            ("::ffff:203.0.113.1", Err(Reject::NotGlobal)),
            ("4000::1", Err(Reject::NotGlobal)),
            ("fd00::2", Err(Reject::Ula)),
            ("fc00::1", Err(Reject::Ula)),
            ("2001:db8::1", Ok(Class::Public)),
            ("2a00:1450::1", Ok(Class::Public)),
            ("3fff:ffff::1", Ok(Class::Public)),
        ];
        for (text, want) in cases {
            let addr: Ipv6Addr = text.parse().unwrap_or(Ipv6Addr::UNSPECIFIED);
            assert_eq!(classify_v6(addr, NO), want, "{text}");
        }
        let ula: Ipv6Addr = "fd12::1".parse().unwrap_or(Ipv6Addr::UNSPECIFIED);
        assert_eq!(classify_v6(ula, ALL), Ok(Class::Allowed));
        // --allow-private does not allow ULA, nor --allow-ula link-local.
        let only_private = Rules {
            allow_private: true,
            ..NO
        };
        assert_eq!(classify_v6(ula, only_private), Err(Reject::Ula));
        let ll: Ipv6Addr = "fe80::1".parse().unwrap_or(Ipv6Addr::UNSPECIFIED);
        assert_eq!(classify_v6(ll, ALL), Err(Reject::LinkLocal));
    }

    #[test]
    fn ipv4_classes() {
        let cases = [
            ("0.0.0.0", Err(Reject::Reserved)),
            ("0.1.2.3", Err(Reject::Reserved)),
            ("255.255.255.255", Err(Reject::Reserved)),
            ("240.0.0.1", Err(Reject::Reserved)),
            ("224.0.0.1", Err(Reject::Multicast)),
            ("127.0.0.1", Err(Reject::Loopback)),
            ("169.254.3.4", Err(Reject::LinkLocal)),
            ("10.1.2.3", Err(Reject::Private)),
            ("172.16.0.1", Err(Reject::Private)),
            ("172.31.255.254", Err(Reject::Private)),
            ("192.168.1.1", Err(Reject::Private)),
            ("100.64.0.1", Err(Reject::Cgnat)),
            ("100.127.255.254", Err(Reject::Cgnat)),
            ("100.63.255.255", Ok(Class::Public)),
            ("100.128.0.1", Ok(Class::Public)),
            ("172.32.0.1", Ok(Class::Public)),
            ("203.0.113.7", Ok(Class::Public)),
            ("8.8.8.8", Ok(Class::Public)),
        ];
        for (text, want) in cases {
            let addr: Ipv4Addr = text.parse().unwrap_or(Ipv4Addr::BROADCAST);
            assert_eq!(classify_v4(addr, NO), want, "{text}");
        }
        for text in ["127.0.0.1", "169.254.3.4", "10.1.2.3", "100.64.0.1"] {
            let addr: Ipv4Addr = text.parse().unwrap_or(Ipv4Addr::BROADCAST);
            assert_eq!(classify_v4(addr, ALL), Ok(Class::Allowed), "{text}");
        }
        for text in ["0.0.0.0", "224.0.0.1", "240.0.0.1"] {
            let addr: Ipv4Addr = text.parse().unwrap_or(Ipv4Addr::BROADCAST);
            assert!(classify_v4(addr, ALL).is_err(), "{text}");
        }
    }

    #[test]
    fn kernel_states_are_never_published() {
        let cases = [
            (IFA_F_TENTATIVE, Reject::Tentative),
            (IFA_F_DADFAILED | IFA_F_TENTATIVE, Reject::DadFailed),
            (IFA_F_DEPRECATED, Reject::Deprecated),
        ];
        for (flags, want) in cases {
            let addrs = [a("2001:db8::9", flags, None)];
            assert_eq!(picked(&addrs, true, ALL), None);
            assert_eq!(
                outcome_of(&addrs, true, ALL, "2001:db8::9"),
                Some(Outcome::Rejected(want))
            );
        }
        // A preferred lifetime of 0 is deprecated even before the flag is set.
        let zero = [a("2001:db8::9", 0, Some(0))];
        assert_eq!(reject(&zero[0], NO), Some(Reject::Deprecated));
        let mut link = a("203.0.113.9", 0, None);
        link.scope = 253;
        assert_eq!(reject(&link, NO), Some(Reject::Scope(253)));
        assert!(Reject::Scope(253).text().contains("link"));
        // Flags that say nothing against an address.
        let fine = a(
            "2001:db8::9",
            IFA_F_PERMANENT | IFA_F_NODAD | IFA_F_MANAGETEMPADDR,
            None,
        );
        assert_eq!(reject(&fine, NO), None);
    }

    #[test]
    fn stable_beats_temporary_whatever_the_lifetime() {
        let addrs = [
            a("2001:db8::1", IFA_F_TEMPORARY, Some(86_000)),
            a("2001:db8::ffff", 0, Some(100)),
        ];
        assert_eq!(picked(&addrs, true, NO).as_deref(), Some("2001:db8::ffff"));
        assert_eq!(
            outcome_of(&addrs, true, NO, "2001:db8::1"),
            Some(Outcome::Usable(Beaten::Temporary))
        );
        // Only temporaries: the longest-lived one.
        let temps = [
            a("2001:db8::1", IFA_F_TEMPORARY, Some(100)),
            a("2001:db8::2", IFA_F_TEMPORARY, Some(200)),
        ];
        assert_eq!(picked(&temps, true, NO).as_deref(), Some("2001:db8::2"));
    }

    #[test]
    fn stable_only_turns_temporaries_down() {
        let stable_only = Rules {
            stable_only: true,
            ..NO
        };
        let addrs = [
            a("2001:db8::1", IFA_F_TEMPORARY, Some(86_000)),
            a("2001:db8::ffff", 0, Some(100)),
        ];
        assert_eq!(
            picked(&addrs, true, stable_only).as_deref(),
            Some("2001:db8::ffff")
        );
        assert_eq!(
            outcome_of(&addrs, true, stable_only, "2001:db8::1"),
            Some(Outcome::Rejected(Reject::Temporary))
        );
        let temps = [a("2001:db8::2", IFA_F_TEMPORARY, Some(200))];
        assert_eq!(picked(&temps, true, stable_only), None);
        assert!(Reject::Temporary.text().contains("temporary"));
    }

    #[test]
    fn longest_lifetime_then_lowest_address() {
        let addrs = [
            a("2001:db8::3", 0, Some(500)),
            a("2001:db8::2", 0, None),
            a("2001:db8::1", 0, Some(900)),
            a("2001:db8::4", 0, None),
        ];
        assert_eq!(picked(&addrs, true, NO).as_deref(), Some("2001:db8::2"));
        assert_eq!(
            outcome_of(&addrs, true, NO, "2001:db8::1"),
            Some(Outcome::Usable(Beaten::ShorterLifetime))
        );
        assert_eq!(
            outcome_of(&addrs, true, NO, "2001:db8::4"),
            Some(Outcome::Usable(Beaten::HigherAddress))
        );
        // The order of the kernel's list does not matter.
        let mut reversed = addrs.to_vec();
        reversed.reverse();
        assert_eq!(picked(&reversed, true, NO).as_deref(), Some("2001:db8::2"));
    }

    #[test]
    fn global_beats_ula_and_ula_needs_the_flag() {
        let addrs = [
            a("fd00::1", 0, None),
            a("2001:db8::9", IFA_F_TEMPORARY, Some(10)),
        ];
        assert_eq!(picked(&addrs, true, ALL).as_deref(), Some("2001:db8::9"));
        assert_eq!(
            outcome_of(&addrs, true, ALL, "fd00::1"),
            Some(Outcome::Usable(Beaten::LessPublic))
        );
        let only_ula = [a("fd00::1", 0, None), a("fe80::1", 0, None)];
        assert_eq!(picked(&only_ula, true, NO), None);
        assert_eq!(picked(&only_ula, true, ALL).as_deref(), Some("fd00::1"));
    }

    #[test]
    fn ipv4_public_beats_allowed_and_primary_beats_secondary() {
        let addrs = [
            a("10.0.0.1", 0, None),
            a("203.0.113.9", IFA_F_TEMPORARY, None),
            a("2001:db8::1", 0, None),
        ];
        assert_eq!(picked(&addrs, false, NO).as_deref(), Some("203.0.113.9"));
        assert_eq!(picked(&addrs, false, ALL).as_deref(), Some("203.0.113.9"));
        let two = [
            a("203.0.113.9", IFA_F_TEMPORARY, None),
            a("203.0.113.200", 0, None),
        ];
        assert_eq!(picked(&two, false, NO).as_deref(), Some("203.0.113.200"));
        let (verdicts, _) = judge(&two, false, NO);
        let text = verdicts[0].1.text(pick(&two, false, NO));
        assert!(text.contains("primary before secondary"), "{text}");
        let private = [a("192.168.1.2", 0, None), a("100.64.1.1", 0, None)];
        assert_eq!(picked(&private, false, NO), None);
        assert_eq!(picked(&private, false, ALL).as_deref(), Some("100.64.1.1"));
    }

    #[test]
    fn families_do_not_mix_and_every_address_gets_a_verdict() {
        let addrs = [
            a("203.0.113.9", 0, None),
            a("fe80::1", 0, None),
            a("2001:db8::1", 0, None),
            a("127.0.0.1", 0, None),
        ];
        let (v6, best) = judge(&addrs, true, NO);
        assert_eq!(v6.iter().map(|(i, _)| *i).collect::<Vec<_>>(), vec![1, 2]);
        assert_eq!(best, Some(2));
        assert_eq!(v6[0].1, Outcome::Rejected(Reject::LinkLocal));
        let (v4, best) = judge(&addrs, false, NO);
        assert_eq!(v4.len(), 2);
        assert_eq!(best, Some(0));
        assert_eq!(judge(&[], true, NO), (Vec::new(), None));
    }
}
