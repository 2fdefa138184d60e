/**
 * The keys of one deployment's shared state. All carry the prefix as a hash tag, `{prefix}:`, so
 * they fall in one Redis Cluster slot and the scripts that touch several of them stay legal there.
 */
export class RedisKeys {
  readonly tag: string;

  constructor(prefix: string) {
    this.tag = `{${prefix}}:`;
  }

  /** Holder of one exchange's poll lease: `<replica id>/<fencing token>`, with a TTL. */
  lease(exchange: string): string {
    return `${this.tag}lease:${exchange}`;
  }

  /** One exchange's fencing counter: every lease granted takes the next token. */
  fence(exchange: string): string {
    return `${this.tag}fence:${exchange}`;
  }

  /** One exchange's definitions in the snapshot: instrument key → InstrumentDefinition bytes. */
  source(exchange: string): string {
    return `${this.tag}source:${exchange}`;
  }

  /** Sequence number of the last log entry (every entry takes one; batches also take a revision). */
  get seq(): string { return `${this.tag}seq`; }
  /** The global revision: the last batch's. */
  get revision(): string { return `${this.tag}revision`; }
  /** The change log, a stream: one entry per applied delta. */
  get log(): string { return `${this.tag}log`; }
  /** Beside the log, trimmed alike: each entry's kind and revision (`b12`, `s12`), oldest first. */
  get logIndex(): string { return `${this.tag}log-index`; }
  /** The id of the log's newest entry: where a replica loading the snapshot tails from. */
  get lastId(): string { return `${this.tag}last-id`; }
  /** Exchanges that have a source in the snapshot. */
  get sources(): string { return `${this.tag}sources`; }
  /** Instruments no longer listed: key → their last InstrumentDefinition bytes. */
  get retired(): string { return `${this.tag}retired`; }
  /** The compaction point: a watch can resume after this revision, not before. */
  get compacted(): string { return `${this.tag}compacted`; }
  /** Replicas alive: id → time of their last heartbeat (ms). */
  get replicas(): string { return `${this.tag}replicas`; }
  /** Each exchange's last status, as its poller reported it: exchange → ExchangeStatus bytes. */
  get status(): string { return `${this.tag}status`; }
}
