use super::*;
use ClusterStatus::{Established, Expanded, InPlan, Infrastructure, Operating, Removed, Revoked};
use unicode_normalization::UnicodeNormalization;

fn day(text: &str) -> NaiveDate {
    text.parse().expect("a YYYY-MM-DD date")
}

fn act(number: &str, date: &str) -> LegalAct {
    LegalAct::new(number, day(date), "UBND tỉnh Bến Tre", None).expect("valid act")
}

fn event(from: Option<ClusterStatus>, to: ClusterStatus, effective: &str, act: Option<LegalAct>) -> StatusEvent {
    StatusEvent { from, to, effective: day(effective), act, note: None }
}

/// Every allowed change, written out by hand so that the table in the code is checked against
/// an independent copy rather than against itself.
const ALLOWED: &[(Option<ClusterStatus>, ClusterStatus)] = &[
    (None, InPlan),
    (None, Established),
    (Some(InPlan), Established),
    (Some(InPlan), Removed),
    (Some(Established), Infrastructure),
    (Some(Established), Revoked),
    (Some(Infrastructure), Operating),
    (Some(Infrastructure), Revoked),
    (Some(Operating), Expanded),
    (Some(Expanded), Expanded),
];

fn every_from() -> impl Iterator<Item = Option<ClusterStatus>> {
    std::iter::once(None).chain(ClusterStatus::ALL.iter().copied().map(Some))
}

#[test]
fn every_status_pair_is_allowed_exactly_when_the_explicit_table_lists_it() {
    let mut checked = 0;
    for from in every_from() {
        for &to in ClusterStatus::ALL {
            let expected = ALLOWED.contains(&(from, to));
            assert_eq!(check_transition(from, to).is_ok(), expected, "{from:?} → {to:?}");
            checked += 1;
        }
    }
    assert_eq!(checked, 8 * 7, "the start plus seven statuses, times seven targets");
}

#[test]
fn every_refused_change_lists_exactly_the_targets_the_table_allows_from_there() {
    for from in every_from() {
        let expected: Vec<_> = ALLOWED.iter().filter(|(f, _)| *f == from).map(|(_, t)| *t).collect();
        for &to in ClusterStatus::ALL.iter().filter(|to| !expected.contains(to)) {
            let error = check_transition(from, to).expect_err("refused");
            assert_eq!(error.allowed(), expected.as_slice(), "{from:?} → {to:?}");
            let message = error.to_string();
            for allowed in &expected {
                assert!(message.contains(allowed.code()), "{message:?} should name {}", allowed.code());
            }
        }
    }
}

#[test]
fn the_error_says_whether_the_start_the_change_or_a_final_status_was_the_problem() {
    assert_eq!(
        check_transition(None, Operating),
        Err(TransitionError::BadStart { to: Operating, allowed: &[InPlan, Established] })
    );
    assert_eq!(
        check_transition(Some(Operating), Revoked),
        Err(TransitionError::NotAllowed { from: Operating, to: Revoked, allowed: &[Expanded] })
    );
    assert_eq!(
        check_transition(Some(Removed), InPlan),
        Err(TransitionError::FromTerminal { from: Removed, to: InPlan })
    );
    assert_eq!(
        check_transition(Some(Operating), Revoked).expect_err("refused").to_string(),
        "cannot change status from operating to revoked; allowed from operating: expanded"
    );
}

#[test]
fn only_removed_and_revoked_are_final() {
    let terminal: Vec<_> = ClusterStatus::ALL.iter().copied().filter(|s| is_terminal(*s)).collect();
    assert_eq!(terminal, [Removed, Revoked]);
}

#[test]
fn establishment_expansion_removal_and_revocation_need_a_legal_act_and_nothing_else_does() {
    let needing: Vec<_> = ClusterStatus::ALL.iter().copied().filter(|s| requires_legal_act(*s)).collect();
    assert_eq!(needing, [Established, Expanded, Removed, Revoked]);
}

#[test]
fn a_legal_act_is_trimmed_and_normalised_to_nfc() {
    let decomposed: String = " 873/QĐ-UB ".nfd().collect();
    let act = LegalAct::new(&decomposed, day("1998-06-08"), " UBND tỉnh Bến Tre ", Some(" ")).expect("valid");
    assert_eq!(act.number(), "873/QĐ-UB");
    assert_eq!(act.authority(), "UBND tỉnh Bến Tre");
    assert_eq!(act.date(), day("1998-06-08"));
    assert_eq!(act.link(), None, "a blank link counts as none");
}

#[test]
fn a_legal_act_without_number_or_authority_and_with_a_bad_link_reports_all_three() {
    let problems = LegalAct::new("  ", day("1998-06-08"), "", Some("file:///tmp/873.pdf")).expect_err("invalid");
    let fields: Vec<_> = problems.iter().map(|p| p.field).collect();
    assert_eq!(fields, ["number", "authority", "link"]);
}

