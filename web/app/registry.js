// Who is in each cluster, and the periodic report (Circular 14/2024/TT-BCT):
// - the investors layer: each investor as a point on the plots it leases today;
// - a cluster's investors in its side panel, with a form that enters an investor on a plot
//   (the investor with its first figures, then the lease) for accounts that may edit;
// - the report panel: a period and a unit, the table as the form prints it, downloads
//   (XLSX, CSV, printable page), and the overdue tasks of the directive's deadlines beside it.

import { h } from './dom.js';
import { t, formatHa, formatNumber } from './i18n.js';
import * as api from './api.js';

const L = window.L;

const statusText = (s) => (s ? t(`investor.status.${s}`) : '—');

export function createInvestorsLayer() {
  const layer = L.layerGroup();
  let token = 0;
  return {
    layer,
    /** Loads today's investors: for the public, those of published clusters on published plots. */
    async reload() {
      const mine = ++token;
      const features = await api.listInvestors({}).catch(() => []);
      if (mine !== token) return;
      layer.clearLayers();
      for (const f of features) {
        if (!f.geometry) continue;
        const [lon, lat] = f.geometry.coordinates;
        const p = f.properties;
        L.circleMarker([lat, lon], {
          radius: p.role === 'infrastructure' ? 8 : 6,
          className: `cp-investor cp-investor-${p.role}`,
          color: p.fdi ? '#7c3aed' : '#1f2937',
          weight: 2,
          fillColor: p.role === 'infrastructure' ? '#0f766e' : '#f59e0b',
          fillOpacity: 0.9,
        }).bindTooltip(`${p.name} · ${statusText(p.status)}`).addTo(layer);
      }
    },
  };
}

/** Craft villages and pilot communes valid today, at their point (public). */
export function createDesignationsLayer() {
  const layer = L.layerGroup();
  let loaded = null;
  layer.on('add', () => {
    loaded ??= api.listDesignations(new Date().toISOString().slice(0, 10)).then((features) => {
      for (const f of features) {
        if (!f.geometry) continue;
        const [lon, lat] = f.geometry.coordinates;
        const p = f.properties;
        L.circleMarker([lat, lon], {
          radius: 7,
          className: `cp-designation cp-designation-${p.kind}`,
          color: '#7f1d1d',
          weight: 2,
          dashArray: '2 2',
          fillColor: p.kind === 'craft_village' ? '#fca5a5' : '#bfdbfe',
          fillOpacity: 0.8,
        }).bindTooltip(`${t(`designation.${p.kind}`)}: ${p.name}${p.product ? ` (${p.product})` : ''}`).addTo(layer);
      }
    }).catch(() => { loaded = null; });
  });
  return layer;
}

function problemText(err) {
  const fields = err.problem?.errors ?? [];
  return fields.length ? fields.map((f) => `${f.field}: ${f.message}`).join('; ') : (err.problem?.detail ?? err.message);
}

