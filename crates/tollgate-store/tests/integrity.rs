//! Any edit of any record is detected (issue 12): `verify_audit` replays the log against every
//! state table and names the first table, row and column that differs; a row no entry wrote is
//! tampering too; a recomputed chain is caught by a signed checkpoint. Run against SQLite and
//! PostgreSQL (`both!`); each case edits a copy of a small live database with plain SQL, as an
//! attacker with write access to the database would.

mod common;

use common::*;
use tollgate_store::checkpoint;
use tollgate_store::*;

both!(
    an_untouched_database_verifies_intact_with_every_table_replayed,
    resetting_a_licences_drawn_units_is_named_and_the_licence_would_ship_again,
    deleting_an_export_shipment_row_is_named,
    resetting_the_china_macau_counter_is_named,
    changing_a_customers_country_is_named,
    un_revoking_a_token_is_named,
    truncating_the_log_and_moving_the_head_is_caught_by_the_rows_it_left,
    a_row_no_entry_wrote_is_tampering,
    a_forged_entry_that_resets_a_counter_does_not_add_up,
    a_recomputed_chain_is_caught_by_the_signed_checkpoint,
    verification_streams_a_log_longer_than_one_chunk,
);

/// A small live database: a Chinese customer and licence L1 (H200), 1,000 US end-use units,
/// three exports of 100 units, a revoked token and a live one. Returns the customer id.
async fn live(s: &SqlStore) -> String {
    let c = customer_and_licence(s, "CN", "L1", "nvidia-h200-sxm", 300, "9300000.00").await;
    domestic(s, "nvidia-h200-sxm", 1000).await;
    for _ in 0..3 {
        s.ship_exports(
            &ctx(),
            vec![export(
                "L1",
                100,
                "3100000.00",
                "2026-02-15",
                Some(h200_report(100)),
            )],
        )
        .await
        .expect("ship");
    }
    let t = s
        .create_token(&ctx(), TokenRole::Exporter, Some("nvidia".into()))
        .await
        .expect("token");
    s.revoke_token(&ctx(), &t.token.id).await.expect("revoke");
    s.create_token(&ctx(), TokenRole::Auditor, None)
        .await
        .expect("token 2");
    let r = s.verify_audit().await.expect("verify");
    assert!(r.first_bad.is_none(), "intact before tampering: {r:?}");
    c.id
}

async fn exec(db: &Db, sql: &str) {
    let raw = db.raw().await;
    sqlx::query(sql).execute(&raw).await.expect(sql);
    raw.close().await;
}

/// The first fault, which must name `table`, `row` and (when given) `column`.
async fn fault_at(s: &SqlStore, table: &str, row: &str, column: Option<&str>) -> AuditFault {
    let r = s.verify_audit().await.expect("verify");
    let f = r.first_bad.expect("tampering detected");
    assert_eq!(
        (f.table.as_deref(), f.row.as_deref(), f.column.as_deref()),
        (Some(table), Some(row), column),
        "{f}"
    );
    f
}

async fn an_untouched_database_verifies_intact_with_every_table_replayed(db: Db) {
    let s = &db.store;
    live(s).await;
    s.pay_duty(
        &ctx(),
        NewPayment {
            exporter: "nvidia".into(),
            amount_usd: usd("1000.00"),
            reference: "W-1".into(),
            date: d("2026-03-01"),
        },
    )
    .await
    .unwrap();
    s.record_decision(
        &ctx(),
        NewDecision {
            order_id: "PO-1".into(),
            as_of: d("2026-02-01"),
            pack_id: "2026-01-15".into(),
            list_versions: serde_json::json!({"entity_list": "2026-07-09"}),
            decision: serde_json::json!({"verdict": "licence-required"}),
        },
    )
    .await
    .unwrap();
    s.suspend_customer(&ctx(), "C-000001", "red flag")
        .await
        .unwrap();
    let r = s.verify_audit().await.unwrap();
    assert!(r.first_bad.is_none(), "{r:?}");
    // Every entry carries the rows it wrote.
    for e in s.audit_entries().await.unwrap() {
        let after: serde_json::Value = serde_json::from_str(&e.after_json).unwrap();
        assert!(after["rows"].is_object(), "entry {} carries rows", e.seq);
    }
    // A reopened store (a fresh read-only connection on SQLite) verifies the same.
    let again = db.reopen().await.verify_audit().await.unwrap();
    assert_eq!(again, r);
}

