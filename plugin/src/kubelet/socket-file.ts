/**
 * Small helpers for the unix socket files in the device-plugins directory.
 */
import * as fs from 'node:fs';

/** Identity of a file: a re-created file gets a new one even if the inode number is reused. */
export interface FileIdentity {
  ino: bigint;
  ctimeNs: bigint;
  birthtimeNs: bigint;
}

export function fileIdentity(path: string): FileIdentity | undefined {
  try {
    const st = fs.lstatSync(path, { bigint: true });
    return { ino: st.ino, ctimeNs: st.ctimeNs, birthtimeNs: st.birthtimeNs };
  } catch {
    return undefined;
  }
}

/**
 * Same file, not just the same name. Inode numbers are reused at once on tmpfs and
 * ext4, so the creation time decides; where the kernel reports none (birthtime 0), the
 * change time stands in (it also moves on chmod, which only costs a spare re-register).
 */
export function sameIdentity(a: FileIdentity | undefined, b: FileIdentity | undefined): boolean {
  if (!a || !b) return a === b;
  if (a.ino !== b.ino) return false;
  if (a.birthtimeNs !== 0n || b.birthtimeNs !== 0n) return a.birthtimeNs === b.birthtimeNs;
  return a.ctimeNs === b.ctimeNs;
}

/**
 * Removes a socket left behind by an earlier run, so bind() does not fail with
 * EADDRINUSE. Refuses to delete anything that is not a socket: a regular file or a
 * directory with that name is someone else's, and deleting it would hide the mistake.
 */
export function unlinkStaleSocket(path: string): void {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  if (!st.isSocket()) {
    throw new Error(`${path} exists and is not a unix socket; remove it or choose another --device-plugin-path`);
  }
  fs.unlinkSync(path);
}

/** Removes `path` only if it is still the socket we created (same identity). */
export function removeOwnSocket(path: string, identity: FileIdentity | undefined): void {
  if (identity && sameIdentity(fileIdentity(path), identity)) {
    try {
      fs.unlinkSync(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}
