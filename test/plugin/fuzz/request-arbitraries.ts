/**
 * fast-check generators for whole Allocate and GetPreferredAllocation requests: what the
 * kubelet sends (one container entry, consistent fields), mixed with every way of
 * getting a field wrong.
 */
import fc from 'fast-check';
import { idList, longId, manyIds, type IdArbitraries } from './id-arbitraries';
import {
  encodeAllocate,
  encodePreferred,
  type WireContainerAllocate,
  type WireContainerPreferred,
  type WireExtra,
  type WireString,
} from './wire';

/** An encoded request and the container entries in it, which the oracles judge the answer by. */
export interface EncodedRequest<M extends string, C> {
  method: M;
  bytes: Buffer;
  containers: C[];
}

/** Fields the request messages do not have (numbers ≥ 2 at the top level), which a decoder must skip. */
export const unknownFields: fc.Arbitrary<WireExtra[]> = fc.array(
  fc.oneof(
    fc.record({
      field: fc.integer({ min: 2, max: 536870911 }),
      wireType: fc.constant(0 as const),
      value: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
    }),
    fc.record({
      field: fc.integer({ min: 2, max: 1000 }),
      wireType: fc.constantFrom(1 as const, 5 as const),
      value: fc.bigInt({ min: 0n, max: 2n ** 32n - 1n }),
    }),
    fc.record({
      field: fc.integer({ min: 2, max: 1000 }),
      wireType: fc.constant(2 as const),
      value: fc.uint8Array({ maxLength: 32 }),
    }),
  ),
  { maxLength: 2 },
);

/** Mostly one container entry (what the kubelet sends), sometimes none, several or `bulk` many. */
function entries<T>(entry: fc.Arbitrary<T>, bulk: fc.Arbitrary<T>, bulkMax: number): fc.Arbitrary<T[]> {
  return fc.oneof(
    { arbitrary: fc.array(entry, { minLength: 1, maxLength: 1 }), weight: 10 },
    { arbitrary: fc.array(entry, { maxLength: 4 }), weight: 4 },
    { arbitrary: fc.array(bulk, { minLength: bulkMax / 4, maxLength: bulkMax }), weight: 1 },
  );
}

export function allocateContainers(ids: IdArbitraries): fc.Arbitrary<WireContainerAllocate[]> {
  return entries(
    fc.record({ ids: idList(ids, { allowEmpty: true }) }),
    fc.record({ ids: fc.array(ids.real, { minLength: 1, maxLength: 3 }) }),
    400,
  );
}

/** A consistent entry: available ⊆ advertised, must-include ⊆ available, size in range. */
function validPreferred(ids: IdArbitraries): fc.Arbitrary<WireContainerPreferred> {
  return fc
    .shuffledSubarray([...ids.ids], { minLength: 1 })
    .chain((available) =>
      fc
        .shuffledSubarray(available)
        .chain((mustInclude) =>
          fc
            .integer({ min: Math.max(1, mustInclude.length), max: available.length })
            .map((size) => ({ available, mustInclude, size })),
        ),
    );
}

/** allocation_size values that break a rule: 0, negative, or more than anything available. */
const oddSize = fc.oneof(
  fc.integer({ min: -3, max: 12 }),
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  fc.constantFrom(-(2 ** 31), 2 ** 31 - 1),
);

/** An entry with every field drawn independently: mostly invalid, sometimes valid by chance. */
function randomPreferred(ids: IdArbitraries): fc.Arbitrary<WireContainerPreferred> {
  const must: fc.Arbitrary<WireString[]> = fc.oneof(
    fc.array(ids.any, { maxLength: 4 }),
    fc.array(ids.real, { maxLength: 3 }),
  );
  return fc.record({ available: idList(ids, { allowEmpty: true }), mustInclude: must, size: oddSize });
}

/** A valid entry with one thing broken the way a confused caller would. */
function brokenPreferred(ids: IdArbitraries): fc.Arbitrary<WireContainerPreferred> {
  return fc
    .tuple(validPreferred(ids), fc.integer({ min: 0, max: 5 }), ids.wrong, oddSize)
    .map(([e, how, wrong, size]) => {
      const unused = ids.ids.find((id) => !e.available.includes(id as string));
      switch (how) {
        case 0:
          return { ...e, available: [...e.available, e.available[0]] };
        case 1:
          return { ...e, mustInclude: [...e.mustInclude, unused ?? wrong] };
        case 2:
          return { ...e, available: [...e.available, wrong] };
        case 3:
          return { ...e, mustInclude: [...e.mustInclude, wrong] };
        case 4:
          return { ...e, size };
        default:
          return { ...e, size: e.available.length + 1 };
      }
    });
}

export function preferredContainers(ids: IdArbitraries): fc.Arbitrary<WireContainerPreferred[]> {
  const entry = fc.oneof(
    { arbitrary: validPreferred(ids), weight: 5 },
    { arbitrary: brokenPreferred(ids), weight: 3 },
    { arbitrary: randomPreferred(ids), weight: 3 },
  );
  // Each entry runs the exact topology search: 100 of them are plenty.
  return entries(entry, validPreferred(ids), 100);
}

/** One entry with huge fields: thousands of available IDs (many repeated), or very long IDs. */
export function hugePreferred(ids: IdArbitraries): fc.Arbitrary<WireContainerPreferred[]> {
  const available: fc.Arbitrary<WireString[]> = fc.oneof(
    manyIds(ids.ids, 1000, 110_000),
    fc.array(longId(50_000, 1_100_000), { minLength: 1, maxLength: 4 }),
    fc
      .tuple(fc.constant([...ids.ids]), fc.array(longId(1000, 100_000), { minLength: 1, maxLength: 3 }))
      .map(([a, b]) => [...a, ...b]),
  );
  const mustInclude: fc.Arbitrary<WireString[]> = fc.oneof(
    fc.constant<WireString[]>([]),
    manyIds(ids.ids, 1, 5000),
    fc.array(longId(1000, 500_000), { maxLength: 2 }),
  );
  return fc.record({ available, mustInclude, size: fc.oneof(fc.integer({ min: 1, max: 8 }), oddSize) }).map((e) => [e]);
}

/** A random Allocate request with unknown fields mixed in, encoded. */
export function allocateRequest(ids: IdArbitraries): fc.Arbitrary<EncodedRequest<'Allocate', WireContainerAllocate>> {
  return fc.record({ containers: allocateContainers(ids), extras: unknownFields }).map((r) => ({
    method: 'Allocate' as const,
    bytes: encodeAllocate(r.containers, r.extras),
    containers: r.containers,
  }));
}

/** A random GetPreferredAllocation request with unknown fields mixed in, encoded. */
export function preferredRequest(
  ids: IdArbitraries,
): fc.Arbitrary<EncodedRequest<'GetPreferredAllocation', WireContainerPreferred>> {
  return fc.record({ containers: preferredContainers(ids), extras: unknownFields }).map((r) => ({
    method: 'GetPreferredAllocation' as const,
    bytes: encodePreferred(r.containers, r.extras),
    containers: r.containers,
  }));
}
