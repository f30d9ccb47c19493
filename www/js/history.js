// SPDX-License-Identifier: MIT
/*
 * The "Wall time over time" panel (#history): every verified run of the
 * chosen range as a point per variant, flagged runs as a hollow,
 * unconnected series whose tooltips say why; the caption that counts them
 * by reason; a dashed line where a variant's environment segment changed,
 * with the list of those changes under the chart and as rows of the table
 * of hourly or daily medians; and the panel's controls (range, show
 * flagged), which the page remembers in localStorage.
 */
import { fetchRuns } from './api.js';
import { canvasFor, chartBase, colorOf, grid, setChart } from './charts.js';
import { $, h, hint, table } from './dom.js';
import { FLAGS, dt, flagWords, fmt, isNum } from './format.js';
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
	const flags = new Map();
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
		const flagged = Array.isArray(r.flags) && r.flags.length > 0;
		const pt = { x: r.started_ms, y: r.wall_s };
		if (flagged) {
			pt.why = r.flags.map((f) => whyFlagged(f, r)).join(', ');
			for (const f of r.flags)
				flags.set(f, (flags.get(f) || 0) + 1);
		}
		by.get(r.variant)[flagged ? 'flagged' : 'ok'].push(pt);
		first = Math.min(first, r.started_ms);
		last = Math.max(last, r.started_ms);
	}
	for (const e of by.values()) {
		e.ok.sort((a, b) => a.x - b.x);
		e.flagged.sort((a, b) => a.x - b.x);
	}
	return { order, by, other, bad, first, last, flags,
		total: runs.length };
}

/* One flag of a run in words, with its measured value: "host busy,
 * run-queue delay 12%". */
function whyFlagged(flag, r) {
	const f = FLAGS[flag];

	if (flag === 'contended' && isNum(r.runq_s) && r.wall_s > 0)
		return f.words + ', ' + f.measure + ' ' +
		    f.value(r.runq_s / r.wall_s);
	if (flag === 'loaded' && r.host_before &&
	    isNum(r.host_before.load1))
		return f.words + ', ' + f.value(r.host_before.load1);
	return flagWords(flag);
}

/* The flag counts for the caption: "9 host busy, 2 under-voltage", in
 * the page's order of flags. */
function flagCounts(flags) {
	const keys = [...flags.keys()];
	const known = Object.keys(FLAGS).filter((k) => flags.has(k));

	return known.concat(keys.filter((k) => !FLAGS[k]))
		.map((k) => flags.get(k) + ' ' + flagWords(k)).join(', ');
}

/*
 * Where an environment segment of a variant began, after its first: one
 * mark per change, oldest first, within [lo, hi] (ms), with the variant,
 * its colour index and what changed.
 */
function segmentMarks(lo, hi) {
	const s = st.summary;
	const marks = [];

	if (!s)
		return marks;
	s.variants.forEach((v, i) => {
		const segs = Array.isArray(v.segments) ? v.segments : [];
		for (const g of segs.slice(1)) {
			const at = Date.parse(g.first_at);
			if (!Number.isFinite(at) || at < lo || at > hi)
				continue;
			marks.push({ x: at, variant: v.id, color: i,
				changed: g.changed || 'environment changed' });
		}
	});
	marks.sort((a, b) => a.x - b.x || (a.variant < b.variant ? -1 : 1));
	marks.forEach((m, k) => {
		m.n = k + 1;
	});
	return marks;
}

/* The range of the chart in ms: the range chosen, or the runs'. */
function rangeOf(ser) {
	const now = serverNow();
	const lo = RANGES[st.runsRange] ? now - RANGES[st.runsRange] :
		ser.first;
	const hi = (RANGES[st.runsRange] ? now : ser.last) + (now - lo) * 0.01;

	return { lo, hi };
}

/* The list of environment changes under the chart, numbered as the
 * chart's marks; the same in both modes. */
function segmentList(marks) {
	if (!marks.length)
		return hint('No environment change in this range.');
	return [h('h3', { class: 'seg-h' }, 'Environment changes'),
		h('p', { class: 'hint' }, 'Runs before a change are from an ' +
		    'earlier environment: they stay in the history but are ' +
		    'not compared.'),
		h('ol', { class: 'seg-list' }, marks.map((m) => h('li', {
			dataset: { variant: m.variant, at: String(m.x) },
			style: '--swatch: ' + colorOf(m.color),
		}, h('time', {
			datetime: new Date(m.x).toISOString(),
			text: dt.short.format(m.x),
		}), ' — ', h('span', { class: 'seg-variant' }, m.variant), ': ',
		h('span', { dataset: { field: 'changed' }, text: m.changed })))),
	];
}

