//! Name normalisation: NFKC and case folding, transliteration of every script to ASCII
//! (Cyrillic in several romanisation systems, Chinese to toneless pinyin), punctuation and
//! spacing, and legal-form canonicalisation across languages.
//!
//! A name yields one or more *variants* (one per romanisation of its Cyrillic, one with Chinese
//! business words translated); each variant is a list of tokens. Legal forms become tokens that
//! start with `#` (`#ltd`, `#llc`, `#jsc`, `#inc`, `#co`) so the scorer can treat them as the weak
//! evidence they are.

use std::sync::OnceLock;
use translit::ToLatin;
use unicode_normalization::UnicodeNormalization;

/// Upper bound on variants per name, so a pathological input cannot multiply work.
pub const MAX_VARIANTS: usize = 4;
/// Upper bound on tokens per variant (longer inputs are cut: no listed name is this long).
pub const MAX_TOKENS: usize = 24;

/// Chinese legal forms, longest first; replaced before transliteration.
const HAN_LEGAL: &[(&str, &str)] = &[
    ("股份有限公司", " #jsc "),
    ("有限责任公司", " #llc "),
    ("有限責任公司", " #llc "),
    ("有限公司", " #ltd "),
    ("集团公司", " group #co "),
    ("集團", " group "),
    ("公司", " #co "),
];

/// Chinese business words that the lists give in English ("华为技术" is listed as "Huawei
/// Technologies"): used for a second variant, the pinyin variant stays too. Domain vocabulary,
/// not transliteration.
const HAN_WORDS: &[(&str, &str)] = &[
    ("微电子", "microelectronics"),
    ("半导体", "semiconductor"),
    ("进出口", "import export"),
    ("研究所", "research institute"),
    ("研究院", "research institute"),
    ("集团", "group"),
    ("技术", "technologies"),
    ("科技", "technology"),
    ("电子", "electronics"),
    ("国际", "international"),
    ("贸易", "trading"),
    ("大学", "university"),
    ("工业", "industrial"),
    ("实业", "industrial"),
    ("发展", "development"),
    ("控股", "holdings"),
    ("投资", "investment"),
    ("航空", "aviation"),
    ("航天", "aerospace"),
    ("物流", "logistics"),
    ("通信", "communication"),
    ("信息", "information"),
    ("设备", "equipment"),
    ("材料", "materials"),
    ("银行", "bank"),
    ("能源", "energy"),
    ("石油", "petroleum"),
    ("化工", "chemical"),
    ("机械", "machinery"),
    ("制造", "manufacturing"),
    ("智能", "intelligent"),
    ("网络", "network"),
    ("软件", "software"),
    ("系统", "systems"),
    ("光电", "optoelectronics"),
    ("船舶", "shipping"),
    ("海运", "shipping"),
    ("金属", "metal"),
    ("矿业", "mining"),
];

/// Russian/Ukrainian legal forms in Cyrillic (case-folded), longest first.
const CYR_LEGAL: &[(&str, &str)] = &[
    ("общество с ограниченной ответственностью", " #llc "),
    ("публичное акционерное общество", " #jsc "),
    ("открытое акционерное общество", " #jsc "),
    ("закрытое акционерное общество", " #jsc "),
    ("акционерное общество", " #jsc "),
    ("товариство з обмеженою відповідальністю", " #llc "),
];

