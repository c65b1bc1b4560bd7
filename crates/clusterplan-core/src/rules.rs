//! Planning rules for industrial clusters (cụm công nghiệp) under Decree 32/2024/NĐ-CP, with
//! the limits in a [`RuleSet`] so that another regime (or an amendment) is a different set of
//! numbers, not different code.
//!
//! Every check returns a machine-readable [`RuleResult`] with a stable id, the measured value,
//! the limit and a message in Vietnamese and English. A failed [`Severity::Hard`] rule blocks a
//! write; a failed [`Severity::Conditional`] rule needs an [`Override`] with a reason.
//!
//! Numbers are compared after rounding to four decimals (1 m² for hectares, 0.0001 percentage
//! points for occupancy): far finer than any survey, coarse enough that an area of exactly
//! 10 ha computed through a projection as 9.999999999 ha is not refused for floating-point
//! noise, and the values a message shows are the values that were compared.

use crate::cluster::{ClusterKind, FieldProblem};

/// Stable rule ids, as they appear in [`RuleResult::rule_id`] and in overrides.
///
/// They name the check, not the numbers: a [`RuleSet`] with other limits keeps the ids.
pub mod rule_id {
    /// A cluster's area is at least the minimum (10 ha, or 5 ha reduced).
    pub const SIZE_MIN: &str = "d32.size.min";
    /// A cluster's area is at most the maximum (75 ha).
    pub const SIZE_MAX: &str = "d32.size.max";
    /// An expansion adds a positive area.
    pub const EXPANSION_ADDED_AREA: &str = "d32.expansion.added_area";
    /// The area after expansion is at most the maximum.
    pub const EXPANSION_TOTAL_AREA: &str = "d32.expansion.total_area";
    /// Occupancy before expansion reaches the minimum, or excess demand is declared.
    pub const EXPANSION_OCCUPANCY: &str = "d32.expansion.occupancy";
    /// Roads, water supply and wastewater treatment are completed and in use.
    pub const EXPANSION_INFRASTRUCTURE: &str = "d32.expansion.infrastructure";
    /// The district's existing clusters are full enough for a new one.
    pub const ESTABLISHMENT_DISTRICT_OCCUPANCY: &str = "d32.establishment.district_occupancy";
}

/// How the district-wide "average occupancy" of Art. 8(1) is averaged. The decree says
/// "average occupancy of the clusters" without a formula, so the choice is configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DistrictAverage {
    /// The arithmetic mean of each cluster's occupancy (the literal reading: an average of the
    /// clusters' rates). Clusters without leasable land yet have no rate and are left out.
    MeanOfClusters,
    /// Total leased ÷ total leasable industrial land of all the clusters (large clusters weigh
    /// more).
    LandWeighted,
}

/// The limits of a planning regime for industrial clusters.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleSet {
    /// The legal source, named in every message, e.g. `32/2024/NĐ-CP`.
    pub regime: String,
    /// Smallest area of a cluster, in hectares.
    pub min_area_ha: f64,
    /// Smallest area of a craft-village cluster or a cluster in a mountainous district.
    pub reduced_min_area_ha: f64,
    /// Largest area of a cluster, also after expansion.
    pub max_area_ha: f64,
    /// Occupancy (percent) a cluster must reach before it may be expanded (at least this).
    pub expansion_min_occupancy_pct: f64,
    /// Average occupancy (percent) of a district's clusters above which a new one may be
    /// established (strictly more than this).
    pub establishment_min_average_occupancy_pct: f64,
    /// Unleased industrial land (ha) in a district's clusters up to which a new one may be
    /// established regardless of occupancy (at most this).
    pub establishment_max_unleased_ha: f64,
    /// How the district average is computed.
    pub district_average: DistrictAverage,
}

impl RuleSet {
    /// Decree 32/2024/NĐ-CP (in force 1 May 2024):
    /// - size 10–75 ha; 5–75 ha for craft-village clusters and in mountainous districts;
    /// - expansion (Art. 8(2)): total after expansion ≤ 75 ha; occupancy ≥ 60 % or demand above
    ///   the land still available; internal roads, water supply and wastewater collection and
    ///   treatment completed and in use;
    /// - establishment (Art. 8(1)): where the district already has clusters, their average
    ///   occupancy > 50 % or their unleased industrial land ≤ 100 ha.
    pub fn decree_32_2024() -> Self {
        RuleSet {
            regime: "32/2024/NĐ-CP".into(),
            min_area_ha: 10.0,
            reduced_min_area_ha: 5.0,
            max_area_ha: 75.0,
            expansion_min_occupancy_pct: 60.0,
            establishment_min_average_occupancy_pct: 50.0,
            establishment_max_unleased_ha: 100.0,
            district_average: DistrictAverage::MeanOfClusters,
        }
    }
}

