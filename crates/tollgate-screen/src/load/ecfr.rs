//! The JSON extract shape shared by the BIS Entity List, Military End-User List and Denied
//! Persons List (parsed from the eCFR supplements and BIS's CSV by a third party), the OFAC
//! NS-CMIC list and the DoD Section 1260H list:
//!
//! ```json
//! {"list_id": "bis-entity-list", "source_file": "Supplement No. 4 to Part 744—Entity List.txt",
//!  "extracted": "2026-07-09", "count": 3409,
//!  "entities": [{"name": "...", "aliases": ["..."], "country": "China", "address": "...",
//!                "federal_register": "...", "notes": "...", "status": null, "effective_date": null}]}
//! ```
//!
//! The list comes from `list_id` (or `source_file`); a file of another list than the format
//! asked for is refused. Entries have no id of their own: `model::stable_id(list, name)` over the
//! `name` field exactly as the file has it (before the cleaning below), so anyone can compute an
//! entry's id from the file.
//!
//! Parsing artefacts of the extract, cleaned where it is safe (the unit tests show each case):
//! - a name with an `(a.k.a. X` / `(f.k.a., X` parenthetical keeps the part before it, X becomes
//!   an alias; when the parenthesis is left open and the address starts with its rest
//!   ("Sabanican Pad Co.), Unit #23, ..."), that rest is moved from the address to the alias;
//! - an alias with an address glued on ("BellHuawei Technologies LLC. 5 Dzerzhinsky Ave., Minsk,
//!   220036, Belarus", "Alexander Ivjenko, 7150 Rue Chouinard, ...") is split into the alias and
//!   an address; "X, a.k.a., Y" into two aliases; a trailing ", a.k.a., the following two
//!   aliases:" is dropped;
//! - an address that starts with alias-list residue ("the following one alias: ",
//!   "a.k.a., the following two aliases: ", "Address: ") loses it, and addresses joined by
//!   "; and " or "Alt Address:" are split.
//!
//! - a trailing "(SMIC)"-style abbreviation of a name (3 to 15 upper-case letters and digits,
//!   not a legal form such as "(CJSC)") is also kept as a weak alias.
//!
//! Left as they are: an alias with an address glued on without a separator ("BiotaGroup Company
//! Al Thuraya Tower 1, 9th Floor, ..."), descriptive aliases ("Nuclear reactors (including power
//! plants) ..."), a name cut short by the extract ("... subordinate institution:"), and notes the
//! extract truncated with "...".
//!
//! Entity List `notes` are the License Requirement column: it goes to
//! `Entity::license_requirement` with the footnote markers the extract glued after citations
//! ("734.9(e) 1", "734.9(g),3", "of the EAR) 4") moved to `Entity::footnotes` (see
//! [`split_footnotes`]). The extract has no License Review Policy column, so `license_policy`
//! stays None. The other lists' notes (MEU parent, DPL denial type, CMIC identifiers, 1260H
//! reasons) are not licence requirements and are not kept.
//!
//! `published`: the newest `effective_date` when entries have one (DPL, 1260H, NS-CMIC), else
//! the `extracted` date (the eCFR text as of that day: Entity List, MEU); the basis says which
//! and names the newest Federal Register citation date found.

use crate::model::{stable_id, Entity, Loaded, RowIssue};
use std::io::Read;

pub const ENTITY_LIST: &str = "Entity List";
pub const MEU: &str = "Military End User List";
pub const DPL: &str = "Denied Persons List";
pub const NS_CMIC: &str = "Non-SDN Chinese Military-Industrial Complex Companies List";
pub const DOD_1260H: &str = "DoD 1260H List";

/// The list a file's `list_id` or `source_file` names, when it is one of the five.
pub fn list_of(list_id: &str, source_file: &str) -> Option<&'static str> {
    let id = list_id.to_ascii_lowercase();
    let src = source_file.to_ascii_lowercase();
    let either = |needles: &[&str]| needles.iter().any(|n| id.contains(n) || src.contains(n));
    if either(&[
        "entity-list",
        "entity list",
        "entity_list",
        "part 744—entity",
    ]) {
        Some(ENTITY_LIST)
    } else if either(&["meu", "military end-user", "military end user"]) {
        Some(MEU)
    } else if either(&["dpl", "denied"]) {
        Some(DPL)
    } else if either(&["nscmic", "ns-cmic", "cmic"]) {
        Some(NS_CMIC)
    } else if either(&["1260h"]) {
        Some(DOD_1260H)
    } else {
        None
    }
}

#[derive(serde::Deserialize)]
struct Top {
    #[serde(default)]
    list_id: Option<String>,
    #[serde(default)]
    source_file: Option<String>,
    #[serde(default)]
    extracted: Option<String>,
    #[serde(default)]
    count: Option<u64>,
    entities: Vec<Item>,
}

