// One record of the Tardis.dev instruments-metadata API (GET /v1/instruments/:exchange/:id; the
// list form /v1/instruments/:exchange returns an array of them), as the API sends it: decimals are
// JSON numbers, times ISO 8601 strings. Records come from outside, so every field is checked
// before use (see tardis-definition.ts).

export const TARDIS_TYPES = ['spot', 'perpetual', 'future', 'option', 'combo'] as const;
export type TardisType = (typeof TARDIS_TYPES)[number];

export interface TardisInstrument {
  /** The exchange's symbol, e.g. "BTC-PERPETUAL", "XBTUSD". */
  id: string;
  datasetId?: string;
  /** Tardis exchange id, e.g. "deribit", "binance-futures". */
  exchange: string;
  /** Normalized by Tardis (BTC, not BitMEX's XBT). */
  baseCurrency: string;
  quoteCurrency: string;
  settlementCurrency?: string;
  type: TardisType;
  active: boolean;
  /** Midnight (UTC) of the first day Tardis has data for. */
  availableSince: string;
  /** End of Tardis' data, for instruments no longer listed. */
  availableTo?: string;
  listing?: string;
  expiry?: string;
  priceIncrement: number;
  amountIncrement: number;
  minTradeAmount: number;
  /** Fractions of notional (0.0005 = 0.05%); negative is a rebate. */
  makerFee: number;
  takerFee: number;
  inverse?: boolean;
  quanto?: boolean;
  contractType?: string;
  contractMultiplier?: number;
  optionType?: 'call' | 'put';
  strikePrice?: number;
  underlyingIndex?: string;
  /** Earlier values, ascending by `until`; the top-level values are the current ones. */
  changes?: TardisChange[];
}

/** The values that held before `until` (only the fields that changed then). */
export type TardisChange = { until: string } & Partial<Omit<TardisInstrument, 'id' | 'exchange' | 'changes'>>;
