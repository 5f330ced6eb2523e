//! OFAC legacy CSV files: `sdn.csv` (main records), `alt.csv` (aliases), `add.csv` (addresses),
//! `sdn_comments.csv` (remarks overflow). No header; `-0-` means empty. The side files come back
//! as partial entities (id plus aliases or addresses) that `merge` folds into the main records.
//! Side files newer than the sdn.csv beside them name ent_nums it lacks: `merge` keeps those
//! that have an alias as entities of their own (named by their first alias, kind unknown) and
//! counts every such row.

use crate::model::{Entity, Loaded, RowIssue};
use std::io::Read;

pub const LIST: &str = "SDN";

fn field(r: &csv::ByteRecord, i: usize) -> String {
    let s = r.get(i).map(String::from_utf8_lossy).unwrap_or_default();
    let t = s.trim();
    if t == "-0-" {
        String::new()
    } else {
        t.to_string()
    }
}

/// Quoted aliases in remarks: "a.k.a. 'BNC'; a.k.a. 'X'" — OFAC's weak aliases.
pub fn remark_aliases(remarks: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = remarks;
    while let Some(i) = rest.find("a.k.a. '") {
        rest = &rest[i + 8..];
        match rest.find('\'') {
            Some(j) => {
                let a = rest[..j].trim();
                if !a.is_empty() {
                    out.push(a.to_string());
                }
                rest = &rest[j + 1..];
            }
            None => break,
        }
    }
    out
}

/// Which OFAC file a reader holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Sdn,
    Alt,
    Add,
    Comments,
}

pub fn load<R: Read>(file: &str, part: Part, reader: R) -> Loaded {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(reader);
    let mut out = Loaded::default();
    let min_fields = match part {
        Part::Sdn => 4,
        Part::Alt => 4,
        Part::Add => 5,
        Part::Comments => 2,
    };
    let mut rec = csv::ByteRecord::new();
    loop {
        let line = rdr.position().line();
        match rdr.read_byte_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                out.issues.push(RowIssue {
                    file: file.into(),
                    line,
                    message: e.to_string(),
                });
                continue;
            }
        }
        let line = rec.position().map(|p| p.line()).unwrap_or(line);
        // A trailing Ctrl-Z (alone or followed by empty fields) or blank line is not a row.
        if field(&rec, 0).trim_matches('\u{1a}').is_empty()
            && (1..rec.len()).all(|i| field(&rec, i).is_empty())
        {
            continue;
        }
        let bad = |m: String| RowIssue {
            file: file.into(),
            line,
            message: m,
        };
        if rec.len() < min_fields {
            out.issues.push(bad(format!(
                "expected at least {min_fields} fields, found {}",
                rec.len()
            )));
            continue;
        }
        let id = field(&rec, 0);
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
            out.issues
                .push(bad(format!("ent_num '{id}' is not a number")));
            continue;
        }
        let mut e = Entity::new(id, LIST, "");
        match part {
            Part::Sdn => {
                e.name = field(&rec, 1);
                if e.name.is_empty() {
                    out.issues.push(bad("SDN_Name is empty".into()));
                    continue;
                }
                e.kind = match field(&rec, 2).to_ascii_lowercase().as_str() {
                    "individual" => "individual",
                    "vessel" => "vessel",
                    "aircraft" => "aircraft",
                    _ => "entity",
                }
                .into();
                let flag = field(&rec, 9);
                if !flag.is_empty() {
                    e.countries.push(flag);
                }
                for a in remark_aliases(&field(&rec, 11)) {
                    e.aliases.push((a, true));
                }
            }
            Part::Alt => {
                let name = field(&rec, 3);
                if name.is_empty() {
                    out.issues.push(bad("alt_name is empty".into()));
                    continue;
                }
                // "fka"/"nka" names are real former/new names; OFAC marks weak ones "a.k.a." in remarks.
                e.aliases.push((name, false));
            }
            Part::Add => {
                let addr = [field(&rec, 2), field(&rec, 3)]
                    .into_iter()
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join(", ");
                let country = field(&rec, 4);
                if !addr.is_empty() {
                    e.addresses.push(addr);
                }
                if !country.is_empty() {
                    e.countries.push(country);
                }
            }
            Part::Comments => {
                for a in remark_aliases(&field(&rec, 1)) {
                    e.aliases.push((a, true));
                }
            }
        }
        out.rows += 1;
        out.entities.push(e);
    }
    out
}

/// What `merge` did with side-file rows whose ent_num has no main record.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct MergeReport {
    /// Per file version (`Entity::version`): rows whose ent_num has no main record.
    pub unmatched: Vec<(usize, usize)>,
    /// ent_nums without a main record kept as entities of their own (they have an alias).
    pub kept: usize,
    /// ent_nums without a main record and without an alias (addresses or remarks only): they
    /// name nobody, so they are dropped.
    pub dropped: usize,
}

impl MergeReport {
    /// Rows in all files whose ent_num has no main record.
    pub fn rows(&self) -> usize {
        self.unmatched.iter().map(|x| x.1).sum()
    }
}

