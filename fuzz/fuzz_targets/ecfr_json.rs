//! Any bytes given to the eCFR-extract JSON loader (Entity List, MEU, DPL, NS-CMIC and 1260H
//! formats, chosen by the first byte), then indexed and screened: an error or rows with
//! issues, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tollgate_screen::load::{load_bytes, Format};

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let format = [
        Format::EntityListJson,
        Format::MeuJson,
        Format::DplJson,
        Format::NsCmicJson,
        Format::Dod1260hJson,
    ][sel as usize % 5];
    if let Ok(f) = load_bytes(format, "fuzz", rest) {
        assert_eq!(f.version.rows, f.entities.len());
        let s = tollgate_screen::Screener::build(vec![f]);
        let _ = s.screen(&tollgate_screen::Query::name("a"));
    }
});
