//! Name normalisation, a pipeline of named stages, each following a standard or a maintained
//! crate:
//!
//! 1. [`strip_ignorable`]: default-ignorable code points (zero-width characters, soft hyphen,
//!    bidi controls, variation selectors) are removed (UAX #44 `Default_Ignorable_Code_Point`,
//!    as UTS #39's skeleton uses it: the `unicode-security` crate);
//! 2. NFKC (UAX #15: fullwidth and styled letters to plain ones);
//! 3. [`confusables_to_latin`]: letters of other scripts inside Latin-script names ("ROSOВORONEKSРORT"
//!    with Cyrillic В and Р) become the Latin letters they imitate (UTS #39 confusables data);
//! 4. full case folding;
//! 5. Traditional to Simplified Chinese (OpenCC's dictionaries, the `hanconv` crate), so both
//!    spellings of a Chinese name meet;
//! 6. transliteration of every script to ASCII (Cyrillic in several romanisation systems,
//!    Chinese to toneless pinyin);
//! 7. tokens: punctuation and spacing, legal-form canonicalisation across languages, company-word
//!    abbreviations, Arabic name particles, and acronyms that repeat the name's own initials.
//!
//! Queries get secondary forms on top ([`query_variants`]): the whole name read as Latin
//! look-alikes, and digits read as the letters they imitate ("BANC0 NAC10NAL").
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
/// Upper bound on tokens per listed name variant (longer list entries are parsing artefacts).
/// Queries are never cut: the screener scores long queries window by window.
pub const MAX_TOKENS: usize = 48;

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
    ("航空航天", "aeronautics astronautics"),
    ("中国", "china"),
    ("科工", "science industry"),
    ("超级计算", "supercomputing"),
    ("集成电路", "integrated circuit"),
    ("研究中心", "research center"),
    ("实验室", "laboratory"),
    ("科学院", "academy sciences"),
    ("微电子", "microelectronics"),
    ("工程", "engineering"),
    ("国家", "national"),
    ("中心", "center"),
    ("计算", "computing"),
    ("装备", "equipment"),
    ("科学", "science"),
    ("数字", "digital"),
    ("仪器", "instruments"),
    ("精密", "precision"),
    ("导航", "navigation"),
    ("雷达", "radar"),
    ("光学", "optics"),
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

/// Words that carry no identity in a name. "al"/"el"/"ul" are the Arabic article as
/// romanised ("AL-RASHID", "El Rashid", "Rashid"): lists and customers use it inconsistently.
pub(crate) const STOPWORDS: &[&str] = &[
    "the", "of", "and", "for", "de", "del", "la", "le", "des", "du", "al", "el", "ul",
];

/// Company words as abbreviated in customer masters and lists ("SHPG", "INTL", "MFG").
/// Expanded on both sides, so "Shpg Co" meets "Shipping Company".
const ABBREVIATIONS: &[(&str, &str)] = &[
    ("shpg", "shipping"),
    ("shpng", "shipping"),
    ("intl", "international"),
    ("natl", "national"),
    ("mfg", "manufacturing"),
    ("mfrs", "manufacturers"),
    ("engg", "engineering"),
    ("grp", "group"),
    ("hldgs", "holdings"),
    ("hldg", "holding"),
    ("svcs", "services"),
    ("svc", "service"),
    ("assn", "association"),
    ("assoc", "association"),
    ("dept", "department"),
    ("mgmt", "management"),
    ("trdg", "trading"),
    ("ctr", "center"),
    ("centre", "center"),
    ("sys", "systems"),
    ("bros", "brothers"),
    ("inds", "industries"),
    ("univ", "university"),
    ("inst", "institute"),
    ("acad", "academy"),
    ("govt", "government"),
    ("pharma", "pharmaceutical"),
    ("chem", "chemical"),
    ("equip", "equipment"),
    ("mktg", "marketing"),
    ("elec", "electronics"),
    ("tech", "technology"),
    ("techs", "technologies"),
    ("petrochem", "petrochemical"),
    ("invest", "investment"),
];

/// Romanisations of Arabic "ibn"/"bin" (son of) meet on one token.
const PARTICLE_FORMS: &[(&str, &str)] = &[("ibn", "bin"), ("ben", "bin"), ("bint", "bin")];

/// Romanisations of Arabic "Abd" (servant of) as a separate word or a prefix: "Abdul",
/// "Abdel", "Abd al-", "Abdur" all become "abd" (after the articles are dropped).
const ABD_PREFIXES: &[&str] = &[
    "abdoul", "abdool", "abdul", "abdel", "abdal", "abdol", "abdur", "abdor", "abdu", "abd",
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

/// Stage 1: removes default-ignorable code points (zero-width space and joiners, soft hyphen,
/// word joiner, bidi controls, variation selectors, BOM). UTS #39's skeleton drops exactly
/// these, so a character whose skeleton is empty is one of them.
pub fn strip_ignorable(s: &str) -> std::borrow::Cow<'_, str> {
    if s.is_ascii() {
        return std::borrow::Cow::Borrowed(s);
    }
    let ignorable = |c: char| {
        !c.is_ascii() && {
            let mut buf = [0u8; 4];
            let empty = unicode_security::skeleton(c.encode_utf8(&mut buf))
                .next()
                .is_none();
            empty
        }
    };
    if !s.chars().any(ignorable) {
        return std::borrow::Cow::Borrowed(s);
    }
    std::borrow::Cow::Owned(s.chars().filter(|&c| !ignorable(c)).collect())
}

