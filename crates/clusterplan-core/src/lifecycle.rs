//! The life of a cluster as a sequence of dated status changes, each backed (where the law asks
//! for it) by a legal act, and the planning tasks with owners and deadlines that move it along.
//!
//! The status of a cluster on a given day is never stored on its own: it is derived from the
//! history, so that "what was the status on 31 Dec 1999?" has an answer and a decision that is
//! recorded late does not overwrite what was true before it.

use chrono::NaiveDate;
use thiserror::Error;

use crate::cluster::{ClusterStatus, FieldProblem};

/// Longest accepted act number, in characters ("873/QĐ-UB", "32/2024/NĐ-CP" are far shorter).
pub const MAX_ACT_NUMBER_CHARS: usize = 100;
/// Longest accepted issuing authority, in characters.
pub const MAX_AUTHORITY_CHARS: usize = 200;
/// Longest accepted link to the act's text, in characters.
pub const MAX_LINK_CHARS: usize = 2_000;

/// A legal act (decision, directive, decree) that backs a status change, e.g. planning decision
/// 873/QĐ-UB of 8 Jun 1998 by the Bến Tre People's Committee.
///
/// Built only through [`LegalAct::new`], so a stored act always has a number and an authority.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LegalAct {
    number: String,
    date: NaiveDate,
    authority: String,
    link: Option<String>,
}

impl LegalAct {
    /// Validates an act, reporting every problem at once (fields `number`, `authority`, `link`).
    ///
    /// Number and authority are trimmed and NFC-normalised (so "QĐ" typed with a combining
    /// mark finds the same act), must not be empty and must not contain control characters.
    /// The number's format is not checked: numbering differs by era and issuer ("873/QĐ-UB",
    /// "03/NQ-TU", "32/2024/NĐ-CP"). A link, when given, must be an absolute http(s) address
    /// without spaces; an empty link counts as none.
    ///
    /// The act's date is not compared with anything here: an act alone has no effective date.
    /// [`validate_history`] checks that an act is not dated after the change it backs.
    pub fn new(number: &str, date: NaiveDate, authority: &str, link: Option<&str>) -> Result<Self, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let number = required_text("number", number, MAX_ACT_NUMBER_CHARS, &mut problems);
        let authority = required_text("authority", authority, MAX_AUTHORITY_CHARS, &mut problems);
        let link = link.map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned);
        if let Some(l) = &link {
            let scheme_ok = l.starts_with("https://") || l.starts_with("http://");
            if !scheme_ok
                || l.chars().any(|c| c.is_whitespace() || c.is_control())
                || l.chars().count() > MAX_LINK_CHARS
            {
                problems.push(FieldProblem {
                    field: "link",
                    message: format!(
                        "link must be an http(s) address of at most {MAX_LINK_CHARS} characters without spaces"
                    ),
                });
            }
        }
        if problems.is_empty() { Ok(LegalAct { number, date, authority, link }) } else { Err(problems) }
    }

    /// Number as written on the act, e.g. `873/QĐ-UB`.
    pub fn number(&self) -> &str {
        &self.number
    }
    /// Date the act was signed (issued).
    pub fn date(&self) -> NaiveDate {
        self.date
    }
    /// Issuing authority, e.g. `UBND tỉnh Bến Tre`.
    pub fn authority(&self) -> &str {
        &self.authority
    }
    /// Where the text of the act can be read, if known.
    pub fn link(&self) -> Option<&str> {
        self.link.as_deref()
    }
}

fn required_text(field: &'static str, text: &str, max_chars: usize, problems: &mut Vec<FieldProblem>) -> String {
    let text = crate::text::nfc(text.trim());
    if text.is_empty() {
        problems.push(FieldProblem { field, message: format!("{field} must not be empty") });
    } else if text.chars().count() > max_chars || text.chars().any(char::is_control) {
        problems.push(FieldProblem {
            field,
            message: format!("{field} must be at most {max_chars} characters without control characters"),
        });
    }
    text
}

