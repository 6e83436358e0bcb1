/**
 * The monitor page: plain HTML and a small script that fetches `/api/monitor` every 2 s and
 * renders processes, methods, the day's timeline, prices, orders, positions and critical logs.
 * Everything from the server is inserted as text, except the server-built timeline SVG.
 */
export const MONITOR_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>systack monitor</title>
<style>
body{font:13px/1.4 system-ui,sans-serif;margin:16px;color:#222;background:#fafafa}
h1{font-size:18px;margin:0 0 4px} h2{font-size:14px;margin:18px 0 6px}
table{border-collapse:collapse;background:#fff} td,th{border:1px solid #ddd;padding:3px 8px;text-align:left}
th{background:#f0f0f0} .muted{color:#888} .nodata{color:#999;font-style:italic}
.st-GO{color:#2e9e5b;font-weight:600} .st-STOP{color:#d64541;font-weight:600}
.st-NO-RUN{color:#b36b00;font-weight:600} .st-PAUSE{color:#6b5bd6;font-weight:600}
.running{color:#2f6fd6;font-weight:600} .crashed{color:#d64541;font-weight:600}
.grid{display:flex;gap:24px;flex-wrap:wrap}
</style></head><body>
<h1>systack monitor</h1>
<div id="now" class="muted">loading…</div>
<div><a href="/reports/">Reports</a> (the latest of each, with plots)</div>
<h2>Today</h2><div id="timeline"></div>
<h2>Processes</h2><div id="processes"></div>
<h2>Methods</h2><div id="methods"></div>
<div class="grid">
<div><h2>Price staleness</h2><div id="prices"></div></div>
<div><h2>Live orders</h2><div id="orders"></div></div>
<div><h2>Positions</h2><div id="positions"></div></div>
</div>
<h2>Recent critical logs</h2><div id="logs"></div>
<script>
const $ = (id) => document.getElementById(id);
const t = (iso) => iso ? iso.replace('T', ' ').slice(0, 19) : '';
function table(rows, cols, cls) {
  if (rows === null || rows === undefined) { const d = document.createElement('div'); d.className = 'nodata'; d.textContent = 'no data (service not running)'; return d; }
  if (rows.length === 0) { const d = document.createElement('div'); d.className = 'nodata'; d.textContent = 'none'; return d; }
  const tb = document.createElement('table'); const hr = tb.insertRow();
  for (const c of cols) { const th = document.createElement('th'); th.textContent = c; hr.appendChild(th); }
  for (const r of rows) { const tr = tb.insertRow(); for (const c of cols) { const td = tr.insertCell(); const v = r[c]; td.textContent = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v); const k = cls && cls(c, v, r); if (k) td.className = k; } }
  return tb;
}
function put(id, el) { const n = $(id); n.replaceChildren(el); }
async function refresh() {
  try {
    const res = await fetch('/api/monitor', { cache: 'no-store' });
    const s = await res.json();
    $('now').textContent = 'Time ' + t(s.now) + ' UTC · zone ' + s.time_zone + ' · refreshed every 2 s';
    $('timeline').innerHTML = s.timeline_svg;
    const procs = s.processes.map((p) => ({ ...p, running: p.running ? 'running' : 'not running', crashed: p.crashed ? 'crashed' : '', last_start: t(p.last_start), last_end: t(p.last_end), pid: p.pid ? p.pid + '@' + p.host : '' }));
    put('processes', table(procs, ['name', 'running', 'status', 'pid', 'last_start', 'last_end', 'crashed', 'previous_process', 'window', 'supervisor'],
      (c, v) => c === 'status' ? 'st-' + v : c === 'running' && v === 'running' ? 'running' : c === 'crashed' && v ? 'crashed' : ''));
    const methods = [];
    for (const p of s.processes) for (const [m, st] of Object.entries(p.methods)) methods.push({ process: p.name, method: m, executions: st.executions, last_run: st.lastRun ? t(new Date(st.lastRun).toISOString()) : '', last_end: st.lastEnd ? t(new Date(st.lastEnd).toISOString()) : '', heartbeat: st.lastHeartbeat ? t(new Date(st.lastHeartbeat).toISOString()) : '', state: st.running ? 'running' : '' });
    put('methods', table(methods, ['process', 'method', 'executions', 'last_run', 'last_end', 'heartbeat', 'state'], (c, v) => c === 'state' && v ? 'running' : ''));
    put('prices', table(s.prices, s.prices && s.prices[0] ? Object.keys(s.prices[0]) : []));
    put('orders', table(s.orders, s.orders && s.orders[0] ? Object.keys(s.orders[0]) : []));
    put('positions', table(s.positions, s.positions && s.positions[0] ? Object.keys(s.positions[0]) : []));
    put('logs', table(s.critical_logs, ['time', 'process', 'msg']));
    document.body.dataset.refreshed = String(Number(document.body.dataset.refreshed || 0) + 1);
  } catch (e) { $('now').textContent = 'monitor unreachable: ' + e; }
}
refresh(); setInterval(refresh, 2000);
</script></body></html>`;
