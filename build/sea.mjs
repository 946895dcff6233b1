// Turns dist/hacloud.cjs into the single executable dist/hacloud: a copy of
// the running node with the bundle (and V8's code cache, for start-up
// speed) injected as a Node single-executable-application blob.
import {execFileSync} from 'node:child_process';
import {chmodSync, copyFileSync, mkdirSync, rmSync, writeFileSync} from 'node:fs';

const config = {
  main: 'dist/hacloud.cjs',
  output: 'dist/hacloud.blob',
  disableExperimentalSEAWarning: true,
  useCodeCache: true,
  useSnapshot: false,
};
mkdirSync('dist', {recursive: true});
writeFileSync('dist/sea-config.json', JSON.stringify(config, null, 2));
execFileSync(process.execPath, ['--experimental-sea-config', 'dist/sea-config.json'], {stdio: 'inherit'});
rmSync('dist/hacloud', {force: true});
copyFileSync(process.execPath, 'dist/hacloud.tmp');
chmodSync('dist/hacloud.tmp', 0o755);
// node's symbols and debug information (about 12 MB) go before the blob is
// injected (stripping afterwards breaks the binary); where binutils' strip
// is missing, the binary keeps them.
try {
  execFileSync('strip', ['--strip-all', 'dist/hacloud.tmp'], {stdio: ['ignore', 'ignore', 'inherit']});
} catch (error) {
  if (error.code !== 'ENOENT') throw error;
}
execFileSync(
  process.execPath,
  [
    'node_modules/postject/dist/cli.js',
    'dist/hacloud.tmp',
    'NODE_SEA_BLOB',
    'dist/hacloud.blob',
    '--sentinel-fuse',
    'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2',
  ],
  {stdio: ['ignore', 'ignore', 'inherit']},
);
// Only a complete binary gets the final name.
execFileSync('mv', ['dist/hacloud.tmp', 'dist/hacloud']);
console.log('dist/hacloud');
