//! Accounts, API tokens, sessions and the audit log. The store keeps hashes only: the server
//! hashes passwords (argon2) and tokens/session ids (SHA-256) before they reach this trait.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::StoreError;

/// What an account may do; the server's `rights` module gives each role its meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Manages accounts, reads the audit log, edits everything.
    Admin,
    /// Edits every feature.
    Planner,
    /// Edits features that intersect its administrative unit.
    Officer,
    /// Reads, including drafts; writes nothing.
    Viewer,
}

impl Role {
    /// Every role, in order of rights.
    pub const ALL: [Role; 4] = [Role::Admin, Role::Planner, Role::Officer, Role::Viewer];

    /// The stored and wire name.
    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Planner => "planner",
            Role::Officer => "officer",
            Role::Viewer => "viewer",
        }
    }

    /// Parses a stored or typed name.
    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }
}

/// An account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Store id.
    pub id: i64,
    /// Login name, unique.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Official code of the unit an officer works for.
    pub unit_code: Option<String>,
    /// A disabled account cannot log in, and its tokens and sessions stop working.
    pub disabled: bool,
    /// When it was made.
    pub created_at: DateTime<Utc>,
}

/// An account to create.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Login name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Unit code (officers).
    pub unit_code: Option<String>,
    /// Argon2 PHC string.
    pub password_hash: String,
}

/// A live session and its account.
#[derive(Debug, Clone)]
pub struct Session {
    /// The account.
    pub user: User,
    /// The token a cookie-authenticated unsafe request must echo in `X-CSRF-Token`.
    pub csrf_token: String,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
}

/// An audit row to append.
#[derive(Debug, Clone, Default)]
pub struct NewAudit {
    /// Account name, `None` for anonymous.
    pub actor: Option<String>,
    /// `login`, `logout`, `token.create`, `cluster.create`, …
    pub action: String,
    /// What it was about (`clusters/12`, a token name).
    pub target: Option<String>,
    /// Client address.
    pub address: Option<String>,
    /// `ok`, `failure`, `refused`, `limited`.
    pub outcome: String,
    /// Free text (reason of a write, why a request was refused).
    pub detail: Option<String>,
}

/// A stored audit row.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    /// Increasing id.
    pub id: i64,
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    pub actor: Option<String>,
    /// What.
    pub action: String,
    /// On what.
    pub target: Option<String>,
    /// From where.
    pub address: Option<String>,
    /// How it ended.
    pub outcome: String,
    /// Details.
    pub detail: Option<String>,
}

/// Accounts, tokens, sessions and the audit log.
#[async_trait]
pub trait AccountStore {
    /// Replaces an account's password hash and ends all its sessions but `keep_session` (the
    /// digest of the session that asked for the change, if any), writing `audit` in the same
    /// transaction; `false` when there is no such account. API tokens stay valid.
    async fn set_password(
        &self,
        name: &str,
        password_hash: &str,
        keep_session: Option<&str>,
        audit: &NewAudit,
    ) -> Result<bool, StoreError>;

    /// Creates an account; [`StoreError::Duplicate`] when the name is taken.
    async fn create_user(&self, user: &NewUser) -> Result<User, StoreError>;

    /// An account and its password hash, disabled or not.
    async fn user_with_password(&self, name: &str) -> Result<Option<(User, String)>, StoreError>;

    /// Every account, by name.
    async fn list_users(&self) -> Result<Vec<User>, StoreError>;

    /// How many accounts exist (the first-run bootstrap creates one when there is none).
    async fn user_count(&self) -> Result<u64, StoreError>;

    /// Disables an account and ends its sessions; `false` when there is no such account.
    async fn disable_user(&self, name: &str) -> Result<bool, StoreError>;

    /// Stores a token's hash for an account; `false` when there is no such account.
    async fn create_token(&self, user: &str, token_name: &str, token_hash: &str) -> Result<bool, StoreError>;

    /// The enabled account a live (unrevoked) token belongs to.
    async fn user_by_token(&self, token_hash: &str) -> Result<Option<User>, StoreError>;

    /// Revokes a token (only one of `owner`'s when given); `false` when none matched.
    async fn revoke_token(&self, token_hash: &str, owner: Option<&str>) -> Result<bool, StoreError>;

    /// Stores a session.
    async fn create_session(
        &self,
        user_id: i64,
        id_hash: &str,
        csrf_token: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// A live session of an enabled account.
    async fn session(&self, id_hash: &str) -> Result<Option<Session>, StoreError>;

    /// Ends a session.
    async fn delete_session(&self, id_hash: &str) -> Result<(), StoreError>;

    /// Appends an audit row (writes of clusters append theirs in their own transaction).
    async fn append_audit(&self, entry: &NewAudit) -> Result<(), StoreError>;

    /// Audit rows, newest first.
    async fn audit_page(&self, limit: u32, offset: u64) -> Result<Vec<AuditEntry>, StoreError>;

    /// Rows of `action` with `outcome` since an instant, by actor or by address (whichever is
    /// given): their count and the oldest one's time. The login rate limit reads this, so it
    /// holds across server instances sharing a database.
    async fn recent_audit(
        &self,
        action: &str,
        outcome: &str,
        actor: Option<&str>,
        address: Option<&str>,
        since: DateTime<Utc>,
    ) -> Result<(u64, Option<DateTime<Utc>>), StoreError>;
}
