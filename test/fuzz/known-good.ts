// Known-good requests interleaved with the fuzz: each must keep getting the answer it got before
// the fuzz started, showing the server still healthy and its data untouched mid-fuzz.
import { InstrumentDefinition } from '../../gen/ts/instruments/v1/instrument.js';
import { ExchangeState } from '../../gen/ts/instruments/v1/instrument_service.js';
import type { Rpc } from '../support/service-harness.js';
import type { FuzzContext } from './fuzz-case.js';

export interface KnownGood {
  /** Problems with the current answers; empty when all match the baseline. */
  check(): Promise<string[]>;
}

const json = (d: InstrumentDefinition | undefined): string => JSON.stringify(d === undefined ? null : InstrumentDefinition.toJSON(d));

export async function knownGood(rpc: Rpc, ctx: FuzzContext): Promise<KnownGood> {
  const key = ctx.keys[Math.floor(ctx.keys.length / 2)] as string;
  const baseline = {
    one: json((await rpc.getInstrument({ instrumentKey: key })).instrument),
    page: (await rpc.listInstruments({ pageSize: 50 })).instruments.map((d) => d.instrumentKey).join(','),
  };
  return {
    check: async () => {
      const problems: string[] = [];
      try {
        const one = await rpc.getInstrument({ instrumentKey: key });
        if (json(one.instrument) !== baseline.one) problems.push(`GetInstrument ${key} answers differently`);
        if (one.revision !== ctx.revision) problems.push(`revision ${one.revision}, was ${ctx.revision}`);
        const page = await rpc.listInstruments({ pageSize: 50 });
        if (page.instruments.map((d) => d.instrumentKey).join(',') !== baseline.page) problems.push('ListInstruments first page differs');
        const status = await rpc.getStatus();
        if (!status.exchanges.every((e) => e.state === ExchangeState.EXCHANGE_STATE_READY)) problems.push('an exchange is no longer READY');
      } catch (error) {
        problems.push(`known-good request failed: ${String(error)}`);
      }
      return problems;
    },
  };
}
