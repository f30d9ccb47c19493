// SPDX-License-Identifier: MIT
/*
 * The browser half of tests/dashboard.test: drives Debian's headless
 * chromium with playwright-core against the real allocbenchd and reports
 * what the page shows, without judging it; the Python half compares the
 * report with the API documents it fetched itself.
 *
 * Usage: node dashboard.mjs --url URL --empty-url URL --legacy-url URL
 *            --token TOKEN --artifacts DIR [--chromium PATH]
 *
 * URL is a daemon with a history, EMPTY-URL one still in its first round,
 * LEGACY-URL one whose history was written before runs had rounds.
 * Standard output carries one JSON object per line: {"event":
 * "stop-daemon"} and {"event": "start-daemon"} ask the caller to stop or
 * restart the daemon at URL (on the same port) and to answer with a line
 * on standard input; the last line is {"event": "result", ...}. A
 * scenario that throws is reported in result.errors and the others still
 * run. Runs on Node 18 (Debian 12) and later.
 */
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { chromium } from 'playwright-core';

const LAUNCH_ARGS = ['--no-sandbox', '--disable-background-networking',
	'--disable-gpu', '--disable-component-update', '--disable-sync',
	'--no-first-run'];
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };
const REFRESH = 2; // seconds between the page's polls (?refresh=)

function parseArgs(argv) {
	const out = { chromium: '/usr/bin/chromium' };

	for (let i = 0; i < argv.length; i += 2) {
		const key = argv[i].replace(/^--/, '');
		if (argv[i + 1] === undefined)
			throw new Error('missing value for ' + argv[i]);
		out[key.replace(/-([a-z])/g, (m, c) => c.toUpperCase())] =
		    argv[i + 1];
	}
	for (const k of ['url', 'emptyUrl', 'legacyUrl', 'token',
	    'artifacts'])
		if (!out[k])
			throw new Error('missing --' + k);
	return out;
}

const args = parseArgs(process.argv.slice(2));
const origins = [args.url, args.emptyUrl, args.legacyUrl]
	.map((u) => new URL(u).origin);
fs.mkdirSync(args.artifacts, { recursive: true });

/* Lines from the caller, one per question asked. */
const lines = readline.createInterface({ input: process.stdin });
const waiting = [];
const queued = [];
lines.on('line', (l) => {
	if (waiting.length)
		waiting.shift()(l);
	else
		queued.push(l);
});

function ask(event) {
	process.stdout.write(JSON.stringify({ event }) + '\n');
	return new Promise((resolve) => {
		if (queued.length)
			resolve(queued.shift());
		else
			waiting.push(resolve);
	});
}

const result = {
	event: 'result',
	browser: null,
	errors: {},
	console: [],
	pageErrors: [],
	requests: [],
	responses: [],
	failedRequests: [],
	screenshots: [],
};
let scenario = 'start';

function watch(context) {
	context.on('request', (r) => result.requests.push({
		scenario, url: r.url(),
	}));
	context.on('response', (r) => result.responses.push({
		scenario, url: r.url(), status: r.status(),
		type: r.request().resourceType(),
		contentType: r.headers()['content-type'] || null,
	}));
	context.on('requestfailed', (r) => result.failedRequests.push({
		scenario, url: r.url(), type: r.resourceType(),
		failure: r.failure() ? r.failure().errorText : null,
	}));
	context.on('page', watchPage);
}

function watchPage(page) {
	page.on('console', (m) => {
		if (m.type() === 'error' || m.type() === 'warning')
			result.console.push({
				scenario, type: m.type(), text: m.text(),
				url: m.location().url || '',
			});
	});
	page.on('pageerror', (e) => result.pageErrors.push({
		scenario, text: String(e && e.stack || e),
	}));
}

async function shot(page, name, fullPage = true, clip = undefined) {
	const file = path.join(args.artifacts, name);
	await page.screenshot({ path: file, fullPage, clip });
	result.screenshots.push({ name, file, ...page.viewportSize(), fullPage });
}

function pageUrl(base) {
	return new URL('/?refresh=' + REFRESH, base).href;
}

async function openReady(context, base, state = 'ready') {
	const page = await context.newPage();
	await page.goto(pageUrl(base));
	await page.waitForSelector('html[data-charts]');
	await page.waitForSelector(`html[data-ab-state="${state}"]`);
	if (state === 'ready')
		await page.waitForSelector('#history-fig[data-range-loaded]');
	return page;
}

/* What the cards show: every [data-field] element, its text and, for a
 * <data> element, its value. */
