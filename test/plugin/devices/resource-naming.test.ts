import { qualifyResourceName, socketNameFor } from '../../../plugin/src/devices/resource-naming';

test.each([
  ['gpu', 'nvidia.com/gpu'],
  ['nvidia.com/gpu', 'nvidia.com/gpu'],
  ['gpu.shared', 'nvidia.com/gpu.shared'],
  ['mig-1g.10gb.me', 'nvidia.com/mig-1g.10gb.me'],
  ['a'.repeat(52), `nvidia.com/${'a'.repeat(52)}`],
])('qualifies %p as %p', (name, full) => {
  expect(qualifyResourceName(name, 'f')).toBe(full);
});

test.each([
  ['a'.repeat(53), /f: resource name 'nvidia\.com\/a+' is 64 characters; the kubelet accepts at most 63/],
  ['Gpu', /f: resource name 'nvidia\.com\/Gpu' is not valid/],
  ['gpu_shared', /not valid/],
  ['-gpu', /not valid/],
  ['gpu.', /not valid/],
  ['example.com/gpu', /'example\.com\/gpu' is not valid: it must be 'nvidia\.com\/<name>'/],
  ['nvidia.com/a/b', /not valid/],
])('refuses %p', (name, message) => {
  expect(() => qualifyResourceName(name, 'f')).toThrow(message);
});

test.each([
  ['nvidia.com/gpu', 'nvidia-gpu.sock'],
  ['nvidia.com/gpu.shared', 'nvidia-gpu.shared.sock'],
  ['nvidia.com/mig-1g.10gb.me', 'nvidia-mig-1g.10gb.me.sock'],
])('socket of %s is %s', (name, socket) => {
  expect(socketNameFor(name)).toBe(socket);
});
