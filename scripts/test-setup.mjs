#!/usr/bin/env node
// Runs before the test suite: installs what the tests need beyond node_modules (grpcurl, the Go
// codegen plugins, the Python venv with grpcio), failing loudly when it cannot.
import { ensureTools } from './ensure-tools.mjs';

try {
  await ensureTools({});
} catch (error) {
  process.stderr.write(`test setup failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
