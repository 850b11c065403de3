// The plotly.js partial bundle the renderer draws with: core (which registers scatter itself), plus
// scattergl for long series, heatmap for memory matrices and parcoords for comparing runs. The WebGL
// traces come in their `strict` builds (precompiled shaders, no `new Function`), as the CSP forbids eval.
// Loaded lazily by plot-mount.ts. Renderer process.
import Plotly from 'plotly.js/lib/core';
import heatmap from 'plotly.js/lib/heatmap';
import parcoords from 'plotly.js/src/traces/parcoords/strict';
import scattergl from 'plotly.js/src/traces/scattergl/strict';

Plotly.register([scattergl, heatmap, parcoords]);

export { Plotly };
