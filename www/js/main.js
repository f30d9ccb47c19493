// SPDX-License-Identifier: MIT
/*
 * The dashboard's entry point (index.html loads it as a module): polls the
 * JSON API of allocbenchd every REFRESH_S seconds (?refresh=N) and tells
 * each panel to draw itself. Where each panel is drawn:
 *
 *   cards.js    Variants: one card per variant, the verdict
 *   history.js  Wall time over time, its range and flagged controls
 *   phases.js   Phases
 *   rss.js      Peak RSS
 *   host.js     Host
 *   daemon.js   Daemon facts, the header pill; round.js its form
 *   banner.js   the daemon-down banner and the no-results notice
 *
 * and what they share: api.js (every request, with the ETag), state.js
 * (what the page knows), format.js (every number and time), dom.js
 * (elements) and charts.js (Chart.js from /vendor/, or tables without it).
 * Every number shown is the API's number, formatted by fmt and also kept
 * unformatted in the value of a <data> element, so the browser test can
 * compare both with the document it fetched itself. Nothing is requested
 * from any host but the daemon that served this page.
 */
import { describeError, fetchRuns, fetchStatus, fetchSummary }
    from './api.js';
import { renderBanner, renderNotice } from './banner.js';
import { renderCards } from './cards.js';
import { loadCharts, onSchemeChange } from './charts.js';
import { renderDaemon, renderPill } from './daemon.js';
import { $ } from './dom.js';
import { initHistory, renderHistory } from './history.js';
import { renderHost } from './host.js';
import { renderPhases } from './phases.js';
import { initRound } from './round.js';
import { renderRss } from './rss.js';
import { REFRESH_S, st } from './state.js';

/* Remembers why the daemon did not answer; the banner says it. */
function down(e) {
	st.down = true;
	st.downReason = describeError(e);
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

/* The next regular poll, REFRESH_S from now. */
function schedule() {
	st.nextPollAt = Date.now() + REFRESH_S * 1000;
	st.timer = setTimeout(tick, REFRESH_S * 1000);
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
		down(e);
	} finally {
		st.polling = false;
		schedule();
		renderStatus();
		renderBanner();
	}
}

/* A poll, unless the page is hidden; then only the next tick. */
function tick() {
	if (document.hidden) {
		schedule();
		return;
	}
	poll();
}

async function initCharts() {
	if (!await loadCharts())
		return;
	renderPhases();
	renderRss();
	if (st.runsRange !== null)
		renderHistory();
	onSchemeChange(renderAll);
}

function start() {
	document.documentElement.dataset.abState = 'loading';
	initHistory((e) => {
		down(e);
		renderBanner();
		renderPill();
	});
	$('banner-retry').addEventListener('click', () => poll());
	initRound(() => {
		// a requested round shows up at the next poll, a second away
		clearTimeout(st.timer);
		st.timer = setTimeout(tick, 1000);
	});
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

start();
