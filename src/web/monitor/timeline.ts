/**
 * The day's process timeline as SVG: one row per process, its window shaded, its run today as
 * a bar (running blue, finished green, crashed red), and a line at the current time.
 */
import { minuteOfDay } from '../../domain/process-control/timing.ts';
import { parseTimeOfDay } from '../../domain/process-control/timing.ts';

export interface TimelineRow {
  name: string;
  window: string;
  running: boolean;
  crashed: boolean;
  last_start: string | null;
  last_end: string | null;
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
const W = 720;
const LABEL = 190;
const ROW_H = 22;

export function timelineSvg(rows: TimelineRow[], now: number, timeZone: string): string {
  const x = (minute: number) => LABEL + (Math.max(0, Math.min(1440, minute)) / 1440) * (W - LABEL - 24);
  const dayStart = now - minuteOfDay(now, timeZone) * 60_000;
  const minuteOf = (iso: string) => (Date.parse(iso) - dayStart) / 60_000;
  const h = rows.length * ROW_H + 28;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${h}" viewBox="0 0 ${W} ${h}" role="img" aria-label="process timeline">`,
  ];
  for (let hour = 0; hour <= 24; hour += 3) {
    const hx = x(hour * 60).toFixed(1);
    parts.push(`<line x1="${hx}" y1="0" x2="${hx}" y2="${h - 16}" stroke="#ddd"/>`);
    parts.push(
      `<text x="${hx}" y="${h - 4}" font-size="10" text-anchor="middle" fill="#666">${String(hour).padStart(2, '0')}:00</text>`,
    );
  }
  rows.forEach((r, i) => {
    const y = i * ROW_H + 4;
    parts.push(`<text x="4" y="${y + 14}" font-size="12" fill="#222">${esc(r.name)}</text>`);
    const [start, stop] = r.window.split('-');
    if (start && stop) {
      const a = parseTimeOfDay(start);
      const b = parseTimeOfDay(stop);
      if (b > a) {
        parts.push(
          `<rect class="window" x="${x(a).toFixed(1)}" y="${y + 2}" width="${(x(b) - x(a)).toFixed(1)}" height="${ROW_H - 6}" fill="#eef2f7"/>`,
        );
      }
    }
    if (r.last_start) {
      const s = minuteOf(r.last_start);
      const endIso = r.running ? undefined : r.last_end;
      const e =
        endIso && Date.parse(endIso) >= Date.parse(r.last_start)
          ? minuteOf(endIso)
          : r.running
            ? minuteOf(new Date(now).toISOString())
            : s;
      if (e >= 0 && s <= 1440) {
        const color = r.running ? '#2f6fd6' : r.crashed ? '#d64541' : '#2e9e5b';
        const state = r.running ? 'running' : r.crashed ? 'crashed' : 'finished';
        const width = Math.max(3, x(e) - x(s));
        parts.push(
          `<rect class="run ${state}" x="${x(s).toFixed(1)}" y="${y + 5}" width="${width.toFixed(1)}" height="${ROW_H - 12}" rx="2" fill="${color}"><title>${esc(r.name)} ${state}</title></rect>`,
        );
      }
    }
  });
  const nx = x(minuteOfDay(now, timeZone)).toFixed(1);
  parts.push(
    `<line class="now" x1="${nx}" y1="0" x2="${nx}" y2="${h - 16}" stroke="#e08a00" stroke-width="2"/>`,
  );
  parts.push('</svg>');
  return parts.join('');
}
