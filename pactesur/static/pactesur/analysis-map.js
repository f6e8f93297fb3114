/* Maps of the vehicle dynamics assessment, drawn on the city's own base map (PactesurMap).
 *
 * Space page: <div data-analysis-map data-source="ID">, page data {basemapUrl, space (Feature), entries
 * [{id, vehicle, lon, lat, impact_speed_kmh, kinetic_energy_kj, required_rating, path, …}], selected,
 * bands, labels}: entries of the selected class as circle markers coloured by impact speed, their
 * approach paths as lines of the same colour. PactesurAnalysis.showVehicle(code) switches the class.
 *
 * City page: <div data-analysis-city-map data-source="ID">, page data {basemapUrl, bounds, speedsUrl
 * (with VEHICLE in place of the code), selected, bands, labels}: every street coloured by the speed the
 * class can reach on it, fetched per class from speedsUrl ({lines: [band → [[lon, lat, lon, lat …]]]});
 * the sections [data-street-speeds data-vehicle=CODE] (the map as text) follow the chosen class.
 *
 * Each map element gets data-ready="true" and data-vehicle once drawn; the space map also
 * data-entries, data-paths and data-barriers (how many markers and lines are on the map), for people's
 * scripts and tests. Existing barriers that stop an approach of the class are dark markers.
 */
