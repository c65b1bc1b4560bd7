use approx::assert_relative_eq;

use super::*;

fn d32() -> RuleSet {
    RuleSet::decree_32_2024()
}

fn site(area_ha: f64) -> SiteFacts {
    SiteFacts { kind: ClusterKind::Cluster, area_ha, craft_village: false, mountainous_district: false }
}

fn find<'a>(results: &'a [RuleResult], id: &str) -> &'a RuleResult {
    results.iter().find(|r| r.rule_id == id).unwrap_or_else(|| panic!("no result for {id}"))
}

#[test]
fn decree_32_2024_is_the_default_rule_set_with_its_published_limits() {
    let rules = RuleSet::default();
    assert_eq!(rules, d32());
    assert_eq!(rules.regime, "32/2024/NĐ-CP");
    assert_eq!((rules.min_area_ha, rules.reduced_min_area_ha, rules.max_area_ha), (10.0, 5.0, 75.0));
    assert_relative_eq!(rules.expansion_min_occupancy_pct, 60.0);
    assert_eq!((rules.establishment_min_average_occupancy_pct, rules.establishment_max_unleased_ha), (50.0, 100.0));
}

/// Checks the two size rules for one site: `(min passed, max passed)`.
fn check_size(facts: SiteFacts, expected: (bool, bool)) {
    let results = evaluate_create(&d32(), &facts);
    let ids: Vec<_> = results.iter().map(|r| r.rule_id).collect();
    assert_eq!(ids, [rule_id::SIZE_MIN, rule_id::SIZE_MAX]);
    assert!(results.iter().all(|r| r.severity == Severity::Hard));
    let got = (find(&results, rule_id::SIZE_MIN).passed, find(&results, rule_id::SIZE_MAX).passed);
    assert_eq!(got, expected, "{facts:?}");
}

#[test]
fn a_cluster_of_10_to_75_ha_passes_and_just_outside_is_refused() {
    let cases = [
        (10.0, (true, true)),
        (9.99, (false, true)),
        (75.0, (true, true)),
        (75.01, (true, false)),
        (42.0, (true, true)),
        (0.0, (false, true)),
        (5.0, (false, true)),
        (164.3, (true, false)),
    ];
    for (area, expected) in cases {
        check_size(site(area), expected);
    }
}

#[test]
fn craft_village_clusters_and_mountainous_districts_may_be_as_small_as_5_ha_but_no_smaller() {
    let craft = |area| SiteFacts { craft_village: true, ..site(area) };
    let mountain = |area| SiteFacts { mountainous_district: true, ..site(area) };
    for make in [craft, mountain] {
        check_size(make(5.0), (true, true));
        check_size(make(4.99), (false, true));
        check_size(make(9.99), (true, true));
        check_size(make(75.0), (true, true));
        check_size(make(75.01), (true, false));
    }
    assert_eq!(find(&evaluate_create(&d32(), &craft(4.99)), rule_id::SIZE_MIN).limit, Some(5.0));
}

#[test]
fn floating_point_noise_from_a_projection_does_not_refuse_an_area_of_exactly_the_limit() {
    check_size(site(9.999_999_999), (true, true));
    check_size(site(75.000_000_001), (true, true));
    // One square metre is not noise.
    check_size(site(9.9999), (false, true));
    check_size(site(75.0001), (true, false));
}

#[test]
fn an_area_that_is_not_a_number_fails_both_size_rules_without_a_measured_value() {
    for area in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let results = evaluate_create(&d32(), &site(area));
        assert!(results.iter().all(|r| !r.passed && r.measured.is_none()), "{area}");
        assert_eq!(blocking(&results).len(), 2);
    }
}

#[test]
fn industrial_parks_are_another_regime_and_get_no_size_results() {
    for area in [164.3, 72.0, 231.78, 3.0] {
        let park = SiteFacts { kind: ClusterKind::IndustrialPark, ..site(area) };
        assert!(evaluate_create(&d32(), &park).is_empty(), "{area}");
    }
}

