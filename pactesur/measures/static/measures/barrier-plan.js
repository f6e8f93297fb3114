/* A barrier plan on its space's map: the space, the plan's elements coloured by the engine's verdict,
 * the proposed lines and (for those who read the full analysis) the entries after the plan.
 *
 * Where the page is editable, Leaflet.draw draws new elements and reshapes or removes drawn ones:
 * each drawing fills an element form of the page (its GeoJSON geometry, its kind from the shape),
 * reshaping rewrites that form's geometry, removing ticks its "delete" box. The forms stay the
 * truth: the server reads and checks them, and they can be filled by hand where no script runs.
 * Needs spaces-map.js (and leaflet.draw.js when editable).
 */
(function (global) {
  "use strict";

  var SPACE = { color: "#7209b7", weight: 2, fillColor: "#7209b7", fillOpacity: 0.15 };
  var VERDICT = { holds: "#1e7b45", fails: "#b3261e", unchecked: "#555555" };
  var PROPOSED = { color: "#1d4f91", weight: 3, dashArray: "6 5", opacity: 0.8 };

  function elementStyle(verdict) {
    return { color: VERDICT[verdict] || VERDICT.unchecked, weight: 5, opacity: 0.9 };
  }

  function formsBox() {
    return document.getElementById("element-forms");
  }

  function fieldOf(fieldset, name) {
    return fieldset.querySelector('[name$="-' + name + '"]');
  }

  function showKindFields(fieldset) {
    var kind = fieldOf(fieldset, "kind");
    if (!kind) return;
    var groups = { "for-line": "barrier_line", "for-speed": "speed_reduction", "for-closure": "closure" };
    Object.keys(groups).forEach(function (cls) {
      fieldset.querySelectorAll("." + cls).forEach(function (p) {
        p.hidden = kind.value !== groups[cls];
      });
    });
  }

  function emptyForm() {
    // The extra form the server gives (no geometry yet), else a new one from the template.
    var box = formsBox();
    var found = null;
    box.querySelectorAll("[data-element-form]").forEach(function (fs) {
      var g = fieldOf(fs, "geometry");
      if (!found && g && !g.value.trim()) found = fs;
    });
    if (found) return found;
    var total = document.getElementById("id_el-TOTAL_FORMS");
    var index = parseInt(total.value, 10);
    var template = document.getElementById("element-template");
    var html = template.innerHTML.replace(/__prefix__/g, String(index)).replace(/__n__/g, String(index + 1));
    var holder = document.createElement("div");
    holder.innerHTML = html.trim();
    var fieldset = holder.firstElementChild;
    box.appendChild(fieldset);
    total.value = String(index + 1);
    wireForm(fieldset);
    return fieldset;
  }

  function wireForm(fieldset) {
    var kind = fieldOf(fieldset, "kind");
    if (kind) kind.addEventListener("change", function () { showKindFields(fieldset); });
    showKindFields(fieldset);
  }

  function setUp(element) {
    var spaces = global.PactesurSpaces;
    var data = spaces.readJson(element.dataset.source);
    if (!data) return;
    if (global.PactesurMap && global.PactesurMap.translateDraw) global.PactesurMap.translateDraw();
    var labels = data.labels || {};
    var spaceCollection = { type: "FeatureCollection", features: [data.space] };
    var map = spaces.makeMap(element, data, spaces.boundsOf(spaceCollection));
    L.geoJSON(data.space, { renderer: map.pactesurSvg, style: SPACE, interactive: false }).addTo(map);
    var proposed = L.geoJSON(data.proposed, {
      renderer: map.pactesurSvg,
      style: PROPOSED,
      onEachFeature: function (f, layer) {
        layer.bindTooltip(labels.proposed + ": " + (f.properties.rating || ""), { sticky: true });
      },
    }).addTo(map);
    var entries = L.geoJSON(data.entries, {
      pointToLayer: function (f, latlng) {
        var open = f.properties.open;
        return L.circleMarker(latlng, {
          renderer: map.pactesurSvg,
          radius: open ? 7 : 4,
          color: open ? "#b3261e" : "#666666",
          weight: 2,
          fillOpacity: open ? 0.7 : 0.3,
        }).bindTooltip(
          f.properties.vehicle + " " + (f.properties.speed ? Math.round(f.properties.speed) + " km/h " : "") +
            (open ? labels.open : ""),
          { sticky: true }
        );
      },
    }).addTo(map);

    var drawn = new L.FeatureGroup();
    map.addLayer(drawn);
    var fieldsets = formsBox() ? Array.prototype.slice.call(formsBox().querySelectorAll("[data-element-form]")) : [];
    (data.elements.features || []).forEach(function (f, i) {
      L.geoJSON(f, {
        renderer: map.pactesurSvg,
        style: elementStyle(f.properties.verdict),
        pointToLayer: function (_f, latlng) {
          return L.marker(latlng);
        },
      }).eachLayer(function (layer) {
        layer.pactesurForm = fieldsets[i] || null;
        layer.bindTooltip(labels.element + " " + f.properties.number + (f.properties.label ? " — " + f.properties.label : "") +
          " (" + (labels[f.properties.verdict] || "") + ")");
        drawn.addLayer(layer);
      });
    });
    // The plan's own layers, open at the bottom left (as on the analysis pages), apart from the base map's.
    var layersControl = L.control.layers(null, {}, { collapsed: false, position: "bottomleft" });
    layersControl.addOverlay(drawn, labels.elements);
    layersControl.addOverlay(proposed, labels.proposed);
    if ((data.entries.features || []).length) layersControl.addOverlay(entries, labels.entries);
    layersControl.addTo(map);
    if (global.PactesurMap && global.PactesurMap.labelLayersControl) global.PactesurMap.labelLayersControl(layersControl);

    fieldsets.forEach(wireForm);
    if (element.dataset.editable === "true" && L.Control.Draw && formsBox()) {
      if (L.drawLocal) {
        if (labels.drawLine) L.drawLocal.draw.toolbar.buttons.polyline = labels.drawLine;
        if (labels.drawMarker) L.drawLocal.draw.toolbar.buttons.marker = labels.drawMarker;
      }
      map.addControl(
        new L.Control.Draw({
          position: "topleft",
          draw: {
            polyline: { shapeOptions: elementStyle("unchecked") },
            marker: true,
            polygon: false,
            rectangle: false,
            circle: false,
            circlemarker: false,
          },
          edit: { featureGroup: drawn, remove: true },
        })
      );
      map.on(L.Draw.Event.CREATED, function (event) {
        var layer = event.layer;
        var fieldset = emptyForm();
        var geometry = layer.toGeoJSON().geometry;
        fieldOf(fieldset, "geometry").value = JSON.stringify(geometry);
        var kind = fieldOf(fieldset, "kind");
        kind.value = geometry.type === "Point" ? "speed_reduction" : "barrier_line";
        showKindFields(fieldset);
        layer.pactesurForm = fieldset;
        drawn.addLayer(layer);
        var focus = fieldOf(fieldset, "label");
        if (focus) focus.focus({ preventScroll: false });
      });
      map.on(L.Draw.Event.EDITED, function (event) {
        event.layers.eachLayer(function (layer) {
          if (layer.pactesurForm) fieldOf(layer.pactesurForm, "geometry").value = JSON.stringify(layer.toGeoJSON().geometry);
        });
      });
      map.on(L.Draw.Event.DELETED, function (event) {
        event.layers.eachLayer(function (layer) {
          var fs = layer.pactesurForm;
          if (!fs) return;
          var remove = fieldOf(fs, "DELETE");
          if (remove) remove.checked = true;
          else fieldOf(fs, "geometry").value = "";
        });
      });
    }
    element.dataset.elements = String(drawn.getLayers().length);
    element.dataset.ready = "true";
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-barrier-plan]").forEach(setUp);
  });
})(window);
