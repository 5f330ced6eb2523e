//! The tamper-evident audit log: each entry's hash is SHA-256 over the previous entry's hash and
//! a canonical encoding of the entry (a JSON array of its fields in a fixed order, with the
//! before/after documents as the exact stored text). Verification recomputes the chain from the
//! genesis hash and compares it with the stored head (so deleting the last rows is caught too).

use crate::model::{AuditEntry, AuditFault, AuditReport};
use sha2::{Digest, Sha256};

/// The hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The canonical bytes of an entry (everything except the hashes).
pub fn canonical(
    seq: i64,
    at: &str,
    actor: &str,
    action: &str,
    entity: &str,
    before: &str,
    after: &str,
) -> String {
    // A tuple serialises as a JSON array: the same bytes as a `Value::Array` of these values,
    // without copying the (large) documents into values first.
    serde_json::to_string(&(seq, at, actor, action, entity, before, after)).unwrap_or_default()
}

/// SHA-256 (hex) over the previous hash and the canonical encoding.
pub fn chain_hash(prev_hash: &str, canonical: &str) -> String {
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(b"\n");
    h.update(canonical.as_bytes());
    let out = h.finalize();
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(64);
    for b in out {
        s.push(HEX[(b >> 4) as usize] as char);
        s.push(HEX[(b & 15) as usize] as char);
    }
    s
}

/// The chain recomputed entry by entry, in seq order, without holding the entries: what
/// [`verify`] does over a slice, and what the streaming replay does chunk by chunk.
#[derive(Debug, Clone)]
pub struct Chain {
    prev: String,
    expected_seq: i64,
}

impl Default for Chain {
    fn default() -> Self {
        Self::new()
    }
}

impl Chain {
    pub fn new() -> Self {
        Self {
            prev: GENESIS.to_string(),
            expected_seq: 1,
        }
    }

    /// The hash of the last entry checked (the genesis hash before the first).
    pub fn hash(&self) -> &str {
        &self.prev
    }

    /// The seq of the last entry checked (0 before the first).
    pub fn seq(&self) -> i64 {
        self.expected_seq - 1
    }

    /// Checks the next stored entry: its seq, its link to the entry before it and its hash.
    pub fn step(&mut self, e: &AuditEntry) -> Result<(), AuditFault> {
        let expected_seq = self.expected_seq;
        if e.seq != expected_seq {
            return Err(AuditFault::entry(
                expected_seq,
                format!(
                    "entry {expected_seq} is missing (next stored entry is {})",
                    e.seq
                ),
            ));
        }
        if e.prev_hash != self.prev {
            return Err(AuditFault::entry(
                e.seq,
                format!("entry {} does not link to entry {}: its previous-hash field differs (deleted, inserted or reordered)", e.seq, e.seq - 1),
            ));
        }
        let c = canonical(
            e.seq,
            &e.at,
            &e.actor,
            &e.action,
            &e.entity,
            &e.before_json,
            &e.after_json,
        );
        let h = chain_hash(&self.prev, &c);
        if h != e.hash {
            return Err(AuditFault::entry(
                e.seq,
                format!(
                    "entry {} was changed: its contents hash to {h}, the log says {}",
                    e.seq, e.hash
                ),
            ));
        }
        self.prev = h;
        self.expected_seq += 1;
        Ok(())
    }

    /// Checks that the log ends at the stored head.
    pub fn finish(&self, head_seq: i64, head_hash: &str) -> Result<(), AuditFault> {
        let last = self.expected_seq - 1;
        if last != head_seq || self.prev != head_hash {
            let seq = (last + 1).min(head_seq.max(1));
            return Err(AuditFault::entry(
                seq,
                format!("the log ends at entry {last} with hash {}, but the head records entry {head_seq} with hash {head_hash} (entries deleted or the head altered)", self.prev),
            ));
        }
        Ok(())
    }
}

/// Recomputes the chain over `entries` (ordered by seq as stored) and checks it ends at the head.
pub fn verify(entries: &[AuditEntry], head_seq: i64, head_hash: &str) -> AuditReport {
    let mut chain = Chain::new();
    let fault = entries
        .iter()
        .try_for_each(|e| chain.step(e))
        .and_then(|()| chain.finish(head_seq, head_hash))
        .err();
    AuditReport {
        entries: entries.len() as i64,
        head_hash: head_hash.to_string(),
        first_bad: fault,
        ..AuditReport::default()
    }
}

#[cfg(test)]
mod tests {
    use super::canonical;

    /// The canonical bytes are what a JSON array of the fields gives (the hashes of every
    /// stored log depend on it).
    #[test]
    fn canonical_is_the_json_array_of_the_fields() {
        let texts = [
            "plain",
            "quote \" backslash \\ slash /",
            "control \u{1} \n \t",
            "unicode é 中文 \u{2028} \u{1F600}",
            r#"{"rows":{"licences":[{"number":"L-1","drawn_units":3}]}}"#,
        ];
        for t in texts {
            let want = serde_json::Value::Array(vec![
                (-7i64).into(),
                t.into(),
                t.into(),
                t.into(),
                t.into(),
                t.into(),
                t.into(),
            ])
            .to_string();
            assert_eq!(canonical(-7, t, t, t, t, t, t), want);
        }
    }
}