(function (global) {
  "use strict";

  // Slow to fast; the same colours as .band-0 … .band-7 in analysis.css.
  var BAND_COLOURS = ["#1a9850", "#66bd63", "#c2e27a", "#fee08b", "#fdae61", "#f46d43", "#d73027", "#67000d"];
  var SPACE_STYLE = { color: "#7209b7", weight: 2, fillColor: "#7209b7", fillOpacity: 0.12, interactive: false };

  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function bandOf(speed, bands) {
    for (var i = 0; i < bands.length; i++) {
      if (bands[i].upTo !== undefined && speed <= bands[i].upTo) return i;
    }
    return bands.length - 1;
  }

  function format(template, speed) {
    return String(template || "").replace("%(speed)s", speed);
  }

  function polygonBounds(geometry) {
    var b = null;
    var polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates || [];
    polygons.forEach(function (rings) {
      rings.forEach(function (ring) {
        ring.forEach(function (p) {
          if (!b) b = [p[0], p[1], p[0], p[1]];
          b[0] = Math.min(b[0], p[0]);
          b[1] = Math.min(b[1], p[1]);
          b[2] = Math.max(b[2], p[0]);
          b[3] = Math.max(b[3], p[1]);
        });
      });
    });
    return b;
  }

  function makeMap(element, data, bounds) {
    var map = global.PactesurMap.create(element, {
      basemapUrl: data.basemapUrl || "",
      bounds: bounds || undefined,
      labels: data.labels || {},
      errorText: element.dataset.textNoBasemap || "",
    });
    // The base map's own street colours would read as speeds: fade them under the analysis.
    map.pactesur.ready
      .then(function (layers) {
        if (layers.streets) layers.streets.setStyle({ opacity: 0.35 });
      })
      // Without an imported network there is no base map: the plain background stays.
      .catch(function () {});
    element.pactesurMap = map;
    return map;
  }

  function entryTooltip(entry, labels) {
    var box = document.createElement("span");
    var title = document.createElement("strong");
    // In words, as the entries table says it: the street, the kind of way, where it comes from.
    var how = [entry.approach_label || entry.approach, entry.direction_label].filter(Boolean).join(", ");
    title.textContent = entry.vehicle + " · " + (entry.street_label || entry.name || "") + (how ? " (" + how + ")" : "");
    box.appendChild(title);
    [
      (labels.impactSpeed || "impact speed") + ": " + entry.impact_speed_kmh + " km/h",
      (labels.energy || "kinetic energy") + ": " + entry.kinetic_energy_kj + " kJ",
      (labels.rating || "required rating") + ": " + entry.required_rating +
        (entry.beyond_rating ? " — " + (labels.beyond || "beyond any rating") : ""),
    ].forEach(function (line) {
      box.appendChild(document.createElement("br"));
      box.appendChild(document.createTextNode(line));
    });
    return box;
  }

  function barrierTooltip(barrier, labels) {
    var box = document.createElement("span");
    var title = document.createElement("strong");
    title.textContent = barrier.vehicle + " · " + (barrier.kind_label || barrier.kind);
    box.appendChild(title);
    [
      (labels.impactSpeed || "impact speed") + ": " + barrier.impact_speed_kmh + " km/h",
      (labels.energy || "kinetic energy") + ": " + barrier.kinetic_energy_kj + " kJ",
      (labels.rating || "required rating") + ": " + (barrier.rating_summary || barrier.required_rating),
      barrier.rated ? barrier.rated : (labels.unrated || "not rated in OpenStreetMap"),
    ].forEach(function (line) {
      box.appendChild(document.createElement("br"));
      box.appendChild(document.createTextNode(line));
    });
    return box;
  }

  function highlightBarrier(barrier) {
    document.querySelectorAll("tr[data-barrier].highlight").forEach(function (row) {
      row.classList.remove("highlight");
    });
    var button = document.querySelector('[data-profile="' + barrier.id + '"]');
    var row = button ? button.closest("tr[data-barrier]") : null;
    if (row) {
      row.classList.add("highlight");
      row.scrollIntoView({ block: "nearest" });
    }
  }

  function highlightRow(id) {
    document.querySelectorAll("tr[data-entry].highlight").forEach(function (row) {
      row.classList.remove("highlight");
    });
    var row = document.querySelector('tr[data-entry="' + id + '"]');
    if (row) {
      row.classList.add("highlight");
      row.scrollIntoView({ block: "nearest" });
    }
  }

  function spaceMap(element) {
    var data = readJson(element.dataset.source);
    if (!data) return;
    var bounds = polygonBounds(data.space.geometry);
    var pad = bounds ? Math.max(bounds[2] - bounds[0], bounds[3] - bounds[1], 0.002) * 0.6 : 0;
    var map = makeMap(element, data, bounds && [bounds[0] - pad, bounds[1] - pad, bounds[2] + pad, bounds[3] + pad]);
    // Entries and paths are SVG (the base map is a canvas): crisp, clickable, countable.
    var svg = L.svg({ padding: 0.5 });
    L.geoJSON(data.space, { style: SPACE_STYLE, renderer: svg }).addTo(map);
    var pathLayer = L.layerGroup().addTo(map);
    var entryLayer = L.layerGroup().addTo(map);
    var barrierLayer = L.layerGroup().addTo(map);
    var overlays = {};
    overlays[data.labels.paths || "Approach paths"] = pathLayer;
    overlays[data.labels.entries || "Entries"] = entryLayer;
    overlays[data.labels.barriers || "Existing protection to verify"] = barrierLayer;
    var layersControl = L.control.layers(null, overlays, { collapsed: false, position: "bottomleft" }).addTo(map);
    if (global.PactesurMap.labelLayersControl) global.PactesurMap.labelLayersControl(layersControl);

    function show(code) {
      pathLayer.clearLayers();
      entryLayer.clearLayers();
      barrierLayer.clearLayers();
      // Existing barriers that stop an approach of this class: dark discs ringed in the colour of the
      // speed they would be hit at, so they read apart from the entries (light discs).
      var barriers = (data.barriers || []).filter(function (b) { return b.vehicle === code; });
      barriers.forEach(function (b) {
        var marker = L.circleMarker([b.lat, b.lon], {
          renderer: svg, radius: 6, color: BAND_COLOURS[bandOf(b.impact_speed_kmh, data.bands)], weight: 3,
          fillColor: "#222222", fillOpacity: 1, className: "analysis-barrier",
        });
        marker.bindTooltip(barrierTooltip(b, data.labels || {}));
        marker.on("click", function () { highlightBarrier(b); });
        marker.addTo(barrierLayer);
      });
      element.dataset.barriers = String(barriers.length);
      var entries = data.entries.filter(function (e) { return e.vehicle === code; });
      var paths = 0;
      // Slowest first, so the fastest entries are drawn on top.
      entries.slice().sort(function (a, b) { return a.impact_speed_kmh - b.impact_speed_kmh; }).forEach(function (e) {
        var colour = BAND_COLOURS[bandOf(e.impact_speed_kmh, data.bands)];
        if (e.path && e.path.length >= 2) {
          L.polyline(e.path.map(function (p) { return [p[1], p[0]]; }), {
            renderer: svg, color: colour, weight: 3, opacity: 0.85, className: "analysis-path",
          }).addTo(pathLayer);
          paths += 1;
        }
        var marker = L.circleMarker([e.lat, e.lon], {
          renderer: svg, radius: 7, color: "#222222", weight: 1.5, fillColor: colour, fillOpacity: 1,
          className: "analysis-entry",
        });
        marker.bindTooltip(entryTooltip(e, data.labels || {}));
        marker.on("click", function () { highlightRow(e.id); });
        marker.addTo(entryLayer);
      });
      element.dataset.vehicle = code;
      element.dataset.entries = String(entries.length);
      element.dataset.paths = String(paths);
    }

    show(data.selected);
    element.dataset.ready = "true";
    global.PactesurAnalysis.showVehicle = show;
  }

  function cityMap(element) {
    var data = readJson(element.dataset.source);
    if (!data) return;
    var map = makeMap(element, data, data.bounds);
    var renderer = L.canvas({ padding: 0.5 });
    var layer = L.layerGroup().addTo(map);
    var message = document.getElementById("speeds-message");
    var select = document.getElementById("vehicle-select");
    var request = 0;

    function show(code) {
      var mine = ++request;
      element.dataset.ready = "false";
      if (message) message.textContent = data.labels.loading || "";
      var previous = false;
      fetch(data.speedsUrl.replace("VEHICLE", encodeURIComponent(code)), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          previous = response.headers.get("X-Network-Previous") === "1";
          return response.json();
        })
        .then(function (speeds) {
          if (mine !== request) return;
          layer.clearLayers();
          var count = 0;
          speeds.lines.forEach(function (lines, band) {
            if (!lines.length) return;
            var latlngs = lines.map(function (flat) {
              var pts = [];
              for (var i = 0; i + 1 < flat.length; i += 2) pts.push([flat[i + 1], flat[i]]);
              return pts;
            });
            count += lines.length;
            L.polyline(latlngs, {
              renderer: renderer, color: BAND_COLOURS[band], weight: 3, opacity: 0.9, interactive: false,
            }).addTo(layer);
          });
          if (message) message.textContent = previous ? data.labels.previousMap || "" : "";
          element.dataset.previous = previous ? "true" : "false";
          element.dataset.lines = String(count);
        })
        .catch(function () {
          if (mine !== request) return;
          layer.clearLayers();
          element.dataset.lines = "0";
          if (message) message.textContent = data.labels.noSpeedMap || "";
        })
        .then(function () {
          if (mine !== request) return;
          element.dataset.vehicle = code;
          element.dataset.ready = "true";
        });
    }

    // The map as text (_street_speeds.html): the section of the class shown.
    function showTables(code) {
      document.querySelectorAll("[data-street-speeds]").forEach(function (section) {
        section.hidden = section.dataset.vehicle !== code;
      });
    }

    if (select) {
      select.addEventListener("change", function () {
        show(select.value);
        showTables(select.value);
        var url = new URL(global.location.href);
        url.searchParams.set("vehicle", select.value);
        global.history.replaceState(null, "", url.toString());
      });
    }
    show(data.selected);
  }

  global.PactesurAnalysis = global.PactesurAnalysis || {};
  global.PactesurAnalysis.bandOf = bandOf;
  global.PactesurAnalysis.format = format;

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-analysis-map]").forEach(spaceMap);
    document.querySelectorAll("[data-analysis-city-map]").forEach(cityMap);
  });
})(window);
