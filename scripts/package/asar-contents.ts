// Reading app.asar's header: its entries, and the packages (name@version) under node_modules/.
import { getRawHeader } from '@electron/asar';

export interface AsarEntry {
  readonly path: string; // relative, '/'-separated
  readonly kind: 'file' | 'dir' | 'link';
  readonly unpacked: boolean;
  readonly size: number;
}

type HeaderNode = {
  files?: Record<string, HeaderNode>;
  link?: string;
  size?: number;
  unpacked?: boolean;
};

/** Every entry of an asar archive, from its header (no file data is read). */
export function listAsar(asarPath: string): AsarEntry[] {
  const entries: AsarEntry[] = [];
  const walk = (node: HeaderNode, prefix: string): void => {
    for (const [name, child] of Object.entries(node.files ?? {})) {
      const p = prefix === '' ? name : `${prefix}/${name}`;
      if (child.files !== undefined) {
        entries.push({ path: p, kind: 'dir', unpacked: child.unpacked === true, size: 0 });
        walk(child, p);
      } else {
        entries.push({
          path: p,
          kind: child.link !== undefined ? 'link' : 'file',
          unpacked: child.unpacked === true,
          size: Number(child.size ?? 0),
        });
      }
    }
  };
  walk(getRawHeader(asarPath).header as HeaderNode, '');
  return entries;
}

export function nameAtVersion(packageJson: Buffer): string {
  const pkg = JSON.parse(packageJson.toString('utf8')) as { name?: unknown; version?: unknown };
  return `${String(pkg.name)}@${String(pkg.version)}`;
}

/** Install paths of the packages in a node_modules tree: `x`, `@s/x`, `x/node_modules/y`. */
export function packagesIn(paths: Iterable<string>): string[] {
  const found = new Set<string>();
  for (const p of paths) {
    const m =
      /^node_modules\/((?:.*\/node_modules\/)?(?:@[^/]+\/)?[^/@][^/]*)\/package\.json$/.exec(p);
    if (m?.[1] !== undefined) found.add(m[1]);
  }
  return [...found].sort();
}
