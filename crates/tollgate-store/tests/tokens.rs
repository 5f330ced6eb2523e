//! API tokens and customer owners, on SQLite and PostgreSQL (`both!`).

mod common;

use common::*;
use tollgate_store::*;

both!(
    tokens_are_stored_hashed_audited_and_revocable,
    exporter_tokens_must_name_their_exporter,
    bootstrap_creates_one_regulator_token_only_on_an_empty_database,
    customers_have_an_owner_and_other_exporters_licences_cannot_name_them,
    listings_scope_by_exporter,
);

async fn tokens_are_stored_hashed_audited_and_revocable(db: Db) {
    let s = &db.store;
    let t = s
        .create_token(&ctx(), TokenRole::Exporter, Some("acme".into()))
        .await
        .unwrap();
    assert!(t.secret.starts_with("tg_") && t.secret.len() == 67);
    let found = s.token_by_hash(&hash_token(&t.secret)).await.unwrap();
    assert_eq!(found.as_ref(), Some(&t.token));
    assert!(s
        .token_by_hash(&hash_token("tg_nope"))
        .await
        .unwrap()
        .is_none());
    // The secret is nowhere in the database, only its hash.
    let raw = db.raw().await;
    let rows: Vec<(String,)> = sqlx::query_as("SELECT token_hash FROM api_tokens")
        .fetch_all(&raw)
        .await
        .unwrap();
    assert_eq!(rows, vec![(hash_token(&t.secret),)]);
    let audit = s.audit_entries().await.unwrap();
    assert!(audit
        .iter()
        .any(|e| e.action == "token.create" && e.entity == format!("token:{}", t.token.id)));
    assert!(audit.iter().all(
        |e| !e.after_json.contains(&t.secret) && !e.after_json.contains(&hash_token(&t.secret))
    ));
    let r = s.revoke_token(&ctx(), &t.token.id).await.unwrap();
    assert!(r.revoked_at.is_some());
    let again = s.token_by_hash(&hash_token(&t.secret)).await.unwrap();
    assert!(again.unwrap().revoked_at.is_some());
    assert!(s
        .audit_entries()
        .await
        .unwrap()
        .iter()
        .any(|e| e.action == "token.revoke"));
    assert!(s.verify_audit().await.unwrap().first_bad.is_none());
    match s.revoke_token(&ctx(), "tok-999999").await {
        Err(StoreError::Invalid { field, .. }) => assert_eq!(field, "id"),
        other => panic!("{other:?}"),
    }
}

async fn exporter_tokens_must_name_their_exporter(db: Db) {
    let s = &db.store;
    for (role, exp) in [
        (TokenRole::Exporter, None),
        (TokenRole::Regulator, Some("acme".to_string())),
        (TokenRole::Exporter, Some("  ".to_string())),
    ] {
        match s.create_token(&ctx(), role, exp).await {
            Err(StoreError::Invalid { field, .. }) => assert_eq!(field, "exporter"),
            other => panic!("{other:?}"),
        }
    }
    assert!(s.tokens().await.unwrap().is_empty());
}

async fn bootstrap_creates_one_regulator_token_only_on_an_empty_database(db: Db) {
    let s = &db.store;
    // Two nodes starting at once: exactly one bootstrap token between them.
    let other = db.reopen().await;
    let c = ctx();
    let (a, b) = tokio::join!(s.bootstrap_token(&c), other.bootstrap_token(&c));
    let made: Vec<_> = [a.unwrap(), b.unwrap()].into_iter().flatten().collect();
    assert_eq!(made.len(), 1);
    assert_eq!(made[0].token.role, TokenRole::Regulator);
    assert!(s.bootstrap_token(&ctx()).await.unwrap().is_none());
    assert_eq!(s.tokens().await.unwrap().len(), 1);
}

fn new_customer(name: &str) -> NewCustomer {
    NewCustomer {
        id: None,
        name: name.into(),
        country: "CN".into(),
        headquarters: None,
    }
}

