//! One record to set, what a provider did with it, and the step from the records
//! it found.

use std::net::IpAddr;

use super::Fail;
use crate::exit::Exit;
use crate::json;
use crate::provider::Publish;

/// One record to set: a host's A or AAAA record.
#[derive(Clone, Debug)]
pub struct Target {
    /// Index into `Job::hosts`.
    pub host: usize,
    /// The host name, lowercase, without a trailing dot.
    pub name: String,
    /// "A" or "AAAA".
    pub kind: &'static str,
    pub addr: IpAddr,
    /// The part of the run's `Publish` this record carries.
    pub publish: Publish,
}

impl Target {
    /// Whether `content` (a record's value as the provider shows it) is this
    /// address: compared as addresses, so `2001:db8::1` equals `2001:DB8:0::1`.
    pub fn holds(&self, content: &str) -> bool {
        content.trim().parse::<IpAddr>() == Ok(self.addr)
    }

    pub fn addr_text(&self) -> String {
        self.addr.to_string()
    }

    /// The address as a JSON string, as most APIs take it.
    #[inline(never)]
    pub fn addr_json(&self) -> String {
        json::quote(&self.addr_text())
    }
}

/// What a provider did with a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    Updated,
    /// The record was missing and was created.
    Created,
    /// The record already held the address: nothing was written.
    Current,
}

/// What to do with a record, from the records of its name and type.
pub enum Step<'r, R> {
    /// One of them already holds the address: nothing is written.
    Current,
    /// None exists.
    Create,
    /// The one record, which holds another address.
    Update(&'r R),
}

/// The step for `target` given the provider's records of its name and type;
/// `content` reads a record's value. Several records of one name and type are
/// refused rather than one picked: which one the user meant is not known.
pub fn step<'r, R>(
    provider: &str,
    target: &Target,
    records: &'r [R],
    content: impl Fn(&R) -> Option<&str>,
) -> Result<Step<'r, R>, Fail> {
    if records
        .iter()
        .any(|r| content(r).is_some_and(|c| target.holds(c)))
    {
        return Ok(Step::Current);
    }
    match records {
        [] => Ok(Step::Create),
        [record] => Ok(Step::Update(record)),
        several => Err(several_records(provider, target, several.len())),
    }
}

/// Kept out of `step`, which is built once per provider's record type.
#[inline(never)]
fn several_records(provider: &str, target: &Target, count: usize) -> Fail {
    Fail::new(
        Exit::Unexpected,
        format!(
            "{provider}: {count} {} records named {}; dynup sets one record per name and \
             family, remove the others",
            target.kind, target.name
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_compare_as_addresses() {
        let target = Target {
            host: 0,
            name: "h".to_string(),
            kind: "AAAA",
            addr: "2001:db8::1".parse().expect("v6"),
            publish: Publish::default(),
        };
        assert!(target.holds("2001:DB8:0:0::1"));
        assert!(target.holds(" 2001:db8::1"));
        assert!(!target.holds("2001:db8::2"));
        assert!(!target.holds("not an address"));
    }
}
