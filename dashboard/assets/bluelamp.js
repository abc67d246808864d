// Map styling runs in the browser: Dash passes {variable: "bluelamp.map.<name>"} and
// dash-leaflet calls these, so layers stay mounted and nothing round-trips to the server.
window.bluelamp = Object.assign({}, window.bluelamp, {
  map: {
    boroughStyle: function (feature, context) {
      var met = feature.properties.met;
      var tiles = context && context.hideout && context.hideout.tiles;
      return {
        className: met ? "bl-borough" : "bl-borough bl-not-met",
        color: met ? "#5b7083" : "#8a6d3b",
        weight: 1,
        dashArray: met ? null : "4 3",
        fillColor: met ? "#1c2733" : "#2b2418",
        fillOpacity: tiles ? 0.15 : 1.0,
      };
    },
    boroughTooltip: function (feature, layer) {
      var p = feature.properties;
      var text = p.met ? p.name + " (" + p.bcu + ")" : p.name + " — City of London Police";
      layer.bindTooltip(text, { sticky: true, className: "bl-tooltip" });
    },
    bcuStyle: function () {
      return { className: "bl-bcu", color: "#9fb3c8", weight: 3, fill: false, opacity: 0.9 };
    },
    bcuLabel: function (feature, latlng) {
      return L.marker(latlng, {
        interactive: false,
        keyboard: false,
        icon: L.divIcon({
          className: "bl-bcu-label",
          html: "<span>" + feature.properties.code + "</span>",
          iconSize: null,
        }),
      });
    },
  },
});

// The clock in the header: Europe/London, 24-hour, ticking in the browser (no polling).
(function () {
  var format = new Intl.DateTimeFormat("en-GB", {
    timeZone: "Europe/London", hour: "2-digit", minute: "2-digit", second: "2-digit",
    hour12: false, weekday: "short", day: "2-digit", month: "short",
  });
  setInterval(function () {
    var clock = document.getElementById("clock");
    if (clock) { clock.textContent = format.format(new Date()); }
  }, 1000);
})();
