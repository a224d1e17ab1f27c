// Inline chart script of the solrules backtest report (no dependencies, no network).
// Draws on canvas, downsampled to one column per pixel (first/min/max/last per column) so that
// 50,000+ bars stay fast; trade markers are never downsampled. window.__report exposes what was
// drawn so a headless-browser test can check the charts have data.
(function () {
  'use strict';
  var started = performance.now();
  var R = (window.__report = { ready: false, errors: [], draws: {}, renderMs: null, sinceNavigationMs: null, market: null });
  window.addEventListener('error', function (e) { R.errors.push(String(e.message || e)); });

  var D = JSON.parse(document.getElementById('report-data').textContent);
  var HOUR = 3600000, DAY = 86400000;
  var PAD_L = 8, PAD_R = 72, PAD_T = 18, PAD_B = 20;
  var UP = '#1a7f37', DOWN = '#cf222e';

  function decodeTimes(enc) {
    var out = new Float64Array(enc.d.length + 1), t = enc.t0;
    out[0] = t;
    for (var i = 0; i < enc.d.length; i++) { t += enc.d[i] * enc.unit; out[i + 1] = t; }
    return out;
  }
  // Packed column {e, d}: running sum of integer deltas, times 10^e; null = not ready (NaN).
  function col(p) {
    var out = new Float64Array(p.d.length), acc = 0, neg = p.e < 0, scale = Math.pow(10, Math.abs(p.e));
    for (var i = 0; i < p.d.length; i++) {
      var x = p.d[i];
      if (x === null) { out[i] = NaN; continue; }
      acc += x;
      out[i] = neg ? acc / scale : acc * scale;
    }
    return out;
  }
  // First index with times[i] >= t.
  function lowerBound(times, t) {
    var lo = 0, hi = times.length;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (times[mid] < t) lo = mid + 1; else hi = mid; }
    return lo;
  }
  function pad2(n) { return n < 10 ? '0' + n : '' + n; }
  function fmtTime(ms, withTime) {
    var d = new Date(ms);
    var s = d.getUTCFullYear() + '-' + pad2(d.getUTCMonth() + 1) + '-' + pad2(d.getUTCDate());
    return withTime ? s + ' ' + pad2(d.getUTCHours()) + ':' + pad2(d.getUTCMinutes()) : s;
  }
  // Axis labels: up to 6 significant digits, no trailing zeros (200, 0.05, 12.5k).
  function fmtAxis(v) {
    var a = Math.abs(v);
    if (a >= 1e6) return +(v / 1e6).toPrecision(4) + 'M';
    if (a >= 1e4) return +(v / 1e3).toPrecision(4) + 'k';
    return String(+v.toPrecision(6));
  }
  function fmtNum(v) {
    if (v === null || !isFinite(v)) return '—';
    var a = Math.abs(v);
    if (a >= 1e6) return (v / 1e6).toFixed(2) + 'M';
    if (a >= 1e4) return (v / 1e3).toFixed(1) + 'k';
    if (a >= 100) return v.toFixed(1);
    if (a >= 1) return v.toFixed(3);
    return v.toPrecision(3);
  }

  // ---- data ----------------------------------------------------------------------------------
  var timeTables = D.times.map(decodeTimes);
  // Drawdown per point, positive %: 1 − E / running peak, the peak starting at the initial equity.
  function drawdownOf(e, initial) {
    var out = new Float64Array(e.length), peak = initial;
    for (var i = 0; i < e.length; i++) { if (e[i] > peak) peak = e[i]; out[i] = peak > 0 && e[i] < peak ? (1 - e[i] / peak) * 100 : 0; }
    return out;
  }
  var curves = D.curves.map(function (c) {
    var e = col(c.e);
    return { id: c.id, color: c.color, width: c.width, t: timeTables[c.t], e: e, dd: drawdownOf(e, c.initial) };
  });
  var marketCache = {};
  function market(i) {
    if (marketCache[i]) return marketCache[i];
    var m = D.markets[i];
    var mk = {
      id: m.id, intervalMs: m.intervalMs, t: timeTables[m.t], o: col(m.o), h: col(m.h), l: col(m.l), c: col(m.c),
      markers: m.markers, lines: m.lines, markerTimes: new Float64Array(m.markers.map(function (x) { return x[0]; })),
      ind: m.ind.map(function (s) {
        return s.kind === 'line'
          ? { name: s.name, kind: 'line', pane: s.pane, group: s.group, color: s.color, v: col(s.v), hist: s.hist, levels: s.levels }
          : { name: s.name, kind: 'band', pane: s.pane, group: s.group, color: s.color, u: col(s.u), m: col(s.m), l: col(s.l), levels: [] };
      }),
    };
    marketCache[i] = mk;
    return mk;
  }

  // ---- view (shared time range) --------------------------------------------------------------
  var view = { x0: 0, x1: 1, full0: 0, full1: 1, minSpan: HOUR, log: false, market: 0 };
  function setFull(mk) {
    var lo = mk.t[0], hi = mk.t[mk.t.length - 1] + mk.intervalMs;
    curves.forEach(function (c) { lo = Math.min(lo, c.t[0]); hi = Math.max(hi, c.t[c.t.length - 1] + D.clockIntervalMs); });
    view.full0 = lo; view.full1 = hi; view.minSpan = 20 * mk.intervalMs;
  }
  function clampView() {
    var span = Math.max(view.minSpan, Math.min(view.x1 - view.x0, view.full1 - view.full0));
    var x0 = Math.max(view.full0, Math.min(view.x0, view.full1 - span));
    view.x0 = x0; view.x1 = x0 + span;
  }

  // ---- charts --------------------------------------------------------------------------------
  var chartsEl = document.getElementById('charts');
  var charts = [];
  function makeChart(name, height, title, draw, hover) {
    var wrap = document.createElement('div');
    wrap.className = 'chart'; wrap.style.height = height + 'px'; wrap.dataset.chart = name;
    var base = document.createElement('canvas'), over = document.createElement('canvas');
    over.className = 'overlay';
    wrap.appendChild(base); wrap.appendChild(over);
    chartsEl.appendChild(wrap);
    var ch = { name: name, wrap: wrap, base: base, over: over, height: height, title: title, draw: draw, hover: hover, yOf: null, W: 0 };
    attachInteraction(ch);
    charts.push(ch);
    return ch;
  }
  function sizeCanvas(cv, w, h) {
    var dpr = window.devicePixelRatio || 1;
    cv.width = Math.round(w * dpr); cv.height = Math.round(h * dpr);
    cv.style.width = w + 'px'; cv.style.height = h + 'px';
    var ctx = cv.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    return ctx;
  }
  function xOf(t, W) { return PAD_L + ((t - view.x0) / (view.x1 - view.x0)) * W; }

  // Y scale from [lo, hi] with 5 % headroom; log when asked and positive.
  function yScale(lo, hi, H, log) {
    if (!isFinite(lo) || !isFinite(hi)) { lo = 0; hi = 1; }
    if (log && lo > 0) {
      var a = Math.log(lo), b = Math.log(hi), pad = (b - a || 1) * 0.05;
      a -= pad; b += pad;
      var f = function (v) { return PAD_T + (1 - (Math.log(v) - a) / (b - a)) * H; };
      f.log = true; f.lo = Math.exp(a); f.hi = Math.exp(b);
      return f;
    }
    if (hi === lo) { hi += 1; lo -= 1; }
    var p = (hi - lo) * 0.05; lo -= p; hi += p;
    var g = function (v) { return PAD_T + (1 - (v - lo) / (hi - lo)) * H; };
    g.log = false; g.lo = lo; g.hi = hi;
    return g;
  }
  function niceStep(span, n) {
    var raw = span / n, mag = Math.pow(10, Math.floor(Math.log10(raw))), r = raw / mag;
    return (r < 1.5 ? 1 : r < 3 ? 2 : r < 7 ? 5 : 10) * mag;
  }
  function yTicks(y) {
    var out = [];
    if (y.log && y.hi / y.lo >= 4) {
      var k0 = Math.floor(Math.log10(y.lo)), k1 = Math.ceil(Math.log10(y.hi));
      for (var k = k0; k <= k1; k++) [1, 2, 5].forEach(function (m) { var v = m * Math.pow(10, k); if (v >= y.lo && v <= y.hi) out.push(v); });
      return out;
    }
    var st = niceStep(y.hi - y.lo, 4);
    for (var v = Math.ceil(y.lo / st) * st; v <= y.hi; v += st) out.push(v);
    return out;
  }
  var TIME_STEPS = [HOUR, 2 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY, 14 * DAY, 30 * DAY, 91 * DAY, 182 * DAY, 365 * DAY, 730 * DAY];
  // Time ticks ≥ 90 px apart: hours and days on UTC multiples, months on calendar month starts.
  function timeTicks(W) {
    var span = view.x1 - view.x0, step = TIME_STEPS[TIME_STEPS.length - 1], out = [];
    for (var i = 0; i < TIME_STEPS.length; i++) if ((TIME_STEPS[i] / span) * W >= 90) { step = TIME_STEPS[i]; break; }
    if (step < 30 * DAY) {
      for (var t = Math.ceil(view.x0 / step) * step; t <= view.x1; t += step) out.push([t, fmtTime(t, step < DAY)]);
      return out;
    }
    var months = step >= 730 * DAY ? 24 : step >= 365 * DAY ? 12 : step >= 182 * DAY ? 6 : step >= 91 * DAY ? 3 : 1;
    var d = new Date(view.x0), y = d.getUTCFullYear(), m = d.getUTCMonth() + 1;
    m = Math.ceil(m / months) * months;
    for (;;) {
      var tm = Date.UTC(y + Math.floor(m / 12), m % 12, 1);
      if (tm > view.x1) break;
      if (tm >= view.x0) { var dd = new Date(tm); out.push([tm, months >= 12 ? String(dd.getUTCFullYear()) : dd.getUTCFullYear() + '-' + pad2(dd.getUTCMonth() + 1)]); }
      m += months;
    }
    return out;
  }
  function drawFrame(ctx, ch, W, H, y, fmtY, legend) {
    ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, W + PAD_L + PAD_R, H + PAD_T + PAD_B);
    ctx.font = '11px system-ui, sans-serif'; ctx.lineWidth = 1;
    ctx.strokeStyle = '#eef0f2'; ctx.fillStyle = '#57606a'; ctx.textBaseline = 'middle'; ctx.textAlign = 'left';
    yTicks(y).forEach(function (v) {
      var yy = Math.round(y(v)) + 0.5;
      ctx.beginPath(); ctx.moveTo(PAD_L, yy); ctx.lineTo(PAD_L + W, yy); ctx.stroke();
      ctx.fillText(fmtY(v), PAD_L + W + 6, yy);
    });
    ctx.textAlign = 'center'; ctx.textBaseline = 'top';
    timeTicks(W).forEach(function (tk) {
      var xx = Math.round(xOf(tk[0], W)) + 0.5;
      ctx.beginPath(); ctx.moveTo(xx, PAD_T); ctx.lineTo(xx, PAD_T + H); ctx.stroke();
      ctx.fillText(tk[1], xx, PAD_T + H + 4);
    });
    ctx.strokeStyle = '#d0d7de';
    ctx.strokeRect(PAD_L + 0.5, PAD_T + 0.5, W, H);
    ctx.textAlign = 'left'; ctx.textBaseline = 'top'; ctx.font = '600 11px system-ui, sans-serif';
    var x = PAD_L + 2;
    ctx.fillStyle = '#1b1f24'; ctx.fillText(ch.title, x, 3); x += ctx.measureText(ch.title).width + 12;
    ctx.font = '11px system-ui, sans-serif';
    (legend || []).forEach(function (l) {
      ctx.fillStyle = l.color; ctx.fillRect(x, 7, 10, 3); x += 13;
      ctx.fillStyle = '#57606a'; ctx.fillText(l.name, x, 3); x += ctx.measureText(l.name).width + 10;
    });
  }

  // Series values belong to a bar's close; they are drawn at the bar's centre, like its candle.
  var lineOff = 0;
  // One polyline, first/min/max/last per pixel column; breaks at NaN. Returns columns drawn.
  function drawLine(ctx, times, vals, W, y, color, width, dashed) {
    var i0 = Math.max(0, lowerBound(times, view.x0) - 1), i1 = Math.min(times.length - 1, lowerBound(times, view.x1));
    var span = view.x1 - view.x0, drawn = 0, started = false, colIx = -1, mn = 0, mx = 0, first = 0, last = 0;
    ctx.save(); ctx.beginPath(); ctx.strokeStyle = color; ctx.lineWidth = width || 1;
    if (dashed) ctx.setLineDash([4, 3]);
    function flush() {
      var x = PAD_L + colIx + 0.5;
      if (!started) { ctx.moveTo(x, y(first)); started = true; } else ctx.lineTo(x, y(first));
      if (mn !== first || mx !== first) { ctx.lineTo(x, y(mn)); ctx.lineTo(x, y(mx)); }
      ctx.lineTo(x, y(last));
      drawn++;
    }
    var pending = false;
    for (var i = i0; i <= i1; i++) {
      var v = vals[i];
      if (v !== v) { if (pending) flush(); pending = false; started = false; colIx = -1; continue; }
      var c = Math.floor(((times[i] + lineOff - view.x0) / span) * W);
      if (!pending || c !== colIx) { if (pending) flush(); colIx = c; mn = mx = first = last = v; pending = true; }
      else { if (v < mn) mn = v; if (v > mx) mx = v; last = v; }
    }
    if (pending) flush();
    ctx.stroke(); ctx.restore();
    return drawn;
  }
  function visibleRange(times) {
    return [Math.max(0, lowerBound(times, view.x0) - 1), Math.min(times.length - 1, lowerBound(times, view.x1))];
  }
  function extent(arrs, times, acc) {
    var r = visibleRange(times);
    arrs.forEach(function (a) {
      for (var i = r[0]; i <= r[1]; i++) { var v = a[i]; if (v === v) { if (v < acc[0]) acc[0] = v; if (v > acc[1]) acc[1] = v; } }
    });
    return acc;
  }

  function drawPrice(ctx, ch, W, H) {
    var mk = market(view.market), r = visibleRange(mk.t);
    lineOff = mk.intervalMs / 2;
    var ext = extent([mk.l, mk.h], mk.t, [Infinity, -Infinity]);
    mk.ind.forEach(function (s) { if (s.pane === 'price') extent(s.kind === 'band' ? [s.u, s.l] : [s.v], mk.t, ext); });
    var y = yScale(ext[0], ext[1], H, view.log);
    ch.yOf = y;
    var legend = mk.ind.filter(function (s) { return s.pane === 'price'; }).map(function (s) { return { name: s.name, color: s.color }; });
    drawFrame(ctx, ch, W, H, y, fmtAxis, legend);
    ctx.save(); ctx.beginPath(); ctx.rect(PAD_L, PAD_T, W, H); ctx.clip();
    var n = r[1] - r[0] + 1, span = view.x1 - view.x0, stats = { bars: n, candles: 0, columns: 0, markers: 0, tradeLines: 0, overlays: 0 };
    // Bands under the candles.
    mk.ind.forEach(function (s) {
      if (s.pane !== 'price' || s.kind !== 'band') return;
      stats.overlays += drawBand(ctx, mk.t, s, W, y);
    });
    var barW = (mk.intervalMs / span) * W;
    if (barW >= 3) {
      var bw = Math.max(1, Math.floor(barW * 0.7));
      for (var i = r[0]; i <= r[1]; i++) {
        var x = xOf(mk.t[i] + mk.intervalMs / 2, W), up = mk.c[i] >= mk.o[i];
        ctx.strokeStyle = ctx.fillStyle = up ? UP : DOWN;
        ctx.beginPath(); ctx.moveTo(Math.round(x) + 0.5, y(mk.h[i])); ctx.lineTo(Math.round(x) + 0.5, y(mk.l[i])); ctx.stroke();
        var yo = y(mk.o[i]), yc = y(mk.c[i]);
        ctx.fillRect(Math.round(x - bw / 2), Math.min(yo, yc), bw, Math.max(1, Math.abs(yc - yo)));
        stats.candles++;
      }
    } else {
      // Aggregated candle per pixel column: range = min low … max high, colour = last close vs first open.
      var c0 = -1, lo = 0, hi = 0, op = 0, cl = 0;
      var flushCol = function () {
        var x = PAD_L + c0 + 0.5;
        ctx.strokeStyle = cl >= op ? UP : DOWN;
        ctx.beginPath(); ctx.moveTo(x, y(hi)); ctx.lineTo(x, Math.max(y(lo), y(hi) + 1)); ctx.stroke();
        stats.columns++;
      };
      for (var j = r[0]; j <= r[1]; j++) {
        var cc = Math.floor(((mk.t[j] - view.x0) / span) * W);
        if (cc !== c0) { if (c0 >= -1e9 && j > r[0]) flushCol(); c0 = cc; lo = mk.l[j]; hi = mk.h[j]; op = mk.o[j]; cl = mk.c[j]; }
        else { if (mk.l[j] < lo) lo = mk.l[j]; if (mk.h[j] > hi) hi = mk.h[j]; cl = mk.c[j]; }
      }
      if (n > 0) flushCol();
    }
    mk.ind.forEach(function (s) {
      if (s.pane !== 'price' || s.kind !== 'line') return;
      stats.overlays += drawLine(ctx, mk.t, s.v, W, y, s.color, 1.3);
    });
    // Trade lines entry → exit, then every marker in view (never downsampled).
    ctx.setLineDash([3, 3]);
    mk.lines.forEach(function (l) {
      if (l[2] < view.x0 || l[0] > view.x1) return;
      ctx.strokeStyle = l[4] > 0 ? 'rgba(26,127,55,0.7)' : 'rgba(207,34,46,0.7)';
      ctx.beginPath(); ctx.moveTo(xOf(l[0], W), y(l[1])); ctx.lineTo(xOf(l[2], W), y(l[3])); ctx.stroke();
      stats.tradeLines++;
    });
    ctx.setLineDash([]);
    var m0 = lowerBound(mk.markerTimes, view.x0), m1 = lowerBound(mk.markerTimes, view.x1 + 1);
    // Smaller markers when they are dense, so the price stays visible; none is ever skipped.
    var s = Math.max(2, Math.min(5, (W / Math.max(1, m1 - m0)) * 1.5));
    for (var k = m0; k < m1; k++) {
      var mkr = mk.markers[k], mx = xOf(mkr[0], W), my = y(mkr[1]);
      ctx.beginPath();
      if (mkr[2] > 0) { ctx.moveTo(mx, my); ctx.lineTo(mx - s, my + 2 * s); ctx.lineTo(mx + s, my + 2 * s); }
      else { ctx.moveTo(mx, my); ctx.lineTo(mx - s, my - 2 * s); ctx.lineTo(mx + s, my - 2 * s); }
      ctx.closePath();
      ctx.fillStyle = mkr[2] > 0 ? UP : DOWN; ctx.fill();
      if (s >= 4) { ctx.strokeStyle = D.strategies[mkr[3]] ? D.strategies[mkr[3]].color : '#000'; ctx.lineWidth = 1; ctx.stroke(); }
      stats.markers++;
    }
    ctx.restore();
    stats.markersInMarket = mk.markers.length;
    R.draws.price = stats;
  }

  function drawBand(ctx, times, s, W, y) {
    var r = visibleRange(times), span = view.x1 - view.x0, xs = [], us = [], ls = [], lastC = null, drawn = 0;
    function fillRun() {
      if (xs.length < 2) { xs = []; us = []; ls = []; return; }
      ctx.beginPath(); ctx.moveTo(xs[0], y(us[0]));
      for (var a = 1; a < xs.length; a++) ctx.lineTo(xs[a], y(us[a]));
      for (var b = xs.length - 1; b >= 0; b--) ctx.lineTo(xs[b], y(ls[b]));
      ctx.closePath(); ctx.globalAlpha = 0.08; ctx.fillStyle = s.color; ctx.fill(); ctx.globalAlpha = 1;
      xs = []; us = []; ls = [];
    }
    for (var i = r[0]; i <= r[1]; i++) {
      var u = s.u[i], l = s.l[i];
      if (u !== u || l !== l) { fillRun(); lastC = null; continue; }
      var c = Math.floor(((times[i] + lineOff - view.x0) / span) * W);
      if (c === lastC) { us[us.length - 1] = Math.max(us[us.length - 1], u); ls[ls.length - 1] = Math.min(ls[ls.length - 1], l); continue; }
      lastC = c; xs.push(PAD_L + c + 0.5); us.push(u); ls.push(l);
    }
    fillRun();
    drawn += drawLine(ctx, times, s.u, W, y, s.color, 1);
    drawn += drawLine(ctx, times, s.l, W, y, s.color, 1);
    drawn += drawLine(ctx, times, s.m, W, y, s.color, 1, true);
    return drawn;
  }

  function drawOscillator(group) {
    return function (ctx, ch, W, H) {
      var mk = market(view.market), series = mk.ind.filter(function (s) { return s.pane === 'oscillator' && s.group === group; });
      lineOff = mk.intervalMs / 2;
      var ext = [Infinity, -Infinity];
      series.forEach(function (s) {
        extent(s.kind === 'band' ? [s.u, s.l] : [s.v], mk.t, ext);
        (s.levels || []).forEach(function (lv) { ext[0] = Math.min(ext[0], lv); ext[1] = Math.max(ext[1], lv); });
        if (s.hist) { ext[0] = Math.min(ext[0], 0); ext[1] = Math.max(ext[1], 0); }
      });
      var y = yScale(ext[0], ext[1], H, false);
      ch.yOf = y;
      drawFrame(ctx, ch, W, H, y, fmtAxis, series.map(function (s) { return { name: s.name, color: s.color }; }));
      ctx.save(); ctx.beginPath(); ctx.rect(PAD_L, PAD_T, W, H); ctx.clip();
      var drawn = 0;
      series.forEach(function (s) {
        (s.levels || []).forEach(function (lv) {
          ctx.save(); ctx.setLineDash([5, 4]); ctx.strokeStyle = '#8c959f';
          ctx.beginPath(); ctx.moveTo(PAD_L, y(lv)); ctx.lineTo(PAD_L + W, y(lv)); ctx.stroke(); ctx.restore();
        });
        if (s.kind === 'band') drawn += drawBand(ctx, mk.t, s, W, y);
        else if (s.hist) drawn += drawHistogram(ctx, mk.t, s.v, W, y, s.color);
        else drawn += drawLine(ctx, mk.t, s.v, W, y, s.color, 1.2);
      });
      ctx.restore();
      R.draws['osc:' + group] = { columns: drawn };
    };
  }
  function drawHistogram(ctx, times, vals, W, y, color) {
    var r = visibleRange(times), span = view.x1 - view.x0, c0 = null, ext = 0, drawn = 0, y0 = y(0);
    ctx.fillStyle = color;
    function flush() { if (c0 === null) return; var yy = y(ext); ctx.fillRect(PAD_L + c0, Math.min(y0, yy), 1, Math.max(1, Math.abs(yy - y0))); drawn++; }
    for (var i = r[0]; i <= r[1]; i++) {
      var v = vals[i]; if (v !== v) continue;
      var c = Math.floor(((times[i] + lineOff - view.x0) / span) * W);
      if (c !== c0) { flush(); c0 = c; ext = v; } else if (Math.abs(v) > Math.abs(ext)) ext = v;
    }
    flush();
    return drawn;
  }

  function drawEquity(ctx, ch, W, H) {
    lineOff = D.clockIntervalMs / 2;
    var ext = [Infinity, -Infinity];
    curves.forEach(function (c) { extent([c.e], c.t, ext); });
    var y = yScale(ext[0], ext[1], H, false);
    ch.yOf = y;
    drawFrame(ctx, ch, W, H, y, fmtAxis, curves.map(function (c) { return { name: c.id, color: c.color }; }));
    ctx.save(); ctx.beginPath(); ctx.rect(PAD_L, PAD_T, W, H); ctx.clip();
    var drawn = 0;
    for (var i = curves.length - 1; i >= 0; i--) drawn += drawLine(ctx, curves[i].t, curves[i].e, W, y, curves[i].color, curves[i].width);
    ctx.restore();
    R.draws.equity = { columns: drawn };
  }
  function drawDrawdown(ctx, ch, W, H) {
    lineOff = D.clockIntervalMs / 2;
    var ext = [0, -Infinity];
    curves.forEach(function (c) { extent([c.dd], c.t, ext); });
    var hi = Math.max(ext[1], 1);
    var y = function (v) { return PAD_T + (v / hi) * H * 0.95; };
    y.log = false; y.lo = -hi * 0.05 / 0.95; y.hi = hi / 0.95;
    var yNeg = function (v) { return PAD_T + (-v / y.hi) * H; };
    yNeg.log = false; yNeg.lo = -y.hi; yNeg.hi = 0;
    ch.yOf = yNeg;
    drawFrame(ctx, ch, W, H, yNeg, function (v) { return v.toFixed(0) + ' %'; }, curves.map(function (c) { return { name: c.id, color: c.color }; }));
    ctx.save(); ctx.beginPath(); ctx.rect(PAD_L, PAD_T, W, H); ctx.clip();
    var drawn = 0, p = curves[0], pos = function (v) { return PAD_T + (v / y.hi) * H; };
    // Portfolio drawdown as a filled area (deepest point per pixel column), strategies as lines.
    var r = visibleRange(p.t), span = view.x1 - view.x0, c0 = null, mx = 0, lastX = null;
    ctx.beginPath();
    for (var i = r[0]; i <= r[1] + 1; i++) {
      var c = i <= r[1] ? Math.floor(((p.t[i] + lineOff - view.x0) / span) * W) : null;
      if (c !== c0) {
        if (c0 !== null) { var x = PAD_L + c0 + 0.5; if (lastX === null) ctx.moveTo(x, PAD_T); ctx.lineTo(x, pos(mx)); lastX = x; }
        c0 = c; mx = 0;
      }
      if (i <= r[1] && p.dd[i] > mx) mx = p.dd[i];
    }
    if (lastX !== null) { ctx.lineTo(lastX, PAD_T); ctx.closePath(); ctx.fillStyle = 'rgba(207,34,46,0.22)'; ctx.fill(); }
    for (var k = 0; k < curves.length; k++) drawn += drawLine(ctx, curves[k].t, curves[k].dd, W, pos, curves[k].color, k === 0 ? 1.5 : 1);
    ctx.restore();
    R.draws.drawdown = { columns: drawn };
  }

  // ---- layout, drawing, interaction -------------------------------------------------------------
  var frame = 0;
  function layout() {
    charts.forEach(function (ch) { chartsEl.removeChild(ch.wrap); });
    charts = [];
    var mk = market(view.market);
    makeChart('price', 380, mk.id + ' (bars: ' + mk.t.length.toLocaleString('en-US') + ')', drawPrice, hoverPrice);
    var groups = [];
    mk.ind.forEach(function (s) { if (s.pane === 'oscillator' && groups.indexOf(s.group) < 0) groups.push(s.group); });
    groups.forEach(function (g) { makeChart('osc:' + g, 130, g, drawOscillator(g), null); });
    makeChart('equity', 220, 'Equity (USD)', drawEquity, null);
    makeChart('drawdown', 130, 'Drawdown', drawDrawdown, null);
  }
  function drawAll() {
    frame = 0;
    var width = chartsEl.clientWidth || 1000;
    charts.forEach(function (ch) {
      var W = width - PAD_L - PAD_R, H = ch.height - PAD_T - PAD_B;
      ch.W = W;
      var ctx = sizeCanvas(ch.base, width, ch.height);
      sizeCanvas(ch.over, width, ch.height);
      ch.draw(ctx, ch, W, H);
    });
  }
  function redraw() { if (!frame) frame = requestAnimationFrame(drawAll); }

  function timeAt(ch, px) { return view.x0 + ((px - PAD_L) / ch.W) * (view.x1 - view.x0); }
  function attachInteraction(ch) {
    var drag = null;
    ch.wrap.addEventListener('wheel', function (e) {
      e.preventDefault();
      var rect = ch.wrap.getBoundingClientRect(), t = timeAt(ch, e.clientX - rect.left);
      var f = e.deltaY > 0 ? 1.25 : 0.8;
      view.x0 = t - (t - view.x0) * f; view.x1 = t + (view.x1 - t) * f;
      clampView(); redraw();
    }, { passive: false });
    ch.wrap.addEventListener('mousedown', function (e) { drag = { x: e.clientX, x0: view.x0, x1: view.x1 }; });
    window.addEventListener('mouseup', function () { drag = null; });
    ch.wrap.addEventListener('mousemove', function (e) {
      var rect = ch.wrap.getBoundingClientRect(), px = e.clientX - rect.left;
      if (drag) {
        var dt = ((e.clientX - drag.x) / ch.W) * (drag.x1 - drag.x0);
        view.x0 = drag.x0 - dt; view.x1 = drag.x1 - dt; clampView(); redraw();
      }
      crosshair(timeAt(ch, px));
    });
    ch.wrap.addEventListener('mouseleave', function () { crosshair(null); });
    ch.wrap.addEventListener('dblclick', function () { view.x0 = view.full0; view.x1 = view.full1; redraw(); });
  }
  var info = document.getElementById('info');
  function valueAt(times, vals, t) { var i = lowerBound(times, t + 1) - 1; return i >= 0 ? vals[i] : NaN; }
  function hoverPrice(t) {
    var mk = market(view.market), i = lowerBound(mk.t, t + 1) - 1;
    if (i < 0) return '';
    var s = fmtTime(mk.t[i], true) + ' UTC  O ' + fmtNum(mk.o[i]) + ' H ' + fmtNum(mk.h[i]) + ' L ' + fmtNum(mk.l[i]) + ' C ' + fmtNum(mk.c[i]);
    mk.ind.forEach(function (x) { s += '  ' + x.name + ' ' + fmtNum(x.kind === 'band' ? x.m[i] : x.v[i]); });
    return s;
  }
  function crosshair(t) {
    charts.forEach(function (ch) {
      var ctx = ch.over.getContext('2d'), dpr = window.devicePixelRatio || 1;
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.clearRect(0, 0, ch.over.width, ch.over.height);
      if (t === null) return;
      var x = Math.round(xOf(t, ch.W)) + 0.5;
      ctx.strokeStyle = 'rgba(0,0,0,0.35)'; ctx.beginPath(); ctx.moveTo(x, PAD_T); ctx.lineTo(x, ch.height - PAD_B); ctx.stroke();
    });
    if (t === null) { info.innerHTML = '&nbsp;'; return; }
    var s = hoverPrice(t);
    curves.forEach(function (c) { s += '  ' + c.id + ' $' + fmtNum(valueAt(c.t, c.e, t)); });
    info.textContent = s;
  }

  document.getElementById('market').addEventListener('change', function (e) {
    view.market = Number(e.target.value); setFull(market(view.market)); layout(); drawAll();
  });
  document.getElementById('logscale').addEventListener('change', function (e) { view.log = e.target.checked; redraw(); });
  Array.prototype.forEach.call(document.querySelectorAll('#controls button[data-range]'), function (b) {
    b.addEventListener('click', function () {
      var r = b.dataset.range;
      if (r === 'all') { view.x0 = view.full0; view.x1 = view.full1; }
      else { view.x1 = view.full1; view.x0 = view.full1 - Number(r) * DAY; }
      clampView(); redraw();
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll('#trades tbody tr'), function (tr) {
    tr.addEventListener('click', function () {
      var ix = D.markets.findIndex(function (m) { return m.id === tr.dataset.market; });
      if (ix >= 0 && ix !== view.market) { view.market = ix; document.getElementById('market').value = String(ix); setFull(market(ix)); layout(); }
      var a = Number(tr.dataset.entry), b = tr.dataset.exit ? Number(tr.dataset.exit) : view.full1;
      var padT = Math.max((b - a) * 1.5, 30 * market(view.market).intervalMs);
      view.x0 = a - padT; view.x1 = b + padT; clampView(); drawAll();
      chartsEl.scrollIntoView({ behavior: 'instant', block: 'start' });
    });
  });
  window.addEventListener('resize', redraw);

  // First draw: whole span, log price scale when the price moved over 20×.
  var first = market(0);
  setFull(first);
  view.x0 = view.full0; view.x1 = view.full1;
  var lo = Infinity, hi = -Infinity;
  for (var i = 0; i < first.l.length; i++) { if (first.l[i] < lo) lo = first.l[i]; if (first.h[i] > hi) hi = first.h[i]; }
  view.log = lo > 0 && hi / lo > 20;
  document.getElementById('logscale').checked = view.log;
  layout();
  drawAll();
  R.renderMs = performance.now() - started;
  R.sinceNavigationMs = performance.now();
  R.market = market;
  R.ready = true;
  document.body.dataset.rendered = 'true';
})();
