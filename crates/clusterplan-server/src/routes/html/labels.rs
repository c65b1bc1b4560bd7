//! The words of the HTML views in Vietnamese (the default) and English: the pages' own text,
//! the names of feature properties, and the values that are codes (statuses, kinds, land uses,
//! unit levels, yes and no). JSON documents keep their codes; only the views translate them.

use std::collections::HashMap;

use axum::http::{HeaderMap, header};

use crate::error::ApiError;

/// The language of a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lang {
    Vi,
    En,
}

impl Lang {
    /// `lang=vi|en`; without it, English for a browser whose first language is English, else
    /// Vietnamese. Another `lang` is a 400. The flag says whether `lang` chose it (then the
    /// page's links keep it).
    pub(crate) fn choose(params: &HashMap<String, String>, headers: &HeaderMap) -> Result<(Lang, bool), ApiError> {
        match params.get("lang").map(String::as_str) {
            Some("vi") => Ok((Lang::Vi, true)),
            Some("en") => Ok((Lang::En, true)),
            Some(other) => Err(ApiError::BadRequest {
                kind: "invalid-parameter",
                detail: format!("lang={other:?} is not offered; use lang=vi or lang=en"),
            }),
            None => {
                let first = headers
                    .get(header::ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.split(',').next())
                    .map(|l| l.trim().to_ascii_lowercase());
                Ok((if first.is_some_and(|l| l.starts_with("en")) { Lang::En } else { Lang::Vi }, false))
            }
        }
    }

    /// The BCP 47 code, for `<html lang>` and links.
    pub(crate) fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    /// What links append to keep the language a page was asked in (`&lang=…`), or nothing when
    /// the browser's language chose it.
    pub(crate) fn kept(self, explicit: bool) -> &'static str {
        match (explicit, self) {
            (false, _) => "",
            (true, Lang::Vi) => "&lang=vi",
            (true, Lang::En) => "&lang=en",
        }
    }

    /// The other language, which a page offers to switch to.
    pub(crate) fn other(self) -> Lang {
        match self {
            Lang::Vi => Lang::En,
            Lang::En => Lang::Vi,
        }
    }

    fn pick(self, (vi, en): (&'static str, &'static str)) -> &'static str {
        match self {
            Lang::Vi => vi,
            Lang::En => en,
        }
    }

    /// A word of the pages themselves (`key` unknown: the key, which a test would see).
    pub(crate) fn word(self, key: &'static str) -> &'static str {
        lookup(WORDS, key).map_or(key, |pair| self.pick(pair))
    }

    /// The label of a feature property; `None` for a property without one.
    pub(crate) fn field(self, name: &str) -> Option<&'static str> {
        lookup(FIELDS, name).map(|pair| self.pick(pair))
    }

    /// The label of a property's value when the value is a code; `None` otherwise.
    pub(crate) fn value(self, field: &str, value: &serde_json::Value) -> Option<&'static str> {
        match value {
            serde_json::Value::Bool(b) => Some(self.pick(if *b { ("Có", "Yes") } else { ("Không", "No") })),
            serde_json::Value::String(code) => {
                let table = match field {
                    "status" => STATUSES,
                    "kind" => KINDS,
                    "land_use" => LAND_USES,
                    "level" => LEVELS,
                    _ => return None,
                };
                lookup(table, code).map(|pair| self.pick(pair))
            }
            _ => None,
        }
    }
}

type Table = &'static [(&'static str, (&'static str, &'static str))];

fn lookup(table: Table, key: &str) -> Option<(&'static str, &'static str)> {
    table.iter().find(|(k, _)| *k == key).map(|(_, pair)| *pair)
}

const WORDS: Table = &[
    ("collections", ("Bộ dữ liệu", "Collections")),
    ("conformance", ("Chuẩn tuân thủ", "Conformance")),
    ("conformance_title", ("Các lớp chuẩn tuân thủ", "Conformance classes")),
    ("planner_map", ("Bản đồ quy hoạch", "Planner map")),
    ("public_map", ("Bản đồ công khai", "Public map")),
    ("features", ("Đối tượng", "Features")),
    ("browse", ("Xem các đối tượng", "Browse the features")),
    ("links", ("Liên kết", "Links")),
    ("also_as", ("Định dạng khác: ", "Also as: ")),
    ("of", (" trên ", " of ")),
    ("problem_title", ("Không trả lời được yêu cầu này", "This request cannot be answered")),
    ("problem_back", ("Trở lại trang không có tham số này", "Back to the page without these parameters")),
    ("features_count", (" đối tượng", " features")),
    ("from_offset", (" từ vị trí ", " from offset ")),
    ("previous", ("← trang trước", "← previous page")),
    ("next", ("trang sau →", "next page →")),
    ("all_features", ("Tất cả đối tượng", "All features")),
    ("the_collection", ("Bộ dữ liệu", "The collection")),
    ("feature", ("Đối tượng", "Feature")),
    ("features_of", ("Đối tượng của ", "Features of ")),
    ("crs_title", ("Hệ toạ độ", "Coordinate reference systems")),
    ("stored_in", ("Lưu trong ", "Stored in ")),
    ("served_in", ("; cung cấp trong:", "; served in:")),
    ("description", ("Mô tả", "Description")),
    ("keywords", ("Từ khoá", "Keywords")),
    ("license", ("Giấy phép", "License")),
    ("attribution", ("Nguồn", "Attribution")),
    ("extent", ("Phạm vi (CRS84)", "Extent (CRS84)")),
    ("period", ("Thời gian", "Period")),
    ("last_published", ("Công bố gần nhất", "Last published")),
    ("by", (" bởi ", " by ")),
    ("cap_1", ("Một trang HTML hiển thị tối đa ", "An HTML page shows at most ")),
    ("cap_2", (" đối tượng (đã yêu cầu limit=", " features (limit=")),
    (
        "cap_3",
        (
            "); bản JSON trả đủ theo giới hạn của API.",
            " was asked); the JSON representation streams up to the API's limit.",
        ),
    ),
    ("switch", ("English", "Tiếng Việt")),
];

