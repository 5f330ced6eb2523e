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
    /// The entry's licence requirement as the list states it (Entity List "License Requirement"
    /// column, e.g. "For all items subject to the EAR."), when the list has one.
    pub license_requirement: Option<String>,
    /// The entry's licence review policy as the list states it (e.g. "Presumption of denial."),
    /// when the list has one (the CSL does; the eCFR extract does not).
    pub license_policy: Option<String>,
    /// Footnote markers of the entry (Entity List footnotes 1, 4, 5: foreign direct product rules).
    pub footnotes: Vec<String>,
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
            license_requirement: None,
            license_policy: None,
            footnotes: Vec::new(),
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
    /// The list's as-of date: what the file says (UN `dateGenerated`, CSL JSON
    /// `source_last_updated`, DPL newest `Last_Update`, eCFR-extract `extracted` or newest
    /// `effective_date`, MIEU newest listing date), or for a bundled file that carries none (OFAC
    /// CSVs, the CSL CSV) the date of the bundle manifest `data/lists/as_of.csv`.
    /// `published_basis` says which.
    pub published: Option<String>,
    /// Rows (records) read, malformed ones excluded.
    pub rows: usize,
    /// Malformed rows skipped.
    pub skipped: usize,
    /// SHA-256 of the file's bytes, lower-case hex.
    pub sha256: String,
    /// Where `published` comes from, in words (e.g. "newest effective date in the file",
    /// "eCFR extraction date", "bundle manifest data/lists/as_of.csv"); None when it is unknown.
    pub published_basis: Option<String>,
    /// Rows per list in the file (a CSL file holds a dozen lists), in order of first appearance.
    pub lists: Vec<ListRows>,
    /// OFAC alt/add/comments files: rows whose ent_num has no primary record in the loaded
    /// sdn.csv (set when the screener is built; alias rows of those become entities of their own).
    pub unmatched: usize,
}

/// One list's rows in one file, and whether a newer dedicated file replaced them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListRows {
    /// Canonical short list name ("Entity List", "SDN", ...).
    pub list: String,
    pub rows: usize,
    /// The file whose newer copy of the same list replaced these rows at build time (CSL rows of
    /// the Entity List when an Entity List file is loaded too): they are not screened.
    pub superseded_by: Option<String>,
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
    /// Where `published` comes from, when the loader set it by a rule worth naming.
    pub published_basis: Option<String>,
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
        // Not "itar" alone: "military" contains it.
        ("itar debarred", "ITAR Debarred"),
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
        (
            "military intelligence end user",
            "Military Intelligence End User List",
        ),
        ("1260h", "DoD 1260H List"),
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
        assert_eq!(
            csl_list_name("Non-SDN Chinese Military-Industrial Complex Companies List (CMIC) - Treasury Department"),
            "Non-SDN Chinese Military-Industrial Complex Companies List"
        );
        assert_eq!(
            csl_list_name("Military End User (MEU) List - Bureau of Industry and Security"),
            "Military End User List"
        );
    }

    #[test]
    fn stable_ids_ignore_case_and_padding() {
        assert_eq!(stable_id("DPL", " Adrian X"), stable_id("DPL", "ADRIAN X"));
        assert_ne!(stable_id("DPL", "A"), stable_id("Entity List", "A"));
    }
}
