//! The candidate index: a vocabulary of name tokens with inverted postings (token → names),
//! a skeleton map (romanisation-insensitive keys), a deletion map on skeletons for typos
//! (SymSpell-style: one deletion on each side covers edit distance two), and the joined pairs of
//! adjacent tokens ("hua wei" → "huawei") so split and joined syllables meet. A query touches
//! only the postings of its own tokens and their near neighbours, never every entry.

use crate::normalize::{
    chinese_key, chinese_key_wade_giles_j, consonant_key, is_filler_word, is_legal, skeleton,
};
use rustc_hash::{FxHashMap, FxHasher};
use std::hash::{Hash, Hasher};

/// One indexed name (primary name or alias, one romanisation variant) of an entity.
#[derive(Debug)]
pub struct NameRec {
    pub entity: u32,
    /// Index into the entity's display names (0 = primary).
    pub display: u32,
    pub weak: bool,
    /// The entity is a person (the scorer accepts a query that omits some of a person's name
    /// parts, never of a company's).
    pub person: bool,
    /// Bit i set: token i is part of the surname (the part before a listed "SURNAME, Given"
    /// name's comma).
    pub surname: u64,
    /// Vocabulary ids of the non-legal tokens, in order.
    pub toks: Box<[u32]>,
    /// Legal-form tokens ("#ltd"...).
    pub legal: Box<[Box<str>]>,
    /// Sum of the tokens' idf (set by `finish`), to rank candidates by estimated coverage.
    pub idf_sum: f32,
    /// The rarest token's idf (set by `finish`).
    pub idf_max: f32,
}

/// What candidate ranking reads of each name, kept apart from the name records so the loop
/// over thousands of touched names stays in cache.
#[derive(Debug, Clone, Copy, Default)]
pub struct NameMeta {
    pub idf_sum: f32,
    /// The scorer may find this name inside a longer query (`score::may_be_contained`).
    pub containable: bool,
}

#[derive(Debug)]
pub struct Token {
    pub raw: Box<str>,
    pub skel: Box<str>,
    pub idf: f32,
    /// Letter masks of skel and raw (see `score::letter_mask`), for cheap rejection.
    pub skel_mask: u32,
    pub raw_mask: u32,
    /// Arabic/Persian romanisation key (see `normalize::consonant_key`), empty when none.
    pub akey: Box<str>,
    /// Pinyin/Wade-Giles key of a pinyin token (see `normalize::chinese_key`), empty when none.
    pub ckey: Box<str>,
}

#[derive(Debug, Default)]
pub struct Index {
    pub names: Vec<NameRec>,
    pub vocab: Vec<Token>,
    pub by_raw: FxHashMap<Box<str>, u32>,
    /// skeleton → token ids sharing it.
    pub by_skel: FxHashMap<Box<str>, Vec<u32>>,
    /// hash of a skeleton or of a one-deletion of it → token ids.
    /// (hash, token id) pairs while building; `finish` sorts them into `delete_ids` grouped by
    /// hash, with `delete_ranges` mapping a hash to its group: one flat array and one map of
    /// ranges, not a map of a million small vectors (their allocations were most of the build).
    pub deletes: Vec<(u64, u32)>,
    pub delete_ids: Vec<u32>,
    pub delete_ranges: FxHashMap<u64, (u32, u32)>,
    /// token id → names containing it.
    pub postings: Vec<Vec<u32>>,
    /// consonant key → token ids sharing it (romanisation families).
    pub by_akey: FxHashMap<Box<str>, Vec<u32>>,
    /// Chinese romanisation key → pinyin token ids sharing it.
    pub by_ckey: FxHashMap<Box<str>, Vec<u32>>,
    /// hash of skeleton(tok_i + tok_i+1) → names with that adjacent pair.
    pub joined: FxHashMap<u64, Vec<u32>>,
    /// idf given to query tokens the lists never use.
    pub unknown_idf: f32,
    /// Per name, for candidate ranking (set by `finish`).
    pub meta: Vec<NameMeta>,
}

pub fn hash_str(s: &str) -> u64 {
    let mut h = FxHasher::default();
    s.hash(&mut h);
    h.finish()
}

/// Names a listed word's romanisation twin may be in and still be proposed (see `neighbours`).
const KEY_TWIN_MAX_POSTINGS: usize = 1024;

