//! Accounts, tokens, sessions and the audit log on the embedded store.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use super::{GpkgStore, parse_timestamp, timestamp};
use crate::{AccountStore, AuditEntry, NewAudit, NewUser, Role, Session, StoreError, User};

const USER_COLUMNS: &str = "u.id, u.name, u.role, u.unit_code, u.disabled, u.created_at";

fn decode_user(row: &SqliteRow) -> Result<User, StoreError> {
    let role: String = row.try_get("role")?;
    Ok(User {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        role: Role::from_code(&role).ok_or_else(|| StoreError::Corrupt(format!("role {role:?}")))?,
        unit_code: row.try_get("unit_code")?,
        disabled: row.try_get::<i64, _>("disabled")? != 0,
        created_at: parse_timestamp(row.try_get("created_at")?)?,
    })
}

fn decode_audit(row: &SqliteRow) -> Result<AuditEntry, StoreError> {
    Ok(AuditEntry {
        id: row.try_get("id")?,
        at: parse_timestamp(row.try_get("at")?)?,
        actor: row.try_get("actor")?,
        action: row.try_get("action")?,
        target: row.try_get("target")?,
        address: row.try_get("address")?,
        outcome: row.try_get("outcome")?,
        detail: row.try_get("detail")?,
    })
}

#[async_trait]
impl AccountStore for GpkgStore {
    async fn create_user(&self, user: &NewUser) -> Result<User, StoreError> {
        let row = sqlx::query(
            "INSERT INTO users (name, role, unit_code, password_hash, disabled, created_at) VALUES (?,?,?,?,0,?) \
             RETURNING id, name, role, unit_code, disabled, created_at",
        )
        .bind(&user.name)
        .bind(user.role.code())
        .bind(&user.unit_code)
        .bind(&user.password_hash)
        .bind(timestamp(Utc::now()))
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
        let id: Option<i64> = sqlx::query_scalar("UPDATE users SET password_hash = ? WHERE name = ? RETURNING id")
            .bind(password_hash)
            .bind(name)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(id) = id else { return Ok(false) };
        sqlx::query("DELETE FROM sessions WHERE user_id = ? AND (? IS NULL OR id_hash <> ?)")
            .bind(id)
            .bind(keep_session)
            .bind(keep_session)
            .execute(&mut *tx)
            .await?;
        super::insert_audit(&mut *tx, &timestamp(Utc::now()), audit).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn user_with_password(&self, name: &str) -> Result<Option<(User, String)>, StoreError> {
        let row = sqlx::query(&format!("SELECT {USER_COLUMNS}, u.password_hash FROM users u WHERE u.name = ?"))
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
        let id: Option<i64> = sqlx::query_scalar("UPDATE users SET disabled = 1 WHERE name = ? RETURNING id")
            .bind(name)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(id) = id else { return Ok(false) };
        sqlx::query("DELETE FROM sessions WHERE user_id = ?").bind(id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn create_token(&self, user: &str, token_name: &str, token_hash: &str) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO api_tokens (token_hash, user_id, name, created_at) SELECT ?, id, ?, ? FROM users WHERE name = ?",
        )
        .bind(token_hash)
        .bind(token_name)
        .bind(timestamp(Utc::now()))
        .bind(user)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn user_by_token(&self, token_hash: &str) -> Result<Option<User>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM api_tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.token_hash = ? AND t.revoked_at IS NULL AND u.disabled = 0"
        ))
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(decode_user).transpose()
    }

    async fn revoke_token(&self, token_hash: &str, owner: Option<&str>) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL \
             AND (? IS NULL OR user_id = (SELECT id FROM users WHERE name = ?))",
        )
        .bind(timestamp(Utc::now()))
        .bind(token_hash)
        .bind(owner)
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
        let now = Utc::now();
        let mut tx = self.pool.begin().await?;
        // Expired sessions are dropped as new ones come in: the table stays small.
        sqlx::query("DELETE FROM sessions WHERE expires_at < ?").bind(timestamp(now)).execute(&mut *tx).await?;
        sqlx::query("INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at) VALUES (?,?,?,?,?)")
            .bind(id_hash)
            .bind(user_id)
            .bind(csrf_token)
            .bind(timestamp(now))
            .bind(timestamp(expires_at))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn session(&self, id_hash: &str) -> Result<Option<Session>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS}, s.csrf_token, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.id_hash = ? AND s.expires_at > ? AND u.disabled = 0"
        ))
        .bind(id_hash)
        .bind(timestamp(Utc::now()))
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(Session {
                user: decode_user(&r)?,
                csrf_token: r.try_get("csrf_token")?,
                expires_at: parse_timestamp(r.try_get("expires_at")?)?,
            })
        })
        .transpose()
    }

    async fn delete_session(&self, id_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = ?").bind(id_hash).execute(&self.pool).await?;
        Ok(())
    }

    async fn append_audit(&self, entry: &NewAudit) -> Result<(), StoreError> {
        super::insert_audit(&self.pool, &timestamp(Utc::now()), entry).await
    }

    async fn audit_page(&self, limit: u32, offset: u64) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = sqlx::query("SELECT * FROM audit_log ORDER BY id DESC LIMIT ? OFFSET ?")
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
            "SELECT count(*) AS n, min(at) AS oldest FROM audit_log WHERE action = ? AND outcome = ? AND at >= ? \
             AND (? IS NULL OR actor = ?) AND (? IS NULL OR address = ?)",
        )
        .bind(action)
        .bind(outcome)
        .bind(timestamp(since))
        .bind(actor)
        .bind(actor)
        .bind(address)
        .bind(address)
        .fetch_one(&self.pool)
        .await?;
        let n: i64 = row.try_get("n")?;
        let oldest: Option<String> = row.try_get("oldest")?;
        Ok((n as u64, oldest.as_deref().map(parse_timestamp).transpose()?))
    }
}
