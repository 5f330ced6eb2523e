//! trade.gov Consolidated Screening List: the CSV download (header row, multi-valued fields
//! separated by "; ") and the JSON download/API response (`{"results": [...]}`, streamed one
//! result at a time so a 13,000-row file is never held as one JSON tree).

use crate::model::{csl_list_name, stable_id, Entity, Loaded, RowIssue};
use std::io::Read;

fn split_multi(s: &str) -> impl Iterator<Item = &str> {
    s.split(';').map(str::trim).filter(|x| !x.is_empty())
}

/// CSL addresses end with an ISO code ("..., Miami, FL, 33130, US"): that code is the country.
fn address_country(addr: &str) -> Option<String> {
    let last = addr.rsplit(',').next()?.trim();
    crate::country::iso2(last).map(crate::country::code_str)
}

fn entity_id(id: &str, number: &str, list: &str, name: &str) -> String {
    if !id.trim().is_empty() {
        id.trim().to_string()
    } else if !number.trim().is_empty() {
        number.trim().to_string()
    } else {
        stable_id(list, name)
    }
}

fn kind(t: &str) -> String {
    match t.trim().to_ascii_lowercase().as_str() {
        "individual" => "individual",
        "vessel" => "vessel",
        "aircraft" => "aircraft",
        "entity" => "entity",
        _ => "",
    }
    .into()
}

pub fn load_csv<R: Read>(file: &str, reader: R) -> Result<Loaded, crate::ScreenError> {
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
    let headers = rdr
        .byte_headers()
        .map_err(|e| crate::ScreenError::format(file, e.to_string()))?
        .clone();
    let col = |name: &str| headers.iter().position(|h| h == name.as_bytes());
    let (Some(c_source), Some(c_name)) = (col("source"), col("name")) else {
        return Err(crate::ScreenError::format(
            file,
            "not a CSL CSV: the header lacks 'source' and 'name'",
        ));
    };
    let (c_id, c_num, c_type) = (col("id"), col("entity_number"), col("type"));
    let (c_alt, c_addr) = (col("alt_names"), col("addresses"));
    let (c_cit, c_nat) = (col("citizenships"), col("nationalities"));
    let mut out = Loaded::default();
    let mut rec = csv::ByteRecord::new();
    while let Some(row) = super::next_row(&mut rdr, &mut rec, file, Some(headers.len()), &mut out) {
        let Some(line) = row else { continue };
        let get = |c: Option<usize>| super::field(&rec, c);
        let (source, name) = (get(Some(c_source)), get(Some(c_name)));
        if source.is_empty() || name.is_empty() {
            out.issues.push(RowIssue {
                file: file.into(),
                line,
                message: "empty source or name".into(),
            });
            continue;
        }
        let list = csl_list_name(&source);
        let mut e = Entity::new(entity_id(&get(c_id), &get(c_num), &list, &name), list, name);
        e.kind = kind(&get(c_type));
        for a in split_multi(&get(c_alt)) {
            e.aliases.push((a.to_string(), false));
        }
        for a in split_multi(&get(c_addr)) {
            if let Some(c) = address_country(a) {
                e.countries.push(c);
            }
            e.addresses.push(a.to_string());
        }
        for c in split_multi(&get(c_cit)).chain(split_multi(&get(c_nat))) {
            e.countries.push(c.to_string());
        }
        out.rows += 1;
        out.entities.push(e);
    }
    Ok(out)
}

/// One CSL JSON result (the API's field names).
fn from_json(v: &serde_json::Value) -> Result<Entity, String> {
    let s = |k: &str| {
        v.get(k)
            .and_then(|x| x.as_str())
            .unwrap_or("")
            .trim()
            .to_string()
    };
    let strs = |k: &str| -> Vec<String> {
        match v.get(k) {
            Some(serde_json::Value::Array(a)) => a
                .iter()
                .filter_map(|x| x.as_str())
                .map(|x| x.trim().to_string())
                .filter(|x| !x.is_empty())
                .collect(),
            Some(serde_json::Value::String(x)) => split_multi(x).map(str::to_string).collect(),
            _ => Vec::new(),
        }
    };
    if !v.is_object() {
        return Err("result is not an object".into());
    }
    let (source, name) = (s("source"), s("name"));
    if source.is_empty() || name.is_empty() {
        return Err("result without source or name".into());
    }
    let list = csl_list_name(&source);
    let number = match v.get("entity_number") {
        Some(serde_json::Value::Number(n)) => n.to_string(),
        _ => s("entity_number"),
    };
    let mut e = Entity::new(entity_id(&s("id"), &number, &list, &name), list, name);
    e.kind = kind(&s("type"));
    for a in strs("alt_names") {
        e.aliases.push((a, false));
    }
    if let Some(serde_json::Value::Array(addrs)) = v.get("addresses") {
        for a in addrs {
            let part = |k: &str| a.get(k).and_then(|x| x.as_str()).unwrap_or("").trim();
            let text = ["address", "city", "state", "postal_code", "country"]
                .iter()
                .map(|k| part(k))
                .filter(|x| !x.is_empty())
                .collect::<Vec<_>>()
                .join(", ");
            if !part("country").is_empty() {
                e.countries.push(part("country").to_string());
            }
            if !text.is_empty() {
                e.addresses.push(text);
            }
        }
    }
    e.countries.extend(strs("citizenships"));
    e.countries.extend(strs("nationalities"));
    Ok(e)
}

