//! The download formats beyond the bundled files, from realistic fixtures: trade.gov CSL JSON,
//! OpenSanctions FollowTheMoney JSON lines and targets.simple.csv, each loaded from a directory.

use std::path::Path;
use tollgate_screen::{Query, Screener};

fn fixtures(dir: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(dir)
}

#[test]
fn opensanctions_files_load_and_hits_name_the_dataset() {
    let s = Screener::from_dir(&fixtures("opensanctions")).unwrap();
    assert_eq!(s.versions().len(), 2);
    let simple = s
        .versions()
        .iter()
        .find(|v| v.file == "targets.simple.csv")
        .unwrap();
    assert_eq!((simple.rows, simple.skipped), (2, 1));
    assert_eq!(simple.published.as_deref(), Some("2024-05-20T00:00:00"));
    let ftm = s
        .versions()
        .iter()
        .find(|v| v.file == "entities.ftm.json")
        .unwrap();
    assert_eq!((ftm.rows, ftm.skipped), (2, 1));
    assert!(s
        .issues()
        .iter()
        .any(|i| i.file == "entities.ftm.json" && i.line == 4));

    let h = &s.screen(&Query::name("Рособоронэкспорт"))[0];
    assert_eq!(h.entity_id, "NK-6ZdYeRYPZAKTzS9fB4CnWB");
    assert_eq!(h.list, "US OFAC Specially Designated Nationals (SDN) List");
    let h = &s.screen(&Query::name("华为技术有限公司"))[0];
    assert_eq!(
        (h.entity_id.as_str(), h.list.as_str()),
        ("NK-Huawei-1", "us_bis_entity_list")
    );
    let h = &s.screen(&Query::name("Igor Sechin"))[0];
    assert_eq!(h.entity_id, "Q1234567");
    assert_eq!(
        s.screen(&Query::name("Wise Honest"))[0].entity_kind,
        "vessel"
    );
}

#[test]
fn csl_json_loads_with_ids_lists_and_publication_date() {
    let s = Screener::from_dir(&fixtures("csl")).unwrap();
    let v = &s.versions()[0];
    assert_eq!((v.format.as_str(), v.rows), ("csl-json", 2));
    assert_eq!(v.published.as_deref(), Some("2024-05-30T12:00:00+00:00"));
    let h = &s.screen(&Query {
        name: "SMIC",
        country: Some("CN"),
        address: None,
    })[0];
    assert_eq!(h.entity_id, "bd1d8c0b1e1f4f0c8d0a5a3f8e6f2f1c0b9a8e7d");
    assert_eq!(h.list, "Entity List");
    let h = &s.screen(&Query::name("Aviation Industry Corp. of China"))[0];
    assert_eq!(h.list, "Military End User List");
}

#[test]
fn a_directory_without_list_files_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("README.md"), "no lists").unwrap();
    assert!(matches!(
        Screener::from_dir(dir.path()),
        Err(tollgate_screen::ScreenError::NoLists { .. })
    ));
}