fn licence(number: &str, exporter: &str, customer: &str) -> NewLicence {
    NewLicence {
        number: number.into(),
        exporter: exporter.into(),
        customer_id: customer.into(),
        chip: "h200".into(),
        quantity_units: 10,
        value_usd: usd("100.00"),
        valid_until: d("2026-12-31"),
    }
}

async fn customers_have_an_owner_and_other_exporters_licences_cannot_name_them(db: Db) {
    let s = &db.store;
    let a = s
        .add_customer_for(&ctx(), new_customer("Alpha"), "acme")
        .await
        .unwrap();
    assert_eq!(a.owner.as_deref(), Some("acme"));
    let got = s.customer(&a.id).await.unwrap().unwrap().0;
    assert_eq!(got.owner.as_deref(), Some("acme"));
    match s.add_licence(&ctx(), licence("L-B", "bolt", &a.id)).await {
        Err(StoreError::Invalid { field, .. }) => assert_eq!(field, "customer"),
        other => panic!("{other:?}"),
    }
    s.add_licence(&ctx(), licence("L-A", "acme", &a.id))
        .await
        .unwrap();
    // An unowned customer (records CLI) can be named by any exporter's licence.
    let u = s
        .add_customer(&ctx(), new_customer("Unowned"))
        .await
        .unwrap();
    assert_eq!(u.owner, None);
    s.add_licence(&ctx(), licence("L-U", "bolt", &u.id))
        .await
        .unwrap();
}

async fn listings_scope_by_exporter(db: Db) {
    let s = &db.store;
    let a = s
        .add_customer_for(&ctx(), new_customer("Alpha"), "acme")
        .await
        .unwrap();
    let b = s
        .add_customer_for(&ctx(), new_customer("Beta"), "bolt")
        .await
        .unwrap();
    s.add_licence(&ctx(), licence("L-A", "acme", &a.id))
        .await
        .unwrap();
    s.add_licence(&ctx(), licence("L-B", "bolt", &b.id))
        .await
        .unwrap();
    let ids = |v: Vec<Customer>| v.into_iter().map(|c| c.id).collect::<Vec<_>>();
    assert_eq!(
        ids(s.customers(Some("acme")).await.unwrap()),
        vec![a.id.clone()]
    );
    assert_eq!(s.customers(None).await.unwrap().len(), 2);
    let nums = |v: Vec<Licence>| v.into_iter().map(|l| l.number).collect::<Vec<_>>();
    assert_eq!(nums(s.licences(Some("bolt")).await.unwrap()), vec!["L-B"]);
    assert_eq!(nums(s.licences(None).await.unwrap()), vec!["L-A", "L-B"]);
    assert_eq!(s.exporters().await.unwrap(), vec!["acme", "bolt"]);
    for e in ["acme", "bolt"] {
        s.ship_domestic(
            &ctx(),
            NewDomestic {
                exporter: e.into(),
                chip: "h200".into(),
                quantity_units: 100,
                date: d("2026-01-20"),
            },
        )
        .await
        .unwrap();
    }
    let caps = s
        .cap_positions(Some("acme"), d("2026-03-01"))
        .await
        .unwrap();
    assert_eq!(caps.len(), 1);
    assert_eq!((caps[0].us_units, caps[0].allowed_units), (100, 50));
    assert_eq!(
        s.cap_positions(None, d("2026-03-01")).await.unwrap().len(),
        2
    );
    // Duty quarters span the first to the last accrual or payment.
    assert!(s.duty_quarters("acme").await.unwrap().is_empty());
    for (r, date) in [("P1", "2025-11-02"), ("P2", "2026-04-01")] {
        s.pay_duty(
            &ctx(),
            NewPayment {
                exporter: "acme".into(),
                amount_usd: usd("1.00"),
                reference: r.into(),
                date: d(date),
            },
        )
        .await
        .unwrap();
    }
    let q: Vec<String> = s
        .duty_quarters("acme")
        .await
        .unwrap()
        .iter()
        .map(|q| q.to_string())
        .collect();
    assert_eq!(q, vec!["2025Q4", "2026Q1", "2026Q2"]);
}
