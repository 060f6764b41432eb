import { describeXid } from '../../../plugin/src/health/xid-descriptions';

test.each([
  [79, 'XID 79 (GPU has fallen off the bus)'],
  [48, 'XID 48 (double-bit ECC error)'],
  [4242, 'XID 4242'],
])('describes XID %d as %p', (xid, text) => {
  expect(describeXid(xid)).toBe(text);
});
