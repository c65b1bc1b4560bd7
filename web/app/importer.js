// Importing a file of clusters: choose the file, see the preview (each feature on the map, the
// refused ones in red with the server's reason, the field mapping as a form), adjust the
// mapping and check again, then import everything in one go. The server decides every verdict
// (POST /collections/clusters/import?dry_run=true); this module only shows them.

import { h } from './dom.js';
import { t } from './i18n.js';
import * as api from './api.js';

export function createImporter({ map, panel, notify, onImported }) {
  const shapes = L.geoJSON(null, {
    pmIgnore: true,
    style: (f) => (f.properties?.cp_refused
      ? { color: '#c0392b', weight: 3, dashArray: '4 3', fillOpacity: 0.25, className: 'cp-import-refused' }
      : { color: '#1f6feb', weight: 2, fillOpacity: 0.15, className: 'cp-import-ok' }),
  });
  let file = null;
  let mapping = null;
  // How to read the file: { layer, code, axis_order }, empty for what the server decides.
  let options = {};
  let report = null;
  let error = null;

  function clear() {
    shapes.clearLayers();
    shapes.remove();
  }

  function close() {
    clear();
    file = null;
    report = null;
    panel.hide();
  }

  async function check() {
    error = null;
    try {
      report = await api.importFile(file.bytes, { dryRun: true, filename: file.name, mapping, options });
      mapping = null;
    } catch (err) {
      report = null;
      error = err.problem?.detail ?? err.message;
    }
    draw();
    render();
  }

  async function commit() {
    error = null;
    try {
      const done = await api.importFile(file.bytes, { dryRun: false, filename: file.name, mapping: report.mapping, options });
      close();
      notify(t('import.done', { n: done.summary.create + done.summary.update }));
      onImported(done);
    } catch (err) {
      // 422 import-refused carries the preview again; anything else is shown as it came.
      if (err.problem?.features) report = err.problem;
      error = err.problem?.detail ?? err.message;
      draw();
      render();
    }
  }

  function draw() {
    shapes.clearLayers();
    if (!report) return;
    for (const v of report.features) {
      if (!v.feature?.geometry) continue;
      const feature = { ...v.feature, properties: { ...v.feature.properties, cp_index: v.index, cp_refused: v.action === 'refused' } };
      shapes.addData(feature);
    }
    shapes.addTo(map);
    const bounds = shapes.getBounds();
    if (bounds.isValid()) map.fitBounds(bounds, { maxZoom: 15, padding: [20, 20] });
  }

  function mappingForm() {
    const current = report.mapping;
    const select = (field) => h('select', { id: `import-map-${field}`, dataset: { field } },
      h('option', { value: '' }, t('import.unmapped')),
      ...report.targets.map((target) => h('option', { value: target, selected: current[field] === target }, target)));
    return h('fieldset', { class: 'cp-import-mapping' },
      h('legend', {}, t('import.mapping')),
      ...report.fields.map((field) => h('label', {}, h('span', {}, field), select(field))),
      h('button', {
        type: 'button',
        id: 'btn-import-recheck',
        onclick: (e) => {
          const form = e.target.closest('fieldset');
          mapping = {};
          for (const s of form.querySelectorAll('select')) mapping[s.dataset.field] = s.value || null;
          check();
        },
      }, t('import.recheck')));
  }

  // Layer or sheet, and for coordinate tables the cluster code and the X/Y order (the
  // detected one shown, the other offered).
  function optionsForm() {
    const text = (id, key, label) => h('label', {}, t(label),
      h('input', { type: 'text', id, value: options[key] ?? '', onchange: (e) => { options[key] = e.target.value.trim(); } }));
    const table = Boolean(report?.axis_order);
    const drawing = report?.format === 'DXF';
    const detected = report?.axis_order_by === 'declared' ? null : report?.axis_order;
    return h('fieldset', { class: 'cp-import-options' },
      h('legend', {}, t('import.options')),
      text('import-layer', 'layer', 'import.layer'),
      table || drawing ? text('import-code', 'code', 'import.code') : null,
      table ? h('label', {}, t('import.axis'),
        h('select', { id: 'import-axis', onchange: (e) => { options.axis_order = e.target.value; } },
          h('option', { value: '', selected: !options.axis_order },
            t('import.axis.auto', { order: detected ? t(`import.axis.${detected}`) : '?' })),
          ...['north_east', 'east_north'].map((order) =>
            h('option', { value: order, selected: options.axis_order === order }, t(`import.axis.${order}`))))) : null,
      h('button', { type: 'button', id: 'btn-import-reread', onclick: () => check() }, t('import.recheck')));
  }

  function verdicts() {
    return h('ol', { class: 'cp-import-features' }, ...report.features.map((v) => {
      const p = v.feature?.properties ?? {};
      const what = [p.code, p.name].filter(Boolean).join(' · ') || t('import.feature', { n: v.index + 1 });
      return h('li', { class: `cp-import-${v.action}`, dataset: { index: String(v.index), action: v.action } },
        h('strong', {}, what), ' — ', t(`import.action.${v.action}`),
        v.changes?.length ? ` (${v.changes.join(', ')})` : '',
        v.problem ? h('p', { class: 'cp-error' }, v.problem.detail ?? v.problem.title ?? '') : null);
    }));
  }

  function render() {
    panel.show({
      kind: 'import',
      title: () => t('import.title'),
      onClose: close,
      body: () => h('div', { class: 'cp-import' },
        h('label', {}, t('import.choose'),
          h('input', {
            type: 'file',
            id: 'import-file',
            accept: '.zip,.gpkg,.geojson,.json,.kml,.kmz,.csv,.xlsx,.dxf',
            onchange: async (e) => {
              const chosen = e.target.files?.[0];
              if (!chosen) return;
              file = { name: chosen.name, bytes: await chosen.arrayBuffer() };
              mapping = null;
              options = {};
              check();
            },
          })),
        error ? h('p', { class: 'cp-error', id: 'import-error', role: 'alert' }, error) : null,
        report ? h('p', { id: 'import-summary' }, t('import.summary', {
          file: report.file, format: report.format, crs: report.crs,
          create: report.summary.create, update: report.summary.update,
          unchanged: report.summary.unchanged, refused: report.summary.refused,
        })) : null,
        report ? verdicts() : null,
        file ? optionsForm() : null,
        report ? mappingForm() : null,
        report ? h('div', { class: 'cp-actions' },
          h('button', {
            type: 'button', class: 'primary', id: 'btn-import-commit',
            disabled: report.summary.refused > 0 || report.summary.create + report.summary.update === 0,
            onclick: commit,
          }, t('import.commit'))) : null),
    });
  }

  return {
    start() {
      clear();
      file = null;
      report = null;
      error = null;
      render();
      panel.focusTitle();
    },
  };
}