impl Default for RuleSet {
    /// The regime in force: [`RuleSet::decree_32_2024`].
    fn default() -> Self {
        RuleSet::decree_32_2024()
    }
}

/// What a failed rule means for a write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Severity {
    /// A legal limit: a failure blocks the write.
    Hard,
    /// A condition the law lets a person vouch for (e.g. declared excess demand): a failure
    /// needs an [`Override`] with a reason, which is kept with the decision.
    Conditional,
}

impl Severity {
    /// Stable machine-readable name.
    pub fn code(self) -> &'static str {
        match self {
            Severity::Hard => "hard",
            Severity::Conditional => "conditional",
        }
    }
}

/// The outcome of one rule.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleResult {
    /// Stable id, one of [`rule_id`].
    pub rule_id: &'static str,
    /// What a failure means.
    pub severity: Severity,
    /// Whether the rule is met.
    pub passed: bool,
    /// The value checked (rounded as compared), when there is one.
    pub measured: Option<f64>,
    /// The limit it was checked against, when there is one.
    pub limit: Option<f64>,
    /// Unit of `measured` and `limit`: `ha`, `%` or `count`.
    pub unit: &'static str,
    /// Explanation in Vietnamese, with diacritics and decimal commas.
    pub message_vi: String,
    /// Explanation in English.
    pub message_en: String,
}

/// Facts about a site for the size rules.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SiteFacts {
    /// Cluster or industrial park.
    pub kind: ClusterKind,
    /// Area in hectares, measured in the dataset's projected VN-2000 system
    /// ([`crate::AreaReport::projected_ha`]), never in degrees.
    pub area_ha: f64,
    /// A craft-village cluster: at least 60 % of its industrial land serves craft-village
    /// producers. Asserted by the caller; the core has no tenant data to check it.
    pub craft_village: bool,
    /// In a mountainous district (địa bàn miền núi).
    pub mountainous_district: bool,
}

/// Facts about a cluster before a proposed expansion.
#[expect(
    clippy::struct_excessive_bools,
    reason = "each flag is a separate legal fact of Art. 8(2), reported separately"
)]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExpansionFacts {
    /// Area now, in hectares.
    pub current_area_ha: f64,
    /// Area the expansion adds, in hectares.
    pub added_area_ha: f64,
    /// Industrial land (factory plots) leased to tenants now, in hectares.
    pub leased_industrial_ha: f64,
    /// Industrial land that can be leased now, in hectares: the occupancy base, not the total
    /// area.
    pub leasable_industrial_ha: f64,
    /// Demand for land above the industrial land still available has been declared (the
    /// alternative to the occupancy threshold).
    pub excess_demand_declared: bool,
    /// Internal roads completed and in use.
    pub roads_done: bool,
    /// Water supply completed and in use.
    pub water_done: bool,
    /// Wastewater collection and central treatment completed and in use.
    pub wastewater_done: bool,
}

/// The existing clusters of the district where a new cluster is proposed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DistrictFacts {
    /// One `(leased_ha, leasable_ha)` pair of industrial land per existing cluster.
    pub clusters: Vec<(f64, f64)>,
}

/// Occupancy (tỷ lệ lấp đầy): leased industrial land ÷ leasable industrial land.
///
/// Only built from those two quantities: dividing by the total area (roads, green space,
/// wastewater plant included) would understate it and refuse expansions the law allows.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Occupancy(f64);

impl Occupancy {
    /// Occupancy of a cluster; `None` when it has no leasable industrial land (no rate yet) or
    /// when the figures cannot be right (not finite, negative, more leased than leasable).
    pub fn from_land(leased_industrial_ha: f64, leasable_industrial_ha: f64) -> Option<Self> {
        (land_figures_valid(leased_industrial_ha, leasable_industrial_ha) && leasable_industrial_ha > 0.0)
            .then(|| Occupancy(leased_industrial_ha / leasable_industrial_ha))
    }

    /// As a fraction, 0 to 1.
    pub fn fraction(self) -> f64 {
        self.0
    }

