//! The exit-code contract: one table, used by the runner, `--help` and the README.

use std::fmt;

/// What a run ended with. The numbers are a contract with scripts: never renumber.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Exit {
    Ok = 0,
    Unexpected = 1,
    Usage = 2,
    NoAddress = 3,
    Network = 4,
    Tls = 5,
    State = 6,
    BadAuth = 10,
    NoHost = 11,
    NumHost = 12,
    BadAgent = 13,
    NotDonator = 14,
    Abuse = 15,
    ServerError = 16,
    Rejected = 17,
}

/// Every code, in table order.
pub const TABLE: [Exit; 15] = [
    Exit::Ok,
    Exit::Unexpected,
    Exit::Usage,
    Exit::NoAddress,
    Exit::Network,
    Exit::Tls,
    Exit::State,
    Exit::BadAuth,
    Exit::NoHost,
    Exit::NumHost,
    Exit::BadAgent,
    Exit::NotDonator,
    Exit::Abuse,
    Exit::ServerError,
    Exit::Rejected,
];

impl Exit {
    pub fn code(self) -> u8 {
        self as u8
    }

    /// One line for `--help` and for error messages.
    pub fn meaning(self) -> &'static str {
        match self {
            Exit::Ok => "success: updated, or already current",
            Exit::Unexpected => "unexpected answer from the provider",
            Exit::Usage => "usage error: bad or missing arguments",
            Exit::NoAddress => "no usable address found",
            Exit::Network => "network trouble (resolve, connect, timeout, truncated answer)",
            Exit::Tls => "TLS certificate or handshake refused; nothing was sent",
            Exit::State => "local state could not be read or written",
            Exit::BadAuth => "bad credentials",
            Exit::NoHost => "host or zone unknown to the provider",
            Exit::NumHost => "too many hosts in one request",
            Exit::BadAgent => "client blocked for its User-Agent",
            Exit::NotDonator => "feature needs a paid plan",
            Exit::Abuse => "blocked for abuse",
            Exit::ServerError => "provider-side failure; retry later",
            Exit::Rejected => "request rejected as malformed",
        }
    }

    /// Codes 10 to 15: the provider's rules forbid asking again until the user acts.
    pub fn is_fatal(self) -> bool {
        (Exit::BadAuth..=Exit::Abuse).contains(&self)
    }

    /// Parses a number back, for the state file.
    pub fn from_code(code: u8) -> Option<Exit> {
        TABLE.iter().copied().find(|e| e.code() == code)
    }
}

impl fmt::Display for Exit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code())
    }
}

/// A failure that ends (part of) a run: the exit code and a message that names the cause.
#[derive(Debug, Clone)]
pub struct Failure {
    pub exit: Exit,
    pub message: String,
}

impl Failure {
    pub fn new(exit: Exit, message: impl Into<String>) -> Failure {
        Failure {
            exit,
            message: message.into(),
        }
    }

    pub fn usage(message: impl Into<String>) -> Failure {
        Failure::new(Exit::Usage, message)
    }

    pub fn state(message: impl Into<String>) -> Failure {
        Failure::new(Exit::State, message)
    }
}

/// The table as `--help` and the README show it.
pub fn table_text() -> String {
    let mut text = String::new();
    for exit in TABLE {
        text.push_str(&format!("  {:>2}  {}\n", exit.code(), exit.meaning()));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_ordered() {
        for exit in TABLE {
            assert_eq!(Exit::from_code(exit.code()), Some(exit));
        }
        assert!(TABLE.windows(2).all(|w| w[0].code() < w[1].code()));
        assert_eq!(Exit::from_code(7), None);
    }

    #[test]
    fn fatal_is_exactly_ten_to_fifteen() {
        let fatal: Vec<u8> = TABLE
            .iter()
            .filter(|e| e.is_fatal())
            .map(|e| e.code())
            .collect();
        assert_eq!(fatal, vec![10, 11, 12, 13, 14, 15]);
    }
}
