//! ureq's TCP step, replaced: the same connection ureq would open, or one
//! bound to an interface for `--bind` (see `bind`), read and written the way
//! ureq's own (private) TCP transport does.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use ureq::unversioned::transport::{
    Buffers, ConnectionDetails, Connector, Either, LazyBuffers, NextTimeout, Transport,
};

use crate::bind::Bind;

/// ureq's TCP step, in the place of its own `TcpConnector` (after a CONNECT
/// proxy, before TLS): a plain connection, or a bound one for `--bind`. One
/// chain for both keeps one copy of ureq's connector code in the binary.
#[derive(Debug)]
pub struct SocketConnector(pub Option<Bind>);

impl<In: Transport> Connector<In> for SocketConnector {
    type Out = Either<In, SocketTransport>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        if chained.is_some() {
            // A proxy connection (itself opened through this connector) is used as is.
            return Ok(chained.map(Either::A));
        }
        let started = Instant::now();
        let budget = details.timeout.not_zero().map(|t| *t);
        let count = details.addrs.len();
        let mut last = None;
        // The resolver already kept only the family the request is forced to.
        for (i, addr) in details.addrs.iter().enumerate() {
            // Each address but the last gets half of what is left, as ureq shares
            // it, so that a silent first address leaves time for the next.
            let left = budget.map(|b| b.saturating_sub(started.elapsed()));
            if left.is_some_and(|l| l.is_zero()) {
                return Err(ureq::Error::Timeout(details.timeout.reason));
            }
            let per_addr = left.map(|l| if i + 1 < count { l / 2 } else { l });
            let opened = match (&self.0, per_addr) {
                (Some(bind), _) => bind.tcp(*addr, per_addr),
                (None, Some(limit)) => TcpStream::connect_timeout(addr, limit),
                (None, None) => TcpStream::connect(addr),
            };
            match opened {
                Ok(stream) => {
                    let config = details.config;
                    if config.no_delay() {
                        stream.set_nodelay(true)?;
                    }
                    let buffers =
                        LazyBuffers::new(config.input_buffer_size(), config.output_buffer_size());
                    return Ok(Some(Either::B(SocketTransport { stream, buffers })));
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
                    ) =>
                {
                    last = Some(ureq::Error::Timeout(ureq::Timeout::Connect))
                }
                Err(e) => last = Some(ureq::Error::Io(e)),
            }
        }
        Err(last.unwrap_or(ureq::Error::HostNotFound))
    }
}

/// A TCP connection as ureq reads and writes it (ureq keeps its own
/// `TcpTransport` private). Each I/O call waits at most what ureq has left.
#[derive(Debug)]
pub struct SocketTransport {
    stream: TcpStream,
    buffers: LazyBuffers,
}

impl Transport for SocketTransport {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        let timeout = timeout.for_write();
        self.stream.set_write_timeout(time_left(timeout)?)?;
        let output = &self.buffers.output()[..amount];
        (&self.stream)
            .write_all(output)
            .map_err(|e| io_error(e, timeout))
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        let timeout = timeout.for_read();
        self.stream.set_read_timeout(time_left(timeout)?)?;
        let input = self.buffers.input_append_buf();
        let read = loop {
            match (&self.stream).read(input) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                result => break result,
            }
        };
        let amount = read.map_err(|e| io_error(e, timeout))?;
        self.buffers.input_appended(amount);
        Ok(amount > 0)
    }

    fn is_open(&mut self) -> bool {
        // Never reused: each request has an agent of its own.
        false
    }
}

/// The socket timeout for what ureq has left; an exhausted budget is its timeout.
fn time_left(timeout: NextTimeout) -> Result<Option<Duration>, ureq::Error> {
    if timeout.after.is_zero() {
        return Err(ureq::Error::Timeout(timeout.reason));
    }
    Ok(timeout.not_zero().map(|left| *left))
}

fn io_error(error: io::Error, timeout: NextTimeout) -> ureq::Error {
    match error.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => ureq::Error::Timeout(timeout.reason),
        _ => ureq::Error::Io(error),
    }
}