#[test]
fn a_legal_act_keeps_an_http_link_and_refuses_one_with_spaces_or_control_characters() {
    let ok = LegalAct::new("32/2024/NĐ-CP", day("2024-03-15"), "Chính phủ", Some("https://example.org/32-2024"));
    assert_eq!(ok.expect("valid").link(), Some("https://example.org/32-2024"));
    assert!(LegalAct::new("32/2024/NĐ-CP", day("2024-03-15"), "Chính phủ", Some("https://example.org/a b")).is_err());
    assert!(LegalAct::new("32/2024\n/NĐ-CP", day("2024-03-15"), "Chính phủ", None).is_err());
}

/// Phú Hưng–Mỹ Thạnh: listed by planning decision 873/QĐ-UB (8 Jun 1998, real); the later
/// decisions and dates are illustrative, not the cluster's actual history.
fn phu_hung_my_thanh() -> Vec<StatusEvent> {
    vec![
        event(None, InPlan, "1998-06-08", Some(act("873/QĐ-UB", "1998-06-08"))),
        event(Some(InPlan), Established, "2003-05-20", Some(act("1001/QĐ-UBND", "2003-05-15"))),
        event(Some(Established), Infrastructure, "2004-01-10", None),
        event(Some(Infrastructure), Operating, "2006-07-01", None),
        event(Some(Operating), Expanded, "2012-03-01", Some(act("400/QĐ-UBND", "2012-03-01"))),
    ]
}

#[test]
fn the_status_on_any_day_is_that_of_the_last_event_effective_on_or_before_it() {
    let history = phu_hung_my_thanh();
    assert_eq!(validate_history(&history), Ok(()));
    let cases = [
        ("1998-06-07", None),
        ("1998-06-08", Some(InPlan)),
        ("1999-12-31", Some(InPlan)),
        ("2003-05-19", Some(InPlan)),
        ("2003-05-20", Some(Established)),
        ("2005-06-30", Some(Infrastructure)),
        ("2006-07-01", Some(Operating)),
        ("2012-02-29", Some(Operating)),
        ("2012-03-01", Some(Expanded)),
        ("2030-01-01", Some(Expanded)),
    ];
    for (on, expected) in cases {
        assert_eq!(current_status(&history, day(on)), expected, "on {on}");
    }
}

#[test]
fn the_status_follows_effective_dates_even_when_events_are_listed_out_of_order() {
    let mut history = phu_hung_my_thanh();
    history.reverse();
    assert_eq!(current_status(&history, day("2005-06-30")), Some(Infrastructure));
    assert_eq!(current_status(&history, day("2030-01-01")), Some(Expanded));
}

#[test]
fn events_of_the_same_day_apply_in_the_order_they_are_listed() {
    let history = [
        event(None, Established, "2005-04-01", Some(act("12/QĐ-UBND", "2005-04-01"))),
        event(Some(Established), Infrastructure, "2005-04-01", None),
    ];
    assert_eq!(validate_history(&history), Ok(()));
    assert_eq!(current_status(&history, day("2005-04-01")), Some(Infrastructure));
}

#[test]
fn an_empty_history_is_valid_and_has_no_status() {
    assert_eq!(validate_history(&[]), Ok(()));
    assert_eq!(current_status(&[], day("2024-05-01")), None);
}

#[test]
fn a_history_may_start_at_establishment_when_the_plan_listing_was_never_recorded() {
    let phong_nam = [
        event(None, Established, "2005-01-01", Some(act("50/QĐ-UBND", "2004-12-20"))),
        event(Some(Established), Infrastructure, "2005-06-01", None),
        event(Some(Infrastructure), Operating, "2007-01-01", None),
    ];
    assert_eq!(validate_history(&phong_nam), Ok(()));
}

#[test]
fn a_cluster_may_be_expanded_twice_each_time_by_its_own_decision() {
    let mut history = phu_hung_my_thanh();
    history.push(event(Some(Expanded), Expanded, "2020-01-01", Some(act("77/QĐ-UBND", "2019-12-01"))));
    assert_eq!(validate_history(&history), Ok(()));
}