struct Sink<'a> {
    file: &'a str,
    out: &'a mut Loaded,
    seen: u64,
}

impl Sink<'_> {
    fn take(&mut self, v: serde_json::Value) {
        self.seen += 1;
        match from_json(&v) {
            Ok(e) => {
                self.out.rows += 1;
                self.out.entities.push(e);
            }
            Err(m) => self.out.issues.push(RowIssue {
                file: self.file.into(),
                line: self.seen,
                message: format!("result {}: {m}", self.seen),
            }),
        }
    }
}

struct Results<'a, 'b>(&'a mut Sink<'b>);

impl<'de> serde::de::DeserializeSeed<'de> for Results<'_, '_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Results<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an array of CSL results")
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(v) = seq.next_element::<serde_json::Value>()? {
            self.0.take(v);
        }
        Ok(())
    }
}

struct Top<'a, 'b>(&'a mut Sink<'b>);

impl<'de> serde::de::DeserializeSeed<'de> for Top<'_, '_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Top<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a CSL JSON object with 'results' (or an array of results)")
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        serde::de::Visitor::visit_seq(Results(self.0), seq)
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut had_results = false;
        while let Some(k) = map.next_key::<String>()? {
            match k.as_str() {
                "results" => {
                    map.next_value_seed(Results(&mut *self.0))?;
                    had_results = true;
                }
                "sources_used" => {
                    let v: serde_json::Value = map.next_value()?;
                    let newest = v
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|s| s.get("source_last_updated").and_then(|d| d.as_str()))
                        .max()
                        .map(str::to_string);
                    if newest.is_some() {
                        self.0.out.published = newest;
                    }
                }
                _ => {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
        }
        if had_results {
            Ok(())
        } else {
            Err(serde::de::Error::custom("no 'results' array"))
        }
    }
}

pub fn load_json<R: Read>(file: &str, reader: R) -> Result<Loaded, crate::ScreenError> {
    let mut out = Loaded::default();
    let mut sink = Sink {
        file,
        out: &mut out,
        seen: 0,
    };
    let mut de = serde_json::Deserializer::from_reader(reader);
    serde::de::DeserializeSeed::deserialize(Top(&mut sink), &mut de)
        .and_then(|()| de.end())
        .map_err(|e| crate::ScreenError::format(file, format!("invalid CSL JSON: {e}")))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const JSON: &str = r#"{"total": 3, "sources_used": [{"source": "Entity List (EL) - Bureau of Industry and Security", "source_last_updated": "2024-05-01T00:00:00+00:00"}],
      "results": [
        {"id": "e4f1c0d2", "source": "Entity List (EL) - Bureau of Industry and Security", "entity_number": null, "type": null,
         "name": "Huawei Technologies Co., Ltd.", "alt_names": ["Huawei", "Futurewei"],
         "addresses": [{"address": "Bantian", "city": "Shenzhen", "state": null, "postal_code": null, "country": "CN"}]},
        {"source": "Specially Designated Nationals (SDN) - Treasury Department", "entity_number": 36, "type": "Entity",
         "name": "AEROCARIBBEAN AIRLINES", "alt_names": [], "addresses": [], "nationalities": []},
        {"source": "Denied Persons List (DPL) - Bureau of Industry and Security", "name": ""}
      ]}"#;

    #[test]
    fn csl_json_streams_results_and_uses_id_then_entity_number() {
        let l = load_json("csl.json", JSON.as_bytes()).unwrap();
        assert_eq!(l.rows, 2);
        assert_eq!(l.entities[0].id, "e4f1c0d2");
        assert_eq!(l.entities[0].list, "Entity List");
        assert_eq!(l.entities[0].countries, vec!["CN".to_string()]);
        assert_eq!(l.entities[1].id, "36");
        assert_eq!(l.entities[1].list, "SDN");
        assert_eq!(l.issues.len(), 1);
        assert_eq!(l.published.as_deref(), Some("2024-05-01T00:00:00+00:00"));
    }

    #[test]
    fn truncated_csl_json_is_a_format_error() {
        let cut = &JSON[..JSON.len() / 2];
        assert!(matches!(
            load_json("csl.json", cut.as_bytes()),
            Err(crate::ScreenError::Format { .. })
        ));
    }

    #[test]
    fn csl_csv_reads_the_shared_sample() {
        let data = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../data/lists/csl.csv"
        ))
        .unwrap();
        let l = load_csv("csl.csv", &data[..]).unwrap();
        assert_eq!(l.rows, 115);
        assert!(l.issues.is_empty(), "{:?}", l.issues);
        let dpl = l
            .entities
            .iter()
            .find(|e| e.list == "Denied Persons List")
            .unwrap();
        assert!(dpl.id.starts_with("h-"));
        let sdn = l
            .entities
            .iter()
            .find(|e| e.name == "200G PSA HOLDINGS LLC")
            .unwrap();
        assert_eq!(sdn.id, "20264");
        assert!(sdn.countries.contains(&"US".to_string()));
    }
}
