//! Countries (ISO 3166-1 alpha-2) and the EAR country groups of Supp. No. 1 to Part 740, dated.

use crate::error::DataError;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// An ISO 3166-1 alpha-2 code, upper case. Validity against the ISO list is checked by [`Countries`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Iso2([u8; 2]);

impl Iso2 {
    /// Parses two ASCII letters (any case). Does not check that the code is assigned.
    pub fn parse(s: &str) -> Option<Self> {
        let b = s.trim().as_bytes();
        if b.len() == 2 && b[0].is_ascii_alphabetic() && b[1].is_ascii_alphabetic() {
            Some(Self([b[0].to_ascii_uppercase(), b[1].to_ascii_uppercase()]))
        } else {
            None
        }
    }
    pub const fn from_bytes(b: [u8; 2]) -> Self {
        Self(b)
    }
    pub fn as_str(&self) -> &str {
        // Both bytes are ASCII letters by construction.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }
    /// Dense index in 0..676, for bit sets.
    pub fn index(&self) -> usize {
        (self.0[0] - b'A') as usize * 26 + (self.0[1] - b'A') as usize
    }
}

impl fmt::Display for Iso2 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Iso2 {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Iso2 {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Iso2::parse(&s).ok_or_else(|| {
            serde::de::Error::custom(format!("'{s}' is not a two-letter ISO 3166-1 code"))
        })
    }
}

pub const US: Iso2 = Iso2(*b"US");

/// A set of countries as a 676-bit set: membership is one bit test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CountrySet([u64; 11]);

impl CountrySet {
    pub fn insert(&mut self, c: Iso2) {
        let i = c.index();
        self.0[i / 64] |= 1 << (i % 64);
    }
    pub fn contains(&self, c: Iso2) -> bool {
        let i = c.index();
        self.0[i / 64] & (1 << (i % 64)) != 0
    }
    pub fn iter(&self) -> impl Iterator<Item = Iso2> + '_ {
        (0..676usize)
            .filter(|i| self.0[i / 64] & (1 << (i % 64)) != 0)
            .map(|i| Iso2([b'A' + (i / 26) as u8, b'A' + (i % 26) as u8]))
    }
    pub fn len(&self) -> usize {
        self.0.iter().map(|w| w.count_ones() as usize).sum()
    }
    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|w| *w == 0)
    }
}

/// The country groups tollgate's rules refer to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Group {
    #[serde(rename = "A:5")]
    A5,
    #[serde(rename = "A:6")]
    A6,
    #[serde(rename = "D:1")]
    D1,
    #[serde(rename = "D:4")]
    D4,
    #[serde(rename = "D:5")]
    D5,
    #[serde(rename = "E:1")]
    E1,
    #[serde(rename = "E:2")]
    E2,
}

impl Group {
    pub const ALL: [Group; 7] = [
        Group::A5,
        Group::A6,
        Group::D1,
        Group::D4,
        Group::D5,
        Group::E1,
        Group::E2,
    ];
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.as_str() == s.trim())
    }
    pub fn as_str(&self) -> &'static str {
        match self {
            Group::A5 => "A:5",
            Group::A6 => "A:6",
            Group::D1 => "D:1",
            Group::D4 => "D:4",
            Group::D5 => "D:5",
            Group::E1 => "E:1",
            Group::E2 => "E:2",
        }
    }
    fn bit(&self) -> u8 {
        1 << (*self as u8)
    }
}

/// The groups each country belongs to on one date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupTable {
    members: Vec<u8>, // 676 entries, a bit per Group
}

impl GroupTable {
    pub fn groups_of(&self, c: Iso2) -> Vec<Group> {
        let m = self.members[c.index()];
        Group::ALL
            .into_iter()
            .filter(|g| m & g.bit() != 0)
            .collect()
    }
    pub fn is_in(&self, c: Iso2, g: Group) -> bool {
        self.members[c.index()] & g.bit() != 0
    }
    pub fn members_of(&self, g: Group) -> CountrySet {
        let mut s = CountrySet::default();
        for (i, m) in self.members.iter().enumerate() {
            if m & g.bit() != 0 {
                s.insert(Iso2([b'A' + (i / 26) as u8, b'A' + (i % 26) as u8]));
            }
        }
        s
    }
}

/// One dated change to a country's group membership.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupChange {
    pub date: NaiveDate,
    pub country: Iso2,
    pub group: Group,
    pub added: bool,
    pub citation: String,
}

