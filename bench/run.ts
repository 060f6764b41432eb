/**
 * `npm run bench`: our device plugin against NVIDIA's k8s-device-plugin v0.20.0 on the same
 * fake node, driven by the same Go client (bench/go), and `cdk8s synth` against
 * `helm template`. Prints one table of medians over several runs made in one go, with the
 * ratio ours/NVIDIA, and writes it into docs/benchmarks.md. Figures only: no pass or fail.
 *
 *   BENCH_RUNS=3            runs per figure (the table shows medians)
 *   BENCH_IDLE_SECONDS=20   idle window for the CPU-time figures
 *   BENCH_ALLOCATES=100000  Allocate calls before the second memory reading
 *   BENCH_PREFERRED_SECONDS=5  cut-off per GetPreferredAllocation case for a slow plugin
 *                           (NVIDIA's takes seconds per call at 16 GPUs); the table says
 *                           how many requests each figure is over
 *   BENCH_WRITE_DOCS=0      print only, leave docs/benchmarks.md alone
 *   NVIDIA_DEVICE_PLUGIN_BIN=/path  NVIDIA's binary, when test/tools/nvidia-plugin.sh cannot build it
 */
import './support/nodenext-resolve';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { nvidiaPluginBinary, ensureOurPluginBuilt, type PluginKind } from '../test/parity/plugin-process';
import { buildDpload } from './support/dpload';
import { imageNodeBinary, imageNodeFlags } from './support/image-flags';
import { mockIdleRun, mockPreferredRun, type PreferredFigure } from './support/mock-figures';
import { lifecycleRun, preferredRun, RE_REGISTRATIONS, type Figures } from './support/plugin-figures';
import { MOCK_PROFILES } from '../test/parity/mock-node';
import { median } from './support/stats';
import { helmBinary, synthRun } from './support/synth-figures';

