//! Read-only listings for the API and dashboard, and API tokens (hashed, audited).

use super::{corrupt, customer_from_row, date, licence_from_row, now_utc, SqlStore};
use super::{CUSTOMER_COLS, LICENCE_COLS};
use crate::error::{Result, StoreError};
use crate::model::*;
use crate::replay::{self, Rows, Val};
use crate::rules;
use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde_json::{json, Value};
use sqlx::{AnyConnection, Row};

/// Most quarters a duty history returns (ten years).
pub const MAX_QUARTERS: usize = 40;

fn quarter_of(d: NaiveDate) -> Quarter {
    Quarter {
        year: d.year(),
        q: (d.month() - 1) / 3 + 1,
    }
}

fn token_from_row(r: &sqlx::any::AnyRow) -> Result<ApiToken> {
    let role: String = r.try_get("role")?;
    Ok(ApiToken {
        id: r.try_get("id")?,
        role: TokenRole::parse(&role).ok_or_else(|| corrupt("role", &role))?,
        exporter: r.try_get("exporter")?,
        created_at: r.try_get("created_at")?,
        revoked_at: r.try_get("revoked_at")?,
    })
}

const TOKEN_COLS: &str = "id, role, exporter, created_at, revoked_at";

/// A token row as stored (`token_hash`: the SHA-256 of the secret).
fn token_vals(t: &ApiToken, token_hash: String) -> Vec<Val> {
    vec![
        Val::S(t.id.clone()),
        Val::S(token_hash),
        Val::S(t.role.as_str().to_string()),
        Val::N(t.exporter.clone()),
        Val::S(t.created_at.clone()),
        Val::N(t.revoked_at.clone()),
    ]
}

/// A new secret: 256 random bits, hex, with a recognisable prefix (for secret scanners).
fn new_secret() -> String {
    use rand::RngCore;
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    format!(
        "tg_{}",
        b.iter().map(|x| format!("{x:02x}")).collect::<String>()
    )
}

impl SqlStore {
    pub(crate) async fn list_customers(&self, owner: Option<&str>) -> Result<Vec<Customer>> {
        let rows = match owner {
            Some(o) => {
                sqlx::query(&format!(
                    "SELECT {CUSTOMER_COLS} FROM customers WHERE owner = $1 ORDER BY created_at, id"
                ))
                .bind(o.to_string())
                .fetch_all(&self.pool)
                .await?
            }
            None => {
                sqlx::query(&format!(
                    "SELECT {CUSTOMER_COLS} FROM customers ORDER BY created_at, id"
                ))
                .fetch_all(&self.pool)
                .await?
            }
        };
        rows.iter().map(customer_from_row).collect()
    }

    pub(crate) async fn list_licences(&self, exporter: Option<&str>) -> Result<Vec<Licence>> {
        let rows = match exporter {
            Some(e) => {
                sqlx::query(&format!(
                    "SELECT {LICENCE_COLS} FROM licences WHERE exporter = $1 ORDER BY number"
                ))
                .bind(e.to_string())
                .fetch_all(&self.pool)
                .await?
            }
            None => {
                sqlx::query(&format!(
                    "SELECT {LICENCE_COLS} FROM licences ORDER BY number"
                ))
                .fetch_all(&self.pool)
                .await?
            }
        };
        rows.iter().map(licence_from_row).collect()
    }

    pub(crate) async fn list_caps(
        &self,
        exporter: Option<&str>,
        as_of: NaiveDate,
    ) -> Result<Vec<CapPosition>> {
        let pack = self.pack_on("as-of", as_of)?;
        let ratio = pack
            .volume_cap_ratio
            .as_ref()
            .map(|(r, _)| *r)
            .unwrap_or(Decimal::ZERO);
        let sql = "SELECT exporter, chip, us_units, cn_mo_units FROM cap_ledger";
        let rows = match exporter {
            Some(e) => {
                sqlx::query(&format!(
                    "{sql} WHERE exporter = $1 ORDER BY exporter, chip"
                ))
                .bind(e.to_string())
                .fetch_all(&self.pool)
                .await?
            }
            None => {
                sqlx::query(&format!("{sql} ORDER BY exporter, chip"))
                    .fetch_all(&self.pool)
                    .await?
            }
        };
        rows.iter()
            .map(|r| {
                let (us, cn): (i64, i64) = (r.try_get("us_units")?, r.try_get("cn_mo_units")?);
                let allowed = rules::cap_allowed(us, ratio);
                Ok(CapPosition {
                    exporter: r.try_get("exporter")?,
                    chip: r.try_get("chip")?,
                    us_units: us,
                    china_macau_units: cn,
                    ratio,
                    allowed_units: allowed,
                    headroom_units: allowed - cn,
                    pack_id: pack.id.clone(),
                })
            })
            .collect()
    }