/// One entry's fields (read into a struct, not a JSON map: a third of the load time went to
/// map lookups); a field of another type than expected is treated as absent.
#[derive(Default)]
struct Entry {
    name: Option<serde_json::Value>,
    aliases: Option<serde_json::Value>,
    country: Option<serde_json::Value>,
    address: Option<serde_json::Value>,
    federal_register: Option<serde_json::Value>,
    notes: Option<serde_json::Value>,
    effective_date: Option<serde_json::Value>,
}

/// An element of `entities`: an entry, or anything else (reported as a malformed row).
enum Item {
    Entry(Box<Entry>),
    NotObject,
}

impl<'de> serde::Deserialize<'de> for Item {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ItemVisitor)
    }
}

struct ItemVisitor;

impl<'de> serde::de::Visitor<'de> for ItemVisitor {
    type Value = Item;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an entity object")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut m: A) -> Result<Item, A::Error> {
        let mut e = Entry::default();
        while let Some(k) = m.next_key::<std::borrow::Cow<'de, str>>()? {
            let slot = match k.as_ref() {
                "name" => &mut e.name,
                "aliases" => &mut e.aliases,
                "country" => &mut e.country,
                "address" => &mut e.address,
                "federal_register" => &mut e.federal_register,
                "notes" => &mut e.notes,
                "effective_date" => &mut e.effective_date,
                _ => {
                    m.next_value::<serde::de::IgnoredAny>()?;
                    continue;
                }
            };
            *slot = Some(m.next_value()?);
        }
        Ok(Item::Entry(Box::new(e)))
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut s: A) -> Result<Item, A::Error> {
        while s.next_element::<serde::de::IgnoredAny>()?.is_some() {}
        Ok(Item::NotObject)
    }
    fn visit_bool<E>(self, _: bool) -> Result<Item, E> {
        Ok(Item::NotObject)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Item, E> {
        Ok(Item::NotObject)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Item, E> {
        Ok(Item::NotObject)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Item, E> {
        Ok(Item::NotObject)
    }
    fn visit_str<E>(self, _: &str) -> Result<Item, E> {
        Ok(Item::NotObject)
    }
    fn visit_unit<E>(self) -> Result<Item, E> {
        Ok(Item::NotObject)
    }
}

/// An ISO date `YYYY-MM-DD` (checked loosely: digits and dashes, a year before 2100).
fn iso_date(s: &str) -> Option<String> {
    let s = s.trim();
    let b = s.as_bytes();
    let ok = b.len() >= 10
        && b[..10].iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
        && &s[..4] < "2100";
    ok.then(|| s[..10].to_string())
}

/// Dates in a Federal Register citation field: "76 FR 71869, 11/21/11", "91 FR 35189 (June 10,
/// 2026)". Two-digit years are 19xx from 50 up.
pub fn fr_dates(s: &str) -> Vec<String> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let mut out = Vec::new();
    let words: Vec<&str> = s
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')' || c == ';')
        .filter(|w| !w.is_empty())
        .collect();
    for (i, w) in words.iter().enumerate() {
        let w = w.trim_end_matches([',', '.']);
        let parts: Vec<&str> = w.split('/').collect();
        if parts.len() == 3 && parts.iter().all(|p| !p.is_empty() && p.len() <= 4) {
            let n: Vec<Option<u32>> = parts.iter().map(|p| p.parse().ok()).collect();
            if let [Some(m), Some(d), Some(y)] = n[..] {
                let y = match (parts[2].len(), y) {
                    (2, y) if y >= 50 => 1900 + y,
                    (2, y) => 2000 + y,
                    (4, y) => y,
                    _ => continue,
                };
                if (1..=12).contains(&m) && (1..=31).contains(&d) {
                    out.push(format!("{y:04}-{m:02}-{d:02}"));
                }
            }
            continue;
        }
        if let Some(m) = MONTHS.iter().position(|m| w.eq_ignore_ascii_case(m)) {
            let day = words.get(i + 1).map(|d| d.trim_end_matches(','));
            let year = words.get(i + 2).map(|y| y.trim_end_matches([',', '.']));
            if let (Some(Ok(d)), Some(Ok(y))) =
                (day.map(str::parse::<u32>), year.map(str::parse::<u32>))
            {
                if (1..=31).contains(&d) && (1900..2100).contains(&y) {
                    out.push(format!("{y:04}-{:02}-{d:02}", m + 1));
                }
            }
        }
    }
    out
}

