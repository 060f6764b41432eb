// Starts the cluster once for the whole e2e run (idempotent: an already running one is kept).
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

module.exports = async () => {
  const started = Date.now();
  execFileSync('bash', [path.join(__dirname, 'cluster.sh'), 'up'], { stdio: 'inherit' });
  // Test 8 prints the figures of this run only.
  fs.writeFileSync(path.join(__dirname, '..', '..', '.cache', 'e2e', 'timings.json'), '[]');
  process.stdout.write(`e2e: cluster ready in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
};
