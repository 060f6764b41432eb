import { JsonSchema } from './values-model';

/**
 * Schema fragments for values.schema.json. Strings that the templates print unquoted or
 * inside longer strings are held to patterns without quotes, spaces or backslashes, so a
 * value can never break the YAML around it.
 */

/** A DNS label (object and namespace names) or empty. */
export const dnsLabelOrEmpty: JsonSchema = { type: 'string', pattern: '^([a-z0-9]([-a-z0-9]*[a-z0-9])?)?$', maxLength: 63 };

/** A DNS subdomain (RuntimeClass names) or empty. */
export const dnsSubdomainOrEmpty: JsonSchema = {
  type: 'string', maxLength: 253, pattern: '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)?$',
};

/** An absolute host path of plain characters. */
export const absolutePath: JsonSchema = { type: 'string', pattern: '^/[A-Za-z0-9._/-]*$' };

/** Image repository: registry host[:port] and lower-case path (as the image reference grammar). */
export const imageRepository: JsonSchema = {
  type: 'string', pattern: '^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)*$',
};

/** Image tag, also a label value (so at most 63 characters), never `latest`. */
export const imageTag: JsonSchema = {
  type: 'string', pattern: '^[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$', not: { const: 'latest' },
};

/** `sha256:<64 hex>` or empty. */
export const imageDigestOrEmpty: JsonSchema = { type: 'string', pattern: '^(sha256:[a-f0-9]{64})?$' };

/** XID numbers. */
export const xidList: JsonSchema = { type: 'array', items: { type: 'integer', minimum: 1 } };

/** `maxUnavailable` of a DaemonSet: a whole number ≥ 1 or a percentage. */
export const maxUnavailable: JsonSchema = {
  oneOf: [{ type: 'integer', minimum: 1 }, { type: 'string', pattern: '^(100|[1-9]?[0-9])%$' }],
};

/** Environment variables by name. */
export const envMap: JsonSchema = {
  type: 'object', propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }, additionalProperties: { type: 'string' },
};

/** Node labels. */
export const nodeSelector: JsonSchema = { type: 'object', additionalProperties: { type: 'string' } };

// Kubernetes' quantity grammar (as in the API's OpenAPI pattern), or a plain number.
const quantity: JsonSchema = {
  anyOf: [
    { type: 'string', pattern: '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$' },
    { type: 'number', minimum: 0 },
  ],
};

/** Container resources; `limits.memory` is required (the construct refuses an unbounded plugin). */
export const resources: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['limits'],
  properties: {
    limits: { type: 'object', required: ['memory'], additionalProperties: quantity },
    requests: { type: 'object', additionalProperties: quantity },
  },
};

/** One toleration. */
export const toleration: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    key: { type: 'string' },
    operator: { type: 'string', enum: ['Exists', 'Equal'] },
    value: { type: 'string' },
    effect: { type: 'string', enum: ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] },
    tolerationSeconds: { type: 'integer' },
  },
};

/** Pod affinity: the three kinds, each an object as the Kubernetes API defines it. */
export const affinity: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    nodeAffinity: { type: 'object' },
    podAffinity: { type: 'object' },
    podAntiAffinity: { type: 'object' },
  },
};

/** One shared resource of time-slicing or MPS. */
export const sharedResource: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'replicas'],
  properties: {
    name: { type: 'string', pattern: '^nvidia\\.com/[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$', maxLength: 74 },
    replicas: { type: 'integer', minimum: 2 },
    rename: { type: 'string', pattern: '^[a-z]([-a-z0-9.]*[a-z0-9])?$', maxLength: 63 },
    devices: { type: 'array', items: { type: 'string', pattern: '^([0-9]+|[0-9]+:[0-9]+|GPU-[0-9a-fA-F-]+|MIG-[0-9a-fA-F-]+)$' } },
  },
};