/** A cluster's investors (for accounts), and for editors the form that enters one on a plot. */
export function investorsSection(feature, { canEdit, onChanged = () => {} }) {
  const list = h('div', { class: 'cp-investor-list' }, h('p', { class: 'cp-note' }, t('plan.loading')));
  const form = canEdit ? h('div', { class: 'cp-investor-form-wrap' }) : null;
  const el = h('section', { class: 'cp-investors', dataset: { cluster: String(feature.id) } },
    h('h3', {}, t('investor.title')), list, form);

  async function load() {
    try {
      const [investors, zones] = await Promise.all([
        api.listInvestors({ clusterId: feature.id }),
        canEdit ? api.listZones({ clusterId: feature.id }) : Promise.resolve([]),
      ]);
      list.replaceChildren(investors.length ? table(investors) : h('p', { class: 'cp-note' }, t('investor.none')));
      if (form) form.replaceChildren(entryForm(investors, zones));
    } catch (err) {
      list.replaceChildren(h('p', { class: 'cp-error' }, problemText(err)));
    }
  }

  function table(investors) {
    return h('table', { class: 'cp-summary-table' },
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, t('investor.name')),
        h('th', { scope: 'col' }, t('investor.status')),
        h('th', { scope: 'col' }, t('investor.workers')),
        h('th', { scope: 'col' }, t('investor.plots')))),
      h('tbody', {}, investors.map((i) => h('tr', { dataset: { id: String(i.id) } },
        h('th', { scope: 'row' }, i.properties.name, i.properties.fdi ? ` (FDI ${i.properties.country})` : '',
          i.properties.role === 'infrastructure' ? h('div', { class: 'cp-note' }, t('investor.role.infrastructure')) : null),
        h('td', {}, statusText(i.properties.status)),
        h('td', {}, i.properties.workers === null ? '—' : formatNumber(i.properties.workers, 0)),
        h('td', {}, (i.properties.zone_ids ?? []).length ? String(i.properties.zone_ids.length) : '—')))));
  }

  function entryForm(investors, zones) {
    const leased = new Set(investors.flatMap((i) => i.properties.zone_ids ?? []));
    const free = zones.filter((z) => z.properties.leasable && !leased.has(z.id));
    const today = new Date().toISOString().slice(0, 10);
    const field = (id, key, input) => h('div', { class: 'cp-field' }, h('label', { for: id }, t(key)), input);
    const error = h('p', { class: 'cp-error', role: 'alert', hidden: true });
    const form = h('form', { class: 'cp-form cp-investor-form', id: 'cp-investor-form' },
      h('h4', {}, t('investor.add')),
      field('cp-inv-name', 'investor.name', h('input', { id: 'cp-inv-name', name: 'name', required: true })),
      field('cp-inv-tax', 'investor.tax_code', h('input', { id: 'cp-inv-tax', name: 'tax_code', required: true, inputmode: 'numeric' })),
      field('cp-inv-country', 'investor.country', h('input', { id: 'cp-inv-country', name: 'country', maxlength: 2, placeholder: 'KR' })),
      field('cp-inv-vsic', 'investor.vsic', h('input', { id: 'cp-inv-vsic', name: 'vsic' })),
      field('cp-inv-plot', 'investor.plot', h('select', { id: 'cp-inv-plot', name: 'zone_id' },
        h('option', { value: '' }, '—'),
        free.map((z) => h('option', { value: String(z.id) }, `${z.properties.label ?? z.id} · ${formatHa(z.properties.area_ha)}`)))),
      field('cp-inv-start', 'investor.start', h('input', { id: 'cp-inv-start', name: 'start', type: 'date', value: today, required: true })),
      field('cp-inv-status', 'investor.status', h('select', { id: 'cp-inv-status', name: 'status' },
        ['registered', 'building', 'operating'].map((s) => h('option', { value: s }, statusText(s))))),
      field('cp-inv-capital', 'investor.capital', h('input', { id: 'cp-inv-capital', name: 'capital', type: 'number', min: 0, step: 1 })),
      field('cp-inv-workers', 'investor.workers', h('input', { id: 'cp-inv-workers', name: 'workers', type: 'number', min: 0, step: 1 })),
      error,
      h('button', { type: 'submit', class: 'primary' }, t('investor.save')));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const v = Object.fromEntries(new FormData(form));
      const number = (x) => (x === '' || x === undefined ? undefined : Number(x));
      const body = {
        name: v.name, tax_code: v.tax_code, role: 'secondary', cluster_id: feature.id,
        country: v.country || undefined, vsic: v.vsic || undefined,
        figures: { effective: v.start, status: v.status, registered_capital_vnd: number(v.capital), workers: number(v.workers) },
      };
      error.hidden = true;
      try {
        const created = await api.createInvestor(body);
        if (v.zone_id) await api.addLease(created.id, { zone_id: Number(v.zone_id), start: v.start });
        onChanged();
        await load();
      } catch (err) {
        error.textContent = problemText(err);
        error.hidden = false;
      }
    });
    return form;
  }

  load();
  return el;
}

