// The home page's script: C(n, r) through the public GraphQL API, its digits folded when long, its factorization
// drawn as an SVG chart. Plain script, no framework, nothing loaded from elsewhere.
'use strict';

(() => {
  const config = JSON.parse(document.getElementById('home-config').textContent);
  /** Values up to this many digits are shown whole; longer ones as their first and last SHOWN digits. */
  const FOLD_ABOVE = 120;
  const SHOWN = 50;
  /** Up to this many primes, one bar each (with its own tooltip); above, one path of thin bars. */
  const BARS_ABOVE = 300;
  const SVG = 'http://www.w3.org/2000/svg';
  const $ = (id) => document.getElementById(id);
  const form = $('ncr-form');
  const button = form.querySelector('button[type="submit"]');
  const status = $('status');
  let shownValue = '';

  const say = (message, kind) => {
    status.textContent = message;
    status.className = kind || '';
  };
  const count = (k) => k.toLocaleString('en');

  /** n and r as whole numbers, or a message saying what is wrong. */
  function readInputs() {
    const text = { n: form.elements.n.value.trim(), r: form.elements.r.value.trim() };
    for (const name of ['n', 'r']) {
      if (!/^[0-9]{1,7}$/.test(text[name]))
        return { problem: `${name} must be a whole number (got "${text[name].slice(0, 20)}")`, field: name };
    }
    const n = Number(text.n);
    const r = Number(text.r);
    if (r > n) return { problem: `r must be at most n (got n = ${n}, r = ${r})`, field: 'r' };
    return { n, r };
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const input = readInputs();
    if (input.problem) {
      say(input.problem, 'error');
      form.elements[input.field].focus();
      return;
    }
    const { n, r } = input;
    button.disabled = true;
    say(`Computing C(${n}, ${r})…`, 'busy');
    const started = performance.now();
    try {
      const response = await fetch(config.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ query: config.query, operationName: config.operationName, variables: { n, r } }),
      });
      const body = await response.json();
      const binomial = body.data && body.data.binomial;
      const error = body.errors && body.errors[0];
      if (!binomial) {
        throw new Error(
          error ? `${error.message} (${(error.extensions && error.extensions.code) || response.status})` : `HTTP ${response.status}`,
        );
      }
      show(n, r, binomial, error);
      const seconds = ((performance.now() - started) / 1000).toFixed(2);
      say(`C(${n}, ${r}) has ${count(binomial.value.length)} digits: computed in ${seconds} s.`, 'done');
    } catch (failure) {
      say(`Could not compute C(${n}, ${r}): ${failure.message}`, 'error');
    } finally {
      button.disabled = false;
    }
  });

  function show(n, r, binomial, error) {
    const value = binomial.value;
    shownValue = value;
    $('result-title').textContent = `C(${n}, ${r})`;
    $('digit-count').textContent = `${count(value.length)} digit${value.length === 1 ? '' : 's'}`;
    const folded = value.length > FOLD_ABOVE;
    $('value').textContent = folded ? `${value.slice(0, SHOWN)}…${value.slice(-SHOWN)}` : value;
    $('value').title = folded ? `the first and last ${SHOWN} digits` : '';
    $('all-digits').hidden = !folded;
    $('all-digits').open = false;
    $('all-digits').querySelector('summary').textContent = `Show all ${count(value.length)} digits`;
    $('value-all').textContent = value;
    if (binomial.primeFactorization) {
      drawChart(binomial.primeFactorization, n);
    } else {
      $('chart').replaceChildren();
      $('factor-summary').textContent =
        `The factorization is unavailable: ${error ? error.message : 'no answer from the primes subgraph'}.`;
    }
    $('result').hidden = false;
  }

  $('copy').addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(shownValue);
      say(`Copied all ${count(shownValue.length)} digits.`, 'done');
    } catch {
      // No clipboard permission: select the digits so that Ctrl+C copies them.
      $('all-digits').open = true;
      getSelection().selectAllChildren($('value-all'));
      say('Select-and-copy: the digits are selected (Ctrl+C).', 'done');
    }
  });

  const node = (name, attributes, text) => {
    const element = document.createElementNS(SVG, name);
    for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
    if (text !== undefined) element.textContent = text;
    return element;
  };

  /** Exponent (up) against prime (across, linear from 2 to n): a bar a prime. */
  function drawChart(powers, n) {
    const chart = $('chart');
    const width = 640;
    const height = 260;
    const left = 40;
    const right = 12;
    const top = 12;
    const bottom = 36;
    const plotWidth = width - left - right;
    const plotHeight = height - top - bottom;
    const maxPrime = Math.max(2, n);
    const maxExponent = powers.reduce((max, { exponent }) => Math.max(max, exponent), 1);
    const x = (prime) => left + ((prime - 2) / Math.max(1, maxPrime - 2)) * plotWidth;
    const y = (exponent) => top + plotHeight - (exponent / maxExponent) * plotHeight;
    const children = [
      node('line', { x1: left, y1: top + plotHeight, x2: width - right, y2: top + plotHeight, class: 'axis' }),
      node('line', { x1: left, y1: top, x2: left, y2: top + plotHeight, class: 'axis' }),
      node('text', { x: left - 6, y: top + 10, 'text-anchor': 'end', class: 'tick' }, String(maxExponent)),
      node('text', { x: left - 6, y: top + plotHeight, 'text-anchor': 'end', class: 'tick' }, '0'),
      node('text', { x: left, y: height - 18, class: 'tick' }, '2'),
      node('text', { x: width - right, y: height - 18, 'text-anchor': 'end', class: 'tick' }, count(maxPrime)),
      node('text', { x: left + plotWidth / 2, y: height - 4, 'text-anchor': 'middle', class: 'label' }, 'prime p'),
    ];
    if (powers.length <= BARS_ABOVE) {
      const barWidth = Math.max(2, Math.min(6, plotWidth / (2 * Math.max(1, powers.length))));
      for (const { prime, exponent } of powers) {
        const bar = node('rect', {
          x: (x(prime) - barWidth / 2).toFixed(2),
          y: y(exponent).toFixed(2),
          width: barWidth.toFixed(2),
          height: (top + plotHeight - y(exponent)).toFixed(2),
          class: 'bar',
          'data-prime': prime,
          'data-exponent': exponent,
        });
        bar.append(node('title', {}, `${prime}^${exponent}`));
        children.push(bar);
      }
    } else {
      const d = powers.map(({ prime, exponent }) => `M${x(prime).toFixed(1)} ${top + plotHeight}V${y(exponent).toFixed(1)}`).join('');
      children.push(node('path', { d, class: 'bars' }));
    }
    chart.replaceChildren(...children);
    chart.dataset.primes = String(powers.length);
    chart.dataset.maxExponent = String(maxExponent);
    const largest = powers.find(({ exponent }) => exponent === maxExponent);
    const written = powers
      .slice(0, 8)
      .map(({ prime, exponent }) => (exponent === 1 ? String(prime) : `${prime}^${exponent}`))
      .join(' · ');
    $('factor-summary').textContent = powers.length
      ? `${written}${powers.length > 8 ? ' · …' : ''}: ${count(powers.length)} distinct prime${powers.length === 1 ? '' : 's'}, ` +
        `the largest exponent ${maxExponent} (of ${largest.prime}).`
      : 'C(n, r) = 1: no prime factors.';
  }
})();
