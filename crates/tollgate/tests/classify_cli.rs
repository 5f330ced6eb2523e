//! End-to-end tests of the real binary: `tollgate classify`, `chips` and `regs` (INTERFACES.md section 1).

use std::process::Command;

fn tollgate(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_tollgate"))
        .args(args)
        .output()
        .expect("run tollgate");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json(args: &[&str]) -> serde_json::Value {
    let (code, out, err) = tollgate(args);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).expect("one JSON object")
}

#[test]
fn classify_h200_json_matches_the_contract() {
    let v = json(&["classify", "H200", "--json", "--as-of", "2026-02-01"]);
    assert_eq!(v["chip"], "nvidia-h200-sxm");
    assert_eq!(v["as_of"], "2026-02-01");
    assert_eq!(v["regulation"], "2026-01-15");
    assert_eq!(v["tpp"], 15832);
    assert_eq!(v["performance_density"], 19.45);
    assert_eq!(v["dram_bandwidth_gbs"], 4800);
    assert_eq!(v["eccn"], "3A090.a");
    assert_eq!(v["ai_commodity_2026"], true);
    let reasons = v["reasons"].as_array().unwrap();
    assert!(!reasons.is_empty());
    for r in reasons {
        assert!(r["rule"].as_str().is_some_and(|s| !s.is_empty()));
        assert!(r["citation"]
            .as_str()
            .is_some_and(|s| s.contains("CFR") || s.contains("FR") || s.contains("Proclamation")));
        assert!(r["message"].as_str().is_some_and(|s| !s.is_empty()));
    }
}

#[test]
fn classify_h200_on_2025_06_01_is_not_an_ai_commodity() {
    let v = json(&[
        "classify",
        "nvidia-h200-sxm",
        "--json",
        "--as-of",
        "2025-06-01",
    ]);
    assert_eq!(v["ai_commodity_2026"], false);
    assert_eq!(v["eccn"], "3A090.a");
}

#[test]
fn aliases_match_case_insensitively() {
    assert_eq!(
        json(&["classify", "nvidia h200", "--json", "--as-of", "2026-02-01"])["chip"],
        "nvidia-h200-sxm"
    );
    assert_eq!(
        json(&["classify", "mi325x", "--json", "--as-of", "2026-02-01"])["tpp"],
        20919
    );
}

