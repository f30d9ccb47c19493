// SPDX-License-Identifier: MIT
/*
 * The Variants panel (#cards): one card per variant of the summary, with
 * its median wall time and interval, the verdict against the baseline
 * (faster, slower, no significant difference) and its badge, peak RSS,
 * run counts, where malloc came from, and why it is unavailable or
 * failing.
 */
import { colorOf } from './charts.js';
import { $, datum, h } from './dom.js';
import { fmt, isNum } from './format.js';
import { notOk, st, totalRuns } from './state.js';

/* The allocator of a variant id "interpreter/allocator". */
function allocOf(id) {
	const i = id.indexOf('/');
	return i >= 0 ? id.slice(i + 1) : id;
}

function verdictOf(v, summary) {
	const sp = v.speedup;

	if (!v.available)
		return { kind: 'unavailable', badge: 'unavailable' };
	if (totalRuns(v.runs) === 0)
		return { kind: 'none', badge: 'no runs yet' };
	if (!v.wall_s)
		return { kind: 'failing', badge: 'no verified runs' };
	if (v.allocator === summary.baseline)
		return { kind: 'baseline', badge: 'baseline' };
	if (!sp)
		return { kind: 'none', badge: 'not compared' };
	if (sp.significant)
		return sp.ratio >= 1 ?
			{ kind: 'faster', badge: 'faster' } :
			{ kind: 'slower', badge: 'slower' };
	return { kind: 'same', badge: 'no significant difference' };
}

function ciText(sp) {
	const lo = sp.ci95 ? sp.ci95[0] : null;
	const hi = sp.ci95 ? sp.ci95[1] : null;

	return ['95% CI ', datum('ratio-ci-lo', lo, fmt.ratio(lo)), '–',
		datum('ratio-ci-hi', hi, fmt.ratio(hi)), ', ',
		datum('p', sp.p_value, fmt.p(sp.p_value))];
}

function verdictLine(v, summary, verdict) {
	const sp = v.speedup;
	const name = v.allocator;
	const attrs = {
		class: 'verdict',
		dataset: { field: 'verdict', kind: verdict.kind },
	};

	if (verdict.kind === 'baseline')
		return h('p', attrs, name + ': the baseline of ' +
		    v.interpreter + '; the others are compared with it.');
	if (!sp) {
		if (verdict.kind === 'unavailable' || verdict.kind === 'none' &&
		    totalRuns(v.runs) === 0)
			return null;
		return h('p', attrs, 'No comparison with ' +
		    summary.baseline + ' yet: it needs verified runs of both.');
	}
	// the comparison stands even when the variant is unavailable now
	const word = !sp.significant ? 'same' :
		sp.ratio >= 1 ? 'faster' : 'slower';
	const base = allocOf(sp.baseline);
	const ratio = datum('ratio', sp.ratio, fmt.ratio(sp.ratio));
	attrs.dataset.kind = word;
	if (word === 'faster')
		return h('p', attrs, name + ': ', ratio, '× faster than ' +
		    base + ' (', ciText(sp), ')');
	if (word === 'slower')
		return h('p', attrs, name + ': slower than ' + base + ' — ',
		    ratio, '× its speed (', ciText(sp), ')');
	return h('p', attrs, name + ': no significant difference from ' +
	    base + ' (', ratio, '×, ', ciText(sp), ')');
}

/* Why the variant is unavailable, and its latest error if it has
 * one. */
function whyBox(v) {
	const out = [];

	if (!v.available)
		out.push(h('p', { class: 'why' }, h('strong', null,
		    'Unavailable: '), h('span', {
			dataset: { field: 'reason' },
			text: v.reason || 'no reason given',
		})));
	if (v.last_error)
		out.push(errorBox(v));
	return out;
}

function errorBox(v) {
	const err = v.last_error.replace(/\s+$/, '');
	const current = v.wall_s ? 'old' : 'now';
	const n = notOk(v.runs);
	const title = n > 0 ? 'Latest error (' + n + (n === 1 ?
		' run' : ' runs') + ' not ok): ' : 'Latest error: ';
	const nl = err.indexOf('\n');
	if (nl < 0)
		return h('div', { class: 'why', dataset: { kind: current } },
		    h('strong', null, title), h('span', {
			dataset: { field: 'last-error' }, text: err,
		}));
	return h('div', { class: 'why', dataset: { kind: current } },
	    h('strong', null, title), err.slice(0, nl),
	    h('details', null, h('summary', null, 'Full message'),
		h('pre', { dataset: { field: 'last-error' }, text: err })));
}

