/* PactesurMap: Leaflet maps drawn from the city's own OpenStreetMap base map — no tile server.
 *
 *   var map = PactesurMap.create(element, {
 *     basemapUrl: "/streets/3/basemap.json",   // the city's base map layers (JSON)
 *     bounds: [minLon, minLat, maxLon, maxLat], // optional: initial view
 *     labels: {buildings: "Buildings", …},      // optional: layer names in the layer switcher
 *     name: "Base map of Leeds",                // optional: what the map shows, for screen readers
 *   });
 *   map.pactesur.ready.then(function (layers) { … });  // layers.buildings, .water, .green, .streets
 *
 * Returns the Leaflet map, so a page adds its own layers (spaces, entries…) on top. When the base
 * map is drawn, element.dataset.basemapState becomes "ready" ("error" if it could not be loaded).
 *
 * The controls' words (zoom, layer switcher, attribution, Leaflet.draw) come translated from the page:
 * the layout's json_script "pactesur-map-texts" (pactesur.web.map_texts), read once as
 * PactesurMap.texts. PactesurMap.translateDraw() puts them into L.drawLocal before a page builds its
 * draw controls; PactesurMap.labelLayersControl(control) names a layer switcher's toggle.
 *
 * The map is a named region (WCAG 1.1.1, 4.1.2): Leaflet makes it a keyboard stop, and a screen reader
 * must hear what it shows. A page names it with aria-label or aria-labelledby on the element; else
 * `name`, data-name, or the page's main heading names it.
 */
