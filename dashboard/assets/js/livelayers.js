// Live layers on every Leaflet map: demand heat by hex, incidents, units, a legend, and on
// the inspector's map assignment lines and the selected incident's ring. Added to the maps
// Dash mounted and updated marker by marker from the store: nothing is re-rendered by React
// per event.
import { h } from "./dom.js";
import { warningWords, words } from "./format.js";
import { legendControl, UNIT_OUTLINE } from "./legend.js";
import { GRADE_STYLE, HEAT_COLOUR, LIVE_GRADES, UNIT_COLOUR, WARNING_OUTLINE } from "./palette.js";
import { request } from "./session.js";
import { live } from "./store.js";

let hexGeometry = null;  // /api/geo/hexes, fetched once per page load
function hexes() {
  if (!hexGeometry) {
    hexGeometry = request("GET", "/api/geo/hexes").then(function (a) { return a.body; });
  }
  return hexGeometry;
}

function canvasPane(map, name, zIndex) {
  const pane = map.getPane(name) || map.createPane(name);
  pane.style.zIndex = zIndex;
  return L.canvas({ pane: name });
}

const UNIT_RADIUS = 5;  // half the square's side at 1920x1080

// A unit: a square on the canvas, so units and incidents (circles) differ in shape, not
// only in colour. Hit-testing stays the circle's (same size), which is what a click needs.
// Made on first use: Leaflet (window.L) is there by then, not necessarily at import.
let SquareMarker = null;
function squareMarker(latlng, options) {
  SquareMarker = SquareMarker || L.CircleMarker.extend({
    _updatePath: function () {
      const renderer = this._renderer;
      if (!renderer._drawing || this._empty()) { return; }
      const p = this._point, ctx = renderer._ctx, s = Math.max(Math.round(this._radius), 1);
      ctx.beginPath();
      ctx.rect(p.x - s, p.y - s, 2 * s, 2 * s);
      renderer._fillStroke(ctx, this);
    },
  });
  return new SquareMarker(latlng, options);
}

// Marker sizes follow the map's size: 1 on a 1920x1080 wall's map, 2 on a 3840x2160 one
// (read from 3-6 m), never below the desk size.
function scaleOf(map) {
  const size = map.getSize();
  return Math.min(3, Math.max(1, Math.sqrt(size.x * size.y) / 1200));
}

export function LiveLayers(map, options) {
  this.map = map;
  this.options = options || {};
  this.incidentMarkers = new Map();
  this.unitMarkers = new Map();
  this.hexLayers = new Map();
  this.links = new Map();  // unit id -> line to its incident
  this.linked = new Map();  // incident id -> Set of unit ids with a line to it
  this.highlighted = null;  // incident id
  this.ring = null;
  this.scale = scaleOf(map);
  this.labels = false;
  // Each live layer on a canvas of its own, above the boroughs: a unit's move repaints
  // the units' canvas only, never the 3,000 hexes or the borough outlines (one shared
  // canvas made every frame repaint all of it: docs/performance.md).
  this.heatCanvas = canvasPane(map, "bl-heat", 410);
  this.linkCanvas = canvasPane(map, "bl-links", 430);
  this.incidentCanvas = canvasPane(map, "bl-incidents", 440);
  this.unitCanvas = canvasPane(map, "bl-units", 450);
  this.ringCanvas = canvasPane(map, "bl-ring", 460);
  this.heat = L.layerGroup().addTo(map);
  this.lines = L.layerGroup().addTo(map);
  this.incidents = L.layerGroup().addTo(map);
  this.units = L.layerGroup().addTo(map);
  this.legend = legendControl().addTo(map);
  const self = this;
  this.relabel();
  map.on("moveend", function () { self.relabel(); });
  map.on("resize", function () {
    const scale = scaleOf(map);
    if (scale !== self.scale) { self.scale = scale; self.restyle(); }
    self.relabel();
  });
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
  const self = this;
  if (change.reset) {
    this.incidents.clearLayers(); this.incidentMarkers.clear();
    this.units.clearLayers(); this.unitMarkers.clear();
    this.lines.clearLayers(); this.links.clear(); this.linked.clear();
    // Lines are drawn from the units' side below: no incident needs to look for its units.
    this._drawing = true;
    live.incidents.forEach(function (incident, id) { self.incident(id, incident); });
    this._drawing = false;
    live.units.forEach(function (unit, id) { self.unit(id, unit); });
  } else {
    change.incidents.forEach(function (id) { self.incident(id, live.incidents.get(id)); });
    change.units.forEach(function (id) { self.unit(id, live.units.get(id)); });
  }
  if (change.reset || change.incidents.size) { this.paintHeat(); }
  // Units come and go: recount the labels' room at most once a second, not per frame.
  if (change.reset) { this.relabel(); } else if (change.units.size && !this._relabelTimer) {
    this._relabelTimer = setTimeout(function () { self._relabelTimer = null; self.relabel(); }, 1000);
  }
  if (this.highlighted && (change.reset || change.incidents.has(this.highlighted))) { this.paintRing(); }
};

