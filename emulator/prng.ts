/**
 * Deterministic pseudo-random numbers for the seeded organization. The seed
 * data never reads Math.random or the clock, so the same seed always gives
 * the same organization.
 */

/** A generator of floats in [0, 1), in the style of Math.random. */
export type Random = () => number;

/** Creates a mulberry32 generator: 32-bit state, fast, and good enough for fixtures. */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mixes several integers into one 32-bit seed, so (seed, pipe, card) gets its own stream. */
export function mixSeed(...parts: number[]): number {
  let hash = 0x811c9dc5;
  for (const part of parts) {
    hash = Math.imul(hash ^ (part >>> 0), 0x01000193) >>> 0;
    hash = Math.imul(hash ^ Math.floor(part / 4294967296), 0x01000193) >>> 0;
    hash ^= hash >>> 13;
  }
  return hash >>> 0;
}

/** Returns an integer in [min, max], both inclusive. */
export function randomInt(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** Returns one element of a non-empty list. */
export function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)];
}

/** Returns `count` distinct elements of a list, in list order. */
export function pickSome<T>(random: Random, items: readonly T[], count: number): T[] {
  const chosen = new Set<number>();
  const limit = Math.min(count, items.length);
  while (chosen.size < limit) {
    chosen.add(Math.floor(random() * items.length));
  }
  return [...chosen].sort((a, b) => a - b).map((index) => items[index]);
}

/** Returns true with the given probability. */
export function chance(random: Random, probability: number): boolean {
  return random() < probability;
}

/** Returns a version-4 style UUID drawn from the generator. */
export function randomUuid(random: Random): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ((Math.floor(random() * 4) + 8) as number).toString(16);
  const text = hex.join('');
  return `${text.slice(0, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}-${text.slice(16, 20)}-${text.slice(20)}`;
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Returns a random alphanumeric string, the shape of Pipefy's table ids (`VsIS49z6`). */
export function randomSlug(random: Random, length: number): string {
  return Array.from({ length }, () => pick(random, ALPHANUMERIC.split(''))).join('');
}
