//! Any bytes given to the OpenSanctions loaders (FtM JSON lines or targets.simple.csv, chosen by
//! the first byte): never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tollgate_screen::load::{load_bytes, Format};

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let format = if sel % 2 == 0 {
        Format::FtmJson
    } else {
        Format::OpenSanctionsCsv
    };
    if let Ok(f) = load_bytes(format, "fuzz", rest) {
        assert_eq!(f.version.rows, f.entities.len());
    }
});