/// Skeletons this short are matched exactly only: one edit in three letters is another word.
pub const MIN_FUZZY_LEN: usize = 4;

/// Calls `f` with every one-character deletion of `s` (ASCII).
pub fn for_each_delete(s: &str, mut f: impl FnMut(&str)) {
    let mut buf = String::with_capacity(s.len());
    for i in 0..s.len() {
        buf.clear();
        buf.push_str(&s[..i]);
        buf.push_str(&s[i + 1..]);
        f(&buf);
    }
}

impl Index {
    fn token_id(&mut self, raw: &str) -> u32 {
        if let Some(&id) = self.by_raw.get(raw) {
            return id;
        }
        let id = self.vocab.len() as u32;
        let skel = skeleton(raw);
        self.by_skel
            .entry(skel.as_str().into())
            .or_default()
            .push(id);
        if skel.len() >= MIN_FUZZY_LEN {
            // Deletions of the raw spelling too: a typo can break a skeleton rule ("hacitnda").
            let mut keys = vec![hash_str(&skel), hash_str(raw)];
            for_each_delete(&skel, |d| keys.push(hash_str(d)));
            for_each_delete(raw, |d| keys.push(hash_str(d)));
            keys.sort_unstable();
            keys.dedup();
            self.deletes.extend(keys.into_iter().map(|k| (k, id)));
        }
        let akey = consonant_key(raw).unwrap_or_default();
        if !akey.is_empty() {
            self.by_akey
                .entry(akey.as_str().into())
                .or_default()
                .push(id);
        }
        let ckey = if crate::score::is_pinyin_word(raw) {
            chinese_key(raw).unwrap_or_default()
        } else {
            String::new()
        };
        if !ckey.is_empty() {
            self.by_ckey
                .entry(ckey.as_str().into())
                .or_default()
                .push(id);
        }
        self.vocab.push(Token {
            ckey: ckey.into(),
            akey: akey.into(),
            raw: raw.into(),
            skel_mask: crate::score::letter_mask(&skel),
            raw_mask: crate::score::letter_mask(raw),
            skel: skel.into(),
            idf: 0.0,
        });
        self.postings.push(Vec::new());
        self.by_raw.insert(raw.into(), id);
        id
    }

    /// Adds one name variant; returns false when it has no identifying token.
    pub fn add(
        &mut self,
        entity: u32,
        display: u32,
        weak: bool,
        person: bool,
        surname: &[String],
        toks: &[String],
    ) -> bool {
        let mut ids = Vec::with_capacity(toks.len());
        let mut legal = Vec::new();
        for t in toks {
            if is_legal(t) {
                legal.push(t.as_str().into());
            } else {
                ids.push(self.token_id(t));
            }
        }
        if ids.is_empty() {
            return false;
        }
        let name = self.names.len() as u32;
        let mut uniq = ids.clone();
        uniq.sort_unstable();
        uniq.dedup();
        for &t in &uniq {
            self.postings[t as usize].push(name);
        }
        for w in ids.windows(2) {
            let joined = format!(
                "{}{}",
                self.vocab[w[0] as usize].raw, self.vocab[w[1] as usize].raw
            );
            self.joined
                .entry(hash_str(&skeleton(&joined)))
                .or_default()
                .push(name);
        }
        self.names.push(NameRec {
            entity,
            display,
            weak,
            person,
            surname: toks
                .iter()
                .filter(|t| !is_legal(t))
                .enumerate()
                .take(64)
                .filter(|(_, t)| surname.contains(t))
                .fold(0u64, |m, (i, _)| m | (1u64 << i)),
            toks: ids.into_boxed_slice(),
            legal: legal.into_boxed_slice(),
            idf_sum: 0.0,
            idf_max: 0.0,
        });
        true
    }

