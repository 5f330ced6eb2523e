//! The scorer: aligns query tokens with a listed name's tokens one-to-one (typos, abbreviations,
//! initials, joined or split syllables, any order), weighs each token by its rarity in the lists
//! (idf), and scores the share of both names that aligned. Country and address then move the
//! score a little, only for names that already match on their own.

use crate::index::{Index, NameRec};
use crate::normalize::{chinese_key, chinese_key_wade_giles_j, consonant_key, skeleton};
use smallvec::SmallVec;
use std::borrow::Cow;

/// Similarity of two name parts that meet only on their romanisation key ("Husayn" ~
/// "Hussein"): evidence, but less than a spelling match.
pub const AKEY_SIMILARITY: f32 = 0.82;
/// The same for keys of two consonants.
pub const AKEY_WEAK: f32 = 0.75;
/// Arabic name particles ("son of", "father of", "servant of"), left out with the names they
/// join.
const NAME_PARTICLES: &[&str] = &["bin", "abu", "abd", "umm", "bint", "ibn", "ould"];

/// The least score of two names whose parts all pair up one to one (see `score_name`).
const FULL_ALIGNMENT_BASE: f32 = 0.8;
/// Similarity of a pinyin token and its Wade-Giles spelling ("Chou" ~ "Zhou").
pub const CKEY_SIMILARITY: f32 = 0.85;

/// Words that say how a party relates to a named one ("Trading agent for X", "Sales office of
/// X"): around a contained one-word listed name they are no evidence of another party.
const RELATION_WORDS: &[&str] = &[
    "agent",
    "agents",
    "agency",
    "subsidiary",
    "subsidiaries",
    "branch",
    "office",
    "offices",
    "sales",
    "representative",
    "representatives",
    "division",
    "affiliate",
    "affiliated",
    "unit",
    "department",
    "factory",
    "plant",
    "store",
    "shop",
    "dba",
    "aka",
    "via",
    "behalf",
    "on",
    "trading",
    "holdings",
    "holding",
    "group",
    "international",
    "global",
    "services",
    "service",
    "partner",
    "partners",
    "distributor",
    "distribution",
    "supplier",
    "local",
    "regional",
    "new",
    "main",
    "head",
    "headquarters",
    "in",
    "at",
    "by",
    "to",
    "from",
    "with",
    "c",
    "o",
    "care",
];

/// A listed name whose every token the query contains scores at least this ("Trading agent for
/// X", "X Holdings Group Limited"), when the name is distinctive enough (below).
const CONTAINED_BASE: f32 = 0.78;
/// Rarity a contained listed name needs to identify its party on its own: a total idf of
/// `CONTAINED_MIN_IDF` (three fairly rare words: "Banco Nacional de Cuba"), or
/// `CONTAINED_MIN_IDF_ANCHORED` with one word found in a handful of listed names at most
/// ("Sunway Tech", "Kerman Aviation"), so "Precision Industries" or "Global Trading" inside a
/// longer name is not a hit.
pub const CONTAINED_MIN_IDF: f32 = 16.0;
const CONTAINED_MIN_IDF_ANCHORED: f32 = 12.0;
const CONTAINED_ANCHOR_IDF: f32 = 9.0;

/// Whether a listed name of this total and rarest-word idf may be found inside a longer query.
pub fn contained_distinctive(idf_sum: f32, idf_max: f32) -> bool {
    idf_sum >= CONTAINED_MIN_IDF
        || (idf_sum >= CONTAINED_MIN_IDF_ANCHORED && idf_max >= CONTAINED_ANCHOR_IDF)
}

