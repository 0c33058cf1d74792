//! An HTTP CONNECT proxy on loopback (RFC 9110 section 9.3.6): it records each
//! CONNECT target and Proxy-Authorization, answers 200 and relays bytes both
//! ways. Only targets on loopback are relayed; bounded in connections and time.

use std::io::{self, BufRead, BufReader, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

const MAX_CONNECTIONS: usize = 16;
const MAX_LIFETIME: Duration = Duration::from_secs(60);

/// What one CONNECT asked for.
#[derive(Clone, Debug, PartialEq)]
pub struct Tunnel {
    pub target: String,
    pub authorization: Option<String>,
}

pub struct ConnectProxy {
    pub port: u16,
    tunnels: Arc<Mutex<Vec<Tunnel>>>,
}

impl ConnectProxy {
    pub fn start() -> ConnectProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind proxy");
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let tunnels = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&tunnels);
        thread::spawn(move || {
            let started = Instant::now();
            let mut accepted = 0;
            while started.elapsed() < MAX_LIFETIME && accepted < MAX_CONNECTIONS {
                match listener.accept() {
                    Ok((client, _)) => {
                        accepted += 1;
                        let seen = Arc::clone(&seen);
                        thread::spawn(move || {
                            let _ = tunnel(client, &seen);
                        });
                    }
                    Err(_) => thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        ConnectProxy { port, tunnels }
    }

    pub fn tunnels(&self) -> Vec<Tunnel> {
        self.tunnels
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

fn tunnel(client: TcpStream, seen: &Mutex<Vec<Tunnel>>) -> io::Result<()> {
    client.set_nonblocking(false)?;
    client.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(client.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut words = line.split_whitespace();
    let (Some("CONNECT"), Some(target)) = (words.next(), words.next()) else {
        return (&client).write_all(b"HTTP/1.1 405 Method Not Allowed\r\n\r\n");
    };
    let target = target.to_string();
    let mut authorization = None;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            if name.eq_ignore_ascii_case("proxy-authorization") {
                authorization = Some(value.trim().to_string());
            }
        }
    }
    seen.lock().unwrap_or_else(|e| e.into_inner()).push(Tunnel {
        target: target.clone(),
        authorization,
    });
    let loopback = ["127.", "[::1]:", "localhost:"];
    if !loopback.iter().any(|prefix| target.starts_with(prefix)) {
        return (&client).write_all(b"HTTP/1.1 403 Forbidden\r\n\r\n");
    }
    let upstream = TcpStream::connect(&target)?;
    (&client).write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n")?;
    // Bytes the reader buffered past the head belong to the tunnel.
    (&upstream).write_all(reader.buffer())?;
    let (mut up_read, mut client_write) = (upstream.try_clone()?, client.try_clone()?);
    let back = thread::spawn(move || {
        let _ = io::copy(&mut up_read, &mut client_write);
        let _ = client_write.shutdown(Shutdown::Write);
    });
    let _ = io::copy(&mut reader.into_inner(), &mut &upstream);
    let _ = upstream.shutdown(Shutdown::Write);
    let _ = back.join();
    Ok(())
}
