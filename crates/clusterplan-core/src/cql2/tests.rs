use std::collections::HashMap;

use chrono::{NaiveDate, TimeZone, Utc};
use unicode_normalization::UnicodeNormalization;

use super::*;

/// Parses `text`, compares its canonical rendering with `expected`, and checks that the
/// rendering parses back to the same tree.
#[track_caller]
fn check(text: &str, expected: &str) {
    let expr = parse(text).unwrap_or_else(|e| panic!("{text:?} did not parse: {e}"));
    let rendered = expr.to_string();
    assert_eq!(rendered, expected, "rendering of {text:?}");
    let again = parse(&rendered).unwrap_or_else(|e| panic!("{rendered:?} did not parse: {e}"));
    assert_eq!(again, expr, "round trip of {text:?}");
}

#[track_caller]
fn check_all(cases: &[(&str, &str)]) {
    for (text, expected) in cases {
        check(text, expected);
    }
}

#[track_caller]
fn check_error(text: &str, expected: &str) {
    let error = parse(text).expect_err(text);
    assert_eq!(error.to_string(), expected, "error for {text:?}");
}

/// Phú Hưng–Mỹ Thạnh as a feature: every value type, a NULL, and a boundary square around
/// the Bến Tre test point.
fn feature() -> HashMap<&'static str, Value> {
    let boundary = geo::wkt!(POLYGON((106.36 10.23, 106.40 10.23, 106.40 10.26, 106.36 10.26, 106.36 10.23)));
    HashMap::from([
        ("name", Value::String("Phú Hưng–Mỹ Thạnh".into())),
        ("code", Value::String("BT-CCN-PHMT".into())),
        ("status", Value::String("in_plan".into())),
        ("area_ha", Value::Number(50.0)),
        ("approved", Value::Bool(true)),
        ("decided", Value::Date(NaiveDate::from_ymd_opt(1998, 6, 8).expect("date"))),
        ("updated", Value::Timestamp(Utc.with_ymd_and_hms(2025, 6, 30, 8, 0, 0).single().expect("instant"))),
        ("notes", Value::Null),
        ("boundary", Value::Geometry(boundary.into())),
    ])
}

#[track_caller]
fn check_eval(cases: &[(&str, bool)]) {
    let feature = feature();
    let lookup = |name: &str| feature.get(name).cloned();
    for (text, expected) in cases {
        let expr = parse(text).unwrap_or_else(|e| panic!("{text:?} did not parse: {e}"));
        assert_eq!(evaluate(&expr, &lookup), *expected, "evaluating {text:?}");
    }
}

fn cmp(prop: &str, value: f64) -> Expr {
    Expr::Compare { prop: prop.into(), op: CompareOp::Eq, value: Literal::Number(value) }
}

// Parsing: the operator families, with examples from OGC 21-065r2.

#[test]
fn basic_comparisons_from_the_spec_parse_to_canonical_text() {
    check_all(&[
        ("city='Toronto'", "city = 'Toronto'"),
        ("intfield <> 50", "intfield <> 50"),
        ("intfield>50", "intfield > 50"),
        ("intfield <= 50", "intfield <= 50"),
        ("updated >= date('1970-01-01')", "updated >= DATE('1970-01-01')"),
        ("built > TIMESTAMP('2015-01-01T00:00:00Z')", "built > TIMESTAMP('2015-01-01T00:00:00Z')"),
        ("swimming_pool = true", "swimming_pool = TRUE"),
        ("geometry IS NOT NULL", "geometry IS NOT NULL"),
        ("value IS NULL OR value IS NOT NULL", "(value IS NULL OR value IS NOT NULL)"),
        ("landsat:scene_id = 'LC82030282019133LGN00'", "landsat:scene_id = 'LC82030282019133LGN00'"),
        (
            "\"eo:cloud_cover\" >= 0.1 AND \"eo:cloud_cover\" <= 0.2",
            "(eo:cloud_cover >= 0.1 AND eo:cloud_cover <= 0.2)",
        ),
        ("true", "TRUE"),
        ("FALSE", "FALSE"),
    ]);
}

