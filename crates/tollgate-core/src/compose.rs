//! Packs built from other packs and from shared control files.
//!
//! A pack file may say `extends = "<pack id>"`: it is then the earlier pack with the file's own
//! tables laid over it, so a rule that changes on a date is written once, in the pack of that
//! date. `include = ["<control>", ...]` lays the rules of `data/packs/controls/<control>.toml`
//! over the pack's own tables (controls that run through many packs unchanged, such as the
//! Russia/Belarus licence requirement, live in one file). Order: the extended pack, the file's own
//! tables, then its controls in the order named, then `remove`. How a table is laid over another:
//! - `[pack]` is always the file's own (title, dates and changes describe that file);
//! - a single table (`tpp`, `ai_commodity`, `certifications`, ...) replaces the earlier one;
//! - `[sets.<name>]` replaces the set of that name or adds it;
//! - in a list of rules (`[[licence_requirement]]`, `[[review_policy]]`, ...), an entry replaces
//!   the earlier entry with the same key (`id`; `paragraph` for ECCN paragraphs, `rule` for
//!   exclusions, `eccn` for system ECCNs, `list` for screening effects) in its place, or is added
//!   at the end, or before the entry named by its `insert_before` (review policies are tried in
//!   order, so where a new one goes matters);
//! - `remove = ["<key>", ...]` in `[pack]` drops entries and sets by key; a key that names
//!   nothing is an error (a typo must not leave a rule in force).

use crate::error::DataError;
use toml::{Table, Value};

/// The lists of rules and the field that keys their entries.
const KEYED: &[(&str, &str)] = &[
    ("eccn", "paragraph"),
    ("eccn_exclusion", "rule"),
    ("system_eccn", "eccn"),
    ("duty_band", "id"),
    ("licence_requirement", "id"),
    ("review_policy", "id"),
    ("licence_exception", "id"),
    ("obligation", "id"),
    ("screening_effect", "list"),
    ("dormant_rule", "id"),
    ("warning", "id"),
    ("ownership_rule", "id"),
];

/// Whether a data file name is a control file (a fragment packs include), not a pack.
pub fn is_control(file: &str) -> bool {
    file.replace('\\', "/").contains("controls/")
}

fn stem(file: &str) -> &str {
    let f = file.rsplit(['/', '\\']).next().unwrap_or(file);
    f.strip_suffix(".toml").unwrap_or(f)
}

fn parse(file: &str, text: &str) -> Result<Table, DataError> {
    text.parse::<Table>()
        .map_err(|e| DataError::new(file, "(file)", format!("not valid TOML: {e}")))
}

/// Resolves `extends` and `include` for every pack file: each result is (file, the full table).
/// Control files are only read through `include`.
pub fn compose(files: &[(String, &str)]) -> Result<Vec<(String, Table)>, DataError> {
    let mut packs: Vec<(String, Table)> = Vec::new();
    let mut controls: Vec<(String, Table)> = Vec::new();
    for (name, text) in files {
        let t = parse(name, text)?;
        if is_control(name) {
            controls.push((name.clone(), t));
        } else {
            packs.push((name.clone(), t));
        }
    }
    // In date order, so that a problem a later pack inherits is reported on the file that has it.
    packs.sort_by(|a, b| stem(&a.0).cmp(stem(&b.0)));
    let mut done: Vec<Option<Table>> = vec![None; packs.len()];
    let mut out = Vec::with_capacity(packs.len());
    for i in 0..packs.len() {
        let t = resolve(i, &packs, &controls, &mut done, &mut Vec::new())?;
        out.push((packs[i].0.clone(), t));
    }
    Ok(out)
}

fn meta_strings(file: &str, t: &Table, key: &str) -> Result<Vec<String>, DataError> {
    match t.get("pack").and_then(|p| p.get(key)) {
        None => Ok(Vec::new()),
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| {
                v.as_str().map(str::to_string).ok_or_else(|| {
                    DataError::new(file, format!("pack.{key}"), "must be a list of strings")
                })
            })
            .collect(),
        Some(_) => Err(DataError::new(
            file,
            format!("pack.{key}"),
            "must be a list of strings",
        )),
    }
}