async fn resetting_a_licences_drawn_units_is_named_and_the_licence_would_ship_again(db: Db) {
    let s = &db.store;
    live(s).await;
    // Used up: 300 of 300.
    let e = s
        .ship_exports(
            &ctx(),
            vec![export("L1", 1, "1.00", "2026-02-15", Some(h200_report(1)))],
        )
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Refused(_)), "{e}");
    exec(
        &db,
        "UPDATE licences SET drawn_units = 0, drawn_value_usd = '0' WHERE number = 'L1'",
    )
    .await;
    let f = fault_at(s, "licences", "L1", Some("drawn_units")).await;
    assert!(
        f.problem.contains("stored 0") && f.problem.contains("300"),
        "{f}"
    );
}

async fn deleting_an_export_shipment_row_is_named(db: Db) {
    let s = &db.store;
    live(s).await;
    let ids = s.export_shipment_ids().await.unwrap();
    let id = ids[1];
    // Its duty accrual first (a foreign key points at the shipment).
    exec(
        &db,
        &format!("DELETE FROM duty_accruals WHERE shipment_id = {id}"),
    )
    .await;
    exec(
        &db,
        &format!("DELETE FROM export_shipments WHERE id = {id}"),
    )
    .await;
    let f = fault_at(s, "export_shipments", &id.to_string(), None).await;
    assert!(f.problem.contains("missing"), "{f}");
    assert!(f.seq > 0, "names the entry that wrote it: {f:?}");
}

async fn resetting_the_china_macau_counter_is_named(db: Db) {
    let s = &db.store;
    live(s).await;
    exec(
        &db,
        "UPDATE cap_ledger SET cn_mo_units = 0 WHERE exporter = 'nvidia' AND chip = 'nvidia-h200-sxm'",
    )
    .await;
    let f = fault_at(
        s,
        "cap_ledger",
        "nvidia/nvidia-h200-sxm",
        Some("cn_mo_units"),
    )
    .await;
    assert!(
        f.problem.contains("stored 0") && f.problem.contains("300"),
        "{f}"
    );
}

async fn changing_a_customers_country_is_named(db: Db) {
    let s = &db.store;
    let id = live(s).await;
    exec(
        &db,
        &format!("UPDATE customers SET country = 'DE' WHERE id = '{id}'"),
    )
    .await;
    let f = fault_at(s, "customers", &id, Some("country")).await;
    assert!(
        f.problem.contains("'DE'") && f.problem.contains("'CN'"),
        "{f}"
    );
}

async fn un_revoking_a_token_is_named(db: Db) {
    let s = &db.store;
    live(s).await;
    let revoked = s
        .tokens()
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.revoked_at.is_some())
        .unwrap();
    exec(
        &db,
        &format!(
            "UPDATE api_tokens SET revoked_at = NULL WHERE id = '{}'",
            revoked.id
        ),
    )
    .await;
    let f = fault_at(s, "api_tokens", &revoked.id, Some("revoked_at")).await;
    assert!(f.problem.contains("stored NULL"), "{f}");
    // Swapping a token's stored hash (to one whose secret the attacker knows) is caught too.
    exec(
        &db,
        &format!(
            "UPDATE api_tokens SET revoked_at = '{}', token_hash = 'ff' WHERE id = '{}'",
            revoked.revoked_at.as_deref().unwrap(),
            revoked.id
        ),
    )
    .await;
    fault_at(s, "api_tokens", &revoked.id, Some("token_hash")).await;
}