    /// Computes idf once all names are in: ln(1 + N / df).
    pub fn finish(&mut self) {
        let n = self.names.len().max(1) as f32;
        for (t, p) in self.vocab.iter_mut().zip(&self.postings) {
            t.idf = (1.0 + n / p.len().max(1) as f32).ln();
        }
        self.unknown_idf = (1.0 + n / 2.0).ln();
        for rec in &mut self.names {
            rec.idf_sum = rec.toks.iter().map(|&t| self.vocab[t as usize].idf).sum();
            rec.idf_max = rec
                .toks
                .iter()
                .map(|&t| self.vocab[t as usize].idf)
                .fold(0.0, f32::max);
        }
        self.meta = self
            .names
            .iter()
            .map(|r| NameMeta {
                idf_sum: r.idf_sum,
                containable: crate::score::may_be_contained(r.toks.len(), r.idf_sum, r.idf_max),
            })
            .collect();
        let mut pairs = std::mem::take(&mut self.deletes);
        pairs.sort_unstable();
        pairs.dedup();
        self.delete_ids = Vec::with_capacity(pairs.len());
        self.delete_ranges = FxHashMap::default();
        self.delete_ranges.reserve(pairs.len() / 2);
        for group in pairs.chunk_by(|a, b| a.0 == b.0) {
            let start = self.delete_ids.len() as u32;
            self.delete_ids.extend(group.iter().map(|&(_, id)| id));
            self.delete_ranges
                .insert(group[0].0, (start, group.len() as u32));
        }
        for v in self.joined.values_mut() {
            v.sort_unstable();
            v.dedup();
        }
    }

    /// Splits a token that is several listed words run together ("banconacionaldecuba") into
    /// vocabulary words (at least 3 letters) and stopwords or legal-form words, fewest pieces
    /// first. None when no such split exists or the token is a word of its own.
    pub fn segment(&self, tok: &str) -> Option<Vec<String>> {
        /// Longer runs are not names (and the split is quadratic).
        const MAX_LEN: usize = 96;
        let n = tok.len();
        // Shorter tokens are words of their own more often than run-together names. (A split
        // word never makes a listed name "contained": see `score::QVar::segmented`.)
        if !(6..=MAX_LEN).contains(&n) || !tok.is_ascii() || self.by_raw.contains_key(tok) {
            return None;
        }
        // Cost of a piece: listed words and fillers 1, a single listed letter 2 (initials run
        // into a name: "lashkarijhangvi"), digits 1.
        let cost = |p: &str| -> Option<u16> {
            if p.bytes().all(|b| b.is_ascii_digit()) {
                return Some(1);
            }
            if is_filler_word(p) && p.len() >= 2 {
                return Some(1);
            }
            match (p.len(), self.by_raw.contains_key(p)) {
                (1, true) => Some(2),
                (_, true) => Some(1),
                _ => None,
            }
        };
        /// Longest piece tried: listed words are shorter (bounds the quadratic scan).
        const MAX_PIECE: usize = 24;
        // best[i]: cheapest split of tok[..i], and where its last piece starts.
        let mut best: Vec<Option<(u16, usize)>> = vec![None; n + 1];
        best[0] = Some((0, 0));
        for i in 1..=n {
            for j in (i.saturating_sub(MAX_PIECE)..i).rev() {
                let Some((c, _)) = best[j] else { continue };
                let Some(k) = cost(&tok[j..i]) else { continue };
                if best[i].is_none_or(|(b, _)| c + k < b) {
                    best[i] = Some((c + k, j));
                }
            }
        }
        best[n]?;
        let mut pieces = Vec::new();
        let mut i = n;
        while i > 0 {
            let (_, j) = best[i]?;
            pieces.push(tok[j..i].to_string());
            i = j;
        }
        pieces.reverse();
        // Only splits made mostly of real words: a long listed word at least, and fewer short
        // pieces than long ones.
        let short = pieces.iter().filter(|p| p.len() <= 2).count();
        let long_word = pieces
            .iter()
            .any(|p| p.len() >= 4 && self.by_raw.contains_key(p.as_str()));
        (pieces.len() >= 2 && long_word && short * 2 < pieces.len() + 1).then_some(pieces)
    }

    /// Pinyin tokens that a query token (pinyin or Wade-Giles, "j" read both ways) spells.
    pub fn chinese_neighbours(
        &self,
        raw: &str,
        cap: usize,
        out: &mut Vec<(u32, f32)>,
        seen: &mut rustc_hash::FxHashSet<u32>,
    ) {
        for k in [chinese_key(raw), chinese_key_wade_giles_j(raw)]
            .into_iter()
            .flatten()
        {
            if let Some(ids) = self.by_ckey.get(k.as_str()) {
                for &id in ids {
                    if self.postings[id as usize].len() <= cap && seen.insert(id) {
                        out.push((id, crate::score::CKEY_SIMILARITY));
                    }
                }
            }
        }
    }

