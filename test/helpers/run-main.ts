/**
 * The tail of a script run by ts-node (`npm run parity`, `npm run parity:record`): run its
 * main and exit with the code it returns. A main that throws (a peer that cannot be built,
 * a harness bug) fails with its stack and exit code 1.
 */
export function runMain(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
