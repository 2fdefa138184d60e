/**
 * Everything the soak found wrong: all counted, the first few kept word for word for the report,
 * at most three per subject (the text before the first colon, e.g. one watcher), so one broken
 * watcher does not hide the rest.
 */
export class Problems {
  private readonly kept: string[] = [];
  private readonly perSubject = new Map<string, number>();
  count = 0;

  constructor(private readonly keep = 30) {}

  add(message: string): void {
    this.count++;
    const subject = message.split(':')[0] as string;
    const n = this.perSubject.get(subject) ?? 0;
    this.perSubject.set(subject, n + 1);
    if (this.kept.length < this.keep && n < 3) this.kept.push(message);
  }

  get samples(): readonly string[] {
    return this.kept;
  }
}

/** A counter per name, for the summary. */
export class Tally {
  private readonly counts = new Map<string, number>();

  add(name: string, n = 1): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + n);
  }

  get(name: string): number {
    return this.counts.get(name) ?? 0;
  }

  get total(): number {
    let sum = 0;
    for (const n of this.counts.values()) sum += n;
    return sum;
  }

  toJSON(): Record<string, number> {
    return Object.fromEntries([...this.counts].sort(([a], [b]) => a.localeCompare(b)));
  }
}
