/**
 * `npm run bench`: our device plugin against NVIDIA's k8s-device-plugin v0.20.0 on the same
 * fake node, driven by the same Go client (bench/go), and `cdk8s synth` against
 * `helm template`. Prints one table of medians over several runs made in one go, with the
 * ratio ours/NVIDIA, and writes it into docs/benchmarks.md. Figures only: no pass or fail.
 *
 *   BENCH_RUNS=3            runs per figure (the table shows medians)
 *   BENCH_IDLE_SECONDS=60   idle window for the CPU-time figure
 *   BENCH_ALLOCATES=100000  Allocate calls before the second memory reading
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
import { lifecycleRun, preferredRun, type Figures } from './support/plugin-figures';
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
const IDLE_S = num('BENCH_IDLE_SECONDS', 60);
const ALLOCATES = Math.round(num('BENCH_ALLOCATES', 100000));

interface Row {
  key: string;
  label: string;
  digits: number;
}

const PLUGIN_ROWS: Row[] = [
  { key: 'startupMs', label: 'start → first ListAndWatch (ms)', digits: 0 },
  { key: 'rssStartMiB', label: 'RSS after start (MiB)', digits: 1 },
  { key: 'rssAfterAllocMiB', label: `RSS after ${ALLOCATES.toLocaleString('en')} Allocates (MiB)`, digits: 1 },
  { key: 'idleCpuMs', label: `CPU time while idle ${IDLE_S} s (ms)`, digits: 0 },
  { key: 'allocP50Us1', label: 'Allocate p50, 1 client (µs)', digits: 0 },
  { key: 'allocP99Us1', label: 'Allocate p99, 1 client (µs)', digits: 0 },
  { key: 'allocPerS1', label: 'Allocate throughput, 1 client (/s)', digits: 0 },
  { key: 'allocP50Us8', label: 'Allocate p50, 8 clients (µs)', digits: 0 },
  { key: 'allocP99Us8', label: 'Allocate p99, 8 clients (µs)', digits: 0 },
  { key: 'allocPerS8', label: 'Allocate throughput, 8 clients (/s)', digits: 0 },
  { key: 'pref8P50Us', label: 'GetPreferredAllocation p50, 8 GPUs, slowest case (µs)', digits: 0 },
  { key: 'pref8Quality', label: 'preferred quality, 8 GPUs, worst case (score / optimum)', digits: 3 },
  { key: 'pref16P50Us', label: 'GetPreferredAllocation p50, 16 GPUs, slowest case (µs)', digits: 0 },
  { key: 'pref16Quality', label: 'preferred quality, 16 GPUs, worst case (score / optimum)', digits: 3 },
  { key: 'reRegisterMs', label: 're-register after kubelet.sock re-created (ms)', digits: 0 },
  { key: 'xidMs', label: 'XID 48 → Unhealthy in ListAndWatch (ms)', digits: 1 },
];

const SYNTH_ROWS: Array<Row & { vs: string }> = [
  { key: 'synthDefaultMs', label: 'cdk8s synth, default plugin stack (ms)', digits: 0, vs: 'helmTemplateMs' },
  { key: 'synthJobsMs', label: 'cdk8s synth, 1,000 GpuJobs (ms)', digits: 0, vs: 'helmTemplateMs' },
];

async function pluginRun(kind: PluginKind): Promise<Figures> {
  const f = await lifecycleRun(kind, { idleSeconds: IDLE_S, allocates: ALLOCATES });
  const p8 = await preferredRun(kind, 8);
  const p16 = await preferredRun(kind, 16);
  return { ...f, pref8P50Us: p8.preferredP50Us, pref8Quality: p8.preferredQuality, pref16P50Us: p16.preferredP50Us, pref16Quality: p16.preferredQuality };
}

const medianOf = (runs: Figures[], key: string): number => median(runs.map((r) => r[key]).filter((v) => v !== undefined));
const fmt = (v: number, digits: number): string => (Number.isFinite(v) ? v.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : 'n/a');
const ratio = (a: number, b: number): string => (Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? (a / b).toFixed(2) : 'n/a');

function machine(): string {
  const go = (() => {
    try {
      return execFileSync('go', ['version'], { encoding: 'utf8' }).trim().replace(/^go version /, '');
    } catch {
      return 'not found';
    }
  })();
  return `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Linux ${os.release()}, Node ${process.version}, Go ${go}`;
}

function table(ours: Figures[], nvidia: Figures[], synth: Figures[], nvidiaNote: string): string {
  const lines = [
    `| figure | ours | NVIDIA v0.20.0 | ours / NVIDIA |`,
    `|---|---:|---:|---:|`,
    ...PLUGIN_ROWS.map((r) => {
      const a = medianOf(ours, r.key);
      const b = nvidia.length ? medianOf(nvidia, r.key) : Number.NaN;
      return `| ${r.label} | ${fmt(a, r.digits)} | ${fmt(b, r.digits)} | ${ratio(a, b)} |`;
    }),
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
    `Medians of ${RUNS} run(s) made in one go on: ${machine()}.`,
    'Allocate and GetPreferredAllocation are driven over the unix socket by the same Go client (bench/go, grpc-go), one connection per client, 2 GPUs per Allocate request.',
    'Synthesis and helm template are whole-process wall times (a fresh node or helm process each).',
    nvidiaNote,
  ];
  return `${lines.join('\n')}\n\n${notes.map((n) => `- ${n}`).join('\n')}\n`;
}

/** One sentence on why NVIDIA's binary is missing; the full Go error stays in .cache/tools. */
function whyNoNvidia(message: string): string {
  if (/403 Forbidden/.test(message) && /not available/.test(message)) {
    return "the Go module proxy refuses github.com/NVIDIA/k8s-device-plugin (403 Forbidden, \"This module version is not available\", for every tag), so its binary cannot be built here; set NVIDIA_DEVICE_PLUGIN_BIN to a build from elsewhere (details in docs/parity.md).";
  }
  return `${message.replace(/\s+/g, ' ').slice(0, 300)} (full error: .cache/tools/nvidia-device-plugin.error).`;
}

function writeDocs(text: string): void {
  const file = path.join(repoRoot, 'docs', 'benchmarks.md');
  const begin = '<!-- bench:begin (written by npm run bench) -->';
  const end = '<!-- bench:end -->';
  const doc = fs.readFileSync(file, 'utf8');
  const a = doc.indexOf(begin);
  const b = doc.indexOf(end);
  if (a < 0 || b < a) throw new Error(`docs/benchmarks.md lacks the markers ${begin} … ${end}; put them where the table goes`);
  fs.writeFileSync(file, `${doc.slice(0, a + begin.length)}\n${text}${doc.slice(b)}`);
}

async function main(): Promise<void> {
  ensureOurPluginBuilt();
  buildDpload();
  const helm = helmBinary();
  let nvidiaNote = "NVIDIA's plugin ran from the same fake NVML and kubelet stub.";
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
  for (let run = 1; run <= RUNS; run++) {
    process.stderr.write(`bench: run ${run}/${RUNS}\n`);
    ours.push(await pluginRun('ours'));
    if (withNvidia) nvidia.push(await pluginRun('nvidia'));
    synth.push(synthRun(helm));
  }
  const text = table(ours, nvidia, synth, nvidiaNote);
  process.stdout.write(text);
  if (process.env.BENCH_WRITE_DOCS !== '0') writeDocs(text);
}

main().catch((err) => {
  process.stderr.write(`bench: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
