//! The spatial core of clusterplan: domain types for industrial clusters, boundary validation,
//! areas and coordinate reference systems.
//!
//! This crate does no I/O and has no async code: storage and HTTP live in `clusterplan-store`
//! and `clusterplan-server`, which build on the types here. Everything that decides whether a
//! geometry or a planning fact is acceptable lives here, so that both stores behave the same.

pub mod annex;
pub mod area;
pub mod cluster;
pub mod cql2;
pub mod crs;
pub mod diff;
pub mod geometry;
pub mod lifecycle;
pub mod registry;
pub mod rules;
pub mod search;
pub mod text;
pub mod units;
pub mod zones;

pub use area::AreaReport;
pub use cluster::{
    Cluster, ClusterAttrs, ClusterDraft, ClusterInput, ClusterKind, ClusterStatus, FieldProblem, SiteFlags,
};
pub use crs::{Crs, CrsError};
pub use geometry::{Boundary, GeometryProblem, ProblemKind, ProblemLocation, RawBoundary};
