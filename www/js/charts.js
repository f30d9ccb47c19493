// SPDX-License-Identifier: MIT
/*
 * Chart.js, when the daemon serves it: loads it from /vendor/ as a classic
 * script (Debian's libjs-chart.js; the global Chart), themes it from the
 * page's CSS, and keeps one chart per canvas. Without it the page is
 * marked data-charts="tables", every data table is opened and a note says
 * why; the panels then draw only their tables. Also the series colours,
 * which the variant cards share with the charts.
 */
import { $ } from './dom.js';

// Debian 12 ships Chart.js 3 as chart.min.js; Chart.js 4 builds are
// named chart.umd.js. The first that defines window.Chart wins.
const VENDOR = ['vendor/chart.min.js', 'vendor/chart.umd.js'];
const VENDOR_TIMEOUT_MS = 8000;
// Series colours, at least 3:1 against the panel in each scheme.
const PALETTE = {
	light: ['#57606a', '#0969da', '#bc4c00', '#1a7f37', '#8250df',
		'#cf222e', '#0e7c86', '#9a6700'],
	dark: ['#b1bac4', '#58a6ff', '#f0883e', '#3fb950', '#bc8cff',
		'#ff7b72', '#39c5cf', '#d29922'],
};
const DARK = '(prefers-color-scheme: dark)';

let enabled = null; // null: not known yet; true: Chart.js; false: tables
let objs = {}; // the charts by key

function scheme() {
	return window.matchMedia && window.matchMedia(DARK).matches ?
		'dark' : 'light';
}

/* The colour of series i, in the current colour scheme. */
export function colorOf(i) {
	const p = PALETTE[scheme()];
	return p[i % p.length];
}

function cssVar(name) {
	return getComputedStyle(document.documentElement)
		.getPropertyValue(name).trim();
}

/* Grid lines in the page's border colour. */
export function grid() {
	return { color: cssVar('--border') };
}

function loadScript(src) {
	return new Promise((resolve) => {
		const s = document.createElement('script');
		s.src = src;
		s.async = true;
		s.onload = () => resolve(typeof window.Chart === 'function');
		s.onerror = () => {
			s.remove();
			resolve(false);
		};
		document.head.append(s);
	});
}

async function loadChartJs() {
	for (const src of VENDOR) {
		if (typeof window.Chart === 'function')
			break;
		if (await loadScript(src))
			break;
	}
	return typeof window.Chart === 'function';
}

function withTimeout(p, ms, value) {
	return Promise.race([p, new Promise((resolve) =>
		setTimeout(() => resolve(value), ms))]);
}

function theme() {
	const C = window.Chart;

	C.defaults.color = cssVar('--muted');
	C.defaults.borderColor = cssVar('--border');
	C.defaults.font.family = getComputedStyle(document.body).fontFamily;
}

function destroyAll() {
	for (const c of Object.values(objs))
		c.destroy();
	objs = {};
}

/* Loads and themes Chart.js, or falls back to the tables; resolves to
 * whether there are charts. */
export async function loadCharts() {
	const ok = await withTimeout(loadChartJs(), VENDOR_TIMEOUT_MS, false);

	enabled = ok;
	document.documentElement.dataset.charts = ok ? 'chartjs' : 'tables';
	if (!ok) {
		const note = $('charts-note');
		for (const d of document.querySelectorAll('.table-box'))
			d.open = true;
		note.hidden = false;
		note.className = 'notice';
		note.textContent = 'Charts are unavailable (Chart.js is not ' +
		    'served under /vendor/; install Debian\'s ' +
		    'libjs-chart.js), so every panel shows its table.';
		document.querySelector('main').prepend(note);
		return false;
	}
	theme();
	return true;
}

/* When the colour scheme changes: drops every chart, themes Chart.js
 * again and calls redraw. */
export function onSchemeChange(redraw) {
	const mq = window.matchMedia(DARK);
	const retheme = () => {
		destroyAll();
		theme();
		redraw();
	};

	if (mq.addEventListener)
		mq.addEventListener('change', retheme);
	else if (mq.addListener)
		mq.addListener(retheme);
}

/* The options every chart starts from: a y axis from zero titled
 * yTitle, the legend below. */
export function chartBase(yTitle) {
	return {
		animation: false,
		responsive: true,
		maintainAspectRatio: false,
		normalized: true,
		plugins: {
			legend: {
				position: 'bottom',
				labels: { boxWidth: 14, color: cssVar('--text') },
			},
		},
		scales: {
			y: {
				beginAtZero: true,
				title: { display: true, text: yTitle },
				grid: grid(),
			},
			x: { grid: grid() },
		},
	};
}

/*
 * Shows the canvas of chart key when there is something to draw (show),
 * else hides it and drops its chart. Returns whether the caller should
 * draw the chart: there is something and Chart.js is loaded.
 */
export function canvasFor(key, canvasId, show) {
	$(canvasId).parentElement.hidden = !show;
	if (!show && objs[key]) {
		objs[key].destroy();
		delete objs[key];
	}
	return show && enabled === true;
}

/* Creates the chart of a canvas, or updates it in place. */
export function setChart(key, canvasId, config) {
	const old = objs[key];

	if (old) {
		old.data = config.data;
		old.options = config.options;
		old.update('none');
		return old;
	}
	objs[key] = new window.Chart($(canvasId), config);
	return objs[key];
}
