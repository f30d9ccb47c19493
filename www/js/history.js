// SPDX-License-Identifier: MIT
/*
 * The "Wall time over time" panel (#history): every verified run of the
 * chosen range as a point per variant, flagged runs as a hollow,
 * unconnected series; the caption that counts them; the table of hourly
 * or daily medians; and the panel's controls (range, show flagged), which
 * the page remembers in localStorage.
 */
import { fetchRuns } from './api.js';
import { canvasFor, chartBase, colorOf, grid, setChart } from './charts.js';
import { $, hint, table } from './dom.js';
import { dt, fmt, isNum } from './format.js';
import { RANGES, RUNS_LIMIT, keep, noData, recall, serverNow, st }
    from './state.js';

const RANGE_KEY = 'allocbench.range';
const FLAGGED_KEY = 'allocbench.flagged';

/* Runs of the range by variant: verified runs of the summary's size,
 * split into those in the statistics and flagged ones. */
function historySeries() {
	const s = st.summary;
	const runs = st.runs ? st.runs.runs : [];
	const order = s ? s.variants.map((v) => v.id) : [];
	const by = new Map(order.map((id) => [id, { ok: [], flagged: [] }]));
	let other = 0;
	let bad = 0;
	let first = Infinity;
	let last = -Infinity;

	for (const r of runs) {
		if (r.status !== 'ok' || !isNum(r.wall_s)) {
			bad++;
			continue;
		}
		if (s && isNum(s.iterations) && r.iterations !== s.iterations) {
			other++;
			continue;
		}
		if (!by.has(r.variant)) {
			by.set(r.variant, { ok: [], flagged: [] });
			order.push(r.variant);
		}
		const pt = { x: r.started_ms, y: r.wall_s };
		const flagged = Array.isArray(r.flags) && r.flags.length > 0;
		by.get(r.variant)[flagged ? 'flagged' : 'ok'].push(pt);
		first = Math.min(first, r.started_ms);
		last = Math.max(last, r.started_ms);
	}
	for (const e of by.values()) {
		e.ok.sort((a, b) => a.x - b.x);
		e.flagged.sort((a, b) => a.x - b.x);
	}
	return { order, by, other, bad, first, last, total: runs.length };
}

