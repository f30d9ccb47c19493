// SPDX-License-Identifier: MIT
/*
 * The dashboard: polls the JSON API of allocbenchd (GET /api/v1/summary with
 * its ETag, so an unchanged summary costs a 304; /api/v1/status; and
 * /api/v1/runs when the summary changed or the range did), and renders the
 * variant cards, the wall-time history, the phase and peak-RSS panels, the
 * host and the daemon. Charts use Chart.js from /vendor/ (Debian's
 * libjs-chart.js); without it every panel is a table. Every number shown is
 * the API's number, formatted by the fmt functions below and also kept
 * unformatted in the value of a <data> element, so the browser test can
 * compare both with the document it fetched itself. Nothing is requested
 * from any host but the daemon that served this page.
 */
'use strict';

(function () {
	const API = {
		summary: 'api/v1/summary',
		runs: 'api/v1/runs',
		status: 'api/v1/status',
		rounds: 'api/v1/rounds',
	};
	// Debian 12 ships Chart.js 3 as chart.min.js; Chart.js 4 builds are
	// named chart.umd.js. The first that defines window.Chart wins.
	const VENDOR = ['vendor/chart.min.js', 'vendor/chart.umd.js'];
	const VENDOR_TIMEOUT_MS = 8000;
	const RANGES = {
		'24h': 24 * 3600e3,
		'7d': 7 * 24 * 3600e3,
		'30d': 30 * 24 * 3600e3,
		all: 0,
	};
	const RUNS_LIMIT = 10000; // the API's maximum
	const FETCH_TIMEOUT_MS = 15000;
	const TOKEN_KEY = 'allocbench.token';
	const RANGE_KEY = 'allocbench.range';
	const FLAGGED_KEY = 'allocbench.flagged';
	const PHASES = ['append', 'fill', 'clear', 'refill'];
	// Series colours, at least 3:1 against the panel in each scheme.
	const PALETTE = {
		light: ['#57606a', '#0969da', '#bc4c00', '#1a7f37', '#8250df',
			'#cf222e', '#0e7c86', '#9a6700'],
		dark: ['#b1bac4', '#58a6ff', '#f0883e', '#3fb950', '#bc8cff',
			'#ff7b72', '#39c5cf', '#d29922'],
	};

	const params = new URLSearchParams(location.search);
	const REFRESH_S = clamp(Number(params.get('refresh')) || 10, 1, 3600);

	const st = {
		summary: null, // the last summary document
		etag: null, // its ETag, sent as If-None-Match
		noSummary: false, // the daemon answered 503: nothing measured
		status: null,
		statusAt: 0, // Date.now() when status arrived
		skew: 0, // server clock minus ours, from the Date header
		runs: null, // the last /api/v1/runs document
		runsRange: null,
		runsDirty: true,
		range: '7d',
		showFlagged: true,
		charts: null, // null: not known yet; true: Chart.js; false: tables
		chartObjs: {},
		down: false,
		downReason: '',
		lastOkAt: 0,
		nextPollAt: 0,
		timer: 0,
		polling: false,
	};

	const $ = (id) => document.getElementById(id);

	function clamp(x, lo, hi) {
		return Math.min(hi, Math.max(lo, x));
	}

	function isNum(x) {
		return typeof x === 'number' && Number.isFinite(x);
	}

	/*
	 * Formatting. The browser test reimplements these rules; change both.
	 * sig3: three significant digits in fixed notation, the number of
	 * decimals found by scaling by ten (so every engine agrees), rounded
	 * by toFixed. Ratios have two decimals, p three (or "< 0.001"), memory
	 * is KiB / 1024 with one decimal.
	 */
	function sig3Decimals(x) {
		let a = Math.abs(x);
		let d = 2;

		if (a === 0)
			return d;
		while (a >= 10 && d > 0) {
			a /= 10;
			d--;
		}
		while (a < 1 && d < 9) {
			a *= 10;
			d++;
		}
		return d;
	}

	const fmt = {
		sig3: (x) => (isNum(x) ? x.toFixed(sig3Decimals(x)) : '—'),
		sec: (x) => (isNum(x) ? fmt.sig3(x) + ' s' : '—'),
		ratio: (x) => (isNum(x) ? x.toFixed(2) : '—'),
		p: (p) => (!isNum(p) ? 'p unknown' :
			p < 0.001 ? 'p < 0.001' : 'p = ' + p.toFixed(3)),
		mib: (kb) => (isNum(kb) ? (kb / 1024).toFixed(1) + ' MiB' : '—'),
		count: (n) => (isNum(n) ? String(n) : '0'),
	};

	function fmtDuration(s) {
		s = Math.max(0, Math.floor(s));
		const d = Math.floor(s / 86400);
		const hh = Math.floor((s % 86400) / 3600);
		const mm = Math.floor((s % 3600) / 60);
		const ss = s % 60;
		const two = (n) => String(n).padStart(2, '0');

		if (d > 0)
			return d + ' d ' + hh + ' h';
		if (hh > 0)
			return hh + ' h ' + two(mm) + ' min';
		if (mm > 0)
			return mm + ' min ' + two(ss) + ' s';
		return ss + ' s';
	}

	const dtFull = new Intl.DateTimeFormat(undefined, {
		dateStyle: 'medium', timeStyle: 'medium',
	});
	const dtShort = new Intl.DateTimeFormat(undefined, {
		month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit',
	});
	const dtDay = new Intl.DateTimeFormat(undefined, {
		month: 'short', day: 'numeric',
	});
	const dtTime = new Intl.DateTimeFormat(undefined, {
		hour: '2-digit', minute: '2-digit',
	});
	const dtClock = new Intl.DateTimeFormat(undefined, {
		hour: '2-digit', minute: '2-digit', second: '2-digit',
	});

	function serverNow() {
		return Date.now() + st.skew;
	}

	/* A new element: attrs may hold class, text, dataset, and attributes;
	 * children are nodes or strings (null and false are skipped). */
	function h(tag, attrs, ...kids) {
		const el = document.createElement(tag);

		for (const [k, v] of Object.entries(attrs || {})) {
			if (v === null || v === undefined || v === false)
				continue;
			if (k === 'class')
				el.className = v;
			else if (k === 'text')
				el.textContent = v;
			else if (k === 'dataset')
				Object.assign(el.dataset, v);
			else if (k === 'style')
				el.style.cssText = v;
			else
				el.setAttribute(k, v === true ? '' : v);
		}
		for (const kid of kids.flat()) {
			if (kid === null || kid === undefined || kid === false)
				continue;
			el.append(kid instanceof Node ? kid : String(kid));
		}
		return el;
	}

	/* A number as shown, with the API's value kept in value=. */
	function datum(field, value, text) {
		return h('data', {
			value: isNum(value) ? String(value) : '',
			dataset: { field: field },
			text: text,
		});
	}

	function scheme() {
		return window.matchMedia &&
		    window.matchMedia('(prefers-color-scheme: dark)').matches ?
			'dark' : 'light';
	}

	function colorOf(i) {
		const p = PALETTE[scheme()];
		return p[i % p.length];
	}

	function cssVar(name) {
		return getComputedStyle(document.documentElement)
			.getPropertyValue(name).trim();
	}

	function allocOf(id) {
		const i = id.indexOf('/');
		return i >= 0 ? id.slice(i + 1) : id;
	}

	function totalRuns(runs) {
		return runs ? (runs.ok || 0) + (runs.unverified || 0) +
		    (runs.failed || 0) + (runs.timeout || 0) : 0;
	}

	function notOk(runs) {
		return runs ? (runs.unverified || 0) + (runs.failed || 0) +
		    (runs.timeout || 0) : 0;
	}

	function noData() {
		if (st.noSummary)
			return true;
		if (!st.summary)
			return false;
		return st.summary.variants.every((v) => totalRuns(v.runs) === 0);
	}

	/* ---- Network ---- */

	class HttpError extends Error {
		constructor(status, text) {
			super('HTTP ' + status + (text ? ': ' + text : ''));
			this.status = status;
		}
	}

	/* fetch with a deadline, so a daemon that accepts the connection and
	 * never answers still shows the banner. */
	async function get(url, opts) {
		const ctl = new AbortController();
		const t = setTimeout(() => ctl.abort(), FETCH_TIMEOUT_MS);

		try {
			return await fetch(url, Object.assign({
				cache: 'no-store', signal: ctl.signal,
			}, opts));
		} finally {
			clearTimeout(t);
		}
	}

	async function errorText(r) {
		try {
			const doc = await r.json();
			return doc && doc.error ? String(doc.error) : '';
		} catch (e) {
			return '';
		}
	}

	/* GET /api/v1/summary with If-None-Match; returns whether it changed.
	 * cache: "no-store" keeps the browser's cache out of the way, so a
	 * 304 reaches this code as a 304. */
	async function fetchSummary() {
		const headers = {};

		if (st.etag)
			headers['If-None-Match'] = st.etag;
		const r = await get(API.summary, { headers });
		if (r.status === 304)
			return false;
		if (r.status === 503) {
			// nothing measured yet (RFC 9110 15.6.4)
			const changed = !st.noSummary;
			st.noSummary = true;
			st.summary = null;
			st.etag = null;
			return changed;
		}
		if (!r.ok)
			throw new HttpError(r.status, await errorText(r));
		const doc = await r.json();
		st.etag = r.headers.get('ETag');
		st.summary = doc;
		st.noSummary = false;
		st.runsDirty = true;
		return true;
	}

	async function fetchStatus() {
		const r = await get(API.status);
		if (!r.ok)
			throw new HttpError(r.status, await errorText(r));
		const doc = await r.json();
		const date = Date.parse(r.headers.get('Date') || '');
		st.statusAt = Date.now();
		// Date has one-second resolution; only correct real skew.
		if (Number.isFinite(date) && Math.abs(date - st.statusAt) > 2000)
			st.skew = date - st.statusAt;
		else
			st.skew = 0;
		// A restarted daemon may hold another history: reload the runs.
		if (st.status && isNum(doc.uptime_s) &&
		    doc.uptime_s < st.status.uptime_s) {
			st.runs = null;
			st.runsDirty = true;
		}
		st.status = doc;
	}

	function runsUrl(range) {
		let url = API.runs + '?limit=' + RUNS_LIMIT;

		if (RANGES[range])
			url += '&since=' +
			    Math.floor((serverNow() - RANGES[range]) / 1000);
		return url;
	}

	/*
	 * The runs of the chosen range. After the first load of a range only
	 * the runs newer than the newest one held are asked for (since= takes
	 * an RFC 3339 time with milliseconds) and merged in, and runs that
	 * slid out of the range are dropped: a summary change costs a few runs,
	 * not the whole range again. full forces a complete reload.
	 */
	async function fetchRuns(full) {
		const range = st.range;
		const have = st.runs && st.runsRange === range &&
		    st.runs.runs.length > 0 && !full;
		const url = have ? API.runs + '?limit=' + RUNS_LIMIT + '&since=' +
			encodeURIComponent(new Date(st.runs.runs[0].started_ms + 1)
			    .toISOString()) : runsUrl(range);
		const r = await get(url);
		if (!r.ok)
			throw new HttpError(r.status, await errorText(r));
		const doc = await r.json();
		if (range !== st.range)
			return; // the user moved on; a newer request follows
		if (have && doc.count >= RUNS_LIMIT)
			return fetchRuns(true);
		if (have) {
			const cut = RANGES[range] ? serverNow() - RANGES[range] :
				-Infinity;
			const runs = doc.runs.concat(st.runs.runs)
				.filter((x) => x.started_ms >= cut)
				.slice(0, RUNS_LIMIT);
			st.runs = { runs, count: runs.length };
		} else {
			st.runs = doc;
		}
		st.runsRange = range;
		st.runsDirty = false;
	}

	function describeError(e) {
		if (e instanceof HttpError)
			return 'it answered ' + e.message;
		if (e && e.name === 'AbortError')
			return 'the request timed out';
		return 'the connection failed';
	}

	/* One refresh: summary and status together, then the runs if needed.
	 * Any failure shows the banner; the next poll retries. */
	async function poll() {
		if (st.polling)
			return;
		st.polling = true;
		clearTimeout(st.timer);
		try {
			const [changed] = await Promise.all([fetchSummary(),
				fetchStatus()]);
			if (changed)
				renderSummary();
			let fresh = false;
			if (st.runsDirty && st.summary) {
				await fetchRuns(false);
				fresh = true;
			}
			if (changed || fresh)
				renderHistory();
			st.down = false;
			st.lastOkAt = Date.now();
		} catch (e) {
			st.down = true;
			st.downReason = describeError(e);
		} finally {
			st.polling = false;
			st.nextPollAt = Date.now() + REFRESH_S * 1000;
			st.timer = setTimeout(tick, REFRESH_S * 1000);
			renderStatus();
			renderBanner();
		}
	}

	function tick() {
		if (document.hidden) {
			st.nextPollAt = Date.now() + REFRESH_S * 1000;
			st.timer = setTimeout(tick, REFRESH_S * 1000);
			return;
		}
		poll();
	}

	/* ---- Chart.js ---- */

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

	function themeCharts() {
		const C = window.Chart;

		C.defaults.color = cssVar('--muted');
		C.defaults.borderColor = cssVar('--border');
		C.defaults.font.family = getComputedStyle(document.body).fontFamily;
	}

	function chartBase(yTitle) {
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
					grid: { color: cssVar('--border') },
				},
				x: { grid: { color: cssVar('--border') } },
			},
		};
	}

	/* Creates or replaces the chart of a canvas. */
	function setChart(key, canvasId, config) {
		const old = st.chartObjs[key];

		if (old) {
			old.data = config.data;
			old.options = config.options;
			old.update('none');
			return old;
		}
		st.chartObjs[key] = new window.Chart($(canvasId), config);
		return st.chartObjs[key];
	}

	/* Shows the canvas of a chart, or drops the chart and hides the
	 * canvas when there is nothing to draw. */
	function showCanvas(key, canvasId, show) {
		const wrap = $(canvasId).parentElement;

		wrap.hidden = !show;
		if (!show && st.chartObjs[key]) {
			st.chartObjs[key].destroy();
			delete st.chartObjs[key];
		}
		return show;
	}

	function destroyCharts() {
		for (const c of Object.values(st.chartObjs))
			c.destroy();
		st.chartObjs = {};
	}

	/* ---- Rendering: cards ---- */

	function verdictOf(v, summary) {
		const sp = v.speedup;

		if (!v.available)
			return { kind: 'unavailable', badge: 'unavailable' };
		if (totalRuns(v.runs) === 0)
			return { kind: 'none', badge: 'no runs yet' };
		if (!v.wall_s)
			return { kind: 'failing', badge: 'no verified runs' };
		if (v.allocator === summary.baseline)
			return { kind: 'baseline', badge: 'baseline' };
		if (!sp)
			return { kind: 'none', badge: 'not compared' };
		if (sp.significant)
			return sp.ratio >= 1 ?
				{ kind: 'faster', badge: 'faster' } :
				{ kind: 'slower', badge: 'slower' };
		return { kind: 'same', badge: 'no significant difference' };
	}

	function ciText(sp) {
		const lo = sp.ci95 ? sp.ci95[0] : null;
		const hi = sp.ci95 ? sp.ci95[1] : null;

		return ['95% CI ', datum('ratio-ci-lo', lo, fmt.ratio(lo)), '–',
			datum('ratio-ci-hi', hi, fmt.ratio(hi)), ', ',
			datum('p', sp.p_value, fmt.p(sp.p_value))];
	}

	function verdictLine(v, summary, verdict) {
		const sp = v.speedup;
		const name = v.allocator;
		const attrs = {
			class: 'verdict',
			dataset: { field: 'verdict', kind: verdict.kind },
		};

		if (verdict.kind === 'baseline')
			return h('p', attrs, name + ': the baseline of ' +
			    v.interpreter + '; the others are compared with it.');
		if (!sp) {
			if (verdict.kind === 'unavailable' || verdict.kind === 'none' &&
			    totalRuns(v.runs) === 0)
				return null;
			return h('p', attrs, 'No comparison with ' +
			    summary.baseline + ' yet: it needs verified runs of both.');
		}
		// the comparison stands even when the variant is unavailable now
		const word = !sp.significant ? 'same' :
			sp.ratio >= 1 ? 'faster' : 'slower';
		const base = allocOf(sp.baseline);
		const ratio = datum('ratio', sp.ratio, fmt.ratio(sp.ratio));
		attrs.dataset.kind = word;
		if (word === 'faster')
			return h('p', attrs, name + ': ', ratio, '× faster than ' +
			    base + ' (', ciText(sp), ')');
		if (word === 'slower')
			return h('p', attrs, name + ': slower than ' + base + ' — ',
			    ratio, '× its speed (', ciText(sp), ')');
		return h('p', attrs, name + ': no significant difference from ' +
		    base + ' (', ratio, '×, ', ciText(sp), ')');
	}

	/* Why the variant is unavailable, and its latest error if it has
	 * one. */
	function whyBox(v) {
		const out = [];

		if (!v.available)
			out.push(h('p', { class: 'why' }, h('strong', null,
			    'Unavailable: '), h('span', {
				dataset: { field: 'reason' },
				text: v.reason || 'no reason given',
			})));
		if (v.last_error)
			out.push(errorBox(v));
		return out;
	}

	function errorBox(v) {
		const err = v.last_error.replace(/\s+$/, '');
		const current = v.wall_s ? 'old' : 'now';
		const n = notOk(v.runs);
		const title = n > 0 ? 'Latest error (' + n + (n === 1 ?
			' run' : ' runs') + ' not ok): ' : 'Latest error: ';
		const nl = err.indexOf('\n');
		if (nl < 0)
			return h('div', { class: 'why', dataset: { kind: current } },
			    h('strong', null, title), h('span', {
				dataset: { field: 'last-error' }, text: err,
			}));
		return h('div', { class: 'why', dataset: { kind: current } },
		    h('strong', null, title), err.slice(0, nl),
		    h('details', null, h('summary', null, 'Full message'),
			h('pre', { dataset: { field: 'last-error' }, text: err })));
	}

	function runsLine(v) {
		const r = v.runs || {};
		const bad = notOk(r);
		const line = (...kids) => h('span', { class: 'line' }, kids);
		const lines = [
			line(datum('runs-ok', r.ok, fmt.count(r.ok)), ' ok'),
			line(datum('runs-flagged', r.flagged, fmt.count(r.flagged)),
			    ' excluded (flagged)'),
			line(datum('runs-notok', bad, fmt.count(bad)),
			    ' failed, unverified or timed out'),
		];
		if (bad > 0)
			lines.push(line(h('span', { class: 'sub' }, '(',
			    datum('runs-unverified', r.unverified,
				fmt.count(r.unverified)), ' unverified, ',
			    datum('runs-failed', r.failed, fmt.count(r.failed)),
			    ' failed, ',
			    datum('runs-timeout', r.timeout, fmt.count(r.timeout)),
			    ' timeout)')));
		return lines;
	}

	function card(v, i, summary) {
		const verdict = verdictOf(v, summary);
		const wall = v.wall_s;
		const rss = v.maxrss_kb;
		const provider = v.malloc_provider;
		let big;
		let sub;

		if (wall) {
			big = h('p', { class: 'big' },
			    datum('wall-median', wall.median, fmt.sec(wall.median)),
			    ' ', h('small', null, 'median wall'));
			sub = wall.ci95 ?
				h('p', { class: 'sub' }, '95% CI ',
				    datum('wall-ci-lo', wall.ci95[0],
					fmt.sig3(wall.ci95[0])), '–',
				    datum('wall-ci-hi', wall.ci95[1],
					fmt.sec(wall.ci95[1])), ' · n = ',
				    datum('wall-n', wall.n, fmt.count(wall.n))) :
				h('p', { class: 'sub' }, 'No 95% CI yet: n = ',
				    datum('wall-n', wall.n, fmt.count(wall.n)),
				    ', it needs 6 runs');
		} else {
			big = h('p', { class: 'big' }, '—', ' ',
			    h('small', null, !v.available ? 'not measured' :
				totalRuns(v.runs) ? 'no verified runs in the window' :
				    'no runs yet'));
			sub = null;
		}
		const facts = h('dl', null,
		    h('dt', null, 'Peak RSS'), h('dd', null, rss ?
			[datum('rss-median', rss.median, fmt.mib(rss.median)),
			    ' median'] : '—'),
		    h('dt', null, 'Runs'), h('dd', null, runsLine(v)),
		    h('dt', null, 'malloc from'), h('dd', {
			class: 'mono',
			title: provider || null,
		    }, provider ? provider.replace(/^.*\//, '') : '—'),
		    v.python_version ? [h('dt', null, 'Python'),
			h('dd', null, v.python_version)] : null);

		return h('article', {
			class: 'card',
			style: '--swatch: ' + colorOf(i),
			dataset: { variant: v.id, kind: verdict.kind },
			'aria-labelledby': 'card-' + i,
		},
		h('div', { class: 'card-head' },
		    h('h3', { id: 'card-' + i }, v.allocator + ' ',
			h('span', { class: 'interp' }, v.interpreter)),
		    h('span', {
			class: 'badge',
			dataset: { kind: verdict.kind, field: 'badge' },
			text: verdict.badge,
		    })),
		big, sub, verdictLine(v, summary, verdict), facts, whyBox(v));
	}

	function renderCards() {
		const box = $('cards');
		const s = st.summary;
		const open = new Set([...box.querySelectorAll('details[open]')]
			.map((d) => d.closest('[data-variant]').dataset.variant));

		box.replaceChildren();
		if (!s) {
			box.setAttribute('aria-busy', 'true');
			return;
		}
		s.variants.forEach((v, i) => box.append(card(v, i, s)));
		for (const el of box.querySelectorAll('[data-variant]')) {
			const d = el.querySelector('details');
			if (d && open.has(el.dataset.variant))
				d.open = true;
		}
		box.removeAttribute('aria-busy');
		$('variants-hint').textContent = 'Median wall time of the ' +
		    'verified runs in each variant\'s window' +
		    (isNum(s.iterations) ? ' (' + s.iterations +
			' iterations per run)' : '') +
		    ', and its speed against ' + s.baseline + '.';
	}

	/* ---- Rendering: tables ---- */

	function table(caption, head, rows) {
		return h('table', null, caption ? h('caption', null, caption) : null,
		    h('thead', null, h('tr', null, head.map((c) =>
			h('th', { scope: 'col' }, c)))),
		    h('tbody', null, rows.map((r) => h('tr', null, r.map((c, j) =>
			j === 0 ? h('th', { scope: 'row' }, c) :
				h('td', null, c))))));
	}

	function withPhases() {
		return st.summary ? st.summary.variants
			.map((v, i) => ({ v, i }))
			.filter((x) => x.v.phases_s) : [];
	}

	function withRss() {
		return st.summary ? st.summary.variants
			.map((v, i) => ({ v, i }))
			.filter((x) => x.v.maxrss_kb) : [];
	}

	function renderPhases() {
		const list = withPhases();

		$('phases-table').replaceChildren(list.length ?
			table(null, ['variant'].concat(PHASES), list.map(({ v }) =>
				[v.id].concat(PHASES.map((p) => h('span', {
					dataset: { variant: v.id },
				}, datum('phase-' + p, v.phases_s[p],
				    fmt.sec(v.phases_s[p]))))))) :
			h('p', { class: 'hint' }, 'No verified runs yet.'));
		if (!showCanvas('phases', 'phases-chart', list.length > 0) ||
		    !st.charts)
			return;
		setChart('phases', 'phases-chart', {
			type: 'bar',
			data: {
				labels: PHASES,
				datasets: list.map(({ v, i }) => ({
					label: v.id,
					data: PHASES.map((p) => v.phases_s[p]),
					backgroundColor: colorOf(i),
					borderColor: colorOf(i),
				})),
			},
			options: Object.assign(chartBase('seconds (median)'), {
				plugins: {
					legend: {
						position: 'bottom',
						labels: { boxWidth: 14, color: cssVar('--text') },
					},
					tooltip: {
						callbacks: {
							label: (c) => c.dataset.label + ': ' +
							    fmt.sec(c.parsed.y),
						},
					},
				},
			}),
		});
	}

	function renderRss() {
		const list = withRss();

		$('rss-table').replaceChildren(list.length ?
			table(null, ['variant', 'median', 'min', 'max', 'n'],
			    list.map(({ v }) => {
				const r = v.maxrss_kb;
				return [v.id,
					h('span', { dataset: { variant: v.id } },
					    datum('rss-median', r.median,
						fmt.mib(r.median))),
					datum('rss-min', r.min, fmt.mib(r.min)),
					datum('rss-max', r.max, fmt.mib(r.max)),
					datum('rss-n', r.n, fmt.count(r.n))];
			    })) :
			h('p', { class: 'hint' }, 'No verified runs yet.'));
		if (!showCanvas('rss', 'rss-chart', list.length > 0) || !st.charts)
			return;
		const base = chartBase('');
		base.indexAxis = 'y';
		base.scales = {
			x: {
				beginAtZero: true,
				title: { display: true, text: 'MiB (median peak RSS)' },
				grid: { color: cssVar('--border') },
			},
			y: { grid: { display: false } },
		};
		base.plugins = {
			legend: { display: false },
			tooltip: {
				callbacks: {
					label: (c) => {
						const r = list[c.dataIndex].v.maxrss_kb;
						return fmt.mib(r.median) + ' (min ' +
						    fmt.mib(r.min) + ', max ' +
						    fmt.mib(r.max) + ')';
					},
				},
			},
		};
		setChart('rss', 'rss-chart', {
			type: 'bar',
			data: {
				labels: list.map(({ v }) => v.id),
				datasets: [{
					label: 'median peak RSS (MiB)',
					data: list.map(({ v }) => v.maxrss_kb.median / 1024),
					backgroundColor: list.map(({ i }) => colorOf(i)),
				}],
			},
			options: base,
		});
	}

	/* ---- Rendering: history ---- */

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
			return h('p', { class: 'hint' },
			    'No verified runs in this range.');
		const keys = [...buckets.keys()].sort((a, b) => b - a);
		return table('Median wall time of the verified, unflagged runs per ' +
		    (hourly ? 'hour' : 'day') + ' (number of runs), newest first',
		    [hourly ? 'hour' : 'day'].concat(ids),
		    keys.map((k) => [hourly ? dtShort.format(k) : dtDay.format(k)]
			.concat(ids.map((id) => {
				const xs = buckets.get(k).get(id);
				return xs ? fmt.sec(median(xs)) + ' (' + xs.length +
				    ')' : '—';
			}))));
	}

	function renderHistory() {
		const fig = $('history-fig');
		const caption = $('history-caption');

		if (!st.runs || !st.summary) {
			caption.textContent = noData() ?
				'No runs yet: the first round is running.' : '';
			$('history-table').replaceChildren();
			showCanvas('history', 'history-chart', false);
			return;
		}
		const ser = historySeries();
		let nOk = 0;
		let nFlagged = 0;

		for (const e of ser.by.values()) {
			nOk += e.ok.length;
			nFlagged += e.flagged.length;
		}
		const words = [];
		if (noData())
			words.push(st.status && st.status.state === 'running' ?
				'No runs yet: the first round is running.' :
				'No runs yet.');
		else if (nOk + nFlagged === 0)
			words.push('No verified runs in this range.');
		else
			words.push((nOk + nFlagged) + ' verified runs from ' +
			    dtShort.format(ser.first) + ' to ' +
			    dtShort.format(ser.last) + '; ' + nFlagged +
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
		caption.textContent = words.join(' ');
		$('history-table').replaceChildren(historyTable(ser));

		if (showCanvas('history', 'history-chart', nOk + nFlagged > 0) &&
		    st.charts) {
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
			const now = serverNow();
			const lo = RANGES[st.runsRange] ?
				now - RANGES[st.runsRange] : ser.first;
			const hi = (RANGES[st.runsRange] ? now : ser.last) +
			    (now - lo) * 0.01;
			const step = tickStep(hi - lo);
			const opts = chartBase('wall time (s)');
			opts.parsing = false;
			opts.interaction = { mode: 'nearest', intersect: false };
			opts.scales.x = {
				type: 'linear',
				min: lo,
				max: hi,
				grid: { color: cssVar('--border') },
				afterBuildTicks: (scale) => {
					scale.ticks = localTicks(lo, hi, step)
						.map((value) => ({ value }));
				},
				ticks: {
					maxRotation: 0,
					autoSkipPadding: 16,
					callback: (val) => step < DAY ?
						(hi - lo > DAY ? dtShort : dtTime).format(val) :
						dtDay.format(val),
				},
			};
			opts.scales.y.beginAtZero = false;
			opts.scales.y.ticks = { callback: (val) => fmt.sig3(val) };
			opts.plugins.legend.labels.filter = (item, data) =>
				!data.datasets[item.datasetIndex].abFlagged;
			opts.plugins.tooltip = {
				callbacks: {
					title: (items) => items.length ?
						dtFull.format(items[0].parsed.x) : '',
					label: (c) => c.dataset.abVariant + ': ' +
					    fmt.sec(c.parsed.y) + (c.dataset.abFlagged ?
						' (flagged: excluded)' : ''),
				},
			};
			setChart('history', 'history-chart', {
				type: 'line',
				data: { datasets: ds },
				options: opts,
			});
		}
		fig.dataset.rangeLoaded = st.runsRange;
	}

	/* ---- Rendering: host, daemon, banner ---- */

	function fact(dl, label, field, value, cls) {
		dl.append(h('dt', null, label), h('dd', {
			dataset: { field: field },
			class: cls || null,
		}, value));
	}

	/* Moves the facts of a detached list into the page's list, only when
	 * they differ, so a selection survives the one-second ticks. */
	function swapFacts(id, fresh) {
		const dl = $(id);

		if (dl.innerHTML !== fresh.innerHTML)
			dl.replaceChildren(...fresh.childNodes);
	}

	function pythonVersions() {
		const seen = new Map();

		for (const v of st.summary ? st.summary.variants : []) {
			if (!v.python_version)
				continue;
			if (!seen.has(v.interpreter))
				seen.set(v.interpreter, new Set());
			seen.get(v.interpreter).add(v.python_version);
		}
		return [...seen].map(([k, s]) => k + ' ' + [...s].join(', '))
			.join('; ');
	}

	function renderHost() {
		const dl = document.createElement('dl');
		const host = st.summary ? st.summary.host :
			st.status ? st.status.host : null;
		const rd = st.status ? st.status.reading : null;

		if (!host)
			return;
		$('host-name').textContent = host.hostname ? ' — on ' +
		    host.hostname : '';
		fact(dl, 'Model', 'host-cpu', host.cpu_model || 'unknown');
		fact(dl, 'CPUs', 'host-cpus', fmt.count(host.cpus));
		fact(dl, 'Machine', 'host-machine', host.machine || 'unknown');
		fact(dl, 'Kernel', 'host-kernel', 'Linux ' + (host.kernel || '?'));
		fact(dl, 'Python', 'host-python', pythonVersions() ||
		    'not reported yet');
		fact(dl, 'Temperature', 'host-temp', rd && isNum(rd.temp_c) ?
			datum('temp', rd.temp_c, rd.temp_c.toFixed(1) + ' °C') :
			'not reported');
		fact(dl, 'Frequency', 'host-freq', rd && isNum(rd.freq_khz) ?
			datum('freq', rd.freq_khz, (rd.freq_khz / 1000).toFixed(0) +
			    ' MHz') : 'not reported');
		fact(dl, 'Throttling', 'host-throttle', rd && rd.throttled_text ?
			rd.throttled_text : 'not reported (no Raspberry Pi firmware)',
		rd && rd.throttled_text && rd.throttled_text !== 'none' ?
			'warn' : null);
		fact(dl, 'Load (1 min)', 'host-load', rd && isNum(rd.load1) ?
			datum('load', rd.load1, rd.load1.toFixed(2)) : 'not reported');
		if (st.summary)
			fact(dl, 'Sandbox', 'host-sandbox', host.sandbox ||
			    'not reported');
		swapFacts('host-facts', dl);
	}

	function nextRoundText(s) {
		if (s.state === 'running')
			return 'running now';
		if (!s.next_round_at)
			return 'none planned';
		const at = Date.parse(s.next_round_at);
		const left = (at - serverNow()) / 1000;
		if (left <= 0)
			return 'due now';
		return 'in ' + fmtDuration(left) + ' (at ' + dtClock.format(at) +
		    ')';
	}

	function renderDaemon() {
		const dl = document.createElement('dl');
		const s = st.status;

		if (!s)
			return;
		const since = (Date.now() - st.statusAt) / 1000;
		fact(dl, 'State', 'daemon-state', s.state === 'running' ?
			'running' + (s.current ? ': measuring ' + s.current : '') :
			s.state);
		fact(dl, 'Next round', 'daemon-next', nextRoundText(s));
		fact(dl, 'Rounds', 'daemon-rounds', datum('rounds',
		    s.rounds_completed, fmt.count(s.rounds_completed)),
		null);
		dl.lastChild.append(' completed since start');
		fact(dl, 'Results', 'daemon-updated', s.updated_at ?
			'updated ' + dtFull.format(Date.parse(s.updated_at)) :
			'no run finished since the daemon started');
		if (isNum(s.history_runs)) {
			let text = s.history_runs + ' runs in the history';
			if (s.history_skipped)
				text += '; ' + s.history_skipped +
				    ' corrupt lines skipped at start';
			if (s.history_newer)
				text += '; ' + s.history_newer +
				    ' lines from a newer allocbenchd kept aside';
			fact(dl, 'History', 'daemon-history', text,
			    s.history_skipped ? 'warn' : null);
		}
		if (s.persist_ok === false)
			fact(dl, 'Persistence', 'daemon-persist', 'NOT writing the ' +
			    'history: ' + (s.persist_error || 'unknown error') +
			    '. Results are kept in memory until the disk recovers.',
			'warn');
		else if (s.persist_ok === true)
			fact(dl, 'Persistence', 'daemon-persist',
			    'ok: every run is written to history.jsonl');
		fact(dl, 'Uptime', 'daemon-uptime',
		    fmtDuration(s.uptime_s + (st.down ? 0 : since)));
		fact(dl, 'Refresh', 'daemon-refresh', 'every ' + REFRESH_S +
		    ' s' + (st.lastOkAt ? '; last at ' +
			dtClock.format(st.lastOkAt) : ''));
		swapFacts('daemon-facts', dl);
		$('version').textContent = s.version ? 'allocbenchd ' +
		    s.version + '.' : '';
	}

	function renderPill() {
		const pill = $('daemon-pill');
		const s = st.status;

		if (st.down) {
			pill.dataset.kind = 'down';
			pill.textContent = 'unreachable';
		} else if (!s) {
			pill.dataset.kind = '';
			pill.textContent = 'connecting…';
		} else if (s.state === 'running') {
			pill.dataset.kind = 'running';
			pill.textContent = 'running' + (s.current ? ' ' +
			    s.current : '');
		} else {
			pill.dataset.kind = 'idle';
			pill.textContent = 'idle · next round ' +
			    nextRoundText(s).replace(/ \(at .*\)$/, '');
		}
	}

	function renderNotice() {
		const n = $('notice');
		const s = st.status;
		const root = document.documentElement;

		if (!noData()) {
			n.hidden = true;
			if (st.summary)
				root.dataset.abState = 'ready';
			return;
		}
		root.dataset.abState = 'empty';
		n.hidden = false;
		if (s && s.state === 'running')
			n.textContent = 'No results yet: the first round is running' +
			    (s.current ? ' (measuring ' + s.current + ')' : '') +
			    '. Results appear here as each run finishes; this ' +
			    'page refreshes every ' + REFRESH_S + ' s.';
		else if (s && s.rounds_completed === 0)
			n.textContent = 'No results yet: the first round starts ' +
			    nextRoundText(s) + '.';
		else
			n.textContent = 'No results yet: no variant has produced ' +
			    'a run. The cards say why.';
	}

	function renderBanner() {
		const b = $('banner');
		const root = document.documentElement;

		if (!st.down) {
			b.hidden = true;
			if (root.dataset.abState === 'down')
				root.dataset.abState = st.summary ? 'ready' : 'loading';
			renderNotice();
			return;
		}
		root.dataset.abState = 'down';
		b.hidden = false;
		const left = Math.max(0, Math.ceil((st.nextPollAt - Date.now()) /
		    1000));
		$('banner-text').textContent = 'Cannot reach the daemon at ' +
		    location.host + ': ' + st.downReason + '. ' +
		    (st.lastOkAt ? 'The figures below are from ' +
			dtClock.format(st.lastOkAt) + '. ' : '') +
		    'Retrying every ' + REFRESH_S + ' s' +
		    (st.polling ? ' — trying now…' : ' — next try in ' + left +
			' s.');
	}

	function renderStatus() {
		renderDaemon();
		renderHost();
		renderPill();
		renderNotice();
	}

	function renderSummary() {
		renderCards();
		renderPhases();
		renderRss();
		renderHost();
		renderNotice();
	}

	function renderAll() {
		renderSummary();
		renderHistory();
		renderStatus();
		renderBanner();
	}

	/* ---- Controls ---- */

	function setRange(range) {
		if (!(range in RANGES) || range === st.range && !st.runsDirty)
			return;
		st.range = range;
		st.runsDirty = true;
		try {
			localStorage.setItem(RANGE_KEY, range);
		} catch (e) {
			// storage may be disabled; the choice lasts for the page
		}
		fetchRuns(true).then(renderHistory).catch((e) => {
			st.down = true;
			st.downReason = describeError(e);
			renderBanner();
			renderPill();
		});
	}

	function initControls() {
		let saved = null;

		try {
			saved = localStorage.getItem(RANGE_KEY);
			st.showFlagged = localStorage.getItem(FLAGGED_KEY) !== 'no';
		} catch (e) {
			saved = null;
		}
		if (saved in RANGES)
			st.range = saved;
		const radio = $('range-' + st.range);
		if (radio)
			radio.checked = true;
		$('show-flagged').checked = st.showFlagged;
		$('range-form').addEventListener('submit', (e) =>
			e.preventDefault());
		for (const r of document.querySelectorAll('input[name="range"]'))
			r.addEventListener('change', () => {
				if (r.checked)
					setRange(r.value);
			});
		$('show-flagged').addEventListener('change', (e) => {
			st.showFlagged = e.target.checked;
			try {
				localStorage.setItem(FLAGGED_KEY,
				    st.showFlagged ? 'yes' : 'no');
			} catch (err) {
				// as above
			}
			renderHistory();
		});
		$('banner-retry').addEventListener('click', () => poll());
		initRoundForm();
	}

	function initRoundForm() {
		const form = $('round-form');
		const input = $('round-token');
		const remember = $('round-remember');
		const out = $('round-result');
		const button = $('round-submit');
		let saved = null;

		try {
			saved = sessionStorage.getItem(TOKEN_KEY);
		} catch (e) {
			saved = null;
		}
		if (saved) {
			input.value = saved;
			remember.checked = true;
		}
		const say = (kind, text) => {
			out.dataset.kind = kind;
			out.textContent = text;
		};
		remember.addEventListener('change', () => {
			try {
				if (!remember.checked)
					sessionStorage.removeItem(TOKEN_KEY);
			} catch (e) {
				// nothing was stored
			}
		});
		form.addEventListener('submit', async (e) => {
			e.preventDefault();
			const token = input.value.trim();
			if (!token) {
				say('error', 'Enter the API token (api_token in ' +
				    'allocbenchd.conf).');
				input.focus();
				return;
			}
			try {
				if (remember.checked)
					sessionStorage.setItem(TOKEN_KEY, token);
				else
					sessionStorage.removeItem(TOKEN_KEY);
			} catch (err) {
				// the token is then kept by the form only
			}
			button.disabled = true;
			say('', 'Asking the daemon…');
			try {
				const r = await get(API.rounds, {
					method: 'POST',
					headers: { Authorization: 'Bearer ' + token },
				});
				const why = await errorText(r);
				if (r.status === 202)
					say('ok', 'Round requested (202): it starts now; ' +
					    'the cards update as its runs finish.');
				else if (r.status === 403)
					say('error', 'Refused (403): ' + (why ||
					    'forbidden') + '. Check the token; without ' +
					    'an api_token in the configuration no round ' +
					    'can be requested.');
				else if (r.status === 409)
					say('error', 'Not started (409): a round is ' +
					    'already running.');
				else
					say('error', 'Unexpected answer (HTTP ' + r.status +
					    ')' + (why ? ': ' + why : '') + '.');
			} catch (err) {
				say('error', 'Could not reach the daemon; no round ' +
				    'was requested.');
			} finally {
				button.disabled = false;
				clearTimeout(st.timer);
				st.timer = setTimeout(tick, 1000);
			}
		});
	}

	/* ---- Start ---- */

	async function initCharts() {
		const ok = await withTimeout(loadChartJs(), VENDOR_TIMEOUT_MS,
		    false);
		st.charts = ok;
		document.documentElement.dataset.charts = ok ? 'chartjs' :
			'tables';
		const note = $('charts-note');
		if (!ok) {
			for (const d of document.querySelectorAll('.table-box'))
				d.open = true;
			note.hidden = false;
			note.className = 'notice';
			note.textContent = 'Charts are unavailable (Chart.js is not ' +
			    'served under /vendor/; install Debian\'s ' +
			    'libjs-chart.js), so every panel shows its table.';
			document.querySelector('main').prepend(note);
			return;
		}
		themeCharts();
		renderPhases();
		renderRss();
		if (st.runsRange !== null)
			renderHistory();
		const mq = window.matchMedia('(prefers-color-scheme: dark)');
		const retheme = () => {
			destroyCharts();
			themeCharts();
			renderAll();
		};
		if (mq.addEventListener)
			mq.addEventListener('change', retheme);
		else if (mq.addListener)
			mq.addListener(retheme);
	}

	function start() {
		document.documentElement.dataset.abState = 'loading';
		initControls();
		initCharts();
		poll();
		setInterval(() => {
			renderDaemon();
			renderPill();
			renderBanner();
		}, 1000);
		document.addEventListener('visibilitychange', () => {
			if (!document.hidden && Date.now() >= st.nextPollAt)
				poll();
		});
	}

	if (document.readyState === 'loading')
		document.addEventListener('DOMContentLoaded', start);
	else
		start();
}());
