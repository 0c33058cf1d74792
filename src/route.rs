//! Whether this host has a default route in a family, from the kernel's route
//! tables in /proc: what a failed request of that family most likely lacked.

use crate::http::Family;

/// `false` only when the table was read and holds no usable default route; any
/// doubt (no /proc, `Family::Any`) answers `true`, so no cause is made up.
pub fn has_default_route(family: Family) -> bool {
    let (path, find): (&str, fn(&str) -> bool) = match family {
        Family::Any => return true,
        Family::V4 => ("/proc/net/route", v4_default),
        Family::V6 => ("/proc/net/ipv6_route", v6_default),
    };
    match crate::file::read_capped(std::path::Path::new(path), 1 << 20) {
        Ok(bytes) => find(&String::from_utf8_lossy(&bytes)),
        Err(_) => true,
    }
}

/// `Iface Destination Gateway Flags ... Mask ...`, hex, after a header line.
fn v4_default(table: &str) -> bool {
    table.lines().skip(1).any(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let up = fields
            .get(3)
            .and_then(|f| u32::from_str_radix(f, 16).ok())
            .is_some_and(|flags| flags & RTF_UP != 0 && flags & RTF_REJECT == 0);
        fields.len() >= 8 && fields[1] == "00000000" && fields[7] == "00000000" && up
    })
}

/// `dest plen src plen nexthop metric refcnt use flags iface`, hex. The kernel
/// keeps a `::/0 lo` reject route when there is no real one.
fn v6_default(table: &str) -> bool {
    table.lines().any(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let usable = fields
            .get(8)
            .and_then(|f| u32::from_str_radix(f, 16).ok())
            .is_some_and(|flags| flags & RTF_UP != 0 && flags & RTF_REJECT == 0);
        fields.len() >= 10 && fields[1] == "00" && fields[9] != "lo" && usable
    })
}

const RTF_UP: u32 = 0x0001;
const RTF_REJECT: u32 = 0x0200;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_routes_in_the_kernel_tables() {
        let v4 = "Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\n\
                  eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n";
        assert!(v4_default(v4));
        let v4_lan = "Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\n\
                      eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n";
        assert!(!v4_default(v4_lan));
        let zero = "0".repeat(32);
        let v6 = format!(
            "{zero} 00 {zero} 00 fd{} 00000400 2 0 00000003 eth0\n",
            "0".repeat(30)
        );
        assert!(v6_default(&v6));
        let reject = format!("{zero} 00 {zero} 00 {zero} ffffffff 1 0 00200200 lo\n");
        let local = format!(
            "{}1 80 {zero} 00 {zero} 0 4 0 80200001 lo\n",
            "0".repeat(31)
        );
        assert!(!v6_default(&format!("{reject}{local}")));
    }
}
