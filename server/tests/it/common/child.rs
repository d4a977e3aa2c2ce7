//! `loupe serve` as a child process on a port it picks itself (`--addr
//! 127.0.0.1:0`): its address is read from the start-up line, so no test hands
//! a port it let go of to a child while another test's server may take it.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A running child; killed and reaped when dropped, on every path.
pub struct Child {
    pub process: std::process::Child,
    pub base: String,
    /// Every line it wrote to stderr so far.
    pub log: Arc<Mutex<Vec<String>>>,
}

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

impl Child {
    /// Kills it at once (SIGKILL), as a crash would.
    pub fn kill(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }

    pub fn log_text(&self) -> String {
        self.log.lock().unwrap().join("\n")
    }
}

/// Starts `loupe serve` with `args` (after `--addr 127.0.0.1:0`) and `env`, and
/// waits for its start-up line. `LOUPE_LOG` in `env` must let the banner's info
/// lines through (`error,loupe::startup::banner=info` keeps the rest quiet).
pub fn serve(args: &[&str], env: &[(&str, &str)]) -> Child {
    let mut command = Command::new(env!("CARGO_BIN_EXE_loupe"));
    command.args(["serve", "--addr", "127.0.0.1:0"]).args(args).stdout(Stdio::null()).stderr(Stdio::piped());
    for (k, v) in env {
        command.env(k, v);
    }
    let mut process = command.spawn().expect("loupe starts");
    let stderr = process.stderr.take().unwrap();
    let log = Arc::new(Mutex::new(Vec::new()));
    let (tx, rx) = mpsc::channel::<String>();
    let sink = log.clone();
    std::thread::spawn(move || {
        let mut tx = Some(tx);
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(at) = line.find("listening on http://") {
                let addr: String =
                    line[at + "listening on http://".len()..].chars().take_while(|c| !c.is_whitespace() && *c != '"').collect();
                if let Some(tx) = tx.take() {
                    let _ = tx.send(addr);
                }
            }
            sink.lock().unwrap().push(line);
        }
    });
    let mut child = Child { process, base: String::new(), log };
    match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(addr) => child.base = format!("http://{addr}"),
        Err(_) => panic!("loupe serve printed no start-up line; it wrote:\n{}", child.log_text()),
    }
    child
}
