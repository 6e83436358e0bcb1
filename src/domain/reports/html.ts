/**
 * A report as one self-contained HTML file that opens offline: the plots (Chart.js, its UMD
 * build inlined by the caller; heat maps as coloured tables) above the report's text. Nothing is
 * fetched: no CDN, no fonts, no images. Every value from the report is escaped.
 */
import { type ChartSpec, isoMinute, type Report } from './format.ts';

const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Text placed inside a <script> element cannot close it. */
const scriptSafe = (s: string): string => s.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');

const TITLE = (name: string) => name.replace(/_/g, ' ').replace(/^\w/, (c) => c.toUpperCase());

/** Blue for positive, red for negative, white at 0 (values in [-1, 1]). */
function heatColour(v: number | null): string {
  if (v === null) return '#eee';
  const x = Math.max(-1, Math.min(1, v));
  const c = Math.round(255 * (1 - Math.abs(x)));
  return x >= 0 ? `rgb(${c},${c},255)` : `rgb(255,${c},${c})`;
}

function heatmapTable(c: ChartSpec): string {
  const head = c.labels.map((l) => `<th>${escapeHtml(String(l))}</th>`).join('');
  const rows = c.series
    .map(
      (s) =>
        `<tr><th>${escapeHtml(s.name)}</th>${s.values
          .map(
            (v) =>
              `<td style="background:${heatColour(v)};color:${v !== null && Math.abs(v) > 0.5 ? '#fff' : '#222'}" data-value="${v ?? ''}">${v === null ? 'n/a' : v.toFixed(2)}</td>`,
          )
          .join('')}</tr>`,
    )
    .join('');
  return `<table class="heatmap" data-chart="${escapeHtml(c.id)}"><tr><th></th>${head}</tr>${rows}</table>`;
}

/** The browser side: draw each non-heatmap chart spec on its canvas. */
const DRAW = `
const specs = JSON.parse(document.getElementById('chart-specs').textContent);
const colours = ['#2f6fd6', '#d64541', '#2e9e5b', '#b36b00', '#6b5bd6'];
for (const spec of specs) {
  if (spec.kind === 'heatmap') continue;
  const canvas = document.getElementById('chart-' + spec.id);
  new Chart(canvas, {
    type: spec.kind,
    data: {
      labels: spec.labels,
      datasets: spec.series.map((s, i) => ({
        label: s.name,
        data: s.values,
        borderColor: colours[i % colours.length],
        backgroundColor: colours[i % colours.length] + (spec.kind === 'bar' ? 'cc' : '33'),
        pointRadius: spec.kind === 'line' && spec.labels.length > 60 ? 0 : 2,
        spanGaps: false,
        showLine: !(spec.kind === 'line' && s.values.filter((v) => v !== null).length === 1),
      })),
    },
    options: { animation: false, responsive: true, maintainAspectRatio: false, plugins: { legend: { display: spec.series.length > 1 } } },
  });
}
document.body.dataset.chartsDrawn = String(specs.length);
`;

/**
 * The report for an email body: the same page without scripts (mail readers do not run them):
 * heat maps stay, plots are named with a pointer to the attached file.
 */
export function reportEmailHtml(report: Report, attachment: string): string {
  const charts = (report.charts ?? []).filter((c) => c.kind === 'heatmap');
  const plots = (report.charts ?? []).filter((c) => c.kind !== 'heatmap').map((c) => escapeHtml(c.title));
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"></head><body style="font:13px sans-serif">
<h2>${escapeHtml(TITLE(report.name))} — ${isoMinute(report.generatedAt)} UTC</h2>
${plots.length > 0 ? `<p>Plots (${plots.join(', ')}) in the attached ${escapeHtml(attachment)}.</p>` : ''}
${charts.map((c) => `<h3>${escapeHtml(c.title)}</h3>${heatmapTable(c)}`).join('\n')}
<pre style="font:12px monospace">${escapeHtml(report.text)}</pre>
</body></html>
`;
}

export function reportHtml(report: Report, chartLibrary: string): string {
  const charts = report.charts ?? [];
  const blocks = charts
    .map((c) => {
      const body =
        c.kind === 'heatmap'
          ? heatmapTable(c)
          : c.labels.length === 0
            ? '<p class="nodata">no data</p>'
            : `<div class="plot"><canvas id="chart-${escapeHtml(c.id)}"></canvas></div>`;
      return `<section class="chart"><h2>${escapeHtml(c.title)}</h2>${body}</section>`;
    })
    .join('\n');
  const drawable = charts.filter((c) => c.kind === 'heatmap' || c.labels.length > 0);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>${escapeHtml(TITLE(report.name))} ${isoMinute(report.generatedAt)} UTC</title>
<style>
body{font:13px/1.4 system-ui,sans-serif;margin:16px;color:#222;background:#fafafa}
h1{font-size:18px;margin:0 0 4px} h2{font-size:14px;margin:18px 0 6px}
.muted{color:#888} .nodata{color:#999;font-style:italic}
.charts{display:flex;flex-wrap:wrap;gap:16px} .chart{background:#fff;border:1px solid #ddd;padding:8px;min-width:420px;flex:1 1 420px}
.plot{position:relative;height:260px}
table.heatmap{border-collapse:collapse} .heatmap td,.heatmap th{border:1px solid #ddd;padding:3px 6px;text-align:right}
pre{background:#fff;border:1px solid #ddd;padding:8px;overflow-x:auto;font:12px/1.35 ui-monospace,monospace}
</style></head><body>
<h1>${escapeHtml(TITLE(report.name))}</h1>
<div class="muted">generated ${isoMinute(report.generatedAt)} UTC</div>
${charts.length > 0 ? `<div class="charts">${blocks}</div>` : ''}
<h2>Report</h2>
<pre>${escapeHtml(report.text)}</pre>
<script type="application/json" id="chart-specs">${JSON.stringify(drawable).replace(/</g, '\\u003c')}</script>
<script>${scriptSafe(chartLibrary)}</script>
<script>${DRAW}</script>
</body></html>
`;
}