/// Latin legal forms as token sequences (after punctuation is stripped), mapped to a family.
const LEGAL: &[(&[&str], &str)] = &[
    (
        &["obshchestvo", "s", "ogranichennoi", "otvetstvennostyu"],
        "#llc",
    ),
    (
        &["obshchestvo", "s", "ogranichennoy", "otvetstvennostyu"],
        "#llc",
    ),
    (
        &["obshchestvo", "s", "ogranichennoi", "otvetstvennostiu"],
        "#llc",
    ),
    (
        &["obshchestvo", "s", "ogranichennoj", "otvetstvennostyu"],
        "#llc",
    ),
    (&["otkrytoe", "aktsionernoe", "obshchestvo"], "#jsc"),
    (&["zakrytoe", "aktsionernoe", "obshchestvo"], "#jsc"),
    (&["publichnoe", "aktsionernoe", "obshchestvo"], "#jsc"),
    (&["aktsionernoe", "obshchestvo"], "#jsc"),
    (&["open", "joint", "stock", "company"], "#jsc"),
    (&["closed", "joint", "stock", "company"], "#jsc"),
    (&["public", "joint", "stock", "company"], "#jsc"),
    (&["joint", "stock", "company"], "#jsc"),
    (&["joint", "stock", "co"], "#jsc"),
    (&["limited", "liability", "company"], "#llc"),
    (&["limited", "liability", "partnership"], "#llc"),
    (&["public", "limited", "company"], "#inc"),
    (&["sociedad", "anonima"], "#jsc"),
    (&["kabushiki", "kaisha"], "#jsc"),
    (&["company", "limited"], "#ltd"),
    (&["co", "limited"], "#ltd"),
    (&["co", "ltd"], "#ltd"),
    (&["private", "limited"], "#ltd"),
    (&["pvt", "ltd"], "#ltd"),
    (&["pte", "ltd"], "#ltd"),
    (&["pty", "ltd"], "#ltd"),
    (&["sdn", "bhd"], "#ltd"),
    (&["sa", "de", "cv"], "#jsc"),
    (&["s", "a"], "#jsc"),
    (&["s", "r", "l"], "#llc"),
    (&["sp", "z", "oo"], "#llc"),
    (&["gufen", "youxian", "gongsi"], "#jsc"),
    (&["youxian", "zeren", "gongsi"], "#llc"),
    (&["youxian", "gongsi"], "#ltd"),
    (&["gongsi"], "#co"),
    (&["sociedad", "de", "responsabilidad", "limitada"], "#llc"),
    (&["ltd"], "#ltd"),
    (&["ltda"], "#ltd"),
    (&["limited"], "#ltd"),
    (&["bhd"], "#ltd"),
    (&["llc"], "#llc"),
    (&["llp"], "#llc"),
    (&["ooo"], "#llc"),
    (&["tov"], "#llc"),
    (&["gmbh"], "#llc"),
    (&["sarl"], "#llc"),
    (&["srl"], "#llc"),
    (&["bv"], "#llc"),
    (&["kft"], "#llc"),
    (&["doo"], "#llc"),
    (&["sro"], "#llc"),
    (&["jsc"], "#jsc"),
    (&["ojsc"], "#jsc"),
    (&["cjsc"], "#jsc"),
    (&["pjsc"], "#jsc"),
    (&["ao"], "#jsc"),
    (&["oao"], "#jsc"),
    (&["zao"], "#jsc"),
    (&["pao"], "#jsc"),
    (&["ag"], "#jsc"),
    (&["sa"], "#jsc"),
    (&["spa"], "#jsc"),
    (&["nv"], "#jsc"),
    (&["asa"], "#jsc"),
    (&["kk"], "#jsc"),
    (&["tbk"], "#jsc"),
    (&["sae"], "#jsc"),
    (&["sal"], "#jsc"),
    (&["inc"], "#inc"),
    (&["incorporated"], "#inc"),
    (&["corp"], "#inc"),
    (&["corporation"], "#inc"),
    (&["plc"], "#inc"),
    (&["co"], "#co"),
    (&["company"], "#co"),
    (&["cia"], "#co"),
    (&["cie"], "#co"),
];

/// Words that carry no identity in a name.
const STOPWORDS: &[&str] = &[
    "the", "of", "and", "for", "de", "del", "la", "le", "des", "du",
];

fn translits() -> &'static [Box<dyn ToLatin + Send + Sync>] {
    static T: OnceLock<Vec<Box<dyn ToLatin + Send + Sync>>> = OnceLock::new();
    T.get_or_init(|| {
        vec![
            // ICAO Doc 9303 (Russian passports since 2013): х→kh, ю→iu, й→i.
            Box::new(translit::Passport2013::new()),
            // GOST 7.79 system B (ISO 9 based): х→x, ц→cz, й→j.
            Box::new(translit::Gost779B::new(translit::Language::Ru)),
            // Russian Order No. 995 (driving licences): ю→yu, я→ya, й→y.
            Box::new(translit::OrderN995::new()),
        ]
    })
}

fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

fn is_cyrillic(c: char) -> bool {
    matches!(c as u32, 0x0400..=0x052F)
}

/// NFKC, then full case folding, then NFKC again (folding can denormalise).
pub fn fold_case(s: &str) -> String {
    // ASCII is already NFKC, and its full case folding is plain lower-casing: most names.
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    let n: String = s.nfkc().collect();
    let f = caseless::default_case_fold_str(&n);
    f.nfkc().collect()
}

/// Every character to ASCII: Han to toneless pinyin syllables (space separated), others through
/// deunicode, then any_ascii for what deunicode does not know.
fn to_ascii(s: &str, out: &mut String) {
    use pinyin::ToPinyin;
    for c in s.chars() {
        if c.is_ascii() {
            out.push(c);
        } else if is_han(c) {
            match c.to_pinyin() {
                Some(p) => {
                    out.push(' ');
                    out.push_str(p.plain());
                    out.push(' ');
                }
                None => out.push(' '),
            }
        } else {
            match deunicode::deunicode_char(c) {
                Some(r) if !r.is_empty() => out.push_str(r),
                _ => out.push_str(any_ascii::any_ascii_char(c)),
            }
        }
    }
}