async fn truncating_the_log_and_moving_the_head_is_caught_by_the_rows_it_left(db: Db) {
    let s = &db.store;
    live(s).await;
    // The last entry (a recorded decision) dropped and the head moved back onto the one before.
    let rec = s
        .record_decision(
            &ctx(),
            NewDecision {
                order_id: "PO-9".into(),
                as_of: d("2026-02-01"),
                pack_id: "2026-01-15".into(),
                list_versions: serde_json::json!({}),
                decision: serde_json::json!({"verdict": "approved"}),
            },
        )
        .await
        .unwrap();
    let entries = s.audit_entries().await.unwrap();
    let (last, keep) = (&entries[entries.len() - 1], &entries[entries.len() - 2]);
    exec(
        &db,
        &format!("DELETE FROM audit_log WHERE seq = {}", last.seq),
    )
    .await;
    exec(
        &db,
        &format!(
            "UPDATE audit_head SET seq = {}, hash = '{}' WHERE id = 1",
            keep.seq, keep.hash
        ),
    )
    .await;
    let f = fault_at(s, "decisions", &rec.id.to_string(), None).await;
    assert!(f.problem.contains("no audit entry wrote"), "{f}");
    exec(&db, &format!("DELETE FROM decisions WHERE id = {}", rec.id)).await;
    assert!(s.verify_audit().await.unwrap().first_bad.is_none());
    // Drop the last export's entry and everything after it, and move the head back.
    let last_export = entries
        .iter()
        .rev()
        .find(|e| e.action == "ship.export")
        .unwrap();
    let keep = &entries[(last_export.seq - 2) as usize];
    assert_eq!(keep.seq, last_export.seq - 1);
    exec(
        &db,
        &format!("DELETE FROM audit_log WHERE seq >= {}", last_export.seq),
    )
    .await;
    exec(
        &db,
        &format!(
            "UPDATE audit_head SET seq = {}, hash = '{}' WHERE id = 1",
            keep.seq, keep.hash
        ),
    )
    .await;
    // The chain alone is consistent now; the records it no longer explains are not: the
    // licence holds the third shipment's drawdown, which the log no longer has.
    let f = fault_at(s, "licences", "L1", Some("drawn_units")).await;
    assert!(
        f.problem.contains("stored 300") && f.problem.contains("200"),
        "{f}"
    );
}

async fn a_row_no_entry_wrote_is_tampering(db: Db) {
    let s = &db.store;
    live(s).await;
    exec(
        &db,
        "INSERT INTO decisions (id, order_id, as_of, pack_id, list_versions, decision, created_at) \
         VALUES (99, 'PO-X', '2026-02-01', '2026-01-15', '{}', '{}', '2026-02-01T00:00:00Z')",
    )
    .await;
    let f = fault_at(s, "decisions", "99", None).await;
    assert!(f.problem.contains("no audit entry wrote"), "{f}");
    exec(&db, "DELETE FROM decisions WHERE id = 99").await;
    // A licence added behind the log's back.
    exec(
        &db,
        "INSERT INTO licences (number, exporter, customer_id, chip, quantity_units, value_usd, valid_until, status, drawn_units, drawn_value_usd, created_at) \
         VALUES ('L-FAKE', 'nvidia', 'C-000001', 'nvidia-h200-sxm', 100000, '1', '2030-01-01', 'active', 0, '0', '2026-01-01T00:00:00Z')",
    )
    .await;
    fault_at(s, "licences", "L-FAKE", None).await;
}

/// Recomputes every hash and the head from `from` on, as the attacker's script did.
async fn rechain(db: &Db, s: &SqlStore, edit: impl Fn(&mut AuditEntry)) {
    let mut entries = s.audit_entries().await.unwrap();
    let mut prev = audit::GENESIS.to_string();
    for e in &mut entries {
        edit(e);
        e.prev_hash = prev.clone();
        e.hash = audit::chain_hash(
            &prev,
            &audit::canonical(
                e.seq,
                &e.at,
                &e.actor,
                &e.action,
                &e.entity,
                &e.before_json,
                &e.after_json,
            ),
        );
        prev = e.hash.clone();
    }
    let raw = db.raw().await;
    sqlx::query("DELETE FROM audit_log")
        .execute(&raw)
        .await
        .unwrap();
    for e in &entries {
        sqlx::query("INSERT INTO audit_log (seq, at, actor, action, entity, before_json, after_json, prev_hash, hash) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)")
            .bind(e.seq).bind(e.at.clone()).bind(e.actor.clone()).bind(e.action.clone()).bind(e.entity.clone())
            .bind(e.before_json.clone()).bind(e.after_json.clone()).bind(e.prev_hash.clone()).bind(e.hash.clone())
            .execute(&raw).await.unwrap();
    }
    sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
        .bind(entries.len() as i64)
        .bind(prev)
        .execute(&raw)
        .await
        .unwrap();
    raw.close().await;
}

async fn a_forged_entry_that_resets_a_counter_does_not_add_up(db: Db) {
    let s = &db.store;
    live(s).await;
    // The last export's entry says the licence was drawn to 0 (and the table agrees), with the
    // whole chain recomputed: consistent rows, but not the shipment's arithmetic.
    let last = s
        .audit_entries()
        .await
        .unwrap()
        .into_iter()
        .rev()
        .find(|e| e.action == "ship.export")
        .unwrap();
    rechain(&db, s, |e| {
        if e.seq == last.seq {
            e.after_json = e
                .after_json
                .replace("\"drawn_units\":300", "\"drawn_units\":0");
        }
    })
    .await;
    exec(
        &db,
        "UPDATE licences SET drawn_units = 0 WHERE number = 'L1'",
    )
    .await;
    let f = s.verify_audit().await.unwrap().first_bad.expect("detected");
    assert_eq!(f.seq, last.seq, "{f}");
    assert!(f.problem.contains("does not add up"), "{f}");
}

