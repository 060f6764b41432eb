/**
 * What the plugin must answer, worked out independently of its code from the v1beta1
 * contract and NVIDIA's rules: which requests are valid, and what a correct answer to a
 * valid one looks like.
 */
import * as grpc from '@grpc/grpc-js';
import type { AllocateResponse, PreferredAllocationResponse } from '../../../plugin/src/kubelet/api-types';
import { decodeResponse, type Answer } from './fuzz-node';
import { decodedText, type WireContainerAllocate, type WireContainerPreferred } from './wire';

/** The physical device behind an advertised ID: `<uuid>::<n>` → `<uuid>`. */
export function physical(id: string): string {
  return id.split('::')[0];
}

/**
 * Allocate (envvar strategy, no failRequestsGreaterThanOne): valid when there is at least one
 * container entry, each names at least one device and every ID is advertised. Each
 * container then sees its physical devices once each, in the order first named.
 */
export function expectedVisible(
  advertised: ReadonlySet<string>,
  containers: readonly WireContainerAllocate[],
): string[] | undefined {
  if (containers.length === 0) return undefined;
  const visible: string[] = [];
  for (const c of containers) {
    const ids = c.ids.map(decodedText);
    if (ids.length === 0 || ids.some((id) => !advertised.has(id))) return undefined;
    visible.push([...new Set(ids.map(physical))].join(','));
  }
  return visible;
}

/** Checks an Allocate answer against expectedVisible. */
export function checkAllocateAnswer(expected: string[] | undefined, answer: Answer): void {
  if (expected === undefined) {
    if (answer.code !== grpc.status.INVALID_ARGUMENT)
      throw new Error(`invalid Allocate answered ${grpc.status[answer.code]}, not INVALID_ARGUMENT`);
    return;
  }
  if (answer.code !== grpc.status.OK)
    throw new Error(`valid Allocate refused: ${(answer as { details: string }).details}`);
  const res = decodeResponse<AllocateResponse>('Allocate', (answer as { response: Buffer }).response);
  const got = res.container_responses.map((r) => r.envs.NVIDIA_VISIBLE_DEVICES);
  expect(got).toEqual(expected);
}

function hasDuplicates(ids: readonly string[]): boolean {
  return new Set(ids).size !== ids.length;
}

/** GetPreferredAllocation: whether the kubelet could have sent this container entry. */
export function preferredEntryValid(advertised: ReadonlySet<string>, c: WireContainerPreferred): boolean {
  const available = c.available.map(decodedText);
  const must = c.mustInclude.map(decodedText);
  return (
    c.size >= 1 &&
    c.size <= available.length &&
    must.length <= c.size &&
    !hasDuplicates(available) &&
    !hasDuplicates(must) &&
    [...available, ...must].every((id) => advertised.has(id)) &&
    must.every((id) => available.includes(id))
  );
}

export function preferredValid(
  advertised: ReadonlySet<string>,
  containers: readonly WireContainerPreferred[],
): boolean {
  return containers.length > 0 && containers.every((c) => preferredEntryValid(advertised, c));
}

/**
 * A valid request gets, per container, `size` distinct IDs out of available that include
 * every must-include ID; an invalid one gets INVALID_ARGUMENT.
 */
export function checkPreferredAnswer(
  advertised: ReadonlySet<string>,
  containers: readonly WireContainerPreferred[],
  answer: Answer,
): void {
  if (!preferredValid(advertised, containers)) {
    if (answer.code !== grpc.status.INVALID_ARGUMENT) {
      throw new Error(`invalid GetPreferredAllocation answered ${grpc.status[answer.code]}, not INVALID_ARGUMENT`);
    }
    return;
  }
  if (answer.code !== grpc.status.OK)
    throw new Error(`valid GetPreferredAllocation refused: ${(answer as { details: string }).details}`);
  const res = decodeResponse<PreferredAllocationResponse>(
    'GetPreferredAllocation',
    (answer as { response: Buffer }).response,
  );
  expect(res.container_responses).toHaveLength(containers.length);
  containers.forEach((c, i) => {
    const got = res.container_responses[i].deviceIDs;
    const available = new Set(c.available.map(decodedText));
    expect(got).toHaveLength(c.size);
    expect(hasDuplicates(got)).toBe(false);
    expect(got.filter((id) => !available.has(id))).toEqual([]);
    expect(c.mustInclude.map(decodedText).filter((id) => !got.includes(id))).toEqual([]);
  });
}
