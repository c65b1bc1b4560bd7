// Two tools for district and commune officers, in one small map control: "what is planned here"
// (the next click on the map asks GET /zoning for that point and shows the answer in a popup)
// and a summary table per district or commune for a date (GET /summary), shown in the side panel.

import { h } from './dom.js';
import { t, has, onLangChange, formatHa, formatNumber } from './i18n.js';
import * as api from './api.js';

const L = window.L;

const statusText = (s) => (has(`status.${s}`) ? t(`status.${s}`) : s);
const useText = (u) => (has(`use.${u}`) ? t(`use.${u}`) : u);

export function createTools({ map, panel, isBusy = () => false, onSummaryOpen = () => {}, onSummaryClose = () => {} }) {
  const state = { pointing: false, summary: { level: 'district', date: '', data: null, error: null, loading: false } };
  const container = h('div', { class: 'leaflet-control cp-tools-control' });
  L.DomEvent.disableClickPropagation(container);

  // Built once and updated in place: Leaflet decides whether a click belongs to the map by
  // walking up from its target, so a button replaced during its own click would count as a map click.
  const zoningButton = h('button', { type: 'button', id: 'btn-zoning', onclick: () => setPointing(!state.pointing) });
  const summaryButton = h('button', { type: 'button', id: 'btn-summary', onclick: openSummary });
  container.append(zoningButton, summaryButton);

  function render() {
    zoningButton.textContent = t('tools.zoning');
    zoningButton.title = t('tools.zoning_hint');
    zoningButton.setAttribute('aria-pressed', String(state.pointing));
    zoningButton.classList.toggle('active', state.pointing);
    summaryButton.textContent = t('tools.summary');
  }

  function setPointing(on) {
    state.pointing = on;
    map.getContainer().classList.toggle('cp-pointing', on);
    render();
  }

  map.on('click', async (e) => {
    if (!state.pointing || isBusy()) return;
    e.cpZoning = true; // main.js: this click is a query, not "clear the selection"
    setPointing(false);
    const popup = L.popup({ autoPan: true }).setLatLng(e.latlng).setContent(h('p', {}, t('tools.zoning_loading'))).openOn(map);
    try {
      const answer = await api.zoningAt(e.latlng.lng, e.latlng.lat);
      popup.setContent(zoningView(answer));
    } catch (err) {
      popup.setContent(h('p', { class: 'cp-error' }, t('error.generic', { status: err.status, detail: err.problem?.detail ?? err.message })));
    }
  });
  map.getContainer().addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && state.pointing) setPointing(false);
  });

  async function loadSummary() {
    const s = state.summary;
    s.loading = true;
    s.error = null;
    showSummary();
    try {
      const [data, overdue] = await Promise.all([api.summary(s.level, s.date || undefined), api.tasks(s.date || undefined, 'overdue')]);
      s.data = data;
      s.overdue = overdue.tasks ?? [];
    } catch (err) {
      s.error = err.problem?.detail ?? err.message;
    }
    s.loading = false;
    showSummary();
  }

  function openSummary() {
    onSummaryOpen();
    loadSummary();
  }

  function showSummary() {
    const s = state.summary;
    panel.show({
      kind: 'summary',
      title: () => t('summary.title'),
      onClose: () => { panel.hide(); onSummaryClose(); },
      body: () => h('div', { class: 'cp-summary', dataset: { loaded: s.data ? `${s.data.level}/${s.data.date}` : '' } },
        h('div', { class: 'cp-form cp-summary-form' },
          h('div', { class: 'cp-field' },
            h('label', { for: 'cp-sum-level' }, t('summary.level')),
            h('select', { id: 'cp-sum-level', value: s.level, onchange: (e) => { s.level = e.target.value; loadSummary(); } },
              h('option', { value: 'district' }, t('plan.level.district')),
              h('option', { value: 'commune' }, t('plan.level.commune')))),
          h('div', { class: 'cp-field' },
            h('label', { for: 'cp-sum-date' }, t('plan.date')),
            h('input', { id: 'cp-sum-date', type: 'date', value: s.date || s.data?.date || '', onchange: (e) => { s.date = e.target.value; loadSummary(); } }))),
        s.loading && !s.data ? h('p', { class: 'cp-note' }, t('plan.loading')) : null,
        s.error ? h('p', { class: 'cp-error', role: 'alert' }, s.error) : null,
        s.data ? summaryTable(s.data) : null,
        s.data ? overdueList(s.overdue ?? []) : null),
    });
  }

  onLangChange(render);
  render();
  const Control = L.Control.extend({ options: { position: 'topright' }, onAdd: () => container });
  new Control().addTo(map);
  // Above the layer control (added earlier to the same corner), where it stays on screen.
  container.parentNode.prepend(container);
  return { get pointing() { return state.pointing; } };
}

