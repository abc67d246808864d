// The entry module: dashboard/app.py starts Dash's renderer once this module (and so every
// module it imports) has run, so what dash-leaflet and dash-ag-grid look up on window by
// name is there before their first render.
import { publishGridFunctions } from "./grid.js";
import { publishMapFunctions } from "./layers.js";
import { registerMaps } from "./maps.js";
import { startHeader } from "./header.js";
import { watchFeed } from "./feed.js";
import { watchSession } from "./reauth.js";
import { mountScreens } from "./mount.js";
import { signin } from "./signin.js";
import { wall } from "./wall.js";
import { inspector } from "./inspector/desk.js";
import { planner } from "./planner.js";
import { watchReplay } from "./replay.js";

publishMapFunctions();
publishGridFunctions();
registerMaps(window.L);
watchFeed();
watchSession();
watchReplay();
startHeader();
mountScreens({ signin, wall, inspector, planner });