    /// In percent, 0 to 100.
    pub fn percent(self) -> f64 {
        self.0 * 100.0
    }
}

fn land_figures_valid(leased: f64, leasable: f64) -> bool {
    leased.is_finite() && leasable.is_finite() && leased >= 0.0 && leased <= leasable
}

/// Size rules for a new cluster: `d32.size.min` and `d32.size.max`, both hard.
///
/// Industrial parks are another regime (Decree 35/2022, no 75 ha cap) that this rule set does
/// not model, so a park gets no results at all rather than a "passed" that would suggest it
/// was checked. A non-finite area fails both rules.
pub fn evaluate_create(rules: &RuleSet, site: &SiteFacts) -> Vec<RuleResult> {
    if site.kind == ClusterKind::IndustrialPark {
        return Vec::new();
    }
    let area = finite(site.area_ha);
    let reduced = site.craft_village || site.mountainous_district;
    let min = round4(if reduced { rules.reduced_min_area_ha } else { rules.min_area_ha });
    let max = round4(rules.max_area_ha);
    let (why_vi, why_en) = if reduced {
        (
            " (mức giảm cho cụm công nghiệp làng nghề hoặc ở địa bàn miền núi)",
            " (the reduced minimum for craft-village clusters and mountainous districts)",
        )
    } else {
        ("", "")
    };
    let subject = ("Diện tích", "Area");
    vec![
        area_limit(rule_id::SIZE_MIN, subject, area, Bound::AtLeast(min), (why_vi, why_en), &rules.regime),
        area_limit(rule_id::SIZE_MAX, subject, area, Bound::AtMost(max), ("", ""), &rules.regime),
    ]
}

/// Which side of an area limit is allowed; the limit itself always is.
#[derive(Clone, Copy)]
enum Bound {
    AtLeast(f64),
    AtMost(f64),
}

/// A hard rule on an area in hectares. `subject` and `why` are (Vietnamese, English) pairs.
fn area_limit(
    rule_id: &'static str,
    subject: (&str, &str),
    area: Option<f64>,
    bound: Bound,
    why: (&str, &str),
    regime: &str,
) -> RuleResult {
    let (limit, passed, label, ok, fail) = match bound {
        Bound::AtLeast(l) => (
            l,
            area.is_some_and(|a| a >= l),
            ("mức tối thiểu", "the minimum of"),
            ("đạt", "meets"),
            ("nhỏ hơn", "is below"),
        ),
        Bound::AtMost(l) => (
            l,
            area.is_some_and(|a| a <= l),
            ("mức tối đa", "the maximum of"),
            ("không vượt quá", "is within"),
            ("vượt quá", "exceeds"),
        ),
    };
    let (subject_vi, subject_en) = subject;
    let (why_vi, why_en) = why;
    let (message_vi, message_en) = match area {
        Some(a) => {
            let (verb_vi, verb_en) = if passed { ok } else { fail };
            (
                format!("{subject_vi} {} ha {verb_vi} {} {} ha{why_vi} ({regime}).", num_vi(a), label.0, num_vi(limit)),
                format!("{subject_en} {} ha {verb_en} {} {} ha{why_en} ({regime}).", num_en(a), label.1, num_en(limit)),
            )
        }
        None => (
            format!(
                "{subject_vi} không phải là số hữu hạn nên không đạt {} {} ha{why_vi} ({regime}).",
                label.0,
                num_vi(limit)
            ),
            format!(
                "{subject_en} is not a finite number, so it cannot meet {} {} ha{why_en} ({regime}).",
                label.1,
                num_en(limit)
            ),
        ),
    };
    RuleResult {
        rule_id,
        severity: Severity::Hard,
        passed,
        measured: area,
        limit: Some(limit),
        unit: "ha",
        message_vi,
        message_en,
    }
}