fn is_latin(c: char) -> bool {
    c.is_ascii_alphabetic()
        || (matches!(c as u32, 0xC0..=0x24F | 0x1E00..=0x1EFF) && c != '×' && c != '÷')
}

/// A letter of another script than Latin or Han (Cyrillic, Greek, Armenian, Cherokee...).
fn is_foreign_letter(c: char) -> bool {
    !c.is_ascii() && c.is_alphabetic() && !is_latin(c) && !is_han(c)
}

/// The ASCII letter (or letters) a character imitates, from the UTS #39 confusables data: the
/// character's prototype is looked up among the prototypes of ASCII letters and digits, so
/// Cyrillic "В" gives "B", Cyrillic "і" gives "i" (whose prototype "l" is also that of "I" and
/// "1": letters are preferred, in the case of the character). None when the character imitates
/// nothing in ASCII.
pub fn latin_lookalike(c: char) -> Option<&'static str> {
    use rustc_hash::FxHashMap;
    use std::sync::OnceLock;
    fn skel(c: char) -> String {
        let mut buf = [0u8; 4];
        unicode_security::skeleton(c.encode_utf8(&mut buf)).collect()
    }
    static REVERSE: OnceLock<FxHashMap<String, &'static str>> = OnceLock::new();
    static ASCII: &[&str] = &[
        "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p", "q", "r",
        "s", "t", "u", "v", "w", "x", "y", "z", "A", "B", "C", "D", "E", "F", "G", "H", "I", "J",
        "K", "L", "M", "N", "O", "P", "Q", "R", "S", "T", "U", "V", "W", "X", "Y", "Z", "0", "1",
        "2", "3", "4", "5", "6", "7", "8", "9",
    ];
    let rev = REVERSE.get_or_init(|| {
        let mut m = FxHashMap::default();
        // Letters first, so a prototype shared by "O" and "0" (or "l", "I" and "1") reads as a letter.
        for a in ASCII {
            let c = a.chars().next().unwrap_or(' ');
            m.entry(skel(c)).or_insert(*a);
        }
        m
    });
    if c.is_ascii() {
        return None;
    }
    let p = skel(c);
    match rev.get(&p) {
        Some(a) => Some(a),
        None => None,
    }
}

