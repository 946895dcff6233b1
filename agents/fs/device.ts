import {existsSync} from 'node:fs';
import {findBinary} from '../../lib/sys/binaries';
import {run} from '../../lib/sys/exec';
import {parseDeviceSpec, type Ctx, type DeviceSpec} from './params';

const BY_DIR: Record<string, string> = {UUID: 'by-uuid', LABEL: 'by-label', PARTUUID: 'by-partuuid', PARTLABEL: 'by-partlabel'};

// A tag value as udev names its /dev/disk/by-* link: bytes outside
// [0-9A-Za-z#+-.:=@_] and non-ASCII written as \xHH (udev's encode_devnode_name
// keeps valid UTF-8; labels here are expected in ASCII).
export const udevEncode = (value: string): string =>
  [...Buffer.from(value, 'utf8')]
    .map((byte) => {
      const char = String.fromCharCode(byte);
      return /[0-9A-Za-z#+\-.:=@_]/.test(char) ? char : `\\x${byte.toString(16).padStart(2, '0')}`;
    })
    .join('');

// Where the device should be: the path given, or the udev link of the tag.
export const deviceLink = (spec: DeviceSpec): string =>
  spec.kind === 'path' ? spec.path : `/dev/disk/${BY_DIR[spec.tag]}/${udevEncode(spec.value)}`;

// The device path in-process (no fork): undefined when it is not there.
export function resolveDeviceSync(device: string): string | undefined {
  const spec = parseDeviceSpec(device);
  if (!spec) return undefined;
  const link = deviceLink(spec);
  return existsSync(link) ? link : undefined;
}

// The device path; a tag without its udev link (no udev running) is asked of blkid.
export async function resolveDevice(ctx: Ctx): Promise<string | undefined> {
  const found = resolveDeviceSync(ctx.params.device);
  const spec = parseDeviceSpec(ctx.params.device);
  if (found || spec?.kind !== 'tag') return found;
  const blkid = findBinary('blkid', ctx.env.raw);
  if (!blkid) return undefined;
  const result = await run(blkid, ['-l', '-o', 'device', '-t', `${spec.tag}=${spec.value}`], {deadline: ctx.deadline.slice({ms: 10_000})});
  const path = result.ok ? result.stdout.trim().split('\n')[0] : undefined;
  return path?.startsWith('/') ? path : undefined;
}
