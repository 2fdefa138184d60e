import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../support/demo-process.js';

// Each language's usage example in the README is the region of a test that runs (between
// README-EXAMPLE-START and README-EXAMPLE-END), so the README cannot show code that does not work.
const SOURCES = {
  typescript: 'test/clients/ts-readme-example.test.ts',
  python: 'clients/python/tests/test_readme_example.py',
  go: 'clients/go/example_test.go',
};

function region(path: string): string {
  const lines = readFileSync(`${REPO_ROOT}${path}`, 'utf8').split('\n');
  const start = lines.findIndex((l) => l.includes('README-EXAMPLE-START'));
  const end = lines.findIndex((l) => l.includes('README-EXAMPLE-END'));
  expect([start, end].every((i) => i >= 0), `${path} has README-EXAMPLE markers`).toBe(true);
  const body = lines.slice(start + 1, end);
  const indent = Math.min(...body.filter((l) => l.trim() !== '').map((l) => (/^\s*/.exec(l)?.[0] ?? '').length));
  return body.map((l) => l.slice(indent)).join('\n').trimEnd();
}

it.each(Object.entries(SOURCES))('the README\'s %s example is the one its test runs', (language, path) => {
  const readme = readFileSync(`${REPO_ROOT}README.md`, 'utf8');
  const block = new RegExp(`<!-- example:${language} -->\\n\`\`\`\\w+\\n([\\s\\S]*?)\\n\`\`\``).exec(readme)?.[1];
  expect(block, `README has <!-- example:${language} --> followed by a code block`).toBeDefined();
  expect(block).toBe(region(path));
});
