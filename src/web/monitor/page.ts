/**
 * The monitor page: plain HTML, Chart.js served by the monitor itself (`/vendor/`), and a script
 * that listens to `/api/monitor/events` (server-sent events, no polling) and renders: capital,
 * P&L today and the equity curve; a price chart per instrument with its fills marked; price
 * staleness; each strategy position against its buffer band over time; positions by strategy
 * and by contract with breaks highlighted; locks; trade limits (set with confirmation); live orders
 * and the day's fills, searchable back through history; processes with their controls; the
 * day's timeline; live logs with filters. Controls are enabled only for a signed-in operator and
 * each asks for confirmation. Everything from the server is inserted as text, except the
 * server-built timeline SVG.
 */
export const MONITOR_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>systack monitor</title>
<style>
body{font:13px/1.4 system-ui,sans-serif;margin:16px;color:#222;background:#fafafa}
h1{font-size:18px;margin:0 0 4px;display:inline-block} h2{font-size:14px;margin:18px 0 6px}
table{border-collapse:collapse;background:#fff} td,th{border:1px solid #ddd;padding:3px 8px;text-align:left}
th{background:#f0f0f0} .muted{color:#888} .nodata{color:#999;font-style:italic}
.st-GO{color:#2e9e5b;font-weight:600} .st-STOP{color:#d64541;font-weight:600}
.st-NO-RUN{color:#b36b00;font-weight:600} .st-PAUSE{color:#6b5bd6;font-weight:600}
.running{color:#2f6fd6;font-weight:600} .crashed{color:#d64541;font-weight:600}
tr.stale td,tr.break td{background:#fde8e7} tr.locked td{background:#fff4d6}
.grid{display:flex;gap:24px;flex-wrap:wrap;align-items:flex-start}
.card{background:#fff;border:1px solid #ddd;padding:8px 12px;min-width:150px}
.big{font-size:20px;font-weight:600} .pos{color:#2e9e5b} .neg{color:#d64541}
#live{display:inline-block;margin-left:12px;padding:1px 8px;border-radius:8px;background:#eee}
#live[data-live=yes]{background:#dff3e6;color:#1f7a45}
#role{padding:1px 8px;border-radius:8px;background:#eee} #role.operator{background:#e6e1fb;color:#4b3bb0}
button{font:12px system-ui;margin:0 2px;padding:1px 6px} button:disabled{opacity:.45}
.charts{display:flex;gap:12px;flex-wrap:wrap} .chartbox{width:420px;height:220px;background:#fff;border:1px solid #ddd}
dialog{border:1px solid #888;padding:16px} #signin{display:inline} #signin[hidden]{display:none}
</style>
<script src="/vendor/chart.umd.min.js"></script>
</head><body>
<h1>systack monitor</h1><span id="live" data-live="no">connecting…</span>
<div id="now" class="muted">loading…</div>
<div>Role: <span id="role">monitor (read-only)</span>
<form id="signin"><input id="token" type="password" placeholder="operator token" autocomplete="off"> <button id="signin-btn" type="submit">Sign in as operator</button></form>
<button id="signout-btn" type="button" hidden>Sign out</button> <span id="signin-msg" class="muted"></span>
· <a href="/machines">Live machine view</a> · <a href="/reports/">Latest reports</a></div>
<div class="grid">
<div class="card"><div class="muted">Total capital</div><div id="capital-total" class="big">–</div></div>
<div class="card"><div class="muted">P&amp;L today</div><div id="pnl-today" class="big">–</div></div>
<div class="card"><div class="muted">Accumulated P&amp;L</div><div id="pnl-acc" class="big">–</div></div>
<div class="chartbox" style="width:520px"><canvas id="equity-chart"></canvas></div>
</div>
<h2>Prices and fills</h2><div id="price-charts" class="charts"></div>
<h2>Positions against the buffer band</h2><div id="buffer-charts" class="charts"></div>
<div class="grid">
<div><h2>Price staleness</h2><div id="prices"></div></div>
<div><h2>Positions by strategy</h2><div id="positions-strategy"></div></div>
<div><h2>Positions by contract</h2><div id="positions-contract"></div></div>
<div><h2>Instrument locks</h2><div id="locks"></div></div>
</div>
<div class="grid">
<div><h2>Live orders</h2><div id="orders"></div></div>
<div><h2>Fills</h2>
<form id="fill-search-form"><input id="fill-search" placeholder="search: instrument, strategy, order id…"> <select id="fill-days"><option value="1">today</option><option value="7">7 days</option><option value="30">30 days</option><option value="3650">all</option></select> <button type="submit">Search</button> <span id="fill-mode" class="muted">today (live)</span></form>
<div id="fills"></div></div>
</div>
<h2>Trade limits</h2>
<form id="limit-form"><input id="limit-instrument" placeholder="instrument" size="10"> <input id="limit-strategy" placeholder="strategy (optional)" size="14"> <input id="limit-period" type="number" min="1" max="3650" value="1" size="5" title="period in days"> days <input id="limit-value" type="number" min="0" placeholder="trade limit" size="8"> <button id="limit-set" type="submit">Set trade limit</button></form>
<div id="trade-limits"></div>
<h2>Processes</h2><div id="processes"></div>
<h2>Methods</h2><div id="methods"></div>
<h2>Today</h2><div id="timeline"></div>
<h2>Recent critical logs</h2><div id="critical"></div>
<h2>Logs</h2>
<div><select id="log-level"><option value="30">info+</option><option value="40">warn+</option><option value="50">error+</option><option value="55">critical+</option></select>
<input id="log-process" placeholder="process"> <input id="log-text" placeholder="text"></div>
<div id="logs"></div>
<dialog id="confirm"><p id="confirm-text"></p><button id="confirm-ok" type="button">Confirm</button> <button id="confirm-cancel" type="button">Cancel</button></dialog>
<script>
const $ = (id) => document.getElementById(id);
const t = (iso) => iso ? iso.replace('T', ' ').slice(0, 19) : '';
const LEVELS = {10:'trace',20:'debug',30:'info',40:'warn',50:'error',55:'critical',60:'fatal'};
let role = 'monitor', controls = false, snap = null, searching = false;
const logLines = [];
const charts = new Map();
function nodata(text) { const d = document.createElement('div'); d.className = 'nodata'; d.textContent = text; return d; }
function table(rows, cols, rowClass, extra) {
  if (rows === null || rows === undefined) return nodata('no data (service not running)');
  if (rows.length === 0) return nodata('none');
  const tb = document.createElement('table'); const hr = tb.insertRow();
  for (const c of cols) { const th = document.createElement('th'); th.textContent = c; hr.appendChild(th); }
  if (extra) { const th = document.createElement('th'); th.textContent = 'control'; hr.appendChild(th); }
  for (const r of rows) { const tr = tb.insertRow(); const k = rowClass && rowClass(r); if (k) tr.className = k;
    for (const c of cols) { const td = tr.insertCell(); const v = r[c]; td.textContent = v === null || v === undefined ? '' : String(v); if (c === 'status') td.className = 'st-' + v; if (c === 'crashed' && v) td.className = 'crashed'; if (c === 'running' && v === 'running') td.className = 'running'; }
    if (extra) extra(tr.insertCell(), r, tr); }
  return tb;
}
function put(id, el) { $(id).replaceChildren(el); }
function money(v) { return v === null || v === undefined ? '–' : Number(v).toLocaleString('en-US', { maximumFractionDigits: 0 }); }
function button(label, data, text) {
  const b = document.createElement('button'); b.type = 'button'; b.textContent = label;
  for (const [k, v] of Object.entries(data)) b.dataset[k] = String(v);
  b.disabled = role !== 'operator';
  b.title = role === 'operator' ? text : 'read-only: sign in as operator';
  b.addEventListener('click', () => confirmThen(text, data));
  return b;
}
function confirmThen(text, action) {
  $('confirm-text').textContent = text + '?';
  const d = $('confirm'); d.showModal();
  $('confirm-ok').onclick = async () => { d.close(); await act(action); };
  $('confirm-cancel').onclick = () => d.close();
}
async function act(a) {
  const body = { action: a.action };
  if (a.process) body.process = a.process;
  if (a.status) body.status = a.status;
  if (a.action === 'lock') { body.instrument_code = a.instrument; body.locked = String(a.locked) === 'true'; }
  if (a.action === 'trade_limit') { body.instrument_code = a.instrument; if (a.strategy) body.strategy_name = a.strategy; body.period_days = Number(a.period); body.trade_limit = Number(a.limit); }
  const r = await fetch('/api/control', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const j = await r.json();
  $('signin-msg').textContent = j.ok ? 'done: ' + a.action.replace('_', ' ') + ' ' + (a.process || a.instrument) : 'refused: ' + j.error;
  document.body.dataset.lastAction = j.ok ? 'ok' : 'refused';
}
function lineChart(id, parent, cfg) {
  let c = charts.get(id);
  if (!c) {
    const box = document.createElement('div'); box.className = 'chartbox';
    const cv = document.createElement('canvas'); cv.id = id; box.appendChild(cv); parent.appendChild(box);
    c = new Chart(cv, cfg); charts.set(id, c);
  } else { c.data = cfg.data; c.update('none'); }
  return c;
}
function renderCharts(s) {
  const cap = s.capital;
  $('capital-total').textContent = cap ? money(cap.total_capital) : '–';
  const p = $('pnl-today'); p.textContent = cap && cap.pnl_today !== null ? money(cap.pnl_today) : '–';
  p.className = 'big ' + (cap && cap.pnl_today > 0 ? 'pos' : cap && cap.pnl_today < 0 ? 'neg' : '');
  $('pnl-acc').textContent = cap ? money(cap.accumulated_pnl) : '–';
  const curve = cap ? cap.curve : [];
  const eq = { labels: curve.map((r) => r.time.slice(0, 10)), datasets: [{ label: 'total capital', data: curve.map((r) => r.total_capital), borderColor: '#2f6fd6', pointRadius: 0 }] };
  let ec = charts.get('equity-chart');
  if (!ec) { ec = new Chart($('equity-chart'), { type: 'line', data: eq, options: { animation: false, maintainAspectRatio: false, plugins: { title: { display: true, text: 'Equity curve' } } } }); charts.set('equity-chart', ec); }
  else { ec.data = eq; ec.update('none'); }
  for (const ser of s.series || []) {
    const code = ser.instrument_code;
    const pts = ser.points.map(([x, y]) => ({ x, y }));
    const fills = (s.fills || []).filter((f) => f.instrument_code === code).map((f) => ({ x: Date.parse(f.time), y: f.price, qty: f.qty }));
    const cfg = { type: 'line', data: { datasets: [
      { label: code + ' price', data: pts, borderColor: '#555', pointRadius: 0, parsing: false },
      { label: 'fills', type: 'scatter', data: fills, pointRadius: 5, parsing: false, pointBackgroundColor: fills.map((f) => f.qty > 0 ? '#2e9e5b' : '#d64541') } ] },
      options: { animation: false, maintainAspectRatio: false, scales: { x: { type: 'linear', ticks: { callback: (v) => new Date(v).toISOString().slice(0, 10) } } }, plugins: { title: { display: true, text: code } } } };
    const c = lineChart('price-' + code, $('price-charts'), cfg);
    c.canvas.dataset.instrument = code; c.canvas.dataset.fills = String(fills.length); c.canvas.dataset.points = String(pts.length);
  }
}
function renderBuffers(s) {
  for (const b of s.buffers || []) {
    const key = b.strategy_name + '/' + b.instrument_code;
    const lower = b.band.map(([x, lo]) => ({ x, y: lo })), upper = b.band.map(([x, , up]) => ({ x, y: up }));
    const pos = b.position.map(([x, y]) => ({ x, y }));
    const cfg = { type: 'line', data: { datasets: [
      { label: 'buffer lower', data: lower, borderColor: '#8fb3e8', pointRadius: 0, parsing: false },
      { label: 'buffer upper', data: upper, borderColor: '#8fb3e8', backgroundColor: 'rgba(143,179,232,0.3)', fill: '-1', pointRadius: 0, parsing: false },
      { label: 'position', data: pos, borderColor: '#d6802f', stepped: true, pointRadius: 2, parsing: false } ] },
      options: { animation: false, maintainAspectRatio: false, scales: { x: { type: 'linear', ticks: { callback: (v) => new Date(v).toISOString().slice(0, 10) } } },
        plugins: { title: { display: true, text: key + ' · optimal ' + b.lower_position.toFixed(2) + ' to ' + b.upper_position.toFixed(2) } } } };
    const c = lineChart('buffer-' + key, $('buffer-charts'), cfg);
    c.canvas.dataset.buffer = key; c.canvas.dataset.band = String(lower.length); c.canvas.dataset.positions = String(pos.length);
  }
  if (s.buffers && s.buffers.length === 0 && !$('buffer-charts').firstChild) $('buffer-charts').appendChild(nodata('no stored optimal positions'));
}
function renderLimits(s) {
  $('limit-set').disabled = role !== 'operator';
  $('limit-set').title = role === 'operator' ? 'set a trade limit' : 'read-only: sign in as operator';
  const rows = s.trade_limits && s.trade_limits.map((r) => ({ ...r, strategy_name: r.strategy_name || '' }));
  put('trade-limits', table(rows, ['instrument_code', 'strategy_name', 'period_days', 'trade_limit', 'trades_since_last_reset', 'trade_capacity_remaining'], null, (td, r, tr) => {
    tr.dataset.limit = r.instrument_code + '/' + r.strategy_name + '/' + r.period_days;
    const b = document.createElement('button'); b.type = 'button'; b.textContent = 'edit'; b.disabled = role !== 'operator';
    b.addEventListener('click', () => { $('limit-instrument').value = r.instrument_code; $('limit-strategy').value = r.strategy_name; $('limit-period').value = r.period_days; $('limit-value').value = r.trade_limit; $('limit-value').focus(); });
    td.appendChild(b);
  }));
}
$('limit-form').addEventListener('submit', (e) => {
  e.preventDefault();
  if (role !== 'operator') return;
  const a = { action: 'trade_limit', instrument: $('limit-instrument').value.trim(), strategy: $('limit-strategy').value.trim(), period: $('limit-period').value, limit: $('limit-value').value };
  confirmThen('Set the trade limit of ' + a.instrument + (a.strategy ? ' (' + a.strategy + ')' : '') + ' over ' + a.period + ' days to ' + a.limit, a);
});
function render(s) {
  snap = s;
  $('now').textContent = 'Time ' + t(s.now) + ' UTC · zone ' + s.time_zone + ' · updates pushed';
  $('timeline').innerHTML = s.timeline_svg;
  renderCharts(s);
  renderBuffers(s);
  renderLimits(s);
  const procs = s.processes.map((p) => ({ ...p, running: p.running ? 'running' : 'not running', crashed: p.crashed ? 'crashed' : '', last_start: t(p.last_start), last_end: t(p.last_end), pid: p.pid ? p.pid + '@' + p.host : '' }));
  put('processes', table(procs, ['name', 'running', 'status', 'pid', 'last_start', 'last_end', 'crashed', 'previous_process', 'window', 'supervisor'], (p) => p.crashed ? 'crashed-row' : '', (td, p, tr) => {
    tr.dataset.process = p.name;
    for (const st of ['GO', 'STOP', 'NO-RUN', 'PAUSE']) td.appendChild(button(st, { action: 'status', process: p.name, status: st }, 'Set ' + p.name + ' to ' + st));
    td.appendChild(button('finished', { action: 'finish', process: p.name }, 'Mark ' + p.name + ' as finished'));
  }));
  const methods = [];
  for (const p of s.processes) for (const [m, st] of Object.entries(p.methods)) methods.push({ process: p.name, method: m, executions: st.executions, last_run: st.lastRun ? t(new Date(st.lastRun).toISOString()) : '', last_end: st.lastEnd ? t(new Date(st.lastEnd).toISOString()) : '', heartbeat: st.lastHeartbeat ? t(new Date(st.lastHeartbeat).toISOString()) : '', state: st.running ? 'running' : '' });
  put('methods', table(methods, ['process', 'method', 'executions', 'last_run', 'last_end', 'heartbeat', 'state']));
  put('critical', table(s.critical_logs, ['time', 'process', 'msg']));
  put('prices', table(s.prices, ['instrument_code', 'last_price_time', 'age_minutes'], (r) => r.stale ? 'stale' : ''));
  const pos = s.positions;
  const strat = pos && pos.filter((r) => r.strategy_name !== undefined && r.strategy_name !== null);
  const contr = pos && pos.filter((r) => r.contract_date !== undefined && r.contract_date !== null);
  const sum = (rows, code) => rows.filter((r) => r.instrument_code === code).reduce((a, r) => a + r.position, 0);
  const broken = (code) => pos ? sum(strat, code) !== sum(contr, code) : false;
  put('positions-strategy', table(strat, ['strategy_name', 'instrument_code', 'position'], (r) => broken(r.instrument_code) ? 'break' : ''));
  put('positions-contract', table(contr, ['instrument_code', 'contract_date', 'position'], (r) => broken(r.instrument_code) ? 'break' : ''));
  const locked = new Map((s.locks || []).map((l) => [l.instrument_code, l.reason]));
  const instruments = (s.prices || []).map((r) => ({ instrument_code: r.instrument_code, lock: locked.get(r.instrument_code) || '' }));
  put('locks', table(s.prices === null ? null : instruments, ['instrument_code', 'lock'], (r) => r.lock ? 'locked' : '', (td, r, tr) => {
    tr.dataset.instrument = r.instrument_code;
    td.appendChild(r.lock ? button('unlock', { action: 'lock', instrument: r.instrument_code, locked: false }, 'Unlock ' + r.instrument_code)
      : button('lock', { action: 'lock', instrument: r.instrument_code, locked: true }, 'Lock ' + r.instrument_code));
  }));
  put('orders', table(s.orders, ['id', 'level', 'strategy_name', 'instrument_code', 'quantity', 'filled', 'status']));
  if (!searching) put('fills', fillTable(s.fills));
  document.body.dataset.snapshots = String(Number(document.body.dataset.snapshots || 0) + 1);
}
function fillTable(rows) { return table(rows, ['time', 'strategy_name', 'instrument_code', 'contract_date', 'qty', 'price', 'kind', 'instrument_order_id', 'broker_order_id']); }
function renderLogs() {
  const min = Number($('log-level').value), proc = $('log-process').value.trim(), text = $('log-text').value.trim().toLowerCase();
  const rows = logLines.filter((l) => l.level >= min && (!proc || String(l.process || '').includes(proc)) && (!text || JSON.stringify(l).toLowerCase().includes(text)))
    .slice(-100).reverse().map((l) => ({ time: t(l.time), level: LEVELS[l.level] || l.level, process: l.process, msg: l.msg }));
  put('logs', table(rows, ['time', 'level', 'process', 'msg']));
}
for (const id of ['log-level', 'log-process', 'log-text']) $(id).addEventListener('input', renderLogs);
$('fill-search-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const q = $('fill-search').value.trim(), days = $('fill-days').value;
  searching = q !== '' || days !== '1';
  if (!searching) { $('fill-mode').textContent = 'today (live)'; if (snap) put('fills', fillTable(snap.fills)); return; }
  const r = await fetch('/api/monitor/fills?days=' + encodeURIComponent(days) + '&q=' + encodeURIComponent(q));
  const j = await r.json();
  $('fill-mode').textContent = 'search: ' + (j.fills ? j.fills.length : 0) + ' fills';
  put('fills', fillTable(j.fills));
});
async function session() {
  const s = await (await fetch('/api/session')).json();
  role = s.role; controls = s.controls;
  $('role').textContent = role === 'operator' ? 'operator (controls enabled)' : 'monitor (read-only)';
  $('role').className = role;
  $('signin').hidden = role === 'operator' || !controls;
  $('signout-btn').hidden = role !== 'operator';
  if (!controls) $('signin-msg').textContent = 'controls not available on this monitor';
  if (snap) render(snap);
}
$('signin').addEventListener('submit', async (e) => {
  e.preventDefault();
  const r = await fetch('/api/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: $('token').value }) });
  $('token').value = '';
  $('signin-msg').textContent = r.ok ? '' : 'wrong operator token';
  await session();
});
$('signout-btn').addEventListener('click', async () => { await fetch('/api/session', { method: 'DELETE', headers: { 'content-type': 'application/json' } }); await session(); });
const es = new EventSource('/api/monitor/events');
es.addEventListener('open', () => { $('live').dataset.live = 'yes'; $('live').textContent = 'live'; });
es.addEventListener('error', () => { $('live').dataset.live = 'no'; $('live').textContent = 'reconnecting…'; });
es.addEventListener('snapshot', (e) => render(JSON.parse(e.data)));
es.addEventListener('log', (e) => { try { logLines.push(JSON.parse(e.data)); if (logLines.length > 1000) logLines.shift(); renderLogs(); } catch (err) { /* not a JSON line */ } });
session();
renderLogs();
</script></body></html>`;
