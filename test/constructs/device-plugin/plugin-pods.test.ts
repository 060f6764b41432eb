import { isPluginPod, PLUGIN_POD_SELECTOR } from '../../e2e/helpers/plugin-pods';
import { chartScenarioFiles } from '../../helpers/shipped';
import { ofKind } from '../../helpers/k8s-objects';
import { CHART_DIR, HELM_BUILD_TIMEOUT_MS, helmBinary, helmTemplate } from '../../chart/helm';
import { synthPlugin } from './synth';

// The e2e helpers find the plugin's pod (pluginPod, pluginLogs) by PLUGIN_POD_SELECTOR. With
// MPS a second DaemonSet runs in the same namespace; its pods must not match, or pluginPod()
// finds two pods and throws.

function selectedDaemonSets(objects: any[]): string[] {
  return ofKind(objects, 'DaemonSet')
    .filter((ds) => isPluginPod(ds.spec.template.metadata?.labels))
    .map((ds) => ds.metadata.name);
}

test('the selector is the label map as kubectl -l takes it', () => {
  expect(PLUGIN_POD_SELECTOR).toBe(
    'app.kubernetes.io/name=gpu-device-plugin,app.kubernetes.io/component=device-plugin',
  );
});

test('with MPS, the e2e selector picks the plugin DaemonSet’s pods and not the MPS control daemon’s', () => {
  const { all } = synthPlugin({ mps: { resources: [{ replicas: 2 }] } });
  expect(ofKind(all, 'DaemonSet').map((ds) => ds.metadata.name)).toEqual([
    'gpu-device-plugin',
    'gpu-device-plugin-mps-control-daemon',
  ]);
  expect(selectedDaemonSets(all)).toEqual(['gpu-device-plugin']);
});

describe('the chart', () => {
  beforeAll(() => {
    helmBinary();
  }, HELM_BUILD_TIMEOUT_MS);

  test('with an MPS scenario, the selector picks only the plugin DaemonSet’s pods', () => {
    const mps = chartScenarioFiles(CHART_DIR).filter((f) => f.includes('mps'));
    expect(mps).not.toHaveLength(0);
    for (const file of mps) {
      const objects = helmTemplate(CHART_DIR, [`${CHART_DIR}/ci/${file}`]);
      expect(ofKind(objects, 'DaemonSet')).toHaveLength(2);
      expect(selectedDaemonSets(objects)).toEqual(['gpu-device-plugin']);
    }
  });
});
