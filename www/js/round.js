// SPDX-License-Identifier: MIT
/*
 * The "Run a round now" form of the Daemon panel (#round-form): sends
 * POST /api/v1/rounds with the API token as a bearer token and says what
 * the daemon answered. The token is kept in sessionStorage only when the
 * user asks, and is sent to no one but this daemon.
 */
import { requestRound } from './api.js';
import { $ } from './dom.js';
import { keep, recall } from './state.js';

const TOKEN_KEY = 'allocbench.token';

/* The sentence for the daemon's answer: [kind, text]. */
function answer(status, why) {
	if (status === 202)
		return ['ok', 'Round requested (202): it starts now; the cards ' +
		    'update as its runs finish.'];
	if (status === 403)
		return ['error', 'Refused (403): ' + (why || 'forbidden') +
		    '. Check the token; without an api_token in the ' +
		    'configuration no round can be requested.'];
	if (status === 409)
		return ['error', 'Not started (409): a round is already running.'];
	return ['error', 'Unexpected answer (HTTP ' + status + ')' +
	    (why ? ': ' + why : '') + '.'];
}

/* Wires the form; after each request, answered or not, done() is called
 * (the page then polls soon, to show the round). */
export function initRound(done) {
	const form = $('round-form');
	const input = $('round-token');
	const remember = $('round-remember');
	const out = $('round-result');
	const button = $('round-submit');
	const saved = recall('session', TOKEN_KEY);
	const say = (kind, text) => {
		out.dataset.kind = kind;
		out.textContent = text;
	};

	if (saved) {
		input.value = saved;
		remember.checked = true;
	}
	remember.addEventListener('change', () => {
		if (!remember.checked)
			keep('session', TOKEN_KEY, null);
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
		keep('session', TOKEN_KEY, remember.checked ? token : null);
		button.disabled = true;
		say('', 'Asking the daemon…');
		try {
			const r = await requestRound(token);
			say(...answer(r.status, r.why));
		} catch (err) {
			say('error', 'Could not reach the daemon; no round was ' +
			    'requested.');
		} finally {
			button.disabled = false;
			done();
		}
	});
}
