// SPDX-License-Identifier: MIT
/*
 * How the page writes numbers, durations and times. Every number shown
 * goes through fmt; tests/dashboard.test reimplements these rules to check
 * the page independently, so change both. sig3: three significant digits
 * in fixed notation, the number of decimals found by scaling by ten (so
 * every engine agrees), rounded by toFixed. Ratios have two decimals, p
 * three (or "< 0.001"), memory is KiB / 1024 with one decimal.
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
