/**
 * A/B harness for one lever at a time (docs/benchmarks.md, "Second pass"): starts our plugin
 * in several variants, interleaved, and prints medians with every run.
 *
 *   npx ts-node --transpile-only -O '{"module":"commonjs","moduleResolution":"node"}' \
 *     bench/ab.ts MODE LABEL=SCRIPT[,NODE_FLAG|ENV:NAME:VALUE...] ...
 *
 *   MODE  start: on NVIDIA's mock NVML (A100), start → first ListAndWatch (wall and CPU), RSS
 *         idle:  the same, then CPU over IDLE_S (20) idle seconds; TASKS=1 prints per-thread
 *                CPU and voluntary context switches
 *         alloc: on the fake 8-GPU node, bench/go Allocates (10,000 × 1 client, 40,000 × 8),
 *                CPU per call, p50, throughput, RSS and its anonymous part (RssAnon) after;
 *                LATE_RSS_MS=N reads the RSS again N ms later (what an idle process gives back)
 *         rereg: on the fake 8-GPU node, REREG (10) kubelet restarts, each the bench's
 *                re-register figure (ms until registered again and the list sent)
 *   LABEL=nvidia runs NVIDIA's binary (test/tools/peers.sh) in the same rounds, for its column.
 *   NODEBIN  the node binary (e.g. "$(bash test/tools/node-lts.sh)/node"); REPS (3) rounds.
 * Example: bench/ab.ts start lib=plugin/bin/gpu-device-plugin.js,--max-semi-space-size=1 \
 *            bundle=plugin/lib/bundle/gpu-device-plugin.js,--max-semi-space-size=1
 */
