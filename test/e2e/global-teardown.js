// Stops the cluster and everything it started, unless E2E_KEEP_CLUSTER=1 (to look around
// after a failure: `test/e2e/cluster.sh kubectl get pods -A`, then `cluster.sh down`).
const { execFileSync } = require('child_process');
const path = require('path');

module.exports = async () => {
  if (process.env.E2E_KEEP_CLUSTER === '1') {
    process.stdout.write('e2e: E2E_KEEP_CLUSTER=1, cluster left running; stop it with test/e2e/cluster.sh down\n');
    return;
  }
  execFileSync('bash', [path.join(__dirname, 'cluster.sh'), 'down'], { stdio: 'inherit' });
};