#[test]
fn size_results_carry_the_measured_area_the_limit_and_messages_in_both_languages() {
    let results = evaluate_create(&d32(), &site(9.99));
    let min = find(&results, rule_id::SIZE_MIN);
    assert_eq!((min.measured, min.limit, min.unit), (Some(9.99), Some(10.0), "ha"));
    assert_eq!(min.message_vi, "Diện tích 9,99 ha nhỏ hơn mức tối thiểu 10 ha (32/2024/NĐ-CP).");
    assert_eq!(min.message_en, "Area 9.99 ha is below the minimum of 10 ha (32/2024/NĐ-CP).");
    let max = find(&results, rule_id::SIZE_MAX);
    assert_eq!(max.message_vi, "Diện tích 9,99 ha không vượt quá mức tối đa 75 ha (32/2024/NĐ-CP).");

    let craft = evaluate_create(&d32(), &SiteFacts { craft_village: true, ..site(4.99) });
    assert_eq!(
        find(&craft, rule_id::SIZE_MIN).message_vi,
        "Diện tích 4,99 ha nhỏ hơn mức tối thiểu 5 ha (mức giảm cho cụm công nghiệp làng nghề hoặc ở địa bàn miền núi) (32/2024/NĐ-CP)."
    );
}

#[test]
fn another_regime_is_a_different_rule_set_with_the_same_rule_ids() {
    let stricter = RuleSet { regime: "Quy định thử nghiệm".into(), min_area_ha: 20.0, ..d32() };
    let results = evaluate_create(&stricter, &site(15.0));
    let min = find(&results, rule_id::SIZE_MIN);
    assert!(!min.passed);
    assert_eq!(min.limit, Some(20.0));
    assert!(min.message_en.ends_with("(Quy định thử nghiệm)."), "{}", min.message_en);
}

#[test]
fn occupancy_is_leased_over_leasable_industrial_land() {
    let o = Occupancy::from_land(18.0, 30.0).expect("defined");
    assert_relative_eq!(o.fraction(), 0.6);
    assert_relative_eq!(o.percent(), 60.0);
    assert_eq!(Occupancy::from_land(0.0, 30.0).map(Occupancy::percent), Some(0.0));
    assert_eq!(Occupancy::from_land(30.0, 30.0).map(Occupancy::percent), Some(100.0));
}

#[test]
fn occupancy_is_undefined_without_leasable_land_or_with_figures_that_cannot_be_right() {
    for (leased, leasable) in
        [(0.0, 0.0), (5.0, 0.0), (31.0, 30.0), (-1.0, 30.0), (f64::NAN, 30.0), (1.0, f64::INFINITY)]
    {
        assert_eq!(Occupancy::from_land(leased, leasable), None, "{leased} / {leasable}");
    }
}

/// A 40 ha cluster with 30 ha of factory plots, 18 ha of them leased (60 %), all
/// infrastructure in use, growing by 20 ha: every expansion rule passes.
fn expansion() -> ExpansionFacts {
    ExpansionFacts {
        current_area_ha: 40.0,
        added_area_ha: 20.0,
        leased_industrial_ha: 18.0,
        leasable_industrial_ha: 30.0,
        excess_demand_declared: false,
        roads_done: true,
        water_done: true,
        wastewater_done: true,
    }
}

#[test]
fn an_expansion_meeting_every_condition_passes_every_rule_in_a_fixed_order() {
    let results = evaluate_expansion(&d32(), &expansion());
    let ids: Vec<_> = results.iter().map(|r| r.rule_id).collect();
    assert_eq!(
        ids,
        [
            rule_id::EXPANSION_ADDED_AREA,
            rule_id::EXPANSION_TOTAL_AREA,
            rule_id::EXPANSION_OCCUPANCY,
            rule_id::EXPANSION_INFRASTRUCTURE
        ]
    );
    assert!(results.iter().all(|r| r.passed), "{results:#?}");
    assert!(blocking(&results).is_empty());
    assert!(needs_override(&results).is_empty());
}

#[test]
fn expansion_occupancy_is_computed_from_leasable_industrial_land_not_from_the_total_area() {
    // 18 ha leased of 40 ha total would be 45 % and refuse the expansion; of the 30 ha of
    // factory plots it is 60 % and the expansion may go ahead.
    let results = evaluate_expansion(&d32(), &expansion());
    let occupancy = find(&results, rule_id::EXPANSION_OCCUPANCY);
    assert!(occupancy.passed);
    assert_eq!((occupancy.measured, occupancy.limit, occupancy.unit), (Some(60.0), Some(60.0), "%"));
    assert_eq!(occupancy.message_vi, "Tỷ lệ lấp đầy 60% đạt mức tối thiểu 60% để mở rộng (32/2024/NĐ-CP).");
}