function runsLine(v) {
	const r = v.runs || {};
	const bad = notOk(r);
	const line = (...kids) => h('span', { class: 'line' }, kids);
	const lines = [
		line(datum('runs-ok', r.ok, fmt.count(r.ok)), ' ok'),
		line(datum('runs-flagged', r.flagged, fmt.count(r.flagged)),
		    ' excluded (flagged)'),
		line(datum('runs-notok', bad, fmt.count(bad)),
		    ' failed, unverified or timed out'),
	];
	if (bad > 0)
		lines.push(line(h('span', { class: 'sub' }, '(',
		    datum('runs-unverified', r.unverified,
			fmt.count(r.unverified)), ' unverified, ',
		    datum('runs-failed', r.failed, fmt.count(r.failed)),
		    ' failed, ',
		    datum('runs-timeout', r.timeout, fmt.count(r.timeout)),
		    ' timeout)')));
	return lines;
}

function card(v, i, summary) {
	const verdict = verdictOf(v, summary);
	const wall = v.wall_s;
	const rss = v.maxrss_kb;
	const provider = v.malloc_provider;
	let big;
	let sub;

	if (wall) {
		big = h('p', { class: 'big' },
		    datum('wall-median', wall.median, fmt.sec(wall.median)),
		    ' ', h('small', null, 'median wall'));
		sub = wall.ci95 ?
			h('p', { class: 'sub' }, '95% CI ',
			    datum('wall-ci-lo', wall.ci95[0],
				fmt.sig3(wall.ci95[0])), '–',
			    datum('wall-ci-hi', wall.ci95[1],
				fmt.sec(wall.ci95[1])), ' · n = ',
			    datum('wall-n', wall.n, fmt.count(wall.n))) :
			h('p', { class: 'sub' }, 'No 95% CI yet: n = ',
			    datum('wall-n', wall.n, fmt.count(wall.n)),
			    ', it needs 6 runs');
	} else {
		big = h('p', { class: 'big' }, '—', ' ',
		    h('small', null, !v.available ? 'not measured' :
			totalRuns(v.runs) ? 'no verified runs in the window' :
			    'no runs yet'));
		sub = null;
	}
	const facts = h('dl', null,
	    h('dt', null, 'Peak RSS'), h('dd', null, rss ?
		[datum('rss-median', rss.median, fmt.mib(rss.median)),
		    ' median'] : '—'),
	    h('dt', null, 'Runs'), h('dd', null, runsLine(v)),
	    h('dt', null, 'malloc from'), h('dd', {
		class: 'mono',
		title: provider || null,
	    }, provider ? provider.replace(/^.*\//, '') : '—'),
	    v.python_version ? [h('dt', null, 'Python'),
		h('dd', null, v.python_version)] : null);

	return h('article', {
		class: 'card',
		style: '--swatch: ' + colorOf(i),
		dataset: { variant: v.id, kind: verdict.kind },
		'aria-labelledby': 'card-' + i,
	},
	h('div', { class: 'card-head' },
	    h('h3', { id: 'card-' + i }, v.allocator + ' ',
		h('span', { class: 'interp' }, v.interpreter)),
	    h('span', {
		class: 'badge',
		dataset: { kind: verdict.kind, field: 'badge' },
		text: verdict.badge,
	    })),
	big, sub, verdictLine(v, summary, verdict), facts, whyBox(v));
}

/* Draws the cards from st.summary; a card whose details were open stays
 * open. */
export function renderCards() {
	const box = $('cards');
	const s = st.summary;
	const open = new Set([...box.querySelectorAll('details[open]')]
		.map((d) => d.closest('[data-variant]').dataset.variant));

	box.replaceChildren();
	if (!s) {
		box.setAttribute('aria-busy', 'true');
		return;
	}
	s.variants.forEach((v, i) => box.append(card(v, i, s)));
	for (const el of box.querySelectorAll('[data-variant]')) {
		const d = el.querySelector('details');
		if (d && open.has(el.dataset.variant))
			d.open = true;
	}
	box.removeAttribute('aria-busy');
	$('variants-hint').textContent = 'Median wall time of the ' +
	    'verified runs in each variant\'s window' +
	    (isNum(s.iterations) ? ' (' + s.iterations +
		' iterations per run)' : '') +
	    ', and its speed against ' + s.baseline + '.';
}
