// HookBridge dashboard: draws the metrics chart with the embedded uPlot from the page's JSON
// data block. No inline script (the Content-Security-Policy forbids it), no other origin.
(function () {
  "use strict";
  var data = document.getElementById("series");
  var target = document.getElementById("chart");
  if (!data || !target || typeof uPlot === "undefined") { return; }
  var s = JSON.parse(data.textContent);
  function width() { return Math.max(280, target.clientWidth || 600); }
  var opts = {
    width: width(),
    height: 300,
    series: [
      {},
      { label: "Succeeded", stroke: "#1a7f37", width: 2 },
      { label: "Failed", stroke: "#cf222e", width: 2 },
      { label: "Retrying", stroke: "#9a6700", width: 2 }
    ],
    axes: [{}, { label: "messages" }]
  };
  var plot = new uPlot(opts, [s.t, s.succeeded, s.failed, s.retrying], target);
  window.addEventListener("resize", function () { plot.setSize({ width: width(), height: 300 }); });
}());