/// Splits the footnote markers the eCFR text glues after citations off a licence requirement:
/// "For all items subject to the EAR, see §§ 734.9(e) 1 and 744.11 of the EAR 2" gives
/// ("For all items subject to the EAR, see §§ 734.9(e) and 744.11 of the EAR", ["1", "2"]).
/// A marker is one digit right after a closing parenthesis (with at most a comma or one space
/// between: "(g),3", "(g)3,", "EAR) 4", "EAR)4") or after "EAR " at a word end, never part of a
/// longer number ("EAR 99") or of a citation ("(a)(3)"). Also corrects the extract's "744.2l(b)"
/// (letter l for digit 1).
pub fn split_footnotes(text: &str) -> (String, Vec<String>) {
    let t = if text.contains("744.2l(") {
        text.replace("744.2l(", "744.21(")
    } else {
        text.to_string()
    };
    let c: Vec<char> = t.chars().collect();
    let mut keep = vec![true; c.len()];
    let mut marks: Vec<String> = Vec::new();
    for i in 0..c.len() {
        if !c[i].is_ascii_digit() || c[i] == '0' {
            continue;
        }
        // Never part of a longer number or a citation.
        let next = c.get(i + 1).copied();
        if next.is_some_and(|n| !(n.is_whitespace() || n == ',' || n == ';' || n == ')')) {
            continue;
        }
        if i == 0 {
            continue;
        }
        let mut j = i;
        let mut space = false;
        if c[j - 1] == ' ' {
            space = true;
            j -= 1;
        }
        if j == 0 {
            continue;
        }
        let after_paren = c[j - 1] == ')' || (c[j - 1] == ',' && j >= 2 && c[j - 2] == ')');
        let after_ear = space && j >= 3 && c[j - 3..j].iter().collect::<String>() == "EAR";
        if !(after_paren || after_ear) {
            continue;
        }
        // "EAR)" followed by a space and a digit that starts a new sentence's number is not
        // possible here (a marker is one digit followed by a break), so take it.
        keep[i] = false;
        if space && next.is_none_or(|n| n != ',') {
            keep[i - 1] = false;
        }
        let d = c[i].to_string();
        if !marks.contains(&d) {
            marks.push(d);
        }
    }
    let s: String = c
        .iter()
        .zip(&keep)
        .filter(|(_, k)| **k)
        .map(|(ch, _)| *ch)
        .collect();
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    (s.replace(" ,", ","), marks)
}

const ALIAS_MARKERS: [&str; 3] = ["a.k.a.", "f.k.a.", "n.k.a."];

/// Strips "a.k.a., " / "f.k.a. " and quotes around an alias.
fn bare_alias(s: &str) -> String {
    let mut t = s.trim();
    for m in ALIAS_MARKERS {
        if t.get(..m.len()).is_some_and(|p| p.eq_ignore_ascii_case(m)) {
            t = &t[m.len()..];
        }
    }
    let t = t.trim_start_matches([',', ':', ' ']);
    t.trim()
        .trim_matches(['“', '”', '"'])
        .trim_end_matches([',', ';'])
        .trim()
        .to_string()
}

fn find_ci(hay: &str, needle: &str) -> Option<usize> {
    hay.to_ascii_lowercase().find(needle)
}

/// A name with an `(a.k.a. X` parenthetical: the name before it and the aliases in it. An
/// unclosed parenthesis continues at the start of the address when that start up to the first
/// ')' has no digit and no parenthesis of its own; the address then loses it.
fn split_name(name: &str, address: &mut String) -> (String, Vec<String>) {
    // Most names have no marker: skip the case-folded searches.
    if !name.contains("k.a") && !name.contains("K.A") {
        return (name.to_string(), Vec::new());
    }
    let Some(i) = ALIAS_MARKERS
        .iter()
        .filter_map(|m| find_ci(name, &format!("({m}")))
        .min()
    else {
        return (name.to_string(), Vec::new());
    };
    let base = name[..i].trim().trim_end_matches(',').trim().to_string();
    if base.is_empty() {
        return (name.to_string(), Vec::new());
    }
    let inner = &name[i + 1..];
    let mut depth = 0usize;
    let mut close = None;
    for (k, ch) in inner.char_indices() {
        match ch {
            '(' => depth += 1,
            ')' if depth == 0 => {
                close = Some(k);
                break;
            }
            ')' => depth -= 1,
            _ => {}
        }
    }
    let mut aliases = Vec::new();
    let mut base = base;
    match close {
        Some(k) => {
            let a = bare_alias(&inner[..k]);
            if !a.is_empty() {
                aliases.push(a);
            }
            let tail = inner[k + 1..].trim();
            if !tail.is_empty() {
                base = format!("{base} {tail}");
            }
        }
        None => {
            let a = bare_alias(inner);
            if !a.is_empty() {
                aliases.push(a);
            }
            if let Some(k) = address.find(')') {
                let cont = &address[..k];
                if !cont.chars().any(|c| c.is_ascii_digit() || c == '(') {
                    let cont = cont.trim();
                    let cont = cont.strip_prefix("and ").unwrap_or(cont);
                    let a = bare_alias(cont);
                    if !a.is_empty() {
                        aliases.push(a);
                    }
                    *address = address[k + 1..]
                        .trim_start_matches([',', '.', ' '])
                        .to_string();
                }
            }
        }
    }
    (base, aliases)
}

