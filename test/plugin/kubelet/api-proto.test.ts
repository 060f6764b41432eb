/**
 * api.proto against the wire contract table of kubelet-device-plugin-api.md: every
 * message, field name, number, type and label, and every RPC path and streaming flag.
 */
import * as protoLoader from '@grpc/proto-loader';
import { devicePluginService, PROTO_PATH, registrationService } from '../../../plugin/src/kubelet/api-proto';

interface FieldDescriptor {
  name: string;
  number: number;
  label: string;
  type: string;
  typeName: string;
}

const definition = protoLoader.loadSync(PROTO_PATH, { keepCase: true });

interface NestedDescriptor {
  name: string;
  options: { mapEntry?: boolean } | null;
  field: FieldDescriptor[];
}

const scalar = (f: FieldDescriptor): string => f.type.replace('TYPE_', '').toLowerCase();

/** `name:type=number`, `[]` for repeated, maps as `map<key,value>`. */
function fields(message: string): string[] {
  const type = (
    definition[`v1beta1.${message}`] as unknown as {
      type: { field: FieldDescriptor[]; nestedType: NestedDescriptor[] };
    }
  ).type;
  return type.field.map((f) => {
    const entry = type.nestedType.find((n) => n.name === f.typeName && n.options?.mapEntry);
    if (entry) return `${f.name}:map<${scalar(entry.field[0])},${scalar(entry.field[1])}>=${f.number}`;
    const kind = f.type === 'TYPE_MESSAGE' ? f.typeName.replace(/^\.?v1beta1\./, '') : scalar(f);
    return `${f.name}:${kind}=${f.number}${f.label === 'LABEL_REPEATED' ? '[]' : ''}`;
  });
}

describe('api.proto messages', () => {
  it.each([
    ['Empty', []],
    ['PreStartContainerResponse', []],
    ['DevicePluginOptions', ['pre_start_required:bool=1', 'get_preferred_allocation_available:bool=2']],
    [
      'RegisterRequest',
      ['version:string=1', 'endpoint:string=2', 'resource_name:string=3', 'options:DevicePluginOptions=4'],
    ],
    ['ListAndWatchResponse', ['devices:Device=1[]']],
    ['Device', ['ID:string=1', 'health:string=2', 'topology:TopologyInfo=3']],
    ['TopologyInfo', ['nodes:NUMANode=1[]']],
    ['NUMANode', ['ID:int64=1']],
    ['PreStartContainerRequest', ['devices_ids:string=1[]']],
    ['PreferredAllocationRequest', ['container_requests:ContainerPreferredAllocationRequest=1[]']],
    [
      'ContainerPreferredAllocationRequest',
      ['available_deviceIDs:string=1[]', 'must_include_deviceIDs:string=2[]', 'allocation_size:int32=3'],
    ],
    ['PreferredAllocationResponse', ['container_responses:ContainerPreferredAllocationResponse=1[]']],
    ['ContainerPreferredAllocationResponse', ['deviceIDs:string=1[]']],
    ['AllocateRequest', ['container_requests:ContainerAllocateRequest=1[]']],
    ['ContainerAllocateRequest', ['devices_ids:string=1[]']],
    ['AllocateResponse', ['container_responses:ContainerAllocateResponse=1[]']],
    [
      'ContainerAllocateResponse',
      [
        'envs:map<string,string>=1',
        'mounts:Mount=2[]',
        'devices:DeviceSpec=3[]',
        'annotations:map<string,string>=4',
        'cdi_devices:CDIDevice=5[]',
      ],
    ],
    ['Mount', ['container_path:string=1', 'host_path:string=2', 'read_only:bool=3']],
    ['DeviceSpec', ['container_path:string=1', 'host_path:string=2', 'permissions:string=3']],
    ['CDIDevice', ['name:string=1']],
  ])('%s has exactly the contract fields', (message, expected) => {
    expect(fields(message)).toEqual(expected);
  });

  it('declares every message at the top level of package v1beta1 (maps aside)', () => {
    const messages = Object.keys(definition).filter(
      (k) => !k.endsWith('Entry') && (definition[k] as { format?: string }).format?.includes('DescriptorProto'),
    );
    expect(messages.every((k) => /^v1beta1\.[A-Za-z]+$/.test(k))).toBe(true);
    expect(messages).toHaveLength(20);
  });
});

describe('api.proto services', () => {
  const methods = (
    service: Record<string, { path: string; requestStream: boolean; responseStream: boolean }>,
  ): string[] =>
    Object.values(service).map(
      (m) => `${m.path}${m.requestStream ? ' client-stream' : ''}${m.responseStream ? ' server-stream' : ''}`,
    );

  it('serves Registration/Register (unary) for the kubelet side', () => {
    expect(methods(registrationService())).toEqual(['/v1beta1.Registration/Register']);
  });

  it('serves the five DevicePlugin RPCs, ListAndWatch as a server stream', () => {
    expect(methods(devicePluginService())).toEqual([
      '/v1beta1.DevicePlugin/GetDevicePluginOptions',
      '/v1beta1.DevicePlugin/ListAndWatch server-stream',
      '/v1beta1.DevicePlugin/GetPreferredAllocation',
      '/v1beta1.DevicePlugin/Allocate',
      '/v1beta1.DevicePlugin/PreStartContainer',
    ]);
  });

  it('round-trips a NUMA node ID (int64) as a number', () => {
    const method = devicePluginService().ListAndWatch;
    const bytes = method.responseSerialize({
      devices: [{ ID: 'GPU-a', health: 'Healthy', topology: { nodes: [{ ID: 1 }] } }],
    });
    expect(method.responseDeserialize(bytes)).toEqual({
      devices: [{ ID: 'GPU-a', health: 'Healthy', topology: { nodes: [{ ID: 1 }] } }],
    });
  });

  it('decodes an empty message with every field present (defaults)', () => {
    const method = devicePluginService().Allocate;
    expect(method.responseDeserialize(method.responseSerialize({ container_responses: [{}] }))).toEqual({
      container_responses: [{ envs: {}, mounts: [], devices: [], annotations: {}, cdi_devices: [] }],
    });
  });
});
