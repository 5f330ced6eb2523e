//! The scorer: aligns query tokens with a listed name's tokens one-to-one (typos, abbreviations,
//! initials, joined or split syllables, any order), weighs each token by its rarity in the lists
//! (idf), and scores the share of both names that aligned. Country and address then move the
//! score a little, only for names that already match on their own.

use crate::index::{Index, NameRec};
use crate::normalize::skeleton;
use std::borrow::Cow;

/// Optimal-string-alignment distance, or None when it exceeds `max` (ASCII bytes).
pub fn osa_bounded(a: &[u8], b: &[u8], max: usize) -> Option<usize> {
    let (n, m) = (a.len(), b.len());
    if n.abs_diff(m) > max {
        return None;
    }
    if n == 0 || m == 0 {
        return Some(n.max(m));
    }
    // Three rolling rows, on the stack for the usual short strings (this is the hot loop).
    const STACK: usize = 96;
    let mut heap;
    let mut stack = [0u16; 3 * STACK];
    let rows: &mut [u16] = if m < STACK {
        &mut stack[..3 * (m + 1)]
    } else {
        heap = vec![0u16; 3 * (m + 1)];
        &mut heap
    };
    let w = m + 1;
    let (mut p2, mut p1, mut c) = (0usize, w, 2 * w);
    for j in 0..=m {
        rows[p1 + j] = j as u16;
    }
    for i in 1..=n {
        rows[c] = i as u16;
        let mut row_min = rows[c];
        for j in 1..=m {
            let cost = u16::from(a[i - 1] != b[j - 1]);
            let mut v = (rows[p1 + j] + 1)
                .min(rows[c + j - 1] + 1)
                .min(rows[p1 + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(rows[p2 + j - 2] + 1);
            }
            rows[c + j] = v;
            row_min = row_min.min(v);
        }
        if row_min as usize > max {
            return None;
        }
        (p2, p1, c) = (p1, c, p2);
    }
    let d = rows[p1 + m] as usize;
    (d <= max).then_some(d)
}

/// Edits tolerated for a token of this length: none up to 3 letters, then one per ~4 letters.
pub fn allowed_edits(len: usize) -> usize {
    match len {
        0..=3 => 0,
        4..=5 => 1,
        6..=9 => 2,
        _ => 3,
    }
}

/// Which letters (and digit classes) occur: one edit changes at most two bits, so a mask
/// difference rules most pairs out before the quadratic distance.
pub fn letter_mask(s: &str) -> u32 {
    s.bytes().fold(0u32, |m, c| {
        m | match c {
            b'a'..=b'z' => 1 << (c - b'a'),
            b'0'..=b'9' => 1 << (26 + (c - b'0') % 6),
            _ => 0,
        }
    })
}

/// At most one edit (substitution, insertion, deletion or adjacent transposition), linear time.
fn within_one_edit(a: &[u8], b: &[u8]) -> bool {
    let (a, b) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let p = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    if a.len() == b.len() {
        if p == a.len() {
            return true;
        }
        a[p + 1..] == b[p + 1..]
            || (p + 1 < a.len() && a[p] == b[p + 1] && a[p + 1] == b[p] && a[p + 2..] == b[p + 2..])
    } else if b.len() == a.len() + 1 {
        a[p..] == b[p + 1..]
    } else {
        false
    }
}

/// Similarity of two skeletons that differ by typos; 0 when too far apart.
pub fn typo_similarity(a: &str, b: &str) -> f32 {
    let max_len = a.len().max(b.len());
    let k = allowed_edits(a.len().min(b.len()));
    if k == 0 {
        return if a == b { 1.0 } else { 0.0 };
    }
    if a.len().abs_diff(b.len()) > k
        || (letter_mask(a) ^ letter_mask(b)).count_ones() as usize > 2 * k
    {
        return 0.0;
    }
    let d = if k == 1 {
        if a == b {
            Some(0)
        } else if within_one_edit(a.as_bytes(), b.as_bytes()) {
            Some(1)
        } else {
            None
        }
    } else {
        osa_bounded(a.as_bytes(), b.as_bytes(), k)
    };
    match d {
        Some(0) => 0.95,
        // Each edit costs more in a short token than in a long one.
        Some(d) => (1.0 - 1.25 * d as f32 / max_len as f32).max(0.0),
        None => 0.0,
    }
}

/// A light English stem: one common suffix off, so word forms meet without a dictionary.
pub fn stem(s: &str) -> &str {
    if s.len() < 5 {
        return s;
    }
    for suf in ["ing", "ies", "es", "ed", "s", "e", "y"] {
        if let Some(x) = s.strip_suffix(suf) {
            if !x.ends_with('s') || suf != "s" {
                return x;
            }
        }
    }
    s
}

/// Similarity of a query token and a listed token (raw ASCII and skeleton of each).
pub fn token_similarity(qr: &str, qs: &str, nr: &str, ns: &str) -> f32 {
    if qr == nr {
        return 1.0;
    }
    // Short tokens ("abb", "bid") are acronyms: a shared skeleton is a different acronym.
    let min_len = qr.len().min(nr.len());
    if qs == ns && min_len >= 4 {
        return 0.9;
    }
    if min_len >= 4 {
        let (a, b) = (stem(qr), stem(nr));
        if a.len() >= 4 && a == b {
            // "trade"/"trading", "material"/"materials".
            return 0.9;
        }
    }
    let (short, long) = if qr.len() <= nr.len() {
        (qr, nr)
    } else {
        (nr, qr)
    };
    if short.len() == 1 {
        // An initial ("J" for "JOHN") is evidence, but weak.
        return if long.as_bytes()[0] == short.as_bytes()[0] {
            0.55
        } else {
            0.0
        };
    }
    let mut best = if min_len >= 4 {
        let s = typo_similarity(qs, ns);
        if s < 1.0 && (qr != qs || nr != ns) {
            s.max(typo_similarity(qr, nr))
        } else {
            s
        }
    } else {
        0.0
    };
    if short.len() >= 3 && long.starts_with(short) {
        // Abbreviation ("tech" for "technologies", "intl" is caught by typos only).
        best = best.max(0.75);
    }
    if best < 0.7 {
        0.0
    } else {
        best
    }
}

/// A prepared query token.
#[derive(Debug, Clone)]
pub struct QTok {
    pub raw: String,
    pub skel: String,
    pub idf: f32,
}

/// A prepared query variant.
#[derive(Debug, Clone)]
pub struct QVar {
    pub toks: Vec<QTok>,
    pub legal: Vec<String>,
    pub compact: String,
}

impl QVar {
    pub fn new(index: &Index, toks: &[String]) -> QVar {
        let mut out = Vec::new();
        let mut legal = Vec::new();
        for t in toks {
            if crate::normalize::is_legal(t) {
                legal.push(t.clone());
                continue;
            }
            let skel = skeleton(t);
            let idf = match index.by_raw.get(t.as_str()) {
                Some(&id) => index.vocab[id as usize].idf,
                None => match index.by_skel.get(skel.as_str()) {
                    Some(ids) => ids
                        .iter()
                        .map(|&i| index.vocab[i as usize].idf)
                        .fold(f32::MAX, f32::min),
                    None => index.unknown_idf,
                },
            };
            out.push(QTok {
                raw: t.clone(),
                skel,
                idf,
            });
        }
        let compact = out.iter().map(|t| t.skel.as_str()).collect();
        QVar {
            toks: out,
            legal,
            compact,
        }
    }
}

/// One aligned token pair in an explanation.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Aligned {
    pub query: String,
    pub listed: String,
    pub similarity: f64,
}

