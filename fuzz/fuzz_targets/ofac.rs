//! Any bytes given to the OFAC loaders (sdn, alt, add, comments chosen by the first byte),
//! then merged and indexed: never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tollgate_screen::load::{load_bytes, Format};

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let format = [
        Format::OfacSdn,
        Format::OfacAlt,
        Format::OfacAdd,
        Format::OfacComments,
    ][sel as usize % 4];
    if let Ok(f) = load_bytes(format, "fuzz", rest) {
        assert_eq!(f.version.rows, f.entities.len());
        let s = tollgate_screen::Screener::build(vec![f]);
        let _ = s.screen(&tollgate_screen::Query::name("a"));
    }
});
