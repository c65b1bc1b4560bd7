// Map colours shared by the planner map and the public map: status fills (lifecycle order,
// domain.md §3) and land-use fills after the usual Vietnamese planning-map conventions (domain.md
// §6: SKN/SKK industrial land #FAAAA0, transport #FFAA32, water #A0FFFF, green #B4FFB4).

/** Lifecycle order; the colour is the fill and the outline. */
export const STATUSES = [
  ['in_plan', '#8e6cc4'],
  ['established', '#1f77b4'],
  ['infrastructure', '#e67e00'],
  ['operating', '#2a9d34'],
  ['expanded', '#0f9fae'],
  ['removed', '#7f7f7f'],
  ['revoked', '#c62828'],
];

/** Land uses (issue 4) and their fills. */
export const LAND_USES = [
  ['IND', '#FAAAA0'],
  ['WH', '#E0B084'],
  ['ADM', '#F0C8F0'],
  ['GRN', '#B4FFB4'],
  ['WAT', '#A0FFFF'],
  ['UTL', '#C8C8DC'],
  ['WWTP', '#78D2C8'],
  ['ROAD', '#FFAA32'],
];
