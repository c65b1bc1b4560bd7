// The planning sheet of the selected cluster, below its details in the side panel: status on a
// chosen date, the status history with its legal acts, administrative units with shares (for
// that date: 1998 districts or 2025 communes), land and occupancy, rule results and planning
// tasks; and the form that records a status change (POST …/events), with override reasons when
// the server answers rule-violation. Everything comes from GET …/planning?date=.

import { h } from './dom.js';
import { t, has, onLangChange, formatHa, formatNumber, formatDate } from './i18n.js';
import * as api from './api.js';
import { problemType, ruleList, ruleViolationBox } from './rules.js';
import * as geo from './geometry.js';

const L = window.L;
/** The expansion boundary being drawn: an editable copy of the cluster (Geoman vertex editing). */
const SKETCH_STYLE = { color: '#0f9fae', weight: 3, dashArray: '6 4', fillColor: '#0f9fae', fillOpacity: 0.15, pmIgnore: false, className: 'cp-expansion-sketch' };

const LEVELS = ['province', 'district', 'commune'];

const statusText = (s) => (s ? (has(`status.${s}`) ? t(`status.${s}`) : s) : t('plan.not_yet'));

function emptyForm() {
  return {
    open: false, to: '', effective: '', act_number: '', act_date: '', act_authority: '', act_link: '',
    note: '', excess: false, reasons: {}, problem: null, sending: false,
  };
}

export class PlanningSheet {
  /**
   * notify(text): the status line. getFeature(id): the stored feature (its boundary is sent with
   * an expansion). onRecorded(feature): a status change was stored; the cluster changed.
   */
  constructor({ map, notify, getFeature, onRecorded }) {
    this.map = map;
    this.sketch = null;
    this.notify = notify;
    this.getFeature = getFeature;
    this.onRecorded = onRecorded;
    this.el = h('section', { class: 'cp-planning', 'aria-labelledby': 'cp-planning-title' });
    this.id = null;
    this.date = null;
    this.data = null;
    this.error = null;
    this.loading = false;
    this.form = emptyForm();
    this.token = 0;
    onLangChange(() => this.render());
  }

  /** Show the sheet of cluster `id` (kept date and form when it is the same cluster). */
  show(id) {
    const same = this.id !== null && String(this.id) === String(id);
    if (!same) {
      this.close();
      this.id = String(id);
      this.date = null;
      this.data = null;
      this.form = emptyForm();
    }
    return this.load();
  }

  /** The cluster is no longer shown: drop an expansion boundary being drawn. */
  close() {
    this.#removeSketch();
    this.form = emptyForm();
  }

  async load() {
    const token = ++this.token;
    this.loading = true;
    this.error = null;
    this.render();
    try {
      const data = await api.planningSheet(this.id, this.date);
      if (token !== this.token) return;
      this.data = data;
    } catch (err) {
      if (token !== this.token) return;
      this.error = err;
    }
    this.loading = false;
    this.render();
    this.el.dataset.loaded = this.data?.date ?? '';
  }