/* The dashed line and number of each mark, drawn over the plot. */
const segmentPlugin = {
	id: 'abSegments',
	afterDatasetsDraw(chart, args, opts) {
		const marks = opts && opts.marks ? opts.marks : [];
		const x = chart.scales.x;
		const area = chart.chartArea;
		const ctx = chart.ctx;

		ctx.save();
		for (const m of marks) {
			const px = x.getPixelForValue(m.x);
			if (!(px >= area.left && px <= area.right))
				continue;
			ctx.strokeStyle = colorOf(m.color);
			ctx.fillStyle = colorOf(m.color);
			ctx.lineWidth = 1.5;
			ctx.setLineDash([5, 4]);
			ctx.beginPath();
			ctx.moveTo(px, area.top);
			ctx.lineTo(px, area.bottom);
			ctx.stroke();
			ctx.setLineDash([]);
			ctx.font = 'bold 12px ' + getComputedStyle(
			    document.body).fontFamily;
			ctx.textAlign = 'left';
			ctx.textBaseline = 'top';
			ctx.fillText(String(m.n), px + 3, area.top + 2);
		}
		ctx.restore();
	},
};

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
 * runs of each variant, newest first, for the table; an environment
 * change is a row of its own after its hour or day. */
function historyTable(ser, marks) {
	const hourly = st.runsRange === '24h';
	const key = (ms) => {
		const d = new Date(ms);
		d.setMinutes(0, 0, 0);
		if (!hourly)
			d.setHours(0);
		return d.getTime();
	};
	const label = (k) => hourly ? dt.short.format(k) : dt.day.format(k);
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
	const t = table('Median wall time of the verified, unflagged runs per ' +
	    (hourly ? 'hour' : 'day') + ' (number of runs), newest first',
	    [hourly ? 'hour' : 'day'].concat(ids),
	    keys.map((k) => [label(k)].concat(ids.map((id) => {
		    const xs = buckets.get(k).get(id);
		    return xs ? fmt.sec(median(xs)) + ' (' + xs.length +
			')' : '—';
	    }))));
	const rows = [...t.tBodies[0].rows];
	for (const m of marks.slice().reverse()) {
		const k = key(m.x);
		const tr = h('tr', {
			class: 'seg-mark',
			dataset: { variant: m.variant, at: String(m.x) },
		}, h('th', { scope: 'row' }, label(k)), h('td', {
			colspan: String(ids.length),
		}, 'Environment change ' + m.n + ': ' + m.variant + ': ',
		h('span', { dataset: { field: 'changed' }, text: m.changed })));
		// after the rows of its hour or day and anything newer
		const i = keys.findIndex((x) => x < k);
		if (i < 0)
			t.tBodies[0].append(tr);
		else
			rows[i].before(tr);
	}
	return t;
}

/* The caption under the chart: how many runs are plotted, from when to
 * when, and which were left out. */
function caption(ser, nOk, nFlagged, marks) {
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
		    ' of them flagged' + (nFlagged ? ' (' +
			flagCounts(ser.flags) + '; hollow triangles' +
			(st.showFlagged ? '' : ', hidden now') +
			', excluded from the statistics)' : '') + '.');
	if (marks.length)
		words.push(marks.length + (marks.length === 1 ?
			' environment change is' : ' environment changes are') +
		    ' marked by a dashed line.');
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
function chartOptions(ser, marks) {
	const { lo, hi } = rangeOf(ser);
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
				' (excluded: ' + (c.raw && c.raw.why ||
				    'flagged') + ')' : ''),
		},
	};
	opts.plugins.abSegments = { marks };
	return opts;
}

/* Draws the panel from st.runs and st.summary; marks #history-fig with
 * data-range-loaded once the range's runs are drawn. */
export function renderHistory() {
	if (!st.runs || !st.summary) {
		$('history-caption').textContent = noData() ?
			'No runs yet: the first round is running.' : '';
		$('history-table').replaceChildren();
		$('history-segments').replaceChildren();
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
	const { lo, hi } = rangeOf(ser);
	const marks = nOk + nFlagged > 0 ? segmentMarks(lo, hi) : [];
	$('history-caption').textContent = caption(ser, nOk, nFlagged, marks);
	$('history-segments').replaceChildren(...[segmentList(marks)].flat());
	$('history-table').replaceChildren(historyTable(ser, marks));
	if (canvasFor('history', 'history-chart', nOk + nFlagged > 0))
		setChart('history', 'history-chart', {
			type: 'line',
			data: { datasets: datasets(ser) },
			options: chartOptions(ser, marks),
			plugins: [segmentPlugin],
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