    pub(crate) async fn list_exporters(&self) -> Result<Vec<String>> {
        let rows = sqlx::query("SELECT id FROM exporters ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| Ok(r.try_get("id")?)).collect()
    }

    pub(crate) async fn list_duty_quarters(&self, exporter: &str) -> Result<Vec<Quarter>> {
        let mut bounds: Vec<NaiveDate> = Vec::new();
        for sql in [
            "SELECT MIN(accrual_date) AS a, MAX(accrual_date) AS b FROM duty_accruals WHERE exporter = $1",
            "SELECT MIN(paid_date) AS a, MAX(paid_date) AS b FROM duty_payments WHERE exporter = $1",
        ] {
            let r = sqlx::query(sql)
                .bind(exporter.to_string())
                .fetch_one(&self.pool)
                .await?;
            for k in ["a", "b"] {
                if let Some(d) = r.try_get::<Option<String>, _>(k)? {
                    bounds.push(date(&d)?);
                }
            }
        }
        let (Some(first), Some(last)) = (bounds.iter().min(), bounds.iter().max()) else {
            return Ok(Vec::new());
        };
        let (first, last) = (quarter_of(*first), quarter_of(*last));
        let mut out = Vec::new();
        let mut q = first;
        // Bounded by the dates' range; only the latest MAX_QUARTERS are kept.
        while (q.year, q.q) <= (last.year, last.q) {
            out.push(q);
            q = if q.q == 4 {
                Quarter {
                    year: q.year + 1,
                    q: 1,
                }
            } else {
                Quarter {
                    year: q.year,
                    q: q.q + 1,
                }
            };
        }
        let skip = out.len().saturating_sub(MAX_QUARTERS);
        Ok(out.split_off(skip))
    }

    pub(crate) async fn list_decisions(&self, limit: i64) -> Result<Vec<Decision>> {
        let rows = sqlx::query(
            "SELECT id, order_id, as_of, pack_id, list_versions, decision, created_at FROM decisions ORDER BY id DESC LIMIT $1",
        )
        .bind(limit.clamp(0, 1000))
        .fetch_all(&self.pool)
        .await?;
        let parse = |s: String| serde_json::from_str::<Value>(&s).map_err(|_| corrupt("json", &s));
        rows.iter()
            .map(|r| {
                Ok(Decision {
                    id: r.try_get("id")?,
                    order_id: r.try_get("order_id")?,
                    as_of: date(&r.try_get::<String, _>("as_of")?)?,
                    pack_id: r.try_get("pack_id")?,
                    list_versions: parse(r.try_get("list_versions")?)?,
                    decision: parse(r.try_get("decision")?)?,
                    created_at: r.try_get("created_at")?,
                })
            })
            .collect()
    }

    // ---- tokens ----------------------------------------------------------------------------

    async fn insert_token(
        &self,
        conn: &mut AnyConnection,
        audit: &mut super::AuditBuf,
        role: TokenRole,
        exporter: Option<String>,
    ) -> Result<NewTokenSecret> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM api_tokens")
            .fetch_one(&mut *conn)
            .await?;
        let mut n: i64 = row.try_get("n")?;
        // Ids are assigned under the audit head lock, so the count is stable; the loop only
        // skips ids that a direct database edit may have left behind.
        let id = loop {
            n += 1;
            let cand = format!("tok-{n:06}");
            let taken = sqlx::query("SELECT id FROM api_tokens WHERE id = $1")
                .bind(cand.clone())
                .fetch_optional(&mut *conn)
                .await?;
            if taken.is_none() {
                break cand;
            }
        };
        let secret = new_secret();
        let token = ApiToken {
            id,
            role,
            exporter,
            created_at: audit.at.clone(),
            revoked_at: None,
        };
        let vals = token_vals(&token, hash_token(&secret));
        super::insert_rows(
            conn,
            self.backend,
            "api_tokens",
            &[
                "id",
                "token_hash",
                "role",
                "exporter",
                "created_at",
                "revoked_at",
            ],
            vec![vals.clone()],
        )
        .await?;
        // The audit entry names the token, never its secret or hash (only the hash's SHA-256,
        // which verification compares).
        let mut rows = Rows::new();
        rows.add(&replay::API_TOKENS, &vals);
        audit.push_rows(
            "token.create",
            &format!("token:{}", token.id),
            &Value::Null,
            rows,
        );
        Ok(NewTokenSecret { token, secret })
    }

