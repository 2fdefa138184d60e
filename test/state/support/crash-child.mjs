// Child of the crash test: opens the durable state in argv[2], then applies and persists the
// synthetic refreshes after the restored revision, printing "ack <revision>" only once persist()
// has returned. The parent SIGKILLs it at a moment of its choosing. Imports the built modules.
import process from 'node:process';
import { InstrumentDefinition } from '../../../dist/gen/ts/instruments/v1/instrument.js';
import { DurableState } from '../../../dist/src/adapters/state/durable-state.js';
import { diffOne } from '../../../dist/src/domain/diff-definitions.js';
import { refresh, refreshAt } from './synthetic-exchanges.mjs';

const [dataDir, limitsJson, maxBatchesJson] = process.argv.slice(2);
const build = { diffOne, complete: (d) => InstrumentDefinition.fromPartial(d) };

const { state, restored } = DurableState.open(dataDir, JSON.parse(limitsJson));
for (const problem of restored.problems) process.stdout.write(`problem ${problem}\n`);
process.stdout.write(`open ${restored.revision}\n`);

const sources = new Map([...restored.sources].map(([id, definitions]) => [id, new Map(definitions.map((d) => [d.instrumentKey, d]))]));
// A cap, so that a child whose parent died does not run on.
const last = restored.revision + Number(maxBatchesJson);
for (let revision = restored.revision + 1; revision <= last; revision++) {
  const { batch, next } = refresh(revision, sources.get(refreshAt(revision).exchange.ccxtExchange) ?? new Map(), build);
  if (batch.changes.length === 0) throw new Error(`revision ${revision} changes nothing`);
  state.persist(batch, next);
  sources.set(batch.ccxtExchange, next);
  // Synchronous on a pipe, so the parent can see no ack before persist() returned.
  process.stdout.write(`ack ${revision}\n`);
}
state.close();
