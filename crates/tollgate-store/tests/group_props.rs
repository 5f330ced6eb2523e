//! Property: a group commit decides every request exactly as the same requests sent one after
//! another would be decided (same shipments and ids, same refusals, same licence and cap
//! state afterwards, the same answers to replayed idempotency keys), on two fresh SQLite stores.

mod common;

use common::*;
use proptest::prelude::*;
use tollgate_store::*;

async fn setup() -> Db {
    let db = Db::sqlite().await;
    let s = &db.store;
    // L1 to China under the cap (US 200 units allow 100), L2 to Singapore with 60 units.
    customer_and_licence(s, "CN", "L1", "nvidia-h200-sxm", 150, "100000000.00").await;
    customer_and_licence(s, "SG", "L2", "nvidia-h200-sxm", 60, "3000.00").await;
    domestic(s, "nvidia-h200-sxm", 200).await;
    db
}

fn outcome(r: &Result<Vec<ExportShipment>>) -> String {
    match r {
        Ok(v) => format!("{v:?}"),
        Err(StoreError::Refused(x)) => format!("refused {x:?}"),
        Err(StoreError::Invalid { field, message }) => format!("invalid {field}: {message}"),
        Err(e) => panic!("database error: {e}"),
    }
}

async fn state(s: &SqlStore) -> (i64, i64, String, i64, usize) {
    let l1 = s.licence("L1").await.unwrap().unwrap();
    let l2 = s.licence("L2").await.unwrap().unwrap();
    let cap = s.cap("nvidia", "h200", d("2026-03-01")).await.unwrap();
    (
        l1.drawn_units,
        l2.drawn_units,
        l2.drawn_value_usd.to_string(),
        cap.china_macau_units,
        s.export_shipment_ids().await.unwrap().len(),
    )
}

/// Whether the request carries an idempotency key, and its shipments: (licence L1/L2/L9,
/// units 0..40 (0 is invalid), value in dollars).
type Req = (bool, Vec<(u8, i64, i64)>);

fn requests() -> impl Strategy<Value = Vec<Req>> {
    prop::collection::vec(
        (
            any::<bool>(),
            prop::collection::vec((0u8..3, 0i64..40, 1i64..400), 1..4),
        ),
        1..14,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
    #[test]
    fn a_group_decides_like_the_same_requests_one_after_another(reqs in requests()) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let items: Vec<Vec<NewExport>> = reqs
                .iter()
                .map(|(_, r)| {
                    r.iter()
                        .map(|(l, n, v)| {
                            let lic = ["L1", "L2", "L9"][*l as usize];
                            export(lic, *n, &format!("{v}.00"), "2026-02-15", Some(h200_report((*n).max(1))))
                        })
                        .collect()
                })
                .collect();
            let ctxs: Vec<WriteCtx> = reqs
                .iter()
                .enumerate()
                .map(|(k, (keyed, _))| {
                    WriteCtx::new(format!("a{k}")).with_key(keyed.then(|| format!("key-{k}")))
                })
                .collect();
            let (one, group) = (setup().await, setup().await);
            // Twice: the second round replays every keyed request and repeats the others.
            for round in 0..2 {
                let mut serial = Vec::new();
                for (c, it) in ctxs.iter().zip(&items) {
                    serial.push(outcome(&one.store.ship_exports(c, it.clone()).await));
                }
                let refs: Vec<(&WriteCtx, &[NewExport])> =
                    ctxs.iter().zip(&items).map(|(c, i)| (c, i.as_slice())).collect();
                let grouped: Vec<String> =
                    group.store.ship_export_group(&refs).await.unwrap().iter().map(outcome).collect();
                assert_eq!(grouped, serial, "round {round}");
                assert_eq!(state(&group.store).await, state(&one.store).await, "round {round}");
            }
            assert!(group.store.verify_audit().await.unwrap().first_bad.is_none());
        });
    }
}