LiveLayers.prototype.incidentStyle = function (incident) {
  const style = Object.assign({}, GRADE_STYLE[incident.grade] || GRADE_STYLE.E);
  if (incident.status !== "open") { style.fillOpacity = 0.35; style.radius = Math.max(4, style.radius - 3); }
  if (incident.warnings && incident.warnings.length) { Object.assign(style, WARNING_OUTLINE); } else { style.dashArray = null; }
  style.radius *= this.scale;
  style.weight *= this.scale;
  return style;
};

LiveLayers.prototype.unitStyle = function (unit) {
  return {
    radius: UNIT_RADIUS * this.scale, fillColor: UNIT_COLOUR[unit.status] || UNIT_COLOUR.off_duty,
    color: UNIT_OUTLINE, weight: 1.5 * this.scale, fillOpacity: 0.95,
  };
};

LiveLayers.prototype.incident = function (id, incident) {
  let marker = this.incidentMarkers.get(id);
  if (!incident) {
    if (marker) { this.incidents.removeLayer(marker); this.incidentMarkers.delete(id); }
    this.relink(id);
    return;
  }
  const style = this.incidentStyle(incident);
  if (!marker) {
    marker = L.circleMarker([incident.lat, incident.lon], Object.assign({ renderer: this.incidentCanvas }, style));
    marker.bluelamp = { kind: "incident", id: id };
    const self = this;
    marker.on("click", function () { if (self.options.onClick) { self.options.onClick("incident", id); } });
    this.incidentMarkers.set(id, marker);
    this.incidents.addLayer(marker);
  } else {
    marker.setLatLng([incident.lat, incident.lon]);
    marker.setStyle(style);
    marker.setRadius(style.radius);
  }
  let label = incident.grade + " · " + words("category", incident.category) + " · " + incident.incident_id;
  if (incident.warnings && incident.warnings.length) { label += " · " + warningWords(incident.warnings); }
  if (this.options.summaries && incident.summary) { label += " — " + incident.summary; }
  marker.unbindTooltip().bindTooltip(h("span", {}, label), { className: "bl-tooltip" });
  if (incident.grade === "I" && incident.status === "open") { marker.bringToFront(); }
  this.relink(id);
};

LiveLayers.prototype.unit = function (id, unit) {
  let marker = this.unitMarkers.get(id);
  if (!unit) {
    if (marker) { this.units.removeLayer(marker); this.unitMarkers.delete(id); }
    this.link(id, null);
    return;
  }
  const style = this.unitStyle(unit);
  if (!marker) {
    marker = squareMarker([unit.lat, unit.lon], Object.assign({ renderer: this.unitCanvas }, style));
    marker.bluelamp = { kind: "unit", id: id };
    const self = this;
    marker.on("click", function () { if (self.options.onClick) { self.options.onClick("unit", id); } });
    this.unitMarkers.set(id, marker);
    this.units.addLayer(marker);
    this.label(marker, unit);
  } else {
    marker.setLatLng([unit.lat, unit.lon]);
    marker.setStyle(style);
    marker.setRadius(style.radius);
  }
  this.link(id, unit);
};