fn resolve(
    i: usize,
    packs: &[(String, Table)],
    controls: &[(String, Table)],
    done: &mut Vec<Option<Table>>,
    chain: &mut Vec<usize>,
) -> Result<Table, DataError> {
    if let Some(t) = &done[i] {
        return Ok(t.clone());
    }
    let (file, own) = &packs[i];
    if chain.contains(&i) {
        return Err(DataError::new(
            file,
            "pack.extends",
            "packs extend each other in a cycle",
        ));
    }
    chain.push(i);
    let mut base = match own.get("pack").and_then(|p| p.get("extends")) {
        None => Table::new(),
        Some(Value::String(id)) => {
            let j = packs
                .iter()
                .position(|(f, _)| stem(f) == id)
                .ok_or_else(|| {
                    DataError::new(file, "pack.extends", format!("no pack has id '{id}'"))
                })?;
            resolve(j, packs, controls, done, chain)?
        }
        Some(_) => {
            return Err(DataError::new(
                file,
                "pack.extends",
                "must be a pack id string",
            ))
        }
    };
    chain.pop();
    let mut own_tables = own.clone();
    let meta = own_tables.remove("pack");
    overlay(file, &mut base, own_tables)?;
    // Controls are laid over the pack's own tables: a control that restates a rule (the NAC/ACA
    // control's NAC) is the version in force.
    for name in meta_strings(file, own, "include")? {
        let (cf, ct) = controls
            .iter()
            .find(|(f, _)| stem(f) == name)
            .ok_or_else(|| {
                DataError::new(
                    file,
                    "pack.include",
                    format!("no control file controls/{name}.toml"),
                )
            })?;
        let mut ct = ct.clone();
        ct.remove("control");
        if let Some(k) = ct.keys().find(|k| *k == "pack") {
            return Err(DataError::new(cf, k, "a control file has no [pack] table"));
        }
        overlay(cf, &mut base, ct)?;
    }
    // The [pack] table is the file's own; what it inherited and included is recorded in it.
    if let Some(m) = meta {
        base.insert("pack".into(), m);
    }
    for key in meta_strings(file, &base, "remove")? {
        if !remove(&mut base, &key) {
            return Err(DataError::new(
                file,
                "pack.remove",
                format!("'{key}' names no rule or set of the pack it extends"),
            ));
        }
    }
    done[i] = Some(base.clone());
    Ok(base)
}

fn key_of<'a>(file: &str, list: &str, v: &'a Value, field: &str) -> Result<&'a str, DataError> {
    v.get(field).and_then(Value::as_str).ok_or_else(|| {
        DataError::new(
            file,
            list,
            format!("every entry needs a string '{field}' to be laid over another pack"),
        )
    })
}

/// Lays `top` over `base` by the rules of the module documentation.
fn overlay(file: &str, base: &mut Table, top: Table) -> Result<(), DataError> {
    for (k, v) in top {
        if let Some((_, field)) = KEYED.iter().find(|(n, _)| *n == k) {
            let Value::Array(entries) = v else {
                return Err(DataError::new(file, &k, "must be a list of tables [[...]]"));
            };
            let slot = base
                .entry(k.clone())
                .or_insert_with(|| Value::Array(Vec::new()));
            let Value::Array(list) = slot else {
                return Err(DataError::new(file, &k, "must be a list of tables [[...]]"));
            };
            for mut e in entries {
                let before = match e.as_table_mut().and_then(|t| t.remove("insert_before")) {
                    None => None,
                    Some(Value::String(s)) => Some(s),
                    Some(_) => {
                        return Err(DataError::new(
                            file,
                            format!("{k}.insert_before"),
                            "must be the key of an entry",
                        ))
                    }
                };
                let key = key_of(file, &k, &e, field)?.to_string();
                let mut found = None;
                for (at, x) in list.iter().enumerate() {
                    if key_of(file, &k, x, field)? == key {
                        found = Some(at);
                        break;
                    }
                }
                match (found, before) {
                    (Some(at), _) => list[at] = e,
                    (None, None) => list.push(e),
                    (None, Some(b)) => {
                        let mut at = None;
                        for (j, x) in list.iter().enumerate() {
                            if key_of(file, &k, x, field)? == b {
                                at = Some(j);
                                break;
                            }
                        }
                        let at = at.ok_or_else(|| {
                            DataError::new(
                                file,
                                format!("{k}.insert_before"),
                                format!("no entry '{b}' to insert '{key}' before"),
                            )
                        })?;
                        list.insert(at, e);
                    }
                }
            }
        } else if k == "sets" {
            let Value::Table(sets) = v else {
                return Err(DataError::new(file, "sets", "must be a table of sets"));
            };
            let slot = base
                .entry("sets")
                .or_insert_with(|| Value::Table(Table::new()));
            if let Value::Table(b) = slot {
                b.extend(sets);
            }
        } else {
            base.insert(k, v);
        }
    }
    Ok(())
}

