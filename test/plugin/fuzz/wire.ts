/**
 * Protobuf wire encoding by hand for the three v1beta1 requests the kubelet sends a
 * plugin. The fuzz tests need bytes a well-behaved encoder never writes (string fields
 * holding invalid UTF-8, negative sizes as 10-byte varints, unknown fields, wrong wire
 * types), so strings are either JS strings or raw byte buffers written as they are.
 */

/** A string field's content: text (written as UTF-8) or raw bytes (possibly invalid UTF-8). */
export type WireString = string | Uint8Array;

export interface WireContainerAllocate {
  ids: WireString[];
}

export interface WireContainerPreferred {
  available: WireString[];
  mustInclude: WireString[];
  /** int32 on the wire: negative values become 10-byte two's complement varints. */
  size: number;
}

/** Extra fields appended to a message: what newer or broken senders might add. */
export interface WireExtra {
  field: number;
  /** 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32. */
  wireType: 0 | 1 | 2 | 5;
  value: bigint | Uint8Array;
}

const WIRE_VARINT = 0;
const WIRE_LEN = 2;

function varint(value: bigint): number[] {
  // int32/int64 negatives are sign-extended to 64 bits, as protobuf does.
  let v = BigInt.asUintN(64, value);
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) byte |= 0x80;
    out.push(byte);
  } while (v !== 0n);
  return out;
}

function tag(field: number, wireType: number): number[] {
  return varint(BigInt(field) * 8n + BigInt(wireType));
}

function bytesOf(s: WireString): Uint8Array {
  return typeof s === 'string' ? Buffer.from(s, 'utf8') : s;
}

function lengthDelimited(field: number, content: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([...tag(field, WIRE_LEN), ...varint(BigInt(content.length))]), content]);
}

function extraField(e: WireExtra): Buffer {
  switch (e.wireType) {
    case 0:
      return Buffer.from([...tag(e.field, 0), ...varint(e.value as bigint)]);
    case 1: {
      const b = Buffer.alloc(8);
      b.writeBigUInt64LE(BigInt.asUintN(64, e.value as bigint));
      return Buffer.concat([Buffer.from(tag(e.field, 1)), b]);
    }
    case 5: {
      const b = Buffer.alloc(4);
      b.writeUInt32LE(Number(BigInt.asUintN(32, e.value as bigint)));
      return Buffer.concat([Buffer.from(tag(e.field, 5)), b]);
    }
    default:
      return lengthDelimited(e.field, e.value as Uint8Array);
  }
}

function strings(field: number, values: readonly WireString[]): Buffer[] {
  return values.map((s) => lengthDelimited(field, bytesOf(s)));
}

/** ContainerAllocateRequest { repeated string devices_ids = 1; } */
export function encodeContainerAllocate(c: WireContainerAllocate, extras: readonly WireExtra[] = []): Buffer {
  return Buffer.concat([...strings(1, c.ids), ...extras.map(extraField)]);
}

/** AllocateRequest { repeated ContainerAllocateRequest container_requests = 1; } */
export function encodeAllocate(
  containers: readonly WireContainerAllocate[],
  extras: readonly WireExtra[] = [],
): Buffer {
  return Buffer.concat([
    ...containers.map((c) => lengthDelimited(1, encodeContainerAllocate(c))),
    ...extras.map(extraField),
  ]);
}

/**
 * ContainerPreferredAllocationRequest { repeated string available_deviceIDs = 1;
 * repeated string must_include_deviceIDs = 2; int32 allocation_size = 3; }
 * A size of 0 is written anyway (an explicit default is legal on the wire).
 */
export function encodeContainerPreferred(c: WireContainerPreferred): Buffer {
  return Buffer.concat([
    ...strings(1, c.available),
    ...strings(2, c.mustInclude),
    Buffer.from([...tag(3, WIRE_VARINT), ...varint(BigInt(c.size))]),
  ]);
}

/** PreferredAllocationRequest { repeated ContainerPreferredAllocationRequest container_requests = 1; } */
export function encodePreferred(
  containers: readonly WireContainerPreferred[],
  extras: readonly WireExtra[] = [],
): Buffer {
  return Buffer.concat([
    ...containers.map((c) => lengthDelimited(1, encodeContainerPreferred(c))),
    ...extras.map(extraField),
  ]);
}

/** PreStartContainerRequest { repeated string devices_ids = 1; } */
export function encodePreStart(ids: readonly WireString[], extras: readonly WireExtra[] = []): Buffer {
  return Buffer.concat([...strings(1, ids), ...extras.map(extraField)]);
}

/**
 * The string the plugin's decoder makes of a field: Node decodes UTF-8 the WHATWG way,
 * each invalid sequence becoming U+FFFD, so invalid bytes can never spell a real ID.
 */
export function decodedText(s: WireString): string {
  return typeof s === 'string' ? s : Buffer.from(s).toString('utf8');
}