function readCards(page) {
	return page.evaluate(() => [...document.querySelectorAll(
	    '#cards [data-variant]')].map((c) => {
		const fields = {};
		for (const el of c.querySelectorAll('[data-field]'))
			fields[el.dataset.field] = {
				text: el.textContent,
				value: el.tagName === 'DATA' ?
					el.getAttribute('value') : null,
				title: el.getAttribute('title'),
				visible: el.checkVisibility(),
			};
		return {
			variant: c.dataset.variant, kind: c.dataset.kind,
			text: c.textContent, fields,
		};
	}));
}

function readFacts(page, id) {
	return page.evaluate((box) => Object.fromEntries(
	    [...document.querySelectorAll('#' + box + ' dd[data-field]')]
		.map((d) => [d.dataset.field, d.textContent])), id);
}

/* Rows of the tables under a panel: variant, field and text/value. */
function readTableData(page, id) {
	return page.evaluate((box) => [...document.querySelectorAll(
	    '#' + box + ' [data-variant]')].map((s) => {
		const d = s.querySelector('data');
		return {
			variant: s.dataset.variant, field: d.dataset.field,
			text: d.textContent, value: d.getAttribute('value'),
			visible: d.checkVisibility(),
		};
	}), id);
}

function readHistoryChart(page) {
	return page.evaluate(() => {
		const c = window.Chart.getChart(
		    document.getElementById('history-chart'));
		const tip = c.options.plugins.tooltip.callbacks.label;
		return c.data.datasets.map((d) => ({
			label: d.label, variant: d.abVariant, flagged: d.abFlagged,
			hidden: !!d.hidden, showLine: d.showLine !== false,
			pointStyle: d.pointStyle || 'circle',
			points: d.data.map((p) => [p.x, p.y]),
			// what the tooltip of each flagged point says
			tips: d.abFlagged ? d.data.map((p) => tip({
				dataset: d, parsed: { x: p.x, y: p.y }, raw: p,
			})) : null,
		}));
	});
}

/* The environment changes the chart marks, and the list under it. */
function readSegments(page) {
	return page.evaluate(() => {
		const c = window.Chart ? window.Chart.getChart(
		    document.getElementById('history-chart')) : null;
		const p = c && c.options.plugins.abSegments;
		const box = document.getElementById('history-segments');
		return {
			marks: p ? [...p.marks].map((m) => ({
				x: m.x, variant: m.variant, changed: m.changed, n: m.n,
			})) : null,
			list: [...box.querySelectorAll('li')].map((li) => ({
				variant: li.dataset.variant, at: Number(li.dataset.at),
				changed: li.querySelector('[data-field="changed"]')
					.textContent,
				text: li.textContent, visible: li.checkVisibility(),
			})),
			text: box.textContent,
			rows: [...document.querySelectorAll(
			    '#history-table tr.seg-mark')].map((tr) => ({
				variant: tr.dataset.variant, at: Number(tr.dataset.at),
				changed: tr.querySelector('[data-field="changed"]')
					.textContent,
				text: tr.textContent,
			})),
		};
	});
}

function readBarChart(page, id) {
	return page.evaluate((canvas) => {
		const c = window.Chart.getChart(document.getElementById(canvas));
		return {
			labels: c.data.labels,
			datasets: c.data.datasets.map((d) => ({
				label: d.label, data: d.data,
			})),
		};
	}, id);
}

/*
 * WCAG 2.1 contrast (1.4.3) of every visible text against the backgrounds
 * behind it, composited up the ancestors: 4.5:1, or 3:1 for large text
 * (24 px, or 18.66 px bold). Disabled controls are exempt.
 */
