// A feature's version history (a cluster's in the side panel, a zone's in its popup): the list
// from /versions and a slider that draws the boundary as it was at the chosen version, over
// the current one; for clusters also the comments (append-only) and a form to add one about
// the version shown.

import { h } from './dom.js';
import { t, formatDate } from './i18n.js';
import * as api from './api.js';

const L = window.L;
let shape = null;

/** Removes the past boundary from the map. */
export function clearHistoryShape() {
  shape?.remove();
  shape = null;
}

function draw(map, version, pane) {
  clearHistoryShape();
  if (!version?.feature?.geometry) return;
  shape = L.geoJSON(version.feature, {
    interactive: false,
    ...(pane ? { pane } : {}),
    style: { color: '#111', weight: 3, dashArray: '6 4', fill: false, className: 'cp-history-shape' },
  }).addTo(map);
}

/** The comments list and, for accounts, the form; `version()` is the version shown. */
function commentsSection(feature, version) {
  const box = h('section', { class: 'cp-comments', 'aria-label': t('comments.title') });
  const list = h('ul', { id: 'comments-list', class: 'cp-comments-list' });
  const error = h('p', { class: 'cp-error', role: 'alert', hidden: true });
  const text = h('textarea', { id: 'comment-text', rows: 2, maxlength: 4000, 'aria-label': t('comments.label') });
  const send = h('button', { type: 'submit', id: 'btn-comment' }, t('comments.send'));
  const form = h('form', { class: 'cp-comment-form', onsubmit: submit }, text, send);
  box.append(h('h4', {}, t('comments.title')), list, error, form);

  function fail(err) {
    error.textContent = t('error.generic', { status: err.status, detail: err.message });
    error.hidden = false;
  }
  async function refresh() {
    let comments;
    try {
      comments = await api.comments(feature.id);
    } catch (err) {
      fail(err);
      return;
    }
    list.replaceChildren(...(comments.length
      ? comments.map((c) => h('li', { class: 'cp-comment', dataset: { id: String(c.id) } },
        h('span', { class: 'cp-comment-meta' }, t('comments.entry', { author: c.author, v: c.version, date: formatDate(c.created_at) })),
        h('span', { class: 'cp-comment-text' }, c.text)))
      : [h('li', { class: 'cp-comment-none' }, t('comments.none'))]));
  }
  async function submit(event) {
    event.preventDefault();
    if (!text.value.trim()) return;
    send.disabled = true;
    error.hidden = true;
    try {
      await api.addComment(feature.id, { text: text.value, version: version() });
      text.value = '';
      await refresh();
    } catch (err) {
      fail(err);
    } finally {
      send.disabled = false;
    }
  }
  refresh();
  return box;
}

function describe(v) {
  return t('history.entry', {
    v: v.version,
    op: t(`history.op.${v.operation}`),
    author: v.author ?? t('history.unknown_author'),
    date: formatDate(v.written_at),
  });
}

/**
 * The history section for a feature: a button that loads the versions, then the slider.
 * `collection` is `clusters` (ids `btn-history`, `history-slider`, `history-entry`, comments
 * below) or `zones` (ids prefixed `zone-`, no comments, the past shape in `pane`). `resized`
 * is called when the section has grown (a popup holding it lays itself out again).
 */
export function historySection(feature, map, { collection = 'clusters', pane = null, versions: readVersions = true, resized = () => {} } = {}) {
  const id = (name) => (collection === 'clusters' ? name : `zone-${name}`);
  const box = h('section', { class: 'cp-history', 'aria-label': t('history.title'), dataset: { collection } });
  const show = h('button', { type: 'button', id: collection === 'clusters' ? 'btn-history' : 'btn-zone-history', onclick: load }, t('history.show'));
  box.append(show);
  async function load() {
    if (!readVersions) {
      // An officer outside its unit: no past drafts, but it may comment.
      box.replaceChildren(h('h3', {}, t('history.title')), h('p', { class: 'cp-note' }, t('history.outside_unit')),
        commentsSection(feature, () => undefined));
      resized();
      return;
    }
    let versions;
    try {
      versions = await api.versions(feature.id, collection);
    } catch (err) {
      box.replaceChildren(h('p', { class: 'cp-error' }, t('error.generic', { status: err.status, detail: err.message })));
      resized();
      return;
    }
    const label = h('p', { class: 'cp-history-entry', id: id('history-entry'), 'aria-live': 'polite' });
    const notes = h('p', { class: 'cp-history-notes' });
    const slider = h('input', {
      type: 'range', id: id('history-slider'), min: 1, max: versions.length, step: 1, value: versions.length,
      'aria-label': t('history.slider'),
    });
    const pick = () => {
      const v = versions[Number(slider.value) - 1];
      label.textContent = describe(v);
      notes.textContent = [v.reason && t('history.reason', { reason: v.reason }), v.legal_act && t('history.legal_act', { act: v.legal_act })]
        .filter(Boolean).join(' · ');
      box.dataset.version = String(v.version);
      draw(map, v, pane);
      // Another version's entry may take more lines.
      resized();
    };
    slider.addEventListener('input', pick);
    box.replaceChildren(h(collection === 'clusters' ? 'h3' : 'h4', {}, t('history.title')), slider, label, notes);
    // Comments are internal: only accounts read and write them; zones have none.
    if (collection === 'clusters' && api.currentSession().role !== 'public') {
      const shown = () => Number(box.dataset.version);
      box.append(commentsSection(feature, shown));
    }
    pick();
  }
  return box;
}
