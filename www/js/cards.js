// SPDX-License-Identifier: MIT
/*
 * The Variants panel (#cards): one card per variant of the summary, with
 * its median wall time and interval, the verdict against the baseline in
 * words with its numbers (faster, slower, equivalent within the margin,
 * undecided with the difference the data could detect, or collecting
 * pairs) and the p-values in small print, its badge, peak RSS, run counts
 * with the reasons runs were left out of the statistics, where malloc came
 * from, and why it is unavailable or failing. Also the footer's account
 * of the analysis, from the summary's "analysis".
 */
import { colorOf } from './charts.js';
import { $, datum, h } from './dom.js';
import { excludedText, flagOrder, fmt, isNum } from './format.js';
import { notOk, st, totalRuns } from './state.js';

/* The allocator of a variant id "interpreter/allocator". */
function allocOf(id) {
	const i = id.indexOf('/');
	return i >= 0 ? id.slice(i + 1) : id;
}

/* A comparison verdict the page knows, else "collecting". */
const VERDICTS = ['faster', 'slower', 'equivalent', 'undecided',
	'collecting'];

/* A baseline has no comparison (null); a document without the member
 * names its baseline allocator. */
function isBaseline(v, summary) {
	return v.comparison === null || v.comparison === undefined &&
	    v.allocator === summary.baseline;
}

/* The card's kind and badge: what is wrong first, then the verdict. */
function verdictOf(v, summary) {
	const runs = v.runs || {};
	const cmp = v.comparison;

	if (!v.available)
		return { kind: 'unavailable', badge: 'unavailable' };
	if (totalRuns(runs) === 0)
		return { kind: 'none', badge: 'no runs yet' };
	if (!runs.ok)
		return { kind: 'failing', badge: 'no verified runs' };
	if (!v.wall_s)
		return { kind: 'excluded', badge: 'all excluded' };
	if (isBaseline(v, summary))
		return { kind: 'baseline', badge: 'baseline' };
	if (!cmp)
		return { kind: 'none', badge: 'not compared' };
	const word = VERDICTS.includes(cmp.verdict) ? cmp.verdict :
		'collecting';
	return { kind: word, badge: word };
}

/* The verdict's interval "(lo–hi)", two decimals. */
function ciPart(cmp) {
	const lo = cmp.ci ? cmp.ci[0] : null;
	const hi = cmp.ci ? cmp.ci[1] : null;

	return ['(', datum('ratio-ci-lo', lo, fmt.ratio(lo)), '–',
		datum('ratio-ci-hi', hi, fmt.ratio(hi)), ')'];
}

/* The small print under a verdict: the pairs, the interval's level, the
 * raw and the Holm-adjusted p and the level they were held against. */
function detailParts(cmp) {
	const out = [datum('pairs', cmp.pairs, fmt.count(cmp.pairs)),
		' pairs · ', datum('ci-level', cmp.ci_level,
		    fmt.pct(cmp.ci_level, 2)), ' interval · signed-rank ',
		datum('p', cmp.p_value, fmt.p(cmp.p_value)),
		' · Holm-adjusted ', datum('p-adjusted', cmp.p_adjusted,
		    fmt.p(cmp.p_adjusted)), ' (level ',
		datum('alpha', cmp.alpha, fmt.sig3(cmp.alpha)), ')'];

	if (cmp.verdict === 'equivalent')
		out.push(' · equivalence interval at ', fmt.pct(
		    isNum(cmp.alpha) ? 1 - 2 * cmp.alpha : null, 2));
	return out;
}

/* The verdict in words with its numbers, e.g. "jemalloc: 1.04× faster
 * than glibc (1.01–1.07), p = 0.003". */
function verdictParts(v, cmp) {
	const name = v.allocator;
	const base = allocOf(cmp.baseline);
	const ratio = datum('ratio', cmp.speedup, fmt.ratio(cmp.speedup));

	switch (cmp.verdict) {
	case 'faster':
		return [name + ': ', ratio, '× faster than ' + base + ' ',
			ciPart(cmp), ', ', fmt.p(cmp.p_value)];
	case 'slower':
		return [name + ': slower than ' + base + ', ', ratio,
			'× its speed ', ciPart(cmp), ', ', fmt.p(cmp.p_value)];
	case 'equivalent': {
		const e = cmp.equivalence_ci || [null, null];
		return [name + ': ', ratio, '× — equivalent to ' + base +
		    ' within ±', datum('margin', cmp.margin,
			fmt.margin(cmp.margin)), ' (',
		    datum('eq-ci-lo', e[0], fmt.ratio3(e[0])), '–',
		    datum('eq-ci-hi', e[1], fmt.ratio3(e[1])), ')'];
	}
	case 'undecided':
		return [name + ': ', ratio, '× ', ciPart(cmp),
			' — undecided against ' + base + ': ',
			isNum(cmp.detectable) ? ['could detect a difference of ',
			    datum('detectable', cmp.detectable,
				fmt.pct(cmp.detectable, 1)), ' or more'] :
				'neither faster, slower nor equivalent',
			' (', fmt.count(cmp.pairs), ' pairs)'];
	default:
		return [name + ' against ' + base + ': collecting (',
			datum('pairs', cmp.pairs, fmt.count(cmp.pairs)), '/',
			datum('min-pairs', cmp.min_pairs,
			    fmt.count(cmp.min_pairs)), ' pairs)'];
	}
}

