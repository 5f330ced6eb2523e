//! OpenSanctions exports: FollowTheMoney entities as JSON lines (`entities.ftm.json`) and the
//! flat `targets.simple.csv`. The list name of a hit is the dataset that lists the entity.

use crate::model::{Entity, Loaded, RowIssue};
use std::io::{BufRead, Read};

/// Schemata that name a party; others (Address, Sanction, Ownership...) are skipped silently.
const PARTY_SCHEMATA: &[&str] = &[
    "Person",
    "Company",
    "Organization",
    "LegalEntity",
    "PublicBody",
    "Vessel",
    "Airplane",
];

/// Bound on one JSON line: FtM entities are a few kB; a 16 MiB line is not a record.
const MAX_LINE_BYTES: usize = 16 << 20;

fn kind(schema: &str) -> &'static str {
    match schema {
        "Person" => "individual",
        "Vessel" => "vessel",
        "Airplane" => "aircraft",
        _ => "entity",
    }
}

fn ftm_entity(v: &serde_json::Value) -> Result<Option<Entity>, String> {
    let obj = v.as_object().ok_or("not a JSON object")?;
    let id = obj
        .get("id")
        .and_then(|x| x.as_str())
        .filter(|s| !s.is_empty())
        .ok_or("no 'id'")?;
    let schema = obj.get("schema").and_then(|x| x.as_str()).unwrap_or("");
    if !PARTY_SCHEMATA.contains(&schema) {
        return Ok(None);
    }
    let props = obj.get("properties").and_then(|p| p.as_object());
    let prop = |k: &str| -> Vec<String> {
        props
            .and_then(|p| p.get(k))
            .and_then(|x| x.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str())
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut names = prop("name");
    let caption = obj.get("caption").and_then(|x| x.as_str()).unwrap_or("");
    if names.is_empty() && !caption.is_empty() {
        names.push(caption.to_string());
    }
    if names.is_empty() {
        return Err(format!("{schema} {id} has no name"));
    }
    let dataset = obj
        .get("datasets")
        .and_then(|d| d.as_array())
        .and_then(|a| a.first())
        .and_then(|s| s.as_str())
        .unwrap_or("opensanctions");
    let mut e = Entity::new(id, dataset, names.remove(0));
    e.kind = kind(schema).into();
    for n in names
        .into_iter()
        .chain(prop("alias"))
        .chain(prop("previousName"))
    {
        e.aliases.push((n, false));
    }
    for n in prop("weakAlias") {
        e.aliases.push((n, true));
    }
    for k in [
        "country",
        "nationality",
        "citizenship",
        "jurisdiction",
        "flag",
    ] {
        e.countries.extend(prop(k));
    }
    e.addresses = prop("address");
    Ok(Some(e))
}

/// FollowTheMoney JSON lines, one entity per line, read line by line.
pub fn load_ftm<R: BufRead>(file: &str, mut reader: R) -> Loaded {
    let mut out = Loaded::default();
    let mut line_no = 0u64;
    let mut buf = Vec::new();
    loop {
        buf.clear();
        line_no += 1;
        let n = match (&mut reader)
            .take(MAX_LINE_BYTES as u64 + 1)
            .read_until(b'\n', &mut buf)
        {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) => {
                out.issues.push(RowIssue {
                    file: file.into(),
                    line: line_no,
                    message: e.to_string(),
                });
                break;
            }
        };
        if n > MAX_LINE_BYTES {
            out.issues.push(RowIssue {
                file: file.into(),
                line: line_no,
                message: "line longer than 16 MiB".into(),
            });
            // Skip the rest of the oversized line.
            let mut sink = Vec::new();
            let _ = reader.read_until(b'\n', &mut sink);
            continue;
        }
        let text = buf.trim_ascii();
        if text.is_empty() {
            continue;
        }
        let parsed = serde_json::from_slice::<serde_json::Value>(text)
            .map_err(|e| format!("invalid JSON: {e}"))
            .and_then(|v| ftm_entity(&v));
        match parsed {
            Ok(Some(e)) => {
                out.rows += 1;
                out.entities.push(e);
            }
            Ok(None) => {}
            Err(m) => out.issues.push(RowIssue {
                file: file.into(),
                line: line_no,
                message: m,
            }),
        }
    }
    out
}

/// `targets.simple.csv`: id, schema, name, aliases (";"-separated), countries, addresses,
/// dataset (";"-separated titles), last_change, ...
pub fn load_simple<R: Read>(file: &str, reader: R) -> Result<Loaded, crate::ScreenError> {
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
    let headers = super::headers(&mut rdr, file)?;
    let col = |n: &str| headers.iter().position(|h| h == n.as_bytes());
    let (Some(c_id), Some(c_name)) = (col("id"), col("name")) else {
        return Err(crate::ScreenError::format(
            file,
            "not a targets.simple.csv: the header lacks 'id' and 'name'",
        ));
    };
    let (c_schema, c_aliases, c_countries) = (col("schema"), col("aliases"), col("countries"));
    let (c_addresses, c_dataset, c_changed) =
        (col("addresses"), col("dataset"), col("last_change"));
    let mut out = Loaded::default();
    let mut rec = csv::ByteRecord::new();
    while let Some(row) = super::next_row(&mut rdr, &mut rec, file, None, &mut out) {
        let Some(line) = row else { continue };
        let get = |c: Option<usize>| super::field(&rec, c);
        let (id, name) = (get(Some(c_id)), get(Some(c_name)));
        if rec.len() < headers.len() || id.is_empty() || name.is_empty() {
            out.issues.push(RowIssue {
                file: file.into(),
                line,
                message: if rec.len() < headers.len() {
                    format!("expected {} fields, found {}", headers.len(), rec.len())
                } else {
                    "empty id or name".into()
                },
            });
            continue;
        }
        let dataset = get(c_dataset);
        let list = dataset
            .split(';')
            .map(str::trim)
            .find(|s| !s.is_empty())
            .unwrap_or("opensanctions")
            .to_string();
        let mut e = Entity::new(id, list, name);
        e.kind = kind(&get(c_schema)).into();
        for a in get(c_aliases)
            .split(';')
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            e.aliases.push((a.to_string(), false));
        }
        for c in get(c_countries)
            .split(';')
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            e.countries.push(c.to_string());
        }
        for a in get(c_addresses)
            .split(';')
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            e.addresses.push(a.to_string());
        }
        super::note_published(&mut out, get(c_changed));
        out.rows += 1;
        out.entities.push(e);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ftm_lines_yield_parties_and_report_bad_lines() {
        let data = concat!(
            r#"{"id":"NK-abc","schema":"Company","caption":"Rosoboronexport","datasets":["us_ofac_sdn"],"properties":{"name":["Rosoboronexport"],"alias":["Рособоронэкспорт"],"weakAlias":["ROE"],"country":["ru"],"address":["Moscow"]}}"#,
            "\n",
            r#"{"id":"addr-1","schema":"Address","properties":{"full":["Moscow"]}}"#,
            "\n\n{not json\n",
            r#"{"id":"p-1","schema":"Person","properties":{}}"#,
            "\n"
        );
        let l = load_ftm("entities.ftm.json", data.as_bytes());
        assert_eq!(l.rows, 1);
        let e = &l.entities[0];
        assert_eq!((e.id.as_str(), e.list.as_str()), ("NK-abc", "us_ofac_sdn"));
        assert_eq!(e.aliases.len(), 2);
        assert!(e.aliases[1].1);
        assert_eq!(
            l.issues.iter().map(|i| i.line).collect::<Vec<_>>(),
            vec![4, 5]
        );
    }
}
