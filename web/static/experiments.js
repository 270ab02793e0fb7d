/* IndexPilot analytics: the Experiments view's script.
 *
 * The server renders every figure and table (templates/experiments.html),
 * so the page is complete without this file. The script draws each
 * experiment's effect and its always-valid interval day by day with
 * uPlot, and refreshes the page's texts, tables and charts from
 * GET /api/v1/experiments every data-refresh seconds. When experiments
 * are added or removed it reloads the page, which renders the new cards.
 *
 * Rules: names and variants are set with textContent only; no inline
 * style or script (the Content-Security-Policy forbids them); the texts
 * and number formats mirror internal/server/page_experiments.go, so
 * nothing changes when the script takes over from the server's rendering.
 */
window.IndexPilot.page('experiments', function (main, uPlot) {
  'use strict';

  var fillTable = window.IndexPilot.fillTable;
  var api = main.getAttribute('data-api');
  var refreshSeconds = Number(main.getAttribute('data-refresh')) || 30;
  var minus = '\u2212';

  function $(id) { return document.getElementById(id); }

  // ---- Texts and numbers (mirror page_experiments.go) ----

  var units = { performance_improvement_pct: 'pp', error_rate: 'pp', latency_p95_ms: 'ms', indexes_created: 'indexes' };

  function round1(f) {
    var r = Math.sign(f) * Math.round(Math.abs(f) * 10) / 10;
    return r === 0 ? 0 : r;
  }
  function formatPlain(f) { return round1(f).toFixed(1); }
  function formatCount(n) { return Number(n).toLocaleString('en-US'); }
  function optional(x) { return x === null || x === undefined ? '\u2013' : x.toFixed(2).replace('-', minus); }
  function formatEffect(x, metric, sign) {
    var s = Math.abs(x).toFixed(2);
    if (x < 0 && s !== '0.00') { s = minus + s; } else if (sign && x > 0 && s !== '0.00') { s = '+' + s; }
    return (s + ' ' + (units[metric] || '')).trim();
  }
  function signedPlain(x) {
    var r = round1(x);
    return r > 0 ? '+' + formatPlain(r) : formatPlain(x).replace('-', minus);
  }
  function statusText(s) { return { scheduled: 'Scheduled', running: 'Running', ended: 'Ended' }[s] || s; }

  function decisionText(a) {
    switch (a.decision) {
      case 'treatment_better': return a.effect.variant + ' is better';
      case 'control_better': return 'control is better';
      case 'no_difference': return 'no difference';
      case 'keep_running':
        if (a.expected_days === null) { return 'keep running'; }
        return 'keep running (about ' + a.expected_days + (a.expected_days === 1 ? ' day' : ' days') + ' more)';
    }
    return 'insufficient data';
  }

  function effectText(a) {
    var e = a.effect;
    if (!e || e.estimate === null) { return 'No effect yet: no variant has two measured installations.'; }
    var s = e.variant + ' \u2212 control: ' + formatEffect(e.estimate, a.metric, true);
    if (e.relative !== null) { s += ' (' + signedPlain(e.relative * 100) + ' % of the control\u2019s mean)'; }
    if (e.low !== null) {
      s += '; always-valid 95 % interval ' + formatEffect(e.low, a.metric, true) + ' to ' + formatEffect(e.high, a.metric, true);
    }
    return s + '.';
  }

  function descText(a) {
    return statusText(a.status) + ', ' + a.from + ' to ' + a.to + ' (UTC). Judged on ' + a.metric + ', ' +
      (a.higher_is_better ? 'higher' : 'lower') + ' is better; minimum effect ' + formatEffect(a.min_effect, a.metric, false) + '.';
  }

  function variantRows(a) {
    return a.variants.map(function (v) {
      return [v.variant, formatPlain(v.planned_share * 100) + ' %', formatCount(v.installations), formatCount(v.measured),
        formatCount(v.reports), optional(v.mean), optional(v.sd)];
    });
  }

  function historyTable(a) {
    var head = ['Day'].concat(a.variants.map(function (v) { return v.variant; }), ['Estimate', 'Low', 'High', 'Decision']);
    var rows = a.history.slice().reverse().map(function (d) {
      return [d.day].concat(d.installations.map(formatCount), [optional(d.estimate), optional(d.low), optional(d.high), d.decision]);
    });
    return { head: head, rows: rows };
  }

  // ---- Charts ----

  function daySeconds(day) { return Date.parse(day + 'T00:00:00Z') / 1000; }
  function dayOf(ts) { return new Date(ts * 1000).toISOString().slice(0, 10); }

  function plotSize(el) {
    var width = Math.max(240, Math.floor(el.clientWidth));
    return { width: width, height: width < 500 ? 200 : 240 };
  }

  // chartData: days, then the estimate, the interval's low and high, no
  // difference (0) and ± the minimum effect.
  function chartData(a) {
    var h = a.history;
    function line(v) { return h.map(function () { return v; }); }
    return [h.map(function (d) { return daySeconds(d.day); }),
      h.map(function (d) { return d.low === null ? null : d.estimate; }),
      h.map(function (d) { return d.low; }), h.map(function (d) { return d.high; }),
      line(0), line(a.min_effect), line(-a.min_effect)];
  }

  function chartOptions(a, size) {
    function fmt(v) { return v === null || v === undefined ? '\u2013' : formatEffect(v, a.metric, true); }
    function s(label, stroke, extra) {
      var o = { label: label, stroke: stroke, width: 2, spanGaps: false, value: function (u, v) { return fmt(v); } };
      Object.keys(extra || {}).forEach(function (k) { o[k] = extra[k]; });
      return o;
    }
    return {
      width: size.width, height: size.height,
      tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'); },
      scales: { x: { time: true } },
      axes: [{ label: 'day (UTC)', labelSize: 20 },
        { label: 'difference (' + (units[a.metric] || '') + ')', labelSize: 20, size: 60 }],
      series: [
        { label: 'Day (UTC)', value: function (u, ts) { return ts === null ? '\u2013' : dayOf(ts); } },
        s('Estimate', '#1f5fa8'),
        s('Low', '#1f5fa855', { width: 1 }), s('High', '#1f5fa855', { width: 1 }),
        s('No difference', '#57606a', { width: 1, dash: [4, 4], points: { show: false } }),
        s('+ minimum effect', '#8a939c', { width: 1, dash: [2, 6], points: { show: false } }),
        s('\u2212 minimum effect', '#8a939c', { width: 1, dash: [2, 6], points: { show: false } })
      ],
      bands: [{ series: [3, 2], fill: '#1f5fa82e' }],
      cursor: { drag: { x: false, y: false } },
      legend: { show: true, live: true }
    };
  }

  var plots = {};

  function renderChart(a) {
    var el = $('chart-' + a.name);
    var has = a.effect !== null && a.history.some(function (d) { return d.low !== null; });
    $('empty-' + a.name).hidden = has;
    el.hidden = !has;
    var old = plots[a.name];
    if (!has) {
      if (old) { old.destroy(); delete plots[a.name]; }
      return;
    }
    var data = chartData(a);
    var size = plotSize(el);
    if (old && old.width === size.width) {
      old.setData(data);
      return;
    }
    if (old) { old.destroy(); }
    plots[a.name] = new uPlot(chartOptions(a, size), data, el);
  }

  // ---- Rendering ----

  var last = [];

  function sameCards(list) {
    var shown = Array.prototype.map.call(document.querySelectorAll('#experiment-list .experiment'), function (s) { return s.getAttribute('data-name'); });
    return shown.join(',') === list.map(function (a) { return a.name; }).join(',');
  }

  function render(list) {
    if (!sameCards(list)) {
      location.reload();
      return false;
    }
    last = list;
    list.forEach(function (a) {
      var d = $('decision-' + a.name);
      d.textContent = decisionText(a);
      d.className = 'decision ' + a.decision;
      $('desc-' + a.name).textContent = descText(a);
      $('effect-' + a.name).textContent = effectText(a);
      $('srm-' + a.name).hidden = !a.srm_warning;
      var v = $('variants-' + a.name);
      fillTable(v, Array.prototype.map.call(v.tHead.rows[0].cells, function (c) { return c.textContent; }), variantRows(a));
      var h = historyTable(a);
      fillTable($('history-' + a.name), h.head, h.rows);
      renderChart(a);
    });
    return true;
  }

  // ---- Loading and refreshing ----

  var loads = 0;
  var timer = null;

  function setStatus(text, link) {
    var alert = $('alert');
    alert.textContent = text;
    if (link) {
      var l = document.createElement('a');
      l.href = link;
      l.textContent = 'Sign in again';
      alert.appendChild(document.createTextNode(' '));
      alert.appendChild(l);
    }
  }

  function setUpdated() {
    window.IndexPilot.setUpdated(refreshSeconds);
  }

  function load() {
    clearTimeout(timer);
    fetch(api, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (res) { return res.json().then(function (body) { return { res: res, body: body }; }); })
      .then(function (r) {
        if (r.res.status === 401) {
          setStatus('Your session has ended.', '/login?next=' + encodeURIComponent(location.pathname + location.search));
          return;
        }
        if (!r.res.ok) {
          setStatus('Could not update: ' + (r.body.message || r.res.status) + '.');
        } else if (render(r.body.experiments)) {
          loads++;
          main.setAttribute('data-loads', String(loads));
          setUpdated();
        }
        timer = setTimeout(load, refreshSeconds * 1000);
      })
      .catch(function (err) {
        setStatus('Could not update (' + err.message + '); retrying.');
        timer = setTimeout(load, refreshSeconds * 1000);
      });
  }

  var resizeTimer = null;
  window.addEventListener('resize', function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () { last.forEach(renderChart); }, 100);
  });
  load();
});