#[test]
fn a_literal_written_before_its_property_is_turned_round() {
    check_all(&[
        ("5 < depth", "depth > 5"),
        ("5 >= depth", "depth <= 5"),
        ("'Toronto' = city", "city = 'Toronto'"),
        ("DATE('2025-01-01') <= decided", "decided >= DATE('2025-01-01')"),
        ("TRUE <> approved", "approved <> TRUE"),
    ]);
}

#[test]
fn numbers_take_signs_points_and_exponents() {
    check_all(&[
        ("a = -5", "a = -5"),
        ("a = +2.5", "a = 2.5"),
        ("a = .5", "a = 0.5"),
        ("a = 5.", "a = 5"),
        ("a = 1E3", "a = 1000"),
        ("a = -1.5e-2", "a = -0.015"),
        ("a=-1", "a = -1"),
    ]);
}

#[test]
fn temporal_literals_are_checked_and_timestamps_kept_in_utc() {
    check_all(&[
        ("d = DATE('2025-06-30')", "d = DATE('2025-06-30')"),
        ("t = TIMESTAMP('2025-06-30T07:00:00+07:00')", "t = TIMESTAMP('2025-06-30T00:00:00Z')"),
        ("t < timestamp('2025-06-30T00:00:00.5Z')", "t < TIMESTAMP('2025-06-30T00:00:00.500Z')"),
    ]);
    check_error("d = DATE('2025-6-30')", "expected a date such as '2025-06-30' at 9, found '2025-6-30'");
    check_error(
        "t = TIMESTAMP('2025-06-30')",
        "expected a timestamp such as '2025-06-30T00:00:00Z' at 14, found '2025-06-30'",
    );
}

#[test]
fn keywords_are_case_insensitive() {
    check(
        "name like 'x%' and not area_ha between 1 and 2 Or approved = True",
        "((name LIKE 'x%' AND NOT area_ha BETWEEN 1 AND 2) OR approved = TRUE)",
    );
}

#[test]
fn not_binds_tighter_than_and_which_binds_tighter_than_or() {
    assert_eq!(
        parse("a = 1 OR b = 2 AND c = 3").expect("parses"),
        Expr::Or(vec![cmp("a", 1.0), Expr::And(vec![cmp("b", 2.0), cmp("c", 3.0)])])
    );
    assert_eq!(
        parse("NOT a = 1 AND b = 2").expect("parses"),
        Expr::And(vec![Expr::Not(Box::new(cmp("a", 1.0))), cmp("b", 2.0)])
    );
    check_all(&[
        ("a = 1 AND b = 2 OR c = 3", "((a = 1 AND b = 2) OR c = 3)"),
        ("a = 1 AND b = 2 AND c = 3", "(a = 1 AND b = 2 AND c = 3)"),
        ("(a = 1 OR b = 2) AND c = 3", "((a = 1 OR b = 2) AND c = 3)"),
        ("NOT (a = 1 OR b = 2)", "NOT (a = 1 OR b = 2)"),
        ("NOT NOT a = 1", "NOT NOT a = 1"),
        (
            "floors>5 AND material='brick' OR swimming_pool=true",
            "((floors > 5 AND material = 'brick') OR swimming_pool = TRUE)",
        ),
        ("NOT (floors<5) OR swimming_pool=true", "(NOT floors < 5 OR swimming_pool = TRUE)"),
        (
            "(owner LIKE 'mike%' OR owner LIKE 'Mike%') AND floors<4",
            "((owner LIKE 'mike%' OR owner LIKE 'Mike%') AND floors < 4)",
        ),
    ]);
}

#[test]
fn like_and_not_like_keep_their_pattern_in_canonical_form() {
    check_all(&[
        ("name LIKE 'Smith%'", "name LIKE 'Smith%'"),
        ("name NOT LIKE 'Phú%'", "name NOT LIKE 'Phú%'"),
        ("name like '_%'", "name LIKE '_%'"),
        ("name LIKE '50\\%'", "name LIKE '50\\%'"),
        ("name LIKE 'a\\b'", "name LIKE 'a\\\\b'"),
    ]);
}

