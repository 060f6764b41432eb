// Runs the e2e files in the order (their names start with a number): later tests
// build on the plugin that earlier ones deployed, and the timing figures come last.
const Sequencer = require('@jest/test-sequencer').default;
const path = require('path');

class E2eSequencer extends Sequencer {
  sort(tests) {
    return [...tests].sort((a, b) =>
      path.basename(a.path).localeCompare(path.basename(b.path), 'en', { numeric: true }),
    );
  }
}
module.exports = E2eSequencer;
