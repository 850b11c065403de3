// Types for the plotly.js 3.7 modules the partial bundle imports (plotly.js ships no declarations, and
// @types/plotly.js is not installed): only what the renderer calls. Renderer process.
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
    /** plotly's event hooks; `plotly_relayout` carries the new axis ranges after a zoom or pan. */
    on?(event: 'plotly_relayout', handler: (update: Record<string, unknown>) => void): void;
  }

  export interface ToImageOptions {
    readonly format: 'png' | 'svg';
    readonly width: number;
    readonly height: number;
    readonly scale?: number;
    /** Without the `data:` URL prefix: raw SVG text, or PNG bytes in base64. */
    readonly imageDataOnly?: boolean;
  }

  export interface PlotlyApi {
    register(modules: unknown | readonly unknown[]): void;
    react(root: HTMLElement, data: readonly object[], layout?: object, config?: object): Promise<PlotlyElement>;
    extendTraces(
      root: HTMLElement,
      update: { readonly x: readonly number[][]; readonly y: readonly number[][] },
      indices: readonly number[],
    ): Promise<PlotlyElement>;
    newPlot(root: HTMLElement, data: readonly object[], layout?: object, config?: object): Promise<PlotlyElement>;
    toImage(root: HTMLElement, options: ToImageOptions): Promise<string>;
    purge(root: HTMLElement): void;
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
