/**
 * No import cycles in the plugin: neither between two modules nor between two folders of
 * plugin/src (devices/ → health/ and health/ → devices/ was one). The graph is read with the
 * TypeScript compiler's own import scanner (ts.preProcessFile), which sees `import type`,
 * `export … from` and `require()` alike, so a type-only import counts too: a folder that
 * needs a type of another folder's is below it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import * as ts from 'typescript';

const ROOT = join(__dirname, '../../plugin/src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** module (relative to plugin/src, `.ts`) → the plugin modules it imports. */
function importGraph(root: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(root)) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = importedFiles
      .map((imported) => imported.fileName)
      .filter((name) => name.startsWith('.'))
      .map((name) => relative(root, join(dirname(file), name)).replace(/\.js$/, '.ts'));
    graph.set(relative(root, file), [...new Set(targets)]);
  }
  return graph;
}

/** The strongly connected components with more than one node (Tarjan): each is a cycle. */
function cycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (node: string): void => {
    index.set(node, next);
    low.set(node, next);
    next++;
    stack.push(node);
    onStack.add(node);
    for (const target of graph.get(node) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(node, Math.min(low.get(node)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(node, Math.min(low.get(node)!, index.get(target)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

/**
 * Folder of a module: its first path segment under plugin/src. A top-level file is a node of
 * its own: the entry points (cli.ts, runtime.ts) import every folder, and every folder may
 * import constants.ts.
 */
const folderOf = (module: string): string => (module.includes(sep) ? module.split(sep)[0] : module);

function folderGraph(graph: Map<string, string[]>): { graph: Map<string, string[]>; via: Map<string, string> } {
  const folders = new Map<string, Set<string>>();
  const via = new Map<string, string>();
  for (const [module, targets] of graph) {
    const from = folderOf(module);
    if (!folders.has(from)) folders.set(from, new Set());
    for (const target of targets) {
      const to = folderOf(target);
      if (to === from) continue;
      folders.get(from)!.add(to);
      if (!via.has(`${from} -> ${to}`)) via.set(`${from} -> ${to}`, `${module} imports ${target}`);
    }
  }
  return { graph: new Map([...folders].map(([folder, targets]) => [folder, [...targets]])), via };
}

describe('plugin import graph', () => {
  const graph = importGraph(ROOT);

  it('reads every module of plugin/src and resolves every relative import to one of them', () => {
    expect(graph.size).toBeGreaterThan(50);
    const unresolved = [...graph].flatMap(([module, targets]) =>
      targets.filter((target) => !graph.has(target)).map((target) => `${module} imports ${target}`),
    );
    expect(unresolved).toEqual([]);
  });

  it('has no cycle between modules', () => {
    expect(cycles(graph).map((cycle) => cycle.join(' <-> '))).toEqual([]);
  });

  it('has no cycle between folders (each folder only imports folders below it)', () => {
    const folders = folderGraph(graph);
    const problems = cycles(folders.graph).map((cycle) => {
      const edges = cycle.flatMap((from) =>
        cycle.filter((to) => folders.via.has(`${from} -> ${to}`)).map((to) => folders.via.get(`${from} -> ${to}`)),
      );
      return `folders ${cycle.join(', ')} import each other: ${edges.join('; ')}; move the shared type or function into the lower folder`;
    });
    expect(problems).toEqual([]);
  });

  it('finds a cycle when there is one (the check can fail)', () => {
    const withCycle = new Map(graph);
    withCycle.set('health/health-event.ts', ['devices/types.ts']);
    expect(cycles(folderGraph(withCycle).graph)).toEqual([['devices', 'health']]);
    expect(
      cycles(
        new Map([
          ['a.ts', ['b.ts']],
          ['b.ts', ['a.ts']],
          ['c.ts', []],
        ]),
      ),
    ).toEqual([['a.ts', 'b.ts']]);
  });
});