/// Stage 3: a word that mixes Latin letters with letters of another script is an imitation
/// (nobody writes one word in two alphabets): its foreign letters become the Latin letters they
/// look like. In a name of Latin words, a whole word of foreign letters that all imitate Latin
/// ones is treated the same way ("ООО Romashka"). With `whole`, every letter that imitates a
/// Latin one is replaced, whatever the words (the query's look-alike reading).
pub fn confusables_to_latin(s: &str, whole: bool) -> std::borrow::Cow<'_, str> {
    if s.is_ascii() || !s.chars().any(is_foreign_letter) {
        return std::borrow::Cow::Borrowed(s);
    }
    let latin_words = s
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| w.chars().any(is_latin) && !w.chars().any(is_foreign_letter));
    let mut out = String::with_capacity(s.len());
    let mut changed = false;
    let mut flush = |word: &str, out: &mut String| {
        let foreign = word.chars().filter(|&c| is_foreign_letter(c)).count();
        let mixed = foreign > 0 && word.chars().any(is_latin);
        let all_mappable = foreign > 0
            && word
                .chars()
                .filter(|&c| is_foreign_letter(c))
                .all(|c| latin_lookalike(c).is_some());
        if whole || mixed || (latin_words && all_mappable) {
            for c in word.chars() {
                match latin_lookalike(c).filter(|_| is_foreign_letter(c)) {
                    Some(l) => {
                        out.push_str(l);
                        changed = true;
                    }
                    None => out.push(c),
                }
            }
        } else {
            out.push_str(word);
        }
    };
    let mut start = None;
    for (i, c) in s.char_indices() {
        if c.is_alphanumeric() {
            start.get_or_insert(i);
        } else {
            if let Some(st) = start.take() {
                flush(&s[st..i], &mut out);
            }
            out.push(c);
        }
    }
    if let Some(st) = start {
        flush(&s[st..], &mut out);
    }
    if changed {
        std::borrow::Cow::Owned(out)
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// NFKC, then full case folding, then NFKC again (folding can denormalise).
pub fn fold_case(s: &str) -> String {
    // ASCII is already NFKC, and its full case folding is plain lower-casing: most names.
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    let n: String = s.nfkc().collect();
    fold_nfkc(&n)
}

/// Full case folding, then NFKC, of a text that is NFKC already (the name stages normalise
/// before they fold, so the first NFKC of `fold_case` would be done twice).
fn fold_nfkc(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    let f = caseless::default_case_fold_str(s);
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
    // Letters since the last dot: "S.A." joins initials, "Abu.Al-Jud" or "Co.Ltd" separates words.
    let mut seg = 0usize;
    let mut chars = ascii.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_alphanumeric() || (c == '#' && cur.is_empty()) {
            cur.push(c.to_ascii_lowercase());
            seg += 1;
        } else if c == '.' && seg >= 2 && chars.peek().is_some_and(|n| n.is_ascii_alphabetic()) {
            toks.push(std::mem::take(&mut cur));
            seg = 0;
        } else if c == '.' {
            seg = 0;
            continue;
        } else if c == '\'' || c == '`' {
            continue;
        } else if !cur.is_empty() {
            seg = 0;
            toks.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        toks.push(cur);
    }
    toks.retain(|t| t != "#");
    toks
}

/// Replaces legal-form token sequences with their family token, expands abbreviated company
/// words, brings Arabic name particles to one form, drops stopwords and acronyms that only
/// repeat the name's initials ("Foreign Trade Bank (FTB)").
pub(crate) fn canonicalise(mut toks: Vec<String>, max: usize) -> Vec<String> {
    // Before legal forms become "#inc": "Semiconductor Manufacturing International
    // Corporation (SMIC)" spells its acronym with the legal form's initial.
    drop_initialisms(&mut toks);
    let mut out = Vec::with_capacity(toks.len());
    let mut i = 0;
    let first_words = legal_first_words();
    'outer: while i < toks.len() {
        // Most name words start no legal form: skip the table for them.
        let table: &[(&[&str], &str)] = if first_words.contains(toks[i].as_str()) {
            LEGAL
        } else {
            &[]
        };
        for (seq, code) in table {
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
        let t = toks[i].as_str();
        if let Some(n) = strip_ordinal(t) {
            out.push(n.to_string());
        } else if let Some((_, full)) = ABBREVIATIONS.iter().find(|(a, _)| *a == t) {
            out.push((*full).to_string());
        } else if let Some((_, p)) = PARTICLE_FORMS.iter().find(|(a, _)| *a == t) {
            out.push((*p).to_string());
        } else if let Some(g) = given_name_form(t) {
            out.push(g.to_string());
        } else if let Some(rest) = abd_rest(t) {
            out.push("abd".to_string());
            if !rest.is_empty() {
                out.push(rest.to_string());
            }
        } else if !STOPWORDS.contains(&t) || toks.len() == 1 {
            out.push(toks[i].clone());
        }
        i += 1;
    }
    drop_initialisms(&mut out);
    out.truncate(max);
    out
}

/// East Slavic given names in their Russian, Belarusian and Ukrainian romanisations
/// (`data/screening/given_names.csv`): each form to the line's first ("uladzimir", "volodymyr"
/// → "vladimir").
fn given_name_form(t: &str) -> Option<&'static str> {
    use std::sync::OnceLock;
    static MAP: OnceLock<rustc_hash::FxHashMap<&'static str, &'static str>> = OnceLock::new();
    MAP.get_or_init(|| {
        let mut m = rustc_hash::FxHashMap::default();
        for line in include_str!("../../../data/screening/given_names.csv").lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut forms = line.split(',').map(str::trim);
            let Some(first) = forms.next() else { continue };
            for f in forms {
                m.insert(f, first);
            }
        }
        m
    })
    .get(t)
    .copied()
}

/// First words of the legal forms: most name words start none, and skip the table.
fn legal_first_words() -> &'static rustc_hash::FxHashSet<&'static str> {
    use std::sync::OnceLock;
    static SET: OnceLock<rustc_hash::FxHashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| LEGAL.iter().map(|(seq, _)| seq[0]).collect())
}

/// "abdul" → Some(""), "abdulrahman" → Some("rahman"), "abdullah" → None (a name of its own:
/// the rest is the article and "lah"), "abdo" → None.
fn abd_rest(t: &str) -> Option<&str> {
    if !t.starts_with("abd") {
        return None;
    }
    for p in ABD_PREFIXES {
        if let Some(rest) = t.strip_prefix(p) {
            if rest.is_empty() {
                return Some("");
            }
            // A joined name ("abdulrahman", "abdelaziz"): the rest must be a name of its own.
            if rest.len() >= 4
                && !rest.starts_with("lah")
                && !rest.starts_with("llah")
                && *p != "abd"
                && *p != "abdu"
            {
                return Some(rest);
            }
            return None;
        }
    }
    None
}