/// One recorded status change.
///
/// Plain data: whether it fits the law and the events before it is decided by
/// [`validate_history`], because that depends on the whole history, not on the event alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusEvent {
    /// The status before the change; `None` only for the first event of a history.
    pub from: Option<ClusterStatus>,
    /// The status after the change.
    pub to: ClusterStatus,
    /// The day from which the new status holds.
    pub effective: NaiveDate,
    /// The act that decided the change; required where [`requires_legal_act`] says so.
    pub act: Option<LegalAct>,
    /// Free text.
    pub note: Option<String>,
}

/// Statuses a cluster may move to from `from`; `from = None` lists the statuses a history may
/// start with.
///
/// The table, and why:
/// - start → `in_plan` or `established`: a cluster is first listed in a provincial plan, but
///   clusters established before the plan was recorded here (Phong Nẫm, est. 2005) start with
///   their establishment decision. Later stages need an establishment first.
/// - `in_plan` → `established` | `removed`.
/// - `established` → `infrastructure` | `revoked`.
/// - `infrastructure` → `operating` | `revoked`.
/// - `operating` → `expanded`; `expanded` → `expanded`: a cluster may be expanded more than once,
///   each time by its own provincial decision, as long as it stays within the size cap (checked
///   by [`crate::rules`]). Revocation is listed only before operation, as in the lifecycle the
///   domain notes describe; an operating cluster with tenants is not modelled as revocable.
/// - `removed`, `revoked`: final.
///
/// A status never moves back (e.g. `operating` → `infrastructure`): a correction of a wrong
/// record is an edit of the history, not a transition.
pub fn allowed_targets(from: Option<ClusterStatus>) -> &'static [ClusterStatus] {
    use ClusterStatus::{Established, Expanded, InPlan, Infrastructure, Operating, Removed, Revoked};
    match from {
        None => &[InPlan, Established],
        Some(InPlan) => &[Established, Removed],
        Some(Established) => &[Infrastructure, Revoked],
        Some(Infrastructure) => &[Operating, Revoked],
        Some(Operating | Expanded) => &[Expanded],
        Some(Removed | Revoked) => &[],
    }
}

/// Whether no status may follow `status` (removed from the plan, establishment revoked).
pub fn is_terminal(status: ClusterStatus) -> bool {
    allowed_targets(Some(status)).is_empty()
}

/// Whether a change into `to` must be backed by a legal act: establishment, expansion, removal
/// from the plan and revocation are each decided by the province, so the record without the
/// decision's number and date would be hearsay.
///
/// Listing in the plan, the start of infrastructure works and the start of operation are
/// recorded facts; an act may be attached to them but is not required, because old plans (the
/// 1998 list) are often known without a decision number.
pub fn requires_legal_act(to: ClusterStatus) -> bool {
    matches!(to, ClusterStatus::Established | ClusterStatus::Expanded | ClusterStatus::Removed | ClusterStatus::Revoked)
}

/// A status change that the lifecycle does not allow; every variant says what would have been
/// allowed instead ([`TransitionError::allowed`]).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TransitionError {
    /// A history cannot start with this status.
    #[error("a status history cannot start with {}; it starts with one of: {}", .to.code(), list(.allowed))]
    BadStart {
        /// The refused first status.
        to: ClusterStatus,
        /// The statuses a history may start with.
        allowed: &'static [ClusterStatus],
    },
    /// The status before the change is final.
    #[error("{} is final: no change to {} or any other status is allowed", .from.code(), .to.code())]
    FromTerminal {
        /// The final status.
        from: ClusterStatus,
        /// The refused target.
        to: ClusterStatus,
    },
    /// The change is not in the lifecycle.
    #[error("cannot change status from {} to {}; allowed from {}: {}", .from.code(), .to.code(), .from.code(), list(.allowed))]
    NotAllowed {
        /// The status before the change.
        from: ClusterStatus,
        /// The refused target.
        to: ClusterStatus,
        /// The statuses that may follow `from`.
        allowed: &'static [ClusterStatus],
    },
}

