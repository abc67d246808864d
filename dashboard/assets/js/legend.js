// The map's legend: what every colour and shape on the map means, from the palette the
// markers use (palette.js). Open on a wall-sized map; folded to its title on a small one
// (the inspector's panel), where it would hide a good part of the BCU.
import { h } from "./dom.js";
import { CITY_COLOUR, GRADE_STYLE, HEAT_COLOUR, UNIT_COLOUR } from "./palette.js";
import { plain } from "./format.js";

export const UNIT_OUTLINE = "#0b1117";
const GRADE_WORDS = { I: "immediate", S: "significant", E: "extended", R: "referred" };
// What the legend lists, in order: the unit statuses a map can show (off duty units leave it).
export const SHOWN_STATUSES = ["available", "en_route", "on_scene", "busy", "at_station", "refreshment", "custody"];

// [title, entries] per section; an entry: {group, key, shape, colour, outline, text}.
export function legendEntries() {
  const grades = Object.keys(GRADE_STYLE).map((g) => (
    { group: "grade", key: g, shape: "circle", colour: GRADE_STYLE[g].fillColor, outline: GRADE_STYLE[g].color, text: g + " · " + GRADE_WORDS[g] }));
  const units = SHOWN_STATUSES.map((s) => (
    { group: "unit", key: s, shape: "square", colour: UNIT_COLOUR[s], outline: UNIT_OUTLINE, text: plain(s) }));
  const areas = [
    { group: "area", key: "heat", shape: "area", colour: HEAT_COLOUR, outline: HEAT_COLOUR, text: "open I and S incidents (heat)" },
    { group: "area", key: "city", shape: "area city", colour: CITY_COLOUR, outline: CITY_COLOUR, text: "City of London (own police)" },
  ];
  return [["Incidents", grades], ["Units", units], ["Areas", areas]];
}

function entry(e) {
  const swatch = h("span", {
    class: "bl-swatch " + e.shape.split(" ").map((s) => "bl-" + s).join(" "),
    style: { background: e.colour, "border-color": e.outline },
  });
  return h("li", {}, swatch, e.text);
}

export function legendBox(open) {
  return h("details", { class: "bl-legend", "aria-label": "Map legend", open },
    h("summary", {}, "Legend"),
    h("div", { class: "bl-legend-body" }, legendEntries().map(([title, entries]) => (
      h("div", { class: "bl-legend-group" }, h("h3", {}, title), h("ul", {}, entries.map(entry)))))));
}

export function legendControl() {
  const control = L.control({ position: "topright" });
  control.onAdd = (map) => {
    const box = legendBox(map.getSize().y >= 600);
    L.DomEvent.disableClickPropagation(box);
    return box;
  };
  return control;
}
