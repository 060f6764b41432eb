#!/usr/bin/env node
// Helper of plugin/image/build.sh (the release image, built without a Docker engine).
//
//   image.js modules ARCH [PKG...]  the plugin's production packages for linux/ARCH, from
//                                 package-lock.json: "<lock path>\t<name>@<version>\t<integrity>";
//                                 with PKGs, only the closure of those of its dependencies
//                                 (the packages the bundle leaves outside: koffi)
//   image.js config DOCKERFILE    the runtime stage of plugin/Dockerfile as JSON (labels, env,
//                                 workdir, user, exposed ports, entrypoint, Node major)
//   image.js umoci-flags DOCKERFILE   the same as `umoci config` flags, one per line
//   image.js index LAYOUT REF ARCH...   writes an OCI image index of the per-arch
//                                 manifests tagged ARCH in LAYOUT, tags it REF (only ref left)
//   image.js describe LAYOUT REF  index digest, per-arch manifests, layer sizes (JSON)
//   image.js layers LAYOUT REF ARCH   the layer blobs of REF's linux/ARCH image, in order
'use strict';
const { createHash } = require('crypto');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..', '..');
const NODE_CPU = { amd64: 'x64', arm64: 'arm64' };

function fail(message) {
  process.stderr.write(`image.js: ${message}\n`);
  process.exit(1);
}

// --- production packages from the lock file ---------------------------------------------
// The closure of plugin/package.json's dependencies (and the optional ones that fit
// linux/ARCH, e.g. koffi's per-platform binary), resolved the way Node resolves them
// (nearest node_modules up the tree), as the lock file lays them out. What
// `npm ci --omit=dev --os=linux --cpu=ARCH` installs for the plugin workspace.
function modules(arch, only) {
  const cpu = NODE_CPU[arch];
  if (!cpu) fail(`unknown architecture '${arch}': expected one of ${Object.keys(NODE_CPU).join(', ')}`);
  const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8'));
  const packages = lock.packages || {};
  const fits = (entry) =>
    (!entry.os || entry.os.includes('linux')) && (!entry.cpu || entry.cpu.includes(cpu));
  const locate = (name, from) => {
    for (let dir = from; ; dir = path.posix.dirname(dir)) {
      const key = `${dir === '.' ? '' : `${dir}/`}node_modules/${name}`;
      if (packages[key]) return key;
      if (dir === '.' || dir === '') return undefined;
    }
  };
  const found = new Map();
  const visit = (key) => {
    const entry = packages[key];
    const required = Object.keys(entry.dependencies || {});
    const optional = Object.keys(entry.optionalDependencies || {});
    for (const name of [...required, ...optional]) {
      const dep = locate(name, key);
      if (dep === undefined) {
        if (!optional.includes(name)) fail(`${name} (needed by ${key}) is not in package-lock.json: run npm install`);
        continue;
      }
      if (found.has(dep)) continue;
      const depEntry = packages[dep];
      if (!fits(depEntry)) {
        if (!optional.includes(name)) fail(`${dep} is for ${depEntry.os}/${depEntry.cpu}, not linux/${cpu}, but ${key} requires it`);
        continue;
      }
      if (depEntry.link) fail(`${dep} is a link to ${depEntry.resolved}: the image cannot hold workspace links`);
      if (!depEntry.version || !depEntry.integrity) fail(`${dep} has no version or integrity in package-lock.json`);
      found.set(dep, depEntry);
      visit(dep);
    }
  };
  if (!packages.plugin) fail('package-lock.json has no "plugin" workspace entry');
  if (only.length === 0) visit('plugin');
  else
    for (const name of only) {
      if (!(packages.plugin.dependencies || {})[name]) fail(`${name} is not a dependency of plugin/package.json`);
      const key = locate(name, 'plugin');
      if (key === undefined) fail(`${name} (a dependency of plugin/) is not in package-lock.json: run npm install`);
      found.set(key, packages[key]);
      visit(key);
    }
  const nameOf = (key) => key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);
  for (const key of [...found.keys()].sort()) {
    const entry = found.get(key);
    process.stdout.write(`${key}\t${nameOf(key)}@${entry.version}\t${entry.integrity}\n`);
  }
}