function zoningView(a) {
  return h('div', { class: 'cp-zoning-popup', dataset: { planned: String(Boolean(a.planned)) } },
    h('strong', {}, a.planned ? t('tools.zoning_planned') : t('tools.zoning_nothing')),
    (a.clusters ?? []).map((c) => h('div', { class: 'cp-zoning-cluster', dataset: { code: c.code ?? '' } },
      h('div', {}, h('b', {}, c.name), ` (${c.code}) · ${statusText(c.status)}`),
      c.land_use ? h('div', {}, `${t('zone.land_use')}: ${useText(c.land_use)}`) : null,
      (c.zones ?? []).map((z) => h('div', { class: 'cp-note' },
        `${z.label}: ${formatHa(z.area_ha)}${z.leased ? ` · ${t('zone.leased')}${z.tenant ? ` (${z.tenant})` : ''}` : ''}`)),
      (c.open_tasks ?? []).length
        ? h('div', {}, `${t('plan.tasks')}: `, c.open_tasks.map((task) => task.title ?? task.id).join('; '))
        : null)),
    (a.units ?? []).length
      ? h('div', { class: 'cp-note' }, a.units.map((u) => u.name).join(' · '))
      : null);
}

function summaryTable(d) {
  const rows = d.units ?? [];
  return h('div', { class: 'cp-summary-table-wrap' },
    h('table', { class: 'cp-summary-table' },
      h('caption', {}, t('summary.caption', { date: d.date, n: rows.length })),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, t('summary.unit')),
        h('th', { scope: 'col' }, t('summary.clusters')),
        h('th', { scope: 'col' }, t('summary.planned')),
        h('th', { scope: 'col' }, t('plan.occupancy')),
        h('th', { scope: 'col' }, t('plan.task_overdue')))),
      h('tbody', {}, rows.map((u) => h('tr', { dataset: { code: u.code } },
        h('th', { scope: 'row' }, u.name),
        h('td', { title: Object.entries(u.by_status ?? {}).map(([s, n]) => `${statusText(s)}: ${n}`).join(', ') },
          String(u.clusters ?? 0),
          (u.cluster_list ?? []).length ? h('div', { class: 'cp-note' }, u.cluster_list.map((c) => c.name).join(', ')) : null),
        h('td', {}, formatHa(u.planned_area_ha)),
        h('td', {}, u.occupancy_pct === null || u.occupancy_pct === undefined ? t('value.none') : `${formatNumber(u.occupancy_pct, 1)} %`),
        h('td', {
          class: (u.overdue_tasks ?? []).length ? 'cp-overdue-cell' : null,
          title: (u.overdue_tasks ?? []).map((task) => task.title).join('; ') || null,
        }, String((u.overdue_tasks ?? []).length)))))));
}

/** Every task overdue on the date (also those of the province, not tied to one unit). */
function overdueList(tasks) {
  return h('section', { class: 'cp-overdue-tasks', 'aria-labelledby': 'cp-overdue-title' },
    h('h4', { id: 'cp-overdue-title' }, t('summary.overdue_tasks', { n: tasks.length })),
    tasks.length
      ? h('ul', { class: 'cp-tasks' }, tasks.map((task) => h('li', { class: 'cp-task cp-task-overdue', dataset: { taskId: String(task.id) } },
        h('div', {}, h('strong', {}, task.title), ' ', h('span', { class: 'cp-badge cp-badge-overdue' }, t('plan.task_overdue'))),
        h('small', {}, t('plan.task_due', { due: task.due ?? t('value.none'), agency: task.owner_agency ?? t('value.none') })))))
      : h('p', { class: 'cp-note' }, t('plan.tasks_empty')));
}
