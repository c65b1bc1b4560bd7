//! Investors, leases, designations, budgets and the Circular 14/2024 report over HTTP, on both
//! stores. The report's figures for the demo's periods are checked against a count made here
//! from the raw records (events, zones, investors' dated figures and leases), not by the
//! report's code; the spreadsheet is opened with `calamine` and read back.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Method, StatusCode};
use chrono::NaiveDate;
use clusterplan_core::Crs;
use clusterplan_server::AppState;
use clusterplan_store::{Store, StoreConfig};
use serde_json::{Value, json};

use crate::common::{Answer, send};

const PLANNER: &str = "cpt_registry_tests_planner";
const INVESTORS: &str = "/collections/investors/items";

async fn get(state: &AppState, uri: &str) -> Answer {
    send(state, Some(PLANNER), Method::GET, uri, &[], Body::empty()).await
}

async fn post(state: &AppState, uri: &str, body: &Value) -> Answer {
    send(state, Some(PLANNER), Method::POST, uri, &[("content-type", "application/json")], Body::from(body.to_string()))
        .await
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

fn day_of(v: &Value) -> Option<NaiveDate> {
    v.as_str().map(day)
}

async fn seeded(state: &AppState) {
    clusterplan_server::demo::seed_if_empty(state.store.as_ref(), Crs::VN2000_TM3_10545).await.expect("seed");
}

/// The figures a clerk would count for the period ending on `end`, from the raw records.
#[derive(Debug, Default, PartialEq)]
struct Count {
    in_plan: u64,
    established: u64,
    operating: u64,
    projects: u64,
    fdi: u64,
    operating_projects: u64,
    registered_vnd: i64,
    disbursed_vnd: i64,
    workers: i64,
    leasable_ha: f64,
    leased_ha: f64,
}

async fn hand_count(state: &AppState, end: NaiveDate) -> Count {
    let mut count = Count::default();
    let clusters = get(state, "/collections/clusters/items?limit=1000").await.body;
    let investors = get(state, &format!("{INVESTORS}?datetime=2000-01-01")).await.body;
    for c in clusters["features"].as_array().expect("clusters") {
        if c["properties"]["kind"] != "cluster" {
            continue;
        }
        let id = c["id"].as_i64().expect("id");
        let events = get(state, &format!("/collections/clusters/items/{id}/events")).await.body;
        // The status on `end`: the last event in force then (events are in history order).
        let Some(status) = events["events"]
            .as_array()
            .expect("events")
            .iter()
            .rfind(|e| day_of(&e["effective"]).is_some_and(|d| d <= end))
            .and_then(|e| e["to"].as_str())
            .map(str::to_owned)
        else {
            continue;
        };
        if status == "removed" || status == "revoked" {
            continue;
        }
        count.in_plan += 1;
        count.established +=
            u64::from(["established", "infrastructure", "operating", "expanded"].contains(&status.as_str()));
        count.operating += u64::from(["operating", "expanded"].contains(&status.as_str()));
        let mine: Vec<&Value> = investors["features"]
            .as_array()
            .expect("investors")
            .iter()
            .filter(|i| i["properties"]["cluster_id"] == id)
            .collect();
        let leased: Vec<i64> = mine
            .iter()
            .flat_map(|i| i["properties"]["leases"].as_array().expect("leases").iter())
            .filter(|l| day_of(&l["start"]).is_some_and(|s| s <= end) && day_of(&l["end"]).is_none_or(|e| end <= e))
            .filter_map(|l| l["zone_id"].as_i64())
            .collect();
        let zones = get(state, &format!("/collections/zones/items?cluster_id={id}&limit=1000")).await.body;
        for z in zones["features"].as_array().expect("zones") {
            let p = &z["properties"];
            if p["land_use"] == "IND" && p["leasable"] == true {
                let area = p["area_ha"].as_f64().expect("area");
                count.leasable_ha += area;
                if leased.contains(&z["id"].as_i64().expect("zone id")) {
                    count.leased_ha += area;
                }
            }
        }
        for i in mine {
            let p = &i["properties"];
            let Some(f) = p["figures"]
                .as_array()
                .expect("figures")
                .iter()
                .filter(|f| day_of(&f["effective"]).is_some_and(|d| d <= end))
                .max_by_key(|f| day_of(&f["effective"]))
            else {
                continue;
            };
            if p["role"] != "secondary" || f["status"] == "left" {
                continue;
            }
            count.projects += 1;
            count.fdi += u64::from(p["fdi"] == true);
            count.operating_projects += u64::from(f["status"] == "operating");
            count.registered_vnd += f["registered_capital_vnd"].as_i64().expect("capital");
            count.disbursed_vnd += f["disbursed_capital_vnd"].as_i64().expect("capital");
            count.workers += f["workers"].as_i64().expect("workers");
        }
    }
    count
}

fn reported(report: &Value) -> Count {
    let t = &report["totals"];
    let n = |k: &str| t[k].as_u64().unwrap_or_else(|| panic!("{k} in {t}"));
    let i = |k: &str| t[k].as_i64().unwrap_or_else(|| panic!("{k} in {t}"));
    Count {
        in_plan: n("clusters_in_plan"),
        established: n("clusters_established"),
        operating: n("clusters_operating"),
        projects: n("projects"),
        fdi: n("projects_fdi"),
        operating_projects: n("projects_operating"),
        registered_vnd: i("registered_capital_vnd"),
        disbursed_vnd: i("disbursed_capital_vnd"),
        workers: i("workers"),
        leasable_ha: t["leasable_ha"].as_f64().expect("leasable"),
        leased_ha: t["leased_ha"].as_f64().expect("leased"),
    }
}

async fn the_demo_reports_give_the_figures_a_hand_count_gives(state: AppState) {
    seeded(&state).await;
    for (period, end) in [
        ("1999", "1999-12-14"),
        ("2023", "2023-12-14"),
        ("2024-H1", "2024-06-14"),
        ("2024", "2024-12-14"),
        ("2025-H1", "2025-06-14"),
        ("2025", "2025-12-14"),
    ] {
        let answer = get(&state, &format!("/reports/circular14?period={period}")).await;
        assert_eq!(answer.status, StatusCode::OK, "{period}: {}", answer.text);
        assert_eq!(answer.body["end"], end, "{period}");
        let mut got = reported(&answer.body);
        let mut want = hand_count(&state, day(end)).await;
        // Areas to the report's rounding (4 decimals per cluster).
        for (a, b) in [(&mut got.leasable_ha, &mut want.leasable_ha), (&mut got.leased_ha, &mut want.leased_ha)] {
            assert!((*a - *b).abs() < 1e-3, "{period}: {a} ha reported, {b} ha counted");
            *a = 0.0;
            *b = 0.0;
        }
        assert_eq!(got, want, "{period}");
    }
    // What the demo's history says in words: in 1999 only the seed cluster was in the plan
    // (Phong Nẫm entered the list on 31 Dec 1999, after the annual period's end); in 2023 the
    // first tenant of Phong Nẫm had left (30 Jun 2023) and its plot stood empty until 2024.
    let y1999 = get(&state, "/reports/circular14?period=1999").await.body;
    let codes: Vec<&str> =
        y1999["clusters"].as_array().expect("rows").iter().filter_map(|r| r["code"].as_str()).collect();
    assert_eq!(codes, ["BT-CCN-PHMT"]);
    assert_eq!(y1999["totals"]["clusters_established"], 0);
    assert!(y1999["budgets"].as_array().is_some_and(|b| b.len() == 2), "{}", y1999["budgets"]);
    let row = |report: &Value| {
        report["clusters"].as_array().expect("rows").iter().find(|r| r["code"] == "BT-CCN-PN").cloned().expect("PN")
    };
    let y2023 = row(&get(&state, "/reports/circular14?period=2023").await.body);
    let y2024 = row(&get(&state, "/reports/circular14?period=2024").await.body);
    assert!(y2023["occupancy_pct"].as_f64() < Some(100.0), "{y2023}");
    assert_eq!(y2024["occupancy_pct"].as_f64(), Some(100.0), "{y2024}");
    assert_eq!(y2024["decision_no"], "512/QĐ-UBND");
    assert!(y2024["infrastructure_investor"].as_str().is_some_and(|n| n.contains("Phong Nẫm")), "{y2024}");
    assert_eq!((y2024["projects"].as_u64(), y2024["projects_fdi"].as_u64()), (Some(10), Some(3)), "{y2024}");
    // A unit as it was then: Thạnh Phú district has no cluster, Giồng Trôm has Phong Nẫm and
    // the part of Phú Hưng–Mỹ Thạnh across the town boundary.
    let none = get(&state, "/reports/circular14?period=2024&unit=837").await.body;
    assert_eq!(none["totals"]["clusters_in_plan"], 0, "{none}");
    let giong_trom = get(&state, "/reports/circular14?period=2024&unit=834").await.body;
    let codes: Vec<&str> =
        giong_trom["clusters"].as_array().expect("rows").iter().filter_map(|r| r["code"].as_str()).collect();
    assert_eq!(codes, ["BT-CCN-PHMT", "BT-CCN-PN"], "{giong_trom}");
    assert_eq!(giong_trom["unit"]["name"], "Huyện Giồng Trôm");
}

async fn the_spreadsheet_csv_and_page_carry_the_same_table(state: AppState) {
    use calamine::Reader;
    seeded(&state).await;
    let json = get(&state, "/reports/circular14?period=2025-H1").await.body;
    let xlsx = get(&state, "/reports/circular14?period=2025-H1&f=xlsx").await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx.headers["content-disposition"].to_str().is_ok_and(|d| d.contains("bao-cao-ccn-2025-H1.xlsx")));
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(xlsx.bytes)).expect("an XLSX file");
    let sheet = book.worksheet_range("Báo cáo CCN").expect("the report sheet");
    let rows: Vec<Vec<String>> = sheet.rows().map(|r| r.iter().map(ToString::to_string).collect()).collect();
    let head = rows.iter().position(|r| r.first().is_some_and(|c| c == "STT")).expect("the heading row");
    assert_eq!(rows[head][2], "Tên cụm công nghiệp");
    assert!(rows[0][0].contains("Báo cáo 6 tháng đầu năm 2025"), "{:?}", rows[0]);
    let clusters = json["clusters"].as_array().expect("rows");
    for (n, c) in clusters.iter().enumerate() {
        let row = &rows[head + 1 + n];
        assert_eq!(row[1], c["code"].as_str().expect("code"));
        assert_eq!(row[19].parse::<f64>().ok(), c["workers"].as_f64(), "{row:?}");
        let millions = c["registered_capital_vnd"].as_f64().expect("capital") / 1e6;
        assert_eq!(row[17].parse::<f64>().ok(), Some(millions), "{row:?}");
    }
    let total = &rows[head + 1 + clusters.len()];
    assert_eq!(total[19].parse::<f64>().ok(), json["totals"]["workers"].as_f64(), "{total:?}");
    let csv = get(&state, "/reports/circular14?period=2025-H1&f=csv").await;
    assert!(csv.headers["content-type"].to_str().is_ok_and(|t| t.starts_with("text/csv")));
    let mut reader = csv::Reader::from_reader(csv.text.trim_start_matches('\u{feff}').as_bytes());
    let records: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>().expect("CSV");
    assert_eq!(records.len(), clusters.len() + 1);
    assert_eq!(&records[1][1], "BT-CCN-PN");
    let page = get(&state, "/reports/circular14?period=2025-H1&f=html").await;
    assert!(page.text.contains("BÁO CÁO TÌNH HÌNH CỤM CÔNG NGHIỆP") && page.text.contains("Phong Nẫm"));
    // The public reads none of it.
    let public = send(&state, None, Method::GET, "/reports/circular14?period=2025", &[], Body::empty()).await;
    assert_eq!(public.status, StatusCode::UNAUTHORIZED);
}

