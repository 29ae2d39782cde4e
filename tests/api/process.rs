//! The built binary run as a server in a child process, the way an operator (or the Docker
//! image) runs it: for signals, exit codes and the process's own memory.

use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

pub struct Server {
    child: Child,
    pub base: String,
}

impl Server {
    /// `apercu serve` on a free loopback port with `env` only (plus `PATH`), once `/healthz`
    /// answers.
    pub async fn start(env: &[(&str, String)]) -> Server {
        let port = free_port();
        let mut command = Command::new(env!("CARGO_BIN_EXE_apercu"));
        command
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("APERCU_LISTEN", format!("127.0.0.1:{port}"))
            .envs(env.iter().map(|(name, value)| (name, value)));
        Self::spawn(command, port).await
    }

    /// Runs `command`, a server told to listen on 127.0.0.1:`port`, until `/healthz` answers.
    pub async fn spawn(command: Command, port: u16) -> Server {
        Self::spawn_with_stdout(command, port, Stdio::null()).await
    }

    /// [`Server::spawn`], its standard output going to `stdout`.
    pub async fn spawn_with_stdout(mut command: Command, port: u16, stdout: Stdio) -> Server {
        apercu::fetch::install_tls_provider();
        command.stdout(stdout).stderr(Stdio::piped());
        let server = Server {
            child: command.spawn().unwrap(),
            base: format!("http://127.0.0.1:{port}"),
        };
        let client = reqwest::Client::builder().no_proxy().build().unwrap();
        let started = Instant::now();
        loop {
            let health = client.get(format!("{}/healthz", server.base)).send().await;
            if health.is_ok_and(|r| r.status() == 200) {
                return server;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "the service did not start"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The child's process id (`env` and `setpriv` exec in place; a `sudo` in front stays the
    /// server's parent, see [`Server::serving_pid`]).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The process that serves: the child, or its deepest descendant.
    pub fn serving_pid(&self) -> u32 {
        let mut pid = self.pid();
        while let Ok(children) = std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
            && let Some(child) = children.split_whitespace().next()
        {
            pid = child.parse().unwrap();
        }
        pid
    }

    /// Sends SIGTERM, as an orchestrator stopping the service does.
    pub fn terminate(&self) {
        let pid = nix::unistd::Pid::from_raw(i32::try_from(self.pid()).unwrap());
        nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).unwrap();
    }

    /// The process's peak resident memory, from `/proc` (Linux), in KiB.
    pub fn peak_rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap();
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmHWM:"))
            .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap()
    }

    /// Waits at most `limit` for the process to exit.
    pub async fn exit(mut self, limit: Duration) -> (ExitStatus, String) {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                let mut stderr = String::new();
                if let Some(mut pipe) = self.child.stderr.take() {
                    let _ = std::io::Read::read_to_string(&mut pipe, &mut stderr);
                }
                return (status, stderr);
            }
            assert!(started.elapsed() < limit, "still running after {limit:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// A loopback port free a moment ago.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
