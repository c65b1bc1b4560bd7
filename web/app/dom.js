// Tiny DOM builder shared by the UI modules: h('button', { type: 'button', onclick }, 'text').

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  let value;
  for (const [key, v] of Object.entries(attrs ?? {})) {
    if (v === null || v === undefined || v === false) continue;
    if (key === 'value') { value = v; continue; }
    if (key.startsWith('on') && typeof v === 'function') el.addEventListener(key.slice(2), v);
    else if (key === 'class') el.className = v;
    else if (key === 'dataset') Object.assign(el.dataset, v);
    else if (key === 'style' && typeof v === 'object') Object.assign(el.style, v);
    else if (key in el && typeof v === 'boolean') el[key] = v;
    else el.setAttribute(key, v === true ? '' : v);
  }
  append(el, children);
  // After the children, so that a <select> already has the option being chosen.
  if (value !== undefined) el.value = value;
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}
