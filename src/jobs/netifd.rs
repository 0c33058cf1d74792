//! OpenWRT's networks: the device netifd gives a network (through ubus), and the
//! hotplug event that says which network or device changed.

use std::path::Path;
use std::time::Duration;

use super::ConfigJob;

/// OpenWRT's hotplug event (hotplug-call's environment): the network that came
/// up or whose addresses changed, and its device.
pub struct HotplugEvent {
    network: String,
    device: Option<String>,
}

impl HotplugEvent {
    /// `None` for an event that changes no address (ifdown, an ifupdate of routes).
    pub(super) fn from_env() -> Option<HotplugEvent> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let relevant = match var("ACTION").as_deref() {
            Some("ifup") => true,
            Some("ifupdate") => {
                var("IFUPDATE_ADDRESSES").as_deref() == Some("1")
                    || var("IFUPDATE_PREFIXES").as_deref() == Some("1")
            }
            _ => false,
        };
        let network = var("INTERFACE")?;
        relevant.then(|| HotplugEvent {
            network,
            device: var("DEVICE"),
        })
    }

    /// The device a job reads from, when this event concerns it: its network came
    /// up, or another network on its device (wan6 on wan's pppoe-wan) changed.
    pub(super) fn concerns(&self, job: &ConfigJob) -> Option<String> {
        let network = job.interface.as_deref()?;
        if network == self.network {
            return job
                .device
                .clone()
                .or(self.device.clone())
                .or_else(|| device_of(network));
        }
        let event_device = self.device.as_deref()?;
        let device = job.device.clone().or_else(|| device_of(network))?;
        (device == event_device).then_some(device)
    }
}

/// The device of `interface`: itself when the kernel has a device of that name,
/// else the layer-3 device of the OpenWRT network of that name while it is up.
pub(crate) fn device_of(interface: &str) -> Option<String> {
    if Path::new("/sys/class/net").join(interface).exists() {
        return Some(interface.to_string());
    }
    let object = format!("network.interface.{interface}");
    let argv = ["ubus", "-t", "2", "call", &object, "status"].map(std::ffi::OsStr::new);
    let status = crate::spawn::output(&argv, 64 * 1024, Duration::from_secs(5))?;
    l3_device(&String::from_utf8_lossy(&status))
}

/// Whether OpenWRT's /etc/config/network has a network `name` (`uci -q get
/// network.NAME`); `None` on a system without uci, which cannot tell.
pub(super) fn network_configured(name: &str) -> Option<bool> {
    if !crate::spawn::on_path("uci") {
        return None;
    }
    let key = format!("network.{name}");
    let argv = ["uci", "-q", "get", &key].map(std::ffi::OsStr::new);
    Some(crate::spawn::output(&argv, 4096, Duration::from_secs(5)).is_some())
}

/// `"l3_device": "NAME"` in netifd's status JSON: the one string needed, no JSON reader.
fn l3_device(json: &str) -> Option<String> {
    let rest = &json[json.find("\"l3_device\"")? + "\"l3_device\"".len()..];
    let rest = rest
        .trim_start()
        .strip_prefix(':')?
        .trim_start()
        .strip_prefix('"')?;
    let name = &rest[..rest.find('"')?];
    (!name.is_empty()).then(|| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn netifd_status_gives_the_l3_device() {
        let json =
            "{\n\t\"up\": true,\n\t\"l3_device\": \"pppoe-wan\",\n\t\"device\": \"eth0.2\"\n}";
        assert_eq!(l3_device(json).as_deref(), Some("pppoe-wan"));
        assert_eq!(l3_device("{ \"up\": false }"), None);
    }
}