/// Removes a token (2 to 6 letters) that spells the initials of a run of the name's other
/// tokens: "foreign trade bank ftb" is the bank, not a bank plus an unknown word.
fn drop_initialisms(toks: &mut Vec<String>) {
    if toks.len() < 3 {
        return;
    }
    // Initials of every word, once: (position, letter, is a stopword).
    let initials: Vec<(usize, u8, bool)> = toks
        .iter()
        .enumerate()
        .filter(|(_, o)| !is_legal(o))
        .filter_map(|(j, o)| {
            o.bytes()
                .next()
                .map(|b| (j, b, STOPWORDS.contains(&o.as_str())))
        })
        .collect();
    let mut drop = None;
    let mut buf: Vec<u8> = Vec::with_capacity(initials.len());
    for (k, t) in toks.iter().enumerate() {
        // An acronym needs as many other words as it has letters.
        if !(2..=6).contains(&t.len())
            || t.len() >= initials.len()
            || is_legal(t)
            || !t.bytes().all(|b| b.is_ascii_alphabetic())
        {
            continue;
        }
        // "Bank of China (BOC)" counts "of"; "Foreign Trade Bank (FTB)" has none to skip.
        let found = [false, true].into_iter().any(|skip_stop| {
            buf.clear();
            buf.extend(
                initials
                    .iter()
                    .filter(|(j, _, stop)| *j != k && !(skip_stop && *stop))
                    .map(|(_, b, _)| *b),
            );
            buf.windows(t.len()).any(|w| w == t.as_bytes())
        });
        if found {
            drop = Some(k);
            break;
        }
    }
    if let Some(k) = drop {
        toks.remove(k);
    }
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
    WORDS
        .iter()
        .filter(|(w, _)| w.len().abs_diff(tok.len()) <= 2)
        .find_map(|(w, code)| {
            crate::score::osa_bounded(
                tok.as_bytes(),
                w.as_bytes(),
                if w.len() > 8 { 2 } else { 1 },
            )
            .map(|_| *code)
        })
}

/// Address words for evidence: case folded, in ASCII, split; none of the name stages (an
/// address is never matched as a name, and lists have tens of thousands of them).
pub fn address_words(addr: &str) -> Vec<String> {
    let mut ascii = String::with_capacity(addr.len());
    to_ascii(&fold_case(&strip_ignorable(addr)), &mut ascii);
    tokenize(&ascii)
}

/// All token variants of a listed name (at least one unless the name has no letters or digits).
pub fn variants(name: &str) -> Vec<Vec<String>> {
    forms(name, false)
}

/// All token variants of a query: those of [`variants`] (never cut to a number of tokens),
/// then secondary readings an evader's spelling may need: the whole name read as Latin
/// look-alikes ("ВАNСО" with Cyrillic letters) and digits read as letters ("BANC0").
pub fn query_variants(name: &str) -> Vec<Vec<String>> {
    forms(name, true)
}

/// Digits that imitate letters in a token that also has letters ("nac10nal" → "nacional").
/// With `one_as_l`, "1" reads as "l" ("A8DU1" → "abdul"), else as "i" ("NAC10NAL").
fn digits_as_letters(t: &str, one_as_l: bool) -> Option<String> {
    let b = t.as_bytes();
    if !b.iter().any(u8::is_ascii_digit) || !b.iter().any(u8::is_ascii_alphabetic) {
        return None;
    }
    Some(
        t.chars()
            .map(|c| match c {
                '0' => 'o',
                '1' if one_as_l => 'l',
                '1' => 'i',
                '3' => 'e',
                '4' => 'a',
                '5' => 's',
                '6' => 'g',
                '7' => 't',
                '8' => 'b',
                '9' => 'g',
                c => c,
            })
            .collect(),
    )
}

/// Stages 4 to 7 on a text that went through stages 1 to 3.
fn script_forms(folded: &str, texts: &mut Vec<String>) -> bool {
    let has_han = folded.chars().any(is_han);
    let has_cyr = folded.chars().any(is_cyrillic);
    if has_cyr {
        let base = replace_all(folded, CYR_LEGAL);
        for t in translits() {
            texts.push(t.to_latin(&base));
        }
    } else if has_han {
        // Stage 5: Traditional characters to Simplified (OpenCC's dictionaries, via hanconv).
        let simplified = han_ordinals(&hanconv::t2s(folded));
        let base = replace_all(&simplified, HAN_LEGAL);
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
        texts.push(folded.to_string());
    }
    has_cyr
}

/// Letters spaced out ("B A N C O  N A C I O N A L", "S a n t i a g o") joined: runs of three
/// or more single letters separated by single spaces become one word; two or more spaces (or
/// punctuation) end a word. None when the text has no such run.
pub fn join_spaced_letters(s: &str) -> Option<String> {
    // Most names have no three single letters in a row: say so without allocating.
    let mut run = 0;
    let has_run = s.split(' ').any(|p| {
        if p.chars().count() == 1 {
            run += 1;
        } else {
            run = 0;
        }
        run >= 3
    });
    if !has_run {
        return None;
    }
    let parts: Vec<&str> = s.split(' ').collect();
    let single = |p: &str| p.chars().count() == 1 && p.chars().all(char::is_alphanumeric);
    let mut out = String::with_capacity(s.len());
    let mut changed = false;
    let mut i = 0;
    while i < parts.len() {
        let run = parts[i..].iter().take_while(|p| single(p)).count();
        if run >= 3 {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&parts[i..i + run].concat());
            i += run;
            changed = true;
        } else {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(parts[i]);
            i += 1;
        }
    }
    changed.then_some(out)
}