/// The name part of a score, with what aligned.
#[derive(Debug, Clone)]
pub struct NameScore {
    pub score: f32,
    pub aligned: Vec<Aligned>,
    pub compact: bool,
}

struct Side<'a> {
    raw: Cow<'a, str>,
    skel: Cow<'a, str>,
    w: f32,
    /// "hua+wei" for merged tokens; None means the raw token.
    merged: Option<String>,
}

impl Side<'_> {
    fn label(&self) -> String {
        self.merged.clone().unwrap_or_else(|| self.raw.to_string())
    }
}

/// True when `a` followed by `b` spells `t` (no allocation).
fn spells(t: &str, a: &str, b: &str) -> bool {
    t.len() == a.len() + b.len() && t.starts_with(a) && t.ends_with(b)
}

/// Merges adjacent tokens of `a` whose concatenation is a token of `b` ("hua wei" ~ "huawei").
fn merge_pairs(a: &mut Vec<Side>, b: &[Side]) {
    let mut i = 0;
    while i + 1 < a.len() {
        let len = a[i].raw.len() + a[i + 1].raw.len();
        let first = a[i].raw.as_bytes()[0];
        let exact = b.iter().any(|t| spells(&t.raw, &a[i].raw, &a[i + 1].raw));
        let hit = (exact
            || b.iter().any(|t| {
                t.raw.len().abs_diff(len) <= 1 && t.raw.as_bytes()[0] == first && {
                    let joined = format!("{}{}", a[i].raw, a[i + 1].raw);
                    t.skel == skeleton(&joined)
                }
            }))
            && !b.iter().any(|t| t.raw == a[i].raw || t.raw == a[i + 1].raw);
        if hit {
            let next = a.remove(i + 1);
            let cur = &mut a[i];
            let label = format!("{}+{}", cur.label(), next.label());
            let raw = format!("{}{}", cur.raw, next.raw);
            cur.skel = Cow::Owned(skeleton(&raw));
            cur.raw = Cow::Owned(raw);
            cur.w = cur.w.max(next.w);
            cur.merged = Some(label);
        }
        i += 1;
    }
}

