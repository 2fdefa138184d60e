/** Where and how to POST, split from what may be logged. */
export interface WebhookTarget {
  /** The URL requested: the configured one without user info (fetch refuses URLs that carry it). */
  requestUrl: string;
  /** `Basic …` from the URL's user info, if it had any. */
  authorization: string | undefined;
  /** Origin and path only: user info and query may hold credentials, so only this is logged. */
  logUrl: string;
}

/** Parses the configured webhook URL; errors never repeat it, since it may carry credentials. */
export function webhookTarget(url: string): WebhookTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error('webhook url is not an absolute URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new Error(`webhook url must be http or https, not ${parsed.protocol}`);
  }
  const authorization = parsed.username === '' && parsed.password === ''
    ? undefined
    : `Basic ${Buffer.from(`${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`).toString('base64')}`;
  parsed.username = '';
  parsed.password = '';
  parsed.hash = '';
  return { requestUrl: parsed.href, authorization, logUrl: `${parsed.origin}${parsed.pathname}` };
}