/// ISO country names, aliases (HK -> CN) and dated group membership.
#[derive(Debug, Clone)]
pub struct Countries {
    names: BTreeMap<Iso2, String>,
    aliases: BTreeMap<Iso2, Iso2>,
    /// Membership as the snapshot file gives it (the latest state).
    snapshot: GroupTable,
    changes: Vec<GroupChange>,
}

impl Countries {
    /// Builds the country data from the ISO list, the group snapshot, the dated changes and the aliases (CSV texts).
    pub fn from_csv(
        iso: (&str, &str),
        groups: (&str, &str),
        changes: (&str, &str),
        aliases: (&str, &str),
    ) -> Result<Self, DataError> {
        let mut names = BTreeMap::new();
        for (line, rec) in csv_records(iso.0, iso.1)? {
            let code = field(&rec, 0, iso.0, line, "iso2")?;
            let c = Iso2::parse(code).ok_or_else(|| {
                DataError::new(
                    iso.0,
                    format!("line {line}: iso2"),
                    format!("'{code}' is not a two-letter code"),
                )
            })?;
            names.insert(c, field(&rec, 1, iso.0, line, "name")?.to_string());
        }
        let known = |file: &str, line: usize, code: &str| -> Result<Iso2, DataError> {
            let c = Iso2::parse(code).ok_or_else(|| {
                DataError::new(
                    file,
                    format!("line {line}: iso2"),
                    format!("'{code}' is not a two-letter code"),
                )
            })?;
            if names.contains_key(&c) {
                Ok(c)
            } else {
                Err(DataError::new(
                    file,
                    format!("line {line}: iso2"),
                    format!("'{code}' is not an ISO 3166-1 alpha-2 code"),
                ))
            }
        };
        let mut snapshot = GroupTable {
            members: vec![0; 676],
        };
        for (line, rec) in csv_records(groups.0, groups.1)? {
            let c = known(groups.0, line, field(&rec, 0, groups.0, line, "iso2")?)?;
            for g in field(&rec, 2, groups.0, line, "groups")?
                .split(';')
                .filter(|s| !s.trim().is_empty())
            {
                let g = Group::parse(g).ok_or_else(|| {
                    DataError::new(
                        groups.0,
                        format!("line {line}: groups"),
                        format!("unknown country group '{g}'"),
                    )
                })?;
                snapshot.members[c.index()] |= g.bit();
            }
        }
        let mut ch = Vec::new();
        for (line, rec) in csv_records(changes.0, changes.1)? {
            let d = field(&rec, 0, changes.0, line, "date")?;
            let date = NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|e| {
                DataError::new(
                    changes.0,
                    format!("line {line}: date"),
                    format!("'{d}': {e}"),
                )
            })?;
            let c = known(changes.0, line, field(&rec, 1, changes.0, line, "iso2")?)?;
            let g = field(&rec, 2, changes.0, line, "group")?;
            let group = Group::parse(g).ok_or_else(|| {
                DataError::new(
                    changes.0,
                    format!("line {line}: group"),
                    format!("unknown country group '{g}'"),
                )
            })?;
            let added = match field(&rec, 3, changes.0, line, "change")? {
                "added" => true,
                "removed" => false,
                other => {
                    return Err(DataError::new(
                        changes.0,
                        format!("line {line}: change"),
                        format!("'{other}' must be 'added' or 'removed'"),
                    ))
                }
            };
            let citation = field(&rec, 4, changes.0, line, "citation")?.to_string();
            ch.push(GroupChange {
                date,
                country: c,
                group,
                added,
                citation,
            });
        }
        ch.sort_by_key(|c| c.date);
        let mut al = BTreeMap::new();
        for (line, rec) in csv_records(aliases.0, aliases.1)? {
            let from = known(aliases.0, line, field(&rec, 0, aliases.0, line, "iso2")?)?;
            let to = known(
                aliases.0,
                line,
                field(&rec, 1, aliases.0, line, "treated_as")?,
            )?;
            al.insert(from, to);
        }
        Ok(Self {
            names,
            aliases: al,
            snapshot,
            changes: ch,
        })
    }

    /// Parses and validates a country code from input: it must be an assigned ISO code.
    pub fn parse(&self, s: &str) -> Option<Iso2> {
        Iso2::parse(s).filter(|c| self.names.contains_key(c))
    }

    pub fn name(&self, c: Iso2) -> Option<&str> {
        self.names.get(&c).map(String::as_str)
    }

    /// The country the EAR treats this one as (Hong Kong as China).
    pub fn canonical(&self, c: Iso2) -> Iso2 {
        self.aliases.get(&c).copied().unwrap_or(c)
    }

    /// The distinct dates on which membership changes; between two of them it is constant.
    pub fn change_dates(&self) -> Vec<NaiveDate> {
        let mut d: Vec<_> = self.changes.iter().map(|c| c.date).collect();
        d.dedup();
        d
    }

    pub fn changes(&self) -> &[GroupChange] {
        &self.changes
    }

    /// Group membership in force on `date`: the snapshot with every later change undone.
    pub fn groups_on(&self, date: NaiveDate) -> GroupTable {
        let mut t = self.snapshot.clone();
        for c in self.changes.iter().rev().take_while(|c| c.date > date) {
            let m = &mut t.members[c.country.index()];
            if c.added {
                *m &= !c.group.bit();
            } else {
                *m |= c.group.bit();
            }
        }
        t
    }
}