function checkContrast(page) {
	return page.evaluate(() => {
		const parse = (c) => {
			const m = /rgba?\(([^)]+)\)/.exec(c);
			if (!m)
				return null;
			const p = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
			return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
		};
		const over = (top, bottom) => {
			const a = top[3];
			return [0, 1, 2].map((i) => top[i] * a + bottom[i] * (1 - a))
				.concat([1]);
		};
		const lum = (c) => {
			const f = (v) => {
				v /= 255;
				return v <= 0.04045 ? v / 12.92 :
					Math.pow((v + 0.055) / 1.055, 2.4);
			};
			return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
		};
		const background = (el) => {
			const layers = [];
			for (let e = el; e; e = e.parentElement) {
				const c = parse(getComputedStyle(e).backgroundColor);
				if (c && c[3] > 0) {
					layers.push(c);
					if (c[3] >= 1)
						break;
				}
			}
			let bg = [255, 255, 255, 1];
			for (let i = layers.length - 1; i >= 0; i--)
				bg = over(layers[i], bg);
			return bg;
		};
		const name = (el) => el.tagName.toLowerCase() +
		    (el.id ? '#' + el.id : '') +
		    (el.className && typeof el.className === 'string' ?
			'.' + el.className.trim().split(/\s+/).join('.') : '');
		const failures = [];
		let checked = 0;
		for (const el of document.body.querySelectorAll('*')) {
			const own = [...el.childNodes].some((n) => n.nodeType === 3 &&
			    n.textContent.trim());
			const control = el.matches('input[type=password], ' +
			    'input[type=text]');
			if (!own && !control)
				continue;
			// checkVisibility also knows the content of a closed <details>
			if (!el.checkVisibility({ visibilityProperty: true }))
				continue;
			const cs = getComputedStyle(el);
			if (el.closest(':disabled'))
				continue;
			const bg = background(el);
			let fg = parse(cs.color);
			if (!fg)
				continue;
			fg = over(fg, bg);
			const l1 = lum(fg);
			const l2 = lum(bg);
			const ratio = (Math.max(l1, l2) + 0.05) /
			    (Math.min(l1, l2) + 0.05);
			const size = parseFloat(cs.fontSize);
			const large = size >= 24 ||
			    size >= 18.66 && Number(cs.fontWeight) >= 700;
			const need = large ? 3 : 4.5;
			checked++;
			if (ratio < need)
				failures.push({
					element: name(el),
					text: (el.textContent || '').trim().slice(0, 60),
					ratio: Math.round(ratio * 100) / 100, need,
					color: cs.color,
					background: 'rgb(' + bg.slice(0, 3).map(Math.round)
						.join(', ') + ')',
				});
		}
		return { checked, failures };
	});
}

