//! Downloads one list file: a conditional GET (If-None-Match / If-Modified-Since from the copy
//! in use), retries with exponential backoff on connection errors, 5xx and 429, the body
//! streamed to a file (with a progress bar only on a terminal), and `file://` URLs copied (for
//! mirrors on a shared disk).

use std::io::{Read, Write};
use std::path::Path;
use std::time::Duration;

/// The validators of the copy in use, sent with the request.
#[derive(Debug, Clone, Default)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// What a request gave.
#[derive(Debug, Clone)]
pub enum Fetched {
    /// 304: the copy in use is current.
    NotModified,
    /// 200: the body is in the destination file.
    Downloaded {
        bytes: u64,
        etag: Option<String>,
        last_modified: Option<String>,
    },
}

/// How hard to try.
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    /// Attempts in all (at least 1).
    pub attempts: u32,
    /// The wait before the second attempt; doubled before each further one.
    pub backoff: Duration,
}

impl Default for Retry {
    fn default() -> Self {
        Retry {
            attempts: 4,
            backoff: Duration::from_millis(500),
        }
    }
}

/// The client all downloads share: rustls, a user agent naming tollgate, bounded timeouts.
pub fn client() -> Result<reqwest::blocking::Client, String> {
    reqwest::blocking::Client::builder()
        .user_agent(concat!(
            "tollgate/",
            env!("CARGO_PKG_VERSION"),
            " (lists update)"
        ))
        .connect_timeout(Duration::from_secs(30))
        .timeout(Duration::from_secs(30 * 60))
        .build()
        .map_err(|e| format!("HTTP client: {e}"))
}

enum Attempt {
    Done(Fetched),
    /// Worth another try (connection failure, 5xx, 429, a body cut short).
    Again(String),
    Fail(String),
}

/// Fetches `url` into `dest` (created or truncated). `Err` says why, after the retries.
pub fn fetch(
    client: &reqwest::blocking::Client,
    url: &str,
    prev: Option<&Validators>,
    dest: &Path,
    retry: Retry,
    progress: bool,
) -> Result<Fetched, String> {
    if let Some(path) = url.strip_prefix("file://") {
        return std::fs::copy(path, dest)
            .map(|bytes| Fetched::Downloaded {
                bytes,
                etag: None,
                last_modified: None,
            })
            .map_err(|e| format!("{url}: {e}"));
    }
    let mut wait = retry.backoff;
    let mut last = String::new();
    for n in 0..retry.attempts.max(1) {
        if n > 0 {
            std::thread::sleep(wait);
            wait = wait.saturating_mul(2);
        }
        match attempt(client, url, prev, dest, progress) {
            Attempt::Done(f) => return Ok(f),
            Attempt::Fail(e) => return Err(e),
            Attempt::Again(e) => last = e,
        }
    }
    Err(format!("{last} (after {} attempts)", retry.attempts.max(1)))
}

fn header(r: &reqwest::blocking::Response, name: reqwest::header::HeaderName) -> Option<String> {
    r.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

fn attempt(
    client: &reqwest::blocking::Client,
    url: &str,
    prev: Option<&Validators>,
    dest: &Path,
    progress: bool,
) -> Attempt {
    use reqwest::header::{CONTENT_LENGTH, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED};
    let mut req = client.get(url);
    if let Some(v) = prev {
        if let Some(e) = &v.etag {
            req = req.header(IF_NONE_MATCH, e);
        }
        if let Some(m) = &v.last_modified {
            req = req.header(IF_MODIFIED_SINCE, m);
        }
    }
    let mut resp = match req.send() {
        Ok(r) => r,
        Err(e) if e.is_builder() => return Attempt::Fail(format!("{url}: {e}")),
        Err(e) => return Attempt::Again(format!("{url}: {}", error_chain(&e))),
    };
    let status = resp.status();
    if status == reqwest::StatusCode::NOT_MODIFIED {
        return Attempt::Done(Fetched::NotModified);
    }
    if status.is_server_error() || status == reqwest::StatusCode::TOO_MANY_REQUESTS {
        return Attempt::Again(format!("{url}: HTTP {status}"));
    }
    if !status.is_success() {
        return Attempt::Fail(format!("{url}: HTTP {status}"));
    }
    let etag = header(&resp, ETAG);
    let last_modified = header(&resp, LAST_MODIFIED);
    let expected: Option<u64> = header(&resp, CONTENT_LENGTH).and_then(|v| v.parse().ok());
    let bar = progress_bar(progress, expected, url);
    let mut out = match std::fs::File::create(dest) {
        Ok(f) => std::io::BufWriter::new(f),
        Err(e) => return Attempt::Fail(format!("{}: {e}", dest.display())),
    };
    let mut buf = vec![0u8; 1 << 16];
    let mut bytes = 0u64;
    loop {
        let n = match resp.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) => {
                return Attempt::Again(format!(
                    "{url}: the download broke off after {bytes} bytes: {e}"
                ))
            }
        };
        if let Err(e) = out.write_all(&buf[..n]) {
            return Attempt::Fail(format!("{}: {e}", dest.display()));
        }
        bytes += n as u64;
        if let Some(b) = &bar {
            b.set_position(bytes);
        }
    }
    if let Err(e) = out.flush().and_then(|_| out.get_ref().sync_all()) {
        return Attempt::Fail(format!("{}: {e}", dest.display()));
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    if let Some(n) = expected.filter(|n| *n != bytes) {
        return Attempt::Again(format!(
            "{url}: {bytes} bytes received of the {n} announced (download cut short)"
        ));
    }
    Attempt::Done(Fetched::Downloaded {
        bytes,
        etag,
        last_modified,
    })
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(c) = src {
        let t = c.to_string();
        if !s.contains(&t) {
            s.push_str(": ");
            s.push_str(&t);
        }
        src = c.source();
    }
    s
}

fn progress_bar(progress: bool, len: Option<u64>, url: &str) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if !progress || !std::io::stderr().is_terminal() {
        return None;
    }
    let name = url.rsplit('/').next().unwrap_or(url).to_string();
    let pb = match len {
        Some(n) => {
            let pb = indicatif::ProgressBar::new(n);
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
            ) {
                pb.set_style(style);
            }
            pb
        }
        None => {
            let pb = indicatif::ProgressBar::new_spinner();
            if let Ok(style) =
                indicatif::ProgressStyle::with_template("{msg} {spinner} {bytes} {bytes_per_sec}")
            {
                pb.set_style(style);
            }
            pb
        }
    };
    pb.set_message(format!("downloading {name}"));
    Some(pb)
}