  render() {
    const d = this.data;
    const dateId = 'cp-plan-date';
    const out = [
      h('h3', { id: 'cp-planning-title' }, t('plan.title')),
      h('div', { class: 'cp-field cp-plan-date' },
        h('label', { for: dateId }, t('plan.date')),
        h('input', {
          id: dateId, type: 'date', value: this.date ?? d?.date ?? '', 'aria-describedby': 'cp-plan-date-hint',
          onchange: (e) => {
            this.date = e.target.value || null;
            this.load();
          },
        }),
        h('p', { class: 'cp-note', id: 'cp-plan-date-hint' }, t('plan.date_hint'))),
    ];
    this.el.setAttribute('aria-busy', this.loading ? 'true' : 'false');
    if (this.loading && !d) out.push(h('p', { class: 'cp-note' }, t('plan.loading')));
    if (this.error) {
      const detail = this.error.problem?.detail ?? this.error.message;
      out.push(h('p', { class: 'cp-error', role: 'alert' }, t('plan.load_failed', { detail })));
    }
    if (d) out.push(...this.#sections(d));
    this.el.replaceChildren(...out);
  }

  #sections(d) {
    const land = d.land ?? {};
    return [
      h('dl', { class: 'cp-plan-status' },
        h('dt', {}, t('plan.status_on_date')),
        h('dd', { class: 'cp-status-on-date', dataset: { status: d.status_on_date ?? '' } }, statusText(d.status_on_date)),
        h('dt', {}, t('plan.status_now')),
        h('dd', { class: 'cp-status-now', dataset: { status: d.status ?? '' } }, statusText(d.status))),

      h('h4', {}, t('plan.history')),
      (d.events ?? []).length
        ? h('ol', { class: 'cp-timeline' }, d.events.map((e) => this.#eventItem(e, d.date)))
        : h('p', { class: 'cp-note' }, t('plan.history_empty')),
      this.#eventForm(d),

      h('h4', {}, t('plan.units')),
      h('div', { class: 'cp-units' }, LEVELS.filter((lvl) => (d.units?.[lvl] ?? []).length).map((lvl) => h('div', { class: 'cp-unit-level', dataset: { level: lvl } },
        h('h5', {}, t(`plan.level.${lvl}`)),
        h('ul', {}, d.units[lvl].map((u) => h('li', { class: 'cp-unit', dataset: { code: u.code } },
          h('span', { class: 'cp-unit-name' }, u.name), ' ',
          h('small', {}, t('plan.share', { pct: formatNumber((u.share ?? 0) * 100, 1), ha: formatHa(u.area_ha) })))))))),

      h('h4', {}, t('plan.land')),
      h('dl', { class: 'cp-land' },
        h('dt', {}, t('plan.zones')), h('dd', {}, String(land.zones ?? 0)),
        h('dt', {}, t('plan.leasable')), h('dd', {}, formatHa(land.leasable_industrial_ha)),
        h('dt', {}, t('plan.leased')), h('dd', {}, formatHa(land.leased_industrial_ha)),
        h('dt', {}, t('plan.occupancy')),
        h('dd', { class: 'cp-occupancy' }, land.occupancy_pct === null || land.occupancy_pct === undefined ? t('value.none') : `${formatNumber(land.occupancy_pct, 1)} %`),
        Object.keys(land.by_use ?? {}).length
          ? [h('dt', {}, t('plan.by_use')), h('dd', {}, Object.entries(land.by_use).map(([use, ha]) => h('div', {}, `${has(`use.${use}`) ? t(`use.${use}`) : use}: ${formatHa(ha)}`)))]
          : null),

      h('h4', {}, t('plan.rules')),
      (d.rules ?? []).length ? ruleList(d.rules) : h('p', { class: 'cp-note' }, t('plan.rules_empty')),

      h('h4', {}, t('plan.tasks')),
      (d.tasks ?? []).length
        ? h('ul', { class: 'cp-tasks' }, d.tasks.map((task) => h('li', {
          class: `cp-task${task.overdue ? ' cp-task-overdue' : ''}`, dataset: { taskId: String(task.id), state: task.state ?? '', overdue: String(Boolean(task.overdue)) },
        },
        h('div', {}, h('strong', {}, task.title), ' ',
          task.overdue ? h('span', { class: 'cp-badge cp-badge-overdue' }, t('plan.task_overdue')) : null,
          !task.overdue && task.state ? h('span', { class: 'cp-badge' }, has(`plan.task_state.${task.state}`) ? t(`plan.task_state.${task.state}`) : task.state) : null),
        h('small', {}, t('plan.task_due', { due: task.due ?? t('value.none'), agency: task.owner_agency ?? t('value.none') }),
          task.done_on ? ` · ${t('plan.task_done', { date: task.done_on })}` : ''))))
        : h('p', { class: 'cp-note' }, t('plan.tasks_empty')),
    ];
  }

  #eventItem(e, onDate) {
    const future = onDate && e.effective > onDate;
    return h('li', { class: `cp-event${future ? ' cp-event-later' : ''}`, dataset: { seq: String(e.seq), to: e.to ?? '' } },
      h('div', { class: 'cp-event-head' },
        h('strong', {}, e.from ? `${statusText(e.from)} → ${statusText(e.to)}` : statusText(e.to)), ' ',
        h('small', {}, t('plan.effective', { date: e.effective }))),
      e.act
        ? h('div', { class: 'cp-act' }, t('plan.act', { number: e.act.number, date: e.act.date, authority: e.act.authority }),
          e.act.link ? [' · ', h('a', { href: e.act.link, target: '_blank', rel: 'noopener noreferrer' }, t('plan.act_link'))] : null)
        : h('div', { class: 'cp-act cp-note' }, t('plan.no_act')),
      e.note ? h('div', { class: 'cp-event-note' }, e.note) : null,
      (e.overrides ?? []).map((o) => h('div', { class: 'cp-event-override' }, t('plan.override', { rule: o.rule_id, reason: o.reason }))),
      e.recorded_at ? h('small', { class: 'cp-note' }, t('plan.recorded', { at: formatDate(e.recorded_at), by: e.recorded_by ? ` · ${e.recorded_by}` : '' })) : null);
  }

  // ---- recording a status change ----

  #eventForm(d) {
    const f = this.form;
    const allowed = d.allowed_next ?? [];
    if (!f.open) {
      return h('div', { class: 'cp-actions' },
        allowed.length
          ? h('button', { type: 'button', id: 'btn-record-event', onclick: () => this.#openForm(allowed) }, t('event.open'))
          : h('p', { class: 'cp-note' }, t('event.none_allowed')));
    }
    const bind = (key) => ({
      value: f[key],
      oninput: (e) => { f[key] = e.target.value; },
    });
    const field = (key, labelKey, input) => h('div', { class: 'cp-field' },
      h('label', { for: `cp-ev-${key}` }, t(labelKey)), input);
    const type = problemType(f.problem?.problem);
    const actMissing = type === 'legal-act-required';
    const invalid = (key) => (actMissing && !String(f[key]).trim() ? 'true' : null);
    const failedConditional = type === 'rule-violation'
      ? (f.problem.problem.rules ?? []).filter((r) => !r.passed && r.severity === 'conditional')
      : [];
    return h('form', {
      class: 'cp-form cp-event-form', 'aria-labelledby': 'cp-event-title', novalidate: true,
      onsubmit: (e) => { e.preventDefault(); this.#submit(); },
    },
    h('h4', { id: 'cp-event-title' }, t('event.title')),
    field('to', 'event.to', h('select', {
      id: 'cp-ev-to', value: f.to,
      onchange: (e) => {
        f.to = e.target.value;
        if (f.to !== 'expanded') this.#removeSketch();
        this.render();
      },
    }, allowed.map((s) => h('option', { value: s }, statusText(s))))),
    f.to === 'expanded' ? this.#expansionTools() : null,
    field('effective', 'event.effective', h('input', { id: 'cp-ev-effective', type: 'date', required: true, ...bind('effective') })),
    h('fieldset', { class: 'cp-tools' },
      h('legend', {}, t('event.act')),
      field('act_number', 'event.act_number', h('input', { id: 'cp-ev-act_number', type: 'text', 'aria-invalid': invalid('act_number'), ...bind('act_number') })),
      field('act_date', 'event.act_date', h('input', { id: 'cp-ev-act_date', type: 'date', 'aria-invalid': invalid('act_date'), ...bind('act_date') })),
      field('act_authority', 'event.act_authority', h('input', { id: 'cp-ev-act_authority', type: 'text', 'aria-invalid': invalid('act_authority'), ...bind('act_authority') })),
      field('act_link', 'event.act_link', h('input', { id: 'cp-ev-act_link', type: 'url', ...bind('act_link') }))),
    field('note', 'event.note', h('textarea', { id: 'cp-ev-note', rows: '2', ...bind('note') })),
    f.to === 'expanded'
      ? h('div', { class: 'cp-field' }, h('label', {},
        h('input', { type: 'checkbox', id: 'cp-ev-excess', checked: f.excess, onchange: (e) => { f.excess = e.target.checked; } }), ' ', t('event.excess_demand')))
      : null,
    this.#problemView(),
    h('div', { class: 'cp-actions' },
      h('button', { type: 'submit', class: 'primary', id: 'btn-event-submit', disabled: f.sending },
        f.sending ? t('event.sending') : failedConditional.length ? t('event.submit_overrides') : t('event.submit')),
      h('button', { type: 'button', id: 'btn-event-cancel', onclick: () => { this.close(); this.render(); } }, t('event.cancel'))));
  }

  #expansionTools() {
    const area = this.sketch ? geo.areaHa(geo.polygonsOf(this.#sketchGeometry())) : null;
    return h('div', { class: 'cp-expansion' },
      h('p', { class: 'cp-note' }, this.sketch ? t('event.expansion_drawing') : t('event.expansion_hint')),
      this.sketch
        ? h('p', { class: 'cp-live-area', id: 'cp-expansion-area', 'aria-live': 'polite' }, t('edit.live_area', { n: formatNumber(area) }))
        : h('button', { type: 'button', id: 'btn-expansion-draw', onclick: () => this.#startSketch() }, t('event.expansion_draw')));
  }

  #startSketch() {
    const feature = this.getFeature(this.id);
    if (!feature?.geometry) return;
    this.#removeSketch();
    this.sketch = L.geoJSON(feature.geometry, { style: () => SKETCH_STYLE, pmIgnore: false }).addTo(this.map);
    this.sketch.eachLayer((layer) => {
      layer.pm.enable({ snappable: false, allowSelfIntersection: false, draggable: false });
      layer.on('pm:edit pm:markerdragend', () => {
        const out = this.el.querySelector('#cp-expansion-area');
        if (out) out.textContent = t('edit.live_area', { n: formatNumber(geo.areaHa(geo.polygonsOf(this.#sketchGeometry()))) });
      });
    });
    this.render();
  }

  /** The drawn expansion boundary as one GeoJSON geometry (a MultiPolygon when it has parts). */
  #sketchGeometry() {
    const polys = [];
    this.sketch.eachLayer((layer) => {
      const g = layer.toGeoJSON(15).geometry;
      if (g.type === 'Polygon') polys.push(g.coordinates);
      else if (g.type === 'MultiPolygon') polys.push(...g.coordinates);
    });
    return polys.length === 1 ? { type: 'Polygon', coordinates: polys[0] } : { type: 'MultiPolygon', coordinates: polys };
  }

  #removeSketch() {
    if (!this.sketch) return;
    this.sketch.eachLayer((layer) => layer.pm?.disable());
    this.sketch.remove();
    this.sketch = null;
  }

  #openForm(allowed) {
    const today = new Date().toISOString().slice(0, 10);
    this.form = { ...emptyForm(), open: true, to: allowed[0], effective: today };
    this.render();
    this.el.querySelector('#cp-ev-to')?.focus();
  }

  #problemView() {
    const f = this.form;
    if (!f.problem) return null;
    const { status, problem } = f.problem;
    const type = problemType(problem);
    if (type === 'rule-violation') {
      return ruleViolationBox(problem, (rule) => {
        if (rule.passed) return null;
        if (rule.severity !== 'conditional') return h('p', { class: 'cp-note' }, t('event.hard_blocks'));
        const id = `cp-ev-reason-${rule.rule_id.replace(/[^\w-]/g, '_')}`;
        return h('div', { class: 'cp-field cp-override' },
          h('label', { for: id }, t('event.override_reason', { rule: rule.rule_id })),
          h('textarea', {
            id, rows: '2', value: f.reasons[rule.rule_id] ?? '', dataset: { ruleId: rule.rule_id },
            oninput: (e) => { f.reasons[rule.rule_id] = e.target.value; },
          }),
          h('p', { class: 'cp-note' }, t('event.override_needed')));
      });
    }
    let text;
    if (type && has(`problem.type.${type}`)) {
      text = t(`problem.type.${type}`, {
        allowed: (problem.allowed ?? []).map(statusText).join(', ') || t('value.none'),
        detail: problem.detail ?? '',
      });
    } else if (status === 0) {
      text = t('error.network');
    } else {
      text = t('error.generic', { status, detail: problem.detail ?? problem.title ?? '' });
    }
    return h('div', { class: 'cp-problems', role: 'alert', dataset: { problem: type ?? '' } },
      h('p', {}, text),
      problem.detail && type !== 'status-moved' ? h('p', { class: 'cp-note', lang: 'en' }, problem.detail) : null);
  }

  async #submit() {
    const f = this.form;
    const act = {
      number: f.act_number.trim(), date: f.act_date.trim(), authority: f.act_authority.trim(),
      link: f.act_link.trim() || null,
    };
    const body = {
      to: f.to,
      effective: f.effective,
      note: f.note.trim() || null,
      overrides: Object.entries(f.reasons).filter(([, r]) => r.trim()).map(([rule_id, reason]) => ({ rule_id, reason: reason.trim() })),
    };
    // An act with nothing typed is no act: let the server say that one is needed.
    if (act.number || act.date || act.authority || act.link) body.act = act;
    if (f.to === 'expanded') {
      body.excess_demand_declared = f.excess;
      body.geometry = this.sketch ? this.#sketchGeometry() : this.getFeature(this.id)?.geometry ?? null;
    }
    f.sending = true;
    this.render();
    try {
      const { event, feature } = await api.recordEvent(this.id, body);
      this.close();
      this.date = null;
      this.notify(t('event.saved', { from: statusText(event.from), to: statusText(event.to) }));
      this.onRecorded(feature);
      await this.load();
      this.el.querySelector(`.cp-event[data-seq="${event.seq}"]`)?.scrollIntoView({ block: 'nearest' });
    } catch (err) {
      f.sending = false;
      f.problem = { status: err.status ?? 0, problem: err.problem ?? { detail: err.message } };
      if (problemType(f.problem.problem) === 'status-moved') await this.load();
      this.render();
      const alert = this.el.querySelector('.cp-event-form [role="alert"]');
      const target = this.el.querySelector('.cp-event-form [aria-invalid="true"]')
        ?? this.el.querySelector('.cp-override textarea') ?? alert;
      if (target && !target.matches('input, select, textarea')) target.tabIndex = -1;
      target?.focus();
    }
  }
}
