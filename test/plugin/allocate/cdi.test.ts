import { cdiAnnotations, cdiQualifiedName } from '../../../plugin/src/allocate/cdi';

describe('CDI names', () => {
  it('qualifies a device with NVIDIA’s vendor and the class', () => {
    expect(cdiQualifiedName('gpu', 'GPU-1')).toBe('k8s.device-plugin.nvidia.com/gpu=GPU-1');
  });

  it('keys the annotation by plugin name and response ID, devices comma-separated', () => {
    expect(cdiAnnotations('cdi.k8s.io/', 'id-1', ['a/b=1', 'a/b=2'])).toEqual({
      'cdi.k8s.io/nvidia-device-plugin_id-1': 'a/b=1,a/b=2',
    });
  });

  it('replaces slashes in the response ID like container-device-interface does', () => {
    expect(Object.keys(cdiAnnotations('cdi.k8s.io/', 'x/y', ['a/b=1']))).toEqual([
      'cdi.k8s.io/nvidia-device-plugin_x_y',
    ]);
  });
});
