import {buildGuestImage} from './image';
import {bootPair} from './pair';

// Boots the pair and prints a few facts: a quick check of the harness itself.
async function main() {
  const hacloud = process.argv[2] ?? 'dist/hacloud';
  const image = buildGuestImage(hacloud, (l) => console.log(l));
  console.log(`image: built=${image.built} ${image.seconds.toFixed(1)} s`);
  const pair = await bootPair(image);
  try {
    console.log(`boot: ${pair.bootSeconds.toFixed(1)} s`);
    for (const g of Object.values(pair.guests)) {
      for (const argv of [['cat', '/proc/drbd'], ['ip', '-o', 'addr'], ['/usr/lib/ocf/resource.d/hacloud/drbd', 'meta-data'], ['sh', '-c', 'exit 3']]) {
        const r = await g.run(argv);
        console.log(`[${g.name}] ${argv.join(' ')} -> ${r.code} (${r.ms} ms)\n${r.stdout.slice(0, 400)}${r.stderr.slice(0, 400)}`);
      }
    }
  } finally {
    await pair.close();
  }
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
