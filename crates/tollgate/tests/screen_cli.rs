//! End-to-end tests of the real binary: `tollgate screen` and `tollgate lists` (INTERFACES.md section 2).

use std::path::Path;
use std::process::Command;

fn tollgate(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_tollgate"))
        .args(args)
        .env_remove("TOLLGATE_LISTS")
        .output()
        .expect("run tollgate");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn bundled(file: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/lists")
        .join(file)
}

/// The 2019-2021 sample lists (bundled before issue 10), kept for the evaluation set: small
/// files in the formats the import tests exercise.
fn legacy(file: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/screening_eval/legacy_lists")
        .join(file)
}

#[test]
fn screen_json_names_the_sdn_entity_and_its_list_version() {
    let (code, out, err) = tollgate(&["screen", "Banco Nacional de Cuba", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let hit = &v["hits"][0];
    assert_eq!(hit["entity_id"], "306");
    assert_eq!(hit["list"], "SDN");
    assert_eq!(hit["score"], 1.0);
    assert!(hit["explanation"].as_str().unwrap().contains("banco"));
    assert_eq!(hit["list_file"], "sdn.csv");
    assert_eq!(v["lists"].as_array().unwrap().len(), 12);
}

#[test]
fn screen_json_names_the_entity_list_entry_with_its_licence_requirement() {
    let (code, out, err) = tollgate(&["screen", "Huawei Technologies Co., Ltd.", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let hit = v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["list"] == "Entity List")
        .expect("Entity List hit");
    assert_eq!(hit["entity_name"], "Huawei Technologies Co., Ltd.");
    assert_eq!(hit["list_file"], "entity_list.json");
    assert_eq!(hit["list_published"], "2026-07-09");
    assert!(hit["license_requirement"]
        .as_str()
        .unwrap()
        .starts_with("For all items subject to the EAR"));
    assert_eq!(hit["footnotes"], serde_json::json!(["1", "2"]));
}

#[test]
fn screen_table_explains_a_cyrillic_match() {
    let (code, out, err) = tollgate(&["screen", "Рособоронэкспорт", "--country", "RU"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("18782"), "{out}");
    assert!(out.contains("why:"), "{out}");
}

#[test]
fn unlisted_company_has_no_hits() {
    let (code, out, _) = tollgate(&["screen", "Microsoft Corporation", "--json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["hits"].as_array().unwrap().len(), 0);
}

#[test]
fn bad_threshold_and_country_are_invalid_input() {
    assert_eq!(tollgate(&["screen", "x", "--threshold", "1.5"]).0, 2);
    assert_eq!(tollgate(&["screen", "x", "--country", "Cuba"]).0, 2);
}

#[test]
fn batch_passes_columns_through_in_order_and_reports_bad_rows() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("customers.csv");
    std::fs::write(
        &input,
        "id,name,country,segment\n\
         c1,Banco Nacional de Cuba,CH,bank\n\
         c2,Siemens AG,DE,industrial\n\
         c3,broken\n\
         c4,Anglo Caribbean Company Limited,GB,trade\n\
         c5,,US,empty\n",
    )
    .unwrap();
    let (code, out, err) = tollgate(&["screen", "--batch", input.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "id,name,country,segment,match_id,match_name,match_list,score"
    );
    assert_eq!(lines.len(), 6);
    assert_eq!(
        lines[1],
        "c1,Banco Nacional de Cuba,CH,bank,306,BANCO NACIONAL DE CUBA,SDN,1.000"
    );
    assert_eq!(lines[2], "c2,Siemens AG,DE,industrial,,,,");
    assert!(
        lines[3].starts_with("c3,broken,") && lines[3].ends_with(",,,,"),
        "{}",
        lines[3]
    );
    assert!(
        lines[4].starts_with("c4,") && lines[4].contains(",173,"),
        "{}",
        lines[4]
    );
    assert_eq!(lines[5], "c5,,US,empty,,,,");
    assert!(err.contains("line 4"), "{err}");
    assert!(err.contains("line 6"), "{err}");
}

#[test]
fn batch_threshold_flag_is_applied() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("c.csv");
    std::fs::write(&input, "name\nAerocaribean Airlnes\n").unwrap();
    let (_, out, _) = tollgate(&["screen", "--batch", input.to_str().unwrap()]);
    assert!(out.lines().nth(1).unwrap().contains(",36,"), "{out}");
    let (_, out, _) = tollgate(&[
        "screen",
        "--batch",
        input.to_str().unwrap(),
        "--threshold",
        "0.99",
    ]);
    assert_eq!(out.lines().nth(1).unwrap(), "Aerocaribean Airlnes,,,,");
}

#[test]
fn batch_without_name_column_is_invalid() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("c.csv");
    std::fs::write(&input, "company\nx\n").unwrap();
    assert_eq!(
        tollgate(&["screen", "--batch", input.to_str().unwrap()]).0,
        2
    );
}

#[test]
fn lists_shows_every_bundled_file_with_its_digest() {
    let (code, out, err) = tollgate(&["lists", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let files: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["file"].as_str().unwrap())
        .collect();
    for f in [
        "sdn.csv",
        "alt.csv",
        "add.csv",
        "sdn_comments.csv",
        "entity_list.json",
        "meu.json",
        "dpl.json",
        "nscmic.json",
        "1260h.json",
        "mieu.csv",
        "UN_consolidated.xml",
        "csl.csv.gz",
    ] {
        assert!(files.contains(&f), "{files:?}");
    }
    assert!(v
        .as_array()
        .unwrap()
        .iter()
        .all(|x| { x["sha256"].as_str().unwrap().len() == 64 && x["published"].is_string() }));
    let csl = v
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["file"] == "csl.csv.gz")
        .unwrap();
    let el = csl["lists"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["list"] == "Entity List")
        .unwrap();
    assert_eq!(el["superseded_by"], "entity_list.json");
}

#[test]
fn lists_table_shows_each_list_with_its_date_and_what_replaced_stale_rows() {
    let (code, out, err) = tollgate(&["lists"]);
    assert_eq!(code, 0, "{err}");
    let line = |list: &str, file: &str| {
        out.lines()
            .find(|l| l.starts_with(list) && l.contains(file))
            .unwrap_or_else(|| panic!("{list} {file}: {out}"))
            .to_string()
    };
    let el = line("Entity List ", "entity_list.json");
    assert!(el.contains("2026-07-09") && el.contains("3409"), "{el}");
    let stale = line("Entity List ", "csl.csv.gz");
    assert!(stale.contains("superseded by entity_list.json"), "{stale}");
    let uvl = line("Unverified List", "csl.csv.gz");
    assert!(
        uvl.contains("2022-04-21") && !uvl.contains("superseded"),
        "{uvl}"
    );
    assert!(out.contains("alt.csv: 5749 rows"), "{out}");
}

#[test]
fn import_refuses_a_truncated_file_and_keeps_the_version_in_use() {
    let dir = tempfile::tempdir().unwrap();
    let lists = dir.path().join("lists");
    let lists_s = lists.to_str().unwrap();
    // A good CSL file first.
    let (code, out, err) = tollgate(&[
        "lists",
        "import",
        legacy("csl.csv").to_str().unwrap(),
        "--lists",
        lists_s,
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("115 rows"), "{out}");
    let before = std::fs::read(lists.join("csl.csv")).unwrap();

    // The same file cut mid-row, as an interrupted download leaves it.
    let text = std::fs::read_to_string(legacy("csl.csv")).unwrap();
    let cut = dir.path().join("csl.csv");
    let row_start = text[..text.len() * 2 / 3].rfind('\n').unwrap() + 1;
    std::fs::write(&cut, &text[..row_start + 30]).unwrap();
    let (code, _, err) = tollgate(&["lists", "import", cut.to_str().unwrap(), "--lists", lists_s]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("not imported"), "{err}");
    assert!(err.contains("stays in use"), "{err}");
    assert_eq!(std::fs::read(lists.join("csl.csv")).unwrap(), before);
    // No temp file left behind, and screening still uses the good version.
    let names: Vec<String> = std::fs::read_dir(&lists)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["csl.csv".to_string()]);
    let (code, out, _) = tollgate(&["lists", "--json", "--lists", lists_s]);
    assert_eq!(code, 0);
    assert!(out.contains("\"rows\": 115"), "{out}");

    // A well-formed file with far fewer rows looks like a truncated download: refused too.
    let short = dir.path().join("short").join("csl.csv");
    std::fs::create_dir_all(short.parent().unwrap()).unwrap();
    let head: Vec<&str> = text.lines().take(20).collect();
    std::fs::write(&short, head.join("\n") + "\n").unwrap();
    let (code, _, err) = tollgate(&[
        "lists",
        "import",
        short.to_str().unwrap(),
        "--lists",
        lists_s,
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--force"), "{err}");
    assert_eq!(std::fs::read(lists.join("csl.csv")).unwrap(), before);

    // Malformed XML is refused too.
    let bad = dir.path().join("UN_consolidated.xml");
    std::fs::write(&bad, "<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL>").unwrap();
    let (code, _, err) = tollgate(&["lists", "import", bad.to_str().unwrap(), "--lists", lists_s]);
    assert_eq!(code, 2, "{err}");
    assert!(!lists.join("UN_consolidated.xml").exists());
}

#[test]
fn screen_with_lists_dir_uses_only_those_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(legacy("dpl.txt"), dir.path().join("dpl.txt")).unwrap();
    let d = dir.path().to_str().unwrap();
    let (code, out, err) = tollgate(&["screen", "Banco Nacional de Cuba", "--json", "--lists", d]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["hits"].as_array().unwrap().len(), 0);
    assert_eq!(v["lists"].as_array().unwrap().len(), 1);
    let (code, out, _) = tollgate(&["screen", "Adrian Manuel Hernandez", "--json", "--lists", d]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["hits"][0]["list"], "Denied Persons List");
}

#[test]
fn import_detects_the_new_list_formats_and_keeps_gzip_compressed() {
    let dir = tempfile::tempdir().unwrap();
    let lists = dir.path().join("lists");
    let lists_s = lists.to_str().unwrap();
    for (file, rows) in [
        ("entity_list.json", "3409 rows"),
        ("csl.csv.gz", "14160 rows"),
    ] {
        let (code, out, err) = tollgate(&[
            "lists",
            "import",
            bundled(file).to_str().unwrap(),
            "--lists",
            lists_s,
        ]);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains(rows), "{out}");
        assert_eq!(
            std::fs::read(lists.join(file)).unwrap(),
            std::fs::read(bundled(file)).unwrap()
        );
    }
    // Without the manifest the CSL CSV has no date, so its Entity List rows are kept beside
    // the 2026 file; the same names still hit once per entry and file.
    let (code, out, err) = tollgate(&[
        "screen",
        "Huawei Technologies Co., Ltd.",
        "--json",
        "--lists",
        lists_s,
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .any(|h| h["list_file"] == "entity_list.json"));
}

#[test]
fn screen_help_states_the_default_threshold() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tollgate"))
        .args(["screen", "--help"])
        .output()
        .expect("run tollgate");
    let help = String::from_utf8_lossy(&out.stdout);
    let default = format!("default {:.2}", tollgate_screen::DEFAULT_THRESHOLD);
    assert!(help.contains(&default), "{help}");
}
