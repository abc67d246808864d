// Words and numbers as the screens show them: the data's codes in the words people use,
// durations, clock times. Pure functions, no DOM.

// The one mapping from the data's codes to what every screen shows (`on_scene` is "on
// scene", `concern_for_welfare` "concern for welfare"). A code it does not know is shown
// with its underscores as spaces, so a new status or category still reads as words.
export const WORDS = {
  grade: { I: "I · Immediate", S: "S · Significant", E: "E · Extended", R: "R · Referred" },
  // Incident statuses: "open" in the data means no unit is attached yet.
  incident: { open: "awaiting a unit", assigned: "unit on the way", on_scene: "on scene", closed: "closed" },
  unit: { available: "available", en_route: "en route", on_scene: "on scene", busy: "busy", off_duty: "off duty" },
  category: {
    asb: "anti-social behaviour", concern_for_welfare: "concern for welfare", road_traffic: "road traffic",
    public_order: "public order", criminal_damage: "criminal damage", vehicle_crime: "vehicle crime",
  },
  marker: { violent_towards_police: "violent towards police", domestic_abuse: "domestic abuse history" },
  unitType: { IRV: "IRV", ARV: "armed response", DOG: "dog unit", TSG: "TSG", TRAFFIC: "traffic", FOOT: "foot patrol", CYCLE: "cycle patrol" },
};

export function text(value) { return value === null || value === undefined ? "" : String(value); }
export function plain(code) { return text(code).replace(/_/g, " "); }
export function words(kind, code) {
  const table = WORDS[kind] || {};
  return Object.prototype.hasOwnProperty.call(table, code) ? table[code] : plain(code);
}

export function mmss(seconds) {
  if (seconds === null || seconds === undefined || isNaN(seconds)) { return ""; }
  const sign = seconds < 0 ? "−" : "";
  const s = Math.abs(Math.round(seconds));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  return sign + (h ? h + ":" + String(m).padStart(2, "0") : m) + ":" + String(r).padStart(2, "0");
}

export function minutes(seconds) { return Math.max(1, Math.round(seconds / 60)) + " min"; }

const TIME = new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/London", hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
export function clock(iso) { return iso ? TIME.format(new Date(iso)) : ""; }
// "14 Mar 1987": a calendar date (YYYY-MM-DD, as dates of birth and review dates come) as it
// is, a time on the day it was in London.
const DAY = { day: "numeric", month: "short", year: "numeric" };
const CALENDAR = new Intl.DateTimeFormat("en-GB", { ...DAY, timeZone: "UTC" });
const LONDON_DAY = new Intl.DateTimeFormat("en-GB", { ...DAY, timeZone: "Europe/London" });
export function day(iso) {
  if (!iso) { return ""; }
  return /^\d{4}-\d{2}-\d{2}$/.test(iso) ? CALENDAR.format(new Date(iso + "T00:00:00Z")) : LONDON_DAY.format(new Date(iso));
}

// "To target" of an incident already attended sorts last in the queue: a large number
// shown as blank.
export const NO_TARGET = 1e12;

// The warning icons a call carries ("⚠ firearms, ⚠ dangerous dog"): kinds only, for any screen.
export function warningWords(kinds) {
  return (kinds || []).map((k) => "⚠ " + words("marker", k)).join(", ");
}
