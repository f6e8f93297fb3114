/* The streets base-map page: one full map of the city's active network. */
(function () {
  "use strict";
  var element = document.getElementById("basemap");
  if (!element) return;
  var d = element.dataset;
  var map = PactesurMap.create(element, {
    basemapUrl: d.basemapUrl,
    bounds: PactesurMap.parseBounds(d.bounds),
    labels: { buildings: d.labelBuildings, water: d.labelWater, green: d.labelGreen, streets: d.labelStreets },
    errorText: d.textError,
  });
  map.pactesur.ready.catch(function () { /* shown on the map by PactesurMap */ });
})();