// -- callsign labels ---------------------------------------------------------------------

// Callsigns always on hover; printed beside every unit while there is room for them:
// at most one label per LABEL_AREA of map (in 1920x1080 pixels), so a few units get
// theirs at any zoom, a busy London only when zoomed in.
const LABEL_AREA = 25000;
LiveLayers.prototype.wantsLabels = function () {
  const size = this.map.getSize(), bounds = this.map.getBounds();
  let shown = 0;
  this.unitMarkers.forEach(function (marker) { if (bounds.contains(marker.getLatLng())) { shown++; } });
  return shown > 0 && shown <= (size.x * size.y) / (this.scale * this.scale * LABEL_AREA);
};

LiveLayers.prototype.label = function (marker, unit) {
  marker.unbindTooltip();
  if (this.labels) {
    marker.bindTooltip(h("span", {}, unit.callsign), {
      permanent: true, direction: "right", className: "bl-callsign", interactive: false,
      offset: [Math.round(UNIT_RADIUS * this.scale), 0],
    });
  } else {
    marker.bindTooltip(h("span", {}, unit.callsign), { className: "bl-tooltip" });
  }
};

LiveLayers.prototype.relabel = function () {
  const labels = this.wantsLabels();
  this.map.getContainer().classList.toggle("bl-labelled", labels);
  if (labels === this.labels) { return; }
  this.labels = labels;
  const self = this;
  this.unitMarkers.forEach(function (marker, id) {
    const unit = live.units.get(id);
    if (unit) { self.label(marker, unit); }
  });
};

LiveLayers.prototype.restyle = function () {
  const self = this;
  this.incidentMarkers.forEach(function (marker, id) {
    const incident = live.incidents.get(id);
    if (incident) { const style = self.incidentStyle(incident); marker.setStyle(style); marker.setRadius(style.radius); }
  });
  this.unitMarkers.forEach(function (marker, id) {
    const unit = live.units.get(id);
    if (unit) { const style = self.unitStyle(unit); marker.setStyle(style); marker.setRadius(style.radius); self.label(marker, unit); }
  });
  this.lines.eachLayer(function (line) { line.setStyle({ weight: 2.5 * self.scale }); });
  this.paintRing();
};

// -- assignment lines ---------------------------------------------------------------------

// A line from a unit to the incident it is committed to (maps opened with lines: true),
// in the unit's status colour, on a canvas of its own under the markers.
LiveLayers.prototype.link = function (unitId, unit) {
  let line = this.links.get(unitId);
  const incident = unit && this.options.lines && unit.incident_id ? live.incidents.get(unit.incident_id) : null;
  if (line && (!incident || line.bluelamp.incident !== unit.incident_id)) {
    this.lines.removeLayer(line);
    this.links.delete(unitId);
    const before = this.linked.get(line.bluelamp.incident);
    if (before) { before.delete(unitId); if (!before.size) { this.linked.delete(line.bluelamp.incident); } }
    line = null;
  }
  if (!incident) { return; }
  const ends = [[unit.lat, unit.lon], [incident.lat, incident.lon]];
  const style = { color: UNIT_COLOUR[unit.status] || UNIT_COLOUR.off_duty, weight: 2.5 * this.scale, opacity: 0.9, dashArray: "6 4" };
  if (line) {
    line.setLatLngs(ends);
    line.setStyle(style);
    return;
  }
  line = L.polyline(ends, Object.assign({ renderer: this.linkCanvas, interactive: false }, style));
  line.bluelamp = { kind: "link", unit: unitId, incident: unit.incident_id };
  this.links.set(unitId, line);
  if (!this.linked.has(unit.incident_id)) { this.linked.set(unit.incident_id, new Set()); }
  this.linked.get(unit.incident_id).add(unitId);
  this.lines.addLayer(line);
};

