/** docs/parity.md explains every known difference under its own heading, and no other. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KNOWN_DIFFERENCES } from '../../parity/differences';

const doc = fs.readFileSync(path.resolve(__dirname, '..', '..', '..', 'docs', 'parity.md'), 'utf8');
const headings = [...doc.matchAll(/^### `([a-z0-9-]+)`/gm)].map((m) => m[1]);

test.each(KNOWN_DIFFERENCES.map((k) => [k.id]))('docs/parity.md explains %s', (id) => {
  expect(headings).toContain(id);
});

test('docs/parity.md documents no difference the tests do not know', () => {
  expect(headings.filter((h) => !KNOWN_DIFFERENCES.some((k) => k.id === h))).toEqual([]);
});
