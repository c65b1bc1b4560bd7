//! The planning part of the Bến Tre demo: status histories with their acts, the 1998
//! directive's tasks, zones of two operating sites and of the seed cluster (published with the
//! clusters), and administrative units over time (the 1998 districts and town, Mỏ Cày's 2009
//! split, the town becoming a city in 2009, and the 1 July 2025 reform that abolished districts
//! and merged the province into Vĩnh Long).
//!
//! **Boundaries of units are illustrative**: axis-aligned blocks that tile the former province's
//! box (lat 9.80–10.34, lon 105.95–106.80) so that each demo site lies in the right district.
//! District codes are the GSO codes; commune codes and most act numbers are illustrative and
//! say so in their notes.

use chrono::NaiveDate;
use clusterplan_core::geometry::validate;
use clusterplan_core::lifecycle::{LegalAct, PlanningTask, StatusEvent};
use clusterplan_core::units::{Succession, SuccessionKind, Unit, UnitLevel};
use clusterplan_core::zones::{LandUse, ZoneAttrs, ZoneDraft, ZoneInput};
use clusterplan_core::{Boundary, Cluster, ClusterStatus, RawBoundary};
use clusterplan_store::{NewEvent, NewTask, Store, StoreError, WriteContext};
use geo::{BooleanOps, BoundingRect};

/// One recorded change of a demo site: status, effective day, act (number, date, authority).
pub(crate) struct DemoEvent {
    pub to: &'static str,
    pub effective: &'static str,
    pub act: Option<(&'static str, &'static str, &'static str)>,
    pub note: Option<&'static str>,
}

const PROVINCE: &str = "UBND tỉnh Bến Tre";
const ILLUSTRATIVE_ACT: &str = "Số hiệu minh họa. / Illustrative act number.";

/// The status history of each demo site, oldest first.
pub(crate) fn history(code: &str) -> &'static [DemoEvent] {
    match code {
        "BT-CCN-PHMT" => &[DemoEvent {
            to: "in_plan",
            effective: "1998-06-08",
            act: Some(("873/QĐ-UB", "1998-06-08", PROVINCE)),
            note: Some("Quy hoạch theo Nghị quyết 03/NQ-TU. Planned under Resolution 03/NQ-TU."),
        }],
        "BT-CCN-PN" => &[
            DemoEvent { to: "in_plan", effective: "1999-12-31", act: None, note: Some("Danh mục 1999. 1999 list.") },
            DemoEvent {
                to: "established",
                effective: "2005-03-15",
                act: Some(("512/QĐ-UBND", "2005-03-15", PROVINCE)),
                note: Some(ILLUSTRATIVE_ACT),
            },
            DemoEvent { to: "infrastructure", effective: "2006-01-10", act: None, note: None },
            DemoEvent {
                to: "operating",
                effective: "2008-06-01",
                act: None,
                note: Some("Lấp đầy năm 2011. Full by 2011."),
            },
        ],
        "BT-CCN-TTB" | "BT-CCN-TTAD" => &[DemoEvent {
            to: "in_plan",
            effective: "2021-12-30",
            act: Some(("2930/QĐ-UBND", "2021-12-30", PROVINCE)),
            note: Some(ILLUSTRATIVE_ACT),
        }],
        "BT-KCN-GL" => &[
            DemoEvent {
                to: "established",
                effective: "2003-04-21",
                act: Some(("1020/QĐ-TTg", "2003-04-21", "Thủ tướng Chính phủ")),
                note: Some(ILLUSTRATIVE_ACT),
            },
            DemoEvent { to: "infrastructure", effective: "2004-01-01", act: None, note: None },
            DemoEvent { to: "operating", effective: "2006-01-01", act: None, note: None },
        ],
        "BT-KCN-AH" => &[
            DemoEvent {
                to: "established",
                effective: "2007-09-10",
                act: Some(("1411/QĐ-TTg", "2007-09-10", "Thủ tướng Chính phủ")),
                note: Some(ILLUSTRATIVE_ACT),
            },
            DemoEvent { to: "infrastructure", effective: "2008-03-01", act: None, note: None },
            DemoEvent { to: "operating", effective: "2010-01-01", act: None, note: None },
        ],
        "BT-KCN-PT" => &[DemoEvent {
            to: "established",
            effective: "2012-05-02",
            act: Some(("634/QĐ-TTg", "2012-05-02", "Thủ tướng Chính phủ")),
            note: Some(ILLUSTRATIVE_ACT),
        }],
        _ => &[],
    }
}