const repoRoot = path.resolve(__dirname, '..');
const num = (name: string, fallback: number): number => {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a number ≥ 0 (got ${v})`);
  return n;
};

const RUNS = Math.max(1, Math.round(num('BENCH_RUNS', 3)));
const IDLE_S = num('BENCH_IDLE_SECONDS', 20);
const ALLOCATES = Math.round(num('BENCH_ALLOCATES', 100000));
const PREFERRED_S = num('BENCH_PREFERRED_SECONDS', 5);
const PREFERRED_REQUESTS = 300;
const MOCK_PREFERRED_REQUESTS = 100;
const NODE_ARGS = imageNodeFlags();
const IMAGE_NODE = imageNodeBinary();
const RUNTIME = { nodeArgs: NODE_ARGS, nodeBinary: IMAGE_NODE.path };

interface Row {
  key: string;
  label: string;
  digits: number;
  /** What the figure is measured over (requests, window), shown in the table. */
  over: string;
}

const PLUGIN_ROWS: Row[] = [
  { key: 'startupMs', label: 'start → first ListAndWatch (ms)', digits: 0, over: 'one start' },
  { key: 'rssStartMiB', label: 'RSS after start (MiB)', digits: 1, over: '1 s after registering' },
  {
    key: 'rssAfterAllocMiB',
    label: `RSS after ${ALLOCATES.toLocaleString('en')} Allocates (MiB)`,
    digits: 1,
    over: `${ALLOCATES.toLocaleString('en')} Allocates`,
  },
  {
    key: 'idleCpuMs',
    label: `CPU time while idle ${IDLE_S} s (ms)`,
    digits: 0,
    over: `${IDLE_S} s; our fake NVML polls a file inside its event wait`,
  },
  { key: 'allocP50Us1', label: 'Allocate p50, 1 client (µs)', digits: 0, over: '10,000 requests' },
  { key: 'allocP99Us1', label: 'Allocate p99, 1 client (µs)', digits: 0, over: '10,000 requests' },
  { key: 'allocPerS1', label: 'Allocate throughput, 1 client (/s)', digits: 0, over: '10,000 requests' },
  { key: 'allocP50Us8', label: 'Allocate p50, 8 clients (µs)', digits: 0, over: '40,000 requests' },
  { key: 'allocP99Us8', label: 'Allocate p99, 8 clients (µs)', digits: 0, over: '40,000 requests' },
  { key: 'allocPerS8', label: 'Allocate throughput, 8 clients (/s)', digits: 0, over: '40,000 requests' },
  { key: 'pref8P50Us', label: 'GetPreferredAllocation p50, 8 GPUs, slowest case (µs)', digits: 0, over: 'pref8' },
  { key: 'pref8Quality', label: 'preferred quality, 8 GPUs, worst case (score / optimum)', digits: 3, over: 'pref8' },
  { key: 'pref16P50Us', label: 'GetPreferredAllocation p50, 16 GPUs, slowest case (µs)', digits: 0, over: 'pref16' },
  {
    key: 'pref16Quality',
    label: 'preferred quality, 16 GPUs, worst case (score / optimum)',
    digits: 3,
    over: 'pref16',
  },
  {
    key: 'reRegisterMs',
    label: 're-register after kubelet.sock re-created (ms)',
    digits: 0,
    over: `median of ${RE_REGISTRATIONS} kubelet restarts`,
  },
  { key: 'xidMs', label: 'XID 48 → Unhealthy in ListAndWatch (ms)', digits: 1, over: 'median of 3 GPUs' },
  { key: 'mockStartupMs', label: 'mock NVML A100: start → first ListAndWatch (ms)', digits: 0, over: 'one start' },
  { key: 'mockRssStartMiB', label: 'mock NVML A100: RSS after start (MiB)', digits: 1, over: '1 s after registering' },
  {
    key: 'mockIdleCpuMs',
    label: `mock NVML A100: CPU time while idle ${IDLE_S} s (ms)`,
    digits: 0,
    over: `${IDLE_S} s; the mock's event wait blocks like a driver's`,
  },
];

const SYNTH_ROWS: Array<Omit<Row, 'over'> & { vs: string }> = [
  { key: 'synthDefaultMs', label: 'cdk8s synth, default plugin stack (ms)', digits: 0, vs: 'helmTemplateMs' },
  { key: 'synthJobsMs', label: 'cdk8s synth, 1,000 GpuJobs (ms)', digits: 0, vs: 'helmTemplateMs' },
];

async function pluginRun(kind: PluginKind): Promise<Figures> {
  const f = await lifecycleRun(kind, { idleSeconds: IDLE_S, allocates: ALLOCATES, ...RUNTIME });
  const prefOpts = { requests: PREFERRED_REQUESTS, maxSeconds: PREFERRED_S, ...RUNTIME };
  const p8 = await preferredRun(kind, 8, prefOpts);
  const p16 = await preferredRun(kind, 16, prefOpts);
  const mock = await mockIdleRun(kind, IDLE_S, RUNTIME);
  return {
    ...f,
    ...mock,
    pref8P50Us: p8.preferredP50Us,
    pref8Quality: p8.preferredQuality,
    pref8Requests: p8.preferredMinRequests,
    pref8Capped: p8.preferredCapped,
    pref16P50Us: p16.preferredP50Us,
    pref16Quality: p16.preferredQuality,
    pref16Requests: p16.preferredMinRequests,
    pref16Capped: p16.preferredCapped,
  };
}

type MockRun = Map<string, PreferredFigure>;

async function mockTopologyRun(kind: PluginKind): Promise<MockRun> {
  const out: MockRun = new Map();
  for (const profile of MOCK_PROFILES) {
    for (const f of await mockPreferredRun(kind, profile, {
      requests: MOCK_PREFERRED_REQUESTS,
      maxSeconds: PREFERRED_S,
      ...RUNTIME,
    })) {
      out.set(`${profile}|${f.size}|${f.must.join(',')}`, f);
    }
  }
  return out;
}

const medianOf = (runs: Figures[], key: string): number =>
  median(runs.map((r) => r[key]).filter((v) => v !== undefined));
const fmt = (v: number, digits: number): string =>
  Number.isFinite(v) ? v.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : 'n/a';
const ratio = (a: number, b: number): string =>
  Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? (a / b).toFixed(2) : 'n/a';

function machine(): string {
  const go = (() => {
    try {
      return execFileSync('go', ['version'], { encoding: 'utf8' })
        .trim()
        .replace(/^go version /, '');
    } catch {
      return 'not found';
    }
  })();
  return `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Linux ${os.release()}, Node ${process.version} (the bench and the synthesis rows; our plugin: ${IMAGE_NODE.version}), Go ${go}`;
}

/** "300 / 300 requests per case", or the cut-off when a plugin hit it. */
function preferredOver(ours: Figures[], nvidia: Figures[], key: 'pref8' | 'pref16'): string {
  const side = (runs: Figures[]): string => {
    if (runs.length === 0) return 'n/a';
    const n = Math.min(...runs.map((r) => r[`${key}Requests`]));
    const capped = runs.some((r) => r[`${key}Capped`] === 1);
    return capped ? `**${n.toLocaleString('en')} (cut off after ${PREFERRED_S} s)**` : n.toLocaleString('en');
  };
  return `requests per case, ours / NVIDIA: ${side(ours)} / ${side(nvidia)}`;
}

function mockTable(ours: MockRun[], nvidia: MockRun[]): string {
  const lines = [
    '| profile | size | must-include | ours p50 (µs) | NVIDIA p50 (µs) | ours / NVIDIA | ours quality | NVIDIA quality | requests, ours / NVIDIA |',
    '|---|---:|---|---:|---:|---:|---:|---:|---|',
  ];
  const keys = ours.length ? [...ours[0].keys()] : [];
  for (const key of keys) {
    const [profile, size, must] = key.split('|');
    const a = ours.map((r) => r.get(key)!).filter(Boolean);
    const b = nvidia.map((r) => r.get(key)!).filter(Boolean);
    const p50a = median(a.map((x) => x.p50Us));
    const p50b = b.length ? median(b.map((x) => x.p50Us)) : Number.NaN;
    const qa = Math.min(...a.map((x) => x.quality));
    const qb = b.length ? Math.min(...b.map((x) => x.quality)) : Number.NaN;
    const req = (xs: PreferredFigure[]): string => {
      if (xs.length === 0) return 'n/a';
      const n = Math.min(...xs.map((x) => x.requests)).toLocaleString('en');
      return xs.some((x) => x.capped) ? `**${n} (cut off after ${PREFERRED_S} s)**` : n;
    };
    lines.push(
      `| ${profile} | ${size} | ${must === '' ? 'none' : `GPU ${must}`} | ${fmt(p50a, 0)} | ${fmt(p50b, 0)} | ${ratio(p50a, p50b)} | ${fmt(qa, 3)} | ${fmt(qb, 3)} | ${req(a)} / ${req(b)} |`,
    );
  }
  return lines.join('\n');
}

function table(
  ours: Figures[],
  nvidia: Figures[],
  synth: Figures[],
  mockOurs: MockRun[],
  mockNvidia: MockRun[],
  nvidiaNote: string,
): string {
  const lines = [
    `| figure | ours | NVIDIA v0.20.0 | ours / NVIDIA | measured over |`,
    `|---|---:|---:|---:|---|`,
    ...PLUGIN_ROWS.map((r) => {
      const a = medianOf(ours, r.key);
      const b = nvidia.length ? medianOf(nvidia, r.key) : Number.NaN;
      const over = r.over === 'pref8' || r.over === 'pref16' ? preferredOver(ours, nvidia, r.over) : r.over;
      return `| ${r.label} | ${fmt(a, r.digits)} | ${fmt(b, r.digits)} | ${ratio(a, b)} | ${over} |`;
    }),
    '',
    `GetPreferredAllocation on the NVLink/PCIe topologies of NVIDIA's mock NVML profiles (as NVML reports them; quality = total pair score / exhaustive optimum, worst of the runs):`,
    '',
    mockTable(mockOurs, mockNvidia),
    '',
    `| figure | cdk8s (ours) | helm template of the chart | ours / helm |`,
    `|---|---:|---:|---:|`,
    ...SYNTH_ROWS.map((r) => {
      const a = medianOf(synth, r.key);
      const b = medianOf(synth, r.vs);
      return `| ${r.label} | ${fmt(a, r.digits)} | ${fmt(b, r.digits)} | ${ratio(a, b)} |`;
    }),
  ];
  const notes = [
    `Medians of ${RUNS} run(s) made in one go on: ${machine()}. The machine is shared: other engineers' builds and tests ran at the same time, so absolute figures move between runs; the ratios from one run are what counts.`,
    `Both plugins ran on the same fake node (our fake NVML, 8 GPUs; 16 for the 16-GPU rows), registered with the same test kubelet; the "mock NVML" rows and the topology table ran both on NVIDIA's mock NVML (k8s-test-infra) instead. Our plugin ran as the image runs it: Node ${IMAGE_NODE.version} (the image's runtime, plugin/image/versions.sh), \`node ${NODE_ARGS.join(' ')}\`.`,
    'Allocate and GetPreferredAllocation are driven over the unix socket by the same Go client (bench/go, grpc-go), one connection per client, 2 GPUs per Allocate request.',
    `A slow plugin's GetPreferredAllocation case stops after ${PREFERRED_S} s (BENCH_PREFERRED_SECONDS); the "measured over" column gives the fewest requests any case was measured over, in bold where the cut-off ended it.`,
    'Synthesis and helm template are whole-process wall times (a fresh node or helm process each).',
    nvidiaNote,
  ];
  return `${lines.join('\n')}\n\n${notes.map((n) => `- ${n}`).join('\n')}\n`;
}

