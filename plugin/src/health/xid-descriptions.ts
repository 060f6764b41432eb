/**
 * Short descriptions of the XIDs people meet most, for log lines and health reasons
 * (from NVIDIA's public XID catalogue). Unknown XIDs are still reported, by number.
 */
const DESCRIPTIONS: Record<number, string> = {
  13: 'graphics engine exception',
  31: 'GPU memory page fault',
  43: 'GPU stopped processing',
  45: 'preemptive cleanup after an earlier error',
  48: 'double-bit ECC error',
  61: 'internal micro-controller breakpoint',
  62: 'internal micro-controller halt',
  63: 'ECC page retirement or row remapping recorded',
  64: 'ECC page retirement or row remapping failure',
  68: 'video decoder exception',
  69: 'graphics engine class error',
  74: 'NVLink error',
  79: 'GPU has fallen off the bus',
  92: 'high single-bit ECC error rate',
  94: 'contained ECC error',
  95: 'uncontained ECC error',
  109: 'context switch timeout',
  119: 'GSP RPC timeout',
  120: 'GSP error',
};

/** `XID 79 (GPU has fallen off the bus)`, or `XID 42` when the XID is not in the table. */
export function describeXid(xid: number): string {
  const text = DESCRIPTIONS[xid];
  return text === undefined ? `XID ${xid}` : `XID ${xid} (${text})`;
}
