/**
 * Finding a key's node in the Redis tree for "Reveal in Tree": walk down
 * from the database through the type group or the namespace folders whose
 * prefix starts the key, looking only at pages already loaded (a first page
 * loads on the way, as an expand would). Never scans further: a key beyond
 * the loaded pages is not found, and the caller narrows the tree instead.
 */
import { type DatabaseNode, KeyNode, NamespaceNode, TypeGroupNode } from './redisNodes';
import type { TreeNode } from './treeNode';

function startsWith(key: Buffer, prefix: Buffer): boolean {
  return key.length >= prefix.length && key.subarray(0, prefix.length).equals(prefix);
}

/** The key's node under `db`, or undefined when the loaded pages do not hold it. `type` picks the type group. */
export async function findKeyNode(db: DatabaseNode, key: Buffer, type: string | undefined): Promise<KeyNode | undefined> {
  let children: TreeNode[] = await db.getChildren();
  for (let depth = 0; depth < 64; depth++) {
    const hit = children.find((n): n is KeyNode => n instanceof KeyNode && n.key.equals(key));
    if (hit) return hit;
    const next =
      children.find((n) => n instanceof TypeGroupNode && n.type === type) ??
      children
        .filter((n): n is NamespaceNode => n instanceof NamespaceNode && n.prefix.length > 0 && startsWith(key, n.prefix))
        .sort((a, b) => b.prefix.length - a.prefix.length)[0];
    if (!next) return undefined;
    children = await next.getChildren();
  }
  return undefined;
}