/// Chinese ordinals to digits: "第二十八研究所" (the 28th institute) → " 28 研究所", as the lists
/// write "No. 28 Institute" or "28th Research Institute". Only after 第, the ordinal marker:
/// numerals inside names ("三一" in 三一重工) stay characters.
fn han_ordinals(s: &str) -> String {
    if !s.contains('第') {
        return s.to_string();
    }
    let digit = |c: char| "零一二三四五六七八九".chars().position(|d| d == c);
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '第' {
            out.push(c);
            continue;
        }
        let (mut total, mut cur, mut any) = (0usize, 0usize, false);
        while let Some(&n) = chars.peek() {
            if let Some(d) = digit(n) {
                cur = d;
            } else if n == '十' {
                total += cur.max(1) * 10;
                cur = 0;
            } else if n == '百' {
                total += cur.max(1) * 100;
                cur = 0;
            } else {
                break;
            }
            any = true;
            chars.next();
        }
        if any {
            out.push_str(&format!(" {} ", total + cur));
        } else {
            out.push(c);
        }
    }
    out
}

/// "14th", "2nd", "38TH" → the number: lists write ordinals both ways.
fn strip_ordinal(t: &str) -> Option<&str> {
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    (digits > 0 && matches!(&t[digits..], "st" | "nd" | "rd" | "th")).then(|| &t[..digits])
}

fn forms(name: &str, query: bool) -> Vec<Vec<String>> {
    let max = if query { usize::MAX } else { MAX_TOKENS };
    // '#' marks the legal-form tokens this module makes: never the user's own.
    let name: std::borrow::Cow<str> = if name.contains('#') {
        std::borrow::Cow::Owned(name.replace('#', " "))
    } else {
        std::borrow::Cow::Borrowed(name)
    };
    let mut out = forms_of(&name, query, max);
    if query {
        if let Some(joined) = join_spaced_letters(&name) {
            let extra = forms_of(&joined, true, max);
            // Spelt-out words replace the letter-by-letter reading; short runs ("R D I") may be
            // listed initials, so both stay.
            let long_run = name.split(' ').filter(|p| p.chars().count() == 1).count() >= 6;
            if long_run {
                out = extra;
            } else {
                for v in extra {
                    if !out.contains(&v) {
                        out.push(v);
                    }
                }
            }
        }
    }
    out
}

fn forms_of(name: &str, query: bool, max: usize) -> Vec<Vec<String>> {
    let stripped = strip_ignorable(name);
    let nfkc: String = if stripped.is_ascii() {
        stripped.into_owned()
    } else {
        stripped.nfkc().collect()
    };
    let latin = confusables_to_latin(&nfkc, false);
    let folded = fold_nfkc(&latin);
    let mut texts: Vec<String> = Vec::with_capacity(2);
    let has_cyr = script_forms(&folded, &mut texts);
    let mut out: Vec<Vec<String>> = Vec::with_capacity(texts.len() + 1);
    let push = |toks: Vec<String>, out: &mut Vec<Vec<String>>| {
        if !toks.is_empty() && !out.contains(&toks) {
            out.push(toks);
        }
    };
    for t in &texts {
        let mut ascii = String::with_capacity(t.len() + 8);
        to_ascii(t, &mut ascii);
        push(canonicalise(tokenize(&ascii), max), &mut out);
        if out.len() >= MAX_VARIANTS {
            break;
        }
    }
    if has_cyr && out.len() < MAX_VARIANTS {
        // deunicode's own romanisation (BGN/PCGN-like: х→kh, ю→yu) as one more system.
        let mut ascii = String::new();
        to_ascii(&replace_all(&folded, CYR_LEGAL), &mut ascii);
        push(canonicalise(tokenize(&ascii), max), &mut out);
    }
    if query {
        // The whole name as Latin look-alikes, when every foreign letter imitates one.
        let all = confusables_to_latin(&nfkc, true);
        if all.is_ascii() && all != latin {
            push(canonicalise(tokenize(&fold_case(&all)), max), &mut out);
        }
        // Digits for letters, in tokens that mix both ("1" as "i", then as "l").
        let n = out.len();
        let mixed = |t: &String| {
            t.bytes().any(|b| b.is_ascii_digit()) && t.bytes().any(|b| b.is_ascii_alphabetic())
        };
        let any_mixed = out.iter().any(|v| v.iter().any(mixed));
        for one_as_l in [false, true].into_iter().filter(|_| any_mixed) {
            for k in 0..n {
                let mut changed = false;
                let toks: Vec<String> = out[k]
                    .iter()
                    .map(|t| match digits_as_letters(t, one_as_l) {
                        Some(x) => {
                            changed = true;
                            x
                        }
                        None => t.clone(),
                    })
                    .collect();
                if changed && (!one_as_l || out[k].iter().any(|t| t.contains('1'))) {
                    push(canonicalise(toks, max), &mut out);
                }
            }
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
                // Inside a word; at its start only before "e": Cyrillic initial Е is written
                // "Ye", "Je" or "E" ("Yevgeniy" / "Evgenii").
                if last == b'i'
                    && matches!(c, b'u' | b'a' | b'e' | b'o')
                    && (out.len() > 1 || c == b'e')
                {
                    out.pop();
                }
            }
            out.push(c);
        }
        i += adv;
    }
    String::from_utf8(out).unwrap_or_default()
}

