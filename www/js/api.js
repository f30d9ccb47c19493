// SPDX-License-Identifier: MIT
/*
 * Talking to allocbenchd, and nothing else: GET /api/v1/summary with its
 * ETag (an unchanged summary costs a 304), /api/v1/status with the clock
 * skew from its Date header, /api/v1/runs for the chosen range (then only
 * the runs newer than those held), and POST /api/v1/rounds. Each fetch has
 * a deadline and stores what it got in st; a failure is thrown as an
 * HttpError or the fetch's own error, for describeError().
 */
import { isNum } from './format.js';
import { RANGES, RUNS_LIMIT, serverNow, st } from './state.js';

const API = {
	summary: 'api/v1/summary',
	runs: 'api/v1/runs',
	status: 'api/v1/status',
	rounds: 'api/v1/rounds',
};
const FETCH_TIMEOUT_MS = 15000;

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

/* The "error" member of an error document, or "". */
async function errorText(r) {
	try {
		const doc = await r.json();
		return doc && doc.error ? String(doc.error) : '';
	} catch (e) {
		return '';
	}
}

/* The response and its JSON document; throws HttpError unless 2xx. */
async function getJson(url, opts) {
	const r = await get(url, opts);

	if (!r.ok)
		throw new HttpError(r.status, await errorText(r));
	return { r, doc: await r.json() };
}

/* Why the last request failed, as the banner says it. */
export function describeError(e) {
	if (e instanceof HttpError)
		return 'it answered ' + e.message;
	if (e && e.name === 'AbortError')
		return 'the request timed out';
	return 'the connection failed';
}

/* GET /api/v1/summary with If-None-Match; returns whether it changed.
 * cache: "no-store" keeps the browser's cache out of the way, so a 304
 * reaches this code as a 304. */
export async function fetchSummary() {
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

export async function fetchStatus() {
	const { r, doc } = await getJson(API.status);
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

/* The runs URL; since is Unix seconds or an RFC 3339 time. */
function runsUrl(since) {
	return API.runs + '?limit=' + RUNS_LIMIT +
	    (since !== null ? '&since=' + encodeURIComponent(since) : '');
}

/*
 * The runs of the chosen range. After the first load of a range only the
 * runs newer than the newest one held are asked for (since= takes an RFC
 * 3339 time with milliseconds) and merged in, and runs that slid out of
 * the range are dropped: a summary change costs a few runs, not the whole
 * range again. full forces a complete reload.
 */
export async function fetchRuns(full) {
	const range = st.range;
	const have = st.runs && st.runsRange === range &&
	    st.runs.runs.length > 0 && !full;
	const url = have ?
		runsUrl(new Date(st.runs.runs[0].started_ms + 1).toISOString()) :
		runsUrl(RANGES[range] ?
		    Math.floor((serverNow() - RANGES[range]) / 1000) : null);
	const { doc } = await getJson(url);
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

/* POST /api/v1/rounds with the bearer token: the status and the error
 * text of the answer. A failed connection throws. */
export async function requestRound(token) {
	const r = await get(API.rounds, {
		method: 'POST',
		headers: { Authorization: 'Bearer ' + token },
	});

	return { status: r.status, why: await errorText(r) };
}
