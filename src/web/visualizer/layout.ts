/**
 * Machine drawings for the visualizer: each machine of `machines/registry.ts`, described by
 * `describeMachine`, laid out by dagre (a layered Sugiyama layout, run here in Node, so the page
 * carries finished SVG and no layout code) and written as an SVG string.
 *
 * Every state is a `<g class="state" data-state="<key>">` so the page can highlight the state an
 * actor is in; transitions between the same two states are drawn as one edge with their labels
 * stacked; root handlers taken in any active state are listed under the drawing.
 */
import dagre from '@dagrejs/dagre';
import { describeMachine } from '../../../machines/diagram.ts';
import type { MachineEntry } from '../../../machines/registry.ts';

const CHAR_W = 6.6;
const LINE_H = 13;
const STATE_H = 34;
/** Drawings up to this wide shrink to fit the page; wider ones keep their size and scroll. */
const FIT_WIDTH = 1700;

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

interface EdgeGroup {
  source: string;
  target: string;
  labels: string[];
}

export interface MachineDrawing {
  readonly name: string;
  readonly id: string;
  readonly description: string;
  readonly states: string[];
  readonly svg: string;
}

function groupEdges(d: ReturnType<typeof describeMachine>): EdgeGroup[] {
  const groups = new Map<string, EdgeGroup>();
  for (const t of d.transitions) {
    const key = `${t.source}\u0000${t.target}`;
    const g = groups.get(key) ?? { source: t.source, target: t.target, labels: [] };
    const text = t.guard ? `${t.event} [${t.guard}]` : t.event;
    if (!g.labels.includes(text)) g.labels.push(text);
    groups.set(key, g);
  }
  return [...groups.values()];
}

const xy = (p: { x: number; y: number }): string => `${p.x.toFixed(1)},${p.y.toFixed(1)}`;

/** A smooth path through dagre's edge points: each inner point a quadratic control point. */
function pathOf(points: Array<{ x: number; y: number }>): string {
  const first = points[0];
  const last = points[points.length - 1];
  if (!first || !last) return '';
  const parts = [`M${xy(first)}`];
  for (let i = 1; i < points.length - 1; i++) {
    const p = points[i];
    const q = points[i + 1];
    if (!p || !q) continue;
    const mid = i === points.length - 2 ? q : { x: (p.x + q.x) / 2, y: (p.y + q.y) / 2 };
    parts.push(`Q${xy(p)} ${xy(mid)}`);
  }
  if (points.length === 2) parts.push(`L${xy(last)}`);
  return parts.join(' ');
}

type Layout = InstanceType<typeof dagre.graphlib.Graph>;

function layOut(d: ReturnType<typeof describeMachine>, edges: EdgeGroup[], labels: boolean): Layout {
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: 'TB', nodesep: 30, ranksep: 46, edgesep: 12, marginx: 12, marginy: 12 });
  g.setDefaultEdgeLabel(() => ({}));
  g.setNode('__start', { width: 10, height: 10 });
  for (const s of d.states)
    g.setNode(s.id, { width: Math.max(70, s.key.length * CHAR_W + 26), height: STATE_H });
  for (const s of d.states.filter((x) => x.initial)) g.setEdge('__start', s.id, {}, 'start');
  edges.forEach((e, i) => {
    const width = labels ? Math.max(...e.labels.map((l) => l.length)) * CHAR_W + 6 : 0;
    const height = labels ? e.labels.length * LINE_H : 0;
    g.setEdge(e.source, e.target, { width, height, labelpos: 'c' }, `e${i}`);
  });
  dagre.layout(g);
  return g;
}

/**
 * Lay out and draw one machine as SVG. A machine too dense to label its edges in place (wider
 * than FIT_WIDTH with labels) is drawn without them: each edge names its transitions in a
 * tooltip, and they are listed under the drawing.
 */