/// Expansion rules (Decree 32/2024, Art. 8(2)), in this order:
/// - `d32.expansion.added_area` (hard): an expansion adds a positive area;
/// - `d32.expansion.total_area` (hard): current + added ≤ the maximum;
/// - `d32.expansion.occupancy`: occupancy now (leased ÷ leasable industrial land) ≥ the
///   threshold. Met → passed. Not met and excess demand declared → failed *conditional*: the
///   law accepts demand instead of occupancy, and the override's reason is where the evidence
///   for that demand is written down. Not met and nothing declared → failed hard;
/// - `d32.expansion.infrastructure` (hard): roads, water and wastewater all completed; the
///   measured value counts the completed items out of three.
///
/// Meant for clusters only: industrial parks do not expand under this decree.
pub fn evaluate_expansion(rules: &RuleSet, facts: &ExpansionFacts) -> Vec<RuleResult> {
    let total = finite(facts.current_area_ha + facts.added_area_ha);
    vec![
        added_area_result(facts.added_area_ha),
        area_limit(
            rule_id::EXPANSION_TOTAL_AREA,
            ("Tổng diện tích sau mở rộng", "Total area after expansion"),
            total,
            Bound::AtMost(round4(rules.max_area_ha)),
            ("", ""),
            &rules.regime,
        ),
        expansion_occupancy_result(rules, facts),
        infrastructure_result(facts, &rules.regime),
    ]
}

fn added_area_result(added_ha: f64) -> RuleResult {
    let added = finite(added_ha);
    let passed = added.is_some_and(|a| a > 0.0);
    let (message_vi, message_en) = if passed {
        (
            format!("Diện tích mở rộng thêm {} ha.", num_vi(added_ha)),
            format!("The expansion adds {} ha.", num_en(added_ha)),
        )
    } else {
        (
            format!("Diện tích mở rộng phải là số lớn hơn 0 ha (đang là {}).", num_vi(added_ha)),
            format!("An expansion must add more than 0 ha (it adds {}).", num_en(added_ha)),
        )
    };
    RuleResult {
        rule_id: rule_id::EXPANSION_ADDED_AREA,
        severity: Severity::Hard,
        passed,
        measured: added,
        limit: Some(0.0),
        unit: "ha",
        message_vi,
        message_en,
    }
}

fn expansion_occupancy_result(rules: &RuleSet, facts: &ExpansionFacts) -> RuleResult {
    let regime = &rules.regime;
    let occupancy =
        Occupancy::from_land(facts.leased_industrial_ha, facts.leasable_industrial_ha).map(|o| round4(o.percent()));
    let limit = round4(rules.expansion_min_occupancy_pct);
    let passed = occupancy.is_some_and(|o| o >= limit);
    let (value_vi, value_en) = match occupancy {
        Some(o) => (format!("{}%", num_vi(o)), format!("{}%", num_en(o))),
        None if facts.leasable_industrial_ha == 0.0 => (
            "không tính được (chưa có đất công nghiệp cho thuê)".to_owned(),
            "unknown (no leasable industrial land)".to_owned(),
        ),
        None => (
            "không tính được (số liệu đất công nghiệp không hợp lệ)".to_owned(),
            "unknown (invalid industrial land figures)".to_owned(),
        ),
    };
    let (limit_vi, limit_en) = (num_vi(limit), num_en(limit));
    let (message_vi, message_en) = if passed {
        (
            format!("Tỷ lệ lấp đầy {value_vi} đạt mức tối thiểu {limit_vi}% để mở rộng ({regime})."),
            format!("Occupancy {value_en} meets the minimum of {limit_en}% for expansion ({regime})."),
        )
    } else if facts.excess_demand_declared {
        (
            format!(
                "Tỷ lệ lấp đầy {value_vi} chưa đạt {limit_vi}%; việc mở rộng dựa vào nhu cầu thuê đất vượt quá diện tích đất công nghiệp còn lại, cần ghi rõ lý do và căn cứ ({regime})."
            ),
            format!(
                "Occupancy {value_en} is below {limit_en}%; the expansion relies on declared demand above the industrial land still available, which needs a stated reason and evidence ({regime})."
            ),
        )
    } else {
        (
            format!(
                "Tỷ lệ lấp đầy {value_vi} chưa đạt mức tối thiểu {limit_vi}% để mở rộng và chưa khai báo nhu cầu thuê đất vượt quá diện tích còn lại ({regime})."
            ),
            format!(
                "Occupancy {value_en} is below the minimum of {limit_en}% for expansion and no demand above the land still available is declared ({regime})."
            ),
        )
    };
    RuleResult {
        rule_id: rule_id::EXPANSION_OCCUPANCY,
        // Declared demand is the law's alternative to the threshold; a person vouches for it.
        severity: if facts.excess_demand_declared { Severity::Conditional } else { Severity::Hard },
        passed,
        measured: occupancy,
        limit: Some(limit),
        unit: "%",
        message_vi,
        message_en,
    }
}

