//! Business rules an exporter could game (issue 12), on SQLite and PostgreSQL: a test report
//! covers its units once across all shipments and must measure the chip it names; US end-use
//! units dated after a shipment do not count toward its cap and cannot be dated far ahead; a
//! customs value far below the declared value on a dutiable chip needs a stated reason. Every
//! refusal names the field and the problem and changes nothing.

mod common;

use common::*;
use tollgate_store::*;

both!(
    a_report_covers_its_units_tested_across_all_shipments,
    a_report_id_reused_with_other_contents_is_refused,
    a_report_measuring_tpp_1_for_an_h200_is_refused,
    us_units_dated_after_the_shipment_do_not_count_toward_its_cap,
    a_domestic_shipment_dated_more_than_a_day_ahead_is_refused,
    a_low_customs_value_on_a_dutiable_chip_needs_a_reason_and_the_statement_shows_it,
);

fn refusal(e: &StoreError) -> &Refusal {
    match e {
        StoreError::Refused(Refusal::InBatch { inner, .. }) => inner,
        StoreError::Refused(r) => r,
        other => panic!("expected a refusal, got {other}"),
    }
}

/// What a refusal must leave as it was.
async fn state(s: &SqlStore) -> (i64, Vec<i64>, i64) {
    let r = s.verify_audit().await.unwrap();
    assert!(r.first_bad.is_none(), "{r:?}");
    let l = s.licence("L1").await.unwrap().map(|l| l.drawn_units);
    (
        r.entries,
        s.export_shipment_ids().await.unwrap(),
        l.unwrap_or(-1),
    )
}

async fn a_report_covers_its_units_tested_across_all_shipments(db: Db) {
    let s = &db.store;
    customer_and_licence(s, "DE", "L1", "nvidia-h200-sxm", 1000, "1000000.00").await;
    let r = with_id(h200_report(100), "EL-2026-0042");
    let ship = |n: i64| export("L1", n, "100.00", "2026-02-15", Some(r.clone()));
    s.ship_exports(&ctx(), vec![ship(60)])
        .await
        .expect("60 of 100");
    let before = state(s).await;
    let e = s.ship_exports(&ctx(), vec![ship(41)]).await.unwrap_err();
    assert_eq!(
        refusal(&e),
        &Refusal::TestReportExhausted {
            report_id: "EL-2026-0042".into(),
            units_tested: 100,
            units_used: 60,
            requested: 41,
        }
    );
    let msg = e.to_string();
    assert!(
        msg.contains("test-report.units_tested")
            && msg.contains("EL-2026-0042")
            && msg.contains("60"),
        "{msg}"
    );
    assert_eq!(state(s).await, before, "a refusal changes nothing");
    // Within one batch the items count together, and a refused batch leaves no use behind.
    let e = s
        .ship_exports(&ctx(), vec![ship(30), ship(11)])
        .await
        .unwrap_err();
    assert!(matches!(
        e,
        StoreError::Refused(Refusal::InBatch { index: 1, .. })
    ));
    assert_eq!(state(s).await, before);
    // Exactly the rest: accepted, then nothing more.
    s.ship_exports(&ctx(), vec![ship(30), ship(10)])
        .await
        .expect("to exactly 100");
    let e = s.ship_exports(&ctx(), vec![ship(1)]).await.unwrap_err();
    assert_eq!(refusal(&e).rule(), "test-report-units-used-up");
    // Another licence, another shipment: the report is still used up.
    customer_and_licence(s, "SG", "L2", "nvidia-h200-sxm", 1000, "1000000.00").await;
    let e = s
        .ship_exports(
            &ctx(),
            vec![export("L2", 1, "1.00", "2026-02-15", Some(r.clone()))],
        )
        .await
        .unwrap_err();
    assert_eq!(refusal(&e).rule(), "test-report-units-used-up");
    // Concurrent writers on one report never ship more than it covers.
    let r2 = with_id(h200_report(50), "EL-2026-0043");
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let (s, r2) = (s.clone(), r2.clone());
        tasks.push(tokio::spawn(async move {
            let mut ok = 0;
            for _ in 0..3 {
                match s
                    .ship_exports(
                        &ctx(),
                        vec![export("L2", 2, "1.00", "2026-02-15", Some(r2.clone()))],
                    )
                    .await
                {
                    Ok(_) => ok += 2,
                    Err(StoreError::Refused(r)) => {
                        assert_eq!(r.rule(), "test-report-units-used-up")
                    }
                    Err(other) => panic!("{other}"),
                }
            }
            ok
        }));
    }
    let mut shipped = 0;
    for t in tasks {
        shipped += t.await.unwrap();
    }
    assert_eq!(shipped, 50, "the report's 50 units, no more");
    assert!(s.verify_audit().await.unwrap().first_bad.is_none());
}