fn day(text: &str) -> Result<NaiveDate, StoreError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|e| StoreError::Corrupt(format!("demo date {text}: {e}")))
}

/// A demo event as a store event.
pub(crate) fn new_event(from: Option<ClusterStatus>, e: &DemoEvent) -> Result<NewEvent, StoreError> {
    let to = ClusterStatus::from_code(e.to).ok_or_else(|| StoreError::Corrupt(format!("demo status {}", e.to)))?;
    let act = match e.act {
        Some((number, date, authority)) => Some(
            LegalAct::new(number, day(date)?, authority, None)
                .map_err(|p| StoreError::Corrupt(format!("demo act {number}: {p:?}")))?,
        ),
        None => None,
    };
    Ok(NewEvent {
        event: StatusEvent { from, to, effective: day(e.effective)?, act, note: e.note.map(str::to_owned) },
        overrides: "[]".into(),
        rule_results: "[]".into(),
    })
}

/// Records the events after the first (the cluster was created with it).
pub(crate) async fn apply_history(store: &dyn Store, cluster: &Cluster, ctx: &WriteContext) -> Result<(), StoreError> {
    let events = history(cluster.data.attrs.code());
    let mut from = events.first().and_then(|e| ClusterStatus::from_code(e.to));
    for e in events.iter().skip(1) {
        let new = new_event(from, e)?;
        from = Some(new.event.to);
        store.record_event(cluster.id, None, &new, None, ctx).await?;
    }
    Ok(())
}

fn rect(minx: f64, miny: f64, maxx: f64, maxy: f64) -> Vec<Vec<Vec<f64>>> {
    vec![vec![vec![minx, miny], vec![maxx, miny], vec![maxx, maxy], vec![minx, maxy], vec![minx, miny]]]
}

fn boundary(polygons: Vec<Vec<Vec<Vec<f64>>>>) -> Result<Boundary, StoreError> {
    validate(&RawBoundary::MultiPolygon(polygons)).map_err(|p| StoreError::Corrupt(format!("demo unit: {p:?}")))
}

const ILLUSTRATIVE_UNIT: &str = "Ranh giới minh họa. / Illustrative boundary.";