const LEGAL_START: &[&str] = &[
    "ltd",
    "limited",
    "llc",
    "inc",
    "co",
    "corp",
    "corporation",
    "company",
    "jsc",
    "ooo",
    "ao",
    "oao",
    "pjsc",
    "cjsc",
    "zao",
    "pao",
    "gmbh",
    "sa",
    "plc",
    "oy",
    "fze",
    "fzco",
    "fz",
    "sdn",
    "bhd",
    "pte",
    "pvt",
    "llp",
    "lp",
];
const ABBREVIATIONS: &[&str] = &[
    "no", "st", "str", "pr", "ul", "d", "korp", "bld", "mr", "dr", "jr", "sr", "ave", "rd", "blvd",
    "im",
];
const ADDRESS_WORDS: &[&str] = &[
    "tower", "floor", "street", "road", "building", "office", "suite", "room", "box",
];

fn has_digit(s: &str) -> bool {
    s.bytes().any(|b| b.is_ascii_digit())
}

/// Whether the text after a ". " looks like an address: comma-separated parts with a number
/// first or a "; and" list, or ending in the entry's country, or a number and three parts.
fn addressy(rest: &str, country: &str) -> bool {
    if !rest.contains(',') {
        return false;
    }
    if rest.split(',').next().is_some_and(has_digit) || rest.contains("; and ") {
        return true;
    }
    let mut t = rest.trim();
    if let Some(i) = t.rfind("(See").or_else(|| t.rfind("(see")) {
        if t.ends_with(')') || t.ends_with(").") {
            t = &t[..i];
        }
    }
    let t = t.trim_end_matches(['.', ' ']).to_ascii_lowercase();
    if !country.is_empty() && t.ends_with(&format!(", {}", country.to_ascii_lowercase())) {
        return true;
    }
    has_digit(rest) && rest.matches(',').count() >= 2
}

/// An alias with an address glued on: (alias, address).
pub fn split_glued_address(alias: &str, country: &str) -> Option<(String, String)> {
    if !alias.contains(", ") && !alias.contains(". ") && !alias.contains(".' ") {
        return None;
    }
    let b = alias.as_bytes();
    for p in 0..b.len() {
        let (sep_len, dot) = match &b[p..] {
            [b'.', b'\'', b' ', ..] => (3, true),
            [b'.', b' ', ..] => (2, true),
            [b',', b' ', ..] => (2, false),
            _ => continue,
        };
        let pre = alias[..p].trim();
        let rest = alias[p + sep_len..].trim();
        if pre.chars().count() < 2 || rest.is_empty() {
            continue;
        }
        let pre_l = pre.to_ascii_lowercase();
        let last = pre_l.split_whitespace().last().unwrap_or("");
        if dot {
            let w = last.trim_end_matches('.');
            let initials = w.contains('.') && w.split('.').all(|x| x.chars().count() <= 1);
            if w.chars().count() <= 1 || ABBREVIATIONS.contains(&w) || initials {
                continue;
            }
        }
        if last.bytes().all(|c| c.is_ascii_digit())
            || pre_l
                .split(|c: char| !c.is_alphanumeric())
                .any(|w| ADDRESS_WORDS.contains(&w))
        {
            continue;
        }
        let first = rest
            .split(|c: char| c.is_whitespace() || c == '.' || c == ',')
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        if LEGAL_START.contains(&first.as_str()) {
            continue;
        }
        let ok = if dot {
            addressy(rest, country)
        } else {
            (rest.split(',').next().is_some_and(has_digit) && rest.contains(','))
                || rest.to_ascii_lowercase().starts_with("p.o. box")
        };
        if ok {
            let pre = pre.trim_end_matches(',').trim();
            return Some((pre.to_string(), rest.to_string()));
        }
    }
    None
}

/// Legal forms and place abbreviations that end names in parentheses but name nobody.
const NOT_ACRONYMS: &[&str] = &[
    "CJSC", "JSC", "OJSC", "PJSC", "OAO", "ZAO", "OOO", "LLC", "LTD", "FZC", "FZE", "FZCO", "PLC",
    "UAE", "USA", "PRC",
];

/// The list's own abbreviation of a name, "Semiconductor Manufacturing International
/// Corporation (SMIC)" gives "SMIC": a trailing parenthesis of 3 to 15 upper-case letters and
/// digits (spaces and hyphens allowed, as in "CETC 13"), not a legal form.
fn trailing_acronym(name: &str) -> Option<String> {
    let t = name.trim_end();
    let inner = t.strip_suffix(')')?;
    let open = inner.rfind('(')?;
    let a = inner[open + 1..].trim();
    let letters = a.chars().filter(|c| c.is_ascii_uppercase()).count();
    let ok = (3..=15).contains(&a.len())
        && letters >= 2
        && a.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == ' ' || c == '-')
        && !NOT_ACRONYMS.contains(&a);
    ok.then(|| a.to_string())
}

