/**
 * Just enough of a Kubernetes API client for the config manager: where the API server is and
 * how to authenticate, from a kubeconfig (--kubeconfig, outside a cluster and in tests) or
 * from the pod's service account (in a cluster), and GET requests over Node's own https.
 * The service account token is read from its file for every request, so a token the kubelet
 * rotates (projected tokens expire) is picked up by the next list or watch.
 */
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface KubeConnection {
  /** https://host:port (or http:// for a plain test server), no trailing slash. */
  server: string;
  /** Where the connection came from, for messages. */
  source: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  insecureSkipTlsVerify?: boolean;
  /** Returns the bearer token for the next request (re-read from its file each time). */
  token?: () => string;
}

export class KubeConfigError extends Error {}

function readOrFail(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new KubeConfigError(`${what} ${path} cannot be read (${code})`);
  }
}

/** In a pod: KUBERNETES_SERVICE_HOST/PORT and the mounted service account token and CA. */
export function inClusterConnection(env: NodeJS.ProcessEnv, saDir = SERVICE_ACCOUNT_DIR): KubeConnection {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) {
    throw new KubeConfigError(
      'the Kubernetes API cannot be found: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set ' +
        '(not running in a pod?); give --kubeconfig or KUBECONFIG outside a cluster',
    );
  }
  const tokenFile = resolve(saDir, 'token');
  readOrFail(tokenFile, 'the service account token'); // fail at start, with the path, not at the first request
  const hostPart = host.includes(':') ? `[${host}]` : host;
  return {
    server: `https://${hostPart}:${port}`,
    source: `in-cluster service account (${saDir})`,
    ca: readOrFail(resolve(saDir, 'ca.crt'), 'the service account CA'),
    token: () => readFileSync(tokenFile, 'utf8').trim(),
  };
}

function pick<T extends { name: string }>(list: unknown, name: string, what: string, path: string): any {
  const found = Array.isArray(list) ? (list as T[]).find((entry) => entry?.name === name) : undefined;
  if (!found) throw new KubeConfigError(`kubeconfig ${path}: ${what} "${name}" is not defined in it`);
  return found;
}

/** The current context of a kubeconfig file: server, CA, client certificate or token. */
export function kubeconfigConnection(path: string): KubeConnection {
  const text = readOrFail(path, 'kubeconfig').toString('utf8');
  let doc: any;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new KubeConfigError(`kubeconfig ${path} is not valid YAML: ${(err as Error).message}`);
  }
  const contextName = doc?.['current-context'];
  if (typeof contextName !== 'string' || contextName === '') {
    throw new KubeConfigError(`kubeconfig ${path} has no current-context; set one (kubectl config use-context NAME)`);
  }
  const context = pick(doc.contexts, contextName, 'context', path).context ?? {};
  const cluster = pick(doc.clusters, context.cluster, 'cluster', path).cluster ?? {};
  const user = context.user ? (pick(doc.users, context.user, 'user', path).user ?? {}) : {};
  const base = dirname(resolve(path));
  const file = (p: string, what: string): Buffer => readOrFail(resolve(base, p), `kubeconfig ${path}: ${what}`);
  const data = (b64: string): Buffer => Buffer.from(b64, 'base64');
  if (typeof cluster.server !== 'string' || !/^https?:\/\//.test(cluster.server)) {
    throw new KubeConfigError(`kubeconfig ${path}: cluster "${context.cluster}" has no http(s) server URL`);
  }
  if (user.exec || user['auth-provider']) {
    throw new KubeConfigError(
      `kubeconfig ${path}: user "${context.user}" authenticates with an exec or auth-provider plugin, which this ` +
        'plugin does not run; use a client certificate or a token',
    );
  }
  const tokenFile = user.tokenFile as string | undefined;
  const token = user.token as string | undefined;
  return {
    server: cluster.server.replace(/\/+$/, ''),
    source: `kubeconfig ${path} (context ${contextName})`,
    ca: cluster['certificate-authority-data']
      ? data(cluster['certificate-authority-data'])
      : cluster['certificate-authority']
        ? file(cluster['certificate-authority'], 'certificate-authority')
        : undefined,
    insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] === true,
    cert: user['client-certificate-data']
      ? data(user['client-certificate-data'])
      : user['client-certificate']
        ? file(user['client-certificate'], 'client-certificate')
        : undefined,
    key: user['client-key-data']
      ? data(user['client-key-data'])
      : user['client-key']
        ? file(user['client-key'], 'client-key')
        : undefined,
    token: token ? () => token : tokenFile ? () => readFileSync(resolve(base, tokenFile), 'utf8').trim() : undefined,
  };
}

/** --kubeconfig when given, else the service account of the pod. */
export function resolveConnection(kubeconfig: string | undefined, env: NodeJS.ProcessEnv): KubeConnection {
  return kubeconfig ? kubeconfigConnection(kubeconfig) : inClusterConnection(env);
}

/** An API answer that is not 2xx, with the status the server gave. */
export class KubeApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * GET `path`; resolves with the response once its status is 2xx (the body still streaming),
 * rejects with KubeApiError (status and the API's message) otherwise.
 */
export function kubeGet(
  conn: KubeConnection,
  path: string,
  signal: AbortSignal,
  idleTimeoutMs = 60000,
): Promise<http.IncomingMessage> {
  const url = new URL(conn.server + path);
  const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': 'gpu-device-plugin' };
  const token = conn.token?.();
  if (token) headers.Authorization = `Bearer ${token}`;
  const options: https.RequestOptions = {
    method: 'GET',
    headers,
    signal,
    ca: conn.ca,
    cert: conn.cert,
    key: conn.key,
    rejectUnauthorized: !conn.insecureSkipTlsVerify,
    // One long-lived watch at a time: no pooled sockets to keep around.
    agent: false,
  };
  const transport = url.protocol === 'http:' ? http : https;
  return new Promise((resolvePromise, reject) => {
    const req = transport.request(url, options, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 200 && status < 300) {
        resolvePromise(res);
        return;
      }
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let message = body.slice(0, 500);
        let reason = '';
        try {
          const parsed = JSON.parse(body);
          message = parsed.message ?? message;
          reason = parsed.reason ?? '';
        } catch {
          // not a Status object; keep the text
        }
        reject(new KubeApiError(status, reason, `GET ${url.pathname}${url.search}: HTTP ${status}: ${message}`));
      });
    });
    req.on('error', reject);
    // A connection that went silent (a peer gone without a reset) fails instead of hanging:
    // the response stream then errors and the caller retries.
    req.setTimeout(idleTimeoutMs, () =>
      req.destroy(new Error(`GET ${url.pathname}: no data from ${conn.server} for ${idleTimeoutMs / 1000} s`)),
    );
    req.end();
  });
}

/** GET and parse a JSON body. */
export async function kubeGetJson<T = any>(conn: KubeConnection, path: string, signal: AbortSignal): Promise<T> {
  const res = await kubeGet(conn, path, signal);
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as T;
}