/// The candidate ranking's reading of the same rules (a one-word name: rare enough alone).
pub fn may_be_contained(words: usize, idf_sum: f32, idf_max: f32) -> bool {
    if words == 1 {
        idf_sum >= CONTAINED_MIN_IDF_ONE
    } else {
        contained_distinctive(idf_sum, idf_max)
    }
}
/// A one-word listed name contained in a query must be this rare (found in a handful of names),
/// and the query's other words must be common ones (idf at most `GENERIC_MAX_IDF`, about one
/// name in a thousand): "AEROCARIBBEAN Holdings" is the listed airline, "Banco Bilbao Vizcaya
/// Argentaria" is not the listed "VIZCAYA".
const CONTAINED_MIN_IDF_ONE: f32 = 8.5;
const GENERIC_MAX_IDF: f32 = 7.0;

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
    // A different first letter is rarer as a typo than as another name ("Nassar" / "Qassar"):
    // it costs one more edit.
    let d = match d {
        Some(d) if d > 0 && a.as_bytes().first() != b.as_bytes().first() => {
            Some(d + 1).filter(|&d| d <= k.max(1))
        }
        d => d,
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
    token_similarity_keyed(qr, qs, "", nr, ns, "", "", "")
}

/// The same with each token's romanisation keys (Arabic/Persian `qk`/`nk`, Chinese `qc`/`nc`;
/// empty when none).
#[allow(clippy::too_many_arguments)]
pub fn token_similarity_keyed(
    qr: &str,
    qs: &str,
    qk: &str,
    nr: &str,
    ns: &str,
    nk: &str,
    qc: &str,
    nc: &str,
) -> f32 {
    if qr == nr {
        return 1.0;
    }
    if !qc.is_empty() && qc == nc && (is_pinyin_word(qr) || is_pinyin_word(nr)) {
        return CKEY_SIMILARITY.max(typo_part(qr, qs, nr, ns));
    }
    // Short tokens ("abb", "bid") are acronyms: a shared skeleton is a different acronym.
    let min_len = qr.len().min(nr.len());
    // One spelling of a sound ("nour" / "nur"), unless both are three-letter acronyms.
    if qs == ns && (min_len >= 4 || (min_len == 3 && qr.len().max(nr.len()) >= 4)) {
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
    let mut best = typo_part(qr, qs, nr, ns);
    // Abbreviation ("tech" for "technologies"): four letters at least, or a three-letter
    // stem of a long word; a pinyin syllable ("jing") is not an abbreviation of "jingfeng".
    if (short.len() >= 4 || (short.len() == 3 && long.len() >= 8))
        && long.starts_with(short)
        && !(is_pinyin_word(short) && is_pinyin_word(long))
    {
        best = best.max(0.75);
    }
    // Pinyin syllables are not Arabic name parts: "ming" and "mingguo" must not meet.
    if !qk.is_empty() && qk == nk && !(is_pinyin_word(qr) && is_pinyin_word(nr)) {
        // Keys of three consonants or more ("Husayn" ~ "Hussein") are stronger evidence than
        // keys of two ("Amir" ~ "Amru").
        let strong = qk.bytes().filter(|b| !matches!(b, b'a' | b'u')).count() >= 3;
        best = best.max(if strong { AKEY_SIMILARITY } else { AKEY_WEAK });
    }
    if best < 0.7 {
        0.0
    } else {
        best
    }
}

/// Typo similarity of two tokens of four letters or more (on their skeletons, or on their
/// spellings where a typo breaks a skeleton rule), 0 for shorter ones.
fn typo_part(qr: &str, qs: &str, nr: &str, ns: &str) -> f32 {
    if qr.len().min(nr.len()) < 4 {
        return 0.0;
    }
    let s = typo_similarity(qs, ns);
    if s < 1.0 && (qr != qs || nr != ns) {
        s.max(typo_similarity(qr, nr))
    } else {
        s
    }
}

/// A prepared query token.
#[derive(Debug, Clone)]
pub struct QTok {
    pub raw: String,
    pub skel: String,
    pub akey: String,
    pub ckey: String,
    /// The Chinese key reading "j" as Wade-Giles "r" (empty when the same or none).
    pub ckey_j: String,
    pub idf: f32,
}

/// A prepared query variant.
#[derive(Debug, Clone)]
pub struct QVar {
    pub toks: Vec<QTok>,
    pub legal: Vec<String>,
    pub compact: String,
    /// Made by splitting a run-together word against the vocabulary: a listed name found in
    /// part of such a word ("Zoomlion" → "zoom lion") is not contained in the query.
    pub segmented: bool,
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
                akey: consonant_key(t).unwrap_or_default(),
                ckey: chinese_key(t).unwrap_or_default(),
                ckey_j: chinese_key_wade_giles_j(t).unwrap_or_default(),
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
            segmented: false,
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
    pub contained: Containment,
}

/// Whether the score rests on one name containing the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Containment {
    #[default]
    None,
    /// Every token of the listed name is in the query ("Trading agent for X").
    ListedInQuery,
    /// Every token of the query is in the listed person's name (given names omitted).
    QueryInListed,
}

