//! Test support for dynup's integration tests: a throwaway CA, a small
//! HTTP/HTTPS mock server that records requests, temporary directories and a
//! bounded runner for the dynup binary.
//!
//! Use from an integration test with `mod support;`.
//!
//! Nothing here can hang the test process: every loop is bounded in count
//! and time, sockets poll with short timeouts, and the server threads stop
//! (and are joined) when the [`Mock`] is dropped.
#![allow(dead_code)]

mod ca;
mod connection;
mod files;
mod fixture;
mod mock;
mod process;
mod recorded;
mod reply;

// Each test binary uses a part of these: one it leaves unused is no warning.
#[allow(unused_imports)]
pub use self::{
    ca::TestCa,
    files::{write_secret, TempDir},
    fixture::{args, run_clean, Fixture, PASSWORD, TOKEN},
    mock::{wait_until, Handler, Mock},
    process::{dynup, dynup_binary, run, run_with_timeout, Binary, Run},
    recorded::{parse_query, percent_decode, Recorded},
    reply::{Behaviour, Reply},
};

pub mod netcup;
pub mod netns;
pub mod proxy;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

pub mod aliyun;
pub mod beget;
pub mod cloudflare;
pub mod desec_api;
pub mod digitalocean;
pub mod dns_peers;
pub mod dnspod;
pub mod dyndns_server;
pub mod gandi;
pub mod gcp;
pub mod godaddy;
pub mod hetzner;
pub mod huaweicloud;
pub mod ionos;
pub mod linode;
pub mod luadns;
pub mod namecheap;
pub mod named;
pub mod namesilo;
pub mod ns1;
pub mod porkbun;
pub mod powerdns;
pub mod rest;
pub mod route53;
pub mod rsa_key;
pub mod scaleway;
pub mod servercow;
pub mod transip;
pub mod xname;

/// Limit on the request head (request line + headers).
pub const MAX_HEAD: usize = 16 * 1024;
/// Limit on a request body that is read and recorded (Content-Length only).
pub const MAX_BODY: usize = 1024 * 1024;
/// Size of the body sent for [`Behaviour::Huge`].
pub const HUGE_LEN: usize = 4 * 1024 * 1024;
/// Give up on a socket operation that makes no progress for this long.
pub const IO_TIMEOUT: Duration = Duration::from_secs(5);
/// How long [`Behaviour::Hang`] keeps a connection open without answering.
pub const HANG_FOR: Duration = Duration::from_secs(30);
/// How long [`run`] lets the child process run.
pub const RUN_TIMEOUT: Duration = Duration::from_secs(30);

/// Socket timeout used for polling, so that threads notice `stop` quickly.
const POLL: Duration = Duration::from_millis(50);
/// Upper bound on a Mock's accept loop, in case a Mock is leaked.
const MAX_LIFETIME: Duration = Duration::from_secs(600);
/// Upper bound on connections accepted by one Mock.
const MAX_CONNECTIONS: usize = 10_000;
/// Upper bound on the time a whole response may take to write.
const MAX_RESPONSE_TIME: Duration = Duration::from_secs(30);

static UNIQUE: AtomicU64 = AtomicU64::new(0);

fn unique() -> u64 {
    UNIQUE.fetch_add(1, Ordering::Relaxed)
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