(function (global) {
  "use strict";

  var BACKGROUND = "#f2efe9";
  var LAYER_ORDER = ["green", "water", "buildings", "streets"];
  var AREA_STYLES = {
    green: { color: "#9cc68b", weight: 0.5, fillColor: "#c8e3b5", fillOpacity: 1 },
    water: { color: "#8db7d9", weight: 0.5, fillColor: "#aad3ee", fillOpacity: 1 },
    buildings: { color: "#a9a39b", weight: 0.5, fillColor: "#d3cec7", fillOpacity: 1 },
  };
  // Street line styles by OSM highway value, then by the engine's way kind.
  var STREET_STYLES = {
    motorway: { color: "#e07a5f", weight: 5 },
    trunk: { color: "#e9967a", weight: 5 },
    primary: { color: "#f2b36b", weight: 4.5 },
    secondary: { color: "#f6cf7b", weight: 4 },
    tertiary: { color: "#fbe7a1", weight: 3.5 },
    road: { color: "#ffffff", weight: 3 },
    residential: { color: "#ffffff", weight: 3 },
    unclassified: { color: "#ffffff", weight: 3 },
    living_street: { color: "#f0f0f0", weight: 3 },
    service: { color: "#ffffff", weight: 2 },
    pedestrian: { color: "#e6dcef", weight: 3.5 },
    open_area: { color: "#e6dcef", weight: 2 },
    footway: { color: "#d9826f", weight: 1.2, dashArray: "3 3" },
    cycleway: { color: "#5a7fd6", weight: 1.2, dashArray: "4 3" },
    track: { color: "#a07c4f", weight: 1.5, dashArray: "6 3" },
    path: { color: "#9b8a76", weight: 1.2, dashArray: "3 3" },
    steps: { color: "#d9826f", weight: 2, dashArray: "1 2" },
  };
  var DEFAULT_STREET = { color: "#ffffff", weight: 2 };
  var ROAD_SUFFIX = /_link$/;

  // The page's translations of the controls' words; English defaults when the page has none.
  var TEXTS = (function () {
    var texts = {};
    try {
      var node = document.getElementById("pactesur-map-texts");
      var parsed = node ? JSON.parse(node.textContent) : null;
      if (parsed && typeof parsed === "object") texts = parsed;
    } catch (e) {
      texts = {};
    }
    return texts;
  })();

  function merge(target, source) {
    // Copies source's strings into target, key by key, keeping what source does not name.
    Object.keys(source || {}).forEach(function (key) {
      var value = source[key];
      if (value && typeof value === "object") {
        if (!target[key] || typeof target[key] !== "object") target[key] = {};
        merge(target[key], value);
      } else if (typeof value === "string" && value) {
        target[key] = value;
      }
    });
    return target;
  }

  function translateDraw() {
    // Leaflet.draw's own words, in the page's language (only when Leaflet.draw is loaded).
    if (typeof L === "undefined" || !L.drawLocal) return;
    if (TEXTS.draw) merge(L.drawLocal.draw, TEXTS.draw);
    if (TEXTS.edit) merge(L.drawLocal.edit, TEXTS.edit);
  }

  function labelLayersControl(control) {
    // The layer switcher's toggle is a link with an English title: name it in the page's language.
    var container = control && control.getContainer && control.getContainer();
    var toggle = container && container.querySelector(".leaflet-control-layers-toggle");
    if (toggle && TEXTS.layers) {
      toggle.setAttribute("title", TEXTS.layers);
      toggle.setAttribute("aria-label", TEXTS.layers);
    }
    return control;
  }

  function streetStyle(properties) {
    var p = properties || {};
    var key = String(p.highway || p["class"] || p.kind || "").replace(ROAD_SUFFIX, "");
    var style = STREET_STYLES[key] || DEFAULT_STREET;
    return {
      color: style.color,
      weight: style.weight,
      dashArray: style.dashArray || null,
      opacity: 1,
      lineCap: "round",
      lineJoin: "round",
    };
  }

  function parseBounds(text) {
    if (!text) return null;
    var parts = String(text).split(",").map(Number);
    if (parts.length !== 4 || parts.some(isNaN)) return null;
    return parts;
  }

  function toLatLngBounds(b) {
    return L.latLngBounds([b[1], b[0]], [b[3], b[2]]);
  }

  function pointAsCircle(feature, latlng) {
    return L.circleMarker(latlng, { radius: 2, weight: 1, color: "#777777", fillOpacity: 0.8 });
  }

  function drawLayer(name, collection, renderer) {
    var style = name === "streets" ? function (f) { return streetStyle(f && f.properties); } : AREA_STYLES[name];
    return L.geoJSON(collection, {
      style: style || DEFAULT_STREET,
      renderer: renderer,
      interactive: false,
      pointToLayer: pointAsCircle,
    });
  }

  function nameMap(element, opts) {
    if (!element.hasAttribute("role")) element.setAttribute("role", "region");
    if (element.hasAttribute("aria-label") || element.hasAttribute("aria-labelledby")) return;
    var name = opts.name || element.dataset.name;
    if (name) {
      element.setAttribute("aria-label", name);
      return;
    }
    var heading = document.querySelector("main h1");
    if (heading) {
      if (!heading.id) heading.id = "page-heading";
      element.setAttribute("aria-labelledby", heading.id);
    } else {
      element.setAttribute("aria-label", document.body.dataset.textMap || "Map");
    }
  }

  function create(element, options) {
    var opts = options || {};
    // Explicit labels win over the page's translated layer names.
    var labels = merge(merge({}, TEXTS.layerNames), opts.labels);
    element.classList.add("pactesur-map");
    nameMap(element, opts);
    // Without tiles, the land is this plain colour (set through the DOM, which the CSP allows).
    element.style.backgroundColor = opts.background || BACKGROUND;
    var renderer = L.canvas({ padding: 0.5 });
    var map = L.map(element, {
      preferCanvas: true,
      renderer: renderer,
      zoomSnap: 0.5,
      maxZoom: opts.maxZoom || 20,
      minZoom: opts.minZoom || 3,
      tap: true,
      zoomControl: false,
    });
    L.control
      .zoom({ zoomInTitle: TEXTS.zoomIn || "Zoom in", zoomOutTitle: TEXTS.zoomOut || "Zoom out" })
      .addTo(map);
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution(TEXTS.attribution || "© OpenStreetMap contributors (ODbL)");
    L.control.scale({ imperial: false }).addTo(map);
    var bounds = opts.bounds || null;
    if (bounds) {
      map.fitBounds(toLatLngBounds(bounds));
    } else {
      map.setView([50, 10], 4);
    }

    var layers = {};
    var ready;
    if (!opts.basemapUrl) {
      element.dataset.basemapState = "none";
      ready = Promise.resolve(layers);
    } else {
      element.dataset.basemapState = "loading";
      ready = fetch(opts.basemapUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        })
        .then(function (data) {
          var overlays = {};
          var features = 0;
          var names = LAYER_ORDER.concat(Object.keys(data).filter(function (k) {
            return LAYER_ORDER.indexOf(k) < 0;
          }));
          names.forEach(function (name) {
            var collection = data[name];
            if (!collection || !collection.features) return;
            var layer = drawLayer(name, collection, renderer).addTo(map);
            features += collection.features.length;
            layers[name] = layer;
            overlays[labels[name] || name] = layer;
          });
          labelLayersControl(L.control.layers(null, overlays, { collapsed: true }).addTo(map));
          if (!bounds) {
            var all = L.featureGroup(Object.keys(layers).map(function (k) { return layers[k]; }));
            var fitted = all.getBounds();
            if (fitted.isValid()) map.fitBounds(fitted);
          }
          element.dataset.basemapFeatures = String(features);
          element.dataset.basemapState = "ready";
          return layers;
        })
        .catch(function (error) {
          element.dataset.basemapState = "error";
          var note = L.control({ position: "topright" });
          note.onAdd = function () {
            var div = L.DomUtil.create("div", "pactesur-map-error");
            div.textContent = opts.errorText || TEXTS.basemapError || "The base map could not be loaded.";
            return div;
          };
          note.addTo(map);
          throw error;
        });
    }
    map.pactesur = { layers: layers, ready: ready };
    return map;
  }

  global.PactesurMap = {
    create: create,
    streetStyle: streetStyle,
    parseBounds: parseBounds,
    toLatLngBounds: toLatLngBounds,
    texts: TEXTS,
    translateDraw: translateDraw,
    labelLayersControl: labelLayersControl,
  };
})(window);
