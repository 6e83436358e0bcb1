/**
 * The visualizer page: one self-contained HTML document (no CDN, no external file). The machine
 * drawings arrive as finished SVG (layout.ts); the inline script lists live actors
 * (`api/visualizer/actors`, then the server-sent events of `api/visualizer/events`), follows one
 * family, and steps through a family's journal (`api/visualizer/replay?root=`).
 */
import type { MachineDrawing } from './layout.ts';

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const STYLE = `
body{font:14px system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1d2430}
header{background:#1d2430;color:#fff;padding:10px 18px;display:flex;gap:18px;align-items:baseline}
header a{color:#9cc3ff}
main{display:grid;grid-template-columns:minmax(0,1fr) 480px;gap:14px;padding:14px;align-items:start}
.side{position:sticky;top:0;max-height:100vh;overflow-y:auto}
section{background:#fff;border:1px solid #d8dde5;border-radius:8px;padding:10px 14px;margin-bottom:14px}
h2{font-size:15px;margin:4px 0 8px}h3{font-size:14px;margin:6px 0 2px}
.desc{color:#5a6372;font-size:12px;margin:0 0 6px}
.machine-card{overflow-x:auto;border-top:1px solid #eef0f3;padding-top:6px;margin-top:6px}
svg.machine{font:11px system-ui,sans-serif;display:block}
.state rect{fill:#eef2f8;stroke:#53627a;stroke-width:1.2}
.state text{fill:#1d2430;font-size:12px}.state text.count{font-size:10px;fill:#0b6b3a;font-weight:600}
.state.occupied rect{fill:#e3f5ea}
.state.current rect{fill:#ffd54a;stroke:#b36b00;stroke-width:2.5}
.edge{fill:none;stroke:#8a94a6;stroke-width:1.1}.edge-label{fill:#3b4656;font-size:10.5px}
marker path{fill:#8a94a6}.start{fill:#1d2430}
.any-state{font-size:12px;color:#5a6372;margin:2px 0 4px}
table{border-collapse:collapse;width:100%;font-size:12.5px}
td,th{border-bottom:1px solid #eef0f3;padding:3px 6px;text-align:left}
.badge{display:inline-block;padding:1px 7px;border-radius:10px;background:#e3f5ea;color:#0b6b3a;font-weight:600}
tr.focus .badge,.steps tr.now .badge{background:#ffd54a;color:#5a3a00}
.steps tr.now{background:#fff7d6}.steps tr.later{color:#aab1bd}
input{width:90px}.scroll{max-height:32vh;overflow-y:auto}button{margin-left:4px}.muted{color:#7a8392}
`;