fn infrastructure_result(facts: &ExpansionFacts, regime: &str) -> RuleResult {
    let items = [
        (facts.roads_done, "đường giao thông nội bộ", "internal roads"),
        (facts.water_done, "cấp nước", "water supply"),
        (facts.wastewater_done, "thu gom và xử lý nước thải", "wastewater collection and treatment"),
    ];
    let missing_vi: Vec<_> = items.iter().filter(|i| !i.0).map(|i| i.1).collect();
    let missing_en: Vec<_> = items.iter().filter(|i| !i.0).map(|i| i.2).collect();
    let done = items.iter().filter(|i| i.0).count();
    let passed = missing_vi.is_empty();
    let (message_vi, message_en) = if passed {
        (
            format!(
                "Hạ tầng kỹ thuật (giao thông nội bộ, cấp nước, thu gom và xử lý nước thải) đã hoàn thành và đưa vào sử dụng ({regime})."
            ),
            format!(
                "Internal roads, water supply and wastewater collection and treatment are completed and in use ({regime})."
            ),
        )
    } else {
        (
            format!("Hạ tầng kỹ thuật chưa hoàn thành và đưa vào sử dụng: {} ({regime}).", missing_vi.join(", ")),
            format!("Infrastructure not yet completed and in use: {} ({regime}).", missing_en.join(", ")),
        )
    };
    RuleResult {
        rule_id: rule_id::EXPANSION_INFRASTRUCTURE,
        severity: Severity::Hard,
        passed,
        measured: Some(done as f64),
        limit: Some(items.len() as f64),
        unit: "count",
        message_vi,
        message_en,
    }
}

/// The district condition for establishing a new cluster (Decree 32/2024, Art. 8(1)): where the
/// district already has clusters, their **average occupancy is above** the threshold (50 %)
/// **or** their **unleased industrial land is at most** the limit (100 ha). Either suffices; a
/// new cluster is refused only when the existing ones are both half empty or less (≤ 50 %) and
/// hold more than 100 ha of unleased land.
///
/// One conditional result, `d32.establishment.district_occupancy`, whose `measured` is the average
/// occupancy (`None` when no cluster has leasable land yet); the unleased area is in the
/// messages. A district without clusters passes: the condition does not apply. Figures that
/// cannot be right (not finite, negative, more leased than leasable) fail the rule, naming the
/// cluster, rather than being guessed at.
///
/// The rule's other conditions (the cluster is in the approved list, the infrastructure
/// investor is eligible) are facts of the lifecycle and of the investor, not checked here.
pub fn evaluate_establishment(rules: &RuleSet, district: &DistrictFacts) -> Vec<RuleResult> {
    let regime = &rules.regime;
    let min_average = round4(rules.establishment_min_average_occupancy_pct);
    let max_unleased = round4(rules.establishment_max_unleased_ha);
    let result = |passed: bool, measured: Option<f64>, message_vi: String, message_en: String| RuleResult {
        rule_id: rule_id::ESTABLISHMENT_DISTRICT_OCCUPANCY,
        // The province may still establish a cluster where the district's clusters are half
        // empty; the rule flags it, and the decision's reason is kept with the override.
        severity: Severity::Conditional,
        passed,
        measured,
        limit: Some(min_average),
        unit: "%",
        message_vi,
        message_en,
    };

    if district.clusters.is_empty() {
        return vec![result(
            true,
            None,
            format!("Trên địa bàn huyện chưa có cụm công nghiệp; điều kiện về tỷ lệ lấp đầy không áp dụng ({regime})."),
            format!("The district has no clusters yet; the occupancy condition does not apply ({regime})."),
        )];
    }
    let invalid: Vec<String> = (1..)
        .zip(&district.clusters)
        .filter(|(_, (leased, leasable))| !land_figures_valid(*leased, *leasable))
        .map(|(n, _)| n.to_string())
        .collect();
    if !invalid.is_empty() {
        let which = invalid.join(", ");
        return vec![result(
            false,
            None,
            format!(
                "Số liệu đất công nghiệp không hợp lệ (không âm, đã cho thuê không vượt quá có thể cho thuê) ở cụm thứ {which}."
            ),
            format!(
                "Industrial land figures are invalid (they must be non-negative, leased at most leasable) for cluster no. {which}."
            ),
        )];
    }

    let average = match rules.district_average {
        DistrictAverage::MeanOfClusters => {
            let rates: Vec<f64> = district
                .clusters
                .iter()
                .filter_map(|&(l, a)| Occupancy::from_land(l, a))
                .map(Occupancy::percent)
                .collect();
            (!rates.is_empty()).then(|| rates.iter().sum::<f64>() / rates.len() as f64)
        }
        DistrictAverage::LandWeighted => {
            let leased: f64 = district.clusters.iter().map(|c| c.0).sum();
            let leasable: f64 = district.clusters.iter().map(|c| c.1).sum();
            Occupancy::from_land(leased, leasable).map(Occupancy::percent)
        }
    }
    .map(round4);
    let unleased = round4(district.clusters.iter().map(|(leased, leasable)| leasable - leased).sum());
    let occupancy_ok = average.is_some_and(|a| a > min_average);
    let unleased_ok = unleased <= max_unleased;
    let passed = occupancy_ok || unleased_ok;

    let (average_vi, average_en) = match average {
        Some(a) => (format!("{}%", num_vi(a)), format!("{}%", num_en(a))),
        None => ("không tính được".to_owned(), "unknown".to_owned()),
    };
    let message_vi = format!(
        "{}: tỷ lệ lấp đầy bình quân của các cụm công nghiệp hiện có trên địa bàn huyện là {average_vi} (điều kiện: lớn hơn {}%), diện tích đất công nghiệp chưa cho thuê là {} ha (điều kiện: không vượt quá {} ha); chỉ cần đạt một trong hai điều kiện ({regime}).",
        if passed {
            "Đủ điều kiện thành lập cụm công nghiệp mới"
        } else {
            "Chưa đủ điều kiện thành lập cụm công nghiệp mới"
        },
        num_vi(min_average),
        num_vi(unleased),
        num_vi(max_unleased)
    );
    let message_en = format!(
        "{}: the district's existing clusters average {average_en} occupancy (condition: above {}%) and have {} ha of unleased industrial land (condition: at most {} ha); either condition suffices ({regime}).",
        if passed { "A new cluster may be established" } else { "A new cluster may not be established yet" },
        num_en(min_average),
        num_en(unleased),
        num_en(max_unleased)
    );
    vec![result(passed, average, message_vi, message_en)]
}