/// One raw alias: cleaned aliases and any address that was glued to it.
fn clean_alias(raw: &str, country: &str, addresses: &mut Vec<String>) -> Vec<String> {
    let mut a = raw.trim().to_string();
    // "National Development Complex (NDC), a.k.a., the following two aliases:"
    if let Some(i) = a
        .contains("ollowing")
        .then(|| find_ci(&a, "the following"))
        .flatten()
    {
        let head = a[..i].trim_end();
        if a.trim_end().ends_with(':') {
            let head = head
                .trim_end_matches([',', ' '])
                .trim_end_matches("a.k.a.")
                .trim_end_matches("a.k.a")
                .trim_end_matches([',', ' ']);
            a = head.to_string();
        }
    }
    if let Some((alias, addr)) = split_glued_address(&a, country) {
        addresses.extend(clean_address(&addr));
        a = alias;
    }
    // "X, a.k.a., Y" / "X a.k.a. Y" / "X (a.k.a., Y)"
    let mut scratch = String::new();
    let (base, mut more) = split_name(&a, &mut scratch);
    let mut out = Vec::new();
    let mut rest = base.as_str();
    loop {
        let marker = if rest.contains("k.a") || rest.contains("K.A") {
            find_ci(rest, "a.k.a")
        } else {
            None
        };
        match marker {
            Some(i) if i > 0 => {
                let head = rest[..i].trim().trim_end_matches(',').trim();
                if !head.is_empty() {
                    out.push(bare_alias(head));
                }
                rest = &rest[i..];
                rest = rest
                    .get(6..)
                    .unwrap_or("")
                    .trim_start_matches(['.', ',', ' ']);
            }
            _ => {
                let r = bare_alias(rest);
                if !r.is_empty() {
                    out.push(r);
                }
                break;
            }
        }
    }
    out.append(&mut more);
    out.retain(|x| !x.is_empty());
    out
}

/// One raw address field: the addresses in it, alias-list residue removed.
fn clean_address(raw: &str) -> Vec<String> {
    let mut a = raw.trim();
    loop {
        let l = a.to_ascii_lowercase();
        let before = a.len();
        for p in ["a.k.a., ", "a.k.a, ", "a.k.a. ", "and ", "address: "] {
            if l.starts_with(p) {
                a = a[p.len()..].trim_start();
                break;
            }
        }
        let l = a.to_ascii_lowercase();
        if l.starts_with("the following ") || l.starts_with("addresses for ") {
            if let Some(i) = a.find(": ") {
                a = a[i + 2..].trim_start();
            }
        }
        if a.len() == before {
            break;
        }
    }
    let mut out = Vec::new();
    let mut s = a.to_string();
    if s.contains(" Alt") {
        for sep in [
            " Alt. Address: ",
            " Alt Address: ",
            " Alt. Address:",
            " Alt Address:",
        ] {
            s = s.replace(sep, "; and ");
        }
    }
    for part in s.split("; and ") {
        let p = part.trim().trim_matches([',', ';', ' ']).trim();
        if !p.is_empty() && p != "." {
            out.push(p.to_string());
        }
    }
    out
}

fn str_field(v: &Option<serde_json::Value>) -> &str {
    v.as_ref().and_then(|x| x.as_str()).unwrap_or("").trim()
}

fn entity(v: &Item, list: &'static str) -> Result<Entity, String> {
    let Item::Entry(v) = v else {
        return Err("not a JSON object".into());
    };
    let raw_name = str_field(&v.name);
    if raw_name.is_empty() {
        return Err("no name".into());
    }
    let country = str_field(&v.country);
    let mut address = str_field(&v.address).to_string();
    let (name, mut aliases) = split_name(raw_name, &mut address);
    let mut addresses = Vec::new();
    let raw_aliases: Vec<String> = match &v.aliases {
        Some(serde_json::Value::Array(a)) => a
            .iter()
            .filter_map(|x| x.as_str())
            .map(str::to_string)
            .collect(),
        Some(serde_json::Value::String(s)) => s.split(';').map(str::to_string).collect(),
        _ => Vec::new(),
    };
    for a in &raw_aliases {
        aliases.extend(clean_alias(a, country, &mut addresses));
    }
    let mut e = Entity::new(stable_id(list, raw_name), list, name.clone());
    for a in aliases {
        if a != name && !e.aliases.iter().any(|(x, _)| *x == a) {
            e.aliases.push((a, false));
        }
    }
    // The list's own abbreviation, as a weak alias (short names collide more often).
    if let Some(a) = trailing_acronym(&name) {
        if !e.aliases.iter().any(|(x, _)| x.eq_ignore_ascii_case(&a)) {
            e.aliases.push((a, true));
        }
    }
    if !country.is_empty() {
        e.countries.push(country.to_string());
    }
    e.addresses = clean_address(&address);
    e.addresses.extend(addresses);
    if list == ENTITY_LIST {
        let notes = str_field(&v.notes);
        if !notes.is_empty() {
            let (req, marks) = split_footnotes(notes);
            e.license_requirement = Some(req);
            e.footnotes = marks;
        }
    }
    Ok(e)
}