// --- plugin/Dockerfile's runtime stage ------------------------------------------------------
// The image's config is read from the Dockerfile, so the two cannot describe different
// images. Only the instruction forms the Dockerfile uses are accepted; anything else is an
// error that names the line, so a change there cannot be silently ignored here.
function logicalLines(text) {
  const lines = [];
  let current = '';
  let startLine = 0;
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (current === '' && /^\s*(#.*)?$/.test(line)) return;
    if (current !== '' && /^\s*#/.test(line)) return;
    if (current === '') startLine = i + 1;
    if (/\\\s*$/.test(line)) {
      current += line.replace(/\\\s*$/, ' ');
    } else {
      lines.push({ line: startLine, text: (current + line).trim() });
      current = '';
    }
  });
  if (current !== '') lines.push({ line: startLine, text: current.trim() });
  return lines;
}

// KEY="value" KEY2=value ... (Docker's key=value form; quoted values may hold spaces).
function keyValues(args, where) {
  const out = [];
  const re = /\s*([A-Za-z0-9_.-]+)=("((?:[^"\\]|\\.)*)"|[^\s"]*)/y;
  let pos = 0;
  while (pos < args.length) {
    re.lastIndex = pos;
    const m = re.exec(args);
    if (!m) fail(`${where}: cannot read '${args.slice(pos).trim()}' as KEY=VALUE pairs`);
    out.push([m[1], m[3] !== undefined ? m[3].replace(/\\(.)/g, '$1') : m[2]]);
    pos = re.lastIndex;
    while (pos < args.length && /\s/.test(args[pos])) pos++;
  }
  return out;
}

function dockerfileConfig(file) {
  const text = fs.readFileSync(file, 'utf8');
  const stages = [];
  for (const { line, text: l } of logicalLines(text)) {
    const m = /^([A-Za-z]+)\s+(.*)$/.exec(l);
    if (!m) fail(`${file}:${line}: cannot read instruction '${l}'`);
    const [, word, args] = m;
    const instr = word.toUpperCase();
    if (instr === 'FROM') {
      stages.push({ from: args.trim(), line, instructions: [] });
    } else {
      if (!stages.length) fail(`${file}:${line}: ${instr} before the first FROM`);
      stages[stages.length - 1].instructions.push({ instr, args: args.trim(), line });
    }
  }
  const runtime = stages[stages.length - 1];
  if (!runtime) fail(`${file}: no FROM instruction`);
  const base = /^node:(\d+)-[a-z]+-slim(\s+AS\s+\S+)?$/i.exec(runtime.from);
  if (!base) fail(`${file}:${runtime.line}: the runtime stage must start FROM node:<major>-<debian>-slim, found '${runtime.from}'`);
  const config = { nodeMajor: Number(base[1]), labels: {}, env: {}, workdir: '/', user: '', exposedPorts: [], entrypoint: [], copies: [] };
  for (const { instr, args, line } of runtime.instructions) {
    const where = `${file}:${line}`;
    switch (instr) {
      case 'LABEL':
        for (const [k, v] of keyValues(args, where)) config.labels[k] = v;
        break;
      case 'ENV':
        for (const [k, v] of keyValues(args, where)) config.env[k] = v;
        break;
      case 'WORKDIR':
        config.workdir = args;
        break;
      case 'USER':
        config.user = args;
        break;
      case 'EXPOSE':
        config.exposedPorts.push(...args.split(/\s+/).map((p) => (p.includes('/') ? p : `${p}/tcp`)));
        break;
      case 'ENTRYPOINT': {
        let parsed;
        try { parsed = JSON.parse(args); } catch { parsed = undefined; }
        if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === 'string')) {
          fail(`${where}: ENTRYPOINT must be the JSON (exec) form, found '${args}'`);
        }
        config.entrypoint = parsed;
        break;
      }
      case 'COPY': {
        const parts = args.split(/\s+/);
        const from = parts[0].startsWith('--from=') ? parts.shift().slice('--from='.length) : undefined;
        if (parts.length !== 2) fail(`${where}: COPY with one source and one destination expected, found '${args}'`);
        const dest = path.posix.resolve(config.workdir, parts[1]);
        config.copies.push({ from, src: parts[0], dest });
        break;
      }
      default:
        fail(`${where}: ${instr} in the runtime stage is not something plugin/image/build.sh reproduces; ` +
          'teach plugin/image/image.js and build.sh about it, or move it to a build stage');
    }
  }
  if (!config.entrypoint.length) fail(`${file}: the runtime stage has no ENTRYPOINT`);
  return config;
}