/** One sentence on why NVIDIA's binary is missing; the full error stays in .cache/tools. */
function whyNoNvidia(message: string): string {
  return `${message.replace(/\s+/g, ' ').slice(0, 300)} (full error: .cache/tools/nvidia-device-plugin.error).`;
}

function writeDocs(text: string): void {
  const file = path.join(repoRoot, 'docs', 'benchmarks.md');
  const begin = '<!-- bench:begin (written by npm run bench) -->';
  const end = '<!-- bench:end -->';
  const doc = fs.readFileSync(file, 'utf8');
  const a = doc.indexOf(begin);
  const b = doc.indexOf(end);
  if (a < 0 || b < a)
    throw new Error(`docs/benchmarks.md lacks the markers ${begin} … ${end}; put them where the table goes`);
  fs.writeFileSync(file, `${doc.slice(0, a + begin.length)}\n${text}${doc.slice(b)}`);
}

async function main(): Promise<void> {
  ensureOurPluginBuilt();
  buildDpload();
  const helm = helmBinary();
  let nvidiaNote = "NVIDIA's column: its real v0.20.0 binary, built from ../shared/peers by test/tools/peers.sh.";
  let withNvidia = true;
  try {
    nvidiaPluginBinary();
  } catch (err) {
    withNvidia = false;
    nvidiaNote = `NVIDIA's column is empty: ${whyNoNvidia((err as Error).message)}`;
  }
  const ours: Figures[] = [];
  const nvidia: Figures[] = [];
  const synth: Figures[] = [];
  const mockOurs: MockRun[] = [];
  const mockNvidia: MockRun[] = [];
  const t0 = performance.now();
  for (let run = 1; run <= RUNS; run++) {
    process.stderr.write(`bench: run ${run}/${RUNS} (${((performance.now() - t0) / 1000).toFixed(0)} s so far)\n`);
    const phase = async <T>(name: string, fn: () => Promise<T> | T): Promise<T> => {
      const p0 = performance.now();
      const out = await fn();
      process.stderr.write(`bench:   ${name}: ${((performance.now() - p0) / 1000).toFixed(0)} s\n`);
      return out;
    };
    ours.push(await phase('ours', () => pluginRun('ours')));
    if (withNvidia) nvidia.push(await phase('NVIDIA', () => pluginRun('nvidia')));
    mockOurs.push(await phase('ours on the mock profiles', () => mockTopologyRun('ours')));
    if (withNvidia) mockNvidia.push(await phase('NVIDIA on the mock profiles', () => mockTopologyRun('nvidia')));
    synth.push(await phase('synthesis', () => synthRun(helm)));
  }
  process.stderr.write(`bench: done in ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
  const text = table(ours, nvidia, synth, mockOurs, mockNvidia, nvidiaNote);
  process.stdout.write(text);
  if (process.env.BENCH_WRITE_DOCS !== '0') writeDocs(text);
}

main().catch((err) => {
  process.stderr.write(`bench: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