fn remove(t: &mut Table, key: &str) -> bool {
    let mut hit = false;
    for (list, field) in KEYED {
        if let Some(Value::Array(a)) = t.get_mut(*list) {
            let n = a.len();
            a.retain(|e| e.get(*field).and_then(Value::as_str) != Some(key));
            hit |= a.len() != n;
        }
    }
    if let Some(Value::Table(s)) = t.get_mut("sets") {
        hit |= s.remove(key).is_some();
    }
    hit
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(v: &[(&str, &str)]) -> Vec<(String, &'static str)> {
        v.iter()
            .map(|(n, t)| (n.to_string(), &*Box::leak(t.to_string().into_boxed_str())))
            .collect()
    }

    const BASE: &str = r#"
[pack]
id = "2020-01-01"
[sets.a]
citation = "x"
[[review_policy]]
id = "p1"
n = 1
[[review_policy]]
id = "p2"
n = 2
"#;

    #[test]
    fn a_pack_extends_replaces_inserts_and_removes_by_key() {
        let child = r#"
[pack]
id = "2021-01-01"
extends = "2020-01-01"
include = ["c"]
remove = ["a"]
[[review_policy]]
id = "p2"
n = 22
[[review_policy]]
id = "p0"
insert_before = "p1"
n = 0
"#;
        let control = "[control]\nid = \"c\"\n[[review_policy]]\nid = \"p3\"\nn = 3\n";
        let out = compose(&files(&[
            ("packs/2020-01-01.toml", BASE),
            ("packs/2021-01-01.toml", child),
            ("packs/controls/c.toml", control),
        ]))
        .expect("composes");
        assert_eq!(out.len(), 2, "the control file is not a pack");
        let t = &out[1].1;
        let ids: Vec<(String, i64)> = t["review_policy"]
            .as_array()
            .expect("list")
            .iter()
            .map(|e| {
                (
                    e["id"].as_str().expect("id").to_string(),
                    e["n"].as_integer().expect("n"),
                )
            })
            .collect();
        assert_eq!(
            ids,
            vec![
                ("p0".into(), 0),
                ("p1".into(), 1),
                ("p2".into(), 22),
                ("p3".into(), 3)
            ]
        );
        assert!(t["sets"].as_table().expect("sets").is_empty());
        assert_eq!(t["pack"]["id"].as_str(), Some("2021-01-01"));
        // The base is unchanged.
        assert_eq!(out[0].1["review_policy"].as_array().map(Vec::len), Some(2));
    }

    #[test]
    fn bad_references_are_errors_naming_the_key() {
        let cases = [
            ("[pack]\nid = \"2021-01-01\"\nextends = \"1999-01-01\"\n", "pack.extends"),
            ("[pack]\nid = \"2021-01-01\"\ninclude = [\"nope\"]\n", "pack.include"),
            (
                "[pack]\nid = \"2021-01-01\"\nextends = \"2020-01-01\"\nremove = [\"p9\"]\n",
                "pack.remove",
            ),
            (
                "[pack]\nid = \"2021-01-01\"\nextends = \"2020-01-01\"\n[[review_policy]]\nid = \"x\"\ninsert_before = \"p9\"\n",
                "review_policy.insert_before",
            ),
            (
                "[pack]\nid = \"2021-01-01\"\nextends = \"2020-01-01\"\n[[review_policy]]\nn = 1\n",
                "review_policy",
            ),
        ];
        for (child, key) in cases {
            let e = compose(&files(&[
                ("packs/2020-01-01.toml", BASE),
                ("packs/2021-01-01.toml", child),
            ]))
            .expect_err(key);
            assert_eq!(e.key, key, "{e}");
        }
        let cyc = compose(&files(&[
            (
                "packs/2020-01-01.toml",
                "[pack]\nextends = \"2021-01-01\"\n",
            ),
            (
                "packs/2021-01-01.toml",
                "[pack]\nextends = \"2020-01-01\"\n",
            ),
        ]))
        .expect_err("cycle");
        assert!(cyc.to_string().contains("cycle"), "{cyc}");
    }
}
