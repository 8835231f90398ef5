import { configure } from "safe-stable-stringify";

/**
 * Text to hash for "same content": JSON with every object's keys sorted, so equal values give the
 * same bytes whatever order their keys arrived in. Schema snapshot hashes and span resource ids are
 * stored, so this must stay byte for byte what it is (test/lib/canonical-json.test.ts proves it
 * against the implementations it replaced). Beyond JSON.stringify: bigints are written as numbers
 * and a cycle as "[Circular]" rather than throwing.
 */
const sortedKeys = configure({});

export function canonicalJson(value: object): string {
  return sortedKeys(value);
}

/** An array index (0 … 2^32 − 2): JavaScript lists such keys of an object first, in numeric order. */
const isArrayIndex = (key: string) => /^(?:0|[1-9]\d{0,9})$/.test(key) && Number(key) < 2 ** 32 - 1;

/**
 * The key order of an object rebuilt with its keys inserted sorted: array-index keys first, in
 * numeric order, then the others sorted.
 */
function indexKeysFirst(a: string, b: string): number {
  const ia = isArrayIndex(a);
  const ib = isArrayIndex(b);
  if (ia && ib) return Number(a) - Number(b);
  if (ia !== ib) return ia ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

const indexKeysFirstJson = configure({ deterministic: indexKeysFirst });

/**
 * canonicalJson, except that keys such as "9" and "10" come first in numeric order. RAG document
 * content hashes were computed this way (JSON.stringify of objects rebuilt with sorted keys, which
 * JavaScript reorders so), and they are stored: a different order would re-index every document
 * whose metadata has numeric keys. Use canonicalJson for anything new.
 */
export function canonicalJsonIndexKeysFirst(value: object): string {
  return indexKeysFirstJson(value);
}
