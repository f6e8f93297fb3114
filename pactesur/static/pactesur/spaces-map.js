/* Spaces on the city's map: read the page's JSON (json_script), draw every outline, link to each space.
 *
 * Page data (<script type="application/json" id="…">): {basemapUrl, spaces: FeatureCollection}; each
 * feature's properties hold id, name, kind, url and focus (the space the page is about).
 * Exposes PactesurSpaces.makeMap / .outlineLayer / .boundsOf for spaces-edit.js.
 */
(function (global) {
  "use strict";

  var OUTLINE = { color: "#b5179e", weight: 2, fillColor: "#f72585", fillOpacity: 0.25 };
  var FOCUS = { color: "#7209b7", weight: 3, fillColor: "#7209b7", fillOpacity: 0.3 };
  var MUTED = { color: "#6c757d", weight: 1.5, fillColor: "#adb5bd", fillOpacity: 0.15, dashArray: "4 3" };

  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function eachPosition(geometry, fn) {
    if (!geometry) return;
    var polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates || [];
    polygons.forEach(function (rings) {
      rings.forEach(function (ring) {
        ring.forEach(fn);
      });
    });
  }

  /* [minLon, minLat, maxLon, maxLat] of the features, or null when there is none. */
  function boundsOf(collection) {
    var b = null;
    ((collection && collection.features) || []).forEach(function (f) {
      eachPosition(f.geometry, function (p) {
        if (!b) b = [p[0], p[1], p[0], p[1]];
        b[0] = Math.min(b[0], p[0]);
        b[1] = Math.min(b[1], p[1]);
        b[2] = Math.max(b[2], p[0]);
        b[3] = Math.max(b[3], p[1]);
      });
    });
    if (!b) return null;
    // A little margin, so the outline does not touch the map's edge.
    var dx = Math.max((b[2] - b[0]) * 0.15, 0.0005);
    var dy = Math.max((b[3] - b[1]) * 0.15, 0.0005);
    return [b[0] - dx, b[1] - dy, b[2] + dx, b[3] + dy];
  }

  /* A map with the city's base map when there is one, else a plain background. */
  function makeMap(element, data, bounds) {
    var options = {
      basemapUrl: data.basemapUrl || "",
      errorText: element.dataset.textNoBasemap || "",
      labels: data.labels || {},
    };
    if (bounds) options.bounds = bounds;
    var map;
    if (global.PactesurMap && typeof global.PactesurMap.create === "function") {
      map = global.PactesurMap.create(element, options);
      if (map.pactesur && map.pactesur.ready) {
        // A city without an imported network has no base map: the plain background stays.
        map.pactesur.ready.catch(function () {});
      }
    } else {
      element.classList.add("pactesur-map");
      map = L.map(element);
      if (bounds) {
        map.fitBounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]]);
      } else {
        map.setView([50, 10], 4);
      }
    }
    // Outlines are SVG paths (the base map may draw on a canvas), so they stay crisp and clickable.
    map.pactesurSvg = L.svg({ padding: 0.5 });
    // Reachable from the element for other scripts and browser tests.
    element.pactesurMap = map;
    return map;
  }

  function nameTooltip(props) {
    var box = document.createElement("span");
    var strong = document.createElement("strong");
    strong.textContent = props.name || "";
    box.appendChild(strong);
    if (props.kind) {
      box.appendChild(document.createElement("br"));
      box.appendChild(document.createTextNode(props.kind));
    }
    return box;
  }

  /* The spaces as one GeoJSON layer; `options.muted` draws them as context, not links. */
  function outlineLayer(map, collection, options) {
    var opts = options || {};
    return L.geoJSON(collection, {
      renderer: map.pactesurSvg,
      style: function (f) {
        if (opts.muted) return MUTED;
        return f.properties && f.properties.focus ? FOCUS : OUTLINE;
      },
      onEachFeature: function (feature, layer) {
        var props = feature.properties || {};
        layer.bindTooltip(nameTooltip(props), { sticky: true });
        if (!opts.muted && props.url && !props.focus) {
          layer.on("click", function () {
            global.location.href = props.url;
          });
        }
      },
    });
  }

  function showSpaces(element) {
    var data = readJson(element.dataset.source);
    if (!data) return;
    var map = makeMap(element, data, boundsOf(data.spaces));
    outlineLayer(map, data.spaces).addTo(map);
    element.dataset.spaces = String((data.spaces.features || []).length);
    element.dataset.ready = "true";
  }

  global.PactesurSpaces = { makeMap: makeMap, outlineLayer: outlineLayer, boundsOf: boundsOf, readJson: readJson };

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-spaces-map]").forEach(showSpaces);
  });
})(window);
