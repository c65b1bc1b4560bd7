//! Store errors, named for what failed. Backend details stay inside (`Display` of
//! [`StoreError::Backend`] never reaches clients; the server logs it and answers 500).

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No feature with that id.
    #[error("feature {0} not found")]
    NotFound(i64),
    /// The feature was deleted (its history, comments included, is kept).
    #[error("feature {0} was deleted")]
    Deleted(i64),
    /// The feature was written by someone else since the version the writer read.
    #[error("feature {id} is at version {current}, not {expected}")]
    VersionConflict {
        /// Feature id.
        id: i64,
        /// Version the writer expected.
        expected: i64,
        /// Version in the store.
        current: i64,
    },
    /// A unique attribute is already taken.
    #[error("{field} {value:?} is already used by another feature")]
    Duplicate {
        /// The attribute.
        field: &'static str,
        /// Its value.
        value: String,
    },
    /// A zone does not fit its cluster: outside it or over a sibling.
    #[error("the zone does not fit its cluster: {}", .0.iter().map(clusterplan_core::zones::PlacementProblem::message).collect::<Vec<_>>().join("; "))]
    Placement(Vec<clusterplan_core::zones::PlacementProblem>),
    /// A referenced feature (e.g. a zone's cluster) does not exist.
    #[error("{what} {id} does not exist")]
    MissingReference {
        /// What is referenced (`cluster`).
        what: &'static str,
        /// Its id.
        id: i64,
    },
    /// A status change did not start from the cluster's current status (someone else
    /// recorded a change first).
    #[error("the cluster's status is {current:?}, not {expected:?}")]
    StatusMoved {
        /// Status the change started from.
        expected: Option<String>,
        /// Status recorded now.
        current: Option<String>,
    },
    /// The feature still has dependent features (a cluster with zones).
    #[error("feature {id} still has {count} {what}")]
    HasDependents {
        /// Feature id.
        id: i64,
        /// How many.
        count: u64,
        /// What they are (`zones`).
        what: &'static str,
    },
    /// A write breaks a rule that depends on stored data (a lease on a plot already leased
    /// those days): the field at fault and why.
    #[error("{}: {}", .0.field, .0.message)]
    FieldRejected(clusterplan_core::FieldProblem),
    /// The operation does not apply to this state (e.g. reverting to a deletion).
    #[error("{0}")]
    Invalid(String),
    /// Stored data could not be read back (corruption or an external edit).
    #[error("stored data is unreadable: {0}")]
    Corrupt(String),
    /// Migrations failed.
    #[error("database migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// The database failed; details for logs only.
    #[error("database error: {0}")]
    Backend(sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    /// A number out of float8's range (`1e308 * area_ha` in a filter) is the request's doing,
    /// not the database's failure: [`StoreError::Invalid`], said without the database's words.
    fn from(e: sqlx::Error) -> Self {
        let out_of_range =
            e.as_database_error().and_then(sqlx::error::DatabaseError::code).is_some_and(|code| code == "22003");
        if out_of_range {
            Self::Invalid("the filter's arithmetic goes beyond the range of numbers for some feature".into())
        } else {
            Self::Backend(e)
        }
    }
}

impl StoreError {
    /// Maps unique-constraint violations on `code` to [`StoreError::Duplicate`].
    pub(crate) fn on_unique_code(err: sqlx::Error, code: &str) -> StoreError {
        if let sqlx::Error::Database(db) = &err
            && db.is_unique_violation()
        {
            return StoreError::Duplicate { field: "code", value: code.to_owned() };
        }
        StoreError::Backend(err)
    }

    /// Maps a unique-constraint violation on `code` to [`StoreError::Duplicate`].
    pub(crate) fn duplicate_code(self, code: &str) -> StoreError {
        match self {
            StoreError::Backend(e) => StoreError::on_unique_code(e, code),
            other => other,
        }
    }

    /// Maps a unique-constraint violation on a user's name to [`StoreError::Duplicate`].
    pub(crate) fn duplicate_name(self, name: &str) -> StoreError {
        match self {
            StoreError::Backend(e) => StoreError::on_unique_name(e, name),
            other => other,
        }
    }

    /// Maps unique-constraint violations on a user's name to [`StoreError::Duplicate`].
    pub(crate) fn on_unique_name(err: sqlx::Error, name: &str) -> StoreError {
        if let sqlx::Error::Database(db) = &err
            && db.is_unique_violation()
        {
            return StoreError::Duplicate { field: "name", value: name.to_owned() };
        }
        StoreError::Backend(err)
    }
}
