// The status page: everything arrives on one EventSource (/api/events), never by polling. Text
// from the server (exchange errors, instrument keys) only ever goes through text nodes.
/* global document, window, EventSource */

const TYPES = ['spot', 'perpetual', 'future', 'option', 'combo'];
const MAX_FEED_BATCHES = 100;
const MAX_POINTS = 60;
const SVG_NS = 'http://www.w3.org/2000/svg';

const state = { exchanges: [], receivedAt: Date.now(), revision: 0, refreshes: {} };

/** An element; string children become text nodes (never markup). */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  node.append(...children);
  return node;
}

function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  node.append(...children);
  return node;
}

const clock = (iso) => (iso ? new Date(iso).toLocaleTimeString([], { hour12: false }) : '–');

function duration(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

const ms = (value) => (value >= 1000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`);

function setRevision(revision) {
  state.revision = Math.max(state.revision, revision);
  document.getElementById('revision').textContent = `revision ${state.revision}`;
}

// ---- exchanges table

/** Seconds since the last refresh, advanced locally between status events (no clock skew). */
function staleness(exchange) {
  if (exchange.lastRefresh === null) return '–';
  return duration(exchange.stalenessSeconds + (Date.now() - state.receivedAt) / 1000);
}

function exchangeRow(e) {
  const counts = TYPES.filter((t) => e.counts[t] > 0)
    .map((t) => el('span', { class: 'chip', 'data-count-type': t, 'data-count': e.counts[t] }, `${t} ${e.counts[t]}`));
  const problem = e.lastError || (e.heldReason ? `held: ${e.heldReason}` : '');
  return el('tr', { 'data-exchange': e.id },
    el('td', {}, el('strong', {}, e.id), el('div', { class: 'venues' }, e.venues.join(', ')),
      e.polledBy ? el('div', { class: 'venues', 'data-polled-by': e.polledBy }, `polled by ${e.polledBy}`) : ''),
    el('td', {}, el('span', { class: `badge health-${e.health}`, 'data-health': e.health, title: `state: ${e.state}` }, e.health)),
    el('td', { title: e.lastRefresh ?? '' }, clock(e.lastRefresh)),
    el('td', { class: 'staleness' }, staleness(e)),
    el('td', {}, el('span', { class: 'total', 'data-total': e.instruments }, String(e.instruments)), ...counts),
    el('td', {}, String(e.consecutiveFailures), e.heldRefreshes > 0 ? el('div', { class: 'venues' }, `${e.heldRefreshes} held`) : ''),
    el('td', { class: 'error', title: problem }, problem),
  );
}

function renderExchanges() {
  const rows = state.exchanges.map(exchangeRow);
  const body = document.querySelector('#exchanges tbody');
  body.replaceChildren(...(rows.length > 0 ? rows : [el('tr', {}, el('td', { colspan: 7, class: 'muted' }, 'No exchanges configured.'))]));
}

function tickStaleness() {
  const cells = document.querySelectorAll('#exchanges tbody td.staleness');
  state.exchanges.forEach((e, i) => { if (cells[i]) cells[i].textContent = staleness(e); });
}

// ---- change feed

function batchItem(b) {
  const counts = `+${b.counts.added} added · −${b.counts.removed} removed · ~${b.counts.updated} updated`;
  const lines = b.changes.map((c) => el('li', { class: 'change', 'data-key': c.key, 'data-type': c.type },
    el('span', { class: `kind kind-${c.type}` }, c.type), el('code', {}, c.key), el('span', { class: 'fields' }, c.fields.join(', '))));
  if (b.omitted > 0) lines.push(el('li', { class: 'muted' }, `… and ${b.omitted} more`));
  return el('li', { class: 'batch', 'data-revision': b.revision, 'data-exchange': b.exchange },
    el('div', { class: 'batch-head' },
      el('span', { class: 'rev' }, `r${b.revision}`), el('span', {}, b.exchange), el('span', { class: 'muted' }, clock(b.appliedAt)),
      el('span', { class: 'counts' }, counts)),
    el('ul', {}, ...lines));
}

function showFeed(batches) {
  const feed = document.getElementById('feed');
  feed.replaceChildren(...batches.slice(0, MAX_FEED_BATCHES).map(batchItem));
  document.getElementById('feed-empty').hidden = batches.length > 0;
}

function addBatch(b) {
  const feed = document.getElementById('feed');
  if (feed.querySelector(`li.batch[data-revision="${Number(b.revision)}"]`)) return;
  feed.prepend(batchItem(b));
  while (feed.children.length > MAX_FEED_BATCHES) feed.lastElementChild.remove();
  document.getElementById('feed-empty').hidden = true;
}

// ---- refresh-duration chart

function drawChart() {
  const chart = document.getElementById('chart');
  const [W, H, left, right, top, bottom] = [720, 180, 52, 12, 10, 24];
  const series = Object.entries(state.refreshes).filter(([, points]) => points.length > 0);
  const all = series.flatMap(([, points]) => points);
  if (all.length === 0) {
    chart.replaceChildren(svg('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle', class: 'label' }, 'no refreshes yet'));
    document.getElementById('legend').replaceChildren();
    return;
  }
  const times = all.map((p) => Date.parse(p.at));
  let [t0, t1] = [Math.min(...times), Math.max(...times)];
  if (t1 - t0 < 1000) [t0, t1] = [t0 - 30_000, t1 + 30_000];
  const yMax = Math.max(1, ...all.map((p) => p.durationMs)) * 1.1;
  const x = (iso) => left + ((Date.parse(iso) - t0) / (t1 - t0)) * (W - left - right);
  const y = (value) => H - bottom - (value / yMax) * (H - top - bottom);

  const nodes = [];
  for (const f of [0, 0.5, 1]) {
    nodes.push(svg('line', { x1: left, x2: W - right, y1: y(yMax * f), y2: y(yMax * f), class: 'axis' }));
    nodes.push(svg('text', { x: left - 6, y: y(yMax * f) + 3, 'text-anchor': 'end', class: 'label' }, ms(yMax * f)));
  }
  nodes.push(svg('text', { x: left, y: H - 6, class: 'label' }, clock(new Date(t0).toISOString())));
  nodes.push(svg('text', { x: W - right, y: H - 6, 'text-anchor': 'end', class: 'label' }, clock(new Date(t1).toISOString())));
  const legend = [];
  series.forEach(([exchange, points], i) => {
    const cls = `s${i % 8}`;
    nodes.push(svg('polyline', { class: cls, points: points.map((p) => `${x(p.at).toFixed(1)},${y(p.durationMs).toFixed(1)}`).join(' ') }));
    for (const p of points) {
      const title = `${exchange} ${clock(p.at)}: ${ms(p.durationMs)}, ${p.outcome}${p.changes > 0 ? ` (${p.changes} changes)` : ''}`;
      nodes.push(svg('circle', { class: `${cls} ${p.outcome}`, cx: x(p.at).toFixed(1), cy: y(p.durationMs).toFixed(1), r: 3, 'data-exchange': exchange }, svg('title', {}, title)));
    }
    legend.push(el('span', {}, el('span', { class: `swatch ${cls}` }), exchange));
  });
  chart.replaceChildren(...nodes);
  document.getElementById('legend').replaceChildren(...legend);
}

function addRefresh(event) {
  const points = (state.refreshes[event.exchange] ??= []);
  points.push({ at: event.at, durationMs: event.durationMs, outcome: event.outcome, changes: event.changes });
  if (points.length > MAX_POINTS) points.splice(0, points.length - MAX_POINTS);
  drawChart();
}

// ---- the live stream

/** Redis mode: which replica this page shows, and whether it reaches Redis (stale while not). */
function showReplica(replica) {
  const badge = document.getElementById('replica');
  if (!replica) return;
  badge.hidden = false;
  badge.dataset.connected = String(replica.connected);
  badge.textContent = replica.connected ? `replica ${replica.id}` : `replica ${replica.id}: Redis unreachable, serving what it has`;
  badge.title = replica.lastError;
}

function onStatus(status) {
  state.exchanges = status.exchanges;
  showReplica(status.replica);
  state.receivedAt = Date.now();
  setRevision(status.revision);
  renderExchanges();
  // The first status of a connection carries the history: start from it (no gap, no duplicate).
  if (status.recentChanges) showFeed(status.recentChanges);
  if (status.refreshes) {
    state.refreshes = status.refreshes;
    drawChart();
  }
}

function connect() {
  const connection = document.getElementById('connection');
  const show = (name, text) => { connection.dataset.state = name; connection.textContent = text; };
  const source = new EventSource('/api/events');
  const on = (name, handle) => source.addEventListener(name, (message) => handle(JSON.parse(message.data)));
  on('status', onStatus);
  on('change', (batch) => { setRevision(batch.revision); addBatch(batch); });
  on('refresh', addRefresh);
  source.onopen = () => show('live', 'live');
  // EventSource retries by itself; CLOSED means it gave up (e.g. the credentials were refused).
  source.onerror = () => (source.readyState === EventSource.CLOSED ? show('closed', 'disconnected: reload to retry') : show('reconnecting', 'reconnecting…'));
}

connect();
drawChart();
window.setInterval(tickStaleness, 1000);
