//! Embeds every regulation pack in `data/packs/` so the binary works offline from any directory;
//! a new pack is a new data file, with no Rust to edit.
use std::{env, fs, path::Path};

fn main() {
    // Read at run time: a build script compiled for one checkout may be run for another that
    // shares the target directory.
    let manifest = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let data = Path::new(&manifest).join("../../data");
    println!("cargo:rerun-if-changed={}", data.display());
    let packs_dir = data.join("packs");
    println!("cargo:rerun-if-changed={}", packs_dir.display());
    let toml_files = |dir: &Path| -> Vec<std::path::PathBuf> {
        let mut v: Vec<_> = fs::read_dir(dir)
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    };
    let controls_dir = packs_dir.join("controls");
    println!("cargo:rerun-if-changed={}", controls_dir.display());
    // Control files (rules several packs include) are named `controls/<name>.toml`.
    let packs: Vec<(String, std::path::PathBuf)> = toml_files(&packs_dir)
        .into_iter()
        .map(|p| (file_name(&p), p))
        .chain(
            toml_files(&controls_dir)
                .into_iter()
                .map(|p| (format!("controls/{}", file_name(&p)), p)),
        )
        .collect();
    assert!(
        !packs.is_empty(),
        "data/packs must hold the regulation packs"
    );
    let mut out = String::from("/// Every bundled regulation pack: (file name, text).\npub const PACKS: &[(&str, &str)] = &[\n");
    for (name, p) in &packs {
        let abs = fs::canonicalize(p).expect("pack path");
        out.push_str(&format!(
            "    ({name:?}, include_str!({:?})),\n",
            abs.display().to_string()
        ));
    }
    out.push_str("];\n");
    let dest = Path::new(&env::var("OUT_DIR").expect("OUT_DIR")).join("bundled_packs.rs");
    fs::write(dest, out).expect("write bundled_packs.rs");
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .and_then(|n| n.to_str())
        .expect("utf-8 pack file name")
        .to_string()
}
