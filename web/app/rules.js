// Rule results of Decree 32/2024 (and of any other configured regime) as the server reports
// them: in the planning sheet, in a refused status change and in a refused cluster write. One
// list item per result, pass or fail, with the message in the current language first and the
// other one below it, and the measured value against the limit.

import { h } from './dom.js';
import { t, has, lang, formatNumber } from './i18n.js';

const PROBLEM_PREFIX = 'urn:clusterplan:problem:';

/** The short problem type (`rule-violation`, …) of a problem+json body, or null. */
export function problemType(problem) {
  const type = problem?.type ?? '';
  return type.startsWith(PROBLEM_PREFIX) ? type.slice(PROBLEM_PREFIX.length) : null;
}

function value(n, unit) {
  if (n === null || n === undefined) return t('value.none');
  const digits = Number.isInteger(n) ? 0 : 2;
  return unit && unit !== 'count' ? `${formatNumber(n, digits)} ${unit}` : formatNumber(n, digits);
}

/** One rule result as a list item (class cp-rule, data-rule-id, data-passed). */
export function ruleItem(rule, extra = null) {
  const [first, second] = lang() === 'en' ? [rule.message_en, rule.message_vi] : [rule.message_vi, rule.message_en];
  return h('li', {
    class: `cp-rule ${rule.passed ? 'cp-rule-pass' : 'cp-rule-fail'}`,
    dataset: { ruleId: rule.rule_id, passed: String(Boolean(rule.passed)), severity: rule.severity ?? '' },
  },
  h('div', { class: 'cp-rule-head' },
    h('span', { class: 'cp-rule-mark', 'aria-hidden': 'true' }, rule.passed ? '✓' : '✗'),
    h('strong', {}, rule.passed ? t('plan.rule_pass') : t('plan.rule_fail')), ' ',
    h('code', { class: 'cp-rule-id' }, rule.rule_id),
    rule.severity ? h('small', { class: 'cp-rule-severity' }, ` (${has(`plan.severity.${rule.severity}`) ? t(`plan.severity.${rule.severity}`) : rule.severity})`) : null),
  first ? h('p', { class: 'cp-rule-msg', lang: lang() }, first) : null,
  second ? h('p', { class: 'cp-rule-msg cp-rule-msg-other', lang: lang() === 'en' ? 'vi' : 'en' }, second) : null,
  rule.measured !== undefined || rule.limit !== undefined
    ? h('p', { class: 'cp-rule-values' }, t('plan.measured', { measured: value(rule.measured, rule.unit), limit: value(rule.limit, rule.unit) }))
    : null,
  extra);
}

/** A list of rule results; `extra(rule)` may add a node (an override reason field) to an item. */
export function ruleList(rules, extra = () => null) {
  return h('ul', { class: 'cp-rules' }, (rules ?? []).map((r) => ruleItem(r, extra(r))));
}

/**
 * The box shown when the server refused a write with `rule-violation`: the failed rules first,
 * then the ones that passed (folded).
 */
export function ruleViolationBox(problem, extra) {
  const rules = problem.rules ?? [];
  const failed = rules.filter((r) => !r.passed);
  const passed = rules.filter((r) => r.passed);
  return h('div', { class: 'cp-problems cp-rule-violation', role: 'alert', dataset: { problem: 'rule-violation' } },
    h('p', {}, h('strong', {}, t('problem.type.rule-violation', { n: failed.length }))),
    ruleList(failed, extra),
    passed.length
      ? h('details', {}, h('summary', {}, `${t('rules.title')} (${passed.length} ${t('plan.rule_pass').toLowerCase()})`), ruleList(passed))
      : null);
}