#[test]
fn unknown_chip_exits_2_and_lists_the_closest_ids() {
    let (code, _, err) = tollgate(&["classify", "H2OO", "--as-of", "2026-02-01"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("unknown chip") && err.contains("nvidia-h20"),
        "{err}"
    );
}

#[test]
fn bad_date_exits_2_naming_the_field() {
    let (code, _, err) = tollgate(&["classify", "H200", "--as-of", "2026-13-01"]);
    assert_eq!(code, 2);
    assert!(err.contains("--as-of"), "{err}");
    let (code, _, err) = tollgate(&["classify", "H200", "--as-of", "2020-01-01"]);
    assert_eq!(code, 2);
    assert!(err.contains("no regulation pack"), "{err}");
}

#[test]
fn inline_specs_classify_like_the_catalog_chip() {
    let dir = std::env::temp_dir().join(format!("tollgate-specs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("specs.json");
    std::fs::write(
        &f,
        r#"{"name": "Acme X1", "vendor": "Acme", "dense_tops": {"fp8": 1979, "fp16": 989.5, "int8": 1979},
            "die_area_mm2": 814, "dram_bandwidth_gbs": 4800, "dram_gb": 141, "us_available_from": "2025-01-01"}"#,
    )
    .unwrap();
    let v = json(&[
        "classify",
        "--specs",
        f.to_str().unwrap(),
        "--json",
        "--as-of",
        "2026-02-01",
    ]);
    assert_eq!(v["chip"], "Acme X1");
    assert_eq!(v["tpp"], 15832);
    assert_eq!(v["eccn"], "3A090.a");
    assert_eq!(v["ai_commodity_2026"], true);
    std::fs::write(&f, r#"{"name": "bad", "dense_tops": {"fp7": 10}}"#).unwrap();
    let (code, _, err) = tollgate(&[
        "classify",
        "--specs",
        f.to_str().unwrap(),
        "--as-of",
        "2026-02-01",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("dense_tops.fp7"), "{err}");
    std::fs::write(&f, r#"{"name": "bad", "dense_tops": {"fp8": -10}}"#).unwrap();
    let (code, _, err) = tollgate(&[
        "classify",
        "--specs",
        f.to_str().unwrap(),
        "--as-of",
        "2026-02-01",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("dense_tops.fp8"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn chips_lists_the_catalog_sorted_by_tpp_and_filters_by_vendor() {
    let (code, out, _) = tollgate(&["chips", "--as-of", "2026-02-01", "--vendor", "amd"]);
    assert_eq!(code, 0);
    let ids: Vec<&str> = out
        .lines()
        .skip(2)
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(
        ids,
        vec![
            "amd-mi355x",
            "amd-mi300x",
            "amd-mi325x",
            "amd-mi250x",
            "amd-mi308x"
        ]
    );
}

#[test]
fn regs_lists_every_pack_and_diffs_two_dates() {
    let (code, out, _) = tollgate(&["regs"]);
    assert_eq!(code, 0);
    for p in [
        "2022-10-07",
        "2023-11-17",
        "2024-12-02",
        "2025-01-13",
        "2025-05-13",
        "2025-09-29",
        "2025-11-10",
        "2026-01-15",
        "2026-11-10",
    ] {
        assert!(out.contains(p), "{p} missing");
    }
    let (code, out, _) = tollgate(&["regs", "diff", "2024-06-01", "2026-02-01"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("742.6-b10-2026-case-by-case") && out.contains("band1"),
        "{out}"
    );
    let v = json(&["regs", "diff", "2025-06-01", "2026-02-01", "--json"]);
    assert_eq!(v["to_pack"], "2026-01-15");
}

#[test]
fn a_malformed_data_directory_is_a_clear_error() {
    let dir = std::env::temp_dir().join(format!("tollgate-data-{}", std::process::id()));
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data");
    std::fs::create_dir_all(dir.join("packs/controls")).unwrap();
    for sub in ["packs", "packs/controls"] {
        for e in std::fs::read_dir(src.join(sub)).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "toml") {
                std::fs::copy(&p, dir.join(sub).join(p.file_name().unwrap())).unwrap();
            }
        }
    }
    for f in [
        "chips.toml",
        "iso3166.csv",
        "country_groups.csv",
        "country_group_changes.csv",
        "country_aliases.csv",
    ] {
        std::fs::copy(src.join(f), dir.join(f)).unwrap();
    }
    let pack = std::fs::read_to_string(src.join("packs/2026-01-15.toml"))
        .unwrap()
        .replace("ratio = \"0.5\"", "ratio = \"1.5\"");
    std::fs::write(dir.join("packs/2026-01-15.toml"), pack).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_tollgate"))
        .args(["classify", "H200"])
        .env("TOLLGATE_DATA", &dir)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(0));
    assert!(
        err.contains("2026-01-15.toml") && err.contains("volume_cap.ratio"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn an_unknown_vendor_is_invalid_input_naming_the_vendors() {
    let (code, out, err) = tollgate(&["chips", "--vendor", "nvidai"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("--vendor: no chips of vendor 'nvidai' in the catalog; vendors: ")
            && err.contains("nvidia"),
        "{err}"
    );
    let (code, out, _) = tollgate(&["chips", "--vendor", "NVIDIA"]);
    assert_eq!(code, 0);
    assert!(out.contains("nvidia-h200-sxm"), "{out}");
}

#[test]
fn missing_or_oversized_input_files_are_invalid_input_naming_the_path() {
    let (code, _, err) = tollgate(&["classify", "--specs", "no-such-specs.json"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("--specs: cannot read no-such-specs.json"),
        "{err}"
    );
    let (code, _, err) = tollgate(&["check", "no-such-order.json"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("order: cannot read no-such-order.json"),
        "{err}"
    );
    // An endless input is cut at the bound, not read into memory.
    if std::path::Path::new("/dev/zero").exists() {
        let (code, _, err) = tollgate(&["check", "/dev/zero"]);
        assert_eq!(code, 2, "{err}");
        assert!(
            err.contains("order: /dev/zero is larger than 16 MiB"),
            "{err}"
        );
    }
}

#[cfg(unix)]
#[test]
fn output_into_a_closed_pipe_ends_quietly() {
    use std::io::Read;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_tollgate"))
        .args(["regs", "show", "2026-02-01"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run tollgate");
    // Read one byte, then close the pipe, as `| head -c 1` does.
    let mut stdout = child.stdout.take().expect("stdout");
    let mut one = [0u8; 1];
    stdout.read_exact(&mut one).expect("some output");
    drop(stdout);
    let mut err = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut err)
        .expect("stderr");
    child.wait().expect("exit");
    assert!(!err.contains("panicked"), "{err}");
}