impl TransitionError {
    /// The statuses that would have been accepted instead (empty after a final status).
    pub fn allowed(&self) -> &'static [ClusterStatus] {
        match self {
            TransitionError::BadStart { allowed, .. } | TransitionError::NotAllowed { allowed, .. } => allowed,
            TransitionError::FromTerminal { .. } => &[],
        }
    }
}

fn list(statuses: &[ClusterStatus]) -> String {
    statuses.iter().map(|s| s.code()).collect::<Vec<_>>().join(", ")
}

/// Checks one status change against [`allowed_targets`]; `from = None` is the first record.
pub fn check_transition(from: Option<ClusterStatus>, to: ClusterStatus) -> Result<(), TransitionError> {
    let allowed = allowed_targets(from);
    if allowed.contains(&to) {
        return Ok(());
    }
    Err(match from {
        None => TransitionError::BadStart { to, allowed },
        Some(from) if allowed.is_empty() => TransitionError::FromTerminal { from, to },
        Some(from) => TransitionError::NotAllowed { from, to, allowed },
    })
}

/// The status on day `on`, derived from the events effective on or before it; `None` before the
/// first event (or for an empty history).
///
/// Events are taken in order of effective date, and events with the same date in the order of
/// the slice (several decisions of one day, e.g. established and works started). The history is
/// not validated here: run [`validate_history`] when it is written, not on every read.
pub fn current_status(events: &[StatusEvent], on: NaiveDate) -> Option<ClusterStatus> {
    events
        .iter()
        .enumerate()
        .filter(|(_, e)| e.effective <= on)
        .max_by_key(|(i, e)| (e.effective, *i))
        .map(|(_, e)| e.to)
}

/// One problem in a status history, at the event it concerns.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("event {index}: {kind}")]
pub struct HistoryProblem {
    /// Position of the event in the history (0-based).
    pub index: usize,
    /// What is wrong with it.
    pub kind: HistoryProblemKind,
}

/// What can be wrong with an event of a status history.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum HistoryProblemKind {
    /// The event does not start where the previous one ended (the first starts from no status).
    #[error(
        "the event starts from {} but must start from {}",
        .found.map_or("no status", ClusterStatus::code),
        .expected.map_or("no status (it is the first event)", ClusterStatus::code)
    )]
    BrokenChain {
        /// Where it must start: the previous event's status, `None` for the first event.
        expected: Option<ClusterStatus>,
        /// Where it says it starts.
        found: Option<ClusterStatus>,
    },
    /// The event takes effect before the previous one.
    #[error("effective date {effective} is before the previous event's {previous}")]
    OutOfOrder {
        /// The previous event's effective date.
        previous: NaiveDate,
        /// This event's effective date.
        effective: NaiveDate,
    },
    /// The change itself is not in the lifecycle.
    #[error(transparent)]
    Transition(#[from] TransitionError),
    /// The change needs a legal act and has none.
    #[error("a change to {} needs a legal act (number, date, issuing authority)", .to.code())]
    MissingAct {
        /// The status the event changes to.
        to: ClusterStatus,
    },
    /// The act is dated after the day the change takes effect.
    #[error("legal act {number} is dated {act_date}, after the change takes effect on {effective}")]
    ActAfterEffective {
        /// The act's number.
        number: String,
        /// The act's date.
        act_date: NaiveDate,
        /// The event's effective date.
        effective: NaiveDate,
    },
}

impl HistoryProblemKind {
    /// Stable machine-readable name of the problem.
    pub fn code(&self) -> &'static str {
        match self {
            HistoryProblemKind::BrokenChain { .. } => "broken_chain",
            HistoryProblemKind::OutOfOrder { .. } => "out_of_order",
            HistoryProblemKind::Transition(_) => "transition_not_allowed",
            HistoryProblemKind::MissingAct { .. } => "missing_legal_act",
            HistoryProblemKind::ActAfterEffective { .. } => "act_after_effective",
        }
    }
}

