//! The bundled lists (data/lists/, issue 10): the 2026 Entity List names that the old sample
//! missed hit with their licence requirement and footnotes, stale CSL rows of the lists a newer
//! file covers are not screened, and 2025 OFAC alias rows without a 2023 sdn.csv record are
//! screenable entities of their own.

use std::sync::OnceLock;
use tollgate_screen::{Hit, Query, Screener};

fn bundled() -> &'static Screener {
    static S: OnceLock<Screener> = OnceLock::new();
    S.get_or_init(|| Screener::bundled().expect("bundled lists load"))
}

fn hits(name: &str) -> Vec<Hit> {
    bundled().screen(&Query::name(name))
}

/// The best hit on `list`, if any.
fn on(name: &str, list: &str) -> Option<Hit> {
    hits(name).into_iter().find(|h| h.list == list)
}

#[test]
fn huawei_hits_the_entity_list_with_its_licence_requirement_and_footnotes() {
    let h = on("Huawei Technologies Co., Ltd.", "Entity List").expect("Entity List hit");
    assert_eq!(h.entity_name, "Huawei Technologies Co., Ltd.");
    assert_eq!(h.score, 1.0);
    assert_eq!(h.list_file, "entity_list.json");
    assert_eq!(h.list_published.as_deref(), Some("2026-07-09"));
    assert_eq!(
        h.license_requirement.as_deref(),
        Some("For all items subject to the EAR, see §§ 734.9(e) and 744.11 of the EAR")
    );
    assert_eq!(h.footnotes, vec!["1".to_string(), "2".to_string()]);
    // The eCFR extract has no License Review Policy column.
    assert_eq!(h.license_policy, None);
    assert_eq!(h.countries, vec!["CN".to_string()]);
    // The entry's id is computable from the file: stable_id over the listed name.
    assert_eq!(
        h.entity_id,
        tollgate_screen::model::stable_id("Entity List", "Huawei Technologies Co., Ltd.")
    );
}

#[test]
fn chinese_ai_chip_parties_hit_the_entity_list() {
    for (query, listed) in [
        (
            "Semiconductor Manufacturing International Corporation",
            "Semiconductor Manufacturing International Corporation (SMIC)",
        ),
        (
            "SMIC",
            "Semiconductor Manufacturing International Corporation (SMIC)",
        ),
        ("Inspur Group", "Inspur Group Co., Ltd."),
        ("Dawning Information Industry", "Sugon"),
        (
            "Moore Threads",
            "Moore Thread Intelligent Technology (Beijing) Co., Ltd.",
        ),
    ] {
        let all = hits(query);
        let h = all
            .iter()
            .find(|h| h.list == "Entity List" && h.entity_name == listed)
            .unwrap_or_else(|| panic!("{query}: no Entity List hit on {listed}: {all:#?}"));
        assert!(h.license_requirement.is_some(), "{query}");
        assert_eq!(h.list_file, "entity_list.json", "{query}");
    }
    let smic = on(
        "Semiconductor Manufacturing International Corporation",
        "Entity List",
    )
    .unwrap();
    assert_eq!(smic.footnotes, vec!["5".to_string()]);
    let inspur = on("Inspur Group", "Entity List").unwrap();
    assert_eq!(inspur.footnotes, vec!["4".to_string()]);
}

#[test]
fn stale_csl_rows_of_newer_lists_are_dropped_and_the_others_kept() {
    let csl = bundled()
        .versions()
        .iter()
        .find(|v| v.file == "csl.csv.gz")
        .expect("csl.csv.gz");
    let by = |list: &str| {
        csl.lists
            .iter()
            .find(|l| l.list == list)
            .unwrap_or_else(|| panic!("{list}: {:?}", csl.lists))
            .superseded_by
            .clone()
    };
    assert_eq!(by("Entity List").as_deref(), Some("entity_list.json"));
    assert_eq!(by("Military End User List").as_deref(), Some("meu.json"));
    assert_eq!(by("Denied Persons List").as_deref(), Some("dpl.json"));
    assert_eq!(by("SDN").as_deref(), Some("sdn.csv"));
    assert_eq!(
        by("Non-SDN Chinese Military-Industrial Complex Companies List").as_deref(),
        Some("nscmic.json")
    );
    for kept in [
        "Unverified List",
        "ITAR Debarred",
        "Nonproliferation Sanctions",
        "Sectoral Sanctions Identifications List",
        "Palestinian Legislative Council List",
        "Capta List",
        "Non-SDN Menu-Based Sanctions List",
        "Foreign Sanctions Evaders",
    ] {
        assert_eq!(by(kept), None, "{kept}");
    }
    // An Entity List name of both files hits the 2026 file only.
    let all = hits("140 Repair Plant JSC");
    assert!(
        all.iter()
            .any(|h| h.list == "Entity List" && h.list_file == "entity_list.json"),
        "{all:#?}"
    );
    for h in &all {
        assert!(
            !(h.list_file == "csl.csv.gz"
                && matches!(
                    h.list.as_str(),
                    "Entity List" | "SDN" | "Denied Persons List" | "Military End User List"
                )),
            "{h:#?}"
        );
    }
    // The Unverified List comes only from the CSL: still screened.
    let uvl = on("Aelcomp OY", "Unverified List").expect("UVL hit");
    assert_eq!(uvl.list_file, "csl.csv.gz");
    assert_eq!(uvl.list_published.as_deref(), Some("2022-04-21"));
}

#[test]
fn a_2025_alias_without_a_2023_sdn_record_is_screenable() {
    // ent_num 56636 is in the 2025 alt.csv, not in the 2023 sdn.csv.
    let h = on("PETROFLEET ENERGY TRADING LLC", "SDN").expect("SDN hit");
    assert_eq!(h.entity_id, "56636");
    assert_eq!(h.entity_name, "PETROFLEET ENERGY TRADING LLC");
    assert_eq!(h.entity_kind, "");
    assert_eq!(h.list_file, "alt.csv");
    let alt = bundled()
        .versions()
        .iter()
        .find(|v| v.file == "alt.csv")
        .unwrap();
    assert_eq!(alt.unmatched, 5_749);
    let add = bundled()
        .versions()
        .iter()
        .find(|v| v.file == "add.csv")
        .unwrap();
    assert_eq!(add.unmatched, 9_503);
    // 2023 records keep their 2025 aliases.
    let h = on("National Bank of Cuba", "SDN").expect("alias hit");
    assert_eq!(h.entity_id, "306");
}

#[test]
fn other_new_lists_hit_under_their_own_names() {
    let h = on("Qihoo 360", "DoD 1260H List").expect("1260H hit");
    assert_eq!(h.list_file, "1260h.json");
    assert_eq!(h.license_requirement, None);
    assert!(on(
        "Main Intelligence Directorate",
        "Military Intelligence End User List"
    )
    .is_some());
    assert!(on(
        "Aerospace Communications Holdings Group Company Limited",
        "Non-SDN Chinese Military-Industrial Complex Companies List"
    )
    .is_some());
    assert!(on("AECC Aviation Power Co. Ltd.", "Military End User List").is_some());
    assert!(on("HELENE AGNESE", "Denied Persons List").is_some());
}

#[test]
fn bundle_figures() {
    let (entities, names) = bundled().len();
    println!("bundled: {entities} entities, {names} indexed names");
    assert!(entities > 20_000, "{entities}");
    assert!(
        bundled().issues().is_empty(),
        "{:?}",
        &bundled().issues()[..3.min(bundled().issues().len())]
    );
}
