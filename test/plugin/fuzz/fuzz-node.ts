/**
 * One running plugin process per fuzz file (the real binary against the fake NVML and
 * the kubelet stub), a raw client that sends hand-built bytes and gets back either the
 * response bytes or the status, and the checks every answer and the process must pass.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import fc from 'fast-check';
import { devicePluginService } from '../../../plugin/src/kubelet/api-proto';
import type { FakeNvmlSpec } from '../helpers/fake-nvml';
import type { PluginClient } from '../helpers/kubelet-stub';
import { buildPlugin, httpGet, startNode, type NodeUnderTest } from '../integration/plugin-process';
import { idArbitraries, type IdArbitraries } from './id-arbitraries';

export type Method = 'Allocate' | 'GetPreferredAllocation' | 'PreStartContainer' | 'GetDevicePluginOptions';

/** What came back for one call: the response bytes, or a status. */
export type Answer = { code: grpc.status.OK; response: Buffer } | { code: grpc.status; details: string };

/** grpc-js's server refuses requests over 4 MiB before the plugin sees them. */
export const MAX_REQUEST_BYTES = 4 * 1024 * 1024;

/** What grpc-js answers when the bytes are not a protobuf message of the method's type. */
export const UNDECODABLE = { code: grpc.status.INTERNAL, details: 'Error deserializing request' } as const;

const CALL_TIMEOUT_MS = 20000;

export interface FuzzNode {
  node: NodeUnderTest;
  resource: string;
  /** Device IDs the plugin advertised in ListAndWatch, in order. */
  ids: string[];
  client: PluginClient;
  /** Sends `bytes` as the request of `method`; never rejects. */
  call(method: Method, bytes: Buffer): Promise<Answer>;
  stop(): Promise<void>;
}

/**
 * Starts the plugin for `spec` (and an optional config file) and waits until `resource`
 * is registered with its ListAndWatch open. Logs only errors: refused requests log a
 * warning each, with the request in it, and the fuzz sends thousands of multi-MB ones.
 */
export async function startFuzzNode(spec: FakeNvmlSpec, resource: string, configYaml?: string): Promise<FuzzNode> {
  // Build first: startNode opens the kubelet stub before it builds, and a failed build
  // would leave that server open and jest waiting for it forever.
  buildPlugin();
  const env: Record<string, string> = { LOG_LEVEL: 'error' };
  let node: NodeUnderTest;
  if (configYaml === undefined) {
    node = await startNode(spec, { env });
  } else {
    // The config file has to exist before the process starts: write it next to the stub's dir.
    const dir = fs.mkdtempSync(path.join('/tmp', 'fuzzcfg-'));
    const file = path.join(dir, 'config.yaml');
    fs.writeFileSync(file, configYaml);
    node = await startNode(spec, { env: { ...env, CONFIG_FILE: file } });
    const stop = node.stop.bind(node);
    node.stop = async () => {
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
    };
  }
  await node.stub.waitForResources([resource], 30000);
  const ids = node.stub.latest(resource)!.map((d) => d.ID);
  const client = node.stub.client(resource);
  return {
    node,
    resource,
    ids,
    client,
    call: (method, bytes) => rawCall(client, method, bytes),
    stop: () => node.stop(),
  };
}

function rawCall(client: PluginClient, method: Method, bytes: Buffer): Promise<Answer> {
  return new Promise((resolve) => {
    client.raw.makeUnaryRequest(
      `/v1beta1.DevicePlugin/${method}`,
      (b: Buffer) => b,
      (b: Buffer) => b,
      bytes,
      { deadline: Date.now() + CALL_TIMEOUT_MS },
      (err, res) =>
        resolve(err ? { code: err.code, details: err.details } : { code: grpc.status.OK, response: res as Buffer }),
    );
  });
}

/** The plugin's own decoder for a method's request: what the server makes of the bytes. */
export function decodeRequest(method: Method, bytes: Buffer): unknown {
  return devicePluginService()[method].requestDeserialize(bytes);
}

export function decodeResponse<T>(method: Method, bytes: Buffer): T {
  return devicePluginService()[method].responseDeserialize(bytes) as T;
}

/** Whether the plugin's decoder accepts the bytes as the method's request. */
export function decodable(method: Method, bytes: Buffer): boolean {
  try {
    decodeRequest(method, bytes);
    return true;
  } catch {
    return false;
  }
}

export function codeName(code: grpc.status): string {
  return grpc.status[code] ?? String(code);
}

function show(answer: Answer): string {
  return answer.code === grpc.status.OK ? 'OK' : `${codeName(answer.code)}: ${answer.details.slice(0, 300)}`;
}

/**
 * Checks what every answer must be, whatever was sent: too big → RESOURCE_EXHAUSTED;
 * not a message → grpc-js's INTERNAL "Error deserializing request" (grpc-go answers the
 * same code); otherwise OK or INVALID_ARGUMENT with a message for people. Never
 * UNKNOWN, never a timeout, never a stack trace. Returns the answer for further checks.
 */