    pub(crate) async fn do_create_token(
        &self,
        ctx: &WriteCtx,
        role: TokenRole,
        exporter: Option<&str>,
    ) -> Result<NewTokenSecret> {
        let exporter = match (role, exporter) {
            (TokenRole::Exporter, Some(e)) => Some(super::validate_name("exporter", e, 200)?),
            (TokenRole::Exporter, None) => {
                return Err(StoreError::invalid(
                    "exporter",
                    "required for an exporter token",
                ))
            }
            (_, Some(_)) => {
                return Err(StoreError::invalid(
                    "exporter",
                    format!(
                        "only exporter tokens name an exporter, not {}",
                        role.as_str()
                    ),
                ))
            }
            (_, None) => None,
        };
        let mut tx = self.begin().await?;
        let new_exporter = match &exporter {
            Some(e) => self.ensure_exporter(&mut tx, e).await?,
            None => None,
        };
        let mut audit = self.lock_head(&mut tx, &ctx.actor).await?;
        if let (Some(at), Some(e)) = (&new_exporter, &exporter) {
            audit.exporter_added(e, at);
        }
        let t = self
            .insert_token(&mut tx, &mut audit, role, exporter)
            .await?;
        self.flush_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(t)
    }

    pub(crate) async fn do_bootstrap_token(
        &self,
        ctx: &WriteCtx,
    ) -> Result<Option<NewTokenSecret>> {
        let mut tx = self.begin().await?;
        let mut audit = self.lock_head(&mut tx, &ctx.actor).await?;
        let row = sqlx::query("SELECT COUNT(*) AS n FROM api_tokens")
            .fetch_one(&mut *tx)
            .await?;
        if row.try_get::<i64, _>("n")? > 0 {
            return Ok(None);
        }
        let t = self
            .insert_token(&mut tx, &mut audit, TokenRole::Regulator, None)
            .await?;
        self.flush_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(Some(t))
    }

    pub(crate) async fn get_token_by_hash(&self, hash_hex: &str) -> Result<Option<ApiToken>> {
        let row = sqlx::query(&format!(
            "SELECT {TOKEN_COLS} FROM api_tokens WHERE token_hash = $1"
        ))
        .bind(hash_hex.to_string())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(token_from_row).transpose()
    }

    pub(crate) async fn list_tokens(&self) -> Result<Vec<ApiToken>> {
        let rows = sqlx::query(&format!("SELECT {TOKEN_COLS} FROM api_tokens ORDER BY id"))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(token_from_row).collect()
    }

    pub(crate) async fn do_revoke_token(&self, ctx: &WriteCtx, id: &str) -> Result<ApiToken> {
        let mut tx = self.begin().await?;
        let row = sqlx::query(&format!(
            "SELECT {TOKEN_COLS}, token_hash FROM api_tokens WHERE id = $1{}",
            self.for_update()
        ))
        .bind(id.to_string())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(before) = row.as_ref().map(token_from_row).transpose()? else {
            return Err(StoreError::invalid("id", format!("no token '{id}'")));
        };
        let hash: String = row
            .as_ref()
            .map(|r| r.try_get("token_hash"))
            .transpose()?
            .unwrap_or_default();
        if before.revoked_at.is_some() {
            return Ok(before);
        }
        let mut audit = self.lock_head(&mut tx, &ctx.actor).await?;
        let after = ApiToken {
            revoked_at: Some(now_utc()),
            ..before.clone()
        };
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2")
            .bind(after.revoked_at.clone())
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        let mut rows = Rows::new();
        rows.add(&replay::API_TOKENS, &token_vals(&after, hash));
        audit.push_rows("token.revoke", &format!("token:{id}"), &json!(before), rows);
        self.flush_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(after)
    }
}