const FIELDS: Table = &[
    ("id", ("Mã số", "Id")),
    ("code", ("Mã", "Code")),
    ("name", ("Tên", "Name")),
    ("kind", ("Loại", "Kind")),
    ("status", ("Tình trạng", "Status")),
    ("planned_area_ha", ("Diện tích quy hoạch (ha)", "Planned area (ha)")),
    ("area_ha", ("Diện tích (ha, VN-2000)", "Area (ha, VN-2000)")),
    ("geodesic_area_ha", ("Diện tích trắc địa (ha)", "Geodesic area (ha)")),
    ("planning_crs", ("Hệ toạ độ tính diện tích", "Area computed in")),
    ("notes", ("Ghi chú", "Notes")),
    ("craft_village", ("Cụm làng nghề", "Craft-village cluster")),
    ("mountainous", ("Huyện miền núi", "Mountainous district")),
    ("roads_completed", ("Đường nội bộ đã xong", "Internal roads completed")),
    ("water_completed", ("Cấp nước đã xong", "Water supply completed")),
    ("wastewater_completed", ("Thu gom, xử lý nước thải đã xong", "Wastewater collection and treatment completed")),
    ("wwtp_capacity_m3_day", ("Công suất trạm xử lý nước thải (m³/ngày đêm)", "Wastewater plant capacity (m³/day)")),
    ("version", ("Phiên bản", "Version")),
    ("created_at", ("Tạo lúc", "Created")),
    ("updated_at", ("Cập nhật lúc", "Updated")),
    ("cluster_id", ("Cụm", "Cluster")),
    ("land_use", ("Chức năng sử dụng đất", "Land use")),
    ("label", ("Ký hiệu lô", "Plot label")),
    ("leasable", ("Cho thuê được", "Leasable")),
    ("leased", ("Đã cho thuê", "Leased")),
    ("tenant", ("Doanh nghiệp thuê", "Tenant")),
    ("level", ("Cấp", "Level")),
    ("parent_code", ("Mã đơn vị cấp trên", "Parent unit")),
    ("valid_from", ("Hiệu lực từ", "Valid from")),
    ("valid_to", ("Hết hiệu lực từ", "Valid until")),
];

const STATUSES: Table = &[
    ("in_plan", ("Trong danh mục / phương án", "In plan")),
    ("established", ("Đã thành lập", "Established")),
    ("infrastructure", ("Đang đầu tư hạ tầng", "Infrastructure under construction")),
    ("operating", ("Đang hoạt động", "Operating")),
    ("expanded", ("Mở rộng", "Expanded")),
    ("removed", ("Đưa ra khỏi quy hoạch", "Removed from plan")),
    ("revoked", ("Bãi bỏ quyết định thành lập", "Establishment revoked")),
];

const KINDS: Table = &[
    ("cluster", ("Cụm công nghiệp (CCN)", "Industrial cluster (CCN)")),
    ("industrial_park", ("Khu công nghiệp (KCN)", "Industrial park (KCN)")),
];

const LAND_USES: Table = &[
    ("IND", ("Đất công nghiệp (IND)", "Industrial (IND)")),
    ("WH", ("Kho bãi (WH)", "Warehousing (WH)")),
    ("ADM", ("Điều hành, dịch vụ (ADM)", "Administration, services (ADM)")),
    ("GRN", ("Cây xanh (GRN)", "Green space (GRN)")),
    ("WAT", ("Mặt nước (WAT)", "Water surface (WAT)")),
    ("UTL", ("Hạ tầng kỹ thuật (UTL)", "Utilities (UTL)")),
    ("WWTP", ("Xử lý nước thải (WWTP)", "Wastewater treatment (WWTP)")),
    ("ROAD", ("Giao thông (ROAD)", "Roads (ROAD)")),
];

const LEVELS: Table =
    &[("province", ("Tỉnh", "Province")), ("district", ("Huyện", "District")), ("commune", ("Xã", "Commune"))];

#[cfg(test)]
mod tests {
    use clusterplan_core::ClusterStatus;
    use clusterplan_core::zones::LandUse;

    use super::{LAND_USES, Lang, STATUSES, lookup};

    #[test]
    fn every_status_and_land_use_has_both_labels() {
        for status in ClusterStatus::ALL {
            assert!(lookup(STATUSES, status.code()).is_some(), "{}", status.code());
        }
        for land_use in LandUse::ALL {
            assert!(lookup(LAND_USES, land_use.code()).is_some(), "{}", land_use.code());
        }
        assert_eq!(Lang::Vi.value("status", &serde_json::json!("operating")), Some("Đang hoạt động"));
        assert_eq!(Lang::En.value("land_use", &serde_json::json!("IND")), Some("Industrial (IND)"));
        assert_eq!(Lang::En.value("notes", &serde_json::json!("operating")), None, "only codes are labelled");
    }
}