/// Checks a whole status history, in the order given, and reports every problem:
/// - each event starts where the previous one ended, and the first from no status;
/// - effective dates never go backwards (equal dates are fine);
/// - each change is allowed by [`check_transition`];
/// - changes that [`requires_legal_act`] carry one, and no act is dated after the change it
///   backs: an act cannot decide something that already took effect before it was signed. An act
///   that takes effect later than its signing (a common "effective from" clause) is fine.
///
/// An empty history is valid: the cluster simply has no recorded status yet.
pub fn validate_history(events: &[StatusEvent]) -> Result<(), Vec<HistoryProblem>> {
    let mut problems = Vec::new();
    let mut previous: Option<&StatusEvent> = None;
    for (index, event) in events.iter().enumerate() {
        let mut problem = |kind| problems.push(HistoryProblem { index, kind });
        let expected = previous.map(|p| p.to);
        if event.from != expected {
            problem(HistoryProblemKind::BrokenChain { expected, found: event.from });
        }
        if let Some(p) = previous.filter(|p| event.effective < p.effective) {
            problem(HistoryProblemKind::OutOfOrder { previous: p.effective, effective: event.effective });
        }
        if let Err(e) = check_transition(event.from, event.to) {
            problem(e.into());
        }
        match &event.act {
            None if requires_legal_act(event.to) => {
                problem(HistoryProblemKind::MissingAct { to: event.to });
            }
            Some(act) if act.date() > event.effective => {
                problem(HistoryProblemKind::ActAfterEffective {
                    number: act.number().to_owned(),
                    act_date: act.date(),
                    effective: event.effective,
                });
            }
            _ => {}
        }
        previous = Some(event);
    }
    if problems.is_empty() { Ok(()) } else { Err(problems) }
}

/// A planning task with an owner and a deadline, e.g. "plan the Phú Hưng–Mỹ Thạnh cluster in
/// 1998" owned by the provincial Department of Industry.
///
/// Plain data: a task is a record of an order, and even an oddly written order (a deadline
/// before the order itself) is kept as it was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanningTask {
    /// What is to be done.
    pub title: String,
    /// The agency responsible, e.g. `Sở Công nghiệp`.
    pub owner_agency: String,
    /// The last day on which the task is on time.
    pub due: NaiveDate,
    /// The day it was done, if it was.
    pub done_on: Option<NaiveDate>,
}

/// Where a task stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TaskState {
    /// Not done, and the deadline has not passed.
    Open,
    /// Not done, and the deadline has passed.
    Overdue,
    /// Done on or before the deadline.
    Done,
    /// Done, but after the deadline. Not overdue: nothing is left to chase.
    DoneLate,
}

impl TaskState {
    /// Stable machine-readable name.
    pub fn code(self) -> &'static str {
        match self {
            TaskState::Open => "open",
            TaskState::Overdue => "overdue",
            TaskState::Done => "done",
            TaskState::DoneLate => "done_late",
        }
    }
}

impl PlanningTask {
    /// The state as seen on day `on`. A completion dated after `on` is not known yet on `on`, so
    /// a report for a past date shows the task as it was then. The due day itself is still on
    /// time: a task becomes overdue the day after.
    pub fn state(&self, on: NaiveDate) -> TaskState {
        match self.done_on {
            Some(done) if done <= on => {
                if done <= self.due {
                    TaskState::Done
                } else {
                    TaskState::DoneLate
                }
            }
            _ if self.due < on => TaskState::Overdue,
            _ => TaskState::Open,
        }
    }

    /// Whether the task is not done by `on` and its deadline lies before `on`.
    pub fn is_overdue(&self, on: NaiveDate) -> bool {
        self.state(on) == TaskState::Overdue
    }
}

#[cfg(test)]
mod tests;
