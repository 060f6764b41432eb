/**
 * Type-checks a part of the repository with some files changed in memory, with the TypeScript
 * compiler API, and says which files the compiler then points at. The tests of "a flag end to
 * end" use it to show that the compiler names every file a new flag must touch, and nothing
 * compiles until each of them does.
 */
import * as path from 'node:path';
import ts from 'typescript';

const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** One in-memory change: in `file` (relative to the repository), put `insert` after `after`. */
export interface Edit {
  readonly file: string;
  readonly after: string;
  readonly insert: string;
}

/** What the compiler says about the changed sources. */
export interface CheckResult {
  /** The files with errors, relative to the repository, sorted. */
  readonly files: string[];
  /** Every error as `file: message`. */
  readonly messages: string[];
}

/** A program over every `.ts` file under `sourceDir`, with the options of `tsconfig`, checked again for each set of edits. */
export class SourceChecker {
  private readonly options: ts.CompilerOptions;
  private readonly rootNames: string[];
  private previous: ts.Program | undefined;

  constructor(tsconfig: string, sourceDir: string) {
    const configPath = path.join(REPO_ROOT, tsconfig);
    const parsed = ts.getParsedCommandLineOfConfigFile(
      configPath,
      {},
      {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (d) => {
          throw new Error(`${tsconfig}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
        },
      },
    );
    if (!parsed) throw new Error(`${tsconfig} could not be read`);
    this.options = { ...parsed.options, noEmit: true, incremental: false, types: ['node'] };
    this.rootNames = ts.sys.readDirectory(path.join(REPO_ROOT, sourceDir), ['.ts']);
    if (this.rootNames.length === 0) throw new Error(`no .ts files under ${sourceDir}`);
  }

  /** Type-checks the sources with `edits` applied (each anchor must occur exactly once). */
  check(edits: readonly Edit[]): CheckResult {
    const changed = new Map<string, string>();
    for (const edit of edits) {
      const file = path.join(REPO_ROOT, edit.file);
      const text = changed.get(file) ?? ts.sys.readFile(file);
      if (text === undefined) throw new Error(`${edit.file} does not exist`);
      const at = text.indexOf(edit.after);
      if (at < 0 || text.indexOf(edit.after, at + 1) >= 0) {
        throw new Error(
          `${edit.file} holds ${at < 0 ? 'no' : 'more than one'} ${JSON.stringify(edit.after)}; update the edit to the file`,
        );
      }
      changed.set(file, text.slice(0, at + edit.after.length) + edit.insert + text.slice(at + edit.after.length));
    }
    const host = ts.createCompilerHost(this.options, true);
    const getSourceFile = host.getSourceFile.bind(host);
    host.getSourceFile = (fileName, language, onError, shouldCreate) => {
      const text = changed.get(path.resolve(fileName));
      if (text !== undefined) return ts.createSourceFile(fileName, text, language, true);
      // Unchanged files are taken from the previous program, so each check only re-binds the edits.
      return this.previous?.getSourceFile(fileName) ?? getSourceFile(fileName, language, onError, shouldCreate);
    };
    const readFile = host.readFile.bind(host);
    host.readFile = (fileName) => changed.get(path.resolve(fileName)) ?? readFile(fileName);
    const program = ts.createProgram({ rootNames: this.rootNames, options: this.options, host });
    if (changed.size === 0) this.previous = program;
    const diagnostics = [...program.getSyntacticDiagnostics(), ...program.getSemanticDiagnostics()];
    const messages = diagnostics.map((d) => {
      const file = d.file ? path.relative(REPO_ROOT, d.file.fileName) : '(no file)';
      return `${file}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
    });
    const files = [...new Set(messages.map((m) => m.slice(0, m.indexOf(':'))))].sort();
    return { files, messages };
  }
}
