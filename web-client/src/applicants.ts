// Merging live application updates into the coordinator's list. Pure.
export interface HasId { id: string; createdAt: string }

/** Newest first; applications made at the same moment in a fixed order (by id), so a
 * reload and a live update never shuffle the cards under the coordinator's hands. */
export const newestFirst = (a: HasId, b: HasId) => b.createdAt.localeCompare(a.createdAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The list in the order the coordinator sees it. */
export const ordered = <T extends HasId>(list: T[]): T[] => [...list].sort(newestFirst);

/** Replaces the item with the same id, or adds it; newest first. */
export function upsert<T extends HasId>(list: T[], item: T): T[] {
  const i = list.findIndex((x) => x.id === item.id);
  return ordered(i >= 0 ? list.map((x, j) => (j === i ? item : x)) : [item, ...list]);
}

export const ORDER = ['PENDING', 'WAITING', 'ACCEPTED', 'ATTENDED', 'NO_SHOW', 'DECLINED', 'WITHDRAWN', 'CANCELLED'];

/** Groups applications by status in the order a coordinator works through them. */
export function groupByStatus<T extends { status: string }>(list: T[]): [string, T[]][] {
  return ORDER.map((s) => [s, list.filter((a) => a.status === s)] as [string, T[]]).filter(([, l]) => l.length > 0);
}