function median(xs) {
	const s = xs.slice().sort((a, b) => a - b);
	const n = s.length;

	return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

const HOUR = 3600e3;
const DAY = 24 * HOUR;
const STEPS = [HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY,
	2 * DAY, 5 * DAY, 7 * DAY, 14 * DAY, 30 * DAY, 60 * DAY, 90 * DAY,
	180 * DAY, 365 * DAY];

/* The tick spacing that gives at most eight ticks over span ms. */
function tickStep(span) {
	return STEPS.find((s) => span / s <= 8) || STEPS[STEPS.length - 1];
}

/* Ticks on local hour or midnight boundaries, step apart, within
 * [lo, hi]; days are counted in calendar days so DST is no drift. */
function localTicks(lo, hi, step) {
	const out = [];
	const d = new Date(lo);

	if (!Number.isFinite(lo) || !Number.isFinite(hi) || hi <= lo)
		return out;
	if (step < DAY) {
		const hours = step / HOUR;
		d.setMinutes(0, 0, 0);
		d.setHours(Math.ceil(d.getHours() / hours) * hours);
		if (d.getTime() < lo)
			d.setHours(d.getHours() + hours);
		for (; d.getTime() <= hi; d.setHours(d.getHours() + hours))
			out.push(d.getTime());
	} else {
		const days = step / DAY;
		d.setHours(0, 0, 0, 0);
		if (d.getTime() < lo)
			d.setDate(d.getDate() + 1);
		for (; d.getTime() <= hi; d.setDate(d.getDate() + days))
			out.push(d.getTime());
	}
	return out;
}

/* Per hour (24 h) or per day (longer): the median of the unflagged
 * runs of each variant, newest first, for the table. */
function historyTable(ser) {
	const hourly = st.runsRange === '24h';
	const key = (ms) => {
		const d = new Date(ms);
		d.setMinutes(0, 0, 0);
		if (!hourly)
			d.setHours(0);
		return d.getTime();
	};
	const buckets = new Map();
	const ids = ser.order.filter((id) => ser.by.get(id).ok.length);

	for (const id of ids)
		for (const p of ser.by.get(id).ok) {
			const k = key(p.x);
			if (!buckets.has(k))
				buckets.set(k, new Map());
			const b = buckets.get(k);
			if (!b.has(id))
				b.set(id, []);
			b.get(id).push(p.y);
		}
	if (!ids.length)
		return hint('No verified runs in this range.');
	const keys = [...buckets.keys()].sort((a, b) => b - a);
	return table('Median wall time of the verified, unflagged runs per ' +
	    (hourly ? 'hour' : 'day') + ' (number of runs), newest first',
	    [hourly ? 'hour' : 'day'].concat(ids),
	    keys.map((k) => [hourly ? dt.short.format(k) : dt.day.format(k)]
		.concat(ids.map((id) => {
			const xs = buckets.get(k).get(id);
			return xs ? fmt.sec(median(xs)) + ' (' + xs.length +
			    ')' : '—';
		}))));
}

/* The caption under the chart: how many runs are plotted, from when to
 * when, and which were left out. */
function caption(ser, nOk, nFlagged) {
	const words = [];

	if (noData())
		words.push(st.status && st.status.state === 'running' ?
			'No runs yet: the first round is running.' :
			'No runs yet.');
	else if (nOk + nFlagged === 0)
		words.push('No verified runs in this range.');
	else
		words.push((nOk + nFlagged) + ' verified runs from ' +
		    dt.short.format(ser.first) + ' to ' +
		    dt.short.format(ser.last) + '; ' + nFlagged +
		    ' of them flagged' + (nFlagged ? ' (hollow triangles' +
			(st.showFlagged ? '' : ', hidden now') +
			', excluded from the statistics)' : '') + '.');
	if (ser.bad)
		words.push(ser.bad + ' failed, unverified or timed-out runs ' +
		    'are not plotted.');
	if (ser.other)
		words.push(ser.other + ' runs of another size are not ' +
		    'plotted.');
	if (st.runs.count >= RUNS_LIMIT)
		words.push('Only the newest ' + RUNS_LIMIT + ' runs are ' +
		    'shown.');
	return words.join(' ');
}

/* Two series per variant: the runs in the statistics, joined by a line,
 * and the flagged ones as hollow triangles (hidden unless shown). */
function datasets(ser) {
	const ds = [];

	ser.order.forEach((id, i) => {
		const e = ser.by.get(id);
		const c = colorOf(i);
		if (e.ok.length)
			ds.push({
				label: id,
				abVariant: id,
				abFlagged: false,
				data: e.ok,
				borderColor: c,
				backgroundColor: c,
				borderWidth: 1.5,
				pointRadius: 2,
				pointHoverRadius: 5,
				tension: 0,
				showLine: true,
			});
		if (e.flagged.length)
			ds.push({
				label: id + ' (flagged)',
				abVariant: id,
				abFlagged: true,
				data: e.flagged,
				borderColor: c,
				backgroundColor: 'rgba(0,0,0,0)',
				borderWidth: 1.5,
				pointStyle: 'triangle',
				pointRadius: 6,
				pointHoverRadius: 8,
				showLine: false,
				hidden: !st.showFlagged,
			});
	});
	return ds;
}

/* The chart's options: a linear time axis over the range (or the runs,
 * for all) with local ticks, seconds on y. */
function chartOptions(ser) {
	const now = serverNow();
	const lo = RANGES[st.runsRange] ? now - RANGES[st.runsRange] :
		ser.first;
	const hi = (RANGES[st.runsRange] ? now : ser.last) + (now - lo) * 0.01;
	const step = tickStep(hi - lo);
	const opts = chartBase('wall time (s)');

	opts.parsing = false;
	opts.interaction = { mode: 'nearest', intersect: false };
	opts.scales.x = {
		type: 'linear',
		min: lo,
		max: hi,
		grid: grid(),
		afterBuildTicks: (scale) => {
			scale.ticks = localTicks(lo, hi, step)
				.map((value) => ({ value }));
		},
		ticks: {
			maxRotation: 0,
			autoSkipPadding: 16,
			callback: (val) => step < DAY ?
				(hi - lo > DAY ? dt.short : dt.time).format(val) :
				dt.day.format(val),
		},
	};
	opts.scales.y.beginAtZero = false;
	opts.scales.y.ticks = { callback: (val) => fmt.sig3(val) };
	opts.plugins.legend.labels.filter = (item, data) =>
		!data.datasets[item.datasetIndex].abFlagged;
	opts.plugins.tooltip = {
		callbacks: {
			title: (items) => items.length ?
				dt.full.format(items[0].parsed.x) : '',
			label: (c) => c.dataset.abVariant + ': ' +
			    fmt.sec(c.parsed.y) + (c.dataset.abFlagged ?
				' (flagged: excluded)' : ''),
		},
	};
	return opts;
}

/* Draws the panel from st.runs and st.summary; marks #history-fig with
 * data-range-loaded once the range's runs are drawn. */
export function renderHistory() {
	if (!st.runs || !st.summary) {
		$('history-caption').textContent = noData() ?
			'No runs yet: the first round is running.' : '';
		$('history-table').replaceChildren();
		canvasFor('history', 'history-chart', false);
		return;
	}
	const ser = historySeries();
	let nOk = 0;
	let nFlagged = 0;

	for (const e of ser.by.values()) {
		nOk += e.ok.length;
		nFlagged += e.flagged.length;
	}
	$('history-caption').textContent = caption(ser, nOk, nFlagged);
	$('history-table').replaceChildren(historyTable(ser));
	if (canvasFor('history', 'history-chart', nOk + nFlagged > 0))
		setChart('history', 'history-chart', {
			type: 'line',
			data: { datasets: datasets(ser) },
			options: chartOptions(ser),
		});
	$('history-fig').dataset.rangeLoaded = st.runsRange;
}

/* Loads and draws another range; a failure goes to onError. */
function setRange(range, onError) {
	if (!(range in RANGES) || range === st.range && !st.runsDirty)
		return;
	st.range = range;
	st.runsDirty = true;
	keep('local', RANGE_KEY, range);
	fetchRuns(true).then(renderHistory).catch(onError);
}

/* Restores the saved range and flagged choice and wires the controls;
 * onError(e) is called when loading a range fails. */
export function initHistory(onError) {
	const saved = recall('local', RANGE_KEY);

	st.showFlagged = recall('local', FLAGGED_KEY) !== 'no';
	if (saved in RANGES)
		st.range = saved;
	const radio = $('range-' + st.range);
	if (radio)
		radio.checked = true;
	$('show-flagged').checked = st.showFlagged;
	$('range-form').addEventListener('submit', (e) => e.preventDefault());
	for (const r of document.querySelectorAll('input[name="range"]'))
		r.addEventListener('change', () => {
			if (r.checked)
				setRange(r.value, onError);
		});
	$('show-flagged').addEventListener('change', (e) => {
		st.showFlagged = e.target.checked;
		keep('local', FLAGGED_KEY, st.showFlagged ? 'yes' : 'no');
		renderHistory();
	});
}
