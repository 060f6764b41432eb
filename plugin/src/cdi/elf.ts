/**
 * Reads DT_SONAME from an ELF shared library: the name the dynamic loader looks for, which
 * decides the `libX.so.1 -> libX.so.<version>` links a container needs. Only what that takes:
 * 32- and 64-bit, little- and big-endian, section headers (as Go's debug/elf, which NVIDIA's
 * CDI generator uses, reads it).
 */
import { closeSync, openSync, readSync, fstatSync } from 'node:fs';

const DT_NULL = 0;
const DT_SONAME = 14;
const SHT_DYNAMIC = 6;
/** Driver libraries are a few MiB to a few hundred; headers are read, never the whole file. */
const MAX_SECTION_BYTES = 1 << 20;

/**
 * The library's soname; '' when it has none (a stub or a non-ELF file). Throws only when the
 * file cannot be read at all.
 */
export function readSoname(file: string): string {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const read = (offset: number, length: number): Buffer => {
      if (offset < 0 || length < 0 || offset + length > size || length > MAX_SECTION_BYTES) return Buffer.alloc(0);
      const buf = Buffer.alloc(length);
      readSync(fd, buf, 0, length, offset);
      return buf;
    };
    const ident = read(0, 64);
    if (ident.length < 52 || ident.readUInt32BE(0) !== 0x7f454c46) return '';
    const is64 = ident[4] === 2;
    const le = ident[5] === 1;
    const u16 = (b: Buffer, o: number): number => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
    const u32 = (b: Buffer, o: number): number => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
    const word = (b: Buffer, o: number): number =>
      is64 ? Number(le ? b.readBigUInt64LE(o) : b.readBigUInt64BE(o)) : u32(b, o);
    const shoff = word(ident, is64 ? 0x28 : 0x20);
    const shentsize = u16(ident, is64 ? 0x3a : 0x2e);
    const shnum = u16(ident, is64 ? 0x3c : 0x30);
    const sections = read(shoff, shentsize * shnum);
    if (sections.length === 0) return '';
    const section = (i: number): { type: number; offset: number; size: number; link: number } => {
      const o = i * shentsize;
      return {
        type: u32(sections, o + 4),
        offset: word(sections, o + (is64 ? 0x18 : 0x10)),
        size: word(sections, o + (is64 ? 0x20 : 0x14)),
        link: u32(sections, o + (is64 ? 0x28 : 0x18)),
      };
    };
    for (let i = 0; i < shnum; i++) {
      const dyn = section(i);
      if (dyn.type !== SHT_DYNAMIC || dyn.link >= shnum) continue;
      const strtab = section(dyn.link);
      const strings = read(strtab.offset, strtab.size);
      const entries = read(dyn.offset, dyn.size);
      const entrySize = is64 ? 16 : 8;
      for (let o = 0; o + entrySize <= entries.length; o += entrySize) {
        const tag = word(entries, o);
        if (tag === DT_NULL) break;
        if (tag !== DT_SONAME) continue;
        const at = word(entries, o + entrySize / 2);
        const end = strings.indexOf(0, at);
        return at < strings.length ? strings.toString('utf8', at, end < 0 ? strings.length : end) : '';
      }
    }
    return '';
  } finally {
    closeSync(fd);
  }
}
