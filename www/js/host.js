// SPDX-License-Identifier: MIT
/*
 * The Host panel (#host) and the host name in the page's tagline: the
 * machine the summary was measured on (model, CPUs, kernel, Python
 * versions, sandbox) and the daemon's latest reading of it (temperature,
 * frequency, Raspberry Pi throttling, load).
 */
import { $, datum, fact, swapFacts } from './dom.js';
import { fmt, isNum } from './format.js';
import { st } from './state.js';

/* "python3 3.11.2; pypy3 7.3.11" from the variants of the summary. */
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

/* Draws the Host panel from the summary's host (or the status's, before
 * there is a summary) and the status's reading. */
export function renderHost() {
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