/// Units of the demo, every period.
#[expect(clippy::too_many_lines, reason = "one table of units, read top to bottom")]
pub(crate) fn units() -> Result<(Vec<Unit>, Vec<Succession>), StoreError> {
    use UnitLevel::{Commune, District};
    let d1992 = day("1992-01-01")?;
    let d2009_split = day("2009-02-09")?;
    let d2009_city = day("2009-08-11")?;
    let d2025 = day("2025-07-01")?;
    let mut units = Vec::new();
    let mut add = |code: &str,
                   name: &str,
                   level,
                   parent: Option<&str>,
                   from,
                   to,
                   polygon,
                   notes: &str|
     -> Result<(), StoreError> {
        units.push(Unit {
            code: code.into(),
            name: name.into(),
            level,
            parent_code: parent.map(str::to_owned),
            valid_from: from,
            valid_to: to,
            boundary: boundary(vec![polygon])?,
            notes: Some(format!("{notes} {ILLUSTRATIVE_UNIT}").trim().to_owned()),
        });
        Ok(())
    };
    let whole = rect(105.95, 9.80, 106.80, 10.34);
    add("83", "Tỉnh Bến Tre", UnitLevel::Province, None, d1992, Some(d2025), whole.clone(), "")?;
    add(
        "86",
        "Tỉnh Vĩnh Long",
        UnitLevel::Province,
        None,
        d2025,
        None,
        whole,
        "Chỉ phần tỉnh Bến Tre cũ. / Only the former Bến Tre part.",
    )?;
    let p = Some("83");
    add("829", "Thị xã Bến Tre", District, p, d1992, Some(d2009_city), rect(106.35, 10.20, 106.415, 10.26), "")?;
    add("829", "Thành phố Bến Tre", District, p, d2009_city, Some(d2025), rect(106.35, 10.20, 106.415, 10.26), "")?;
    add("831", "Huyện Châu Thành", District, p, d1992, Some(d2025), rect(106.20, 10.26, 106.50, 10.34), "")?;
    add("832", "Huyện Chợ Lách", District, p, d1992, Some(d2025), rect(105.95, 10.05, 106.20, 10.34), "")?;
    add("833", "Huyện Mỏ Cày", District, p, d1992, Some(d2009_split), rect(106.20, 9.95, 106.35, 10.26), "")?;
    add("833", "Huyện Mỏ Cày Nam", District, p, d2009_split, Some(d2025), rect(106.20, 9.95, 106.35, 10.12), "")?;
    add("838", "Huyện Mỏ Cày Bắc", District, p, d2009_split, Some(d2025), rect(106.20, 10.12, 106.35, 10.26), "")?;
    let giong_trom = [rect(106.415, 10.05, 106.50, 10.26), rect(106.35, 10.05, 106.415, 10.20)].concat();
    add("834", "Huyện Giồng Trôm", District, p, d1992, Some(d2025), l_shape(&giong_trom), "")?;
    add("835", "Huyện Bình Đại", District, p, d1992, Some(d2025), rect(106.50, 10.10, 106.80, 10.34), "")?;
    let ba_tri = [rect(106.50, 9.80, 106.80, 10.10), rect(106.35, 9.95, 106.50, 10.05)].concat();
    add("836", "Huyện Ba Tri", District, p, d1992, Some(d2025), l_shape(&ba_tri), "")?;
    let thanh_phu = [rect(105.95, 9.80, 106.20, 10.05), rect(106.20, 9.80, 106.50, 9.95)].concat();
    add("837", "Huyện Thạnh Phú", District, p, d1992, Some(d2025), l_shape(&thanh_phu), "")?;
    // Two pilot communes of 1998 on either side of the seed cluster (codes illustrative).
    add(
        "28756",
        "Xã Phú Hưng",
        Commune,
        Some("829"),
        d1992,
        Some(d2025),
        rect(106.39, 10.23, 106.415, 10.26),
        "Mã minh họa. / Illustrative code.",
    )?;
    add(
        "28900",
        "Xã Mỹ Thạnh",
        Commune,
        Some("834"),
        d1992,
        Some(d2025),
        rect(106.415, 10.22, 106.45, 10.26),
        "Mã minh họa. / Illustrative code.",
    )?;
    // 2025: communes and wards directly under the province, a grid of illustrative blocks.
    let xs = [105.95, 106.20, 106.35, 106.415, 106.50, 106.65, 106.80];
    let ys = [9.80, 9.95, 10.05, 10.12, 10.20, 10.26, 10.34];
    let names = COMMUNES_2025;
    let mut n = 0;
    for (j, y) in ys.windows(2).enumerate().rev() {
        for (i, x) in xs.windows(2).enumerate() {
            let name = names[n];
            n += 1;
            let code = format!("{}", 29_000 + 10 * (j * 6 + i));
            add(
                &code,
                name,
                Commune,
                Some("86"),
                d2025,
                None,
                rect(x[0], y[0], x[1], y[1]),
                "Tên, mã và ranh giới minh họa. / Illustrative name, code and boundary.",
            )?;
        }
    }
    let successions =
        vec![
            succession(SuccessionKind::Split, "833", Some("833"), d2009_split, "Nghị định 08/NĐ-CP"),
            succession(SuccessionKind::Split, "833", Some("838"), d2009_split, "Nghị định 08/NĐ-CP"),
            succession(SuccessionKind::Rename, "829", Some("829"), d2009_city, "Nghị quyết 34/NQ-CP"),
            succession(SuccessionKind::Merge, "83", Some("86"), d2025, "Nghị quyết 202/2025/QH15"),
        ]
        .into_iter()
        .chain(["829", "831", "832", "833", "834", "835", "836", "837", "838"].into_iter().map(|code| {
            succession(SuccessionKind::Abolish, code, None, d2025, "Luật Tổ chức chính quyền địa phương 2025")
        }))
        .collect();
    Ok((units, successions))
}