/// A key on which the romanisations of one Arabic or Persian name meet: "Mohamed",
/// "Muhammad" and "Mohammed"; "Hussein" and "Husayn"; "Ragab" and "Rajab"; "Ezat" and "Izzat";
/// "Zeiniye" and "Zayniyah". Vowels are dropped except the class of the first one (a/e/i or
/// o/u, which keeps "Mahmoud" apart from "Mohamed" and "Hassan" from "Hussein"), doubled
/// letters collapse, and letters that transcribe one Arabic sound meet (g/j, q/gh/k/c, th/t,
/// dh/z, w/v, sh/ch, final h after a vowel). Like the phonetic keys nomenklatura's matchers
/// compare name parts with, it is only a candidate equivalence: the scorer gives it less
/// weight than a spelling match. None for tokens too short to carry a key.
pub fn consonant_key(tok: &str) -> Option<String> {
    let b = tok.as_bytes();
    if b.len() < 4 || !b.iter().all(u8::is_ascii_lowercase) {
        return None;
    }
    let vowel = |c: u8| matches!(c, b'a' | b'e' | b'i' | b'o' | b'u' | b'y');
    let class = |c: u8| if matches!(c, b'o' | b'u') { b'u' } else { b'a' };
    let mut out: Vec<u8> = Vec::with_capacity(b.len());
    let mut consonants = 0;
    let mut first_vowel_done = false;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        // "y" before a vowel at the start is a consonant ("Yusuf").
        if vowel(c) && !(c == b'y' && i == 0 && next.is_some_and(vowel)) {
            if !first_vowel_done {
                out.push(class(c));
                first_vowel_done = true;
            }
            i += 1;
            continue;
        }
        let (k, adv) = match (c, next) {
            (b'k', Some(b'h')) => (b'x', 2),
            // Persian and Gulf romanisations write one sound q or gh ("Vaseqi" ~ "Vaseghi").
            (b'g', Some(b'h')) => (b'k', 2),
            (b's', Some(b'h')) | (b'c', Some(b'h')) => (b'S', 2),
            (b't', Some(b'h')) => (b't', 2),
            (b'd', Some(b'h')) | (b'z', Some(b'h')) => (b'z', 2),
            (b'p', Some(b'h')) => (b'f', 2),
            (b'c', Some(b'k')) => (b'k', 2),
            (b'g', _) | (b'j', _) => (b'j', 1),
            (b'q', _) | (b'c', _) => (b'k', 1),
            (b'v', _) | (b'w', _) => (b'w', 1),
            // A final h after a vowel is the feminine ending ("-iyah" / "-iye"), not a letter.
            (b'h', None) if i > 0 && vowel(b[i - 1]) => {
                i += 1;
                continue;
            }
            (c, _) => (c, 1),
        };
        if out.last() != Some(&k) {
            out.push(k);
            consonants += 1;
        }
        i += adv;
    }
    (consonants >= 2).then(|| String::from_utf8_lossy(&out).into_owned())
}

/// A key on which the romanisations of one Chinese syllable sequence meet: Hanyu Pinyin and
/// Wade-Giles ("Hsien-fa" ~ "Xianfa", "Chou" ~ "Zhou", "Chieh" ~ "Jie", "Kuo" ~ "Guo",
/// "Tung" ~ "Dong", "Shih" ~ "Shi"). Wade-Giles drops its aspiration marks in lists, so the
/// pairs it tells apart only by them (k/k', t/t', p/p', ch/ch', ts/ts') meet, as do the
/// pinyin initials they stand for (g/k, d/t, b/p, zh/ch/j/q, z/c). None for tokens with other
/// characters than ASCII letters.
pub fn chinese_key(tok: &str) -> Option<String> {
    chinese_key_with(tok, false)
}

/// The same reading an initial "j" as Wade-Giles writes it: pinyin "r" ("jung" = "rong").
/// Only a query is read both ways; listed names are pinyin.
pub fn chinese_key_wade_giles_j(tok: &str) -> Option<String> {
    tok.contains('j')
        .then(|| chinese_key_with(tok, true))
        .flatten()
}

