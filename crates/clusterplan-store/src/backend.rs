//! What differs between the two SQL backends, and nothing else.
//!
//! Every store operation is written once, in [`crate::sql_store`] and its sibling modules,
//! over [`Backend`]. A backend says how to bind and read the few types the two databases store
//! differently (geometries, timestamps, text lists), how to run a built query, which column is
//! the feature id, how a bounding box selects rows, what to keep in step after a write (the
//! GeoPackage R*Tree) and how a vector tile is made. Values both databases take as they are
//! (numbers, text, booleans, dates, bytes) go through [`SqlValue`] and [`SqlColumn`], which
//! name both databases' sqlx traits once, so generic code needs no trait bounds of its own.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use chrono::{DateTime, NaiveDate, Utc};
use clusterplan_core::cql2::{LikePattern, Literal};
use futures::stream::BoxStream;
use geo_types::Geometry;
use sqlx::{Database, Postgres, QueryBuilder, Sqlite};

use crate::query::Queryable;
use crate::tiles::Tiled;
use crate::warm::Warm;
use crate::{Layer, StoreError, TileBudget, TileId};

/// A value both databases bind as it is.
pub trait SqlValue: Send + 'static {
    #[doc(hidden)]
    fn bind_sqlite(self, qb: &mut QueryBuilder<'static, Sqlite>);
    #[doc(hidden)]
    fn bind_postgres(self, qb: &mut QueryBuilder<'static, Postgres>);
}

/// A column of a selected row: by its name (`"code"`), or by the position a fixed select list
/// gives it ([`At`]).
pub trait Column:
    Copy + std::fmt::Display + sqlx::ColumnIndex<sqlx::sqlite::SqliteRow> + sqlx::ColumnIndex<sqlx::postgres::PgRow>
{
}

impl Column for &str {}

/// A column at a known position of a fixed select list, with its name. Read by position when
/// the row has that name there (a few bytes compared), else by name: a select list that
/// changed order reads the same values, only slower. sqlx finds a column by name through a
/// hash map on every value, which was ~7 % of the server's CPU on a page of 1 000 clusters.
#[derive(Clone, Copy, Debug)]
pub(crate) struct At(pub(crate) usize, pub(crate) &'static str);

impl At {
    fn position<R: sqlx::Row>(self, row: &R) -> Result<usize, sqlx::Error>
    where
        for<'a> &'a str: sqlx::ColumnIndex<R>,
    {
        match row.columns().get(self.0) {
            Some(c) if sqlx::Column::name(c) == self.1 => Ok(self.0),
            _ => sqlx::ColumnIndex::index(&self.1, row),
        }
    }
}

impl sqlx::ColumnIndex<sqlx::sqlite::SqliteRow> for At {
    fn index(&self, row: &sqlx::sqlite::SqliteRow) -> Result<usize, sqlx::Error> {
        self.position(row)
    }
}

impl sqlx::ColumnIndex<sqlx::postgres::PgRow> for At {
    fn index(&self, row: &sqlx::postgres::PgRow) -> Result<usize, sqlx::Error> {
        self.position(row)
    }
}

impl std::fmt::Display for At {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.1)
    }
}

impl Column for At {}

/// The columns of a fixed select list as [`At`] constants, numbered in the order given (which
/// must be the select list's: `backend::tests` checks it), and in test builds `ALL` of them.
macro_rules! positions {
    ($($name:ident = $column:literal),* $(,)?) => {
        #[allow(non_camel_case_types, clippy::upper_case_acronyms)]
        enum Position { $($name),* }
        $(pub(crate) const $name: $crate::backend::At = $crate::backend::At(Position::$name as usize, $column);)*
        #[cfg(test)]
        pub(crate) const ALL: &[$crate::backend::At] = &[$($name),*];
    };
}
pub(crate) use positions;

/// A column type both databases decode as it is.
pub trait SqlColumn: Sized {
    #[doc(hidden)]
    fn get_sqlite(row: &sqlx::sqlite::SqliteRow, column: impl Column) -> Result<Self, sqlx::Error>;
    #[doc(hidden)]
    fn get_postgres(row: &sqlx::postgres::PgRow, column: impl Column) -> Result<Self, sqlx::Error>;
}

