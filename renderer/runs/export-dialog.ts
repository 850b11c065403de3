// The export panel of a figure: format, physical width (one- or two-column presets, or any), height
// and DPI; the lab service draws the figure headlessly with the same figure code (`export.figure`), and
// the panel offers the file and the CSV of its plotted data as downloads, with a preview. Renderer process.
import type { FigureFormat, FigureRequest } from '../../engine/api/figure';
import type { RendererLabClient } from '../api/lab-client';
import { describeError } from '../api/lab-call-error';
import { element, setChildren } from '../dom/element';

/** The column widths of the usual journals, in millimetres (engine/api/figure.ts holds the same). */
const PRESETS: readonly (readonly [string, number])[] = [
  ['one column (89 mm)', 89],
  ['two columns (183 mm)', 183],
];

function blobFromBase64(base64: string, mime: string): Blob {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new Blob([bytes], { type: mime });
}

export class ExportDialog {
  readonly element: HTMLElement;
  private readonly format = element('select', { testId: 'export-format' }, [
    element('option', { attrs: { value: 'pdf' } }, ['PDF (vector)']),
    element('option', { attrs: { value: 'svg' } }, ['SVG (vector)']),
    element('option', { attrs: { value: 'png' } }, ['PNG']),
  ]);
  private readonly width = element('select', { testId: 'export-width' }, [
    ...PRESETS.map(([label, mm]) => element('option', { attrs: { value: String(mm) } }, [label])),
    element('option', { attrs: { value: 'custom' } }, ['custom…']),
  ]);
  private readonly customWidth = element('input', { testId: 'export-width-mm', attrs: { type: 'number', min: '20', max: '600', step: '1', value: '120', 'aria-label': 'width in mm' } });
  private readonly height = element('input', { testId: 'export-height-mm', attrs: { type: 'number', min: '20', max: '600', step: '1', placeholder: 'auto', 'aria-label': 'height in mm' } });
  private readonly dpi = element('input', { testId: 'export-dpi', attrs: { type: 'number', min: '50', max: '1200', step: '50', value: '300', 'aria-label': 'PNG resolution in dpi' } });
  private readonly dpiLabel = element('label');
  private readonly go = element('button', { className: 'primary small', testId: 'export-go' }, ['Export']);
  private readonly close = element('button', { className: 'small', title: 'close' }, ['×']);
  private readonly result = element('div', { className: 'export-result', testId: 'export-result' });
  private readonly message = element('p', { className: 'message', testId: 'export-message', attrs: { role: 'status' } });
  private urls: string[] = [];

  constructor(
    private readonly client: RendererLabClient,
    private readonly request: () => FigureRequest | null,
    /** The dialog's data-testid; its controls keep theirs (export-format, export-go, …) within it. */
    testId: string,
  ) {
    this.customWidth.hidden = true;
    this.width.addEventListener('change', () => (this.customWidth.hidden = this.width.value !== 'custom'));
    this.format.addEventListener('change', () => (this.dpiLabel.hidden = this.format.value !== 'png'));
    this.go.addEventListener('click', () => void this.export());
    this.close.addEventListener('click', () => this.hide());
    this.element = element('div', { className: 'export-dialog', testId, attrs: { role: 'dialog', 'aria-label': 'export figure' } }, [
      element('div', { className: 'controls' }, [
        element('label', {}, ['format ', this.format]),
        element('label', {}, ['width ', this.width, this.customWidth]),
        element('label', {}, ['height (mm) ', this.height]),
        this.dpiLabel,
        this.go,
        this.close,
      ]),
      this.message,
      this.result,
    ]);
    this.dpiLabel.append('dpi ', this.dpi);
    this.dpiLabel.hidden = true;
    this.element.hidden = true;
  }

  toggle(): void {
    if (this.element.hidden) this.element.hidden = false;
    else this.hide();
  }

  private hide(): void {
    this.element.hidden = true;
    this.revoke();
    setChildren(this.result, []);
  }

  private revoke(): void {
    for (const url of this.urls) URL.revokeObjectURL(url);
    this.urls = [];
  }

  private async export(): Promise<void> {
    const figure = this.request();
    if (!figure) return;
    const widthMm = this.width.value === 'custom' ? Number(this.customWidth.value) : Number(this.width.value);
    const size = {
      format: this.format.value as FigureFormat,
      widthMm,
      ...(this.height.value ? { heightMm: Number(this.height.value) } : {}),
      dpi: Number(this.dpi.value),
    };
    this.go.disabled = true;
    this.message.textContent = 'Drawing the figure…';
    this.message.hidden = false;
    try {
      const exported = await this.client.call('export.figure', { figure, size });
      this.revoke();
      const file = URL.createObjectURL(blobFromBase64(exported.dataBase64, exported.mime));
      const csv = URL.createObjectURL(new Blob([exported.csv], { type: 'text/csv' }));
      this.urls = [file, csv];
      const csvName = exported.fileName.replace(/\.[a-z]+$/, '.csv');
      setChildren(this.result, [
        element('a', { testId: 'export-file', attrs: { href: file, download: exported.fileName } }, [`⬇ ${exported.fileName}`]),
        element('a', { testId: 'export-csv', attrs: { href: csv, download: csvName } }, [`⬇ ${csvName}`]),
        element('span', { className: 'muted' }, [`${exported.widthMm} × ${exported.heightMm} mm`]),
        exported.format === 'pdf' ? null : element('img', { className: 'preview', attrs: { src: file, alt: 'exported figure' } }),
      ]);
      this.message.hidden = true;
    } catch (err) {
      this.message.textContent = describeError(err);
    } finally {
      this.go.disabled = false;
    }
  }
}