/// Pinyin syllables (initial + final, over-generated: it only has to say "could be pinyin").
fn pinyin_syllables() -> &'static rustc_hash::FxHashSet<String> {
    use std::sync::OnceLock;
    static S: OnceLock<rustc_hash::FxHashSet<String>> = OnceLock::new();
    S.get_or_init(|| {
        const INITIALS: &[&str] = &[
            "", "b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h", "j", "q", "x", "zh", "ch",
            "sh", "r", "z", "c", "s", "y", "w",
        ];
        const FINALS: &[&str] = &[
            "a", "o", "e", "i", "u", "v", "ai", "ei", "ui", "ao", "ou", "iu", "ie", "ue", "er",
            "an", "en", "in", "un", "ang", "eng", "ing", "ong", "ia", "iao", "ian", "iang", "iong",
            "ua", "uo", "uai", "uan", "uang", "ueng",
        ];
        let mut set = rustc_hash::FxHashSet::default();
        for i in INITIALS {
            for f in FINALS {
                let fi = f.as_bytes()[0];
                let ok = match *i {
                    // j, q, x only before i and ü (written u).
                    "j" | "q" | "x" => matches!(fi, b'i' | b'u' | b'v'),
                    // Retroflex and dental sibilants take "i" alone, never i- finals.
                    "zh" | "ch" | "sh" | "r" | "z" | "c" | "s" => fi != b'i' || *f == "i",
                    "g" | "k" | "h" | "f" => !matches!(fi, b'i' | b'v'),
                    "y" => matches!(
                        *f,
                        "a" | "o"
                            | "e"
                            | "ao"
                            | "ou"
                            | "an"
                            | "ang"
                            | "i"
                            | "in"
                            | "ing"
                            | "u"
                            | "un"
                            | "uan"
                            | "ue"
                            | "ong"
                    ),
                    "w" => matches!(
                        *f,
                        "a" | "o" | "ai" | "ei" | "an" | "en" | "ang" | "eng" | "u"
                    ),
                    "" => matches!(
                        *f,
                        "a" | "o"
                            | "e"
                            | "ai"
                            | "ei"
                            | "ao"
                            | "ou"
                            | "an"
                            | "en"
                            | "ang"
                            | "eng"
                            | "er"
                    ),
                    _ => true,
                };
                if ok {
                    set.insert(format!("{i}{f}"));
                }
            }
        }
        set
    })
}

/// True when the token reads as one to three pinyin syllables ("wei", "weiguo", "zhang").
pub fn is_pinyin_word(t: &str) -> bool {
    fn go(t: &str, depth: usize, set: &rustc_hash::FxHashSet<String>) -> bool {
        if t.is_empty() {
            return true;
        }
        if depth == 3 {
            return false;
        }
        (1..=t.len().min(6))
            .rev()
            .any(|k| t.is_char_boundary(k) && set.contains(&t[..k]) && go(&t[k..], depth + 1, set))
    }
    !t.is_empty() && go(t, 0, pinyin_syllables())
}

struct Side<'a> {
    raw: Cow<'a, str>,
    skel: Cow<'a, str>,
    akey: &'a str,
    ckey: Cow<'a, str>,
    ckey_j: Cow<'a, str>,
    /// Part of the listed name's surname (before its comma).
    sur: bool,
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
/// With `by_chinese_key`, also Wade-Giles syllables of `a` written apart whose joined key is a
/// pinyin token of `b` (only `b`'s pinyin tokens carry one, so other names skip the work).
/// The sides of one comparison, on the stack for names of up to 12 words (the hot path
/// scores about a hundred name pairs per query).
type Sides<'a> = SmallVec<[Side<'a>; 12]>;

