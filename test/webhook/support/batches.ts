import {
  InstrumentDefinition,
  InstrumentStatus,
  InstrumentType,
} from '../../../gen/ts/instruments/v1/instrument.js';
import { ChangeType, InstrumentChange, RemovalReason } from '../../../gen/ts/instruments/v1/instrument_service.js';
import type { ChangeBatchEvent } from '../../../src/domain/change-batch.js';

const btcPerpetual = InstrumentDefinition.fromPartial({
  instrumentKey: 'BINANCE-FUTURES:PERPETUAL:BTC/USDT:USDT',
  venue: 'BINANCE-FUTURES',
  instrumentType: InstrumentType.INSTRUMENT_TYPE_PERPETUAL,
  baseAsset: 'BTC',
  quoteAsset: 'USDT',
  settleAsset: 'USDT',
  exchangeRawSymbol: 'BTCUSDT',
  tardisSymbol: 'BTCUSDT',
  tardisExchange: 'binance-futures',
  ccxtExchange: 'binanceusdm',
  ccxtSymbol: 'BTC/USDT:USDT',
  tickSize: '0.1',
  lotSize: '0.001',
  minSize: '0.001',
  maxSize: '1000',
  minNotional: '100',
  contractSize: '1',
  tradingFeesMaker: '0.0002',
  tradingFeesTaker: '0.0005',
  linear: true,
  inverse: false,
  active: true,
  isLive: true,
  status: InstrumentStatus.INSTRUMENT_STATUS_TRADING,
  listingTime: new Date('2019-09-25T08:00:00Z'),
  availableFromDatetime: new Date('2019-09-25T08:00:00Z'),
});

const ethQuarterly = InstrumentDefinition.fromPartial({
  ...btcPerpetual,
  instrumentKey: 'BINANCE-FUTURES:FUTURE:ETH/USDT:USDT-250926',
  instrumentType: InstrumentType.INSTRUMENT_TYPE_FUTURE,
  baseAsset: 'ETH',
  exchangeRawSymbol: 'ETHUSDT_250926',
  tardisSymbol: 'ETHUSDT_250926',
  ccxtSymbol: 'ETH/USDT:USDT-250926',
  tickSize: '0.01',
  expiry: new Date('2025-09-26T08:00:00Z'),
});

/** One batch per kind of change, as the store would emit for `binanceusdm`. */
export function batch(revision: number): ChangeBatchEvent {
  const kind = revision % 3;
  const change =
    kind === 1
      ? InstrumentChange.fromPartial({ changeType: ChangeType.CHANGE_TYPE_ADDED, instrumentKey: btcPerpetual.instrumentKey, instrument: btcPerpetual })
      : kind === 2
        ? InstrumentChange.fromPartial({
            changeType: ChangeType.CHANGE_TYPE_UPDATED,
            instrumentKey: btcPerpetual.instrumentKey,
            instrument: { ...btcPerpetual, tickSize: '0.5' },
            previous: btcPerpetual,
            changedFields: ['tick_size'],
          })
        : InstrumentChange.fromPartial({
            changeType: ChangeType.CHANGE_TYPE_REMOVED,
            instrumentKey: ethQuarterly.instrumentKey,
            instrument: { ...ethQuarterly, availableToDatetime: ethQuarterly.expiry, active: false },
            previous: ethQuarterly,
            removalReason: RemovalReason.REMOVAL_REASON_EXPIRED,
          });
  return { revision, appliedAt: new Date(Date.UTC(2025, 8, 26, 8, 0, revision)), ccxtExchange: 'binanceusdm', changes: [change] };
}
