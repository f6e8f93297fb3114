/* Drawing or reshaping a space's outline with Leaflet.draw; the outline goes to the form's hidden
 * `polygon` field as a GeoJSON geometry. Needs spaces-map.js. The map element names its data
 * (data-source) and the field (data-field); other spaces of the city are shown muted for context.
 */
(function (global) {
  "use strict";

  var DRAWN = { color: "#7209b7", weight: 3, fillColor: "#7209b7", fillOpacity: 0.3 };

  function geometryOf(group) {
    var polygons = [];
    group.eachLayer(function (layer) {
      var g = layer.toGeoJSON().geometry;
      if (g.type === "Polygon") polygons.push(g.coordinates);
      else if (g.type === "MultiPolygon") polygons = polygons.concat(g.coordinates);
    });
    if (!polygons.length) return null;
    if (polygons.length === 1) return { type: "Polygon", coordinates: polygons[0] };
    return { type: "MultiPolygon", coordinates: polygons };
  }

  function translate(labels) {
    // Leaflet.draw's own words, replaced by the page's translations where given.
    if (!labels || !L.drawLocal) return;
    var toolbar = L.drawLocal.draw.toolbar;
    var handlers = L.drawLocal.draw.handlers;
    var edit = L.drawLocal.edit;
    if (labels.drawPolygon) toolbar.buttons.polygon = labels.drawPolygon;
    if (labels.drawRectangle) toolbar.buttons.rectangle = labels.drawRectangle;
    if (labels.finish) toolbar.finish.text = labels.finish;
    if (labels.cancel) toolbar.actions.text = labels.cancel;
    if (labels.undo) toolbar.undo.text = labels.undo;
    if (labels.startPolygon) handlers.polygon.tooltip.start = labels.startPolygon;
    if (labels.continuePolygon) handlers.polygon.tooltip.cont = labels.continuePolygon;
    if (labels.endPolygon) handlers.polygon.tooltip.end = labels.endPolygon;
    if (labels.crossing) handlers.polyline.error = labels.crossing;
    if (labels.editShape) edit.toolbar.buttons.edit = labels.editShape;
    if (labels.removeShape) edit.toolbar.buttons.remove = labels.removeShape;
    if (labels.save) edit.toolbar.actions.save.text = labels.save;
    if (labels.cancel) edit.toolbar.actions.cancel.text = labels.cancel;
    if (labels.editHint) edit.handlers.edit.tooltip.text = labels.editHint;
  }

  function setUp(element) {
    var spaces = global.PactesurSpaces;
    var data = spaces.readJson(element.dataset.source);
    var field = document.getElementById(element.dataset.field);
    if (!data || !field) return;
    // The layout's translations first (map.js), then the page's own words where it gives them.
    if (global.PactesurMap && global.PactesurMap.translateDraw) global.PactesurMap.translateDraw();
    translate(data.labels);

    var current = null;
    if (field.value) {
      try {
        current = JSON.parse(field.value);
      } catch (e) {
        current = null;
      }
    }
    var currentCollection = current ? { type: "FeatureCollection", features: [{ type: "Feature", geometry: current }] } : null;
    var bounds = spaces.boundsOf(currentCollection || data.spaces);
    var map = spaces.makeMap(element, data, bounds);
    spaces.outlineLayer(map, data.spaces, { muted: true }).addTo(map);

    var drawn = new L.FeatureGroup();
    map.addLayer(drawn);
    if (current) {
      L.geoJSON(current, { renderer: map.pactesurSvg, style: DRAWN }).eachLayer(function (layer) {
        drawn.addLayer(layer);
      });
    }

    var shape = { renderer: map.pactesurSvg, color: DRAWN.color, weight: DRAWN.weight, fillOpacity: DRAWN.fillOpacity };
    map.addControl(
      new L.Control.Draw({
        position: "topleft",
        draw: {
          polygon: { allowIntersection: false, showArea: false, shapeOptions: shape },
          rectangle: { showArea: false, shapeOptions: shape },
          polyline: false,
          circle: false,
          marker: false,
          circlemarker: false,
        },
        edit: { featureGroup: drawn, remove: true },
      })
    );

    function sync() {
      var geometry = geometryOf(drawn);
      field.value = geometry ? JSON.stringify(geometry) : "";
      element.dataset.hasOutline = geometry ? "true" : "false";
      field.dispatchEvent(new Event("change", { bubbles: true }));
    }

    map.on(L.Draw.Event.CREATED, function (event) {
      // One outline per space: a new drawing replaces the previous one.
      drawn.clearLayers();
      drawn.addLayer(event.layer);
      sync();
    });
    map.on(L.Draw.Event.EDITED, sync);
    map.on(L.Draw.Event.DELETED, sync);
    element.dataset.hasOutline = current ? "true" : "false";
    element.dataset.ready = "true";
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-space-editor]").forEach(setUp);
  });
})(window);
