//! trade.gov Consolidated Screening List: the CSV download (header row, multi-valued fields
//! separated by "; "; `consolidated.csv` names its id column `_id`, plain or gzip-compressed as
//! `.csv.gz`) and the JSON download/API response (`{"results": [...]}`, streamed one result at a
//! time so a 13,000-row file is never held as one JSON tree).
//!
//! Entity List rows carry `license_requirement` and `license_policy`: they go to the entity as
//! listed, the requirement's glued footnote markers ("734.9(g),3") split off into `footnotes`
//! (`ecfr::split_footnotes`).

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

/// The licence requirement (footnote markers split off) and review policy of a row.
fn licence(e: &mut Entity, requirement: &str, policy: &str) {
    let requirement = requirement.trim();
    if !requirement.is_empty() {
        let (r, marks) = super::ecfr::split_footnotes(requirement);
        e.license_requirement = Some(r);
        e.footnotes = marks;
    }
    let policy = policy.trim();
    if !policy.is_empty() {
        e.license_policy = Some(policy.to_string());
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
    let headers = super::headers(&mut rdr, file)?;
    let col = |name: &str| headers.iter().position(|h| h == name.as_bytes());
    let (Some(c_source), Some(c_name)) = (col("source"), col("name")) else {
        return Err(crate::ScreenError::format(
            file,
            "not a CSL CSV: the header lacks 'source' and 'name'",
        ));
    };
    let c_id = col("id").or_else(|| col("_id"));
    let (c_num, c_type) = (col("entity_number"), col("type"));
    let (c_req, c_pol) = (col("license_requirement"), col("license_policy"));
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
        licence(&mut e, &get(c_req), &get(c_pol));
        out.rows += 1;
        out.entities.push(e);
    }
    Ok(out)
}

/// Reads a gzip stream to its end and stops at the first error, keeping it: a truncated or
/// corrupt stream ends the CSV (whose reader would otherwise ask again and again) and the
/// error makes the whole file unreadable.
struct Gunzip<R: Read> {
    inner: flate2::read::MultiGzDecoder<R>,
    error: Option<std::io::Error>,
}

impl<R: Read> Read for Gunzip<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.error.is_some() {
            return Ok(0);
        }
        match self.inner.read(buf) {
            Ok(n) => Ok(n),
            Err(e) => {
                self.error = Some(e);
                Ok(0)
            }
        }
    }
}

/// The CSV download compressed with gzip (`consolidated.csv.gz`). The file's SHA-256 is that of
/// the compressed bytes, as published.
pub fn load_csv_gz<R: Read>(file: &str, reader: R) -> Result<Loaded, crate::ScreenError> {
    let mut gz = Gunzip {
        inner: flate2::read::MultiGzDecoder::new(reader),
        error: None,
    };
    let out = load_csv(file, &mut gz);
    if let Some(e) = gz.error {
        return Err(crate::ScreenError::format(
            file,
            format!("not a complete gzip stream: {e}"),
        ));
    }
    out
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
    licence(&mut e, &s("license_requirement"), &s("license_policy"));
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

    const OFFICIAL: &str = "_id,source,entity_number,type,programs,name,title,addresses,federal_register_notice,start_date,end_date,standard_order,license_requirement,license_policy,call_sign,vessel_type,gross_tonnage,gross_registered_tonnage,vessel_flag,vessel_owner,remarks,source_list_url,alt_names,citizenships,dates_of_birth,nationalities,places_of_birth,source_information_url,ids\n\
        4398d33e,Entity List (EL) - Bureau of Industry and Security,,,,140 Repair Plant JSC,,\"19 Luysi Chalovskoy St., Borisov, 222512, BY\",87 FR 20299,2022-04-07,,,\"For all items subject to the EAR. (See \u{a7}\u{a7}734.9(g),3 746.8(a)(3), and 744.21(b) of the EAR.)\",Policy of denial. ,,,,,,,,http://x,Open Joint Stock Company 140 Repair Plant; JSC 140 Repair Plant,,,,,http://x,\n\
        21944,Specially Designated Nationals (SDN) - Treasury Department,21944,Individual,SYRIA,\"'ABBAS, Rim\",,SY,,,,,,,,,,,,,,http://x,,,1973-03-25,SY,,http://x,\n";

    #[test]
    fn official_csl_csv_uses_id_column_and_licence_columns() {
        let l = load_csv("csl.csv", OFFICIAL.as_bytes()).unwrap();
        assert!(l.issues.is_empty(), "{:?}", l.issues);
        assert_eq!(l.rows, 2);
        let el = &l.entities[0];
        assert_eq!(
            (el.id.as_str(), el.list.as_str()),
            ("4398d33e", "Entity List")
        );
        assert_eq!(
            el.license_requirement.as_deref(),
            Some("For all items subject to the EAR. (See \u{a7}\u{a7}734.9(g), 746.8(a)(3), and 744.21(b) of the EAR.)")
        );
        assert_eq!(el.footnotes, vec!["3".to_string()]);
        assert_eq!(el.license_policy.as_deref(), Some("Policy of denial."));
        assert_eq!(el.aliases.len(), 2);
        assert_eq!(l.entities[1].id, "21944");
        assert_eq!(l.entities[1].license_requirement, None);
    }

    #[test]
    fn gzip_csl_loads_and_a_truncated_one_is_refused() {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(OFFICIAL.as_bytes()).unwrap();
        let bytes = gz.finish().unwrap();
        let l = load_csv_gz("csl.csv.gz", &bytes[..]).unwrap();
        assert_eq!(l.rows, 2);
        let cut = &bytes[..bytes.len() - 12];
        assert!(matches!(
            load_csv_gz("csl.csv.gz", cut),
            Err(crate::ScreenError::Format { .. })
        ));
        assert!(load_csv_gz("csl.csv.gz", &b"not gzip at all"[..]).is_err());
    }

    #[test]
    fn csl_csv_reads_the_shared_sample() {
        let data = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../data/screening_eval/legacy_lists/csl.csv"
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