#[test]
fn expansion_occupancy_of_exactly_60_percent_passes_and_just_below_is_refused() {
    let cases = [
        ((18.0, 30.0), true),
        // 18.6 / 31 is 0.6000000000000001 in floating point: still exactly 60 %.
        ((18.6, 31.0), true),
        ((17.997, 30.0), false),
        ((18.003, 30.0), true),
        ((0.0, 30.0), false),
        ((30.0, 30.0), true),
    ];
    for ((leased, leasable), expected) in cases {
        let facts = ExpansionFacts { leased_industrial_ha: leased, leasable_industrial_ha: leasable, ..expansion() };
        let results = evaluate_expansion(&d32(), &facts);
        let occupancy = find(&results, rule_id::EXPANSION_OCCUPANCY);
        assert_eq!(occupancy.passed, expected, "{leased} / {leasable}");
        assert_eq!(occupancy.severity, Severity::Hard);
    }
}

#[test]
fn low_occupancy_with_declared_excess_demand_needs_an_override_instead_of_blocking() {
    let facts = ExpansionFacts { leased_industrial_ha: 12.0, excess_demand_declared: true, ..expansion() };
    let results = evaluate_expansion(&d32(), &facts);
    let occupancy = find(&results, rule_id::EXPANSION_OCCUPANCY);
    assert_eq!((occupancy.passed, occupancy.severity, occupancy.measured), (false, Severity::Conditional, Some(40.0)));
    assert!(blocking(&results).is_empty());
    let pending: Vec<_> = needs_override(&results).iter().map(|r| r.rule_id).collect();
    assert_eq!(pending, [rule_id::EXPANSION_OCCUPANCY]);
    assert!(occupancy.message_vi.contains("nhu cầu thuê đất vượt quá diện tích đất công nghiệp còn lại"));

    let undeclared = evaluate_expansion(&d32(), &ExpansionFacts { excess_demand_declared: false, ..facts });
    let blocked: Vec<_> = blocking(&undeclared).iter().map(|r| r.rule_id).collect();
    assert_eq!(blocked, [rule_id::EXPANSION_OCCUPANCY]);
}

#[test]
fn high_occupancy_passes_whether_or_not_excess_demand_is_declared() {
    let facts = ExpansionFacts { excess_demand_declared: true, ..expansion() };
    let results = evaluate_expansion(&d32(), &facts);
    assert!(find(&results, rule_id::EXPANSION_OCCUPANCY).passed);
    assert!(needs_override(&results).is_empty());
}

#[test]
fn a_cluster_without_leasable_land_has_no_occupancy_and_cannot_expand_on_occupancy() {
    let facts = ExpansionFacts { leased_industrial_ha: 0.0, leasable_industrial_ha: 0.0, ..expansion() };
    let results = evaluate_expansion(&d32(), &facts);
    let occupancy = find(&results, rule_id::EXPANSION_OCCUPANCY);
    assert_eq!((occupancy.passed, occupancy.measured), (false, None));
    assert!(occupancy.message_vi.contains("chưa có đất công nghiệp cho thuê"), "{}", occupancy.message_vi);

    let inconsistent = ExpansionFacts { leased_industrial_ha: 31.0, ..expansion() };
    let occupancy = find(&evaluate_expansion(&d32(), &inconsistent), rule_id::EXPANSION_OCCUPANCY).clone();
    assert!(!occupancy.passed);
    assert!(occupancy.message_en.contains("invalid industrial land figures"), "{}", occupancy.message_en);
}

#[test]
fn the_total_after_expansion_may_reach_75_ha_but_not_exceed_it() {
    let cases = [(35.0, true), (35.01, false), (34.99, true), (0.01, true)];
    for (added, expected) in cases {
        let results = evaluate_expansion(&d32(), &ExpansionFacts { added_area_ha: added, ..expansion() });
        let total = find(&results, rule_id::EXPANSION_TOTAL_AREA);
        assert_eq!(total.passed, expected, "40 + {added}");
        assert_eq!(total.limit, Some(75.0));
    }
    let results = evaluate_expansion(&d32(), &ExpansionFacts { added_area_ha: 35.01, ..expansion() });
    assert_eq!(
        find(&results, rule_id::EXPANSION_TOTAL_AREA).message_vi,
        "Tổng diện tích sau mở rộng 75,01 ha vượt quá mức tối đa 75 ha (32/2024/NĐ-CP)."
    );
}

