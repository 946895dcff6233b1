// A value a test file's beforeAll sets: the accessor returns it, or fails
// with `missing` when beforeAll did not get that far.
export function setInBeforeAll<T>(get: () => T | undefined, missing: string): () => T {
  return () => {
    const value = get();
    if (value === undefined) throw new Error(missing);
    return value;
  };
}