#[test]
fn a_bad_history_reports_every_problem_at_the_event_it_concerns() {
    let history = [
        // Starts from a status although nothing came before it (the change itself is fine).
        event(Some(InPlan), Established, "2003-05-20", Some(act("1001/QĐ-UBND", "2003-05-15"))),
        // Goes back in time, skips `infrastructure`.
        event(Some(Established), Operating, "2002-01-01", None),
        // Does not start where the previous event ended; needs an act and has none.
        event(Some(InPlan), Removed, "2010-01-01", None),
        // The decision is dated after the day it supposedly took effect.
        event(Some(Removed), Revoked, "2011-01-01", Some(act("9/QĐ-UBND", "2011-02-01"))),
    ];
    let problems = validate_history(&history).expect_err("invalid");
    let found: Vec<_> = problems.iter().map(|p| (p.index, p.kind.code())).collect();
    assert_eq!(
        found,
        [
            (0, "broken_chain"),
            (1, "out_of_order"),
            (1, "transition_not_allowed"),
            (2, "broken_chain"),
            (2, "missing_legal_act"),
            (3, "transition_not_allowed"),
            (3, "act_after_effective"),
        ]
    );
    assert_eq!(problems[1].to_string(), "event 1: effective date 2002-01-01 is before the previous event's 2003-05-20");
    assert_eq!(problems[3].kind, HistoryProblemKind::BrokenChain { expected: Some(Operating), found: Some(InPlan) });
    assert_eq!(
        problems[6].to_string(),
        "event 3: legal act 9/QĐ-UBND is dated 2011-02-01, after the change takes effect on 2011-01-01"
    );
}

#[test]
fn an_act_signed_before_its_change_takes_effect_is_fine_and_one_signed_the_same_day_too() {
    let history = [
        event(None, InPlan, "1998-06-08", None),
        event(Some(InPlan), Established, "2003-06-01", Some(act("1001/QĐ-UBND", "2003-05-15"))),
        event(Some(Established), Revoked, "2008-01-01", Some(act("5/QĐ-UBND", "2008-01-01"))),
    ];
    assert_eq!(validate_history(&history), Ok(()));
}

#[test]
fn the_first_event_must_start_from_no_status() {
    let problems = validate_history(&[event(Some(InPlan), Established, "2003-05-20", Some(act("1/QĐ", "2003-05-20")))])
        .expect_err("invalid");
    assert_eq!(problems[0].kind, HistoryProblemKind::BrokenChain { expected: None, found: Some(InPlan) });
    assert_eq!(
        problems[0].kind.to_string(),
        "the event starts from in_plan but must start from no status (it is the first event)"
    );
}

// The 1998 Bến Tre directive: the Phú Hưng–Mỹ Thạnh cluster planned in 1998, the other clusters
// by 1999, the district Industry & Trade offices set up by September 1998. Completion dates are
// illustrative.
fn task(title: &str, owner: &str, due: &str, done_on: Option<&str>) -> PlanningTask {
    PlanningTask { title: title.into(), owner_agency: owner.into(), due: day(due), done_on: done_on.map(day) }
}

fn directive_1998() -> [PlanningTask; 3] {
    [
        task("Quy hoạch CCN Phú Hưng–Mỹ Thạnh", "Sở Công nghiệp", "1998-12-31", None),
        task("Quy hoạch các CCN còn lại", "UBND các huyện, thị xã", "1999-12-31", Some("1999-11-15")),
        task("Thành lập Phòng Công Thương các huyện", "UBND các huyện", "1998-09-30", Some("1998-10-15")),
    ]
}

#[test]
fn on_a_chosen_date_each_directive_task_is_open_overdue_done_or_done_late() {
    let [phmt, others, offices] = directive_1998();
    let cases = [
        // The offices' deadline is still ahead; nothing is late yet.
        ("1998-09-30", [TaskState::Open, TaskState::Open, TaskState::Open]),
        // A day after their deadline the offices are overdue: the completion is not known yet.
        ("1998-10-01", [TaskState::Open, TaskState::Open, TaskState::Overdue]),
        // Once set up, they are done late, never overdue again.
        ("1998-10-15", [TaskState::Open, TaskState::Open, TaskState::DoneLate]),
        // The due day itself is on time.
        ("1998-12-31", [TaskState::Open, TaskState::Open, TaskState::DoneLate]),
        // The seed cluster's plan misses 1998.
        ("1999-01-01", [TaskState::Overdue, TaskState::Open, TaskState::DoneLate]),
        ("1999-12-31", [TaskState::Overdue, TaskState::Done, TaskState::DoneLate]),
        ("2000-01-01", [TaskState::Overdue, TaskState::Done, TaskState::DoneLate]),
    ];
    for (on, expected) in cases {
        let states = [phmt.state(day(on)), others.state(day(on)), offices.state(day(on))];
        assert_eq!(states, expected, "on {on}");
        let overdue = [phmt.is_overdue(day(on)), others.is_overdue(day(on)), offices.is_overdue(day(on))];
        assert_eq!(overdue, expected.map(|s| s == TaskState::Overdue), "on {on}");
    }
}

#[test]
fn a_task_done_on_its_due_day_is_done_not_late() {
    let task = task("Quy hoạch CCN Phú Hưng–Mỹ Thạnh", "Sở Công nghiệp", "1998-12-31", Some("1998-12-31"));
    assert_eq!(task.state(day("1999-06-01")), TaskState::Done);
    assert_eq!(TaskState::DoneLate.code(), "done_late");
}
