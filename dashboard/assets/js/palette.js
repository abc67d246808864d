// The map's colours and marker styles: one palette for markers, legend and borough layers.
// Chosen after Okabe-Ito to stay apart under protanopia, deuteranopia and tritanopia, and
// against the dark map: tests/dashboard/test_legibility.py reads them from this file and
// checks both. Incidents are circles, units squares: colour is never the only cue. Radii
// are at 1920x1080 and scale with the map's size.
export const GRADE_STYLE = {
  I: { radius: 10, fillColor: "#ff4d2e", color: "#ffffff", weight: 2.5, fillOpacity: 0.95 },
  S: { radius: 7, fillColor: "#f0e442", color: "#1c1c1e", weight: 1.5, fillOpacity: 0.9 },
  E: { radius: 5, fillColor: "#c0c8d2", color: "#1c1c1e", weight: 1, fillOpacity: 0.8 },
  R: { radius: 4, fillColor: "#7f8994", color: "#1c1c1e", weight: 1, fillOpacity: 0.7 },
};
// A call near an active warning marker (firearms, violence, a vulnerable person): a
// magenta, dashed outline over its grade's colour, on the wall and the desk alike.
export const WARNING_OUTLINE = { color: "#ff2bd6", weight: 3.5, dashArray: "4 3" };
export const UNIT_COLOUR = {
  available: "#2ee6a0", en_route: "#56b4e9", on_scene: "#e07ac0", busy: "#e69f00",
  at_station: "#2f7fff", refreshment: "#ffffff", custody: "#998866", off_duty: "#8e8e93",
};
// Demand heat (hexes) and the City of London (its own force), also in the legend.
export const HEAT_COLOUR = "#c2185b";
export const CITY_COLOUR = "#c9a227";
export const GRADE_ORDER = { I: 0, S: 1, E: 2, R: 3 };
export const LIVE_GRADES = { I: true, S: true };
