import { acceptedAt, leaves, type Leaf } from './config-reference.js';

// The README's configuration reference, rendered from the schema (`instruments config docs`); a
// test compares it with the README, so the documentation cannot drift from what is accepted.

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function defaultText(leaf: Leaf): string {
  const value = leaf.node.default;
  if (value === undefined) return '';
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const keys = Object.keys(value);
    return keys.length === 0 ? '`{}`' : keys.map((k) => `\`${k}\``).join(', ');
  }
  return `\`${JSON.stringify(value)}\``;
}

export function renderConfigReference(): string {
  const rows = leaves().map((leaf) => {
    const path = leaf.path.join('.');
    const env = leaf.env === undefined ? '' : `\`${leaf.env}\``;
    return `| \`${path}\` | ${cell(acceptedAt(leaf.path))} | ${defaultText(leaf)} | ${env} | ${cell(leaf.node.description ?? '')} |`;
  });
  return ['| Key | Accepts | Default | Environment | Meaning |', '| --- | --- | --- | --- | --- |', ...rows].join('\n');
}
