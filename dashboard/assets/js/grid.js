// Cell formatters for the inspector's AG Grid columns (dashboard/inspector.py):
// dash-ag-grid looks up {"function": "..."} names in window.dashAgGridFunctions, so that
// object is, with layers.js's, what a module puts on window.
import { mmss, NO_TARGET } from "./format.js";

// "To target" in the queue: overdue in words, and a warning sign under five minutes, so
// the row's colour (rowClassRules in dashboard/inspector.py) is never the only signal.
const NEAR_BREACH_S = 5 * 60;
export function toTarget(value) {
  if (value === null || value === undefined || value >= NO_TARGET) { return ""; }
  if (value < 0) { return "⚠ " + mmss(-value) + " overdue"; }
  return (value < NEAR_BREACH_S ? "⚠ " : "") + mmss(value);
}

// An attended incident's "to target" (NO_TARGET) is blank.
export function gridMmss(value) { return value >= NO_TARGET ? "" : mmss(value); }

export function publishGridFunctions() {
  window.dashAgGridFunctions = Object.assign(window.dashAgGridFunctions || {}, { toTarget, mmss: gridMmss });
}