fn replace_all(s: &str, table: &[(&str, &str)]) -> String {
    let mut out = s.to_string();
    for (from, to) in table {
        if out.contains(from) {
            out = out.replace(from, to);
        }
    }
    out
}

/// Splits ASCII text into tokens: apostrophes and dots join ("O'Brien" → "obrien", "S.A." →
/// "sa"), every other non-alphanumeric separates; `#` marks legal-form tokens made earlier.
fn tokenize(ascii: &str) -> Vec<String> {
    let mut toks = Vec::new();
    let mut cur = String::new();
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() || (c == '#' && cur.is_empty()) {
            cur.push(c.to_ascii_lowercase());
        } else if c == '.' || c == '\'' || c == '`' {
            continue;
        } else if !cur.is_empty() {
            toks.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        toks.push(cur);
    }
    toks.retain(|t| t != "#");
    toks
}

/// Replaces legal-form token sequences with their family token and drops stopwords.
fn canonicalise(toks: Vec<String>) -> Vec<String> {
    let mut out = Vec::with_capacity(toks.len());
    let mut i = 0;
    'outer: while i < toks.len() {
        for (seq, code) in LEGAL {
            if toks.len() - i >= seq.len() && seq.iter().zip(&toks[i..]).all(|(a, b)| *a == b) {
                // A lone "co"/"sa" at the very start is more likely a name ("CO-OP", "SA Group").
                if seq.len() == 1 && i == 0 && toks.len() > 1 && (*code == "#co" || seq[0] == "sa")
                {
                    break;
                }
                out.push((*code).to_string());
                i += seq.len();
                continue 'outer;
            }
        }
        if let Some(code) = fuzzy_legal(&toks[i]) {
            out.push(code.to_string());
            i += 1;
            continue;
        }
        if !STOPWORDS.contains(&toks[i].as_str()) || toks.len() == 1 {
            out.push(toks[i].clone());
        }
        i += 1;
    }
    out.truncate(MAX_TOKENS);
    out
}

/// Misspelt long legal words ("limted", "compnay") are still legal forms: customer masters
/// are typed by hand, and an unknown word would otherwise weigh as a rare name token.
fn fuzzy_legal(tok: &str) -> Option<&'static str> {
    const WORDS: &[(&str, &str)] = &[
        ("limited", "#ltd"),
        ("company", "#co"),
        ("corporation", "#inc"),
        ("incorporated", "#inc"),
        ("limitada", "#ltd"),
    ];
    if tok.len() < 6 {
        return None;
    }
    WORDS.iter().find_map(|(w, code)| {
        crate::score::osa_bounded(
            tok.as_bytes(),
            w.as_bytes(),
            if w.len() > 8 { 2 } else { 1 },
        )
        .map(|_| *code)
    })
}

/// All token variants of a name (at least one unless the name has no letters or digits).
pub fn variants(name: &str) -> Vec<Vec<String>> {
    let folded = fold_case(name);
    let mut texts: Vec<String> = Vec::with_capacity(2);
    let has_han = folded.chars().any(is_han);
    let has_cyr = folded.chars().any(is_cyrillic);
    if has_cyr {
        let base = replace_all(&folded, CYR_LEGAL);
        for t in translits() {
            texts.push(t.to_latin(&base));
        }
    } else if has_han {
        let base = replace_all(&folded, HAN_LEGAL);
        let mut translated = base.clone();
        for (from, to) in HAN_WORDS {
            if translated.contains(from) {
                // Spaces around: adjacent words must stay separate tokens.
                translated = translated.replace(from, &format!(" {to} "));
            }
        }
        if translated != base {
            texts.push(translated);
        }
        texts.push(base);
    } else {
        texts.push(folded.clone());
    }
    let mut out: Vec<Vec<String>> = Vec::with_capacity(texts.len() + 1);
    for t in &texts {
        let mut ascii = String::with_capacity(t.len() + 8);
        to_ascii(t, &mut ascii);
        let toks = canonicalise(tokenize(&ascii));
        if !toks.is_empty() && !out.contains(&toks) {
            out.push(toks);
        }
        if out.len() >= MAX_VARIANTS {
            break;
        }
    }
    if has_cyr && out.len() < MAX_VARIANTS {
        // deunicode's own romanisation (BGN/PCGN-like: х→kh, ю→yu) as one more system.
        let mut ascii = String::new();
        to_ascii(&replace_all(&folded, CYR_LEGAL), &mut ascii);
        let toks = canonicalise(tokenize(&ascii));
        if !toks.is_empty() && !out.contains(&toks) {
            out.push(toks);
        }
    }
    out
}