export function drawMachine(entry: MachineEntry): MachineDrawing {
  const d = describeMachine(entry.machine);
  const edges = groupEdges(d);
  let g = layOut(d, edges, true);
  const labelled = (g.graph().width ?? 0) <= FIT_WIDTH;
  if (!labelled) g = layOut(d, edges, false);
  const keyOf = new Map(d.states.map((s) => [s.id, s.key]));

  const parts: string[] = [];
  for (const ref of g.edges()) {
    const e = g.edge(ref);
    const idx = ref.name?.startsWith('e') ? Number(ref.name.slice(1)) : -1;
    const group = idx >= 0 ? edges[idx] : undefined;
    const title = group ? `<title>${esc(group.labels.join('\n'))}</title>` : '';
    if (group && group.source === group.target) {
      // A targetless transition: a loop on the state's right side, its label where dagre left room.
      const n = g.node(ref.v);
      const x0 = (n.x ?? 0) + n.width / 2;
      const y0 = n.y ?? 0;
      const loop = `M${x0.toFixed(1)},${(y0 - 6).toFixed(1)} C${(x0 + 26).toFixed(1)},${(y0 - 24).toFixed(1)} ${(x0 + 26).toFixed(1)},${(y0 + 24).toFixed(1)} ${x0.toFixed(1)},${(y0 + 6).toFixed(1)}`;
      parts.push(`<path class="edge self" d="${loop}" marker-end="url(#arrow)">${title}</path>`);
    } else {
      const points = e.points ?? [];
      if (points.length === 0) continue;
      parts.push(`<path class="edge" d="${pathOf(points)}" marker-end="url(#arrow)">${title}</path>`);
    }
    if (labelled && group && e.x !== undefined && e.y !== undefined) {
      const top = e.y - (group.labels.length * LINE_H) / 2 + LINE_H - 3;
      const lines = group.labels
        .map((l, k) => `<tspan x="${e.x?.toFixed(1)}" y="${(top + k * LINE_H).toFixed(1)}">${esc(l)}</tspan>`)
        .join('');
      parts.push(`<text class="edge-label" text-anchor="middle">${lines}</text>`);
    }
  }
  for (const id of g.nodes()) {
    const n = g.node(id);
    const x = n.x ?? 0;
    const y = n.y ?? 0;
    if (id === '__start') {
      parts.push(`<circle class="start" cx="${x}" cy="${y}" r="5"/>`);
      continue;
    }
    const key = keyOf.get(id) ?? id;
    const final = d.states.find((s) => s.id === id)?.final ?? false;
    const rx = x - n.width / 2;
    const ry = y - n.height / 2;
    const rect = (inset: number) =>
      `<rect x="${(rx + inset).toFixed(1)}" y="${(ry + inset).toFixed(1)}" width="${(n.width - 2 * inset).toFixed(1)}" height="${(n.height - 2 * inset).toFixed(1)}" rx="8"/>`;
    parts.push(
      `<g class="state${final ? ' final' : ''}" data-state="${esc(key)}">${rect(0)}${final ? rect(3) : ''}` +
        `<text x="${x.toFixed(1)}" y="${(y + 4).toFixed(1)}" text-anchor="middle">${esc(key)}</text>` +
        `<text class="count" x="${(rx + n.width - 4).toFixed(1)}" y="${(ry + 11).toFixed(1)}" text-anchor="end"></text></g>`,
    );
  }
  const graph = g.graph();
  const w = Math.ceil(graph.width ?? 100);
  const h = Math.ceil(graph.height ?? 100);
  const list = labelled
    ? ''
    : `<details class="transitions"><summary>${edges.length} transitions (drawn unlabelled; hover an edge)</summary><ul>${edges
        .map(
          (e) =>
            `<li>${esc(keyOf.get(e.source) ?? e.source)} → ${esc(keyOf.get(e.target) ?? e.target)}: ${esc(e.labels.join(', '))}</li>`,
        )
        .join('')}</ul></details>`;
  const anyState =
    list +
    (d.anyState.length > 0
      ? `<p class="any-state">In any active state: ${esc(d.anyState.join(', '))}</p>`
      : '');
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" class="machine" data-machine="${esc(entry.name)}" ` +
    `viewBox="0 0 ${w} ${h}" width="${w}" height="${h}"${w <= FIT_WIDTH ? ' style="max-width:100%;height:auto"' : ''} ` +
    `role="img" aria-label="${esc(entry.name)} state machine">` +
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">` +
    `<path d="M0,0 L10,5 L0,10 z"/></marker></defs>${parts.join('')}</svg>${anyState}`;
  return {
    name: entry.name,
    id: d.id,
    description: entry.description,
    states: d.states.map((s) => s.key),
    svg,
  };
}
