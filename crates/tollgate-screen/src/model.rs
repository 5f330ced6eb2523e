//! What loaders produce: listed entities with their names, and the version of each list file.

use serde::Serialize;

/// One listed party as a loader found it, before normalisation.
#[derive(Debug, Clone, PartialEq)]
pub struct Entity {
    /// The source list's own id (OFAC ent_num, CSL id/entity_number, UN reference, OpenSanctions id).
    pub id: String,
    /// Canonical short list name ("SDN", "Entity List", ...) or the OpenSanctions dataset.
    pub list: String,
    /// Primary name as listed.
    pub name: String,
    /// Other names: (name, weak). Weak aliases (OFAC "fka"-style low quality, UN "Low") count less.
    pub aliases: Vec<(String, bool)>,
    /// "individual", "entity", "vessel", "aircraft" or "" when the list does not say.
    pub kind: String,
    /// Free-text country names or ISO codes from addresses, nationalities and the like.
    pub countries: Vec<String>,
    /// Free-text addresses.
    pub addresses: Vec<String>,
    /// Index of the file's `ListVersion` in the screener (set when the screener is assembled).
    pub version: usize,
}

impl Entity {
    pub fn new(id: impl Into<String>, list: impl Into<String>, name: impl Into<String>) -> Self {
        Entity {
            id: id.into(),
            list: list.into(),
            name: name.into(),
            aliases: Vec::new(),
            kind: String::new(),
            countries: Vec::new(),
            addresses: Vec::new(),
            version: 0,
        }
    }
}

/// Which list file version a screener loaded, so every result can name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListVersion {
    /// Who publishes it, e.g. "OFAC SDN", "trade.gov CSL", "BIS DPL", "UN Security Council", "OpenSanctions".
    pub source: String,
    /// The loader's format name (see `Format`).
    pub format: String,
    /// File name (no directory) as loaded.
    pub file: String,
    /// Publication date when the file says (UN `dateGenerated`, CSL `source_last_updated`, DPL newest `Last_Update`).
    pub published: Option<String>,
    /// Rows (records) read, malformed ones excluded.
    pub rows: usize,
    /// Malformed rows skipped.
    pub skipped: usize,
    /// SHA-256 of the file's bytes, lower-case hex.
    pub sha256: String,
}

/// A malformed row that a lenient load skipped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowIssue {
    pub file: String,
    pub line: u64,
    pub message: String,
}

impl std::fmt::Display for RowIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: line {}: {}", self.file, self.line, self.message)
    }
}

/// The result of loading one file.
#[derive(Debug, Default)]
pub struct Loaded {
    pub entities: Vec<Entity>,
    pub issues: Vec<RowIssue>,
    pub published: Option<String>,
    pub rows: usize,
}

/// Canonical short list name for a CSL `source` value (or the short name itself).
pub fn csl_list_name(source: &str) -> String {
    let s = source.to_ascii_lowercase();
    let known: &[(&str, &str)] = &[
        ("entity list", "Entity List"),
        ("denied persons", "Denied Persons List"),
        ("military end user", "Military End User List"),
        ("unverified", "Unverified List"),
        (
            "sectoral sanctions",
            "Sectoral Sanctions Identifications List",
        ),
        ("nonproliferation", "Nonproliferation Sanctions"),
        ("itar", "ITAR Debarred"),
        ("debarred", "ITAR Debarred"),
        (
            "palestinian legislative",
            "Palestinian Legislative Council List",
        ),
        ("capta", "Capta List"),
        ("foreign sanctions evaders", "Foreign Sanctions Evaders"),
        ("non-sdn menu-based", "Non-SDN Menu-Based Sanctions List"),
        (
            "chinese military-industrial",
            "Non-SDN Chinese Military-Industrial Complex Companies List",
        ),
        ("specially designated nationals", "SDN"),
    ];
    for (needle, name) in known {
        if s.contains(needle) {
            return (*name).to_string();
        }
    }
    // Unknown sources keep their own words, minus the " - Agency" tail and "(XX)" abbreviation.
    let head = source.split(" - ").next().unwrap_or(source);
    let head = match head.find(" (") {
        Some(i) => &head[..i],
        None => head,
    };
    head.trim().to_string()
}

/// A stable id for rows that have none: SHA-256 of list name and upper-cased name, 16 hex digits.
pub fn stable_id(list: &str, name: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(list.as_bytes());
    h.update([0u8]);
    h.update(name.trim().to_uppercase().as_bytes());
    let d = h.finalize();
    let mut s = String::with_capacity(18);
    s.push_str("h-");
    for b in &d[..8] {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csl_sources_map_to_canonical_short_names() {
        assert_eq!(
            csl_list_name("Entity List (EL) - Bureau of Industry and Security"),
            "Entity List"
        );
        assert_eq!(
            csl_list_name("Specially Designated Nationals (SDN) - Treasury Department"),
            "SDN"
        );
        assert_eq!(
            csl_list_name("ITAR Debarred (DTC) - State Department"),
            "ITAR Debarred"
        );
        assert_eq!(
            csl_list_name("Sectoral Sanctions Identifications List (SSI) - Treasury Department"),
            "Sectoral Sanctions Identifications List"
        );
        assert_eq!(
            csl_list_name("Capta List (CAP) - Treasury Department"),
            "Capta List"
        );
    }

    #[test]
    fn stable_ids_ignore_case_and_padding() {
        assert_eq!(stable_id("DPL", " Adrian X"), stable_id("DPL", "ADRIAN X"));
        assert_ne!(stable_id("DPL", "A"), stable_id("Entity List", "A"));
    }
}
