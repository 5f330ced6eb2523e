//! A reader wrapper that hashes (SHA-256), counts lines and drives the progress bar as a loader
//! consumes a file, so every loader streams and every file gets its digest in one pass.

use sha2::{Digest, Sha256};
use std::io::{BufRead, Read};

pub struct Tap<R> {
    inner: R,
    hash: Sha256,
    /// Newlines consumed so far, for loaders whose parser does not count lines (XML).
    pub newlines: u64,
    progress: Option<indicatif::ProgressBar>,
}

impl<R: BufRead> Tap<R> {
    pub fn new(inner: R, progress: Option<indicatif::ProgressBar>) -> Self {
        Tap {
            inner,
            hash: Sha256::new(),
            newlines: 0,
            progress,
        }
    }

    fn seen(&mut self, bytes: &[u8]) {
        self.hash.update(bytes);
        self.newlines += bytes.iter().filter(|&&b| b == b'\n').count() as u64;
        if let Some(p) = &self.progress {
            p.inc(bytes.len() as u64);
        }
    }

    /// Reads what the parser left unread (trailing bytes still belong to the file's digest)
    /// and returns the hex digest.
    pub fn finish(mut self) -> std::io::Result<String> {
        let mut rest = Vec::new();
        self.read_to_end(&mut rest)?;
        if let Some(p) = &self.progress {
            p.finish_and_clear();
        }
        Ok(hex(&self.hash.finalize()))
    }
}

pub fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

impl<R: BufRead> Read for Tap<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let (seen, _) = buf.split_at(n);
        let seen = seen.to_vec();
        self.seen(&seen);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Tap<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        let bytes = match self.inner.fill_buf() {
            Ok(b) => b[..amt.min(b.len())].to_vec(),
            Err(_) => Vec::new(),
        };
        self.seen(&bytes);
        self.inner.consume(amt);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_covers_bytes_read_both_ways() {
        let data = b"a\nb\nc";
        let mut t = Tap::new(&data[..], None);
        let mut first = [0u8; 2];
        t.read_exact(&mut first).unwrap();
        t.consume(1);
        assert_eq!(t.newlines, 1);
        let d = t.finish().unwrap();
        assert_eq!(d, hex(&Sha256::digest(data)));
    }
}