#[test]
fn an_expansion_must_add_a_positive_area() {
    for (added, expected) in [(0.0, false), (-1.0, false), (f64::NAN, false), (0.0001, true)] {
        let results = evaluate_expansion(&d32(), &ExpansionFacts { added_area_ha: added, ..expansion() });
        assert_eq!(find(&results, rule_id::EXPANSION_ADDED_AREA).passed, expected, "{added}");
    }
}

#[test]
fn expansion_needs_roads_water_and_wastewater_all_completed_and_names_what_is_missing() {
    let cases = [
        ((false, true, true), "internal roads"),
        ((true, false, true), "water supply"),
        ((true, true, false), "wastewater collection and treatment"),
    ];
    for ((roads_done, water_done, wastewater_done), missing) in cases {
        let facts = ExpansionFacts { roads_done, water_done, wastewater_done, ..expansion() };
        let results = evaluate_expansion(&d32(), &facts);
        let infrastructure = find(&results, rule_id::EXPANSION_INFRASTRUCTURE);
        assert!(!infrastructure.passed);
        assert_eq!((infrastructure.measured, infrastructure.limit), (Some(2.0), Some(3.0)));
        assert!(
            infrastructure.message_en.ends_with(&format!("{missing} (32/2024/NĐ-CP).")),
            "{}",
            infrastructure.message_en
        );
    }
    let none = ExpansionFacts { roads_done: false, water_done: false, wastewater_done: false, ..expansion() };
    let infrastructure = find(&evaluate_expansion(&d32(), &none), rule_id::EXPANSION_INFRASTRUCTURE).clone();
    assert_eq!(
        infrastructure.message_vi,
        "Hạ tầng kỹ thuật chưa hoàn thành và đưa vào sử dụng: đường giao thông nội bộ, cấp nước, thu gom và xử lý nước thải (32/2024/NĐ-CP)."
    );
}

fn establishment(clusters: &[(f64, f64)], rules: &RuleSet) -> RuleResult {
    let results = evaluate_establishment(rules, &DistrictFacts { clusters: clusters.to_vec() });
    assert_eq!(results.len(), 1);
    let result = results.into_iter().next().expect("one result");
    assert_eq!((result.rule_id, result.severity), (rule_id::ESTABLISHMENT_DISTRICT_OCCUPANCY, Severity::Conditional));
    result
}

#[test]
fn a_new_cluster_is_refused_only_when_existing_ones_average_at_most_50_percent_and_hold_over_100_ha_unleased() {
    // (clusters as (leased, leasable), passes): Art. 8(1) asks average > 50 % OR unleased ≤ 100 ha.
    let cases: &[(&[(f64, f64)], bool)] = &[
        // 50 % exactly is not above 50 %, and 150 ha unleased is over 100 ha.
        (&[(150.0, 300.0)], false),
        // Just above 50 %: passes however much land is unleased.
        (&[(150.03, 300.0)], true),
        // 50 % with exactly 100 ha unleased: passes on the land condition.
        (&[(100.0, 200.0)], true),
        (&[(100.0, 200.01)], false),
        (&[(99.99, 199.98)], true),
        // Nearly empty but small: 20 ha unleased.
        (&[(0.0, 20.0)], true),
        // Two clusters: 50.5 % on average with 198 ha unleased.
        (&[(101.0, 200.0), (101.0, 200.0)], true),
        // Two clusters: 20 % on average, 160 ha unleased.
        (&[(20.0, 100.0), (20.0, 100.0)], false),
    ];
    for (clusters, expected) in cases {
        assert_eq!(establishment(clusters, &d32()).passed, *expected, "{clusters:?}");
    }
}

#[test]
fn a_district_without_clusters_may_have_its_first_one() {
    let result = establishment(&[], &d32());
    assert!(result.passed);
    assert_eq!(result.measured, None);
    assert!(result.message_vi.contains("không áp dụng"), "{}", result.message_vi);
}