/** The report panel: period, unit, table, downloads and overdue tasks. */
export function createReports({ panel }) {
  const now = new Date();
  const state = { year: now.getFullYear(), half: false, unit: '', data: null, error: null, units: [] };

  const period = () => (state.half ? `${state.year}-H1` : String(state.year));
  const url = (f) => {
    const params = new URLSearchParams({ period: period() });
    if (state.unit) params.set('unit', state.unit);
    if (f) params.set('f', f);
    return `/reports/circular14?${params}`;
  };

  async function load() {
    state.error = null;
    try {
      state.data = await api.report(url());
      const end = state.data.end;
      state.units = [
        ...await api.listUnits({ level: 'district', date: end }).catch(() => []),
        ...await api.listUnits({ level: 'commune', date: end }).catch(() => []),
      ];
    } catch (err) {
      state.data = null;
      state.error = problemText(err);
    }
    show();
  }

  function show() {
    const d = state.data;
    panel.show({
      kind: 'report',
      title: () => t('report.title'),
      onClose: () => panel.hide(),
      body: () => h('div', { class: 'cp-report', dataset: { period: d ? d.period : '' } },
        h('div', { class: 'cp-form cp-summary-form' },
          h('div', { class: 'cp-field' }, h('label', { for: 'cp-rep-year' }, t('report.year')),
            h('input', { id: 'cp-rep-year', type: 'number', min: 1976, max: 2100, value: String(state.year),
              onchange: (e) => { state.year = Number(e.target.value); load(); } })),
          h('div', { class: 'cp-field' }, h('label', { for: 'cp-rep-kind' }, t('report.kind')),
            h('select', { id: 'cp-rep-kind', onchange: (e) => { state.half = e.target.value === 'H1'; load(); } },
              h('option', { value: 'year', selected: !state.half }, t('report.annual')),
              h('option', { value: 'H1', selected: state.half }, t('report.six_month')))),
          h('div', { class: 'cp-field' }, h('label', { for: 'cp-rep-unit' }, t('report.unit')),
            h('select', { id: 'cp-rep-unit', onchange: (e) => { state.unit = e.target.value; load(); } },
              h('option', { value: '' }, t('report.province')),
              state.units.map((u) => h('option', { value: u.properties.code, selected: u.properties.code === state.unit }, u.properties.name))))),
        state.error ? h('p', { class: 'cp-error', role: 'alert' }, state.error) : null,
        d ? h('p', { class: 'cp-note' }, d.title) : null,
        d ? h('p', { class: 'cp-report-downloads' },
          h('a', { href: url('xlsx'), download: '', id: 'cp-rep-xlsx' }, 'XLSX'), ' · ',
          h('a', { href: url('csv'), download: '' }, 'CSV'), ' · ',
          h('a', { href: url('html'), target: '_blank', rel: 'noopener' }, t('report.print'))) : null,
        d ? totals(d.totals) : null,
        d ? rows(d.clusters) : null,
        d ? overdue(d.overdue_tasks ?? []) : null),
    });
  }

  function totals(s) {
    return h('ul', { class: 'cp-report-totals' },
      h('li', {}, t('report.in_plan', { n: s.clusters_in_plan, ha: formatHa(s.area_in_plan_ha) })),
      h('li', {}, t('report.established', { n: s.clusters_established, ha: formatHa(s.area_established_ha) })),
      h('li', {}, t('report.operating', { n: s.clusters_operating, ha: formatHa(s.area_operating_ha) })),
      h('li', {}, t('report.projects', { n: s.projects, fdi: s.projects_fdi, workers: formatNumber(s.workers, 0) })));
  }

  function rows(list) {
    return h('div', { class: 'cp-summary-table-wrap' }, h('table', { class: 'cp-summary-table cp-report-table' },
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, t('report.cluster')),
        h('th', { scope: 'col' }, t('investor.status')),
        h('th', { scope: 'col' }, t('plan.occupancy')),
        h('th', { scope: 'col' }, t('report.projects_col')),
        h('th', { scope: 'col' }, t('investor.workers')))),
      h('tbody', {}, list.map((r) => h('tr', { dataset: { code: r.code } },
        h('th', { scope: 'row' }, r.name, h('div', { class: 'cp-note' }, r.location)),
        h('td', {}, t(`status.${r.status}`)),
        h('td', {}, r.occupancy_pct === null ? '—' : `${formatNumber(r.occupancy_pct, 1)} %`),
        h('td', {}, String(r.projects)),
        h('td', {}, formatNumber(r.workers, 0)))))));
  }

  function overdue(tasks) {
    return h('section', { class: 'cp-report-overdue' },
      h('h3', {}, t('summary.overdue_tasks', { n: tasks.length })),
      tasks.length
        ? h('ul', {}, tasks.map((task) => h('li', {}, `${task.title} — ${task.owner_agency} (${task.due})`)))
        : h('p', { class: 'cp-note' }, t('report.no_overdue')));
  }

  return { open: load };
}