/// Loads an extract of `expected` (the list the format names); a file whose `list_id` names
/// another of the five lists is refused.
pub fn load<R: Read>(
    file: &str,
    expected: &'static str,
    mut reader: R,
) -> Result<Loaded, crate::ScreenError> {
    let mut buf = Vec::new();
    reader
        .read_to_end(&mut buf)
        .map_err(|e| crate::ScreenError::format(file, e.to_string()))?;
    let top: Top = serde_json::from_slice(&buf)
        .map_err(|e| crate::ScreenError::format(file, format!("invalid list JSON: {e}")))?;
    drop(buf);
    let list_id = top.list_id.as_deref().unwrap_or("");
    let source = top.source_file.as_deref().unwrap_or("");
    let list = match list_of(list_id, source) {
        Some(l) if l != expected => {
            return Err(crate::ScreenError::format(
                file,
                format!("this is the {l} (list_id '{list_id}'), not the {expected}; give the matching --format"),
            ))
        }
        _ => expected,
    };
    let mut out = Loaded::default();
    let mut fr_newest: Option<String> = None;
    for (i, v) in top.entities.iter().enumerate() {
        let line = i as u64 + 1;
        match entity(v, list) {
            Ok(e) => {
                let Item::Entry(x) = v else {
                    continue;
                };
                if let Some(d) = iso_date(str_field(&x.effective_date)) {
                    super::note_published(&mut out, d);
                }
                for d in fr_dates(str_field(&x.federal_register)) {
                    if d.as_str() < "2100" && fr_newest.as_deref().is_none_or(|n| n < d.as_str()) {
                        fr_newest = Some(d);
                    }
                }
                out.rows += 1;
                out.entities.push(e);
            }
            Err(m) => out.issues.push(RowIssue {
                file: file.into(),
                line,
                message: format!("entity {line}: {m}"),
            }),
        }
    }
    if let Some(n) = top.count {
        if n != top.entities.len() as u64 {
            out.issues.push(RowIssue {
                file: file.into(),
                line: 0,
                message: format!(
                    "'count' says {n} entities, the file has {} (truncated extract?)",
                    top.entities.len()
                ),
            });
        }
    }
    let fr = fr_newest
        .map(|d| format!("; newest Federal Register citation {d}"))
        .unwrap_or_default();
    if out.published.is_some() {
        out.published_basis = Some(format!("newest effective_date in the file{fr}"));
    } else if let Some(d) = top.extracted.as_deref().and_then(iso_date) {
        out.published = Some(d);
        out.published_basis = Some(format!(
            "extraction date ('extracted'; the entries carry no dates){fr}"
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const EL: &str = r#"{"list_id": "bis-entity-list", "source_file": "Supplement No. 4 to Part 744—Entity List.txt",
      "extracted": "2026-07-09", "count": 5, "entities": [
      {"name": "Huawei Technologies Co., Ltd.", "aliases": ["Shenzhen Huawei Technologies", "Huawei Software Technologies Co. Ltd. 300 South Oak Way, Green Park, Reading, RG2 6UF; and 6 Mitre Passage, SE 10 0ER, United Kingdom"],
       "country": "China", "address": "Addresses for Huawei Technologies Co., Ltd.: Bantian Huawei Base, Longgang District, Shenzhen, 518129, China; and No. 1899 Xi Yuan Road, Chengdu",
       "status": null, "effective_date": null, "federal_register": "84 FR 22963, 5/21/19.\n85 FR 51603, 8/20/20",
       "notes": "For all items subject to the EAR, see §§ 734.9(e) 1 and 744.11 of the EAR 2"},
      {"name": "Sabanican Company (a.k.a.", "aliases": [], "country": "Iran",
       "address": "Sabanican Pad Co.), Unit #23, Eighth Floor, No. 193 West Sarve Boulevard, Tehran, Iran",
       "federal_register": "78 FR 75458, 12/12/13", "notes": "For all items subject to the EAR. (See § 744.11 of the EAR)"},
      {"name": "Gazprom Neft (a.k.a. Gazprom Neft OAO", "aliases": [], "country": "Russia",
       "address": "Address: Let. A. Galernaya, 5, ul, St. Petersburg 190000, Russia Alt Address: Ul. Pochtamtskaya, 3-5, St. Petersburg 190000, Russia",
       "federal_register": "79 FR 45675, 8/6/14", "notes": "For all items subject to the EAR. (See §§ 734.9(g),3 746.8(a)(3), and 744.21(b) of the EAR)"},
      {"name": "Tako LLC", "aliases": ["Taco LLC.", "National Development Complex (NDC), a.k.a., the following two aliases:"], "country": "Armenia",
       "address": "the following one alias: 17 Garegin Nzhdehi Street, Shengavit, Yerevan, 0026, Armenia.",
       "federal_register": "89 FR 1, 1/2/24", "notes": "For all items subject to the EAR. (See §§ 734.9(e)(2) and 744.11 of the EAR)4"},
      {"name": "", "aliases": []}
    ]}"#;

    #[test]
    fn entity_list_extract_cleans_names_aliases_addresses_and_notes() {
        let l = load("entity_list.json", ENTITY_LIST, EL.as_bytes()).unwrap();
        assert_eq!(l.rows, 4);
        assert_eq!(l.issues.len(), 1, "{:?}", l.issues);
        assert_eq!(l.issues[0].line, 5);
        let hw = &l.entities[0];
        assert_eq!(hw.list, "Entity List");
        assert_eq!(
            hw.id,
            stable_id("Entity List", "Huawei Technologies Co., Ltd.")
        );
        assert_eq!(hw.countries, vec!["China".to_string()]);
        assert_eq!(
            hw.license_requirement.as_deref(),
            Some("For all items subject to the EAR, see §§ 734.9(e) and 744.11 of the EAR")
        );
        assert_eq!(hw.footnotes, vec!["1".to_string(), "2".to_string()]);
        assert_eq!(hw.license_policy, None);
        let names: Vec<&str> = hw.aliases.iter().map(|a| a.0.as_str()).collect();
        assert_eq!(
            names,
            [
                "Shenzhen Huawei Technologies",
                "Huawei Software Technologies Co. Ltd"
            ]
        );
        assert_eq!(
            hw.addresses,
            [
                "Bantian Huawei Base, Longgang District, Shenzhen, 518129, China",
                "No. 1899 Xi Yuan Road, Chengdu",
                "300 South Oak Way, Green Park, Reading, RG2 6UF",
                "6 Mitre Passage, SE 10 0ER, United Kingdom"
            ]
        );

        let sab = &l.entities[1];
        assert_eq!(sab.name, "Sabanican Company");
        assert_eq!(
            sab.id,
            stable_id("Entity List", "Sabanican Company (a.k.a.")
        );
        assert_eq!(sab.aliases, vec![("Sabanican Pad Co.".to_string(), false)]);
        assert!(
            sab.addresses[0].starts_with("Unit #23"),
            "{:?}",
            sab.addresses
        );

        let gaz = &l.entities[2];
        assert_eq!(gaz.name, "Gazprom Neft");
        assert_eq!(gaz.aliases, vec![("Gazprom Neft OAO".to_string(), false)]);
        assert_eq!(gaz.addresses.len(), 2, "{:?}", gaz.addresses);
        assert!(gaz.addresses[0].starts_with("Let. A."));
        assert_eq!(gaz.footnotes, vec!["3".to_string()]);
        assert_eq!(
            gaz.license_requirement.as_deref(),
            Some("For all items subject to the EAR. (See §§ 734.9(g), 746.8(a)(3), and 744.21(b) of the EAR)")
        );

        let tako = &l.entities[3];
        assert_eq!(
            tako.aliases,
            vec![
                ("Taco LLC.".to_string(), false),
                ("National Development Complex (NDC)".to_string(), false)
            ]
        );
        assert_eq!(
            tako.addresses,
            ["17 Garegin Nzhdehi Street, Shengavit, Yerevan, 0026, Armenia."]
        );
        assert_eq!(tako.footnotes, vec!["4".to_string()]);

        assert_eq!(l.published.as_deref(), Some("2026-07-09"));
        assert!(l
            .published_basis
            .as_deref()
            .unwrap()
            .contains("newest Federal Register citation 2024-01-02"));
    }

    #[test]
    fn trailing_abbreviations_become_weak_aliases() {
        assert_eq!(
            trailing_acronym("Semiconductor Manufacturing International Corporation (SMIC)")
                .as_deref(),
            Some("SMIC")
        );
        assert_eq!(
            trailing_acronym(
                "China Electronics Technology Group Corporation 13th Research Institute (CETC 13)"
            )
            .as_deref(),
            Some("CETC 13")
        );
        for none in [
            "Markel (CJSC)",
            "X Trading (UAE)",
            "Saen Company (SAEN CO.)",
            "ABC (GE)",
            "Huawei Technologies (Shanghai) Co.",
            "HiSilicon Technologies (HiSilicon)",
        ] {
            assert_eq!(trailing_acronym(none), None, "{none}");
        }
    }

    #[test]
    fn footnote_markers_are_split_and_citations_kept() {
        let cases = [
            (
                "For all items subject to the EAR. (See §§ 734.9(g),3 746.8(a)(3), and 744.2l(b) of the EAR)",
                "For all items subject to the EAR. (See §§ 734.9(g), 746.8(a)(3), and 744.21(b) of the EAR)",
                vec!["3"],
            ),
            (
                "For all items subject to the EAR (See §§ 734.9(g)3, 746.8(a)(3), and 744.21(b) of the EAR)",
                "For all items subject to the EAR (See §§ 734.9(g), 746.8(a)(3), and 744.21(b) of the EAR)",
                vec!["3"],
            ),
            (
                "For all items subject to the EAR (See §§ 734.4(a)(9), 734.9(e)(3), and 744.11 of the EAR) 5",
                "For all items subject to the EAR (See §§ 734.4(a)(9), 734.9(e)(3), and 744.11 of the EAR)",
                vec!["5"],
            ),
            (
                "For items on the CCL and EAR 99 items listed in supplement no. 7 to part 746 of the EAR",
                "For items on the CCL and EAR 99 items listed in supplement no. 7 to part 746 of the EAR",
                vec![],
            ),
            (
                "For all items subject to the EAR. (See § 744.11 of the EAR). This license requirement may be overcome by License Exception GOV under § 740.11(b)(2) and (e)",
                "For all items subject to the EAR. (See § 744.11 of the EAR). This license requirement may be overcome by License Exception GOV under § 740.11(b)(2) and (e)",
                vec![],
            ),
        ];
        for (raw, clean, marks) in cases {
            let (r, m) = split_footnotes(raw);
            assert_eq!(r, clean, "{raw}");
            assert_eq!(m, marks, "{raw}");
        }
    }

    #[test]
    fn glued_addresses_split_only_where_safe() {
        let split = |a: &str, c: &str| split_glued_address(a, c);
        assert_eq!(
            split(
                "Alexander Ivjenko, 7150 Rue Chouinard, Montreal, QC, H8N 2Z6 Canada",
                "Canada"
            ),
            Some((
                "Alexander Ivjenko".into(),
                "7150 Rue Chouinard, Montreal, QC, H8N 2Z6 Canada".into()
            ))
        );
        assert_eq!(
            split("Sovfracht Management Company, LLC. Dobroslobodskaya, 3 BC Basmanov, Moscow 105066, Russia", "Russia")
                .unwrap()
                .0,
            "Sovfracht Management Company, LLC"
        );
        assert_eq!(
            split("Huawei Delhi OpenLab. Delhi, India", "India")
                .unwrap()
                .0,
            "Huawei Delhi OpenLab"
        );
        for keep in [
            "Alexander V. Brindyuk",
            "Tianjin University, Quanzhou Integrated Circuit and Artificial Intelligence Research Institute",
            "China State Shipbuilding Corporation, Limited (CSSC) 701st Research Institute",
            "BiotaGroup Company Al Thuraya Tower 1, 9th Floor, Office 907, P.O. Box: 500097, Dubai, U.A.E.",
            "N.A. Dollezhal Order of Lenin Research and Design Institute",
            "Hebei Poshing Elec",
        ] {
            assert_eq!(split(keep, "China"), None, "{keep}");
        }
    }

    #[test]
    fn other_lists_and_dates() {
        let dpl = r#"{"list_id": "bis-dpl", "source_file": "dpl_04142026.csv", "extracted": "2026-07-09", "count": 2,
          "entities": [{"name": "HELENE AGNESE", "aliases": [], "country": "France", "address": "37 RUE DE LA QUINTINIE, PARIS, FR, 75015",
                        "effective_date": "1985-07-11", "federal_register": "50 F.R. 29245 7/18/85", "notes": "Type of denial: Standard"},
                       {"name": "X CORP", "aliases": null, "country": null, "address": null, "effective_date": "2026-03-26", "notes": null}]}"#;
        let l = load("dpl.json", DPL, dpl.as_bytes()).unwrap();
        assert_eq!(l.rows, 2);
        assert!(l.issues.is_empty());
        assert_eq!(l.entities[0].license_requirement, None);
        assert_eq!(
            l.entities[0].id,
            stable_id("Denied Persons List", "HELENE AGNESE")
        );
        assert_eq!(l.published.as_deref(), Some("2026-03-26"));
        // A DPL extract is not an Entity List.
        assert!(matches!(
            load("x.json", ENTITY_LIST, dpl.as_bytes()),
            Err(crate::ScreenError::Format { .. })
        ));
        let dod = r#"{"list_id": "dow-1260h", "source_file": "2026-11571.pdf", "entities": [
          {"name": "360 Security Technology, Inc.", "aliases": ["Qihoo 360"], "country": "China", "address": null,
           "effective_date": "2026-06-10", "federal_register": "91 FR 35189 (June 10, 2026)", "notes": "..."}]}"#;
        let l = load("1260h.json", DOD_1260H, dod.as_bytes()).unwrap();
        assert_eq!(l.entities[0].list, "DoD 1260H List");
        assert_eq!(
            l.entities[0].aliases,
            vec![("Qihoo 360".to_string(), false)]
        );
        assert_eq!(fr_dates("91 FR 35189 (June 10, 2026)"), ["2026-06-10"]);
        assert_eq!(
            fr_dates("76 FR 71869, 11/21/11.\n65 FR 1, 1/3/2000"),
            ["2011-11-21", "2000-01-03"]
        );
        // An entry that is not an object, or whose name is not a string, is a malformed row.
        let l = load(
            "x.json",
            DPL,
            &br#"{"list_id": "bis-dpl", "entities": [5, {"name": 7}, {"name": "A", "country": 3}]}"#[..],
        )
        .unwrap();
        assert_eq!((l.rows, l.issues.len()), (1, 2));
        assert_eq!(l.issues[0].line, 1);
        assert!(l.entities[0].countries.is_empty());
        // Not JSON, or no entities: the whole file is unreadable.
        assert!(load("x.json", DPL, &b"{\"list_id\": \"bis-dpl\"}"[..]).is_err());
        assert!(load("x.json", DPL, &b"[1, 2"[..]).is_err());
    }
}