    /// Vocabulary tokens within typo distance of a query token, with their similarity.
    /// `seen` is caller scratch (cleared here) so a token reached by several deletions is
    /// verified once.
    /// With `exact_enough`, a token found exactly is not expanded to its typo neighbours (the
    /// other query tokens still find the name; the scorer still compares fuzzily).
    pub fn neighbours(
        &self,
        raw: &str,
        skel: &str,
        exact_enough: bool,
        out: &mut Vec<(u32, f32)>,
        seen: &mut rustc_hash::FxHashSet<u32>,
    ) {
        out.clear();
        seen.clear();
        let mut exact = false;
        if let Some(&id) = self.by_raw.get(raw) {
            out.push((id, 1.0));
            seen.insert(id);
            exact = true;
        }
        if raw.len() < MIN_FUZZY_LEN {
            // Short Chinese syllables: their Wade-Giles/pinyin twins only ("lo" ~ "luo").
            self.chinese_neighbours(raw, usize::MAX, out, seen);
            return;
        }
        // Other spellings of the same sound (two hash look-ups, so even a query word that is
        // itself listed reaches them: "rahman" ~ "rehman", "mohamed" ~ "muhammad").
        if let Some(ids) = self.by_skel.get(skel) {
            for &id in ids {
                if seen.insert(id) {
                    out.push((id, 0.9));
                }
            }
        }
        // A listed query word reaches only the rarer of its key twins: the common spellings
        // of a common name ("muhammad") would flood the candidates for little gain.
        let cap = if exact && exact_enough {
            KEY_TWIN_MAX_POSTINGS
        } else {
            usize::MAX
        };
        if let Some(ids) = consonant_key(raw).and_then(|k| self.by_akey.get(k.as_str())) {
            for &id in ids {
                if self.postings[id as usize].len() <= cap && seen.insert(id) {
                    out.push((id, crate::score::AKEY_SIMILARITY));
                }
            }
        }
        self.chinese_neighbours(raw, cap, out, seen);
        if exact && exact_enough {
            return;
        }
        // The skeleton may be shorter than the spelling ("azii" → "azi"): the spelling decides.
        if skel.len() < MIN_FUZZY_LEN && raw.len() < MIN_FUZZY_LEN {
            return;
        }
        let (q_skel_mask, q_raw_mask) = (
            crate::score::letter_mask(skel),
            crate::score::letter_mask(raw),
        );
        // Up to 3 edits, each flipping at most 2 mask bits.
        let close = |a: u32, b: u32, len: usize| {
            (a ^ b).count_ones() as usize <= 2 * crate::score::allowed_edits(len)
        };
        let mut probe = |k: u64, out: &mut Vec<(u32, f32)>| {
            if let Some(&(start, len)) = self.delete_ranges.get(&k) {
                let ids = &self.delete_ids[start as usize..(start + len) as usize];
                for &id in ids {
                    let t = &self.vocab[id as usize];
                    let skel_close = close(q_skel_mask, t.skel_mask, skel.len().min(t.skel.len()));
                    let raw_close = close(q_raw_mask, t.raw_mask, raw.len().min(t.raw.len()));
                    if !(skel_close || raw_close) || !seen.insert(id) {
                        continue;
                    }
                    let mut s = if skel_close {
                        crate::score::typo_similarity(skel, &t.skel)
                    } else {
                        0.0
                    };
                    if s < 1.0 && raw_close && (raw != skel || *t.raw != *t.skel) {
                        s = s.max(crate::score::typo_similarity(raw, &t.raw));
                    }
                    // The scorer ignores pairs below 0.7; so must candidate generation.
                    if s >= 0.7 {
                        out.push((id, s));
                    }
                }
            }
        };
        probe(hash_str(skel), out);
        for_each_delete(skel, |d| probe(hash_str(d), out));
        // Raw-spelling deletions only when the skeleton found nothing close.
        if raw != skel && !out.iter().any(|&(_, s)| s >= 0.85) {
            probe(hash_str(raw), out);
            for_each_delete(raw, |d| probe(hash_str(d), out));
        }
    }
}
