// Live layers on every Leaflet map: demand heat by hex, incidents, units. Added to the
// maps Dash mounted and updated marker by marker: nothing is re-rendered by React per event.
(function () {
  "use strict";
  var B = window.bluelamp;
  var ui = B.ui;
  var live = B.live;
  var session = B.session;
  var escape = ui.escape, GRADE_STYLE = ui.GRADE_STYLE, UNIT_COLOUR = ui.UNIT_COLOUR, LIVE_GRADES = ui.LIVE_GRADES;

  var hexGeometry = null;  // /api/geo/hexes, fetched once per page load
  function hexes() {
    if (!hexGeometry) {
      hexGeometry = session.request("GET", "/api/geo/hexes").then(function (a) { return a.body; });
    }
    return hexGeometry;
  }

  B.layers = {};  // by map id, for tests and benchmarks that look at what is drawn

  function canvasPane(map, name, zIndex) {
    var pane = map.getPane(name) || map.createPane(name);
    pane.style.zIndex = zIndex;
    return L.canvas({ pane: name });
  }

  function LiveLayers(map, options) {
    B.layers[map.getContainer().id] = this;
    this.map = map;
    this.options = options || {};
    this.incidentMarkers = new Map();
    this.unitMarkers = new Map();
    this.hexLayers = new Map();
    // Each live layer on a canvas of its own, above the boroughs: a unit's move repaints
    // the units' canvas only, never the 3,000 hexes or the borough outlines (one shared
    // canvas made every frame repaint all of it: docs/performance.md).
    this.heatCanvas = canvasPane(map, "bl-heat", 410);
    this.incidentCanvas = canvasPane(map, "bl-incidents", 440);
    this.unitCanvas = canvasPane(map, "bl-units", 450);
    this.heat = L.layerGroup().addTo(map);
    this.incidents = L.layerGroup().addTo(map);
    this.units = L.layerGroup().addTo(map);
    var self = this;
    hexes().then(function (collection) {
      if (!collection || !collection.features) { return; }
      L.geoJSON(collection, {
        interactive: false,
        renderer: self.heatCanvas,
        style: function () { return { stroke: false, fillOpacity: 0 }; },
        onEachFeature: function (feature, layer) { self.hexLayers.set(feature.id, layer); },
      }).addTo(self.heat);
      self.paintHeat();
    });
  }

  LiveLayers.prototype.apply = function (change) {
    var self = this;
    if (change.reset) {
      this.incidents.clearLayers(); this.incidentMarkers.clear();
      this.units.clearLayers(); this.unitMarkers.clear();
      live.incidents.forEach(function (incident, id) { self.incident(id, incident); });
      live.units.forEach(function (unit, id) { self.unit(id, unit); });
    } else {
      change.incidents.forEach(function (id) { self.incident(id, live.incidents.get(id)); });
      change.units.forEach(function (id) { self.unit(id, live.units.get(id)); });
    }
    if (change.reset || change.incidents.size) { this.paintHeat(); }
  };

  LiveLayers.prototype.incident = function (id, incident) {
    var marker = this.incidentMarkers.get(id);
    if (!incident) {
      if (marker) { this.incidents.removeLayer(marker); this.incidentMarkers.delete(id); }
      return;
    }
    var style = Object.assign({}, GRADE_STYLE[incident.grade] || GRADE_STYLE.E);
    if (incident.status !== "open") { style.fillOpacity = 0.35; style.radius = Math.max(4, style.radius - 3); }
    if (!marker) {
      marker = L.circleMarker([incident.lat, incident.lon], Object.assign({ renderer: this.incidentCanvas }, style));
      marker.bluelamp = { kind: "incident", id: id };
      var self = this;
      marker.on("click", function () { if (self.options.onClick) { self.options.onClick("incident", id); } });
      this.incidentMarkers.set(id, marker);
      this.incidents.addLayer(marker);
    } else {
      marker.setLatLng([incident.lat, incident.lon]);
      marker.setStyle(style);
      marker.setRadius(style.radius);
    }
    var label = incident.grade + " · " + ui.words("category", incident.category) + " · " + incident.incident_id;
    if (this.options.summaries && incident.summary) { label += " — " + incident.summary; }
    marker.unbindTooltip().bindTooltip(escape(label), { className: "bl-tooltip" });
    if (incident.grade === "I" && incident.status === "open") { marker.bringToFront(); }
  };

  LiveLayers.prototype.unit = function (id, unit) {
    var marker = this.unitMarkers.get(id);
    if (!unit) {
      if (marker) { this.units.removeLayer(marker); this.unitMarkers.delete(id); }
      return;
    }
    var style = { radius: 5, fillColor: UNIT_COLOUR[unit.status] || "#8e8e93", color: "#0b1117", weight: 1, fillOpacity: 0.95 };
    if (!marker) {
      marker = L.circleMarker([unit.lat, unit.lon], Object.assign({ renderer: this.unitCanvas }, style));
      marker.bluelamp = { kind: "unit", id: id };
      var self = this;
      marker.on("click", function () { if (self.options.onClick) { self.options.onClick("unit", id); } });
      marker.bindTooltip(escape(unit.callsign), { className: "bl-tooltip" });
      this.unitMarkers.set(id, marker);
      this.units.addLayer(marker);
    } else {
      marker.setLatLng([unit.lat, unit.lon]);
      marker.setStyle(style);
    }
  };

  // Demand heat: open I and S incidents per hex, red deepening with the count.
  LiveLayers.prototype.paintHeat = function () {
    if (!this.hexLayers.size) { return; }
    var counts = new Map();
    live.incidents.forEach(function (incident) {
      if (LIVE_GRADES[incident.grade] && incident.hex) {
        counts.set(incident.hex, (counts.get(incident.hex) || 0) + 1);
      }
    });
    var painted = this._painted || new Set();
    var next = new Set();
    var self = this;
    counts.forEach(function (n, hex) {
      var layer = self.hexLayers.get(hex);
      if (!layer) { return; }
      // Muted, under the markers: heat says where demand gathers, markers say what it is.
      layer.setStyle({ stroke: false, fillColor: "#c2185b", fillOpacity: Math.min(0.5, 0.12 + 0.1 * n) });
      next.add(hex);
    });
    painted.forEach(function (hex) {
      if (!next.has(hex)) { var layer = self.hexLayers.get(hex); if (layer) { layer.setStyle({ fillOpacity: 0 }); } }
    });
    this._painted = next;
  };

  B.LiveLayers = LiveLayers;
})();
