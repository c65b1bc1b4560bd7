// The side panel: one view at a time (a feature's details, the editor, a confirmation), each a
// function that builds the panel's content and is simply run again after a language change.

import { h } from './dom.js';
import { t, onLangChange, formatHa, formatDate } from './i18n.js';

export class Panel {
  constructor(element) {
    this.el = element;
    this.view = null;
    onLangChange(() => this.rerender());
  }

  /** Show `view(container)`; `title` is a function returning the heading text. */
  show({ title, body, onClose, kind = 'details' }) {
    this.view = { title, body, onClose, kind };
    this.rerender();
    this.el.hidden = false;
  }

  rerender() {
    if (!this.view) return;
    const { title, body, onClose, kind } = this.view;
    const heading = h('h2', { id: 'panel-title', tabindex: '-1' }, title());
    const close = onClose
      ? h('button', { type: 'button', class: 'cp-close', 'aria-label': t('panel.close_label'), title: t('panel.close'), onclick: onClose }, '×')
      : null;
    this.el.dataset.view = kind;
    this.el.setAttribute('aria-labelledby', 'panel-title');
    this.el.replaceChildren(h('div', { class: 'cp-panel-head' }, heading, close), body());
  }

  focusTitle() {
    this.el.querySelector('#panel-title')?.focus();
  }

  hide() {
    this.view = null;
    this.el.hidden = true;
    this.el.replaceChildren();
  }

  get kind() {
    return this.view?.kind ?? null;
  }
}

/** The read-only view of one feature, with its Edit and Delete actions. */
export function detailsView(feature, { onEdit, onDelete, onClose, editingBlocked, extra, canEdit = true, history }) {
  const p = feature.properties ?? {};
  const row = (key, value, attrs = {}) => [h('dt', {}, t(key)), h('dd', attrs, value)];
  return {
    kind: 'details',
    title: () => p.name ?? String(feature.id),
    onClose,
    body: () => h('div', { class: 'cp-details', dataset: { fid: String(feature.id) } },
      h('dl', {},
        row('field.code', p.code ?? t('value.none'), { class: 'cp-code' }),
        row('field.kind', p.kind ? t(`kind.${p.kind}`) : t('value.none')),
        row('field.status', p.status ? t(`status.${p.status}`) : t('value.none'), { class: 'cp-status', dataset: { status: p.status } }),
        row('field.area', formatHa(p.area_ha), { class: 'cp-area' }),
        p.geodesic_area_ha !== undefined ? row('field.geodesic_area', formatHa(p.geodesic_area_ha)) : null,
        row('field.planned_area', formatHa(p.planned_area_ha)),
        p.wwtp_capacity_m3_day != null ? row('field.wwtp_capacity_m3_day', t('value.m3_day', { v: p.wwtp_capacity_m3_day }), { class: 'cp-wwtp' }) : null,
        p.planning_crs ? row('field.crs', p.planning_crs) : null,
        row('field.notes', p.notes || t('value.none'), { class: 'cp-notes' }),
        row('field.version', t('value.version', { v: p.version ?? '?', date: formatDate(p.updated_at) }), { class: 'cp-version' })),
      canEdit ? h('div', { class: 'cp-actions' },
        h('button', { type: 'button', class: 'primary', id: 'btn-edit', onclick: onEdit, disabled: editingBlocked }, t('edit.edit')),
        h('button', { type: 'button', class: 'danger', id: 'btn-delete', onclick: onDelete, disabled: editingBlocked }, t('edit.delete'))) : null,
      extra ? extra() : null,
      history ? history() : null),
  };
}

/** Ask before deleting; `onConfirm` runs the deletion. */
export function confirmDeleteView(feature, { onConfirm, onCancel, error }) {
  return {
    kind: 'confirm-delete',
    title: () => feature.properties?.name ?? String(feature.id),
    onClose: onCancel,
    body: () => h('div', { class: 'cp-confirm', role: 'alertdialog', 'aria-labelledby': 'panel-title', 'aria-describedby': 'cp-confirm-text' },
      h('p', { id: 'cp-confirm-text' }, t('delete.confirm', { name: feature.properties?.name ?? feature.id })),
      error ? error() : null,
      h('div', { class: 'cp-actions' },
        h('button', { type: 'button', class: 'danger', id: 'btn-confirm-delete', onclick: onConfirm }, t('delete.yes')),
        h('button', { type: 'button', id: 'btn-cancel-delete', onclick: onCancel }, t('delete.no')))),
  };
}