async fn a_recomputed_chain_is_caught_by_the_signed_checkpoint(db: Db) {
    let s = &db.store;
    live(s).await;
    let key = checkpoint::generate();
    let public = key.verifying_key();
    // Without any checkpoint, a key makes verification fail: nothing is signed.
    let r = s.verify_audit_with_key(Some(&public)).await.unwrap();
    assert!(r
        .first_bad
        .unwrap()
        .problem
        .contains("no signed checkpoint"));
    let cp = s.checkpoint_audit(&ctx(), &key).await.unwrap();
    let head = s.verify_audit_with_key(Some(&public)).await.unwrap();
    assert!(head.first_bad.is_none(), "{head:?}");
    assert_eq!(
        (head.checkpoints, head.last_checkpoint_seq),
        (1, Some(cp.seq))
    );
    assert!(head.key_checked);
    assert_eq!(head.entries, cp.seq + 1);
    // Another key's checkpoints do not count for this one.
    let other = checkpoint::generate().verifying_key();
    let r = s.verify_audit_with_key(Some(&other)).await.unwrap();
    assert!(r
        .first_bad
        .unwrap()
        .problem
        .contains("not by the key given"));
    // Later writes are fine; the checkpoint still holds.
    s.ship_domestic(
        &ctx(),
        NewDomestic {
            exporter: "nvidia".into(),
            chip: "h200".into(),
            quantity_units: 5,
            date: d("2026-03-01"),
        },
    )
    .await
    .unwrap();
    assert!(s
        .verify_audit_with_key(Some(&public))
        .await
        .unwrap()
        .first_bad
        .is_none());
    // The 15-line script: edit a shipment's value in the table and in its entry, recompute
    // every hash and the head. Rows and log agree and the chain recomputes...
    let first_export = s.export_shipment_ids().await.unwrap()[0];
    exec(
        &db,
        &format!("UPDATE export_shipments SET value_usd = '1.00' WHERE id = {first_export}"),
    )
    .await;
    rechain(&db, s, |e| {
        if e.entity == format!("export_shipment:{first_export}") {
            e.after_json =
                e.after_json
                    .replacen("\"value_usd\":\"3100000.00\"", "\"value_usd\":\"1.00\"", 1);
        }
    })
    .await;
    // ... (the drawdown's arithmetic catches this edit without a key) ...
    let plain = s.verify_audit().await.unwrap();
    assert!(plain.first_bad.is_some(), "{plain:?}");
    // ... and the signature catches any recomputed chain, whatever was edited before it.
    let f = s
        .verify_audit_with_key(Some(&public))
        .await
        .unwrap()
        .first_bad
        .expect("detected");
    assert!(
        f.problem.contains("does not verify")
            || f.problem.contains("does not add up")
            || f.problem.contains("signs entry"),
        "{f}"
    );
    // An edit the arithmetic cannot see (the actor of the first entry), with the chain
    // recomputed after it.
    let fresh = Db::sqlite().await;
    let s2 = &fresh.store;
    live(s2).await;
    s2.checkpoint_audit(&ctx(), &key).await.unwrap();
    rechain(&fresh, s2, |e| {
        if e.seq == 1 {
            e.actor = "someone-else".into();
        }
    })
    .await;
    // The checkpoint no longer signs the head before it, key or not.
    let f = s2
        .verify_audit()
        .await
        .unwrap()
        .first_bad
        .expect("detected");
    assert_eq!(f.table.as_deref(), Some("audit_checkpoints"), "{f}");
    // The script rewrites the checkpoint's hash too (entry and table): the signature fails.
    let cp_entry = || async {
        s2.audit_entries()
            .await
            .unwrap()
            .into_iter()
            .find(|e| e.action == "audit.checkpoint")
            .unwrap()
    };
    let new_head = cp_entry().await.prev_hash;
    let old_after: serde_json::Value = serde_json::from_str(&cp_entry().await.after_json).unwrap();
    let old_hash = old_after["rows"]["audit_checkpoints"][0]["hash"]
        .as_str()
        .unwrap()
        .to_string();
    rechain(&fresh, s2, |e| {
        if e.action == "audit.checkpoint" {
            e.after_json = e.after_json.replace(&old_hash, &new_head);
        }
    })
    .await;
    exec(
        &fresh,
        &format!("UPDATE audit_checkpoints SET hash = '{new_head}'"),
    )
    .await;
    let f = s2
        .verify_audit()
        .await
        .unwrap()
        .first_bad
        .expect("detected");
    assert!(f.problem.contains("does not verify"), "{f}");
    // And re-signs it with a key of its own: consistent in itself, so only the auditor's
    // public key tells.
    let forger = checkpoint::generate();
    let cp_seq = cp_entry().await.seq - 1;
    let sig = checkpoint::sign(&forger, cp_seq, &new_head);
    let forged_pub = checkpoint::key_hex(&forger.verifying_key());
    let real_pub = checkpoint::key_hex(&public);
    let real_sig = old_after["rows"]["audit_checkpoints"][0]["signature"]
        .as_str()
        .unwrap()
        .to_string();
    rechain(&fresh, s2, |e| {
        if e.action == "audit.checkpoint" {
            e.after_json = e
                .after_json
                .replace(&real_pub, &forged_pub)
                .replace(&real_sig, &sig);
        }
    })
    .await;
    exec(
        &fresh,
        &format!("UPDATE audit_checkpoints SET public_key = '{forged_pub}', signature = '{sig}'"),
    )
    .await;
    let plain = s2.verify_audit().await.unwrap();
    assert!(plain.first_bad.is_none(), "{plain:?}");
    assert!(!plain.key_checked);
    let f = s2
        .verify_audit_with_key(Some(&public))
        .await
        .unwrap()
        .first_bad
        .expect("the auditor's key catches a re-signed chain");
    assert_eq!(f.table.as_deref(), Some("audit_checkpoints"), "{f}");
    assert!(f.problem.contains("not by the key given"), "{f}");
}