async fn a_report_id_reused_with_other_contents_is_refused(db: Db) {
    let s = &db.store;
    customer_and_licence(s, "DE", "L1", "nvidia-h200-sxm", 1000, "1000000.00").await;
    let r = with_id(h200_report(100), "EL-7");
    s.ship_exports(
        &ctx(),
        vec![export("L1", 100, "100.00", "2026-02-15", Some(r.clone()))],
    )
    .await
    .unwrap();
    let before = state(s).await;
    // The same id claiming more units tested.
    let mut bigger = r.clone();
    bigger.units_tested = 1000;
    let e = s
        .ship_exports(
            &ctx(),
            vec![export("L1", 1, "1.00", "2026-02-15", Some(bigger))],
        )
        .await
        .unwrap_err();
    assert_eq!(
        refusal(&e),
        &Refusal::TestReportConflict {
            report_id: "EL-7".into(),
            field: "units_tested".into(),
            recorded: "100".into(),
            given: "1000".into(),
        }
    );
    assert!(e.to_string().contains("test-report.units_tested"), "{e}");
    assert_eq!(state(s).await, before);
    // The same figures written differently are the same report; the record keeps the text
    // first recorded (and the log says so: verification stays intact).
    let mut same = with_id(h200_report(200), "EL-8");
    s.ship_exports(
        &ctx(),
        vec![export("L1", 1, "1.00", "2026-02-15", Some(same.clone()))],
    )
    .await
    .unwrap();
    same.measured.tpp = usd("15790.00");
    s.ship_exports(
        &ctx(),
        vec![export("L1", 1, "1.00", "2026-02-15", Some(same))],
    )
    .await
    .expect("the same report");
    let r = s.verify_audit().await.unwrap();
    assert!(r.first_bad.is_none(), "{r:?}");
}

async fn a_report_measuring_tpp_1_for_an_h200_is_refused(db: Db) {
    let s = &db.store;
    customer_and_licence(s, "DE", "L1", "nvidia-h200-sxm", 1000, "1000000.00").await;
    let before = state(s).await;
    let e = s
        .ship_exports(
            &ctx(),
            vec![export(
                "L1",
                1,
                "1.00",
                "2026-02-15",
                Some(report("nvidia-h200-sxm", "2026-02-10", 10, "1", "4790")),
            )],
        )
        .await
        .unwrap_err();
    match refusal(&e) {
        Refusal::TestReportImplausible {
            metric,
            measured,
            catalog,
            ..
        } => {
            assert_eq!(metric, "tpp");
            assert_eq!(*measured, usd("1"));
            assert_eq!(*catalog, usd("15832"));
        }
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains("test-report.measured.tpp"), "{e}");
    // Bandwidth of another product (an H100's 3,350 GB/s for an H200's 4,800).
    let e = s
        .ship_exports(
            &ctx(),
            vec![export(
                "L1",
                1,
                "1.00",
                "2026-02-15",
                Some(report("nvidia-h200-sxm", "2026-02-10", 10, "15832", "3350")),
            )],
        )
        .await
        .unwrap_err();
    assert!(
        matches!(refusal(&e), Refusal::TestReportImplausible { metric, .. } if metric == "dram_bandwidth_gbs")
    );
    assert_eq!(state(s).await, before);
    // A few percent off the catalog: accepted.
    s.ship_exports(
        &ctx(),
        vec![export(
            "L1",
            1,
            "1.00",
            "2026-02-15",
            Some(report("nvidia-h200-sxm", "2026-02-10", 10, "15100", "4500")),
        )],
    )
    .await
    .expect("plausible");
}

async fn us_units_dated_after_the_shipment_do_not_count_toward_its_cap(db: Db) {
    let s = &db.store;
    customer_and_licence(s, "CN", "L1", "nvidia-h200-sxm", 1000, "100000000.00").await;
    let dom = |units: i64, date: &str| NewDomestic {
        exporter: "nvidia".into(),
        chip: "h200".into(),
        quantity_units: units,
        date: d(date),
    };
    s.ship_domestic(&ctx(), dom(100, "2026-02-01"))
        .await
        .unwrap();
    // Recorded now, dated after the shipment below: it does not count for it.
    s.ship_domestic(&ctx(), dom(1000, "2026-03-01"))
        .await
        .unwrap();
    let before = state(s).await;
    let e = s
        .ship_exports(
            &ctx(),
            vec![export(
                "L1",
                51,
                "1.00",
                "2026-02-15",
                Some(h200_report(51)),
            )],
        )
        .await
        .unwrap_err();
    match refusal(&e) {
        Refusal::VolumeCap {
            us_units, allowed, ..
        } => assert_eq!((*us_units, *allowed), (100, 50)),
        other => panic!("{other:?}"),
    }
    assert_eq!(state(s).await, before);
    // 50 on 2026-02-15 (half of the 100 dated before it), 500 more on 2026-03-02.
    s.ship_exports(
        &ctx(),
        vec![export(
            "L1",
            50,
            "1.00",
            "2026-02-15",
            Some(h200_report(50)),
        )],
    )
    .await
    .expect("within the units dated before");
    s.ship_exports(
        &ctx(),
        vec![export(
            "L1",
            500,
            "1.00",
            "2026-03-02",
            Some(h200_report(500)),
        )],
    )
    .await
    .expect("the later units count for a later shipment");
    let cap = s.cap("nvidia", "h200", d("2026-03-02")).await.unwrap();
    assert_eq!((cap.us_units, cap.china_macau_units), (1100, 550));
    assert!(s.verify_audit().await.unwrap().first_bad.is_none());
}

