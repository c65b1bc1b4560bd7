// The layer registry: every map layer (basemap, clusters, later administrative units, zones…)
// is registered here once with a title key, an optional legend and an order, and the registry
// draws the one "Map layers" control with a labelled checkbox and the legend for each.
//
// Adding a layer later is one call:
//   registry.register({ id: 'communes', titleKey: 'layers.communes', layer, order: 20,
//                       legend: () => h('p', {}, '…') });

import { h } from './dom.js';
import { t, onLangChange } from './i18n.js';
import { NARROW } from './map.js';

const L = window.L;

export class LayerRegistry {
  constructor(map) {
    this.map = map;
    this.entries = [];
    this.control = new LayersControl(this);
    this.control.addTo(map);
    onLangChange(() => this.refresh());
  }

  /**
   * def: { id, titleKey, layer (an L.Layer), order = 50 (basemap 0), visible = true,
   *        legend?: () => Node, note?: () => string | null }
   */
  register(def) {
    if (this.get(def.id)) throw new Error(`layer ${def.id} registered twice`);
    const entry = { order: 50, visible: true, ...def };
    this.entries.push(entry);
    this.entries.sort((a, b) => a.order - b.order);
    if (entry.visible) entry.layer.addTo(this.map);
    this.refresh();
    return entry;
  }

  get(id) {
    return this.entries.find((e) => e.id === id) ?? null;
  }

  setVisible(id, visible) {
    const entry = this.get(id);
    if (!entry) return;
    entry.visible = visible;
    if (visible) entry.layer.addTo(this.map);
    else entry.layer.remove();
    this.refresh();
  }

  /** Redraw the control (after a language change, or when a legend or note changed). */
  refresh() {
    this.control.render();
  }
}

const LayersControl = L.Control.extend({
  options: { position: 'topright' },

  initialize(registry) {
    this.registry = registry;
  },

  onAdd(map) {
    if (this.container) {
      // Moved to another corner (setPosition): the same panel, as it was.
      requestAnimationFrame(() => this.fit());
      return this.container;
    }
    this.container = h('section', { class: 'leaflet-control cp-layers' });
    L.DomEvent.disableClickPropagation(this.container);
    L.DomEvent.disableScrollPropagation(this.container);
    // Open with its legend on a desktop screen; folded on tablets and phones (the same 800 px
    // as style.css), where it would cover a third of the map. A tap on its title opens it.
    this.open = !NARROW.matches;
    // Top right on a wide screen (the scale and zoom buttons are bottom right); top left on a
    // narrow one, under the zoom buttons and the scale (map.js), so an open panel never
    // reaches across the scale bar.
    const corner = () => (NARROW.matches ? 'topleft' : 'topright');
    this.options.position = corner();
    NARROW.addEventListener('change', () => this.setPosition(corner()));
    map.on('resize', () => this.fit());
    this.render();
    requestAnimationFrame(() => this.fit());
    return this.container;
  },

  /**
   * Keep the panel's bottom above the controls of the bottom corners (scale, zoom buttons,
   * attribution): it scrolls inside instead of running over them, whatever the window's height.
   */
  fit() {
    if (!this.container || !this._map) return;
    const mapBox = this._map.getContainer().getBoundingClientRect();
    const below = [...this._map.getContainer().querySelectorAll('.leaflet-bottom > .leaflet-control')]
      .map((el) => el.getBoundingClientRect().top);
    const floor = Math.min(mapBox.bottom, ...below) - 10;
    const top = this.container.getBoundingClientRect().top;
    this.container.style.maxHeight = `${Math.max(60, Math.floor(floor - top))}px`;
  },

  render() {
    if (!this.container) return;
    const details = h('details', { open: this.open, ontoggle: (e) => { this.open = e.target.open; this.fit(); } },
      h('summary', {}, t('layers.title')),
      h('ul', { class: 'cp-layer-list' }, this.registry.entries.map((entry) => {
        const id = `cp-layer-${entry.id}`;
        const note = entry.note?.();
        return h('li', { dataset: { layer: entry.id } },
          h('label', { for: id, class: 'cp-layer-toggle' },
            h('input', {
              type: 'checkbox', id, checked: entry.visible,
              onchange: (e) => this.registry.setVisible(entry.id, e.target.checked),
            }),
            ' ', t(entry.titleKey)),
          note ? h('p', { class: 'cp-layer-note' }, note) : null,
          entry.visible && entry.legend ? entry.legend() : null);
      })));
    this.container.replaceChildren(details);
    this.fit();
  },
});