fn merge_pairs(a: &mut Sides, b: &[Side], by_chinese_key: bool) {
    let mut i = 0;
    while i + 1 < a.len() {
        // A pair whose words the other name has as they are stays apart (checked first: it
        // is cheap, and the joined spellings below allocate).
        if b.iter().any(|t| t.raw == a[i].raw || t.raw == a[i + 1].raw) {
            i += 1;
            continue;
        }
        let len = a[i].raw.len() + a[i + 1].raw.len();
        let first = a[i].raw.as_bytes()[0];
        let mut hit = b.iter().any(|t| spells(&t.raw, &a[i].raw, &a[i + 1].raw));
        let near =
            |t: &Side, d: usize| t.raw.len().abs_diff(len) <= d && t.raw.as_bytes()[0] == first;
        let any_near = b.iter().any(|t| near(t, 2));
        // Wade-Giles syllables written apart, pinyin joined ("Hsien-fa" ~ "Xianfa").
        let chinese = by_chinese_key
            && a[i].raw.len() <= 6
            && a[i + 1].raw.len() <= 6
            && b.iter().any(|t| !t.ckey.is_empty());
        if !hit && (any_near || chinese) {
            let joined = format!("{}{}", a[i].raw, a[i + 1].raw);
            if any_near {
                let sk = skeleton(&joined);
                hit = b.iter().any(|t| near(t, 1) && *t.skel == *sk);
                // Arabic name parts written apart in one, joined in the other ("Abd Allah" ~
                // "Abdullah"), on their romanisation key.
                if !hit && by_chinese_key {
                    if let Some(k) = consonant_key(&joined) {
                        hit = b.iter().any(|t| near(t, 2) && t.akey == k);
                    }
                }
            }
            if !hit && chinese {
                hit = [chinese_key(&joined), chinese_key_wade_giles_j(&joined)]
                    .into_iter()
                    .flatten()
                    .any(|k| b.iter().any(|t| *t.ckey == *k));
            }
        }
        if hit {
            let next = a.remove(i + 1);
            let cur = &mut a[i];
            let label = format!("{}+{}", cur.label(), next.label());
            let raw = format!("{}{}", cur.raw, next.raw);
            cur.skel = Cow::Owned(skeleton(&raw));
            cur.raw = Cow::Owned(raw);
            cur.akey = "";
            cur.ckey = Cow::Owned(chinese_key(&cur.raw).unwrap_or_default());
            cur.ckey_j = Cow::Owned(chinese_key_wade_giles_j(&cur.raw).unwrap_or_default());
            cur.sur |= next.sur;
            cur.w = cur.w.max(next.w);
            cur.merged = Some(label);
        }
        i += 1;
    }
}

/// False when both names give a legal form and the forms differ ("#co" counts as "#ltd").
fn legal_shared(q: &[String], n: &[Box<str>]) -> bool {
    fn family(t: &str) -> &str {
        if t == "#co" {
            "#ltd"
        } else {
            t
        }
    }
    q.is_empty() || n.is_empty() || q.iter().any(|a| n.iter().any(|b| family(a) == family(b)))
}

