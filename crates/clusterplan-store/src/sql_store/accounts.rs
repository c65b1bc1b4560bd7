//! Accounts, tokens, sessions and the audit log, written once over a [`Backend`].

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{SqlStore, insert_audit};
use crate::backend::{Backend, RowExt, Sql};
use crate::{AccountStore, AuditEntry, NewAudit, NewUser, Role, Session, StoreError, User};

/// The columns a user is read from, the table aliased `u`.
const USER_COLUMNS: &str = "u.id, u.name, u.role, u.unit_code, u.disabled, u.created_at";

/// Decodes a row selected by [`USER_COLUMNS`].
fn decode_user<B: Backend>(row: &B::Row) -> Result<User, StoreError> {
    let role: String = row.get("role")?;
    Ok(User {
        id: row.get("id")?,
        name: row.get("name")?,
        role: Role::from_code(&role).ok_or_else(|| StoreError::Corrupt(format!("role {role:?}")))?,
        unit_code: row.get("unit_code")?,
        disabled: row.get("disabled")?,
        created_at: RowExt::<B>::time(row, "created_at")?,
    })
}

/// Decodes an `audit_log` row.
fn decode_audit<B: Backend>(row: &B::Row) -> Result<AuditEntry, StoreError> {
    Ok(AuditEntry {
        id: row.get("id")?,
        at: RowExt::<B>::time(row, "at")?,
        actor: row.get("actor")?,
        action: row.get("action")?,
        target: row.get("target")?,
        address: row.get("address")?,
        outcome: row.get("outcome")?,
        detail: row.get("detail")?,
    })
}

#[async_trait]
impl<B: Backend> AccountStore for SqlStore<B> {
    async fn create_user(&self, user: &NewUser) -> Result<User, StoreError> {
        let mut tx = self.begin().await?;
        let row = Sql::<B>::new(
            "INSERT INTO users (name, role, unit_code, password_hash, disabled, created_at) VALUES (?, ?, ?, ?, ?, ?) \
             RETURNING id, name, role, unit_code, disabled, created_at",
        )
        .bind(user.name.clone())
        .bind(user.role.code())
        .bind(user.unit_code.clone())
        .bind(user.password_hash.clone())
        .bind(false)
        .time(Utc::now())
        .fetch_one(&mut tx)
        .await
        .map_err(|e| e.duplicate_name(&user.name))?;
        tx.commit().await?;
        decode_user::<B>(&row)
    }

    async fn set_password(
        &self,
        name: &str,
        password_hash: &str,
        keep_session: Option<&str>,
        audit: &NewAudit,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        let row = Sql::<B>::new("UPDATE users SET password_hash = ? WHERE name = ? RETURNING id")
            .bind(password_hash.to_owned())
            .bind(name.to_owned())
            .fetch_optional(&mut tx)
            .await?;
        // Dropping the transaction rolls back.
        let Some(row) = row else { return Ok(false) };
        let id: i64 = row.get("id")?;
        let keep = keep_session.map(str::to_owned);
        Sql::<B>::new("DELETE FROM sessions WHERE user_id = ? AND (? IS NULL OR id_hash <> ?)")
            .bind(id)
            .bind(keep.clone())
            .bind(keep)
            .execute(&mut tx)
            .await?;
        insert_audit::<B>(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn user_with_password(&self, name: &str) -> Result<Option<(User, String)>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let row = Sql::<B>::new(&format!("SELECT {USER_COLUMNS}, u.password_hash FROM users u WHERE u.name = ?"))
            .bind(name.to_owned())
            .fetch_optional(&mut conn)
            .await?;
        row.map(|r| Ok((decode_user::<B>(&r)?, r.get("password_hash")?))).transpose()
    }

    async fn list_users(&self) -> Result<Vec<User>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let rows =
            Sql::<B>::new(&format!("SELECT {USER_COLUMNS} FROM users u ORDER BY u.name")).fetch_all(&mut conn).await?;
        rows.iter().map(decode_user::<B>).collect()
    }

