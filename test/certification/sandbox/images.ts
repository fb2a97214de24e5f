/** Hostile images for the sandbox tests: small files that make the certification engine spin or grow without bound. */
import { baseLinuxTree, buildImage } from '../../fixtures/images.ts';

/**
 * A small image whose certification keeps growing the heap: one file holding a million AWS access
 * key ids, each of which becomes a piece of evidence (far past a 64 MiB heap).
 */
export async function greedyImage(output: string): Promise<string> {
  const line = 'aws_access_key_id = AKIAZZZZQQQQ12345678\n';
  const keys = Buffer.from(line.repeat(Math.floor(40e6 / line.length)));
  return buildImage({ files: [...baseLinuxTree().files, { path: '/srv/keys.txt', content: keys }], output, sizeMiB: 128 });
}


/**
 * A small image whose certification never ends on its own: a 64 MiB disk whose file system holds
 * a 1 TiB sparse file. The scan reads a hole's zeros without any I/O, so the engine's loop never
 * yields to the event loop.
 */
export async function spinningImage(output: string): Promise<string> {
  return buildImage({ files: [...baseLinuxTree().files, { path: '/var/lib/huge.img', holeSize: 2 ** 40 }], output });
}