#[test]
fn the_district_average_is_the_mean_of_cluster_rates_unless_configured_to_weigh_by_land() {
    // 90 % of 10 ha and 20 % of 150 ha; 121 ha unleased, so only the average can let it pass.
    let clusters = [(9.0, 10.0), (30.0, 150.0)];
    let mean = establishment(&clusters, &d32());
    assert_eq!((mean.passed, mean.measured), (true, Some(55.0)));

    let weighted_rules = RuleSet { district_average: DistrictAverage::LandWeighted, ..d32() };
    let weighted = establishment(&clusters, &weighted_rules);
    assert!(!weighted.passed);
    assert_relative_eq!(weighted.measured.expect("defined"), 24.375);
}

#[test]
fn a_cluster_without_leasable_land_yet_is_left_out_of_the_mean_rather_than_counted_as_empty() {
    let result = establishment(&[(0.0, 0.0), (180.0, 300.0)], &d32());
    assert_eq!((result.passed, result.measured), (true, Some(60.0)));
}

#[test]
fn the_establishment_message_gives_both_figures_in_both_languages() {
    let result = establishment(&[(150.0, 300.0)], &d32());
    assert_eq!(
        result.message_vi,
        "Chưa đủ điều kiện thành lập cụm công nghiệp mới: tỷ lệ lấp đầy bình quân của các cụm công nghiệp hiện có trên địa bàn huyện là 50% (điều kiện: lớn hơn 50%), diện tích đất công nghiệp chưa cho thuê là 150 ha (điều kiện: không vượt quá 100 ha); chỉ cần đạt một trong hai điều kiện (32/2024/NĐ-CP)."
    );
    assert_eq!(
        result.message_en,
        "A new cluster may not be established yet: the district's existing clusters average 50% occupancy (condition: above 50%) and have 150 ha of unleased industrial land (condition: at most 100 ha); either condition suffices (32/2024/NĐ-CP)."
    );
}

#[test]
fn district_figures_that_cannot_be_right_fail_the_rule_and_name_the_cluster() {
    let result = establishment(&[(10.0, 20.0), (30.0, 20.0), (f64::NAN, 5.0)], &d32());
    assert!(!result.passed);
    assert!(result.message_en.ends_with("cluster no. 2, 3."), "{}", result.message_en);
}

#[test]
fn an_override_needs_a_reason() {
    let problem = Override::new(rule_id::EXPANSION_OCCUPANCY, "   ").expect_err("no reason");
    assert_eq!(problem.field, "reason");
    let ok = Override::new(rule_id::EXPANSION_OCCUPANCY, " Ba nhà đầu tư đã đăng ký 25 ha. ").expect("valid");
    assert_eq!((ok.rule_id(), ok.reason()), (rule_id::EXPANSION_OCCUPANCY, "Ba nhà đầu tư đã đăng ký 25 ha."));
}

#[test]
fn an_override_resolves_its_conditional_rule_but_never_a_hard_one() {
    let facts = ExpansionFacts {
        leased_industrial_ha: 12.0,
        excess_demand_declared: true,
        wastewater_done: false,
        ..expansion()
    };
    let results = evaluate_expansion(&d32(), &facts);
    let ids = |list: Vec<&RuleResult>| list.iter().map(|r| r.rule_id).collect::<Vec<_>>();
    assert_eq!(ids(unresolved(&results, &[])), [rule_id::EXPANSION_OCCUPANCY, rule_id::EXPANSION_INFRASTRUCTURE]);
    let overrides = [
        Override::new(rule_id::EXPANSION_OCCUPANCY, "Ba nhà đầu tư đã đăng ký 25 ha.").expect("valid"),
        Override::new(rule_id::EXPANSION_INFRASTRUCTURE, "Sắp xong.").expect("valid"),
    ];
    assert_eq!(ids(unresolved(&results, &overrides)), [rule_id::EXPANSION_INFRASTRUCTURE]);
    let unrelated = [Override::new(rule_id::SIZE_MIN, "Không liên quan.").expect("valid")];
    assert_eq!(
        ids(unresolved(&results, &unrelated)),
        [rule_id::EXPANSION_OCCUPANCY, rule_id::EXPANSION_INFRASTRUCTURE]
    );
}

#[test]
fn vietnamese_messages_use_decimal_commas_and_english_ones_decimal_points() {
    let results = evaluate_create(&d32(), &site(75.25));
    let max = find(&results, rule_id::SIZE_MAX);
    assert!(max.message_vi.contains("75,25 ha"), "{}", max.message_vi);
    assert!(max.message_en.contains("75.25 ha"), "{}", max.message_en);
    assert_eq!(Severity::Conditional.code(), "conditional");
}
