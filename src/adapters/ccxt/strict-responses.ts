import { BadResponse, type Exchange } from 'ccxt';
import { unusableBody } from '../../domain/unusable-body.js';

/**
 * Hooks into the one place CCXT sees every response with its status, raw body and parsed JSON
 * (`handleErrors`, which exchanges override): a 2xx body that is not JSON fails the load as
 * BadResponse instead of being read as an empty market list, and an error an exchange raised
 * for a 4xx/5xx names the HTTP status (binance's do not: "OperationFailed: binance {"code":-1001…"}").
 */
export function strictResponses(exchange: Exchange): Exchange {
  const handleErrors = exchange.handleErrors.bind(exchange);
  exchange.handleErrors = (status, statusText, url, method, headers, body, response, requestHeaders, requestBody) => {
    const problem = unusableBody(status, body, response);
    if (problem !== undefined) {
      const type = typeof headers['Content-Type'] === 'string' ? `, content-type ${headers['Content-Type']}` : '';
      throw new BadResponse(`${exchange.id} ${method} ${url} answered HTTP ${status} with ${problem}${type}`);
    }
    try {
      return handleErrors(status, statusText, url, method, headers, body, response, requestHeaders, requestBody);
    } catch (error) {
      if (status >= 400 && error instanceof Error && !new RegExp(`\\b${status}\\b`).test(error.message)) {
        // Near the front, as CCXT words its own ("binance 429 Too Many Requests {…}"): status shows only the first 500 characters.
        const code = `${status}${statusText === '' ? '' : ` ${statusText}`}`;
        const id = `${exchange.id} `;
        error.message = error.message.startsWith(id) ? `${id}${code} ${error.message.slice(id.length)}` : `HTTP ${code}: ${error.message}`;
      }
      throw error;
    }
  };
  return exchange;
}