/// Folds partial entities (alt, add, comments) into the SDN main records by ent_num (only SDN
/// records are looked at; the last record of an ent_num wins). Partials whose ent_num has no main
/// record are grouped by ent_num: a group with an alias becomes an SDN entity of its own, named
/// by its first alias (the other aliases, addresses and countries kept, kind unknown) and
/// appended to `main`; a group without one is dropped. Nothing panics on any input.
pub fn merge(main: &mut Vec<Entity>, partials: Vec<Entity>) -> MergeReport {
    let index: rustc_hash::FxHashMap<String, usize> = main
        .iter()
        .enumerate()
        .filter(|(_, e)| e.list == LIST)
        .map(|(i, e)| (e.id.clone(), i))
        .collect();
    let mut report = MergeReport::default();
    let mut orphans: Vec<Entity> = Vec::new();
    let mut orphan_ix: rustc_hash::FxHashMap<String, usize> = Default::default();
    for p in partials {
        match index.get(&p.id) {
            Some(&i) => {
                let m = &mut main[i];
                m.aliases.extend(p.aliases);
                m.addresses.extend(p.addresses);
                m.countries.extend(p.countries);
            }
            None => {
                match report.unmatched.iter_mut().find(|x| x.0 == p.version) {
                    Some(x) => x.1 += 1,
                    None => report.unmatched.push((p.version, 1)),
                }
                match orphan_ix.get(&p.id) {
                    Some(&k) => {
                        let o = &mut orphans[k];
                        o.aliases.extend(p.aliases);
                        o.addresses.extend(p.addresses);
                        o.countries.extend(p.countries);
                    }
                    None => {
                        orphan_ix.insert(p.id.clone(), orphans.len());
                        orphans.push(p);
                    }
                }
            }
        }
    }
    for mut o in orphans {
        // Strong aliases (alt.csv) name the entity before weak ones (remarks).
        let first = o
            .aliases
            .iter()
            .position(|a| !a.1)
            .or(if o.aliases.is_empty() { None } else { Some(0) });
        match first {
            Some(k) => {
                let (name, _) = o.aliases.remove(k);
                o.name = name;
                o.kind = String::new();
                o.list = LIST.to_string();
                report.kept += 1;
                main.push(o);
            }
            None => report.dropped += 1,
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sdn_rows_parse_and_bad_rows_are_reported_with_lines() {
        let data = "36,\"AEROCARIBBEAN AIRLINES\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"a.k.a. 'AEROCA'.\"\n\
                    x,\"BAD\",-0- ,\"CUBA\"\n\
                    37,\"SHORT\"\n\
                    306,\"BANCO NACIONAL DE CUBA\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n";
        let l = load("sdn.csv", Part::Sdn, data.as_bytes());
        assert_eq!(l.entities.len(), 2);
        assert_eq!(l.entities[0].aliases, vec![("AEROCA".to_string(), true)]);
        assert_eq!(l.issues.len(), 2);
        assert_eq!(l.issues[0].line, 2);
        assert_eq!(l.issues[1].line, 3);
    }

    #[test]
    fn side_files_merge_by_ent_num() {
        let mut main = load(
            "sdn.csv",
            Part::Sdn,
            "173,\"ANGLO-CARIBBEAN CO., LTD.\",-0- ,\"CUBA\"\n".as_bytes(),
        )
        .entities;
        let alt = load(
            "alt.csv",
            Part::Alt,
            "173,57,\"aka\",\"AVIA IMPORT\",-0- \n".as_bytes(),
        );
        let add = load(
            "add.csv",
            Part::Add,
            "173,129,\"Ibex House\",\"London EC3N 1DY\",\"United Kingdom\",-0- \n999,1,-0- ,-0- ,\"Cuba\",-0-\n"
                .as_bytes(),
        );
        let report = merge(
            &mut main,
            alt.entities.into_iter().chain(add.entities).collect(),
        );
        assert_eq!(report.rows(), 1);
        assert_eq!((report.kept, report.dropped), (0, 1));
        assert_eq!(main.len(), 1);
        assert_eq!(main[0].aliases[0].0, "AVIA IMPORT");
        assert_eq!(main[0].countries, vec!["United Kingdom".to_string()]);
    }

    #[test]
    fn side_rows_without_a_main_record_become_entities_of_their_own() {
        let mut main = load(
            "sdn.csv",
            Part::Sdn,
            "36,AEROCARIBBEAN AIRLINES,-0- ,CUBA,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n\u{1a},,,,,,,,,,,\r\n"
                .as_bytes(),
        );
        assert!(main.issues.is_empty(), "{:?}", main.issues);
        let mut alt = load(
            "alt.csv",
            Part::Alt,
            "50001,1,\"aka\",\"NEW FRONT COMPANY LLC\",-0- \n50001,2,\"fka\",\"OLD FRONT CO\",-0- \n36,3,\"aka\",\"AERO-CARIBBEAN\",-0- \n"
                .as_bytes(),
        );
        let mut add = load(
            "add.csv",
            Part::Add,
            "50001,9,\"1 Main St\",\"Dubai\",\"United Arab Emirates\",-0- \n50002,10,-0- ,\"Minsk\",\"Belarus\",-0- \n"
                .as_bytes(),
        );
        for e in &mut alt.entities {
            e.version = 1;
        }
        for e in &mut add.entities {
            e.version = 2;
        }
        let report = merge(
            &mut main.entities,
            alt.entities.into_iter().chain(add.entities).collect(),
        );
        assert_eq!(report.unmatched, vec![(1, 2), (2, 2)]);
        assert_eq!((report.kept, report.dropped), (1, 1));
        let e = &main.entities[1];
        assert_eq!(
            (e.id.as_str(), e.name.as_str()),
            ("50001", "NEW FRONT COMPANY LLC")
        );
        assert_eq!((e.list.as_str(), e.kind.as_str()), ("SDN", ""));
        assert_eq!(e.aliases, vec![("OLD FRONT CO".to_string(), false)]);
        assert_eq!(e.countries, vec!["United Arab Emirates".to_string()]);
        assert_eq!(main.entities[0].aliases[0].0, "AERO-CARIBBEAN");
    }
}