/// 36 names for the 2025 grid, north to south, west to east (illustrative).
const COMMUNES_2025: [&str; 36] = [
    "Xã Chợ Lách",
    "Xã Tân Phú",
    "Xã Tân Thạch",
    "Phường Phú Tân",
    "Xã Giao Long",
    "Xã Thới Thuận",
    "Xã Vĩnh Thành",
    "Xã Phước Mỹ Trung",
    "Phường An Hội",
    "Xã Mỹ Thạnh",
    "Xã Bình Đại",
    "Xã Thạnh Trị",
    "Xã Hưng Khánh Trung",
    "Xã Tân Thành Bình",
    "Xã Sơn Đốc",
    "Xã Phong Nẫm",
    "Xã Lộc Thuận",
    "Xã Thừa Đức",
    "Xã Vĩnh Hòa",
    "Xã Mỏ Cày",
    "Xã Lương Hòa",
    "Xã Giồng Trôm",
    "Xã Châu Hưng",
    "Xã Thạnh Phước",
    "Xã Quới Điền",
    "Xã Đồng Khởi",
    "Xã Tân Hào",
    "Xã Hưng Nhượng",
    "Xã Ba Tri",
    "Xã Tân Xuân",
    "Xã Thạnh Phú",
    "Xã Đại Điền",
    "Xã An Thạnh",
    "Xã Bảo Thạnh",
    "Xã An Hiệp",
    "Xã Bảo Thuận",
];

fn succession(kind: SuccessionKind, from: &str, to: Option<&str>, effective: NaiveDate, act: &str) -> Succession {
    Succession { kind, from_code: from.into(), to_code: to.map(str::to_owned), effective, act: Some(act.into()) }
}

/// Two adjacent rectangles (given as two one-ring polygons) as one polygon, by union.
fn l_shape(parts: &[Vec<Vec<f64>>]) -> Vec<Vec<Vec<f64>>> {
    let to_poly = |ring: &Vec<Vec<f64>>| {
        geo_types::Polygon::new(ring.iter().map(|c| geo_types::coord! { x: c[0], y: c[1] }).collect(), vec![])
    };
    let union = to_poly(&parts[0]).union(&to_poly(&parts[1]));
    let polygon = union.0.into_iter().next().unwrap_or_else(|| to_poly(&parts[0]));
    vec![polygon.exterior().coords().map(|c| vec![c.x, c.y]).collect()]
}

/// The 1998 directive's tasks, with the sites and units they concern.
pub(crate) fn tasks(phmt: Option<i64>) -> Result<Vec<NewTask>, StoreError> {
    let task = |title: &str,
                owner: &str,
                due: &str,
                done: Option<&str>,
                cluster: Option<i64>,
                unit: Option<&str>|
     -> Result<NewTask, StoreError> {
        Ok(NewTask {
            task: PlanningTask {
                title: title.into(),
                owner_agency: owner.into(),
                due: day(due)?,
                done_on: done.map(day).transpose()?,
            },
            cluster_id: cluster,
            unit_code: unit.map(str::to_owned),
            act_number: Some("Chỉ thị UBND tỉnh 1998 (NQ 03/NQ-TU)".into()),
            notes: Some("Ngày hoàn thành minh họa. / Illustrative completion dates.".into()),
        })
    };
    let mut list = vec![
        task(
            "Quy hoạch cụm công nghiệp Phú Hưng–Mỹ Thạnh",
            "Sở Công nghiệp, thị xã Bến Tre, huyện Giồng Trôm",
            "1998-12-31",
            Some("1998-06-08"),
            phmt,
            None,
        )?,
        task("Quy hoạch các cụm công nghiệp còn lại", "Sở Công nghiệp", "1999-12-31", None, None, Some("83"))?,
        task("Chương trình khuyến công", "Sở Công nghiệp", "1999-12-31", Some("1999-11-20"), None, Some("83"))?,
        task(
            "Xây dựng xã điểm công nghiệp hóa nông thôn",
            "UBND thị xã Bến Tre",
            "1999-12-31",
            None,
            None,
            Some("28756"),
        )?,
    ];
    for (code, name, done) in [
        ("829", "thị xã Bến Tre", Some("1998-09-15")),
        ("831", "huyện Châu Thành", Some("1998-09-28")),
        ("832", "huyện Chợ Lách", Some("1998-10-20")),
        ("833", "huyện Mỏ Cày", None),
        ("834", "huyện Giồng Trôm", Some("1998-09-10")),
        ("835", "huyện Bình Đại", Some("1998-09-30")),
        ("836", "huyện Ba Tri", None),
        ("837", "huyện Thạnh Phú", Some("1998-09-25")),
    ] {
        list.push(task(
            &format!("Thành lập Phòng Công Thương {name}"),
            &format!("UBND {name}"),
            "1998-09-30",
            done,
            None,
            Some(code),
        )?);
    }
    Ok(list)
}

