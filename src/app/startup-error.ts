/**
 * The service cannot start for a reason outside its configuration, such as a shared store it
 * cannot reach: the CLI says it in one line (no stack) and exits 1, for a supervisor to retry.
 */
export class StartupError extends Error {
  override name = 'StartupError';
}