async fn a_domestic_shipment_dated_more_than_a_day_ahead_is_refused(db: Db) {
    let s = &db.store;
    let today = chrono::Utc::now().date_naive();
    let dom = |date: chrono::NaiveDate| NewDomestic {
        exporter: "nvidia".into(),
        chip: "h200".into(),
        quantity_units: 10,
        date,
    };
    let e = s
        .ship_domestic(&ctx(), dom(today + chrono::Days::new(2)))
        .await
        .unwrap_err();
    assert_eq!(refusal(&e).rule(), "domestic-date-in-future");
    assert!(
        e.to_string()
            .starts_with("refused by rule domestic-date-in-future: date:"),
        "{e}"
    );
    assert_eq!(s.verify_audit().await.unwrap().entries, 0, "nothing stored");
    assert_eq!(s.cap("nvidia", "h200", today).await.unwrap().us_units, 0);
    s.ship_domestic(&ctx(), dom(today + chrono::Days::new(1)))
        .await
        .expect("a day ahead is tolerated");
}

async fn a_low_customs_value_on_a_dutiable_chip_needs_a_reason_and_the_statement_shows_it(db: Db) {
    let s = &db.store;
    customer_and_licence(s, "DE", "L1", "nvidia-h200-sxm", 1000, "100000000.00").await;
    let ship = |customs: &str, reason: Option<&str>| NewExport {
        customs_value_usd: Some(usd(customs)),
        low_value_reason: reason.map(str::to_string),
        ..export("L1", 10, "310000.00", "2026-02-15", Some(h200_report(10)))
    };
    let before = state(s).await;
    for customs in ["0", "30999.99"] {
        let e = s
            .ship_exports(&ctx(), vec![ship(customs, None)])
            .await
            .unwrap_err();
        assert_eq!(
            refusal(&e),
            &Refusal::CustomsValueTooLow {
                customs_value: usd(customs),
                value: usd("310000.00"),
                min_pct: usd("10"),
                band: "band1".into(),
            }
        );
        assert!(e.to_string().contains("customs-value"), "{e}");
    }
    assert_eq!(state(s).await, before);
    // 10 % exactly: no reason needed.
    let ok = s
        .ship_exports(&ctx(), vec![ship("31000.00", None)])
        .await
        .unwrap();
    assert!(ok[0].duty.low_value_reason.is_none());
    // With a reason: recorded, and the duty statement shows it.
    let why = "evaluation units returned to the vendor; customs value per CBP ruling N-1";
    let low = s
        .ship_exports(&ctx(), vec![ship("0", Some(why))])
        .await
        .unwrap();
    assert_eq!(low[0].duty.low_value_reason.as_deref(), Some(why));
    assert_eq!(low[0].duty.amount_usd, usd("0"));
    let st = s
        .duty_statement("nvidia", Quarter::parse("2026Q1").unwrap())
        .await
        .unwrap();
    assert_eq!(st.low_value.len(), 1);
    assert_eq!(st.low_value[0].shipment_id, low[0].id);
    assert_eq!(st.low_value[0].reason, why);
    assert_eq!(st.low_value[0].customs_value_usd, usd("0"));
    // An H100 is in no duty band: a customs value of 0 needs no reason.
    customer_and_licence(s, "DE", "L2", "nvidia-h100-sxm", 100, "1000000.00").await;
    s.ship_exports(
        &ctx(),
        vec![NewExport {
            customs_value_usd: Some(usd("0")),
            ..export(
                "L2",
                10,
                "250000.00",
                "2026-02-15",
                Some(report("nvidia-h100-sxm", "2026-02-01", 10, "15832", "3350")),
            )
        }],
    )
    .await
    .expect("no duty band, no duty");
    assert!(s.verify_audit().await.unwrap().first_bad.is_none());
}
