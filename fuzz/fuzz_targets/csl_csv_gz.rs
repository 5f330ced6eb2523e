//! Any bytes given to the gzip CSL loader: an error or rows with issues, never a panic or a
//! loop on a corrupt stream.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tollgate_screen::load::{load_bytes, Format};

fuzz_target!(|data: &[u8]| {
    if let Ok(f) = load_bytes(Format::CslCsvGz, "fuzz", data) {
        assert_eq!(f.version.rows, f.entities.len());
        assert_eq!(f.version.skipped, f.issues.len());
    }
});
