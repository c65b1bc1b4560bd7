// Search box: finds features by name or code ignoring case and Vietnamese diacritics, so that
// "phu hung" finds "Phú Hưng–Mỹ Thạnh" and "dong" finds "Đồng". Keyboard: ↑/↓ to move, Enter to
// pick (the first match when none is highlighted), Esc to close.

import { h } from './dom.js';
import { t, onLangChange } from './i18n.js';

/** Lower case, no combining marks (NFD), đ → d, dashes and punctuation as spaces. */
export function normalize(text) {
  return String(text ?? '')
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Features whose name or code contains every word of `query`, best (prefix) matches first. */
export function findMatches(features, query, limit = 8) {
  const q = normalize(query);
  if (!q) return [];
  const words = q.split(' ');
  const scored = [];
  for (const f of features) {
    const name = normalize(f.properties?.name);
    const code = normalize(f.properties?.code);
    const hay = `${name} ${code}`;
    if (!words.every((w) => hay.includes(w))) continue;
    const score = name.startsWith(q) || code.startsWith(q) ? 0 : name.includes(q) ? 1 : 2;
    scored.push({ f, score, name });
  }
  scored.sort((a, b) => a.score - b.score || a.name.localeCompare(b.name));
  return scored.slice(0, limit).map((s) => s.f);
}

export function createSearch({ form, input, list, getFeatures, onPick }) {
  let matches = [];
  let active = -1;

  function render() {
    const empty = input.value.trim() && matches.length === 0;
    list.replaceChildren(...matches.map((f, i) => h('li', {
      id: `search-option-${i}`,
      role: 'option',
      class: i === active ? 'active' : null,
      'aria-selected': i === active ? 'true' : 'false',
      dataset: { fid: String(f.id) },
      onmousedown: (e) => e.preventDefault(),
      onclick: () => pick(i),
    }, h('span', { class: 'cp-result-name' }, f.properties.name), ' ',
      h('span', { class: 'cp-result-code' }, f.properties.code))));
    if (empty) list.append(h('li', { class: 'cp-no-result', role: 'option', 'aria-disabled': 'true' }, t('search.none')));
    const open = matches.length > 0 || Boolean(empty);
    list.hidden = !open;
    input.setAttribute('aria-expanded', String(open));
    if (active >= 0) input.setAttribute('aria-activedescendant', `search-option-${active}`);
    else input.removeAttribute('aria-activedescendant');
  }

  function update() {
    matches = findMatches(getFeatures(), input.value);
    active = -1;
    render();
  }

  function close() {
    matches = [];
    active = -1;
    list.replaceChildren();
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
  }

  function pick(i) {
    const f = matches[i];
    if (!f) return;
    input.value = f.properties.name;
    close();
    onPick(f);
  }

  input.addEventListener('input', update);
  input.addEventListener('focus', () => { if (input.value.trim()) update(); });
  input.addEventListener('blur', () => setTimeout(close, 150));
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      if (!matches.length) update();
      if (!matches.length) return;
      e.preventDefault();
      const step = e.key === 'ArrowDown' ? 1 : -1;
      active = (active + step + matches.length) % matches.length;
      render();
    } else if (e.key === 'Escape') {
      close();
    }
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!matches.length) update();
    pick(active >= 0 ? active : 0);
  });
  onLangChange(() => { if (!list.hidden) render(); });
  return { close };
}