    async fn user_count(&self) -> Result<u64, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let n: i64 = Sql::<B>::new("SELECT count(*) AS n FROM users").scalar(&mut conn, "n").await?;
        Ok(n as u64)
    }

    async fn disable_user(&self, name: &str) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        let row = Sql::<B>::new("UPDATE users SET disabled = ? WHERE name = ? RETURNING id")
            .bind(true)
            .bind(name.to_owned())
            .fetch_optional(&mut tx)
            .await?;
        let Some(row) = row else { return Ok(false) };
        let id: i64 = row.get("id")?;
        Sql::<B>::new("DELETE FROM sessions WHERE user_id = ?").bind(id).execute(&mut tx).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn create_token(&self, user: &str, token_name: &str, token_hash: &str) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        let n = Sql::<B>::new(
            "INSERT INTO api_tokens (token_hash, user_id, name, created_at) SELECT ?, id, ?, ? FROM users WHERE name = ?",
        )
        .bind(token_hash.to_owned())
        .bind(token_name.to_owned())
        .time(Utc::now())
        .bind(user.to_owned())
        .execute(&mut tx)
        .await?;
        tx.commit().await?;
        Ok(n == 1)
    }

    async fn user_by_token(&self, token_hash: &str) -> Result<Option<User>, StoreError> {
        let mut conn = self.warm.lease().await?;
        let row = Sql::<B>::new(&format!(
            "SELECT {USER_COLUMNS} FROM api_tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.token_hash = ? AND t.revoked_at IS NULL AND u.disabled = ?"
        ))
        .bind(token_hash.to_owned())
        .bind(false)
        .fetch_optional(&mut conn)
        .await?;
        conn.done();
        row.as_ref().map(decode_user::<B>).transpose()
    }

    async fn revoke_token(&self, token_hash: &str, owner: Option<&str>) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        let owner = owner.map(str::to_owned);
        let n = Sql::<B>::new(
            "UPDATE api_tokens SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL \
             AND (? IS NULL OR user_id = (SELECT id FROM users WHERE name = ?))",
        )
        .time(Utc::now())
        .bind(token_hash.to_owned())
        .bind(owner.clone())
        .bind(owner)
        .execute(&mut tx)
        .await?;
        tx.commit().await?;
        Ok(n == 1)
    }

    async fn create_session(
        &self,
        user_id: i64,
        id_hash: &str,
        csrf_token: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let now = Utc::now();
        let mut tx = self.begin().await?;
        // Expired sessions are dropped as new ones come in: the table stays small.
        Sql::<B>::new("DELETE FROM sessions WHERE expires_at < ?").time(now).execute(&mut tx).await?;
        Sql::<B>::new(
            "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(id_hash.to_owned())
        .bind(user_id)
        .bind(csrf_token.to_owned())
        .time(now)
        .time(expires_at)
        .execute(&mut tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn session(&self, id_hash: &str) -> Result<Option<Session>, StoreError> {
        let mut conn = self.warm.lease().await?;
        let row = Sql::<B>::new(&format!(
            "SELECT {USER_COLUMNS}, s.csrf_token, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.id_hash = ? AND s.expires_at > ? AND u.disabled = ?"
        ))
        .bind(id_hash.to_owned())
        .time(Utc::now())
        .bind(false)
        .fetch_optional(&mut conn)
        .await?;
        conn.done();
        row.map(|r| {
            Ok(Session {
                user: decode_user::<B>(&r)?,
                csrf_token: r.get("csrf_token")?,
                expires_at: RowExt::<B>::time(&r, "expires_at")?,
            })
        })
        .transpose()
    }

    async fn delete_session(&self, id_hash: &str) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        Sql::<B>::new("DELETE FROM sessions WHERE id_hash = ?").bind(id_hash.to_owned()).execute(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn append_audit(&self, entry: &NewAudit) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        insert_audit::<B>(&mut tx, entry).await?;
        Ok(tx.commit().await?)
    }

    async fn audit_page(&self, limit: u32, offset: u64) -> Result<Vec<AuditEntry>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let rows = Sql::<B>::new(
            "SELECT id, at, actor, action, target, address, outcome, detail FROM audit_log \
             ORDER BY id DESC LIMIT ? OFFSET ?",
        )
        .bind(i64::from(limit))
        .bind(i64::try_from(offset).unwrap_or(i64::MAX))
        .fetch_all(&mut conn)
        .await?;
        rows.iter().map(decode_audit::<B>).collect()
    }

    async fn recent_audit(
        &self,
        action: &str,
        outcome: &str,
        actor: Option<&str>,
        address: Option<&str>,
        since: DateTime<Utc>,
    ) -> Result<(u64, Option<DateTime<Utc>>), StoreError> {
        let mut conn = self.pool.acquire().await?;
        let (actor, address) = (actor.map(str::to_owned), address.map(str::to_owned));
        let row = Sql::<B>::new(
            "SELECT count(*) AS n, min(at) AS oldest FROM audit_log WHERE action = ? AND outcome = ? AND at >= ? \
             AND (? IS NULL OR actor = ?) AND (? IS NULL OR address = ?)",
        )
        .bind(action.to_owned())
        .bind(outcome.to_owned())
        .time(since)
        .bind(actor.clone())
        .bind(actor)
        .bind(address.clone())
        .bind(address)
        .fetch_one(&mut conn)
        .await?;
        let n: i64 = row.get("n")?;
        Ok((n as u64, RowExt::<B>::opt_time(&row, "oldest")?))
    }
}