function umociFlags(file) {
  const c = dockerfileConfig(file);
  const flags = [];
  // The node base image's PATH; the image's node is in /usr/local/bin like there.
  flags.push('--config.env=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
  flags.push(`--config.env=NODE_VERSION=${process.env.IMAGE_NODE_VERSION || fail('IMAGE_NODE_VERSION is not set')}`);
  for (const [k, v] of Object.entries(c.env)) flags.push(`--config.env=${k}=${v}`);
  for (const [k, v] of Object.entries(c.labels)) flags.push(`--config.label=${k}=${v}`);
  flags.push(`--config.workingdir=${c.workdir}`);
  if (c.user) flags.push(`--config.user=${c.user}`);
  for (const p of c.exposedPorts) flags.push(`--config.exposedports=${p}`);
  for (const a of c.entrypoint) flags.push(`--config.entrypoint=${a}`);
  for (const f of flags) {
    if (f.includes('\n')) fail(`a config value holds a newline: ${JSON.stringify(f)}`);
    process.stdout.write(`${f}\n`);
  }
}

// --- OCI layout: index and description --------------------------------------------------------
const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');
const blobPath = (layout, digest) => path.join(layout, 'blobs', ...digest.split(':'));
const readJson = (layout, digest) => JSON.parse(fs.readFileSync(blobPath(layout, digest), 'utf8'));

function writeIndex(layout, ref, arches) {
  const indexFile = path.join(layout, 'index.json');
  const top = JSON.parse(fs.readFileSync(indexFile, 'utf8'));
  const manifests = arches.map((arch) => {
    const entry = top.manifests.find((m) => (m.annotations || {})['org.opencontainers.image.ref.name'] === arch);
    if (!entry) fail(`${layout} has no manifest tagged '${arch}'`);
    const manifest = readJson(layout, entry.digest);
    const config = readJson(layout, manifest.config.digest);
    if (config.architecture !== arch || config.os !== 'linux') {
      fail(`${layout}:${arch} is ${config.os}/${config.architecture}, expected linux/${arch}`);
    }
    const platform = { architecture: arch, os: 'linux' };
    if (arch === 'arm64') platform.variant = 'v8';
    return { mediaType: entry.mediaType, digest: entry.digest, size: entry.size, platform };
  });
  const index = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests };
  const bytes = Buffer.from(JSON.stringify(index));
  const digest = `sha256:${sha256(bytes)}`;
  fs.writeFileSync(blobPath(layout, digest), bytes);
  top.manifests = [{
    mediaType: index.mediaType, digest, size: bytes.length,
    annotations: { 'org.opencontainers.image.ref.name': ref },
  }];
  fs.writeFileSync(indexFile, JSON.stringify(top));
  process.stdout.write(`${digest}\n`);
}

function describe(layout, ref) {
  const top = JSON.parse(fs.readFileSync(path.join(layout, 'index.json'), 'utf8'));
  const entry = top.manifests.find((m) => (m.annotations || {})['org.opencontainers.image.ref.name'] === ref);
  if (!entry) fail(`${layout} has no reference '${ref}'`);
  const index = readJson(layout, entry.digest);
  const out = { ref, digest: entry.digest, manifests: [] };
  for (const m of index.manifests) {
    const manifest = readJson(layout, m.digest);
    const config = readJson(layout, manifest.config.digest);
    const layers = manifest.layers.map((l, i) => ({
      digest: l.digest,
      compressed: l.size,
      holds: ((config.history || []).filter((h) => !h.empty_layer)[i] || {}).created_by || '',
    }));
    out.manifests.push({
      platform: `${m.platform.os}/${m.platform.architecture}`,
      digest: m.digest,
      compressed: layers.reduce((s, l) => s + l.compressed, 0),
      layers,
    });
  }
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
}

// The layers of REF's linux/ARCH manifest, in order (blob paths), for unpacking a root
// filesystem with tar (tests run the image's node under chroot or qemu-user from it).
function layers(layout, ref, arch) {
  const top = JSON.parse(fs.readFileSync(path.join(layout, 'index.json'), 'utf8'));
  const entry = top.manifests.find((m) => (m.annotations || {})['org.opencontainers.image.ref.name'] === ref);
  if (!entry) fail(`${layout} has no reference '${ref}'`);
  const m = readJson(layout, entry.digest).manifests.find((x) => x.platform.architecture === arch);
  if (!m) fail(`${layout}:${ref} has no linux/${arch} manifest`);
  for (const l of readJson(layout, m.digest).layers) process.stdout.write(`${blobPath(layout, l.digest)}\n`);
}

const [cmd, ...args] = process.argv.slice(2);
switch (cmd) {
  case 'modules': modules(args[0], args.slice(1)); break;
  case 'config': process.stdout.write(`${JSON.stringify(dockerfileConfig(args[0]), null, 2)}\n`); break;
  case 'umoci-flags': umociFlags(args[0]); break;
  case 'index': writeIndex(args[0], args[1], args.slice(2)); break;
  case 'describe': describe(args[0], args[1]); break;
  case 'layers': layers(args[0], args[1], args[2]); break;
  default: fail(`unknown command '${cmd || ''}': expected modules, config, umoci-flags, index, describe or layers`);
}
