// Jest transform: TypeScript and ESM-only dependencies (execa and its
// helpers) are compiled to CommonJS with esbuild, so jest runs without
// --experimental-vm-modules. CommonJS files from node_modules pass through.
'use strict';
const {transformSync} = require('esbuild');
const {createHash} = require('node:crypto');
const {readFileSync} = require('node:fs');
const path = require('node:path');

const packageTypeCache = new Map();

// The "type" of the nearest package.json: decides whether a .js file is ESM.
function packageType(dir) {
  if (packageTypeCache.has(dir)) return packageTypeCache.get(dir);
  let type;
  try {
    type = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).type ?? 'commonjs';
  } catch {
    const parent = path.dirname(dir);
    type = parent === dir ? 'commonjs' : packageType(parent);
  }
  packageTypeCache.set(dir, type);
  return type;
}

function needsTransform(filename) {
  if (filename.endsWith('.ts') || filename.endsWith('.mjs')) return true;
  if (filename.endsWith('.cjs')) return false;
  return packageType(path.dirname(filename)) === 'module';
}

module.exports = {
  process(source, filename) {
    if (!needsTransform(filename)) return {code: source};
    const {code, map} = transformSync(source, {
      loader: filename.endsWith('.ts') ? 'ts' : 'js',
      format: 'cjs',
      target: 'node20',
      sourcemap: 'external',
      sourcefile: filename,
      // import() becomes require(): jest's CommonJS runtime has no dynamic import.
      supported: {'dynamic-import': false},
    });
    return {code, map};
  },
  getCacheKey(source, filename) {
    return createHash('sha1').update(source).update(filename).update('v3').digest('hex');
  },
};
