// The dialog that asks for notebook paths (there is no native file dialog in browser mode, and the
// paths are the lab service's anyway): text fields, optionally the recent notebooks to pick from, and
// the error of the last attempt, kept open until the action succeeds or is cancelled. Renderer process.
import type { RecentNotebook } from '../../engine/api/notebook';
import { describeError } from '../api/lab-call-error';
import { element } from '../dom/element';

export interface PathField {
  readonly label: string;
  readonly value: string;
  readonly testId: string;
  readonly placeholder?: string;
}

export interface PathDialogOptions {
  readonly title: string;
  readonly fields: readonly PathField[];
  readonly confirm: string;
  /** Recent notebooks, each a one-click choice for the first field. */
  readonly recent?: readonly RecentNotebook[];
  /** Acts on the field values; an error is shown and the dialog stays open for another try. */
  readonly submit: (values: readonly string[]) => Promise<void>;
}

/** Shows the dialog; resolves true once `submit` succeeded, false when cancelled. */
export function showPathDialog(options: PathDialogOptions): Promise<boolean> {
  const inputs = options.fields.map((f) =>
    element('input', { testId: f.testId, attrs: { type: 'text', spellcheck: 'false', autocomplete: 'off', placeholder: f.placeholder ?? '' } }),
  );
  inputs.forEach((input, i) => (input.value = options.fields[i]!.value));
  const error = element('p', { className: 'message error', testId: 'path-dialog-error', attrs: { role: 'alert' } });
  error.hidden = true;
  const confirm = element('button', { className: 'primary', testId: 'path-dialog-confirm', attrs: { type: 'submit' } }, [options.confirm]);
  const cancel = element('button', { attrs: { type: 'button' } }, ['Cancel']);
  const recent = options.recent?.length
    ? element('div', { className: 'recent-notebooks' }, [
        element('h3', {}, ['Recent']),
        element(
          'ul',
          {},
          options.recent.map((r) => {
            const pick = element('button', { className: 'recent-notebook', testId: 'recent-notebook', title: r.path, attrs: { type: 'button' } }, [
              element('span', { className: 'recent-title' }, [r.title]),
              element('span', { className: 'muted recent-path' }, [r.path]),
            ]);
            pick.addEventListener('click', () => void attempt([r.path, ...inputs.slice(1).map((i) => i.value)]));
            return element('li', {}, [pick]);
          }),
        ),
      ])
    : null;
  const form = element('form', { attrs: { method: 'dialog' } }, [
    element('h2', {}, [options.title]),
    ...options.fields.map((f, i) => element('label', { className: 'path-field' }, [element('span', {}, [f.label]), inputs[i]!])),
    error,
    element('div', { className: 'dialog-buttons' }, [cancel, confirm]),
    recent,
  ]);
  const dialog = element('dialog', { className: 'path-dialog', testId: 'path-dialog' }, [form]);
  document.body.append(dialog);

  let settle: (ok: boolean) => void = () => undefined;
  const done = new Promise<boolean>((resolve) => (settle = resolve));
  const close = (ok: boolean) => {
    dialog.close();
    dialog.remove();
    settle(ok);
  };
  const attempt = async (values: readonly string[]) => {
    confirm.disabled = true;
    error.hidden = true;
    try {
      await options.submit(values.map((v) => v.trim()));
      close(true);
    } catch (err) {
      error.textContent = describeError(err);
      error.hidden = false;
      confirm.disabled = false;
    }
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void attempt(inputs.map((i) => i.value));
  });
  cancel.addEventListener('click', () => close(false));
  dialog.addEventListener('cancel', (event) => {
    event.preventDefault();
    close(false);
  });
  dialog.showModal();
  const first = inputs[0];
  if (first) {
    first.focus();
    first.select();
  }
  return done;
}
