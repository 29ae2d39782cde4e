//! A real `redis-server` for the tests of the shared tier: started by the test on a free
//! loopback port, without persistence, and stopped, frozen or killed by it.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

pub struct RedisServer {
    child: Child,
    binary: PathBuf,
    pub port: u16,
    alive: bool,
}

/// Debian's `redis-server`, wherever `PATH` or the usual places have it.
fn binary() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([
            "/usr/bin".into(),
            "/usr/sbin".into(),
            "/usr/local/bin".into(),
        ])
        .map(|dir| dir.join("redis-server"))
        .find(|candidate| candidate.is_file())
}

impl RedisServer {
    /// A new server, or `None` (after saying why) when `redis-server` is not installed; under
    /// `CI=true`, where `.ci/run` installs it, its absence fails the test.
    pub async fn start() -> Option<RedisServer> {
        let Some(binary) = binary() else {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "redis-server is missing: .ci/run installs Debian's redis-server"
            );
            eprintln!("skipped: redis-server is not installed (apt-get install redis-server)");
            return None;
        };
        let port = crate::process::free_port();
        Some(Self::spawn(binary, port).await)
    }

    async fn spawn(binary: PathBuf, port: u16) -> RedisServer {
        let child = Command::new(&binary)
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--maxmemory",
                "256mb",
                "--maxmemory-policy",
                "allkeys-lru",
                "--dir",
                &std::env::temp_dir().to_string_lossy(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let server = RedisServer {
            child,
            binary,
            port,
            alive: true,
        };
        server.wait_until_it_answers().await;
        server
    }

    async fn wait_until_it_answers(&self) {
        let started = Instant::now();
        while self.ping().await.is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "redis-server did not start"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    async fn ping(&self) -> redis::RedisResult<String> {
        let mut connection = self.connection().await?;
        redis::cmd("PING").query_async(&mut connection).await
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// A connection of the test's own, to look at or tamper with what the service stored.
    pub async fn connection(&self) -> redis::RedisResult<redis::aio::MultiplexedConnection> {
        let client = redis::Client::open(self.url())?;
        tokio::time::timeout(
            Duration::from_secs(2),
            client.get_multiplexed_async_connection(),
        )
        .await
        .map_err(|_| redis::RedisError::from(std::io::Error::other("connect timed out")))?
    }

    /// Every key under `prefix`.
    pub async fn keys(&self, prefix: &str) -> Vec<String> {
        let mut connection = self.connection().await.unwrap();
        redis::cmd("KEYS")
            .arg(format!("{prefix}*"))
            .query_async(&mut connection)
            .await
            .unwrap()
    }

    fn signal(&self, signal: Signal) {
        if self.alive {
            let pid = Pid::from_raw(i32::try_from(self.child.id()).unwrap());
            let _ = kill(pid, signal);
        }
    }

    /// Freezes the server: connections stay open, nothing is answered (a hang).
    pub fn freeze(&self) {
        self.signal(Signal::SIGSTOP);
    }

    pub fn thaw(&self) {
        self.signal(Signal::SIGCONT);
    }

    /// Kills the server: connections reset, new ones are refused.
    pub fn kill(&mut self) {
        self.thaw();
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.alive = false;
    }

    /// Starts a new, empty server on the same port.
    pub async fn restart(&mut self) {
        self.kill();
        let fresh = Self::spawn(self.binary.clone(), self.port).await;
        let old = std::mem::replace(self, fresh);
        drop(old);
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        if self.alive {
            self.kill();
        }
    }
}
