/** What the replay server sends back for one request. */
export interface ReplayResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: Buffer;
}

/** A response supplied by a test through `ReplayServer.override()`. */
export interface OverrideResponse {
  readonly body: string | Buffer;
  /** Defaults to 200. */
  readonly status?: number;
  /** Defaults to `application/json`, the type of every recorded exchange body. */
  readonly contentType?: string;
}

export function fromOverride(response: OverrideResponse): ReplayResponse {
  return {
    status: response.status ?? 200,
    contentType: response.contentType ?? 'application/json',
    // Copy so a caller mutating its Buffer later cannot change what is served.
    body: Buffer.from(response.body),
  };
}

/** Short plain-text error answer; ccxt turns any 4xx/5xx into a rejected call. */
export function textResponse(status: number, message: string): ReplayResponse {
  return {
    status,
    contentType: 'text/plain; charset=utf-8',
    body: Buffer.from(`${message}\n`, 'utf8'),
  };
}
