// Preloaded into the fuzzed server (NODE_OPTIONS: --expose-gc --import): SIGUSR2 runs a full
// garbage collection and logs a JSON line saying so. The fuzz test measures memory right after,
// so it compares live memory, not garbage V8 has not collected yet.
process.on('SIGUSR2', () => {
  globalThis.gc();
  process.stderr.write(`${JSON.stringify({ level: 30, msg: 'fuzz gc' })}\n`);
});
