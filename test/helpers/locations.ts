/**
 * The file behind a package location of a file-system region (`vmarket-fs://<region>/<key>`,
 * docs/contracts.md §7), so tests can check that the copy holds the image's bytes: customers are
 * not told server paths, the test knows the region's directory.
 */
import assert from 'node:assert/strict';
import path from 'node:path';

/** `regionDir` answers a file-system region's directory (e.g. from the server's configuration). */
export function regionCopyPath(regionDir: (region: string) => string, location: string): string {
  const url = new URL(location);
  assert.equal(url.protocol, 'vmarket-fs:', location);
  return path.join(path.resolve(regionDir(url.host)), ...url.pathname.split('/').filter(Boolean));
}

/** A test server's region directories, from its configuration. */
export function configuredRegionDir(server: { ctx: { config: { regions: { name: string; storage: { type: string; path?: string } }[] } } }): (region: string) => string {
  return (name) => {
    const region = server.ctx.config.regions.find((r) => r.name === name);
    assert.ok(region?.storage.path, `${name} is a file-system region of the server`);
    return region.storage.path;
  };
}
