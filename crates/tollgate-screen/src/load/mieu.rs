//! BIS Military-Intelligence End User list (EAR 744.22) as OpenSanctions keeps it: a CSV with a
//! header row `Type,Name,Alias,Country,Topics,Program,Date,End date,Source URL`, one entry per
//! row, several aliases separated by ';', the country as an ISO code and the listing date.
//! Entries have no id of their own: `stable_id(list, Name)`. `published` is the newest listing
//! date (`Date`).

use crate::model::{stable_id, Entity, Loaded, RowIssue};
use std::io::Read;

pub const LIST: &str = "Military Intelligence End User List";

pub fn load<R: Read>(file: &str, reader: R) -> Result<Loaded, crate::ScreenError> {
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
    let headers = super::headers(&mut rdr, file)?;
    let col = |n: &str| {
        headers
            .iter()
            .position(|h| String::from_utf8_lossy(h).trim().eq_ignore_ascii_case(n))
    };
    let Some(c_name) = col("Name") else {
        return Err(crate::ScreenError::format(
            file,
            "not a MIEU CSV: the header lacks 'Name'",
        ));
    };
    let (c_type, c_alias, c_country) = (col("Type"), col("Alias"), col("Country"));
    let (c_date, c_end) = (col("Date"), col("End date"));
    let mut out = Loaded::default();
    let mut rec = csv::ByteRecord::new();
    while let Some(row) = super::next_row(&mut rdr, &mut rec, file, Some(c_name + 1), &mut out) {
        let Some(line) = row else { continue };
        let get = |c: Option<usize>| super::field(&rec, c);
        let name = get(Some(c_name));
        if name.is_empty() {
            out.issues.push(RowIssue {
                file: file.into(),
                line,
                message: "empty Name".into(),
            });
            continue;
        }
        // An entry with an end date was removed from the list.
        if !get(c_end).is_empty() {
            continue;
        }
        let mut e = Entity::new(stable_id(LIST, &name), LIST, name);
        e.kind = match get(c_type).to_ascii_lowercase().as_str() {
            "person" | "individual" => "individual",
            "" => "",
            _ => "entity",
        }
        .into();
        for a in get(c_alias).split(';').map(str::trim) {
            if !a.is_empty() && a != e.name {
                e.aliases.push((a.to_string(), false));
            }
        }
        for c in get(c_country).split(';').map(str::trim) {
            if !c.is_empty() {
                e.countries.push(c.to_string());
            }
        }
        let date = get(c_date);
        if date.len() == 10 && date.as_str() < "2100" {
            super::note_published(&mut out, date);
        }
        out.rows += 1;
        out.entities.push(e);
    }
    if out.published.is_some() {
        out.published_basis = Some("newest listing date (Date) in the file".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mieu_rows_parse_with_aliases_country_and_newest_date() {
        let data = "Type,Name,Alias,Country,Topics,Program,Date,End date,Source URL\n\
                    Organization,Main Intelligence Directorate,GRU,RU,export.control,US-BIS-MIEU,2021-03-16,,https://x\n\
                    Organization,,X,CU,export.control,US-BIS-MIEU,2021-03-16,,\n\
                    Organization,Directorate of Signal,,MM,export.control,US-BIS-MIEU,2022-03-02,,\n\
                    Organization,Removed Bureau,,MM,export.control,US-BIS-MIEU,2021-03-16,2022-01-01,\n";
        let l = load("mieu.csv", data.as_bytes()).unwrap();
        assert_eq!(l.rows, 2);
        assert_eq!(l.issues.len(), 1);
        assert_eq!(l.issues[0].line, 3);
        let gru = &l.entities[0];
        assert_eq!(gru.list, LIST);
        assert_eq!(gru.id, stable_id(LIST, "Main Intelligence Directorate"));
        assert_eq!(gru.aliases, vec![("GRU".to_string(), false)]);
        assert_eq!(gru.countries, vec!["RU".to_string()]);
        assert_eq!(gru.kind, "entity");
        assert_eq!(l.published.as_deref(), Some("2022-03-02"));
        assert!(load("x.csv", &b"a,b\n1,2\n"[..]).is_err());
    }
}
