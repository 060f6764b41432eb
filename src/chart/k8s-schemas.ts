import { K8S_PATTERNS } from '../common/validation';
import { MAX_RENAME_LENGTH, SHARED_RESOURCE_PATTERNS } from '../device-plugin/config-file';
import { JsonSchema } from './values-model';

/**
 * Schema fragments for values.schema.json. Strings that the templates print unquoted or
 * inside longer strings are held to patterns without quotes, spaces or backslashes, so a
 * value can never break the YAML around it.
 */

// The constructs' own patterns (src/common/validation.ts), so chart and constructs agree.
const { dnsLabel: DNS_LABEL, dnsSubdomain: DNS_SUBDOMAIN, labelName: LABEL_NAME, quantity: QUANTITY } = K8S_PATTERNS;
// A label key (Kubernetes' qualified name): an optional DNS subdomain and '/', then a name.
const LABEL_KEY = `^(${DNS_SUBDOMAIN}/)?${LABEL_NAME}$`;
// A label key's prefix may have 253 characters: one pattern cannot bound it and check its
// form at once, so a second one bounds it.
const PREFIX_LENGTH = '^([^/]{1,253}/)?[^/]*$';

/** A label value: empty, or 1-63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit. */
export const labelValue: JsonSchema = { type: 'string', pattern: `^(${LABEL_NAME})?$` };

/** A DNS label (object and namespace names) or empty. */
export const dnsLabelOrEmpty: JsonSchema = { type: 'string', pattern: `^(${DNS_LABEL})?$`, maxLength: 63 };

/** A DNS subdomain (RuntimeClass and PriorityClass names) or empty. */
export const dnsSubdomainOrEmpty: JsonSchema = { type: 'string', maxLength: 253, pattern: `^(${DNS_SUBDOMAIN})?$` };

/** An absolute host path of plain characters. */
export const absolutePath: JsonSchema = { type: 'string', pattern: '^/[A-Za-z0-9._/-]*$' };

/** Image repository: registry host[:port] and lower-case path (as the image reference grammar). */
export const imageRepository: JsonSchema = {
  type: 'string',
  pattern: '^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)*$',
};

/** Image tag, also a label value (so at most 63 characters), never `latest`. */
export const imageTag: JsonSchema = {
  type: 'string',
  pattern: '^[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$',
};

/** `sha256:<64 hex>` or empty. */
export const imageDigestOrEmpty: JsonSchema = { type: 'string', pattern: '^(sha256:[a-f0-9]{64})?$' };

/** XID numbers. */
export const xidList: JsonSchema = { type: 'array', items: { type: 'integer', minimum: 1 } };

/** `maxUnavailable` of a DaemonSet: a whole number ≥ 1 or a percentage. */
export const maxUnavailable: JsonSchema = {
  oneOf: [
    { type: 'integer', minimum: 1 },
    { type: 'string', pattern: `^${K8S_PATTERNS.percent}$` },
  ],
};

/** Environment variables by name. */
export const envMap: JsonSchema = {
  type: 'object',
  propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
  additionalProperties: { type: 'string' },
};

/**
 * Node labels. Keys are checked by listing the key patterns rather than with `propertyNames`,
 * whose errors do not say which map the bad key is in.
 */
export const nodeSelector: JsonSchema = {
  type: 'object',
  additionalProperties: labelValue,
  allOf: [LABEL_KEY, PREFIX_LENGTH].map((pattern) => ({
    patternProperties: { [pattern]: true },
    additionalProperties: false,
  })),
};

// A quantity the API server takes for a resource (K8S_PATTERNS.quantity: stricter than the
// API's OpenAPI pattern, which lets through signs and fractional exponents its parser
// refuses), or a plain number.
const quantity: JsonSchema = {
  anyOf: [
    { type: 'string', pattern: `^${QUANTITY}$` },
    // Finite: YAML's .inf would render as +Inf.
    { type: 'number', minimum: 0, maximum: 9e18 },
  ],
};

// The plugin needs CPU, memory and scratch space only. Huge pages and extended resources
// need a request equal to the limit, which a schema cannot compare, so they are left out.
const amounts = (required: string[]): JsonSchema => ({
  type: 'object',
  additionalProperties: false,
  ...(required.length > 0 ? { required } : {}),
  properties: { cpu: quantity, memory: quantity, 'ephemeral-storage': quantity },
});

/** Container resources; `limits.memory` is required (the construct refuses an unbounded plugin). */
export const resources: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['limits'],
  properties: {
    limits: amounts(['memory']),
    requests: amounts([]),
  },
};

/** One toleration, with the API server's rules between its fields. */
export const toleration: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    key: { type: 'string', pattern: `^((${DNS_SUBDOMAIN}/)?${LABEL_NAME})?$`, allOf: [{ pattern: PREFIX_LENGTH }] },
    operator: { type: 'string', enum: ['Exists', 'Equal'] },
    value: labelValue,
    effect: { type: 'string', enum: ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] },
    tolerationSeconds: { type: 'integer' },
  },
  allOf: [
    {
      description: 'A toleration without a key tolerates every taint: its operator must be Exists.',
      if: { required: ['key'], properties: { key: { minLength: 1 } } },
      else: { required: ['operator'], properties: { operator: { const: 'Exists' } } },
    },
    {
      description: 'Operator Exists matches any value: leave value out.',
      if: { required: ['operator'], properties: { operator: { const: 'Exists' } } },
      then: { properties: { value: { maxLength: 0 } } },
    },
    {
      description: 'tolerationSeconds applies only to effect NoExecute.',
      if: { required: ['tolerationSeconds'] },
      then: { required: ['effect'], properties: { effect: { const: 'NoExecute' } } },
    },
  ],
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
    rename: { type: 'string', pattern: `^(${K8S_PATTERNS.dnsSubdomain})$`, maxLength: MAX_RENAME_LENGTH },
    devices: {
      type: 'array',
      items: { type: 'string', pattern: `^(${SHARED_RESOURCE_PATTERNS.deviceRef})$` },
    },
  },
};
