// SPDX-License-Identifier: MIT
/*
 * The Phases panel (#phases): the median time of each loop of the
 * workload (append, fill, clear, refill) per variant, as grouped bars
 * and as a table.
 */
import { canvasFor, chartBase, colorOf, setChart } from './charts.js';
import { $, datum, h, hint, table } from './dom.js';
import { fmt } from './format.js';
import { variantsWith } from './state.js';

const PHASES = ['append', 'fill', 'clear', 'refill'];

/* Draws the table, and the chart when Chart.js is loaded. */
export function renderPhases() {
	const list = variantsWith('phases_s');

	$('phases-table').replaceChildren(list.length ?
		table(null, ['variant'].concat(PHASES), list.map(({ v }) =>
			[v.id].concat(PHASES.map((p) => h('span', {
				dataset: { variant: v.id },
			}, datum('phase-' + p, v.phases_s[p],
			    fmt.sec(v.phases_s[p]))))))) :
		hint('No verified runs yet.'));
	if (!canvasFor('phases', 'phases-chart', list.length > 0))
		return;
	const opts = chartBase('seconds (median)');
	opts.plugins.tooltip = {
		callbacks: {
			label: (c) => c.dataset.label + ': ' + fmt.sec(c.parsed.y),
		},
	};
	setChart('phases', 'phases-chart', {
		type: 'bar',
		data: {
			labels: PHASES,
			datasets: list.map(({ v, i }) => ({
				label: v.id,
				data: PHASES.map((p) => v.phases_s[p]),
				backgroundColor: colorOf(i),
				borderColor: colorOf(i),
			})),
		},
		options: opts,
	});
}
