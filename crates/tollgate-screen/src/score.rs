//! The scorer: aligns query tokens with a listed name's tokens one-to-one (typos, abbreviations,
//! initials, joined or split syllables, any order), weighs each token by its rarity in the lists
//! (idf), and scores the share of both names that aligned. Country and address then move the
//! score a little, only for names that already match on their own.

use crate::index::{Index, NameRec};
use crate::normalize::skeleton;

/// Optimal-string-alignment distance, or None when it exceeds `max` (ASCII bytes).
pub fn osa_bounded(a: &[u8], b: &[u8], max: usize) -> Option<usize> {
    let (n, m) = (a.len(), b.len());
    if n.abs_diff(m) > max {
        return None;
    }
    if n == 0 || m == 0 {
        return Some(n.max(m));
    }
    // Three rolling rows; names are short (a token or a compacted name, bounded by MAX_TOKENS).
    let mut prev2 = vec![0usize; m + 1];
    let mut prev: Vec<usize> = (0..=m).collect();
    let mut cur = vec![0usize; m + 1];
    for i in 1..=n {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    (prev[m] <= max).then_some(prev[m])
}

/// Edits tolerated for a token of this length: none up to 3 letters, then one per ~4 letters.
fn allowed_edits(len: usize) -> usize {
    match len {
        0..=3 => 0,
        4..=5 => 1,
        6..=9 => 2,
        _ => 3,
    }
}

/// Similarity of two skeletons that differ by typos; 0 when too far apart.
pub fn typo_similarity(a: &str, b: &str) -> f32 {
    let max_len = a.len().max(b.len());
    let k = allowed_edits(a.len().min(b.len()));
    if k == 0 {
        return if a == b { 1.0 } else { 0.0 };
    }
    match osa_bounded(a.as_bytes(), b.as_bytes(), k) {
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
        typo_similarity(qs, ns).max(typo_similarity(qr, nr))
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

struct Side {
    raw: String,
    skel: String,
    w: f32,
    label: String,
}

/// Merges adjacent tokens of `a` whose concatenation is a token of `b` ("hua wei" ~ "huawei").
fn merge_pairs(a: &mut Vec<Side>, b: &[Side]) {
    let mut i = 0;
    while i + 1 < a.len() {
        let len = a[i].raw.len() + a[i + 1].raw.len();
        let hit = b.iter().any(|t| t.raw.len().abs_diff(len) <= 1)
            && b.iter().any(|t| {
                t.raw.len().abs_diff(len) <= 1 && {
                    let joined = format!("{}{}", a[i].raw, a[i + 1].raw);
                    t.raw == joined || t.skel == skeleton(&joined)
                }
            })
            && !b.iter().any(|t| t.raw == a[i].raw || t.raw == a[i + 1].raw);
        if hit {
            let next = a.remove(i + 1);
            let cur = &mut a[i];
            cur.raw.push_str(&next.raw);
            cur.skel = skeleton(&cur.raw);
            cur.w = cur.w.max(next.w);
            cur.label = format!("{}+{}", cur.label, next.label);
        }
        i += 1;
    }
}

/// Scores a prepared query variant against one indexed name.
pub fn score_name(index: &Index, q: &QVar, name: &NameRec) -> NameScore {
    let mut qs: Vec<Side> = q
        .toks
        .iter()
        .map(|t| Side {
            raw: t.raw.clone(),
            skel: t.skel.clone(),
            w: t.idf,
            label: t.raw.clone(),
        })
        .collect();
    let mut ns: Vec<Side> = name
        .toks
        .iter()
        .map(|&id| {
            let t = &index.vocab[id as usize];
            Side {
                raw: t.raw.to_string(),
                skel: t.skel.to_string(),
                w: t.idf,
                label: t.raw.to_string(),
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
        aligned.push(Aligned {
            query: qs[i].label.clone(),
            listed: ns[j].label.clone(),
            similarity: (s as f64 * 1000.0).round() / 1000.0,
        });
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
    if score < 0.95 {
        // Order-preserving whole-name comparison catches splits and joins the token pass missed.
        let nc: String = ns.iter().map(|t| t.skel.as_str()).collect();
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