/// A romanisation-insensitive skeleton of an ASCII token, so "aleksandr" and "alexandr",
/// "yuriy" and "iurii", "tsentr" and "czentr" meet: one pass, longest rule first.
pub fn skeleton(tok: &str) -> String {
    let b = tok.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(b.len());
    let mut i = 0;
    let starts = |i: usize, p: &[u8]| b.len() >= i + p.len() && &b[i..i + p.len()] == p;
    while i < b.len() {
        let (emit, adv): (&[u8], usize) = if starts(i, b"shch") {
            (b"sh", 4)
        } else if starts(i, b"sch") {
            (b"sh", 3)
        } else if starts(i, b"tch") {
            (b"ch", 3)
        } else if starts(i, b"ks") {
            (b"x", 2)
        } else if starts(i, b"kh") {
            (b"h", 2)
        } else if starts(i, b"cz") || starts(i, b"ts") || starts(i, b"tz") {
            (b"c", 2)
        } else if starts(i, b"ph") {
            (b"f", 2)
        } else if starts(i, b"ck") {
            (b"k", 2)
        } else if starts(i, b"ou") {
            (b"u", 2)
        } else {
            match b[i] {
                b'w' => (b"v", 1),
                b'j' | b'y' => (b"i", 1),
                b'q' => (b"k", 1),
                _ => (&b[i..i + 1], 1),
            }
        };
        for &c in emit {
            // "iu"/"ia"/"ie" (from y-/j- vowels) and doubled letters collapse.
            if let Some(&last) = out.last() {
                if last == c {
                    continue;
                }
                if last == b'i' && matches!(c, b'u' | b'a' | b'e' | b'o') && out.len() > 1 {
                    out.pop();
                }
            }
            out.push(c);
        }
        i += adv;
    }
    String::from_utf8(out).unwrap_or_default()
}

/// True for legal-form tokens made by `variants`.
pub fn is_legal(tok: &str) -> bool {
    tok.starts_with('#')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first(name: &str) -> Vec<String> {
        variants(name).into_iter().next().unwrap_or_default()
    }

    #[test]
    fn punctuation_and_case_fold_away() {
        assert_eq!(
            first("ANGLO-CARIBBEAN CO., LTD."),
            ["anglo", "caribbean", "#ltd"]
        );
        assert_eq!(first("O'Brien  &  Sons"), ["obrien", "sons"]);
        assert_eq!(first("ＡＢＣ Straße GmbH"), ["abc", "strasse", "#llc"]);
    }

    #[test]
    fn legal_forms_meet_across_languages() {
        assert_eq!(first("Acme Company Limited"), first("ACME CO LTD"));
        assert_eq!(first("Romashka OOO"), first("Romashka LLC"));
        assert_eq!(first("ООО Ромашка"), ["#llc", "romashka"]);
        assert_eq!(first("Акционерное общество Ромашка")[0], "#jsc");
        assert_eq!(first("Grupo S.A. de C.V."), ["grupo", "#jsc"]);
    }

    #[test]
    fn cyrillic_yields_several_romanisations() {
        let v = variants("Юрий Хохлов");
        assert!(v.len() >= 2, "{v:?}");
        let flat: Vec<String> = v.iter().map(|t| t.join(" ")).collect();
        assert!(flat.iter().any(|s| s.contains("kh")), "{flat:?}");
        let sk: Vec<String> = v.iter().map(|t| skeleton(&t[0])).collect();
        assert!(sk.iter().all(|s| *s == sk[0]), "{sk:?}");
    }

    #[test]
    fn chinese_becomes_toneless_pinyin_and_translated_variant() {
        let v = variants("华为技术有限公司");
        assert!(v.contains(&vec![
            "hua".into(),
            "wei".into(),
            "technologies".into(),
            "#ltd".into()
        ]));
        assert!(v.contains(&vec![
            "hua".into(),
            "wei".into(),
            "ji".into(),
            "shu".into(),
            "#ltd".into()
        ]));
    }

    #[test]
    fn skeleton_merges_romanisations() {
        assert_eq!(skeleton("aleksandr"), skeleton("alexandr"));
        assert_eq!(skeleton("yuriy"), skeleton("iurii"));
        assert_eq!(skeleton("tsentr"), skeleton("czentr"));
        assert_eq!(skeleton("rosoboroneksport"), skeleton("rosoboronexport"));
    }

    #[test]
    fn garbage_never_panics() {
        for s in ["", "...", "#", "\u{0}", "ＡＢＣ", "ß", "\u{10FFFF}"] {
            let _ = variants(s);
        }
        assert!(variants("!!!").is_empty());
    }
}
