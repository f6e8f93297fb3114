/* The risk dashboard's map: every space outline filled with the colour of its risk band.
 *
 * Page data (<script type="application/json" id="assessments-map-data">): {basemapUrl, spaces:
 * FeatureCollection}; each feature's properties hold name, band (label), colour and url.
 */
(function (global) {
  "use strict";

  function boundsOf(collection) {
    var b = null;
    (collection.features || []).forEach(function (f) {
      var g = f.geometry || {};
      var polygons = g.type === "Polygon" ? [g.coordinates] : g.coordinates || [];
      polygons.forEach(function (rings) {
        rings.forEach(function (ring) {
          ring.forEach(function (p) {
            if (!b) b = [p[0], p[1], p[0], p[1]];
            b = [Math.min(b[0], p[0]), Math.min(b[1], p[1]), Math.max(b[2], p[0]), Math.max(b[3], p[1])];
          });
        });
      });
    });
    return b;
  }

  function tooltip(props) {
    var box = document.createElement("span");
    var strong = document.createElement("strong");
    strong.textContent = props.name || "";
    box.appendChild(strong);
    box.appendChild(document.createElement("br"));
    box.appendChild(document.createTextNode(props.band || ""));
    return box;
  }

  function show(element) {
    var node = document.getElementById(element.dataset.source);
    if (!node) return;
    var data = JSON.parse(node.textContent);
    var bounds = boundsOf(data.spaces);
    var map;
    if (global.PactesurMap && data.basemapUrl) {
      map = global.PactesurMap.create(element, { basemapUrl: data.basemapUrl, bounds: bounds || undefined });
      if (map.pactesur && map.pactesur.ready) map.pactesur.ready.catch(function () {});
    } else {
      map = L.map(element);
      if (!bounds) map.setView([50, 10], 4);
    }
    if (bounds) map.fitBounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]]);
    L.geoJSON(data.spaces, {
      renderer: L.svg({ padding: 0.5 }),
      style: function (f) {
        var c = (f.properties && f.properties.colour) || "#adb5bd";
        return { color: c, weight: 2, fillColor: c, fillOpacity: 0.55 };
      },
      onEachFeature: function (feature, layer) {
        var props = feature.properties || {};
        layer.bindTooltip(tooltip(props), { sticky: true });
        if (props.url) layer.on("click", function () { global.location.href = props.url; });
      },
    }).addTo(map);
    element.pactesurMap = map;
    element.dataset.spaces = String((data.spaces.features || []).length);
    element.dataset.ready = "true";
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-assessments-map]").forEach(show);
  });
})(window);
