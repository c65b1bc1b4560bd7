//! The registry part of the store: investors with their dated figures and plot leases, craft
//! villages and pilot communes, programme budgets. Both backends implement [`RegistryStore`]
//! with the same behaviour (one test suite).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use clusterplan_core::registry::{Budget, Designation, InvestorAttrs, InvestorFigures, Lease};

use crate::{StoreError, WriteContext};

/// A stored investor with everything dated that belongs to it.
#[derive(Debug, Clone, PartialEq)]
pub struct InvestorRecord {
    /// Investor id.
    pub id: i64,
    /// Version of the attributes, from 1.
    pub version: i64,
    /// The attributes.
    pub attrs: InvestorAttrs,
    /// Figures, by effective day.
    pub figures: Vec<InvestorFigures>,
    /// Leases, by start day.
    pub leases: Vec<LeaseRecord>,
    /// Last write of the attributes.
    pub updated_at: DateTime<Utc>,
    /// Its author.
    pub updated_by: Option<String>,
}

/// A stored lease.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeaseRecord {
    /// Lease id.
    pub id: i64,
    /// The lessee.
    pub investor_id: i64,
    /// Plot and dates.
    pub lease: Lease,
}

/// One written state of an investor's attributes.
#[derive(Debug, Clone, PartialEq)]
pub struct InvestorVersion {
    /// Version number.
    pub version: i64,
    /// The attributes then.
    pub attrs: InvestorAttrs,
    /// Who wrote it.
    pub author: Option<String>,
    /// Why.
    pub reason: Option<String>,
    /// When.
    pub written_at: DateTime<Utc>,
}

/// A stored designation (craft village or pilot commune).
#[derive(Debug, Clone, PartialEq)]
pub struct DesignationRecord {
    /// Designation id.
    pub id: i64,
    /// The designation.
    pub designation: Designation,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
}

/// A stored budget line.
#[derive(Debug, Clone, PartialEq)]
pub struct BudgetRecord {
    /// Budget line id.
    pub id: i64,
    /// The line.
    pub budget: Budget,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
}

/// Investors, leases, designations and budgets.
#[async_trait]
pub trait RegistryStore: Send + Sync {
    /// Adds an investor with its first figures and version 1, in one transaction; the tax code
    /// is unique ([`StoreError::Duplicate`]) and the cluster must exist
    /// ([`StoreError::MissingReference`]).
    async fn create_investor(
        &self,
        attrs: &InvestorAttrs,
        first: &InvestorFigures,
        ctx: &WriteContext,
    ) -> Result<InvestorRecord, StoreError>;

    /// Replaces an investor's attributes (the next version), with optimistic locking.
    async fn update_investor(
        &self,
        id: i64,
        expected_version: Option<i64>,
        attrs: &InvestorAttrs,
        ctx: &WriteContext,
    ) -> Result<InvestorRecord, StoreError>;

    /// One investor.
    async fn get_investor(&self, id: i64) -> Result<InvestorRecord, StoreError>;

    /// Every investor, or those of one cluster, by id.
    async fn list_investors(&self, cluster_id: Option<i64>) -> Result<Vec<InvestorRecord>, StoreError>;

    /// Every written version of an investor's attributes, oldest first.
    async fn investor_versions(&self, id: i64) -> Result<Vec<InvestorVersion>, StoreError>;

    /// Adds dated figures; figures for a day already recorded are refused
    /// ([`StoreError::Duplicate`] on `effective`).
    async fn record_figures(
        &self,
        id: i64,
        figures: &InvestorFigures,
        ctx: &WriteContext,
    ) -> Result<InvestorRecord, StoreError>;

    /// Adds a lease after checking, in the transaction that serialises the plot's leases, that
    /// the plot exists, lies in the investor's cluster, is leasable and is not leased on any of
    /// the lease's days ([`StoreError::FieldRejected`] naming the field).
    async fn add_lease(
        &self,
        investor_id: i64,
        lease: &Lease,
        ctx: &WriteContext,
    ) -> Result<InvestorRecord, StoreError>;

    /// Sets (or moves) the last day of one of the investor's leases, with the checks of
    /// [`Self::add_lease`] for the new dates ([`StoreError::NotFound`] for a lease the
    /// investor does not hold).
    async fn end_lease(
        &self,
        investor_id: i64,
        lease_id: i64,
        end: chrono::NaiveDate,
        ctx: &WriteContext,
    ) -> Result<InvestorRecord, StoreError>;

    /// Adds a designation.
    async fn create_designation(
        &self,
        designation: &Designation,
        ctx: &WriteContext,
    ) -> Result<DesignationRecord, StoreError>;

    /// Every designation, by id.
    async fn list_designations(&self) -> Result<Vec<DesignationRecord>, StoreError>;

    /// Adds a budget line.
    async fn create_budget(&self, budget: &Budget, ctx: &WriteContext) -> Result<BudgetRecord, StoreError>;

    /// Every budget line, or those of one year, by year and id.
    async fn list_budgets(&self, year: Option<i32>) -> Result<Vec<BudgetRecord>, StoreError>;
}
