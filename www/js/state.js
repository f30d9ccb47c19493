// SPDX-License-Identifier: MIT
/*
 * What the page knows: the last documents of the API, the chosen range,
 * whether the daemon answers, and the poll timer, in the one object st
 * that api.js fills and the panels read. Also the questions every panel
 * asks of the summary (how many runs, is there any data at all), the
 * daemon's clock, and the browser storage that keeps the page's choices.
 */

const params = new URLSearchParams(location.search);

/* Seconds between polls: ?refresh=N, 1 to 3600, default 10. */
export const REFRESH_S = Math.min(3600,
    Math.max(1, Number(params.get('refresh')) || 10));

/* The history ranges, in ms before now; all: no limit. */
export const RANGES = {
	'24h': 24 * 3600e3,
	'7d': 7 * 24 * 3600e3,
	'30d': 30 * 24 * 3600e3,
	all: 0,
};
export const RUNS_LIMIT = 10000; // the API's maximum

export const st = {
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
	down: false,
	downReason: '',
	lastOkAt: 0,
	nextPollAt: 0,
	timer: 0,
	polling: false,
};

/* The daemon's idea of now, in ms. */
export function serverNow() {
	return Date.now() + st.skew;
}

/* Runs of a variant's window that are not ok. */
export function notOk(runs) {
	return runs ? (runs.unverified || 0) + (runs.failed || 0) +
	    (runs.timeout || 0) : 0;
}

export function totalRuns(runs) {
	return runs ? (runs.ok || 0) + notOk(runs) : 0;
}

/* Whether the daemon has measured nothing yet; false while unknown. */
export function noData() {
	if (st.noSummary)
		return true;
	if (!st.summary)
		return false;
	return st.summary.variants.every((v) => totalRuns(v.runs) === 0);
}

/* The summary's variants that have key, each with its index (its
 * colour). */
export function variantsWith(key) {
	return st.summary ? st.summary.variants
		.map((v, i) => ({ v, i }))
		.filter((x) => x.v[key]) : [];
}

function storage(area) {
	return area === 'session' ? window.sessionStorage : window.localStorage;
}

/* A value kept in the browser's 'local' or 'session' storage, or null
 * (also when storage is disabled). */
export function recall(area, key) {
	try {
		return storage(area).getItem(key);
	} catch (e) {
		return null;
	}
}

/* Keeps value under key, or forgets key when value is null. Storage may
 * be disabled; the choice then lasts as long as the page. */
export function keep(area, key, value) {
	try {
		if (value === null)
			storage(area).removeItem(key);
		else
			storage(area).setItem(key, value);
	} catch (e) {
		// as above
	}
}
