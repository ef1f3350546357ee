// Sums impact rows per district, theme or month. Suppressed rows (groups too small to
// show) count as unknown, never as zero. Pure.
export interface Row {
  month: string;
  suppressed: boolean;
  hours?: number | null;
  volunteers?: number | null;
  needsFilled?: number | null;
  district?: { id: string; name: string } | null;
  theme?: { id: string; name: string } | null;
}

export interface Bar { key: string; label: string; hours: number; needsFilled: number; suppressed: number }

export function aggregate(rows: Row[], by: 'district' | 'theme' | 'month', monthLabel: (m: string) => string = (m) => m): Bar[] {
  const m = new Map<string, Bar>();
  for (const r of rows) {
    const k = by === 'month' ? r.month : by === 'district' ? r.district?.id : r.theme?.id;
    if (!k) continue;
    const label = by === 'month' ? monthLabel(r.month) : (by === 'district' ? r.district!.name : r.theme!.name);
    const b = m.get(k) ?? { key: k, label, hours: 0, needsFilled: 0, suppressed: 0 };
    if (r.suppressed) b.suppressed++;
    else {
      b.hours += r.hours ?? 0;
      b.needsFilled += r.needsFilled ?? 0;
    }
    m.set(k, b);
  }
  const out = [...m.values()];
  return by === 'month' ? out.sort((a, b) => a.key.localeCompare(b.key)) : out.sort((a, b) => b.hours - a.hours || a.label.localeCompare(b.label));
}

/** Bar length in percent of the largest value (0 when all are 0). */
export const pct = (v: number, max: number) => (max > 0 ? Math.round((v / max) * 1000) / 10 : 0);
