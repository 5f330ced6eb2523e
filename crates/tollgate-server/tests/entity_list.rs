//! `POST /v1/check` of H200 orders to Entity-Listed Chinese parties on 2026-02-01 (in-process
//! router, bundled packs and 2026 lists): licence required under the entry's presumption of
//! denial, never the 2026 case-by-case path (issue 10).

mod common;

use serde_json::{json, Value};

fn order(name: &str) -> Value {
    json!({
        "id": "PO-API-EL", "date": "2026-02-01", "exporter": "acme",
        "items": [{"chip": "nvidia-h200-sxm", "quantity": 1000,
                   "unit_price": {"amount": "31000.00", "currency": "USD"}}],
        "parties": {
            "ultimate_consignee": {"name": name, "country": "CN"},
            "end_user": {"name": name, "country": "CN", "headquarters": "CN"}
        },
        "certifications": {
            "us_commercially_available": true, "us_supply_sufficient": true,
            "no_foundry_diversion": true, "kyc_remote_access_safeguards": true,
            "third_party_testing": true, "us_units_shipped": 250000
        }
    })
}

/// `footnote` is the start of the words the entry's footnote marker brings (the bundled eCFR
/// extract gives Huawei footnote 1, SMIC footnote 5); the extract has no review policy column, so
/// the reason says the pack's presumption of denial is assumed.
fn assert_listed_and_denied(d: &Value, name: &str, footnote: &str) {
    assert_eq!(d["regulation"], "2026-01-15", "{d:#}");
    assert_eq!(d["verdict"], "license_required", "{d:#}");
    assert_eq!(d["review_policy"], "presumption_of_denial", "{d:#}");
    assert_eq!(d["items"][0]["review_policy"], "presumption_of_denial");
    assert_eq!(d["obligations"], json!([]));
    let reasons = d["reasons"].as_array().unwrap();
    let end_user = reasons
        .iter()
        .filter(|r| r["rule"] == "744.11-entity-list")
        .map(|r| {
            assert_eq!(r["citation"], "15 CFR 744.11; 15 CFR Part 744, Supp. No. 4");
            r["message"].as_str().unwrap()
        })
        .find(|m| m.starts_with(&format!("end_user '{name}' matches '")))
        .unwrap_or_else(|| panic!("no Entity List reason for the end user: {d:#}"));
    assert!(
        end_user.contains("' on the Entity List (id ")
            && end_user.contains(
                "): licence required, presumption_of_denial: the party is on the Entity List: a \
                 licence is required for the items its entry's licence requirement names, reviewed \
                 under the entry's review policy, or with a presumption of denial where the entry \
                 states none; the entry's licence requirement: \"For all items subject to the EAR"
            )
            && end_user.contains(footnote)
            && end_user.ends_with(
                "; the list entry states no review policy; presumption of denial assumed (the eCFR \
                 extract carries the licence requirement only)"
            ),
        "{end_user}"
    );
    assert!(
        !reasons.iter().any(|r| r["message"]
            .as_str()
            .unwrap()
            .contains("licence required, case_by_case")),
        "{d:#}"
    );
}

#[tokio::test]
async fn check_of_an_h200_to_huawei_or_smic_is_licence_required_under_the_entity_list() {
    let e = common::env().await;
    for (name, footnote) in [
        (
            "Huawei Technologies Co., Ltd.",
            "; footnote 1: Entity List foreign direct product rule: ",
        ),
        (
            "Semiconductor Manufacturing International Corporation",
            "; footnote 5: Entity List foreign direct product rule for semiconductor manufacturing items: ",
        ),
    ] {
        let d = e.ok("/v1/check", &e.acme, order(name)).await;
        assert_listed_and_denied(&d, name, footnote);
    }
    // The same order to an unlisted cloud takes the 2026 case-by-case path, once the exporter's
    // ledger (which the server decides the cap on) holds the US end-use units.
    e.ok(
        "/v1/shipments/domestic",
        &e.acme,
        json!({"chip": "h200", "quantity": 250000, "date": "2026-01-20"}),
    )
    .await;
    let d = e
        .ok("/v1/check", &e.acme, order("Example Cloud Co., Ltd."))
        .await;
    assert_eq!(d["review_policy"], "case_by_case", "{d:#}");
}

/// The evasions of issue 10 through the API: look-alike Cyrillic letters in a Latin name, the
/// Traditional-Chinese spelling of a Chinese name, zero-width characters and digits for letters.
/// Each must reach the listed party, so the order is never `no_license_required` or
/// `case_by_case`.
#[tokio::test]
async fn disguised_names_of_listed_parties_reach_their_entries() {
    let e = common::env().await;
    // Cyrillic В and Р inside "ROSOBORONEKSPORT": the SDN entry, so prohibited.
    let d = e
        .ok("/v1/check", &e.acme, order("ROSOВORONEKSРORT OAO"))
        .await;
    assert_eq!(d["verdict"], "prohibited", "{d:#}");
    // Zero-width spaces between letters and a Cyrillic С: still the SDN entry.
    let d = e
        .ok(
            "/v1/check",
            &e.acme,
            order("B\u{200B}ANCO NACIONAL DE \u{0421}UBA"),
        )
        .await;
    assert_eq!(d["verdict"], "prohibited", "{d:#}");
    // Huawei's registered name in Traditional characters (the table of Chinese names gives it
    // in Simplified ones) and in digits for letters: the Entity List entry.
    for name in ["華為技術有限公司", "HUAW3I TECHN0L0GIES CO., LTD."] {
        let d = e.ok("/v1/check", &e.acme, order(name)).await;
        assert_eq!(d["verdict"], "license_required", "{name}: {d:#}");
        assert_eq!(d["review_policy"], "presumption_of_denial", "{name}: {d:#}");
    }
}
