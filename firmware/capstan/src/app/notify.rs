//! Telling systemd how the box is doing (`sd_notify`): READY once the box is up, then a
//! watchdog ping from every pass of the main loop, so a box whose loop hangs is restarted
//! (`WatchdogSec=` in the unit). Nothing happens when the box was not started by systemd.

use std::os::unix::net::{SocketAddr, UnixDatagram};
use std::time::{Duration, Instant};

/// Pings closer together than this are not sent: systemd wants a few per watchdog period.
const PING_EVERY: Duration = Duration::from_secs(1);

/// The service manager's notification socket, if the box was started with one.
#[derive(Debug)]
pub struct ServiceNotify {
    target: Option<(UnixDatagram, SocketAddr)>,
    last_ping: Option<Instant>,
}

impl ServiceNotify {
    /// The socket `NOTIFY_SOCKET` names (a path, or `@name` for an abstract socket); none when
    /// it is unset or cannot be used (then every call does nothing).
    pub fn from_env() -> ServiceNotify {
        match std::env::var("NOTIFY_SOCKET") {
            Ok(name) => ServiceNotify::to(&name),
            Err(_) => ServiceNotify {
                target: None,
                last_ping: None,
            },
        }
    }

    /// Notifications to the socket `name` (a path, or `@name` for an abstract socket).
    pub fn to(name: &str) -> ServiceNotify {
        let addr = match name.strip_prefix('@') {
            Some(abstract_name) => {
                use std::os::linux::net::SocketAddrExt;
                SocketAddr::from_abstract_name(abstract_name.as_bytes())
            }
            None => SocketAddr::from_pathname(name),
        };
        let target = match (UnixDatagram::unbound(), addr) {
            (Ok(socket), Ok(addr)) => Some((socket, addr)),
            (Err(e), _) | (_, Err(e)) => {
                tracing::warn!("NOTIFY_SOCKET {name}: {e}: systemd will not hear from the box");
                None
            }
        };
        ServiceNotify {
            target,
            last_ping: None,
        }
    }

    /// Says the box is up and ready to record.
    pub fn ready(&mut self) {
        self.send("READY=1\nSTATUS=ready to record");
    }

    /// Pings the watchdog, at most once a second.
    pub fn ping(&mut self) {
        if self.last_ping.is_some_and(|t| t.elapsed() < PING_EVERY) {
            return;
        }
        self.last_ping = Some(Instant::now());
        self.send("WATCHDOG=1");
    }

    /// Says the box is stopping.
    pub fn stopping(&mut self) {
        self.send("STOPPING=1");
    }

    fn send(&mut self, message: &str) {
        if let Some((socket, addr)) = &self.target {
            if let Err(e) = socket.send_to_addr(message.as_bytes(), addr) {
                tracing::warn!("telling systemd {message:?}: {e}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ready_and_pings_reach_the_socket_at_most_once_a_second() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notify");
        let manager = UnixDatagram::bind(&path).unwrap();
        manager.set_nonblocking(true).unwrap();
        let mut notify = ServiceNotify::to(path.to_str().unwrap());
        notify.ready();
        notify.ping();
        notify.ping(); // too soon: not sent
        notify.stopping();
        let mut got = Vec::new();
        let mut buf = [0u8; 256];
        while let Ok(n) = manager.recv(&mut buf) {
            got.push(String::from_utf8_lossy(&buf[..n]).into_owned());
        }
        assert_eq!(
            got,
            [
                "READY=1\nSTATUS=ready to record",
                "WATCHDOG=1",
                "STOPPING=1"
            ]
        );
    }

    #[test]
    fn without_a_socket_nothing_is_sent_and_nothing_fails() {
        let mut notify = ServiceNotify::to("/nonexistent/notify");
        notify.ready();
        notify.ping();
    }
}