async fn investor_count(state: &AppState) -> usize {
    get(state, INVESTORS).await.body["features"].as_array().map_or(0, Vec::len)
}

fn fields(answer: &Answer) -> Vec<String> {
    answer.body["errors"]
        .as_array()
        .map(|e| e.iter().filter_map(|p| p["field"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

async fn bad_input_names_the_field_and_writes_nothing(state: AppState) {
    seeded(&state).await;
    let clusters = get(&state, "/collections/clusters/items?limit=100").await.body;
    let pn = clusters["features"]
        .as_array()
        .and_then(|f| f.iter().find(|c| c["properties"]["code"] == "BT-CCN-PN"))
        .and_then(|c| c["id"].as_i64())
        .expect("Phong Nẫm");
    let good = json!({
        "name": "Công ty thử nghiệm", "tax_code": "1300999909", "role": "secondary", "cluster_id": pn,
        "figures": { "effective": "2024-01-01", "status": "registered", "registered_capital_vnd": 1e9, "workers": 3 }
    });
    let before = investor_count(&state).await;
    let cases: [(&str, Value, &[&str]); 6] = [
        ("tax code check digit", json!({ "tax_code": "1300999908" }), &["tax_code"]),
        ("tax code length", json!({ "tax_code": "12345" }), &["tax_code"]),
        (
            "negative capital",
            json!({ "figures": { "effective": "2024-01-01", "status": "registered", "registered_capital_vnd": -5 } }),
            &["registered_capital_vnd"],
        ),
        (
            "fractional workers",
            json!({ "figures": { "effective": "2024-01-01", "status": "registered", "workers": 2.5 } }),
            &["workers"],
        ),
        (
            "workers as text",
            json!({ "figures": { "effective": "2024-01-01", "status": "registered", "workers": "many" } }),
            &["workers"],
        ),
        ("unknown role", json!({ "role": "tenant" }), &["role"]),
    ];
    for (what, change, want) in cases {
        let mut body = good.clone();
        for (k, v) in change.as_object().expect("object") {
            body[k] = v.clone();
        }
        let answer = post(&state, INVESTORS, &body).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{what}: {}", answer.text);
        let got = fields(&answer);
        for f in want {
            assert!(got.iter().any(|g| g == f), "{what}: {got:?} should name {f}");
        }
        assert_eq!(answer.headers["content-type"], "application/problem+json", "{what}");
    }
    let mut body = good.clone();
    body["cluster_id"] = json!(999_999);
    let missing_cluster = post(&state, INVESTORS, &body).await;
    assert_eq!(missing_cluster.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", missing_cluster.text);
    assert_eq!(fields(&missing_cluster), ["cluster_id"]);
    assert_eq!(investor_count(&state).await, before, "nothing written");

    // Leases: on a plot that is not leasable (the wastewater plant), on days another lease of
    // the same plot covers, with the end before the start.
    let created = post(&state, INVESTORS, &good).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    let id = created.body["id"].as_i64().expect("id");
    let zones = get(&state, &format!("/collections/zones/items?cluster_id={pn}&limit=100")).await.body;
    let zone = |use_: &str| {
        zones["features"]
            .as_array()
            .and_then(|z| z.iter().find(|z| z["properties"]["land_use"] == use_))
            .and_then(|z| z["id"].as_i64())
            .expect("zone")
    };
    let leases = format!("{INVESTORS}/{id}/leases");
    for (what, body, field) in [
        ("a wastewater plant", json!({ "zone_id": zone("WWTP"), "start": "2024-02-01" }), "zone_id"),
        ("a leased plot", json!({ "zone_id": zone("IND"), "start": "2024-02-01" }), "start"),
        ("a plot that does not exist", json!({ "zone_id": 999_999, "start": "2024-02-01" }), "zone_id"),
        (
            "an end before the start",
            json!({ "zone_id": zone("IND"), "start": "2024-02-01", "end": "2024-01-01" }),
            "end",
        ),
        ("no start", json!({ "zone_id": zone("IND") }), "start"),
    ] {
        let answer = post(&state, &leases, &body).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{what}: {}", answer.text);
        assert_eq!(fields(&answer), [field], "{what}: {}", answer.text);
    }
    let after = get(&state, &format!("{INVESTORS}/{id}")).await.body;
    assert_eq!(after["properties"]["leases"], json!([]), "no lease written");
    // Figures for a day already recorded are a conflict, USD for a domestic investor a field.
    let again =
        post(&state, &format!("{INVESTORS}/{id}/figures"), &json!({ "effective": "2024-01-01", "status": "building" }))
            .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.text);
    let usd = post(
        &state,
        &format!("{INVESTORS}/{id}/figures"),
        &json!({ "effective": "2024-05-01", "status": "building", "registered_capital_usd": 10 }),
    )
    .await;
    assert_eq!(fields(&usd), ["registered_capital_usd"], "{}", usd.text);
    // Reports for periods that do not exist.
    for period in ["2025-H2", "25", "2025-13", ""] {
        let answer = get(&state, &format!("/reports/circular14?period={period}")).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{period}: {}", answer.text);
        assert_eq!(fields(&answer), ["period"]);
    }
    let unknown_unit = get(&state, "/reports/circular14?period=2024&unit=nowhere").await;
    assert_eq!(fields(&unknown_unit), ["unit"], "{}", unknown_unit.text);
}

async fn investors_keep_versions_and_place_themselves_on_their_plots(state: AppState) {
    seeded(&state).await;
    let clusters = get(&state, "/collections/clusters/items?limit=100").await.body;
    let pn = clusters["features"]
        .as_array()
        .and_then(|f| f.iter().find(|c| c["properties"]["code"] == "BT-CCN-PN"))
        .and_then(|c| c["id"].as_i64())
        .expect("Phong Nẫm");
    // A new tenant on the plot the demo's first tenant left, before its successor came: the
    // lease fits the gap exactly.
    let all = get(&state, &format!("{INVESTORS}?cluster_id={pn}&datetime=2023-08-01")).await.body;
    let gone = all["features"]
        .as_array()
        .and_then(|f| f.iter().find(|i| i["properties"]["status"] == "left"))
        .cloned()
        .expect("the tenant that left");
    assert_eq!(gone["geometry"], Value::Null, "a tenant without a plot has no place");
    let plot = gone["properties"]["leases"][0]["zone_id"].as_i64().expect("its plot");
    let body = json!({
        "type": "Feature", "geometry": null,
        "properties": {
            "name": "Hợp tác xã thử nghiệm", "tax_code": "1300999909", "role": "secondary", "form": "cooperative",
            "country": "KR", "vsic": "1079", "cluster_id": pn,
            "figures": { "effective": "2023-07-01", "status": "building", "registered_capital_vnd": 2e9, "registered_capital_usd": 80000, "workers": 4 }
        }
    });
    let created = post(&state, INVESTORS, &body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    assert!(
        created.headers["location"].to_str().is_ok_and(|l| l.ends_with(&format!("{INVESTORS}/{}", created.body["id"])))
    );
    let id = created.body["id"].as_i64().expect("id");
    let lease = post(
        &state,
        &format!("{INVESTORS}/{id}/leases"),
        &json!({ "zone_id": plot, "start": "2023-07-01", "end": "2024-02-29" }),
    )
    .await;
    assert_eq!(lease.status, StatusCode::CREATED, "{}", lease.text);
    let then = get(&state, &format!("{INVESTORS}?cluster_id={pn}&datetime=2023-08-01")).await.body;
    let mine =
        then["features"].as_array().and_then(|f| f.iter().find(|i| i["id"] == id)).cloned().expect("the new one");
    assert_eq!(mine["properties"]["zone_ids"], json!([plot]));
    assert_eq!(mine["geometry"]["type"], "Point");
    // Its lease cannot run into its successor's; ending it earlier is fine.
    let lease_id = lease.body["properties"]["leases"][0]["id"].as_i64().expect("lease id");
    let end_uri = format!("{INVESTORS}/{id}/leases/{lease_id}/end");
    let late = post(&state, &end_uri, &json!({ "end": "2024-03-15" })).await;
    assert_eq!(fields(&late), ["end"], "{}", late.text);
    let early = post(&state, &end_uri, &json!({ "end": "2023-12-31" })).await;
    assert_eq!(early.status, StatusCode::OK, "{}", early.text);
    assert_eq!(early.body["properties"]["leases"][0]["end"], "2023-12-31");
    let nobody = post(&state, &format!("{INVESTORS}/{id}/leases/999999/end"), &json!({ "end": "2023-12-31" })).await;
    assert_eq!(nobody.status, StatusCode::NOT_FOUND, "{}", nobody.text);
    // Duplicate tax codes are refused.
    let twice = post(&state, INVESTORS, &body).await;
    assert_eq!(twice.status, StatusCode::CONFLICT, "{}", twice.text);
    // Versions with optimistic locking.
    let etag = created.headers["etag"].to_str().expect("etag").to_owned();
    let mut props = body["properties"].clone();
    props["name"] = json!("Hợp tác xã thử nghiệm (đổi tên)");
    props.as_object_mut().expect("object").remove("figures");
    let put = |tag: String, props: Value| {
        let state = state.clone();
        async move {
            send(
                &state,
                Some(PLANNER),
                Method::PUT,
                &format!("{INVESTORS}/{id}"),
                &[("content-type", "application/json"), ("if-match", tag.as_str())],
                Body::from(props.to_string()),
            )
            .await
        }
    };
    let renamed = put(etag.clone(), props.clone()).await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.text);
    let stale = put(etag, props).await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED, "{}", stale.text);
    let versions = get(&state, &format!("{INVESTORS}/{id}/versions")).await.body;
    let names: Vec<&str> =
        versions["versions"].as_array().expect("versions").iter().filter_map(|v| v["name"].as_str()).collect();
    assert_eq!(names, ["Hợp tác xã thử nghiệm", "Hợp tác xã thử nghiệm (đổi tên)"]);
    assert_eq!(versions["versions"][1]["author"], "planner");
    // Designations: public, filtered by kind and by the day they were valid.
    let villages =
        send(&state, None, Method::GET, "/collections/designations/items?kind=craft_village", &[], Body::empty()).await;
    assert_eq!(villages.status, StatusCode::OK);
    assert_eq!(villages.body["features"].as_array().map(Vec::len), Some(3));
    let pilots_1997 = get(&state, "/collections/designations/items?kind=pilot_commune&datetime=1997-01-01").await.body;
    assert_eq!(pilots_1997["features"].as_array().map(Vec::len), Some(0));
    let pilots_1999 = get(&state, "/collections/designations/items?kind=pilot_commune&datetime=1999-01-01").await.body;
    assert_eq!(pilots_1999["features"].as_array().map(Vec::len), Some(2));
    let budgets = get(&state, "/budgets?year=1999").await.body;
    assert_eq!(budgets["planned_vnd"], 500_000_000, "{budgets}");
}

/// An officer of the 2025 commune Tân Thành Bình (demo code 29190).
const OFFICER: &str = "cpt_registry_tests_officer";

async fn officers_write_investors_of_clusters_in_their_unit_only(state: AppState) {
    seeded(&state).await;
    let clusters = get(&state, "/collections/clusters/items?limit=100").await.body;
    let id_of = |code: &str| {
        clusters["features"]
            .as_array()
            .and_then(|f| f.iter().find(|c| c["properties"]["code"] == code))
            .and_then(|c| c["id"].as_i64())
            .expect("demo cluster")
    };
    let body = |cluster: i64, tax: &str| {
        json!({ "name": "Công ty của xã", "tax_code": tax, "role": "secondary", "cluster_id": cluster,
                "figures": { "effective": "2025-08-01", "status": "registered" } })
    };
    let as_officer = |body: Value| {
        let state = state.clone();
        async move {
            send(
                &state,
                Some(OFFICER),
                Method::POST,
                INVESTORS,
                &[("content-type", "application/json")],
                Body::from(body.to_string()),
            )
            .await
        }
    };
    let elsewhere = as_officer(body(id_of("BT-CCN-PN"), "1300999909")).await;
    assert_eq!(elsewhere.status, StatusCode::FORBIDDEN, "{}", elsewhere.text);
    let home = as_officer(body(id_of("BT-CCN-TTB"), "1300999909")).await;
    assert_eq!(home.status, StatusCode::CREATED, "{}", home.text);
    // Budgets and designations are the province's: not an officer's.
    let budget = send(
        &state,
        Some(OFFICER),
        Method::POST,
        "/budgets",
        &[("content-type", "application/json")],
        Body::from(json!({ "year": 2025, "source": "district", "programme": "khuyen_cong" }).to_string()),
    )
    .await;
    assert_eq!(budget.status, StatusCode::FORBIDDEN, "{}", budget.text);
    // The public writes nothing; the collection is listed for everyone.
    let public =
        send(&state, None, Method::POST, INVESTORS, &[("content-type", "application/json")], Body::from("{}")).await;
    assert_eq!(public.status, StatusCode::UNAUTHORIZED);
    let listed = |answer: &Answer| -> Vec<String> {
        answer.body["collections"]
            .as_array()
            .expect("collections")
            .iter()
            .filter_map(|c| c["id"].as_str().map(str::to_owned))
            .collect()
    };
    let anonymous = send(&state, None, Method::GET, "/collections", &[], Body::empty()).await;
    assert!(
        listed(&anonymous).contains(&"designations".to_owned()) && listed(&anonymous).contains(&"investors".to_owned())
    );
    assert!(listed(&get(&state, "/collections").await).contains(&"investors".to_owned()));
}

/// What the public may know of an investor: those of published clusters, on published plots,
/// with name, tax code, role, form, country, sector, cluster, status and plots; nothing of an
/// investor whose cluster is not published (its id answers as one that never existed), and no
/// capital, workers, notes, provenance or dated records of any.
async fn the_public_reads_the_public_facts_of_investors_in_published_clusters(state: AppState) {
    const PUBLIC_FACTS: [&str; 11] =
        ["cluster_id", "country", "fdi", "form", "name", "on", "role", "status", "tax_code", "vsic", "zone_ids"];
    seeded(&state).await;
    let anonymous = |uri: String| {
        let state = state.clone();
        async move { send(&state, None, Method::GET, &uri, &[], Body::empty()).await }
    };
    let ids = |answer: &Answer| -> Vec<i64> {
        answer.body["features"].as_array().expect("features").iter().filter_map(|f| f["id"].as_i64()).collect()
    };
    // A cluster drawn but not published, with an investor.
    let draft = post(
        &state,
        "/collections/clusters/items",
        &json!({
            "type": "Feature",
            "geometry": { "type": "Polygon", "coordinates": [[[106.60, 10.10], [106.605, 10.10], [106.605, 10.104], [106.60, 10.104], [106.60, 10.10]]] },
            "properties": { "code": "BT-CCN-MOI", "name": "Cụm mới", "kind": "cluster", "status": "in_plan" }
        }),
    )
    .await;
    assert_eq!(draft.status, StatusCode::CREATED, "{}", draft.text);
    let draft_id = draft.body["id"].as_i64().expect("id");
    let hidden = post(
        &state,
        INVESTORS,
        &json!({
            "type": "Feature", "geometry": null,
            "properties": {
                "name": "Công ty chưa công bố", "tax_code": "1300999909", "role": "infrastructure", "form": "enterprise",
                "cluster_id": draft_id,
                "figures": { "effective": "2025-01-01", "status": "building", "registered_capital_vnd": 5e9, "workers": 2 }
            }
        }),
    )
    .await;
    assert_eq!(hidden.status, StatusCode::CREATED, "{}", hidden.text);
    let hidden_id = hidden.body["id"].as_i64().expect("id");

    let planner = get(&state, INVESTORS).await;
    let public = anonymous(INVESTORS.to_owned()).await;
    assert_eq!(public.status, StatusCode::OK, "{}", public.text);
    let published: Vec<i64> = ids(&anonymous("/collections/clusters/items?limit=1000".into()).await);
    let expected: Vec<i64> = planner.body["features"]
        .as_array()
        .expect("features")
        .iter()
        .filter(|f| f["properties"]["cluster_id"].as_i64().is_some_and(|c| published.contains(&c)))
        .filter_map(|f| f["id"].as_i64())
        .collect();
    assert!(expected.len() >= 3, "the demo's investors are in published clusters: {expected:?}");
    assert_eq!(ids(&public), expected);
    assert!(ids(&planner).contains(&hidden_id) && !ids(&public).contains(&hidden_id));
    for feature in public.body["features"].as_array().expect("features") {
        let mut keys: Vec<&str> =
            feature["properties"].as_object().expect("properties").keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, PUBLIC_FACTS, "{feature}");
        let same = planner.body["features"].as_array().and_then(|f| f.iter().find(|p| p["id"] == feature["id"]));
        let same = same.expect("the planner's copy");
        for key in PUBLIC_FACTS {
            assert_eq!(feature["properties"][key], same["properties"][key], "{key} of {}", feature["id"]);
        }
        assert_eq!(feature["geometry"], same["geometry"], "published plots are the draft's here");
    }
    // By id: a published cluster's investor; the hidden one is a 404 like an id never used.
    let one = expected[0];
    let read = anonymous(format!("{INVESTORS}/{one}")).await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.text);
    assert!(read.body["properties"].get("registered_capital_vnd").is_none() && read.headers.get("etag").is_none());
    let unseen = anonymous(format!("{INVESTORS}/{hidden_id}")).await;
    let never = anonymous(format!("{INVESTORS}/99999999")).await;
    assert_eq!((unseen.status, never.status), (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND));
    assert_eq!(unseen.body["detail"], format!("investor {hidden_id} does not exist"));
    let only_draft = anonymous(format!("{INVESTORS}?cluster_id={draft_id}")).await;
    assert_eq!(ids(&only_draft), Vec::<i64>::new());
    // Published, the cluster shows its investor to everyone.
    let publish = post(&state, "/collections/clusters/publish", &json!({ "note": "công bố" })).await;
    assert_eq!(publish.status, StatusCode::OK, "{}", publish.text);
    let now = anonymous(format!("{INVESTORS}?cluster_id={draft_id}")).await;
    assert_eq!(ids(&now), [hidden_id]);
    assert_eq!(now.body["features"][0]["geometry"]["type"], "Point", "the infrastructure investor on its site");
    assert_eq!(anonymous(format!("{INVESTORS}/{hidden_id}")).await.status, StatusCode::OK);
}

/// Registry writes that read before they write (does the cluster exist?) take the write lock
/// first: concurrent ones all land (on GeoPackage a deferred transaction overtaken by another
/// writer failed with `SQLITE_BUSY_SNAPSHOT`, a 500, as schemathesis found).
async fn concurrent_registry_writes_all_land(state: AppState) {
    seeded(&state).await;
    let writes = (0..24).map(|n| {
        let state = state.clone();
        async move {
            let body = json!({ "year": 2000 + n, "source": "province", "programme": "khuyen_cong", "cluster_id": 1, "planned_vnd": 1000 });
            post(&state, "/budgets", &body).await.status
        }
    });
    let statuses = futures::future::join_all(writes).await;
    assert!(statuses.iter().all(|s| *s == StatusCode::CREATED), "{statuses:?}");
    let all = get(&state, "/budgets").await.body;
    assert_eq!(all["budgets"].as_array().map(Vec::len), Some(6 + 24));
}

async fn state_for(store: Arc<dyn Store>, config: StoreConfig) -> AppState {
    use clusterplan_store::{NewUser, Role};
    let state = crate::common::planner_state(store, config, PLANNER).await;
    let password_hash = clusterplan_server::auth::hash_password("officer password").expect("hash");
    let officer =
        NewUser { name: "officer".into(), role: Role::Officer, unit_code: Some("29190".into()), password_hash };
    state.store.create_user(&officer).await.expect("officer");
    let made = state.store.create_token("officer", "registry tests", &clusterplan_server::auth::digest(OFFICER)).await;
    assert!(made.expect("token"));
    state
}

router_suite!(
    the_demo_reports_give_the_figures_a_hand_count_gives,
    the_spreadsheet_csv_and_page_carry_the_same_table,
    bad_input_names_the_field_and_writes_nothing,
    investors_keep_versions_and_place_themselves_on_their_plots,
    officers_write_investors_of_clusters_in_their_unit_only,
    the_public_reads_the_public_facts_of_investors_in_published_clusters,
    concurrent_registry_writes_all_land,
);
