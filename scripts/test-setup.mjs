#!/usr/bin/env node
// Runs before the test suite: installs what the tests need beyond node_modules (grpcurl, the Go
// codegen plugins, the Python venv with grpcio, Debian's Chromium for the dashboard test), failing
// loudly when it cannot. ensureTools({}) runs every group of ensure-tools.mjs.
import { ensureTools } from './ensure-tools.mjs';

try {
  await ensureTools({});
} catch (error) {
  process.stderr.write(`test setup failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