function overflow(page) {
	return page.evaluate(() => {
		const w = document.documentElement.clientWidth;
		const wide = [...document.body.querySelectorAll('*')]
			.filter((e) => {
				const r = e.getBoundingClientRect();
				return r.width > 0 && r.right > w + 1 &&
				    !e.closest('.scroll') &&
				    getComputedStyle(e).position !== 'absolute';
			})
			.slice(0, 10)
			.map((e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
			    ' ' + Math.round(e.getBoundingClientRect().right));
		return {
			scrollWidth: document.documentElement.scrollWidth,
			clientWidth: w, wide,
		};
	});
}

async function run(name, fn) {
	scenario = name;
	try {
		await fn();
	} catch (e) {
		result.errors[name] = String(e && e.stack || e);
	}
}

const browser = await chromium.launch({
	executablePath: args.chromium,
	args: LAUNCH_ARGS,
});
result.browser = browser.version();
result.node = process.version;

async function newContext(opts = {}) {
	const context = await browser.newContext({
		viewport: DESKTOP,
		colorScheme: 'light',
		locale: 'en-GB',
		timezoneId: 'UTC',
		...opts,
	});
	context.setDefaultTimeout(20000);
	watch(context);
	return context;
}

const desktop = await newContext();

await run('main', async () => {
	const summaries = [];
	desktop.on('response', async (r) => {
		if (!r.url().includes('/api/v1/summary'))
			return;
		const h = await r.request().allHeaders();
		summaries.push({
			status: r.status(),
			etag: (await r.allHeaders()).etag || null,
			ifNoneMatch: h['if-none-match'] || null,
		});
	});
	const page = await openReady(desktop, args.url);
	result.main = {
		charts: await page.getAttribute('html', 'data-charts'),
		cards: await readCards(page),
		host: await readFacts(page, 'host-facts'),
		daemon: await readFacts(page, 'daemon-facts'),
		pill: await page.textContent('#daemon-pill'),
		links: await page.$$eval('#links a', (as) =>
			as.map((a) => a.getAttribute('href'))),
		phases: await readBarChart(page, 'phases-chart'),
		rss: await readBarChart(page, 'rss-chart'),
		historyCaption: await page.textContent('#history-caption'),
		analysis: await page.textContent('#analysis-help'),
		variantsHint: await page.textContent('#variants-hint'),
		firstRange: await page.getAttribute('#history-fig',
		    'data-range-loaded'),
		// controls without a name, and charts without a text alternative
		unnamed: await page.evaluate(() => [...document.querySelectorAll(
		    'input, select, textarea, button, canvas')].filter((e) =>
			e.tagName === 'CANVAS' ? !(e.getAttribute('role') === 'img' &&
			    e.getAttribute('aria-label')) :
			    !(e.labels && e.labels.length) &&
			    !e.getAttribute('aria-label') &&
			    !(e.tagName === 'BUTTON' && e.textContent.trim()))
			.map((e) => e.outerHTML.slice(0, 80))),
	};
	const linkStatus = [];
	for (const href of result.main.links) {
		const r = await page.request.get(new URL(href, args.url).href);
		linkStatus.push({ href, status: r.status() });
	}
	result.main.linkStatus = linkStatus;

	// Every range: the request the page made and what it plotted.
	result.main.ranges = {};
	for (const range of ['24h', '30d', 'all', '7d']) {
		const asked = page.waitForRequest((r) =>
			r.url().includes('/api/v1/runs'));
		await page.click(`label[for="range-${range}"]`);
		const req = await asked;
		const at = Date.now();
		await page.waitForFunction((r) => document.getElementById(
		    'history-fig').dataset.rangeLoaded === r, range);
		result.main.ranges[range] = {
			url: req.url(), requestedAt: at,
			datasets: await readHistoryChart(page),
			caption: await page.textContent('#history-caption'),
			segments: await readSegments(page),
		};
	}
	await page.click('label[for="range-30d"]');
	await page.waitForFunction(() => document.getElementById(
	    'history-fig').dataset.rangeLoaded === '30d');

	// Two more polls at least, so an unchanged summary shows as a 304.
	const t0 = Date.now();
	while (Date.now() - t0 < 15000 &&
	    !summaries.some((s) => s.status === 304))
		await page.waitForTimeout(250);
	result.main.summaryResponses = summaries.slice();
	result.main.stateAfterPolls = await page.getAttribute('html',
	    'data-ab-state');

	await shot(page, 'dashboard-desktop.png');
	result.main.contrastLight = await checkContrast(page);
	await page.emulateMedia({ colorScheme: 'dark' });
	await page.waitForTimeout(300);
	result.main.contrastDark = await checkContrast(page);
	result.main.darkBackground = await page.evaluate(() =>
		getComputedStyle(document.body).backgroundColor);
	await shot(page, 'dashboard-desktop-dark.png');
	result.main.cardsDark = await readCards(page);
	await page.close();

	// A picture for the README: the cards and the history, at scale 1.
	const small = await newContext({ deviceScaleFactor: 1 });
	const p2 = await openReady(small, args.url);
	await p2.click('label[for="range-30d"]');
	await p2.waitForFunction(() => document.getElementById(
	    'history-fig').dataset.rangeLoaded === '30d');
	const bottom = await p2.evaluate(() => {
		window.scrollTo(0, 0);
		const r = document.getElementById('history')
			.getBoundingClientRect();
		return Math.ceil(r.bottom + window.scrollY + 8);
	});
	await shot(p2, 'dashboard-readme.png', true,
	    { x: 0, y: 0, width: DESKTOP.width, height: bottom });
	await small.close();
});

await run('phone', async () => {
	const context = await newContext({
		viewport: PHONE, isMobile: true, hasTouch: true,
		deviceScaleFactor: 2,
	});
	const page = await openReady(context, args.url);
	result.phone = {
		light: await overflow(page),
		cards: (await readCards(page)).length,
	};
	await shot(page, 'dashboard-phone.png');
	await page.emulateMedia({ colorScheme: 'dark' });
	await page.waitForTimeout(300);
	result.phone.dark = await overflow(page);
	result.phone.contrastDark = await checkContrast(page);
	await shot(page, 'dashboard-phone-dark.png');
	await context.close();
});

await run('fallback', async () => {
	const context = await newContext();
	await context.route('**/vendor/**', (r) => r.abort());
	const page = await openReady(context, args.url);
	result.fallback = {
		charts: await page.getAttribute('html', 'data-charts'),
		chartJs: await page.evaluate(() => typeof window.Chart),
		canvases: await page.$$eval('canvas', (cs) =>
			cs.map((c) => c.checkVisibility())),
		tables: await page.$$eval('.table-box', (ts) => ts.map((t) => ({
			id: t.id, open: t.open,
			visible: !!t.querySelector('table') &&
			    t.querySelector('table').checkVisibility(),
		}))),
		note: await page.textContent('#charts-note'),
		noteVisible: await page.isVisible('#charts-note'),
		cards: await readCards(page),
		phases: await readTableData(page, 'phases-table'),
		rss: await readTableData(page, 'rss-table'),
		historyRows: await page.$$eval('#history-table tbody tr',
		    (rs) => rs.length),
		segments: await readSegments(page),
		range: await page.getAttribute('#history-fig',
		    'data-range-loaded'),
	};
	await shot(page, 'dashboard-fallback.png');
	await context.close();
});

function countPoints(page) {
	return page.evaluate(() => window.Chart.getChart(document
	    .getElementById('history-chart')).data.datasets
	    .reduce((n, d) => n + d.data.length, 0));
}

await run('round', async () => {
	const page = await openReady(desktop, args.url);
	const out = '#round-result';
	const before = await readHistoryChart(page);
	const nBefore = await countPoints(page);
	const incremental = page.waitForRequest((r) =>
		/\/api\/v1\/runs\?.*since=\d{4}-/.test(r.url()), { timeout: 60000 });
	await page.fill('#round-token', 'wrong-token-0000000000000000');
	await page.click('#round-submit');
	await page.waitForFunction((s) => /\b403\b/.test(
	    document.querySelector(s).textContent), out);
	result.round = { wrong: await page.textContent(out) };
	result.round.labelled = await page.evaluate(() => {
		const i = document.getElementById('round-token');
		return {
			type: i.type,
			label: i.labels.length ? i.labels[0].textContent : null,
		};
	});
	await page.fill('#round-token', args.token);
	await page.check('#round-remember');
	await page.click('#round-submit');
	await page.waitForFunction((s) => /\b202\b/.test(
	    document.querySelector(s).textContent), out);
	result.round.right = await page.textContent(out);
	// The round's runs reach the chart through an incremental request.
	result.round.incrementalUrl = (await incremental).url();
	await page.waitForFunction((n) => window.Chart.getChart(document
	    .getElementById('history-chart')).data.datasets
	    .reduce((m, d) => m + d.data.length, 0) > n, nBefore,
	{ timeout: 60000 });
	result.round.before = before;
	result.round.after = await readHistoryChart(page);
	result.round.range = await page.getAttribute('#history-fig',
	    'data-range-loaded');
	result.round.storage = await page.evaluate(() => ({
		local: Object.assign({}, localStorage),
		session: Object.assign({}, sessionStorage),
	}));
	await page.close();
});

await run('legacy', async () => {
	const context = await newContext();
	const page = await openReady(context, args.legacyUrl);
	const asked = page.waitForRequest((r) =>
		r.url().includes('/api/v1/runs'));
	await page.click('label[for="range-30d"]');
	const req = await asked;
	await page.waitForFunction(() => document.getElementById(
	    'history-fig').dataset.rangeLoaded === '30d');
	result.legacy = {
		url: req.url(),
		cards: await readCards(page),
		caption: await page.textContent('#history-caption'),
		datasets: await readHistoryChart(page),
		segments: await readSegments(page),
		analysis: await page.textContent('#analysis-help'),
	};
	await shot(page, 'dashboard-legacy.png');
	await context.close();
});

await run('empty', async () => {
	const context = await newContext();
	const page = await openReady(context, args.emptyUrl, 'empty');
	await page.waitForFunction(() => /first round is running/.test(
	    document.getElementById('notice').textContent));
	result.empty = {
		notice: await page.textContent('#notice'),
		noticeVisible: await page.isVisible('#notice'),
		pill: await page.textContent('#daemon-pill'),
		daemon: await readFacts(page, 'daemon-facts'),
		cards: await readCards(page),
		historyCaption: await page.textContent('#history-caption'),
	};
	await shot(page, 'dashboard-empty.png');
	await page.fill('#round-token', args.token);
	await page.click('#round-submit');
	await page.waitForFunction(() => /\b409\b/.test(
	    document.getElementById('round-result').textContent));
	result.empty.busy = await page.textContent('#round-result');
	await context.close();
});

await run('down', async () => {
	const context = await newContext();
	const page = await openReady(context, args.url);
	result.down = { before: await page.isVisible('#banner') };
	await ask('stop-daemon');
	const t0 = Date.now();
	await page.waitForSelector('#banner', { state: 'visible' });
	result.down.after_ms = Date.now() - t0;
	result.down.banner = await page.textContent('#banner');
	result.down.pill = await page.textContent('#daemon-pill');
	result.down.role = await page.getAttribute('#banner', 'role');
	result.down.cardsKept = (await readCards(page)).length;
	await shot(page, 'dashboard-down.png', false);
	await page.waitForTimeout(REFRESH * 1000 + 500); // one retry, still down
	result.down.stillVisible = await page.isVisible('#banner');
	await ask('start-daemon');
	await page.waitForSelector('#banner', { state: 'hidden',
		timeout: 30000 });
	result.down.recovered = true;
	result.down.stateAfter = await page.getAttribute('html',
	    'data-ab-state');
	await context.close();
});

scenario = 'end';
result.origins = origins;
await browser.close();
process.stdout.write(JSON.stringify(result) + '\n');
lines.close();
