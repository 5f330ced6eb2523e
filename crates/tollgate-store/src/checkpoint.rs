//! Signed checkpoints of the audit head (ed25519, `ed25519-dalek`). Whoever can write the
//! database can recompute the whole hash chain after editing it; they cannot sign. A checkpoint
//! is the head's seq and hash signed with a private key kept off the database host; `audit
//! verify --key PUB` checks every checkpoint in the log against the replayed chain with the
//! public key the auditor holds.
//!
//! Key files are PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`, and `-----BEGIN PUBLIC KEY-----`
//! for the public half), the form `openssl genpkey -algorithm ed25519` writes too.

use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use std::path::{Path, PathBuf};

pub use ed25519_dalek;

/// The bytes a checkpoint signs: a fixed label (so the signature means nothing elsewhere), the
/// head's seq and hash.
pub fn message(seq: i64, hash: &str) -> Vec<u8> {
    format!("tollgate audit checkpoint v1\nseq {seq}\nhash {hash}\n").into_bytes()
}

/// The signature (hex) of the head `seq`/`hash`.
pub fn sign(key: &SigningKey, seq: i64, hash: &str) -> String {
    hex(&key.sign(&message(seq, hash)).to_bytes())
}

/// Whether `signature_hex` is `key`'s signature of the head `seq`/`hash`.
pub fn verify(key: &VerifyingKey, seq: i64, hash: &str, signature_hex: &str) -> bool {
    let Some(bytes) = unhex(signature_hex) else {
        return false;
    };
    let Ok(arr) = <[u8; 64]>::try_from(bytes.as_slice()) else {
        return false;
    };
    key.verify(&message(seq, hash), &Signature::from_bytes(&arr))
        .is_ok()
}

/// The public key as hex (32 bytes), as stored beside each checkpoint.
pub fn key_hex(key: &VerifyingKey) -> String {
    hex(key.as_bytes())
}

/// A public key from its hex form.
pub fn key_from_hex(s: &str) -> Result<VerifyingKey, String> {
    let bytes = unhex(s).ok_or_else(|| format!("public key '{s}' is not hex"))?;
    let arr = <[u8; 32]>::try_from(bytes.as_slice())
        .map_err(|_| format!("public key '{s}' is not 32 bytes"))?;
    VerifyingKey::from_bytes(&arr).map_err(|e| format!("public key '{s}': {e}"))
}

/// A new random key pair.
pub fn generate() -> SigningKey {
    use rand::RngCore;
    let mut seed = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut seed);
    SigningKey::from_bytes(&seed)
}

/// The public key file written beside a private key file: `FILE.pub`.
pub fn public_path(private: &Path) -> PathBuf {
    let mut p = private.as_os_str().to_owned();
    p.push(".pub");
    PathBuf::from(p)
}

/// Writes a new key pair: the private key to `out` (created, never overwritten, mode 0600 on
/// Unix) and the public key to `out.pub`. Returns the public key.
pub fn write_key_pair(out: &Path) -> Result<VerifyingKey, String> {
    use std::io::Write;
    let key = generate();
    let pem = key
        .to_pkcs8_pem(ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF)
        .map_err(|e| format!("encoding the private key: {e}"))?;
    let public = key.verifying_key();
    let pub_pem = public
        .to_public_key_pem(ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF)
        .map_err(|e| format!("encoding the public key: {e}"))?;
    let pub_path = public_path(out);
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts
        .open(out)
        .map_err(|e| format!("{}: {e}", out.display()))?;
    f.write_all(pem.as_bytes())
        .and_then(|()| f.sync_all())
        .map_err(|e| format!("{}: {e}", out.display()))?;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&pub_path)
        .and_then(|mut f| f.write_all(pub_pem.as_bytes()))
        .map_err(|e| format!("{}: {e}", pub_path.display()))?;
    Ok(public)
}

fn read_text(path: &Path) -> Result<String, String> {
    // Key files are a few hundred bytes: refuse anything large rather than read it whole.
    let meta = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if meta.len() > 64 * 1024 {
        return Err(format!("{}: too large for a key file", path.display()));
    }
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// Reads a private key (PKCS#8 PEM).
pub fn read_signing_key(path: &Path) -> Result<SigningKey, String> {
    let text = read_text(path)?;
    SigningKey::from_pkcs8_pem(&text).map_err(|e| {
        format!(
            "{}: not an ed25519 private key in PKCS#8 PEM ({e})",
            path.display()
        )
    })
}

/// Reads a public key (SPKI PEM, `-----BEGIN PUBLIC KEY-----`); a private key file is refused,
/// so a verifier is never handed the signing key by mistake.
pub fn read_verifying_key(path: &Path) -> Result<VerifyingKey, String> {
    let text = read_text(path)?;
    if text.contains("PRIVATE KEY") {
        return Err(format!(
            "{}: this is a private key; verification takes the public key ({})",
            path.display(),
            public_path(path).display()
        ));
    }
    VerifyingKey::from_public_key_pem(&text)
        .map_err(|e| format!("{}: not an ed25519 public key in PEM ({e})", path.display()))
}

fn hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(HEX[(b >> 4) as usize] as char);
        s.push(HEX[(b & 15) as usize] as char);
    }
    s
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}
