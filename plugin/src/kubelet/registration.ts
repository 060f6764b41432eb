/**
 * Register with the kubelet (legacy v1beta1 handshake): the plugin's socket must be
 * serving first, because the kubelet dials back and calls GetDevicePluginOptions while
 * Register is still open.
 */
import * as grpc from '@grpc/grpc-js';
import { newRegistrationClient } from './api-proto.js';
import { API_VERSION, type RegisterRequest } from './api-types.js';
import { DEVICE_PLUGIN_OPTIONS } from './device-plugin-server.js';

/** NVIDIA's plugin gives every dial 5 s. */
export const DIAL_TIMEOUT_MS = 5000;
/** The kubelet's own dial-back has a 10 s timeout; leave room for it and the options call. */
export const REGISTER_TIMEOUT_MS = 20000;

export interface RegisterOptions {
  /** Path of kubelet.sock. */
  kubeletSocket: string;
  /** File name of our socket in the device-plugins directory (not a path). */
  endpoint: string;
  resourceName: string;
  dialTimeoutMs?: number;
  registerTimeoutMs?: number;
}

export class RegistrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RegistrationError';
  }
}

function waitForReady(client: grpc.Client, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    client.waitForReady(Date.now() + timeoutMs, (err) => (err ? reject(err) : resolve()));
  });
}

export async function registerWithKubelet(opts: RegisterOptions): Promise<void> {
  const dialTimeoutMs = opts.dialTimeoutMs ?? DIAL_TIMEOUT_MS;
  const client = newRegistrationClient(opts.kubeletSocket);
  try {
    try {
      await waitForReady(client, dialTimeoutMs);
    } catch (err) {
      throw new RegistrationError(
        `cannot reach the kubelet at ${opts.kubeletSocket} within ${dialTimeoutMs / 1000} s (${(err as Error).message}); ` +
          'check that the kubelet runs and that its device-plugins directory is mounted into this container ' +
          '(--device-plugin-path, --kubelet-socket)',
      );
    }
    const request: RegisterRequest = {
      version: API_VERSION,
      endpoint: opts.endpoint,
      resource_name: opts.resourceName,
      options: { ...DEVICE_PLUGIN_OPTIONS },
    };
    await new Promise<void>((resolve, reject) => {
      client.Register(request, { deadline: Date.now() + (opts.registerTimeoutMs ?? REGISTER_TIMEOUT_MS) }, (err) => {
        if (!err) {
          resolve();
          return;
        }
        reject(
          new RegistrationError(
            `the kubelet refused to register ${opts.resourceName} (endpoint ${opts.endpoint}): ` +
              `${grpc.status[err.code] ?? err.code}: ${err.details || err.message}`,
          ),
        );
      });
    });
  } finally {
    client.close();
  }
}