// The incident moved, appeared or went: its units' lines follow.
LiveLayers.prototype.relink = function (incidentId) {
  if (!this.options.lines || this._drawing) { return; }
  const self = this;
  live.units.forEach(function (unit, unitId) {
    if (unit.incident_id === incidentId || (self.linked.get(incidentId) || new Set()).has(unitId)) { self.link(unitId, unit); }
  });
};

// -- the selected incident ----------------------------------------------------------------

// A ring round the incident the user picked (null: none), kept in place as it changes.
LiveLayers.prototype.highlight = function (incidentId) {
  this.highlighted = incidentId || null;
  this.paintRing();
};

LiveLayers.prototype.paintRing = function () {
  const incident = this.highlighted && live.incidents.get(this.highlighted);
  if (!incident) {
    if (this.ring) { this.map.removeLayer(this.ring); this.ring = null; }
    return;
  }
  const style = {
    radius: this.incidentStyle(incident).radius + 7 * this.scale, color: "#ffffff", weight: 3 * this.scale,
    fill: false, opacity: 1, interactive: false, dashArray: null,
  };
  if (!this.ring) {
    this.ring = L.circleMarker([incident.lat, incident.lon], Object.assign({ renderer: this.ringCanvas }, style)).addTo(this.map);
    this.ring.bluelamp = { kind: "ring", id: this.highlighted };
  } else {
    this.ring.setLatLng([incident.lat, incident.lon]);
    this.ring.setStyle(style);
    this.ring.setRadius(style.radius);
    this.ring.bluelamp.id = this.highlighted;
  }
};

// -- framing a BCU -----------------------------------------------------------------------

// Fit the map to a BCU's outline. The outlines arrive after the map exists, and the
// borough layer fits all London once its data lands (zoomToBounds): so wait for both,
// then fit; the latest call wins. Without animation: Leaflet drops a zoom asked for while
// another zoom animates, so a second pick in quick succession would leave the view on the
// first BCU.
LiveLayers.prototype.focusBcu = function (code) {
  const self = this;
  const token = (this._focus = {});
  (function attempt() {
    if (self._focus !== token) { return; }
    let outline = null, boroughs = false;
    self.map.eachLayer(function (layer) {
      const p = layer.feature && layer.feature.properties;
      if (!p) { return; }
      if ("gss_code" in p) { boroughs = true; }
      if (p.code === code && layer.getBounds) { outline = layer; }
    });
    if (outline && boroughs) {
      self.map.fitBounds(outline.getBounds(), { padding: [10, 10], animate: false });
    } else if (self.map.getContainer().isConnected) {
      setTimeout(attempt, 50);
    }
  })();
};

// -- demand heat -------------------------------------------------------------------------

// Demand heat: open I and S incidents per hex, deepening with the count.
LiveLayers.prototype.paintHeat = function () {
  if (!this.hexLayers.size) { return; }
  const counts = new Map();
  live.incidents.forEach(function (incident) {
    if (LIVE_GRADES[incident.grade] && incident.hex) {
      counts.set(incident.hex, (counts.get(incident.hex) || 0) + 1);
    }
  });
  const painted = this._painted || new Set();
  const next = new Set();
  const self = this;
  counts.forEach(function (n, hex) {
    const layer = self.hexLayers.get(hex);
    if (!layer) { return; }
    // Muted, under the markers: heat says where demand gathers, markers say what it is.
    layer.setStyle({ stroke: false, fillColor: HEAT_COLOUR, fillOpacity: Math.min(0.5, 0.12 + 0.1 * n) });
    next.add(hex);
  });
  painted.forEach(function (hex) {
    if (!next.has(hex)) { const layer = self.hexLayers.get(hex); if (layer) { layer.setStyle({ fillOpacity: 0 }); } }
  });
  this._painted = next;
};
