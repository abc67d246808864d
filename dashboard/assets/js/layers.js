// The GeoJSON layers' functions dash-leaflet calls by name: Dash passes
// {variable: "bluelamp.map.<name>"} (dashboard/map.py) and dash-leaflet looks the name up
// on window when it renders, calling it with (feature, context), context.hideout being the
// layer's hideout prop: styling happens here, layers stay mounted, nothing round-trips to
// the server. window.bluelamp.map is, with grid.js's dashAgGridFunctions, all a module puts
// on window, and Dash starts only after main.js has run, so the first render finds it.
// Canvas rendering (preferCanvas) ignores CSS classes, so colours live here, not in CSS.
import { h } from "./dom.js";
import { CITY_COLOUR } from "./palette.js";

export function boroughStyle(feature, context) {
  const p = feature.properties;
  const hideout = (context && context.hideout) || {};
  const picked = Boolean(hideout.bcu) && p.bcu === hideout.bcu;
  if (!p.met) {
    // The City of London: shown, hatched-looking and amber, but not policed by the Met.
    return { color: CITY_COLOUR, weight: 1.5, dashArray: "4 3", fillColor: "#3a3115", fillOpacity: hideout.tiles ? 0.25 : 1.0 };
  }
  return {
    color: picked ? "#d2e4f5" : "#4f6479", weight: picked ? 2 : 1,
    fillColor: picked ? "#223447" : "#18222d", fillOpacity: hideout.tiles ? 0.15 : 1.0,
  };
}

export function boroughTooltip(feature, layer) {
  const p = feature.properties;
  const text = p.met ? p.name + " (" + p.bcu + ")" : p.name + " (City of London Police, not Met)";
  layer.bindTooltip(h("span", {}, text), { sticky: true, className: "bl-tooltip" });
}

export function bcuStyle(feature, context) {
  const hideout = (context && context.hideout) || {};
  const picked = Boolean(hideout.bcu) && feature.properties.code === hideout.bcu;
  return { color: picked ? "#ffffff" : "#9fb3c8", weight: picked ? 4.5 : 3, fill: false, opacity: 0.9 };
}

function label(latlng, className, text) {
  return window.L.marker(latlng, {
    interactive: false,
    keyboard: false,
    icon: window.L.divIcon({ className, html: h("span", {}, text), iconSize: null }),
  });
}

// Named places (geodata/data/london_places.json): the larger towns from zoom 11, the rest
// closer in (CSS hides them by the map's bl-zoom-N classes, maps.js).
export function placeLabel(feature, latlng) {
  return label(latlng, "bl-place-label bl-place-" + feature.properties.rank, feature.properties.name);
}

export function bcuLabel(feature, latlng) {
  return label(latlng, "bl-bcu-label", feature.properties.code);
}

export const mapFunctions = { boroughStyle, boroughTooltip, bcuStyle, placeLabel, bcuLabel };

export function publishMapFunctions() {
  window.bluelamp = { map: mapFunctions };
}
