// Merging live application updates into the coordinator's list. Pure.
export interface HasId { id: string; createdAt: string }

/** Replaces the item with the same id, or adds it; newest first. */
export function upsert<T extends HasId>(list: T[], item: T): T[] {
  const i = list.findIndex((x) => x.id === item.id);
  const next = i >= 0 ? list.map((x, j) => (j === i ? item : x)) : [item, ...list];
  return next.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

export const ORDER = ['PENDING', 'WAITING', 'ACCEPTED', 'ATTENDED', 'NO_SHOW', 'DECLINED', 'WITHDRAWN', 'CANCELLED'];

/** Groups applications by status in the order a coordinator works through them. */
export function groupByStatus<T extends { status: string }>(list: T[]): [string, T[]][] {
  return ORDER.map((s) => [s, list.filter((a) => a.status === s)] as [string, T[]]).filter(([, l]) => l.length > 0);
}
