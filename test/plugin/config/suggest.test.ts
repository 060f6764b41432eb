import { closestMatch, editDistance } from '../../../plugin/src/config/suggest';

describe('editDistance', () => {
  test.each([
    ['', '', 0],
    ['abc', 'abc', 0],
    ['abc', 'abd', 1],
    ['abc', 'ab', 1],
    ['renameByDefualt', 'renameByDefault', 1], // a swap counts once
    ['kitten', 'sitting', 3],
  ])('%s → %s is %d', (a, b, expected) => {
    expect(editDistance(a, b)).toBe(expected);
  });
});

describe('closestMatch', () => {
  const keys = ['renameByDefault', 'failRequestsGreaterThanOne', 'resources'];
  test.each<[string, string | undefined]>([
    ['renameByDefualt', 'renameByDefault'],
    ['resource', 'resources'],
    ['RESOURCES', 'resources'],
    ['failRequestGreaterThanOne', 'failRequestsGreaterThanOne'],
    ['replicas', undefined],
    ['x', undefined],
  ])('%s → %s', (word, expected) => {
    expect(closestMatch(word, keys)).toBe(expected);
  });

  test('has nothing to suggest from no candidates', () => {
    expect(closestMatch('anything', [])).toBeUndefined();
  });
});
