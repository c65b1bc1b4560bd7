// The search normalisation on its own (plain Node, no browser): diacritics, đ/Đ, case, dashes.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { normalize, findMatches } from '../../../web/app/search.js';

const features = [
  { id: 1, properties: { name: 'Phú Hưng–Mỹ Thạnh', code: 'BT-CCN-PHMT' } },
  { id: 2, properties: { name: 'Phong Nẫm', code: 'BT-CCN-PN' } },
  { id: 3, properties: { name: 'Đồng Khởi', code: 'BT-CCN-DK' } },
  { id: 4, properties: { name: 'Giao Long', code: 'BT-KCN-GL' } },
];

describe('search', () => {
  it('strips diacritics, maps đ/Đ to d and lower-cases', () => {
    assert.equal(normalize('Phú Hưng–Mỹ Thạnh'), 'phu hung my thanh');
    assert.equal(normalize('ĐỒNG khởi'), 'dong khoi');
    assert.equal(normalize('Phong Nẫm'), 'phong nam');
  });

  it('matches the same text whether it is composed (NFC) or decomposed (NFD)', () => {
    assert.equal(normalize('Mỹ Thạnh'.normalize('NFD')), normalize('Mỹ Thạnh'.normalize('NFC')));
  });

  it('finds "phu hung" in Phú Hưng–Mỹ Thạnh, every word anywhere in name or code', () => {
    assert.deepEqual(findMatches(features, 'phu hung').map((f) => f.id), [1]);
    assert.deepEqual(findMatches(features, 'thanh phu').map((f) => f.id), [1]);
    assert.deepEqual(findMatches(features, 'dong').map((f) => f.id), [3]);
    assert.deepEqual(findMatches(features, 'kcn').map((f) => f.id), [4]);
    assert.deepEqual(findMatches(features, 'PH').map((f) => f.id), [2, 1], 'prefix matches, by name');
    assert.deepEqual(findMatches(features, '   '), []);
  });
});
