import { status, type ServiceError } from '@grpc/grpc-js';
import { InstrumentDefinition } from '../../gen/ts/instruments/v1/instrument.js';
import { SourceView } from '../../gen/ts/instruments/v1/instrument_service.js';
import type { Rpc } from '../support/service-harness.js';
import { Tally, type Problems } from './problems.js';
import { SOAK_FILTERS } from './soak-filters.js';

const json = (d: InstrumentDefinition): string => JSON.stringify(InstrumentDefinition.toJSON(d));

/** A lookup that came back NOT_FOUND in the live view: fine only for a key some refresh removed (checked at the end). */
export interface Miss {
  rpc: string;
  key: string;
}

type View = SourceView.SOURCE_VIEW_LIVE | SourceView.SOURCE_VIEW_MERGED;

/**
 * Sustained lookups beside the watchers: GetInstrument by key, CCXT symbol and raw symbol,
 * BatchGetInstruments and ListInstruments pages, `concurrency` at a time back to back, on
 * instruments the reference watcher knows, in the live view (what watchers mirror) or the default
 * merged one (live, plus the last definition of every instrument a refresh removed). Every answer
 * must be the instrument asked for; when the reference watcher is at the answer's revision, its
 * mirror's copy exactly; pages in key order within their filter.
 */
export class LookupLoad {
  readonly served = new Tally();
  readonly errors = new Tally();
  readonly misses: Miss[] = [];
  private running = false;
  private workers: Array<Promise<void>> = [];

  constructor(
    private readonly rpc: Rpc,
    /** A random instrument the reference watcher knows now. */
    private readonly pick: () => InstrumentDefinition,
    /** The reference watcher's mirror when it is at `revision`, else undefined. */
    private readonly mirrorAt: (revision: number) => ReadonlyMap<string, InstrumentDefinition> | undefined,
    private readonly problems: Problems,
    private readonly random: () => number,
  ) {}

  start(concurrency: number): void {
    this.running = true;
    this.workers = Array.from({ length: concurrency }, () => this.work());
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.workers);
  }

  private async work(): Promise<void> {
    while (this.running) {
      const roll = this.random();
      const op = roll < 0.35 ? 'GetInstrument(key)' : roll < 0.55 ? 'GetInstrument(ccxt)' : roll < 0.75 ? 'GetInstrument(raw)' : roll < 0.9 ? 'BatchGetInstruments' : 'ListInstruments';
      const view: View = this.random() < 0.6 ? SourceView.SOURCE_VIEW_LIVE : SourceView.SOURCE_VIEW_MERGED;
      const d = this.pick();
      try {
        await this.run(op, view, d);
        this.served.add(op);
      } catch (error) {
        const code = (error as Partial<ServiceError>).code;
        if (code === status.NOT_FOUND && op.startsWith('GetInstrument') && view === SourceView.SOURCE_VIEW_LIVE) {
          this.misses.push({ rpc: op, key: d.instrumentKey });
          this.served.add(`${op} NOT_FOUND`);
        } else {
          this.errors.add(`${op} ${code === undefined ? 'client' : status[code]}`);
          this.problems.add(`${op} ${SourceView[view]} of ${d.instrumentKey}: ${(error as Error).message}`);
        }
      }
      this.served.add(`view ${SourceView[view]}`);
    }
  }

  /**
   * When the reference watcher is at the answer's revision: the live view must answer its mirror's
   * copy; the merged one too for a listed key, and for a key no longer listed its retired copy.
   */
  private compare(op: string, view: View, revision: number, key: string, got: InstrumentDefinition | undefined): void {
    const mirror = this.mirrorAt(revision);
    if (mirror === undefined) return;
    const want = mirror.get(key);
    const where = `${op} ${SourceView[view]} of ${key} at ${revision}`;
    if (want !== undefined) {
      if (got === undefined || json(got) !== json(want)) this.problems.add(`${where}: not the reference watcher's definition at that revision`);
    } else if (view === SourceView.SOURCE_VIEW_LIVE) {
      if (got !== undefined) this.problems.add(`${where}: answered an instrument the reference watcher does not have`);
    } else if (got?.availableToDatetime === undefined) {
      this.problems.add(`${where}: no retired definition (with available_to_datetime) for an instrument no longer listed`);
    }
    this.served.add('answers compared with the reference mirror');
  }

  private async run(op: string, view: View, d: InstrumentDefinition): Promise<void> {
    const expectKey = ({ instrument: got, revision }: { instrument: InstrumentDefinition | undefined; revision: number }): void => {
      if (got?.instrumentKey !== d.instrumentKey) this.problems.add(`${op} ${SourceView[view]} of ${d.instrumentKey} answered ${got?.instrumentKey}`);
      this.compare(op, view, revision, d.instrumentKey, got);
    };
    switch (op) {
      case 'GetInstrument(key)':
        return expectKey(await this.rpc.getInstrument({ instrumentKey: d.instrumentKey, view }));
      case 'GetInstrument(ccxt)':
        return expectKey(await this.rpc.getInstrument({ ccxt: { ccxtExchange: d.ccxtExchange, ccxtSymbol: d.ccxtSymbol }, view }));
      case 'GetInstrument(raw)':
        return expectKey(await this.rpc.getInstrument({ raw: { venue: d.venue, exchangeRawSymbol: d.exchangeRawSymbol }, view }));
      case 'BatchGetInstruments': {
        const keys = [...new Set([d.instrumentKey, ...Array.from({ length: 49 }, () => this.pick().instrumentKey)])];
        const res = await this.rpc.batchGetInstruments({ instrumentKeys: keys, view });
        const found = res.instruments.map((i) => i.instrumentKey);
        const expected = keys.filter((k) => !res.notFoundKeys.includes(k));
        if (JSON.stringify(found) !== JSON.stringify(expected)) this.problems.add(`BatchGetInstruments: answered ${found.length} of ${keys.length} keys, not in request order or not the ones asked`);
        for (const key of res.notFoundKeys) {
          if (view === SourceView.SOURCE_VIEW_LIVE) this.misses.push({ rpc: op, key });
          else this.problems.add(`BatchGetInstruments MERGED: ${key} not found, though it was listed once`);
        }
        const byKey = new Map(res.instruments.map((i) => [i.instrumentKey, i]));
        for (const key of keys) this.compare(op, view, res.revision, key, byKey.get(key));
        return;
      }
      default: {
        const filter = SOAK_FILTERS[Math.floor(this.random() * SOAK_FILTERS.length)] ?? SOAK_FILTERS[0];
        let token = '';
        for (let page = 0; page < 3; page++) {
          const res = await this.rpc.listInstruments({ filter: filter?.filter, pageSize: 200, pageToken: token, view });
          for (let i = 0; i < res.instruments.length; i++) {
            const item = res.instruments[i] as InstrumentDefinition;
            if (i > 0 && item.instrumentKey <= (res.instruments[i - 1] as InstrumentDefinition).instrumentKey) this.problems.add(`ListInstruments (${filter?.name}): page out of key order`);
            if (filter !== undefined && !filter.matches(item)) this.problems.add(`ListInstruments (${filter.name}): ${item.instrumentKey} outside the filter`);
          }
          token = res.nextPageToken;
          if (token === '') break;
        }
      }
    }
  }
}