const SCRIPT = `
const $ = (s) => document.querySelector(s);
const actors = new Map();
let focus = new Map();
let followRoot = null;
let steps = [];
let stepAt = -1;
const key = (e) => e.kind + ':' + e.id;
function cell(tr, text, cls) { const td = document.createElement('td'); if (cls) { const b = document.createElement('span'); b.className = cls; b.textContent = text; td.appendChild(b); } else td.textContent = text; tr.appendChild(td); return td; }
function highlight() {
  for (const g of document.querySelectorAll('g.state')) { g.classList.remove('current', 'occupied'); g.querySelector('text.count').textContent = ''; }
  const counts = new Map();
  for (const e of actors.values()) if (e.machine) { const k = e.machine + '|' + e.state; counts.set(k, (counts.get(k) || 0) + 1); }
  for (const [k, n] of counts) { const [m, s] = k.split('|'); const g = document.querySelector('svg[data-machine="' + m + '"] g.state[data-state="' + CSS.escape(s) + '"]'); if (g) { g.classList.add('occupied'); g.querySelector('text.count').textContent = String(n); } }
  for (const e of focus.values()) { if (!e.machine) continue; const g = document.querySelector('svg[data-machine="' + e.machine + '"] g.state[data-state="' + CSS.escape(e.state) + '"]'); if (g) g.classList.add('current'); }
}
function renderActors() {
  const box = $('#actors'); box.textContent = '';
  const kinds = [...new Set([...actors.values()].map((e) => e.kind))].sort();
  if (kinds.length === 0) { box.textContent = 'No live actor has published yet.'; box.className = 'muted'; return; }
  box.className = '';
  for (const k of kinds) {
    const h = document.createElement('h3'); h.textContent = k + ' (' + [...actors.values()].filter((e) => e.kind === k).length + ')'; box.appendChild(h);
    const t = document.createElement('table'); t.className = 'actors'; t.dataset.kind = k;
    t.innerHTML = '<tr><th>id</th><th>family</th><th>state</th><th>last event</th><th>v</th></tr>';
    for (const e of [...actors.values()].filter((x) => x.kind === k).sort((a, b) => a.id.localeCompare(b.id, undefined, { numeric: true }))) {
      const tr = document.createElement('tr'); tr.dataset.actor = key(e); tr.dataset.state = e.state;
      if (focus.has(key(e)) && followRoot !== null) tr.className = 'focus';
      cell(tr, e.id); cell(tr, e.root ?? ''); cell(tr, e.state, 'badge'); cell(tr, e.event); cell(tr, e.version ?? '');
      t.appendChild(tr);
    }
    box.appendChild(t);
  }
}
function renderFollow(e) {
  const tr = document.createElement('tr'); tr.dataset.actor = key(e); tr.dataset.state = e.state;
  cell(tr, e.at ? new Date(e.at).toISOString().slice(11, 19) : ''); cell(tr, key(e)); cell(tr, e.event); cell(tr, e.state, 'badge');
  $('#follow-log').appendChild(tr);
}
function onEvent(e) {
  actors.set(key(e), e);
  if (followRoot !== null && e.root === followRoot) { focus.set(key(e), e); renderFollow(e); }
  renderActors(); highlight();
}
function follow() {
  const v = $('#follow-root').value.trim(); followRoot = v === '' ? null : v; steps = []; stepAt = -1; renderSteps();
  focus = new Map(); $('#follow-log').textContent = '';
  if (followRoot !== null) for (const e of actors.values()) if (e.root === followRoot) { focus.set(key(e), e); renderFollow(e); }
  $('#follow-status').textContent = followRoot === null ? 'following nothing' : 'following family ' + followRoot;
  renderActors(); highlight();
}
function renderSteps() {
  const t = $('#steps'); t.textContent = '';
  steps.forEach((e, i) => { const tr = document.createElement('tr'); tr.dataset.step = String(i); tr.dataset.state = e.state; tr.className = i === stepAt ? 'now' : i > stepAt ? 'later' : ''; cell(tr, String(i + 1)); cell(tr, key(e)); cell(tr, e.event); cell(tr, e.state, 'badge'); t.appendChild(tr); });
  $('#step-pos').textContent = steps.length === 0 ? '' : 'step ' + (stepAt + 1) + ' / ' + steps.length;
}
function showStep(i) {
  stepAt = Math.max(0, Math.min(steps.length - 1, i)); focus = new Map();
  for (const e of steps.slice(0, stepAt + 1)) focus.set(key(e), e);
  renderSteps(); highlight();
  const now = document.querySelector('#steps tr.now'); if (now) now.scrollIntoView({ block: 'nearest' });
}
async function loadReplay() {
  const root = $('#replay-root').value.trim(); if (root === '') return;
  followRoot = null; $('#follow-status').textContent = 'replaying family ' + root;
  const r = await fetch('api/visualizer/replay?root=' + encodeURIComponent(root));
  const body = await r.json(); steps = body.steps || []; stepAt = -1;
  $('#replay-status').textContent = steps.length === 0 ? 'nothing journaled for family ' + root : steps.length + ' steps of family ' + root;
  if (steps.length > 0) showStep(0); else { renderSteps(); highlight(); }
}
async function boot() {
  const r = await fetch('api/visualizer/actors'); for (const e of (await r.json()).actors) actors.set(key(e), e);
  renderActors(); highlight();
  const src = new EventSource('api/visualizer/events');
  src.addEventListener('actor', (m) => onEvent(JSON.parse(m.data)));
  src.addEventListener('open', () => { document.body.dataset.live = 'yes'; $('#live').textContent = 'live'; });
  src.addEventListener('error', () => { $('#live').textContent = 'reconnecting'; });
  $('#follow-btn').addEventListener('click', follow);
  $('#replay-btn').addEventListener('click', () => { loadReplay(); });
  $('#prev').addEventListener('click', () => showStep(stepAt - 1));
  $('#next').addEventListener('click', () => showStep(stepAt + 1));
}
boot();
`;

export function visualizerHtml(drawings: readonly MachineDrawing[], subjects: readonly string[]): string {
  const cards = drawings
    .map(
      (d) =>
        `<div class="machine-card" id="m-${esc(d.name)}"><h3>${esc(d.name)}</h3><p class="desc">${esc(d.description)}</p>${d.svg}</div>`,
    )
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>systack machines</title>
<style>${STYLE}</style></head><body>
<header><strong>systack — live machines</strong><span id="live" class="muted">connecting</span>
<span class="muted">reads ${subjects.map(esc).join(', ')}</span><a href="./">monitor</a></header>
<main><div><section><h2>Machines</h2>${cards}</section></div>
<div class="side"><section><h2>Follow a family</h2><label>instrument order id <input id="follow-root"></label><button id="follow-btn">Follow</button>
<p id="follow-status" class="muted">following nothing</p><div class="scroll"><table class="follow"><tbody id="follow-log"></tbody></table></div></section>
<section><h2>Replay a family from the journal</h2><label>instrument order id <input id="replay-root"></label><button id="replay-btn">Load</button>
<button id="prev">◀ Prev</button><button id="next">Next ▶</button> <span id="step-pos"></span>
<p id="replay-status" class="muted"></p><div class="scroll"><table class="steps"><tbody id="steps"></tbody></table></div></section>
<section><h2>Live actors</h2><div id="actors" class="muted">loading</div></section></div></main>
<script>${SCRIPT}</script></body></html>`;
}
