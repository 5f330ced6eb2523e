//! UN Security Council consolidated list (XML): `INDIVIDUAL` and `ENTITY` records with names,
//! aliases (quality Good/Low), original-script names, nationalities and addresses. Parsed as a
//! stream of XML events; `dateGenerated` on the root is the publication date.

use crate::model::{Entity, Loaded, RowIssue};
use quick_xml::events::Event;
use std::io::BufRead;

pub const LIST: &str = "UN Consolidated";

#[derive(Default)]
struct Rec {
    start_line: u64,
    kind: &'static str,
    dataid: String,
    reference: String,
    names: [String; 4],
    original: String,
    aliases: Vec<(String, bool)>,
    alias_quality: String,
    alias_name: String,
    countries: Vec<String>,
    addresses: Vec<String>,
    addr: Vec<String>,
}

pub fn load<R: BufRead>(
    file: &str,
    reader: &mut super::tap::Tap<R>,
) -> Result<Loaded, crate::ScreenError> {
    let mut xml = quick_xml::Reader::from_reader(reader);
    let mut out = Loaded::default();
    let mut buf = Vec::new();
    let mut path: Vec<String> = Vec::new();
    let mut rec: Option<Rec> = None;
    let mut text = String::new();
    let mut saw_root = false;
    // Bounded nesting: the UN schema is 4 deep; anything far deeper is not this format.
    const MAX_DEPTH: usize = 64;
    loop {
        let ev = xml.read_event_into(&mut buf).map_err(|e| {
            crate::ScreenError::format(
                file,
                format!("invalid XML near line {}: {e}", xml.get_ref().newlines + 1),
            )
        })?;
        match ev {
            Event::Start(s) => {
                let name = String::from_utf8_lossy(s.name().as_ref()).into_owned();
                if name == "CONSOLIDATED_LIST" {
                    saw_root = true;
                    for a in s.attributes().flatten() {
                        if a.key.as_ref() == b"dateGenerated" {
                            let v = String::from_utf8_lossy(&a.value).into_owned();
                            out.published = Some(v.get(..10).unwrap_or(&v).to_string());
                        }
                    }
                }
                if name == "INDIVIDUAL" || name == "ENTITY" {
                    rec = Some(Rec {
                        start_line: xml.get_ref().newlines + 1,
                        kind: if name == "INDIVIDUAL" {
                            "individual"
                        } else {
                            "entity"
                        },
                        ..Rec::default()
                    });
                }
                path.push(name);
                if path.len() > MAX_DEPTH {
                    return Err(crate::ScreenError::format(file, "XML nested too deeply"));
                }
                text.clear();
            }
            Event::Text(t) => {
                let s = t
                    .unescape()
                    .map(|c| c.into_owned())
                    .unwrap_or_else(|_| String::from_utf8_lossy(&t).into_owned());
                text.push_str(&s);
            }
            Event::CData(t) => text.push_str(&String::from_utf8_lossy(&t)),
            Event::End(_) => {
                let name = path.pop().unwrap_or_default();
                let parent = path.last().map(String::as_str).unwrap_or("");
                let value = text.trim().to_string();
                text.clear();
                if let Some(r) = rec.as_mut() {
                    match (parent, name.as_str()) {
                        (_, "DATAID") => r.dataid = value,
                        (_, "REFERENCE_NUMBER") => r.reference = value,
                        ("INDIVIDUAL" | "ENTITY", "FIRST_NAME") => r.names[0] = value,
                        ("INDIVIDUAL", "SECOND_NAME") => r.names[1] = value,
                        ("INDIVIDUAL", "THIRD_NAME") => r.names[2] = value,
                        ("INDIVIDUAL", "FOURTH_NAME") => r.names[3] = value,
                        (_, "NAME_ORIGINAL_SCRIPT") => r.original = value,
                        (_, "QUALITY") => r.alias_quality = value,
                        (_, "ALIAS_NAME") => r.alias_name = value,
                        (_, "INDIVIDUAL_ALIAS" | "ENTITY_ALIAS") => {
                            let a = std::mem::take(&mut r.alias_name);
                            let q = std::mem::take(&mut r.alias_quality);
                            if !a.is_empty() {
                                r.aliases.push((a, q.eq_ignore_ascii_case("low")));
                            }
                        }
                        ("NATIONALITY", "VALUE") if !value.is_empty() => r.countries.push(value),
                        ("INDIVIDUAL_ADDRESS" | "ENTITY_ADDRESS", "COUNTRY")
                            if !value.is_empty() =>
                        {
                            r.countries.push(value.clone());
                            r.addr.push(value);
                        }
                        (
                            "INDIVIDUAL_ADDRESS" | "ENTITY_ADDRESS",
                            "STREET" | "CITY" | "STATE_PROVINCE" | "ZIP_CODE",
                        ) if !value.is_empty() => r.addr.push(value),
                        (_, "INDIVIDUAL_ADDRESS" | "ENTITY_ADDRESS") if !r.addr.is_empty() => {
                            let a = r.addr.join(", ");
                            r.addr.clear();
                            r.addresses.push(a);
                        }
                        _ => {}
                    }
                }
                if name == "INDIVIDUAL" || name == "ENTITY" {
                    if let Some(r) = rec.take() {
                        finish(file, r, &mut out);
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if !saw_root {
        return Err(crate::ScreenError::format(
            file,
            "not a UN consolidated list: no CONSOLIDATED_LIST element",
        ));
    }
    if !path.is_empty() || rec.is_some() {
        return Err(crate::ScreenError::format(
            file,
            format!(
                "truncated XML: <{}> never closed",
                path.last().map(String::as_str).unwrap_or("?")
            ),
        ));
    }
    Ok(out)
}

fn finish(file: &str, r: Rec, out: &mut Loaded) {
    let name = r
        .names
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let id = if !r.reference.is_empty() {
        r.reference
    } else {
        r.dataid
    };
    if name.is_empty() || id.is_empty() {
        out.issues.push(RowIssue {
            file: file.into(),
            line: r.start_line,
            message: "record without a name or a reference number".into(),
        });
        return;
    }
    let mut e = Entity::new(id, LIST, name);
    e.kind = r.kind.into();
    e.aliases = r.aliases;
    if !r.original.is_empty() {
        e.aliases.push((r.original, false));
    }
    e.countries = r.countries;
    e.addresses = r.addresses;
    out.rows += 1;
    out.entities.push(e);
}

#[cfg(test)]
mod tests {
    use super::*;

    const XML: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<CONSOLIDATED_LIST dateGenerated="2026-02-27T00:00:09.554Z">
  <INDIVIDUALS>
    <INDIVIDUAL>
      <DATAID>6907993</DATAID>
      <FIRST_NAME>ERIC</FIRST_NAME>
      <SECOND_NAME>BADEGE</SECOND_NAME>
      <REFERENCE_NUMBER>CDi.001</REFERENCE_NUMBER>
      <NAME_ORIGINAL_SCRIPT>Эрик Бадеге</NAME_ORIGINAL_SCRIPT>
      <NATIONALITY><VALUE>Democratic Republic of the Congo</VALUE></NATIONALITY>
      <INDIVIDUAL_ALIAS><QUALITY>Low</QUALITY><ALIAS_NAME>Badege</ALIAS_NAME></INDIVIDUAL_ALIAS>
      <INDIVIDUAL_ADDRESS><CITY>Kigali</CITY><COUNTRY>Rwanda</COUNTRY></INDIVIDUAL_ADDRESS>
    </INDIVIDUAL>
  </INDIVIDUALS>
  <ENTITIES>
    <ENTITY>
      <DATAID>1</DATAID>
      <FIRST_NAME>AL-QAIDA &amp; CO</FIRST_NAME>
      <REFERENCE_NUMBER>QDe.004</REFERENCE_NUMBER>
    </ENTITY>
    <ENTITY><DATAID>2</DATAID></ENTITY>
  </ENTITIES>
</CONSOLIDATED_LIST>"#;

    fn run(s: &str) -> Result<Loaded, crate::ScreenError> {
        let mut tap = super::super::tap::Tap::new(s.as_bytes(), None);
        load("un.xml", &mut tap)
    }

    #[test]
    fn un_records_parse_with_aliases_and_date() {
        let l = run(XML).unwrap();
        assert_eq!(l.rows, 2);
        assert_eq!(l.published.as_deref(), Some("2026-02-27"));
        let e = &l.entities[0];
        assert_eq!((e.id.as_str(), e.name.as_str()), ("CDi.001", "ERIC BADEGE"));
        assert_eq!(e.aliases[0], ("Badege".to_string(), true));
        assert_eq!(e.aliases[1].0, "Эрик Бадеге");
        assert_eq!(e.addresses, vec!["Kigali, Rwanda".to_string()]);
        assert_eq!(l.entities[1].name, "AL-QAIDA & CO");
        assert_eq!(l.issues.len(), 1);
        assert_eq!(l.issues[0].line, 21);
    }

    #[test]
    fn truncated_un_xml_is_a_format_error() {
        assert!(run(&XML[..XML.len() - 40]).is_err());
        assert!(run("<a></a>").is_err());
    }
}
