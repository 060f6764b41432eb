// Starts the cluster once for the whole e2e run (idempotent: an already running one is kept).
const { execFileSync } = require('child_process');
const path = require('path');

module.exports = async () => {
  const started = Date.now();
  execFileSync('bash', [path.join(__dirname, 'cluster.sh'), 'up'], { stdio: 'inherit' });
  process.stdout.write(`e2e: cluster ready in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
};
