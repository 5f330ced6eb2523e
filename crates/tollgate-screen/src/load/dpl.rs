//! BIS Denied Persons List: tab-separated, every field quoted, header row
//! (`Name, Street_Address, City, State, Country, Postal_Code, Effective_Date, ...`).

use crate::model::{stable_id, Entity, Loaded, RowIssue};
use std::io::Read;

pub const LIST: &str = "Denied Persons List";

pub fn load<R: Read>(file: &str, reader: R) -> Result<Loaded, crate::ScreenError> {
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(b'\t')
        .flexible(true)
        .from_reader(reader);
    let headers = super::headers(&mut rdr, file)?;
    let col = |n: &str| {
        headers
            .iter()
            .position(|h| h.eq_ignore_ascii_case(n.as_bytes()))
    };
    let Some(c_name) = col("Name") else {
        return Err(crate::ScreenError::format(
            file,
            "not a DPL file: the header lacks 'Name'",
        ));
    };
    let cols: Vec<Option<usize>> = ["Street_Address", "City", "State", "Postal_Code"]
        .iter()
        .map(|n| col(n))
        .collect();
    let (c_country, c_updated) = (col("Country"), col("Last_Update"));
    let mut out = Loaded::default();
    let mut rec = csv::ByteRecord::new();
    while let Some(row) = super::next_row(&mut rdr, &mut rec, file, Some(headers.len()), &mut out) {
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
        let mut e = Entity::new(stable_id(LIST, &name), LIST, name);
        let addr = cols
            .iter()
            .map(|c| get(*c))
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(", ");
        if !addr.is_empty() {
            e.addresses.push(addr);
        }
        let country = get(c_country);
        // US addresses often leave Country empty: a US state code means US.
        if !country.is_empty() {
            e.countries.push(country);
        }
        let updated = get(c_updated);
        // The real file has a "3017-08-22" typo: a date past 2100 is not a publication date.
        if updated.len() == 10 && updated.as_str() < "2100" {
            super::note_published(&mut out, updated);
        }
        out.rows += 1;
        out.entities.push(e);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dpl_rows_parse_with_newest_update_as_publication() {
        let data = "\"Name\"\t\"Street_Address\"\t\"City\"\t\"State\"\t\"Country\"\t\"Postal_Code\"\t\"Last_Update\"\n\
                    \" ADRIAN MANUEL HERNANDEZ\"\t\"3037 S. 69TH DRIVE\"\t\"PHONEIX\"\t\"AZ\"\t\"\"\t\"85043\"\t\"2017-10-23\"\n\
                    \"ACME\"\t\"x\"\n\
                    \"JOHN X\"\t\"1 ROAD\"\t\"TORONTO\"\t\"ON\"\t\"CA\"\t\"M1\"\t\"2019-01-02\"\n";
        let l = load("dpl.txt", data.as_bytes()).unwrap();
        assert_eq!(l.rows, 2);
        assert_eq!(l.issues.len(), 1);
        assert_eq!(l.issues[0].line, 3);
        assert_eq!(l.published.as_deref(), Some("2019-01-02"));
        assert_eq!(l.entities[0].name, "ADRIAN MANUEL HERNANDEZ");
    }
}
