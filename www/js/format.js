// SPDX-License-Identifier: MIT
/*
 * How the page writes numbers, durations and times. Every number shown
 * goes through fmt; tests/dashboard.test reimplements these rules to check
 * the page independently, so change both. sig3: three significant digits
 * in fixed notation, the number of decimals found by scaling by ten (so
 * every engine agrees), rounded by toFixed. Ratios have two decimals (three
 * where an interval is held against a margin of a few percent), p three (or
 * "< 0.001"), fractions are shown as percentages (pct: d decimals; margin:
 * one decimal without a trailing ".0"), memory is KiB / 1024 with one
 * decimal.
 */

export function isNum(x) {
	return typeof x === 'number' && Number.isFinite(x);
}

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

/* A whole number of seconds as "3 d 4 h", "2 h 05 min", "7 min 09 s". */
function duration(s) {
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

export const fmt = {
	sig3: (x) => (isNum(x) ? x.toFixed(sig3Decimals(x)) : '—'),
	sec: (x) => (isNum(x) ? fmt.sig3(x) + ' s' : '—'),
	ratio: (x) => (isNum(x) ? x.toFixed(2) : '—'),
	ratio3: (x) => (isNum(x) ? x.toFixed(3) : '—'),
	pct: (x, d) => (isNum(x) ? (x * 100).toFixed(d) + '%' : '—'),
	margin: (x) => (isNum(x) ?
		(x * 100).toFixed(1).replace(/\.0$/, '') + '%' : '—'),
	p: (p) => (!isNum(p) ? 'p unknown' :
		p < 0.001 ? 'p < 0.001' : 'p = ' + p.toFixed(3)),
	mib: (kb) => (isNum(kb) ? (kb / 1024).toFixed(1) + ' MiB' : '—'),
	count: (n) => (isNum(n) ? String(n) : '0'),
	duration,
};

/* Dates and times in the browser's locale and time zone. */
export const dt = {
	full: new Intl.DateTimeFormat(undefined, {
		dateStyle: 'medium', timeStyle: 'medium',
	}),
	short: new Intl.DateTimeFormat(undefined, {
		month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit',
	}),
	day: new Intl.DateTimeFormat(undefined, {
		month: 'short', day: 'numeric',
	}),
	time: new Intl.DateTimeFormat(undefined, {
		hour: '2-digit', minute: '2-digit',
	}),
	clock: new Intl.DateTimeFormat(undefined, {
		hour: '2-digit', minute: '2-digit', second: '2-digit',
	}),
};

/* Why a run was flagged, in words, by flag name; each with how its
 * measured value is written (a run-queue delay as a share of wall time,
 * a load average), if the flag carries one. */
export const FLAGS = {
	contended: { words: 'host busy', measure: 'run-queue delay',
		value: (x) => fmt.pct(x, 0) },
	throttled: { words: 'throttled' },
	under_voltage: { words: 'under-voltage' },
	loaded: { words: 'load above max_load', measure: '',
		value: (x) => (isNum(x) ? x.toFixed(2) : '—') },
};
const FLAG_ORDER = Object.keys(FLAGS);

/* The words of a flag, also for one this page does not know. */
export function flagWords(flag) {
	return FLAGS[flag] ? FLAGS[flag].words : String(flag).replace(/_/g, ' ');
}

/* The flags of an "excluded" object in the page's order: the known ones
 * first, then any other in the document's order. */
export function flagOrder(obj) {
	const keys = Object.keys(obj || {});
	return FLAG_ORDER.filter((k) => keys.includes(k))
		.concat(keys.filter((k) => !FLAGS[k]));
}

/* "3 excluded: host busy (run-queue delay 7–19%)" for one member of a
 * variant's "excluded" object; a range whose ends read alike is one
 * value. */
export function excludedText(flag, e) {
	const f = FLAGS[flag];
	const n = e && isNum(e.runs) ? e.runs : 0;
	let text = n + ' excluded: ' + flagWords(flag);

	if (f && f.value && e && Array.isArray(e.range) &&
	    isNum(e.range[0]) && isNum(e.range[1])) {
		const lo = f.value(e.range[0]);
		const hi = f.value(e.range[1]);
		const span = lo === hi ? lo : flag === 'contended' ?
			lo.replace(/%$/, '') + '–' + hi : lo + '–' + hi;
		text += ' (' + (f.measure ? f.measure + ' ' : '') + span + ')';
	}
	return text;
}