/// Plots of an operating site: a grid of blocks clipped to its boundary; one wastewater plant,
/// one green strip, the rest industrial, the first `leased` of them leased.
pub(crate) fn zones(cluster: &Cluster, leased_share: f64) -> Result<Vec<ZoneDraft>, StoreError> {
    let shape = cluster.data.boundary.as_multi_polygon();
    let Some(bbox) = shape.bounding_rect() else { return Ok(Vec::new()) };
    let (cols, rows) = (4, 3);
    let (w, h) = (bbox.width() / f64::from(cols), bbox.height() / f64::from(rows));
    let mut pieces = Vec::new();
    for r in 0..rows {
        for c in 0..cols {
            let (x, y) = (bbox.min().x + w * f64::from(c), bbox.min().y + h * f64::from(r));
            let cell = geo_types::Rect::new(geo_types::coord! { x: x, y: y }, geo_types::coord! { x: x + w, y: y + h })
                .to_polygon();
            let piece = shape.intersection(&geo_types::MultiPolygon(vec![cell]));
            if geo::Area::unsigned_area(&piece) > 0.02 * geo::Area::unsigned_area(shape) / 12.0 {
                pieces.push(piece);
            }
        }
    }
    let industrial = pieces.len().saturating_sub(2);
    let leased = (industrial as f64 * leased_share).round() as usize;
    let mut drafts = Vec::new();
    for (i, piece) in pieces.iter().enumerate() {
        let land_use = match i {
            0 => LandUse::Wastewater,
            1 => LandUse::Green,
            _ => LandUse::Industrial,
        };
        let is_leased = land_use == LandUse::Industrial && i - 2 < leased;
        let input = ZoneInput {
            cluster_id: Some(cluster.id),
            land_use: Some(land_use.code().into()),
            label: Some(format!("{}-{:02}", land_use.code(), i + 1)),
            leasable: None,
            leased: Some(is_leased),
            tenant: is_leased.then(|| format!("Doanh nghiệp minh họa {:02} / Illustrative tenant", i + 1)),
        };
        let attrs = ZoneAttrs::parse(input).map_err(|p| StoreError::Corrupt(format!("demo zone: {p:?}")))?;
        let raw = RawBoundary::from_multi_polygon(piece);
        let Ok(b) = validate(&raw) else { continue };
        let draft = ZoneDraft::new(attrs, b, cluster.data.attrs.planning_crs())
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        drafts.push(draft);
    }
    Ok(drafts)
}

/// Seeds units (when there are none), tasks and zones for the demo clusters just created.
pub(crate) async fn seed(store: &dyn Store, created: &[Cluster], ctx: &WriteContext) -> Result<(), StoreError> {
    crate::demo::seed_units(store).await?;
    let phmt = created.iter().find(|c| c.data.attrs.code() == "BT-CCN-PHMT").map(|c| c.id);
    if phmt.is_some() {
        for task in tasks(phmt)? {
            store.create_task(&task).await?;
        }
    }
    for cluster in created {
        let share = match cluster.data.attrs.code() {
            "BT-CCN-PN" => 1.0,
            "BT-KCN-GL" => 0.7,
            // The seed cluster's illustrative detailed plan, nothing leased yet: the public map
            // answers what is planned inside it.
            "BT-CCN-PHMT" => 0.0,
            _ => continue,
        };
        for draft in zones(cluster, share)? {
            match store.create_zone(&draft, ctx).await {
                Ok(_) | Err(StoreError::Placement(_)) => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(())
}