macro_rules! portable {
    ($($t:ty),*) => {$(
        impl SqlValue for $t {
            fn bind_sqlite(self, qb: &mut QueryBuilder<'static, Sqlite>) {
                qb.push_bind(self);
            }
            fn bind_postgres(self, qb: &mut QueryBuilder<'static, Postgres>) {
                qb.push_bind(self);
            }
        }
        impl SqlValue for Option<$t> {
            fn bind_sqlite(self, qb: &mut QueryBuilder<'static, Sqlite>) {
                qb.push_bind(self);
            }
            fn bind_postgres(self, qb: &mut QueryBuilder<'static, Postgres>) {
                qb.push_bind(self);
            }
        }
        impl SqlColumn for $t {
            fn get_sqlite(row: &sqlx::sqlite::SqliteRow, column: impl Column) -> Result<Self, sqlx::Error> {
                sqlx::Row::try_get(row, column)
            }
            fn get_postgres(row: &sqlx::postgres::PgRow, column: impl Column) -> Result<Self, sqlx::Error> {
                sqlx::Row::try_get(row, column)
            }
        }
        impl SqlColumn for Option<$t> {
            fn get_sqlite(row: &sqlx::sqlite::SqliteRow, column: impl Column) -> Result<Self, sqlx::Error> {
                sqlx::Row::try_get(row, column)
            }
            fn get_postgres(row: &sqlx::postgres::PgRow, column: impl Column) -> Result<Self, sqlx::Error> {
                sqlx::Row::try_get(row, column)
            }
        }
    )*};
}

portable!(i64, f64, bool, String, Vec<u8>, NaiveDate);

impl SqlValue for &'static str {
    fn bind_sqlite(self, qb: &mut QueryBuilder<'static, Sqlite>) {
        qb.push_bind(self);
    }
    fn bind_postgres(self, qb: &mut QueryBuilder<'static, Postgres>) {
        qb.push_bind(self);
    }
}

impl SqlValue for Option<&'static str> {
    fn bind_sqlite(self, qb: &mut QueryBuilder<'static, Sqlite>) {
        qb.push_bind(self);
    }
    fn bind_postgres(self, qb: &mut QueryBuilder<'static, Postgres>) {
        qb.push_bind(self);
    }
}

/// A list of strings (collection keywords): JSON text in GeoPackage, `text[]` in PostGIS.
#[derive(Debug, Clone)]
pub struct TextList(pub Vec<String>);

/// What one SQL database does differently. Sealed: implemented for [`Sqlite`] (the
/// GeoPackage file) and [`Postgres`] (PostGIS) only. Defaults are plain SQL as SQLite takes
/// it; PostGIS overrides what it does otherwise.
pub trait Backend: Database + sealed::Sealed {
    /// `gpkg` or `postgis`, for logs and `/health`.
    const NAME: &'static str;
    /// The feature id column of feature tables (`fid` in GeoPackage, `id` in PostGIS).
    const ID: &'static str;
    /// The select expression that reads the `geom` column as [`Backend::get_geom`] decodes it.
    const GEOM: &'static str = "geom";
    /// Text comparisons by code point, as [`crate::query::compare`] orders them (SQLite's
    /// default collation, BINARY, compares UTF-8 bytes: code point order).
    const TEXT_COLLATION: &'static str = "";
    /// Whether [`Backend::push_bbox`] is exact (`true`) or an envelope prefilter whose
    /// candidates are tested again in Rust.
    const BBOX_EXACT: bool;
    /// Whether the database takes one writer at a time (SQLite: one write lock for the whole
    /// file). Then the store's writers queue in the process first ([`crate::SqlStore::begin`]).
    const ONE_WRITER: bool = false;
    /// Where writers run in parallel: a statement that makes its transaction wait for every
    /// other one that ran it with the same key (`?`), until they end
    /// ([`crate::SqlStore::begin_locked`]: a transaction that reads before it writes).
    const KEY_LOCK: Option<&'static str> = None;
    /// A statement that locks one feature row for the rest of the transaction and affects one
    /// row when it exists; `{table}` and `{id}` are replaced, `?` is the id.
    const LOCK_ROW: &'static str;
    /// A `?` slot for a JSON document given as text (`{jsonb}` in a template).
    const JSON_SLOT: &'static str = "?";
    /// What an `INSERT` that names the id of an identity column needs after its column list.
    const OVERRIDING: &'static str = "";
    /// A statement that locks a whole table (`{table}`) against other writers for the rest of
    /// the transaction, readers going on.
    const LOCK_TABLE: &'static str;
    /// `minx, miny, maxx, maxy` of a feature table (`{table}`), NULLs when it is empty.
    const EXTENT: &'static str;
    /// What ends a `SELECT` whose rows no other transaction may delete until this one ends
    /// (nothing in SQLite, where a writing transaction holds the database's write lock).
    const FOR_SHARE: &'static str = "";

