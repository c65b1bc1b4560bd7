//! Demo registry, 1998–2025: craft villages and pilot communes of the 1998 directive, the
//! investors of Phong Nẫm (its infrastructure investor and one tenant per factory plot, some
//! foreign, one relocated from a craft village, one that left and was replaced) and programme
//! budgets. Names, tax codes and figures are illustrative, and say so.

use chrono::{Days, NaiveDate};
use clusterplan_core::Cluster;
use clusterplan_core::registry::{
    Budget, BudgetInput, Designation, DesignationInput, FiguresInput, InvestorAttrs, InvestorFigures, InvestorInput,
    Lease, TaxCode,
};
use clusterplan_core::zones::LandUse;
use clusterplan_store::{Layer, Store, StoreError, WriteContext, ZoneQuery};
use futures::TryStreamExt;

/// VSIC 2018 classes of the demo tenants.
const SECTORS: [&str; 5] = ["1079", "1311", "2220", "1030", "3100"];

/// Marks every demo record.
const ILLUSTRATIVE: &str = "Dữ liệu minh họa. / Illustrative data.";

fn day(text: &str) -> Result<NaiveDate, StoreError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|e| StoreError::Corrupt(format!("demo date {text}: {e}")))
}

fn bad<T: std::fmt::Debug>(what: &str) -> impl FnOnce(T) -> StoreError + '_ {
    move |p| StoreError::Corrupt(format!("demo {what}: {p:?}"))
}

/// A valid illustrative tax code from a serial number (the first nine digits that have a
/// check digit, counting up from the serial).
fn tax_code(serial: u32) -> Result<String, StoreError> {
    (0..20)
        .find_map(|k| TaxCode::complete(&format!("{:09}", 130_000_000 + serial * 20 + k)))
        .map(|t| t.as_str().to_owned())
        .ok_or_else(|| StoreError::Corrupt("demo tax code".into()))
}

#[allow(clippy::too_many_arguments)]
fn figures(
    effective: NaiveDate,
    status: &str,
    registered: f64,
    disbursed: f64,
    usd: Option<f64>,
    workers: f64,
    fdi: bool,
) -> Result<InvestorFigures, StoreError> {
    InvestorFigures::parse(
        FiguresInput {
            effective: Some(effective),
            status: Some(status.into()),
            registered_capital_vnd: Some(registered),
            disbursed_capital_vnd: Some(disbursed),
            registered_capital_usd: usd,
            workers: Some(workers),
            note: None,
        },
        fdi,
    )
    .map_err(bad("figures"))
}

/// Seeds the registry for the demo clusters just created.
pub(crate) async fn seed(store: &dyn Store, created: &[Cluster], ctx: &WriteContext) -> Result<(), StoreError> {
    let id_of = |code: &str| created.iter().find(|c| c.data.attrs.code() == code).map(|c| c.id);
    let (Some(pn), Some(phmt)) = (id_of("BT-CCN-PN"), id_of("BT-CCN-PHMT")) else { return Ok(()) };

    let son_doc = seed_designations(store, pn, phmt, ctx).await?;
    seed_investors(store, pn, son_doc, ctx).await?;
    seed_budgets(store, pn, phmt, ctx).await
}

/// Craft villages and pilot communes; returns the id of the Sơn Đốc village (the origin of a
/// relocated tenant).
async fn seed_designations(
    store: &dyn Store,
    pn: i64,
    phmt: i64,
    ctx: &WriteContext,
) -> Result<Option<i64>, StoreError> {
    let mut villages = Vec::new();
    for (kind, name, unit, product, decision, date, location, clusters, valid_to) in [
        (
            "craft_village",
            "Làng nghề bánh tráng Mỹ Lồng",
            "28900",
            Some("Bánh tráng"),
            Some("QĐ 2145/QĐ-UBND (minh họa)"),
            "2006-10-12",
            Some((106.432, 10.236)),
            vec![phmt],
            None,
        ),
        (
            "craft_village",
            "Làng nghề bánh phồng Sơn Đốc",
            "834",
            Some("Bánh phồng"),
            Some("QĐ 2145/QĐ-UBND (minh họa)"),
            "2006-10-12",
            Some((106.372, 10.152)),
            vec![pn],
            None,
        ),
        (
            "craft_village",
            "Làng nghề chế biến sản phẩm dừa Tân Thạch",
            "831",
            Some("Sản phẩm từ dừa"),
            Some("QĐ 1810/QĐ-UBND (minh họa)"),
            "2008-09-05",
            Some((106.452, 10.305)),
            vec![],
            None,
        ),
        (
            "pilot_commune",
            "Xã điểm Phú Hưng",
            "28756",
            None,
            Some("Chỉ thị UBND tỉnh 1998"),
            "1998-06-08",
            None,
            vec![phmt],
            Some("2025-06-30"),
        ),
        (
            "pilot_commune",
            "Xã điểm Mỹ Thạnh",
            "28900",
            None,
            Some("Chỉ thị UBND tỉnh 1998"),
            "1998-06-08",
            None,
            vec![phmt],
            Some("2025-06-30"),
        ),
    ] {
        let d = Designation::parse(DesignationInput {
            kind: Some(kind.into()),
            name: Some(name.into()),
            unit_code: Some(unit.into()),
            product: product.map(str::to_owned),
            decision_no: decision.map(str::to_owned),
            decision_date: Some(day(date)?),
            valid_from: Some(day(date)?),
            valid_to: valid_to.map(day).transpose()?,
            location,
            cluster_ids: clusters,
            notes: Some(ILLUSTRATIVE.into()),
        })
        .map_err(bad("designation"))?;
        villages.push(store.create_designation(&d, ctx).await?);
    }
    Ok(villages.get(1).map(|v| v.id))
}

