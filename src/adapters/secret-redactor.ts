// Every secret value the process knows (exchange keys, the webhook secret, auth tokens) is
// registered here, and every log line passes through scrub() on its way out: a secret that ends
// up in an error message or an object nobody thought to redact still never reaches the output.

const REDACTED = '[redacted]';

export class SecretRedactor {
  private readonly secrets = new Set<string>();

  /** Values shorter than 6 characters are not treated as secrets: scrubbing them would mangle logs. */
  add(value: string | undefined): void {
    if (value !== undefined && value.length >= 6) this.secrets.add(value);
  }

  get size(): number {
    return this.secrets.size;
  }

  scrub(text: string): string {
    let result = text;
    for (const secret of this.secrets) {
      if (result.includes(secret)) result = result.split(secret).join(REDACTED);
    }
    return result;
  }
}

/** The secrets in an environment: <ID>_API_KEY/<ID>_SECRET of the exchanges, webhook secret, tokens. */
export function secretsInEnv(env: NodeJS.ProcessEnv, exchangeIds: readonly string[]): string[] {
  const names = [
    ...exchangeIds.flatMap((id) => [`${id.toUpperCase()}_API_KEY`, `${id.toUpperCase()}_SECRET`, `${id.toUpperCase()}_PASSWORD`]),
    'INSTRUMENTS_WEBHOOK_SECRET',
  ];
  const values = names.map((n) => env[n]).filter((v): v is string => v !== undefined && v !== '');
  // Token entries are name:token[:scopes]; the token is the secret, the name is not.
  for (const entry of (env['INSTRUMENTS_AUTH_TOKENS'] ?? '').split(/[;\n]/)) {
    const token = entry.trim().split(':')[1];
    if (token) values.push(token);
  }
  return values;
}

/**
 * A redactor for errors raised before the configuration is known (a bad config file may hold a
 * token in the wrong key): every exchange-credential-shaped variable counts, whatever the exchange.
 */
export function redactorForEnv(env: NodeJS.ProcessEnv): SecretRedactor {
  const ids = Object.keys(env).flatMap((name) => /^([A-Z0-9]+)_(API_KEY|SECRET|PASSWORD)$/.exec(name)?.[1]?.toLowerCase() ?? []);
  const redactor = new SecretRedactor();
  for (const secret of secretsInEnv(env, ids)) redactor.add(secret);
  return redactor;
}
