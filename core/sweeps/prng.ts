// mulberry32, a 32-bit seeded PRNG (Tommy Ettinger's, public domain). Hand-written rather than a library:
// a sweep's variants must stay the same for a given seed across versions (a resumed or repeated sweep names
// the same variants), so the algorithm is pinned here instead of riding on a dependency's choice; it is
// four lines, and sweeps draw at most MAX_VARIANTS × params numbers, far inside its 2^32 period.

/** A function returning floats in [0, 1), the same sequence for the same seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