export function expectProperAnswer(method: Method, bytes: Buffer, answer: Answer): Answer {
  const context = `${method} with ${bytes.length} bytes answered ${show(answer)}`;
  if (bytes.length > MAX_REQUEST_BYTES) {
    if (answer.code !== grpc.status.RESOURCE_EXHAUSTED) throw new Error(`${context}; expected RESOURCE_EXHAUSTED`);
    return answer;
  }
  if (!decodable(method, bytes)) {
    if (answer.code !== UNDECODABLE.code || !('details' in answer) || answer.details !== UNDECODABLE.details) {
      throw new Error(
        `${context}; expected ${codeName(UNDECODABLE.code)} "${UNDECODABLE.details}" for bytes that do not decode`,
      );
    }
    return answer;
  }
  if (answer.code === grpc.status.OK) return answer;
  if (answer.code !== grpc.status.INVALID_ARGUMENT) throw new Error(`${context}; expected OK or INVALID_ARGUMENT`);
  const details = (answer as { details: string }).details;
  if (details.trim() === '' || /\n\s+at /.test(details) || details.length > 1024) {
    throw new Error(`${context}; the message must be a short sentence for people, not empty or a stack trace`);
  }
  return answer;
}

/** Sends every request at once (the kubelet may too) and checks each answer. */
export async function sendAll<R extends { method: Method; bytes: Buffer }>(
  fuzz: FuzzNode,
  requests: readonly R[],
  check: (request: R, answer: Answer) => void = () => undefined,
): Promise<void> {
  const answers = await Promise.all(requests.map((r) => fuzz.call(r.method, r.bytes)));
  requests.forEach((r, i) => check(r, expectProperAnswer(r.method, r.bytes, answers[i])));
}

/**
 * The process is still up and still doing its job: a valid Allocate answers, the
 * kubelet's ListAndWatch stream is still open on the same registration, /healthz is 200,
 * and nothing it printed is a stack trace.
 */
export async function expectStillServing(fuzz: FuzzNode, validIds: string[], registrations: number): Promise<void> {
  expect(fuzz.node.plugin.running).toBe(true);
  const res = await fuzz.client.allocateIds(validIds);
  expect(res.container_responses).toHaveLength(1);
  const state = fuzz.node.stub.resources.get(fuzz.resource);
  expect(state?.streamEnded).toBe(false);
  expect(fuzz.node.stub.registerCount(fuzz.resource)).toBe(registrations);
  await expect(httpGet(fuzz.node.port, '/healthz')).resolves.toMatchObject({ status: 200 });
  expect(`${fuzz.node.plugin.stdout}\n${fuzz.node.plugin.stderr}`).not.toMatch(/\n\s+at \S+ \(/);
}

/**
 * Seed of every property unless FUZZ_SEED is set: the same cases on every run, so a CI
 * failure reproduces; set FUZZ_SEED to explore others
 * (`FUZZ_SEED=$RANDOM npx jest test/plugin/fuzz --selectProjects plugin`).
 */
export const DEFAULT_SEED = 20261126;

export function fuzzSeed(): number {
  return process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : DEFAULT_SEED;
}

/** fast-check run options: `numRuns` cases from the run's seed. */
export function runs(numRuns: number): { numRuns: number; seed: number } {
  return { numRuns, seed: fuzzSeed() };
}

/** Counts cases per suite and prints one summary line. */
export class CaseCounter {
  private readonly counts = new Map<string, number>();

  add(kind: string, n: number): void {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + n);
  }

  get total(): number {
    return [...this.counts.values()].reduce((a, b) => a + b, 0);
  }

  summary(suite: string): string {
    const parts = [...this.counts.entries()].map(([k, v]) => `${k} ${v}`).join(', ');
    return `${suite}: ${this.total} fuzz cases (${parts}), seed ${fuzzSeed()}`;
  }
}

/** One fuzz file's running plugin, what it advertised, and its case counts. */
export interface FuzzSuite {
  readonly fuzz: FuzzNode;
  readonly advertised: ReadonlySet<string>;
  readonly ids: IdArbitraries;
  readonly counter: CaseCounter;
}

/**
 * Starts the plugin in `beforeAll` and stops it in `afterAll`, after printing the file's
 * case counts under `title`. Read the fields inside tests: they exist once `beforeAll` ran.
 */
export function fuzzSuite(title: string, spec: FakeNvmlSpec, resource: string, configYaml?: string): FuzzSuite {
  const counter = new CaseCounter();
  let started: { fuzz: FuzzNode; advertised: Set<string>; ids: IdArbitraries } | undefined;
  beforeAll(async () => {
    const fuzz = await startFuzzNode(spec, resource, configYaml);
    started = { fuzz, advertised: new Set(fuzz.ids), ids: idArbitraries(fuzz.ids) };
  });
  afterAll(async () => {
    console.log(counter.summary(title));
    await started?.fuzz.stop();
  });
  const get = (): NonNullable<typeof started> => {
    if (!started)
      throw new Error(
        `the ${title} plugin is not running: read the suite inside a test, after its beforeAll started it`,
      );
    return started;
  };
  return {
    counter,
    get fuzz() {
      return get().fuzz;
    },
    get advertised() {
      return get().advertised;
    },
    get ids() {
      return get().ids;
    },
  };
}

/** Requests sent together in one property case: the kubelet may send many at once too. */
export const BATCH = 25;

/**
 * Runs `numRuns` cases (the run's seed) of `batch` generated requests: each case sends its
 * requests at once, checks every answer with expectProperAnswer and then `check`, and
 * counts them under `kind`.
 */
export async function fuzzBatches<R extends { method: Method; bytes: Buffer }>(
  suite: FuzzSuite,
  kind: string,
  cases: { of: fc.Arbitrary<R>; numRuns: number; batch?: number },
  check?: (request: R, answer: Answer) => void,
): Promise<void> {
  const size = cases.batch ?? BATCH;
  await fc.assert(
    fc.asyncProperty(fc.array(cases.of, { minLength: size, maxLength: size }), async (requests) => {
      await sendAll(suite.fuzz, requests, check);
      suite.counter.add(kind, requests.length);
    }),
    runs(cases.numRuns),
  );
}