function verdictLine(v, summary, verdict) {
	const cmp = v.comparison;
	const attrs = {
		class: 'verdict',
		dataset: { field: 'verdict', kind: verdict.kind },
	};

	if (isBaseline(v, summary))
		return h('p', attrs, v.allocator + ' is the baseline of ' +
		    v.interpreter + '; the others are compared with it.');
	if (!cmp || totalRuns(v.runs) === 0)
		return null;
	// the comparison stands even when the variant is unavailable now
	const word = VERDICTS.includes(cmp.verdict) ? cmp.verdict :
		'collecting';
	attrs.dataset.kind = word;
	const line = h('p', attrs, verdictParts(v, cmp));
	if (word === 'collecting')
		return [line, h('p', {
			class: 'fine', dataset: { field: 'verdict-detail' },
		}, 'A verdict needs ' + fmt.count(cmp.min_pairs) +
		    ' rounds in which both ran, verified and unflagged, in ' +
		    'their current environments.')];
	const detail = h('p', {
		class: 'fine', dataset: { field: 'verdict-detail' },
	}, detailParts(cmp));
	line.title = detail.textContent;
	return [line, detail];
}

/* The verified runs of a variant by where they stand: in the current
 * environment segment, in earlier ones, and without one (recorded
 * before runs had rounds and environments). */
function segmentCounts(v) {
	const segs = Array.isArray(v.segments) ? v.segments : [];
	let current = 0;
	let older = 0;

	for (const g of segs)
		if (v.segment && g.id === v.segment)
			current += g.runs || 0;
		else
			older += g.runs || 0;
	const ok = v.runs && isNum(v.runs.ok) ? v.runs.ok : 0;
	return { current, older, unpaired: Math.max(0, ok - current - older) };
}

/* Why verified runs are not in the statistics, one phrase each. */
function exclusionLines(v) {
	const c = segmentCounts(v);
	const out = flagOrder(v.excluded).map((k) => ({
		field: 'excluded-' + k, text: excludedText(k, v.excluded[k]),
	}));

	if (c.older > 0)
		out.push({ field: 'runs-older', text: c.older +
		    ' from an earlier environment (not compared)' });
	if (c.unpaired > 0)
		out.push({ field: 'runs-unpaired', text: c.unpaired +
		    ' recorded before rounds and environments (never paired)' });
	return out;
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
	const lines = [line(datum('runs-ok', r.ok, fmt.count(r.ok)), ' ok')];

	for (const x of exclusionLines(v))
		lines.push(line(h('span', {
			dataset: { field: x.field }, text: x.text,
		})));
	lines.push(line(datum('runs-notok', bad, fmt.count(bad)),
	    ' failed, unverified or timed out'));
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

/* Why a variant with verified runs has none in the statistics. */
function whyNoWall(v) {
	const parts = exclusionLines(v).map((x) => x.text);

	return h('p', { class: 'sub', dataset: { field: 'wall-why' } },
	    'None of its ' + fmt.count(v.runs.ok) + ' verified runs is in ' +
	    'the statistics: ' + (parts.length ? parts.join('; ') :
		'none is of this workload size in the current environment') +
	    '.');
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
		const ok = v.runs && v.runs.ok > 0;
		big = h('p', { class: 'big' }, '—', ' ',
		    h('small', null, !v.available && !ok ? 'not measured' :
			ok ? 'none in the statistics' :
			    totalRuns(v.runs) ? 'no verified runs' :
				'no runs yet'));
		sub = ok ? whyNoWall(v) : null;
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
	$('variants-hint').textContent = 'Median wall time of the newest ' +
	    (isNum(s.window) ? s.window + ' ' : '') + 'verified, ' +
	    'unflagged runs of each variant in its current environment' +
	    (isNum(s.iterations) ? ' (' + s.iterations +
		' iterations per run)' : '') +
	    ', and its verdict against ' + s.baseline + ' from rounds ' +
	    'paired by round.';
	$('analysis-help').textContent = analysisText(s.analysis);
}

/* The footer's account of how verdicts are reached. */
function analysisText(a) {
	a = a || {};
	return 'Speedup = exp(Hodges–Lehmann estimate of log(baseline CPU ' +
	    'time ÷ variant CPU time)) over rounds paired by round, within ' +
	    'the current environment; above 1 is faster. Its interval is ' +
	    'the matching signed-rank interval, its test the Wilcoxon ' +
	    'signed-rank test. A verdict needs ' + fmt.count(a.min_pairs) +
	    ' pairs: faster or slower; equivalent when the interval lies ' +
	    'within ±' + fmt.margin(a.margin) + '; undecided otherwise, ' +
	    'with the smallest difference the pairs could detect. The ' +
	    'levels allow a look after every round (up to ' +
	    fmt.count(a.looks) + ') and Holm\'s procedure spreads them ' +
	    'over the comparisons, so the chance of any false call stays ' +
	    'at ' + fmt.margin(a.fwer) + '; each card\'s small print gives ' +
	    'the raw and the Holm-adjusted p and the level.';
}