    /// Whether predicates on this queryable are decided in SQL as the Rust evaluator does.
    fn decides(q: Queryable) -> bool;
    /// Whether `CASEI`, `ACCENTI`, arithmetic, spatial and temporal functions are decided in SQL
    /// (PostgreSQL's lower case, `translate`, float8 arithmetic, PostGIS, comparisons of
    /// instants) as the Rust evaluator does.
    const FUNCTIONS: bool;

    /// Binds a value both databases store alike.
    fn bind<T: SqlValue>(qb: &mut QueryBuilder<'static, Self>, value: T);

    /// Binds a point in time.
    fn push_time(qb: &mut QueryBuilder<'static, Self>, at: Option<DateTime<Utc>>);

    /// Binds a geometry (SRID 4326), in the SQL expression the `geom` column takes.
    fn push_geom(qb: &mut QueryBuilder<'static, Self>, geometry: Option<&Geometry<f64>>) -> Result<(), StoreError>;

    /// Binds a list of strings.
    fn push_text_list(qb: &mut QueryBuilder<'static, Self>, list: TextList) -> Result<(), StoreError>;

    /// ` [NOT] LIKE …` after the column: case-sensitive, CQL2's wildcards.
    fn push_like(qb: &mut QueryBuilder<'static, Self>, pattern: &LikePattern);

    /// ` AND <rows of table whose envelope meets the WGS 84 box>`: an index prefilter.
    fn push_envelope(qb: &mut QueryBuilder<'static, Self>, table: &str, bbox: [f64; 4]);

    /// ` AND <rows of table whose geometry meets the WGS 84 box>`, exact when
    /// [`Backend::BBOX_EXACT`], else the envelope test.
    fn push_bbox(qb: &mut QueryBuilder<'static, Self>, table: &str, bbox: [f64; 4]) {
        Self::push_envelope(qb, table, bbox);
    }

    /// Decodes a column both databases store alike.
    fn get<T: SqlColumn>(row: &Self::Row, column: impl Column) -> Result<T, StoreError>;

    /// Decodes a point in time (`None` for NULL).
    fn get_time(row: &Self::Row, column: impl Column) -> Result<Option<DateTime<Utc>>, StoreError>;

    /// Decodes a geometry selected by [`Backend::GEOM`] (`None` for NULL).
    fn get_geom(row: &Self::Row, column: impl Column) -> Result<Option<Geometry<f64>>, StoreError>;

    /// Whether the geometry selected by [`Backend::GEOM`] meets the WGS 84 box, as
    /// [`ClusterQuery::admits`](crate::ClusterQuery::admits) tests a bbox (NULL meets nothing).
    fn geom_meets_bbox(row: &Self::Row, column: &str, bbox: [f64; 4]) -> Result<bool, StoreError> {
        Ok(Self::get_geom(row, column)?.is_some_and(|g| crate::query::geometry_meets_bbox(&g, bbox)))
    }

    /// Decodes a list of strings.
    fn get_text_list(row: &Self::Row, column: &str) -> Result<Vec<String>, StoreError>;

    /// Runs a query, all rows.
    fn fetch_all<'c>(
        conn: &'c mut Self::Connection,
        qb: QueryBuilder<'static, Self>,
    ) -> impl Future<Output = Result<Vec<Self::Row>, sqlx::Error>> + Send + 'c;

    /// Runs a query, at most one row.
    fn fetch_optional<'c>(
        conn: &'c mut Self::Connection,
        qb: QueryBuilder<'static, Self>,
    ) -> impl Future<Output = Result<Option<Self::Row>, sqlx::Error>> + Send + 'c;

    /// Runs a statement; the number of rows it affected.
    fn execute<'c>(
        conn: &'c mut Self::Connection,
        qb: QueryBuilder<'static, Self>,
    ) -> impl Future<Output = Result<u64, sqlx::Error>> + Send + 'c;

    /// Streams a query's rows as they arrive, on a connection of the pool (kept warm for the
    /// next read when the stream ran to its end).
    fn fetch_stream(
        warm: Arc<Warm<Self>>,
        qb: QueryBuilder<'static, Self>,
    ) -> BoxStream<'static, Result<Self::Row, sqlx::Error>>;

    /// Keeps what the database does not keep itself in step with a write of a feature row
    /// (GeoPackage: the R*Tree and `gpkg_contents`); `bbox` is `None` for a deletion.
    fn after_write<'c>(
        conn: &'c mut Self::Connection,
        table: &'static str,
        id: i64,
        bbox: Option<[f64; 4]>,
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send + 'c;

    /// Keeps what the database does not keep itself in step with a publication, after the
    /// published clusters and zones were replaced by the draft in the same transaction.
    fn after_publish(
        conn: &mut Self::Connection,
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Sets `flag` when a transaction on `conn` is rolled back whole, by a statement or by the
    /// database itself after an error (a savepoint's rollback does not count). The embedded
    /// store's shared commits (`turn.rs`) need it; PostgreSQL's transactions are not shared.
    fn on_rollback(
        conn: &mut Self::Connection,
        flag: Arc<AtomicBool>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        let _ = (conn, flag);
        async { Ok(()) }
    }

    /// One Mapbox Vector Tile of a layer's clusters or zones, its MVT layer called `name`,
    /// within the budget; `None` when the tile is empty.
    fn tile(
        warm: &Arc<Warm<Self>>,
        tile: TileId,
        name: &str,
        source: (Tiled, Layer),
        budget: TileBudget,
    ) -> impl Future<Output = Result<Option<Vec<u8>>, StoreError>> + Send;
}

/// The items of [`Backend`] that sqlx does alike for both databases, given the backend's
/// connection and row types and the [`SqlValue`]/[`SqlColumn`] methods that name it.
macro_rules! sqlx_alike {
    ($conn:ty, $row:ty, $bind:ident, $get:ident) => {
        fn bind<T: $crate::backend::SqlValue>(qb: &mut sqlx::QueryBuilder<'static, Self>, value: T) {
            value.$bind(qb);
        }

        fn get<T: $crate::backend::SqlColumn>(
            row: &$row,
            column: impl $crate::backend::Column,
        ) -> Result<T, $crate::StoreError> {
            Ok(T::$get(row, column)?)
        }

        async fn fetch_all(
            conn: &mut $conn,
            mut qb: sqlx::QueryBuilder<'static, Self>,
        ) -> Result<Vec<$row>, sqlx::Error> {
            qb.build().fetch_all(conn).await
        }

        async fn fetch_optional(
            conn: &mut $conn,
            mut qb: sqlx::QueryBuilder<'static, Self>,
        ) -> Result<Option<$row>, sqlx::Error> {
            qb.build().fetch_optional(conn).await
        }

        async fn execute(conn: &mut $conn, mut qb: sqlx::QueryBuilder<'static, Self>) -> Result<u64, sqlx::Error> {
            Ok(qb.build().execute(conn).await?.rows_affected())
        }

        fn fetch_stream(
            warm: std::sync::Arc<$crate::warm::Warm<Self>>,
            mut qb: sqlx::QueryBuilder<'static, Self>,
        ) -> futures::stream::BoxStream<'static, Result<$row, sqlx::Error>> {
            use futures::{StreamExt, TryStreamExt};
            async_stream::try_stream! {
                let mut conn = warm.lease().await?;
                {
                    let mut rows = qb.build().fetch(&mut *conn);
                    while let Some(row) = rows.try_next().await? {
                        yield row;
                    }
                }
                // Every row read: the connection is between statements.
                conn.done();
            }
            .boxed()
        }
    };
}
pub(crate) use sqlx_alike;

mod sealed {
    pub trait Sealed {}
    impl Sealed for sqlx::Sqlite {}
    impl Sealed for sqlx::Postgres {}
}

/// A query under construction: SQL text with `?` where values go, filled in order by
/// [`Sql::bind`] and its siblings, so statements read as SQL and bind values for either
/// backend. `{id}`, `{geom}`, `{jsonb}` and `{overriding}` in the text become what [`expand`] says.
pub(crate) struct Sql<B: Backend> {
    qb: QueryBuilder<'static, B>,
    rest: String,
}

impl<B: Backend> Sql<B> {
    pub(crate) fn new(template: &str) -> Self {
        Sql { qb: QueryBuilder::new(""), rest: expand::<B>(template) }
    }

    /// Pushes the text up to the next `?`.
    fn next_slot(&mut self) {
        let at = self.rest.find('?').unwrap_or_else(|| panic!("more values than `?` in {:?}", self.rest));
        self.qb.push(&self.rest[..at]);
        self.rest.drain(..=at);
    }

    /// The next `?` is this value.
    pub(crate) fn bind(mut self, value: impl SqlValue) -> Self {
        self.next_slot();
        B::bind(&mut self.qb, value);
        self
    }

    /// The next `?` is this point in time.
    pub(crate) fn time(mut self, at: impl Into<Option<DateTime<Utc>>>) -> Self {
        self.next_slot();
        B::push_time(&mut self.qb, at.into());
        self
    }

    /// The next `?` is this geometry.
    pub(crate) fn geom(mut self, geometry: Option<&Geometry<f64>>) -> Result<Self, StoreError> {
        self.next_slot();
        B::push_geom(&mut self.qb, geometry)?;
        Ok(self)
    }

    /// The next `?` is this list of strings.
    pub(crate) fn text_list(mut self, list: TextList) -> Result<Self, StoreError> {
        self.next_slot();
        B::push_text_list(&mut self.qb, list)?;
        Ok(self)
    }

    /// The query so far, to go on with the query builder (the text left must hold no `?`).
    pub(crate) fn builder(mut self) -> QueryBuilder<'static, B> {
        assert!(!self.rest.contains('?'), "unbound `?` in {:?}", self.rest);
        self.qb.push(std::mem::take(&mut self.rest));
        self.qb
    }

    pub(crate) async fn fetch_all(self, conn: &mut B::Connection) -> Result<Vec<B::Row>, StoreError> {
        Ok(B::fetch_all(conn, self.builder()).await?)
    }

    pub(crate) async fn fetch_optional(self, conn: &mut B::Connection) -> Result<Option<B::Row>, StoreError> {
        Ok(B::fetch_optional(conn, self.builder()).await?)
    }

    pub(crate) async fn fetch_one(self, conn: &mut B::Connection) -> Result<B::Row, StoreError> {
        B::fetch_optional(conn, self.builder()).await?.ok_or(StoreError::Backend(sqlx::Error::RowNotFound))
    }

    /// Runs the statement; the number of rows it affected.
    pub(crate) async fn execute(self, conn: &mut B::Connection) -> Result<u64, StoreError> {
        Ok(B::execute(conn, self.builder()).await?)
    }

    /// The first column, named `column`, of the one row.
    pub(crate) async fn scalar<T: SqlColumn>(self, conn: &mut B::Connection, column: &str) -> Result<T, StoreError> {
        let row = self.fetch_one(conn).await?;
        B::get(&row, column)
    }
}

/// `{id}`, `{geom}`, `{jsonb}` and `{overriding}` of a template, for this backend.
pub(crate) fn expand<B: Backend>(template: &str) -> String {
    if !template.contains('{') {
        return template.to_owned();
    }
    template
        .replace("{id}", B::ID)
        .replace("{geom}", B::GEOM)
        .replace("{jsonb}", B::JSON_SLOT)
        .replace("{overriding}", B::OVERRIDING)
}

/// Reading a row by column name.
pub(crate) trait RowExt<B: Backend> {
    fn get<T: SqlColumn>(&self, column: impl Column) -> Result<T, StoreError>;
    fn time(&self, column: impl Column) -> Result<DateTime<Utc>, StoreError>;
    fn opt_time(&self, column: impl Column) -> Result<Option<DateTime<Utc>>, StoreError>;
    fn geom(&self, column: impl Column) -> Result<Option<Geometry<f64>>, StoreError>;
}

impl<B: Backend<Row = R>, R> RowExt<B> for R
where
    R: sqlx::Row<Database = B>,
{
    fn get<T: SqlColumn>(&self, column: impl Column) -> Result<T, StoreError> {
        B::get(self, column)
    }

    fn time(&self, column: impl Column) -> Result<DateTime<Utc>, StoreError> {
        B::get_time(self, column)?.ok_or_else(|| StoreError::Corrupt(format!("{column} is NULL")))
    }

    fn opt_time(&self, column: impl Column) -> Result<Option<DateTime<Utc>>, StoreError> {
        B::get_time(self, column)
    }

    fn geom(&self, column: impl Column) -> Result<Option<Geometry<f64>>, StoreError> {
        B::get_geom(self, column)
    }
}

/// Binds a CQL2 literal.
pub(crate) fn push_literal<B: Backend>(qb: &mut QueryBuilder<'static, B>, literal: &Literal) {
    match literal {
        Literal::String(s) => B::bind(qb, s.clone()),
        Literal::Number(n) => B::bind(qb, *n),
        Literal::Bool(b) => B::bind(qb, *b),
        Literal::Date(d) => B::bind(qb, *d),
        Literal::Timestamp(t) => B::push_time(qb, Some(*t)),
    }
}

#[cfg(test)]
mod tests {
    use sqlx::Connection;

    use super::{At, Backend};

    /// The names of a select list like [`crate::sql_store::CLUSTER_COLUMNS`], in order:
    /// `{id} AS id` is `id`, `{geom}` is `geom`.
    fn select_list(columns: &str) -> Vec<String> {
        columns
            .split(',')
            .map(|c| {
                let c = c.trim();
                let name = c.rsplit(" AS ").next().unwrap_or(c);
                name.trim_matches(|ch| ch == '{' || ch == '}').to_owned()
            })
            .collect()
    }

    fn assert_positions(columns: &str, at: &[At]) {
        let names = select_list(columns);
        let positions: Vec<String> = at.iter().map(|a| a.1.to_owned()).collect();
        assert_eq!(names, positions, "the positions read must follow the select list");
        assert!(at.iter().enumerate().all(|(i, a)| a.0 == i), "positions in order from 0");
    }

    #[test]
    fn positions_follow_the_select_lists() {
        use crate::sql_store::planning::ZONE_COLUMNS;
        use crate::sql_store::{CLUSTER_COLUMNS, cluster_col};
        assert_positions(CLUSTER_COLUMNS, cluster_col::ALL);
        assert_positions(ZONE_COLUMNS, crate::sql_store::planning::zone_col::ALL);
    }

    /// A column no longer where its position says is read by its name, not from the position.
    #[tokio::test]
    async fn a_column_moved_is_read_by_name() {
        let mut conn = sqlx::SqliteConnection::connect("sqlite::memory:").await.expect("in-memory SQLite");
        let row = sqlx::query("SELECT 'first' AS code, 'second' AS name").fetch_one(&mut conn).await.expect("row");
        let at_place: String = sqlx::Sqlite::get(&row, At(1, "name")).expect("at its place");
        assert_eq!(at_place, "second");
        let moved: String = sqlx::Sqlite::get(&row, At(0, "name")).expect("by name");
        assert_eq!(moved, "second");
        assert!(sqlx::Sqlite::get::<String>(&row, At(0, "absent")).is_err());
    }
}
