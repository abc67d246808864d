// The map's layers: the GeoJSON functions dash-leaflet calls by name (layers.js), the live
// markers' styles (livelayers.js) and the legend (legend.js), all from one palette.
import { elements } from "./page.js";
import test from "node:test";
import assert from "node:assert/strict";
import { bcuLabel, bcuStyle, boroughStyle, boroughTooltip, mapFunctions, placeLabel, publishMapFunctions } from "../../dashboard/assets/js/layers.js";
import { LiveLayers } from "../../dashboard/assets/js/livelayers.js";
import { legendBox, legendEntries, SHOWN_STATUSES, UNIT_OUTLINE } from "../../dashboard/assets/js/legend.js";
import { CITY_COLOUR, GRADE_STYLE, UNIT_COLOUR } from "../../dashboard/assets/js/palette.js";

const borough = (bcu, extra) => ({ properties: { name: "Camden", bcu, met: true, ...extra } });

test("dash-leaflet finds the layer functions by name on window, and nothing else is there", () => {
  publishMapFunctions();
  assert.deepEqual(Object.keys(window.bluelamp), ["map"]);
  assert.equal(window.bluelamp.map.boroughStyle, boroughStyle);
  assert.deepEqual(Object.keys(mapFunctions).sort(), ["bcuLabel", "bcuStyle", "boroughStyle", "boroughTooltip", "placeLabel"]);
});

test("boroughs: the BCU the hideout picks is lit, the rest dark; filled unless tiles show", () => {
  const picked = boroughStyle(borough("CN"), { hideout: { bcu: "CN" } });
  const other = boroughStyle(borough("AW"), { hideout: { bcu: "CN" } });
  assert.equal(picked.color, "#d2e4f5");
  assert.equal(picked.weight, 2);
  assert.equal(other.color, "#4f6479");
  assert.equal(other.weight, 1);
  assert.notEqual(picked.fillColor, other.fillColor);
  assert.equal(other.fillOpacity, 1);
  assert.equal(boroughStyle(borough("AW"), { hideout: { tiles: true } }).fillOpacity, 0.15);
  // No hideout at all (a layer without one): nothing picked.
  assert.equal(boroughStyle(borough("AW"), undefined).color, "#4f6479");
});

test("the City of London: amber and dashed, its own police, never picked", () => {
  const city = boroughStyle(borough(null, { met: false, name: "City of London" }), { hideout: { bcu: "CN" } });
  assert.equal(city.color, CITY_COLOUR);
  assert.equal(city.dashArray, "4 3");
  const tooltips = [];
  boroughTooltip(borough(null, { met: false, name: "City of London" }), { bindTooltip: (content, options) => tooltips.push([content, options]) });
  boroughTooltip(borough("CN"), { bindTooltip: (content, options) => tooltips.push([content, options]) });
  assert.equal(tooltips[0][0].textContent, "City of London (City of London Police, not Met)");
  assert.equal(tooltips[1][0].textContent, "Camden (CN)");
  assert.equal(tooltips[1][1].className, "bl-tooltip");
});

test("BCU outlines: the picked one white and heavier, never filled", () => {
  const picked = bcuStyle({ properties: { code: "CN" } }, { hideout: { bcu: "CN" } });
  const other = bcuStyle({ properties: { code: "AW" } }, { hideout: { bcu: "CN" } });
  assert.deepEqual([picked.color, picked.weight, picked.fill], ["#ffffff", 4.5, false]);
  assert.deepEqual([other.color, other.weight, other.fill], ["#9fb3c8", 3, false]);
});

test("place and BCU labels: names as text in a div icon, by rank", () => {
  window.L = { marker: (latlng, options) => ({ latlng, options }), divIcon: (options) => options };
  const place = placeLabel({ properties: { name: "<b>Soho</b>", rank: 2 } }, [51.5, -0.13]);
  assert.equal(place.options.interactive, false);
  assert.equal(place.options.icon.className, "bl-place-label bl-place-2");
  assert.equal(place.options.icon.html.textContent, "<b>Soho</b>");
  assert.equal(place.options.icon.html.children.length, 0);
  assert.equal(bcuLabel({ properties: { code: "CN" } }, [51.5, -0.1]).options.icon.html.textContent, "CN");
});

test("incidents: colour and size by grade; smaller and fainter once a unit is attached; scaled with the map", () => {
  const style = (incident, scale = 1) => LiveLayers.prototype.incidentStyle.call({ scale }, incident);
  for (const grade of ["I", "S", "E", "R"]) {
    const open = style({ grade, status: "open" });
    assert.equal(open.fillColor, GRADE_STYLE[grade].fillColor);
    assert.equal(open.radius, GRADE_STYLE[grade].radius);
  }
  const attended = style({ grade: "I", status: "assigned" });
  assert.equal(attended.fillColor, GRADE_STYLE.I.fillColor);
  assert.equal(attended.fillOpacity, 0.35);
  assert.equal(attended.radius, 7);
  assert.equal(style({ grade: "R", status: "on_scene" }).radius, 4);  // never below 4
  assert.equal(style({ grade: "X", status: "open" }).fillColor, GRADE_STYLE.E.fillColor);  // unknown: as E
  const big = style({ grade: "I", status: "open" }, 2);
  assert.deepEqual([big.radius, big.weight], [20, 5]);
  assert.equal(GRADE_STYLE.I.radius, 10);  // the palette itself is not changed
});

test("units: the status's colour, off duty's for a status it does not know, scaled", () => {
  const style = (unit, scale = 1) => LiveLayers.prototype.unitStyle.call({ scale }, unit);
  for (const status of Object.keys(UNIT_COLOUR)) { assert.equal(style({ status }).fillColor, UNIT_COLOUR[status]); }
  assert.equal(style({ status: "teleported" }).fillColor, UNIT_COLOUR.off_duty);
  assert.equal(style({ status: "busy" }).color, UNIT_OUTLINE);
  assert.deepEqual([style({ status: "busy" }, 2).radius, style({ status: "busy" }, 2).weight], [10, 3]);
});

test("the legend names every grade and shown status in the markers' colours, in words", () => {
  const [[, grades], [, units], [, areas]] = legendEntries();
  assert.deepEqual(grades.map((e) => [e.key, e.colour]), Object.entries(GRADE_STYLE).map(([g, s]) => [g, s.fillColor]));
  assert.deepEqual(units.map((e) => e.key), SHOWN_STATUSES);
  assert.ok(!SHOWN_STATUSES.includes("off_duty"));
  assert.equal(units.find((e) => e.key === "en_route").text, "en route");
  assert.deepEqual(areas.map((e) => e.key), ["heat", "city"]);
  const { box } = elements("box");
  box.appendChild(legendBox(true));
  assert.equal(box.querySelector("details").hasAttribute("open"), true);
  const items = [...box.querySelectorAll("li")];
  assert.equal(items.length, 4 + SHOWN_STATUSES.length + 2);
  const onScene = items.find((li) => li.textContent === "on scene");
  assert.equal(onScene.textContent, "on scene");
  assert.match(onScene.querySelector(".bl-swatch").className, /bl-square/);
  assert.match(onScene.querySelector(".bl-swatch").getAttribute("style"), new RegExp(UNIT_COLOUR.on_scene));
  elements("box").box.appendChild(legendBox(false));
  assert.equal(document.querySelector("details").hasAttribute("open"), false);
});