fn chinese_key_with(tok: &str, j_as_r: bool) -> Option<String> {
    let b = tok.as_bytes();
    if b.len() < 2 || b.len() > 24 || !b.iter().all(u8::is_ascii_lowercase) {
        return None;
    }
    let vowel = |c: u8| matches!(c, b'a' | b'e' | b'i' | b'o' | b'u');
    let vowel_at = |k: usize| b.get(k).is_some_and(|&c| vowel(c));
    let mut out: Vec<u8> = Vec::with_capacity(b.len());
    let mut i = 0;
    // A Wade-Giles syllable "i" alone is pinyin "yi".
    if b[0] == b'i' {
        out.push(b'y');
    }
    while i < b.len() {
        let c = b[i];
        let n1 = b.get(i + 1).copied();
        let n2 = b.get(i + 2).copied();
        let (emit, adv): (&[u8], usize) = match (c, n1, n2) {
            // Wade-Giles "ssu"/"szu" is pinyin "si", "tzu" is "zi".
            (b's', Some(b's' | b'z'), Some(b'u')) => (b"si", 3),
            (b't', Some(b'z'), Some(b'u')) => (b"Zi", 3),
            (b'h', Some(b's'), _) => (b"x", 2),
            (b'z', Some(b'h'), _) | (b'c', Some(b'h'), _) => (b"C", 2),
            (b's', Some(b'h'), _) => (b"S", 2),
            (b't', Some(b's'), _) | (b't', Some(b'z'), _) => (b"Z", 2),
            // "ng" ends a syllable unless a vowel follows ("quanguo" is quan-guo).
            (b'n', Some(b'g'), _) if !vowel_at(i + 2) => (b"N", 2),
            (b'j', ..) if j_as_r => (b"r", 1),
            (b'j', ..) | (b'q', ..) => (b"C", 1),
            (b'z', ..) | (b'c', ..) => (b"Z", 1),
            (b'k', ..) | (b'g', ..) => (b"K", 1),
            (b't', ..) | (b'd', ..) => (b"T", 1),
            (b'p', ..) | (b'b', ..) => (b"P", 1),
            // "-ieh", "-ih", "-erh", "-ueh": an h after a vowel is Wade-Giles spelling.
            (b'h', ..) if i > 0 && vowel(b[i - 1]) => (b"", 1),
            // "-ung" is pinyin "-ong"; "-uei" is "-ui"; "-uo" after an initial is
            // Wade-Giles "-o".
            (b'u', Some(b'n'), Some(b'g')) => (b"o", 1),
            (b'e', Some(b'i'), _) if out.last() == Some(&b'u') => (b"", 1),
            (b'u', Some(b'o'), _) if out.last().is_some_and(|l| !vowel(*l)) => (b"", 1),
            // "-ien" / "yen" closing a syllable is pinyin "-ian" / "yan".
            (b'e', Some(b'n'), _)
                if matches!(out.last(), Some(b'i' | b'y')) && !vowel_at(i + 2) =>
            {
                (b"a", 1)
            }
            // Pinyin "ke"/"ge"/"he" as a whole syllable is Wade-Giles "ko"/"ho".
            (b'e', next, _)
                if matches!(out.last(), Some(b'K' | b'h'))
                    && !matches!(next, Some(b'n' | b'r' | b'i')) =>
            {
                (b"o", 1)
            }
            _ => (&b[i..i + 1], 1),
        };
        out.extend_from_slice(emit);
        i += adv;
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}

/// A single-word legal form ("co", "ltd", "llc") or stopword, which a run of joined words
/// may contain ("banconacionaldecuba").
pub(crate) fn is_filler_word(t: &str) -> bool {
    use std::sync::OnceLock;
    // A set, built once: word splitting asks for every substring of a long token.
    static SET: OnceLock<rustc_hash::FxHashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        let mut s: rustc_hash::FxHashSet<&'static str> = STOPWORDS.iter().copied().collect();
        s.extend(
            LEGAL
                .iter()
                .filter(|(seq, _)| seq.len() == 1)
                .map(|(seq, _)| seq[0]),
        );
        s.extend(ABBREVIATIONS.iter().map(|(a, _)| *a));
        s.extend([
            "limitada",
            "company",
            "limited",
            "corporation",
            "incorporated",
        ]);
        s
    })
    .contains(t)
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
        assert_eq!(skeleton("yevgeniy"), skeleton("evgenii"));
    }

    #[test]
    fn garbage_never_panics() {
        for s in ["", "...", "#", "\u{0}", "ＡＢＣ", "ß", "\u{10FFFF}"] {
            let _ = variants(s);
        }
        assert!(variants("!!!").is_empty());
    }

    #[test]
    fn ignorable_characters_are_removed() {
        // Zero-width space, soft hyphen, word joiner, bidi override, BOM, variation selector.
        let s = "B\u{200B}A\u{00AD}N\u{2060}C\u{202E}O\u{FEFF}\u{FE0F}";
        assert_eq!(strip_ignorable(s), "BANCO");
        assert_eq!(strip_ignorable("Straße"), "Straße");
        assert_eq!(
            first("B\u{200D}ANCO N\u{200C}ACIONAL"),
            ["banco", "nacional"]
        );
    }

    #[test]
    fn look_alike_letters_in_latin_words_become_latin() {
        // Cyrillic В and Р inside a Latin word; Greek Ο in another.
        assert_eq!(
            confusables_to_latin("ROSOВORONEKSРORT OAO", false),
            "ROSOBORONEKSPORT OAO"
        );
        assert_eq!(confusables_to_latin("BANCΟ", false), "BANCO");
        assert_eq!(latin_lookalike('р'), Some("p"));
        assert_eq!(latin_lookalike('і'), Some("i"));
        assert_eq!(latin_lookalike('ж'), None);
        // A whole Cyrillic look-alike word among Latin words.
        assert_eq!(confusables_to_latin("ООО Romashka", false), "OOO Romashka");
        // A genuine Russian name stays Cyrillic (transliterated later).
        assert_eq!(confusables_to_latin("Ромашка", false), "Ромашка");
        assert_eq!(first("ROSOВORONEKSРORT OAO"), ["rosoboroneksport", "#jsc"]);
    }

    #[test]
    fn query_forms_read_whole_look_alike_names_and_digits() {
        // Every letter Cyrillic, every one imitating Latin: the query also reads as Latin.
        let v = query_variants("ВАНСО ТЕХ");
        assert!(
            v.contains(&vec!["bahco".to_string(), "tex".to_string()]),
            "{v:?}"
        );
        let v = query_variants("BANC0 NAC10NAL DE CUBA");
        assert!(
            v.contains(&vec!["banco".into(), "nacional".into(), "cuba".into()]),
            "{v:?}"
        );
        // Listed names get no digit reading ("Plant 7" keeps its number).
        assert_eq!(
            variants("Plant 7"),
            vec![vec!["plant".to_string(), "7".to_string()]]
        );
    }

    #[test]
    fn ordinals_meet_across_scripts() {
        assert!(variants("中国电子科技集团公司第二十八研究所")
            .iter()
            .any(|v| v.contains(&"28".to_string()) && v.contains(&"china".to_string())));
        assert_eq!(han_ordinals("第十四研究所"), " 14 研究所");
        assert_eq!(han_ordinals("三一重工"), "三一重工");
        assert_eq!(first("CETC 14th Research Institute")[1], "14");
    }

    #[test]
    fn traditional_chinese_meets_simplified() {
        assert_eq!(variants("華為技術有限公司"), variants("华为技术有限公司"));
    }

    #[test]
    fn queries_are_never_cut_listed_names_are_bounded() {
        let long = vec!["word"; 100].join(" ");
        assert_eq!(query_variants(&long)[0].len(), 100);
        assert_eq!(variants(&long)[0].len(), MAX_TOKENS);
    }

    #[test]
    fn company_abbreviations_arabic_particles_and_initialisms() {
        assert_eq!(first("ACME SHPG CO"), first("Acme Shipping Company"));
        assert_eq!(
            first("Global Intl Trdg"),
            ["global", "international", "trading"]
        );
        assert_eq!(first("Abdul Rahman"), ["abd", "rahman"]);
        assert_eq!(first("Abd al-Rahman"), ["abd", "rahman"]);
        assert_eq!(first("ABDULRAHMAN"), ["abd", "rahman"]);
        assert_eq!(first("Abdullah"), ["abdullah"]);
        assert_eq!(first("Omar ibn Khalid"), ["omar", "bin", "khalid"]);
        assert_eq!(first("AL-RASHID, Omar"), ["rashid", "omar"]);
        assert_eq!(
            first("Foreign Trade Bank (FTB)"),
            ["foreign", "trade", "bank"]
        );
        // Not an initialism of the others: kept.
        assert_eq!(first("Korea Mining KOMID"), ["korea", "mining", "komid"]);
    }

    #[test]
    fn chinese_keys_join_pinyin_and_wade_giles() {
        let k = |a: &str| chinese_key(a);
        for (a, b) in [
            ("hsienfa", "xianfa"),
            ("chou", "zhou"),
            ("chieh", "jie"),
            ("kuo", "guo"),
            ("tung", "dong"),
            ("shih", "shi"),
            ("lo", "luo"),
            ("kuei", "kui"),
            ("chiehchin", "jiejin"),
            ("chuankuo", "quanguo"),
            ("tiehniu", "tieniu"),
            ("yen", "yan"),
            ("hsiaoping", "xiaobing"),
            ("ho", "he"),
            ("kocheng", "kezheng"),
            ("ssutung", "sidong"),
        ] {
            assert_eq!(k(a), k(b), "{a} {b}");
        }
        assert_eq!(chinese_key_wade_giles_j("lijung"), k("lirong"));
        assert_ne!(k("heng"), k("hong"));
        assert_ne!(k("wang"), k("huang"));
        assert_eq!(k("o'neil"), None);
    }

    #[test]
    fn east_slavic_given_names_meet_across_romanisations() {
        assert_eq!(
            first("Uladzimir Vasilievich"),
            first("Vladimir Vasilievich")
        );
        assert_eq!(first("Volodymyr"), ["vladimir"]);
        assert_eq!(first("Siarhei"), first("Sergei"));
        assert_eq!(first("Ihar Ryhoravich")[0], "igor");
        // Every line of the table is well formed: no form belongs to two names.
        let mut seen = std::collections::HashSet::new();
        for line in include_str!("../../../data/screening/given_names.csv").lines() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            for f in line.split(',') {
                assert!(seen.insert(f.trim()), "{f} twice");
                assert!(f.trim().bytes().all(|b| b.is_ascii_lowercase()), "{f}");
            }
        }
    }

    #[test]
    fn romanisation_keys_join_arabic_spelling_families() {
        let k = |a: &str| consonant_key(a);
        for (a, b) in [
            ("mohamed", "muhammad"),
            ("mohammed", "muhammad"),
            ("hussein", "husayn"),
            ("ragab", "rajab"),
            ("ezat", "izzat"),
            ("vaseqi", "vaseghi"),
            ("hijazi", "hejazi"),
            ("sayed", "sayyid"),
            ("zeiniye", "zayniyah"),
            ("yusuf", "yousef"),
            ("omar", "umar"),
        ] {
            assert_eq!(k(a), k(b), "{a} {b}");
            assert!(k(a).is_some(), "{a}");
        }
        for (a, b) in [
            ("mahmoud", "mohamed"),
            ("hassan", "hussein"),
            ("omar", "amr"),
        ] {
            assert_ne!(k(a), k(b), "{a} {b}");
        }
        assert_eq!(k("ali"), None);
    }
}