import './support/nodenext-resolve';
import { createFakeNode } from '../test/parity/fake-node';
import { createMockNode } from '../test/parity/mock-node';
import { startPlugin, waitForRegistration } from '../test/parity/plugin-process';
import { eightGpus } from './support/topologies';
import { allocateLoad, socketOf } from './support/dpload';
import { cpuMs, rssMiB } from './support/proc';
import { until } from './support/stats';
import { reRegisterMs } from './support/plugin-figures';
import type { PluginKind } from '../test/parity/plugin-process';
const GPU = 'nvidia.com/gpu';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// usage: ab.ts MODE(start|alloc|idle) label=script[,flag...] ...  (env REPS, IDLE_S, NODEBIN)
const [mode, ...variants] = process.argv.slice(2);
const nodeBinary = process.env.NODEBIN ?? process.execPath;
const reps = Number(process.env.REPS ?? 3);
async function one(script: string, nodeArgs: string[], env: Record<string, string>, kind: PluginKind = 'ours') {
  const out: Record<string, number> = {};
  if (mode === 'rereg') {
    const node = createFakeNode(eightGpus(), { version: 'v1' });
    const p = await startPlugin({ kind, node, nodeArgs, nodeBinary, script, env });
    try {
      await waitForRegistration(p, [GPU]);
      await sleep(1000);
      const n = Number(process.env.REREG ?? 10);
      for (let i = 0; i < n; i++) out[`r${i}`] = await reRegisterMs(p);
    } finally {
      await p.stop();
      node.remove();
    }
  } else if (mode === 'alloc') {
    const spec = eightGpus();
    const node = createFakeNode(spec, { version: 'v1' });
    const p = await startPlugin({ kind: 'ours', node, nodeArgs, nodeBinary, script, env });
    try {
      await waitForRegistration(p, [GPU]);
      const socket = socketOf(p);
      const ids = `${spec.gpus[0].uuid},${spec.gpus[1].uuid}`;
      const c0 = cpuMs(p.child.pid!);
      const a = allocateLoad(socket, ids, 1, 10000, 500);
      const b = allocateLoad(socket, ids, 8, 40000, 100);
      out.cpuPerCallUs = ((cpuMs(p.child.pid!) - c0) * 1000) / 50900;
      Object.assign(out, { p50_1: a.p50Us, tput1: a.throughputPerS, p50_8: b.p50Us, tput8: b.throughputPerS });
      await sleep(300);
      out.rssAfter = rssMiB(p.child.pid!);
      const status = require('node:fs').readFileSync(`/proc/${p.child.pid}/status`, 'utf8');
      out.anonAfter = Number(/RssAnon:\s+(\d+)/.exec(status)![1]) / 1024;
      if (process.env.LATE_RSS_MS) {
        await sleep(Number(process.env.LATE_RSS_MS));
        out.rssLate = rssMiB(p.child.pid!);
      }
    } finally {
      await p.stop();
    }
  } else {
    const node = createMockNode('a100');
    const p = await startPlugin({ kind, node, nodeArgs, nodeBinary, script, env: { ...node.env, ...env } });
    try {
      await waitForRegistration(p, [GPU]);
      out.startMs = (await until('LW', () => (p.stub.resources.get(GPU)?.lists.length ?? 0) > 0)) - p.spawnedAt;
      out.startCpu = cpuMs(p.child.pid!);
      await sleep(1000);
      out.rss = rssMiB(p.child.pid!);
      if (mode === 'idle') {
        const fs = require('node:fs');
        const tasks = () =>
          Object.fromEntries(
            fs.readdirSync(`/proc/${p.child.pid}/task`).map((t: string) => {
              const st = fs.readFileSync(`/proc/${p.child.pid}/task/${t}/stat`, 'utf8');
              const name = st.slice(st.indexOf('(') + 1, st.lastIndexOf(')'));
              const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
              const sch = fs.readFileSync(`/proc/${p.child.pid}/task/${t}/status`, 'utf8');
              const vol = Number(/voluntary_ctxt_switches:\s+(\d+)/.exec(sch)![1]);
              return [`${t} ${name}`, [(Number(f[11]) + Number(f[12])) * 10, vol]];
            }),
          );
        const t0 = tasks();
        const c0 = cpuMs(p.child.pid!);
        await sleep(Number(process.env.IDLE_S ?? 20) * 1000);
        out.idleCpu = cpuMs(p.child.pid!) - c0;
        const t1 = tasks();
        if (process.env.TASKS)
          for (const k of Object.keys(t1)) {
            const a = t0[k] ?? [0, 0];
            const b = t1[k];
            if (b[0] - a[0] > 0 || b[1] - a[1] > 5)
              console.log(`  ${k}: cpu ${b[0] - a[0]} ms, wakeups ${b[1] - a[1]}`);
          }
      }
    } finally {
      await p.stop();
      node.remove();
    }
  }
  return out;
}
(async () => {
  const res: Record<string, Record<string, number>[]> = {};
  for (let r = 0; r < reps; r++)
    for (const v of variants) {
      const label = v.slice(0, v.indexOf('='));
      const rest = v.slice(v.indexOf('=') + 1);
      const [rel, ...flags] = rest.split(',');
      const script = require('node:path').resolve(rel);
      const env: Record<string, string> = {};
      const nodeArgs = flags.filter((f) => {
        if (f.startsWith('ENV:')) {
          const [k, val] = f.slice(4).split(':');
          env[k] = val;
          return false;
        }
        return true;
      });
      (res[label] ??= []).push(await one(script, nodeArgs, env, rest === 'nvidia' ? 'nvidia' : 'ours'));
    }
  for (const [label, runs] of Object.entries(res)) {
    const keys = Object.keys(runs[0]);
    const med = (xs: number[]) => {
      const s = [...xs].sort((a, b) => a - b);
      return s[Math.floor(s.length / 2)];
    };
    if (mode === 'rereg') {
      const all = runs.flatMap((x) => Object.values(x));
      console.log(label.padEnd(14), `reRegisterMs=${med(all).toFixed(1)} [${all.map((v) => v.toFixed(0)).join(' ')}]`);
      continue;
    }
    console.log(
      label.padEnd(14),
      keys
        .map((k) => `${k}=${med(runs.map((x) => x[k])).toFixed(1)} [${runs.map((x) => x[k].toFixed(0)).join(' ')}]`)
        .join('  '),
    );
  }
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
