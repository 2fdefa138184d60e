import { chromium, type Browser } from 'playwright-core';
import { PATIENCE_MS } from '../../support/wait-for.js';

/** Debian's Chromium, installed by scripts/ensure-tools.mjs (group `chromium`). */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Headless Chromium for the dashboard tests. --no-sandbox: the tests run as root. The rest keep
 * Chromium from reaching out at start (the machine is offline; those attempts only slow it down).
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    timeout: PATIENCE_MS,
  });
}

/** A page or context whose waits (Playwright's own default is 30 s) give up after PATIENCE_MS. */
export function patient<T extends { setDefaultTimeout(timeout: number): void }>(target: T): T {
  target.setDefaultTimeout(PATIENCE_MS);
  return target;
}
