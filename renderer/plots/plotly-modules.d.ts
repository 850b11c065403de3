// Types for the plotly.js 3.7 modules the partial bundle imports (plotly.js ships no declarations, and
// @types/plotly.js is not installed): only what plot-mount.ts calls. Renderer process.
declare module 'plotly.js/lib/core' {
  export interface PlotlyTraceData {
    readonly type?: string;
    readonly name?: string;
    readonly x?: ArrayLike<number>;
    readonly y?: ArrayLike<number>;
  }

  /** The element plotly draws into, carrying the figure it drew. */
  export interface PlotlyElement extends HTMLElement {
    readonly data?: readonly PlotlyTraceData[];
  }

  export interface PlotlyApi {
    register(modules: unknown | readonly unknown[]): void;
    react(root: HTMLElement, data: readonly object[], layout?: object, config?: object): Promise<PlotlyElement>;
    extendTraces(
      root: HTMLElement,
      update: { readonly x: readonly number[][]; readonly y: readonly number[][] },
      indices: readonly number[],
    ): Promise<PlotlyElement>;
  }

  const Plotly: PlotlyApi;
  export default Plotly;
}

declare module 'plotly.js/lib/heatmap' {
  const traceModule: unknown;
  export default traceModule;
}

declare module 'plotly.js/src/traces/scattergl/strict' {
  const traceModule: unknown;
  export default traceModule;
}

declare module 'plotly.js/src/traces/parcoords/strict' {
  const traceModule: unknown;
  export default traceModule;
}
