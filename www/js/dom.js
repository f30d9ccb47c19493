// SPDX-License-Identifier: MIT
/*
 * Building the page's elements: h() makes an element, datum() a number
 * that keeps the API's value in value= next to its formatted text (the
 * browser test compares both), table() the data tables under the charts,
 * and fact()/swapFacts() the definition lists of the Host and Daemon
 * panels.
 */
import { isNum } from './format.js';

export const $ = (id) => document.getElementById(id);

/* A new element: attrs may hold class, text, dataset, style and
 * attributes; children are nodes or strings, or arrays of them nested
 * to any depth (null and false are skipped). */
export function h(tag, attrs, ...kids) {
	const el = document.createElement(tag);

	for (const [k, v] of Object.entries(attrs || {})) {
		if (v === null || v === undefined || v === false)
			continue;
		if (k === 'class')
			el.className = v;
		else if (k === 'text')
			el.textContent = v;
		else if (k === 'dataset')
			Object.assign(el.dataset, v);
		else if (k === 'style')
			el.style.cssText = v;
		else
			el.setAttribute(k, v === true ? '' : v);
	}
	for (const kid of kids.flat(Infinity)) {
		if (kid === null || kid === undefined || kid === false)
			continue;
		el.append(kid instanceof Node ? kid : String(kid));
	}
	return el;
}

/* A number as shown, with the API's value kept in value=. */
export function datum(field, value, text) {
	return h('data', {
		value: isNum(value) ? String(value) : '',
		dataset: { field: field },
		text: text,
	});
}

/* A hint paragraph, such as a panel's "nothing yet". */
export function hint(text) {
	return h('p', { class: 'hint' }, text);
}

/* A table with a header row; the first cell of each row heads it. */
export function table(caption, head, rows) {
	return h('table', null, caption ? h('caption', null, caption) : null,
	    h('thead', null, h('tr', null, head.map((c) =>
		h('th', { scope: 'col' }, c)))),
	    h('tbody', null, rows.map((r) => h('tr', null, r.map((c, j) =>
		j === 0 ? h('th', { scope: 'row' }, c) :
			h('td', null, c))))));
}

/* Appends a term and its value, marked data-field, to a <dl>. */
export function fact(dl, label, field, value, cls) {
	dl.append(h('dt', null, label), h('dd', {
		dataset: { field: field },
		class: cls || null,
	}, value));
}

/* Moves the facts of a detached list into the page's list, only when
 * they differ, so a selection survives the one-second ticks. */
export function swapFacts(id, fresh) {
	const dl = $(id);

	if (dl.innerHTML !== fresh.innerHTML)
		dl.replaceChildren(...fresh.childNodes);
}
