import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { parseConfigText } from '../../src/app/config-parse.js';
import { REPO_ROOT } from '../support/demo-process.js';

// The README's configuration example is parsed by the real parser, so it cannot drift from it.
it('the README configuration example is a valid config using every section', () => {
  const readme = readFileSync(`${REPO_ROOT}README.md`, 'utf8');
  const section = readme.slice(readme.indexOf('## Configuration'));
  const yaml = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
  expect(yaml).toBeDefined();
  const config = parseConfigText(yaml ?? '', 'README.md');
  expect(config.historicalSources).toEqual(['test/fixtures/tardis']);
  expect(config.exchanges['okx']?.ccxt).toEqual({ options: { defaultUnderlying: ['BTC-USD'] } });
  expect(config.watch.maxPendingMessages).toBe(256);
  expect(config.webhookUrl).toMatch(/^https:/);
});
