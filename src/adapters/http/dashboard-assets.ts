import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packageRoot } from '../package-root.js';

export interface StaticAsset {
  contentType: string;
  body: Buffer;
}

/**
 * The page's files stay plain .html/.js/.css in the source tree (linted and diffed as what they
 * are, no build step) and are read from the package root, like gen/descriptor for reflection:
 * the same path works from src/ (tests) and from dist/ (the built server). Read once at start, so
 * a missing file fails the start rather than a later request.
 */
export const DASHBOARD_DIR = (): string => join(packageRoot(), 'src', 'adapters', 'http', 'dashboard');

const FILES: ReadonlyArray<[route: string, file: string, contentType: string]> = [
  ['/', 'index.html', 'text/html; charset=utf-8'],
  ['/dashboard.js', 'dashboard.js', 'text/javascript; charset=utf-8'],
  ['/dashboard.css', 'dashboard.css', 'text/css; charset=utf-8'],
];

export async function loadDashboardAssets(dir: string = DASHBOARD_DIR()): Promise<Map<string, StaticAsset>> {
  const assets = new Map<string, StaticAsset>();
  for (const [route, file, contentType] of FILES) {
    assets.set(route, { contentType, body: await readFile(join(dir, file)) });
  }
  return assets;
}