/// The infrastructure investor of Phong Nẫm and one tenant per factory plot.
async fn seed_investors(
    store: &dyn Store,
    pn: i64,
    son_doc: Option<i64>,
    ctx: &WriteContext,
) -> Result<(), StoreError> {
    let investor = |serial: u32, name: String, role: &str, country: Option<&str>, vsic: &str, origin: Option<i64>| {
        InvestorAttrs::parse(InvestorInput {
            name: Some(name),
            tax_code: tax_code(serial).ok(),
            role: Some(role.into()),
            form: Some("enterprise".into()),
            country: country.map(str::to_owned),
            vsic: Some(vsic.into()),
            cluster_id: Some(pn),
            origin_unit_code: origin.map(|_| "834".to_owned()),
            origin_designation_id: origin,
            notes: Some(ILLUSTRATIVE.into()),
        })
        .map_err(bad("investor"))
    };

    // The infrastructure investor, chosen when the cluster was established.
    let infra = investor(
        1,
        "Công ty TNHH MTV Phát triển hạ tầng Phong Nẫm (minh họa)".into(),
        "infrastructure",
        None,
        "4290",
        None,
    )?;
    let first = figures(day("2005-03-15")?, "building", 45e9, 5e9, None, 20.0, false)?;
    let record = store.create_investor(&infra, &first, ctx).await?;
    store
        .record_figures(record.id, &figures(day("2008-06-01")?, "operating", 45e9, 42e9, None, 35.0, false)?, ctx)
        .await?;

    // One tenant per factory plot, leases starting every eight months from mid-2006.
    let query =
        ZoneQuery { cluster_id: Some(pn), bbox: None, limit: u32::MAX, offset: 0, cursor: None, layer: Layer::Draft };
    let zones: Vec<_> = store.stream_zones(query).try_collect().await?;
    let plots: Vec<_> = zones.iter().filter(|z| z.data.attrs.land_use() == LandUse::Industrial).collect();
    for (k, plot) in plots.iter().enumerate() {
        let n = k as u32;
        let label = plot.data.attrs.label().unwrap_or("IND").to_owned();
        let country = match k % 3 {
            2 if k % 2 == 0 => Some("KR"),
            2 => Some("JP"),
            _ => None,
        };
        let fdi = country.is_some();
        let origin = if k == 1 { son_doc } else { None };
        let attrs =
            investor(10 + n, format!("Doanh nghiệp minh họa {label}"), "secondary", country, SECTORS[k % 5], origin)?;
        let start = day("2006-07-01")? + Days::new(240 * u64::from(n));
        let registered = f64::from(n + 1) * 10e9;
        let usd = fdi.then_some(registered / 25_000.0);
        let record =
            store.create_investor(&attrs, &figures(start, "building", registered, 2e9, usd, 0.0, fdi)?, ctx).await?;
        let opened = start + Days::new(365);
        store
            .record_figures(
                record.id,
                &figures(opened, "operating", registered, registered * 0.8, usd, 40.0 + 15.0 * f64::from(n), fdi)?,
                ctx,
            )
            .await?;
        if k == 0 {
            // The first tenant left in mid-2023; its plot went to a new tenant in 2024.
            let left = day("2023-06-30")?;
            store.add_lease(record.id, &Lease::new(plot.id, start, Some(left)).map_err(bad("lease"))?, ctx).await?;
            store
                .record_figures(record.id, &figures(left, "left", registered, registered * 0.8, None, 0.0, false)?, ctx)
                .await?;
            let next =
                investor(9, format!("Doanh nghiệp minh họa {label} (thay thế)"), "secondary", None, "1079", None)?;
            let arrived = day("2024-03-01")?;
            let record =
                store.create_investor(&next, &figures(arrived, "building", 12e9, 3e9, None, 5.0, false)?, ctx).await?;
            store.add_lease(record.id, &Lease::new(plot.id, arrived, None).map_err(bad("lease"))?, ctx).await?;
            store
                .record_figures(
                    record.id,
                    &figures(day("2025-02-01")?, "operating", 12e9, 10e9, None, 60.0, false)?,
                    ctx,
                )
                .await?;
        } else {
            store.add_lease(record.id, &Lease::new(plot.id, start, None).map_err(bad("lease"))?, ctx).await?;
        }
    }
    Ok(())
}

/// Programme budgets of 1999, 2024 and 2025.
async fn seed_budgets(store: &dyn Store, pn: i64, phmt: i64, ctx: &WriteContext) -> Result<(), StoreError> {
    for (year, source, programme, cluster, unit, planned, disbursed) in [
        (1999.0, "province", "khuyen_cong", None, Some("83"), 300e6, 280e6),
        (1999.0, "central", "khuyen_cong", None, Some("83"), 200e6, 200e6),
        (2024.0, "province", "infrastructure", Some(pn), None, 5e9, 4.2e9),
        (2024.0, "province", "khuyen_cong", None, Some("83"), 1.2e9, 1.1e9),
        (2025.0, "province", "infrastructure", Some(phmt), None, 8e9, 2.5e9),
        (2025.0, "district", "khuyen_cong", None, Some("834"), 400e6, 350e6),
    ] {
        let budget = Budget::parse(BudgetInput {
            year: Some(year),
            source: Some(source.into()),
            programme: Some(programme.into()),
            cluster_id: cluster,
            unit_code: unit.map(str::to_owned),
            planned_vnd: Some(planned),
            disbursed_vnd: Some(disbursed),
            notes: Some(ILLUSTRATIVE.into()),
        })
        .map_err(bad("budget"))?;
        store.create_budget(&budget, ctx).await?;
    }
    Ok(())
}
