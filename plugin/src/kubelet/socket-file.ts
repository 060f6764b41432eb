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

/**
 * Checks the device-plugins directory before any socket is bound, so a wrong
 * --device-plugin-path fails at start with a sentence saying what to fix. The kubelet
 * creates this directory; the plugin never does (a directory it made up would only hide
 * a wrong path, while the kubelet watches another one).
 */
export function requireSocketDirectory(dir: string): void {
  const flag = '--device-plugin-path (DEVICE_PLUGIN_PATH)';
  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new Error(
      `device plugin directory ${dir} cannot be used (${code}): the kubelet creates it when it starts; ` +
        `check that the kubelet runs on this node, that ${flag} names its device-plugins directory ` +
        '(usually /var/lib/kubelet/device-plugins) and that it is mounted into the container',
    );
  }
  if (!st.isDirectory()) {
    throw new Error(
      `device plugin directory ${dir} is not a directory; set ${flag} to the kubelet's device-plugins directory`,
    );
  }
  try {
    fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new Error(
      `device plugin directory ${dir} is not writable (${code}): the plugin creates its sockets there; ` +
        'run it as root (as the DaemonSet does) and mount the directory read-write',
    );
  }
}
