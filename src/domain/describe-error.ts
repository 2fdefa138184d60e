/** One line: exchange error bodies carry newlines that would break log lines and status messages. */
export function describeError(error: unknown): string {
  const text = (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).replace(/\s+/g, ' ').trim();
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}

/** The message alone, on one line and bounded: for reasons served per market (GetStatus, logs). */
export function errorMessage(error: unknown, max = 300): string {
  const text = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim();
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
