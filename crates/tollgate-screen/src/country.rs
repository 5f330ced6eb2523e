//! Country names as the lists write them ("Russia", "Korea, North", "Iran (Islamic Republic of)")
//! mapped to ISO 3166-1 alpha-2, so a query's `--country RU` can be compared with list addresses.

use rustc_hash::FxHashMap;
use std::sync::OnceLock;

/// The project's ISO table (the same file tollgate-core uses), read-only here.
const ISO3166: &str = include_str!("../../../data/iso3166.csv");

/// Spellings the lists use that differ from the ISO table's short names.
const EXTRA: &[(&str, &str)] = &[
    ("russia", "RU"),
    ("bahamas the", "BS"),
    ("the bahamas", "BS"),
    ("british virgin islands", "VG"),
    ("brunei", "BN"),
    ("burma", "MM"),
    ("china hong kong special administrative region", "HK"),
    ("congo democratic republic of the", "CD"),
    ("democratic republic of the congo", "CD"),
    ("congo republic of the", "CG"),
    ("cote d ivoire", "CI"),
    ("czech republic", "CZ"),
    ("democratic people s republic of korea", "KP"),
    ("korea north", "KP"),
    ("korea south", "KR"),
    ("iran islamic republic of", "IR"),
    ("kosovo", "XK"),
    ("macau", "MO"),
    ("palestinian", "PS"),
    ("state of palestine", "PS"),
    ("west bank", "PS"),
    ("region gaza", "PS"),
    ("region crimea", "UA"),
    ("syrian arab republic", "SY"),
    ("the gambia", "GM"),
    ("turkey", "TR"),
    ("united kingdom of great britain and northern ireland", "GB"),
    ("united republic of tanzania", "TZ"),
    ("united states of america", "US"),
    ("viet nam", "VN"),
    ("netherlands antilles", "AN"),
    ("uk", "GB"),
    ("usa", "US"),
];

fn key(s: &str) -> String {
    let folded = deunicode::deunicode(s).to_ascii_lowercase();
    folded
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn table() -> &'static FxHashMap<String, [u8; 2]> {
    static T: OnceLock<FxHashMap<String, [u8; 2]>> = OnceLock::new();
    T.get_or_init(|| {
        let mut m = FxHashMap::default();
        for line in ISO3166.lines().skip(1) {
            // "CD,\"Congo, The Democratic Republic of the\"": the code is always the first 2 bytes.
            let (code, name) = match line.split_once(',') {
                Some(x) => x,
                None => continue,
            };
            if let Some(c) = iso2(code) {
                m.insert(key(name.trim_matches('"')), c);
                m.insert(code.to_ascii_lowercase(), c);
            }
        }
        for (name, code) in EXTRA {
            if let Some(c) = iso2(code) {
                m.insert((*name).to_string(), c);
            }
        }
        m
    })
}

/// An ISO alpha-2 code as two upper-case ASCII bytes, if `s` is one.
pub fn iso2(s: &str) -> Option<[u8; 2]> {
    let b = s.trim().as_bytes();
    if b.len() == 2 && b.iter().all(u8::is_ascii_alphabetic) {
        Some([b[0].to_ascii_uppercase(), b[1].to_ascii_uppercase()])
    } else {
        None
    }
}

/// Resolves a country name or code as the lists write it; None for "-0-", "undetermined" and the like.
pub fn resolve(s: &str) -> Option<[u8; 2]> {
    let k = key(s);
    if k.is_empty() {
        return None;
    }
    table().get(&k).copied()
}

pub fn code_str(c: [u8; 2]) -> String {
    String::from_utf8_lossy(&c).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_spellings_resolve_to_iso_codes() {
        assert_eq!(resolve("Russia"), Some(*b"RU"));
        assert_eq!(resolve("Korea, North"), Some(*b"KP"));
        assert_eq!(resolve("Iran (Islamic Republic of)"), Some(*b"IR"));
        assert_eq!(resolve("United Kingdom"), Some(*b"GB"));
        assert_eq!(resolve("cn"), Some(*b"CN"));
        assert_eq!(resolve("-0-"), None);
    }
}