/// Scores a prepared query variant against one indexed name; `explain` fills the alignment.
pub fn score_name(index: &Index, q: &QVar, name: &NameRec, explain: bool) -> NameScore {
    let mut qs: Vec<Side> = q
        .toks
        .iter()
        .map(|t| Side {
            raw: Cow::Borrowed(t.raw.as_str()),
            skel: Cow::Borrowed(t.skel.as_str()),
            w: t.idf,
            merged: None,
        })
        .collect();
    let mut ns: Vec<Side> = name
        .toks
        .iter()
        .map(|&id| {
            let t = &index.vocab[id as usize];
            Side {
                raw: Cow::Borrowed(&*t.raw),
                skel: Cow::Borrowed(&*t.skel),
                w: t.idf,
                merged: None,
            }
        })
        .collect();
    merge_pairs(&mut qs, &ns);
    merge_pairs(&mut ns, &qs);

    let mut pairs: Vec<(f32, usize, usize)> = Vec::with_capacity(qs.len() * ns.len());
    for (i, a) in qs.iter().enumerate() {
        for (j, b) in ns.iter().enumerate() {
            let s = token_similarity(&a.raw, &a.skel, &b.raw, &b.skel);
            if s > 0.0 {
                pairs.push((s, i, j));
            }
        }
    }
    // Greedy one-to-one alignment, best pairs first; ties keep query order (stable sort).
    pairs.sort_by(|x, y| y.0.total_cmp(&x.0));
    let mut q_sim = vec![0f32; qs.len()];
    let mut n_sim = vec![0f32; ns.len()];
    let mut q_used = vec![false; qs.len()];
    let mut n_used = vec![false; ns.len()];
    let mut aligned = Vec::new();
    for (s, i, j) in pairs {
        if q_used[i] || n_used[j] {
            continue;
        }
        q_used[i] = true;
        n_used[j] = true;
        q_sim[i] = s;
        n_sim[j] = s;
        if explain {
            aligned.push(Aligned {
                query: qs[i].label(),
                listed: ns[j].label(),
                similarity: (s as f64 * 1000.0).round() / 1000.0,
            });
        }
    }
    let cover = |side: &[Side], sims: &[f32]| {
        let total: f32 = side.iter().map(|t| t.w).sum();
        if total <= 0.0 {
            return 0.0;
        }
        side.iter().zip(sims).map(|(t, s)| t.w * s).sum::<f32>() / total
    };
    let (cq, cn) = (cover(&qs, &q_sim), cover(&ns, &n_sim));
    // Both names must be covered: the mean rewards a full match of either side, the min term
    // keeps a short common name from matching a long query (or the reverse) on one token.
    let mut score = 0.35 * (cq + cn) + 0.3 * cq.min(cn);
    let mut compact = false;
    // Only where it can change the outcome: a clear miss stays a miss.
    if (0.3..0.95).contains(&score) {
        // Order-preserving whole-name comparison catches splits and joins the token pass missed.
        let nc: String = ns.iter().map(|t| t.skel.as_ref()).collect();
        let (a, b) = (q.compact.as_bytes(), nc.as_bytes());
        let max_len = a.len().max(b.len());
        if a.len().min(b.len()) >= 6 && a.len().abs_diff(b.len()) * 8 <= max_len {
            let k = max_len / 8;
            if let Some(d) = osa_bounded(a, b, k) {
                let s = 1.0 - 1.5 * d as f32 / max_len as f32 - 0.03;
                if s > score {
                    score = s;
                    compact = true;
                }
            }
        }
    }
    if ns.len() == 1 && n_sim[0] < 1.0 && !compact {
        // A one-word name matched only approximately is the commonest false positive.
        score *= 0.9;
    }
    if !q.legal.is_empty() && !name.legal.is_empty() {
        fn family(t: &str) -> &str {
            if t == "#co" {
                "#ltd"
            } else {
                t
            }
        }
        let shared = q
            .legal
            .iter()
            .any(|a| name.legal.iter().any(|b| family(a) == family(b)));
        if !shared {
            // "AG" against "S.R.L.": different legal forms are weak evidence of different parties.
            score *= 0.95;
        }
    }
    NameScore {
        score: score.clamp(0.0, 1.0),
        aligned,
        compact,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_edit_check_agrees_with_osa() {
        let words = [
            "bank", "bnak", "banks", "bak", "tank", "bank", "abnk", "bakn", "xyz", "banc",
        ];
        for a in words {
            for b in words {
                let fast = within_one_edit(a.as_bytes(), b.as_bytes());
                let slow = osa_bounded(a.as_bytes(), b.as_bytes(), 1).is_some();
                assert_eq!(fast, slow, "{a} {b}");
            }
        }
    }

    #[test]
    fn osa_counts_transpositions_as_one_edit() {
        assert_eq!(osa_bounded(b"huawei", b"hauwei", 2), Some(1));
        assert_eq!(osa_bounded(b"abc", b"xyz", 2), None);
        assert_eq!(osa_bounded(b"", b"ab", 2), Some(2));
    }

    #[test]
    fn token_similarity_handles_typos_initials_and_abbreviations() {
        let sim = |a: &str, b: &str| token_similarity(a, &skeleton(a), b, &skeleton(b));
        assert_eq!(sim("bank", "bank"), 1.0);
        assert!(sim("rosoboroneksport", "rosoboronexport") >= 0.9);
        assert!(sim("mohamed", "mohammed") >= 0.9);
        assert_eq!(sim("trade", "trading"), 0.9);
        assert_eq!(sim("abb", "aab"), 0.0);
        assert!(sim("rosneft", "rosnaft") > 0.8);
        assert_eq!(sim("j", "john"), 0.55);
        assert_eq!(sim("tech", "technologies"), 0.75);
        assert_eq!(sim("iran", "iraq"), 0.0);
        assert_eq!(sim("abc", "abd"), 0.0);
    }
}
