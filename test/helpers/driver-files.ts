/**
 * The pieces of a fake NVIDIA driver root that the parity node (test/parity/cdi-node.ts) and
 * the e2e node (test/e2e/helpers/fake-driver.ts) both make: real character device nodes,
 * shared objects with real ELF sonames, links. Each is made only where nothing stands yet.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Whether anything stands at `p`, a dangling link included. */
export function exists(p: string): boolean {
  try {
    fs.lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

/** A character device node (mknod, mode 0666); no driver answers it, which nothing here needs. */
export function charDevice(file: string, major: number, minor: number): void {
  if (exists(file)) return;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  execFileSync('mknod', ['-m', '0666', file, 'c', String(major), String(minor)]);
}

/** A shared object whose only content is its soname (what a CDI spec generator reads). */
export function elfStub(file: string, soname: string): void {
  if (!exists(file))
    execFileSync('cc', ['-shared', '-nostdlib', `-Wl,-soname,${soname}`, '-o', file, '-x', 'c', '/dev/null']);
}

/** A symbolic link `link` → `target`. */
export function symlink(target: string, link: string): void {
  if (!exists(link)) fs.symlinkSync(target, link);
}