type Record = Vec<String>;

/// Minimal CSV reader for the small reference files (RFC 4180 quoting); outside data goes through
/// the `csv` crate in the screening crate instead.
pub(crate) fn csv_records(file: &str, text: &str) -> Result<Vec<(usize, Record)>, DataError> {
    let mut out = Vec::new();
    let mut rec: Record = Vec::new();
    let mut cur = String::new();
    let mut in_q = false;
    let mut line = 1usize;
    let mut start_line = 1usize;
    let mut chars = text.chars().peekable();
    let mut any = false;
    while let Some(ch) = chars.next() {
        any = true;
        if in_q {
            match ch {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    cur.push('"');
                }
                '"' => in_q = false,
                '\n' => {
                    line += 1;
                    cur.push('\n');
                }
                c => cur.push(c),
            }
            continue;
        }
        match ch {
            '"' => in_q = true,
            ',' => rec.push(std::mem::take(&mut cur)),
            '\r' => {}
            '\n' => {
                rec.push(std::mem::take(&mut cur));
                out.push((start_line, std::mem::take(&mut rec)));
                line += 1;
                start_line = line;
                any = false;
            }
            c => cur.push(c),
        }
    }
    if in_q {
        return Err(DataError::new(
            file,
            format!("line {start_line}"),
            "unterminated quoted field",
        ));
    }
    if any {
        rec.push(cur);
        out.push((start_line, rec));
    }
    // Drop the header and blank lines.
    Ok(out
        .into_iter()
        .skip(1)
        .filter(|(_, r)| !(r.len() == 1 && r[0].trim().is_empty()))
        .collect())
}

fn field<'a>(
    rec: &'a Record,
    i: usize,
    file: &str,
    line: usize,
    name: &str,
) -> Result<&'a str, DataError> {
    rec.get(i)
        .map(|s| s.trim())
        .ok_or_else(|| DataError::new(file, format!("line {line}: {name}"), "missing column"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_reader_handles_quotes_and_crlf() {
        let r = csv_records("t.csv", "a,b\r\n\"x,1\",\"say \"\"hi\"\"\"\r\n").unwrap();
        assert_eq!(
            r,
            vec![(2, vec!["x,1".to_string(), "say \"hi\"".to_string()])]
        );
    }

    #[test]
    fn unterminated_quote_names_the_line() {
        let e = csv_records("t.csv", "a\n\"oops\n").unwrap_err();
        assert_eq!(e.key, "line 2");
    }

    #[test]
    fn iso2_rejects_non_letters() {
        assert!(Iso2::parse("C1").is_none());
        assert!(Iso2::parse("CHN").is_none());
        assert_eq!(Iso2::parse("cn").unwrap().as_str(), "CN");
    }

    #[test]
    fn country_set_bits() {
        let mut s = CountrySet::default();
        s.insert(Iso2::parse("ZZ").unwrap());
        s.insert(Iso2::parse("AA").unwrap());
        assert!(s.contains(Iso2::parse("ZZ").unwrap()));
        assert!(!s.contains(Iso2::parse("CN").unwrap()));
        assert_eq!(s.len(), 2);
        assert_eq!(
            s.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
            vec!["AA", "ZZ"]
        );
    }
}
