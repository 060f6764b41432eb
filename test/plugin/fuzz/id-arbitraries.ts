/**
 * fast-check generators for the device ID lists of fuzzed requests, built around the IDs
 * the plugin really advertises: mostly real IDs (so that valid requests, and their
 * answers, are common), plus the ways a caller can get them wrong.
 */
import fc from 'fast-check';
import type { WireString } from './wire';

/** Byte sequences that are not UTF-8: lone continuation, overlong, surrogate, truncated, out of range. */
const INVALID_UTF8: readonly number[][] = [
  [0x80],
  [0xbf],
  [0xc0, 0xaf],
  [0xc1, 0x81],
  [0xe0, 0x80, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xed, 0xbf, 0xbf],
  [0xf0, 0x9f, 0x98],
  [0xf4, 0x90, 0x80, 0x80],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0xfe],
  [0xff],
  [0xe2, 0x82],
];

/** A real ID with invalid UTF-8 spliced in somewhere. */
function corruptedId(real: fc.Arbitrary<string>): fc.Arbitrary<WireString> {
  return fc.tuple(real, fc.constantFrom(...INVALID_UTF8), fc.nat()).map(([id, bad, at]) => {
    const bytes = Buffer.from(id, 'utf8');
    const pos = at % (bytes.length + 1);
    return Buffer.concat([bytes.subarray(0, pos), Buffer.from(bad), bytes.subarray(pos)]);
  });
}

/** Random bytes, often not UTF-8. */
const randomBytes: fc.Arbitrary<WireString> = fc.uint8Array({ minLength: 1, maxLength: 48 }).map((b) => Buffer.from(b));

/** Near misses a confused caller might send: case, whitespace, replica suffixes, prefixes. */
function nearMiss(real: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.tuple(real, fc.integer({ min: 0, max: 7 }), fc.integer({ min: -3, max: 1000 })).map(([id, how, n]) => {
    switch (how) {
      case 0:
        return id.toUpperCase() === id ? id.toLowerCase() : id.toUpperCase();
      case 1:
        return ` ${id}`;
      case 2:
        return `${id}\n`;
      case 3:
        return `${id.split('::')[0]}::${n}`;
      case 4:
        return id.split('::')[0];
      case 5:
        return id.slice(0, Math.max(0, id.length - 1));
      case 6:
        return `${id}\u0000`;
      default:
        return `nvidia.com/gpu=${id}`;
    }
  });
}

/**
 * `min` to `max` real IDs in a shuffled-looking order, built in one step: fc.array of
 * 100,000 elements would spend seconds on shrink trees. Unbiased, so the top of the
 * range (over grpc's 4 MiB) is reached as often as the bottom.
 */
export function manyIds(real: readonly string[], min: number, max: number): fc.Arbitrary<string[]> {
  return fc
    .tuple(fc.noBias(fc.integer({ min, max })), fc.nat({ max: real.length - 1 }))
    .map(([n, offset]) => Array.from({ length: n }, (_, i) => real[(i * 5 + offset + (i >> 3)) % real.length]));
}

/** A long ID: up to `max` characters, ASCII or astral (two UTF-16 units, four UTF-8 bytes). */
export function longId(min: number, max: number): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.noBias(fc.integer({ min, max })),
      fc.constantFrom('x', 'é', '\u{1F600}', 'GPU-'),
      fc.string({ maxLength: 3 }),
    )
    .map(([n, unit, tail]) => unit.repeat(Math.ceil(n / unit.length)) + tail);
}

export interface IdArbitraries {
  /** The advertised IDs. */
  ids: readonly string[];
  real: fc.Arbitrary<string>;
  /** Any ID, real or not; real ones are about half. */
  any: fc.Arbitrary<WireString>;
  /** Only IDs that are not advertised (possibly invalid UTF-8). */
  wrong: fc.Arbitrary<WireString>;
}

export function idArbitraries(ids: readonly string[]): IdArbitraries {
  const real = fc.constantFrom(...ids);
  const known = new Set(ids);
  const wrong = fc
    .oneof(
      { arbitrary: nearMiss(real), weight: 4 },
      { arbitrary: corruptedId(real), weight: 3 },
      { arbitrary: randomBytes, weight: 2 },
      { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 2 },
      { arbitrary: fc.constant(''), weight: 1 },
      { arbitrary: longId(200, 5000), weight: 1 },
    )
    .filter((id) => typeof id !== 'string' || !known.has(id));
  return { ids, real, wrong, any: fc.oneof({ arbitrary: real, weight: 5 }, { arbitrary: wrong, weight: 4 }) };
}

/** An ID list: usually short, sometimes empty, now and then thousands long. */
export function idList(ids: IdArbitraries, options: { allowEmpty: boolean }): fc.Arbitrary<WireString[]> {
  return fc.oneof(
    { arbitrary: fc.array(ids.any, { minLength: options.allowEmpty ? 0 : 1, maxLength: 10 }), weight: 12 },
    { arbitrary: fc.array(ids.real, { minLength: 1, maxLength: 10 }), weight: 6 },
    { arbitrary: manyIds(ids.ids, 1000, 4000), weight: 1 },
  );
}
