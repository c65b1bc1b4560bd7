//! The account commands of the binary (`clusterplan user …`, `clusterplan token …`) and the
//! first-run admin bootstrap of `serve`. They open the store like `serve` does, so they work
//! on a running server's database (SQLite WAL or PostGIS).

use std::io::BufRead;

use anyhow::{Context, bail};
use clusterplan_store::{NewAudit, NewUser, Role, Store, StoreError};

use crate::auth::{check_password_policy, digest, hash_password, new_token, random_hex};
use crate::cli::{DatabaseArg, TokenCommand, UserCommand};

async fn open(db: &DatabaseArg) -> anyhow::Result<std::sync::Arc<dyn Store>> {
    Ok(clusterplan_store::open(&db.store()?).await?)
}

/// The audit row of an account command run on the machine (no account acts: the actor is the
/// command line).
async fn audit_cli(store: &dyn Store, action: &str, target: &str, detail: Option<String>) -> anyhow::Result<()> {
    let entry = NewAudit {
        actor: None,
        action: action.into(),
        target: Some(target.into()),
        address: Some("command line".into()),
        outcome: "ok".into(),
        detail,
    };
    Ok(store.append_audit(&entry).await?)
}

fn read_password_from_stdin() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).context("reading the password from stdin")?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    if password.is_empty() {
        bail!("no password: give --password, set CLUSTERPLAN_PASSWORD or write it on stdin");
    }
    Ok(password)
}

/// Runs `clusterplan user …`.
pub async fn user(command: UserCommand) -> anyhow::Result<()> {
    match command {
        UserCommand::Add { name, role, unit, password, db } => {
            let role = Role::from_code(&role)
                .with_context(|| format!("--role {role:?} must be admin, planner, officer or viewer"))?;
            if role == Role::Officer && unit.is_none() {
                bail!("an officer needs --unit CODE (the administrative unit it edits)");
            }
            let password = match password {
                Some(p) => p,
                None => read_password_from_stdin()?,
            };
            if let Err(weak) = check_password_policy(&name, &password) {
                bail!("{weak}");
            }
            let store = open(&db).await?;
            let password_hash = hash_password(&password).map_err(|e| anyhow::anyhow!("{e}"))?;
            match store.create_user(&NewUser { name: name.clone(), role, unit_code: unit, password_hash }).await {
                Ok(u) => {
                    let detail = format!(
                        "role {}{}",
                        u.role.code(),
                        u.unit_code.map(|c| format!(", unit {c}")).unwrap_or_default()
                    );
                    audit_cli(store.as_ref(), "user.add", &u.name, Some(detail)).await?;
                    println!("created {} ({})", u.name, u.role.code());
                }
                Err(StoreError::Duplicate { .. }) => bail!("an account named {name:?} exists already"),
                Err(e) => return Err(e.into()),
            }
        }
        UserCommand::Password { name, password, generate, db } => {
            let password = match (password, generate) {
                (_, true) => random_hex(12),
                (Some(p), false) => p,
                (None, false) => read_password_from_stdin()?,
            };
            if let Err(weak) = check_password_policy(&name, &password) {
                bail!("{weak}");
            }
            let store = open(&db).await?;
            let password_hash = hash_password(&password).map_err(|e| anyhow::anyhow!("{e}"))?;
            let audit = NewAudit {
                actor: None,
                action: "password.reset".into(),
                target: Some(name.clone()),
                outcome: "ok".into(),
                detail: Some("set by the command line; all sessions ended".into()),
                ..NewAudit::default()
            };
            if !store.set_password(&name, &password_hash, None, &audit).await? {
                bail!("no account named {name:?}");
            }
            if generate {
                println!("new password for {name} (shown once):");
                println!("{password}");
            } else {
                println!("password of {name} changed; its sessions ended");
            }
        }
        UserCommand::List { db } => {
            let store = open(&db).await?;
            for u in store.list_users().await? {
                let state = if u.disabled { "disabled" } else { "active" };
                println!("{}\t{}\t{}\t{state}", u.name, u.role.code(), u.unit_code.as_deref().unwrap_or("-"));
            }
        }
        UserCommand::Disable { name, db } => {
            let store = open(&db).await?;
            if !store.disable_user(&name).await? {
                bail!("no account named {name:?}");
            }
            audit_cli(store.as_ref(), "user.disable", &name, None).await?;
            println!("disabled {name}");
        }
    }
    Ok(())
}

/// Runs `clusterplan token …`.
pub async fn token(command: TokenCommand) -> anyhow::Result<()> {
    match command {
        TokenCommand::Create { name, label, db } => {
            let store = open(&db).await?;
            let token = new_token();
            if !store.create_token(&name, &label, &digest(&token)).await? {
                bail!("no account named {name:?}");
            }
            audit_cli(store.as_ref(), "token.create", &name, Some(label.clone())).await?;
            println!("token {label:?} for {name} (shown once; send it as `Authorization: Bearer <token>`):");
            println!("{token}");
        }
        TokenCommand::Revoke { token, db } => {
            let store = open(&db).await?;
            if !store.revoke_token(&digest(&token), None).await? {
                bail!("no live token matches");
            }
            audit_cli(store.as_ref(), "token.revoke", "token", None).await?;
            println!("revoked");
        }
    }
    Ok(())
}

/// When the store has no account, creates `admin` with a random password and returns it
/// (printed once by `serve`). Two instances starting together on one PostGIS: one wins.
pub async fn bootstrap_admin(store: &dyn Store) -> anyhow::Result<Option<String>> {
    if store.user_count().await? > 0 {
        return Ok(None);
    }
    let password = random_hex(12);
    let password_hash = hash_password(&password).map_err(|e| anyhow::anyhow!("{e}"))?;
    match store.create_user(&NewUser { name: "admin".into(), role: Role::Admin, unit_code: None, password_hash }).await
    {
        Ok(_) => Ok(Some(password)),
        Err(StoreError::Duplicate { .. }) => Ok(None),
        Err(e) => Err(e.into()),
    }
}
