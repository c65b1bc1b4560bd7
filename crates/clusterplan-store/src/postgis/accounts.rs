//! Accounts, tokens, sessions and the audit log on PostGIS.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::postgres::PgRow;

use super::PostgisStore;
use crate::{AccountStore, AuditEntry, NewAudit, NewUser, Role, Session, StoreError, User};

const USER_COLUMNS: &str = "u.id, u.name, u.role, u.unit_code, u.disabled, u.created_at";

fn decode_user(row: &PgRow) -> Result<User, StoreError> {
    let role: String = row.try_get("role")?;
    Ok(User {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        role: Role::from_code(&role).ok_or_else(|| StoreError::Corrupt(format!("role {role:?}")))?,
        unit_code: row.try_get("unit_code")?,
        disabled: row.try_get("disabled")?,
        created_at: row.try_get("created_at")?,
    })
}

fn decode_audit(row: &PgRow) -> Result<AuditEntry, StoreError> {
    Ok(AuditEntry {
        id: row.try_get("id")?,
        at: row.try_get("at")?,
        actor: row.try_get("actor")?,
        action: row.try_get("action")?,
        target: row.try_get("target")?,
        address: row.try_get("address")?,
        outcome: row.try_get("outcome")?,
        detail: row.try_get("detail")?,
    })
}

#[async_trait]
impl AccountStore for PostgisStore {
    async fn create_user(&self, user: &NewUser) -> Result<User, StoreError> {
        let row = sqlx::query(
            "INSERT INTO users (name, role, unit_code, password_hash, disabled, created_at) \
             VALUES ($1,$2,$3,$4,false,now()) RETURNING id, name, role, unit_code, disabled, created_at",
        )
        .bind(&user.name)
        .bind(user.role.code())
        .bind(&user.unit_code)
        .bind(&user.password_hash)
        .fetch_one(&self.pool)
        .await
        .map_err(|e| StoreError::on_unique_name(e, &user.name))?;
        decode_user(&row)
    }

    async fn set_password(
        &self,
        name: &str,
        password_hash: &str,
        keep_session: Option<&str>,
        audit: &NewAudit,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let id: Option<i64> = sqlx::query_scalar("UPDATE users SET password_hash = $1 WHERE name = $2 RETURNING id")
            .bind(password_hash)
            .bind(name)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(id) = id else { return Ok(false) };
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND ($2::text IS NULL OR id_hash <> $2)")
            .bind(id)
            .bind(keep_session)
            .execute(&mut *tx)
            .await?;
        super::insert_audit(&mut *tx, audit).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn user_with_password(&self, name: &str) -> Result<Option<(User, String)>, StoreError> {
        let row = sqlx::query(&format!("SELECT {USER_COLUMNS}, u.password_hash FROM users u WHERE u.name = $1"))
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| Ok((decode_user(&r)?, r.try_get("password_hash")?))).transpose()
    }

    async fn list_users(&self) -> Result<Vec<User>, StoreError> {
        let rows =
            sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users u ORDER BY u.name")).fetch_all(&self.pool).await?;
        rows.iter().map(decode_user).collect()
    }

    async fn user_count(&self) -> Result<u64, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM users").fetch_one(&self.pool).await?;
        Ok(n as u64)
    }

    async fn disable_user(&self, name: &str) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let id: Option<i64> = sqlx::query_scalar("UPDATE users SET disabled = true WHERE name = $1 RETURNING id")
            .bind(name)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(id) = id else { return Ok(false) };
        sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn create_token(&self, user: &str, token_name: &str, token_hash: &str) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO api_tokens (token_hash, user_id, name, created_at) SELECT $1, id, $2, now() FROM users WHERE name = $3",
        )
        .bind(token_hash)
        .bind(token_name)
        .bind(user)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn user_by_token(&self, token_hash: &str) -> Result<Option<User>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM api_tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND NOT u.disabled"
        ))
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(decode_user).transpose()
    }

    async fn revoke_token(&self, token_hash: &str, owner: Option<&str>) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_at = now() WHERE token_hash = $1 AND revoked_at IS NULL \
             AND ($2::text IS NULL OR user_id = (SELECT id FROM users WHERE name = $2))",
        )
        .bind(token_hash)
        .bind(owner)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn create_session(
        &self,
        user_id: i64,
        id_hash: &str,
        csrf_token: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        // Expired sessions are dropped as new ones come in: the table stays small.
        sqlx::query("DELETE FROM sessions WHERE expires_at < now()").execute(&mut *tx).await?;
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1,$2,$3,now(),$4)",
        )
        .bind(id_hash)
        .bind(user_id)
        .bind(csrf_token)
        .bind(expires_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn session(&self, id_hash: &str) -> Result<Option<Session>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS}, s.csrf_token, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.id_hash = $1 AND s.expires_at > now() AND NOT u.disabled"
        ))
        .bind(id_hash)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(Session {
                user: decode_user(&r)?,
                csrf_token: r.try_get("csrf_token")?,
                expires_at: r.try_get("expires_at")?,
            })
        })
        .transpose()
    }

    async fn delete_session(&self, id_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1").bind(id_hash).execute(&self.pool).await?;
        Ok(())
    }

    async fn append_audit(&self, entry: &NewAudit) -> Result<(), StoreError> {
        super::insert_audit(&self.pool, entry).await
    }

    async fn audit_page(&self, limit: u32, offset: u64) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = sqlx::query("SELECT * FROM audit_log ORDER BY id DESC LIMIT $1 OFFSET $2")
            .bind(i64::from(limit))
            .bind(i64::try_from(offset).unwrap_or(i64::MAX))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(decode_audit).collect()
    }

    async fn recent_audit(
        &self,
        action: &str,
        outcome: &str,
        actor: Option<&str>,
        address: Option<&str>,
        since: DateTime<Utc>,
    ) -> Result<(u64, Option<DateTime<Utc>>), StoreError> {
        let row = sqlx::query(
            "SELECT count(*) AS n, min(at) AS oldest FROM audit_log WHERE action = $1 AND outcome = $2 AND at >= $3 \
             AND ($4::text IS NULL OR actor = $4) AND ($5::text IS NULL OR address = $5)",
        )
        .bind(action)
        .bind(outcome)
        .bind(since)
        .bind(actor)
        .bind(address)
        .fetch_one(&self.pool)
        .await?;
        let n: i64 = row.try_get("n")?;
        Ok((n as u64, row.try_get("oldest")?))
    }
}
