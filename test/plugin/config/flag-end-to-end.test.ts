/**
 * A new NVIDIA flag in the plugin: one entry in the OPTIONS table (options.ts) and, when NVIDIA's
 * config file has the field, the field in the file schema (schema.ts). The compiler names each
 * file, and nothing compiles until both have changed; argv, env, --help, the file mapping and
 * the typed `config.flags` section follow from the two without an edit. An option the file
 * cannot set must be placed by name in load.ts instead.
 */
import { Edit, SourceChecker } from '../../helpers/type-check';

const OPTIONS_FILE = 'plugin/src/config/options.ts';
const SCHEMA_FILE = 'plugin/src/config/schema.ts';

function newOption(filePath: string | undefined): Edit {
  return {
    file: OPTIONS_FILE,
    after: "    help: 'start containers with NVIDIA_MOFED=enabled (MOFED support)',\n  }),\n",
    insert: [
      '  option({',
      "    key: 'newFlagEnabled',",
      "    flags: ['new-flag-enabled'],",
      "    env: ['NEW_FLAG_ENABLED'],",
      "    group: 'nvidia',",
      '    bool: true,',
      '    parse: parseBool,',
      '    defaultValue: false,',
      "    defaultText: 'false',",
      ...(filePath ? [`    filePath: '${filePath}',`] : []),
      "    help: 'a flag',",
      '  }),',
      '',
    ].join('\n'),
  };
}

const schemaField: Edit = {
  file: SCHEMA_FILE,
  after: "  mofedEnabled: bool('flags.mofedEnabled'),\n",
  insert: "  newFlagEnabled: bool('flags.newFlagEnabled'),\n",
};

let checker: SourceChecker;

beforeAll(() => {
  checker = new SourceChecker('plugin/tsconfig.json', 'plugin/src');
});

test('the plugin sources compile as they are', () => {
  expect(checker.check([]).messages).toEqual([]);
});

test('an option whose filePath the file schema lacks fails to compile in options.ts, naming the path', () => {
  const result = checker.check([newOption('flags.newFlagEnabled')]);
  expect(result.files).toEqual([OPTIONS_FILE]);
  expect(result.messages.join('\n')).toContain('"flags.newFlagEnabled"');
});

test('with the field in schema.ts, the plugin compiles: nothing else must change', () => {
  expect(checker.check([newOption('flags.newFlagEnabled'), schemaField]).messages).toEqual([]);
});

test('a filePath of the wrong type is refused in options.ts', () => {
  const result = checker.check([newOption('flags.nvidiaDriverRoot')]);
  expect(result.files).toEqual([OPTIONS_FILE]);
});

test('an option without a filePath fails to compile until load.ts places it', () => {
  const result = checker.check([newOption(undefined)]);
  expect(result.files).toEqual(['plugin/src/config/load.ts']);
  expect(result.messages.join('\n')).toContain('newFlagEnabled');
});