/// Scores a prepared query variant against one indexed name; `explain` fills the alignment.
pub fn score_name(index: &Index, q: &QVar, name: &NameRec, explain: bool) -> NameScore {
    let mut qs: Sides = q
        .toks
        .iter()
        .map(|t| Side {
            raw: Cow::Borrowed(t.raw.as_str()),
            skel: Cow::Borrowed(t.skel.as_str()),
            akey: t.akey.as_str(),
            ckey: Cow::Borrowed(t.ckey.as_str()),
            ckey_j: Cow::Borrowed(t.ckey_j.as_str()),
            sur: false,
            w: t.idf,
            merged: None,
        })
        .collect();
    let mut ns: Sides = name
        .toks
        .iter()
        .enumerate()
        .map(|(pos, &id)| {
            let t = &index.vocab[id as usize];
            Side {
                raw: Cow::Borrowed(&*t.raw),
                skel: Cow::Borrowed(&*t.skel),
                akey: &t.akey,
                ckey: Cow::Borrowed(&*t.ckey),
                ckey_j: Cow::Borrowed(""),
                sur: pos < 64 && name.surname & (1u64 << pos) != 0,
                w: t.idf,
                merged: None,
            }
        })
        .collect();
    merge_pairs(&mut qs, &ns, true);
    merge_pairs(&mut ns, &qs, false);

    let mut pairs: SmallVec<[(f32, usize, usize); 48]> = SmallVec::new();
    for (i, a) in qs.iter().enumerate() {
        for (j, b) in ns.iter().enumerate() {
            let mut s = token_similarity_keyed(
                &a.raw, &a.skel, a.akey, &b.raw, &b.skel, b.akey, &a.ckey, &b.ckey,
            );
            if s < CKEY_SIMILARITY && !a.ckey_j.is_empty() && *a.ckey_j == *b.ckey {
                s = token_similarity_keyed(
                    &a.raw, &a.skel, a.akey, &b.raw, &b.skel, b.akey, &a.ckey_j, &b.ckey,
                );
            }
            if s > 0.0 {
                pairs.push((s, i, j));
            }
        }
    }
    // Greedy one-to-one alignment, best pairs first; ties keep query order (stable sort).
    pairs.sort_by(|x, y| y.0.total_cmp(&x.0));
    let mut q_sim: SmallVec<[f32; 12]> = smallvec::smallvec![0f32; qs.len()];
    let mut n_sim: SmallVec<[f32; 12]> = smallvec::smallvec![0f32; ns.len()];
    let mut aligned = Vec::new();
    // The query position each listed token aligned with, to tell a contained name in order.
    let mut n_to_q: SmallVec<[usize; 12]> = smallvec::smallvec![usize::MAX; ns.len()];
    for (s, i, j) in pairs {
        // Every pair has a similarity above 0: a side is used once its similarity is set.
        if q_sim[i] > 0.0 || n_sim[j] > 0.0 {
            continue;
        }
        n_to_q[j] = i;
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
    // Only where it can change the outcome: a clear miss stays a miss.
    if (0.3..0.95).contains(&score) {
        // Order-preserving whole-name comparison catches splits and joins the token pass missed.
        let nc: String = ns.iter().map(|t| t.skel.as_ref()).collect();
        let (a, b) = (q.compact.as_bytes(), nc.as_bytes());
        let max_len = a.len().max(b.len());
        if a.len().min(b.len()) >= 6 && a.len().abs_diff(b.len()) * 8 <= max_len {
            // Joins and splits change the number of words; between names of as many words a
            // wide budget would let a different word pass as a typo ("Silan" / "Hualan").
            let k = if qs.len() == ns.len() { 1 } else { max_len / 8 };
            if let Some(d) = osa_bounded(a, b, k) {
                let s = 1.0 - 1.5 * d as f32 / max_len as f32 - 0.03;
                if s > score {
                    score = s;
                    compact = true;
                }
            }
        }
    }
    // Every part of each name paired with a part of the other, one to one: the structure of
    // one name spelt another way ("Fayez Mostafa" / "MUSTAFA, Fayiz"). Strong evidence even
    // when each part differs in spelling, if there are three parts or one of two is the same.
    let exact_parts = q_sim.iter().filter(|&&s| s >= 0.95).count();
    if qs.len() >= 2
        && ns.len() >= 2
        && q_sim.iter().all(|&s| s >= 0.7)
        && n_sim.iter().all(|&s| s >= 0.7)
        && (qs.len().min(ns.len()) >= 3 || exact_parts >= 1)
    {
        let full = FULL_ALIGNMENT_BASE + 0.5 * (cq.min(cn) - 0.7).max(0.0);
        score = score.max(full.min(1.0));
    }
    let mut contained = Containment::None;
    // Single letters ("JULIA A") add no identity to a contained name.
    let n_total: f32 = ns.iter().filter(|t| t.raw.len() > 1).map(|t| t.w).sum();
    // Not for weak aliases: OFAC marks them as too broad to screen on their own.
    if !name.weak && !q.segmented && qs.len() > ns.len() && n_sim.iter().all(|&s| s >= 0.85) {
        // The listed name sits whole inside a longer query: a hit whatever surrounds it, if
        // the name is distinctive enough to identify the party on its own.
        let distinctive = if ns.len() == 1 {
            ns[0].w >= CONTAINED_MIN_IDF_ONE
                && n_sim[0] >= 1.0
                && ns[0].raw.len() >= 5
                && (qs.iter().zip(&q_sim).all(|(t, &s)| {
                    s > 0.0 || t.w <= GENERIC_MAX_IDF || RELATION_WORDS.contains(&&*t.raw)
                }) || (ns[0].w >= CONTAINED_ANCHOR_IDF && ns[0].raw.len() >= 8))
        } else {
            contained_distinctive(
                n_total,
                ns.iter()
                    .filter(|t| t.raw.len() > 1)
                    .map(|t| t.w)
                    .fold(0.0, f32::max),
            )
        };
        let in_order = n_to_q.windows(2).all(|w| w[0] < w[1]);
        let c = CONTAINED_BASE + 0.15 * cn - if in_order { 0.0 } else { 0.03 };
        if distinctive && c > score {
            score = c;
            contained = Containment::ListedInQuery;
        }
    }
    // The family name must be among the parts given: the part before the comma of a listed
    // "SURNAME, Given" name, else the first and the last part.
    let family_given = if ns.iter().any(|t| t.sur) {
        ns.iter().zip(&n_sim).all(|(t, &s)| !t.sur || s >= 0.85)
    } else {
        n_sim.first().is_some_and(|&s| s >= 0.85) && n_sim.last().is_some_and(|&s| s >= 0.85)
    };
    if name.person
        && qs.len() >= 2
        && qs.len() < ns.len()
        && q_sim.iter().all(|&s| s >= 0.85)
        && cn >= 0.4
        && family_given
        // The parts left out are whole given names ("Khalid", "Saleh") or the particles
        // between them ("bin", "abu"), not syllables of an East Asian given name ("JANG, Yong
        // Son").
        && ns
            .iter()
            .zip(&n_sim)
            .all(|(t, &s)| s >= 0.85 || t.raw.len() >= 4 || NAME_PARTICLES.contains(&&*t.raw))
        && !ns.iter().all(|t| is_pinyin_word(&t.raw))
    {
        // A person's name given without some of its parts (father's or grandfather's names,
        // a second given name): every query part is the listed person's. Not for Chinese
        // names, whose syllables are not separable name parts.
        let c = CONTAINED_BASE + 0.12 * cn;
        if c > score {
            score = c;
            contained = Containment::QueryInListed;
        }
    }
    if ns.len() == 1 && n_sim[0] < 1.0 && !compact {
        // A one-word name matched only approximately is the commonest false positive.
        score *= 0.9;
    }
    // A two-part name is a hit only on both parts (short Chinese names especially: "Wang Wei"
    // is not "Wang Weiguo"), on either side. Capped low enough that country evidence cannot
    // lift it to a hit.
    if !compact
        && contained == Containment::None
        && ((ns.len() == 2 && n_sim.iter().any(|&s| s < 0.6))
            || (qs.len() == 2 && q_sim.iter().any(|&s| s < 0.6)))
    {
        score = score.min(0.7);
    }
    if !legal_shared(&q.legal, &name.legal) {
        // "AG" against "S.R.L.": different legal forms are weak evidence of different parties.
        score *= 0.95;
    }
    NameScore {
        score: score.clamp(0.0, 1.0),
        aligned,
        compact,
        contained,
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
