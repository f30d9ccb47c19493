// SPDX-License-Identifier: MIT
/*
 * The messages above the panels: the banner (#banner) shown while the
 * daemon does not answer, and the notice (#notice) while it has measured
 * nothing yet. Both also set data-ab-state on <html> (loading, ready,
 * empty, down), which the browser test waits for.
 */
import { nextRoundText } from './daemon.js';
import { $ } from './dom.js';
import { dt } from './format.js';
import { REFRESH_S, noData, st } from './state.js';

/* Shows the notice while nothing is measured, and says why. */
export function renderNotice() {
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

/* Shows the banner while the daemon does not answer, with the reason
 * and when the next try is; hides it (and renders the notice) when it
 * answers again. */
export function renderBanner() {
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
		dt.clock.format(st.lastOkAt) + '. ' : '') +
	    'Retrying every ' + REFRESH_S + ' s' +
	    (st.polling ? ' — trying now…' : ' — next try in ' + left +
		' s.');
}
