/** A `random` that returns `values` in order and fails loudly if asked for more. */
export function stubRandom(...values: number[]): () => number {
  let next = 0;
  return () => {
    const value = values[next++];
    if (value === undefined) throw new Error(`stubRandom: asked for value #${next}, have ${values.length}`);
    return value;
  };
}
