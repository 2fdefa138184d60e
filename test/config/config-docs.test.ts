import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { renderConfigReference } from '../../src/app/config-docs.js';
import { leaves } from '../../src/app/config-reference.js';
import { REPO_ROOT } from '../support/demo-process.js';

const readme = readFileSync(`${REPO_ROOT}README.md`, 'utf8');

it('the README\'s configuration reference is the one rendered from the schema (regenerate: instruments config docs)', () => {
  const documented = /<!-- config-reference:start -->\n([\s\S]*?)\n<!-- config-reference:end -->/.exec(readme)?.[1];
  expect(documented).toBe(renderConfigReference());
});

it('documents every settable key with a description', () => {
  const keys = leaves();
  expect(keys.length).toBeGreaterThan(35);
  for (const leaf of keys) expect(leaf.node.description, leaf.path.join('.')).toMatch(/\w{3,}/);
});