/// Failed hard rules: any one of them blocks the write.
pub fn blocking(results: &[RuleResult]) -> Vec<&RuleResult> {
    results.iter().filter(|r| !r.passed && r.severity == Severity::Hard).collect()
}

/// Failed conditional rules: the write may go ahead only with an [`Override`] for each.
pub fn needs_override(results: &[RuleResult]) -> Vec<&RuleResult> {
    results.iter().filter(|r| !r.passed && r.severity == Severity::Conditional).collect()
}

/// A person's decision to go ahead despite a failed conditional rule, with the reason that will
/// be kept alongside the record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    rule_id: String,
    reason: String,
}

impl Override {
    /// Validates an override: the reason, trimmed, must not be empty, because an override
    /// without one could not be audited later.
    pub fn new(rule_id: &str, reason: &str) -> Result<Self, FieldProblem> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(FieldProblem { field: "reason", message: format!("an override of {rule_id} needs a reason") });
        }
        Ok(Override { rule_id: rule_id.trim().to_owned(), reason: reason.to_owned() })
    }

    /// The overridden rule's id.
    pub fn rule_id(&self) -> &str {
        &self.rule_id
    }

    /// Why the write goes ahead anyway.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

/// The results that still stand in the way of a write: every blocking one (hard rules cannot be
/// overridden) and every conditional one without an override for its id.
pub fn unresolved<'a>(results: &'a [RuleResult], overrides: &[Override]) -> Vec<&'a RuleResult> {
    results
        .iter()
        .filter(|r| !r.passed)
        .filter(|r| r.severity == Severity::Hard || !overrides.iter().any(|o| o.rule_id == r.rule_id))
        .collect()
}

/// Rounds to four decimals; see the module documentation for why.
fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then(|| round4(x))
}

/// A number as English writes it: decimal point, no trailing zeros (`9.99`, `10`).
fn num_en(x: f64) -> String {
    let text = format!("{:.4}", round4(x));
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" { "0".to_owned() } else { text.to_owned() }
}

/// A number as Vietnamese writes it: decimal comma (`9,99`).
fn num_vi(x: f64) -> String {
    num_en(x).replace('.', ",")
}

#[cfg(test)]
mod tests;
