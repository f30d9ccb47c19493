// SPDX-License-Identifier: MIT
/*
 * The Daemon panel's facts (#daemon-facts: state, next round, rounds,
 * history, persistence, uptime, refresh), the pill in the page header
 * that says whether the daemon runs, idles or is unreachable, and the
 * version in the footer. The panel's "Run a round now" form is round.js.
 */
import { $, datum, fact, swapFacts } from './dom.js';
import { dt, fmt, isNum } from './format.js';
import { REFRESH_S, serverNow, st } from './state.js';

/* When the next round starts, from a status document. */
export function nextRoundText(s) {
	if (s.state === 'running')
		return 'running now';
	if (!s.next_round_at)
		return 'none planned';
	const at = Date.parse(s.next_round_at);
	const left = (at - serverNow()) / 1000;
	if (left <= 0)
		return 'due now';
	return 'in ' + fmt.duration(left) + ' (at ' + dt.clock.format(at) +
	    ')';
}

/* Draws the Daemon panel's facts from st.status; the uptime counts on
 * between polls while the daemon answers. */
export function renderDaemon() {
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
		'updated ' + dt.full.format(Date.parse(s.updated_at)) :
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
	    fmt.duration(s.uptime_s + (st.down ? 0 : since)));
	fact(dl, 'Refresh', 'daemon-refresh', 'every ' + REFRESH_S +
	    ' s' + (st.lastOkAt ? '; last at ' +
		dt.clock.format(st.lastOkAt) : ''));
	swapFacts('daemon-facts', dl);
	$('version').textContent = s.version ? 'allocbenchd ' +
	    s.version + '.' : '';
}

/* The header pill: unreachable, connecting, running or idle. */
export function renderPill() {
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
