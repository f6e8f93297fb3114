/* The speed profile of one approach on the space's analysis page, drawn as inline SVG.
 *
 * <section data-speed-profile data-source="ID"> reads the page data of the map (json_script ID):
 * entries and barriers [{id, vehicle, name, kind_label, impact_speed_kmh, speed_profile [[m, km/h]…],
 * turns [[m, km/h]…]}], selected (class), selectedEntry (id) and profileLabels (translated words).
 * It draws speed against distance for the selected approach, marks the corners whose turn limit caps
 * the speed and the impact, and writes the same as a sentence (#speed-profile-description, which
 * labels the chart) and a table (#speed-profile-table) for people who do not see the chart.
 *
 * Choosing: the buttons [data-profile=ID] (entries and barriers tables), a click on an entry row,
 * and #vehicle-select (the fastest entry of the new class). PactesurProfile.show(id) does the same.
 * The section gets data-ready="true", data-item, data-points and data-corners once drawn.
 */
(function (global) {
  "use strict";

  var SVG_NS = "http://www.w3.org/2000/svg";
  // The drawing's own units; the SVG scales to the width of the page (viewBox).
  var WIDTH = 720;
  var HEIGHT = 280;
  var MARGIN = { left: 58, right: 20, top: 22, bottom: 46 };
  var TICKS = 6;

  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function format(template, values) {
    return String(template || "").replace(/%\((\w+)\)s/g, function (whole, key) {
      return values[key] !== undefined ? String(values[key]) : whole;
    });
  }

  function number(value, digits) {
    var lang = document.documentElement.lang || undefined;
    return Number(value).toLocaleString(lang, {
      minimumFractionDigits: digits || 0,
      maximumFractionDigits: digits || 0,
    });
  }

  function svg(name, attrs, parent) {
    var node = document.createElementNS(SVG_NS, name);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, String(attrs[key])); });
    if (parent) parent.appendChild(node);
    return node;
  }

  function text(parent, x, y, content, cls, anchor) {
    var node = svg("text", { x: x, y: y, class: cls || "profile-text", "text-anchor": anchor || "middle" }, parent);
    node.textContent = content;
    return node;
  }

  // A round step (1, 2 or 5 × 10^n) that cuts 0…max into about `ticks` parts.
  function niceStep(max, ticks) {
    var raw = Math.max(max, 1) / ticks;
    var power = Math.pow(10, Math.floor(Math.log10(raw)));
    var steps = [1, 2, 5, 10];
    for (var i = 0; i < steps.length; i++) {
      if (raw <= steps[i] * power) return steps[i] * power;
    }
    return 10 * power;
  }

  function cleanPoints(list) {
    return (list || [])
      .map(function (p) { return [Number(p[0]), Number(p[1])]; })
      .filter(function (p) { return isFinite(p[0]) && isFinite(p[1]); });
  }

  function itemsById(data) {
    var byId = {};
    (data.entries || []).forEach(function (e) { byId[e.id] = { kind: "entry", item: e }; });
    (data.barriers || []).forEach(function (b) { byId[b.id] = { kind: "barrier", item: b }; });
    return byId;
  }

  function fastestOf(data, code) {
    var best = null;
    (data.entries || []).forEach(function (e) {
      if (e.vehicle === code && (!best || e.impact_speed_kmh > best.impact_speed_kmh)) best = e;
    });
    return best ? best.id : "";
  }

  function describe(found, profile, turns, labels) {
    var item = found.item;
    var distance = profile.length ? profile[profile.length - 1][0] : Number(item.run_up_m || 0);
    var values = {
      vehicle: item.vehicle,
      distance: number(distance),
      speed: number(item.impact_speed_kmh),
      name: item.name || labels.unnamed || "",
      kind: item.kind_label || item.kind || "",
    };
    var sentence = format(found.kind === "barrier" ? labels.barrier : labels.entry, values);
    (item.review_texts || []).forEach(function (t) { sentence += " " + t + "."; });
    if (Object.prototype.hasOwnProperty.call(item, "path_speed_kmh")) {
      sentence += " " + (item.path_speed_kmh === null ? (labels.pathClosed || "")
        : format(labels.pathSpeed, { speed: number(item.path_speed_kmh) }));
    }
    if (!turns.length) return sentence + " " + (labels.noCorners || "");
    var corners = turns.map(function (t) {
      return format(labels.cornerAt, { speed: number(t[1]), distance: number(t[0]) });
    });
    return sentence + " " + format(labels.corners, { corners: corners.join("; ") });
  }

  function drawChart(box, profile, turns, impactKmh, labels, reviews, pathProfile) {
    box.textContent = "";
    var maxD = profile[profile.length - 1][0] || 1;
    var maxV = Math.max.apply(null, profile.map(function (p) { return p[1]; }).concat([impactKmh || 0]));
    turns.forEach(function (t) { maxV = Math.max(maxV, t[1]); });
    var stepV = niceStep(maxV, TICKS);
    var topV = Math.ceil((maxV * 1.08) / stepV) * stepV || stepV;
    var stepD = niceStep(maxD, TICKS);
    var plotW = WIDTH - MARGIN.left - MARGIN.right;
    var plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
    function x(d) { return MARGIN.left + (d / maxD) * plotW; }
    function y(v) { return MARGIN.top + plotH - (v / topV) * plotH; }

    var chart = svg("svg", {
      viewBox: "0 0 " + WIDTH + " " + HEIGHT,
      class: "profile-svg",
      role: "img",
      "aria-labelledby": "speed-profile-description",
      preserveAspectRatio: "xMidYMid meet",
    }, box);
    var title = svg("title", {}, chart);
    title.textContent = labels.chart || "";

    var grid = svg("g", { class: "profile-grid" }, chart);
    for (var v = 0; v <= topV + 1e-9; v += stepV) {
      svg("line", { x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: y(v), y2: y(v) }, grid);
      text(grid, MARGIN.left - 6, y(v) + 4, number(v), "profile-tick", "end");
    }
    for (var d = 0; d <= maxD + 1e-9; d += stepD) {
      svg("line", { x1: x(d), x2: x(d), y1: MARGIN.top, y2: MARGIN.top + plotH, class: "profile-grid-v" }, grid);
      text(grid, x(d), MARGIN.top + plotH + 16, number(d), "profile-tick", "middle");
    }
    svg("line", { x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: y(0), y2: y(0), class: "profile-axis" }, chart);
    svg("line", { x1: MARGIN.left, x2: MARGIN.left, y1: MARGIN.top, y2: y(0), class: "profile-axis" }, chart);
    text(chart, MARGIN.left + plotW / 2, HEIGHT - 6, labels.distance || "", "profile-axis-title", "middle");
    var yTitle = text(chart, 14, MARGIN.top + plotH / 2, labels.speed || "", "profile-axis-title", "middle");
    yTitle.setAttribute("transform", "rotate(-90 14 " + (MARGIN.top + plotH / 2) + ")");

    var coords = profile.map(function (p) { return x(p[0]).toFixed(1) + "," + y(p[1]).toFixed(1); });
    svg("polygon", {
      class: "profile-area",
      points: x(profile[0][0]).toFixed(1) + "," + y(0).toFixed(1) + " " + coords.join(" ") + " " +
        x(maxD).toFixed(1) + "," + y(0).toFixed(1),
    }, chart);
    svg("polyline", { class: "profile-line", points: coords.join(" ") }, chart);

    turns.forEach(function (t) {
      var group = svg("g", { class: "profile-corner" }, chart);
      svg("line", { x1: x(t[0]), x2: x(t[0]), y1: y(0), y2: y(t[1]), class: "profile-corner-line" }, group);
      svg("path", {
        d: "M" + x(t[0]).toFixed(1) + "," + (y(t[1]) - 1).toFixed(1) + " l-5,-9 h10 z",
        class: "profile-corner-mark",
      }, group);
      var tip = svg("title", {}, group);
      tip.textContent = format(labels.corner, { speed: number(t[1]) }) + " (" + number(t[0]) + " m)";
      text(group, x(t[0]), y(t[1]) - 13, number(t[1]), "profile-corner-text", "middle");
    });

    // the path speed: the best line between the mapped streetscape, dashed under the envelope
    if (pathProfile.length >= 2) {
      var pathCoords = pathProfile.map(function (p) {
        return x(Math.min(p[0], maxD)).toFixed(1) + "," + y(p[1]).toFixed(1);
      });
      var pathGroup = svg("g", { class: "profile-path" }, chart);
      svg("polyline", { class: "profile-path-line", points: pathCoords.join(" ") }, pathGroup);
      var pathTip = svg("title", {}, pathGroup);
      pathTip.textContent = labels.pathLine || "";
    }

    // where the envelope drives faster than anyone has on a footway or open area: review it
    reviews.forEach(function (r) {
      var at = Math.min(Number(r.at_m) || 0, maxD);
      var group = svg("g", { class: "profile-review" }, chart);
      svg("line", { x1: x(at), x2: x(at), y1: y(0), y2: MARGIN.top, class: "profile-review-line" }, group);
      var tip = svg("title", {}, group);
      tip.textContent = r.text;
      text(group, x(at) - 4, MARGIN.top + 10, "!", "profile-review-text", "end");
    });

    var last = profile[profile.length - 1];
    var impact = svg("g", { class: "profile-impact" }, chart);
    svg("circle", { cx: x(last[0]), cy: y(last[1]), r: 5, class: "profile-impact-mark" }, impact);
    text(impact, x(last[0]) - 8, y(last[1]) - 9, format(labels.impact, { speed: number(impactKmh) }),
      "profile-impact-text", "end");
  }

  function fillTable(table, profile, turns, impactKmh, labels, reviews) {
    var body = table.tBodies[0];
    body.textContent = "";
    var rows = profile.map(function (p, i) {
      return { d: p[0], v: p[1], note: i === profile.length - 1 ? format(labels.impact, { speed: number(impactKmh) }) : "" };
    });
    turns.forEach(function (t) {
      var near = rows.filter(function (r) { return Math.abs(r.d - t[0]) < 0.5; })[0];
      var note = format(labels.corner, { speed: number(t[1]) });
      if (near) near.note = near.note ? near.note + "; " + note : note;
      else rows.push({ d: t[0], v: t[1], note: note });
    });
    reviews.forEach(function (r) {
      rows.push({ d: Number(r.at_m) || 0, v: Number(r.speed_kmh) || 0, note: r.text });
    });
    rows.sort(function (a, b) { return a.d - b.d; });
    rows.forEach(function (r) {
      var tr = document.createElement("tr");
      [[number(r.d), "num"], [number(r.v), "num"], [r.note, ""]].forEach(function (cell) {
        var td = document.createElement("td");
        td.textContent = cell[0];
        if (cell[1]) td.className = cell[1];
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
  }

  function markChosen(id) {
    document.querySelectorAll("button[data-profile]").forEach(function (button) {
      button.setAttribute("aria-pressed", button.dataset.profile === id ? "true" : "false");
    });
    document.querySelectorAll("#entries-table tr[data-entry]").forEach(function (row) {
      row.classList.toggle("selected", row.dataset.entry === id);
    });
  }

  function setup(section) {
    var data = readJson(section.dataset.source);
    if (!data) return;
    var labels = data.profileLabels || {};
    var byId = itemsById(data);
    var box = section.querySelector("#speed-profile-chart");
    var description = section.querySelector("#speed-profile-description");
    var table = section.querySelector("#speed-profile-table");

    function show(id) {
      var found = byId[id];
      markChosen(id || "");
      section.dataset.item = id || "";
      if (!found) {
        box.textContent = "";
        description.textContent = "";
        if (table) table.tBodies[0].textContent = "";
        section.dataset.points = "0";
        section.dataset.corners = "0";
        section.dataset.ready = "true";
        return;
      }
      var profile = cleanPoints(found.item.speed_profile);
      var turns = cleanPoints(found.item.turns);
      if (profile.length < 2) {
        box.textContent = "";
        description.textContent = labels.noProfile || "";
        if (table) table.tBodies[0].textContent = "";
        section.dataset.points = "0";
        section.dataset.corners = "0";
        section.dataset.ready = "true";
        return;
      }
      var impactKmh = Number(found.item.impact_speed_kmh || profile[profile.length - 1][1]);
      description.textContent = describe(found, profile, turns, labels);
      var texts = found.item.review_texts || [];
      var reviews = (found.item.review || []).map(function (r, i) {
        return { at_m: r.at_m, speed_kmh: r.speed_kmh, text: texts[i] || r.code };
      });
      var pathProfile = cleanPoints(found.item.path_speed_profile);
      drawChart(box, profile, turns, impactKmh, labels, reviews, pathProfile);
      section.dataset.pathPoints = String(pathProfile.length);
      if (table) fillTable(table, profile, turns, impactKmh, labels, reviews);
      section.dataset.points = String(profile.length);
      section.dataset.corners = String(turns.length);
      section.dataset.reviews = String(reviews.length);
      section.dataset.ready = "true";
    }

    document.addEventListener("click", function (event) {
      var target = event.target instanceof Element ? event.target : null;
      if (!target) return;
      var button = target.closest("button[data-profile]");
      if (button) {
        show(button.dataset.profile);
        return;
      }
      // A click anywhere else on an entry's row chooses it too (but not on its links).
      var row = target.closest("#entries-table tr[data-entry]");
      if (row && !target.closest("a, button, input, select")) show(row.dataset.entry);
    });
    var select = document.getElementById("vehicle-select");
    if (select) {
      select.addEventListener("change", function () { show(fastestOf(data, select.value)); });
    }
    show(data.selectedEntry || fastestOf(data, data.selected));
    global.PactesurProfile = { show: show };
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-speed-profile]").forEach(setup);
  });
})(window);