async fn verification_streams_a_log_longer_than_one_chunk(db: Db) {
    let s = &db.store;
    customer_and_licence(s, "DE", "L1", "nvidia-h200-sxm", 100_000, "100000000.00").await;
    let r = h200_report(10_000);
    let items: Vec<NewExport> = (0..4500)
        .map(|_| export("L1", 1, "1.00", "2026-02-15", Some(r.clone())))
        .collect();
    let out = s.ship_exports(&ctx(), items).await.unwrap();
    let rep = s.verify_audit().await.unwrap();
    assert!(rep.first_bad.is_none(), "{rep:?}");
    assert_eq!(rep.entries, 4 + 4500);
    // A row in the third chunk of the log.
    let id = out[4300].id;
    exec(
        &db,
        &format!("UPDATE duty_accruals SET amount_usd = '0' WHERE shipment_id = {id}"),
    )
    .await;
    fault_at(s, "duty_accruals", &id.to_string(), Some("amount_usd")).await;
}

/// SQLite: verifications read on connections of their own, so a write made while several run
/// completes without waiting for them (before, each verification held the one connection).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_verifications_do_not_hold_the_writer() {
    let db = Db::sqlite().await;
    let s = db.store.clone();
    customer_and_licence(&s, "DE", "L1", "nvidia-h200-sxm", 100_000, "100000000.00").await;
    let r = h200_report(5_000);
    let items: Vec<NewExport> = (0..5_000)
        .map(|_| export("L1", 1, "1.00", "2026-02-15", Some(r.clone())))
        .collect();
    s.ship_exports(&ctx(), items).await.unwrap();
    let t = std::time::Instant::now();
    s.verify_audit().await.unwrap();
    let one = t.elapsed();
    let verifies: Vec<_> = (0..3)
        .map(|_| {
            let s = s.clone();
            tokio::spawn(async move { s.verify_audit().await.unwrap() })
        })
        .collect();
    tokio::time::sleep(one / 10).await;
    let w = std::time::Instant::now();
    s.ship_domestic(
        &ctx(),
        NewDomestic {
            exporter: "nvidia".into(),
            chip: "h200".into(),
            quantity_units: 1,
            date: d("2026-02-01"),
        },
    )
    .await
    .unwrap();
    let write = w.elapsed();
    eprintln!("one verification {one:?}, the write {write:?}");
    let still_running = verifies.iter().filter(|h| !h.is_finished()).count();
    for h in verifies {
        assert!(h.await.unwrap().first_bad.is_none());
    }
    assert!(
        still_running > 0 && write < one / 2,
        "the write took {write:?} while verifications of {one:?} ran ({still_running} still running)"
    );
}