#[test]
fn like_patterns_match_with_wildcards_and_escapes() {
    let cases = [
        ("Phú%", "Phú Hưng", true),
        ("%Mỹ%", "Phú Hưng–Mỹ Thạnh", true),
        ("P_ú", "Phú", true),
        ("P_", "Phú", false),
        ("phú%", "Phú", false),
        ("%", "", true),
        ("_%", "", false),
        ("", "", true),
        ("%%", "x", true),
        ("50\\%", "50%", true),
        ("50\\%", "500", false),
        ("a\\_b", "a_b", true),
        ("a\\_b", "axb", false),
        ("a\\\\b", "a\\b", true),
        ("a\\b", "a\\b", true),
        ("a%b%c", "aXbYc", true),
        ("a%b%c", "aXbY", false),
        ("%a%a%a%a%b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false),
    ];
    for (pattern, text, expected) in cases {
        assert_eq!(LikePattern::new(pattern).matches(text), expected, "{text:?} LIKE {pattern:?}");
    }
    assert_eq!(LikePattern::new("a\\b_\\%").sql_pattern(), "a\\\\b_\\%");
    assert_eq!(LikePattern::new("P_\\%").tokens(), [LikeToken::Char('P'), LikeToken::AnyOne, LikeToken::Char('%')]);
}

#[test]
fn between_takes_number_bounds_and_in_takes_a_list_of_literals() {
    check_all(&[
        ("depth BETWEEN 100.0 and 150.0", "depth BETWEEN 100 AND 150"),
        ("depth NOT BETWEEN -1 AND 1", "depth NOT BETWEEN -1 AND 1"),
        ("textfield between 100.0 and 1.0", "textfield BETWEEN 100 AND 1"),
        (
            "cityName IN ('Toronto','Frankfurt','Tokyo','New York')",
            "cityName IN ('Toronto', 'Frankfurt', 'Tokyo', 'New York')",
        ),
        ("category NOT IN (1,2,3,4)", "category NOT IN (1, 2, 3, 4)"),
        ("status IN ('in_plan')", "status IN ('in_plan')"),
        ("decided IN (DATE('1998-06-08'), DATE('1999-01-01'))", "decided IN (DATE('1998-06-08'), DATE('1999-01-01'))"),
    ]);
}

#[test]
fn strings_escape_a_quote_by_doubling_it_or_with_a_backslash() {
    let parsed = parse("name = 'Mỹ Thạnh''s'").expect("parses");
    let Expr::Compare { value, .. } = &parsed else { panic!("not a comparison: {parsed:?}") };
    assert_eq!(*value, Literal::String("Mỹ Thạnh's".into()));
    check_all(&[
        ("name = 'Mỹ Thạnh''s'", "name = 'Mỹ Thạnh''s'"),
        ("name = 'it\\'s'", "name = 'it''s'"),
        ("name = ''''", "name = ''''"),
        ("name = ''", "name = ''"),
        ("name = 'a,b (c) AND d'", "name = 'a,b (c) AND d'"),
    ]);
}

#[test]
fn a_nul_character_in_a_string_literal_is_refused_where_it_stands() {
    check_error("name = 'a\0b'", "expected a character of text at 9, found a NUL character (U+0000)");
    check_error("name IN ('x', '\0')", "expected a character of text at 15, found a NUL character (U+0000)");
}

#[test]
fn vietnamese_text_in_literals_is_kept_and_normalised_to_nfc() {
    let decomposed: String = "Phú".nfd().collect();
    assert_ne!(decomposed, "Phú");
    assert_eq!(
        parse(&format!("name LIKE '{decomposed}%'")).expect("parses"),
        parse("name LIKE 'Phú%'").expect("parses")
    );
    check_eval(&[
        ("name LIKE 'Phú%'", true),
        (&format!("name LIKE '{decomposed}%'"), true),
        ("name LIKE '%Mỹ Thạnh'", true),
        ("name = 'Phú Hưng–Mỹ Thạnh'", true),
        ("name LIKE 'Phu%'", false),
    ]);
}

#[test]
fn double_quoted_property_names_may_hold_spaces_letters_and_keywords() {
    check_all(&[
        ("\"tên cụm\" = 'Phú Hưng'", "\"tên cụm\" = 'Phú Hưng'"),
        ("\"and\" = 1", "\"and\" = 1"),
        ("date = DATE('2025-06-30')", "\"date\" = DATE('2025-06-30')"),
        ("point IS NULL", "\"point\" IS NULL"),
        ("properties.name = 'x'", "properties.name = 'x'"),
    ]);
}

#[test]
fn spatial_functions_take_wkt_and_bbox_literals_in_either_order() {
    check_all(&[
        ("S_INTERSECTS(geometry,POINT(36.319836 32.288087))", "S_INTERSECTS(geometry, POINT(36.319836 32.288087))"),
        ("s_intersects(geom, point(1 2))", "S_INTERSECTS(geom, POINT(1 2))"),
        ("S_INTERSECTS(geom, POINT Z(1 2 3))", "S_INTERSECTS(geom, POINT(1 2))"),
        ("S_DISJOINT(geom,LINESTRING(7 50,10 51))", "S_DISJOINT(geom, LINESTRING(7 50, 10 51))"),
        (
            "S_INTERSECTS(geometry,POLYGON((-10.0 50.0,10.0 50.0,10.0 60.0,-10.0 60.0,-10.0 50.0)))",
            "S_INTERSECTS(geometry, POLYGON((-10 50, 10 50, 10 60, -10 60, -10 50)))",
        ),
        (
            "S_INTERSECTS(geom,POLYGON((-180 -90, -90 -90, -90 90, -180 90, -180 -90), (-120 -50, -100 -50, -100 -40, -120 -40, -120 -50)))",
            "S_INTERSECTS(geom, POLYGON((-180 -90, -90 -90, -90 90, -180 90, -180 -90), (-120 -50, -100 -50, -100 -40, -120 -40, -120 -50)))",
        ),
        ("S_WITHIN(geom,MULTIPOINT(7 50,10 51))", "S_WITHIN(geom, MULTIPOINT((7 50), (10 51)))"),
        ("S_WITHIN(geom,MULTIPOINT((7 50),(10 51)))", "S_WITHIN(geom, MULTIPOINT((7 50), (10 51)))"),
        (
            "S_INTERSECTS(geom,MULTILINESTRING((-180 -45, 0 -45), (0 45, 180 45)))",
            "S_INTERSECTS(geom, MULTILINESTRING((-180 -45, 0 -45), (0 45, 180 45)))",
        ),
        (
            "S_INTERSECTS(geom,MULTIPOLYGON(((0 0, 10 0, 10 10, 0 10, 0 0)),((20 20, 30 20, 30 30, 20 20))))",
            "S_INTERSECTS(geom, MULTIPOLYGON(((0 0, 10 0, 10 10, 0 10, 0 0)), ((20 20, 30 20, 30 30, 20 20))))",
        ),
        (
            "S_INTERSECTS(geom,GEOMETRYCOLLECTION(POINT(7.02 49.92), POLYGON((0 0, 10 0, 10 10, 0 10, 0 0))))",
            "S_INTERSECTS(geom, GEOMETRYCOLLECTION(POINT(7.02 49.92), POLYGON((0 0, 10 0, 10 10, 0 10, 0 0))))",
        ),
        ("S_CONTAINS(POINT(1 2), geom)", "S_WITHIN(geom, POINT(1 2))"),
        ("S_WITHIN(POINT(1 2), geom)", "S_CONTAINS(geom, POINT(1 2))"),
        ("S_INTERSECTS(POINT(1 2), \"ranh giới\")", "S_INTERSECTS(\"ranh giới\", POINT(1 2))"),
        ("S_INTERSECTS(point, POINT(1 2))", "S_INTERSECTS(\"point\", POINT(1 2))"),
        (
            "S_WITHIN(location,BBOX(-118,33.8,-117.9,34))",
            "S_WITHIN(location, POLYGON((-117.9 33.8, -117.9 34, -118 34, -118 33.8, -117.9 33.8)))",
        ),
        ("S_INTERSECTS(geom, BBOX(0, 0, -5, 1, 1, 5))", "S_INTERSECTS(geom, POLYGON((1 0, 1 1, 0 1, 0 0, 1 0)))"),
        (
            "S_INTERSECTS(geom, BBOX(170, 0, -170, 1))",
            "S_INTERSECTS(geom, MULTIPOLYGON(((180 0, 180 1, 170 1, 170 0, 180 0)), ((-170 0, -170 1, -180 1, -180 0, -170 0))))",
        ),
    ]);
    let parsed = parse("S_INTERSECTS(boundary, POLYGON((106 10, 107 10, 107 11, 106 10)))").expect("parses");
    assert_eq!(
        parsed,
        Expr::Spatial {
            op: SpatialOp::Intersects,
            prop: "boundary".into(),
            geometry: geo::wkt!(POLYGON((106. 10., 107. 10., 107. 11., 106. 10.))).into(),
        }
    );
}

#[test]
fn malformed_filters_are_refused_with_the_offset_and_what_was_expected() {
    let predicate = "a predicate (a property, a literal, '(', NOT, TRUE, FALSE, S_INTERSECTS, S_WITHIN, \
                     S_CONTAINS or S_DISJOINT)";
    let literal = "a literal (a string, a number, TRUE, FALSE, DATE('…') or TIMESTAMP('…'))";
    let cases = [
        ("(a = 1", "expected ')' at 6, found end of input".to_owned()),
        ("name = 'abc", "expected a closing ' for this string at 7, found end of input".to_owned()),
        ("a = ", format!("expected {literal} at 4, found end of input")),
        ("a == 1", format!("expected {literal} at 3, found '='")),
        ("a = 1 AND", format!("expected {predicate} at 9, found end of input")),
        ("", format!("expected {predicate} at 0, found end of input")),
        ("a LIKE 5", "expected a pattern string such as 'Phú%' at 7, found 5".to_owned()),
        ("a BETWEEN 1 OR 2", "expected AND at 12, found OR".to_owned()),
        ("a IN ()", format!("expected {literal} at 6, found ')'")),
        ("a IN (1, 2", "expected ',' or ')' at 10, found end of input".to_owned()),
        ("a = 1 b = 2", "expected AND, OR or the end of the filter at 6, found b".to_owned()),
        ("a = 1)", "expected AND, OR or the end of the filter at 5, found ')'".to_owned()),
        ("a IS NOT 5", "expected NULL at 9, found 5".to_owned()),
        ("a NOT = 1", "expected LIKE, BETWEEN or IN at 6, found '='".to_owned()),
        ("a = NULL", format!("expected {literal} at 4, found NULL (test for it with IS NULL)")),
        ("a IN (1, b)", format!("expected {literal} at 9, found property b (only literals may stand here)")),
        ("a = 5km", "expected a number at 4, found 5km".to_owned()),
        ("a = 1e999", "expected a finite number at 4, found 1e999".to_owned()),
        ("name = 'Phú' AND", format!("expected {predicate} at 17, found end of input")),
        (
            "tên = 'x'",
            "expected a comparison operator, LIKE, BETWEEN, IN or IS at 1, found 'ê' (property names with \
             non-ASCII letters go in double quotes)"
                .to_owned(),
        ),
        ("\"tên = 'x'", "expected a closing \" for this property name at 0, found end of input".to_owned()),
        ("CASEI(name) = 'x'", format!("expected {predicate} at 0, found CASEI(…), which is not supported")),
        (
            "S_TOUCHES(geom, POINT(1 2))",
            format!("expected {predicate} at 0, found S_TOUCHES(…), which is not supported"),
        ),
        (
            "S_INTERSECTS(geom, other)",
            "expected a geometry literal at 19, found property other (relating two properties is not supported)"
                .to_owned(),
        ),
        (
            "S_INTERSECTS(POINT(0 0), POINT(1 1))",
            "expected a property name at 25, found a second geometry literal".to_owned(),
        ),
        (
            "S_INTERSECTS(geom, POLYGON((0 0, 1 0, 1 1, 0 0.5)))",
            "expected a closed ring (last position equal to the first) at 27, found an open ring".to_owned(),
        ),
        (
            "S_INTERSECTS(geom, POLYGON((0 0, 1 0, 0 0)))",
            "expected at least 4 positions at 27, found 3 positions".to_owned(),
        ),
        ("S_INTERSECTS(geom, LINESTRING(0 0))", "expected at least 2 positions at 29, found 1 position".to_owned()),
        ("S_INTERSECTS(geom, POINT(1))", "expected a number at 26, found ')'".to_owned()),
        ("S_INTERSECTS(geom, POINT EMPTY)", "expected '(' at 25, found EMPTY".to_owned()),
        ("S_INTERSECTS(geom, BBOX(1, 2, 3))", "expected 4 or 6 numbers in BBOX at 23, found 3 numbers".to_owned()),
        (
            "S_INTERSECTS(geom, BBOX(0, 5, 1, 4))",
            "expected a BBOX whose south bound is not above its north bound at 23, found south 5, north 4".to_owned(),
        ),
    ];
    for (text, expected) in cases {
        check_error(text, &expected);
    }
}

#[test]
fn parse_errors_carry_offset_expected_and_found_separately() {
    let error = parse("(a = 1 AND b = 2").expect_err("unclosed");
    assert_eq!(error, ParseError { offset: 16, expected: "')'".into(), found: "end of input".into() });
}

#[test]
fn nesting_up_to_the_limit_parses_and_deeper_nesting_is_refused() {
    let nested = |depth: usize| format!("{}a = 1{}", "(".repeat(depth), ")".repeat(depth));
    assert_eq!(parse(&nested(MAX_DEPTH)).expect("64 levels"), cmp("a", 1.0));
    check_error(&nested(MAX_DEPTH + 1), "expected nesting of at most 64 levels at 64, found level 65");
    assert!(parse(&format!("{}a = 1", "NOT ".repeat(MAX_DEPTH))).is_ok());
    check_error(
        &format!("{}a = 1", "NOT ".repeat(MAX_DEPTH + 1)),
        "expected nesting of at most 64 levels at 256, found level 65",
    );
    // Far deeper than any stack would allow without the limit: refused, not a crash.
    let error = parse(&nested(30_000)).expect_err("too deep");
    assert_eq!(error.offset, MAX_DEPTH);
}

#[test]
fn input_over_64_kib_is_refused_before_parsing() {
    let long = format!("name = '{}'", "x".repeat(MAX_INPUT_BYTES));
    let error = parse(&long).expect_err("too long");
    assert_eq!(error.to_string(), "expected a filter of at most 65536 bytes at 65536, found 65545 bytes");
    let fits = format!("name = '{}'", "x".repeat(MAX_INPUT_BYTES - 10));
    assert!(parse(&fits).is_ok());
}

// Evaluation.

#[test]
fn comparisons_evaluate_for_every_value_type() {
    check_eval(&[
        ("code = 'BT-CCN-PHMT'", true),
        ("code <> 'BT-CCN-PHMT'", false),
        ("code < 'C'", true),
        ("area_ha = 50", true),
        ("area_ha > 49.5", true),
        ("area_ha >= 50.0", true),
        ("area_ha < 50", false),
        ("area_ha <= 49", false),
        ("60 > area_ha", true),
        ("approved = TRUE", true),
        ("approved <> true", false),
        ("decided = DATE('1998-06-08')", true),
        ("decided < DATE('1999-01-01')", true),
        ("updated > TIMESTAMP('2025-06-30T07:59:59Z')", true),
        ("updated = TIMESTAMP('2025-06-30T15:00:00+07:00')", true),
        ("TRUE", true),
        ("FALSE", false),
    ]);
}

#[test]
fn like_between_and_in_evaluate_with_their_negations() {
    check_eval(&[
        ("code LIKE 'BT-%'", true),
        ("code LIKE 'BT-___-PHMT'", true),
        ("code NOT LIKE 'BT-%'", false),
        ("code NOT LIKE 'HN-%'", true),
        ("area_ha BETWEEN 50 AND 60", true),
        ("area_ha BETWEEN 10 AND 49.9", false),
        ("area_ha BETWEEN 60 AND 10", false),
        ("area_ha NOT BETWEEN 10 AND 20", true),
        ("status IN ('in_plan', 'approved')", true),
        ("status IN ('cancelled')", false),
        ("status NOT IN ('cancelled', 'merged')", true),
        ("status NOT IN ('in_plan')", false),
        ("area_ha IN (10, 50)", true),
        ("decided IN (DATE('1998-06-08'))", true),
    ]);
}

#[test]
fn spatial_functions_evaluate_with_geo() {
    check_eval(&[
        ("S_INTERSECTS(boundary, POINT(106.37889 10.24028))", true),
        ("S_INTERSECTS(boundary, POINT(105 10))", false),
        ("S_INTERSECTS(POINT(106.37889 10.24028), boundary)", true),
        ("S_INTERSECTS(boundary, BBOX(106.39, 10.25, 107, 11))", true),
        ("S_INTERSECTS(boundary, LINESTRING(106 10.24, 107 10.24))", true),
        ("S_WITHIN(boundary, BBOX(106, 10, 107, 11))", true),
        ("S_WITHIN(boundary, BBOX(106.37, 10, 107, 11))", false),
        ("S_CONTAINS(BBOX(106, 10, 107, 11), boundary)", true),
        ("S_CONTAINS(boundary, POINT(106.37889 10.24028))", true),
        ("S_CONTAINS(boundary, LINESTRING(106 10.24, 107 10.24))", false),
        ("S_WITHIN(POINT(106.37889 10.24028), boundary)", true),
        ("S_DISJOINT(boundary, BBOX(105, 9, 105.5, 9.5))", true),
        ("S_DISJOINT(boundary, POINT(106.37889 10.24028))", false),
        ("S_INTERSECTS(boundary, BBOX(170, -90, 106.37, 90))", true),
        ("S_INTERSECTS(boundary, BBOX(170, -90, 106.35, 90))", false),
        ("S_INTERSECTS(boundary, GEOMETRYCOLLECTION(POINT(0 0), POINT(106.38 10.24)))", true),
    ]);
}

#[test]
fn and_or_not_evaluate_with_the_usual_precedence() {
    check_eval(&[
        ("area_ha = 1 OR area_ha = 50 AND approved = TRUE", true),
        ("(area_ha = 1 OR area_ha = 50) AND approved = FALSE", false),
        ("area_ha = 50 AND approved = FALSE OR code LIKE 'BT%'", true),
        ("NOT area_ha = 1 AND NOT approved = FALSE", true),
        ("NOT (area_ha = 50 OR FALSE)", false),
    ]);
}

#[test]
fn null_and_missing_values_follow_three_valued_logic() {
    check_eval(&[
        ("notes = 'x'", false),
        ("NOT notes = 'x'", false),
        ("notes <> 'x'", false),
        ("missing = 1", false),
        ("NOT missing = 1", false),
        ("notes IS NULL", true),
        ("missing IS NULL", true),
        ("notes IS NOT NULL", false),
        ("NOT notes IS NULL", false),
        ("code IS NOT NULL", true),
        ("notes = 'x' OR TRUE", true),
        ("notes = 'x' OR FALSE", false),
        ("NOT (notes = 'x' OR FALSE)", false),
        ("notes = 'x' AND FALSE", false),
        ("NOT (notes = 'x' AND FALSE)", true),
        ("NOT (notes = 'x' AND TRUE)", false),
        ("notes LIKE '%'", false),
        ("notes NOT LIKE '%'", false),
        ("notes BETWEEN 1 AND 2", false),
        ("notes NOT BETWEEN 1 AND 2", false),
        ("notes IN ('x')", false),
        ("notes NOT IN ('x')", false),
        ("S_INTERSECTS(missing, BBOX(-180, -90, 180, 90))", false),
        ("NOT S_INTERSECTS(missing, BBOX(-180, -90, 180, 90))", false),
    ]);
}

#[test]
fn values_of_another_type_are_unknown_rather_than_unequal() {
    check_eval(&[
        ("code = 5", false),
        ("NOT code = 5", false),
        ("area_ha LIKE '5%'", false),
        ("NOT area_ha LIKE '5%'", false),
        ("area_ha IN ('x', 50)", true),
        ("area_ha NOT IN ('x', 1)", false),
        ("area_ha NOT IN (1, 2)", true),
        ("S_INTERSECTS(code, POINT(0 0))", false),
    ]);
}

// Queryables.

const QUERYABLES: &[(&str, PropertyType)] = &[
    ("name", PropertyType::String),
    ("status", PropertyType::String),
    ("area_ha", PropertyType::Number),
    ("approved", PropertyType::Boolean),
    ("decided", PropertyType::Date),
    ("updated", PropertyType::Timestamp),
    ("boundary", PropertyType::Geometry),
];

#[test]
fn a_filter_that_fits_the_queryables_passes_the_check() {
    let expr = parse(
        "name LIKE 'Phú%' AND status IN ('in_plan') AND area_ha BETWEEN 1 AND 75 AND approved = TRUE \
         AND decided < DATE('2000-01-01') AND updated IS NOT NULL AND NOT updated > TIMESTAMP('2025-01-01T00:00:00Z') \
         AND S_INTERSECTS(boundary, BBOX(106, 10, 107, 11))",
    )
    .expect("parses");
    assert_eq!(check_properties(&expr, QUERYABLES), Ok(()));
}

#[test]
fn the_check_reports_every_unknown_property_and_type_mismatch_once() {
    let expr = parse(
        "name = 5 OR owner = 'x' AND area_ha LIKE '5%' AND name BETWEEN 1 AND 2 \
         OR status IN ('a', 1, TRUE) OR decided = TIMESTAMP('2025-01-01T00:00:00Z') \
         OR S_WITHIN(name, POINT(0 0)) OR boundary = 'x' OR owner IS NULL OR name = 7",
    )
    .expect("parses");
    let problems = check_properties(&expr, QUERYABLES).expect_err("problems");
    assert_eq!(
        problems,
        [
            "property \"name\" is a string and cannot be compared with a number",
            "unknown property \"owner\"",
            "LIKE needs a string property, but \"area_ha\" is a number",
            "BETWEEN needs a number property, but \"name\" is a string",
            "property \"status\" is a string and cannot be compared with a number",
            "property \"status\" is a string and cannot be compared with a boolean",
            "property \"decided\" is a date and cannot be compared with a timestamp",
            "S_WITHIN needs a geometry property, but \"name\" is a string",
            "property \"boundary\" is a geometry and cannot be compared with a string; use a spatial function \
             such as S_INTERSECTS",
        ]
    );
}

// Comparing two properties (basic-cql2).

#[test]
fn two_properties_compare_when_they_are_of_one_type() {
    let expr = parse("area_ha >= \"area_ha\" AND status <> name").expect("parses");
    assert_eq!(expr.to_string(), "(area_ha >= area_ha AND status <> name)");
    assert_eq!(parse(&expr.to_string()), Ok(expr.clone()));
    assert_eq!(check_properties(&expr, QUERYABLES), Ok(()));
    check_eval(&[
        ("area_ha = area_ha", true),
        ("area_ha < area_ha", false),
        ("code < name", true),
        ("name < code", false),
        ("decided <= decided", true),
        // NULL on either side is unknown, whichever way round.
        ("notes = name", false),
        ("NOT notes = name", false),
        ("name = notes OR TRUE", true),
    ]);
    let mismatched = parse("name = area_ha OR boundary = boundary OR owner > name").expect("parses");
    assert_eq!(
        check_properties(&mismatched, QUERYABLES).expect_err("problems"),
        [
            "property \"name\" is a string and \"area_ha\" is a number; they cannot be compared",
            "properties \"boundary\" and \"boundary\" cannot be compared: geometries need a spatial function",
            "unknown property \"owner\"",
        ]
    );
}

/// Found by the `cql2` fuzz target: a quote right after a backslash was printed `''`, which
/// CQL2 reads as the escaped quote `\'` followed by the end of the literal.
#[test]
fn a_quote_after_a_backslash_is_printed_so_that_it_parses_back() {
    for text in [r"me LIKE 'm\'\\'\'_%rustriall'", r"name = 'a\\''", r"name = 'a\\\\''", r"name LIKE '\\\\''"] {
        let expr = parse(text).unwrap_or_else(|e| panic!("{text:?} did not parse: {e}"));
        let rendered = expr.to_string();
        let again = parse(&rendered).unwrap_or_else(|e| panic!("{rendered:?} (from {text:?}) did not parse: {e}"));
        assert_eq!(again, expr, "round trip of {text:?} through {rendered:?}");
    }
    check(r"name = 'a\\''", r"name = 'a\\''");
}
